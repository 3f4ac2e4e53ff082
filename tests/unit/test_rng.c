/* test_rng.c — the seeded generator: the same stream for the same (seed,
 * kind, index) on every machine, streams that do not follow each other,
 * draws within their ranges and about as often as they should be. Every
 * seed is fixed, so the statistical bounds below either always hold or
 * never do: they cannot flake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>
#include "core/rng.h"

/* xoshiro256** from the state {1, 2, 3, 4}: the algorithm's reference
 * outputs, so a change to the generator (and with it to every demo) fails. */
static void reference_outputs(void **state)
{
    (void)state;
    struct rng r = {{1, 2, 3, 4}};
    assert_true(rng_next(&r) == 11520u);
    assert_true(rng_next(&r) == 0u);
    assert_true(rng_next(&r) == 1509978240u);
    assert_true(rng_next(&r) == 1215971899390074240u);
}

/* The stream for (seed 42, kind 1, index 7), pinned: splitmix64 seeding as
 * the demo has always used it. */
static void same_stream_same_numbers(void **state)
{
    (void)state;
    struct rng a, b;
    rng_stream(&a, 42, 1, 7);
    rng_stream(&b, 42, 1, 7);
    for (int i = 0; i < 10000; i++) assert_true(rng_next(&a) == rng_next(&b));
    rng_stream(&a, 42, 1, 7);
    assert_true(rng_next(&a) == 0xb8a7727e3fb3004full);
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

/* Streams that differ in one of seed, kind or index: no two of 3000 start
 * alike, and neighbours agree on about half their bits (0.5 +- 0.01 over
 * 64 x 1000 x 64 bits; a correlated pair would sit far off). */
static void streams_are_independent(void **state)
{
    (void)state;
    enum { N = 1000 };
    static uint64_t first[3 * N];
    for (int i = 0; i < N; i++) {
        struct rng r;
        rng_stream(&r, 1, 1, (uint64_t)i);
        first[i] = rng_next(&r);
        rng_stream(&r, 1, 2, (uint64_t)i);
        first[N + i] = rng_next(&r);
        rng_stream(&r, 2, 1, (uint64_t)i);
        first[2 * N + i] = rng_next(&r);
    }
    for (int i = 0; i < 3 * N; i++)
        for (int j = i + 1; j < 3 * N; j++) assert_true(first[i] != first[j]);
    long long same = 0, bits = 0;
    for (int i = 0; i + 1 < N; i++) {
        struct rng a, b, c;
        rng_stream(&a, 1, 1, (uint64_t)i);
        rng_stream(&b, 1, 1, (uint64_t)i + 1);
        rng_stream(&c, 1, 2, (uint64_t)i);
        for (int k = 0; k < 32; k++) {
            uint64_t x = rng_next(&a);
            same += 64 - popcount64(x ^ rng_next(&b));
            same += 64 - popcount64(x ^ rng_next(&c));
            bits += 128;
        }
    }
    double share = (double)same / (double)bits;
    assert_true(share > 0.49 && share < 0.51);
}

/* Each draw takes exactly one number from the stream, whatever it asks. */
static void one_number_per_draw(void **state)
{
    (void)state;
    struct rng base, a, b;
    rng_stream(&base, 9, 3, 0);
    for (int f = 0; f < 4; f++) {
        a = b = base;
        switch (f) {
        case 0: (void)rng_below(&a, 7); break;
        case 1: (void)rng_unit(&a); break;
        case 2: (void)rng_pct(&a, 50); break;
        default: (void)rng_front(&a, 100); break;
        }
        (void)rng_next(&b);
        assert_memory_equal(a.s, b.s, sizeof a.s);
    }
}

/* rng_below stays below n and fills ten buckets evenly: a chi-square of 9
 * degrees of freedom, at most 27.9 (p = 0.001 for a fair generator). */
static void below_in_range_and_even(void **state)
{
    (void)state;
    struct rng r;
    rng_stream(&r, 5, 1, 0);
    static const uint32_t ns[] = {1, 2, 3, 10, 100, 1000, 65537, UINT32_MAX};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
        for (int i = 0; i < 10000; i++) assert_true(rng_below(&r, ns[k]) < ns[k]);
    enum { DRAWS = 100000 };
    long count[10] = {0};
    for (int i = 0; i < DRAWS; i++) count[rng_below(&r, 10)]++;
    double chi = 0;
    for (int b = 0; b < 10; b++) {
        double d = (double)count[b] - DRAWS / 10.0;
        chi += d * d / (DRAWS / 10.0);
    }
    assert_true(chi < 27.9);
}

static void unit_and_pct(void **state)
{
    (void)state;
    struct rng r;
    rng_stream(&r, 6, 1, 0);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_unit(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    assert_true(sum / 100000 > 0.49 && sum / 100000 < 0.51);
    int yes = 0;
    for (int i = 0; i < 100000; i++) {
        assert_false(rng_pct(&r, 0));
        assert_true(rng_pct(&r, 100));
        yes += rng_pct(&r, 30);
    }
    assert_true(yes > 29000 && yes < 31000);
}

/* rng_front: within [0, n), the front far more often than the back, and
 * index 0 about n^(-1/1.3) of the time (2.9 % for 100). */
static void front_favours_the_front(void **state)
{
    (void)state;
    struct rng r;
    rng_stream(&r, 7, 1, 0);
    long count[100] = {0};
    for (int i = 0; i < 100000; i++) {
        uint32_t k = rng_front(&r, 100);
        assert_true(k < 100);
        count[k]++;
    }
    assert_true(count[0] > 2600 && count[0] < 3200);
    assert_true(count[0] > 3 * count[99]);
    assert_true(count[99] > 0);
    assert_int_equal(rng_front(&r, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_outputs),
        cmocka_unit_test(same_stream_same_numbers),
        cmocka_unit_test(streams_are_independent),
        cmocka_unit_test(one_number_per_draw),
        cmocka_unit_test(below_in_range_and_even),
        cmocka_unit_test(unit_and_pct),
        cmocka_unit_test(front_favours_the_front),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
