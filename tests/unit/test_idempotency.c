/* test_idempotency.c — remembered answers (domain/idempotency.h): the same
 * key and request get the same answer, another request under the key is
 * refused, the answer is stored sealed (neither the key nor the body in
 * clear), an altered row is not replayed, and an erasure forgets the answer
 * but keeps the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/buf.h"
#include "db/db.h"
#include "domain/idempotency.h"
#include "fixture.h"

#define BODY "{\"amount_cents\":2500}"
#define ANSWER "{\"code\":\"TD-SECRET-CODE\",\"balance_cents\":2500}"

static void key_for(struct idem_key *k, int64_t staff_id, const char *key, const char *body)
{
    idem_key_init(k, staff_id, key, "POST", "/api/v1/credit-notes", body, strlen(body));
}

/* What idem_lookup() answers, in a read transaction of its own. */
struct answer {
    enum idem_found found;
    int status;
    struct buf body;                 /* the caller frees it */
};

static int lookup(struct fixture *f, const struct idem_key *k, struct answer *a)
{
    a->status = 0;
    buf_init(&a->body, 1 << 20);
    assert_int_equal(db_begin(f->db, 0), TD_OK);
    int rc = idem_lookup(&f->c, k, &a->found, &a->status, &a->body);
    assert_int_equal(db_commit(f->db), TD_OK);
    return rc;
}

static void store_answer(struct fixture *f, const struct idem_key *k, int64_t customer_id)
{
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(idem_store(&f->c, k, 201, ANSWER, customer_id), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
}

static void key_shape(void **state)
{
    (void)state;
    char long_key[202];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    assert_true(idem_key_valid("a"));
    assert_true(idem_key_valid("3f1c-2a!~"));
    assert_true(idem_key_valid(long_key + 1));          /* 200 characters */
    assert_false(idem_key_valid(long_key));             /* 201 */
    assert_false(idem_key_valid(""));
    assert_false(idem_key_valid("with space"));
    assert_false(idem_key_valid("tab\there"));
    assert_false(idem_key_valid("\xc3\xa9"));
}

static void same_key_same_answer(void **state)
{
    struct fixture *f = *state;
    struct idem_key k;
    struct answer a;
    key_for(&k, 7, "key-1", BODY);
    assert_int_equal(lookup(f, &k, &a), TD_OK);
    assert_int_equal(a.found, IDEM_NEW);
    buf_free(&a.body);
    store_answer(f, &k, 0);
    struct idem_key again;
    key_for(&again, 7, "key-1", BODY);
    assert_int_equal(lookup(f, &again, &a), TD_OK);
    assert_int_equal(a.found, IDEM_ANSWER);
    assert_int_equal(a.status, 201);
    assert_int_equal(a.body.len, strlen(ANSWER));
    assert_memory_equal(a.body.data, ANSWER, a.body.len);
    buf_free(&a.body);
    /* a second store of the key loses to the first */
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(idem_store(&f->c, &again, 201, ANSWER, 0), TD_E_BUSY);
    db_rollback(f->db);
    /* another staff member's same key is another key */
    struct idem_key other;
    key_for(&other, 8, "key-1", BODY);
    assert_int_equal(lookup(f, &other, &a), TD_OK);
    assert_int_equal(a.found, IDEM_NEW);
    buf_free(&a.body);
}

static void other_request_refused(void **state)
{
    struct fixture *f = *state;
    struct idem_key k, changed;
    struct answer a;
    key_for(&k, 7, "key-2", BODY);
    store_answer(f, &k, 0);
    key_for(&changed, 7, "key-2", "{\"amount_cents\":2501}");
    assert_int_equal(lookup(f, &changed, &a), TD_E_INVALID);
    buf_free(&a.body);
}

static void answers_are_sealed(void **state)
{
    struct fixture *f = *state;
    struct idem_key k;
    struct answer a;
    key_for(&k, 7, "key-in-clear", BODY);
    store_answer(f, &k, 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM idempotency_keys"), 1);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key LIKE '%%key-in-clear%%'"), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM idempotency_keys WHERE response LIKE '%%SECRET%%'"), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM idempotency_keys WHERE form = 'sealed'"), 1);
    /* an altered answer does not open: the request must not run again */
    assert_int_equal(db_exec(f->db, "UPDATE idempotency_keys SET status = 200"), TD_OK);
    assert_int_equal(lookup(f, &k, &a), TD_E_INTERNAL);
    buf_free(&a.body);
}

static void erasure_forgets_the_answer(void **state)
{
    struct fixture *f = *state;
    int64_t customer = fixture_customer(f, "Fien Vergeten", "L-0001");
    struct idem_key k;
    struct answer a;
    key_for(&k, 7, "key-3", BODY);
    store_answer(f, &k, customer);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(idem_forget_customer(&f->c, customer), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(lookup(f, &k, &a), TD_OK);
    assert_int_equal(a.found, IDEM_FORGOTTEN);
    assert_int_equal(a.body.len, 0);
    buf_free(&a.body);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM idempotency_keys WHERE customer_id IS NOT NULL"), 0);
}

/* A row stored in clear (before migration 0004) is still found under the key
 * as sent; a sealed row is found only under its derived id, never by a
 * client that sends that id as its key. */
static void clear_rows_found_and_sealed_rows_only_by_their_key(void **state)
{
    struct fixture *f = *state;
    struct idem_key old, k, sneaky;
    struct answer a;
    key_for(&old, 7, "key-from-2025", BODY);
    assert_int_equal(db_run(f->db, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response,"
                                   " created_at, form) VALUES (?, ?, ?, 201, ?, 1, 'clear')", NULL, "tttt",
                            old.scope, old.key, old.plain_hash, "{\"old\":true}"), TD_OK);
    assert_int_equal(lookup(f, &old, &a), TD_OK);
    assert_int_equal(a.found, IDEM_ANSWER);
    assert_string_equal(a.body.data, "{\"old\":true}");
    buf_free(&a.body);
    key_for(&k, 7, "key-4", BODY);
    store_answer(f, &k, 0);
    key_for(&sneaky, 7, k.id, BODY);           /* the derived id sent as a key */
    assert_int_equal(lookup(f, &sneaky, &a), TD_OK);
    assert_int_equal(a.found, IDEM_NEW);
    buf_free(&a.body);
    assert_int_equal(lookup(f, &k, &a), TD_OK);
    assert_int_equal(a.found, IDEM_ANSWER);
    assert_string_equal(a.body.data, ANSWER);
    buf_free(&a.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_shape),
        FIXTURE_TEST(same_key_same_answer, fixture_setup_pg),
        FIXTURE_TEST(other_request_refused, fixture_setup_pg),
        FIXTURE_TEST(answers_are_sealed, fixture_setup_pg),
        FIXTURE_TEST(erasure_forgets_the_answer, fixture_setup_pg),
        FIXTURE_TEST(clear_rows_found_and_sealed_rows_only_by_their_key, fixture_setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
