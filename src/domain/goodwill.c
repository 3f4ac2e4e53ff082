/* goodwill.c — the pure part of the goodwill economics (see goodwill.h): a
 * case's goodwill, its stratum, and the matched estimate with its bootstrap
 * interval. goodwill_read.c reads the cases around it.
 *
 * The estimate walks the given and the compared cases side by side, both
 * sorted by stratum, and keeps the strata that have both (a span each).
 * Every bootstrap resample redraws, per span, as many given and compared
 * cases as it has, with replacement, from that span only: resampling within
 * strata keeps each resample matched exactly as the data is. The draws are
 * the time of a report (1,000 resamples of every matched case): each is a
 * step of the stream and an add of whole numbers, nothing more.
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
    long v = (long)min_cases;
    int rc = domain_setting("TRUSTDESK_GOODWILL_MIN_CASES", 1, 100000, &v, why, n);
    min_cases = v;
    return rc;
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

/* The k-th smallest of v[0..n) (0-based), v reordered so that every value
 * after place k is not below it: a quickselect (Hoare's partition), the
 * same value a sort would put at k, in a pass or two instead of a sort. */
static double kth(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (want <= j) hi = j;
        else if (want >= i) lo = i;
        else break;                                /* between j and i: equal to the pivot */
    }
    return v[k];
}

/* The q-quantile of v[0..n), interpolated between ranks as in the sorted
 * list (v is reordered). */
static double quantile(double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    double a = kth(v, n, i);
    if (i + 1 >= n) return a;
    double b = v[i + 1];
    for (size_t t = i + 2; t < n; t++) b = v[t] < b ? v[t] : b;   /* the next rank: the least after place i */
    return a * (1 - f) + b * f;
}

static void interval_of(double *v, size_t n, double estimate, struct goodwill_interval *out)
{
    out->estimate = estimate;
    out->low = quantile(v, n, 0.025);
    out->high = quantile(v, n, 0.975);
}

/* The first of c[j..nc) whose stratum is not below key: a row's few given
 * cases find their strata among the chain's compared cases in a few steps
 * each, instead of walking every compared case before them. */
static size_t lower_bound(const struct goodwill_obs *c, size_t j, size_t nc, uint64_t key)
{
    size_t step = 1;
    while (j + step < nc && c[j + step - 1].stratum < key) j += step, step *= 2;   /* gallop */
    size_t hi = j + step < nc ? j + step : nc;
    while (j < hi) {
        size_t mid = j + (hi - j) / 2;
        if (c[mid].stratum < key) j = mid + 1;
        else hi = mid;
    }
    return j;
}

/* A case's figures as a resample draws them. Every figure is a whole
 * number, so a span's sums are exact in an int64 and equal, converted, to
 * the same sums taken in doubles in any order: the resamples come out bit
 * for bit as when each draw was added in a double. */
struct drawn {
    int64_t spend, goodwill, visits;
};

/* The bootstrap's figures into v[b], v[nb + b], v[2 nb + b]: per resample,
 * per span, gn given and cn compared cases drawn with replacement from the
 * span's own, in that order, from one stream. gd and cd hold the spans'
 * cases one after another. */
static void resample(const struct span *sp, size_t nspan, const struct drawn *gd, const struct drawn *cd, int nb,
                     struct rng *stream, double *v)
{
    struct rng r = *stream;
    for (int b = 0; b < nb; b++) {
        struct sums x = {0};
        const struct drawn *gp = gd, *cp = cd;
        for (size_t t = 0; t < nspan; t++) {
            int64_t gs = 0, gg = 0, gv = 0, cs = 0, cv = 0;
            uint32_t gn = (uint32_t)sp[t].gn, cn = (uint32_t)sp[t].cn;
            for (uint32_t i = 0; i < gn; i++) {
                const struct drawn *o = &gp[rng_below(&r, gn)];
                gs += o->spend, gg += o->goodwill, gv += o->visits;
            }
            for (uint32_t i = 0; i < cn; i++) {
                const struct drawn *o = &cp[rng_below(&r, cn)];
                cs += o->spend, cv += o->visits;
            }
            add_span(&x, gn, (double)gs, (double)gg, (double)gv, cn, (double)cs, (double)cv);
            gp += gn;
            cp += cn;
        }
        v[b] = x.retained;
        v[nb + b] = x.goodwill > 0 ? x.retained / x.goodwill : 0;
        v[2 * nb + b] = x.visits / x.given;
    }
    *stream = r;
}

int goodwill_estimate(const struct goodwill_obs *g, size_t ng, const struct goodwill_obs *c, size_t nc,
                      const struct goodwill_params *p, struct goodwill_estimate *out)
{
    memset(out, 0, sizeof *out);
    size_t nspan = 0, cap = 0;
    struct span *sp = NULL;
    struct drawn *gd = NULL, *cd = NULL;
    double *v = NULL;
    int rc = TD_OK;
    /* The spans: each run of one stratum among the given cases, with the
     * compared cases of that stratum when there are any. */
    size_t j = 0;
    for (size_t i = 0; i < ng;) {
        size_t e = i;
        while (e < ng && g[e].stratum == g[i].stratum) e++;
        j = lower_bound(c, j, nc, g[i].stratum);
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
    int nb = p->bootstrap > 0 ? p->bootstrap : GOODWILL_BOOTSTRAP;
    if (!(gd = malloc((size_t)out->given * sizeof *gd)) || !(cd = malloc((size_t)out->compared * sizeof *cd)) ||
        !(v = malloc(3 * (size_t)nb * sizeof *v))) {
        rc = TD_E_NOMEM;
        goto out;
    }
    struct sums s = {0};
    size_t ig = 0, ic = 0;
    for (size_t t = 0; t < nspan; t++) {
        int64_t gs = 0, gg = 0, gv = 0, cs = 0, cv = 0;
        for (size_t i = sp[t].g0; i < sp[t].g0 + sp[t].gn; i++) {
            gd[ig++] = (struct drawn){g[i].spend_cents, g[i].goodwill_cents, g[i].visits};
            gs += g[i].spend_cents, gg += g[i].goodwill_cents, gv += g[i].visits;
        }
        for (size_t i = sp[t].c0; i < sp[t].c0 + sp[t].cn; i++) {
            cd[ic++] = (struct drawn){c[i].spend_cents, 0, c[i].visits};
            cs += c[i].spend_cents, cv += c[i].visits;
        }
        add_span(&s, sp[t].gn, (double)gs, (double)gg, (double)gv, sp[t].cn, (double)cs, (double)cv);
    }
    out->goodwill_cents = (int64_t)llround(s.goodwill);
    out->spend_given = s.spend_g / s.given;
    out->spend_compared = s.spend_c / s.given;
    out->visits_given = s.visits_g / s.given;
    out->visits_compared = s.visits_c / s.given;

    struct rng r;
    rng_stream(&r, p->seed, RNG_KIND_GOODWILL, p->stream);
    resample(sp, nspan, gd, cd, nb, &r, v);
    interval_of(v, (size_t)nb, s.retained, &out->retained_cents);
    interval_of(v + nb, (size_t)nb, s.goodwill > 0 ? s.retained / s.goodwill : 0, &out->per_euro);
    interval_of(v + 2 * nb, (size_t)nb, s.visits / s.given, &out->visits);
    out->estimable = true;
out:
    free(v);
    free(cd);
    free(gd);
    free(sp);
    return rc;
}
