/* matching.c — coarsened exact matching and its within-strata bootstrap (see
 * matching.h). The spans are found by walking both sides side by side, each
 * sorted by stratum; the sums of a span are added in the same order for the
 * data and for every resample, so a figure is the same wherever it is made.
 * The bootstrap is the time of a report (1,000 resamples of every matched
 * case): it draws from the matched values packed span by span, adds whole
 * numbers in int64 per span, and takes its percentiles by selection rather
 * than by sorting every statistic's resamples.
 */
#include "domain/matching.h"
#include "core/rng.h"
#include <stddef.h>
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

/* The first record of s in [lo, hi) whose stratum is not below v: a
 * gallop from lo, then a binary search, so that a few treated cases are
 * matched against many compared ones without walking them all, and the end
 * of a short span is found in a step or two. */
static size_t lower_bound(const struct match_side *s, size_t lo, size_t hi, uint64_t v)
{
    size_t step = 1;
    while (lo + step < hi && stratum(s, lo + step - 1) < v) lo += step, step *= 2;
    if (lo + step < hi) hi = lo + step;
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

/* The k-th smallest of v[0..n) (0-based), v reordered so that no value
 * after place k is below it: a quickselect (Hoare's partition), the value
 * a sort would put at k, in a pass or two instead of a sort. */
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
                double x = v[i];
                v[i++] = v[j];
                v[j--] = x;
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
    for (size_t x = i + 2; x < n; x++) b = v[x] < b ? v[x] : b;   /* the next rank: the least after place i */
    return a * (1 - f) + b * f;
}

/* The values of side s's records in m's spans, one span after another, nv
 * whole numbers a record: what a resample draws, packed. */
static int64_t *pack(const struct match *m, const struct match_side *s, int treated, size_t count)
{
    int nv = s->nvalues;
    int64_t *p = malloc((count ? count : 1) * (size_t)(nv ? nv : 1) * sizeof *p), *o = p;
    if (!p) return NULL;
    for (size_t k = 0; k < m->nspan; k++) {
        size_t i0 = treated ? m->span[k].t0 : m->span[k].c0, n = treated ? m->span[k].tn : m->span[k].cn;
        for (size_t i = i0; i < i0 + n; i++) {
            const char *r = rec(s, i);
            for (int j = 0; j < nv; j++) memcpy(o++, r + s->value_at[j], sizeof *o);
        }
    }
    return p;
}

/* n draws with replacement from the n records at p (nv values each), their
 * values added to sum[]. Whole numbers, so the int64 sums are exact and,
 * converted, equal to the same draws added one by one in doubles (below
 * 2^53): the resamples are bit for bit those of adding each draw. With nv
 * a constant the sums stay in registers. */
_Static_assert(MATCH_VALUES_MAX == 4, "draw() keeps four sums");

static inline __attribute__((always_inline)) void draw(const int64_t *p, uint32_t n, int nv, struct rng *r,
                                                       int64_t *sum)
{
    int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int64_t *o = p + (size_t)rng_below(r, n) * (size_t)nv;
        if (nv > 0) s0 += o[0];
        if (nv > 1) s1 += o[1];
        if (nv > 2) s2 += o[2];
        if (nv > 3) s3 += o[3];
    }
    sum[0] = s0, sum[1] = s1, sum[2] = s2, sum[3] = s3;
}

/* The statistics of nb resamples into v[k * nb + b]: per resample, per span,
 * tn treated then cn compared draws from the span's own (tv, cv packed), one
 * stream. Inlined with nv a constant (0 to MATCH_VALUES_MAX). */
static inline __attribute__((always_inline)) void resample(const struct match *m, const int64_t *tv,
                                                           const int64_t *cv, int nv, size_t nb, struct rng *stream,
                                                           int nstats, match_stats_fn *stats, double *v)
{
    struct rng r = *stream;
    for (size_t b = 0; b < nb; b++) {
        struct match_sums x = {0};
        const int64_t *tp = tv, *cp = cv;
        for (size_t s = 0; s < m->nspan; s++) {
            uint32_t tn = (uint32_t)m->span[s].tn, cn = (uint32_t)m->span[s].cn;
            int64_t ti[MATCH_VALUES_MAX], ci[MATCH_VALUES_MAX];
            draw(tp, tn, nv, &r, ti);
            draw(cp, cn, nv, &r, ci);
            double ts[MATCH_VALUES_MAX], cs[MATCH_VALUES_MAX];
            for (int j = 0; j < nv; j++) ts[j] = (double)ti[j], cs[j] = (double)ci[j];
            add_span(&x, nv, tn, ts, cn, cs);
            tp += (size_t)tn * (size_t)nv;
            cp += (size_t)cn * (size_t)nv;
        }
        double st[MATCH_STATS_MAX];
        stats(&x, st);
        for (int k = 0; k < nstats; k++) v[(size_t)k * nb + b] = st[k];
    }
    *stream = r;
}

int match_bootstrap(const struct match *m, const struct match_side *t, const struct match_side *c, int resamples,
                    uint64_t seed, uint64_t kind, uint64_t stream, int nstats, match_stats_fn *stats,
                    struct match_interval *out)
{
    size_t nb = resamples > 0 ? (size_t)resamples : 1;
    int rc = TD_E_NOMEM;
    int64_t *tv = pack(m, t, 1, (size_t)m->treated), *cv = pack(m, c, 0, (size_t)m->compared);
    double *v = malloc((size_t)nstats * nb * sizeof *v);
    if (!tv || !cv || !v) goto out;
    struct rng r;
    rng_stream(&r, seed, kind, stream);
    switch (t->nvalues) {                       /* a constant each, for draw() */
    case 0: resample(m, tv, cv, 0, nb, &r, nstats, stats, v); break;
    case 1: resample(m, tv, cv, 1, nb, &r, nstats, stats, v); break;
    case 2: resample(m, tv, cv, 2, nb, &r, nstats, stats, v); break;
    case 3: resample(m, tv, cv, 3, nb, &r, nstats, stats, v); break;
    default: resample(m, tv, cv, MATCH_VALUES_MAX, nb, &r, nstats, stats, v); break;
    }
    double est[MATCH_STATS_MAX];
    stats(&m->sums, est);
    for (int k = 0; k < nstats; k++) {
        double *vk = v + (size_t)k * nb;
        out[k].estimate = est[k];
        out[k].low = quantile(vk, nb, 0.025);
        out[k].high = quantile(vk, nb, 0.975);
    }
    rc = TD_OK;
out:
    free(v);
    free(cv);
    free(tv);
    return rc;
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
