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
#include "domain/domain.h"
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int64_t normal_from_setting = MATCH_NORMAL_FROM_DEFAULT;

int match_settings_from_env(char *why, size_t n)
{
    return domain_setting("TRUSTDESK_NORMAL_FROM", 0, 1000000000, &normal_from_setting, why, n);
}

int64_t match_normal_from(void) { return normal_from_setting; }

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

/* The covariance (nv x nv, row-major, added into cov) of one side's
 * resampled contribution to the sums: per span, a resample's sum of n draws
 * from the span's n values varies by the values' sum of squared deviations
 * from their mean (n times their variance), the treated side as it is, the
 * compared side's mean times tn by that times (tn / cn)^2. Spans are
 * resampled independently, so their covariances add. Exact, in two passes
 * over each span. */
static void side_cov(const struct match *m, const struct match_side *s, int treated, double *cov)
{
    int nv = s->nvalues;
    for (size_t k = 0; k < m->nspan; k++) {
        size_t i0 = treated ? m->span[k].t0 : m->span[k].c0, n = treated ? m->span[k].tn : m->span[k].cn;
        double mean[MATCH_VALUES_MAX] = {0}, sq[MATCH_VALUES_MAX * MATCH_VALUES_MAX] = {0};
        for (size_t i = i0; i < i0 + n; i++) add_values(s, i, mean);
        for (int j = 0; j < nv; j++) mean[j] /= (double)n;
        for (size_t i = i0; i < i0 + n; i++) {
            double x[MATCH_VALUES_MAX] = {0};
            add_values(s, i, x);
            for (int j = 0; j < nv; j++) x[j] -= mean[j];
            for (int j = 0; j < nv; j++)
                for (int l = 0; l <= j; l++) sq[j * nv + l] += x[j] * x[l];
        }
        double w = treated ? 1 : ((double)m->span[k].tn / (double)n) * ((double)m->span[k].tn / (double)n);
        for (int j = 0; j < nv; j++)
            for (int l = 0; l <= j; l++) cov[j * nv + l] += w * sq[j * nv + l];
    }
}

/* a (n x n, the lower triangle) into its Cholesky factor L, a = L L': a
 * direction without variance (a value the same in every case: a compared
 * case's goodwill) gets a zero column instead of a division by zero. */
static void cholesky(double *a, int n)
{
    for (int j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
        double scale = a[j * n + j] > 0 ? a[j * n + j] : 0;
        d = d > 1e-12 * scale && d > 0 ? sqrt(d) : 0;
        a[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double x = a[i * n + j];
            for (int k = 0; k < j; k++) x -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = d > 0 ? x / d : 0;
        }
        for (int i = 0; i < j; i++) a[i * n + j] = 0;
    }
}

/* Standard normal deviates, two at a time (Box-Muller) from two draws of
 * the stream. */
static void gauss_pair(struct rng *r, double *z0, double *z1)
{
    double u = 1.0 - rng_unit(r), a = 6.283185307179586 * rng_unit(r), rad = sqrt(-2.0 * log(u));
    *z0 = rad * cos(a);
    *z1 = rad * sin(a);
}

/* The statistics of nb resamples into v[k * nb + b]: per resample, per span,
 * tn treated then cn compared draws from the span's own (tv, cv packed), one
 * stream. With lc (the Cholesky factor of the compared side's covariance,
 * side_cov) the compared side is not redrawn case by case: each span adds
 * its data's compared sums (cdata, nv a span) and the resample the compared
 * total's deviation drawn from the normal, nv deviates after its treated
 * draws. Inlined with nv a constant (0 to MATCH_VALUES_MAX). */
static inline __attribute__((always_inline)) void resample(const struct match *m, const int64_t *tv,
                                                           const int64_t *cv, const double *cdata, const double *lc,
                                                           int nv, size_t nb, struct rng *stream, int nstats,
                                                           match_stats_fn *stats, double *v)
{
    struct rng r = *stream;
    for (size_t b = 0; b < nb; b++) {
        struct match_sums x = {0};
        const int64_t *tp = tv, *cp = cv;
        for (size_t s = 0; s < m->nspan; s++) {
            uint32_t tn = (uint32_t)m->span[s].tn, cn = (uint32_t)m->span[s].cn;
            int64_t ti[MATCH_VALUES_MAX], ci[MATCH_VALUES_MAX];
            draw(tp, tn, nv, &r, ti);
            double ts[MATCH_VALUES_MAX], cs[MATCH_VALUES_MAX];
            for (int j = 0; j < nv; j++) ts[j] = (double)ti[j];
            if (lc) {
                add_span(&x, nv, tn, ts, cn, cdata + s * (size_t)nv);
            } else {
                draw(cp, cn, nv, &r, ci);
                for (int j = 0; j < nv; j++) cs[j] = (double)ci[j];
                add_span(&x, nv, tn, ts, cn, cs);
                cp += (size_t)cn * (size_t)nv;
            }
            tp += (size_t)tn * (size_t)nv;
        }
        if (lc) {
            double z[MATCH_VALUES_MAX + 1];
            for (int j = 0; j < nv; j += 2) gauss_pair(&r, &z[j], &z[j + 1]);
            for (int j = 0; j < nv; j++) {
                double dc = 0;
                for (int l = 0; l <= j; l++) dc += lc[j * nv + l] * z[l];
                x.c[j] += dc;
                x.d[j] -= dc;
            }
        }
        double st[MATCH_STATS_MAX];
        stats(&x, st);
        for (int k = 0; k < nstats; k++) v[(size_t)k * nb + b] = st[k];
    }
    *stream = r;
}

/* The statistics of nb draws of the sums from the normal with the mean and
 * the covariance of the bootstrap's resampled sums (side_cov), into
 * v[k * nb + b]: the same distribution the resamples approach for many
 * cases, at a few deviates a draw instead of a draw a case. TD_E_NOMEM never:
 * the scratch is on the stack. */
static void normal_resample(const struct match *m, const struct match_side *t, const struct match_side *c,
                            size_t nb, struct rng *r, int nstats, match_stats_fn *stats, double *v)
{
    int nv = t->nvalues;
    double lt[MATCH_VALUES_MAX * MATCH_VALUES_MAX] = {0}, lc[MATCH_VALUES_MAX * MATCH_VALUES_MAX] = {0};
    side_cov(m, t, 1, lt);
    side_cov(m, c, 0, lc);
    cholesky(lt, nv);
    cholesky(lc, nv);
    for (size_t b = 0; b < nb; b++) {
        double z[2 * MATCH_VALUES_MAX];
        for (int j = 0; j < 2 * nv; j += 2) gauss_pair(r, &z[j], &z[j + 1]);
        struct match_sums x = m->sums;
        for (int j = 0; j < nv; j++) {
            double dt = 0, dc = 0;
            for (int l = 0; l <= j; l++) dt += lt[j * nv + l] * z[l], dc += lc[j * nv + l] * z[nv + l];
            x.t[j] += dt;
            x.c[j] += dc;
            x.d[j] += dt - dc;
        }
        double st[MATCH_STATS_MAX];
        stats(&x, st);
        for (int k = 0; k < nstats; k++) v[(size_t)k * nb + b] = st[k];
    }
}

int match_bootstrap(const struct match *m, const struct match_side *t, const struct match_side *c, int resamples,
                    uint64_t seed, uint64_t kind, uint64_t stream, int64_t normal_from, int nstats,
                    match_stats_fn *stats, struct match_interval *out)
{
    size_t nb = resamples > 0 ? (size_t)resamples : 1;
    int rc = TD_E_NOMEM;
    int normal_t = normal_from > 0 && m->treated >= normal_from;
    int normal_c = normal_from > 0 && m->compared >= normal_from;
    int64_t *tv = NULL, *cv = NULL;
    double *v = malloc((size_t)nstats * nb * sizeof *v), *cdata = NULL, lc[MATCH_VALUES_MAX * MATCH_VALUES_MAX] = {0};
    if (!v) goto out;
    struct rng r;
    rng_stream(&r, seed, kind, stream);
    if (normal_t && normal_c) {
        normal_resample(m, t, c, nb, &r, nstats, stats, v);
        goto percentiles;
    }
    tv = pack(m, t, 1, (size_t)m->treated);
    if (normal_c) {                             /* the compared side from the normal, the treated cases redrawn */
        if (!(cdata = calloc(m->nspan ? m->nspan * (size_t)MATCH_VALUES_MAX : 1, sizeof *cdata))) goto out;
        for (size_t k = 0; k < m->nspan; k++)
            for (size_t i = m->span[k].c0; i < m->span[k].c0 + m->span[k].cn; i++)
                add_values(c, i, cdata + k * (size_t)c->nvalues);
        side_cov(m, c, 0, lc);
        cholesky(lc, c->nvalues);
    } else if (!(cv = pack(m, c, 0, (size_t)m->compared))) {
        goto out;
    }
    if (!tv) goto out;
    const double *l = normal_c ? lc : NULL;
    switch (t->nvalues) {                       /* a constant each, for draw() */
    case 0: resample(m, tv, cv, cdata, l, 0, nb, &r, nstats, stats, v); break;
    case 1: resample(m, tv, cv, cdata, l, 1, nb, &r, nstats, stats, v); break;
    case 2: resample(m, tv, cv, cdata, l, 2, nb, &r, nstats, stats, v); break;
    case 3: resample(m, tv, cv, cdata, l, 3, nb, &r, nstats, stats, v); break;
    default: resample(m, tv, cv, cdata, l, MATCH_VALUES_MAX, nb, &r, nstats, stats, v); break;
    }
percentiles:;
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
    free(cdata);
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
