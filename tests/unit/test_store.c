/* test_store.c — the shops of the chain (domain/store.h): codes have one
 * shape and are unique, bad fields are named, an update changes only what
 * it is given, stores come back in code order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "db/db.h"
#include "domain/store.h"
#include "fixture.h"

static int create(struct fixture *f, const char *code, const char *name, const char *city, struct errors *err)
{
    struct store s = {0};
    int64_t id = 0;
    snprintf(s.code, sizeof s.code, "%s", code);
    snprintf(s.name, sizeof s.name, "%s", name);
    snprintf(s.city, sizeof s.city, "%s", city);
    errors_init(err);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = store_create(&f->c, &s, err, &id);
    if (rc == TD_OK) {
        assert_true(id > 0);
        assert_int_equal(db_commit(f->db), TD_OK);
    } else {
        db_rollback(f->db);
    }
    return rc;
}

static void code_shape(void **state)
{
    (void)state;
    static const struct { const char *code; int valid; } cases[] = {
        {"UTR01", 1}, {"AB", 1}, {"A-1", 1}, {"ABCDEFGHIJKLMNOP", 1},
        {"A", 0}, {"", 0}, {"ABCDEFGHIJKLMNOPQ", 0}, {"utr01", 0}, {"UTR 01", 0}, {"UTR_01", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (store_code_valid(cases[i].code) != cases[i].valid)
            fail_msg("store_code_valid(\"%s\") != %d", cases[i].code, cases[i].valid);
}

static void codes_are_unique(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    assert_int_equal(create(f, "UTR01", "Utrecht Centrum", "Utrecht", &err), TD_OK);
    assert_int_equal(create(f, "UTR01", "Utrecht again", "Utrecht", &err), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "code"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM stores"), 1);
    struct store s;
    assert_int_equal(store_get_by_code(&f->c, "UTR01", &s), TD_OK);
    assert_string_equal(s.name, "Utrecht Centrum");
    struct store by_id;
    assert_int_equal(store_get(&f->c, s.id, &by_id), TD_OK);
    assert_string_equal(by_id.code, "UTR01");
    assert_int_equal(store_get_by_code(&f->c, "AMS01", &s), TD_E_NOT_FOUND);
}

static void bad_fields_are_named(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    static const struct { const char *code, *name, *city, *field; } cases[] = {
        {"x", "Name", "City", "code"},
        {"AMS01", "", "City", "name"},
        {"AMS01", "\xff\xfe", "City", "name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(create(f, cases[i].code, cases[i].name, cases[i].city, &err), TD_E_INVALID);
        if (!fixture_has_field(&err, cases[i].field)) fail_msg("case %zu: no problem named %s", i, cases[i].field);
    }
    char long_name[NAME_MAX_CHARS + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(create(f, "AMS01", long_name, "City", &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "name"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM stores"), 0);
}

static void update_keeps_what_it_is_not_given(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    assert_int_equal(create(f, "RTM01", "Rotterdam", "Rotterdam", &err), TD_OK);
    errors_init(&err);
    assert_int_equal(store_update(&f->c, "RTM01", "Rotterdam Lijnbaan", NULL, &err), TD_OK);
    struct store s;
    assert_int_equal(store_get_by_code(&f->c, "RTM01", &s), TD_OK);
    assert_string_equal(s.name, "Rotterdam Lijnbaan");
    assert_string_equal(s.city, "Rotterdam");
    assert_int_equal(store_update(&f->c, "RTM01", "", NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "name"));
    errors_init(&err);
    assert_int_equal(store_update(&f->c, "NONE1", "X", NULL, &err), TD_E_NOT_FOUND);
}

static int collect(void *arg, const struct store *s)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 64 - n, "%s,", s->code);
    return TD_OK;
}

static void each_in_code_order(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(fixture_stores(f, "UTR01", "AMS01", "RTM01", NULL), TD_OK);
    char seen[64] = "";
    assert_int_equal(store_each(&f->c, collect, seen), TD_OK);
    assert_string_equal(seen, "AMS01,RTM01,UTR01,");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_shape),
        FIXTURE_TEST(codes_are_unique, fixture_setup_pg),
        FIXTURE_TEST(bad_fields_are_named, fixture_setup_pg),
        FIXTURE_TEST(update_keeps_what_it_is_not_given, fixture_setup_pg),
        FIXTURE_TEST(each_in_code_order, fixture_setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
