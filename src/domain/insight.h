/* insight.h — referral outcomes (docs/insight.md): did a customer the desk
 * referred to another shop buy here again, within 30, 90 and 180 days,
 * against customers of the same category whose case was resolved without a
 * referral in the same period.
 *
 * A referral is a resolved case the desk recorded a referral for (the
 * referrals table: to whom, why, the category), of a known customer
 * (walk-ins and erased customers have no purchases to follow). "Came back"
 * is a receipt of theirs, in any store, after the case was resolved. A
 * window that has not passed yet is unknown unless they already came back.
 *
 * Both reads are of case_outcomes (outcomes.h), whose rows keep each
 * resolved case's visits in the windows after it as receipts are imported:
 * a period is one index range, never a look at the receipts.
 */
#ifndef TD_INSIGHT_H
#define TD_INSIGHT_H
#include <stdint.h>
#include "domain/domain.h"

#define INSIGHT_WINDOWS 3
extern const int insight_window_days[INSIGHT_WINDOWS];   /* 30, 90, 180 */

struct insight_case {
    int64_t case_id, customer_id, resolved_at;
    const char *customer_name, *store_code, *category, *to, *reason, *resolution;   /* "" when none; valid during the call */
    int64_t visits[INSIGHT_WINDOWS];                                /* receipts in each window after it, so far */
};

/* Calls fn for the newest `limit` referrals of known customers resolved in
 * [from_us, to_us) (store_id 0: every store), newest first. */
int insight_referrals_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t limit,
                           int (*fn)(void *arg, const struct insight_case *k), void *arg) TD_MUST_CHECK;

/* The cases of one category and group (referred or not) of a period: n per
 * window the cases whose window has passed or who came back within it (as
 * of now_us), k of them back; newest the latest resolution among them. */
struct insight_tally {
    const char *category;                                           /* valid during the call */
    int referred;
    int64_t newest;
    int64_t n[INSIGHT_WINDOWS], k[INSIGHT_WINDOWS];
};

/* Calls fn once per category and group of the resolved cases of known
 * customers resolved in [from_us, to_us) (store_id 0: every store). */
int insight_tallies_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t now_us,
                         int (*fn)(void *arg, const struct insight_tally *t), void *arg) TD_MUST_CHECK;

/* Whether a customer seen at resolved_at, with visits receipts within the
 * window of days after it so far, came back within it as of now: 1, 0, or
 * -1 while the window is still open and they have not. */
int insight_came_back(int64_t resolved_at, int64_t visits, int64_t now, int days);

#endif
