/* audit.c — checking the audit log's hash chain (see audit.h). */
#include "domain/audit.h"
#include "db/db.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void problem(struct audit_report *r, int64_t id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct audit_report *r, int64_t id, const char *fmt, ...)
{
    r->problems_total++;
    if (r->nproblems >= AUDIT_PROBLEMS_MAX) return;
    r->problem[r->nproblems].id = id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem[r->nproblems].text, sizeof r->problem[r->nproblems].text, fmt, ap);
    va_end(ap);
    r->nproblems++;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int walk(struct db *db, struct audit_report *r)
{
    struct db_stmt *st;
    int rc = db_query(db, "SELECT id, at, COALESCE(staff_id, 0), action, subject, detail, address, prev_hash, hash"
                          " FROM audit_log ORDER BY id", &st, "");
    char last[DOMAIN_AUDIT_HASH_SZ] = "";
    int64_t last_id = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        rc = TD_OK;
        int64_t id = db_col_int64(st, 0);
        const char *prev = db_col_text(st, 7), *hash = db_col_text(st, 8);
        r->rows++;
        if (!hash) {
            if (last[0]) problem(r, id, "row %lld has no hash inside the chain: it was inserted, or its hash removed",
                                 (long long)id);
            else r->unchained++;
            continue;
        }
        char want[DOMAIN_AUDIT_HASH_SZ];
        domain_audit_hash(prev, db_col_int64(st, 1), db_col_int64(st, 2), db_col_text(st, 3), db_col_text(st, 4),
                          db_col_text(st, 5), db_col_text(st, 6), want);
        if (!same(want, hash))
            problem(r, id, "row %lld was altered: its fields no longer give its hash", (long long)id);
        if (!last[0] && !same(prev, DOMAIN_AUDIT_GENESIS))
            problem(r, id, "row %lld is the first chained row but does not start the chain: rows before it were removed",
                    (long long)id);
        else if (last[0] && !same(prev, last))
            problem(r, id, "row %lld does not follow row %lld: a row between them was removed or inserted, or row %lld "
                    "was rewritten", (long long)id, (long long)last_id, (long long)last_id);
        r->chained++;
        snprintf(last, sizeof last, "%s", hash);
        last_id = id;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    int64_t head_rows = 0;
    char head[DOMAIN_AUDIT_HASH_SZ] = "";
    rc = db_get_row(db, "SELECT rows, hash FROM audit_head WHERE id = 1", &st, "");
    if (rc == TD_OK) {
        head_rows = db_col_int64(st, 0);
        snprintf(head, sizeof head, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
    }
    db_done(st);
    if (rc != TD_OK && rc != TD_E_NOT_FOUND) return rc;
    snprintf(r->head, sizeof r->head, "%s", head);
    if (head[0] && !same(head, DOMAIN_AUDIT_GENESIS) && !same(head, last))
        problem(r, last_id, "the newest rows were removed: the head names a hash that no row after row %lld has",
                (long long)last_id);
    else if (head_rows != r->chained)
        problem(r, last_id, "the chain has %lld rows but %lld were written", (long long)r->chained, (long long)head_rows);
    return TD_OK;
}

int audit_verify(struct db *db, struct audit_report *out)
{
    memset(out, 0, sizeof *out);
    int rc = db_begin(db, 0);
    if (rc != TD_OK) return rc;
    rc = walk(db, out);
    db_rollback(db);
    return rc;
}
