/* clienteling_outreach.h — today's outreach, its outcomes, the contact-cap
 * ledger, holds, and the aggregates purchases feed.
 *
 *   task:  open --cl_task_outcome--> done            (one outcome, once)
 *          open --cl_tasks_lapse (window ended)--> lapsed
 *          holdout                                    (never shown, never contacted)
 *   hold:  active --cl_hold_close(released|cancelled)--> released | cancelled
 *          active --cl_holds_expire (expires_at passed)--> released
 *          active --cl_holds_convert (the customer bought the sku there)--> converted
 *
 * Invariants:
 *  (1) available = on_hand - held >= 0 for every store and sku: a hold is
 *      taken by one conditional UPDATE (two associates on the last unit:
 *      one wins, the other gets TD_E_CONFLICT), and every way out of
 *      'active' gives the unit back exactly once (a conditional UPDATE of
 *      the hold's status decides who does);
 *  (2) a marketing contact is recorded only with consent for its channel
 *      and under the cap (rules->contact_cap_30d in a rolling 30 days);
 *      transactional contacts never count;
 *  (3) every outcome adds one contact and updates customer_outreach.
 */
#ifndef TD_CLIENTELING_OUTREACH_H
#define TD_CLIENTELING_OUTREACH_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/clienteling_match.h"
#include "domain/domain.h"

struct errors;
struct event;

#define CL_HOLD_HOURS_DEFAULT 48
#define CL_HOLD_HOURS_MAX 168

#define CL_OUTCOME_MAP(X)                                                                                   \
    X(CL_OUTCOME_REACHED, "reached", 1)                                                                    \
    X(CL_OUTCOME_VOICEMAIL, "voicemail", 0)                                                                \
    X(CL_OUTCOME_NOT_INTERESTED, "not_interested", 0)                                                      \
    X(CL_OUTCOME_HOLD_MADE, "hold_made", 1)                                                                \
    X(CL_OUTCOME_BOUGHT, "bought", 1)                                                                      \
    X(CL_OUTCOME_MAILED, "mailed", 0)                                                                      \
    X(CL_OUTCOME_DO_NOT_CONTACT, "do_not_contact", 0)

enum cl_outcome {
#define CL__OUT(e, name, answered) e,
    CL_OUTCOME_MAP(CL__OUT)
#undef CL__OUT
    CL_OUTCOME_COUNT
};
const char *cl_outcome_name(enum cl_outcome o);
int cl_outcome_parse(const char *s, enum cl_outcome *out /* OUT */);
/* The "must be one of" list: "reached, voicemail, ..." */
const char *cl_outcome_list(void);

struct cl_task {
    int64_t id, collection_id, store_id, customer_id, staff_id, score, lapses_at, outcome_at;
    char status[12], channel[8], size[12], outcome[16];
    char collection[201], customer_name[801], phone[41], email[255];
    char why[512];                        /* in the language asked for */
};

/* The open tasks of an associate (pool: the store's unassigned ones), most
 * valued first, whose window has not ended; at most limit. */
int cl_tasks_each(struct dctx *c, int64_t store_id, int64_t staff_id, bool pool, const char *lang, int limit,
                  int (*fn)(void *arg, const struct cl_task *t), void *arg) TD_MUST_CHECK;
int cl_task_get(struct dctx *c, int64_t task_id, const char *lang, struct cl_task *out /* OUT */) TD_MUST_CHECK;

/* The call script's items: the collection's styles with a variant in the
 * customer's size that is available in the store. */
struct cl_script_item {
    const char *style_code, *name, *brand, *colour, *sku, *size;
    int64_t price_cents, available;
};
int cl_task_items_each(struct dctx *c, const struct cl_task *t, int (*fn)(void *arg, const struct cl_script_item *it),
                       void *arg) TD_MUST_CHECK;

/* The call script's history: the customer's last purchase lines (at most
 * limit, newest first) in the categories of the task's collection. */
struct cl_bought {
    const char *sku, *name, *brand, *category, *size, *store_code;
    int64_t purchased_at, unit_price_cents, quantity;
};
int cl_task_bought_each(struct dctx *c, const struct cl_task *t, int limit,
                        int (*fn)(void *arg, const struct cl_bought *b), void *arg) TD_MUST_CHECK;

/* Records an outcome of an open task: TD_E_CONFLICT (err names "status")
 * when it is not open or its window has ended; TD_E_CONFLICT naming
 * "channel" without consent, "customer_id" over the cap. */
int cl_task_outcome(struct dctx *c, const struct cl_rules *r, int64_t task_id, enum cl_outcome outcome,
                    struct errors *err) TD_MUST_CHECK;

/* The contact-cap ledger. channel "phone" or "email". */
int cl_contact_check(struct dctx *c, const struct cl_rules *r, int64_t customer_id, const char *channel,
                     struct errors *err) TD_MUST_CHECK;
int cl_contact_add(struct dctx *c, int64_t customer_id, const char *channel, bool marketing,
                   int64_t task_id) TD_MUST_CHECK;

/* Holds. hours 0: the default. task_id 0: none; else the task must be the
 * customer's in that store (its outcome becomes hold_made if open). */
int cl_hold_create(struct dctx *c, int64_t store_id, const char *sku, int64_t customer_id, int64_t task_id, int hours,
                   struct errors *err, int64_t *id /* OUT */) TD_MUST_CHECK;
/* status "released" or "cancelled"; TD_E_CONFLICT when no longer active. */
int cl_hold_close(struct dctx *c, int64_t hold_id, const char *status, struct errors *err) TD_MUST_CHECK;

struct cl_hold {
    int64_t id, store_id, customer_id, staff_id, task_id, created_at, expires_at, closed_at;
    char status[12], sku[65], size[12], style_code[33], name[201], customer_name[801], store_code[17];
};
/* The holds of a store (sku NULL: all), newest first; active only or all. */
int cl_holds_each(struct dctx *c, int64_t store_id, const char *sku, bool active_only, int limit,
                  int (*fn)(void *arg, const struct cl_hold *h), void *arg) TD_MUST_CHECK;
int cl_hold_get(struct dctx *c, int64_t hold_id, struct cl_hold *out /* OUT */) TD_MUST_CHECK;

/* Scheduler: lapses tasks whose window ended; releases expired holds and
 * matches their arrivals again so the unit goes to the next customer who
 * fits (clienteling_arrive writes only customers not matched before). */
int cl_tasks_lapse(struct dctx *c, int64_t *n /* OUT */) TD_MUST_CHECK;
int cl_holds_expire(struct dctx *c, const struct cl_rules *r, int64_t *n /* OUT */) TD_MUST_CHECK;

/* Purchases of receipts first..last (a load): adds them to the category
 * spend aggregate and converts the holds their customers bought. */
int cl_on_receipts(struct dctx *c, int64_t first_receipt, int64_t last_receipt) TD_MUST_CHECK;
/* The same for an import's purchases as it hands them over (events.h),
 * counted in memory: each (customer, category) row is written once, in
 * multi-row upserts, its size kept or replaced by comparing last_size_at with
 * the import's latest sized line (lines are read back only for a row stored
 * with a size but without its time). The rows equal what
 * cl_on_receipts(first, last) gives over the same receipts. */
struct event_purchases;
int cl_on_purchases(struct dctx *c, const struct event_purchases *p, int64_t first_receipt,
                    int64_t last_receipt) TD_MUST_CHECK;
/* Either, as a subscriber of events.def (EVENT_PURCHASES_IMPORTED), in the
 * import's transaction: cl_on_purchases when the event carries them. */
int cl_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* The scheduler's rows (api/jobs.def), each on its own connection in
 * transactions of its own, with the chain's default rules: arrivals whose
 * date has come matched and written (one arrival a transaction), tasks
 * whose window ended lapsed, expired holds released (their arrivals matched
 * again). *count: arrivals, tasks or holds. */
int cl_job_arrive(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;
int cl_job_lapse(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;
int cl_job_expire(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
