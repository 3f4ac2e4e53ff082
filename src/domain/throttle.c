/* throttle.c — failure back-off in the database (see throttle.h). */
#include "domain/throttle.h"
#include "db/db.h"


static int failures_of(struct dctx *c, const char *key, int64_t *n, int64_t *last)
{
    struct db_stmt *st = NULL;
    *n = 0;
    *last = 0;
    int rc = db_prepare(c->db, "SELECT failures, last_at FROM login_failures WHERE key = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, key)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        *n = db_col_int64(st, 0);
        *last = db_col_int64(st, 1);
    }
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

int throttle_wait(struct dctx *c, const char *key, int free_failures, int *wait_s)
{
    int64_t n, last;
    int rc = failures_of(c, key, &n, &last);
    *wait_s = 0;
    if (rc != TD_OK || n < free_failures) return rc;
    int64_t exp = n - free_failures;
    int64_t delay = exp >= 10 ? 900 : (1LL << exp);
    if (delay > 900) delay = 900;
    int64_t until = last + delay * 1000000;
    if (c->now_us < until) *wait_s = (int)((until - c->now_us + 999999) / 1000000);
    return TD_OK;
}

int throttle_fail(struct dctx *c, const char *key)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?)"
                               " ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1, last_at = excluded.last_at", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, key)) == TD_OK && (rc = db_bind_int64(st, 2, c->now_us)) == TD_OK) rc = db_step(st);
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

int throttle_clear(struct dctx *c, const char *key)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "DELETE FROM login_failures WHERE key = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, key)) == TD_OK) rc = db_step(st);
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

