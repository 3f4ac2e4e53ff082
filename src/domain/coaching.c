/* coaching.c — the funnel plot's arithmetic (see coaching.h): rates, binomial
 * control limits, bands and the limit curves. Nothing here reads a database
 * or a clock; coaching_read.c gathers the figures.
 *
 * Why exact binomial limits and not p0 +- z * sqrt(p0 (1 - p0) / n): an
 * associate has tens of cases, not thousands, and at 12 cases and a store
 * rate of 5 % the normal limits go below zero and promise a symmetry that
 * the counts do not have. The interpolation between whole counts keeps the
 * curves smooth enough to read as a funnel.
 */
#include "domain/coaching.h"
#include "core/clock.h"
#include "domain/policy.h"
#include <math.h>

ENUM_MAP_DEFINE(coaching_rate_map, COACHING_RATE_MAP);

#define DAY_US (86400LL * 1000000)

void coaching_rate_of(const struct coaching_person *p, enum coaching_rate rate, int64_t *k, int64_t *n)
{
    int64_t answers = p->promoters + p->passives + p->detractors;
    *n = p->cases;
    switch (rate) {
    case COACHING_OVERRIDE: *k = p->overrides; break;
    case COACHING_GOODWILL: *k = p->goodwill_cases; break;
    case COACHING_DECLINE: *k = p->by_resolution[POLICY_RES_DECLINE]; break;
    case COACHING_REFERRAL: *k = p->by_resolution[POLICY_RES_REFER_ELSEWHERE]; break;
    case COACHING_PROMOTER: *k = p->promoters, *n = answers; break;
    case COACHING_DETRACTOR: *k = p->detractors, *n = answers; break;
    default: *k = *n = 0; break;
    }
}

int coaching_rate_counts_answers(enum coaching_rate rate)
{
    return rate == COACHING_PROMOTER || rate == COACHING_DETRACTOR;
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* The quantiles q[0] < q[1] < ... < q[m - 1] of k/n for k ~ Binomial(n,
 * p0), as coaching_limit() describes, in one walk up the counts: the
 * cumulative sum reaches each q in turn, so every limit is the one a walk of
 * its own would give, bit for bit. */
static void limits_walk(double p0, int64_t n, const double *q, double *out, int m)
{
    int j = 0;
    if (n < 1 || p0 <= 0 || p0 >= 1) {
        for (; j < m; j++) out[j] = n >= 1 && p0 >= 1 ? 1 : 0;
        return;
    }
    /* P(K = r) walked up from r = 0 in logarithms: (1 - p0)^n underflows
     * long before n is large, the ratio of neighbours never does. */
    double lp = log(p0), lq = log1p(-p0), logpmf = (double)n * lq, cdf = 0;
    for (int64_t r = 0; r <= n && j < m; r++) {
        if (r > 0) logpmf += log((double)(n - r + 1) / (double)r) + lp - lq;
        double pmf = exp(logpmf);
        cdf += pmf;
        for (; j < m && cdf >= q[j]; j++) {
            double a = pmf > 0 ? (cdf - q[j]) / pmf : 0;
            out[j] = clamp01(((double)r + 0.5 - a) / (double)n);
        }
    }
    for (; j < m; j++) out[j] = 1;                 /* rounding left the sum just below q */
}

double coaching_limit(double p0, int64_t n, double q)
{
    double v;
    limits_walk(p0, n, &q, &v, 1);
    return v;
}

void coaching_limits_of(double p0, int64_t n, struct coaching_limits *out)
{
    static const double q[4] = {0.001, 0.025, 0.975, 0.999};
    double v[4];
    limits_walk(p0, n, q, v, 4);
    *out = (struct coaching_limits){.low998 = v[0], .low95 = v[1], .high95 = v[2], .high998 = v[3]};
}

int coaching_band_of(int64_t k, int64_t n, const struct coaching_limits *l)
{
    double y = (double)k / (double)n;
    return y > l->high998 ? 2 : y > l->high95 ? 1 : y < l->low998 ? -2 : y < l->low95 ? -1 : 0;
}

int coaching_band(int64_t k, int64_t n, double p0)
{
    struct coaching_limits l;
    coaching_limits_of(p0, n, &l);
    return coaching_band_of(k, n, &l);
}

size_t coaching_curve(double p0, int64_t n_top, struct coaching_curve_point *out, size_t cap)
{
    size_t m = 0;
    if (n_top < 1) n_top = 1;
    for (int64_t n = 1; m < cap; ) {
        if (m + 1 == cap || n >= n_top) n = n_top;   /* the last point is n_top */
        out[m].n = n;
        coaching_limits_of(p0, n, &out[m].l);
        m++;
        if (n == n_top) break;
        int64_t next = n < 10 ? n + 1 : (int64_t)ceil((double)n * 1.12);
        n = next;
    }
    return m;
}

void coaching_days_of(int64_t from_us, int64_t to_us, int64_t *from_day, int64_t *to_day)
{
    int64_t last = to_us - 1;
    *from_day = (from_us + (int64_t)clock_amsterdam_offset(from_us / 1000000) * 1000000) / DAY_US;
    *to_day = (last + (int64_t)clock_amsterdam_offset(last / 1000000) * 1000000) / DAY_US;
}

int64_t coaching_month_of(int64_t day)
{
    /* Hinnant's civil-from-days up to the day of the year since 1 March
     * (doy), then back to the first of its month; migration 0024 does the
     * same in SQL. Days from year 0 on. */
    int64_t doe = (day + 719468) % 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    return day - doy + (153 * ((5 * doy + 2) / 153) + 2) / 5;
}
