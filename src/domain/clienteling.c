/* clienteling.c — an arrival: its candidates (read by clienteling_load.c)
 * matched store by store (clienteling_match.c) and its outreach written
 * (see clienteling.h).
 *
 * The rows are written CL_BATCH to an INSERT (on PostgreSQL each statement
 * is a round trip). Memory: one struct cl_result (about 140 bytes) per
 * customer of the store being matched. */
#include "domain/clienteling.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/status.h"
#include "db/db.h"
#include "domain/clienteling_load.h"

#define DAY_US FACTS_DAY_US


/* Set once by clienteling_rules_from_env() before any thread starts. */
static struct cl_rules chain_rules = {.contact_cap_30d = 2, .holdout_permille = 100, .daily_cap_per_associate = 25};

void clienteling_rules_default(struct cl_rules *out)
{
    *out = chain_rules;
}

/* One setting (domain_setting): unset or empty keeps *v. */
static int rule_env(const char *name, long lo, long hi, int *v, char *why, size_t n)
{
    int64_t x = *v;
    int rc = domain_setting(name, lo, hi, &x, why, n);
    if (rc == TD_OK) *v = (int)x;
    return rc;
}

int clienteling_rules_from_env(char *why, size_t n)
{
    struct cl_rules r = chain_rules;
    int pct = r.holdout_permille / 10;
    int rc = rule_env("TRUSTDESK_CONTACT_CAP", 0, 20, &r.contact_cap_30d, why, n);
    if (rc == TD_OK) rc = rule_env("TRUSTDESK_HOLDOUT_PERCENT", 0, 50, &pct, why, n);
    if (rc == TD_OK) rc = rule_env("TRUSTDESK_TASKS_PER_ASSOCIATE", 1, 500, &r.daily_cap_per_associate, why, n);
    if (rc != TD_OK)
        return rc;
    r.holdout_permille = pct * 10;
    chain_rules = r;
    return TD_OK;
}


static const char SQL_ARRIVAL[] =
    "SELECT arrives_at, first_choice_hours, arrived_at, holdout_key FROM collection_stores"
    " WHERE collection_id = ? AND store_id = ?";
static const char SQL_ARRIVAL_SET[] =
    "UPDATE collection_stores SET arrived_at = ?, holdout_key = ? WHERE collection_id = ? AND store_id = ?"
    " AND arrived_at IS NULL";
static const char SQL_STAFF[] =
    "SELECT id FROM staff WHERE store_id = ? AND active = 1 AND role IN ('associate', 'manager') ORDER BY id";
static const char SQL_LOADS[] =
    "SELECT staff_id, COUNT(*) FROM outreach_tasks WHERE store_id = ? AND due_day = ? AND staff_id IS NOT NULL"
    " GROUP BY staff_id";

/* The rows of an arrival go CL_BATCH to a statement; the rest one by one. */
#define CL_BATCH 32
#define TASK_COLS_N 13
#define TASK_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define TASK_ROWS4 TASK_ROW ", " TASK_ROW ", " TASK_ROW ", " TASK_ROW
#define TASK_ROWS16 TASK_ROWS4 ", " TASK_ROWS4 ", " TASK_ROWS4 ", " TASK_ROWS4
#define TASK_INSERT(rows)                                                                            \
    "INSERT INTO outreach_tasks (collection_id, store_id, customer_id, staff_id, status, score, channel, why_nl,"  \
    " why_en, size, due_day, lapses_at, created_at) VALUES " rows                                    \
    " ON CONFLICT (collection_id, store_id, customer_id) DO NOTHING"
static const char SQL_TASK[] = TASK_INSERT(TASK_ROW);
static const char SQL_TASKS[] = TASK_INSERT(TASK_ROWS16 ", " TASK_ROWS16);

struct arrival {
    int64_t arrives_at, hours, arrived_at;
    uint8_t key[CL_HOLDOUT_KEY_BYTES];
    bool has_key;
};

static int read_arrival(struct dctx *c, int64_t collection_id, int64_t store_id, struct arrival *a)
{
    struct db_stmt *st = NULL;
    memset(a, 0, sizeof *a);
    int rc = db_prepare(c->db, SQL_ARRIVAL, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "ii", collection_id, store_id);
    if (rc == TD_OK)
        rc = db_step(st);
    if (rc == TD_ROW) {
        a->arrives_at = db_col_int64(st, 0);
        a->hours = db_col_int64(st, 1);
        a->arrived_at = db_col_int64(st, 2);
        const char *hex = db_col_text(st, 3);
        size_t got = 0;
        a->has_key = hex && sodium_hex2bin(a->key, sizeof a->key, hex, strlen(hex), NULL, &got, NULL) == 0 &&
                     got == sizeof a->key;
        rc = TD_OK;
    } else if (rc == TD_DONE) {
        rc = TD_E_NOT_FOUND;
    }
    db_done(st);
    return rc;
}

static int load_staff(struct db *db, int64_t store_id, int64_t day, struct cl_load *loads, size_t *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_STAFF, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", store_id);
    while (db_next(st, &rc))
        if (*n < CL_STAFF_MAX)
            loads[(*n)++] = (struct cl_load){.staff_id = db_col_int64(st, 0)};
    db_done(st);
    if (rc != TD_DONE)
        return rc;
    rc = db_prepare(db, SQL_LOADS, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "ii", store_id, day);
    while (db_next(st, &rc))
        for (size_t i = 0; i < *n; i++)
            if (loads[i].staff_id == db_col_int64(st, 0))
                loads[i].used = (int)db_col_int64(st, 1);
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

static void count_staff(struct cl_arrival_summary *out, int64_t staff_id)
{
    for (size_t i = 0; i < out->n_staff; i++)
        if (out->staff[i].staff_id == staff_id) {
            out->staff[i].tasks++;
            return;
        }
    if (out->n_staff < CL_STAFF_MAX + 1)
        out->staff[out->n_staff++] = (struct cl_staff_count){.staff_id = staff_id, .tasks = 1};
}

/* One row to write: a task (or hold-out) of the store's candidate at
 * (results[at], crow l->v[members[at]]). */
struct pending {
    uint32_t at;
    bool holdout;
    int64_t staff_id;                   /* 0: the store pool */
};

/* What the writer needs besides the rows. */
struct writer {
    struct dctx *c;
    int64_t collection_id, store_id, day, lapses_at;
    const struct load *l;
    const uint32_t *members;
    const struct cl_result *results;
    char why[CL_BATCH][2][512];         /* the reasons of one batch, bound without a copy */
};

static int bind_row(struct writer *w, struct db_stmt *st, int base, int slot, const struct pending *p)
{
    const struct crow *r = &w->l->v[w->members[p->at]];
    const struct cl_result *res = &w->results[p->at];
    cl_why_render(res, "nl", w->why[slot][0], sizeof w->why[slot][0]);
    cl_why_render(res, "en", w->why[slot][1], sizeof w->why[slot][1]);
    int64_t ints[] = {w->collection_id, w->store_id, r->id};
    int rc = TD_OK;
    for (int i = 0; i < 3 && rc == TD_OK; i++)
        rc = db_bind_int64(st, base + i + 1, ints[i]);
    if (rc == TD_OK) rc = p->staff_id ? db_bind_int64(st, base + 4, p->staff_id) : db_bind_null(st, base + 4);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 5, p->holdout ? "holdout" : "open");
    if (rc == TD_OK) rc = db_bind_int64(st, base + 6, res->score);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 7, res->channel == CL_CHANNEL_PHONE ? "phone" : "email");
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 8, w->why[slot][0]);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 9, w->why[slot][1]);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 10, r->size);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 11, w->day);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 12, w->lapses_at);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 13, w->c->now_us);
    return rc;
}

/* Writes rows p[0..n) in statements of CL_BATCH rows and single rows. */
static int write_rows(struct writer *w, const struct pending *p, size_t n)
{
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK;) {
        size_t k = n - i >= CL_BATCH ? CL_BATCH : 1;
        struct db_stmt *st = NULL;
        rc = db_prepare(w->c->db, k == CL_BATCH ? SQL_TASKS : SQL_TASK, &st);
        for (size_t j = 0; j < k && rc == TD_OK; j++)
            rc = bind_row(w, st, (int)j * TASK_COLS_N, (int)j, &p[i + j]);
        if (rc == TD_OK && (rc = db_step(st)) == TD_DONE)
            rc = TD_OK;
        db_done(st);
        i += k;
    }
    return rc;
}

/* The store's candidate at crow index ci: its index in members (sorted). */
static uint32_t member_of(const uint32_t *members, size_t n, uint32_t ci)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (members[mid] < ci)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* Matches the candidates of store si (read into l; members[0..n) their
 * indexes, ascending) and, when asked, writes its rows: the hold-out first,
 * then the tasks most valued first. */
static int match_store(struct reader *rd, const struct cl_rules *rules, struct load *l, size_t si,
                       const uint32_t *members, size_t n, const uint8_t key[CL_HOLDOUT_KEY_BYTES], bool write,
                       struct cl_arrival_summary *out)
{
    struct dctx *c = rd->c;
    const struct facets *f = &rd->f[si];
    size_t cap = n ? n : 1;
    struct cl_ranked *ranked = malloc(cap * sizeof *ranked);
    struct cl_result *results = malloc(cap * sizeof *results);
    struct pending *rows = malloc(cap * sizeof *rows);
    struct writer *w = NULL;
    int rc = TD_OK;
    if (!ranked || !results || !rows) {
        rc = TD_E_NOMEM;
        goto out;
    }
    out->candidates = (int64_t)n;
    size_t n_ranked = 0, n_rows = 0;
    int64_t day = c->now_us / DAY_US;
    for (size_t i = 0; i < n; i++) {
        const struct crow *r = &l->v[members[i]];
        if (r->flags & F_DONE) {
            out->already++;
            continue;
        }
        struct cl_candidate cand;
        cl_load_candidate(r, f, &cand);
        cl_match(rules, &cand, &results[i]);
        if (results[i].skip != CL_OK) {
            out->skipped[results[i].skip]++;
            continue;
        }
        out->matched++;
        if (cl_holdout(key, r->id, rules->holdout_permille)) {
            out->holdout++;
            rows[n_rows++] = (struct pending){.at = (uint32_t)i, .holdout = true};
            continue;
        }
        ranked[n_ranked++] = (struct cl_ranked){.customer_id = r->id, .associate_id = r->staff_id,
                                                .score = results[i].score};
    }
    struct cl_load loads[CL_STAFF_MAX];
    size_t n_loads = 0;
    if ((rc = load_staff(c->db, rd->stores[si], day, loads, &n_loads)) != TD_OK)
        goto out;
    cl_assign(rules, ranked, n_ranked, loads, n_loads);
    out->n_staff = 1;                   /* the pool first, even when empty */
    for (size_t i = 0; i < n_ranked; i++) {
        count_staff(out, ranked[i].assigned_to);
        out->tasks++;
        uint32_t ci = (uint32_t)(cl_load_find(l, ranked[i].customer_id) - l->v);
        rows[n_rows++] = (struct pending){.at = member_of(members, n, ci), .staff_id = ranked[i].assigned_to};
    }
    if (!write || n_rows == 0)
        goto out;
    if (!(w = malloc(sizeof *w))) {
        rc = TD_E_NOMEM;
        goto out;
    }
    *w = (struct writer){.c = c, .collection_id = rd->collection_id, .store_id = rd->stores[si], .day = day,
                         .lapses_at = out->lapses_at, .l = l, .members = members, .results = results};
    rc = write_rows(w, rows, n_rows);
out:
    free(w);
    free(rows);
    free(results);
    free(ranked);
    return rc;
}

/* The candidates of each store, in one pass: members holds, store after
 * store, the indexes of that store's candidates in ascending order, from
 * start[s] to start[s + 1]. */
static int group_by_store(const struct load *l, size_t n_stores, uint32_t **members, size_t **start)
{
    *start = calloc(n_stores + 1, sizeof **start);
    *members = malloc((l->n ? l->n : 1) * sizeof **members);
    if (!*start || !*members)
        return TD_E_NOMEM;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].store != NO_STORE)
            (*start)[l->v[i].store + 1]++;
    for (size_t s = 0; s < n_stores; s++)
        (*start)[s + 1] += (*start)[s];
    size_t *next = malloc((n_stores ? n_stores : 1) * sizeof *next);
    if (!next)
        return TD_E_NOMEM;
    memcpy(next, *start, n_stores * sizeof *next);
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].store != NO_STORE)
            (*members)[next[l->v[i].store]++] = (uint32_t)i;
    free(next);
    return TD_OK;
}

/* Reads the arrival of the collection in store_id, and records it (with a
 * fresh hold-out key) when written for the first time. */
static int begin_arrival(struct dctx *c, int64_t collection_id, int64_t store_id, bool write,
                         uint8_t key[CL_HOLDOUT_KEY_BYTES], struct cl_arrival_summary *out)
{
    struct arrival a;
    memset(out, 0, sizeof *out);
    int rc = read_arrival(c, collection_id, store_id, &a);
    if (rc != TD_OK)
        return rc;
    if (!a.has_key)
        randombytes_buf(a.key, sizeof a.key);
    memcpy(key, a.key, CL_HOLDOUT_KEY_BYTES);
    out->arrived_at = a.arrived_at ? a.arrived_at : c->now_us;
    out->lapses_at = out->arrived_at + a.hours * 3600 * INT64_C(1000000);
    if (!write || a.arrived_at)
        return TD_OK;
    char hex[2 * CL_HOLDOUT_KEY_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, a.key, sizeof a.key);
    return db_run(c->db, SQL_ARRIVAL_SET, NULL, "itii", out->arrived_at, hex, collection_id, store_id);
}

int clienteling_arrive_stores(struct dctx *c, const struct cl_rules *rules, int64_t collection_id,
                              const int64_t *store_ids, size_t n, bool write, struct cl_arrival_summary *out)
{
    struct load l = {0};
    struct reader rd = {.c = c, .collection_id = collection_id, .stores = store_ids, .n_stores = n};
    uint8_t (*keys)[CL_HOLDOUT_KEY_BYTES] = NULL;
    int rc = n == 0 || n >= NO_STORE ? TD_E_INVALID : TD_OK;
    if (rc == TD_OK && (!(rd.f = calloc(n, sizeof *rd.f)) || !(keys = malloc(n * sizeof *keys))))
        rc = TD_E_NOMEM;
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = begin_arrival(c, collection_id, store_ids[i], write, keys[i], &out[i]);
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = cl_load_facets(c->db, collection_id, store_ids[i], &rd.f[i]);
    if (rc == TD_OK)
        rc = n == 1 ? cl_load_store(&rd, &l) : cl_load_chain(&rd, &l);
    uint32_t *members = NULL;
    size_t *start = NULL;
    if (rc == TD_OK)
        rc = group_by_store(&l, n, &members, &start);
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = match_store(&rd, rules, &l, i, members + start[i], start[i + 1] - start[i], keys[i], write, &out[i]);
    free(start);
    free(members);
    cl_load_free(&l);
    free(keys);
    free(rd.f);
    return rc;
}

int clienteling_arrive(struct dctx *c, const struct cl_rules *rules, int64_t collection_id, int64_t store_id,
                       bool write, struct cl_arrival_summary *out)
{
    return clienteling_arrive_stores(c, rules, collection_id, &store_id, 1, write, out);
}
/* ---- the collection report --------------------------------------------- */

static const char SQL_REPORT_TASKS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status <> 'holdout' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'holdout' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN outcome IN ('reached', 'hold_made', 'bought') THEN 1 ELSE 0 END), 0)"
    " FROM outreach_tasks WHERE collection_id = ? AND store_id = ?";
static const char SQL_REPORT_HOLDS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN h.status = 'converted' THEN 1 ELSE 0 END), 0)"
    " FROM holds h JOIN products p ON p.id = h.product_id"
    " JOIN collection_styles y ON y.style_id = p.style_id AND y.collection_id = ?"
    " WHERE h.store_id = ? AND h.created_at >= ?";
/* Per group (holdout or not): the customers who bought one of the
 * collection's skus in the store within the window. */
static const char SQL_REPORT_BOUGHT[] =
    "SELECT COALESCE(SUM(CASE WHEN t.status = 'holdout' THEN 0 ELSE 1 END), 0),"
    " COALESCE(SUM(CASE WHEN t.status = 'holdout' THEN 1 ELSE 0 END), 0)"
    " FROM outreach_tasks t WHERE t.collection_id = ? AND t.store_id = ? AND EXISTS ("
    "  SELECT 1 FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
    "  JOIN products p ON p.id = l.product_id"
    "  JOIN collection_styles y ON y.style_id = p.style_id AND y.collection_id = t.collection_id"
    "  WHERE r.customer_id = t.customer_id AND r.store_id = t.store_id"
    "  AND r.purchased_at >= ? AND r.purchased_at < ?)";

int clienteling_report(struct dctx *c, int64_t collection_id, int64_t store_id, struct cl_report *out)
{
    memset(out, 0, sizeof *out);
    struct arrival a;
    int rc = read_arrival(c, collection_id, store_id, &a);
    if (rc != TD_OK || !a.arrived_at)
        return rc;
    out->arrived_at = a.arrived_at;
    struct db_stmt *st = NULL;
    if ((rc = db_get_row(c->db, SQL_REPORT_TASKS, &st, "ii", collection_id, store_id)) == TD_OK)
        rc = db_readf(st, "iiiiii", &out->matched, &out->tasks, &out->holdout, &out->done, &out->lapsed, &out->reached);
    db_done(st);
    if (rc == TD_OK && (rc = db_get_row(c->db, SQL_REPORT_HOLDS, &st, "iii", collection_id, store_id, a.arrived_at)) == TD_OK)
        rc = db_readf(st, "ii", &out->holds, &out->holds_converted);
    db_done(st);
    if (rc == TD_OK && (rc = db_get_row(c->db, SQL_REPORT_BOUGHT, &st, "iiii", collection_id, store_id, a.arrived_at,
                                        a.arrived_at + CL_REPORT_DAYS * DAY_US)) == TD_OK)
        rc = db_readf(st, "ii", &out->bought_treated, &out->bought_holdout);
    db_done(st);
    if (rc != TD_OK) return rc;
    cl_uplift(out->tasks, out->bought_treated, out->holdout, out->bought_holdout, &out->uplift);
    return TD_OK;
}
