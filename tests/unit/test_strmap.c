/* test_strmap.c — the string map: put, get, growth, stable values, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "core/strmap.h"
#include "cmocka_main.h"

static void put_get(void **state)
{
    (void)state;
    struct strmap *m = NULL;
    assert_int_equal(strmap_new(sizeof(int64_t), 1 << 20, &m), TD_OK);
    void *v;
    int added;
    assert_null(strmap_get(m, "UTR01", 5));
    assert_int_equal(strmap_put(m, "UTR01", 5, &v, &added), TD_OK);
    assert_int_equal(added, 1);
    assert_int_equal(*(int64_t *)v, 0);            /* a new value is zeroed */
    *(int64_t *)v = 42;
    assert_int_equal(strmap_put(m, "UTR01", 5, &v, &added), TD_OK);
    assert_int_equal(added, 0);
    assert_int_equal(*(int64_t *)v, 42);
    /* Keys are bytes with a length: a prefix, or a key with a NUL, is another key. */
    assert_null(strmap_get(m, "UTR0", 4));
    assert_int_equal(strmap_put(m, "UTR01\0x", 7, &v, &added), TD_OK);
    assert_int_equal(added, 1);
    assert_int_equal(strmap_put(m, "", 0, &v, &added), TD_OK);
    assert_int_equal(added, 1);
    assert_int_equal(strmap_count(m), 3);
    assert_int_equal(*(int64_t *)strmap_get(m, "UTR01", 5), 42);
    strmap_free(m);
    strmap_free(NULL);
}

/* Many keys: the table grows, every value keeps its address and content. */
static void growth_keeps_values(void **state)
{
    (void)state;
    enum { N = 50000 };
    struct strmap *m = NULL;
    assert_int_equal(strmap_new(24, 64 << 20, &m), TD_OK);
    static void *where[N];
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "R%09d", i);
        int added;
        assert_int_equal(strmap_put(m, key, (size_t)n, &where[i], &added), TD_OK);
        assert_int_equal(added, 1);
        memcpy(where[i], &i, sizeof i);
    }
    assert_int_equal(strmap_count(m), N);
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "R%09d", i);
        void *v = strmap_get(m, key, (size_t)n);
        assert_ptr_equal(v, where[i]);
        int got;
        memcpy(&got, v, sizeof got);
        assert_int_equal(got, i);
    }
    assert_null(strmap_get(m, "R999999999", 10));
    strmap_free(m);
}

/* The memory limit stops growth with TD_E_NOMEM instead of taking more. */
static void limit(void **state)
{
    (void)state;
    struct strmap *m = NULL;
    assert_int_equal(strmap_new(8, 64 * 1024, &m), TD_OK);
    char key[32];
    int rc = TD_OK, i = 0;
    for (; i < 100000 && rc == TD_OK; i++) {
        int n = snprintf(key, sizeof key, "key-%d", i);
        void *v;
        int added;
        rc = strmap_put(m, key, (size_t)n, &v, &added);
    }
    assert_int_equal(rc, TD_E_NOMEM);
    assert_true(i < 10000);
    strmap_free(m);
}

TD_TEST_MAIN("unit_strmap", NULL, NULL,
             cmocka_unit_test(put_get),
             cmocka_unit_test(growth_keeps_values),
             cmocka_unit_test(limit))
