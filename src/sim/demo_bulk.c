/* demo_bulk.c — the case history's bulk path (the default; demo.h's
 * desk_history turns it off).
 *
 * The history is replayed through the desk in time order either way
 * (invariant (7) of demo.c): every decision reads the aggregates the cases
 * before it left, so those cases, their items, events, decisions, credit
 * notes, ledger entries, line claims, repairs, referrals, walk-ins and
 * surveys are the desk's own writes. What nothing reads while the history
 * runs — the rollups the events.def subscribers keep for reports — is left
 * out of each case (struct dctx's events_quiet) and written here once the
 * last case is resolved, from one read of what the desk wrote, in the same
 * transaction:
 *
 *   insight_days      insight_daily_on_event's rows: per Amsterdam day of
 *                     each event, store and first item's category
 *   coaching_days,    coaching_on_event's rows: per resolved case's day
 *   coaching_months   (and month), store, person, kind, resolution,
 *                     override and goodwill
 *
 * Invariants:
 *  (1) the rows equal the subscribers' to the last count: each is a sum of
 *      the same terms (insight_daily_resolved() is the subscriber's own
 *      rule), and the terms read what the subscriber read at its event,
 *      which the rest of the history no longer changes (a case's store,
 *      items, resolution and credit note are final once it is resolved);
 *      tests/unit/test_demo_bulk.c compares both paths table by table;
 *  (2) it runs right after the last case, before the goodwill receipts and
 *      the feedback (demo.c), which go through the subscribers as usual.
 */
#include "sim/demo_gen.h"
#include "db/db.h"
#include "domain/coaching.h"
#include "domain/events.h"
#include "domain/insight_daily.h"
#include <stdlib.h>
#include <string.h>

unsigned demo__bulk_quiet(const struct gen *g)
{
    return g->cfg->desk_history ? 0 : EVENTS_SUB_BIT(insight_daily_on_event) | EVENTS_SUB_BIT(coaching_on_event);
}

/* A few distinct short texts (categories, kinds, resolutions), numbered so
 * that rows can be sorted and compared as integers. */
#define WORDS_MAX 64
#define WORD_SZ 64
struct words {
    char w[WORDS_MAX][WORD_SZ];
    int n;
};

static int word_of(struct words *ws, const char *s, int *out)
{
    for (int i = 0; i < ws->n; i++)
        if (strcmp(ws->w[i], s) == 0) return *out = i, TD_OK;
    if (ws->n == WORDS_MAX || strlen(s) >= WORD_SZ) return TD_E_INTERNAL;   /* not the demo's data */
    memcpy(ws->w[ws->n], s, strlen(s) + 1);
    *out = ws->n++;
    return TD_OK;
}

/* One event's terms of insight_days, and one resolved case's of the
 * coaching rollups (key[] the columns before the counts). */
struct irow { int64_t day, store_id, category; struct insight_daily_counts n; };
struct crow { int64_t key[7], cases, cents; };   /* store, day or month, staff, kind, resolution, overridden, goodwill */

struct rollups {
    struct words words;
    struct irow *in;
    size_t nin, incap;
    struct crow *days, *months;
    size_t ndays, nmonths, daycap, monthcap;
};

static int cmp_irow(const void *x, const void *y)
{
    const struct irow *a = x, *b = y;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->store_id != b->store_id) return a->store_id < b->store_id ? -1 : 1;
    return (a->category > b->category) - (a->category < b->category);
}

static int cmp_crow(const void *x, const void *y)
{
    const struct crow *a = x, *b = y;
    for (int i = 0; i < 7; i++)
        if (a->key[i] != b->key[i]) return a->key[i] < b->key[i] ? -1 : 1;
    return 0;
}

#define EVENTS_SQL                                                                                                 \
    "SELECT e.at, e.action, k.store_id, COALESCE((SELECT COALESCE(i.category, p.category) FROM case_items i"       \
    " LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), ''),"         \
    " COALESCE(k.resolution, ''), COALESCE(k.amount_cents, 0), k.created_at, COALESCE(n.amount_cents, 0),"         \
    " COALESCE(n.funding, ''), COALESCE(k.resolved_at, 0), COALESCE(k.associate_id, k.resolved_by, 0), k.kind,"    \
    " CASE WHEN k.override_reason IS NULL THEN 0 ELSE 1 END FROM case_events e JOIN cases k ON k.id = e.case_id"   \
    " LEFT JOIN credit_notes n ON n.id = k.credit_note_id"                                                          \
    " WHERE e.action IN ('opened', 'resolved', 'overridden', 'approval_requested', 'cancelled')"

/* What one event adds: its insight term, and for a resolution its coaching
 * terms (coaching_on_event's reading of the case). */
static int add_event(struct rollups *r, struct db_stmt *st)
{
    int64_t at, store_id, amount, created, note, resolved_at, who, overridden;
    char action[32], category[WORD_SZ], res[WORD_SZ], funding[16], kind[WORD_SZ];
    int rc = db_readf(st, "itittiiitiiti", &at, action, sizeof action, &store_id, category, sizeof category, res,
                      sizeof res, &amount, &created, &note, funding, sizeof funding, &resolved_at, &who, kind,
                      sizeof kind, &overridden);
    if (rc != TD_OK) return rc;
    int cat, kind_no, res_no;
    if ((rc = word_of(&r->words, category, &cat)) != TD_OK || (rc = word_of(&r->words, kind, &kind_no)) != TD_OK ||
        (rc = word_of(&r->words, res, &res_no)) != TD_OK)
        return rc;
    if ((rc = demo__grow((void **)&r->in, &r->incap, r->nin, sizeof *r->in)) != TD_OK) return rc;
    struct irow *ir = &r->in[r->nin++];
    memset(ir, 0, sizeof *ir);
    ir->day = insight_daily_day(at);
    ir->store_id = store_id;
    ir->category = cat;
    int resolved = strcmp(action, "resolved") == 0;
    if (strcmp(action, "opened") == 0) ir->n.opened = 1;
    else if (strcmp(action, "overridden") == 0) ir->n.overrides = 1;
    else if (strcmp(action, "approval_requested") == 0) ir->n.approvals_requested = 1;
    else if (strcmp(action, "cancelled") == 0) ir->n.cancelled = 1;
    else if (resolved) insight_daily_resolved(&ir->n, res, amount, note, funding, (at - created) / US);
    if (!resolved || !who) return TD_OK;                   /* a case nobody resolved is no one's */
    int64_t day, ignored;
    coaching_days_of(resolved_at, resolved_at + 1, &day, &ignored);
    int64_t goodwill = strcmp(funding, "goodwill") == 0 ? note : -1;
    struct crow cr = {{store_id, day, who, kind_no, res_no, overridden, goodwill >= 0}, 1, goodwill > 0 ? goodwill : 0};
    if ((rc = demo__grow((void **)&r->days, &r->daycap, r->ndays, sizeof *r->days)) != TD_OK ||
        (rc = demo__grow((void **)&r->months, &r->monthcap, r->nmonths, sizeof *r->months)) != TD_OK)
        return rc;
    r->days[r->ndays++] = cr;
    cr.key[1] = coaching_month_of(day);
    r->months[r->nmonths++] = cr;
    return TD_OK;
}

/* Sorts rows and adds up those with one key; returns how many are left. */
static size_t merge_irows(struct irow *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_irow);
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (cmp_irow(&v[m], &v[i]) == 0) {
#define ADD_COUNT(name) v[m].n.name += v[i].n.name;
            INSIGHT_DAILY_COUNTS(ADD_COUNT)
#undef ADD_COUNT
        } else v[++m] = v[i];
    }
    return m + 1;
}

static size_t merge_crows(struct crow *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_crow);
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (cmp_crow(&v[m], &v[i]) == 0) {
            v[m].cases += v[i].cases;
            v[m].cents += v[i].cents;
        } else v[++m] = v[i];
    }
    return m + 1;
}

#define COL_NAME(n) ", " #n
#define COL_QMARK(n) ", ?"
#define COL_FMT(n) "i"
#define COL_ARG(col) , r->in[i].n.col

static int write_rollups(struct gen *g, struct rollups *r)
{
    int rc = TD_OK;
    size_t n = merge_irows(r->in, r->nin);
    for (size_t i = 0; i < n && rc == TD_OK; i++)
        rc = db_run(g->db,
                    "INSERT INTO insight_days (day, store_id, category" INSIGHT_DAILY_COUNTS(COL_NAME) ") VALUES (?, ?, ?"
                    INSIGHT_DAILY_COUNTS(COL_QMARK) ")",
                    NULL, "iit" INSIGHT_DAILY_COUNTS(COL_FMT), r->in[i].day, r->in[i].store_id,
                    r->words.w[r->in[i].category] INSIGHT_DAILY_COUNTS(COL_ARG));
    static const char *const SQL[2] = {
        "INSERT INTO coaching_days (store_id, day, staff_id, kind, resolution, overridden, goodwill, cases,"
        " goodwill_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO coaching_months (store_id, month, staff_id, kind, resolution, overridden, goodwill, cases,"
        " goodwill_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    };
    struct crow *rows[2] = {r->days, r->months};
    size_t counts[2] = {merge_crows(r->days, r->ndays), merge_crows(r->months, r->nmonths)};
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < counts[t] && rc == TD_OK; i++) {
            const struct crow *c = &rows[t][i];
            rc = db_run(g->db, SQL[t], NULL, "iiittiiii", c->key[0], c->key[1], c->key[2], r->words.w[c->key[3]],
                        r->words.w[c->key[4]], c->key[5], c->key[6], c->cases, c->cents);
        }
    return rc;
}

int demo__bulk_rollups(struct gen *g)
{
    if (g->cfg->desk_history) return TD_OK;
    struct rollups *r = calloc(1, sizeof *r);
    if (!r) return TD_E_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_query(g->db, EVENTS_SQL, &st, "");
    while (db_next(st, &rc)) rc = add_event(r, st);
    rc = db_end(st, rc);
    if (rc == TD_OK) rc = write_rollups(g, r);
    free(r->in);
    free(r->days);
    free(r->months);
    free(r);
    return rc;
}
