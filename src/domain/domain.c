/* domain.c — small pieces every domain module uses. */
#include "domain/domain.h"
#include "db/db.h"
#include <string.h>

int domain_audit(struct dctx *c, const char *action, const char *subject, const char *detail)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "INSERT INTO audit_log (at, staff_id, action, subject, detail, address) VALUES (?, ?, ?, ?, ?, ?)", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_int64(st, 1, c->now_us)) != TD_OK) goto out;
    if (c->actor.staff_id) rc = db_bind_int64(st, 2, c->actor.staff_id);
    else rc = db_bind_null(st, 2);
    if (rc != TD_OK) goto out;
    if ((rc = db_bind_text(st, 3, action)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 4, subject)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 5, detail)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 6, c->addr)) != TD_OK) goto out;
    rc = db_step(st);
    if (rc == TD_DONE) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

int domain_copy(char *dst, size_t n, const char *src)
{
    if (!src) src = "";
    size_t len = strlen(src);
    if (len >= n) return TD_E_INVALID;
    memcpy(dst, src, len + 1);
    return TD_OK;
}
