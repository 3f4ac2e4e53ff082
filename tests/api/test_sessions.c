/* test_sessions.c — sessions across two `trustdesk serve` processes on one
 * database, as behind a load balancer: an id from before the login never
 * becomes valid, logging out everywhere, a disabled account and a new
 * password end sessions on every server, a revoked API token is refused at
 * once on every server (docs/security.md). A "browser" here is a session
 * cookie and its CSRF token, sent to either server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/token.h"
#include "harness.h"
#include "cmocka_main.h"

static struct server one, two;
static struct client admin;          /* on server one */

struct browser { char cookie[80], csrf[80]; };

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", NULL}, {"mark", "manager", "UTR01", NULL},
                                          {"sanne", "associate", "UTR01", NULL}, MEMBERS_END};
    if (server_start(&one) != 0 || server_start_shared(&two, &one) != 0) return -1;
    chain_keep(&two);
    return chain_setup(&one, &admin, "UTR01", staff);
}

/* Sends a request as browser b (its cookie, its CSRF token and an Origin
 * naming server s) to server s; returns the status, the answer in *out when
 * out is not NULL. */
static long as_browser(const struct server *s, const struct browser *b, const char *method, const char *path,
                       const char *body, struct resp *out)
{
    struct client c;
    client_init(&c, s);
    snprintf(c.csrf, sizeof c.csrf, "%s", b->csrf);
    char cookie[120];
    snprintf(cookie, sizeof cookie, "Cookie: td_session=%s", b->cookie);
    struct resp r;
    assert_int_equal(req_h(&c, method, path, body, &r, cookie, NULL), 0);
    long st = r.status;
    if (out) *out = r;
    else resp_free(&r);
    client_free(&c);
    return st;
}

static long me(const struct server *s, const struct browser *b)
{
    return as_browser(s, b, "GET", "/api/v1/me", NULL, NULL);
}

/* Logs in on server s from browser b, which may already hold a cookie (it
 * is sent along); b then holds what the answer set. Returns the status. */
static long log_in(const struct server *s, struct browser *b, const char *user, const char *password)
{
    char body[160];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    struct resp r;
    long st = as_browser(s, b, "POST", "/api/v1/session", body, &r);
    if (st == 201) {
        char set[300];
        resp_header(&r, "Set-Cookie", set, sizeof set);
        assert_true(strncmp(set, "td_session=", 11) == 0);
        snprintf(b->cookie, sizeof b->cookie, "%.*s", (int)strcspn(set + 11, ";"), set + 11);
        snprintf(b->csrf, sizeof b->csrf, "%s", jstr(r.json, "csrf_token"));
    }
    resp_free(&r);
    return st;
}

static void new_token(const char *user, char *out, size_t n)
{
    assert_int_equal(run_cli(NULL, out, n, "token", "add", "--db", one.db_url, "--login", user, NULL), 0);
    out[strcspn(out, "\n")] = '\0';
}

/* Session fixation: an attacker plants a session id in a browser (a shared
 * till, a link) and waits for someone to log in with it. */
static void a_session_id_from_before_login_never_becomes_valid(void **state)
{
    (void)state;
    static const char planted[] = "0123456789abcdef0123456789abcdef";
    struct browser b = {0}, attacker = {0};
    snprintf(b.cookie, sizeof b.cookie, "%s", planted);
    snprintf(attacker.cookie, sizeof attacker.cookie, "%s", planted);
    assert_int_equal(me(&one, &b), 401);
    assert_int_equal(log_in(&one, &b, "anna", "anna-password"), 201);
    /* The login made a new id; the planted one is valid nowhere, and no
     * session was ever stored under it. */
    assert_int_equal((int)strlen(b.cookie), TOKEN_HEX_LEN);
    assert_string_not_equal(b.cookie, planted);
    assert_int_equal(me(&one, &attacker), 401);
    assert_int_equal(me(&two, &attacker), 401);
    char hash[TOKEN_HASH_HEX_LEN + 1], q[200];
    token_hash(planted, hash);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", hash);
    assert_int_equal(server_sql_int(&one, q), 0);
    assert_int_equal(me(&one, &b), 200);
    assert_int_equal(me(&two, &b), 200);

    /* Each login makes a new id, and the session the browser had ends: one
     * browser never holds two live sessions, on any server. */
    struct browser before = b;
    assert_int_equal(log_in(&two, &b, "anna", "anna-password"), 201);
    assert_string_not_equal(b.cookie, before.cookie);
    assert_int_equal(me(&one, &before), 401);
    assert_int_equal(me(&two, &before), 401);
    assert_int_equal(me(&one, &b), 200);
    /* Another account logging in on this browser replaces anna's session too. */
    before = b;
    assert_int_equal(log_in(&one, &b, "mark", "mark-password"), 201);
    assert_int_equal(me(&two, &before), 401);
    /* A failed login changes nothing: the session it came with stays. */
    before = b;
    assert_int_equal(log_in(&two, &b, "mark", "wrong-password"), 401);
    assert_string_equal(b.cookie, before.cookie);
    assert_int_equal(me(&one, &b), 200);
}

static void logging_out_everywhere_ends_every_session_on_every_server(void **state)
{
    (void)state;
    struct browser a = {0}, b = {0}, c = {0}, m = {0};
    char token[64];
    assert_int_equal(log_in(&one, &a, "anna", "anna-password"), 201);
    assert_int_equal(log_in(&two, &b, "anna", "anna-password"), 201);
    assert_int_equal(log_in(&one, &c, "anna", "anna-password"), 201);
    assert_int_equal(log_in(&two, &m, "mark", "mark-password"), 201);
    new_token("anna", token, sizeof token);
    long long audited = server_sql_int(&one, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.end_all'");

    /* A cookie write needs its CSRF token: without it nothing ends. */
    struct browser forged = b;
    snprintf(forged.csrf, sizeof forged.csrf, "not-the-token");
    assert_int_equal(as_browser(&two, &forged, "DELETE", "/api/v1/sessions", NULL, NULL), 403);
    assert_int_equal(me(&one, &a), 200);

    struct resp r;
    assert_int_equal(as_browser(&two, &b, "DELETE", "/api/v1/sessions", NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "logged_out")));
    assert_int_equal(jint(r.json, "sessions_ended"), 3);
    char set[300];
    assert_non_null(strstr(resp_header(&r, "Set-Cookie", set, sizeof set), "Max-Age=0"));
    resp_free(&r);
    const struct browser *anna[] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(me(&one, anna[i]), 401);
        assert_int_equal(me(&two, anna[i]), 401);
    }
    /* Others' sessions and the account's API tokens stay. */
    assert_int_equal(me(&one, &m), 200);
    assert_int_equal(bearer_me(&one, token), 200);
    assert_int_equal(bearer_me(&two, token), 200);
    assert_int_equal(server_sql_int(&one, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.end_all'"),
                     audited + 1);

    /* An integration may end its account's sessions too; it keeps its token. */
    assert_int_equal(log_in(&one, &a, "anna", "anna-password"), 201);
    struct client t;
    client_init(&t, &two);
    snprintf(t.bearer, sizeof t.bearer, "%s", token);
    t.no_origin = 1;
    req_expect(&t, "DELETE", "/api/v1/sessions", NULL, 200, &r);
    assert_int_equal(jint(r.json, "sessions_ended"), 1);
    resp_free(&r);
    client_free(&t);
    assert_int_equal(me(&one, &a), 401);
    assert_int_equal(bearer_me(&one, token), 200);
}

/* login (password LOGIN-password) logged in on server one as a and on two
 * as b, and an API token of theirs in token. */
static void on_both_servers(const char *login, struct browser *a, struct browser *b, char *token, size_t n)
{
    char password[64];
    snprintf(password, sizeof password, "%s-password", login);
    assert_int_equal(log_in(&one, a, login, password), 201);
    assert_int_equal(log_in(&two, b, login, password), 201);
    new_token(login, token, n);
}

/* Neither session works on either server. */
static void ended_on_both_servers(const struct browser *a, const struct browser *b)
{
    for (int i = 0; i < 2; i++) {
        const struct server *s = i ? &two : &one;
        assert_int_equal(me(s, a), 401);
        assert_int_equal(me(s, b), 401);
    }
}

static void a_disabled_account_ends_its_sessions_on_every_server(void **state)
{
    (void)state;
    struct browser a = {0}, b = {0};
    char token[64];
    on_both_servers("sanne", &a, &b, token, sizeof token);
    assert_int_equal(bearer_me(&two, token), 200);
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/sanne", "{\"active\":false}"), 200);
    /* At once, on both servers: no session, no token, no login. */
    for (int i = 0; i < 2; i++) {
        const struct server *s = i ? &two : &one;
        assert_int_equal(me(s, &a), 401);
        assert_int_equal(me(s, &b), 401);
        assert_int_equal(bearer_me(s, token), 401);
        struct browser fresh = {0};
        assert_int_equal(log_in(s, &fresh, "sanne", "sanne-password"), 401);
    }
    /* Enabled again: the sessions stay ended; the token, never revoked,
     * works again (revoke it to end it for good). */
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/sanne", "{\"active\":true}"), 200);
    assert_int_equal(me(&one, &a), 401);
    assert_int_equal(me(&two, &b), 401);
    assert_int_equal(bearer_me(&two, token), 200);
    assert_int_equal(log_in(&two, &b, "sanne", "sanne-password"), 201);
}

static void a_new_password_ends_sessions_on_every_server(void **state)
{
    (void)state;
    struct browser a = {0}, b = {0};
    char token[64];
    on_both_servers("mark", &a, &b, token, sizeof token);
    /* An admin sets a new password (on server one). */
    struct resp r;
    assert_int_equal(req_status(&admin, "PATCH", "/api/v1/staff/mark", "{\"password\":\"mark-password-2\"}"), 200);
    ended_on_both_servers(&a, &b);
    struct browser fresh = {0};
    assert_int_equal(log_in(&two, &fresh, "mark", "mark-password"), 401);
    assert_int_equal(log_in(&two, &a, "mark", "mark-password-2"), 201);
    assert_int_equal(log_in(&one, &b, "mark", "mark-password-2"), 201);
    assert_int_equal(bearer_me(&two, token), 200);      /* a token is not a password's session */

    /* Mark changes it himself, on server two: his other session ends, and so
     * does the one he used; the answer clears its cookie. */
    assert_int_equal(as_browser(&two, &a, "PATCH", "/api/v1/me",
                                "{\"password\":\"mark-password-3\",\"current_password\":\"mark-password-2\"}", &r), 200);
    assert_string_equal(jstr(r.json, "user.login"), "mark");
    assert_null(json_object_get(r.json, "csrf_token"));
    char set[300];
    assert_non_null(strstr(resp_header(&r, "Set-Cookie", set, sizeof set), "Max-Age=0"));
    resp_free(&r);
    ended_on_both_servers(&a, &b);
    assert_int_equal(log_in(&one, &a, "mark", "mark-password-3"), 201);
    assert_int_equal(me(&two, &a), 200);
}

static void a_revoked_token_is_refused_at_once_on_every_server(void **state)
{
    (void)state;
    char token[64], out[4096];
    new_token("anna", token, sizeof token);
    /* One kept-alive connection to each server, as an integration keeps. */
    struct client c[2];
    struct resp r;
    for (int i = 0; i < 2; i++) {
        client_init(&c[i], i ? &two : &one);
        snprintf(c[i].bearer, sizeof c[i].bearer, "%s", token);
        c[i].no_origin = 1;
        assert_int_equal(req(&c[i], "GET", "/api/v1/me", NULL, &r), 0);
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
    /* The newest token of anna is this one. */
    char id[32];
    assert_int_equal(server_sql_value(&one, "SELECT MAX(x.id) FROM api_tokens x JOIN staff s ON s.id = x.staff_id"
                                            " WHERE s.login = 'anna'", id, sizeof id), 0);
    assert_int_equal(run_cli(NULL, out, sizeof out, "token", "revoke", "--db", one.db_url, "--id", id, NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(req(&c[i], "GET", "/api/v1/me", NULL, &r), 0);
        assert_int_equal(r.status, 401);
        resp_free(&r);
        assert_int_equal(req(&c[i], "POST", "/api/v1/customers", "{\"name\":\"Nog Een Klant\"}", &r), 0);
        assert_int_equal(r.status, 401);
        resp_free(&r);
        client_free(&c[i]);
    }
}

TD_TEST_MAIN("api_sessions", setup, chain_teardown,
             cmocka_unit_test(a_session_id_from_before_login_never_becomes_valid),
             cmocka_unit_test(logging_out_everywhere_ends_every_session_on_every_server),
             cmocka_unit_test(a_disabled_account_ends_its_sessions_on_every_server),
             cmocka_unit_test(a_new_password_ends_sessions_on_every_server),
             cmocka_unit_test(a_revoked_token_is_refused_at_once_on_every_server))
