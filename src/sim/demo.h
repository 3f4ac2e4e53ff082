/* demo.h — a realistic Dutch demo chain for a brand-new database.
 *
 * demo_generate() fills an empty database with stores, staff, a product
 * catalogue, customers (with their search terms and marketing consent),
 * receipts and purchase lines over the last two years, the customer
 * aggregates those purchases feed, and a case history over the last half
 * year: honest customers' ordinary returns and about 1 % planted abusers,
 * labelled in demo_labels, all resolved through the desk (desk.h) at the
 * moment they happened — the material `trustdesk evaluate` measures the
 * guard on — and clienteling's data: styles in sizes with stock per store,
 * the knitwear collection KNIT-AW26 planned to arrive, associates' books,
 * sizes, likes, dates, notes, objections and the spend per category. Credit-note codes are the ledger's own random codes; every
 * other row follows from the seed. The same seed, size
 * and end date always give the same rows: everything random comes from the
 * seeded streams of core/rng.h (one per customer), never rand().
 *
 * Demo staff all share one password (DEMO_PASSWORD) whose argon2id hash the
 * caller computes once and passes in: hashing ~60 accounts separately would
 * cost seconds for nothing. That shortcut is for demo data only — real
 * accounts are made by staff_create(), which hashes each password.
 */
#ifndef TD_DEMO_H
#define TD_DEMO_H
#include "sim/demo_data.h"   /* DEMO_LOGIN_ADMIN */
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

struct db;

#define DEMO_PASSWORD "trustdesk-demo"
#define DEMO_DEFAULT_CUSTOMERS 20000
#define DEMO_MAX_CUSTOMERS 10000000

/* The three logins worth printing; every demo account has DEMO_PASSWORD. */
#define DEMO_LOGIN_MANAGER "manager.utrecht"
#define DEMO_LOGIN_ASSOCIATE "associate.utrecht"

struct demo_config {
    uint64_t seed;
    int64_t customers;            /* 1 .. DEMO_MAX_CUSTOMERS */
    int64_t end_us;               /* history ends here (UTC microseconds), usually now */
    const char *password_hash;    /* argon2id hash of DEMO_PASSWORD, computed once */
    /* Optional: a chain policy document (version 2 or above) in force for the
     * whole case history instead of the default, to measure another policy
     * on the same people; NULL: the default. */
    const char *policy_json;
    size_t policy_len;
    /* Leave out the planted goodwill effect (demo_goodwill.c): every customer
     * given goodwill comes back once more within 90 days. */
    int no_goodwill_effect;
    /* The case history's rollups that only reports read (insight_days,
     * coaching_days, coaching_months) written case by case by the desk's
     * event subscribers, as a live desk does, instead of in bulk after the
     * last case (sim/demo_bulk.c). The same rows either way; the bulk path
     * is the default, this one its reference (tests/unit/test_demo_bulk.c). */
    int desk_history;
    /* Optional progress report, called now and then from the loading loop. */
    void (*progress)(void *arg, const char *what, long long done, long long total);
    void *progress_arg;
};

struct demo_summary {
    int64_t stores, staff, products, customers, email_consents, phone_consents;
    int64_t receipts, anonymous_receipts, lines, search_terms;
    int64_t cases, approvals, abusers;   /* the case history: cases, those a manager approved, labelled abusers */
    int64_t styles, books, objections;   /* clienteling: styles in the catalogue, customers in a book, objections */
};

/* The moment the case history starts for a demo ending at end_us: the
 * purchase aggregates are what facts_add_receipts(db, 1, last receipt,
 * demo_history_start_us(end_us)) counts (tests compare the two). */
int64_t demo_history_start_us(int64_t end_us);

/* TD_OK when the database has no stores, staff or customers yet;
 * TD_E_CONFLICT (with the counts in *stores, *staff, *customers) otherwise. */
int demo_check_empty(struct db *db, int64_t *stores /* OUT */, int64_t *staff /* OUT */,
                     int64_t *customers /* OUT */) TD_MUST_CHECK;

/* Generates the demo chain into db, which must be migrated and empty (see
 * demo_check_empty). Runs one write transaction: on failure nothing is left
 * behind. The caller may switch db_bulk_mode on around the call. */
int demo_generate(struct db *db, const struct demo_config *cfg, struct demo_summary *out /* OUT */) TD_MUST_CHECK;

#endif
