/* test_coaching.c — coaching.h's pure part: the binomial control limits on
 * a table (values worked out apart from this code, summing exact binomial
 * probabilities with Python's math.comb), the bands of points against them, the curves'
 * shape, each rate's k of n, and the Amsterdam dates of a period as the UTC
 * days of nps_counts; and the day rows (coaching_days) on SQLite and, with
 * TRUSTDESK_TEST_PG, PostgreSQL: filled by migration 0020 for the cases
 * resolved before it, and added to by the RESOLVED subscriber on the case's
 * Amsterdam date; the month rows (coaching_months, migration 0024) beside
 * them, coaching_month_of() against the calendar, and a period read from
 * whole months and the days at its edges alike. The figures read over HTTP
 * are tests/api/test_coaching.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "db/db.h"
#include "domain/coaching.h"
#include "domain/events.h"
#include "domain/policy.h"
#include "fixture.h"
#include "cmocka_main.h"

static void near(double got, double want, const char *what, size_t row)
{
    if (fabs(got - want) > 1e-9) fail_msg("row %zu, %s: %.12f, wanted %.12f", row, what, got, want);
}

static void limits_on_a_table(void **state)
{
    (void)state;
    static const struct {
        double p0;
        int64_t n;
        double low95, high95, low998, high998;
    } rows[] = {
        {0.2, 10, 0, 0.47949388292100464, 0, 0.6475360398065373},
        {0.2, 50, 0.09440482201226906, 0.31709388335205463, 0.04477614320750776, 0.3891440976750007},
        {0.05, 12, 0, 0.20375151811223047, 0, 0.34186679486446286},       /* below zero, the normal limits would go */
        {0.5, 1, 0, 1, 0, 1},                                              /* one case tells nothing */
        {0.5, 100, 0.401824041726007, 0.598175958273993, 0.3462158837225012, 0.6537841162774984},   /* symmetric */
        {7.0 / 24, 10, 0.028625462298341953, 0.6006932094596931, 0, 0.7749568304140508},
        {7.0 / 24, 4, 0, 0.8118311610358436, 0, 1},
        {0.3, 200, 0.2375305370686571, 0.36454077534921175, 0.20302326021092873, 0.4026054062283396},
        {0, 30, 0, 0, 0, 0},                                               /* a store that never does it */
        {1, 30, 1, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct coaching_limits l;
        coaching_limits_of(rows[i].p0, rows[i].n, &l);
        near(l.low95, rows[i].low95, "low95", i);
        near(l.high95, rows[i].high95, "high95", i);
        near(l.low998, rows[i].low998, "low998", i);
        near(l.high998, rows[i].high998, "high998", i);
    }
    /* Thousands of cases: no underflow, and close to the normal limits. */
    struct coaching_limits l;
    coaching_limits_of(0.1, 20000, &l);
    double half = 1.959963984540054 * sqrt(0.1 * 0.9 / 20000);
    assert_true(fabs(l.low95 - (0.1 - half)) < 2e-4 && fabs(l.high95 - (0.1 + half)) < 2e-4);
}

static void bands_of_points(void **state)
{
    (void)state;
    static const struct {
        int64_t k, n;
        double p0;
        int band;
    } rows[] = {
        {2, 10, 0.2, 0},      /* at the centre */
        {4, 10, 0.2, 0},      /* 0.40 < 0.479 */
        {5, 10, 0.2, 1},      /* 0.50 > 0.479, < 0.648 */
        {7, 10, 0.2, 2},      /* 0.70 > 0.648 */
        {0, 10, 0.2, 0},      /* nothing is below 0 */
        {4, 50, 0.2, -1},     /* 0.08 < 0.094, > 0.045 */
        {2, 50, 0.2, -2},     /* 0.04 < 0.045 */
        {1, 1, 0.5, 0},
        {6, 10, 7.0 / 24, 0}, /* 0.6 < 0.6007: just inside */
        {7, 10, 7.0 / 24, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int b = coaching_band(rows[i].k, rows[i].n, rows[i].p0);
        if (b != rows[i].band) fail_msg("row %zu: %lld of %lld at %g is band %d, wanted %d", i, (long long)rows[i].k,
                                        (long long)rows[i].n, rows[i].p0, b, rows[i].band);
    }
}

static void curves_narrow_towards_many_cases(void **state)
{
    (void)state;
    struct coaching_curve_point c[COACHING_CURVE_MAX];
    size_t m = coaching_curve(0.3, 220, c, COACHING_CURVE_MAX);
    assert_true(m > 10 && m <= COACHING_CURVE_MAX);
    assert_int_equal(c[0].n, 1);
    assert_int_equal(c[9].n, 10);                  /* every whole number to 10 */
    assert_int_equal(c[m - 1].n, 220);             /* and the top itself */
    for (size_t i = 1; i < m; i++) {
        assert_true(c[i].n > c[i - 1].n);
        assert_true(c[i].l.low998 <= c[i].l.low95 && c[i].l.low95 <= 0.3 && 0.3 <= c[i].l.high95 &&
                    c[i].l.high95 <= c[i].l.high998);
    }
    assert_true(c[m - 1].l.high95 - c[m - 1].l.low95 < c[10].l.high95 - c[10].l.low95);
    /* A small cap still ends at the top. */
    m = coaching_curve(0.3, 100000, c, 8);
    assert_int_equal(m, 8);
    assert_int_equal(c[7].n, 100000);
    assert_int_equal(coaching_curve(0.3, 0, c, COACHING_CURVE_MAX), 1);
}

static void rates_of_a_person(void **state)
{
    (void)state;
    struct coaching_person p = {.cases = 12, .overrides = 3, .goodwill_cases = 5, .promoters = 6, .passives = 2,
                                .detractors = 1};
    p.by_resolution[POLICY_RES_DECLINE] = 2;
    p.by_resolution[POLICY_RES_REFER_ELSEWHERE] = 1;
    static const struct {
        enum coaching_rate rate;
        int64_t k, n;
        int answers;
    } rows[] = {
        {COACHING_OVERRIDE, 3, 12, 0}, {COACHING_GOODWILL, 5, 12, 0}, {COACHING_DECLINE, 2, 12, 0},
        {COACHING_REFERRAL, 1, 12, 0}, {COACHING_PROMOTER, 6, 9, 1},  {COACHING_DETRACTOR, 1, 9, 1},
    };
    assert_int_equal(sizeof rows / sizeof rows[0], COACHING_RATES);
    for (size_t i = 0; i < COACHING_RATES; i++) {
        int64_t k, n;
        coaching_rate_of(&p, rows[i].rate, &k, &n);
        if (k != rows[i].k || n != rows[i].n) fail_msg("row %zu: %lld of %lld", i, (long long)k, (long long)n);
        assert_int_equal(coaching_rate_counts_answers(rows[i].rate), rows[i].answers);
    }
    int v;
    assert_int_equal(enum_map_value(&coaching_rate_map, "promoter", &v), TD_OK);
    assert_int_equal(v, COACHING_PROMOTER);
}

static void amsterdam_dates_as_days(void **state)
{
    (void)state;
    /* 1 to 31 March 2026: midnight in Amsterdam is 23:00 UTC the day before
     * in winter, 22:00 after the clocks go forward on the 29th. */
    int64_t from, to, fd, td, want_from, want_to;
    assert_int_equal(clock_parse("2026-03-01T00:00:00+01:00", &from), TD_OK);
    assert_int_equal(clock_parse("2026-04-01T00:00:00+02:00", &to), TD_OK);
    coaching_days_of(from, to, &fd, &td);
    assert_int_equal(clock_parse("2026-03-01T00:00:00Z", &want_from), TD_OK);
    assert_int_equal(clock_parse("2026-03-31T00:00:00Z", &want_to), TD_OK);
    assert_int_equal(fd, want_from / (86400LL * 1000000));
    assert_int_equal(td, want_to / (86400LL * 1000000));
}

/* 2026-01-15 10:00 UTC, and 23:30 UTC that day: already the 16th in Amsterdam. */
#define MORNING 1768471200000000LL
#define LATE (MORNING + 13LL * 3600 * 1000000 + 30LL * 60 * 1000000)

static void day_rows_from_before_and_as_resolved(void **state)
{
    (void)state;
    struct fixture f;
    assert_int_equal(fixture_open(&f, "coaching", 1, 0), 0);
    assert_int_equal(db_migrate_to(f.db, 19), TD_OK);
    /* Before 0020: Ria resolved two complaints as recommended and declined
     * one against it; one case of hers is still open. */
    assert_int_equal(db_exec(f.db, "INSERT INTO stores (code, name, city, created_at) VALUES ('UTR01', 'Utrecht', 'Utrecht', 0)"), TD_OK);
    assert_int_equal(db_exec(f.db, "INSERT INTO staff (login, name, role, store_id, password_hash, created_at, updated_at)"
                                   " VALUES ('ria', 'Ria', 'associate', 1, 'x', 0, 0)"), TD_OK);
    char sql[700];
    snprintf(sql, sizeof sql,
             "INSERT INTO cases (store_id, associate_id, kind, receipt, customer_words, status, created_at, updated_at,"
             " resolution, override_reason, resolved_at, resolved_by) VALUES"
             " (1, 1, 'complaint', 0, 'x', 'resolved', 0, 0, 'store_credit', NULL, %lld, 1),"
             " (1, 1, 'complaint', 0, 'x', 'resolved', 0, 0, 'store_credit', NULL, %lld, 1),"
             " (1, 1, 'complaint', 0, 'x', 'followed_up', 0, 0, 'decline', 'Klant wilde geen bon', %lld, 1),"
             " (1, 1, 'complaint', 0, 'x', 'open', 0, 0, NULL, NULL, NULL, NULL)",
             (long long)MORNING, (long long)MORNING + 1, (long long)MORNING + 2);
    assert_int_equal(db_exec(f.db, sql), TD_OK);
    assert_int_equal(db_migrate(f.db), TD_OK);
    int64_t day = MORNING / FIXTURE_DAY;
    assert_int_equal(fixture_int(&f, "SELECT SUM(cases) FROM coaching_days"), 3);
    assert_int_equal(fixture_int(&f, "SELECT cases FROM coaching_days WHERE day = %lld AND staff_id = 1 AND"
                                     " resolution = 'store_credit' AND overridden = 0", (long long)day), 2);
    assert_int_equal(fixture_int(&f, "SELECT cases FROM coaching_days WHERE day = %lld AND resolution = 'decline'"
                                     " AND overridden = 1", (long long)day), 1);
    /* Migration 0024 adds them up into January's month row. */
    int64_t january = coaching_month_of(day);
    assert_int_equal(fixture_int(&f, "SELECT SUM(cases) FROM coaching_months WHERE month = %lld", (long long)january), 3);
    assert_int_equal(fixture_int(&f, "SELECT cases FROM coaching_months WHERE staff_id = 1 AND resolution = 'store_credit'"
                                     " AND overridden = 0"), 2);

    /* Resolved late in the evening: counted on Amsterdam's next day. */
    snprintf(sql, sizeof sql,
             "INSERT INTO cases (store_id, associate_id, kind, receipt, customer_words, status, created_at, updated_at,"
             " resolution, resolved_at, resolved_by) VALUES (1, 1, 'complaint', 0, 'x', 'resolved', 0, 0, 'decline', %lld, 1)",
             (long long)LATE);
    assert_int_equal(db_exec(f.db, sql), TD_OK);
    int64_t id = fixture_int(&f, "SELECT MAX(id) FROM cases");
    struct event ev = {.kind = EVENT_RESOLVED, .case_id = id};
    assert_int_equal(db_begin(f.db, 1), TD_OK);
    assert_int_equal(coaching_on_event(&f.c, &ev), TD_OK);
    assert_int_equal(coaching_on_event(&f.c, &ev), TD_OK);       /* a second case like it: the same row */
    ev.kind = EVENT_OPENED;
    assert_int_equal(coaching_on_event(&f.c, &ev), TD_OK);       /* not a resolution: nothing */
    assert_int_equal(db_commit(f.db), TD_OK);
    assert_int_equal(fixture_int(&f, "SELECT cases FROM coaching_days WHERE day = %lld AND resolution = 'decline'"
                                     " AND overridden = 0", (long long)day + 1), 2);
    assert_int_equal(fixture_int(&f, "SELECT SUM(cases) FROM coaching_days"), 5);
    assert_int_equal(fixture_int(&f, "SELECT cases FROM coaching_months WHERE month = %lld AND resolution = 'decline'"
                                     " AND overridden = 0", (long long)january), 2);
    assert_int_equal(fixture_int(&f, "SELECT SUM(cases) FROM coaching_months"), 5);
    assert_int_equal(fixture_close(&f), 0);
}

/* The first of the month of a day number, against the calendar: every day
 * from 1999 to 2101 (leap years, 2000 and 2100 among them). */
static void months_of_days(void **state)
{
    (void)state;
    int64_t start, end;
    assert_int_equal(clock_parse("1999-01-01T00:00:00Z", &start), TD_OK);
    assert_int_equal(clock_parse("2102-01-01T00:00:00Z", &end), TD_OK);
    int64_t first = start / FIXTURE_DAY;
    for (int64_t d = start / FIXTURE_DAY; d < end / FIXTURE_DAY; d++) {
        char t[40];
        clock_format_rfc3339(d * FIXTURE_DAY, t, sizeof t);
        if (strncmp(t + 8, "01", 2) == 0) first = d;
        if (coaching_month_of(d) != first) fail_msg("%.10s: month %lld, wanted %lld", t, (long long)coaching_month_of(d),
                                                     (long long)first);
    }
}

/* A case of Ria's resolved at the Amsterdam time s, counted by the
 * subscriber as the desk would. */
static void resolved_at(struct fixture *f, const char *s, const char *resolution)
{
    int64_t at;
    char sql[400];
    assert_int_equal(clock_parse(s, &at), TD_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO cases (store_id, associate_id, kind, receipt, customer_words, status, created_at, updated_at,"
             " resolution, resolved_at, resolved_by) VALUES (1, 1, 'complaint', 0, 'x', 'resolved', 0, 0, '%s', %lld, 1)",
             resolution, (long long)at);
    assert_int_equal(db_exec(f->db, sql), TD_OK);
    struct event ev = {.kind = EVENT_RESOLVED, .case_id = fixture_int(f, "SELECT MAX(id) FROM cases")};
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(coaching_on_event(&f->c, &ev), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
}

/* Ria's cases in the Amsterdam dates from .. to (both included). */
static int64_t cases_between(struct fixture *f, const char *from, const char *to, int64_t *declined)
{
    char a[40], b[40];
    struct coaching_query q = {.store_id = 1};
    snprintf(a, sizeof a, "%sT00:00:00", from);
    snprintf(b, sizeof b, "%sT00:00:00", to);
    assert_int_equal(clock_parse(a, &q.from_us), TD_OK);
    assert_int_equal(clock_parse(b, &q.to_us), TD_OK);
    q.to_us += FIXTURE_DAY + 3600LL * 1000000;                 /* the next Amsterdam midnight, whatever the offset */
    q.to_us -= (q.to_us + (int64_t)clock_amsterdam_offset(q.to_us / 1000000) * 1000000) % FIXTURE_DAY;
    struct coaching_report r;
    assert_int_equal(db_begin(f->db, 0), TD_OK);
    assert_int_equal(coaching_read(&f->c, &q, &r), TD_OK);
    db_rollback(f->db);
    assert_int_equal(r.n, 1);
    int64_t n = r.people[0].cases;
    *declined = r.people[0].by_resolution[POLICY_RES_DECLINE];
    coaching_report_free(&r);
    return n;
}

/* A period is its whole months (coaching_months) and the days before and
 * after them (coaching_days): every cut gives what the cases say. */
static void periods_from_months_and_days(void **state)
{
    (void)state;
    struct fixture f;
    int64_t declined;
    assert_int_equal(fixture_open(&f, "coaching_months", 1, 1), 0);
    assert_int_equal(db_exec(f.db, "INSERT INTO stores (code, name, city, created_at) VALUES ('UTR01', 'Utrecht', 'Utrecht', 0)"), TD_OK);
    assert_int_equal(db_exec(f.db, "INSERT INTO staff (login, name, role, store_id, password_hash, created_at, updated_at)"
                                   " VALUES ('ria', 'Ria', 'associate', 1, 'x', 0, 0)"), TD_OK);
    resolved_at(&f, "2026-01-31T23:30:00", "decline");        /* the last evening of January */
    resolved_at(&f, "2026-02-01T00:10:00", "refund");         /* 23:10 UTC: already February here */
    resolved_at(&f, "2026-02-14T12:00:00", "refund");
    resolved_at(&f, "2026-03-31T23:50:00", "decline");        /* summer time: 21:50 UTC */
    resolved_at(&f, "2026-04-01T00:05:00", "refund");
    assert_int_equal(fixture_int(&f, "SELECT COUNT(*) FROM coaching_months"), 4);
    assert_int_equal(cases_between(&f, "2026-01-01", "2026-04-30", &declined), 5);   /* four whole months */
    assert_int_equal(declined, 2);
    assert_int_equal(cases_between(&f, "2026-02-01", "2026-02-28", &declined), 2);   /* one whole month */
    assert_int_equal(declined, 0);
    assert_int_equal(cases_between(&f, "2026-01-31", "2026-03-31", &declined), 4);   /* a day, two months */
    assert_int_equal(declined, 2);
    assert_int_equal(cases_between(&f, "2026-02-02", "2026-03-30", &declined), 1);   /* March is not whole */
    assert_int_equal(cases_between(&f, "2026-01-15", "2026-04-01", &declined), 5);   /* edges on both sides */
    assert_int_equal(cases_between(&f, "2026-02-01", "2026-02-01", &declined), 1);   /* one day */
    assert_int_equal(cases_between(&f, "2026-04-02", "2026-12-31", &declined), 0);
    assert_int_equal(fixture_close(&f), 0);
}

TD_TEST_MAIN("unit_coaching", NULL, NULL, cmocka_unit_test(limits_on_a_table), cmocka_unit_test(bands_of_points),
             cmocka_unit_test(curves_narrow_towards_many_cases), cmocka_unit_test(rates_of_a_person),
             cmocka_unit_test(amsterdam_dates_as_days), cmocka_unit_test(day_rows_from_before_and_as_resolved),
             cmocka_unit_test(months_of_days), cmocka_unit_test(periods_from_months_and_days))
