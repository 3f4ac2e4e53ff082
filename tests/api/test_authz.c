/* test_authz.c — the authorization matrix: every route of the route table,
 * called by every role, from its own store and another, without a session,
 * with an expired session and with a wrong CSRF token, against the answers
 * this file expects. The table below is kept by hand beside routes.def: a
 * route added there without an entry here fails the test, so every new
 * route's access is decided on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

/* Who may call a route: P anyone, S staff (associate, manager, admin),
 * L leads (manager, admin), A admin. `other`: for a route naming a store
 * ({code} of /stores/ or /policy/stores/, {store} of /collections/), whether
 * a manager may call it for another store ('y') or is refused ('n'); '-'
 * elsewhere. */
struct expect { const char *method, *path; char who; char other; };
static const struct expect table[] = {
    {"GET", "/healthz", 'P', '-'},
    {"GET", "/readyz", 'P', '-'},
    {"GET", "/metrics", 'P', '-'},
    {"POST", "/api/v1/session", 'P', '-'},
    {"DELETE", "/api/v1/session", 'S', '-'},
    {"DELETE", "/api/v1/sessions", 'S', '-'},
    {"GET", "/api/v1/me", 'S', '-'},
    {"PATCH", "/api/v1/me", 'S', '-'},
    {"GET", "/api/v1/stores", 'S', '-'},
    {"POST", "/api/v1/stores", 'A', '-'},
    {"GET", "/api/v1/stores/{code}", 'S', 'y'},
    {"PATCH", "/api/v1/stores/{code}", 'A', 'n'},
    {"GET", "/api/v1/staff", 'L', '-'},
    {"POST", "/api/v1/staff", 'A', '-'},
    {"GET", "/api/v1/staff/{login}", 'L', '-'},
    {"PATCH", "/api/v1/staff/{login}", 'A', '-'},
    {"GET", "/api/v1/customers", 'S', '-'},
    {"POST", "/api/v1/customers", 'S', '-'},
    {"GET", "/api/v1/customers/{id}", 'S', '-'},
    {"PATCH", "/api/v1/customers/{id}", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/purchases", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/export", 'L', '-'},
    {"POST", "/api/v1/customers/{id}/erase", 'A', '-'},
    {"POST", "/api/v1/imports/customers", 'A', '-'},
    {"POST", "/api/v1/imports/purchases", 'A', '-'},
    {"POST", "/api/v1/imports/catalogue", 'A', '-'},
    {"POST", "/api/v1/imports/stock", 'A', '-'},
    {"POST", "/api/v1/credit-notes", 'S', '-'},
    {"GET", "/api/v1/credit-notes/{code}", 'S', '-'},
    {"POST", "/api/v1/credit-notes/{code}/redemptions", 'S', '-'},
    {"POST", "/api/v1/credit-notes/{code}/void", 'L', '-'},
    {"POST", "/api/v1/credit-notes/{code}/reissue", 'L', '-'},
    {"GET", "/api/v1/credit-notes/{code}/print", 'S', '-'},
    {"POST", "/api/v1/credit-notes/lookup", 'S', '-'},
    {"POST", "/api/v1/credit-notes/redeem", 'S', '-'},
    {"POST", "/api/v1/credit-notes/print-links", 'S', '-'},
    {"GET", "/api/v1/print/{token}", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/credit-notes", 'S', '-'},
    {"GET", "/api/v1/ledger/credit-notes", 'A', '-'},
    {"GET", "/api/v1/ledger/accounts", 'A', '-'},
    {"POST", "/api/v1/cases", 'S', '-'},
    {"GET", "/api/v1/cases", 'S', '-'},
    {"GET", "/api/v1/cases/{id}", 'S', '-'},
    {"POST", "/api/v1/cases/{id}/decision", 'S', '-'},
    {"POST", "/api/v1/cases/{id}/resolve", 'S', '-'},
    {"POST", "/api/v1/cases/{id}/cancel", 'S', '-'},
    {"POST", "/api/v1/cases/{id}/follow-up", 'S', '-'},
    {"POST", "/api/v1/cases/{id}/value-card", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/cases", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/facts", 'S', '-'},
    {"GET", "/api/v1/approvals", 'L', '-'},
    {"POST", "/api/v1/approvals/{id}/approve", 'L', '-'},
    {"POST", "/api/v1/approvals/{id}/reject", 'L', '-'},
    {"GET", "/api/v1/repairs", 'S', '-'},
    {"GET", "/api/v1/repairs/{id}", 'S', '-'},
    {"POST", "/api/v1/repairs/{id}/status", 'S', '-'},
    {"GET", "/api/v1/stores/{code}/dashboard", 'L', 'n'},
    {"GET", "/api/v1/policy", 'S', '-'},
    {"PUT", "/api/v1/policy", 'A', '-'},
    {"GET", "/api/v1/policy/versions", 'L', '-'},
    {"POST", "/api/v1/policy/simulations", 'L', '-'},
    {"GET", "/api/v1/policy/stores/{code}", 'S', 'y'},
    {"PUT", "/api/v1/policy/stores/{code}", 'A', 'n'},
    {"GET", "/api/v1/policy/stores/{code}/versions", 'L', 'y'},
    {"POST", "/api/v1/styles", 'A', '-'},
    {"GET", "/api/v1/styles", 'S', '-'},
    {"GET", "/api/v1/styles/{code}", 'S', '-'},
    {"PUT", "/api/v1/stores/{code}/stock/{sku}", 'L', 'n'},
    {"POST", "/api/v1/collections", 'A', '-'},
    {"GET", "/api/v1/collections", 'S', '-'},
    {"GET", "/api/v1/collections/{code}", 'S', '-'},
    {"PUT", "/api/v1/collections/{code}/stores/{store}", 'L', 'n'},
    {"GET", "/api/v1/collections/{code}/stores/{store}/preview", 'L', 'n'},
    {"POST", "/api/v1/collections/{code}/stores/{store}/arrive", 'L', 'n'},
    {"GET", "/api/v1/collections/{code}/stores/{store}/report", 'L', 'n'},
    {"GET", "/api/v1/book", 'S', '-'},
    {"POST", "/api/v1/book/reassign", 'L', '-'},
    {"PUT", "/api/v1/customers/{id}/book", 'S', '-'},
    {"GET", "/api/v1/customers/{id}/profile", 'S', '-'},
    {"PUT", "/api/v1/customers/{id}/sizes/{category}", 'S', '-'},
    {"PUT", "/api/v1/customers/{id}/preferences", 'S', '-'},
    {"POST", "/api/v1/customers/{id}/dates", 'S', '-'},
    {"DELETE", "/api/v1/customers/{id}/dates/{date_id}", 'S', '-'},
    {"POST", "/api/v1/customers/{id}/notes", 'S', '-'},
    {"PUT", "/api/v1/customers/{id}/objection", 'S', '-'},
    {"GET", "/api/v1/outreach/today", 'S', '-'},
    {"GET", "/api/v1/outreach/{id}", 'S', '-'},
    {"POST", "/api/v1/outreach/{id}/outcome", 'S', '-'},
    {"POST", "/api/v1/outreach/{id}/mail", 'S', '-'},
    {"POST", "/api/v1/holds", 'S', '-'},
    {"GET", "/api/v1/holds", 'S', '-'},
    {"POST", "/api/v1/holds/{id}/release", 'S', '-'},
    {"GET", "/api/v1/surveys/{token}", 'P', '-'},
    {"POST", "/api/v1/surveys/{token}", 'P', '-'},
    {"GET", "/api/v1/followups", 'L', '-'},
    {"GET", "/api/v1/followups/report", 'L', '-'},
    {"GET", "/api/v1/followups/{id}", 'L', '-'},
    {"POST", "/api/v1/followups/{id}/assign", 'L', '-'},
    {"POST", "/api/v1/followups/{id}/contact", 'L', '-'},
    {"POST", "/api/v1/followups/{id}/close", 'L', '-'},
    {"GET", "/api/v1/nps", 'S', '-'},
    {"GET", "/api/v1/nps.csv", 'S', '-'},
    {"GET", "/api/v1/insight/referrals", 'L', '-'},
    {"GET", "/api/v1/insight/coaching", 'S', '-'},
    {"GET", "/api/v1/nps.xlsx", 'S', '-'},
    {"GET", "/api/v1/insight/daily", 'L', '-'},
    {"GET", "/api/v1/insight/goodwill", 'L', '-'},
    {"GET", "/api/v1/root-causes", 'S', '-'},
    {"POST", "/api/v1/root-causes", 'A', '-'},
    {"GET", "/api/v1/unsubscribe/{token}", 'P', '-'},
    {"POST", "/api/v1/unsubscribe/{token}", 'P', '-'},
    {"POST", "/api/v1/staff-surveys", 'A', '-'},
    {"GET", "/api/v1/staff-surveys", 'L', '-'},
    {"GET", "/api/v1/staff-surveys/{id}/results", 'L', '-'},
    {"GET", "/api/v1/staff-survey/{token}", 'P', '-'},
    {"POST", "/api/v1/staff-survey/{token}/answers", 'P', '-'},
    {"GET", "/api/v1/secrets", 'S', '-'},
    {"PATCH", "/api/v1/secrets/{id}", 'L', '-'},
    {"POST", "/api/v1/secrets/{id}/merge", 'L', '-'},
    {"GET", "/api/v1/value-cards", 'S', '-'},
    {"POST", "/api/v1/value-cards", 'L', '-'},
    {"GET", "/api/v1/value-cards/{id}", 'S', '-'},
    {"PATCH", "/api/v1/value-cards/{id}", 'L', '-'},
    {"POST", "/api/v1/value-cards/{id}/verify", 'L', '-'},
    {"POST", "/api/v1/value-cards/{id}/retire", 'L', '-'},
    {"GET", "/api/v1/value-cards/{id}/questions", 'L', '-'},
    {"POST", "/api/v1/value-cards/{id}/questions", 'L', '-'},
    {"GET", "/api/v1/quiz", 'S', '-'},
    {"POST", "/api/v1/quiz/answers", 'S', '-'},
    {"GET", "/api/v1/staff/{login}/knowledge", 'S', '-'},
};

static const struct { const char *method, *path; } routes[] = {
#define ROUTE(method, path, handler, roles, flags) {method, path},
#include "api/routes.def"
#undef ROUTE
};

static struct server srv;
static struct client assoc, manager, admin, expired;

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &assoc}, {"mark", "manager", "UTR01", &manager},
                                          {"olga", "associate", "UTR01", &expired}, MEMBERS_END};
    if (chain_start(&srv, &admin, "UTR01 AMS01", staff) != 0) return -1;
    /* Olga's session ended long ago (idle and absolute timeouts both passed). */
    if (server_sql(&srv, "UPDATE sessions SET created_at = 0, last_seen_at = 0 WHERE staff_id ="
                         " (SELECT id FROM staff WHERE login = 'olga')") != 0)
        return -1;
    return 0;
}

static const struct expect *expected(const char *method, const char *path)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].method, method) == 0 && strcmp(table[i].path, path) == 0) return &table[i];
    return NULL;
}

/* The path with its {placeholders} filled; store codes from `store`. The
 * ids and codes name nothing, so an allowed call changes nothing. */
static void fill(const char *pattern, const char *store, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 40 < n; p++) {
        if (*p != '{') {
            out[o++] = *p;
            continue;
        }
        const char *name = p + 1;
        const char *v = strncmp(name, "id}", 3) == 0      ? "999999"
                      : strncmp(name, "login}", 6) == 0   ? "nobody"
                      : strstr(pattern, "credit-notes")   ? "TD-NONE-NONE-NONE"
                                                          : store;
        o += (size_t)snprintf(out + o, n - o, "%s", v);
        while (*p && *p != '}') p++;
    }
    out[o] = '\0';
}

static long call(struct client *c, const char *method, const char *path)
{
    struct resp r;
    int write = strcmp(method, "GET") != 0;
    assert_int_equal(req(c, method, path, write ? "{}" : NULL, &r), 0);
    long s = r.status;
    resp_free(&r);
    return s;
}

static int allows(char who, char role)
{
    return who == 'P' || who == 'S' || (who == 'L' && role != 'a') || (who == 'A' && role == 'x');
}

static int failures;

/* Logging out here or everywhere: called last, since they end sessions. */
static int ends_sessions(const char *method, const char *pattern)
{
    return strcmp(method, "DELETE") == 0 &&
           (strcmp(pattern, "/api/v1/session") == 0 || strcmp(pattern, "/api/v1/sessions") == 0);
}

static void check(const char *what, const char *method, const char *path, long got, int allowed)
{
    int ok = allowed ? (got != 401 && got != 403) : got == 403;
    if (!ok) {
        print_error("%s %s as %s: %ld, expected %s\n", method, path, what, got, allowed ? "to be let through" : "403");
        failures++;
    }
}

static void every_route_has_an_expected_answer(void **state)
{
    (void)state;
    int missing = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!expected(routes[i].method, routes[i].path)) {
            print_error("no expected answers for %s %s: add it to test_authz.c's table\n", routes[i].method, routes[i].path);
            missing++;
        }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int found = 0;
        for (size_t j = 0; j < sizeof routes / sizeof routes[0]; j++)
            found |= strcmp(routes[j].method, table[i].method) == 0 && strcmp(routes[j].path, table[i].path) == 0;
        if (!found) {
            print_error("the table names %s %s, which routes.def does not have\n", table[i].method, table[i].path);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

static void the_matrix(void **state)
{
    (void)state;
    struct client anon;
    client_init(&anon, &srv);
    failures = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *method = routes[i].method, *pattern = routes[i].path;
        const struct expect *e = expected(method, pattern);
        if (!e) continue;                              /* reported by the test above */
        if (ends_sessions(method, pattern)) continue;   /* below: they would end the callers' sessions */
        char path[256];
        fill(pattern, "UTR01", path, sizeof path);
        int write = strcmp(method, "GET") != 0;
        if (e->who != 'P') {
            long s = call(&anon, method, path);
            if (s != 401) { print_error("%s %s without a session: %ld, expected 401\n", method, path, s); failures++; }
            s = call(&expired, method, path);
            if (s != 401) { print_error("%s %s with an expired session: %ld, expected 401\n", method, path, s); failures++; }
        }
        check("associate", method, path, call(&assoc, method, path), allows(e->who, 'a'));
        check("manager", method, path, call(&manager, method, path), allows(e->who, 'm'));
        check("admin", method, path, call(&admin, method, path), allows(e->who, 'x'));
        if (e->other != '-') {
            char other[256];
            fill(pattern, "AMS01", other, sizeof other);
            check("manager of another store", method, other, call(&manager, method, other),
                  allows(e->who, 'm') && e->other == 'y');
            check("admin", method, other, call(&admin, method, other), allows(e->who, 'x'));
        }
        if (write && e->who != 'P') {
            /* A cookie-authenticated write with a wrong CSRF token. */
            char saved[80];
            snprintf(saved, sizeof saved, "%s", admin.csrf);
            snprintf(admin.csrf, sizeof admin.csrf, "not-the-token");
            long s = call(&admin, method, path);
            snprintf(admin.csrf, sizeof admin.csrf, "%s", saved);
            if (s != 403) { print_error("%s %s with a wrong CSRF token: %ld, expected 403\n", method, path, s); failures++; }
        }
    }
    /* Logging out, here or everywhere: anyone with a session, nobody
     * without, and a cookie needs its CSRF token. */
    static const char *const logouts[] = {"/api/v1/session", "/api/v1/sessions"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(call(&anon, "DELETE", logouts[i]), 401);
        assert_int_equal(call(&expired, "DELETE", logouts[i]), 401);
        char saved[80];
        snprintf(saved, sizeof saved, "%s", admin.csrf);
        snprintf(admin.csrf, sizeof admin.csrf, "not-the-token");
        assert_int_equal(call(&admin, "DELETE", logouts[i]), 403);
        snprintf(admin.csrf, sizeof admin.csrf, "%s", saved);
    }
    assert_int_equal(call(&assoc, "DELETE", "/api/v1/session"), 200);
    assert_int_equal(call(&manager, "DELETE", "/api/v1/sessions"), 200);
    assert_int_equal(call(&manager, "GET", "/api/v1/me"), 401);
    assert_int_equal(call(&admin, "GET", "/api/v1/me"), 200);
    client_free(&anon);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_has_an_expected_answer),
        cmocka_unit_test(the_matrix),
    };
    return cmocka_run_group_tests_name("api_authz", tests, setup, chain_teardown);
}
