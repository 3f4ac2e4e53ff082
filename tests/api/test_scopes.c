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

static struct server srv;
static struct client admin;

static int setup(void **state)
{
    (void)state;
    if (server_start(&srv) != 0) return -1;
    client_init(&admin, &srv);
    if (login(&admin, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) return -1;
    make_store(&admin, "UTR01", "Utrecht Centrum", "Utrecht");
    make_store(&admin, "AMS01", "Amsterdam Kalverstraat", "Amsterdam");
    make_staff(&admin, "sofie", "manager", "UTR01", "sofie-password");
    make_staff(&admin, "bram", "associate", "UTR01", "bram-password");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_free(&admin);
    server_stop(&srv);
    return 0;
}

static long status_of(struct client *c, const char *method, const char *path, const char *body)
{
    struct resp r;
    assert_int_equal(req(c, method, path, body, &r), 0);
    long s = r.status;
    resp_free(&r);
    return s;
}

/* A manager whose store is taken away keeps a working login but sees no
 * store's cases, repairs, staff or dashboard — before, "no store" read as
 * "every store". */
static void staff_without_a_store_see_nothing(void **state)
{
    (void)state;
    struct client m, a;
    client_init(&m, &srv);
    client_init(&a, &srv);
    assert_int_equal(login(&m, "sofie", "sofie-password"), 201);
    assert_int_equal(login(&a, "bram", "bram-password"), 201);
    assert_int_equal(status_of(&m, "GET", "/api/v1/cases", NULL), 200);
    assert_int_equal(status_of(&admin, "PATCH", "/api/v1/staff/sofie", "{\"store_code\":null}"), 200);
    assert_int_equal(status_of(&admin, "PATCH", "/api/v1/staff/bram", "{\"store_code\":null}"), 200);
    const char *paths[] = {"/api/v1/cases", "/api/v1/repairs", "/api/v1/approvals", "/api/v1/staff",
                           "/api/v1/customers?q=a", "/api/v1/stores/AMS01/dashboard"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp r;
        assert_int_equal(req(&m, "GET", paths[i], NULL, &r), 0);
        if (r.status != 403) fail_msg("%s answered %ld to a manager of no store", paths[i], r.status);
        assert_non_null(strstr(jstr(r.json, "error.message"), "no store"));
        resp_free(&r);
        assert_int_equal(status_of(&a, "GET", paths[i], NULL), 403);
    }
    /* Who they are, and logging out, still work. */
    assert_int_equal(status_of(&m, "GET", "/api/v1/me", NULL), 200);
    assert_int_equal(status_of(&m, "DELETE", "/api/v1/session", NULL), 200);
    /* Given a store again, the manager sees it. */
    assert_int_equal(status_of(&admin, "PATCH", "/api/v1/staff/sofie", "{\"store_code\":\"UTR01\"}"), 200);
    assert_int_equal(login(&m, "sofie", "sofie-password"), 201);
    assert_int_equal(status_of(&m, "GET", "/api/v1/cases", NULL), 200);
    assert_int_equal(status_of(&admin, "PATCH", "/api/v1/staff/bram", "{\"store_code\":\"UTR01\"}"), 200);
    client_free(&m);
    client_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_without_a_store_see_nothing),
    };
    return cmocka_run_group_tests_name("api_scopes", tests, setup, teardown);
}
