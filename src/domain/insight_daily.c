/* insight_daily.c — the daily rollup of the desk's cases (insight_daily.h).
 *
 * The subscriber reads the case once (its store, the category of its first
 * item, and for a resolution the amount and the credit note the desk just
 * wrote, all inside the event's transaction) and adds one upsert to the
 * row of (store, Amsterdam day, category). The column lists of the SQL come
 * from INSIGHT_DAILY_COUNTS, so the table, the struct and the statements
 * cannot drift apart.
 */
#include "domain/insight_daily.h"
#include "core/clock.h"
#include "db/db.h"
#include "domain/events.h"
#include <string.h>

#define DAY_S 86400
#define US 1000000

int64_t insight_daily_day(int64_t us)
{
    int64_t s = us >= 0 ? us / US : (us - (US - 1)) / US;
    int64_t local = s + clock_amsterdam_offset(s);
    return local >= 0 ? local / DAY_S : (local - (DAY_S - 1)) / DAY_S;
}

void insight_daily_resolved(struct insight_daily_counts *add, const char *res, int64_t amount, int64_t note,
                            const char *funding, int64_t seconds)
{
    add->resolved = 1;
    if (strcmp(res, "refund") == 0) {
        add->refunds = 1;
        add->refund_cents = amount;
    } else if (strcmp(res, "store_credit") == 0) add->store_credits = 1;
    else if (strcmp(res, "exchange") == 0) add->exchanges = 1;
    else if (strncmp(res, "repair_", 7) == 0) add->repairs = 1;
    else if (strcmp(res, "refer_elsewhere") == 0) add->referrals = 1;
    else if (strcmp(res, "decline") == 0) add->declined = 1;
    add->store_credit_cents = note;                  /* every credit note a resolution issued */
    if (strcmp(funding, "goodwill") == 0) add->goodwill_cents = note;
    add->resolve_seconds = seconds > 0 ? seconds : 0;
}

#define COL_NAME(n) ", " #n          /* ", opened, resolved, ..." */
#define COL_QMARK(n) ", ?"
#define COL_FMT(n) "i"
#define COL_ADD(n) ", " #n " = insight_days." #n " + excluded." #n
#define COL_ARG(n) , add.n

int insight_daily_on_event(struct dctx *c, const struct event *ev)
{
    struct insight_daily_counts add = {0};
    switch (ev->kind) {
    case EVENT_OPENED: add.opened = 1; break;
    case EVENT_OVERRIDDEN: add.overrides = 1; break;
    case EVENT_APPROVAL_REQUESTED: add.approvals_requested = 1; break;
    case EVENT_CANCELLED: add.cancelled = 1; break;
    case EVENT_RESOLVED: break;
    default: return TD_OK;
    }
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db,
                        "SELECT k.store_id, COALESCE((SELECT COALESCE(i.category, p.category) FROM case_items i"
                        " LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), ''),"
                        " COALESCE(k.resolution, ''), COALESCE(k.amount_cents, 0), k.created_at,"
                        " COALESCE(n.amount_cents, 0), COALESCE(n.funding, '')"
                        " FROM cases k LEFT JOIN credit_notes n ON n.id = k.credit_note_id WHERE k.id = ?",
                        &st, "i", ev->case_id);
    if (rc != TD_OK) return rc;
    int64_t store_id = 0, amount = 0, created = 0, note = 0;
    char category[NAME_SZ], res[32], funding[16];
    rc = db_readf(st, "ittiiit", &store_id, category, sizeof category, res, sizeof res, &amount, &created, &note, funding,
                  sizeof funding);
    db_done(st);
    if (rc != TD_OK) return rc;
    if (ev->kind == EVENT_RESOLVED) insight_daily_resolved(&add, res, amount, note, funding, (c->now_us - created) / US);
    /* "day = excluded.day" changes nothing; it lets every count below start
     * with its comma. */
    return db_run(c->db,
                  "INSERT INTO insight_days (day, store_id, category" INSIGHT_DAILY_COUNTS(COL_NAME) ") VALUES (?, ?, ?"
                  INSIGHT_DAILY_COUNTS(COL_QMARK) ") ON CONFLICT (day, store_id, category) DO UPDATE SET day = excluded.day"
                  INSIGHT_DAILY_COUNTS(COL_ADD),
                  NULL, "iit" INSIGHT_DAILY_COUNTS(COL_FMT), insight_daily_day(c->now_us), store_id,
                  category INSIGHT_DAILY_COUNTS(COL_ARG));
}

int insight_daily_each(struct dctx *c, int64_t from_day, int64_t to_day,
                       int (*fn)(void *arg, const struct insight_daily_row *r), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT d.day, d.store_id, s.code, s.name, d.category" INSIGHT_DAILY_COUNTS(COL_NAME)
                      " FROM insight_days d JOIN stores s ON s.id = d.store_id WHERE d.day >= ? AND d.day <= ?"
                      " ORDER BY d.day",
                      &st, "ii", from_day, to_day);
    struct insight_daily_row r;
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iisss", &r.day, &r.store_id, &r.store_code, &r.store_name, &r.category)) != TD_OK) continue;
        int col = 5;
#define COL_READ(name) r.n.name = db_col_int64(st, col++);
        INSIGHT_DAILY_COUNTS(COL_READ)
#undef COL_READ
        rc = fn(arg, &r);
    }
    return db_end(st, rc);
}
