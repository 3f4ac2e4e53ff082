/* fuzz_text.c — libFuzzer target for the pure text and time parsers of
 * core/: text_utf8_valid, text_utf8_len, text_fold, text_compact,
 * text_redact, text_phone_normalize, text_email_valid, text_parse_cents, text_parse_int64, text_prefix_upper,
 * clock_parse and clock_format_rfc3339.
 *
 * None may crash or read out of bounds on any input (ASan, UBSan), and each
 * keeps the promise of its header, checked here as properties:
 *   - text_fold of valid UTF-8 gives valid UTF-8 words separated by single
 *     spaces, and folding that again changes nothing;
 *   - redacting valid UTF-8 gives valid UTF-8; nothing replaced means
 *     nothing changed; valid text always contains its own compact form;
 *   - a normalised phone number is digits only and normalises to itself;
 *   - a parsed amount, written back as "units,cc", parses to the same cents;
 *   - a parsed time, formatted as RFC 3339, parses back to the same instant.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static void fold_properties(const char *s)
{
    struct buf a, b;
    buf_init(&a, 1 << 16);
    buf_init(&b, 1 << 16);
    if (text_fold(s, &a) == TD_OK && a.data && text_utf8_valid(s, strlen(s))) {
        const char *f = a.data;
        CHECK(text_utf8_valid(f, a.len));
        CHECK(a.len == 0 || (f[0] != ' ' && f[a.len - 1] != ' '));
        CHECK(strstr(f, "  ") == NULL);
        for (size_t i = 0; i < a.len; i++) CHECK(!(f[i] >= 'A' && f[i] <= 'Z'));
        CHECK(text_fold(f, &b) == TD_OK);
        CHECK(b.len == a.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0));
    }
    buf_free(&a);
    buf_free(&b);
}

static void redact_properties(const char *s)
{
    struct buf compact, out;
    buf_init(&compact, 1 << 16);
    buf_init(&out, 1 << 17);
    int changed = 0;
    if (text_compact(s, &compact) == TD_OK) {
        const char *needles[] = {compact.data ? compact.data : "", "a", "0612345678"};
        if (text_redact(s, needles, 3, "[x]", &out, &changed) == TD_OK) {
            int valid = text_utf8_valid(s, strlen(s));
            if (valid) CHECK(text_utf8_valid(out.data, out.len));
            if (!changed) CHECK(strcmp(out.data, s) == 0);
            /* (Broken UTF-8 may hide a space inside a character that
             * text_compact then drops; the database holds valid text.) */
            if (valid && compact.len) CHECK(changed);
        }
    }
    buf_free(&compact);
    buf_free(&out);
}

static void phone_properties(const char *s)
{
    char out[20], again[20];
    if (text_phone_normalize(s, out) != TD_OK) return;
    size_t n = strlen(out);
    CHECK(n >= 6 && n < sizeof out);
    for (size_t i = 0; i < n; i++) CHECK(out[i] >= '0' && out[i] <= '9');
    CHECK(text_phone_normalize(out, again) == TD_OK);
    CHECK(strcmp(out, again) == 0);
}

static void format_cents(int64_t v, char *t, size_t n)
{
    int64_t a = v < 0 ? -v : v;            /* v > INT64_MIN: the parser's range is far smaller */
    snprintf(t, n, "%s%lld,%02lld", v < 0 ? "-" : "", (long long)(a / 100), (long long)(a % 100));
}

static void format_int(int64_t v, char *t, size_t n) { snprintf(t, n, "%lld", (long long)v); }

/* Whatever parse accepts, format writes back as a text that parse reads as
 * the same value. */
static void round_trips(const char *s, const char *name, int (*parse)(const char *s, int64_t *out),
                        void (*format)(int64_t v, char *t, size_t n))
{
    int64_t v, back;
    if (parse(s, &v) != TD_OK) return;
    char t[64];
    format(v, t, sizeof t);
    if (parse(t, &back) != TD_OK || back != v) {
        fprintf(stderr, "%s: \"%s\" parsed, but its formatted form \"%s\" does not read back\n", name, s, t);
        abort();
    }
}

static void clock_properties(const char *s)
{
    round_trips(s, "clock_parse", clock_parse, clock_format_rfc3339);
    int64_t us;
    if (clock_parse(s, &us) == TD_OK) (void)clock_amsterdam_offset(us / 1000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    /* The raw bytes, NUL bytes and all, for the length-taking function. */
    (void)text_utf8_valid((const char *)data, size);
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (text_utf8_valid(s, strlen(s))) CHECK(text_utf8_len(s) <= strlen(s));
    fold_properties(s);
    redact_properties(s);
    phone_properties(s);
    (void)text_email_valid(s);
    round_trips(s, "text_parse_cents", text_parse_cents, format_cents);
    round_trips(s, "text_parse_int64", text_parse_int64, format_int);
    clock_properties(s);
    size_t n = strlen(s) + 5;
    char *upper = malloc(n);
    if (upper) {
        text_prefix_upper(s, upper, n);
        CHECK(strncmp(upper, s, strlen(s)) == 0);
        free(upper);
    }
    free(s);
    return 0;
}
