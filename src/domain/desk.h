/* desk.h — the service desk: cases, their recommendation, resolution,
 * approval, repairs and referrals.
 *
 * Case life (every step is a case_events row with who and when):
 *
 *   open --resolve--> resolved --follow_up--> followed_up
 *   open --resolve (approval needed)--> awaiting_approval
 *   awaiting_approval --approve--> resolved      (manager of the store, or admin)
 *   awaiting_approval --reject--> open           (the reason is kept)
 *   open | awaiting_approval --cancel--> cancelled
 *
 * Invariants:
 *  (1) a case's store credit is issued through the ledger in the transaction
 *      that resolves (or approves) it, once: credit_note_id is set with it;
 *  (2) a resolution that departs from the recommendation (another
 *      resolution, or more than its maximum) carries an override_reason;
 *  (3) an associate never approves; a manager approves only for their store;
 *  (4) desk_decide() writes nothing;
 *  (5) a purchase line never comes back beyond its quantity without a
 *      manager's approval: each unit is claimed (line_returns, conditional
 *      upsert + CHECK) in the transaction that resolves or approves the case
 *      that refunds it, and a unit beyond the quantity only on approval,
 *      with the approver recorded (line_return_claims).
 *
 * Repair life: taken_in -> sent -> at_manufacturer -> back_in_store ->
 * customer_told -> collected (a step may be skipped, never undone; an
 * in-store repair skips sent/at_manufacturer).
 */
#ifndef TD_DESK_H
#define TD_DESK_H
#include <stdbool.h>
#include <stdint.h>
#include "core/code.h"
#include "domain/domain.h"
#include "domain/facts.h"
#include "domain/identity.h"
#include "domain/ledger.h"
#include "domain/policy.h"

/* A case's status and a repair's, in the order they go (names as stored). */
#define DESK_STATUS_MAP(X)                                                                  \
    X(DESK_OPEN, 0, "open") X(DESK_AWAITING_APPROVAL, 1, "awaiting_approval") X(DESK_RESOLVED, 2, "resolved") \
    X(DESK_FOLLOWED_UP, 3, "followed_up") X(DESK_CANCELLED, 4, "cancelled")
enum desk_status { DESK_STATUS_MAP(ENUM_MAP_VALUE) };
#define DESK_REPAIR_STATUS_MAP(X)                                                           \
    X(DESK_REPAIR_TAKEN_IN, 0, "taken_in") X(DESK_REPAIR_SENT, 1, "sent")                     \
    X(DESK_REPAIR_AT_MANUFACTURER, 2, "at_manufacturer") X(DESK_REPAIR_BACK_IN_STORE, 3, "back_in_store") \
    X(DESK_REPAIR_CUSTOMER_TOLD, 4, "customer_told") X(DESK_REPAIR_COLLECTED, 5, "collected")
enum desk_repair_status { DESK_REPAIR_STATUS_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map desk_status_map, desk_repair_status_map;

#define DESK_WORDS_MAX 2000          /* characters of the customer's words */
#define DESK_TEXT_MAX 200            /* brand, description, manufacturer, referral target */
#define DESK_NOTE_MAX 1000           /* override reason, approval note, follow-up */
#define DESK_RMA_MAX 64

struct desk_item_in {
    bool sold_here;
    const char *receipt_ref;         /* sold here: optional (NULL: the customer's latest line of sku) */
    const char *sku;                 /* sold here: required */
    bool gift_receipt;               /* sold here: brought with a gift receipt (receipt_ref required) */
    const char *brand, *description; /* not sold here: required */
    int64_t stated_price_cents;      /* not sold here */
    enum policy_condition condition;
};

struct desk_referral_in {
    const char *to;                  /* NULL: not given */
    enum policy_referral reason;
};

struct desk_case_in {
    enum policy_kind kind;
    int64_t customer_id;             /* 0: walk-in */
    const char *store_code;
    bool receipt;
    const char *customer_words;
    struct desk_referral_in referral; /* optional: the customer prefers another shop */
    const char *walk_in_contact;     /* a walk-in's phone, e-mail or ID reference; kept only if the desk asks */
    size_t n_items;
    struct desk_item_in items[POLICY_ITEMS_MAX];
};

struct desk_item {
    int item_no;
    bool sold_here;
    char receipt_ref[65], sku[65];
    char brand[DESK_TEXT_MAX * 4 + 1], description[DESK_TEXT_MAX * 4 + 1], category[NAME_SZ];
    int64_t price_cents, lowest_cents;
    int days_since_purchase;
    enum policy_condition condition;
    int64_t product_id;
    int64_t receipt_row, line_no;    /* the purchase line matched when the case opened; 0: none */
    char proof[16];                  /* "receipt", "card", "gift_receipt", or "" (no proof: the line, if
                                      * any, only tells the price; a card line with no unit left is none) */
    /* Known only while the case opens (not stored): */
    bool spent;                      /* the receipt line matched had no unit left */
    char style[FACTS_STYLE_SZ];      /* facts_style() of the product's name */
};

struct desk_case {
    int64_t id, store_id, customer_id, associate_id;
    char store_code[CODE_SZ], associate_login[LOGIN_SZ];
    enum policy_kind kind;
    bool receipt;
    char customer_words[DESK_WORDS_MAX * 4 + 1];
    char referral_to[DESK_TEXT_MAX * 4 + 1];
    enum policy_referral referral_reason;
    char status[20];
    int64_t version, created_at, updated_at;
    size_t n_items;
    struct desk_item items[POLICY_ITEMS_MAX];
    char walk_in_key[IDENTITY_KEY_SZ]; /* the key of the contact a walk-in gave, "" when none (or purged) */
    /* the recommendation it was resolved against ("" before) */
    char rec_resolution[24], policy_version[POLICY_VERSION_SZ], risk_level[8];
    int64_t rec_amount_cents, risk_score;
    bool rec_needs_approval;
    char rec_reasons[16384];          /* JSON text {"reasons":[...],"risk":[...]} or "" */
    /* the resolution */
    char resolution[24];
    int64_t amount_cents;
    char override_reason[DESK_NOTE_MAX * 4 + 1];
    int64_t resolved_at, resolved_by, approval_by, credit_note_id;
    char approval_note[DESK_NOTE_MAX * 4 + 1];
};

struct desk_resolve_in {
    bool accept;                     /* take the recommendation as it is (resolution and amount ignored) */
    enum policy_resolution resolution;
    int64_t amount_cents;
    const char *override_reason;     /* may be NULL */
    struct desk_referral_in referral; /* for refer_elsewhere, unless the case has one */
    const char *manufacturer;        /* for repair_manufacturer: NULL -> the item's brand */
    const char *rma_number;          /* optional */
    const char *walk_in_contact;     /* a walk-in's phone, e-mail or ID reference, when the desk asks; NULL */
};

struct desk_outcome {
    char status[20];
    bool override;
    char credit_code[CODE_TEXT_SZ];  /* "" unless store credit was issued now */
    struct credit_note note;         /* valid when credit_code[0] */
};

struct desk_filter {
    int64_t store_id;                /* 0: all stores */
    const char *status, *kind;       /* NULL: any */
    int64_t associate_id;            /* 0: anyone */
    int64_t customer_id;             /* 0: anyone */
    int64_t from_us, to_us;          /* created_at in [from, to); 0: open */
};

struct desk_repair {
    int64_t case_id, customer_id, store_id;
    char store_code[CODE_SZ], via[16], manufacturer[DESK_TEXT_MAX * 4 + 1], rma_number[DESK_RMA_MAX + 1], status[20];
    char description[DESK_TEXT_MAX * 4 + 1];
    int64_t created_at, updated_at;
};

struct desk_event { int64_t at; const char *staff_login, *action, *detail; };

/* Validates and opens a case; field problems are named as in the API
 * ("items[1].sku"). */
int desk_case_create(struct dctx *c, const struct desk_case_in *in, struct errors *err,
                     int64_t *id /* OUT */) TD_MUST_CHECK;
int desk_case_get(struct dctx *c, int64_t id, struct desk_case *out /* OUT */) TD_MUST_CHECK;
int desk_case_events(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct desk_event *e), void *arg) TD_MUST_CHECK;
/* Cases newest first, after id `before` (0: newest), up to limit; *next is
 * the id to continue after, or 0. */
int desk_cases_each(struct dctx *c, const struct desk_filter *f, int64_t before, int limit,
                    int (*fn)(void *arg, const struct desk_case *k), void *arg, int64_t *next /* OUT */) TD_MUST_CHECK;

/* The recommendation for a case as of now (for a case no longer open: what
 * the desk would say now, e.g. for coaching). Writes nothing. */
int desk_decide(struct dctx *c, int64_t id, struct decision *d /* OUT */, struct risk *risk /* OUT */) TD_MUST_CHECK;

/* Resolves an open case (or sends it for approval). */
int desk_resolve(struct dctx *c, const struct ledger_config *lc, int64_t id, const struct desk_resolve_in *in,
                 struct errors *err, struct desk_outcome *out /* OUT */) TD_MUST_CHECK;
int desk_approve(struct dctx *c, const struct ledger_config *lc, int64_t id, const char *note, struct errors *err,
                 struct desk_outcome *out /* OUT */) TD_MUST_CHECK;
int desk_reject(struct dctx *c, int64_t id, const char *reason, struct errors *err) TD_MUST_CHECK;
int desk_cancel(struct dctx *c, int64_t id, const char *reason, struct errors *err) TD_MUST_CHECK;
int desk_follow_up(struct dctx *c, int64_t id, const char *note, struct errors *err) TD_MUST_CHECK;

/* Repairs of a store (0: all), open ones only when open_only; oldest first. */
int desk_repairs_each(struct dctx *c, int64_t store_id, bool open_only, int (*fn)(void *arg, const struct desk_repair *r),
                      void *arg) TD_MUST_CHECK;
int desk_repair_get(struct dctx *c, int64_t case_id, struct desk_repair *out /* OUT */) TD_MUST_CHECK;
int desk_repair_update(struct dctx *c, int64_t case_id, const char *status, const char *rma_number, const char *note,
                       struct errors *err) TD_MUST_CHECK;

/* One day of a store's dashboard. */
struct desk_day { int64_t day; int64_t cases; int64_t credit_cents; };
struct desk_dashboard {
    struct desk_day days[30];        /* oldest first, ending today; UTC days */
    int64_t approvals_waiting, repairs_open, repairs_overdue;
};
#define DESK_REPAIR_OVERDUE_DAYS 14
/* Credit issued counts new notes only (a reissue moves existing credit). */
int desk_dashboard(struct dctx *c, int64_t store_id, struct desk_dashboard *out /* OUT */) TD_MUST_CHECK;

#endif
