/* idempotency.c — remembered answers (see idempotency.h). */
#include "domain/idempotency.h"
#include "db/db.h"
#include <string.h>

int idem_key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 200) return 0;
    for (const char *p = k; *p; p++)
        if (*p < 0x21 || *p > 0x7e) return 0;
    return 1;
}

int idem_lookup(struct dctx *c, const struct idem_key *k, int *found, int *status, struct buf *body)
{
    struct db_stmt *st = NULL;
    *found = 0;
    int rc = db_prepare(c->db, "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND idem_key = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, k->scope)) == TD_OK && (rc = db_bind_text(st, 2, k->key)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        if (strcmp(db_col_text(st, 0), k->hash) != 0) {
            rc = TD_E_INVALID;
        } else {
            buf_reset(body);
            rc = buf_puts(body, db_col_text(st, 2));
            *status = (int)db_col_int64(st, 1);
            *found = 1;
        }
    } else if (rc == TD_DONE) {
        rc = TD_OK;
    }
    db_done(st);
    return rc;
}

int idem_store(struct dctx *c, const struct idem_key *k, int status, const char *body)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response, created_at)"
                               " VALUES (?, ?, ?, ?, ?, ?)", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, k->scope)) == TD_OK && (rc = db_bind_text(st, 2, k->key)) == TD_OK &&
        (rc = db_bind_text(st, 3, k->hash)) == TD_OK && (rc = db_bind_int64(st, 4, status)) == TD_OK &&
        (rc = db_bind_text(st, 5, body ? body : "")) == TD_OK && (rc = db_bind_int64(st, 6, c->now_us)) == TD_OK)
        rc = db_step(st);
    db_done(st);
    if (rc == TD_E_CONFLICT) return TD_E_BUSY;
    return rc == TD_DONE ? TD_OK : rc;
}
