/* test_ledger.c — credit notes over the API: the worn dress, concurrency,
 * idempotency, refusals that change nothing, the database's own guards. */
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
static struct client assoc, mgr;

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &assoc}, {"mark", "manager", "UTR01", &mgr},
                                          MEMBERS_END};
    return chain_start(&srv, NULL, "UTR01", staff);
}

/* Issues a note and returns its code in out. */
static void issue(struct client *c, long long cents, char *out, size_t n)
{
    char body[200];
    snprintf(body, sizeof body, "{\"amount_cents\":%lld,\"reason\":\"goodwill at the desk\"}", cents);
    struct resp r;
    assert_int_equal(req(c, "POST", "/api/v1/credit-notes", body, &r), 0);
    if (r.status != 201) fprintf(stderr, "issue: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_int_equal(jint(r.json, "balance_cents"), cents);
    assert_string_equal(jstr(r.json, "status"), "issued");
    snprintf(out, n, "%s", jstr(r.json, "code"));
    assert_int_equal(strlen(out), 22);
    resp_free(&r);
}

/* "/api/v1/credit-notes/CODE", and "/WHAT" after it when what is set, into
 * path (n bytes); returns path. */
static const char *note_path(char *path, size_t n, const char *code, const char *what)
{
    snprintf(path, n, "/api/v1/credit-notes/%s%s%s", code, what ? "/" : "", what ? what : "");
    return path;
}

static long redeem(struct client *c, const char *code, long long cents, long long *balance)
{
    char body[200], path[128];
    snprintf(body, sizeof body, "{\"amount_cents\":%lld,\"store_code\":\"UTR01\",\"till_reference\":\"till-3\"}", cents);
    note_path(path, sizeof path, code, "redemptions");
    struct resp r;
    assert_int_equal(req(c, "POST", path, body, &r), 0);
    long st = r.status;
    if (balance) *balance = jint(r.json, "balance_cents");
    resp_free(&r);
    return st;
}

static long long balance_of(const char *code)
{
    char path[128];
    note_path(path, sizeof path, code, NULL);
    struct resp r;
    req_expect(&assoc, "GET", path, NULL, 200, &r);
    long long b = jint(r.json, "balance_cents");
    resp_free(&r);
    return b;
}

static void verify_ledger(void)
{
    char out[4096];
    int rc = run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", srv.db_url, NULL);
    if (rc != 0) fail_msg("ledger verify failed: %s", out);
    assert_non_null(strstr(out, "ledger verify: ok"));
}

static void the_worn_dress(void **state)
{
    (void)state;
    char code[40];
    issue(&assoc, 24000, code, sizeof code);
    long long bal = -1;
    assert_int_equal(redeem(&assoc, code, 10000, &bal), 201);
    assert_int_equal(bal, 14000);
    assert_int_equal(redeem(&assoc, code, 14000, &bal), 201);
    assert_int_equal(bal, 0);
    assert_int_equal(redeem(&assoc, code, 1, NULL), 409);
    assert_int_equal(balance_of(code), 0);
    char path[128];
    note_path(path, sizeof path, code, NULL);
    struct resp r;
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "used");
    json_t *h = json_object_get(r.json, "history");
    assert_int_equal(json_array_size(h), 3);
    assert_int_equal(jint(r.json, "history.0.delta_cents"), 24000);
    assert_int_equal(jint(r.json, "history.1.delta_cents"), -10000);
    assert_string_equal(jstr(r.json, "history.2.till_reference"), "till-3");
    resp_free(&r);
    /* Codes are read case-insensitively, without the dashes. */
    char loose[40];
    size_t k = 0;
    for (const char *p = code; *p; p++)
        if (*p != '-') loose[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    loose[k] = '\0';
    assert_int_equal(balance_of(loose), 0);
    verify_ledger();
}

/* The answers of a test's volley (static: too large for the stack). */
static struct volley_shot shots[100];

/* A note of cents issued by the associate (its code into code), then n
 * redemptions of EUR 10 of it at once into shots, each with the
 * Idempotency-Key key (NULL: none), as the associate; the caller frees
 * shots. */
static void redeem_at_once(long long cents, const char *key, char code[40], int n)
{
    assert_true(n <= (int)(sizeof shots / sizeof shots[0]));
    issue(&assoc, cents, code, 40);
    char path[128], hdr[300];
    note_path(path, sizeof path, code, "redemptions");
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key ? key : "");
    for (int i = 0; i < n; i++)
        shots[i] = (struct volley_shot){"POST", path, "{\"amount_cents\":1000,\"store_code\":\"UTR01\"}",
                                        key ? hdr : NULL, {0}};
    volley(&assoc, shots, (size_t)n);
}

static void hundred_concurrent_redemptions_of_ten_against_fifty(void **state)
{
    (void)state;
    enum { N = 100 };
    char code[40];
    redeem_at_once(5000, NULL, code, N);
    for (int i = 0; i < N; i++)
        if (shots[i].r.status != 201 && shots[i].r.status != 409)
            fprintf(stderr, "unexpected %ld %s\n", shots[i].r.status, shots[i].r.body ? shots[i].r.body : "");
    assert_int_equal(volley_count(shots, N, 201), 5);
    assert_int_equal(volley_count(shots, N, 409), 95);
    volley_free(shots, N);
    assert_int_equal(balance_of(code), 0);
    verify_ledger();
}

static void fifty_identical_requests_with_one_key(void **state)
{
    (void)state;
    enum { N = 50 };
    char code[40];
    redeem_at_once(5000, "till-3-receipt-881", code, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(shots[i].r.status, 201);
        assert_string_equal(shots[i].r.body, shots[0].r.body);
    }
    volley_free(shots, N);
    assert_int_equal(balance_of(code), 4000);
    char path[128];
    note_path(path, sizeof path, code, NULL);
    struct resp r;
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "history")), 2);   /* issue + one redemption */
    resp_free(&r);
    /* The same key with another body is refused and changes nothing. */
    note_path(path, sizeof path, code, "redemptions");
    assert_int_equal(req_h(&assoc, "POST", path, "{\"amount_cents\":2000,\"store_code\":\"UTR01\"}", &r,
                           "Idempotency-Key: till-3-receipt-881", NULL), 0);
    assert_int_equal(r.status, 422);
    assert_true(has_err_field(&r, "Idempotency-Key"));
    resp_free(&r);
    assert_int_equal(balance_of(code), 4000);
    /* A refusal is remembered too: the same over-large request, twice. */
    assert_int_equal(req_h(&assoc, "POST", path, "{\"amount_cents\":900000,\"store_code\":\"UTR01\"}", &r,
                           "Idempotency-Key: too-much-1", NULL), 0);
    assert_int_equal(r.status, 409);
    char first[1024];
    snprintf(first, sizeof first, "%s", r.body);
    resp_free(&r);
    assert_int_equal(req_h(&assoc, "POST", path, "{\"amount_cents\":900000,\"store_code\":\"UTR01\"}", &r,
                           "Idempotency-Key: too-much-1", NULL), 0);
    assert_int_equal(r.status, 409);
    assert_string_equal(r.body, first);
    resp_free(&r);
    verify_ledger();
}

static void bad_amounts_are_refused_and_change_nothing(void **state)
{
    (void)state;
    char code[40];
    issue(&assoc, 3000, code, sizeof code);
    char path[128];
    note_path(path, sizeof path, code, "redemptions");
    const char *bad[] = {"0", "-1", "1.5", "\"10\"", "1e309", "9223372036854775808", "null", "true"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"amount_cents\":%s,\"store_code\":\"UTR01\"}", bad[i]);
        struct resp r;
        assert_int_equal(req(&assoc, "POST", path, body, &r), 0);
        if (r.status != 422 || !has_err_field(&r, "amount_cents"))
            fail_msg("redeem %s: %ld %s", bad[i], r.status, r.body);
        resp_free(&r);
        assert_int_equal(req_status(&assoc, "POST", "/api/v1/credit-notes",
                                    strcmp(bad[i], "0") == 0 ? "{\"amount_cents\":0,\"reason\":\"x\"}" : body), 422);
    }
    req_expect_field(&assoc, "POST", path, "{\"store_code\":\"UTR01\"}", 422, "amount_cents");
    assert_int_equal(balance_of(code), 3000);
    verify_ledger();
}

static void wrong_codes_are_not_found_and_slowed_down(void **state)
{
    (void)state;
    char code[40];
    issue(&assoc, 1000, code, sizeof code);
    /* Change one character: the check character catches it. */
    char wrong[40];
    snprintf(wrong, sizeof wrong, "%s", code);
    wrong[4] = wrong[4] == 'A' ? 'B' : 'A';
    char path[128];
    struct resp r;
    note_path(path, sizeof path, wrong, NULL);
    req_expect(&assoc, "GET", path, NULL, 404, &r);
    char body404[512];
    snprintf(body404, sizeof body404, "%s", r.body);
    resp_free(&r);
    /* A well-formed code nobody holds gets the very same answer. */
    assert_int_equal(req(&assoc, "GET", "/api/v1/credit-notes/TD-2222-2222-2222-2222", NULL, &r), 0);
    if (r.status == 404) assert_string_equal(r.body, body404);
    resp_free(&r);
    assert_int_equal(req_status(&assoc, "GET", "/api/v1/credit-notes/%00%FF", NULL), 404);
    long last = 0;
    for (int i = 0; i < 40 && last != 429; i++) {
        assert_int_equal(req(&assoc, "GET", "/api/v1/credit-notes/TD-ABCD-EFGH-JKMN-PQRS", NULL, &r), 0);
        last = r.status;
        resp_free(&r);
    }
    assert_int_equal(last, 429);
    /* The database forgets the address's misses; the real code works again. */
    assert_int_equal(server_sql(&srv, "DELETE FROM login_failures"), 0);
    assert_int_equal(balance_of(code), 1000);
}


/* The server's clock to the second, as RFC 3339 ("2026-12-02T14:42:50Z"),
 * read from the Date header of an answer. */
static void server_now(char *out, size_t n)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char date[64], mon[4] = "";
    int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
    struct resp r;
    assert_int_equal(req(&assoc, "GET", "/healthz", NULL, &r), 0);
    resp_header(&r, "Date", date, sizeof date);
    resp_free(&r);
    assert_int_equal(sscanf(date, "%*3s, %d %3s %d %d:%d:%d", &d, mon, &y, &hh, &mm, &ss), 6);
    const char *m = strstr(months, mon);
    assert_non_null(m);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, (int)(m - months) / 3 + 1, d, hh, mm, ss);
}
static void roles_void_reissue_and_expiry(void **state)
{
    (void)state;
    char code[40], path[160];
    issue(&assoc, 2500, code, sizeof code);
    struct resp r;
    note_path(path, sizeof path, code, "void");
    assert_int_equal(req_status(&assoc, "POST", path, "{\"reason\":\"mistake\"}"), 403);
    req_expect(&mgr, "POST", path, "{\"reason\":\"issued twice by mistake\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "void");
    resp_free(&r);
    assert_int_equal(redeem(&assoc, code, 100, NULL), 409);

    /* Reissue: the balance moves to a new code; the old one is dead. */
    char lost[40];
    issue(&assoc, 4000, lost, sizeof lost);
    assert_int_equal(redeem(&assoc, lost, 1500, NULL), 201);
    note_path(path, sizeof path, lost, "reissue");
    req_expect(&mgr, "POST", path, "{\"reason\":\"customer lost the note\"}", 201, &r);
    char fresh[40];
    snprintf(fresh, sizeof fresh, "%s", jstr(r.json, "code"));
    assert_int_equal(jint(r.json, "balance_cents"), 2500);
    resp_free(&r);
    assert_int_equal(redeem(&assoc, lost, 100, NULL), 409);
    assert_int_equal(redeem(&assoc, fresh, 2500, NULL), 201);

    /* Associates issue up to their limit; above it a manager must. */
    assert_int_equal(req_status(&assoc, "POST", "/api/v1/credit-notes", "{\"amount_cents\":90000,\"reason\":\"big\"}"), 403);
    assert_int_equal(req_status(&mgr, "POST", "/api/v1/credit-notes", "{\"amount_cents\":90000,\"reason\":\"big\"}"), 201);

    /* Expiry: a note that expires in a few seconds works now, not after. */
    char soon[40], when[40];
    {
        char body[200];
        time_t t = time(NULL) + 3;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(body, sizeof body, "{\"amount_cents\":3000,\"reason\":\"soon gone\",\"expires_at\":\"%s\"}", when);
        req_expect(&assoc, "POST", "/api/v1/credit-notes", body, 201, &r);
        snprintf(soon, sizeof soon, "%s", jstr(r.json, "code"));
        resp_free(&r);
    }
    assert_int_equal(redeem(&assoc, soon, 1000, NULL), 201);
    /* What the refusal needs: the server's own clock past the expiry. */
    char now[40];
    for (server_now(now, sizeof now); strcmp(now, when) < 0; server_now(now, sizeof now)) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(redeem(&assoc, soon, 1000, NULL), 409);
    char out[256];
    assert_int_equal(run_cli(NULL, out, sizeof out, "ledger", "expire", "--db", srv.db_url, NULL), 0);
    note_path(path, sizeof path, soon, NULL);
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "expired");
    assert_int_equal(jint(r.json, "balance_cents"), 0);
    resp_free(&r);
    verify_ledger();
}

static void the_database_refuses_to_change_entries(void **state)
{
    (void)state;
    char code[40];
    issue(&assoc, 1200, code, sizeof code);
    assert_int_not_equal(server_sql(&srv, "UPDATE ledger_entries SET amount_cents = amount_cents * 2"), 0);
    assert_int_not_equal(server_sql(&srv, "DELETE FROM ledger_entries"), 0);
    assert_int_not_equal(server_sql(&srv, "DELETE FROM ledger_transactions"), 0);
    assert_int_not_equal(server_sql(&srv, "UPDATE credit_notes SET balance_cents = -5"), 0);
    verify_ledger();
    /* A balance changed behind the ledger's back is caught by verify. */
    assert_int_equal(server_sql(&srv, "UPDATE credit_notes SET balance_cents = balance_cents - 1 WHERE balance_cents > 0"), 0);
    char out[8192];
    assert_int_equal(run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", srv.db_url, NULL), 1);
    assert_non_null(strstr(out, "PROBLEM: credit note"));
    assert_int_equal(server_sql(&srv, "UPDATE credit_notes SET balance_cents = balance_cents + 1 WHERE balance_cents > 0"), 0);
    verify_ledger();
}

/* The body forms keep a code out of every URL (proxy logs, browser
 * history): look up and redeem with the code in the body, print through a
 * short-lived link whose token is not the code and opens nothing later. */
static void codes_stay_out_of_urls(void **state)
{
    (void)state;
    char code[40], body[256];
    issue(&assoc, 5000, code, sizeof code);
    struct resp r;
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    req_expect(&assoc, "POST", "/api/v1/credit-notes/lookup", body, 200, &r);
    assert_int_equal(jint(r.json, "balance_cents"), 5000);
    assert_non_null(json_object_get(r.json, "history"));
    resp_free(&r);
    assert_int_equal(req_status(&assoc, "POST", "/api/v1/credit-notes/lookup", "{\"code\":\"TD-2222-3333-4444-5555\"}"), 404);
    req_expect_field(&assoc, "POST", "/api/v1/credit-notes/lookup", "{}", 422, "code");
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"amount_cents\":1200,\"store_code\":\"UTR01\"}", code);
    assert_int_equal(req_h(&assoc, "POST", "/api/v1/credit-notes/redeem", body, &r, "Idempotency-Key: body-redeem-1", NULL), 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(jint(r.json, "balance_cents"), 3800);
    char first[4096];
    snprintf(first, sizeof first, "%s", r.body);
    resp_free(&r);
    assert_int_equal(req_h(&assoc, "POST", "/api/v1/credit-notes/redeem", body, &r, "Idempotency-Key: body-redeem-1", NULL), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, first);                  /* replayed, not redeemed twice */
    resp_free(&r);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    req_expect(&assoc, "POST", "/api/v1/credit-notes/print-links", body, 201, &r);
    char url[160];
    snprintf(url, sizeof url, "%s", jstr(r.json, "url"));
    resp_free(&r);
    assert_true(strncmp(url, "/api/v1/print/", 14) == 0);
    assert_null(strstr(url, code));
    assert_null(strstr(url, code + 3));
    req_expect(&assoc, "GET", url, NULL, 200, &r);
    assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.body, "38,00"));
    resp_free(&r);
    /* The table holds no code; an expired link opens nothing. */
    char canon[20] = "";
    for (const char *p = code + 3; *p && strlen(canon) < 16; p++)
        if (*p != '-') canon[strlen(canon)] = *p;
    char q[200];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM print_links WHERE sealed LIKE '%%%s%%' OR id LIKE '%%%s%%'", canon, canon);
    assert_int_equal(server_sql_int(&srv, q), 0);
    assert_int_equal(server_sql(&srv, "UPDATE print_links SET expires_at = 0"), 0);
    req_expect(&assoc, "GET", url, NULL, 404, &r);
    assert_non_null(strstr(jstr(r.json, "error.message"), "expired"));
    resp_free(&r);
}

static void print_page_and_ledger_views(void **state)
{
    (void)state;
    char code[40], path[128];
    issue(&assoc, 1995, code, sizeof code);
    struct resp r;
    req_expect(&assoc, "GET", note_path(path, sizeof path, code, "print"), NULL, 200, &r);
    assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.body, "<svg"));
    assert_non_null(strstr(r.body, "19,95"));
    assert_non_null(strstr(r.body, "Tegoedbon"));
    assert_non_null(strstr(r.body, "Credit note"));
    /* Only its own style and script run: a nonce fresh for every answer,
     * no inline handlers. */
    char csp[400];
    resp_header(&r, "Content-Security-Policy", csp, sizeof csp);
    assert_non_null(strstr(csp, "default-src 'none'"));
    const char *n = strstr(csp, "script-src 'nonce-");
    assert_non_null(n);
    char nonce[40] = "";
    sscanf(n + strlen("script-src 'nonce-"), "%39[0-9a-f]", nonce);
    assert_int_equal(strlen(nonce), 32);
    char tag[64];
    snprintf(tag, sizeof tag, "<script nonce=\"%s\">", nonce);
    assert_non_null(strstr(r.body, tag));
    snprintf(tag, sizeof tag, "<style nonce=\"%s\">", nonce);
    assert_non_null(strstr(r.body, tag));
    assert_null(strstr(r.body, "onclick"));
    resp_free(&r);
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_null(strstr(r.headers, nonce));          /* a new nonce each time */
    resp_free(&r);
    assert_int_equal(req_status(&assoc, "GET", "/api/v1/ledger/accounts", NULL), 403);
    struct client admin;
    client_login(&admin, &srv, ADMIN_LOGIN);
    req_expect(&admin, "GET", "/api/v1/ledger/accounts", NULL, 200, &r);
    long long total = 0;
    json_t *items = json_object_get(r.json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        total += json_integer_value(json_object_get(json_array_get(items, i), "balance_cents"));
    assert_int_equal(total, 0);     /* double entry: the accounts balance */
    resp_free(&r);
    req_expect(&admin, "GET", "/api/v1/ledger/credit-notes?limit=2", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_true(json_is_string(json_object_get(r.json, "next")));
    resp_free(&r);
    client_free(&admin);
}

static void notes_of_an_erased_customer_stay_unlinked(void **state)
{
    (void)state;
    struct resp r;
    assert_int_equal(req(&assoc, "POST", "/api/v1/customers", "{\"name\":\"Greta Gewist\"}", &r), 0);
    long long id = jint(r.json, "id");
    resp_free(&r);
    char body[200], path[128];
    snprintf(body, sizeof body, "{\"amount_cents\":700,\"reason\":\"sorry\",\"customer_id\":%lld}", id);
    req_expect(&assoc, "POST", "/api/v1/credit-notes", body, 201, &r);
    char code[40];
    snprintf(code, sizeof code, "%s", jstr(r.json, "code"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/credit-notes", id);
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
    struct client admin;
    client_login(&admin, &srv, ADMIN_LOGIN);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", id);
    assert_int_equal(req_status(&admin, "POST", path, NULL), 200);
    client_free(&admin);
    /* The note still pays out; it just no longer points at anyone. */
    assert_int_equal(redeem(&assoc, code, 700, NULL), 201);
    note_path(path, sizeof path, code, NULL);
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_true(json_is_null(json_object_get(r.json, "customer_id")));
    resp_free(&r);
    verify_ledger();
}

TD_TEST_MAIN("api_ledger", setup, chain_teardown,
             cmocka_unit_test(the_worn_dress),
             cmocka_unit_test(hundred_concurrent_redemptions_of_ten_against_fifty),
             cmocka_unit_test(fifty_identical_requests_with_one_key),
             cmocka_unit_test(bad_amounts_are_refused_and_change_nothing),
             cmocka_unit_test(wrong_codes_are_not_found_and_slowed_down),
             cmocka_unit_test(roles_void_reissue_and_expiry),
             cmocka_unit_test(the_database_refuses_to_change_entries),
             cmocka_unit_test(print_page_and_ledger_views),
             cmocka_unit_test(codes_stay_out_of_urls),
             cmocka_unit_test(notes_of_an_erased_customer_stay_unlinked))
