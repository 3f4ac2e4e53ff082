/* purchase.c — reading a customer's purchases (see purchase.h). */
#include "domain/purchase.h"
#include "core/text.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>

int purchase_each_of_customer(struct dctx *c, int64_t customer_id, int limit, const char *cursor,
                              int (*fn)(void *arg, const struct purchase_line *l), void *arg,
                              char *next, size_t next_size)
{
    next[0] = '\0';
    /* The cursor is "purchased_at.receipt_row_id" of the last receipt shown. */
    int64_t before_at = INT64_MAX, before_id = INT64_MAX;
    if (cursor && *cursor) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%s", cursor);
        char *dot = strchr(tmp, '.');
        if (!dot) return TD_E_INVALID;
        *dot = '\0';
        if (text_parse_int64(tmp, &before_at) != TD_OK || text_parse_int64(dot + 1, &before_id) != TD_OK)
            return TD_E_INVALID;
    }
    struct db_stmt *st;
    int rc = db_query(c->db,
        "WITH r AS (SELECT id, receipt_ref, store_id, purchased_at FROM receipts"
        "  WHERE customer_id = ? AND (purchased_at < ? OR (purchased_at = ? AND id < ?))"
        "  ORDER BY purchased_at DESC, id DESC LIMIT ?)"
        " SELECT r.id, r.receipt_ref, r.purchased_at, s.code, l.line_no, p.sku, p.name, p.brand, p.category,"
        "  l.unit_price_cents, l.quantity"
        " FROM r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
        " JOIN stores s ON s.id = r.store_id ORDER BY r.purchased_at DESC, r.id DESC, l.line_no",
        &st, "iiiii", customer_id, before_at, before_at, before_id, (int64_t)limit + 1);
    int receipts = 0;
    int64_t cur_receipt = -1, last_at = 0, last_id = 0;
    struct purchase_line l;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        int64_t rid = db_col_int64(st, 0);
        if (rid != cur_receipt) {
            if (receipts == limit) {
                snprintf(next, next_size, "%lld.%lld", (long long)last_at, (long long)last_id);
                break;
            }
            receipts++;
            cur_receipt = rid;
        }
        memset(&l, 0, sizeof l);
        l.purchased_at = last_at = db_col_int64(st, 2);
        last_id = rid;
        l.line_no = db_col_int64(st, 4);
        l.unit_price_cents = db_col_int64(st, 9);
        l.quantity = db_col_int64(st, 10);
        if (domain_copy(l.receipt_id, sizeof l.receipt_id, db_col_text(st, 1)) != TD_OK ||
            domain_copy(l.store_code, sizeof l.store_code, db_col_text(st, 3)) != TD_OK ||
            domain_copy(l.sku, sizeof l.sku, db_col_text(st, 5)) != TD_OK ||
            domain_copy(l.product_name, sizeof l.product_name, db_col_text(st, 6)) != TD_OK ||
            domain_copy(l.brand, sizeof l.brand, db_col_text(st, 7)) != TD_OK ||
            domain_copy(l.category, sizeof l.category, db_col_text(st, 8)) != TD_OK) {
            rc = TD_E_INTERNAL;
            break;
        }
        rc = fn(arg, &l);
    }
    return db_end(st, rc);
}
