/* test_csv.c — the CSV tokenizer, table-driven: each case's input is fed
 * whole, one byte at a time and in pieces of 2, 3 and 7 bytes, and must give
 * the same records every time.
 *
 * A record is written as  L<line>{field|field|...}  with
 *   @N   after a field that starts on line N (another line than the record's)
 *   "    after a field that was quoted
 *   ~    after a field that was cut at max_field bytes
 *   '    after a field whose unquoted '"' was taken literally
 *   !E@N after the record when it has syntax error E on line N
 *   #N   after the record when it had N fields in all (more than kept)
 * and records follow each other with a space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/buf.h"
#include "core/csv.h"
#include "cmocka_main.h"

static int collect(void *arg, struct csv_record *rec)
{
    struct buf *out = arg;
    int rc = buf_printf(out, "%sL%lld{", out->len ? " " : "", (long long)rec->line);
    for (size_t i = 0; i < rec->n && rc == TD_OK; i++) {
        const struct csv_field *f = &rec->field[i];
        if (i) rc = buf_putc(out, '|');
        if (rc == TD_OK) rc = buf_append(out, f->data, f->len);
        assert_int_equal(f->data[f->len], '\0');
        if (rc == TD_OK && f->line != rec->line) rc = buf_printf(out, "@%lld", (long long)f->line);
        if (rc == TD_OK && f->quoted) rc = buf_putc(out, '"');
        if (rc == TD_OK && f->too_long) rc = buf_putc(out, '~');
        if (rc == TD_OK && f->literal_quote) rc = buf_putc(out, '\'');
    }
    if (rc == TD_OK) rc = buf_putc(out, '}');
    if (rc == TD_OK && rec->error) rc = buf_printf(out, "!%d@%lld", rec->error, (long long)rec->error_line);
    if (rc == TD_OK && rec->n_total != rec->n) rc = buf_printf(out, "#%zu", rec->n_total);
    return rc;
}

/* Tokenizes in pieces of `piece` bytes (0: all at once). */
static void tokenize(const char *in, size_t len, char sep, size_t max_field, size_t max_fields, size_t piece,
                     struct buf *out, char *sep_out, int *bom_out)
{
    struct csv *p = NULL;
    assert_int_equal(csv_new(sep, max_field, max_fields, &p), TD_OK);
    buf_reset(out);
    size_t step = piece ? piece : len;
    for (size_t i = 0; i < len; i += step) {
        size_t n = len - i < step ? len - i : step;
        assert_int_equal(csv_feed(p, in + i, n, collect, out), TD_OK);
    }
    assert_int_equal(csv_finish(p, collect, out), TD_OK);
    if (sep_out) *sep_out = csv_separator(p);
    if (bom_out) *bom_out = csv_had_bom(p);
    csv_free(p);
}

struct csv_case {
    const char *name;
    const char *in;
    char sep;                     /* 0: detect */
    size_t max_field, max_fields; /* 0: 64, 16 */
    const char *want;
    char want_sep;
    int want_bom;
};

#define QUOTE_E "2"  /* CSV_E_AFTER_QUOTE */
static const struct csv_case cases[] = {
    {"comma", "a,b,c\n1,2,3\n", 0, 0, 0, "L1{a|b|c} L2{1|2|3}", ',', 0},
    {"semicolon detected", "a;b;c\n1;2,5;3\n", 0, 0, 0, "L1{a|b|c} L2{1|2,5|3}", ';', 0},
    {"comma wins a tie", "a,b;c\n", 0, 0, 0, "L1{a|b;c}", ',', 0},
    {"separators in quotes do not count", "\"a;b;c\",d\n", 0, 0, 0, "L1{a;b;c\"|d}", ',', 0},
    {"one column", "name\nJosé\n", 0, 0, 0, "L1{name} L2{José}", ',', 0},
    {"given separator", "a;b,c\n", ';', 0, 0, "L1{a|b,c}", ';', 0},
    {"no final line break", "a,b\n1,2", 0, 0, 0, "L1{a|b} L2{1|2}", ',', 0},
    {"CRLF", "a,b\r\n1,2\r\n", 0, 0, 0, "L1{a|b} L2{1|2}", ',', 0},
    {"lone CR", "a,b\r1,2\r", 0, 0, 0, "L1{a|b} L2{1|2}", ',', 0},
    {"blank lines skipped but counted", "a,b\n\n1,2\r\n\r\n\n3,4\n\n", 0, 0, 0, "L1{a|b} L3{1|2} L6{3|4}", ',', 0},
    {"blank lines before the header", "\n\na,b\n", 0, 0, 0, "L3{a|b}", ',', 0},
    {"empty fields", "a,,c\n,,\n", 0, 0, 0, "L1{a||c} L2{||}", ',', 0},
    {"trailing separator at the end", "a,b,", 0, 0, 0, "L1{a|b|}", ',', 0},
    {"quoted field", "\"a\",\"b c\"\n", 0, 0, 0, "L1{a\"|b c\"}", ',', 0},
    {"doubled quotes", "\"say \"\"hi\"\"\",x\n", 0, 0, 0, "L1{say \"hi\"\"|x}", ',', 0},
    {"empty quoted field", "\"\",x\n\"\"\n", 0, 0, 0, "L1{\"|x} L2{\"}", ',', 0},
    {"LF inside quotes", "a,\"line1\nline2\",c\nd,e,f\n", 0, 0, 0, "L1{a|line1\nline2\"|c@2} L3{d|e|f}", ',', 0},
    {"CRLF inside quotes", "a,\"x\r\ny\"\r\nb,c\r\n", 0, 0, 0, "L1{a|x\r\ny\"} L3{b|c}", ',', 0},
    {"field starting on a later line", "\"a\nb\",c,\"d\"\n", 0, 0, 0, "L1{a\nb\"|c@2|d@2\"}", ',', 0},
    {"header with a line break in quotes", "\"a\nb\";c\n1;2\n", 0, 0, 0, "L1{a\nb\"|c@2} L3{1|2}", ';', 0},
    {"BOM", "\xef\xbb\xbf" "a;b\r\n1;2\r\n", 0, 0, 0, "L1{a|b} L2{1|2}", ';', 1},
    {"BOM with a given separator", "\xef\xbb\xbf" "a,b\n", ',', 0, 0, "L1{a|b}", ',', 1},
    {"BOM only", "\xef\xbb\xbf", 0, 0, 0, "", ',', 1},
    {"a BOM later is data", "a\n\xef\xbb\xbf" "b\n", 0, 0, 0, "L1{a} L2{\xef\xbb\xbf" "b}", ',', 0},
    {"empty input", "", 0, 0, 0, "", ',', 0},
    {"a quote inside an unquoted field is literal", "a,b\"c,d\n", 0, 0, 0, "L1{a|b\"c'|d}", ',', 0},
    {"Monitor 24\" as a till writes it", "sku;name\n1;Monitor 24\";\n", 0, 0, 0, "L1{sku|name} L2{1|Monitor 24\"'|}", ';', 0},
    {"text after closing quote", "\"ab\"c,d\n", 0, 0, 0, "L1{abc\"|d}!" QUOTE_E "@1", ',', 0},
    {"unclosed quote swallows the rest", "a,b\n1,\"2\n3,4\n", 0, 0, 0, "L1{a|b} L2{1|2\n3,4\n\"}!3@2", ',', 0},
    {"field cut at max_field", "abcdef,\"ghijkl\"\nab,c\n", 0, 4, 0, "L1{abcd~|ghij\"~} L2{ab|c}", ',', 0},
    {"field exactly max_field", "abcd\n", 0, 4, 0, "L1{abcd}", ',', 0},
    {"too many fields", "a,b,c,d,e\n1,2\n", 0, 0, 3, "L1{a|b|c}!4@1#5 L2{1|2}", ',', 0},
    {"line numbers count every kind of break", "a\r\nb\rc\nd", 0, 0, 0, "L1{a} L2{b} L3{c} L4{d}", ',', 0},
};

static void table(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 1 << 16);
    static const size_t pieces[] = {0, 1, 2, 3, 7};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct csv_case *c = &cases[i];
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            char sep = 0;
            int bom = -1;
            tokenize(c->in, strlen(c->in), c->sep, c->max_field ? c->max_field : 64,
                     c->max_fields ? c->max_fields : 16, pieces[k], &out, &sep, &bom);
            const char *got = out.data ? out.data : "";
            if (strcmp(got, c->want) != 0 || sep != c->want_sep || bom != c->want_bom) {
                print_error("case \"%s\" (pieces of %zu):\n  got  %s (sep %c, bom %d)\n  want %s (sep %c, bom %d)\n",
                            c->name, pieces[k], got, sep, bom, c->want, c->want_sep, c->want_bom);
                fail();
            }
        }
    }
    buf_free(&out);
}

static void nul_bytes_are_data(void **state)
{
    (void)state;
    static const char in[] = "a,b\0c\n";
    struct buf out;
    buf_init(&out, 1024);
    tokenize(in, sizeof in - 1, 0, 64, 16, 0, &out, NULL, NULL);
    assert_int_equal(out.len, strlen("L1{a|b") + 2 + strlen("}"));
    assert_memory_equal(out.data, "L1{a|b\0c}", out.len);
    buf_free(&out);
}

/* A first line longer than CSV_HEAD_MAX: the separator is decided on what was
 * seen, and nothing is lost. */
static void long_first_line(void **state)
{
    (void)state;
    size_t n = CSV_HEAD_MAX + 100;
    struct buf in, out;
    buf_init(&in, n + 64);
    buf_init(&out, n + 64);
    for (size_t i = 0; i < n; i++) assert_int_equal(buf_putc(&in, i % 10 == 9 ? ';' : 'x'), TD_OK);
    assert_int_equal(buf_puts(&in, "\n1;2\n"), TD_OK);
    char sep = 0;
    tokenize(in.data, in.len, 0, 16, 1 << 14, 4096, &out, &sep, NULL);
    assert_int_equal(sep, ';');
    assert_non_null(strstr(out.data, "} L2{1|2}"));
    buf_free(&in);
    buf_free(&out);
}

/* The callback's status stops the tokenizer and comes back from csv_feed. */
static int stop_at_second(void *arg, struct csv_record *rec)
{
    int *seen = arg;
    (*seen)++;
    return rec->index == 1 ? TD_E_INVALID : TD_OK;
}

static void callback_stops(void **state)
{
    (void)state;
    struct csv *p = NULL;
    int seen = 0;
    assert_int_equal(csv_new(0, 64, 16, &p), TD_OK);
    assert_int_equal(csv_feed(p, "a\nb\nc\n", 6, stop_at_second, &seen), TD_E_INVALID);
    assert_int_equal(seen, 2);
    csv_free(p);
}

static void bad_configuration(void **state)
{
    (void)state;
    struct csv *p = (struct csv *)1;
    assert_int_equal(csv_new('"', 64, 16, &p), TD_E_INVALID);
    assert_null(p);
    assert_int_equal(csv_new('\n', 64, 16, &p), TD_E_INVALID);
    assert_int_equal(csv_new(',', 0, 16, &p), TD_E_INVALID);
    assert_int_equal(csv_new(',', 64, 0, &p), TD_E_INVALID);
    csv_free(NULL);
}

static void error_texts(void **state)
{
    (void)state;
    assert_non_null(strstr(csv_error_text(CSV_E_UNCLOSED), "never closed"));
    assert_non_null(strstr(csv_error_text(CSV_E_AFTER_QUOTE), "after the closing"));
    assert_non_null(strstr(csv_error_text(CSV_E_TOO_MANY_FIELDS), "too many"));
}

TD_TEST_MAIN("unit_csv", NULL, NULL,
             cmocka_unit_test(table),
             cmocka_unit_test(nul_bytes_are_data),
             cmocka_unit_test(long_first_line),
             cmocka_unit_test(callback_stops),
             cmocka_unit_test(bad_configuration),
             cmocka_unit_test(error_texts))
