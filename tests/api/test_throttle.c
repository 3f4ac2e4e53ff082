/* test_throttle.c — back-off for wrong passwords and unknown credit-note
 * codes, behind a trusted proxy: whom a failure counts against, who may
 * still try, how counts fade, and that parallel guesses get no extra tries.
 *
 * Both servers trust 127.0.0.1 as a proxy (TRUSTDESK_TRUSTED_PROXIES), so
 * each request names its client with X-Forwarded-For, as nginx would.
 * Where a test needs a counter in a given state (long in back-off, or aged
 * by an hour) it sets the row with SQL, as test_auth.c ages sessions,
 * instead of waiting. The keys of login_failures are:
 *   login:LOGIN@ADDR    wrong passwords for one account from one address
 *   login-addr:ADDR     wrong passwords from one address, any account
 *   code:LOGIN          unknown credit-note codes typed by one account
 *   code-addr:ADDR      unknown codes from one address, any account
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server one, two;
static char admin_token[64];

static void sql(const char *stmt) { assert_int_equal(server_sql(&one, stmt), 0); }

/* n more failures counted against key (as if they had happened). */
static void add_failures(const char *key, int n)
{
    char stmt[256];
    snprintf(stmt, sizeof stmt, "UPDATE login_failures SET failures = failures + %d WHERE key = '%s'", n, key);
    sql(stmt);
}

static long long sql_int(const char *query)
{
    char out[64];
    assert_int_equal(server_sql_value(&one, query, out, sizeof out), 0);
    return strtoll(out, NULL, 10);
}

/* A till of server one, for the logins a test makes from the addresses it
 * names (made by setup, freed by teardown). */
static struct client door;

static int setup(void **state)
{
    (void)state;
    setenv("TRUSTDESK_TRUSTED_PROXIES", "127.0.0.1", 1);
    static const struct member staff[] = {
        {"anna", "associate", "UTR01", NULL}, {"bob", "associate", "UTR01", NULL}, {"tess", "associate", "UTR01", NULL},
        {"mila", "associate", "UTR01", NULL}, {"noor", "associate", "UTR01", NULL}, {"sem", "associate", "UTR01", NULL},
        {"mark", "manager", "UTR01", NULL}, MEMBERS_END,
    };
    if (server_start(&one) != 0 || server_start_shared(&two, &one) != 0) return -1;
    chain_keep(&two);
    if (chain_setup(&one, NULL, "UTR01", staff) != 0) return -1;
    client_init(&door, &one);
    return cli_token(&one, ADMIN_LOGIN, admin_token, sizeof admin_token);
}

static int teardown(void **state)
{
    client_free(&door);
    return chain_teardown(state);
}

/* POST /api/v1/session from client address xff; keeps the CSRF token of a
 * success. Returns the status; *retry_after gets Retry-After (may be NULL). */
static long login_from(struct client *c, const char *user, const char *password, const char *xff, int *retry_after)
{
    char body[256], hdr[128];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", user, password);
    snprintf(hdr, sizeof hdr, "X-Forwarded-For: %s", xff);
    struct resp r;
    if (req_h(c, "POST", "/api/v1/session", body, &r, hdr, NULL) != 0) return -1;
    if (r.status == 201) snprintf(c->csrf, sizeof c->csrf, "%s", jstr(r.json, "csrf_token"));
    if (retry_after) {
        char ra[16];
        *retry_after = (int)strtol(resp_header(&r, "Retry-After", ra, sizeof ra), NULL, 10);
    }
    long st = r.status;
    resp_free(&r);
    return st;
}

static long note_from(struct client *c, const char *method, const char *code, const char *tail, const char *body,
                      const char *xff)
{
    char path[160], hdr[128];
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s%s", code, tail);
    snprintf(hdr, sizeof hdr, "X-Forwarded-For: %s", xff);
    struct resp r;
    if (req_h(c, method, path, body, &r, hdr, NULL) != 0) return -1;
    long st = r.status;
    resp_free(&r);
    return st;
}

static long look_up(struct client *c, const char *code, const char *xff)
{
    return note_from(c, "GET", code, "", NULL, xff);
}

static void issue(char *code, size_t n)
{
    struct client c;
    client_init(&c, &one);
    snprintf(c.bearer, sizeof c.bearer, "%s", admin_token);
    struct resp r;
    req_expect(&c, "POST", "/api/v1/credit-notes", "{\"amount_cents\":5000,\"reason\":\"goodwill\",\"store_code\":\"UTR01\"}", 201, &r);
    snprintf(code, n, "%s", jstr(r.json, "code"));
    resp_free(&r);
    client_free(&c);
}

/* Unknown codes until the first 429 (at most `most` tries); the number of
 * 404s before it, or -1 when no 429 came. */
static int miss_until_refused(struct client *c, const char *xff, int most)
{
    for (int i = 0; i < most; i++) {
        long st = look_up(c, "TD-ABCD-EFGH-JKMN-PQRS", xff);   /* well-formed, nobody's */
        if (st == 429) return i;
        assert_int_equal(st, 404);
    }
    return -1;
}

/* Twenty unknown codes typed by one associate slowed down every till of the
 * shop, and admins' tokens, because the count was per address. */
static void unknown_codes_count_against_the_associate_not_the_shop(void **state)
{
    (void)state;
    const char *shop = "10.1.0.1";
    char code[40];
    issue(code, sizeof code);
    struct client anna, bob, admin;
    client_init(&anna, &one);
    client_init(&bob, &one);
    client_init(&admin, &two);
    snprintf(admin.bearer, sizeof admin.bearer, "%s", admin_token);
    assert_int_equal(login_from(&anna, "anna", "anna-password", shop, NULL), 201);
    assert_int_equal(login_from(&bob, "bob", "bob-password", shop, NULL), 201);
    int misses = miss_until_refused(&anna, shop, 60);
    assert_true(misses >= 20);
    /* Bob at the next till, and the admin's integration, are not slowed. */
    assert_int_equal(look_up(&bob, code, shop), 200);
    assert_int_equal(note_from(&bob, "POST", code, "/redemptions", "{\"amount_cents\":100,\"store_code\":\"UTR01\"}", shop), 201);
    assert_int_equal(look_up(&bob, "TD-ABCD-EFGH-JKMN-PQRS", shop), 404);
    assert_int_equal(look_up(&admin, code, shop), 200);
    /* Anna's own count is what holds her back; at the admin's address too. */
    add_failures("code:anna", 10);
    assert_int_equal(look_up(&anna, code, "10.1.0.2"), 429);
    client_free(&anna);
    client_free(&bob);
    client_free(&admin);
}

/* An address over its backstop (many misses from many accounts) slows down
 * the accounts that missed there; one that did not still gets its answer. */
static void the_address_backstop_holds_back_accounts_that_missed(void **state)
{
    (void)state;
    const char *shop = "10.1.9.1";
    char code[40];
    issue(code, sizeof code);
    struct client mila, noor;
    client_init(&mila, &one);
    client_init(&noor, &one);
    assert_int_equal(login_from(&mila, "mila", "mila-password", shop, NULL), 201);
    assert_int_equal(login_from(&noor, "noor", "noor-password", shop, NULL), 201);
    assert_int_equal(look_up(&mila, "TD-ABCD-EFGH-JKMN-PQRS", shop), 404);
    char key[64];
    snprintf(key, sizeof key, "code-addr:%s", shop);
    add_failures(key, 250);
    assert_int_equal(look_up(&mila, code, shop), 429);
    assert_int_equal(look_up(&noor, code, shop), 200);
    assert_int_equal(look_up(&mila, code, "10.1.9.2"), 200);
    client_free(&mila);
    client_free(&noor);
}

/* Twenty failed logins from one address refused every correct password
 * from it; behind nginx that was the whole chain. */
static void failed_logins_do_not_block_a_correct_password_at_the_same_address(void **state)
{
    (void)state;
    const char *shop = "10.2.0.1";
    for (int i = 0; i < 25; i++) {
        char who[32];
        snprintf(who, sizeof who, "ghost%d", i);
        assert_int_equal(login_from(&door, who, "not-the-password", shop, NULL), 401);
    }
    assert_int_equal(login_from(&door, "mark", "mark-password", shop, NULL), 201);
}

/* Over the address's backstop an account that failed from there must wait;
 * one that did not is still checked, and its correct password gets in. */
static void the_login_backstop_never_refuses_an_account_that_did_not_fail(void **state)
{
    (void)state;
    const char *shop = "10.2.9.1";
    assert_int_equal(login_from(&door, "sem", "wrong-password", shop, NULL), 401);
    char key[64];
    snprintf(key, sizeof key, "login-addr:%s", shop);
    add_failures(key, 150);
    int ra = 0;
    assert_int_equal(login_from(&door, "sem", "sem-password", shop, &ra), 429);
    assert_true(ra >= 1);
    assert_int_equal(login_from(&door, "tess", "wrong-password", shop, NULL), 401);
    assert_int_equal(login_from(&door, "mila", "mila-password", shop, NULL), 201);
    assert_int_equal(login_from(&door, "sem", "sem-password", "10.2.9.2", NULL), 201);
}

/* Anyone could lock any account, the admin's too, by failing its login. */
static void a_correct_password_from_a_clean_address_gets_through(void **state)
{
    (void)state;
    const char *attacker = "203.0.113.66";
    struct client bad, good;
    client_init(&bad, &one);
    client_init(&good, &two);
    long st = 0;
    for (int i = 0; i < 15 && st != 429; i++) st = login_from(&bad, ADMIN_LOGIN, "guess-guess", attacker, NULL);
    assert_int_equal(st, 429);
    assert_int_equal(login_from(&good, ADMIN_LOGIN, ADMIN_PASSWORD, "10.0.0.1", NULL), 201);
    /* The attacker's address stays in back-off (kept long here, as if it had
     * failed ten more times), even with the right password. */
    add_failures("login:admin@203.0.113.66", 10);
    assert_int_equal(login_from(&bad, ADMIN_LOGIN, ADMIN_PASSWORD, attacker, NULL), 429);
    assert_int_equal(login_from(&good, ADMIN_LOGIN, ADMIN_PASSWORD, "10.0.0.1", NULL), 201);
    client_free(&bad);
    client_free(&good);
}

struct shot {
    const struct server *srv;
    long status;
};

static void *guess(void *arg)
{
    struct shot *s = arg;
    struct client c;
    client_init(&c, s->srv);
    s->status = login_from(&c, "bob", "a-wrong-guess", "198.51.100.7", NULL);
    client_free(&c);
    return NULL;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The back-off was checked, then the password, then the failure written:
 * 48 parallel guesses got 22 password checks. An attempt is now reserved in
 * the database before the check, on both servers at once. */
static void parallel_guesses_get_no_extra_password_checks(void **state)
{
    (void)state;
    enum { N = 48 };
    struct shot shots[N];
    pthread_t t[N];
    double start = mono_s();
    for (int i = 0; i < N; i++) {
        shots[i].srv = i % 2 ? &two : &one;
        shots[i].status = 0;
        pthread_create(&t[i], NULL, guess, &shots[i]);
    }
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    double elapsed = mono_s() - start;
    int checked = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        if (shots[i].status == 401) checked++;
        else if (shots[i].status == 429) refused++;
        else fail_msg("guess %d answered %ld", i, shots[i].status);
    }
    /* Five free failures, then one check per back-off step (1, 2, 4 ... s)
     * that the burst lasted long enough to reach. */
    int most = 5 + (int)floor(log2(elapsed + 1.0));
    fprintf(stderr, "parallel guesses: %d checked, %d refused in %.2f s (at most %d checks)\n", checked, refused,
            elapsed, most);
    assert_true(checked >= 5);
    assert_true(checked <= most);
    assert_int_equal(sql_int("SELECT failures FROM login_failures WHERE key = 'login:bob@198.51.100.7'"), checked);
    assert_int_equal(login_from(&door, "bob", "bob-password", "198.51.100.8", NULL), 201);
}

/* Counts fade: one wrong password is forgotten per 15 minutes, one unknown
 * code per minute. The rows are aged with SQL instead of waiting. */
static void counts_decay_over_time(void **state)
{
    (void)state;
    const char *till = "10.5.0.1";
    long st = 0;
    int failed = 0;
    for (int i = 0; i < 15 && st != 429; i++) {
        st = login_from(&door, "mark", "wrong-password", till, NULL);
        failed += st == 401;
    }
    assert_int_equal(st, 429);
    /* Long enough ago that every failure is forgotten: five more are free. */
    char stmt[256];
    snprintf(stmt, sizeof stmt, "UPDATE login_failures SET last_at = last_at - %lld WHERE key = 'login:mark@%s'",
             failed * 900000000LL, till);
    sql(stmt);
    for (int i = 0; i < 5; i++) assert_int_equal(login_from(&door, "mark", "wrong-password", till, NULL), 401);
    /* Two of the five forgotten: two more free tries, not five. */
    snprintf(stmt, sizeof stmt, "UPDATE login_failures SET last_at = last_at - 1800000000 WHERE key = 'login:mark@%s'",
             till);
    sql(stmt);
    assert_int_equal(login_from(&door, "mark", "wrong-password", till, NULL), 401);
    assert_int_equal(login_from(&door, "mark", "wrong-password", till, NULL), 401);
    assert_int_equal(sql_int("SELECT failures FROM login_failures WHERE key = 'login:mark@10.5.0.1'"), 5);

    /* Codes: twenty misses, then half an hour later twenty more. */
    struct client tess;
    client_init(&tess, &one);
    assert_int_equal(login_from(&tess, "tess", "tess-password", till, NULL), 201);
    int misses = miss_until_refused(&tess, till, 60);
    assert_true(misses >= 20);
    sql("UPDATE login_failures SET last_at = last_at - 1800000000 WHERE key IN ('code:tess', 'code-addr:10.5.0.1')");
    for (int i = 0; i < 20; i++) assert_int_equal(look_up(&tess, "TD-ABCD-EFGH-JKMN-PQRS", till), 404);
    client_free(&tess);
}

struct miss {
    struct client *c;
    int redeem;                  /* a redemption (a money request) instead of a look-up */
    long status;
};

static void *miss_once(void *arg)
{
    struct miss *m = arg;
    m->status = m->redeem ? note_from(m->c, "POST", "TD-ABCD-EFGH-JKMN-PQRS", "/redemptions",
                                      "{\"amount_cents\":100,\"store_code\":\"UTR01\"}", "10.8.0.1")
                          : look_up(m->c, "TD-ABCD-EFGH-JKMN-PQRS", "10.8.0.1");
    return NULL;
}

/* The miss was written inside the look-up's read snapshot; under concurrency
 * the write failed and the miss was silently not counted. Redemptions (which
 * go through the group-commit writer on SQLite) are counted too. */
static void every_unknown_code_is_counted_under_concurrency(void **state)
{
    (void)state;
    enum { N = 16 };
    struct client cs[N];
    struct miss m[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        client_init(&cs[i], i % 2 ? &two : &one);
        assert_int_equal(login_from(&cs[i], "noor", "noor-password", "10.8.0.1", NULL), 201);
        m[i].c = &cs[i];
        m[i].redeem = i % 4 == 3;
        m[i].status = 0;
    }
    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, miss_once, &m[i]);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    int missed = 0;
    for (int i = 0; i < N; i++) {
        if (m[i].status == 404) missed++;
        else fail_msg("look-up %d answered %ld", i, m[i].status);
    }
    assert_int_equal(missed, N);
    assert_int_equal(sql_int("SELECT failures FROM login_failures WHERE key = 'code:noor'"), N);
    assert_int_equal(sql_int("SELECT failures FROM login_failures WHERE key = 'code-addr:10.8.0.1'"), N);
    for (int i = 0; i < N; i++) client_free(&cs[i]);
}

/* The client is the rightmost address that is not a trusted proxy: what a
 * client writes further left is its own claim and does not count. */
static void x_forwarded_for_names_the_client_behind_a_trusted_proxy(void **state)
{
    (void)state;
    long st = 0;
    for (int i = 0; i < 15 && st != 429; i++) {
        char xff[80];
        snprintf(xff, sizeof xff, "192.0.2.%d, 10.3.0.1", i + 1);   /* a new claim every time */
        st = login_from(&door, "mila", "wrong-password", xff, NULL);
    }
    assert_int_equal(st, 429);
    assert_int_equal(login_from(&door, "mila", "mila-password", "192.0.2.1, 10.3.0.2", NULL), 201);
}

/* Changing one's password needs the current one, under the login's
 * back-off: a session left open at a till may not be used to guess it. */
static void the_current_password_cannot_be_guessed_through_a_session(void **state)
{
    (void)state;
    assert_int_equal(login_from(&door, "sem", "sem-password", "10.4.0.1", NULL), 201);
    long st = 0;
    int wrong = 0;
    for (int i = 0; i < 15 && st != 429; i++) {
        struct resp r;
        assert_int_equal(req_h(&door, "PATCH", "/api/v1/me", "{\"password\":\"a-new-password\",\"current_password\":\"a-guess\"}",
                               &r, "X-Forwarded-For: 10.4.0.1", NULL), 0);
        st = r.status;
        if (st == 422) {
            wrong++;
            assert_true(has_err_field(&r, "current_password"));
        }
        resp_free(&r);
    }
    assert_int_equal(st, 429);
    assert_true(wrong >= 5);
    /* The guesses count as failed logins of that account from that address. */
    add_failures("login:sem@10.4.0.1", 10);
    assert_int_equal(login_from(&door, "sem", "sem-password", "10.4.0.1", NULL), 429);
    assert_int_equal(login_from(&door, "sem", "sem-password", "10.4.0.2", NULL), 201);
}

TD_TEST_MAIN("api_throttle", setup, teardown,
             cmocka_unit_test(unknown_codes_count_against_the_associate_not_the_shop),
             cmocka_unit_test(the_address_backstop_holds_back_accounts_that_missed),
             cmocka_unit_test(failed_logins_do_not_block_a_correct_password_at_the_same_address),
             cmocka_unit_test(the_login_backstop_never_refuses_an_account_that_did_not_fail),
             cmocka_unit_test(a_correct_password_from_a_clean_address_gets_through),
             cmocka_unit_test(parallel_guesses_get_no_extra_password_checks),
             cmocka_unit_test(counts_decay_over_time),
             cmocka_unit_test(every_unknown_code_is_counted_under_concurrency),
             cmocka_unit_test(x_forwarded_for_names_the_client_behind_a_trusted_proxy),
             cmocka_unit_test(the_current_password_cannot_be_guessed_through_a_session))
