/* test_staff.c — staff accounts and sessions (domain/staff.h): the rules an
 * account must meet, roles, a disabled account that can no longer log in
 * nor use its session, sessions that end when idle or too old, a new
 * password ending them, and API tokens that only work while active. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "db/db.h"
#include "domain/staff.h"
#include "fixture.h"

static int setup(void **state)
{
    if (fixture_setup(state) != 0) return -1;
    struct fixture *f = *state;
    return fixture_stores(f, "UTR01", NULL) == TD_OK ? 0 : -1;
}

static int create(struct fixture *f, const struct staff_input *in, struct errors *err)
{
    int64_t id = 0;
    errors_init(err);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = staff_create(&f->c, in, err, &id);
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

static int update(struct fixture *f, const char *login, const struct staff_input *in)
{
    struct errors err;
    errors_init(&err);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = staff_update(&f->c, login, in, &err);
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

static const struct staff_input anna = {.login = "anna", .name = "Anna", .role = "associate",
                                        .store_code = "UTR01", .password = "anna-password", .lang = "nl", .active = 1};

/* setup() with the associate anna's account made. */
static int setup_anna(void **state)
{
    if (setup(state) != 0) return -1;
    struct errors err;
    return create(*state, &anna, &err) == TD_OK ? 0 : -1;
}

static int login(struct fixture *f, const char *who, const char *password, char token[TOKEN_HEX_LEN + 1])
{
    struct staff me;
    char csrf[TOKEN_HEX_LEN + 1];
    int retry = 0;
    return staff_login(&f->c, who, password, NULL, &me, token, csrf, &retry);
}

static int check(struct fixture *f, const char *token)
{
    struct staff me;
    char csrf[TOKEN_HEX_LEN + 1];
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = staff_session_check(&f->c, token, &me, csrf);
    assert_int_equal(db_commit(f->db), TD_OK);
    return rc;
}

static void roles(void **state)
{
    (void)state;
    static const struct { const char *name; int role; } cases[] = {
        {"associate", ROLE_ASSOCIATE}, {"manager", ROLE_MANAGER}, {"admin", ROLE_ADMIN}, {"boss", 0}, {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(staff_role_parse(cases[i].name), cases[i].role);
        if (cases[i].role) assert_string_equal(staff_role_name(cases[i].role), cases[i].name);
    }
}

static void account_rules(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    struct { struct staff_input in; const char *field; } cases[] = {
        {anna, "password"}, {anna, "login"}, {anna, "role"}, {anna, "store_code"}, {anna, "store_code"},
        {anna, "lang"}, {anna, "name"},
    };
    cases[0].in.password = "short";              /* at least 8 characters */
    cases[1].in.login = "Anna Smit";             /* a-z, 0-9, '.', '-', '_' */
    cases[2].in.role = "boss";
    cases[3].in.store_code = "NONE1";            /* no such store */
    cases[4].in.store_code = "";                 /* associates need a store */
    cases[5].in.lang = "de";
    cases[6].in.name = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(create(f, &cases[i].in, &err), TD_E_INVALID);
        if (!fixture_has_field(&err, cases[i].field)) fail_msg("case %zu: no problem named %s", i, cases[i].field);
    }
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM staff"), 0);
    assert_int_equal(create(f, &anna, &err), TD_OK);
    assert_int_equal(create(f, &anna, &err), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "login"));
    struct staff s;
    assert_int_equal(staff_get_by_login(&f->c, "anna", &s), TD_OK);
    assert_int_equal(s.role, ROLE_ASSOCIATE);
    assert_string_equal(s.store_code, "UTR01");
    assert_true(s.active);
    struct staff_input admin = {.login = "root", .name = "Root", .role = "admin", .password = "root-password",
                                .active = 1};
    assert_int_equal(create(f, &admin, &err), TD_OK);   /* an admin needs no store */
}

static void login_and_password(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_HEX_LEN + 1];
    assert_int_equal(login(f, "anna", "wrong-password", token), TD_E_UNAUTHORIZED);
    assert_int_equal(login(f, "nobody", "anna-password", token), TD_E_UNAUTHORIZED);
    assert_int_equal(login(f, "anna", "anna-password", token), TD_OK);
    assert_int_equal(check(f, token), TD_OK);
    /* a session is stored only as the hash of its token */
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", token), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM sessions"), 1);
    /* a new password ends the session */
    struct staff_input pw = {.password = "a-new-password", .active = -1};
    assert_int_equal(update(f, "anna", &pw), TD_OK);
    assert_int_equal(check(f, token), TD_E_UNAUTHORIZED);
    assert_int_equal(login(f, "anna", "anna-password", token), TD_E_UNAUTHORIZED);
    assert_int_equal(login(f, "anna", "a-new-password", token), TD_OK);
    assert_int_equal(check(f, token), TD_OK);
}

static void disabled_account(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_HEX_LEN + 1];
    assert_int_equal(login(f, "anna", "anna-password", token), TD_OK);
    struct staff_input off = {.active = 0};
    assert_int_equal(update(f, "anna", &off), TD_OK);
    assert_int_equal(check(f, token), TD_E_UNAUTHORIZED);
    assert_int_equal(login(f, "anna", "anna-password", token), TD_E_UNAUTHORIZED);
}

static void session_expiry(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_HEX_LEN + 1];
    /* idle: used within the idle window it lives on, past it it is gone */
    assert_int_equal(login(f, "anna", "anna-password", token), TD_OK);
    fixture_at(f, FIXTURE_NOW + SESSION_IDLE_US - 60LL * 1000000);
    assert_int_equal(check(f, token), TD_OK);
    fixture_at(f, FIXTURE_NOW + 2 * SESSION_IDLE_US - 120LL * 1000000);
    assert_int_equal(check(f, token), TD_OK);
    fixture_at(f, FIXTURE_NOW + 3 * SESSION_IDLE_US);
    assert_int_equal(check(f, token), TD_E_UNAUTHORIZED);
    /* age: used every hour, it still ends after one long shift */
    int64_t start = f->c.now_us;
    assert_int_equal(login(f, "anna", "anna-password", token), TD_OK);
    for (int64_t t = start; t < start + SESSION_MAX_US; t += 3600LL * 1000000) {
        fixture_at(f, t);
        assert_int_equal(check(f, token), TD_OK);
    }
    fixture_at(f, start + SESSION_MAX_US + 1);
    assert_int_equal(check(f, token), TD_E_UNAUTHORIZED);
}

static void sessions_end(void **state)
{
    struct fixture *f = *state;
    char t1[TOKEN_HEX_LEN + 1], t2[TOKEN_HEX_LEN + 1];
    assert_int_equal(login(f, "anna", "anna-password", t1), TD_OK);
    assert_int_equal(login(f, "anna", "anna-password", t2), TD_OK);
    assert_string_not_equal(t1, t2);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(staff_session_end(&f->c, t1), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(check(f, t1), TD_E_UNAUTHORIZED);
    assert_int_equal(check(f, t2), TD_OK);
    struct staff s;
    assert_int_equal(staff_get_by_login(&f->c, "anna", &s), TD_OK);
    int64_t ended = 0;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(staff_sessions_end_all(&f->c, s.id, &ended), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(ended, 1);
    assert_int_equal(check(f, t2), TD_E_UNAUTHORIZED);
}

static void api_tokens(void **state)
{
    struct fixture *f = *state;
    char token[TOKEN_HEX_LEN + 1];
    int64_t id = 0;
    struct staff me;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(staff_token_create(&f->c, "anna", f->c.now_us, token, &id), TD_E_INVALID);   /* not in the future */
    assert_int_equal(staff_token_create(&f->c, "nobody", f->c.now_us + FIXTURE_DAY, token, &id), TD_E_NOT_FOUND);
    assert_int_equal(staff_token_create(&f->c, "anna", f->c.now_us + FIXTURE_DAY, token, &id), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(staff_token_check(&f->c, token, &me), TD_OK);
    assert_string_equal(me.login, "anna");
    fixture_at(f, FIXTURE_NOW + FIXTURE_DAY + 1);
    assert_int_equal(staff_token_check(&f->c, token, &me), TD_E_UNAUTHORIZED);   /* expired */
    fixture_at(f, FIXTURE_NOW);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(staff_token_revoke(&f->c, id), TD_OK);
    assert_int_equal(staff_token_revoke(&f->c, id), TD_E_CONFLICT);
    assert_int_equal(staff_token_revoke(&f->c, id + 100), TD_E_NOT_FOUND);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(staff_token_check(&f->c, token, &me), TD_E_UNAUTHORIZED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles),
        FIXTURE_TEST(account_rules, setup),
        FIXTURE_TEST(login_and_password, setup_anna),
        FIXTURE_TEST(disabled_account, setup_anna),
        FIXTURE_TEST(session_expiry, setup_anna),
        FIXTURE_TEST(sessions_end, setup_anna),
        FIXTURE_TEST(api_tokens, setup_anna),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
