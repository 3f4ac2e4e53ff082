/* test_errors.c — core/errors: collecting field problems, the cap, and
 * text that stays valid UTF-8 when it is cut to fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/errors.h"
#include "core/text.h"

static void collect(void **state)
{
    (void)state;
    struct errors e;
    errors_init(&e);
    assert_int_equal(e.n, 0);
    assert_string_equal(e.message, "");
    errors_add(&e, "email", "is not an e-mail address");
    errors_add(&e, NULL, "the body must be a JSON object");
    errors_add(&e, "name", "is longer than %zu characters", (size_t)200);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.item[0].field, "email");
    assert_string_equal(e.item[1].field, "");
    assert_string_equal(e.item[2].problem, "is longer than 200 characters");
    errors_set_message(&e, "wrong login or password");
    assert_string_equal(e.message, "wrong login or password");
    errors_init(&e);
    assert_int_equal(e.n, 0);
    assert_string_equal(e.message, "");
}

static void capped(void **state)
{
    (void)state;
    struct errors e;
    errors_init(&e);
    for (int i = 0; i < ERRORS_MAX + 7; i++) {
        char f[16];
        snprintf(f, sizeof f, "f%d", i);
        errors_add(&e, f, "is required");
    }
    assert_int_equal(e.n, ERRORS_MAX);
    assert_int_equal(e.dropped, 7);
    assert_string_equal(e.item[ERRORS_MAX - 1].field, "f49");
}

/* Long text is cut to fit; a cut never leaves half a UTF-8 character
 * (jansson would refuse the string and the answer would lose the problem). */
static void cut_keeps_utf8(void **state)
{
    (void)state;
    /* "é" is 2 bytes, "€" 3, "😀" 4: shift the cut through each of them */
    static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++)
        for (size_t pad = 80; pad < 100; pad++) {
            char in[400];
            size_t n = pad, cl = strlen(chars[c]);
            memset(in, 'a', pad);
            for (int k = 0; k < 20; k++, n += cl) memcpy(in + n, chars[c], cl);
            in[n] = '\0';
            struct errors e;
            errors_init(&e);
            errors_add(&e, in, "is not a known field");
            errors_add(&e, "x", "%s %s", in, in);
            errors_set_message(&e, "%s%s", in, in);
            const char *f = e.item[0].field, *p = e.item[1].problem;
            assert_true(text_utf8_valid(f, strlen(f)));
            assert_true(text_utf8_valid(p, strlen(p)));
            assert_true(text_utf8_valid(e.message, strlen(e.message)));
            /* cut only as much as needed: less than one character */
            assert_true(strlen(f) + strlen(chars[c]) >= sizeof e.item[0].field - 1);
            assert_memory_equal(f, in, strlen(f));
        }
}

/* A caller may already hand in a cut string ("consent.%.60s"); the broken
 * tail is dropped as well. */
static void broken_tail_dropped(void **state)
{
    (void)state;
    struct errors e;
    errors_init(&e);
    errors_add(&e, "consent.caf\xc3", "x");
    errors_add(&e, "a\xe2\x82", "x");
    errors_add(&e, "\xf0\x9f\x98", "x");
    errors_add(&e, "caf\xc3\xa9", "x");                 /* whole: kept */
    assert_string_equal(e.item[0].field, "consent.caf");
    assert_string_equal(e.item[1].field, "a");
    assert_string_equal(e.item[2].field, "");
    assert_string_equal(e.item[3].field, "caf\xc3\xa9");
}

/* Broken sequences inside the text (quoted input, such as jansson's
 * "invalid escape near '...'") become '?', byte by byte; valid text,
 * control characters included, is kept. */
static void broken_inside_replaced(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        {"near '\"\xc3\xa9 \\\xc3'", "near '\"\xc3\xa9 \\?'"},   /* found by fuzz_json_body */
        {"a\xff\xfe" "b", "a??b"},
        {"\xed\xa0\x80!", "??" "?!"},                      /* a surrogate */
        {"\xc0\xaf/", "??" "/"},                            /* an overlong '/' */
        {"\xe2\x82\xac \xf0\x9f\x98\x80 tab\there", "\xe2\x82\xac \xf0\x9f\x98\x80 tab\there"},
        {"\x80x", "?x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct errors e;
        errors_init(&e);
        errors_add(&e, cases[i].in, "%s", cases[i].in);
        errors_set_message(&e, "%s", cases[i].in);
        assert_string_equal(e.item[0].field, cases[i].want);
        assert_string_equal(e.item[0].problem, cases[i].want);
        assert_string_equal(e.message, cases[i].want);
    }
}

/* The one free-text check: required, valid UTF-8, a limit in characters. */
static void check_text(void **state)
{
    (void)state;
    static const struct { const char *s; size_t max; int required, ok; const char *problem; } rows[] = {
        {NULL, 5, 1, 0, "is required"},
        {"", 5, 1, 0, "is required"},
        {NULL, 5, 0, 1, NULL},
        {"", 5, 0, 1, NULL},
        {"abcde", 5, 1, 1, NULL},
        {"abcdef", 5, 1, 0, "is longer than 5 characters"},
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5, 1, 1, NULL},   /* 5 characters, 10 bytes */
        {"ab\xc3", 5, 0, 0, "must be valid UTF-8 text"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct errors e;
        errors_init(&e);
        int ok = errors_check_text(&e, "f", rows[i].s, rows[i].max, rows[i].required);
        if (ok != rows[i].ok) fail_msg("row %zu: %d, want %d", i, ok, rows[i].ok);
        assert_int_equal(e.n, rows[i].ok ? 0 : 1);
        if (!rows[i].ok) {
            assert_string_equal(e.item[0].field, "f");
            assert_string_equal(e.item[0].problem, rows[i].problem);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collect),
        cmocka_unit_test(capped),
        cmocka_unit_test(cut_keeps_utf8),
        cmocka_unit_test(broken_tail_dropped),
        cmocka_unit_test(broken_inside_replaced),
        cmocka_unit_test(check_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
