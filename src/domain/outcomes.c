/* outcomes.c — the case_outcomes rows (outcomes.h): written when a case is
 * resolved, their windows added to as receipts are imported, read by the
 * goodwill economics and the referral outcomes.
 *
 * A receipt at time t of a customer counts in the window of d days of their
 * case resolved at r when r < t <= r + d days (the reports' rule since they
 * were first written). Resolving reads the customer's receipts already
 * stored after r (none, unless their dates lie ahead of the clock), so the
 * row starts equal to a recount; an import then adds only its own receipts.
 */
#include "domain/outcomes.h"
#include "db/db.h"
#include "domain/desk_inputs.h"
#include "domain/events.h"
#include "domain/goodwill.h"
#include <stdlib.h>
#include <string.h>

#define DAY_US (86400LL * 1000000)
#define PROBE_PER 256

const int outcomes_window_days[OUTCOMES_WINDOWS] = {30, 90, 180};
_Static_assert(sizeof(((struct outcomes_decision *)0)->policy_version) == POLICY_VERSION_SZ,
               "a decision's policy version fits");

/* What receipts add to a row: spend and visits per window. */
struct adds {
    int64_t spend[OUTCOMES_WINDOWS], visits[OUTCOMES_WINDOWS];
};

int outcomes_window_add(int64_t *spend, int64_t *visits, int64_t resolved_at, int64_t at, int64_t cents)
{
    int any = 0;
    for (int w = 0; w < OUTCOMES_WINDOWS; w++) {
        if (at <= resolved_at || at > resolved_at + outcomes_window_days[w] * DAY_US) continue;
        spend[w] += cents;
        visits[w]++;
        any = 1;
    }
    return any;
}

/* Adds a receipt at `at` of `cents` to the windows of a case resolved at
 * resolved_at that it falls in; 1 when it falls in any. */
static int add_receipt(struct adds *a, int64_t resolved_at, int64_t at, int64_t cents)
{
    return outcomes_window_add(a->spend, a->visits, resolved_at, at, cents);
}

/* ---- resolving ------------------------------------------------------------ */

/* The receipts of the customer already stored after resolved_at. */
static int receipts_after(struct dctx *c, int64_t customer_id, int64_t resolved_at, struct adds *a)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT r.purchased_at, COALESCE(SUM(l.unit_price_cents * l.quantity), 0) FROM receipts r"
                      " LEFT JOIN purchase_lines l ON l.receipt_id = r.id WHERE r.customer_id = ? AND r.purchased_at > ?"
                      " AND r.purchased_at <= ? GROUP BY r.id, r.purchased_at",
                      &st, "iii", customer_id, resolved_at,
                      resolved_at + outcomes_window_days[OUTCOMES_WINDOWS - 1] * DAY_US);
    while (db_next(st, &rc)) add_receipt(a, resolved_at, db_col_int64(st, 0), db_col_int64(st, 1));
    return db_end(st, rc);
}

/* The case as resolved. */
struct resolved {
    int64_t customer_id, store_id, resolved_at, amount, funded, referred;
    char resolution[32], category[NAME_SZ];
};

static int read_resolved(struct db_stmt *st, void *out)
{
    struct resolved *k = out;
    return db_readf(st, "iiitiiic", &k->customer_id, &k->store_id, &k->resolved_at, k->resolution, sizeof k->resolution,
                    &k->amount, &k->funded, &k->referred, k->category, sizeof k->category);
}

void outcomes_decision_of(const struct desk_inputs *in, struct outcomes_decision *out)
{
    memset(out, 0, sizeof *out);
    out->id = in->id;
    out->decided_at = in->decided_at;
    out->tier = in->facts.tier;
    out->spend_before_cents = in->facts.lifetime_spend_cents;
    out->tenure_days = in->facts.tenure_days;
    for (size_t i = 0; i < in->decision.n_items; i++)
        if (in->decision.items[i].proven) out->proven_cents += in->decision.items[i].amount_cents;
    memcpy(out->policy_version, in->policy_version, sizeof out->policy_version);
}

int outcomes_insert(struct dctx *c, struct outcome *o, int64_t amount_cents, int64_t funded_cents,
                    const struct outcomes_decision *d)
{
    enum policy_resolution res = (enum policy_resolution)enum_map_find(&policy_resolution_map, o->resolution, 0);
    const char *tier = d ? policy_tier_name(d->tier) : NULL;
    o->goodwill_cents = goodwill_case_cents(res, amount_cents, funded_cents, d ? d->proven_cents : 0);
    o->funded = funded_cents > 0;
    o->decision_id = d ? d->id : 0;
    o->decided_at = d ? d->decided_at : 0;
    o->policy_version = d ? d->policy_version : "";
    o->tier = tier ? tier : "";
    o->spend_before_cents = d ? d->spend_before_cents : 0;
    o->tenure_days = d ? d->tenure_days : 0;
    return db_run(c->db,
                  "INSERT INTO case_outcomes (case_id, customer_id, store_id, resolved_at, decision_id, decided_at,"
                  " category, policy_version, tier, spend_before_cents, tenure_days, resolution, goodwill_cents, funded,"
                  " referred, spend_30, visits_30, spend_90, visits_90, spend_180, visits_180)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  NULL, "iiiinntttiitiiiiiiiii", o->case_id, o->customer_id, o->store_id, o->resolved_at, o->decision_id,
                  o->decided_at, o->category, o->policy_version, o->tier, o->spend_before_cents, o->tenure_days,
                  o->resolution, o->goodwill_cents, (int64_t)o->funded, (int64_t)o->referred, o->spend[0], o->visits[0],
                  o->spend[1], o->visits[1], o->spend[2], o->visits[2]);
}

static int on_resolved(struct dctx *c, int64_t case_id)
{
    struct resolved k;
    int rc = db_get_read(c->db,
                         "SELECT COALESCE(k.customer_id, 0), k.store_id, k.resolved_at, COALESCE(k.resolution, ''),"
                         " COALESCE(k.amount_cents, 0), COALESCE(CASE WHEN n.funding = 'goodwill' THEN n.amount_cents END, 0),"
                         " CASE WHEN f.case_id IS NULL THEN 0 ELSE 1 END,"
                         " COALESCE(f.category, (SELECT COALESCE(i.category, p.category) FROM case_items i"
                         "  LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), '')"
                         " FROM cases k LEFT JOIN credit_notes n ON n.id = k.credit_note_id"
                         " LEFT JOIN referrals f ON f.case_id = k.id WHERE k.id = ?",
                         read_resolved, &k, "i", case_id);
    if (rc != TD_OK || !k.customer_id) return rc;       /* a walk-in's case: no purchases to follow */
    struct desk_inputs *in = malloc(sizeof *in);
    if (!in) return TD_E_NOMEM;
    rc = desk_inputs_last(c, case_id, in);
    int decided = rc == TD_OK;
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;                /* resolved without a stored decision */
    struct outcomes_decision d;
    if (decided) outcomes_decision_of(in, &d);
    struct adds a = {0};
    if (rc == TD_OK) rc = receipts_after(c, k.customer_id, k.resolved_at, &a);
    struct outcome o = {.case_id = case_id, .customer_id = k.customer_id, .store_id = k.store_id,
                        .resolved_at = k.resolved_at, .category = k.category, .resolution = k.resolution,
                        .referred = (int)k.referred};
    memcpy(o.spend, a.spend, sizeof o.spend);
    memcpy(o.visits, a.visits, sizeof o.visits);
    if (rc == TD_OK) rc = outcomes_insert(c, &o, k.amount, k.funded, decided ? &d : NULL);
    free(in);
    return rc;
}

/* ---- importing ------------------------------------------------------------ */

/* A receipt of a known customer in the batch, with its spend. */
struct rcpt {
    int64_t customer_id, at, cents;
};

static int by_customer_at(const void *x, const void *y)
{
    const struct rcpt *a = x, *b = y;
    if (a->customer_id != b->customer_id) return a->customer_id < b->customer_id ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

/* A row whose windows the batch adds to. */
struct hit {
    int64_t case_id;
    struct adds a;
};

struct batch {
    const struct rcpt *r;        /* sorted by customer, time */
    size_t n;
    struct hit *hits;
    size_t nhits, cap;
};

/* The batch's receipts of customer: r[*lo, *hi). */
static void receipts_of(const struct batch *b, int64_t customer, size_t *lo, size_t *hi)
{
    size_t a = 0, z = b->n;
    while (a < z) {
        size_t m = a + (z - a) / 2;
        if (b->r[m].customer_id < customer) a = m + 1;
        else z = m;
    }
    *lo = a;
    while (a < b->n && b->r[a].customer_id == customer) a++;
    *hi = a;
}

#define PROBE_SQL                                                                                                     \
    "SELECT case_id, customer_id, resolved_at FROM case_outcomes WHERE customer_id IN (" DB_ROWS256("?")              \
    ") AND resolved_at >= ? AND resolved_at < ?"
_Static_assert(PROBE_PER == 256, "the probe has PROBE_PER places");

/* Finds the rows of the n customers ids[0..n) with a window the batch's
 * receipts (from..to) may fall in, and what their receipts add. */
static int probe(struct dctx *c, struct batch *b, const int64_t *ids, size_t n, int64_t from, int64_t to)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, PROBE_SQL, &st);
    for (size_t i = 0; rc == TD_OK && i < PROBE_PER; i++) rc = db_bind_int64(st, (int)i + 1, ids[i < n ? i : n - 1]);
    if (rc == TD_OK) rc = db_bind_int64(st, PROBE_PER + 1, from - outcomes_window_days[OUTCOMES_WINDOWS - 1] * DAY_US);
    if (rc == TD_OK) rc = db_bind_int64(st, PROBE_PER + 2, to);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        rc = TD_OK;
        struct hit h = {.case_id = db_col_int64(st, 0)};
        int64_t resolved_at = db_col_int64(st, 2);
        size_t lo, hi;
        int any = 0;
        receipts_of(b, db_col_int64(st, 1), &lo, &hi);
        for (size_t i = lo; i < hi; i++) any |= add_receipt(&h.a, resolved_at, b->r[i].at, b->r[i].cents);
        if (!any) continue;
        if (b->nhits == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 64;
            struct hit *t = realloc(b->hits, cap * sizeof *t);
            if (!t) {
                rc = TD_E_NOMEM;
                break;
            }
            b->hits = t;
            b->cap = cap;
        }
        b->hits[b->nhits++] = h;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    return rc;
}

/* The batch's receipts of known customers with their spend, from what the
 * import wrote (p), into b->r (b->n of them). */
static int batch_of_event(const struct event_purchases *p, struct rcpt *r, size_t *n)
{
    int64_t *sum = calloc(p->nreceipts, sizeof *sum);
    if (!sum) return TD_E_NOMEM;
    for (size_t i = 0; i < p->nlines; i++) sum[p->lines[i].receipt] += p->lines[i].cents * p->lines[i].quantity;
    for (size_t i = 0; i < p->nreceipts; i++)
        if (p->receipts[i].customer_id) r[(*n)++] = (struct rcpt){p->receipts[i].customer_id, p->receipts[i].at, sum[i]};
    free(sum);
    return TD_OK;
}

/* The same read back from receipts first..last, for a writer that hands
 * only their ids (the demo's plant); *r grows as needed. */
static int batch_of_range(struct dctx *c, int64_t first, int64_t last, struct rcpt **r, size_t *n)
{
    struct db_stmt *st = NULL;
    size_t cap = 0;
    int rc = db_query(c->db,
                      "SELECT r.customer_id, r.purchased_at, COALESCE(SUM(l.unit_price_cents * l.quantity), 0) FROM receipts r"
                      " LEFT JOIN purchase_lines l ON l.receipt_id = r.id WHERE r.id >= ? AND r.id <= ?"
                      " AND r.customer_id IS NOT NULL GROUP BY r.id, r.customer_id, r.purchased_at",
                      &st, "ii", first, last);
    while (db_next(st, &rc)) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            struct rcpt *t = realloc(*r, cap * sizeof *t);
            if (!t) {
                rc = TD_E_NOMEM;
                break;
            }
            *r = t;
        }
        (*r)[(*n)++] = (struct rcpt){db_col_int64(st, 0), db_col_int64(st, 1), db_col_int64(st, 2)};
    }
    return db_end(st, rc);
}

static int on_purchases(struct dctx *c, const struct event *ev)
{
    const struct event_purchases *p = ev->purchases;
    struct rcpt *r = NULL;
    size_t n = 0;
    int rc = TD_OK;
    if (p && p->nreceipts) {
        rc = (r = malloc(p->nreceipts * sizeof *r)) ? batch_of_event(p, r, &n) : TD_E_NOMEM;
    } else if (!p && ev->first_receipt && ev->last_receipt >= ev->first_receipt) {
        rc = batch_of_range(c, ev->first_receipt, ev->last_receipt, &r, &n);
    }
    int64_t *ids = rc == TD_OK && n ? malloc(PROBE_PER * sizeof *ids) : NULL;
    if (rc == TD_OK && n && !ids) rc = TD_E_NOMEM;
    struct batch b = {.r = r, .n = n};
    int64_t from = INT64_MAX, to = INT64_MIN;
    for (size_t i = 0; rc == TD_OK && i < n; i++) {
        if (r[i].at < from) from = r[i].at;
        if (r[i].at > to) to = r[i].at;
    }
    if (rc == TD_OK && n) qsort(r, n, sizeof *r, by_customer_at);
    /* The batch's customers, PROBE_PER to a statement. */
    size_t nids = 0;
    for (size_t i = 0; rc == TD_OK && i < n; i++) {
        if (i > 0 && r[i].customer_id == r[i - 1].customer_id) continue;
        ids[nids++] = r[i].customer_id;
        if (nids == PROBE_PER) {
            rc = probe(c, &b, ids, nids, from, to);
            nids = 0;
        }
    }
    if (rc == TD_OK && nids) rc = probe(c, &b, ids, nids, from, to);
    for (size_t i = 0; rc == TD_OK && i < b.nhits; i++) {
        const struct adds *a = &b.hits[i].a;
        rc = db_run(c->db,
                    "UPDATE case_outcomes SET spend_30 = spend_30 + ?, visits_30 = visits_30 + ?, spend_90 = spend_90 + ?,"
                    " visits_90 = visits_90 + ?, spend_180 = spend_180 + ?, visits_180 = visits_180 + ? WHERE case_id = ?",
                    NULL, "iiiiiii", a->spend[0], a->visits[0], a->spend[1], a->visits[1], a->spend[2], a->visits[2],
                    b.hits[i].case_id);
    }
    free(b.hits);
    free(ids);
    free(r);
    return rc;
}

int outcomes_on_event(struct dctx *c, const struct event *ev)
{
    if (ev->kind == EVENT_RESOLVED) return on_resolved(c, ev->case_id);
    if (ev->kind == EVENT_PURCHASES_IMPORTED) return on_purchases(c, ev);
    return TD_OK;
}

/* ---- reading -------------------------------------------------------------- */

/* The rows of the cases whose last decision was taken in a period, in the
 * order the decisions were taken: one range of case_outcomes_decided. */
#define DECIDED_RANGE " FROM case_outcomes WHERE decided_at >= ? AND decided_at < ? ORDER BY decided_at, decision_id"

int outcomes_decided_each(struct dctx *c, int64_t from_us, int64_t to_us,
                          int (*fn)(void *arg, const struct outcome *o), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT case_id, customer_id, store_id, resolved_at, decision_id, decided_at, category, policy_version,"
                      " tier, resolution, spend_before_cents, tenure_days, goodwill_cents, funded, referred,"
                      " spend_30, visits_30, spend_90, visits_90, spend_180, visits_180" DECIDED_RANGE,
                      &st, "ii", from_us, to_us);
    struct outcome o;
    while (db_next(st, &rc)) {
        int64_t funded = 0, referred = 0;
        rc = db_readf(st, "iiiiiissssiiiiiiiiiii", &o.case_id, &o.customer_id, &o.store_id, &o.resolved_at,
                      &o.decision_id, &o.decided_at, &o.category, &o.policy_version, &o.tier, &o.resolution,
                      &o.spend_before_cents, &o.tenure_days, &o.goodwill_cents, &funded, &referred, &o.spend[0],
                      &o.visits[0], &o.spend[1], &o.visits[1], &o.spend[2], &o.visits[2]);
        o.funded = funded != 0;
        o.referred = referred != 0;
        if (rc == TD_OK) rc = fn(arg, &o);
    }
    return db_end(st, rc);
}

int outcomes_goodwill_each(struct dctx *c, int64_t from_us, int64_t to_us,
                           int (*fn)(void *arg, const struct outcome *o), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT case_id, customer_id, store_id, resolved_at, category, policy_version, tier, spend_before_cents,"
                      " tenure_days, goodwill_cents, funded, spend_90, visits_90, spend_180, visits_180" DECIDED_RANGE,
                      &st, "ii", from_us, to_us);
    struct outcome o = {.resolution = ""};
    while (db_next(st, &rc)) {
        o.case_id = db_col_int64(st, 0);
        o.customer_id = db_col_int64(st, 1);
        o.store_id = db_col_int64(st, 2);
        o.resolved_at = db_col_int64(st, 3);
        o.category = db_col_text(st, 4);
        o.policy_version = db_col_text(st, 5);
        o.tier = db_col_text(st, 6);
        o.spend_before_cents = db_col_int64(st, 7);
        o.tenure_days = db_col_int64(st, 8);
        o.goodwill_cents = db_col_int64(st, 9);
        o.funded = db_col_int64(st, 10) != 0;
        for (int w = 1; w < OUTCOMES_WINDOWS; w++) {
            o.spend[w] = db_col_int64(st, 11 + 2 * (w - 1));
            o.visits[w] = db_col_int64(st, 12 + 2 * (w - 1));
        }
        rc = fn(arg, &o);
    }
    return db_end(st, rc);
}
