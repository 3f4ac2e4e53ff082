/* test_auth.c — login, logout, roles, CSRF, back-off, sessions, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin, anna;    /* logged in once by setup */

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", NULL},
                                          {"bob", "associate", "UTR01", NULL},   /* for the back-off tests */
                                          {"kim", "associate", "UTR01", NULL},
                                          MEMBERS_END};
    return chain_start(&srv, &admin, "UTR01", staff);
}

/* A test's own client (as its cmocka state), logged in as no one; freed
 * again after the test. */
static int fresh_client(void **state)
{
    struct client *c = calloc(1, sizeof *c);
    if (!c) return -1;
    client_init(c, &srv);
    *state = c;
    return 0;
}

static int free_client(void **state)
{
    client_free(*state);
    free(*state);
    return 0;
}
#define CLIENT_TEST(fn) cmocka_unit_test_setup_teardown(fn, fresh_client, free_client)

static void login_logout(void **state)
{
    struct client *c = *state;
    struct resp r;
    req_expect(c, "GET", "/api/v1/me", NULL, 401, &r);
    assert_string_equal(jstr(r.json, "error.code"), "unauthorized");
    resp_free(&r);

    req_expect(c, "POST", "/api/v1/session", "{\"login\":\"anna\",\"password\":\"anna-password\"}", 201, &r);
    assert_string_equal(jstr(r.json, "user.role"), "associate");
    assert_string_equal(jstr(r.json, "user.store_code"), "UTR01");
    assert_int_equal(strlen(jstr(r.json, "csrf_token")), 32);
    snprintf(c->csrf, sizeof c->csrf, "%s", jstr(r.json, "csrf_token"));
    char cookie[300];
    resp_header(&r, "Set-Cookie", cookie, sizeof cookie);
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    resp_free(&r);

    req_expect(c, "GET", "/api/v1/me", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "user.login"), "anna");
    resp_free(&r);

    assert_int_equal(req_status(c, "DELETE", "/api/v1/session", NULL), 200);
    assert_int_equal(req_status(c, "GET", "/api/v1/me", NULL), 401);
}

static void wrong_password_same_answer_as_unknown_login(void **state)
{
    struct client *c = *state;
    struct resp a, b;
    assert_int_equal(req(c, "POST", "/api/v1/session", "{\"login\":\"mark\",\"password\":\"nope-nope\"}", &a), 0);
    assert_int_equal(req(c, "POST", "/api/v1/session", "{\"login\":\"nobody\",\"password\":\"nope-nope\"}", &b), 0);
    assert_int_equal(a.status, 401);
    assert_int_equal(b.status, 401);
    assert_string_equal(a.body, b.body);
    resp_free(&a);
    resp_free(&b);
    assert_int_equal(login(c, "mark", "mark-password"), 201);
}

static void associate_cannot_manage_staff_or_stores(void **state)
{
    (void)state;
    assert_int_equal(req_status(&anna, "POST", "/api/v1/staff",
                                "{\"login\":\"evil\",\"name\":\"E\",\"role\":\"admin\",\"password\":\"12345678\"}"), 403);
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/staff", NULL, 403, &r);
    assert_string_equal(jstr(r.json, "error.code"), "forbidden");
    resp_free(&r);
    assert_int_equal(req_status(&anna, "POST", "/api/v1/stores", "{\"code\":\"X1\",\"name\":\"X\",\"city\":\"X\"}"), 403);
    req_expect(&anna, "GET", "/api/v1/stores", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.code"), "UTR01");
    resp_free(&r);

    /* A manager may list staff (of their store) but not create accounts. */
    struct client c;
    client_login(&c, &srv, "mark");
    req_expect(&c, "GET", "/api/v1/staff", NULL, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 2);
    resp_free(&r);
    assert_int_equal(req_status(&c, "POST", "/api/v1/staff",
                                "{\"login\":\"evil\",\"name\":\"E\",\"role\":\"admin\",\"password\":\"12345678\"}"), 403);
    client_free(&c);
}

static void csrf_and_origin_are_required_for_cookie_writes(void **state)
{
    (void)state;
    struct client c;
    client_login(&c, &srv, ADMIN_LOGIN);
    struct resp r;
    const char *body = "{\"code\":\"AMS01\",\"name\":\"Amsterdam\",\"city\":\"Amsterdam\"}";
    c.no_csrf = 1;
    assert_int_equal(req_status(&c, "POST", "/api/v1/stores", body), 403);
    c.no_csrf = 0;
    char saved[80];
    snprintf(saved, sizeof saved, "%s", c.csrf);
    snprintf(c.csrf, sizeof c.csrf, "00000000000000000000000000000000");
    assert_int_equal(req_status(&c, "POST", "/api/v1/stores", body), 403);
    snprintf(c.csrf, sizeof c.csrf, "%s", saved);
    c.no_origin = 1;
    assert_int_equal(req_status(&c, "POST", "/api/v1/stores", body), 403);
    assert_int_equal(req_h(&c, "POST", "/api/v1/stores", body, &r, "Origin: http://evil.example", NULL), 0);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    c.no_origin = 0;
    /* Nothing was created by the refused requests. */
    assert_int_equal(req_status(&c, "GET", "/api/v1/stores/AMS01", NULL), 404);
    assert_int_equal(req_status(&c, "POST", "/api/v1/stores", body), 201);
    client_free(&c);
}

static void login_backs_off_per_account(void **state)
{
    struct client *c = *state;
    for (int i = 0; i < 5; i++) assert_int_equal(login(c, "bob", "wrong-password"), 401);
    struct resp r;
    req_expect(c, "POST", "/api/v1/session", "{\"login\":\"bob\",\"password\":\"bob-password\"}", 429, &r);
    assert_string_equal(jstr(r.json, "error.code"), "rate_limited");
    char ra[32];
    resp_header(&r, "Retry-After", ra, sizeof ra);
    assert_true(ra[0] >= '1' && ra[0] <= '9');
    resp_free(&r);
    /* Another account from the same address is not affected. */
    assert_int_equal(login(c, "mark", "mark-password"), 201);
}

/* This server trusts no proxy (the default): an X-Forwarded-For header is
 * the client's own claim and must not give it a fresh address per guess. */
static void x_forwarded_for_is_ignored_without_a_trusted_proxy(void **state)
{
    struct client *c = *state;
    long st = 0;
    for (int i = 0; i < 15 && st != 429; i++) {
        char hdr[64];
        struct resp r;
        snprintf(hdr, sizeof hdr, "X-Forwarded-For: 192.0.2.%d", i + 1);
        assert_int_equal(req_h(c, "POST", "/api/v1/session", "{\"login\":\"kim\",\"password\":\"wrong-password\"}", &r,
                               hdr, NULL), 0);
        st = r.status;
        resp_free(&r);
    }
    assert_int_equal(st, 429);
}

static void api_token_works_without_csrf(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", ADMIN_LOGIN, NULL), 0);
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(strlen(out), 32);
    struct client c;
    client_init(&c, &srv);
    snprintf(c.bearer, sizeof c.bearer, "%s", out);
    c.no_origin = 1;
    assert_int_equal(req_status(&c, "POST", "/api/v1/stores", "{\"code\":\"RTM01\",\"name\":\"Rotterdam\",\"city\":\"Rotterdam\"}"), 201);
    snprintf(c.bearer, sizeof c.bearer, "ffffffffffffffffffffffffffffffff");
    assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 401);
    client_free(&c);
}

/* Rows aged or changed in SQL, as another server would: seen by the server
 * within a second (after_staff_cache). */
static void sql(const char *stmt)
{
    assert_int_equal(server_sql(&srv, stmt), 0);
    after_staff_cache();
}

static void token_row(long long id, char *status, size_t n, char *expires, size_t en)
{
    char out[8192];
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "list", "--db", srv.db_url, NULL), 0);
    status[0] = expires[0] = '\0';
    for (const char *p = out; *p;) {
        long long rid = 0;
        char login_name[80], created[40], exp[40], st[20];
        if (sscanf(p, "%lld %79s %39s %39s %19s", &rid, login_name, created, exp, st) == 5 && rid == id) {
            snprintf(status, n, "%s", st);
            snprintf(expires, en, "%s", exp);
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
}

/* API tokens never expired and could be neither listed nor revoked. */
static void api_tokens_expire_and_can_be_listed_and_revoked(void **state)
{
    (void)state;
    char t30[64], t365[64], out[4096];
    time_t before = time(NULL);
    assert_int_equal(run_cli(NULL, t30, sizeof t30, "token", "add", "--db", srv.db_url, "--login", "mark", "--days", "30", NULL), 0);
    assert_int_equal(run_cli(NULL, t365, sizeof t365, "token", "add", "--db", srv.db_url, "--login", "mark", NULL), 0);
    time_t after = time(NULL);
    t30[strcspn(t30, "\n")] = t365[strcspn(t365, "\n")] = '\0';
    assert_int_equal(bearer_me(&srv, t30), 200);
    assert_int_equal(bearer_me(&srv, t365), 200);
    /* The list names them by id, newest last, with their expiry. */
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "list", "--db", srv.db_url, "--login", "mark", NULL), 0);
    long long id30 = 0, id365 = 0;
    int rows = 0;
    for (const char *p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        long long id = 0;
        char who[80];
        if (sscanf(p + 1, "%lld %79s", &id, who) == 2) {
            assert_string_equal(who, "mark");
            id30 = id365;
            id365 = id;
            rows++;
        }
    }
    assert_int_equal(rows, 2);
    char status[20], expires[40], want_lo[40], want_hi[40];
    struct tm tm;
    time_t lo = before + 30 * 86400, hi = after + 30 * 86400;
    strftime(want_lo, sizeof want_lo, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&lo, &tm));
    strftime(want_hi, sizeof want_hi, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&hi, &tm));
    token_row(id30, status, sizeof status, expires, sizeof expires);
    assert_string_equal(status, "active");
    assert_true(strcmp(expires, want_lo) >= 0 && strcmp(expires, want_hi) <= 0);
    lo = before + 365 * 86400;
    hi = after + 365 * 86400;
    strftime(want_lo, sizeof want_lo, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&lo, &tm));
    strftime(want_hi, sizeof want_hi, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&hi, &tm));
    token_row(id365, status, sizeof status, expires, sizeof expires);
    assert_true(strcmp(expires, want_lo) >= 0 && strcmp(expires, want_hi) <= 0);

    /* Thirty days later (the row aged with SQL): 401, listed as expired. */
    char stmt[128];
    snprintf(stmt, sizeof stmt, "UPDATE api_tokens SET expires_at = expires_at - 2592000000000 WHERE id = %lld", id30);
    sql(stmt);
    assert_int_equal(bearer_me(&srv, t30), 401);
    token_row(id30, status, sizeof status, expires, sizeof expires);
    assert_string_equal(status, "expired");
    assert_int_equal(bearer_me(&srv, t365), 200);

    /* Revoked (by the CLI, another process): 401 within a second; a second
     * revoke and an unknown id are refused. */
    char id[32];
    snprintf(id, sizeof id, "%lld", id365);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", srv.db_url, "--id", id, NULL), 0);
    after_staff_cache();
    assert_int_equal(bearer_me(&srv, t365), 401);
    token_row(id365, status, sizeof status, expires, sizeof expires);
    assert_string_equal(status, "revoked");
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", srv.db_url, "--id", id, NULL), 1);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", srv.db_url, "--id", "999999", NULL), 1);
    /* Bad arguments. */
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", "mark", "--days", "0", NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", "mark", "--days", "1x", NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", "mark", "--days", "3651", NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", srv.db_url, NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", srv.db_url, "--id", "-3", NULL), 2);
}

static void unknown_route_and_method(void **state)
{
    struct client *c = *state;
    assert_int_equal(req_status(c, "GET", "/api/v1/nothing-here", NULL), 404);
    assert_int_equal(req_status(c, "PUT", "/api/v1/session", "{}"), 405);
    assert_int_equal(req_status(c, "GET", "/healthz", NULL), 200);
}

/* Mark's sessions only: the admin's stays for the tests after this one. */
#define MARKS " WHERE staff_id = (SELECT id FROM staff WHERE login = 'mark')"

static void sessions_expire_when_idle_or_old(void **state)
{
    (void)state;
    struct client c;
    client_login(&c, &srv, "mark");
    assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 200);
    /* Idle for 3 hours: gone. */
    sql("UPDATE sessions SET last_seen_at = last_seen_at - 10800000000" MARKS);
    assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 401);
    /* Busy all the time but logged in 13 hours ago: gone too. */
    assert_int_equal(login(&c, "mark", "mark-password"), 201);
    sql("UPDATE sessions SET created_at = created_at - 46800000000" MARKS);
    assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 401);
    client_free(&c);
}

static void admin_manages_staff(void **state)
{
    (void)state;
    struct client c;
    struct resp r;
    /* Bad input names the fields; nothing is created. */
    req_expect(&admin, "POST", "/api/v1/staff",
               "{\"login\":\"Bad Login\",\"name\":\"\",\"role\":\"boss\",\"store_code\":\"NOPE\",\"password\":\"short\"}", 422, &r);
    assert_true(has_err_field(&r, "login"));
    assert_true(has_err_field(&r, "name"));
    assert_true(has_err_field(&r, "role"));
    assert_true(has_err_field(&r, "password"));
    resp_free(&r);
    make_staff(&admin, "sanne", "associate", "UTR01", "sanne-password");
    req_expect_field(&admin, "POST", "/api/v1/staff",
                     "{\"login\":\"sanne\",\"name\":\"S\",\"role\":\"associate\",\"store_code\":\"UTR01\",\"password\":\"12345678\"}", 409, "login");
    /* Promote to manager; the change shows at once. */
    client_login(&c, &srv, "sanne");
    req_expect(&admin, "PATCH", "/api/v1/staff/sanne", "{\"role\":\"manager\"}", 200, &r);
    assert_string_equal(jstr(r.json, "role"), "manager");
    resp_free(&r);
    assert_int_equal(req_status(&c, "GET", "/api/v1/staff", NULL), 200);
    /* Disabling the account ends its sessions and its logins. */
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/sanne", "{\"active\":false}"), 200);
    assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 401);
    assert_int_equal(login(&c, "sanne", "sanne-password"), 401);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/nobody", "{\"active\":false}"), 404);
    client_free(&c);
}

static void language_is_remembered_per_user(void **state)
{
    (void)state;
    struct client c;
    client_login(&c, &srv, "mark");
    struct resp r;
    req_expect(&c, "PATCH", "/api/v1/me", "{\"lang\":\"en\"}", 200, &r);
    assert_string_equal(jstr(r.json, "user.lang"), "en");
    resp_free(&r);
    req_expect_field(&c, "PATCH", "/api/v1/me", "{\"lang\":\"fr\"}", 422, "lang");
    assert_int_equal(login(&c, "mark", "mark-password"), 201);
    assert_int_equal(req(&c, "GET", "/api/v1/me", NULL, &r), 0);
    assert_string_equal(jstr(r.json, "user.lang"), "en");
    resp_free(&r);
    client_free(&c);
}

static void cli_refuses_bad_arguments(void **state)
{
    (void)state;
    char out[2048];
    assert_int_equal(run_cli(NULL, out, sizeof out, "serve", "--help", NULL), 0);
    assert_non_null(strstr(out, "--listen"));
    assert_int_equal(run_cli(NULL, out, sizeof out, "serve", "--bogus", NULL), 2);
    assert_int_equal(run_cli("pw-long-enough\n", out, sizeof out, "user", "add", "--db", srv.db_url, "--login", "x y",
                             "--name", "X", "--role", "associate", "--store", "UTR01", "--password-stdin", NULL), 1);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", "nobody", NULL), 1);
    assert_int_equal(run_cli(NULL, out, sizeof out, "frobnicate", NULL), 2);
}

TD_TEST_MAIN("api_auth", setup, chain_teardown,
             CLIENT_TEST(login_logout),
             CLIENT_TEST(wrong_password_same_answer_as_unknown_login),
             cmocka_unit_test(associate_cannot_manage_staff_or_stores),
             cmocka_unit_test(csrf_and_origin_are_required_for_cookie_writes),
             CLIENT_TEST(login_backs_off_per_account),
             CLIENT_TEST(x_forwarded_for_is_ignored_without_a_trusted_proxy),
             cmocka_unit_test(api_token_works_without_csrf),
             cmocka_unit_test(api_tokens_expire_and_can_be_listed_and_revoked),
             CLIENT_TEST(unknown_route_and_method),
             cmocka_unit_test(sessions_expire_when_idle_or_old),
             cmocka_unit_test(admin_manages_staff),
             cmocka_unit_test(language_is_remembered_per_user),
             cmocka_unit_test(cli_refuses_bad_arguments))
