/* desk_dashboard.c — a store's dashboard: cases and credit issued per day
 * over the last 30 days, approvals waiting and repairs open or overdue.
 * Only reads.
 */
#include "domain/desk.h"
#include "domain/desk_internal.h"
#include "db/db.h"
#include <string.h>

/* ---- the store dashboard -------------------------------------------------- */

static int per_day(struct dctx *c, const char *sql, int64_t store_id, int64_t first_day, struct desk_dashboard *out,
                   int credit)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, sql, &st, "ii", store_id, first_day * FACTS_DAY_US);
    while (db_next(st, &rc)) {
        int64_t i = db_col_int64(st, 0) - first_day;
        if (i < 0 || i >= 30) continue;
        if (credit) out->days[i].credit_cents = db_col_int64(st, 1);
        else out->days[i].cases = db_col_int64(st, 1);
    }
    return db_end(st, rc);
}

static int count(struct dctx *c, const char *sql, int64_t a, int64_t b, int64_t *n)
{
    return db_get_int64(c->db, sql, n, "ii", a, b);
}

int desk_dashboard(struct dctx *c, int64_t store_id, struct desk_dashboard *out)
{
    memset(out, 0, sizeof *out);
    int64_t today = c->now_us / FACTS_DAY_US, first = today - 29;
    for (int i = 0; i < 30; i++) out->days[i].day = first + i;
    int rc = per_day(c, "SELECT created_at / 86400000000, COUNT(*) FROM cases WHERE store_id = ? AND created_at >= ?"
                        " GROUP BY created_at / 86400000000", store_id, first, out, 0);
    if (rc == TD_OK)
        rc = per_day(c, "SELECT issued_at / 86400000000, SUM(amount_cents) FROM credit_notes WHERE store_id = ?"
                        " AND issued_at >= ? AND replaces_id IS NULL GROUP BY issued_at / 86400000000", store_id, first,
                     out, 1);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM cases WHERE store_id = ? AND status = 'awaiting_approval' AND created_at >= ?",
                   store_id, 0, &out->approvals_waiting);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM repairs WHERE store_id = ? AND status <> 'collected' AND created_at < ?",
                   store_id, c->now_us + 1, &out->repairs_open);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM repairs WHERE store_id = ? AND status <> 'collected' AND created_at < ?",
                   store_id, c->now_us - DESK_REPAIR_OVERDUE_DAYS * FACTS_DAY_US, &out->repairs_overdue);
    return rc;
}
