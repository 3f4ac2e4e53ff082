/* insight.c — see insight.h. */
#include "domain/insight.h"
#include "db/db.h"

#define DAY_US (86400LL * 1000000)

const int insight_window_days[INSIGHT_WINDOWS] = {30, 90, 180};

int insight_came_back(int64_t resolved_at, int64_t next, int64_t now, int days)
{
    int64_t end = resolved_at + (int64_t)days * DAY_US;
    if (next && next <= end) return 1;
    return now >= end ? 0 : -1;
}

int insight_cases_each(struct dctx *c, int referred, int64_t store_id, int64_t from_us, int64_t to_us,
                       int (*fn)(void *arg, const struct insight_case *k), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT k.id, k.customer_id, k.resolved_at, COALESCE(cu.name, ''), s.code,"
                      " COALESCE(f.category, (SELECT COALESCE(i.category, p.category) FROM case_items i"
                      "  LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), ''),"
                      " COALESCE(f.to_name, ''), COALESCE(f.reason, ''), COALESCE(k.resolution, ''),"
                      " COALESCE((SELECT MIN(r.purchased_at) FROM receipts r WHERE r.customer_id = k.customer_id"
                      "  AND r.purchased_at > k.resolved_at), 0)"
                      " FROM cases k JOIN stores s ON s.id = k.store_id JOIN customers cu ON cu.id = k.customer_id"
                      " LEFT JOIN referrals f ON f.case_id = k.id"
                      " WHERE k.status IN ('resolved', 'followed_up') AND cu.erased_at IS NULL"
                      " AND k.resolved_at >= ? AND k.resolved_at < ? AND (? = 0 OR k.store_id = ?)"
                      " AND (CASE WHEN f.case_id IS NULL THEN 0 ELSE 1 END) = ?"
                      " ORDER BY k.resolved_at DESC, k.id DESC",
                      &st, "iiiii", from_us, to_us, store_id, store_id, (int64_t)(referred ? 1 : 0));
    struct insight_case k;
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iiissssssi", &k.case_id, &k.customer_id, &k.resolved_at, &k.customer_name, &k.store_code, &k.category,
                           &k.to, &k.reason, &k.resolution, &k.next_purchase_at)) == TD_OK)
            rc = fn(arg, &k);
    }
    return db_end(st, rc);
}
