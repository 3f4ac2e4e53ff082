/* test_nps.c — GET /api/v1/nps and /api/v1/nps.csv over HTTP on SQLite or
 * (TRUSTDESK_TEST_PG) PostgreSQL, from answers this file posts on the
 * public survey page (the minimum set to 5 with TRUSTDESK_NPS_MIN_ANSWERS):
 *
 * - exact counts, NPS and 95 % interval per store, associate, kind and the
 *   total; a changed answer counted once, as its last score;
 * - "too few answers" at 4 answers, a score at 5 (the boundary);
 * - scoping: an associate only their own figure, a manager their store's
 *   associates (another store 403), an admin every store; sorted by name;
 * - bad parameters 400 naming the field;
 * - the CSV bytes: a UTF-8 BOM, ';', decimal commas, CRLF, a filename;
 * - the .xlsx (nps.xlsx, ?format=xlsx) read back with unzip: the header,
 *   the figures as numbers, empty cells for too few answers, a frozen
 *   header; the follow-ups report as CSV and .xlsx with its intervals;
 * - the follow-ups report's shares with n and "too few" below the minimum;
 * - a bad TRUSTDESK_NPS_MIN_ANSWERS stops the server with exit 2
 *   (tests/unit/test_nps.c checks that its message names it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static struct server srv;
static struct client admin, anna, bram, sara, mark, piet, anon;

static int setup(void **state)
{
    (void)state;
    static const struct member members[] = {
        {"anna", "associate", "UTR01", &anna}, {"bram", "associate", "UTR01", &bram},
        {"sara", "associate", "AMS01", &sara}, {"mark", "manager", "UTR01", &mark},
        {"piet", "manager", "AMS01", &piet}, MEMBERS_END};
    return survey_chain_start(&srv, &admin, members, "5", &anon);
}

/* A complaint at c's desk in store, resolved as recommended; the path of
 * its survey's link, read from the outbox. */
static void asked(struct client *c, const char *store, long long cust, char *link, size_t n)
{
    service_complaint_resolved(c, store, cust);
    survey_last_link(&srv, link, n);
}

static void answer(const char *link, int score) { survey_answer(&anon, link, score); }

static void answers(struct client *c, const char *store, const int *scores, size_t n, char *last, size_t ln)
{
    char link[200];
    for (size_t i = 0; i < n; i++) {
        asked(c, store, customer_new(c, store), link, sizeof link);
        answer(link, scores[i]);
    }
    if (last) snprintf(last, ln, "%s", link);
}

/* A figure of an answer: n, promoters, passives, detractors, and the NPS
 * and interval to a tenth (NAN: none, too few). */
static void expect_figure(json_t *o, const char *what, long long n, long long p, long long pa, long long d, double score,
                          double low, double high)
{
    if (!o) fail_msg("%s: no such figure", what);
    if (jint(o, "n") != n || jint(o, "promoters") != p || jint(o, "passives") != pa || jint(o, "detractors") != d)
        fail_msg("%s: n %lld p %lld pa %lld d %lld", what, jint(o, "n"), jint(o, "promoters"), jint(o, "passives"),
                 jint(o, "detractors"));
    json_t *sc = json_object_get(o, "score");
    if (isnan(score)) {
        if (!json_is_null(sc) || !json_is_true(json_object_get(o, "too_few")))
            fail_msg("%s: a score below the minimum", what);
        assert_true(json_is_null(json_object_get(o, "low")) && json_is_null(json_object_get(o, "high")));
        return;
    }
    assert_true(json_is_false(json_object_get(o, "too_few")));
    double got[3] = {json_number_value(sc), json_number_value(json_object_get(o, "low")),
                     json_number_value(json_object_get(o, "high"))};
    double want[3] = {score, low, high};
    for (int i = 0; i < 3; i++)
        if (fabs(got[i] - want[i]) > 0.051) fail_msg("%s: %g, %g, %g; wanted %g, %g, %g", what, got[0], got[1], got[2],
                                                     score, low, high);
}

static json_t *item(json_t *j, size_t i) { return json_array_get(json_object_get(j, "items"), i); }

static const char *keys(json_t *j, char *out, size_t n) { return jjoin(j, "items", "key", out, n); }

static char anna_last[200];

static void figures_from_the_answers(void **state)
{
    (void)state;
    /* Anna: 10 10 9 7 3, the 3 changed to 9 within the day: 4 promoters,
     * a passive. Bram: 9 2 1 8 (four: too few). Sara: 10 x5 and 0. */
    answers(&anna, "UTR01", (const int[]){10, 10, 9, 7, 3}, 5, anna_last, sizeof anna_last);
    answer(anna_last, 9);
    answers(&bram, "UTR01", (const int[]){9, 2, 1, 8}, 4, NULL, 0);
    answers(&sara, "AMS01", (const int[]){10, 10, 10, 10, 10, 0}, 6, NULL, 0);

    struct resp r;
    char k[200];
    req_expect(&admin, "GET", "/api/v1/nps?by=associate", NULL, 200, &r);
    assert_string_equal(keys(r.json, k, sizeof k), "anna,bram,sara");         /* by name, not score */
    assert_int_equal(jint(r.json, "min_answers"), 5);
    expect_figure(item(r.json, 0), "anna", 5, 4, 1, 0, 80.0, 44.9, 100.0);
    expect_figure(item(r.json, 1), "bram (4)", 4, 1, 1, 2, NAN, 0, 0);
    expect_figure(item(r.json, 2), "sara", 6, 5, 0, 1, 66.7, 7.0, 100.0);
    resp_free(&r);

    req_expect(&admin, "GET", "/api/v1/nps?by=store", NULL, 200, &r);
    assert_string_equal(keys(r.json, k, sizeof k), "AMS01,UTR01");            /* Amsterdam before Utrecht */
    assert_string_equal(jstr(r.json, "items.1.label"), "Utrecht Centrum");
    expect_figure(item(r.json, 1), "UTR01", 9, 5, 2, 2, 33.3, -20.0, 86.7);
    expect_figure(json_object_get(r.json, "total"), "total", 15, 10, 2, 3, 46.7, 5.9, 87.4);
    resp_free(&r);

    req_expect(&admin, "GET", "/api/v1/nps?by=kind&store=UTR01", NULL, 200, &r);
    assert_string_equal(keys(r.json, k, sizeof k), "complaint");
    expect_figure(item(r.json, 0), "UTR01 complaints", 9, 5, 2, 2, 33.3, -20.0, 86.7);
    resp_free(&r);
    req_expect(&admin, "GET", "/api/v1/nps?by=resolution", NULL, 200, &r);
    assert_int_equal(jint(r.json, "total.n"), 15);
    resp_free(&r);
    req_expect(&admin, "GET", "/api/v1/nps?by=category", NULL, 200, &r);
    assert_string_equal(keys(r.json, k, sizeof k), "");                        /* no category on these cases */
    resp_free(&r);
    /* Another period holds none of it. */
    req_expect(&admin, "GET", "/api/v1/nps?from=2020-01-01&to=2020-03-31", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    assert_string_equal(jstr(r.json, "from"), "2020-01-01");
    resp_free(&r);
}

static void too_few_until_the_minimum(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&mark, "GET", "/api/v1/nps?by=associate", NULL, 200, &r);
    expect_figure(item(r.json, 1), "bram (4)", 4, 1, 1, 2, NAN, 0, 0);
    resp_free(&r);
    answers(&bram, "UTR01", (const int[]){10}, 1, NULL, 0);                  /* the fifth */
    req_expect(&mark, "GET", "/api/v1/nps?by=associate", NULL, 200, &r);
    expect_figure(item(r.json, 1), "bram (5)", 5, 2, 1, 2, 0.0, -78.4, 78.4);
    resp_free(&r);
}

/* GET path as c: 200, with the rows of these keys (joined by commas) and,
 * when field is set, that field of the answer equal to value. */
static void sees(struct client *c, const char *path, const char *want, const char *field, const char *value)
{
    struct resp r;
    char k[200];
    req_expect(c, "GET", path, NULL, 200, &r);
    assert_string_equal(keys(r.json, k, sizeof k), want);
    if (field) assert_string_equal(jstr(r.json, field), value);
    resp_free(&r);
}

static void who_sees_what(void **state)
{
    (void)state;
    /* An associate: their own figure only. */
    sees(&anna, "/api/v1/nps", "anna", "by", "associate");
    sees(&sara, "/api/v1/nps?by=associate&store=UTR01", "sara", NULL, NULL);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/nps?by=store", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/nps.csv?by=kind", NULL), 403);
    /* A manager: their store's associates; another store is refused. */
    sees(&mark, "/api/v1/nps?by=associate", "anna,bram", "store_code", "UTR01");
    sees(&piet, "/api/v1/nps?by=store", "AMS01", NULL, NULL);
    assert_int_equal(req_status(&mark, "GET", "/api/v1/nps?store=AMS01", NULL), 403);
    assert_int_equal(req_status(&anon, "GET", "/api/v1/nps", NULL), 401);
}

static void bad_parameters_name_their_field(void **state)
{
    (void)state;
    static const struct { const char *path, *field; } bad[] = {
        {"/api/v1/nps?by=colour", "by"},
        {"/api/v1/nps?from=2026-13-01", "from"},
        {"/api/v1/nps?to=yesterday", "to"},
        {"/api/v1/nps?from=2026-03-02&to=2026-03-01", "from"},
        {"/api/v1/nps?from=2023-01-01&to=2026-01-01", "from"},
        {"/api/v1/nps?format=xml", "format"},
        {"/api/v1/nps?store=NOPE", "store"},
        {"/api/v1/nps.csv?by=week", "by"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_expect_field(&admin, "GET", bad[i].path, NULL, 400, bad[i].field);
    }
}

static void csv_for_dutch_excel(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/nps.csv?by=associate&from=2026-01-01", "nps-associate-UTR01-2026-01-01-*", NULL, &r);
    /* The last row is the total: its key is empty. */
    const char *want = "\xEF\xBB\xBFsleutel;naam;antwoorden;promotors;passief;criticasters;NPS;ondergrens (95%);"
                       "bovengrens (95%);opmerking\r\n"
                       "anna;anna;5;4;1;0;80,0;44,9;100,0;\r\n"
                       "bram;bram;5;2;1;2;0,0;-78,4;78,4;\r\n"
                       ";totaal;10;6;2;2;40,0;-9,6;89,6;\r\n";
    if (r.len != strlen(want) || memcmp(r.body, want, r.len) != 0) fail_msg("the CSV:\n%s\nwanted:\n%s", r.body, want);
    resp_free(&r);
    /* ?format=csv is the same file; English headers and "too few answers"
     * for an English-speaking admin. */
    req_expect(&admin, "PATCH", "/api/v1/me", "{\"lang\":\"en\"}", 200, &r);
    resp_free(&r);
    report_csv(&admin, "/api/v1/nps?by=associate&format=csv&store=UTR01&to=2020-01-01&from=2019-12-01", NULL,
               "key;name;answers;", &r);
    expect_in("the CSV", r.body, "\r\n;total;0;0;0;0;;;;too few answers\r\n", NULL);
    resp_free(&r);
}

static void recovery_shares_are_honest(void **state)
{
    (void)state;
    struct resp r;
    /* UTR01: three unhappy answers (anna's 3, bram's 2 and 1) opened three
     * follow-ups: fewer than 5, so no share. */
    req_expect(&mark, "GET", "/api/v1/followups/report", NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.n"), 3);
    assert_int_equal(jint(r.json, "items.0.shares.closed.n"), 3);
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(item(r.json, 0), "shares"), "closed"),
                                             "too_few")));
    assert_true(json_is_null(json_object_get(item(r.json, 0), "share_contacted_within_24h")));
    resp_free(&r);
}

static void xlsx_holds_the_same_figures(void **state)
{
    (void)state;
    struct resp r;
    report_xlsx(&mark, "/api/v1/nps.xlsx?by=associate&from=2026-01-01", "nps-associate-UTR01-2026-01-01-*", &r);
    char *grid = xlsx_grid(&r, 1);
    assert_non_null(grid);
    /* Numbers are numbers (unquoted); the total's key is an empty cell. */
    const char *want = "\"sleutel\";\"naam\";\"antwoorden\";\"promotors\";\"passief\";\"criticasters\";\"NPS\";"
                       "\"ondergrens (95%)\";\"bovengrens (95%)\";\"opmerking\"\n"
                       "\"anna\";\"anna\";5;4;1;0;80;44.9;100\n"
                       "\"bram\";\"bram\";5;2;1;2;0;-78.4;78.4\n"
                       ";\"totaal\";10;6;2;2;40;-9.6;89.6\n";
    if (strcmp(grid, want) != 0) fail_msg("the sheet:\n%s\nwanted:\n%s", grid, want);
    free(grid);
    /* The header stays in view. */
    expect_part(&r, "xl/worksheets/sheet1.xml", "state=\"frozen\"", "<autoFilter", NULL);
    resp_free(&r);
    /* ?format=xlsx on /nps is the same workbook; too few answers leave the
     * NPS cells empty, never 0. */
    report_xlsx(&mark, "/api/v1/nps?by=associate&format=xlsx&to=2020-01-01&from=2019-12-01", NULL, &r);
    expect_sheet(&r, 1, "\n;\"totaal\";0;0;0;0;;;;\"te weinig antwoorden\"\n", NULL);
    resp_free(&r);
}

/* The follow-ups report as files: every share with its interval columns,
 * empty where there are too few follow-ups. */
static void followup_report_as_files(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/followups/report?format=csv", "followups-90-days", "winkel;geopend;gebeld;gesloten;",
               &r);
    expect_in("the CSV", r.body, ";aandeel gesloten: ondergrens (95%);aandeel gesloten: bovengrens (95%)\r\nUTR01;3;",
              NULL);
    resp_free(&r);
    report_xlsx(&mark, "/api/v1/followups/report?format=xlsx", NULL, &r);
    expect_sheet(&r, 1, "\n\"UTR01\";3;", NULL);
    resp_free(&r);
    req_expect_field(&mark, "GET", "/api/v1/followups/report?format=pdf", NULL, 422, "format");
}

static void a_bad_minimum_stops_the_server(void **state)
{
    (void)state;
    char out[600];
    setenv("TRUSTDESK_NPS_MIN_ANSWERS", "zero", 1);
    int rc = run_cli(NULL, out, sizeof out, "serve", "--db", "sqlite::memory:", "--listen", "127.0.0.1:1", NULL);
    unsetenv("TRUSTDESK_NPS_MIN_ANSWERS");
    assert_int_equal(rc, 2);                       /* its message, naming it, is on stderr */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_from_the_answers),
        cmocka_unit_test(too_few_until_the_minimum),
        cmocka_unit_test(who_sees_what),
        cmocka_unit_test(bad_parameters_name_their_field),
        cmocka_unit_test(csv_for_dutch_excel),
        cmocka_unit_test(xlsx_holds_the_same_figures),
        cmocka_unit_test(followup_report_as_files),
        cmocka_unit_test(recovery_shares_are_honest),
        cmocka_unit_test(a_bad_minimum_stops_the_server),
    };
    return cmocka_run_group_tests_name("api_nps", tests, setup, chain_teardown);
}
