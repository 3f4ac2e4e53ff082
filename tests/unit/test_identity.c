/* test_identity.c — the forms one person reuses across accounts and the
 * keys made of them: a phone written three ways is one key, a mailbox with
 * dots and a +tag is one key, a walk-in's contact is a phone, an e-mail
 * address or an ID reference and nothing else (never a citizen service
 * number), and without the secret the same contact gives another key;
 * customers from before migration 8 get their keys from the backfill. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/token.h"
#include "db/db.h"
#include "domain/identity.h"
#include "fixture.h"

static const struct form_case contacts[] = {
    {"06-12345678", "phone:0612345678"},
    {"+31 6 1234 5678", "phone:0612345678"},
    {"0031612345678", "phone:0612345678"},
    {"+32 470 12 34 56", "phone:0032470123456"},
    {"Jan.Smit+retour@gmail.com", "mail:jansmit@gmail.com"},
    {"jansmit@googlemail.com", "mail:jansmit@gmail.com"},
    {"nl-ab12 cd34", "id:NLAB12CD34"},
    {"123456782", NULL},          /* nine digits, no trunk zero: not a phone, and no ID reference */
    {"12345", NULL},
    {"jan@", NULL},
    {"", NULL},
};

static void contact_forms(void **state)
{
    (void)state;
    FIXTURE_FORMS(identity_normal_contact, IDENTITY_CONTACT_SZ, contacts);
    /* A customer's phone and e-mail give the same forms as a walk-in's. */
    char a[IDENTITY_CONTACT_SZ], b[IDENTITY_CONTACT_SZ];
    assert_int_equal(identity_normal_phone("06 12 34 56 78", a), TD_OK);
    assert_int_equal(identity_normal_contact("+31612345678", b), TD_OK);
    assert_string_equal(a, b);
    assert_int_equal(identity_normal_mail("J.Smit+x@Gmail.com", a), TD_OK);
    assert_int_equal(identity_normal_contact("jsmit@gmail.com", b), TD_OK);
    assert_string_equal(a, b);
    assert_int_equal(identity_normal_mail("06-12345678", a), TD_E_INVALID);
    assert_int_equal(identity_normal_phone("jan@example.nl", a), TD_E_INVALID);
}

static void keys_are_keyed(void **state)
{
    (void)state;
    unsigned char s1[TOKEN_KEY_LEN], s2[TOKEN_KEY_LEN];
    memset(s1, 1, sizeof s1);
    memset(s2, 2, sizeof s2);
    char k1[IDENTITY_KEY_SZ], k1b[IDENTITY_KEY_SZ], k2[IDENTITY_KEY_SZ], other[IDENTITY_KEY_SZ];
    identity_key(s1, "phone:0612345678", k1);
    identity_key(s1, "phone:0612345678", k1b);
    identity_key(s2, "phone:0612345678", k2);
    identity_key(s1, "phone:0612345679", other);
    assert_string_equal(k1, k1b);                 /* the same contact, the same key */
    assert_string_not_equal(k1, k2);              /* another secret, another key */
    assert_string_not_equal(k1, other);
    assert_int_equal(strlen(k1), IDENTITY_KEY_SZ - 1);
    assert_null(strstr(k1, "612345678"));
    for (const char *p = k1; *p; p++) assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

static int64_t count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n), TD_OK);
    return n;
}

/* Customers of a database from before migration 8 get their keys from the
 * backfill, a batch at a time, and two sharing a phone count each other. */
static void customers_from_before_get_their_keys(void **state)
{
    (void)state;
    struct fixture old;
    assert_int_equal(fixture_open(&old, "identity", 0, 0), 0);
    struct db *db = old.db;
    assert_int_equal(db_migrate_to(db, 7), TD_OK);
    assert_int_equal(db_exec(db, "INSERT INTO customers (name, email, phone, created_at, updated_at) VALUES"
                                 " ('Ria', 'ria@example.nl', '06-55500001', 1, 1), ('Bea', NULL, '+31 6 5550 0001', 1, 1),"
                                 " ('Cor', NULL, NULL, 1, 1)"), TD_OK);
    assert_int_equal(db_migrate(db), TD_OK);
    assert_int_equal(count(db, "SELECT last_id - next_id + 1 FROM identity_backfill"), 3);
    struct dctx c = {.db = db, .now_us = 1795305600000000LL, .addr = "test"};
    int64_t left = 1;
    for (int steps = 0; left > 0; steps++) {
        assert_true(steps < 5);
        assert_int_equal(db_begin(db, 1), TD_OK);
        assert_int_equal(identity_backfill_step(&c, 1, &left), TD_OK);
        assert_int_equal(db_commit(db), TD_OK);
    }
    assert_int_equal(count(db, "SELECT COUNT(*) FROM identity_backfill"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_keys"), 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_keys WHERE shared = 2"), 2);
    /* Done: another step does nothing. */
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(identity_backfill_step(&c, 10, &left), TD_OK);
    assert_int_equal(db_commit(db), TD_OK);
    assert_int_equal(left, 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_keys"), 3);
    assert_int_equal(fixture_close(&old), 0);
    /* A new database has nothing to fill in. */
    struct fixture fresh;
    assert_int_equal(fixture_open(&fresh, "identity", 0, 1), 0);
    assert_int_equal(count(fresh.db, "SELECT COUNT(*) FROM identity_backfill"), 0);
    assert_int_equal(fixture_close(&fresh), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contact_forms),
        cmocka_unit_test(keys_are_keyed),
        cmocka_unit_test(customers_from_before_get_their_keys),
    };
    if (token_init() != TD_OK) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
