/* desk_inputs.h — what each decision of the desk saw (decision_inputs,
 * migrations/0011_decision_inputs.sql), for replaying history as it was
 * known.
 *
 * When desk_resolve() decides a case it stores, in its own transaction, the
 * case as the policy read it (struct case_in), the customer's facts and the
 * guard's signals of that moment, the policy version and the decision. A
 * replay runs guard_score(&policy.guard, &in->signals) and policy_decide()
 * with the policy of in->policy_version on in->ci and in->facts; it needs
 * no aggregates rebuilt.
 */
#ifndef TD_DESK_INPUTS_H
#define TD_DESK_INPUTS_H
#include <stddef.h>
#include <stdint.h>
#include "domain/domain.h"
#include "domain/guard.h"
#include "domain/policy.h"

#define DESK_INPUTS_TEXT_SZ (POLICY_ITEMS_MAX * 4 * NAME_SZ)

/* One stored decision. The strings of ci point into text: the struct is not
 * copied by value (it is large, too: allocate it). */
struct desk_inputs {
    int64_t id, case_id, customer_id, store_id;   /* customer_id 0: a walk-in, or erased since */
    int64_t decided_at;                           /* UTC microseconds */
    char policy_version[POLICY_VERSION_SZ];
    struct case_in ci;
    struct customer_facts facts;
    struct guard_signals signals;
    int risk_score;
    enum guard_level risk_level;
    struct decision decision;                     /* all but its reasons (n_reasons 0) */
    size_t text_used;
    char text[DESK_INPUTS_TEXT_SZ];
};

/* The latest stored decision of a case into *out; TD_E_NOT_FOUND when it
 * was never decided for resolution. */
int desk_inputs_last(struct dctx *c, int64_t case_id, struct desk_inputs *out /* OUT */) TD_MUST_CHECK;

/* Calls fn for each decision taken in [from_us, to_us), oldest first, with
 * one struct reused between calls (valid during the call only); a status
 * other than TD_OK from fn stops and is returned. */
int desk_inputs_each(struct dctx *c, int64_t from_us, int64_t to_us,
                     int (*fn)(void *arg, const struct desk_inputs *in), void *arg) TD_MUST_CHECK;

/* desk_inputs_each for the latest decision of each case in [from_us,
 * to_us) (a case asked again keeps only its last word), of one store
 * (store_id 0: every store); in the order they were taken. */
int desk_inputs_latest_each(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id,
                            int (*fn)(void *arg, const struct desk_inputs *in), void *arg) TD_MUST_CHECK;

/* desk_inputs_latest_each as the what-if simulator reads it: from
 * decision_replay (migration 0023), the compact form of each decision with
 * "the latest of its case" as a column, the document only for the rows
 * without it. The same inputs, in the same order; rows of decision_inputs
 * changed behind the desk's back (only erasure changes them, and it clears
 * the compact form) would not be seen. */
int desk_inputs_replay_each(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id,
                            int (*fn)(void *arg, const struct desk_inputs *in), void *arg) TD_MUST_CHECK;

/* Gives up to limit decision_replay rows without it (from before migration
 * 0023, or a customer's after erasure, then from the redacted document) the
 * compact form of their document, inside the caller's transaction; *filled
 * says how many (fewer than limit: done). `trustdesk migrate` runs it to
 * the end; the scheduler a batch a round (desk_inputs_backfill_run, *count:
 * rows filled; api/jobs.def). */
#define DESK_INPUTS_BACKFILL_BATCH 5000
int desk_inputs_backfill_step(struct dctx *c, int limit, int64_t *filled /* OUT */) TD_MUST_CHECK;
struct db;
int desk_inputs_backfill_run(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
