/* test_code.c — credit-note codes: format, randomness, and that the check
 * character catches every single wrong character and every swap of two
 * different neighbours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "core/code.h"
#include "core/token.h"
#include "cmocka_main.h"

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static void format_and_round_trip(void **state)
{
    (void)state;
    assert_int_equal(token_init(), TD_OK);
    for (int i = 0; i < 1000; i++) {
        char code[CODE_TEXT_SZ], canon[CODE_CHARS + 1], again[CODE_TEXT_SZ];
        code_new(code);
        assert_int_equal(strlen(code), 22);
        assert_memory_equal(code, "TD-", 3);
        for (int k = 3; k < 22; k++) {
            if ((k - 2) % 5 == 0) assert_int_equal(code[k], '-');
            else assert_non_null(strchr(alphabet, code[k]));
        }
        assert_int_equal(code_parse(code, canon), TD_OK);
        code_format(canon, again);
        assert_string_equal(code, again);
        /* lower case, no dashes, spaces, without the prefix */
        char loose[64];
        size_t n = 0;
        for (const char *p = code + 3; *p; p++) {
            if (*p == '-') { loose[n++] = ' '; continue; }
            loose[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        }
        loose[n] = '\0';
        assert_int_equal(code_parse(loose, canon), TD_OK);
    }
}

static void check_character_catches_single_errors_and_swaps(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++) {
        char code[CODE_TEXT_SZ], canon[CODE_CHARS + 1];
        code_new(code);
        assert_int_equal(code_parse(code, canon), TD_OK);
        for (int pos = 0; pos < CODE_CHARS; pos++) {
            for (const char *a = alphabet; *a; a++) {
                if (*a == canon[pos]) continue;
                char bad[CODE_CHARS + 1], out[CODE_CHARS + 1];
                memcpy(bad, canon, sizeof bad);
                bad[pos] = *a;
                assert_int_equal(code_parse(bad, out), TD_E_NOT_FOUND);
            }
        }
        for (int pos = 0; pos + 1 < CODE_CHARS; pos++) {
            if (canon[pos] == canon[pos + 1]) continue;
            char bad[CODE_CHARS + 1], out[CODE_CHARS + 1];
            memcpy(bad, canon, sizeof bad);
            bad[pos] = canon[pos + 1];
            bad[pos + 1] = canon[pos];
            assert_int_equal(code_parse(bad, out), TD_E_NOT_FOUND);
        }
    }
}

static void refuses_what_cannot_be_a_code(void **state)
{
    (void)state;
    char out[CODE_CHARS + 1];
    const char *bad[] = {"", "TD", "TD-0000-0000-0000-0000", "TD-OOOO-IIII-LLLL-1111", "TD-2345-6789-ABCD-EFG",
                         "TD-2345-6789-ABCD-EFGHJ", "\xff\xfe", "TD-2345-6789-ABCD-EFG!", "' OR 1=1 --"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(code_parse(bad[i], out), TD_E_NOT_FOUND);
}

static void codes_do_not_repeat(void **state)
{
    (void)state;
    enum { N = 20000 };
    static char seen[N][CODE_TEXT_SZ];
    for (int i = 0; i < N; i++) code_new(seen[i]);
    qsort(seen, N, CODE_TEXT_SZ, (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < N; i++) assert_string_not_equal(seen[i - 1], seen[i]);
}

TD_TEST_MAIN("unit_code", NULL, NULL,
             cmocka_unit_test(format_and_round_trip),
             cmocka_unit_test(check_character_catches_single_errors_and_swaps),
             cmocka_unit_test(refuses_what_cannot_be_a_code),
             cmocka_unit_test(codes_do_not_repeat))
