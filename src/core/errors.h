/* errors.h — the field-level details of a refusal.
 *
 * Domain code validates plain C structs and records each problem as
 * (field, problem); the API layer turns the list into
 * {"error":{"details":[{"field":...,"problem":...}]}}. Strings are copied.
 * A problem in a file (CSV imports) also carries its line and column number,
 * which the API adds as "line" and "column" keys.
 */
#ifndef TD_ERRORS_H
#define TD_ERRORS_H
#include <stddef.h>

#define ERRORS_MAX 50

struct errors {
    size_t n;
    size_t dropped;                 /* problems beyond ERRORS_MAX */
    char message[160];              /* optional overall message */
    struct {
        char field[96];
        char problem[160];
        long long line;             /* 1-based line of a file, 0 when not about a file */
        int column;                 /* 1-based column of a file, 0 when not about one column */
    } item[ERRORS_MAX];
};

void errors_init(struct errors *e);
/* Records one problem; field may be NULL for a problem with the whole body. */
void errors_add(struct errors *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records one problem at a place in a file: field names it for people
 * ("line 7: unit_price"), line and column (0: none) for programs. */
void errors_add_at(struct errors *e, long long line, int column, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void errors_set_message(struct errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The one check of a free-text field: absent or empty is "is required" when
 * required (else fine), then valid UTF-8, then at most max_chars characters
 * (not bytes). Returns 1 when the field passed, 0 when a problem was added. */
int errors_check_text(struct errors *e, const char *field, const char *s, size_t max_chars, int required);

#endif
