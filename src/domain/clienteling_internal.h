/* clienteling_internal.h — what the clienteling files share and nobody
 * else needs. */
#ifndef TD_CLIENTELING_INTERNAL_H
#define TD_CLIENTELING_INTERNAL_H
#include <stddef.h>
#include <string.h>
#include "core/status.h"
#include "db/db.h"

/* Copies src (NULL: "") into dst of size n, cutting what does not fit at a
 * character boundary of UTF-8. */
static inline void cl__copy(char *dst, size_t n, const char *src)
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

/* One step of a loop over rows: steps while *rc is TD_OK (the body went
 * well) or TD_ROW (the body changes nothing), and says whether a row is
 * ready. The loop ends with *rc TD_DONE, or the body's or the step's error;
 * db_end(st, rc) then makes TD_DONE (or a loop left early) TD_OK. */
static inline int cl__step(struct db_stmt *st, int *rc)
{
    if (*rc != TD_OK && *rc != TD_ROW)
        return 0;
    *rc = db_step(st);
    return *rc == TD_ROW;
}

#endif
