/* errors.c — collecting field problems (see errors.h). */
#include "core/errors.h"
#include <stdarg.h>
#include <stdio.h>

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
    vsnprintf(e->item[e->n].problem, sizeof e->item[e->n].problem, fmt, ap);
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
}
