/* test_insight_match.c — the referral outcomes' matched comparison, pure
 * (insight.h, insight_match.c over matching.c): a planted difference in the
 * share that came back inside its 95 % interval and no difference with zero
 * inside; strata kept apart (a stratum of loyal customers nobody referred
 * does not make referring look bad); the minimum on either side; referred
 * cases without a comparable case counted apart; the same data, the same
 * interval; and match_strata's counts and sums on their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/insight.h"
#include "cmocka_main.h"

/* n referred and n compared customers in each of two strata; of each
 * stratum's referred customers back_r come back, of its compared back_c. */
static void make(struct insight_obs *r, size_t *nr, struct insight_obs *c, size_t *nc, int n, int back_r, int back_c)
{
    *nr = *nc = 0;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < n; i++) {
            r[*nr] = (struct insight_obs){(uint64_t)s + 1, (int64_t)*nr, i < back_r};
            (*nr)++;
            c[*nc] = (struct insight_obs){(uint64_t)s + 1, 1000 + (int64_t)*nc, i < back_c};
            (*nc)++;
        }
    insight_sort(r, *nr);
    insight_sort(c, *nc);
}

static void the_interval_holds_the_difference(void **state)
{
    (void)state;
    struct insight_obs r[64], c[64];
    size_t nr, nc;
    static const struct { int back_r, back_c; } rows[] = {{6, 6}, {16, 6}, {4, 14}, {20, 0}, {10, 10}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        make(r, &nr, c, &nc, 20, rows[k].back_r, rows[k].back_c);
        struct insight_matched m;
        assert_int_equal(insight_estimate(r, nr, c, nc, 10, 0, &m), TD_OK);
        assert_true(m.estimable);
        assert_null(m.reason);
        assert_int_equal(m.referred, 40);
        assert_int_equal(m.compared, 40);
        assert_int_equal(m.strata, 2);
        double want = (rows[k].back_r - rows[k].back_c) / 20.0;
        if (!(m.difference.low <= want && want <= m.difference.high))
            fail_msg("row %zu: %.3f not in [%.3f, %.3f]", k, want, m.difference.low, m.difference.high);
        assert_true(m.difference.estimate > want - 1e-9 && m.difference.estimate < want + 1e-9);
        assert_true(m.back_referred > rows[k].back_r / 20.0 - 1e-9 && m.back_referred < rows[k].back_r / 20.0 + 1e-9);
        assert_true(m.back_compared > rows[k].back_c / 20.0 - 1e-9 && m.back_compared < rows[k].back_c / 20.0 + 1e-9);
        /* An interval, not a point, wherever some came back and some did not. */
        if (rows[k].back_r % 20 || rows[k].back_c % 20) assert_true(m.difference.low < m.difference.high);
        if (rows[k].back_r == rows[k].back_c) assert_true(m.difference.low < 0 && m.difference.high > 0);
    }
}

/* Unmatched, the loyal customers nobody referred (all back) would make the
 * referred look as if referring drove them away. */
static void strata_are_kept_apart(void **state)
{
    (void)state;
    struct insight_obs r[60], c[60];
    size_t nr = 0, nc = 0;
    for (int i = 0; i < 20; i++) {
        r[nr++] = (struct insight_obs){1, i, i < 10};
        c[nc++] = (struct insight_obs){1, 100 + i, i < 10};
        c[nc++] = (struct insight_obs){2, 200 + i, 1};            /* loyal, never referred */
    }
    insight_sort(r, nr);
    insight_sort(c, nc);
    struct insight_matched m;
    assert_int_equal(insight_estimate(r, nr, c, nc, 10, 0, &m), TD_OK);
    assert_true(m.estimable);
    assert_int_equal(m.compared, 20);                             /* the loyal stratum does not count */
    assert_true(m.difference.estimate > -1e-9 && m.difference.estimate < 1e-9);
    assert_true(m.back_compared > 0.5 - 1e-9 && m.back_compared < 0.5 + 1e-9);
}

static void too_few_is_not_estimable(void **state)
{
    (void)state;
    struct insight_obs r[64], c[64];
    size_t nr, nc;
    make(r, &nr, c, &nc, 15, 10, 5);
    struct insight_matched m;
    assert_int_equal(insight_estimate(r, nr, c, nc, 31, 0, &m), TD_OK);
    assert_false(m.estimable);
    assert_non_null(m.reason);
    assert_int_equal(m.referred, 30);
    assert_true(m.difference.low == 0 && m.difference.high == 0);
    /* Referred customers in a stratum no compared one shares are counted apart. */
    for (size_t i = 0; i < nc; i++) c[i].stratum = c[i].stratum == 1 ? 1 : 9;
    insight_sort(c, nc);
    assert_int_equal(insight_estimate(r, nr, c, nc, 10, 0, &m), TD_OK);
    assert_int_equal(m.referred, 15);
    assert_int_equal(m.referred_unmatched, 15);
    assert_true(m.estimable);
    /* The compared side below the minimum has its own reason. */
    assert_int_equal(insight_estimate(r, nr, c, 8, 10, 0, &m), TD_OK);
    assert_false(m.estimable);
    assert_string_equal(m.reason, "too few comparable customers who were not referred");
    assert_int_equal(insight_estimate(r, nr, c, 0, 10, 0, &m), TD_OK);
    assert_false(m.estimable);
    assert_int_equal(m.referred_unmatched, 30);
    assert_int_equal(insight_estimate(NULL, 0, c, nc, 10, 0, &m), TD_OK);
    assert_false(m.estimable);
}

static void the_same_data_the_same_interval(void **state)
{
    (void)state;
    struct insight_obs r[64], c[64];
    size_t nr, nc;
    make(r, &nr, c, &nc, 15, 9, 5);
    struct insight_matched a, b;
    assert_int_equal(insight_estimate(r, nr, c, nc, 10, 1, &a), TD_OK);
    assert_int_equal(insight_estimate(r, nr, c, nc, 10, 1, &b), TD_OK);
    assert_true(a.difference.low == b.difference.low && a.difference.high == b.difference.high);
    assert_int_equal(insight_estimate(r, nr, c, nc, 10, 2, &b), TD_OK);           /* another window's stream */
    assert_true(a.difference.low != b.difference.low || a.difference.high != b.difference.high);
    assert_true(a.difference.estimate == b.difference.estimate);
}

/* matching.c on a record of its own: the spans, the counts, the sums. */
struct rec {
    int64_t pad;
    uint64_t stratum;
    int64_t spend;
};

static void matching_counts_and_sums(void **state)
{
    (void)state;
    /* Treated: stratum 1 (spend 10, 20), 3 (30, no compared); compared: 1 (4, 6), 2 (100). */
    struct rec t[] = {{0, 1, 10}, {0, 1, 20}, {0, 3, 30}}, c[] = {{0, 1, 4}, {0, 1, 6}, {0, 2, 100}};
    struct match_side ts = {t, 3, sizeof t[0], offsetof(struct rec, stratum), 1, {offsetof(struct rec, spend)}};
    struct match_side cs = {c, 3, sizeof c[0], offsetof(struct rec, stratum), 1, {offsetof(struct rec, spend)}};
    struct match m;
    assert_int_equal(match_strata(&ts, &cs, &m), TD_OK);
    assert_int_equal(m.nspan, 1);
    assert_int_equal(m.treated, 2);
    assert_int_equal(m.compared, 2);
    assert_int_equal(m.treated_unmatched, 1);
    assert_true(m.sums.n == 2 && m.sums.t[0] == 30 && m.sums.c[0] == 10 && m.sums.d[0] == 20);
    match_free(&m);
    assert_null(m.span);
}

TD_TEST_MAIN("unit_insight_match", NULL, NULL,
             cmocka_unit_test(the_interval_holds_the_difference),
             cmocka_unit_test(strata_are_kept_apart),
             cmocka_unit_test(too_few_is_not_estimable),
             cmocka_unit_test(the_same_data_the_same_interval),
             cmocka_unit_test(matching_counts_and_sums))
