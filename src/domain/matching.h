/* matching.h — coarsened exact matching with a bootstrap resampled within
 * strata: the estimate the goodwill economics (goodwill.c) and the referral
 * outcomes (insight_match.c) share (docs/insight.md).
 *
 * Every case falls in a stratum (match_stratum: store, category, tier, a
 * band of spend before and of tenure, as the decision knew them). Two sides
 * — the treated cases (given goodwill, referred elsewhere) and the compared
 * ones — each an array of the caller's own records sorted by (stratum, id),
 * described by a match_side: where each record's stratum and values sit.
 * match_strata() keeps the strata both sides have (a span each) and sums,
 * per value, the treated cases' values and, per stratum, the treated count
 * times the compared cases' mean: the compared side weighted to the treated
 * cases' strata, so that treated − compared is the effect on the treated
 * (ATT). match_bootstrap() redraws, per span, as many treated and compared
 * cases as it has, with replacement, from that span only (every resample
 * matched as the data is), from a seeded stream, and gives the 2.5th and
 * 97.5th percentile of each statistic the caller computes from the sums.
 *
 * Invariants:
 *  (1) the same sides, seed, kind and stream give the same interval, bit
 *      for bit (the draws go span by span, treated then compared);
 *  (2) a treated case with no compared case in its stratum is counted in
 *      treated_unmatched and never in a sum;
 *  (3) nothing here reads a database or a clock; allocation happens only
 *      inside a call (match_free releases what match_strata kept).
 */
#ifndef TD_MATCHING_H
#define TD_MATCHING_H
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"
#include "domain/policy.h"

#define MATCH_VALUES_MAX 4
#define MATCH_STATS_MAX 4

/* The stratum of a case: store, category (an index the reader assigns),
 * tier, and bands of spend before (0, < EUR 100, < 500, < 2000, more) and
 * tenure (< 90 days, < 1 year, < 3 years, more). */
uint64_t match_stratum(int64_t store_id, unsigned category_ix, enum policy_tier tier, int64_t spend_before_cents,
                       int tenure_days);

/* The order each side must be in: by stratum, then by case id; the sign
 * qsort wants of a against b. */
static inline int match_order(uint64_t stratum_a, int64_t id_a, uint64_t stratum_b, int64_t id_b)
{
    if (stratum_a != stratum_b) return stratum_a < stratum_b ? -1 : 1;
    return (id_a > id_b) - (id_a < id_b);
}

/* n records of size bytes from base, sorted by stratum: the uint64_t
 * stratum at offset stratum_at, nvalues int64_t values at value_at[]
 * (the same values, in the same order, on both sides). */
struct match_side {
    const void *base;
    size_t n, size;
    size_t stratum_at;
    int nvalues;
    size_t value_at[MATCH_VALUES_MAX];
};

/* A stratum with both sides: treated records [t0, t0+tn), compared
 * [c0, c0+cn). */
struct match_span {
    size_t t0, tn, c0, cn;
};

/* One evaluation over the spans, per value j: t the treated cases' sum, c
 * the sum over strata of tn × the compared mean, d the sum over strata of
 * (treated sum − tn × compared mean); n the matched treated cases. */
struct match_sums {
    double n;
    double t[MATCH_VALUES_MAX], c[MATCH_VALUES_MAX], d[MATCH_VALUES_MAX];
};

struct match {
    struct match_span *span;
    size_t nspan;                        /* strata with both sides */
    int64_t treated, compared;           /* matched cases on each side */
    int64_t treated_unmatched;
    struct match_sums sums;              /* of the data */
};

/* The strata both sides share, their counts and sums into *out (freed by
 * match_free, also on failure). TD_E_NOMEM without memory. */
int match_strata(const struct match_side *t, const struct match_side *c, struct match *out /* OUT */) TD_MUST_CHECK;
void match_free(struct match *m);

/* The caller's statistics of one evaluation: nstats doubles into out. */
typedef void match_stats_fn(const struct match_sums *s, double *out);

struct match_interval {
    double estimate, low, high;
};

/* The bootstrap of m over the same sides: resamples draws (1 or more), the
 * stream rng_stream(seed, kind, stream); out[i] the statistic i of the
 * data and its percentile interval. A side with normal_from matched cases
 * or more (0: never) is not redrawn case by case: its part of the sums is
 * drawn from the normal with the resamples' own mean (the data's sums) and
 * covariance (in closed form: per span, the sum of squared deviations of
 * its values; docs/insight.md), the distribution the resamples approach
 * for many cases, at a few deviates a resample instead of one per case:
 * both sides so when both are that large, else the compared side only
 * (a row's few treated cases against many compared ones). Deterministic
 * either way (invariant 1). TD_E_NOMEM without scratch. */
int match_bootstrap(const struct match *m, const struct match_side *t, const struct match_side *c, int resamples,
                    uint64_t seed, uint64_t kind, uint64_t stream, int64_t normal_from, int nstats,
                    match_stats_fn *stats, struct match_interval *out /* OUT */) TD_MUST_CHECK;

/* The matched cases on each side from which the estimates draw their sums
 * from the normal (match_bootstrap's normal_from): TRUSTDESK_NORMAL_FROM
 * (0 to 1,000,000,000; 0: always resample the cases), read once before
 * threads start; why says what is wrong with it. */
#define MATCH_NORMAL_FROM_DEFAULT 200
int match_settings_from_env(char *why, size_t n) TD_MUST_CHECK;
int64_t match_normal_from(void);

/* A stream index from the ids of records (FNV-1a over them and salt): the
 * same cases give the same draws wherever they are estimated. */
uint64_t match_stream_of(const struct match_side *s, size_t id_at, uint64_t salt);

#endif
