/* test_throttle.c — the back-off rule as tables, at explicit times (the
 * clock injected as an argument): free failures, the doubling wait and its
 * cap, fading, the backstop that holds back only keys that failed; and that
 * the SQL upsert fades exactly as the C rule does (SQLite). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "db/db.h"
#include "domain/throttle.h"
#include "fixture.h"

#define S 1000000LL
#define MIN (60 * S)
#define T0 (1790000000LL * S)        /* some day in 2026 */

static void keys(void **state)
{
    (void)state;
    struct throttle_keys k;
    throttle_keys_login("anna", "10.0.0.7", &k);
    assert_string_equal(k.own, "login:anna@10.0.0.7");
    assert_string_equal(k.addr, "login-addr:10.0.0.7");
    assert_int_equal(k.own_kind, THROTTLE_LOGIN);
    throttle_keys_code("anna", "2001:db8::1", &k);
    assert_string_equal(k.own, "code:anna");
    assert_string_equal(k.addr, "code-addr:2001:db8::1");
    /* A 64-character login in four-byte UTF-8 still fits whole. */
    char big[257];
    for (int i = 0; i < 64; i++) memcpy(big + 4 * i, "\xf0\x9f\x98\x80", 4);
    big[256] = '\0';
    throttle_keys_login(big, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &k);
    assert_non_null(strstr(k.own, "@ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"));
}

static void fading(void **state)
{
    (void)state;
    static const struct { enum throttle_kind kind; int64_t failures, last_at, now, faded; } cases[] = {
        {THROTTLE_LOGIN, 0, T0, T0, 0},
        {THROTTLE_LOGIN, 7, T0, T0, 7},
        {THROTTLE_LOGIN, 7, T0, T0 + 15 * MIN - 1, 7},      /* not yet a whole quarter of an hour */
        {THROTTLE_LOGIN, 7, T0, T0 + 15 * MIN, 6},
        {THROTTLE_LOGIN, 7, T0, T0 + 60 * MIN, 3},
        {THROTTLE_LOGIN, 7, T0, T0 + 24 * 60 * MIN, 0},     /* never below zero */
        {THROTTLE_LOGIN, 7, T0, T0 - 5 * MIN, 7},           /* a clock behind the last failure */
        {THROTTLE_CODE, 20, T0, T0 + 5 * MIN, 15},
        {THROTTLE_CODE_ADDR, 250, T0, T0 + 10 * MIN, 190},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct throttle_count k = {cases[i].failures, cases[i].last_at};
        int64_t got = throttle_faded(throttle_rule(cases[i].kind), &k, cases[i].now);
        if (got != cases[i].faded) fail_msg("case %zu: %lld, want %lld", i, (long long)got, (long long)cases[i].faded);
    }
}

/* own and addr: failures and seconds since their last failure. */
static void decisions(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int code;                    /* 0: a login, 1: a code look-up */
        int64_t own, own_ago_ms, addr, addr_ago_ms;
        int wait;
    } cases[] = {
        {"a first attempt", 0, 0, 0, 0, 0, 0},
        {"four failures", 0, 4, 0, 4, 0, 0},
        {"five failures, just now", 0, 5, 0, 5, 0, 1},
        {"five failures, a second ago", 0, 5, 1000, 5, 1000, 0},
        {"six failures, just now", 0, 6, 0, 6, 0, 2},
        {"six, half a second ago", 0, 6, 500, 6, 500, 2},
        {"six, 1.5 s ago", 0, 6, 1500, 6, 1500, 1},
        {"nine, just now", 0, 9, 0, 9, 0, 16},
        {"fourteen: 2^9", 0, 14, 0, 14, 0, 512},
        {"fifteen: the cap", 0, 15, 0, 15, 0, 900},
        {"sixty: still the cap", 0, 60, 0, 60, 0, 900},
        {"ten, an hour ago: faded to six", 0, 10, 3600000, 10, 3600000, 0},
        {"twelve, an hour ago: faded to eight, waited long enough", 0, 12, 3600000, 12, 3600000, 0},
        {"eight, 14 min ago: 8 s wait passed", 0, 8, 840000, 8, 840000, 0},
        /* The backstop: only for keys that failed themselves. */
        {"clean login, address far over its backstop", 0, 0, 0, 5000, 0, 0},
        {"one own failure, address over its backstop", 0, 1, 0, 101, 0, 2},
        {"one own failure, address at its backstop", 0, 1, 0, 100, 0, 1},
        {"one own failure, address below it", 0, 1, 0, 99, 0, 0},
        {"own wait longer than the address's", 0, 9, 0, 101, 0, 16},
        {"own failure faded, address over", 0, 1, 16 * 60000, 500, 0, 0},
        /* Codes: twenty free, per account; two hundred per address. */
        {"nineteen misses", 1, 19, 0, 19, 0, 0},
        {"twenty misses", 1, 20, 0, 20, 0, 1},
        {"twenty misses, two minutes ago", 1, 20, 120000, 20, 120000, 0},
        {"clean account, busy address", 1, 0, 0, 900, 0, 0},
        {"one miss, address over 200", 1, 1, 0, 203, 0, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct throttle_keys k;
        if (cases[i].code) throttle_keys_code("anna", "10.0.0.7", &k);
        else throttle_keys_login("anna", "10.0.0.7", &k);
        struct throttle_count own = {cases[i].own, T0 - cases[i].own_ago_ms * 1000};
        struct throttle_count addr = {cases[i].addr, T0 - cases[i].addr_ago_ms * 1000};
        int got = throttle_decide(&k, &own, &addr, T0);
        if (got != cases[i].wait) fail_msg("%s: wait %d s, want %d s", cases[i].what, got, cases[i].wait);
    }
}

/* Over a day a patient guesser of one pair gets about one try per fade
 * interval, never a burst after the count has faded. */
static void long_run_rate(void **state)
{
    (void)state;
    struct throttle_keys k;
    throttle_keys_login("anna", "203.0.113.9", &k);
    struct throttle_count own = {0, 0}, addr = {0, 0};
    int tries = 0;
    for (int64_t now = T0; now < T0 + 24 * 60 * MIN; now += S) {
        if (throttle_decide(&k, &own, &addr, now)) continue;
        tries++;
        own.failures = throttle_faded(throttle_rule(k.own_kind), &own, now) + 1;
        own.last_at = now;
    }
    /* 96 quarter hours in a day, plus the free five and the doubling steps. */
    fprintf(stderr, "a patient guesser: %d tries in a day\n", tries);
    assert_true(tries <= 5 + 11 + 96);
    assert_true(tries >= 96);
}

/* The SQL upsert (throttle_fail) and the C rule agree on every case. */
static void upsert_fades_like_the_rule(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->db;
    static const struct { int64_t failures, last_ago; } rows[] = {
        {0, 0}, {1, 0}, {5, 14 * MIN}, {5, 15 * MIN}, {9, 61 * MIN}, {3, 600 * MIN}, {40, 2 * MIN}, {2, -3 * MIN},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct dctx c = { .db = db, .now_us = T0, .addr = "10.0.0.7" };
        struct throttle_keys k;
        char login[16];
        snprintf(login, sizeof login, "u%zu", i);
        throttle_keys_login(login, "10.0.0.7", &k);
        struct throttle_count before = {rows[i].failures, T0 - rows[i].last_ago};
        assert_int_equal(db_run(db, "DELETE FROM login_failures", NULL, ""), TD_OK);
        assert_int_equal(db_run(db, "INSERT INTO login_failures (key, failures, last_at) VALUES (?, ?, ?)", NULL, "tii",
                                k.own, before.failures, before.last_at), TD_OK);
        assert_int_equal(throttle_fail(&c, &k), TD_OK);
        int64_t after = 0, last = 0;
        assert_int_equal(db_get_int64(db, "SELECT failures FROM login_failures WHERE key = ?", &after, "t", k.own), TD_OK);
        assert_int_equal(db_get_int64(db, "SELECT last_at FROM login_failures WHERE key = ?", &last, "t", k.own), TD_OK);
        int64_t want = throttle_faded(throttle_rule(k.own_kind), &before, T0) + 1;
        if (after != want) fail_msg("row %zu: %lld failures, want %lld", i, (long long)after, (long long)want);
        assert_int_equal(last, before.last_at > T0 ? before.last_at : T0);
        /* The address key had no row: it starts at one. */
        assert_int_equal(db_get_int64(db, "SELECT failures FROM login_failures WHERE key = ?", &after, "t", k.addr), TD_OK);
        assert_int_equal(after, 1);
        assert_int_equal(db_run(db, "DELETE FROM login_failures WHERE key = ?", NULL, "t", k.addr), TD_OK);
    }
    /* A reservation counts; a refused one does not. */
    struct dctx c = { .db = db, .now_us = T0, .addr = "10.0.0.8" };
    struct throttle_keys k;
    throttle_keys_login("bob", "10.0.0.8", &k);
    int wait = 0, reserved = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(db_begin(db, 1), TD_OK);
        assert_int_equal(throttle_reserve(&c, &k, &wait), TD_OK);
        assert_int_equal(db_commit(db), TD_OK);
        reserved += wait == 0;
    }
    assert_int_equal(reserved, 5);
    int64_t n = 0;
    assert_int_equal(db_get_int64(db, "SELECT failures FROM login_failures WHERE key = ?", &n, "t", k.own), TD_OK);
    assert_int_equal(n, 5);
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(throttle_succeeded(&c, &k), TD_OK);
    assert_int_equal(db_commit(db), TD_OK);
    assert_int_equal(db_get_int64(db, "SELECT failures FROM login_failures WHERE key = ?", &n, "t", k.own), TD_E_NOT_FOUND);
    assert_int_equal(db_get_int64(db, "SELECT failures FROM login_failures WHERE key = ?", &n, "t", k.addr), TD_OK);
    assert_int_equal(n, 4);
}

/* Through the database: unknown codes past the free twenty make the account
 * wait, read-only checks count nothing, another account from the same
 * address is still tried (rule 3), and a failed login's wait runs from the
 * end of its check. */
static void codes_and_the_backstop(void **state)
{
    struct fixture *f = *state;
    f->c.addr = "10.0.0.9";
    struct throttle_keys k, other;
    throttle_keys_code("anna", "10.0.0.9", &k);
    throttle_keys_code("bob", "10.0.0.9", &other);
    int wait = -1;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(throttle_check(&f->c, &k, &wait), TD_OK);
        assert_int_equal(wait, 0);
        assert_int_equal(throttle_fail(&f->c, &k), TD_OK);
    }
    assert_int_equal(throttle_check(&f->c, &k, &wait), TD_OK);
    assert_true(wait > 0);
    assert_int_equal(fixture_int(f, "SELECT failures FROM login_failures WHERE key = '%s'", k.own), 20);
    assert_int_equal(throttle_check(&f->c, &other, &wait), TD_OK);
    assert_int_equal(wait, 0);
    /* a failed login waits from `at`, the end of its check */
    struct throttle_keys login;
    throttle_keys_login("carla", "10.0.0.9", &login);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(db_begin(f->db, 1), TD_OK);
        assert_int_equal(throttle_reserve(&f->c, &login, &wait), TD_OK);
        assert_int_equal(wait, 0);
        assert_int_equal(throttle_failed(&f->c, &login, f->c.now_us + 30 * S), TD_OK);
        assert_int_equal(db_commit(f->db), TD_OK);
    }
    assert_int_equal(fixture_int(f, "SELECT last_at FROM login_failures WHERE key = '%s'", login.own), f->c.now_us + 30 * S);
    fixture_at(f, f->c.now_us + 30 * S);
    assert_int_equal(throttle_check(&f->c, &login, &wait), TD_OK);
    assert_true(wait > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys),
        cmocka_unit_test(fading),
        cmocka_unit_test(decisions),
        cmocka_unit_test(long_run_rate),
        FIXTURE_TEST(upsert_fades_like_the_rule, fixture_setup_pg),
        FIXTURE_TEST(codes_and_the_backstop, fixture_setup_pg),
    };
    return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
