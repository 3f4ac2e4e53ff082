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
 *   case_outcomes     outcomes_on_event's row of each resolved case of a
 *                     customer: its latest decision's facts, its goodwill
 *                     and the customer's receipts in the windows after it
 *                     (all of them are stored before the history starts;
 *                     the goodwill receipts come after this, through the
 *                     import's event)
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
#include "domain/desk_inputs.h"
#include "domain/events.h"
#include "domain/insight_daily.h"
#include "domain/outcomes.h"
#include <stdlib.h>
#include <string.h>

unsigned demo__bulk_quiet(const struct gen *g)
{
    return g->cfg->desk_history ? 0 : EVENTS_SUB_BIT(insight_daily_on_event) | EVENTS_SUB_BIT(coaching_on_event) |
                                       EVENTS_SUB_BIT(outcomes_on_event);
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

/* Sorts the n rows of size bytes at v by cmp and adds each row into the
 * first of those equal to it (add); returns how many rows are left. */
static size_t merge_rows(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *),
                         void (*add)(void *into, const void *row))
{
    if (!n) return 0;
    qsort(v, n, size, cmp);
    char *b = v;
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (cmp(b + m * size, b + i * size) == 0) add(b + m * size, b + i * size);
        else if (++m != i) memcpy(b + m * size, b + i * size, size);
    }
    return m + 1;
}

static void add_irow(void *into, const void *row)
{
    struct irow *a = into;
    const struct irow *b = row;
#define ADD_COUNT(name) a->n.name += b->n.name;
    INSIGHT_DAILY_COUNTS(ADD_COUNT)
#undef ADD_COUNT
}

static void add_crow(void *into, const void *row)
{
    struct crow *a = into;
    const struct crow *b = row;
    a->cases += b->cases;
    a->cents += b->cents;
}

#define COL_NAME(n) ", " #n
#define COL_QMARK(n) ", ?"
#define COL_FMT(n) "i"
#define COL_ARG(col) , r->in[i].n.col

static int write_rollups(struct gen *g, struct rollups *r)
{
    int rc = TD_OK;
    size_t n = merge_rows(r->in, r->nin, sizeof *r->in, cmp_irow, add_irow);
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
    size_t counts[2] = {merge_rows(r->days, r->ndays, sizeof *r->days, cmp_crow, add_crow),
                        merge_rows(r->months, r->nmonths, sizeof *r->months, cmp_crow, add_crow)};
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < counts[t] && rc == TD_OK; i++) {
            const struct crow *c = &rows[t][i];
            rc = db_run(g->db, SQL[t], NULL, "iiittiiii", c->key[0], c->key[1], c->key[2], r->words.w[c->key[3]],
                        r->words.w[c->key[4]], c->key[5], c->key[6], c->cases, c->cents);
        }
    return rc;
}

/* ---- case_outcomes ---------------------------------------------------------- */

/* The latest decision of every case, by case id (cases are numbered from 1
 * by the history). */
struct decisions {
    struct outcomes_decision *by_case;
    unsigned char *have;
    int64_t n;
};

static int keep_decision(void *arg, const struct desk_inputs *in)
{
    struct decisions *d = arg;
    if (in->case_id < 1 || in->case_id > d->n) return TD_E_INTERNAL;
    /* In order of (decided_at, id): the last one seen is desk_inputs_last's. */
    outcomes_decision_of(in, &d->by_case[in->case_id - 1]);
    d->have[in->case_id - 1] = 1;
    return TD_OK;
}

/* The resolved cases of customers as outcomes_on_event reads one, by id. */
#define RESOLVED_SQL                                                                                                   "SELECT k.id, k.customer_id, k.store_id, k.resolved_at, COALESCE(k.resolution, ''), COALESCE(k.amount_cents, 0),"    " COALESCE(CASE WHEN n.funding = 'goodwill' THEN n.amount_cents END, 0),"                                         " CASE WHEN f.case_id IS NULL THEN 0 ELSE 1 END,"                                                                 " COALESCE(f.category, (SELECT COALESCE(i.category, p.category) FROM case_items i"                                 "  LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), '')"           " FROM cases k LEFT JOIN credit_notes n ON n.id = k.credit_note_id LEFT JOIN referrals f ON f.case_id = k.id"      " WHERE k.customer_id IS NOT NULL AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = k.id"                 " AND e.action = 'resolved') ORDER BY k.id"

/* Their customers' receipts after them within the longest window, by case. */
#define AFTER_SQL                                                                                                      "SELECT k.id, r.purchased_at, COALESCE(SUM(l.unit_price_cents * l.quantity), 0) FROM cases k"                     " JOIN receipts r ON r.customer_id = k.customer_id AND r.purchased_at > k.resolved_at"                            " AND r.purchased_at <= k.resolved_at + ? LEFT JOIN purchase_lines l ON l.receipt_id = r.id"                      " WHERE k.customer_id IS NOT NULL AND k.resolved_at IS NOT NULL GROUP BY k.id, r.id, r.purchased_at ORDER BY k.id"

static int write_outcomes(struct gen *g, struct dctx *c, const struct decisions *d)
{
    struct db_stmt *st = NULL, *after = NULL;
    int arc = db_query(g->db, AFTER_SQL, &after, "i", (int64_t)outcomes_window_days[OUTCOMES_WINDOWS - 1] * DAY_S * US);
    int more = db_next(after, &arc);                 /* `after` waits on the next case's first receipt */
    int rc = arc == TD_ROW || arc == TD_DONE ? db_query(g->db, RESOLVED_SQL, &st, "") : arc;
    while (rc == TD_OK && db_next(st, &rc)) {
        int64_t amount, funded, referred;
        char res[WORD_SZ], category[WORD_SZ];
        struct outcome o = {0};
        if ((rc = db_readf(st, "iiiitiiit", &o.case_id, &o.customer_id, &o.store_id, &o.resolved_at, res, sizeof res,
                           &amount, &funded, &referred, category, sizeof category)) != TD_OK)
            break;
        o.resolution = res;
        o.category = category;
        o.referred = (int)referred;
        while (more && db_col_int64(after, 0) < o.case_id) more = db_next(after, &arc);
        for (; more && db_col_int64(after, 0) == o.case_id; more = db_next(after, &arc))
            outcomes_window_add(o.spend, o.visits, o.resolved_at, db_col_int64(after, 1), db_col_int64(after, 2));
        if (arc != TD_OK && arc != TD_DONE && arc != TD_ROW) {
            rc = arc;
            break;
        }
        if (o.case_id < 1 || o.case_id > d->n) rc = TD_E_INTERNAL;
        else rc = outcomes_insert(c, &o, amount, funded, d->have[o.case_id - 1] ? &d->by_case[o.case_id - 1] : NULL);
    }
    rc = db_end(st, rc);
    arc = db_end(after, arc);
    return rc != TD_OK ? rc : arc;
}

static int bulk_outcomes(struct gen *g)
{
    struct dctx c = {.db = g->db, .now_us = g->cfg->end_us, .addr = "demo"};
    struct decisions d = {0};
    int rc = db_query_int64(g->db, "SELECT COALESCE(MAX(id), 0) FROM cases", &d.n);
    if (rc != TD_OK || !d.n) return rc;
    d.by_case = calloc((size_t)d.n, sizeof *d.by_case);
    d.have = calloc((size_t)d.n, 1);
    if (!d.by_case || !d.have) rc = TD_E_NOMEM;
    if (rc == TD_OK) rc = desk_inputs_each(&c, INT64_MIN, INT64_MAX, keep_decision, &d);
    if (rc == TD_OK) rc = write_outcomes(g, &c, &d);
    free(d.by_case);
    free(d.have);
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
    if (rc == TD_OK) rc = bulk_outcomes(g);
    free(r->in);
    free(r->days);
    free(r->months);
    free(r);
    return rc;
}
