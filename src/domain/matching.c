/* matching.c — coarsened exact matching and its within-strata bootstrap (see
 * matching.h). The spans are found by walking both sides side by side, each
 * sorted by stratum; the sums of a span are added in the same order for the
 * data and for every resample, so a figure is the same wherever it is made.
 */
#include "domain/matching.h"
#include "core/rng.h"
#include <stdlib.h>
#include <string.h>

static unsigned spend_band(int64_t cents)
{
    return cents <= 0 ? 0 : cents < 10000 ? 1 : cents < 50000 ? 2 : cents < 200000 ? 3 : 4;
}

static unsigned tenure_band(int days)
{
    return days < 90 ? 0 : days < 365 ? 1 : days < 3 * 365 ? 2 : 3;
}

uint64_t match_stratum(int64_t store_id, unsigned category_ix, enum policy_tier tier, int64_t spend_before_cents,
                       int tenure_days)
{
    /* store 32 bits | category 16 | tier 4 | spend band 4 | tenure band 4 */
    return ((uint64_t)(uint32_t)store_id << 32) | ((uint64_t)(category_ix & 0xffff) << 16) |
           ((uint64_t)((unsigned)tier & 0xf) << 8) | ((uint64_t)spend_band(spend_before_cents) << 4) |
           tenure_band(tenure_days);
}

static const char *rec(const struct match_side *s, size_t i) { return (const char *)s->base + i * s->size; }

static uint64_t stratum(const struct match_side *s, size_t i)
{
    uint64_t v;
    memcpy(&v, rec(s, i) + s->stratum_at, sizeof v);
    return v;
}

/* The first record of s in [lo, hi) whose stratum is not below v: a binary
 * search, so that a few treated cases are matched against many compared
 * ones without walking them all. */
static size_t lower_bound(const struct match_side *s, size_t lo, size_t hi, uint64_t v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stratum(s, mid) < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Adds record i's values to sum[]. */
static void add_values(const struct match_side *s, size_t i, double *sum)
{
    const char *r = rec(s, i);
    for (int j = 0; j < s->nvalues; j++) {
        int64_t v;
        memcpy(&v, r + s->value_at[j], sizeof v);
        sum[j] += (double)v;
    }
}

/* One span's sums (ts the treated values, cs the compared ones) into x. */
static void add_span(struct match_sums *x, int nvalues, size_t tn, const double *ts, size_t cn, const double *cs)
{
    for (int j = 0; j < nvalues; j++) {
        double mc = cs[j] / (double)cn;
        x->d[j] += ts[j] - (double)tn * mc;
        x->t[j] += ts[j];
        x->c[j] += (double)tn * mc;
    }
    x->n += (double)tn;
}

int match_strata(const struct match_side *t, const struct match_side *c, struct match *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, j = 0;
    for (size_t i = 0; i < t->n;) {
        uint64_t s = stratum(t, i);
        size_t e = i;
        while (e < t->n && stratum(t, e) == s) e++;
        j = lower_bound(c, j, c->n, s);
        size_t k = lower_bound(c, j, c->n, s + 1);
        if (s == UINT64_MAX) k = c->n;
        if (k == j) {
            out->treated_unmatched += (int64_t)(e - i);
        } else {
            if (out->nspan == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct match_span *v = realloc(out->span, ncap * sizeof *v);
                if (!v) return TD_E_NOMEM;
                out->span = v;
                cap = ncap;
            }
            out->span[out->nspan++] = (struct match_span){i, e - i, j, k - j};
            out->treated += (int64_t)(e - i);
            out->compared += (int64_t)(k - j);
            double ts[MATCH_VALUES_MAX] = {0}, cs[MATCH_VALUES_MAX] = {0};
            for (size_t x = i; x < e; x++) add_values(t, x, ts);
            for (size_t x = j; x < k; x++) add_values(c, x, cs);
            add_span(&out->sums, t->nvalues, e - i, ts, k - j, cs);
        }
        i = e;
        j = k;
    }
    return TD_OK;
}

void match_free(struct match *m)
{
    free(m->span);
    m->span = NULL;
    m->nspan = 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The q-quantile of v[0..n) (sorted), interpolated between ranks. */
static double quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[n - 1];
}

int match_bootstrap(const struct match *m, const struct match_side *t, const struct match_side *c, int resamples,
                    uint64_t seed, uint64_t kind, uint64_t stream, int nstats, match_stats_fn *stats,
                    struct match_interval *out)
{
    size_t nb = resamples > 0 ? (size_t)resamples : 1;
    double *v = malloc((size_t)nstats * nb * sizeof *v);
    if (!v) return TD_E_NOMEM;
    struct rng r;
    rng_stream(&r, seed, kind, stream);
    for (size_t b = 0; b < nb; b++) {
        struct match_sums x = {0};
        for (size_t s = 0; s < m->nspan; s++) {
            const struct match_span *sp = &m->span[s];
            double ts[MATCH_VALUES_MAX] = {0}, cs[MATCH_VALUES_MAX] = {0};
            for (size_t i = 0; i < sp->tn; i++) add_values(t, sp->t0 + rng_below(&r, (uint32_t)sp->tn), ts);
            for (size_t i = 0; i < sp->cn; i++) add_values(c, sp->c0 + rng_below(&r, (uint32_t)sp->cn), cs);
            add_span(&x, t->nvalues, sp->tn, ts, sp->cn, cs);
        }
        double st[MATCH_STATS_MAX];
        stats(&x, st);
        for (int k = 0; k < nstats; k++) v[(size_t)k * nb + b] = st[k];
    }
    double est[MATCH_STATS_MAX];
    stats(&m->sums, est);
    for (int k = 0; k < nstats; k++) {
        double *vk = v + (size_t)k * nb;
        qsort(vk, nb, sizeof *vk, cmp_double);
        out[k] = (struct match_interval){est[k], quantile(vk, nb, 0.025), quantile(vk, nb, 0.975)};
    }
    free(v);
    return TD_OK;
}

uint64_t match_stream_of(const struct match_side *s, size_t id_at, uint64_t salt)
{
    uint64_t h = 1469598103934665603ull ^ salt;
    for (size_t i = 0; i < s->n; i++) {
        int64_t id;
        memcpy(&id, rec(s, i) + id_at, sizeof id);
        h = (h ^ (uint64_t)id) * 1099511628211ull;
    }
    return h;
}
