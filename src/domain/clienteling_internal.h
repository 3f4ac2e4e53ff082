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
