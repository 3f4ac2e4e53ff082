/* test_buf.c — core/buf: the hard limit, unchanged contents on refusal,
 * printf growth, reset, steal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"

/* The invariant of buf.h: data[len] == '\0' and len < alloc. */
static void check_invariant(const struct buf *b)
{
    assert_true(b->len <= b->limit);
    if (!b->data) {
        assert_int_equal(b->len, 0);
        return;
    }
    assert_true(b->len < b->alloc);
    assert_int_equal(b->data[b->len], '\0');
}

/* A buffer of limit bytes that holds text. */
static struct buf holding(size_t limit, const char *text)
{
    struct buf b;
    buf_init(&b, limit);
    assert_int_equal(buf_puts(&b, text), TD_OK);
    return b;
}

/* Checks the invariant a last time and frees b. */
static void done(struct buf *b)
{
    check_invariant(b);
    buf_free(b);
}

static void empty_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_reset(&b);                       /* harmless before any append */
    assert_int_equal(buf_append(&b, "", 0), TD_OK);
    check_invariant(&b);
    assert_string_equal(b.data, "");
    buf_free(&b);
    assert_null(b.data);
    buf_free(&b);                        /* twice is harmless */
}

/* Appends one byte at a time up to the limit; the next byte is refused. */
static void limit_exact(void **state)
{
    (void)state;
    static const size_t limits[] = {0, 1, 2, 63, 64, 65, 127, 128, 1000};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        size_t limit = limits[k];
        struct buf b;
        buf_init(&b, limit);
        for (size_t i = 0; i < limit; i++) {
            assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), TD_OK);
            check_invariant(&b);
        }
        assert_int_equal(b.len, limit);
        assert_int_equal(buf_putc(&b, 'z'), TD_E_TOO_LARGE);
        assert_int_equal(b.len, limit);
        done(&b);
    }
}

static const struct { size_t limit; const char *first, *second; int rc; const char *want; } append_cases[] = {
    {10, "hello", "world", TD_OK, "helloworld"},
    {10, "hello", "world!", TD_E_TOO_LARGE, "hello"},
    {10, "hello world", "", TD_E_TOO_LARGE, ""},
    {5, "", "abcde", TD_OK, "abcde"},
    {5, "abc", "", TD_OK, "abc"},
    {200, "short", "a much longer second part that forces the buffer to grow past 64 bytes, twice over even",
     TD_OK, "shorta much longer second part that forces the buffer to grow past 64 bytes, twice over even"},
};

static void append_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof append_cases / sizeof append_cases[0]; i++) {
        struct buf b;
        buf_init(&b, append_cases[i].limit);
        int rc1 = buf_puts(&b, append_cases[i].first);
        int rc2 = rc1 == TD_OK ? buf_puts(&b, append_cases[i].second) : rc1;
        assert_int_equal(rc2, append_cases[i].rc);
        assert_string_equal(b.data ? b.data : "", append_cases[i].want);
        done(&b);
    }
}

/* A refused append leaves the bytes, the length and the allocation as they
 * were, for every way of appending. */
static void too_large_leaves_contents(void **state)
{
    (void)state;
    struct buf b = holding(16, "0123456789");
    char *data = b.data;
    size_t alloc = b.alloc;
    assert_int_equal(buf_append(&b, "abcdefg", 7), TD_E_TOO_LARGE);
    assert_int_equal(buf_puts(&b, "abcdefg"), TD_E_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%s-%d", "abcd", 12), TD_E_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%07d", 1), TD_E_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.alloc, alloc);
    assert_string_equal(b.data, "0123456789");
    /* exactly up to the limit is fine */
    assert_int_equal(buf_printf(&b, "%06d", 42), TD_OK);
    assert_string_equal(b.data, "0123456789000042");
    assert_int_equal(buf_putc(&b, 'x'), TD_E_TOO_LARGE);
    assert_int_equal(buf_append(&b, "", 0), TD_OK);
    done(&b);
}

/* A huge n must not wrap the limit check around. */
static void huge_append_refused(void **state)
{
    (void)state;
    struct buf b = holding(64, "abc");
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), TD_E_TOO_LARGE);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), TD_E_TOO_LARGE);
    assert_string_equal(b.data, "abc");
    buf_free(&b);
}

/* A limit of SIZE_MAX means "no limit": appends must still allocate room. */
static void unlimited_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, SIZE_MAX);
    for (int i = 0; i < 100; i++) assert_int_equal(buf_puts(&b, "0123456789"), TD_OK);
    assert_int_equal(b.len, 1000);
    assert_true(b.alloc > 1000);
    check_invariant(&b);
    /* an impossible size fails at once (the bytes are never read) */
    assert_int_equal(buf_append(&b, "x", SIZE_MAX / 2 + 1), TD_E_NOMEM);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX - 1000), TD_E_NOMEM);
    assert_int_equal(b.len, 1000);
    assert_memory_equal(b.data + 990, "0123456789", 11);
    buf_free(&b);
}

static void printf_growth(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    size_t want = 0;
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(buf_printf(&b, "%d,", i), TD_OK);
        want += (size_t)snprintf(NULL, 0, "%d,", i);
        check_invariant(&b);
    }
    assert_int_equal(b.len, want);
    assert_int_equal(strlen(b.data), want);
    assert_memory_equal(b.data, "0,1,2,3,", 8);
    assert_memory_equal(b.data + want - 5, "4999,", 5);
    /* one printf larger than everything so far */
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "[%s]", big), TD_OK);
    assert_int_equal(b.len, want + 3001);
    assert_int_equal(b.data[b.len - 1], ']');
    check_invariant(&b);
    /* an empty format still yields a string */
    struct buf e;
    buf_init(&e, 10);
    assert_int_equal(buf_printf(&e, "%s", ""), TD_OK);
    assert_non_null(e.data);
    assert_string_equal(e.data, "");
    buf_free(&e);
    buf_free(&b);
}

static void binary_bytes(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_int_equal(buf_append(&b, "a\0b", 3), TD_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    buf_free(&b);
}

static void reset_keeps_memory(void **state)
{
    (void)state;
    struct buf b = holding(100, "hello");
    char *data = b.data;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_puts(&b, "again"), TD_OK);
    assert_string_equal(b.data, "again");
    buf_free(&b);
}

static void steal(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    char *s = buf_steal(&b);               /* nothing appended: an empty string */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(buf_puts(&b, "mine"), TD_OK);
    s = buf_steal(&b);
    assert_string_equal(s, "mine");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.alloc, 0);
    assert_int_equal(buf_puts(&b, "new"), TD_OK);   /* the buffer is usable again */
    assert_string_equal(b.data, "new");
    assert_true(b.data != s);
    free(s);
    buf_free(&b);
}

/* Every byte of `chars` becomes its replacement; others, and NULL, pass. */
static void escaped(void **state)
{
    (void)state;
    static const char *const html[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_put_escaped(&b, "<a href=\"x\">Tom & Jerry's</a>", "<>&\"'", html), TD_OK);
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    buf_reset(&b);
    assert_int_equal(buf_put_escaped(&b, NULL, "<", html), TD_OK);
    assert_int_equal(buf_put_escaped(&b, "plain", "<", html), TD_OK);
    assert_string_equal(b.data, "plain");
    /* the cap holds: a replacement that does not fit fails */
    buf_reset(&b);
    assert_int_equal(buf_put_escaped(&b, "<<<<<<<<<<<<<<<<<<<<", "<", html), TD_E_TOO_LARGE);
    done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_buffer),
        cmocka_unit_test(escaped),
        cmocka_unit_test(limit_exact),
        cmocka_unit_test(append_table),
        cmocka_unit_test(too_large_leaves_contents),
        cmocka_unit_test(huge_append_refused),
        cmocka_unit_test(unlimited_buffer),
        cmocka_unit_test(printf_growth),
        cmocka_unit_test(binary_bytes),
        cmocka_unit_test(reset_keeps_memory),
        cmocka_unit_test(steal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
