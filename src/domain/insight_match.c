/* insight_match.c — the pure part of the referral outcomes' matched
 * comparison (insight.h): the share of referred customers who came back
 * against comparable customers who were not referred, through matching.h
 * (the same strata and bootstrap as the goodwill economics). insight.c
 * reads the cases around it.
 */
#include "domain/insight.h"
#include <stdlib.h>
#include <string.h>

#define RNG_KIND_REFERRAL 0x72656672 /* "refr": the family of streams of these figures */

static int by_stratum(const void *x, const void *y)
{
    const struct insight_obs *a = x, *b = y;
    return match_order(a->stratum, a->case_id, b->stratum, b->case_id);
}

void insight_sort(struct insight_obs *o, size_t n)
{
    if (n) qsort(o, n, sizeof *o, by_stratum);
}

static struct match_side side_of(const struct insight_obs *o, size_t n)
{
    return (struct match_side){o, n, sizeof *o, offsetof(struct insight_obs, stratum), 1,
                               {offsetof(struct insight_obs, back)}};
}

/* The difference in the share back, per matched referred case. */
static void difference(const struct match_sums *s, double *out) { out[0] = s->n > 0 ? s->d[0] / s->n : 0; }

int insight_estimate(const struct insight_obs *r, size_t nr, const struct insight_obs *c, size_t nc, int64_t min_cases,
                     uint64_t salt, struct insight_matched *out)
{
    memset(out, 0, sizeof *out);
    struct match_side rs = side_of(r, nr), cs = side_of(c, nc);
    struct match m;
    int rc = match_strata(&rs, &cs, &m);
    if (rc != TD_OK) goto out;
    out->referred = m.treated;
    out->compared = m.compared;
    out->referred_unmatched = m.treated_unmatched;
    out->strata = (int64_t)m.nspan;
    if (out->referred < min_cases || out->compared < min_cases) {
        out->reason = out->referred < min_cases ? "too few referred customers with a comparable customer"
                                                : "too few comparable customers who were not referred";
        goto out;
    }
    out->back_referred = m.sums.t[0] / m.sums.n;
    out->back_compared = m.sums.c[0] / m.sums.n;
    rc = match_bootstrap(&m, &rs, &cs, INSIGHT_BOOTSTRAP, INSIGHT_SEED, RNG_KIND_REFERRAL,
                         match_stream_of(&rs, offsetof(struct insight_obs, case_id), salt), match_normal_from(), 1, difference,
                         &out->difference);
    out->estimable = rc == TD_OK;
out:
    match_free(&m);
    return rc;
}
