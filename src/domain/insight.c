/* insight.c — see insight.h. The referral outcomes read case_outcomes
 * (outcomes.h): the newest referrals of a period by the (resolved_at) or
 * (store_id, resolved_at) index, and the shares per category and group as
 * one grouped pass over the same range. */
#include "domain/insight.h"
#include "db/db.h"
#include "domain/outcomes.h"

#define DAY_US (86400LL * 1000000)

const int insight_window_days[INSIGHT_WINDOWS] = {30, 90, 180};
_Static_assert(INSIGHT_WINDOWS == OUTCOMES_WINDOWS, "the referral windows are case_outcomes' windows");

int insight_came_back(int64_t resolved_at, int64_t visits, int64_t now, int days)
{
    if (visits > 0) return 1;
    return now >= resolved_at + (int64_t)days * DAY_US ? 0 : -1;
}

#define REFERRAL_COLS                                                                                                 \
    "SELECT o.case_id, o.customer_id, o.resolved_at, COALESCE(cu.name, ''), s.code, o.category, f.to_name, f.reason,"  \
    " o.resolution, o.visits_30, o.visits_90, o.visits_180"                                                           \
    " FROM case_outcomes o JOIN stores s ON s.id = o.store_id JOIN customers cu ON cu.id = o.customer_id"             \
    " JOIN referrals f ON f.case_id = o.case_id WHERE o.referred = 1 AND o.resolved_at >= ? AND o.resolved_at < ?"
#define NEWEST " ORDER BY o.resolved_at DESC, o.case_id DESC LIMIT ?"

int insight_referrals_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t limit,
                           int (*fn)(void *arg, const struct insight_case *k), void *arg)
{
    struct db_stmt *st;
    int rc = store_id ? db_query(c->db, REFERRAL_COLS " AND o.store_id = ?" NEWEST, &st, "iiii", from_us, to_us, store_id,
                                 limit)
                      : db_query(c->db, REFERRAL_COLS NEWEST, &st, "iii", from_us, to_us, limit);
    struct insight_case k;
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iiissssssiii", &k.case_id, &k.customer_id, &k.resolved_at, &k.customer_name, &k.store_code,
                           &k.category, &k.to, &k.reason, &k.resolution, &k.visits[0], &k.visits[1], &k.visits[2])) == TD_OK)
            rc = fn(arg, &k);
    }
    return db_end(st, rc);
}

/* Per window: the cases whose window passed or who came back (n), and those
 * back (k); each ? is now less the window. */
#define TALLY(d)                                                                                                      \
    ", SUM(CASE WHEN visits_" #d " > 0 OR resolved_at <= ? THEN 1 ELSE 0 END),"                                       \
    " SUM(CASE WHEN visits_" #d " > 0 THEN 1 ELSE 0 END)"
#define TALLY_COLS "SELECT category, referred, MAX(resolved_at)" TALLY(30) TALLY(90) TALLY(180) " FROM case_outcomes"
#define TALLY_GROUP " GROUP BY category, referred"

int insight_tallies_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t now_us,
                         int (*fn)(void *arg, const struct insight_tally *t), void *arg)
{
    int64_t closed[INSIGHT_WINDOWS];
    for (int i = 0; i < INSIGHT_WINDOWS; i++) closed[i] = now_us - (int64_t)insight_window_days[i] * DAY_US;
    struct db_stmt *st;
    int rc = store_id ? db_query(c->db, TALLY_COLS " WHERE store_id = ? AND resolved_at >= ? AND resolved_at < ?" TALLY_GROUP,
                                 &st, "iiiiii", closed[0], closed[1], closed[2], store_id, from_us, to_us)
                      : db_query(c->db, TALLY_COLS " WHERE resolved_at >= ? AND resolved_at < ?" TALLY_GROUP, &st,
                                 "iiiii", closed[0], closed[1], closed[2], from_us, to_us);
    struct insight_tally t;
    while (db_next(st, &rc)) {
        int64_t referred = 0;
        if ((rc = db_readf(st, "siiiiiiii", &t.category, &referred, &t.newest, &t.n[0], &t.k[0], &t.n[1], &t.k[1], &t.n[2],
                           &t.k[2])) == TD_OK) {
            t.referred = referred != 0;
            rc = fn(arg, &t);
        }
    }
    return db_end(st, rc);
}
