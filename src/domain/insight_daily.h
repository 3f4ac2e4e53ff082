/* insight_daily.h — the desk's cases counted per store, category and
 * Amsterdam day (migration 0019's insight_days), for the head office's and
 * the store managers' trend charts (docs/insight.md, "Daily rollups").
 *
 * Invariants:
 *  (1) a row is only added to, in the transaction of the event it counts
 *      (events.def: insight_daily_on_event), so a request rolled back
 *      leaves no count behind and the rollup equals a count of the raw
 *      tables (case_events, cases, credit_notes) at every commit;
 *  (2) an event counts on the Amsterdam day of its time (dctx.now_us) and
 *      under the case's store and the category of its first item;
 *  (3) the dashboard reads rollup rows only, never the history of cases.
 */
#ifndef TD_INSIGHT_DAILY_H
#define TD_INSIGHT_DAILY_H
#include <stdint.h>
#include "domain/domain.h"

struct event;

/* X(column): every count of a row, in the table's order. */
#define INSIGHT_DAILY_COUNTS(X)                                                                                        \
    X(opened) X(resolved) X(refunds) X(store_credits) X(exchanges) X(repairs) X(referrals) X(declined) X(overrides)   \
    X(approvals_requested) X(cancelled) X(refund_cents) X(store_credit_cents) X(goodwill_cents) X(resolve_seconds)

struct insight_daily_counts {
#define INSIGHT_DAILY_FIELD(name) int64_t name;
    INSIGHT_DAILY_COUNTS(INSIGHT_DAILY_FIELD)
#undef INSIGHT_DAILY_FIELD
};

/* The events.def subscriber: OPENED, RESOLVED, OVERRIDDEN,
 * APPROVAL_REQUESTED and CANCELLED add to the case's row of the day. */
int insight_daily_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* What a resolution adds to its row beside "resolved": res the case's
 * resolution, amount its amount, note and funding its credit note's amount
 * and funding (0 and "" without one), seconds from opening to resolving.
 * The subscriber's rule, shared with the demo's bulk history. */
void insight_daily_resolved(struct insight_daily_counts *add /* OUT */, const char *res, int64_t amount, int64_t note,
                            const char *funding, int64_t seconds);

/* The Amsterdam day (days since 1970-01-01 of the local date) of a time. */
int64_t insight_daily_day(int64_t us);

/* One row of the rollup, with its store's code and name. */
struct insight_daily_row {
    int64_t day, store_id;
    const char *store_code, *store_name, *category;   /* valid during the call */
    struct insight_daily_counts n;
};

/* Calls fn for every row of days [from_day, to_day], of every store, in
 * order of day: one read of the period, which the caller adds up by day,
 * category and store as it needs (a store's figures and the chain's from
 * the same rows). A period holds at most stores x categories rows a day. */
int insight_daily_each(struct dctx *c, int64_t from_day, int64_t to_day,
                       int (*fn)(void *arg, const struct insight_daily_row *r), void *arg) TD_MUST_CHECK;

#endif
