/* text.c — UTF-8 validation, accent folding (and redaction by folded
 * needles), phone, e-mail and money parsing. */
#include "core/text.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int text_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t') return 0;
            if (c == 0x7f) return 0;
            i++;
            continue;
        }
        int extra;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) { extra = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { extra = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { extra = 3; cp = c & 0x07; }
        else return 0;
        if (i + (size_t)extra >= n) return 0;
        for (int k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += (size_t)extra + 1;
    }
    return 1;
}

void text_copy_cut(char *dst, size_t n, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

size_t text_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) n++;
    return n;
}

/* Folding of U+00C0..U+017F to ASCII; 0 means "keep the character". Two-letter
 * folds (ß -> ss, æ -> ae, œ -> oe, ĳ -> ij) are handled in fold_class(). */
static const char latin1[] =          /* U+00C0 .. U+00FF; 'E' marks the ae ligature */
    "aaaaaa" "E" "c" "eeee" "iiii" "d" "n" "ooooo" "*" "o" "uuuu" "y" "t" "s"
    "aaaaaa" "E" "c" "eeee" "iiii" "d" "n" "ooooo" "/" "o" "uuuu" "y" "t" "y";
static const char latin_ext_a[] =     /* U+0100 .. U+017F */
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "ii" "jj" "kkk"
    "llllllllll" "nnnnnnnnn" "oooooo" "oo" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww"
    "yyy" "zzzzzz" "s";
_Static_assert(sizeof latin1 == 64 + 1, "latin1 fold table covers U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a == 128 + 1, "latin ext-a fold table covers U+0100..U+017F");

/* What one code point folds to: letters and digits (emit[0..*emit_len)),
 * a word break, or nothing at all (combining accents and invisible marks,
 * inside a word). tmp holds a one-letter fold. */
enum fold_kind { FOLD_EMIT, FOLD_BREAK, FOLD_SKIP };

static enum fold_kind fold_class(unsigned cp, const char *raw, size_t rawlen, char tmp[2], const char **emit,
                                 size_t *emit_len)
{
    tmp[0] = tmp[1] = '\0';
    *emit = tmp;
    *emit_len = 1;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) tmp[0] = (char)cp;
        else if (cp >= 'A' && cp <= 'Z') tmp[0] = (char)(cp - 'A' + 'a');
        return tmp[0] ? FOLD_EMIT : FOLD_BREAK;
    }
    *emit_len = 2;
    if (cp == 0xc6 || cp == 0xe6) { *emit = "ae"; return FOLD_EMIT; }
    if (cp == 0xdf) { *emit = "ss"; return FOLD_EMIT; }
    if (cp == 0x152 || cp == 0x153) { *emit = "oe"; return FOLD_EMIT; }
    if (cp == 0x132 || cp == 0x133) { *emit = "ij"; return FOLD_EMIT; }
    *emit_len = 1;
    if (cp >= 0xc0 && cp <= 0xff) {
        char c = latin1[cp - 0xc0];
        if (c >= 'a' && c <= 'z') { tmp[0] = c; return FOLD_EMIT; }
        if (c == 'E') { *emit = "ae"; *emit_len = 2; return FOLD_EMIT; }
        return FOLD_BREAK;
    }
    if (cp >= 0x100 && cp <= 0x17f) {
        tmp[0] = latin_ext_a[cp - 0x100];
        return FOLD_EMIT;
    }
    if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff)
        return FOLD_SKIP;   /* combining accents ("e" + U+0301), invisible format marks: the word goes on */
    if ((cp >= 0x2000 && cp <= 0x206f) || cp == 0xa0) return FOLD_BREAK;   /* General Punctuation, nbsp */
    if (cp >= 0x80 && cp < 0xc0) return FOLD_BREAK;                         /* Latin-1 punctuation, symbols */
    *emit = raw;    /* other scripts: kept as written */
    *emit_len = rawlen;
    return FOLD_EMIT;
}

/* Decodes the code point at s into *cp and returns its length in bytes
 * (lenient: a sequence cut short by the end counts as what is there). */
static size_t next_cp(const unsigned char *s, unsigned *cp)
{
    unsigned c = *s;
    size_t n = 1;
    if (c >= 0xf0) { n = 4; c &= 0x07; }
    else if (c >= 0xe0) { n = 3; c &= 0x0f; }
    else if (c >= 0xc0) { n = 2; c &= 0x1f; }
    for (size_t k = 1; k < n; k++) {
        if (!s[k]) { n = k; break; }
        c = (c << 6) | (s[k] & 0x3f);
    }
    *cp = c;
    return n;
}

int text_fold(const char *str, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)str;
    int in_word = 1, rc = TD_OK;   /* 1: no space before the first word */
    size_t start_len = out->len;
    while (*s && rc == TD_OK) {
        unsigned cp;
        size_t n = next_cp(s, &cp);
        char tmp[2];
        const char *emit;
        size_t emit_len;
        enum fold_kind k = fold_class(cp, (const char *)s, n, tmp, &emit, &emit_len);
        if (k == FOLD_EMIT) {
            if (!in_word && out->len > start_len) rc = buf_putc(out, ' ');
            if (rc == TD_OK) rc = buf_append(out, emit, emit_len);
            in_word = 1;
        } else if (k == FOLD_BREAK) {
            in_word = 0;
        }
        s += n;
    }
    return rc;
}

int text_compact(const char *s, struct buf *out)
{
    struct buf f;
    buf_init(&f, out->limit);
    int rc = text_fold(s, &f);
    for (const char *p = f.data; rc == TD_OK && p && *p; p++)
        if (*p != ' ') rc = buf_putc(out, *p);
    buf_free(&f);
    return rc;
}

/* The folded letters of a text, each with the bytes of the text it came
 * from and whether a word starts there. */
struct folded {
    char *ch;
    size_t *from, *to;
    unsigned char *word_start;
    size_t n;
};

static int fold_positions(const char *str, struct folded *f)
{
    size_t len = strlen(str);
    memset(f, 0, sizeof *f);
    /* Every byte folds to at most one letter (two-letter folds come from
     * two-byte characters), so len + 1 slots are enough. */
    f->ch = malloc(len + 1);
    f->from = malloc((len + 1) * sizeof *f->from);
    f->to = malloc((len + 1) * sizeof *f->to);
    f->word_start = malloc(len + 1);
    if (!f->ch || !f->from || !f->to || !f->word_start) return TD_E_NOMEM;
    const unsigned char *s = (const unsigned char *)str;
    int brk = 1;
    size_t at = 0;
    while (s[at]) {
        unsigned cp;
        size_t n = next_cp(s + at, &cp);
        char tmp[2];
        const char *emit;
        size_t emit_len;
        enum fold_kind k = fold_class(cp, (const char *)s + at, n, tmp, &emit, &emit_len);
        if (k == FOLD_EMIT) {
            for (size_t i = 0; i < emit_len && f->n < len + 1; i++) {
                f->ch[f->n] = emit[i];
                f->from[f->n] = at;
                f->to[f->n] = at + n;
                f->word_start[f->n] = brk && i == 0;
                f->n++;
            }
            brk = 0;
        } else if (k == FOLD_BREAK) {
            brk = 1;
        } else if (f->n > 0 && !brk) {
            f->to[f->n - 1] = at + n;   /* an accent belongs to the letter before it */
        }
        at += n;
    }
    return TD_OK;
}

static void folded_free(struct folded *f)
{
    free(f->ch);
    free(f->from);
    free(f->to);
    free(f->word_start);
}

int text_redact(const char *s, const char *const *needles, size_t n_needles, const char *mark, struct buf *out,
                int *changed)
{
    struct folded f;
    *changed = 0;
    buf_reset(out);
    int rc = fold_positions(s, &f);
    size_t copied = 0;   /* bytes of s already in out */
    for (size_t i = 0; rc == TD_OK && i < f.n; i++) {
        if (!f.word_start[i]) continue;
        size_t best = 0;
        for (size_t k = 0; k < n_needles; k++) {
            size_t len = strlen(needles[k]);
            if (len == 0 || len <= best || i + len > f.n || memcmp(f.ch + i, needles[k], len) != 0) continue;
            if (i + len < f.n && !f.word_start[i + len]) continue;   /* ends inside a word */
            best = len;
        }
        if (!best) continue;
        rc = buf_append(out, s + copied, f.from[i] - copied);
        if (rc == TD_OK) rc = buf_puts(out, mark);
        copied = f.to[i + best - 1];
        i += best - 1;
        *changed = 1;
    }
    if (rc == TD_OK) rc = buf_puts(out, s + copied);
    folded_free(&f);
    return rc;
}

int text_phone_normalize(const char *s, char out[20])
{
    char d[32];
    size_t n = 0;
    int plus = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n >= 20) return TD_E_INVALID;
            d[n++] = *p;
        } else if (*p == '+' && n == 0 && !plus) {
            plus = 1;
        } else if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')' || *p == '/') {
            continue;
        } else {
            return TD_E_INVALID;
        }
    }
    d[n] = '\0';
    const char *intl = NULL;  /* digits after the country code marker */
    if (plus) intl = d;
    else if (n > 2 && d[0] == '0' && d[1] == '0') intl = d + 2;
    if (intl) {
        if (strncmp(intl, "31", 2) == 0) {
            /* +31 (0)6 ...: drop the country code and a stray trunk zero.
             * A second zero is no Dutch number: "+31 (0)0..." would become
             * "00...", which reads as another country's number. */
            const char *rest = intl + 2;
            if (*rest == '0') rest++;
            if (*rest == '0') return TD_E_INVALID;
            if (strlen(rest) + 1 < 6 || strlen(rest) + 1 > 15) return TD_E_INVALID;
            out[0] = '0';
            memcpy(out + 1, rest, strlen(rest) + 1);
            return TD_OK;
        }
        size_t m = strlen(intl);
        if (m < 6 || m > 15) return TD_E_INVALID;
        out[0] = '0';
        out[1] = '0';
        memcpy(out + 2, intl, m + 1);
        return TD_OK;
    }
    if (n < 6 || n > 15) return TD_E_INVALID;
    memcpy(out, d, n + 1);
    return TD_OK;
}

int text_email_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 254) return 0;
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) return 0;
    const char *dom = at + 1;
    const char *dot = strrchr(dom, '.');
    if (!dot || dot == dom || dot[1] == '\0') return 0;
    if (dom[0] == '.' || strstr(dom, "..")) return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"')
            return 0;
    }
    return 1;
}

int text_mailbox(const char *s, char out[255])
{
    out[0] = '\0';
    if (!text_email_valid(s)) return TD_E_INVALID;
    const char *at = strchr(s, '@');
    size_t k = 0;
    for (const char *p = s; p < at && *p != '+'; p++) {
        char ch = *p;
        if (ch == '.') continue;
        out[k++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    if (k == 0) return TD_E_INVALID;
    const char *dom = at + 1;
    if (strcasecmp(dom, "googlemail.com") == 0) dom = "gmail.com";
    out[k++] = '@';
    for (const char *p = dom; *p && k + 1 < 255; p++) out[k++] = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
    out[k] = '\0';
    return TD_OK;
}

int text_id_reference(const char *s, char out[21])
{
    size_t k = 0;
    int letters = 0;
    out[0] = '\0';
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (ch == ' ' || ch == '-' || ch == '.' || ch == '/') continue;
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) || k == 20) {
            out[0] = '\0';
            return TD_E_INVALID;
        }
        letters += ch >= 'A' && ch <= 'Z';
        out[k++] = ch;
    }
    out[k] = '\0';
    if (k < 5 || !letters) {
        out[0] = '\0';
        return TD_E_INVALID;
    }
    return TD_OK;
}

int text_parse_int64(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    if (!*p) return TD_E_INVALID;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return TD_E_INVALID;
        int dgt = *p - '0';
        if (v > (INT64_MAX - dgt) / 10) return TD_E_INVALID;
        v = v * 10 + dgt;
    }
    *out = neg ? -v : v;
    return TD_OK;
}

int text_parse_cents(const char *s, int64_t *out)
{
    /* Find the decimal separator: the last ',' or '.' followed by 1-2 digits
     * and nothing else. Any other ',' or '.' must be a thousands separator
     * before a group of exactly three digits. A lone separator before three
     * digits ("1.234", "12,345") is refused: it is a thousands separator to
     * one reader and three decimals to another, and taking a per-litre price
     * "1,899" for 1899 euros is a silent factor-1000 error. */
    size_t n = strlen(s);
    if (n == 0 || n > 32) return TD_E_INVALID;
    const char *p = s;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    const char *dec = NULL;
    const char *last_sep = NULL;
    for (const char *q = p; *q; q++)
        if (*q == ',' || *q == '.') last_sep = q;
    if (last_sep) {
        size_t tail = strlen(last_sep + 1);
        if (tail == 1 || tail == 2) dec = last_sep;
        else if (tail != 3) return TD_E_INVALID;
    }
    int64_t units = 0, cents = 0;
    int ndig = 0, group = -1, nthousands = 0;
    char thousands = 0;
    const char *q = p;
    for (; *q && q != dec; q++) {
        if (*q >= '0' && *q <= '9') {
            if (units > (INT64_MAX / 100 - 9) / 10) return TD_E_INVALID;
            units = units * 10 + (*q - '0');
            ndig++;
            if (group >= 0) group++;
        } else if (*q == ',' || *q == '.') {
            if (thousands && *q != thousands) return TD_E_INVALID;
            if (group >= 0 && group != 3) return TD_E_INVALID;
            if (group < 0 && (ndig == 0 || ndig > 3)) return TD_E_INVALID;
            thousands = *q;
            nthousands++;
            group = 0;
        } else {
            return TD_E_INVALID;
        }
    }
    if (ndig == 0) return TD_E_INVALID;
    if (group >= 0 && group != 3) return TD_E_INVALID;
    if (thousands && !dec && nthousands == 1) return TD_E_INVALID;  /* ambiguous, see above */
    if (thousands && *p == '0') return TD_E_INVALID;                /* "0.001" is not grouping */
    if (dec) {
        if (thousands && *dec == thousands) return TD_E_INVALID;
        const char *f = dec + 1;
        int nf = 0;
        for (; *f; f++, nf++) {
            if (*f < '0' || *f > '9') return TD_E_INVALID;
            cents = cents * 10 + (*f - '0');
        }
        if (nf == 1) cents *= 10;
    }
    int64_t v = units * 100 + cents;
    *out = neg ? -v : v;
    return TD_OK;
}

void text_prefix_upper(const char *prefix, char *out, size_t n)
{
    size_t len = strlen(prefix);
    if (len + 5 > n) len = n - 5;
    memcpy(out, prefix, len);
    memcpy(out + len, "\xf4\x8f\xbf\xbf", 5);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int text_form_value(const char *body, size_t len, const char *name, char *out, size_t n)
{
    size_t name_len = strlen(name);
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && body[end] != '&') end++;
        if (end - at > name_len && memcmp(body + at, name, name_len) == 0 && body[at + name_len] == '=') {
            size_t k = 0;
            for (size_t i = at + name_len + 1; i < end; i++) {
                int ch = (unsigned char)body[i];
                if (ch == '+') ch = ' ';
                else if (ch == '%') {
                    int hi = i + 2 < end ? hex_digit(body[i + 1]) : -1, lo = hi >= 0 ? hex_digit(body[i + 2]) : -1;
                    if (lo < 0) return TD_E_INVALID;
                    ch = hi * 16 + lo;
                    i += 2;
                }
                if (ch == '\r') continue;                 /* a line break is a space: text is one line */
                if (ch == '\n') ch = ' ';
                if (ch == 0 || k + 1 >= n) return TD_E_INVALID;
                out[k++] = (char)ch;
            }
            out[k] = '\0';
            return text_utf8_valid(out, k) ? TD_OK : TD_E_INVALID;
        }
        at = end + 1;
    }
    return TD_E_NOT_FOUND;
}
