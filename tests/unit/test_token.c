/* test_token.c — core/token: derived ids and keys, sealing and opening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/buf.h"
#include "core/token.h"

static int setup(void **state)
{
    (void)state;
    return token_init() == TD_OK ? 0 : -1;
}

/* The same texts give the same id and key; any other text, scope or
 * context another pair; the id never equals the key. */
static void derive_is_stable_and_separates(void **state)
{
    (void)state;
    char id1[TOKEN_HASH_HEX_LEN + 1], id2[TOKEN_HASH_HEX_LEN + 1], hex[TOKEN_HASH_HEX_LEN + 1];
    unsigned char k1[TOKEN_KEY_LEN], k2[TOKEN_KEY_LEN];
    token_derive("ctx", "resolve-17", "staff:1", id1, k1);
    token_derive("ctx", "resolve-17", "staff:1", id2, k2);
    assert_string_equal(id1, id2);
    assert_memory_equal(k1, k2, TOKEN_KEY_LEN);
    assert_int_equal(strlen(id1), TOKEN_HASH_HEX_LEN);
    for (size_t i = 0; i < TOKEN_KEY_LEN; i++) snprintf(hex + 2 * i, 3, "%02x", k1[i]);
    assert_string_not_equal(hex, id1);
    static const char *const other[][3] = {
        {"ctx", "resolve-18", "staff:1"}, {"ctx", "resolve-17", "staff:2"}, {"ctx2", "resolve-17", "staff:1"},
        {"ctx", "resolve-17staff:1", ""}, {"ctx", "", "resolve-17staff:1"},
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        token_derive(other[i][0], other[i][1], other[i][2], id2, k2);
        assert_string_not_equal(id1, id2);
        assert_memory_not_equal(k1, k2, TOKEN_KEY_LEN);
    }
}

static void seal_then_open(void **state)
{
    (void)state;
    char id[TOKEN_HASH_HEX_LEN + 1];
    unsigned char key[TOKEN_KEY_LEN], other[TOKEN_KEY_LEN];
    token_derive("ctx", "k", "s", id, key);
    token_derive("ctx", "k2", "s", id, other);
    const char *text = "{\"code\":\"TD-7KQM-3HXP-9WZD-4RTB\",\"balance_cents\":24000}";
    struct buf a, b, plain;
    buf_init(&a, 1 << 16);
    buf_init(&b, 1 << 16);
    buf_init(&plain, 1 << 16);
    assert_int_equal(token_seal(key, "ad", text, &a), TD_OK);
    assert_int_equal(token_seal(key, "ad", text, &b), TD_OK);
    assert_string_not_equal(a.data, b.data);                     /* a fresh nonce each time */
    assert_null(strstr(a.data, "TD-7KQM"));
    assert_int_equal(token_open(key, "ad", a.data, &plain), TD_OK);
    assert_string_equal(plain.data, text);
    buf_reset(&plain);
    assert_int_equal(token_open(key, "ad", b.data, &plain), TD_OK);
    assert_string_equal(plain.data, text);
    /* Another key, another ad, an altered or cut text: refused, nothing appended. */
    buf_reset(&plain);
    assert_int_equal(token_open(other, "ad", a.data, &plain), TD_E_INTERNAL);
    assert_int_equal(token_open(key, "ad2", a.data, &plain), TD_E_INTERNAL);
    char bad[512];
    snprintf(bad, sizeof bad, "%s", a.data);
    bad[30] = bad[30] == 'A' ? 'B' : 'A';
    assert_int_equal(token_open(key, "ad", bad, &plain), TD_E_INTERNAL);
    bad[20] = '\0';
    assert_int_equal(token_open(key, "ad", bad, &plain), TD_E_INTERNAL);
    assert_int_equal(token_open(key, "ad", "", &plain), TD_E_INTERNAL);
    assert_int_equal(token_open(key, "ad", "not base64 at all!", &plain), TD_E_INTERNAL);
    assert_int_equal(plain.len, 0);
    /* The empty text seals and opens too. */
    buf_reset(&a);
    assert_int_equal(token_seal(key, "", "", &a), TD_OK);
    assert_int_equal(token_open(key, "", a.data, &plain), TD_OK);
    assert_int_equal(plain.len, 0);
    buf_free(&a);
    buf_free(&b);
    buf_free(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(derive_is_stable_and_separates),
        cmocka_unit_test(seal_then_open),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
