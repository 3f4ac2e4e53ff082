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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/domain.h"
#include "domain/matching.h"

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

/* ---- the matched comparison (insight_match.c pure, insight.c reading) ----
 *
 * The referred customers of a category against comparable customers who
 * were not referred: the same coarsened exact matching as the goodwill
 * economics (matching.h: store, category, tier, a band of spend before and
 * of tenure, as the decision knew them), the outcome "came back within the
 * window" (0 or 1). Each customer counts once: their first referral of the
 * period, or, never referred in it, their first resolved case. Only cases
 * whose window has passed count (an open one is left out, never guessed).
 * difference = the matched referred cases' share back less the compared
 * cases' share weighted to the referred cases' strata (the effect on the
 * referred), with a 95 % percentile bootstrap resampled within strata from
 * a seeded stream; below the minimum of matched cases on either side
 * (goodwill_min_cases) "not estimable" with the reason. */

#define INSIGHT_BOOTSTRAP 1000
#define INSIGHT_SEED 15

/* One case in one window: its stratum, its case id (orders equal strata)
 * and whether the customer came back within the window (1) or not (0). */
struct insight_obs {
    uint64_t stratum;
    int64_t case_id;
    int64_t back;
};

/* Sorts by (stratum, case_id), as insight_estimate wants both sides. */
void insight_sort(struct insight_obs *o, size_t n);

struct insight_matched {
    bool estimable;
    const char *reason;                  /* NULL when estimable; a static sentence otherwise */
    int64_t referred, compared;          /* matched cases on each side */
    int64_t referred_unmatched;          /* referred cases with no comparable case in their stratum */
    int64_t strata;                      /* strata with both sides */
    double back_referred, back_compared; /* shares back; compared weighted to the referred cases' strata */
    struct match_interval difference;    /* back_referred - back_compared, its 95 % interval */
};

/* The matched comparison of the referred cases r against the compared
 * cases c, both sorted by insight_sort; salt tells apart the streams of
 * windows (the stream is derived from r's case ids and salt). TD_E_NOMEM
 * without scratch; TD_OK otherwise, estimable or not. Pure. */
int insight_estimate(const struct insight_obs *r, size_t nr, const struct insight_obs *c, size_t nc, int64_t min_cases,
                     uint64_t salt, struct insight_matched *out /* OUT */) TD_MUST_CHECK;

/* A group of referrals: a category (reason NULL), or a category and the
 * kind of shop the customer was sent to as the desk recorded why
 * ("cheaper_elsewhere": a cheaper shop, a discount chain; "not_in_range",
 * "out_of_stock", "other"). Texts valid during the call. */
struct insight_group {
    const char *category, *reason;
    int64_t referrals;                           /* the customers' first referrals in the group */
    int64_t open[INSIGHT_WINDOWS];               /* of them, with the window not passed: left out of it */
    struct insight_matched m[INSIGHT_WINDOWS];
};

/* Calls fn for every group of the referrals resolved in [from_us, to_us)
 * (store_id 0: every store), as of now_us: by category, each category
 * first, then its kinds in the order of policy_referral. Reads only. */
int insight_matched_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t now_us,
                         int (*fn)(void *arg, const struct insight_group *g), void *arg) TD_MUST_CHECK;

#endif
