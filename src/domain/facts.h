/* facts.h — the customer aggregates that the policy and the guard read.
 *
 * Every purchase load (import, demo) and every case adds to a few small
 * tables (migrations/0003_desk.sql): customer_facts (lifetime totals),
 * customer_days (counts per customer per day, for the 30- and 90-day windows),
 * customer_case_stores, customer_item_stores, customer_quick_returns,
 * product_price_days and category_days (purchases and returns per category
 * and day: the norm); a walk-in's cases, once they gave a contact, add to
 * walk_in_days, walk_in_case_stores and walk_in_item_stores under its key
 * (migrations/0008_identity.sql). Reading a customer's facts is a handful of
 * primary-key range reads per account of their identity, bounded by the
 * window (at most ~90 rows each), never a scan of their history.
 *
 * Invariants:
 *  (1) the aggregates change only inside the transaction that writes the
 *      purchases or the case they count, so they never disagree with them;
 *  (2) a case counts at its creation and keeps counting when cancelled (an
 *      attempt is a signal too);
 *  (3) windows are whole UTC days: "30 days" is today and the 29 before.
 */
#ifndef TD_FACTS_H
#define TD_FACTS_H
#include <stdint.h>
#include "domain/domain.h"
#include "domain/guard.h"
#include "domain/policy.h"

#define FACTS_DAY_US (86400LL * 1000000)
#define FACTS_KEEP_DAYS 400               /* customer_days rows older than this are purged */
#define FACTS_PURCHASE_WINDOW_DAYS 90     /* purchases are counted per day this far back (the 90-day return rate) */
#define FACTS_PRICE_KEEP_DAYS 366         /* lowest prices per day this far back (lowest_price_days <= 365) */
#define FACTS_NORM_DAYS 365               /* a category's norm: returns and purchases of at most this many days */
#define FACTS_PRIOR_DEFAULT 80            /* returns per 1000 purchases of a category without a prior of its own */
#define FACTS_PRIOR_WEIGHT 500            /* a prior weighs as much as this many purchases of the category */
#define FACTS_QUICK_READ_MIN 2
#define FACTS_ITEM_SZ 64                  /* facts_item_key(): "p" product ["/l" receipt "." line] */            /* quick returns in a category before its purchases are read */

/* Tier thresholds on lifetime spend; a loyalty card makes a customer bronze. */
#define FACTS_SILVER_CENTS 50000          /* EUR 500 */
#define FACTS_GOLD_CENTS 150000           /* EUR 1,500 */
#define FACTS_PLATINUM_CENTS 500000       /* EUR 5,000 */

/* One item returned with proof soon after purchase (guard.quick_days). */
struct facts_quick {
    int item_no;
    const char *category;                 /* NULL: unknown */
    const char *style;                    /* facts_style() of the product's name */
    int whole;                            /* nothing of that style from that receipt is kept */
};

/* What one case adds, prepared by the desk from the case and its items. */
struct facts_case {
    int64_t customer_id;                  /* 0: a walk-in (only category_days change) */
    int64_t case_id;
    int64_t store_id;
    int is_return;                        /* goods come back: return, exchange, referral */
    int no_receipt;                       /* ... without a receipt */
    int items_returned;                   /* items that come back */
    int not_sold_here;                    /* claims for goods not sold here (not repairs) */
    int worn_soon;                        /* worn items within worn.soon_days of purchase */
    int n_products;
    char items[POLICY_ITEMS_MAX][FACTS_ITEM_SZ]; /* the items of ours that come back: facts_item_key() */
    const char *categories[POLICY_ITEMS_MAX]; /* their categories (NULL: unknown) */
    int spent_lines;                      /* items offered with a receipt whose line came back in full */
    int n_quick;
    struct facts_quick quick[POLICY_ITEMS_MAX];
};

/* Adds a case (at c->now_us) to the aggregates. */
int facts_add_case(struct dctx *c, const struct facts_case *fc) TD_MUST_CHECK;
/* Adds a walk-in's case (fc->customer_id 0) to the counts under key, the
 * keyed hash of the contact the walk-in gave (identity.h), at c->now_us. */
int facts_add_walk_in(struct dctx *c, const char *key, const struct facts_case *fc) TD_MUST_CHECK;

/* An item for "one item returned at several stores": its product and
 * purchase line when the return has proof of purchase ("p17/l1234.2"), else
 * its product ("p17"). Pure. */
void facts_item_key(int64_t product_id, int64_t receipt_row, int64_t line_no, int proven, char out[FACTS_ITEM_SZ] /* OUT */);

/* A product's style, for buy-return cycles: its name up to the first comma
 * (what follows names the variant: colour, size), folded, at most
 * FACTS_STYLE_SZ - 1 bytes: "Jurk Esprit, zwart" -> "jurk esprit". Pure. */
#define FACTS_STYLE_SZ 128
void facts_style(const char *product_name, char out[FACTS_STYLE_SZ] /* OUT */);

/* Adds the purchases of receipts first_id..last_id (inclusive, all new) to
 * the aggregates, in bulk; now_us bounds the day windows. */
int facts_add_receipts(struct db *db, int64_t first_id, int64_t last_id, int64_t now_us) TD_MUST_CHECK;

/* The same for an import's new receipts as the import hands them over
 * (events.h), counted in memory: each aggregate row is written once, in
 * multi-row upserts, and no line is read back. The rows equal what
 * facts_add_receipts() over the same receipts gives. */
struct event_purchases;
int facts_add_purchases(struct dctx *c, const struct event_purchases *p) TD_MUST_CHECK;

/* The tier for a lifetime spend; NONE without a loyalty card. Pure. */
enum policy_tier facts_tier(int has_loyalty_card, int64_t lifetime_spend_cents);

/* The customer's facts and guard signals as of c->now_us. customer_id 0 is a
 * walk-in: facts->walk_in, and signals only when walk_in_key (the key of the
 * contact they gave; NULL: none) has visits or accounts. The signals count
 * the customer's identity (identity_load: the accounts and walk-in visits of
 * the same person; without link only the account and key themselves), the
 * facts only the customer's own account. The category
 * norm is that of the given categories (NULL entries skipped; at most
 * POLICY_ITEMS_MAX), or FACTS_PRIOR_DEFAULT without one. TD_E_NOT_FOUND for
 * an unknown customer. */
int facts_load(struct dctx *c, int64_t customer_id, const char *walk_in_key, bool link, const char *const *categories,
               int n_categories, struct customer_facts *facts /* OUT */,
               struct guard_signals *signals /* OUT */) TD_MUST_CHECK;

/* The return norm a category starts from (returns per 1000 purchases):
 * facts.c's documented table, or FACTS_PRIOR_DEFAULT. Pure. */
int facts_category_prior(const char *category);

/* The return norm of n categories (NULL entries skipped) from their
 * returns and purchases of the same days: (returns x 1000 + prior x
 * FACTS_PRIOR_WEIGHT) / (purchases + FACTS_PRIOR_WEIGHT), summed over the
 * categories, 1..1000; FACTS_PRIOR_DEFAULT without a category. Pure. */
int facts_norm_permille(int n, const char *const *categories, const int64_t *purchases, const int64_t *returns);

/* The lowest selling price of a product over the `days` days up to now;
 * 0 when it did not sell in that period. */
int facts_lowest_price(struct dctx *c, int64_t product_id, int days, int64_t *cents /* OUT */) TD_MUST_CHECK;

/* Deletes per-day aggregate rows (customer_days, product_price_days,
 * category_days) and quick returns older than FACTS_KEEP_DAYS; *count says
 * how many. */
int facts_purge_old(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

/* The aggregates' row of events.def (events.h): OPENED -> facts_add_case,
 * WALK_IN_KEPT -> facts_add_walk_in, PURCHASES_IMPORTED -> facts_add_purchases
 * (facts_add_receipts for an event without its purchases). */
struct event;
int facts_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

#endif
