/* errors.h — the field-level details of a refusal.
 *
 * Domain code validates plain C structs and records each problem as
 * (field, problem); the API layer turns the list into
 * {"error":{"details":[{"field":...,"problem":...}]}}. Strings are copied.
 */
#ifndef TD_ERRORS_H
#define TD_ERRORS_H
#include <stddef.h>

#define ERRORS_MAX 50

struct errors {
    size_t n;
    size_t dropped;                 /* problems beyond ERRORS_MAX */
    char message[160];              /* optional overall message */
    struct { char field[96]; char problem[160]; } item[ERRORS_MAX];
};

void errors_init(struct errors *e);
/* Records one problem; field may be NULL for a problem with the whole body. */
void errors_add(struct errors *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void errors_set_message(struct errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
