/* text.h — UTF-8 text helpers for search and validation.
 *
 * Folding makes search case- and accent-insensitive: "José Müller-van 't Hek"
 * folds to "jose muller van t hek" (letters of Latin-1 and Latin Extended-A
 * lose their diacritics and case; every other non-alphanumeric ASCII byte
 * becomes a word break). Combining accents U+0300..U+036F are dropped, so
 * decomposed input folds like composed input; the punctuation of Latin-1 and
 * of General Punctuation (U+2000..U+206F: dashes, typographic quotes, spaces)
 * breaks words. Characters outside those blocks are kept as they are.
 */
#ifndef TD_TEXT_H
#define TD_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "core/buf.h"
#include "core/status.h"

/* 1 when s[0..n) is valid UTF-8 without NUL bytes or C0 controls other than
 * tab. */
int text_utf8_valid(const char *s, size_t n);
/* Number of code points of valid UTF-8 s. */
size_t text_utf8_len(const char *s);
/* Appends the folded form of s to out: words separated by one space, no
 * leading or trailing space. */
int text_fold(const char *s, struct buf *out) TD_MUST_CHECK;
/* Normalises a phone number to digits in Dutch national form:
 * "+31 6 1234 5678", "0031612345678" and "06-12345678" all give
 * "0612345678". Other countries keep their "00"-prefixed international form.
 * Fails with TD_E_INVALID when s has letters, fewer than 6 or more than 15
 * digits, or a zero after "+31 (0)". A normalised number normalises to
 * itself. out must hold 20 bytes. */
int text_phone_normalize(const char *s, char out[20] /* OUT */) TD_MUST_CHECK;
/* A pragmatic e-mail check: one '@', a non-empty local part, a domain with a
 * dot, no spaces or control characters, at most 254 bytes. */
int text_email_valid(const char *s);
/* Parses a money amount written by a person or a POS: "12", "12.5", "12,50",
 * "1.234,56", "1,234.56", "1.234.567", "-3,00" are accepted; more than two
 * decimals, exponents, spaces, currency signs and overflow are not. One
 * separator before exactly three digits ("1.234", "12,345") is refused as
 * ambiguous (thousands or three decimals?). */
int text_parse_cents(const char *s, int64_t *out_cents /* OUT */) TD_MUST_CHECK;
/* Parses a decimal integer (optional '-'); the whole string must be digits. */
int text_parse_int64(const char *s, int64_t *out /* OUT */) TD_MUST_CHECK;
/* The smallest string greater than every string that starts with prefix,
 * for index range scans (prefix followed by U+10FFFF). out holds n+5 bytes. */
void text_prefix_upper(const char *prefix, char *out, size_t n);

#endif
