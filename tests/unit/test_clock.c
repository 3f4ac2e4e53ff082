/* test_clock.c — tables for core/clock: parsing dates and RFC 3339 times,
 * Europe/Amsterdam local times around both DST switches, formatting and
 * round trips, and the Amsterdam offset (checked against the system's tzdata
 * when it is installed). */
#define _GNU_SOURCE      /* tm_gmtoff */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "fixture.h"

#define S 1000000LL      /* microseconds per second */

/* UTC seconds of a few instants (computed independently with Python's
 * calendar.timegm). */
#define T_2026_01_01 1767225600LL
#define T_2026_03_29_0100Z 1774746000LL   /* CET -> CEST */
#define T_2026_10_25_0100Z 1792890000LL   /* CEST -> CET */
#define T_2026_07_15_1000Z 1784109600LL
#define T_2024_02_29_1200Z 1709208000LL

static const struct parse_case parse_cases[] = {
    /* RFC 3339 with a zone */
    {"2026-01-01T00:00:00Z", TD_OK, T_2026_01_01 * S},
    {"2026-01-01t00:00:00z", TD_OK, T_2026_01_01 * S},
    {"2026-01-01T01:00:00+01:00", TD_OK, T_2026_01_01 * S},
    {"2025-12-31T19:30:00-04:30", TD_OK, T_2026_01_01 * S},
    {"2026-01-01T00:00:00+00:00", TD_OK, T_2026_01_01 * S},
    {"2026-01-01T00:00:00-00:00", TD_OK, T_2026_01_01 * S},
    {"2026-07-15T12:00:00+02:00", TD_OK, T_2026_07_15_1000Z * S},
    {"2026-07-15T10:00Z", TD_OK, T_2026_07_15_1000Z * S},           /* seconds optional */
    {"2026-07-15 10:00:00Z", TD_OK, T_2026_07_15_1000Z * S},        /* space instead of T */
    {"2024-02-29T12:00:00Z", TD_OK, T_2024_02_29_1200Z * S},
    {"1970-01-01T00:00:00Z", TD_OK, 0},
    {"1969-12-31T23:59:59Z", TD_OK, -1 * S},
    {"2000-03-01T00:00:00Z", TD_OK, 951868800LL * S},
    {"9999-12-31T23:59:59Z", TD_OK, 253402300799LL * S},
    {"0001-01-01T00:00:00Z", TD_OK, -62135596800LL * S},
    /* fractions: up to microseconds; further digits are cut, not rounded */
    {"2026-01-01T00:00:00.5Z", TD_OK, T_2026_01_01 * S + 500000},
    {"2026-01-01T00:00:00.000001Z", TD_OK, T_2026_01_01 * S + 1},
    {"2026-01-01T00:00:00.123456Z", TD_OK, T_2026_01_01 * S + 123456},
    {"2026-01-01T00:00:00.1234569Z", TD_OK, T_2026_01_01 * S + 123456},
    {"2026-01-01T00:00:00,25Z", TD_OK, T_2026_01_01 * S + 250000},
    {"2026-01-01T01:00:00.75+01:00", TD_OK, T_2026_01_01 * S + 750000},
    /* a leap second is read as the first second of the next minute */
    {"2016-12-31T23:59:60Z", TD_OK, 1483228800LL * S},
    /* local Amsterdam time: winter (CET, +1) and summer (CEST, +2) */
    {"2026-01-01", TD_OK, (T_2026_01_01 - 3600) * S},
    {"2026-01-01 01:00", TD_OK, T_2026_01_01 * S},
    {"2026-01-01T01:00:00", TD_OK, T_2026_01_01 * S},
    {"2026-07-15 12:00:00", TD_OK, T_2026_07_15_1000Z * S},
    {"2026-07-15T12:00:00.5", TD_OK, T_2026_07_15_1000Z * S + 500000},
    /* spring forward, 2026-03-29: 02:00 CET jumps to 03:00 CEST */
    {"2026-03-29 00:30", TD_OK, (T_2026_03_29_0100Z - 5400) * S},
    {"2026-03-29 01:59:59", TD_OK, (T_2026_03_29_0100Z - 1) * S},
    {"2026-03-29 03:00:00", TD_OK, T_2026_03_29_0100Z * S},
    {"2026-03-29 03:30", TD_OK, (T_2026_03_29_0100Z + 1800) * S},
    /* 02:00-02:59 does not exist that night; it is read with the winter
     * offset, i.e. as the instant an hour later on the summer clock. */
    {"2026-03-29 02:00", TD_OK, T_2026_03_29_0100Z * S},
    {"2026-03-29 02:30", TD_OK, (T_2026_03_29_0100Z + 1800) * S},
    /* fall back, 2026-10-25: 03:00 CEST goes back to 02:00 CET */
    {"2026-10-25 01:30", TD_OK, (T_2026_10_25_0100Z - 5400) * S},
    {"2026-10-25 01:59:59", TD_OK, (T_2026_10_25_0100Z - 3601) * S},
    {"2026-10-25 03:00", TD_OK, (T_2026_10_25_0100Z + 3600) * S},
    {"2026-10-25 03:30", TD_OK, (T_2026_10_25_0100Z + 5400) * S},
    /* 02:00-02:59 happens twice that night; the parser takes the second
     * (winter) occurrence. A POS that needs the first must send a zone. */
    {"2026-10-25 02:00", TD_OK, T_2026_10_25_0100Z * S},
    {"2026-10-25 02:30", TD_OK, (T_2026_10_25_0100Z + 1800) * S},
    {"2026-10-25T02:30:00+02:00", TD_OK, (T_2026_10_25_0100Z - 1800) * S},
    /* invalid dates */
    {"2026-02-29", TD_E_INVALID, 0},
    {"2100-02-29", TD_E_INVALID, 0},
    {"2000-02-29", TD_OK, 951778800LL * S},     /* 2000-02-29 00:00 CET */
    {"2026-02-30", TD_E_INVALID, 0},
    {"2026-04-31", TD_E_INVALID, 0},
    {"2026-06-31", TD_E_INVALID, 0},
    {"2026-09-31", TD_E_INVALID, 0},
    {"2026-11-31", TD_E_INVALID, 0},
    {"2026-13-01", TD_E_INVALID, 0},
    {"2026-00-10", TD_E_INVALID, 0},
    {"2026-01-00", TD_E_INVALID, 0},
    {"2026-01-32", TD_E_INVALID, 0},
    /* invalid times and zones */
    {"2026-01-01T24:00:00Z", TD_E_INVALID, 0},
    {"2026-01-01T23:60:00Z", TD_E_INVALID, 0},
    {"2026-01-01T23:59:61Z", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00+24:00", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00+01:60", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00+0100", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00+01", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00.Z", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00 Z", TD_E_INVALID, 0},
    {"2026-01-01T10:00:00ZZ", TD_E_INVALID, 0},
    {"2026-01-01T10", TD_E_INVALID, 0},
    {"2026-01-01T10:0", TD_E_INVALID, 0},
    {"2026-01-01T", TD_E_INVALID, 0},
    {"2026-01-01 ", TD_E_INVALID, 0},
    {"2026-01-01Z", TD_E_INVALID, 0},
    /* instants outside the years 0000..9999 UTC (found by fuzz_text's
     * round-trip property: they formatted as "-001-..." and "10000-...") */
    {"0000-01-01T00:00:00+01:00", TD_E_INVALID, 0},
    {"0000-01-01 00:30", TD_E_INVALID, 0},                  /* local, UTC 23:30 the year before */
    {"9999-12-31T23:59:59-01:00", TD_E_INVALID, 0},
    {"0000-01-01T00:00:00Z", TD_OK, -62167219200LL * S},
    {"0000-01-01T01:00:00+01:00", TD_OK, -62167219200LL * S},
    {"9999-12-31T23:59:59.999999Z", TD_OK, 253402300799LL * S + 999999},
    {"9999-12-31 23:59:59", TD_OK, (253402300799LL - 3600) * S},
    /* not dates at all */
    {"", TD_E_INVALID, 0},
    {"2026", TD_E_INVALID, 0},
    {"2026-1-01", TD_E_INVALID, 0},
    {"26-01-01", TD_E_INVALID, 0},
    {"01-01-2026", TD_E_INVALID, 0},
    {"2026/01/01", TD_E_INVALID, 0},
    {"+2026-01-01", TD_E_INVALID, 0},
    {"tomorrow", TD_E_INVALID, 0},
    {"1767225600", TD_E_INVALID, 0},
};

static void parse_table(void **state) { (void)state; FIXTURE_PARSES(clock_parse, parse_cases); }

static const struct { int64_t us; const char *want; } format_cases[] = {
    {0, "1970-01-01T00:00:00Z"},
    {1, "1970-01-01T00:00:00.000001Z"},
    {-1, "1969-12-31T23:59:59.999999Z"},
    {-1 * S, "1969-12-31T23:59:59Z"},
    {T_2026_01_01 * S, "2026-01-01T00:00:00Z"},
    {T_2026_01_01 * S + 500000, "2026-01-01T00:00:00.500000Z"},
    {T_2024_02_29_1200Z * S, "2024-02-29T12:00:00Z"},
    {253402300799LL * S, "9999-12-31T23:59:59Z"},
    {-62135596800LL * S, "0001-01-01T00:00:00Z"},
};

static void format_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        char out[40];
        clock_format_rfc3339(format_cases[i].us, out, sizeof out);
        if (strcmp(out, format_cases[i].want) != 0)
            fail_msg("clock_format_rfc3339(%lld) = \"%s\", want \"%s\"", (long long)format_cases[i].us, out,
                     format_cases[i].want);
    }
}

static void format_truncates_safely(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'X', sizeof out);
    clock_format_rfc3339(T_2026_01_01 * S, out, sizeof out);
    assert_string_equal(out, "2026-01");
}

/* Whatever is formatted parses back to the same instant, over a wide range
 * of instants with and without fractions (a simple LCG picks them). */
static void round_trip(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    const int64_t lo = -62135596800LL * S, hi = 253402300799LL * S;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t us = lo + (int64_t)(x % (uint64_t)(hi - lo));
        if (i % 3 == 0) us -= us % S;                 /* whole seconds too */
        char out[40];
        clock_format_rfc3339(us, out, sizeof out);
        int64_t back = 0;
        if (clock_parse(out, &back) != TD_OK) fail_msg("cannot parse \"%s\"", out);
        if (back != us) fail_msg("\"%s\": %lld != %lld", out, (long long)back, (long long)us);
    }
}

static const struct { int64_t t; int off; } offset_cases[] = {
    {T_2026_01_01, 3600},
    {T_2026_07_15_1000Z, 7200},
    {T_2026_03_29_0100Z - 1, 3600},
    {T_2026_03_29_0100Z, 7200},
    {T_2026_10_25_0100Z - 1, 7200},
    {T_2026_10_25_0100Z, 3600},
    {1743296400LL - 1, 3600}, {1743296400LL, 7200},       /* 2025-03-30 */
    {1761440400LL - 1, 7200}, {1761440400LL, 3600},       /* 2025-10-26 */
    {1806195600LL - 1, 3600}, {1806195600LL, 7200},       /* 2027-03-28 */
    {1824944400LL - 1, 7200}, {1824944400LL, 3600},       /* 2027-10-31 */
    {1798758000LL, 3600},                                 /* 2026-12-31 23:00Z */
};

static void offset_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof offset_cases / sizeof offset_cases[0]; i++)
        if (clock_amsterdam_offset(offset_cases[i].t) != offset_cases[i].off)
            fail_msg("clock_amsterdam_offset(%lld) = %d, want %d", (long long)offset_cases[i].t,
                     clock_amsterdam_offset(offset_cases[i].t), offset_cases[i].off);
}

/* Makes the system's tzdata for Amsterdam localtime_r()'s zone, the oracle
 * of the two tests below; skips the test on a machine without it. */
static void amsterdam_tzdata_or_skip(void)
{
    if (access("/usr/share/zoneinfo/Europe/Amsterdam", R_OK) != 0) skip();
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
}

/* The EU rule has held since 1996; compare with the system's tzdata every
 * 20 minutes (and at every switch) from 1997 to 2037. */
static void offset_matches_tzdata(void **state)
{
    (void)state;
    amsterdam_tzdata_or_skip();
    const time_t from = 852076800;     /* 1997-01-01 */
    const time_t to = 2145916800;      /* 2038-01-01 */
    int prev = -1, switches = 0;
    for (time_t t = from; t < to; t += 1200) {
        struct tm tm;
        assert_non_null(localtime_r(&t, &tm));
        int got = clock_amsterdam_offset((int64_t)t);
        if (got != tm.tm_gmtoff) fail_msg("at %lld: %d, tzdata says %ld", (long long)t, got, tm.tm_gmtoff);
        if (prev != -1 && got != prev) {
            switches++;
            /* the second before the switch still has the old offset */
            time_t b = t - 1200;
            for (time_t u = b; u < t; u++) {
                assert_non_null(localtime_r(&u, &tm));
                if (clock_amsterdam_offset((int64_t)u) != tm.tm_gmtoff) fail_msg("near switch at %lld", (long long)u);
            }
        }
        prev = got;
    }
    assert_int_equal(switches, 2 * 41);
    unsetenv("TZ");
    tzset();
}

/* A local time that exists exactly once parses back to its instant, with
 * tzdata's localtime_r() as the oracle. */
static void local_parse_matches_tzdata(void **state)
{
    (void)state;
    amsterdam_tzdata_or_skip();
    int checked = 0;
    for (time_t t = 1704067200; t < 1830297600; t += 3037) {     /* 2024 .. 2028 */
        struct tm tm;
        assert_non_null(localtime_r(&t, &tm));
        /* skip the doubled hour of a fall-back night */
        time_t back = t - 3600, fwd = t + 3600;
        struct tm tb, tf;
        assert_non_null(localtime_r(&back, &tb));
        assert_non_null(localtime_r(&fwd, &tf));
        if (tb.tm_gmtoff != tm.tm_gmtoff || tf.tm_gmtoff != tm.tm_gmtoff) continue;
        char s[40];
        snprintf(s, sizeof s, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        int64_t us = 0;
        assert_int_equal(clock_parse(s, &us), TD_OK);
        if (us != (int64_t)t * S) fail_msg("\"%s\": %lld, want %lld", s, (long long)(us / S), (long long)t);
        checked++;
    }
    assert_true(checked > 40000);
    unsetenv("TZ");
    tzset();
}

static void now_fixed_and_offset(void **state)
{
    (void)state;
    struct clock fixed = { .fixed_us = T_2026_01_01 * S };
    assert_int_equal(clock_now_us(&fixed), T_2026_01_01 * S);
    struct clock real = {0};
    struct clock ahead = { .offset_us = 86400 * S };
    int64_t a = clock_now_us(&real), b = clock_now_us(&ahead);
    assert_true(b - a >= 86400 * S);
    assert_true(b - a < 86400 * S + 10 * S);
    assert_true(a > T_2026_01_01 * S - 5LL * 365 * 86400 * S);   /* the machine's clock is roughly now */
    int64_t m1 = clock_mono_us(), m2 = clock_mono_us();
    assert_true(m2 >= m1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_table),
        cmocka_unit_test(format_table),
        cmocka_unit_test(format_truncates_safely),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(offset_table),
        cmocka_unit_test(offset_matches_tzdata),
        cmocka_unit_test(local_parse_matches_tzdata),
        cmocka_unit_test(now_fixed_and_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
