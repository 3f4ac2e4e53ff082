/* test_arena.c — core/arena: alignment, the limit, large allocations,
 * strdup and printf, free and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>
#include "core/arena.h"

static void aligned_and_distinct(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 20);
    static const size_t sizes[] = {1, 0, 15, 16, 17, 100, 8191, 8192, 8193, 3, 20000, 7};
    unsigned char *prev[sizeof sizes / sizeof sizes[0]];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)i + 1, sizes[i]);          /* writable over its whole size (ASan checks) */
        prev[i] = p;
    }
    /* No allocation overwrote another. */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (prev[i][k] != (unsigned char)(i + 1)) fail_msg("allocation %zu was overwritten at %zu", i, k);
    arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
}

static const struct { size_t limit; size_t sizes[4]; int ok[4]; } limit_cases[] = {
    /* sizes are rounded up to 16 bytes and counted against the limit */
    {64, {16, 16, 16, 16}, {1, 1, 1, 1}},
    {64, {16, 16, 16, 17}, {1, 1, 1, 0}},
    {64, {1, 1, 1, 1}, {1, 1, 1, 1}},
    {64, {65, 64, 1, 0}, {0, 1, 0, 0}},
    {100, {96, 1, 0, 0}, {1, 0, 0, 0}},
    {0, {1, 0, 0, 0}, {0, 0, 0, 0}},
};

static void limit_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof limit_cases / sizeof limit_cases[0]; i++) {
        struct arena a;
        arena_init(&a, limit_cases[i].limit);
        for (int k = 0; k < 4; k++) {
            void *p = arena_alloc(&a, limit_cases[i].sizes[k]);
            if ((p != NULL) != limit_cases[i].ok[k])
                fail_msg("case %zu, allocation %d of %zu: %s", i, k, limit_cases[i].sizes[k], p ? "granted" : "refused");
            assert_true(a.used_total <= a.limit);
        }
        arena_free(&a);
    }
}

/* Sizes near SIZE_MAX must be refused, not wrapped round to a tiny block. */
static void huge_sizes_refused(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, SIZE_MAX);
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 7));
    assert_null(arena_alloc(&a, SIZE_MAX - 15));
    void *p = arena_alloc(&a, 32);          /* still usable */
    assert_non_null(p);
    arena_free(&a);
}

static void strdup_and_printf(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 16);
    assert_null(arena_strdup(&a, NULL));
    char src[] = "José";
    char *d = arena_strdup(&a, src);
    assert_non_null(d);
    assert_string_equal(d, "José");
    src[0] = 'X';
    assert_string_equal(d, "José");        /* a copy */
    char *e = arena_strdup(&a, "");
    assert_string_equal(e, "");
    char *p = arena_printf(&a, "\"%lld\"", 42LL);
    assert_string_equal(p, "\"42\"");
    char *q = arena_printf(&a, "%s-%05d-%c", "td", 7, 'x');
    assert_string_equal(q, "td-00007-x");
    assert_string_equal(p, "\"42\"");       /* earlier strings stay */
    arena_free(&a);
}

static void printf_past_limit(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 64);
    assert_null(arena_printf(&a, "%0100d", 1));
    assert_non_null(arena_printf(&a, "%s", "fits"));
    arena_free(&a);
}

/* After arena_free the arena starts over with its whole limit. */
static void free_and_reuse(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 32 * 1024);
    for (int round = 0; round < 3; round++) {
        int n = 0;
        while (arena_alloc(&a, 1000)) n++;
        assert_int_equal(n, 32 * 1024 / 1008);
        arena_free(&a);
    }
    arena_free(&a);                          /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aligned_and_distinct),
        cmocka_unit_test(limit_table),
        cmocka_unit_test(huge_sizes_refused),
        cmocka_unit_test(strdup_and_printf),
        cmocka_unit_test(printf_past_limit),
        cmocka_unit_test(free_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
