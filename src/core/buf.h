/* buf.h — a growable byte buffer with a hard cap (curl's dynbuf with "toobig").
 *
 * Invariant: len < cap_alloc and data[len] == '\0' whenever data != NULL, so
 * the contents can be used as a C string. Appending past `limit` fails with
 * TD_E_TOO_LARGE and leaves the buffer unchanged.
 */
#ifndef TD_BUF_H
#define TD_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include "core/status.h"

struct buf {
    char *data;     /* owned; NULL until the first append */
    size_t len;
    size_t alloc;
    size_t limit;   /* most bytes the buffer may hold */
};

void buf_init(struct buf *b, size_t limit);
void buf_free(struct buf *b);               /* frees data; the buf may be reused after buf_init */
void buf_reset(struct buf *b);              /* len = 0, keeps memory */
int buf_append(struct buf *b, const void *p, size_t n) TD_MUST_CHECK;
int buf_puts(struct buf *b, const char *s) TD_MUST_CHECK;
int buf_putc(struct buf *b, char c) TD_MUST_CHECK;
int buf_printf(struct buf *b, const char *fmt, ...) TD_MUST_CHECK __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) TD_MUST_CHECK;
/* Appends s (NULL appends nothing) with every byte found in `chars`
 * replaced by the string at the same index of `with` (HTML entities, COPY
 * escapes). */
int buf_put_escaped(struct buf *b, const char *s, const char *chars, const char *const *with) TD_MUST_CHECK;
/* Hands the contents to the caller (free() them) and empties the buffer.
 * Returns an empty allocated string when nothing was appended, NULL on OOM. */
char *buf_steal(struct buf *b);

#endif
