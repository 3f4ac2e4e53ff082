/* reasons.c — the table of reasons.def and its rendering (see reasons.h).
 *
 * A template is copied to the output with each {n} replaced by its
 * argument; a phrase argument is rendered in turn with the arguments after
 * it. Output is bounded by the buffer: a sentence is cut, never overrun,
 * and a cut never splits a UTF-8 character.
 */
#include "domain/reasons.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct reason_row ROWS[REASON_CODE_COUNT] = {
#define REASON(id, code, args, nl, en) [REASON_##id] = {code, args, nl, en},
#define PHRASE(id, nl, en) [PHRASE_##id] = {NULL, "", nl, en},
#include "domain/reasons.def"
#undef REASON
#undef PHRASE
};

/* The item prefix takes its number as the phrase's one argument. */
#define ITEM_ROOM 24

const struct reason_row *reason_row(enum reason_code code)
{
    return code >= 0 && code < REASON_CODE_COUNT ? &ROWS[code] : NULL;
}

const char *reason_code_name(enum reason_code code)
{
    const struct reason_row *row = reason_row(code);
    return row ? row->name : NULL;
}

void reason_set(struct reason *r, enum reason_code code, ...)
{
    memset(r, 0, sizeof *r);
    r->code = code;
    const struct reason_row *row = reason_row(code);
    va_list ap;
    va_start(ap, code);
    for (size_t i = 0; row && row->args[i] && i < REASON_ARGS_MAX; i++) {
        struct reason_arg *a = &r->args[i];
        switch (row->args[i]) {
        case 'i':
        case 'p': a->n = va_arg(ap, int); break;
        case 'c': a->n = va_arg(ap, int64_t); break;
        case 't': {
            const char *s = va_arg(ap, const char *);
            snprintf(a->text, sizeof a->text, "%s", s ? s : "");
            break;
        }
        default: break;
        }
    }
    va_end(ap);
}

void reason_money(int64_t cents, enum reason_lang lang, char *out, size_t n)
{
    long long whole = (long long)(cents / 100), frac = (long long)(cents % 100);
    char digits[24], grouped[32];
    char sep = lang == REASON_NL ? '.' : ',';
    int len = snprintf(digits, sizeof digits, "%lld", whole);
    size_t d = len > 0 ? (size_t)len : 0, o = 0;
    for (size_t i = 0; i < d; i++) {
        if (i > 0 && (d - i) % 3 == 0) grouped[o++] = sep;
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    if (lang == REASON_NL) snprintf(out, n, "€ %s,%02lld", grouped, frac);
    else snprintf(out, n, "€%s.%02lld", grouped, frac);
}

/* A bounded string being written; full once one byte is left for NUL. */
struct out {
    char *s;
    size_t n, len;
};

static void put(struct out *o, const char *s, size_t n)
{
    while (n > 0 && o->len + 1 < o->n) {
        o->s[o->len++] = *s++;
        n--;
    }
    if (n > 0) {                /* cut: drop a partly written UTF-8 character */
        while (o->len > 0 && ((unsigned char)o->s[o->len - 1] & 0xC0) == 0x80) o->len--;
        if (o->len > 0 && ((unsigned char)o->s[o->len - 1] & 0xC0) == 0xC0) o->len--;
    }
    o->s[o->len] = '\0';
}

static void render(struct out *o, const char *tpl, const char *kinds, const struct reason_arg *args, enum reason_lang lang)
{
    size_t nargs = strlen(kinds);
    for (const char *p = tpl; *p;) {
        const char *q = strchr(p, '{');
        if (!q || q[1] < '1' || q[1] > '9' || q[2] != '}') {
            size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
            put(o, p, n);
            p += n;
            continue;
        }
        put(o, p, (size_t)(q - p));
        p = q + 3;
        size_t k = (size_t)(q[1] - '1');
        if (k >= nargs) continue;
        char buf[48];
        switch (kinds[k]) {
        case 'i':
            snprintf(buf, sizeof buf, "%lld", (long long)args[k].n);
            put(o, buf, strlen(buf));
            break;
        case 'c':
            reason_money(args[k].n, lang, buf, sizeof buf);
            put(o, buf, strlen(buf));
            break;
        case 't': put(o, args[k].text, strlen(args[k].text)); break;
        case 'p': {
            const struct reason_row *row = reason_row((enum reason_code)args[k].n);
            if (row && !row->name) render(o, lang == REASON_NL ? row->nl : row->en, kinds + k + 1, args + k + 1, lang);
            break;
        }
        default: break;
        }
    }
}

char *reason_render(const struct reason *r, enum reason_lang lang, char out[REASON_TEXT_SZ])
{
    struct out o = {out, REASON_TEXT_SZ, 0};
    out[0] = '\0';
    const struct reason_row *row = reason_row(r->code);
    if (!row) return out;
    if (r->item > 0) {
        struct reason_arg item = {.n = r->item % 100};
        const struct reason_row *ir = &ROWS[PHRASE_ITEM];
        render(&o, lang == REASON_NL ? ir->nl : ir->en, "i", &item, lang);
    }
    /* The sentence keeps to what it always had beside the item's prefix. */
    char sentence[REASON_TEXT_SZ - ITEM_ROOM];
    struct out s = {sentence, sizeof sentence, 0};
    sentence[0] = '\0';
    render(&s, lang == REASON_NL ? row->nl : row->en, row->args, r->args, lang);
    put(&o, sentence, s.len);
    return out;
}

json_t *reason_list_json(const struct reason *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char nl[REASON_TEXT_SZ], en[REASON_TEXT_SZ];
        const char *code = reason_code_name(r[i].code);
        json_array_append_new(a, json_pack("{s:s?,s:s,s:s}", "code", code, "nl", reason_render(&r[i], REASON_NL, nl),
                                           "en", reason_render(&r[i], REASON_EN, en)));
    }
    return a;
}
