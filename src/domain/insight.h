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
    int64_t next_purchase_at;                                       /* 0: none since */
};

/* Calls fn for each resolved case of a known customer resolved in
 * [from_us, to_us) (store_id 0: every store), newest first: the referrals
 * (referred 1) or the cases without one (referred 0). */
int insight_cases_each(struct dctx *c, int referred, int64_t store_id, int64_t from_us, int64_t to_us,
                       int (*fn)(void *arg, const struct insight_case *k), void *arg) TD_MUST_CHECK;

/* Whether a customer seen at resolved_at, whose next purchase was at next
 * (0: none), came back within days as of now: 1, 0, or -1 while the window
 * is still open and they have not. */
int insight_came_back(int64_t resolved_at, int64_t next, int64_t now, int days);

#endif
