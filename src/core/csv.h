/* csv.h — a streaming CSV tokenizer: bytes in, records out.
 *
 * Pure: no I/O and no allocation after csv_new(). Feed the input in pieces of
 * any size; for every record the callback gets the record's fields and the
 * line numbers a text editor shows (the first line is 1; LF, CRLF and a lone
 * CR each end a line, also inside quotes).
 *
 * What it accepts (RFC 4180 and what spreadsheets and tills write):
 *  - a UTF-8 byte order mark at the very start is skipped;
 *  - the separator is given, or detected from the first line: ';' when it
 *    occurs more often than ',' outside quotes, else ',';
 *  - a field in double quotes may hold separators, line breaks and quotes
 *    written twice (""); a record ends with LF, CRLF or CR;
 *  - a '"' inside a field that does not start with one (Monitor 24") is
 *    taken literally, as Excel and LibreOffice read it; the field is
 *    flagged literal_quote so that the caller can warn;
 *  - empty lines are not records; they are skipped (but counted as lines).
 * Bytes pass through unjudged: checking the encoding is the caller's work.
 *
 * Bounds: a field keeps at most max_field bytes (the rest is dropped and the
 * field flagged too_long); a record keeps at most max_fields fields (further
 * fields are only counted and the record flagged CSV_E_TOO_MANY_FIELDS).
 * Memory: max_fields * (max_field + 1) bytes for the record, plus the first
 * line (at most CSV_HEAD_MAX bytes) while the separator is detected.
 *
 *   csv_new -> csv_feed* -> csv_finish -> csv_free
 */
#ifndef TD_CSV_H
#define TD_CSV_H
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

#define CSV_HEAD_MAX 65536   /* most bytes looked at to detect the separator */

/* What can be wrong with a record's syntax (the first problem is kept). */
enum csv_error {
    CSV_E_NONE = 0,
    CSV_E_AFTER_QUOTE = 2,   /* text between a closing quote and the separator (1 is no longer used) */
    CSV_E_UNCLOSED,          /* the input ended inside a quoted field */
    CSV_E_TOO_MANY_FIELDS,   /* more than max_fields fields */
};

struct csv_field {
    char *data;              /* the field's bytes, NUL-terminated; the callback may change them in place */
    size_t len;
    int64_t line;            /* the line the field starts on */
    int quoted;
    int too_long;            /* more than max_field bytes; data holds the first max_field */
    int literal_quote;       /* a '"' inside this unquoted field was taken as it is */
};

struct csv_record {
    struct csv_field *field; /* n fields, valid until the callback returns */
    size_t n;
    size_t n_total;          /* fields in the input (> n when CSV_E_TOO_MANY_FIELDS) */
    int64_t line;            /* the line the record starts on */
    int64_t index;           /* 0 for the first record (a header), 1 for the next ... */
    int error;               /* enum csv_error */
    int64_t error_line;      /* where the error is, when error != CSV_E_NONE */
};

/* Called once per record; a status other than TD_OK stops csv_feed or
 * csv_finish, which return it (feed nothing more after that). */
typedef int (*csv_record_fn)(void *arg, struct csv_record *rec);

struct csv;

/* sep: ',' or ';' (or any byte but '"', CR and LF), or 0 to detect it from the
 * first line. The caller frees the tokenizer with csv_free(). */
int csv_new(char sep, size_t max_field, size_t max_fields, struct csv **out /* OUT */) TD_MUST_CHECK;
void csv_free(struct csv *p);                        /* accepts NULL */
int csv_feed(struct csv *p, const char *data, size_t len, csv_record_fn fn, void *arg) TD_MUST_CHECK;
/* Ends the input: emits the last record when it has no line break. */
int csv_finish(struct csv *p, csv_record_fn fn, void *arg) TD_MUST_CHECK;

/* The separator in use (0 until the first line was seen), whether a byte
 * order mark was skipped, and the number of lines seen so far. */
char csv_separator(const struct csv *p);
int csv_had_bom(const struct csv *p);
int64_t csv_lines(const struct csv *p);
/* An English description of an enum csv_error ("a quoted field is not closed"). */
const char *csv_error_text(int error);

#endif
