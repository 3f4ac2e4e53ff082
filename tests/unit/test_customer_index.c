/* test_customer_index.c — domain/customer's pure customer_index_text(): the
 * search terms and search_text of sample customers, and the loyalty-number
 * check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "domain/customer.h"
#include "fixture.h"

static const struct {
    const char *name, *email, *phone, *loyalty;
    const char *terms;        /* '\n'-terminated, in order */
    const char *text;
} cases[] = {
    {"José Müller-van 't Hek", "Jose.Muller@Example.NL", "+31 6 1234 5678", "TD-0001-2345",
     "jose\nmuller\nvan\nt\nhek\njose.muller@example.nl\n0612345678\ntd00012345\n",
     "jose muller van t hek jose.muller@example.nl 0612345678 td00012345"},
    {"Zoë de Vries", NULL, NULL, NULL, "zoe\nde\nvries\n", "zoe de vries"},
    {"Jan Jan Jansen", NULL, NULL, NULL, "jan\njansen\n", "jan jan jansen"},   /* a term once */
    {"Çelik", "", "", "", "celik\n", "celik"},                                 /* "" is absent */
    {NULL, "a@b.nl", NULL, NULL, "a@b.nl\n", "a@b.nl"},
    {"", NULL, "0031 20 123 4567", NULL, "0201234567\n", "0201234567"},
    {"", NULL, NULL, "ab-12-cd", "ab12cd\n", "ab12cd"},
    {"Ελένη Παπαδοπούλου", NULL, NULL, NULL, "Ελένη\nΠαπαδοπούλου\n", "Ελένη Παπαδοπούλου"},
    {"Bo", NULL, "not a phone", NULL, "bo\n", "bo"},                          /* a bad phone is skipped */
    {"Jan", "jan@x.nl", "06-12345678", "jan", "jan\njan@x.nl\n0612345678\n", "jan jan@x.nl 0612345678 jan"},
    {"Anna Berg", "ANNA@BERG.NL", "+49 30 1234567", NULL, "anna\nberg\nanna@berg.nl\n0049301234567\n",
     "anna berg anna@berg.nl 0049301234567"},
    {NULL, NULL, NULL, NULL, "", ""},
};

/* Indexes cases[i] into terms and text, which it initialises (the caller
 * frees them). */
static void index_case(size_t i, struct buf *terms, struct buf *text)
{
    buf_init(terms, 8192);
    buf_init(text, 8192);
    assert_int_equal(customer_index_text(cases[i].name, cases[i].email, cases[i].phone, cases[i].loyalty, terms, text),
                     TD_OK);
}

static void index_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf terms, text;
        index_case(i, &terms, &text);
        const char *t = terms.data ? terms.data : "";
        const char *x = text.data ? text.data : "";
        if (strcmp(t, cases[i].terms) != 0) fail_msg("case %zu: terms \"%s\", want \"%s\"", i, t, cases[i].terms);
        if (strcmp(x, cases[i].text) != 0) fail_msg("case %zu: text \"%s\", want \"%s\"", i, x, cases[i].text);
        buf_free(&terms);
        buf_free(&text);
    }
}

/* The output buffers are reset, not appended to. */
static void index_resets_outputs(void **state)
{
    (void)state;
    struct buf terms, text;
    buf_init(&terms, 8192);
    buf_init(&text, 8192);
    assert_int_equal(buf_puts(&terms, "stale\n"), TD_OK);
    assert_int_equal(buf_puts(&text, "stale"), TD_OK);
    assert_int_equal(customer_index_text("Piet", NULL, NULL, NULL, &terms, &text), TD_OK);
    assert_string_equal(terms.data, "piet\n");
    assert_string_equal(text.data, "piet");
    buf_free(&terms);
    buf_free(&text);
}

/* A term is at most 128 bytes; a longer word is cut, and each term stays a
 * line of its own. */
static void long_words_are_cut(void **state)
{
    (void)state;
    char name[400];
    memset(name, 'a', 300);
    name[300] = '\0';
    struct buf terms, text;
    buf_init(&terms, 8192);
    buf_init(&text, 8192);
    assert_int_equal(customer_index_text(name, NULL, NULL, NULL, &terms, &text), TD_OK);
    assert_int_equal(terms.len, 128 + 1);
    assert_int_equal(terms.data[128], '\n');
    assert_int_equal(text.len, 300);
    buf_free(&terms);
    buf_free(&text);
}

/* Every term appears in the search_text, so a LIKE over search_text never
 * drops a row the term scan found (unless the term was cut). */
static void terms_are_in_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf terms, text;
        index_case(i, &terms, &text);
        for (const char *p = terms.data; p && *p;) {
            const char *nl = strchr(p, '\n');
            assert_non_null(nl);
            char term[200];
            size_t n = (size_t)(nl - p);
            assert_true(n > 0 && n < sizeof term);
            memcpy(term, p, n);
            term[n] = '\0';
            assert_non_null(strstr(text.data, term));
            p = nl + 1;
        }
        buf_free(&terms);
        buf_free(&text);
    }
}

static const struct valid_case loyalty_cases[] = {
    {"TD-0001", 1}, {"abcd", 1}, {"1234", 1}, {"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", 1},
    {"abc", 0}, {"", 0}, {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", 0}, {"TD 0001", 0}, {"TD_0001", 0},
    {"TD-000é", 0},
};

static void loyalty_valid(void **state) { (void)state; FIXTURE_VALID(customer_loyalty_valid, loyalty_cases); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_table),
        cmocka_unit_test(index_resets_outputs),
        cmocka_unit_test(long_words_are_cut),
        cmocka_unit_test(terms_are_in_text),
        cmocka_unit_test(loyalty_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
