/* test_goodwill.c — goodwill.h's pure part: a case's goodwill on a table
 * (funded, beyond a strict policy, none), the strata's bands, and the
 * matched estimate: a planted effect inside its 95 % interval and no effect
 * with zero inside, strata kept apart (a richer stratum's spend does not
 * leak into a poorer one's comparison), the minimum, cases without a
 * comparable case counted apart, the same interval for the same data, and
 * the normal draws of the sums for many cases: the effect inside, the
 * resamples' interval within a tenth of its width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"
#include "domain/goodwill.h"
#include "fixture.h"
#include "cmocka_main.h"

static void goodwill_of_a_case(void **state)
{
    (void)state;
    static const struct {
        enum policy_resolution res;
        int64_t amount, funded, proven, want;
    } rows[] = {
        {POLICY_RES_STORE_CREDIT, 1000, 1000, 0, 1000},   /* a complaint's gesture: funded as goodwill */
        {POLICY_RES_STORE_CREDIT, 2400, 0, 2400, 0},      /* our goods with their receipt: their own money */
        {POLICY_RES_REFUND, 2400, 0, 2400, 0},
        {POLICY_RES_REFUND, 2400, 0, 0, 2400},            /* no proof: all beyond strict */
        {POLICY_RES_REFUND, 3000, 0, 2400, 600},          /* one item proven, one not */
        {POLICY_RES_EXCHANGE, 1500, 0, 0, 1500},
        {POLICY_RES_STORE_CREDIT, 1000, 0, 2400, 0},      /* less than proven: nothing beyond */
        {POLICY_RES_DECLINE, 0, 0, 0, 0},
        {POLICY_RES_REFER_ELSEWHERE, 0, 0, 0, 0},
        {POLICY_RES_REPAIR_IN_STORE, 5000, 0, 0, 0},      /* a repair hands no money */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t got = goodwill_case_cents(rows[i].res, rows[i].amount, rows[i].funded, rows[i].proven);
        if (got != rows[i].want) fail_msg("row %zu: %lld, wanted %lld", i, (long long)got, (long long)rows[i].want);
    }
}

static void strata_bands(void **state)
{
    (void)state;
    uint64_t a = goodwill_stratum(1, 2, POLICY_TIER_GOLD, 12000, 400);
    assert_true(a == goodwill_stratum(1, 2, POLICY_TIER_GOLD, 49999, 1000));     /* the same bands */
    assert_true(a != goodwill_stratum(1, 2, POLICY_TIER_GOLD, 50000, 400));      /* spend band */
    assert_true(a != goodwill_stratum(1, 2, POLICY_TIER_GOLD, 12000, 364));      /* tenure band */
    assert_true(a != goodwill_stratum(2, 2, POLICY_TIER_GOLD, 12000, 400));      /* store */
    assert_true(a != goodwill_stratum(1, 3, POLICY_TIER_GOLD, 12000, 400));      /* category */
    assert_true(a != goodwill_stratum(1, 2, POLICY_TIER_SILVER, 12000, 400));    /* tier */
    assert_true(goodwill_stratum(1, 2, POLICY_TIER_GOLD, 0, 10) != goodwill_stratum(1, 2, POLICY_TIER_GOLD, 1, 10));
}

/* n given and n compared cases in each of two strata; the compared spend
 * base + 100 i (+ 10000 in the rich stratum), the given spend that and
 * effect more; goodwill 1000 each. */
static size_t make(struct goodwill_obs *g, struct goodwill_obs *c, int n, int64_t effect, size_t *nc)
{
    size_t ng = 0;
    *nc = 0;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < n; i++) {
            int64_t base = 2000 + 100 * i + (s ? 10000 : 0);
            g[ng] = (struct goodwill_obs){(uint64_t)s + 1, (int64_t)ng, 1000, base + effect, 1 + i % 3};
            ng++;
            c[*nc] = (struct goodwill_obs){(uint64_t)s + 1, 1000 + (int64_t)*nc, 0, base, 1 + i % 3};
            (*nc)++;
        }
    goodwill_sort(g, ng);
    goodwill_sort(c, *nc);
    return ng;
}

static void the_interval_holds_the_effect(void **state)
{
    (void)state;
    struct goodwill_obs g[64], c[64];
    struct goodwill_params p = {.min_cases = 10, .seed = GOODWILL_SEED, .stream = 1};
    static const int64_t effects[] = {0, 1500, -800, 5000};
    for (size_t k = 0; k < sizeof effects / sizeof effects[0]; k++) {
        size_t nc, ng = make(g, c, 15, effects[k], &nc);
        struct goodwill_estimate e;
        assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &e), TD_OK);
        assert_true(e.estimable);
        assert_null(e.reason);
        assert_int_equal(e.given, 30);
        assert_int_equal(e.compared, 30);
        assert_int_equal(e.strata, 2);
        double want = (double)effects[k] / 1000;
        if (!(e.per_euro.low <= want && want <= e.per_euro.high))
            fail_msg("effect %lld: %.3f not in [%.3f, %.3f]", (long long)effects[k], want, e.per_euro.low, e.per_euro.high);
        assert_true(e.per_euro.estimate > want - 1e-9 && e.per_euro.estimate < want + 1e-9);
        assert_true(e.retained_cents.estimate > 30.0 * (double)effects[k] - 1e-6 &&
                    e.retained_cents.estimate < 30.0 * (double)effects[k] + 1e-6);
        assert_true(e.per_euro.low < e.per_euro.high);                     /* an interval, not a point */
        assert_true(e.visits.estimate > -1e-9 && e.visits.estimate < 1e-9);
    }
}

/* Without strata the rich compared customers would make goodwill look like
 * a loss: all given cases poor, compared ones mostly rich. */
static void strata_are_kept_apart(void **state)
{
    (void)state;
    struct goodwill_obs g[40], c[40];
    size_t ng = 0, nc = 0;
    for (int i = 0; i < 20; i++) {
        g[ng++] = (struct goodwill_obs){1, i, 1000, 3000 + 10 * i, 1};
        c[nc++] = (struct goodwill_obs){1, 100 + i, 0, 2000 + 10 * i, 1};
        c[nc++] = (struct goodwill_obs){2, 200 + i, 0, 90000 + 10 * i, 4};   /* rich, no given case here */
    }
    goodwill_sort(g, ng);
    goodwill_sort(c, nc);
    struct goodwill_params p = {.min_cases = 10, .seed = GOODWILL_SEED, .stream = 7};
    struct goodwill_estimate e;
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &e), TD_OK);
    assert_true(e.estimable);
    assert_int_equal(e.compared, 20);                                      /* the rich stratum does not count */
    assert_true(e.per_euro.estimate > 0.999 && e.per_euro.estimate < 1.001);
    assert_true(e.spend_compared < 3000);
}

static void too_few_is_not_estimable(void **state)
{
    (void)state;
    struct goodwill_obs g[64], c[64];
    size_t nc, ng = make(g, c, 15, 1500, &nc);
    struct goodwill_params p = {.min_cases = 31, .seed = GOODWILL_SEED};
    struct goodwill_estimate e;
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &e), TD_OK);
    assert_false(e.estimable);
    assert_non_null(e.reason);
    assert_true(e.per_euro.low == 0 && e.per_euro.high == 0);
    /* Given cases in a stratum no compared case shares are counted apart. */
    for (size_t i = 0; i < nc; i++) c[i].stratum = c[i].stratum == 1 ? 1 : 9;
    goodwill_sort(c, nc);
    p.min_cases = 10;
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &e), TD_OK);
    assert_int_equal(e.given, 15);
    assert_int_equal(e.given_unmatched, 15);
    assert_true(e.estimable);
    /* No compared cases at all. */
    assert_int_equal(goodwill_estimate(g, ng, c, 0, &p, &e), TD_OK);
    assert_false(e.estimable);
    assert_int_equal(e.given_unmatched, 30);
    assert_int_equal(goodwill_estimate(NULL, 0, c, nc, &p, &e), TD_OK);
    assert_false(e.estimable);
}

static void the_same_data_the_same_interval(void **state)
{
    (void)state;
    struct goodwill_obs g[64], c[64];
    size_t nc, ng = make(g, c, 15, 1500, &nc);
    struct goodwill_params p = {.min_cases = 10, .seed = GOODWILL_SEED, .stream = 3};
    struct goodwill_estimate a, b;
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &a), TD_OK);
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &b), TD_OK);
    assert_true(a.per_euro.low == b.per_euro.low && a.per_euro.high == b.per_euro.high);
    assert_true(a.retained_cents.low == b.retained_cents.low);
    p.seed++;
    assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &b), TD_OK);
    assert_true(a.per_euro.low != b.per_euro.low || a.per_euro.high != b.per_euro.high);   /* the seed matters */
}

/* Many cases in four strata, spend with noise drawn apart for each case,
 * goodwill from 500 to 2000 cents, and effect (per goodwill cent, in
 * thousandths) planted on the given cases: enough on each side for the
 * sums to be drawn from the normal (normal_from). */
enum { BIG_G = 2400, BIG_C = 3600 };

static size_t make_big(struct goodwill_obs *g, int ngiven, struct goodwill_obs *c, int ncompared, int64_t effect_milli,
                       size_t *nc)
{
    struct rng r;
    rng_stream(&r, 1, 2, 3);
    size_t ng = 0;
    *nc = 0;
    for (int i = 0; i < ngiven; i++) {
        int s = i % 4;
        int64_t gw = 500 + (int64_t)rng_below(&r, 1501);
        int64_t spend = 1000 * (s + 1) + (int64_t)rng_below(&r, 8000) + gw * effect_milli / 1000;
        g[ng] = (struct goodwill_obs){(uint64_t)s + 1, (int64_t)ng, gw, spend, (int64_t)rng_below(&r, 4)};
        ng++;
    }
    for (int i = 0; i < ncompared; i++) {
        int s = i % 4;
        c[*nc] = (struct goodwill_obs){(uint64_t)s + 1, 10000 + (int64_t)*nc, 0,
                                       1000 * (s + 1) + (int64_t)rng_below(&r, 8000), (int64_t)rng_below(&r, 4)};
        (*nc)++;
    }
    goodwill_sort(g, ng);
    goodwill_sort(c, *nc);
    return ng;
}

static int near(const struct goodwill_interval *a, const struct goodwill_interval *b)
{
    double w = b->high - b->low, tol = 0.1 * w;
    return a->estimate == b->estimate && a->low > b->low - tol && a->low < b->low + tol && a->high > b->high - tol &&
           a->high < b->high + tol;
}

/* From normal_from matched cases a side that side's sums are drawn from
 * the normal of its resampled sums (both sides: many given cases; the
 * compared side only: a row of a few given cases against many compared):
 * the interval holds the planted effect (and zero with none), it is the
 * resamples' interval within a tenth of its width, and it is the same for
 * the same data and seed, another for another seed. */
static void the_normal_draws_hold_the_effect(void **state)
{
    (void)state;
    struct goodwill_obs *g = malloc(BIG_G * sizeof *g), *c = malloc(BIG_C * sizeof *c);
    assert_non_null(g);
    assert_non_null(c);
    static const int64_t effects[] = {0, 1500, -800, 5000};
    /* both sides many; the compared side only, many or just enough */
    static const int ngiven[] = {BIG_G, 120, 60}, ncompared[] = {BIG_C, BIG_C, 240};
    for (size_t k = 0; k < 3 * sizeof effects / sizeof effects[0]; k++) {
        int64_t effect = effects[k / 3];
        size_t nc, ng = make_big(g, ngiven[k % 3], c, ncompared[k % 3], effect, &nc);
        struct goodwill_params p = {.min_cases = 10, .seed = GOODWILL_SEED, .stream = 5, .normal_from = 200};
        struct goodwill_estimate n, b, again;
        assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &n), TD_OK);
        assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &again), TD_OK);
        p.normal_from = 0;                               /* the resamples of every case */
        assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &b), TD_OK);
        assert_true(n.estimable && b.estimable);
        assert_int_equal(n.given, ngiven[k % 3]);
        assert_int_equal(n.compared, ncompared[k % 3]);
        double want = (double)effect / 1000;
        if (!(n.per_euro.low <= want && want <= n.per_euro.high))
            fail_msg("effect %lld, %d given: %.3f not in [%.3f, %.3f]", (long long)effect, ngiven[k % 3], want,
                     n.per_euro.low, n.per_euro.high);
        if (!near(&n.per_euro, &b.per_euro) || !near(&n.retained_cents, &b.retained_cents) ||
            !near(&n.visits, &b.visits))
            fail_msg("effect %lld, %d given: normal [%.4f, %.4f] against the resamples' [%.4f, %.4f] per euro; visits "
                     "[%.4f, %.4f] against [%.4f, %.4f]",
                     (long long)effect, ngiven[k % 3], n.per_euro.low, n.per_euro.high, b.per_euro.low, b.per_euro.high,
                     n.visits.low, n.visits.high, b.visits.low, b.visits.high);
        assert_true(n.visits.low <= 0 && 0 <= n.visits.high);   /* no effect on visits was planted */
        assert_true(n.per_euro.low == again.per_euro.low && n.per_euro.high == again.per_euro.high);
        assert_true(n.per_euro.low != b.per_euro.low);      /* a draw of the sums, not of the cases */
        p.normal_from = 200;
        p.seed++;
        assert_int_equal(goodwill_estimate(g, ng, c, nc, &p, &again), TD_OK);
        assert_true(n.per_euro.low != again.per_euro.low || n.per_euro.high != again.per_euro.high);
    }
    free(c);
    free(g);
}

TD_TEST_MAIN("unit_goodwill", NULL, NULL,
             cmocka_unit_test(goodwill_of_a_case),
             cmocka_unit_test(strata_bands),
             cmocka_unit_test(the_interval_holds_the_effect),
             cmocka_unit_test(strata_are_kept_apart),
             cmocka_unit_test(too_few_is_not_estimable),
             cmocka_unit_test(the_same_data_the_same_interval),
             cmocka_unit_test(the_normal_draws_hold_the_effect))
