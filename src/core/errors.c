/* errors.c — collecting field problems (see errors.h). */
#include "core/errors.h"
#include "core/text.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Drops an incomplete UTF-8 sequence at the end of s: snprintf cuts text to
 * fit by bytes, and callers may pass text already cut ("consent.%.60s").
 * The API answers these strings through jansson, which refuses broken UTF-8,
 * and the problem would silently vanish from the answer. */
static void trim_cut_utf8(char *s)
{
    size_t n = strlen(s), cont = 0;
    while (cont < n && cont < 3 && ((unsigned char)s[n - 1 - cont] & 0xc0) == 0x80) cont++;
    if (cont == n) return;
    unsigned char lead = (unsigned char)s[n - 1 - cont];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (cont + 1 < need) s[n - 1 - cont] = '\0';
}

/* Makes s valid UTF-8 for the answer: drops a cut sequence at the end and
 * replaces each byte of any other broken sequence with '?'. Such bytes come
 * from quoted input, e.g. jansson's "invalid escape near '\<first byte of
 * a two-byte character>'". Control characters are left alone: JSON output
 * escapes them. */
static void make_utf8(char *s)
{
    trim_cut_utf8(s);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (len && i + len <= n && text_utf8_valid(s + i, len)) {
            i += len;
        } else {
            s[i++] = '?';
        }
    }
}

void errors_init(struct errors *e)
{
    e->n = 0;
    e->dropped = 0;
    e->message[0] = '\0';
}

static void add(struct errors *e, long long line, int column, const char *field, const char *fmt, va_list ap)
{
    if (e->n >= ERRORS_MAX) {
        e->dropped++;
        return;
    }
    snprintf(e->item[e->n].field, sizeof e->item[e->n].field, "%s", field ? field : "");
    make_utf8(e->item[e->n].field);
    vsnprintf(e->item[e->n].problem, sizeof e->item[e->n].problem, fmt, ap);
    make_utf8(e->item[e->n].problem);
    e->item[e->n].line = line;
    e->item[e->n].column = column;
    e->n++;
}

void errors_add(struct errors *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(e, 0, 0, field, fmt, ap);
    va_end(ap);
}

void errors_add_at(struct errors *e, long long line, int column, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(e, line, column, field, fmt, ap);
    va_end(ap);
}

void errors_set_message(struct errors *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    make_utf8(e->message);
}

int errors_check_text(struct errors *e, const char *field, const char *s, size_t max_chars, int required)
{
    if (!s || !*s) {
        if (required) errors_add(e, field, "is required");
        return !required;
    }
    if (!text_utf8_valid(s, strlen(s))) errors_add(e, field, "must be valid UTF-8 text");
    else if (text_utf8_len(s) > max_chars) errors_add(e, field, "is longer than %zu characters", max_chars);
    else return 1;
    return 0;
}
