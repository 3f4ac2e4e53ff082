/* test_insight_daily.c — the daily rollup's calendar: the Amsterdam day of
 * instants around both summer-time switches and midnight (a table), and the
 * summer-time table migration 0019 backfills with, year by year against
 * core/clock's clock_amsterdam_offset() (the rule the live rollup uses), so
 * a database backfilled and one counted event by event put a case on the
 * same day. The counts themselves are tested over HTTP on both backends
 * (tests/api/test_insight_daily.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "db/db_backend.h"
#include "domain/insight_daily.h"
#include "cmocka_main.h"

#define S 1000000LL

/* Days since 1970-01-01 of a few dates, and UTC instants (Python's
 * calendar.timegm) around them. */
#define D_2026_03_28 20540
#define D_2026_03_29 20541
#define D_2026_10_24 20750
#define D_2026_10_25 20751
#define D_2026_12_31 20818
#define T_2026_03_29_0100Z 1774746000LL   /* CET -> CEST */
#define T_2026_10_25_0100Z 1792890000LL   /* CEST -> CET */

static void amsterdam_days(void **state)
{
    (void)state;
    static const struct { int64_t utc_s, day; const char *why; } rows[] = {
        {T_2026_03_29_0100Z - 2 * 3600 - 1, D_2026_03_28, "23:59:59 CET on the 28th"},
        {T_2026_03_29_0100Z - 2 * 3600, D_2026_03_29, "midnight CET: 23:00 UTC"},
        {T_2026_03_29_0100Z - 1, D_2026_03_29, "01:59:59 CET, the last second of winter time"},
        {T_2026_03_29_0100Z + 21 * 3600 - 1, D_2026_03_29, "23:59:59 CEST on the 29th"},
        {T_2026_03_29_0100Z + 21 * 3600, D_2026_03_29 + 1, "midnight CEST: 22:00 UTC"},
        {T_2026_10_25_0100Z - 3 * 3600 - 1, D_2026_10_24, "23:59:59 CEST on the 24th"},
        {T_2026_10_25_0100Z - 3 * 3600, D_2026_10_25, "midnight CEST: 22:00 UTC"},
        {T_2026_10_25_0100Z + 22 * 3600 - 1, D_2026_10_25, "23:59:59 CET on the 25th (a day of 25 hours)"},
        {T_2026_10_25_0100Z + 22 * 3600, D_2026_10_25 + 1, "midnight CET: 23:00 UTC"},
        {(D_2026_12_31 + 1) * 86400LL - 3600 - 1, D_2026_12_31, "the year's last second"},
        {(D_2026_12_31 + 1) * 86400LL - 3600, D_2026_12_31 + 1, "new year in Amsterdam, 23:00 UTC"},
        {0, 0, "1970-01-01T00:00Z is 01:00 there"},
        {-3600, 0, "midnight of 1970-01-01 there"},
        {-3601, -1, "before it"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t got = insight_daily_day(rows[i].utc_s * S);
        if (got != rows[i].day) fail_msg("row %zu (%s): day %lld, wanted %lld", i, rows[i].why, (long long)got,
                                         (long long)rows[i].day);
    }
}

static void the_backfill_summer_time_is_the_clocks(void **state)
{
    (void)state;
    const char *sql = NULL;
    for (size_t i = 0; i < db_migrations_count; i++)
        if (db_migrations[i].version == 19) sql = db_migrations[i].sql;
    assert_non_null(sql);
    const char *p = strstr(sql, "INSERT INTO insight_dst (starts_us, ends_us) VALUES");
    assert_non_null(p);
    p += strlen("INSERT INTO insight_dst (starts_us, ends_us) VALUES");
    int years = 0;
    long long a, b;
    int used;
    for (p = strchr(p, '('); p && sscanf(p, "(%lld, %lld)%n", &a, &b, &used) == 2; p = strchr(p + used, '(')) {
        /* Summer time starts at a and ends at b, to the second, as the clock says. */
        int64_t s = a / S, e = b / S;
        if (a % S || b % S || clock_amsterdam_offset(s - 1) != 3600 || clock_amsterdam_offset(s) != 7200 ||
            clock_amsterdam_offset(e - 1) != 7200 || clock_amsterdam_offset(e) != 3600)
            fail_msg("year %d of the table (%lld, %lld) is not the clock's summer time", 1970 + years, a, b);
        years++;
        if (p[used] == ';') break;
    }
    assert_int_equal(years, 2100 - 1970 + 1);
}

TD_TEST_MAIN("unit_insight_daily", NULL, NULL,
             cmocka_unit_test(amsterdam_days),
             cmocka_unit_test(the_backfill_summer_time_is_the_clocks))
