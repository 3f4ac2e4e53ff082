/* clienteling.h — a collection arriving in a store, matched to the
 * customers whose own associate should call them first.
 *
 * clienteling_arrive() loads what the matcher needs from the aggregates of
 * migration 13 in a handful of set-wide reads (never one query per
 * customer), runs the pure matcher (clienteling_match.h) and, when asked to
 * write, records the arrival and one outreach row per newly matched
 * customer in the caller's transaction: a task for their associate (or the
 * store pool) or a hold-out row. The preview (write = false) computes the
 * same numbers and changes nothing.
 *
 * Invariants:
 *  (1) matching an arrival again writes only customers who were not matched
 *      before (UNIQUE (collection, store, customer)); the hold-out key is
 *      drawn once, when the arrival is first written;
 *  (2) a task lapses when the first-choice window ends (lapses_at =
 *      arrival + first_choice_hours);
 *  (3) an associate no longer active in the store gets no tasks: their
 *      customers' tasks go to the store pool;
 *  (4) clienteling_arrive_stores() over several stores writes, per store,
 *      exactly the rows clienteling_arrive() would write there (with the
 *      same arrival key, the same hold-out too).
 */
#ifndef TD_CLIENTELING_H
#define TD_CLIENTELING_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/clienteling_match.h"
#include "domain/domain.h"

#define CL_STAFF_MAX 64

struct cl_staff_count {
    int64_t staff_id;                 /* 0: the store pool */
    int64_t tasks;
};

struct cl_arrival_summary {
    int64_t candidates;               /* the store's customers looked at */
    int64_t matched;                  /* eligible, hold-out included */
    int64_t holdout;
    int64_t tasks;                    /* tasks written (or, in a preview, to be written) */
    int64_t already;                  /* matched by an earlier run of this arrival */
    int64_t skipped[CL_SKIP_COUNT];   /* why the others are not on the list */
    size_t n_staff;                   /* tasks per associate, the pool first */
    struct cl_staff_count staff[CL_STAFF_MAX + 1];
    int64_t arrived_at;               /* when the arrival was (or would be) recorded */
    int64_t lapses_at;
};

/* The chain's rules (from the environment, see below), by default: 2 marketing contacts in 30 days, a 10 % hold-out, 25
 * tasks per associate per day. */
void clienteling_rules_default(struct cl_rules *out /* OUT */);

/* Reads the chain's rules from TRUSTDESK_CONTACT_CAP (0-20 marketing
 * contacts in 30 days), TRUSTDESK_HOLDOUT_PERCENT (0-50) and
 * TRUSTDESK_TASKS_PER_ASSOCIATE (1-500 a day); unset keeps the default.
 * Call once before threads start. TD_E_INVALID with *why naming the
 * setting when one is out of range (then nothing is changed). */
int clienteling_rules_from_env(char *why, size_t n) TD_MUST_CHECK;

/* Matches collection_id in store_id. TD_E_NOT_FOUND when the collection is
 * not planned for that store. write = true needs a write transaction. */
int clienteling_arrive(struct dctx *c, const struct cl_rules *r, int64_t collection_id, int64_t store_id, bool write,
                       struct cl_arrival_summary *out /* OUT */) TD_MUST_CHECK;
/* The same for the arrival in n stores at once (a collection arriving
 * chain-wide), out[i] the summary of store_ids[i]: what each store would
 * get from clienteling_arrive() one by one, for one read of each table
 * instead of one walk per store. TD_E_NOT_FOUND when one of the stores is
 * not planned (the caller rolls back what the others wrote). */
int clienteling_arrive_stores(struct dctx *c, const struct cl_rules *r, int64_t collection_id,
                              const int64_t *store_ids, size_t n, bool write,
                              struct cl_arrival_summary *out /* OUT: n of them */) TD_MUST_CHECK;

/* The collection report of one arrival: what outreach did, and what it
 * added against the hold-out (intent to treat: every customer given a task
 * counts as contacted, whatever came of it). Bought = bought any size of
 * the collection's styles in the store within 14 days of the arrival. */
struct cl_report {
    int64_t arrived_at;                   /* 0: not arrived yet (all counts 0) */
    int64_t matched, tasks, holdout, done, lapsed, reached, holds, holds_converted;
    int64_t bought_treated, bought_holdout;
    struct cl_uplift uplift;
};
#define CL_REPORT_DAYS 14
int clienteling_report(struct dctx *c, int64_t collection_id, int64_t store_id,
                       struct cl_report *out /* OUT */) TD_MUST_CHECK;

#endif
