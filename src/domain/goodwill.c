/* goodwill.c — the pure part of the goodwill economics (see goodwill.h): a
 * case's goodwill, its stratum, and the matched estimate with its bootstrap
 * interval. goodwill_read.c reads the cases around it.
 *
 * The matching and the bootstrap are matching.c's (shared with the referral
 * outcomes): here only which values a case carries (spend, visits,
 * goodwill), the three statistics made of their sums, and the minimum.
 */
#include "domain/goodwill.h"
#include "domain/matching.h"
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const int goodwill_window_days[GOODWILL_WINDOWS] = {90, 180};

#define RNG_KIND_GOODWILL 0x676f6f64 /* "good": the family of streams of these figures */

static int64_t min_cases = GOODWILL_MIN_CASES_DEFAULT;

int goodwill_settings_from_env(char *why, size_t n)
{
    int rc = domain_setting("TRUSTDESK_GOODWILL_MIN_CASES", 1, 100000, &min_cases, why, n);
    return rc == TD_OK ? match_settings_from_env(why, n) : rc;
}

int64_t goodwill_min_cases(void) { return min_cases; }

int64_t goodwill_case_cents(enum policy_resolution res, int64_t amount_cents, int64_t funded_cents, int64_t proven_cents)
{
    if (funded_cents > 0) return funded_cents;          /* the ledger's word: the whole note */
    if (res != POLICY_RES_REFUND && res != POLICY_RES_STORE_CREDIT && res != POLICY_RES_EXCHANGE) return 0;
    int64_t beyond = amount_cents - (proven_cents > 0 ? proven_cents : 0);
    return beyond > 0 ? beyond : 0;
}

uint64_t goodwill_stratum(int64_t store_id, unsigned category_ix, enum policy_tier tier, int64_t spend_before_cents,
                          int tenure_days)
{
    return match_stratum(store_id, category_ix, tier, spend_before_cents, tenure_days);
}

static int by_stratum(const void *x, const void *y)
{
    const struct goodwill_obs *a = x, *b = y;
    return match_order(a->stratum, a->case_id, b->stratum, b->case_id);
}

void goodwill_sort(struct goodwill_obs *o, size_t n)
{
    if (n) qsort(o, n, sizeof *o, by_stratum);
}

/* The values of a case, the same on both sides (a compared case's goodwill
 * is 0): spend, visits, goodwill. */
enum { V_SPEND, V_VISITS, V_GOODWILL, V_COUNT };

static struct match_side side_of(const struct goodwill_obs *o, size_t n)
{
    return (struct match_side){o, n, sizeof *o, offsetof(struct goodwill_obs, stratum), V_COUNT,
                               {offsetof(struct goodwill_obs, spend_cents), offsetof(struct goodwill_obs, visits),
                                offsetof(struct goodwill_obs, goodwill_cents)}};
}

/* Retained cents, retained per goodwill cent, extra visits per given case. */
static void goodwill_stats(const struct match_sums *s, double *out)
{
    out[0] = s->d[V_SPEND];
    out[1] = s->t[V_GOODWILL] > 0 ? s->d[V_SPEND] / s->t[V_GOODWILL] : 0;
    out[2] = s->d[V_VISITS] / s->n;
}

static void interval_from(const struct match_interval *m, struct goodwill_interval *out)
{
    *out = (struct goodwill_interval){m->estimate, m->low, m->high};
}

int goodwill_estimate(const struct goodwill_obs *g, size_t ng, const struct goodwill_obs *c, size_t nc,
                      const struct goodwill_params *p, struct goodwill_estimate *out)
{
    memset(out, 0, sizeof *out);
    struct match_side gs = side_of(g, ng), cs = side_of(c, nc);
    struct match m;
    int rc = match_strata(&gs, &cs, &m);
    if (rc != TD_OK) goto out;
    out->given = m.treated;
    out->compared = m.compared;
    out->given_unmatched = m.treated_unmatched;
    out->strata = (int64_t)m.nspan;
    if (out->given < p->min_cases || out->compared < p->min_cases) {
        out->reason = out->given < p->min_cases ? "too few goodwill cases with a comparable case"
                                                : "too few comparable cases (declined, referred or resolved strictly)";
        goto out;
    }
    const struct match_sums *s = &m.sums;
    out->goodwill_cents = (int64_t)llround(s->t[V_GOODWILL]);
    out->spend_given = s->t[V_SPEND] / s->n;
    out->spend_compared = s->c[V_SPEND] / s->n;
    out->visits_given = s->t[V_VISITS] / s->n;
    out->visits_compared = s->c[V_VISITS] / s->n;
    struct match_interval iv[3];
    rc = match_bootstrap(&m, &gs, &cs, p->bootstrap > 0 ? p->bootstrap : GOODWILL_BOOTSTRAP, p->seed,
                         RNG_KIND_GOODWILL, p->stream, p->normal_from, 3, goodwill_stats, iv);
    if (rc != TD_OK) goto out;
    interval_from(&iv[0], &out->retained_cents);
    interval_from(&iv[1], &out->per_euro);
    interval_from(&iv[2], &out->visits);
    out->estimable = true;
out:
    match_free(&m);
    return rc;
}
