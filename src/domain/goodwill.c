/* goodwill.c — the pure part of the goodwill economics (see goodwill.h): a
 * case's goodwill, its stratum, and the matched estimate with its bootstrap
 * interval. goodwill_read.c reads the cases around it.
 *
 * The estimate walks the given and the compared cases side by side, both
 * sorted by stratum, and keeps the strata that have both (a span each).
 * Every bootstrap resample redraws, per span, as many given and compared
 * cases as it has, with replacement, from that span only: resampling within
 * strata keeps each resample matched exactly as the data is.
 */
#include "domain/goodwill.h"
#include "core/rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const int goodwill_window_days[GOODWILL_WINDOWS] = {90, 180};

#define RNG_KIND_GOODWILL 0x676f6f64 /* "good": the family of streams of these figures */

static int64_t min_cases = GOODWILL_MIN_CASES_DEFAULT;

int goodwill_settings_from_env(char *why, size_t n)
{
    return domain_setting("TRUSTDESK_GOODWILL_MIN_CASES", 1, 100000, &min_cases, why, n);
}

int64_t goodwill_min_cases(void) { return min_cases; }

int64_t goodwill_case_cents(enum policy_resolution res, int64_t amount_cents, int64_t funded_cents, int64_t proven_cents)
{
    if (funded_cents > 0) return funded_cents;          /* the ledger's word: the whole note */
    if (res != POLICY_RES_REFUND && res != POLICY_RES_STORE_CREDIT && res != POLICY_RES_EXCHANGE) return 0;
    int64_t beyond = amount_cents - (proven_cents > 0 ? proven_cents : 0);
    return beyond > 0 ? beyond : 0;
}

static unsigned spend_band(int64_t cents)
{
    return cents <= 0 ? 0 : cents < 10000 ? 1 : cents < 50000 ? 2 : cents < 200000 ? 3 : 4;
}

static unsigned tenure_band(int days)
{
    return days < 90 ? 0 : days < 365 ? 1 : days < 3 * 365 ? 2 : 3;
}

uint64_t goodwill_stratum(int64_t store_id, unsigned category_ix, enum policy_tier tier, int64_t spend_before_cents,
                          int tenure_days)
{
    /* store 32 bits | category 16 | tier 4 | spend band 4 | tenure band 4 */
    return ((uint64_t)(uint32_t)store_id << 32) | ((uint64_t)(category_ix & 0xffff) << 16) |
           ((uint64_t)((unsigned)tier & 0xf) << 8) | ((uint64_t)spend_band(spend_before_cents) << 4) |
           tenure_band(tenure_days);
}

static int by_stratum(const void *x, const void *y)
{
    const struct goodwill_obs *a = x, *b = y;
    if (a->stratum != b->stratum) return a->stratum < b->stratum ? -1 : 1;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

void goodwill_sort(struct goodwill_obs *o, size_t n)
{
    if (n) qsort(o, n, sizeof *o, by_stratum);
}

/* A stratum with both sides: its given cases g[g0, g0+gn) and compared
 * cases c[c0, c0+cn). */
struct span {
    size_t g0, gn, c0, cn;
};

/* One evaluation of the estimator: sums over the spans. */
struct sums {
    double retained, goodwill, visits, given, spend_g, spend_c, visits_g, visits_c;
};

static void add_span(struct sums *s, size_t gn, double g_spend, double g_goodwill, double g_visits, size_t cn,
                     double c_spend, double c_visits)
{
    double mc = c_spend / (double)cn, vc = c_visits / (double)cn;
    s->retained += g_spend - (double)gn * mc;
    s->visits += g_visits - (double)gn * vc;
    s->goodwill += g_goodwill;
    s->given += (double)gn;
    s->spend_g += g_spend;
    s->spend_c += (double)gn * mc;
    s->visits_g += g_visits;
    s->visits_c += (double)gn * vc;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The q-quantile of v[0..n) (sorted here), interpolated between ranks. */
static double quantile(double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[n - 1];
}

static void interval_of(double *v, size_t n, double estimate, struct goodwill_interval *out)
{
    qsort(v, n, sizeof *v, cmp_double);
    out->estimate = estimate;
    out->low = quantile(v, n, 0.025);
    out->high = quantile(v, n, 0.975);
}

int goodwill_estimate(const struct goodwill_obs *g, size_t ng, const struct goodwill_obs *c, size_t nc,
                      const struct goodwill_params *p, struct goodwill_estimate *out)
{
    memset(out, 0, sizeof *out);
    size_t nspan = 0, cap = 0;
    struct span *sp = NULL;
    int rc = TD_OK;
    /* The spans: each run of one stratum among the given cases, with the
     * compared cases of that stratum when there are any. */
    size_t j = 0;
    for (size_t i = 0; i < ng;) {
        size_t e = i;
        while (e < ng && g[e].stratum == g[i].stratum) e++;
        while (j < nc && c[j].stratum < g[i].stratum) j++;
        size_t k = j;
        while (k < nc && c[k].stratum == g[i].stratum) k++;
        if (k == j) {
            out->given_unmatched += (int64_t)(e - i);
        } else {
            if (nspan == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct span *t = realloc(sp, ncap * sizeof *sp);
                if (!t) {
                    rc = TD_E_NOMEM;
                    goto out;
                }
                sp = t;
                cap = ncap;
            }
            sp[nspan++] = (struct span){i, e - i, j, k - j};
            out->given += (int64_t)(e - i);
            out->compared += (int64_t)(k - j);
        }
        i = e;
        j = k;
    }
    out->strata = (int64_t)nspan;
    if (out->given < p->min_cases || out->compared < p->min_cases) {
        out->reason = out->given < p->min_cases ? "too few goodwill cases with a comparable case"
                                                : "too few comparable cases (declined, referred or resolved strictly)";
        goto out;
    }
    struct sums s = {0};
    for (size_t t = 0; t < nspan; t++) {
        double gs = 0, gg = 0, gv = 0, cs = 0, cv = 0;
        for (size_t i = sp[t].g0; i < sp[t].g0 + sp[t].gn; i++) gs += (double)g[i].spend_cents, gg += (double)g[i].goodwill_cents, gv += (double)g[i].visits;
        for (size_t i = sp[t].c0; i < sp[t].c0 + sp[t].cn; i++) cs += (double)c[i].spend_cents, cv += (double)c[i].visits;
        add_span(&s, sp[t].gn, gs, gg, gv, sp[t].cn, cs, cv);
    }
    out->goodwill_cents = (int64_t)llround(s.goodwill);
    out->spend_given = s.spend_g / s.given;
    out->spend_compared = s.spend_c / s.given;
    out->visits_given = s.visits_g / s.given;
    out->visits_compared = s.visits_c / s.given;

    int nb = p->bootstrap > 0 ? p->bootstrap : GOODWILL_BOOTSTRAP;
    double *v = malloc(3 * (size_t)nb * sizeof *v);
    if (!v) {
        rc = TD_E_NOMEM;
        goto out;
    }
    struct rng r;
    rng_stream(&r, p->seed, RNG_KIND_GOODWILL, p->stream);
    for (int b = 0; b < nb; b++) {
        struct sums x = {0};
        for (size_t t = 0; t < nspan; t++) {
            double gs = 0, gg = 0, gv = 0, cs = 0, cv = 0;
            for (size_t i = 0; i < sp[t].gn; i++) {
                const struct goodwill_obs *o = &g[sp[t].g0 + rng_below(&r, (uint32_t)sp[t].gn)];
                gs += (double)o->spend_cents, gg += (double)o->goodwill_cents, gv += (double)o->visits;
            }
            for (size_t i = 0; i < sp[t].cn; i++) {
                const struct goodwill_obs *o = &c[sp[t].c0 + rng_below(&r, (uint32_t)sp[t].cn)];
                cs += (double)o->spend_cents, cv += (double)o->visits;
            }
            add_span(&x, sp[t].gn, gs, gg, gv, sp[t].cn, cs, cv);
        }
        v[b] = x.retained;
        v[nb + b] = x.goodwill > 0 ? x.retained / x.goodwill : 0;
        v[2 * nb + b] = x.visits / x.given;
    }
    interval_of(v, (size_t)nb, s.retained, &out->retained_cents);
    interval_of(v + nb, (size_t)nb, s.goodwill > 0 ? s.retained / s.goodwill : 0, &out->per_euro);
    interval_of(v + 2 * nb, (size_t)nb, s.visits / s.given, &out->visits);
    free(v);
    out->estimable = true;
out:
    free(sp);
    return rc;
}
