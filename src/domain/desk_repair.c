/* desk_repair.c — repairs taken in at the desk and their steps (see desk.h
 * for a repair's life). A step is one conditional UPDATE (WHERE status = the
 * step it leaves) and a case_events row.
 */
#include "domain/desk.h"
#include "domain/desk_internal.h"
#include "db/db.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

ENUM_MAP_DEFINE(desk_repair_status_map, DESK_REPAIR_STATUS_MAP);

/* ---- repairs --------------------------------------------------------------- */

#define REPAIR_COLS                                                                                                   \
    "r.case_id, COALESCE(k.customer_id, 0), s.code, r.via, COALESCE(r.manufacturer, ''), COALESCE(r.rma_number, ''),"\
    " r.status, COALESCE((SELECT COALESCE(i.description, p.name) FROM case_items i LEFT JOIN products p"             \
    " ON p.id = i.product_id WHERE i.case_id = r.case_id AND i.item_no = 1), ''), r.created_at, r.updated_at, r.store_id"
#define REPAIR_FROM " FROM repairs r JOIN cases k ON k.id = r.case_id JOIN stores s ON s.id = r.store_id"

static int read_repair(struct db_stmt *st, void *out)
{
    struct desk_repair *r = out;
    return db_readf(st, "iittttttiii", &r->case_id, &r->customer_id, r->store_code, sizeof r->store_code, r->via,
                    sizeof r->via, r->manufacturer, sizeof r->manufacturer, r->rma_number, sizeof r->rma_number, r->status,
                    sizeof r->status, r->description, sizeof r->description, &r->created_at, &r->updated_at, &r->store_id);
}

int desk_repairs_each(struct dctx *c, int64_t store_id, bool open_only, int (*fn)(void *arg, const struct desk_repair *r),
                      void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, "SELECT " REPAIR_COLS REPAIR_FROM " WHERE (? = 0 OR r.store_id = ?)"
                             " AND (? = 0 OR r.status <> 'collected') ORDER BY r.created_at, r.case_id LIMIT 1000",
                      &st, "iii", store_id, store_id, (int64_t)open_only);
    struct desk_repair r;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_repair(st, &r)) == TD_OK) rc = fn(arg, &r);
    return db_end(st, rc);
}

int desk_repair_get(struct dctx *c, int64_t case_id, struct desk_repair *out)
{
    return db_get_read(c->db, "SELECT " REPAIR_COLS REPAIR_FROM " WHERE r.case_id = ?", read_repair, out, "i", case_id);
}

static int repair_state(const char *s)
{
    return enum_map_find(&desk_repair_status_map, s, -1);
}

int desk_repair_update(struct dctx *c, int64_t case_id, const char *status, const char *rma_number, const char *note,
                       struct errors *err)
{
    struct desk_repair r;
    int rc = desk_repair_get(c, case_id, &r);
    if (rc != TD_OK) return rc;
    if (c->actor.role != ROLE_ADMIN && c->actor.store_id != r.store_id) {
        errors_set_message(err, "a repair is moved on by the store that took it in (%s)", r.store_code);
        return TD_E_FORBIDDEN;
    }
    int to = repair_state(status), from = repair_state(r.status);
    if (to < 0)
        enum_map_refuse(&desk_repair_status_map, "status", err);
    else if (to < from)
        errors_add(err, "status", "cannot go back from %s to %s", r.status, status);
    else if (strcmp(r.via, "store") == 0 && (to == 1 || to == 2))
        errors_add(err, "status", "an in-store repair is not sent to the manufacturer");
    desk__check_text(err, "rma_number", rma_number, DESK_RMA_MAX, 0);
    desk__check_text(err, "note", note, DESK_NOTE_MAX, 0);
    if (err->n) return TD_E_INVALID;
    int64_t n = 0;
    rc = db_run(c->db, "UPDATE repairs SET status = ?, rma_number = COALESCE(?, rma_number), updated_at = ?"
                       " WHERE case_id = ? AND status = ?", &n, "ttiit", status, rma_number && *rma_number ? rma_number : NULL,
                c->now_us, case_id, r.status);
    if (rc == TD_OK && n != 1) {
        errors_set_message(err, "this repair was changed at the same time; reload it");
        rc = TD_E_CONFLICT;
    }
    char detail[DESK_NOTE_MAX * 4 + 64];
    snprintf(detail, sizeof detail, "%s%s%s", status, note && *note ? ": " : "", note && *note ? note : "");
    if (rc == TD_OK) rc = desk__event(c, case_id, EVENT_REPAIR, detail);
    return rc;
}
