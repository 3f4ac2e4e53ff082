/* text.h — UTF-8 text helpers for search and validation.
 *
 * Folding makes search case- and accent-insensitive: "José Müller-van 't Hek"
 * folds to "jose muller van t hek" (letters of Latin-1 and Latin Extended-A
 * lose their diacritics and case; every other non-alphanumeric ASCII byte
 * becomes a word break). Combining accents U+0300..U+036F are dropped, so
 * decomposed input folds like composed input; the punctuation of Latin-1 and
 * of General Punctuation (U+2000..U+206F: dashes, typographic quotes, spaces)
 * breaks words. Characters outside those blocks are kept as they are.
 *
 * The same folding finds known words in free text to redact them (an erased
 * customer's name, e-mail, phone as staff typed them): text_redact().
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
/* Copies src (NULL: "") into dst of size n > 0, cutting what does not fit
 * at a character boundary of UTF-8. */
void text_copy_cut(char *dst, size_t n, const char *src);
/* Appends the folded form of s to out: words separated by one space, no
 * leading or trailing space. */
int text_fold(const char *s, struct buf *out) TD_MUST_CHECK;
/* Appends the folded form of s without its word breaks:
 * "Xandrijn Quartéroni" gives "xandrijnquarteroni", "06-1234 5678" gives
 * "0612345678". This is the form text_redact() looks for. */
int text_compact(const char *s, struct buf *out) TD_MUST_CHECK;
/* Writes s into out (reset first) with every match of a needle replaced by
 * mark. A needle is a text_compact() form; it matches where the folded text,
 * its word breaks left out, spells it from the start of a word to the end of
 * a word: "xandrijnquarteroni" matches "Xandrijn Quartéroni", "XANDRIJN
 * quarteroni" and "xandrijn.quarteroni", never "Xandrijnx". The word breaks
 * inside a match go with it. At each place the longest needle wins.
 * *changed = 1 when anything was replaced. */
int text_redact(const char *s, const char *const *needles, size_t n_needles, const char *mark, struct buf *out,
                int *changed /* OUT */) TD_MUST_CHECK;
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
/* The mailbox an e-mail address delivers to, as one person would reuse it
 * across accounts: lower case, the local part without its "+tag" and
 * without dots, googlemail.com read as gmail.com. "Jan.Smit+winkel@Gmail.com"
 * gives "jansmit@gmail.com". TD_E_INVALID for what text_email_valid()
 * refuses, or a local part that is empty without them. out holds 255 bytes. */
int text_mailbox(const char *s, char out[255] /* OUT */) TD_MUST_CHECK;
/* An identity document's number as the desk may note it: letters and digits
 * only, upper case ("nl-ab12 cd34" gives "NLAB12CD34"), 5 to 20 of them and
 * at least one letter, so that a citizen service number (nine digits) is
 * never taken for one. TD_E_INVALID otherwise. out holds 21 bytes. */
int text_id_reference(const char *s, char out[21] /* OUT */) TD_MUST_CHECK;
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

/* The value of field `name` in an application/x-www-form-urlencoded body
 * (len bytes, not NUL-terminated), decoded ('+' a space, %XX a byte, a line
 * break a space: texts are one line) into
 * out (n bytes, NUL-terminated). TD_OK; TD_E_NOT_FOUND when the body has no
 * such field; TD_E_INVALID for a broken %-escape, a NUL, or a value that
 * does not fit or is not UTF-8. The first of repeated fields counts. */
int text_form_value(const char *body, size_t len, const char *name, char *out, size_t n) TD_MUST_CHECK;

#endif
