/* test_coaching.c — GET /api/v1/insight/coaching over HTTP on SQLite or
 * (TRUSTDESK_TEST_PG) PostgreSQL, from cases this file resolves at the desk
 * and answers it posts on the public survey page (the minimum set to 3):
 *
 * - Utrecht: Anna resolves 6 complaints (1 declined against the
 *   recommendation), Bram 10 (9 declined), Cees 2; Amsterdam: Sara 2. Anna's customers answer 10,
 *   9 and 3, Bram's 10 and 10 (two: too few); Anna answers one of two quiz
 *   questions right;
 * - the day and month rows kept as the cases are resolved, and the period's dates;
 * - the figures per person, sorted by name (not by login or any figure);
 *   the overrides with their reasons; the NPS with its interval; the
 *   knowledge score;
 * - the funnels: the store's rate as centre, the points with their bands
 *   and the limits at their n (values worked out apart, exact binomial
 *   sums), a point of too few answers left out;
 * - who sees what: Anna her own figures and point named and the others
 *   unnamed (their names and reasons nowhere in the answer), the manager
 *   his store named, the admin any store or the chain; another store 403
 *   naming "store";
 * - bad input 400 naming the field, and nothing changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin, anna, bram, cees, mark, sara, piet, anon;

#define REASON "Klant wilde liever niets dan een tegoedbon"

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {
        {"anna", "associate", "UTR01", &anna}, {"bram", "associate", "UTR01", &bram},
        {"cees", "associate", "UTR01", &cees}, {"mark", "manager", "UTR01", &mark},
        {"sara", "associate", "AMS01", &sara}, {"piet", "manager", "AMS01", &piet}, MEMBERS_END};
    return survey_chain_start(&srv, &admin, staff, "3", &anon);
}

/* The customer of the case just resolved answers score (-1: does not). */
static void answered(int score)
{
    if (score < 0) return;
    char link[200];
    survey_last_link(&srv, link, sizeof link);
    survey_answer(&anon, link, score);
}

/* A complaint at c's desk declined against the recommendation (its
 * goodwill gesture), with the reason; its customer answers score. */
static void declined(struct client *c, const char *store, int score)
{
    char path[96];
    long long id = service_complaint_open(c, store, customer_new(c, store));
    struct resp r;
    case_decide(c, id, &r);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    req_expect(c, "POST", path, "{\"resolution\":\"decline\",\"amount_cents\":0,\"override_reason\":\"" REASON "\"}", 200,
               &r);
    resp_free(&r);
    answered(score);
}

/* A complaint resolved as recommended; its customer answers score. */
static long long kept(struct client *c, const char *store, int score)
{
    long long id = service_complaint_resolved(c, store, customer_new(c, store));
    answered(score);
    return id;
}

static void make_the_desk(void)
{
    /* Names whose order is neither the logins' nor any figure's. */
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/anna", "{\"name\":\"Zoë Anna\"}"), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/bram", "{\"name\":\"Bram Bos\"}"), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/cees", "{\"name\":\"Cees Claes\"}"), 200);
    static const int anna_scores[] = {10, 9, 3, -1, -1};
    for (int i = 0; i < 5; i++) kept(&anna, "UTR01", anna_scores[i]);
    declined(&anna, "UTR01", -1);
    kept(&bram, "UTR01", 10);
    for (int i = 0; i < 9; i++) declined(&bram, "UTR01", i == 0 ? 10 : -1);
    kept(&cees, "UTR01", -1);
    kept(&cees, "UTR01", -1);
    kept(&sara, "AMS01", 10);
    kept(&sara, "AMS01", 9);
}

/* A person of the answer by login (NULL when absent). */
static json_t *person(json_t *j, const char *login)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "people"), i, o) if (strcmp(jstr(o, "login"), login) == 0) return o;
    return NULL;
}

static json_t *funnel(json_t *j, const char *rate)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "funnels"), i, o) if (strcmp(jstr(o, "rate"), rate) == 0) return o;
    fail_msg("no funnel %s", rate);
    return NULL;
}

/* The point of a funnel with n cases (they differ in this file). */
static json_t *point(json_t *f, long long n)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(f, "points"), i, o) if (jint(o, "n") == n) return o;
    fail_msg("no point at n %lld in %s", n, jstr(f, "rate"));
    return NULL;
}

/* The curve's limits at n, each within 1e-4 of the wanted ones. */
static void expect_limits(json_t *f, long long n, double low95, double high95, double low998, double high998)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(f, "curve"), i, o) {
        if (jint(o, "n") != n) continue;
        double got[4] = {json_number_value(json_object_get(o, "low95")), json_number_value(json_object_get(o, "high95")),
                         json_number_value(json_object_get(o, "low998")), json_number_value(json_object_get(o, "high998"))};
        double want[4] = {low95, high95, low998, high998};
        for (int x = 0; x < 4; x++)
            if (fabs(got[x] - want[x]) > 1.5e-4)
                fail_msg("%s at n %lld: %g %g %g %g, wanted %g %g %g %g", jstr(f, "rate"), n, got[0], got[1], got[2],
                         got[3], low95, high95, low998, high998);
        return;
    }
    fail_msg("%s: no curve point at n %lld", jstr(f, "rate"), n);
}

static void near(json_t *o, const char *field, double want)
{
    double got = json_number_value(json_object_get(o, field));
    if (fabs(got - want) > 1.5e-4) fail_msg("%s: %g, wanted %g", field, got, want);
}

static const char *names(json_t *j, char *out, size_t n) { return jjoin(j, "people", "login", out, n); }

static void the_managers_view(void **state)
{
    (void)state;
    make_the_desk();
    /* A quiz of two questions: Anna answers one right, one wrong. */
    struct resp r;
    long long card = post_id(&mark, "/api/v1/value-cards",
                             "{\"category\":\"Keuken\",\"claim_nl\":\"Twee jaar garantie\",\"claim_en\":\"Two years' warranty\","
                             "\"verifier\":\"mark\"}");
    char path[96], body[200];
    snprintf(path, sizeof path, "/api/v1/value-cards/%lld/verify", card);
    assert_int_equal(req_status(&mark, "POST", path, "{}"), 200);
    snprintf(path, sizeof path, "/api/v1/value-cards/%lld/questions", card);
    long long q[2];
    for (int i = 0; i < 2; i++) {
        q[i] = post_id(&mark, path, "{\"question\":\"Hoe lang garantie?\",\"answers\":[\"1\",\"2\",\"3\"],\"right\":1}");
    }
    for (int i = 0; i < 2; i++) {
        snprintf(body, sizeof body, "{\"question_id\":%lld,\"choice\":%d}", q[i], i == 0 ? 1 : 2);
        assert_int_equal(req_status(&anna, "POST", "/api/v1/quiz/answers", body), 200);
    }

    req_expect(&mark, "GET", "/api/v1/insight/coaching", NULL, 200, &r);
    char order[200];
    assert_string_equal(names(r.json, order, sizeof order), "bram,cees,mark,anna");   /* Bram Bos, Cees, mark, Zoë */
    assert_string_equal(jstr(r.json, "store_code"), "UTR01");
    assert_true(json_is_false(json_object_get(r.json, "ranking")));
    assert_int_equal(jint(r.json, "min_answers"), 3);

    json_t *a = person(r.json, "anna"), *b = person(r.json, "bram"), *c = person(r.json, "cees");
    expect_ints(a, "cases", 6, "by_kind.complaint", 6, "resolutions.store_credit", 5, "resolutions.decline", 1,
                "overrides.n", 1, "goodwill.cases", 5, "goodwill.cents", 5000, "nps.n", 3, "nps.promoters", 2,
                "nps.detractors", 1, "knowledge.questions", 2, "knowledge.answered", 2, "knowledge.correct", 1,
                "knowledge.percent", 50, NULL);
    expect_strs(a, "name", "Zoë Anna", "store_code", "UTR01", "overrides.items.0.recommended", "store_credit",
                "overrides.items.0.chosen", "decline", "overrides.items.0.reason", REASON, NULL);
    expect_ints(a, "overrides.items.0.recommended_cents", 1000, "overrides.items.0.chosen_cents", 0, NULL);
    json_t *nps = json_object_get(a, "nps");
    near(nps, "score", 33.3);
    near(nps, "low", -73.4);
    near(nps, "high", 100);                                           /* clamped */
    expect_ints(b, "cases", 10, "overrides.n", 9, "goodwill.cases", 1, "nps.n", 2, "knowledge.answered", 0,
                "knowledge.percent", 0, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(b, "overrides"), "items")), 9);
    assert_true(json_is_true(json_object_get(json_object_get(b, "nps"), "too_few")));
    assert_true(json_is_null(json_object_get(json_object_get(b, "nps"), "score")));
    expect_ints(c, "cases", 2, "overrides.n", 0, "goodwill.cases", 2, NULL);
    expect_ints(person(r.json, "mark"), "cases", 0, NULL);
    assert_null(person(r.json, "sara"));

    /* Overrides: 10 of 18 in the store. Bram's 9 of 10 lie above the 95 %
     * limit (0.8509), Anna's 1 of 6 inside the lower one (0.1332). */
    json_t *f = funnel(r.json, "override");
    assert_string_equal(jstr(f, "of"), "cases");
    expect_ints(f, "centre.k", 10, "centre.n", 18, NULL);
    near(json_object_get(f, "centre"), "rate", 10.0 / 18);
    assert_int_equal(json_array_size(json_object_get(f, "points")), 3);
    expect_ints(point(f, 10), "k", 9, "band", 1, NULL);
    expect_strs(point(f, 10), "login", "bram", "name", "Bram Bos", NULL);
    expect_ints(point(f, 6), "k", 1, "band", 0, NULL);
    expect_ints(point(f, 2), "k", 0, "band", 0, NULL);
    expect_limits(f, 10, 0.2490, 0.8509, 0.0686, 1);
    expect_limits(f, 6, 0.1332, 0.9416, 0, 1);
    expect_limits(f, 2, 0, 1, 0, 1);
    json_t *curve = json_object_get(f, "curve");
    assert_int_equal(jint(json_array_get(curve, json_array_size(curve) - 1), "n"), 11);   /* a tenth beyond 10 */
    /* Goodwill: 8 of 18; Bram's 1 of 10 below the 95 % limit (0.1491). */
    f = funnel(r.json, "goodwill");
    expect_ints(f, "centre.k", 8, "centre.n", 18, NULL);
    expect_ints(point(f, 10), "k", 1, "band", -1, NULL);
    expect_ints(point(f, 6), "k", 5, "band", 0, NULL);              /* 0.833 < 0.8668 */
    expect_ints(point(f, 2), "k", 2, "band", 0, NULL);
    expect_limits(f, 10, 0.1491, 0.7510, 0, 0.9314);
    /* Promoters: 4 of Utrecht's 5 answers; Bram's two are too few to show. */
    f = funnel(r.json, "promoter");
    assert_string_equal(jstr(f, "of"), "answers");
    expect_ints(f, "centre.k", 4, "centre.n", 5, "too_few_points", 1, NULL);
    assert_int_equal(json_array_size(json_object_get(f, "points")), 1);
    expect_ints(point(f, 3), "k", 2, "band", 0, NULL);
    expect_limits(f, 3, 0.2257, 1, 0, 1);
    f = funnel(r.json, "referral");
    expect_ints(f, "centre.k", 0, "centre.n", 18, NULL);
    /* The day rows hold every resolved case once. */
    assert_int_equal(db_int(&srv, "SELECT SUM(cases) FROM coaching_days"),
                     db_int(&srv, "SELECT COUNT(*) FROM cases WHERE status = 'resolved'"));
    assert_int_equal(db_int(&srv, "SELECT SUM(cases) FROM coaching_months"),
                     db_int(&srv, "SELECT COUNT(*) FROM cases WHERE status = 'resolved'"));
    resp_free(&r);

    /* The admin: the same for Utrecht; the chain without a store, with Sara. */
    req_expect(&admin, "GET", "/api/v1/insight/coaching?store=UTR01", NULL, 200, &r);
    assert_string_equal(names(r.json, order, sizeof order), "bram,cees,mark,anna");
    expect_ints(funnel(r.json, "override"), "centre.k", 10, "centre.n", 18, NULL);
    resp_free(&r);
    req_expect(&admin, "GET", "/api/v1/insight/coaching", NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "store_code")));
    expect_ints(person(r.json, "sara"), "cases", 2, "nps.n", 2, NULL);
    /* Every store's view lists only the newest 3 of a person's overrides
     * (all 9 of Bram's are counted; his store's view lists them all). */
    expect_ints(person(r.json, "bram"), "overrides.n", 9, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(person(r.json, "bram"), "overrides"), "items")), 3);
    expect_strs(person(r.json, "sara"), "store_code", "AMS01", NULL);
    expect_ints(funnel(r.json, "override"), "centre.k", 10, "centre.n", 20, NULL);
    expect_ints(funnel(r.json, "promoter"), "centre.k", 6, "centre.n", 7, NULL);
    resp_free(&r);

    /* A period that ends yesterday (UTC, so also in Amsterdam) has none of
     * today's cases; one from yesterday on has them all. */
    char url[160], day[40];
    days_ago(1, day, sizeof day);
    snprintf(url, sizeof url, "/api/v1/insight/coaching?to=%.10s", day);
    req_expect(&mark, "GET", url, NULL, 200, &r);
    expect_ints(person(r.json, "bram"), "cases", 0, "overrides.n", 0, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(person(r.json, "bram"), "overrides"), "items")), 0);
    resp_free(&r);
    snprintf(url, sizeof url, "/api/v1/insight/coaching?from=%.10s", day);
    req_expect(&mark, "GET", url, NULL, 200, &r);
    expect_ints(funnel(r.json, "override"), "centre.n", 18, NULL);
    resp_free(&r);
    req_expect(&mark, "GET", "/api/v1/insight/coaching?from=2020-01-01&to=2020-01-31", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "from"), "2020-01-01");
    assert_string_equal(jstr(r.json, "to"), "2020-01-31");
    expect_ints(person(r.json, "anna"), "cases", 0, NULL);
    assert_true(json_is_true(json_object_get(funnel(r.json, "override"), "too_few")));
    assert_int_equal(json_array_size(json_object_get(funnel(r.json, "override"), "curve")), 0);
    resp_free(&r);
}

/* The manager's answer as files: the people with their interval columns,
 * every point with its limits, the overrides with their reasons (CSV per
 * table, and a workbook of three sheets read back with unzip). */
static void coaching_as_files(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/insight/coaching?format=csv", "coaching-UTR01-*",
               "login;naam;winkel;zaken;afwijkingen van het advies;zaken met coulance;coulance;", &r);
    expect_in("the CSV", r.body, "\r\nanna;Zoë Anna;UTR01;6;1;5;50,00;0;5;", ";3;2;0;1;33,3;-73,4;100,0;2;1;50\r\n",
              "\r\nbram;Bram Bos;UTR01;10;9;1;10,00;", ";2;2;0;0;;;;2;0;0\r\n", NULL);
    resp_free(&r);
    report_csv(&mark, "/api/v1/insight/coaching?format=csv&table=points", NULL, NULL, &r);
    expect_in("the points CSV", r.body, "\r\noverride;cases;bram;Bram Bos;9;10;90,0%;55,6%;6,9%;24,9%;85,1%;100,0%;1\r\n",
              NULL);
    resp_free(&r);
    report_csv(&mark, "/api/v1/insight/coaching?format=csv&table=overrides", NULL, NULL, &r);
    expect_in("the overrides CSV", r.body, ";complaint;store_credit;10,00;decline;0,00;" REASON "\r\n", NULL);
    resp_free(&r);
    report_xlsx(&mark, "/api/v1/insight/coaching?format=xlsx", NULL, &r);
    expect_part(&r, "xl/workbook.xml", "name=\"Medewerkers\"", "name=\"Trechter\"", "name=\"Afwijkingen\"", NULL);
    expect_sheet(&r, 1, "\"anna\";\"Zoë Anna\";\"UTR01\";6;1;5;50;", NULL);
    resp_free(&r);
    report_refusals(&mark, "/api/v1/insight/coaching", "must be people, points or overrides");
}

static void the_associates_view(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/insight/coaching", NULL, 200, &r);
    char order[200];
    assert_string_equal(names(r.json, order, sizeof order), "anna");             /* only her own figures */
    assert_true(json_is_true(json_object_get(person(r.json, "anna"), "self")));
    expect_ints(person(r.json, "anna"), "cases", 6, "overrides.n", 1, NULL);
    json_t *f = funnel(r.json, "override");
    expect_ints(f, "centre.k", 10, "centre.n", 18, NULL);                       /* against the whole store */
    json_t *pts = json_object_get(f, "points");
    assert_int_equal(json_array_size(pts), 3);
    /* Sorted by their counts, so that the order names no one; only hers
     * carries a name. */
    assert_int_equal(jint(json_array_get(pts, 0), "n"), 2);
    assert_int_equal(jint(json_array_get(pts, 1), "n"), 6);
    assert_int_equal(jint(json_array_get(pts, 2), "n"), 10);
    expect_strs(json_array_get(pts, 1), "login", "anna", NULL);
    assert_true(json_is_true(json_object_get(json_array_get(pts, 1), "self")));
    assert_null(json_object_get(json_array_get(pts, 0), "login"));
    assert_null(json_object_get(json_array_get(pts, 2), "name"));
    expect_ints(json_array_get(pts, 2), "k", 9, "band", 1, NULL);
    /* Nobody else's name or reasons anywhere in the answer. */
    for (const char *s = "bram\0Bram Bos\0cees\0Cees Claes\0mark\0"; *s; s += strlen(s) + 1)
        if (strstr(r.body, s)) fail_msg("Anna's answer names %s", s);
    resp_free(&r);
    /* Her own store by name is the same; another store is refused by name. */
    assert_int_equal(req_status(&anna, "GET", "/api/v1/insight/coaching?store=UTR01", NULL), 200);
    req_expect_field(&anna, "GET", "/api/v1/insight/coaching?store=AMS01", NULL, 403, "store");
    req_expect(&sara, "GET", "/api/v1/insight/coaching", NULL, 200, &r);
    assert_string_equal(names(r.json, order, sizeof order), "sara");
    expect_ints(funnel(r.json, "override"), "centre.n", 2, NULL);
    resp_free(&r);
}

static void other_stores_and_bad_input(void **state)
{
    (void)state;
    long long before = db_int(&srv, "SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM case_events)"
                                    " + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM surveys)");
    struct resp r;
    req_expect(&piet, "GET", "/api/v1/insight/coaching?store=UTR01", NULL, 403, &r);
    assert_true(has_err_field(&r, "store"));
    assert_string_equal(jstr(r.json, "error.code"), "forbidden");
    resp_free(&r);
    req_expect(&piet, "GET", "/api/v1/insight/coaching", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "store_code"), "AMS01");
    assert_null(person(r.json, "anna"));
    resp_free(&r);
    static const struct { const char *query, *field; } bad[] = {
        {"from=2026-13-01", "from"},
        {"to=yesterday", "to"},
        {"from=2026-02-30", "from"},
        {"from=2026-06-02&to=2026-06-01", "to"},          /* the wrong way round */
        {"store=NOPE", "store"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char url[160];
        snprintf(url, sizeof url, "/api/v1/insight/coaching?%s", bad[i].query);
        req_expect_field(&admin, "GET", url, NULL, 400, bad[i].field);
    }
    assert_int_equal(req_status(&anon, "GET", "/api/v1/insight/coaching", NULL), 401);
    long long after = db_int(&srv, "SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM case_events)"
                                   " + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM surveys)");
    assert_int_equal(after, before);
}

TD_TEST_MAIN("api_coaching", setup, chain_teardown, cmocka_unit_test(the_managers_view), cmocka_unit_test(coaching_as_files),
             cmocka_unit_test(the_associates_view),
             cmocka_unit_test(other_stores_and_bad_input))
