/* buf.c — bounded growable buffer (see buf.h for the invariant). */
#include "core/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->limit = limit;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static int grow(struct buf *b, size_t need)
{
    if (need > b->limit) return TD_E_TOO_LARGE;
    if (need >= SIZE_MAX / 2) return TD_E_NOMEM;   /* no such allocation succeeds; keeps n *= 2 from wrapping */
    if (need + 1 <= b->alloc) return TD_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need + 1) n *= 2;
    /* Written as n - 1 > limit so that limit == SIZE_MAX ("no limit")
     * cannot wrap limit + 1 round to 0. */
    if (n - 1 > b->limit) n = b->limit + 1;
    char *p = realloc(b->data, n);
    if (!p) return TD_E_NOMEM;
    b->data = p;
    b->alloc = n;
    return TD_OK;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    if (n > b->limit - b->len) return TD_E_TOO_LARGE;
    int rc = grow(b, b->len + n);
    if (rc != TD_OK) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TD_OK;
}

int buf_puts(struct buf *b, const char *s) { return buf_append(b, s, strlen(s)); }
int buf_putc(struct buf *b, char c) { return buf_append(b, &c, 1); }

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) return TD_E_INTERNAL;
    if ((size_t)n > b->limit - b->len) return TD_E_TOO_LARGE;
    int rc = grow(b, b->len + (size_t)n);
    if (rc != TD_OK) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return TD_OK;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_put_escaped(struct buf *b, const char *s, const char *chars, const char *const *with)
{
    int rc = TD_OK;
    for (; s && *s && rc == TD_OK; s++) {
        const char *hit = strchr(chars, *s);
        rc = hit ? buf_puts(b, with[hit - chars]) : buf_putc(b, *s);
    }
    return rc;
}

char *buf_steal(struct buf *b)
{
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
