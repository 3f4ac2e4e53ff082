/* ledger.h — credit notes (tegoedbonnen) and their double-entry ledger.
 *
 * Invariants (checked by ledger_verify()):
 *  (1) entries are never updated or deleted (database triggers refuse it); a
 *      mistake is corrected by a new transaction;
 *  (2) the entries of every transaction sum to zero, and there are at least two;
 *  (3) a note's balance_cents == minus the sum of its credit_note_liability
 *      entries, and is never below zero (CHECK, and a conditional UPDATE);
 *  (4) a note has a balance exactly while it is ISSUED or PARTLY_USED.
 *
 *   ISSUED -> PARTLY_USED -> USED        ledger_redeem
 *   ISSUED | PARTLY_USED  -> VOID        ledger_void      (balance back to its funding account)
 *   ISSUED | PARTLY_USED  -> EXPIRED     ledger_expire_due (balance to breakage_income)
 *   ISSUED | PARTLY_USED  -> REISSUED    ledger_reissue   (balance moves to a new note)
 *
 * Every function works inside the caller's transaction and moves money only
 * through ledger__post(), which writes a transaction and its entries. The
 * free text of a transaction (reason, till reference) is not part of the
 * append-only rows: it lives in ledger_texts, which an erasure may redact.
 */
#ifndef TD_LEDGER_H
#define TD_LEDGER_H
#include <stdint.h>
#include "core/code.h"
#include "core/enum_map.h"
#include "domain/domain.h"

#define LEDGER_MAX_CENTS 1000000000LL      /* EUR 10 million: larger is a typo */
#define LEDGER_REASON_MAX 500
#define TILL_REF_MAX 64

struct ledger_config {
    int64_t validity_us;                   /* default life of a note (two years) */
    int64_t associate_limit_cents;         /* associates may issue up to this */
    int64_t associate_daily_cents;         /* loose notes an associate may issue per 24 hours (0: no cap) */
};

struct credit_note {
    int64_t id;
    char code_hint[5];                     /* last four characters of the code */
    int64_t customer_id;                   /* 0: none */
    int64_t case_id;                       /* 0: none */
    char store_code[CODE_SZ];
    char reason[LEDGER_REASON_MAX * 4 + 1];
    char funding[12];                      /* goodwill | refund */
    int64_t amount_cents, balance_cents;
    char status[16];
    int64_t issued_at, issued_by, expires_at, closed_at;
    int64_t replaces_id, replaced_by_id;   /* 0: none */
};

struct ledger_issue {
    int64_t amount_cents;
    const char *reason;
    const char *funding;                   /* NULL: goodwill */
    int64_t customer_id, case_id;          /* 0: none */
    int64_t expires_at;                    /* 0: now + validity */
    int64_t store_id;                      /* 0: none */
};

/* One line of a note's history: how its balance changed and why. */
struct ledger_event {
    const char *kind;                      /* issue | redeem | void | expire | reissue */
    int64_t at;
    int64_t delta_cents;                   /* change of this note's balance */
    const char *store_code, *till_reference, *reason, *staff_login;
};

int ledger_issue(struct dctx *c, const struct ledger_config *cfg, const struct ledger_issue *in,
                 struct errors *err, char code[CODE_TEXT_SZ] /* OUT */, struct credit_note *out /* OUT */) TD_MUST_CHECK;
/* The checks a note issued outside the desk (a "loose" note) must pass
 * before ledger_issue(): staff other than admins issue for their own store
 * only (403); a case_id names a case (422), of the caller's store (403),
 * already resolved or closed — an open case or one waiting for a manager
 * gets its note at the desk (409); an associate's loose notes of the last 24
 * hours, this one included, stay within cfg->associate_daily_cents (403). */
int ledger_check_loose(struct dctx *c, const struct ledger_config *cfg, const struct ledger_issue *in,
                       struct errors *err) TD_MUST_CHECK;
/* TD_E_NOT_FOUND for a code that cannot exist and for an unknown one alike. */
int ledger_find(struct dctx *c, const char *code, struct credit_note *out /* OUT */) TD_MUST_CHECK;
int ledger_get(struct dctx *c, int64_t id, struct credit_note *out /* OUT */) TD_MUST_CHECK;
/* TD_E_CONFLICT (with a message in err) when the note cannot pay amount:
 * too little balance, used, void, expired or reissued. Changes nothing then. */
int ledger_redeem(struct dctx *c, const char *code, int64_t amount_cents, int64_t store_id, const char *till_reference,
                  struct errors *err, struct credit_note *out /* OUT */) TD_MUST_CHECK;
int ledger_void(struct dctx *c, const char *code, const char *reason, struct errors *err,
                struct credit_note *out /* OUT */) TD_MUST_CHECK;
/* Moves the balance to a new code; the old code is dead from then on. */
int ledger_reissue(struct dctx *c, const char *code, const char *reason, struct errors *err,
                   char new_code[CODE_TEXT_SZ] /* OUT */, struct credit_note *out /* OUT */) TD_MUST_CHECK;
/* Expires up to `limit` notes whose time has come; *count says how many. */
int ledger_expire_due(struct dctx *c, int limit, int *count /* OUT */) TD_MUST_CHECK;
int ledger_history(struct dctx *c, int64_t note_id, int (*fn)(void *arg, const struct ledger_event *e),
                   void *arg) TD_MUST_CHECK;
/* Notes of a customer, newest first. */
int ledger_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct credit_note *n),
                            void *arg) TD_MUST_CHECK;

/* A note's status (names as stored). */
#define LEDGER_STATUS_MAP(X)                                                                \
    X(LEDGER_ISSUED, 1, "issued") X(LEDGER_PARTLY_USED, 2, "partly_used") X(LEDGER_USED, 3, "used")       \
    X(LEDGER_VOID, 4, "void") X(LEDGER_EXPIRED, 5, "expired") X(LEDGER_REISSUED, 6, "reissued")
enum ledger_status { LEDGER_STATUS_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map ledger_status_map;

/* All notes (optionally of one status), newest first, after id `before`
 * (0: from the newest), up to limit; *next is the id to continue from or 0. */
int ledger_each(struct dctx *c, const char *status, int64_t before, int limit,
                int (*fn)(void *arg, const struct credit_note *n), void *arg, int64_t *next /* OUT */) TD_MUST_CHECK;
/* Each account with the sum of its entries (debit positive). */
int ledger_accounts_each(struct dctx *c, int (*fn)(void *arg, const char *code, const char *name, int64_t sum),
                         void *arg) TD_MUST_CHECK;

/* Recomputes every balance from the entries and checks invariants (2)-(4).
 * Calls report() once per problem found (with a sentence naming it) and
 * sets *problems. Reads inside the caller's (read) transaction. */
int ledger_verify(struct db *db, void (*report)(void *arg, const char *problem), void *arg,
                  int64_t *problems /* OUT */) TD_MUST_CHECK;

/* Housekeeping (a row of api/jobs.def): expires every note whose time has
 * come, 100 to a transaction of its own (db_transact); *count says how many. */
int ledger_expire_all(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
