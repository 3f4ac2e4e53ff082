/* test_scopes.c — who sees which store: staff are held to their own store,
 * and "no store" means none, never every store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin;
static struct client sofie, bram, eva;   /* logged in by setup, as the tests need them */

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"sofie", "manager", "UTR01", &sofie}, {"bram", "associate", "UTR01", &bram},
                                          {"eva", "associate", "AMS01", &eva}, MEMBERS_END};
    return chain_start(&srv, &admin, "UTR01 AMS01", staff);
}

/* A manager whose store is taken away keeps a working login but sees no
 * store's cases, repairs, staff or dashboard — before, "no store" read as
 * "every store". */
static void staff_without_a_store_see_nothing(void **state)
{
    (void)state;
    assert_int_equal(req_status(&sofie, "GET", "/api/v1/cases", NULL), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/sofie", "{\"store_code\":null}"), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/bram", "{\"store_code\":null}"), 200);
    const char *paths[] = {"/api/v1/cases", "/api/v1/repairs", "/api/v1/approvals", "/api/v1/staff",
                           "/api/v1/customers?q=a", "/api/v1/stores/AMS01/dashboard"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp r;
        assert_int_equal(req(&sofie, "GET", paths[i], NULL, &r), 0);
        if (r.status != 403) fail_msg("%s answered %ld to a manager of no store", paths[i], r.status);
        assert_non_null(strstr(jstr(r.json, "error.message"), "no store"));
        resp_free(&r);
        assert_int_equal(req_status(&bram, "GET", paths[i], NULL), 403);
    }
    /* Who they are, and logging out, still work. */
    assert_int_equal(req_status(&sofie, "GET", "/api/v1/me", NULL), 200);
    assert_int_equal(req_status(&sofie, "DELETE", "/api/v1/session", NULL), 200);
    /* Given a store again, the manager sees it. */
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/sofie", "{\"store_code\":\"UTR01\"}"), 200);
    assert_int_equal(login(&sofie, "sofie", "sofie-password"), 201);
    assert_int_equal(req_status(&sofie, "GET", "/api/v1/cases", NULL), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/bram", "{\"store_code\":\"UTR01\"}"), 200);
}

/* A repair is moved on by the store that took it in (or an admin). */
static void repairs_move_only_in_their_store(void **state)
{
    (void)state;
    long long id = case_open(&bram, "{\"kind\":\"repair\",\"store_code\":\"UTR01\",\"receipt\":false,"
                                    "\"items\":[{\"sold_here\":false,\"brand\":\"Vorwerk\",\"description\":\"Stofzuiger\","
                                    "\"stated_price_cents\":45000,\"condition\":\"defective\"}]}");
    assert_int_equal(case_post_status(&bram, id, "resolve", "{\"resolution\":\"repair_manufacturer\",\"amount_cents\":0}"),
                     200);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/repairs/%lld/status", id);
    struct resp r;
    req_expect(&eva, "POST", path, "{\"status\":\"sent\"}", 403, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "UTR01"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/repairs/%lld", id);
    assert_int_equal(req(&eva, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "taken_in");     /* unchanged; reading is fine */
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/repairs/%lld/status", id);
    assert_int_equal(req_status(&bram, "POST", path, "{\"status\":\"sent\"}"), 200);
    assert_int_equal(req_status(&admin, "POST", path, "{\"status\":\"at_manufacturer\"}"), 200);
}

/* Four eyes: whoever opened a case does not approve it, a manager neither. */
static void nobody_approves_their_own_case(void **state)
{
    (void)state;
    long long id = case_open(&sofie, "{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,"
                                     "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jas\","
                                     "\"stated_price_cents\":30000,\"condition\":\"used\"}]}");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    struct resp r;
    assert_int_equal(req(&sofie, "POST", path, "{\"resolution\":\"store_credit\",\"amount_cents\":30000,\"override_reason\":\"vaste klant\"}", &r), 0);
    if (r.status != 200) fail_msg("resolve: %ld %s", r.status, r.body);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
    req_expect(&sofie, "POST", path, "{}", 403, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "someone other"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    assert_int_equal(req(&sofie, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");   /* nothing happened */
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
    req_expect(&admin, "POST", path, "{}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
}

/* A note issued outside the desk cannot go around it: own store only, a
 * case that exists, is ours and has been through the desk; and an
 * associate's loose notes are capped per 24 hours. */
static void loose_notes_do_not_go_around_the_desk(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&bram, "POST", "/api/v1/credit-notes",
               "{\"amount_cents\":1000,\"reason\":\"sorry\",\"store_code\":\"AMS01\"}", 403, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "your own store"));
    resp_free(&r);
    req_expect_field(&bram, "POST", "/api/v1/credit-notes",
                     "{\"amount_cents\":1000,\"reason\":\"sorry\",\"case_id\":999999}", 422, "case_id");
    /* A case waiting for its manager gets its note when approved, not now. */
    long long id = case_open(&bram, "{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,"
                                    "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jas\","
                                    "\"stated_price_cents\":30000,\"condition\":\"used\"}]}");
    char body[256];
    snprintf(body, sizeof body, "{\"amount_cents\":30000,\"reason\":\"toch maar\",\"case_id\":%lld}", id);
    req_expect(&bram, "POST", "/api/v1/credit-notes", body, 409, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "resolve it at the desk"));
    resp_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    assert_int_equal(req(&bram, "POST", path, "{\"resolution\":\"store_credit\",\"amount_cents\":30000,"
                                            "\"override_reason\":\"vaste klant\"}", &r), 0);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    req_expect(&bram, "POST", "/api/v1/credit-notes", body, 409, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "waits for a manager"));
    resp_free(&r);
    assert_int_equal(req(&eva, "POST", "/api/v1/credit-notes", body, &r), 0);
    assert_int_equal(r.status, 403);                       /* another store's case */
    resp_free(&r);
    char q[128];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld", id);
    assert_int_equal(server_sql_int(&srv, q), 0);
    /* EUR 1,000 of loose notes per associate per 24 hours (the default). */
    for (int i = 0; i < 4; i++)
        assert_int_equal(req_status(&bram, "POST", "/api/v1/credit-notes", "{\"amount_cents\":25000,\"reason\":\"goodwill\"}"),
                                    201);
    req_expect(&bram, "POST", "/api/v1/credit-notes", "{\"amount_cents\":100,\"reason\":\"one more\"}", 403, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "needs a manager"));
    resp_free(&r);
    /* Another associate, and a manager, are not held by Bram's total. */
    assert_int_equal(req_status(&eva, "POST", "/api/v1/credit-notes", "{\"amount_cents\":100,\"reason\":\"goodwill\"}"), 201);
}

/* Fails unless the SQL condition holds on the server's database. */
static void expect_sql(const char *cond)
{
    char q[1024];
    snprintf(q, sizeof q, "SELECT CASE WHEN %s THEN 1 ELSE 0 END", cond);
    if (server_sql_int(&srv, q) != 1) fail_msg("does not hold: %s", cond);
}

/* A GDPR export, and every further page of a customer search (how a
 * customer base is read in bulk), leave an audit row with who and when;
 * the row holds no query and no personal field. */
static void exports_and_bulk_reads_leave_an_audit_row(void **state)
{
    (void)state;
    long long id = 0;
    for (int i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"name\":\"Auditia Tester %d\"}", i);
        id = post_id(&admin, "/api/v1/customers", body);
    }
    expect_sql("(SELECT COUNT(*) FROM audit_log WHERE action IN ('customer.export', 'customer.search_page')) = 0");
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/customers?q=auditia&limit=1", NULL, 200, &r);
    char path[600];
    snprintf(path, sizeof path, "/api/v1/customers?q=auditia&limit=1&cursor=%s", jstr(r.json, "next"));
    resp_free(&r);
    expect_sql("(SELECT COUNT(*) FROM audit_log WHERE action = 'customer.search_page') = 0");   /* a first page: no */
    assert_int_equal(req_status(&admin, "GET", path, NULL), 200);
    expect_sql("(SELECT COUNT(*) FROM audit_log a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'customer.search_page'"
               " AND s.login = 'admin' AND a.detail = '1' AND a.subject = 'customers') = 1");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", id);
    assert_int_equal(req_status(&sofie, "GET", path, NULL), 200);
    char cond[300];
    snprintf(cond, sizeof cond, "(SELECT COUNT(*) FROM audit_log a JOIN staff s ON s.id = a.staff_id WHERE a.action = "
             "'customer.export' AND s.login = 'sofie' AND a.subject = 'customer:%lld') = 1", id);
    expect_sql(cond);
    expect_sql("(SELECT COUNT(*) FROM audit_log WHERE subject LIKE '%uditia%' OR detail LIKE '%uditia%') = 0");
}

TD_TEST_MAIN("api_scopes", setup, chain_teardown,
             cmocka_unit_test(staff_without_a_store_see_nothing),
             cmocka_unit_test(repairs_move_only_in_their_store),
             cmocka_unit_test(nobody_approves_their_own_case),
             cmocka_unit_test(exports_and_bulk_reads_leave_an_audit_row),
             cmocka_unit_test(loose_notes_do_not_go_around_the_desk))
