/* coaching_read.c — the figures behind coaching (see coaching.h): the
 * rollup of resolved cases kept as they are resolved (coaching_days,
 * migration 0020), and the reads of a period: the store's people, their
 * cases from the day rows, their customers' answers from nps_counts, their
 * knowledge scores and their newest overrides.
 *
 * Invariant: for every store, Amsterdam date, person, kind, resolution,
 * override and goodwill, coaching_days.cases is the number of cases so
 * resolved that day (it changes only in the transaction that resolves a
 * case: coaching_on_event), so a period costs its days, not its cases.
 */
#include "domain/coaching.h"
#include "db/db.h"
#include "domain/events.h"
#include "domain/nps.h"
#include "domain/policy.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEOPLE_MAX 100000

/* The person with login, added empty when new; NULL when out of memory or
 * full. */
static struct coaching_person *person(struct coaching_report *r, const char *login)
{
    for (size_t i = r->n; i-- > 0;)
        if (strcmp(r->people[i].login, login) == 0) return &r->people[i];
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        if (cap > PEOPLE_MAX) return NULL;
        struct coaching_person *p = realloc(r->people, cap * sizeof *p);
        if (!p) return NULL;
        r->people = p;
        r->cap = cap;
    }
    struct coaching_person *p = &r->people[r->n];
    memset(p, 0, sizeof *p);
    if (domain_copy(p->login, sizeof p->login, login) != TD_OK) return NULL;
    r->n++;
    return p;
}

/* The columns every read of a person starts with: id, login, name, their
 * store's code. */
#define WHO_COLS "a.id, a.login, a.name, COALESCE(t.code, '')"
#define WHO_JOIN " LEFT JOIN stores t ON t.id = a.store_id"

static int read_details(struct db_stmt *st, void *out)
{
    struct coaching_person *p = out;
    return db_readf(st, "i-tt", &p->staff_id, p->name, sizeof p->name, p->store_code, sizeof p->store_code);
}

static int read_who(struct db_stmt *st, struct coaching_report *r, struct coaching_person **out)
{
    struct coaching_person *p = person(r, db_col_text(st, 1) ? db_col_text(st, 1) : "");
    *out = p;
    return p ? read_details(st, p) : TD_E_NOMEM;
}

static int read_staff(struct dctx *c, const struct coaching_query *q, struct coaching_report *r)
{
    struct db_stmt *st;
    struct coaching_person *p;
    int rc = db_query(c->db,
                      "SELECT " WHO_COLS " FROM staff a" WHO_JOIN
                      " WHERE a.active = 1 AND a.role <> 'admin' AND a.store_id IS NOT NULL AND (? = 0 OR a.store_id = ?)",
                      &st, "ii", q->store_id, q->store_id);
    while (db_next(st, &rc)) rc = read_who(st, r, &p);
    return db_end(st, rc);
}

/* ---- the rollup ---------------------------------------------------------- */

/* One more case on its row of a rollup: coaching_days by day, coaching_months
 * by month (the same key otherwise). */
#define ROLLUP_ADD(table, period)                                                                                      \
    "INSERT INTO " table " (store_id, " period ", staff_id, kind, resolution, overridden, goodwill, cases,"           \
    " goodwill_cents) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)"                                                              \
    " ON CONFLICT (store_id, " period ", staff_id, kind, resolution, overridden, goodwill) DO UPDATE SET"             \
    " cases = " table ".cases + 1, goodwill_cents = " table ".goodwill_cents + excluded.goodwill_cents"

int coaching_on_event(struct dctx *c, const struct event *ev)
{
    if (ev->kind != EVENT_RESOLVED) return TD_OK;
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT k.store_id, k.resolved_at, COALESCE(k.associate_id, k.resolved_by, 0), k.kind,"
                        " COALESCE(k.resolution, ''), CASE WHEN k.override_reason IS NULL THEN 0 ELSE 1 END,"
                        " CASE WHEN n.funding = 'goodwill' THEN n.amount_cents ELSE -1 END"
                        " FROM cases k LEFT JOIN credit_notes n ON n.id = k.credit_note_id WHERE k.id = ?",
                        &st, "i", ev->case_id);
    if (rc != TD_OK) return rc;
    int64_t store_id = db_col_int64(st, 0), at = db_col_int64(st, 1), who = db_col_int64(st, 2);
    int64_t overridden = db_col_int64(st, 5), goodwill = db_col_int64(st, 6), day, ignored;
    char kind[32], res[32];
    rc = domain_copy(kind, sizeof kind, db_col_text(st, 3));
    if (rc == TD_OK) rc = domain_copy(res, sizeof res, db_col_text(st, 4));
    db_done(st);
    if (rc != TD_OK || !who) return rc;            /* a case nobody resolved is no one's */
    coaching_days_of(at, at + 1, &day, &ignored);
    int64_t is_goodwill = goodwill >= 0, cents = goodwill > 0 ? goodwill : 0;
    rc = db_run(c->db, ROLLUP_ADD("coaching_days", "day"), NULL, "iiittiii", store_id, day, who, kind, res, overridden,
                is_goodwill, cents);
    if (rc == TD_OK)
        rc = db_run(c->db, ROLLUP_ADD("coaching_months", "month"), NULL, "iiittiii", store_id, coaching_month_of(day),
                    who, kind, res, overridden, is_goodwill, cents);
    return rc;
}

/* ---- the period ----------------------------------------------------------- */

/* Who a staff id is, for the rollup's rows: an open-addressed table of the
 * report's people by staff_id (index + 1; SKIP for an id no staff row has,
 * whose rows are left out as a join would leave them out). */
#define SKIP SIZE_MAX
struct by_id {
    size_t cap, n;
    struct slot {
        int64_t id;
        size_t at;                                 /* 0: empty */
    } *s;
};

static struct slot *slot_of(struct by_id *h, int64_t id)
{
    size_t i = ((uint64_t)id * 0x9E3779B97F4A7C15u) >> 32;
    for (i &= h->cap - 1; h->s[i].at && h->s[i].id != id; i = (i + 1) & (h->cap - 1)) {}
    return &h->s[i];
}

static int by_id_put(struct by_id *h, int64_t id, size_t at)
{
    if (2 * (h->n + 1) > h->cap) {
        struct by_id g = {.cap = h->cap ? 2 * h->cap : 256};
        if (!(g.s = calloc(g.cap, sizeof *g.s))) return TD_E_NOMEM;
        for (size_t i = 0; i < h->cap; i++)
            if (h->s[i].at) *slot_of(&g, h->s[i].id) = h->s[i], g.n++;
        free(h->s);
        *h = g;
    }
    struct slot *x = slot_of(h, id);
    if (!x->at) h->n++;
    *x = (struct slot){id, at};
    return TD_OK;
}

/* The person of staff id, looked up once and then kept in h; NULL (rc
 * TD_OK) for an id no staff row has. */
static int person_of(struct dctx *c, struct coaching_report *r, struct by_id *h, int64_t id,
                     struct coaching_person **out)
{
    struct slot *x = h->cap ? slot_of(h, id) : NULL;
    if (x && x->at) {
        *out = x->at == SKIP ? NULL : &r->people[x->at - 1];
        return TD_OK;
    }
    struct coaching_person *p = NULL;
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT " WHO_COLS " FROM staff a" WHO_JOIN " WHERE a.id = ?", &st, "i", id);
    if (rc == TD_OK) rc = read_who(st, r, &p);
    db_done(st);
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;
    if (rc == TD_OK) rc = by_id_put(h, id, p ? (size_t)(p - r->people) + 1 : SKIP);
    *out = p;
    return rc;
}

/* The rollup's rows of one stretch of days or months, added up by person
 * here rather than by a GROUP BY: a year of every store is tens of thousands
 * of rows, and sorting them by texts cost more than reading them. The
 * store's own rows through the key, every store's store by store. */
#define ROWS_SELECT(table, period)                                                                                     \
    "SELECT staff_id, kind, resolution, overridden, goodwill, cases, goodwill_cents FROM " table                      \
    " WHERE store_id IN (SELECT id FROM stores WHERE ? = 0 OR id = ?) AND " period " >= ? AND " period " < ?"

static int count_rows(struct dctx *c, struct coaching_report *r, struct by_id *h, int64_t store_id, int months,
                      int64_t from, int64_t to)
{
    if (from >= to) return TD_OK;
    struct db_stmt *st;
    int rc = db_query(c->db, months ? ROWS_SELECT("coaching_months", "month") : ROWS_SELECT("coaching_days", "day"),
                      &st, "iiii", store_id, store_id, from, to);
    while (db_next(st, &rc)) {
        struct coaching_person *p;
        if ((rc = person_of(c, r, h, db_col_int64(st, 0), &p)) != TD_OK || !p) continue;
        int kind = enum_map_find(&policy_kind_map, db_col_text(st, 1), 0);
        int res = enum_map_find(&policy_resolution_map, db_col_text(st, 2), 0);
        int64_t count = db_col_int64(st, 5);
        p->cases += count;
        p->by_kind[kind >= 0 && kind < COACHING_KINDS ? kind : 0] += count;
        p->by_resolution[res >= 0 && res < COACHING_KINDS ? res : 0] += count;
        if (db_col_int64(st, 3)) p->overrides += count;
        if (db_col_int64(st, 4)) p->goodwill_cases += count;
        p->goodwill_cents += db_col_int64(st, 6);
    }
    return db_end(st, rc);
}

/* The cases of days [from_day, to_day]: the whole months between from
 * coaching_months, the days before and after them from coaching_days. */
static int read_cases(struct dctx *c, const struct coaching_query *q, const struct nps_query *days,
                      struct coaching_report *r, struct by_id *h)
{
    int64_t from = days->from_day, end = days->to_day + 1;
    int64_t first = coaching_month_of(from), last = coaching_month_of(end);   /* whole months: [first, last) */
    if (first != from) first = coaching_month_of(first + 31);
    if (first >= last) first = last = end;          /* no whole month: every day from the days */
    int rc = count_rows(c, r, h, q->store_id, 1, first, last);
    if (rc == TD_OK) rc = count_rows(c, r, h, q->store_id, 0, from, first);
    if (rc == TD_OK) rc = count_rows(c, r, h, q->store_id, 0, last, end);
    return rc;
}

/* The knowledge scores of everyone at once: two statements, not one per
 * person (on PostgreSQL each is a round trip). */
struct scores {
    struct coaching_report *r;
    struct by_id *h;
};

static int count_score(void *arg, int64_t staff_id, int64_t answered, int64_t correct)
{
    struct scores *s = arg;
    struct slot *x = s->h->cap ? slot_of(s->h, staff_id) : NULL;
    if (x && x->at && x->at != SKIP) {
        s->r->people[x->at - 1].knowledge.answered = answered;
        s->r->people[x->at - 1].knowledge.correct = correct;
    }
    return TD_OK;
}

static int read_scores(struct dctx *c, struct coaching_report *r, struct by_id *h)
{
    int64_t questions;
    int rc = TD_OK;
    for (size_t i = 0; i < r->n && rc == TD_OK; i++)          /* everyone known by id, also by answers alone */
        if (r->people[i].staff_id) rc = by_id_put(h, r->people[i].staff_id, i + 1);
    struct scores s = {r, h};
    if (rc == TD_OK) rc = quiz_scores_each(c, &questions, count_score, &s);
    for (size_t i = 0; i < r->n && rc == TD_OK; i++)
        if (r->people[i].staff_id) r->people[i].knowledge.questions = questions;
    return rc;
}

static int count_answers(void *arg, const struct nps_row *row)
{
    if (!row->key[0]) return TD_OK;                /* answers to cases of nobody known */
    struct coaching_person *p = person(arg, row->key);
    if (!p) return TD_E_NOMEM;
    p->promoters += row->f.promoters;
    p->passives += row->f.passives;
    p->detractors += row->f.detractors;
    return TD_OK;
}

/* Who someone counted only by their answers is (their id, name, store). */
static int complete(struct dctx *c, struct coaching_report *r)
{
    int rc = TD_OK;
    for (size_t i = 0; i < r->n && rc == TD_OK; i++) {
        struct coaching_person *p = &r->people[i];
        if (p->staff_id) continue;
        rc = db_get_read(c->db, "SELECT " WHO_COLS " FROM staff a" WHO_JOIN " WHERE a.login = ?", read_details, p, "t",
                         p->login);
        if (rc == TD_E_NOT_FOUND) rc = domain_copy(p->name, sizeof p->name, p->login);   /* a login since renamed */
    }
    return rc;
}

/* By name as a reader orders names ("mark" before "Zoë": folded, see
 * text_fold), then by login. */
static int by_name(const void *x, const void *y)
{
    const struct coaching_person *a = x, *b = y;
    char fa[NAME_SZ], fb[NAME_SZ];
    int d = domain_fold(fa, sizeof fa, a->name) == TD_OK && domain_fold(fb, sizeof fb, b->name) == TD_OK
                ? strcmp(fa, fb)
                : strcmp(a->name, b->name);
    return d ? d : strcmp(a->login, b->login);
}

int coaching_read(struct dctx *c, const struct coaching_query *q, struct coaching_report *out)
{
    memset(out, 0, sizeof *out);
    struct nps_query nq = {.by = NPS_ASSOCIATE, .store_id = q->store_id};
    coaching_days_of(q->from_us, q->to_us, &nq.from_day, &nq.to_day);
    struct by_id h = {0};
    int rc = read_staff(c, q, out);
    for (size_t i = 0; i < out->n && rc == TD_OK; i++) rc = by_id_put(&h, out->people[i].staff_id, i + 1);
    if (rc == TD_OK) rc = read_cases(c, q, &nq, out, &h);
    if (rc == TD_OK) rc = nps_each(c, &nq, count_answers, out);
    if (rc == TD_OK) rc = complete(c, out);
    if (rc == TD_OK) rc = read_scores(c, out, &h);
    free(h.s);
    if (rc != TD_OK) {
        coaching_report_free(out);
        return rc;
    }
    if (out->n) qsort(out->people, out->n, sizeof out->people[0], by_name);
    return TD_OK;
}

void coaching_report_free(struct coaching_report *r)
{
    free(r->people);
    memset(r, 0, sizeof *r);
}

/* A person's newest overrides, through cases_overrides (migration 0020):
 * only their overrides are visited, newest first, until the limit. */
#define OVERRIDES_SELECT(store)                                                                                        \
    "SELECT k.id, k.resolved_at, k.kind, COALESCE(k.rec_resolution, ''), COALESCE(k.resolution, ''),"                  \
    " k.override_reason, COALESCE(k.rec_amount_cents, 0), COALESCE(k.amount_cents, 0) FROM cases k"                   \
    " WHERE COALESCE(k.associate_id, k.resolved_by) = ? AND k.override_reason IS NOT NULL"                            \
    " AND k.resolved_at >= ? AND k.resolved_at < ? AND k.status IN ('resolved', 'followed_up')" store                  \
    " ORDER BY k.resolved_at DESC, k.id DESC LIMIT ?"

int coaching_overrides_each(struct dctx *c, const struct coaching_query *q, int64_t staff_id, int limit,
                            int (*fn)(void *arg, const struct coaching_override *o), void *arg)
{
    struct db_stmt *st;
    int rc = q->store_id ? db_query(c->db, OVERRIDES_SELECT(" AND k.store_id = ?"), &st, "iiiii", staff_id, q->from_us,
                                    q->to_us, q->store_id, (int64_t)limit)
                         : db_query(c->db, OVERRIDES_SELECT(""), &st, "iiii", staff_id, q->from_us, q->to_us,
                                    (int64_t)limit);
    struct coaching_override o = {.staff_id = staff_id};
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iissssii", &o.case_id, &o.resolved_at, &o.kind, &o.recommended, &o.chosen, &o.reason,
                           &o.recommended_cents, &o.chosen_cents)) == TD_OK)
            rc = fn(arg, &o);
    }
    return db_end(st, rc);
}

struct listed {
    int (*fn)(void *arg, size_t i, const struct coaching_override *o);
    void *arg;
    size_t i;
};

static int list_one(void *arg, const struct coaching_override *o)
{
    struct listed *l = arg;
    return l->fn(l->arg, l->i, o);
}

/* On PostgreSQL the people's newest overrides in one statement, a round
 * trip saved per person: a lateral walk of cases_overrides for each id of
 * the list, in the list's order. */
#define OVERRIDES_LATERAL(store)                                                                                       \
    "SELECT w.i, k.id, k.resolved_at, k.kind, COALESCE(k.rec_resolution, ''), COALESCE(k.resolution, ''),"             \
    " k.override_reason, COALESCE(k.rec_amount_cents, 0), COALESCE(k.amount_cents, 0)"                                 \
    " FROM unnest(string_to_array(?, ',')::bigint[]) WITH ORDINALITY AS w(id, i) CROSS JOIN LATERAL"                 \
    " (SELECT * FROM cases k WHERE COALESCE(k.associate_id, k.resolved_by) = w.id AND k.override_reason IS NOT NULL" \
    " AND k.resolved_at >= ? AND k.resolved_at < ? AND k.status IN ('resolved', 'followed_up')" store                  \
    " ORDER BY k.resolved_at DESC, k.id DESC LIMIT ?) k ORDER BY w.i, k.resolved_at DESC, k.id DESC"

static int overrides_lateral(struct dctx *c, const struct coaching_query *q, const int64_t *ids, size_t n, int limit,
                             int (*fn)(void *arg, size_t i, const struct coaching_override *o), void *arg)
{
    size_t cap = n * 21 + 1, used = 0;
    char *list = malloc(cap);
    if (!list) return TD_E_NOMEM;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(list + used, cap - used, "%s%" PRId64, i ? "," : "", ids[i]);
    struct db_stmt *st;
    int rc = q->store_id ? db_query(c->db, OVERRIDES_LATERAL(" AND k.store_id = ?"), &st, "tiiii", list, q->from_us,
                                    q->to_us, q->store_id, (int64_t)limit)
                         : db_query(c->db, OVERRIDES_LATERAL(""), &st, "tiii", list, q->from_us, q->to_us, (int64_t)limit);
    struct coaching_override o;
    int64_t at;
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iiissssii", &at, &o.case_id, &o.resolved_at, &o.kind, &o.recommended, &o.chosen,
                           &o.reason, &o.recommended_cents, &o.chosen_cents)) != TD_OK)
            continue;
        if (at < 1 || (size_t)at > n) rc = TD_E_INTERNAL;
        else o.staff_id = ids[at - 1], rc = fn(arg, (size_t)at - 1, &o);
    }
    rc = db_end(st, rc);
    free(list);
    return rc;
}

int coaching_overrides_of(struct dctx *c, const struct coaching_query *q, const int64_t *staff_ids, size_t n, int limit,
                          int (*fn)(void *arg, size_t i, const struct coaching_override *o), void *arg)
{
    if (n == 0) return TD_OK;
    if (db_backend(c->db) == DB_POSTGRES) return overrides_lateral(c, q, staff_ids, n, limit, fn, arg);
    struct listed l = {fn, arg, 0};
    int rc = TD_OK;
    for (; l.i < n && rc == TD_OK; l.i++) rc = coaching_overrides_each(c, q, staff_ids[l.i], limit, list_one, &l);
    return rc;
}
