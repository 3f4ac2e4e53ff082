/* clienteling_internal.h — what the clienteling files share and nobody
 * else needs. */
#ifndef TD_CLIENTELING_INTERNAL_H
#define TD_CLIENTELING_INTERNAL_H
#include <stddef.h>
#include <string.h>
#include "core/status.h"
#include "core/text.h"
#include "db/db.h"

/* Copies src (NULL: "") into dst of size n, cutting what does not fit at a
 * character boundary of UTF-8. */
static inline void cl__copy(char *dst, size_t n, const char *src)
{
    text_copy_cut(dst, n, src);
}

/* One step of a loop over rows (db_next). */
static inline int cl__step(struct db_stmt *st, int *rc)
{
    return db_next(st, rc);
}

#endif
