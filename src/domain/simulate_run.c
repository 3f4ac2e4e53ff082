/* simulate_run.c — the what-if simulator's reading part (see simulate.h):
 * the customers the guard flagged later, the period's decisions, the store
 * codes; each decision goes through the pure simulate_step().
 *
 * Only SELECTs: the caller's read transaction (the CLI's) or read snapshot
 * (the API's, API_READ_ONLY) holds them, and nothing is written.
 */
#include "domain/simulate.h"
#include "core/vec.h"
#include "db/db.h"
#include "domain/desk_inputs.h"
#include "domain/goodwill.h"
#include "domain/policy_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A customer's last decision at amber or red, and whether one of the
 * period's cases was theirs. */
struct flag {
    int64_t customer_id, last_at;
    bool seen;
};

struct run {
    struct simulate_result *r;
    const struct policy *p;
    struct flag *flags;
    size_t n_flags, cap;
};

static int add_flag(void *arg, struct db_stmt *st)
{
    struct run *x = arg;
    if (vec_grow(&x->flags, &x->cap, x->n_flags, sizeof *x->flags, 256) != TD_OK) return TD_E_NOMEM;
    x->flags[x->n_flags++] = (struct flag){db_col_int64(st, 0), db_col_int64(st, 1), false};
    return TD_OK;
}

/* Customers rated amber or red in any decision after from_us, by id (the
 * query orders them). The level is read from the stored document's "risk"
 * member: "level" is the only field of that name in it, and jansson writes
 * it compact ("level":"red"), so one LIKE serves both backends. The WHERE
 * is the partial index's (migration 0023, decision_inputs_flagged) word for
 * word, so the query reads that index, not every document of the period;
 * on a database without it (simulate does not migrate) the answer is the
 * same, only slower. */
static int load_flags(struct dctx *c, int64_t from_us, struct run *x)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, "SELECT customer_id, MAX(decided_at) FROM decision_inputs WHERE customer_id IS NOT NULL"
                             " AND decided_at > ? AND (inputs_json LIKE '%\"level\":\"amber\"%'"
                             " OR inputs_json LIKE '%\"level\":\"red\"%') GROUP BY customer_id ORDER BY customer_id",
                      &st, "i", from_us);
    while (db_next(st, &rc)) rc = add_flag(x, st);
    return db_end(st, rc);
}

static struct flag *flag_of(struct run *x, int64_t customer_id)
{
    size_t lo = 0, hi = x->n_flags;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->flags[mid].customer_id == customer_id) return &x->flags[mid];
        if (x->flags[mid].customer_id < customer_id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int replay(void *arg, const struct desk_inputs *in)
{
    struct run *x = arg;
    struct flag *f = in->customer_id ? flag_of(x, in->customer_id) : NULL;
    bool later = f && f->last_at > in->decided_at;
    if (later && !f->seen) {
        f->seen = true;
        x->r->flagged_customers++;
    }
    (void)simulate_step(x->r, x->p, in, later);   /* an unreplayable row is counted in r */
    return TD_OK;
}

/* Settings the replay cannot apply: the desk's loader read them to gather
 * the stored inputs. Compared with the chain's policy in force. */
static int loader_settings(struct dctx *c, const struct policy *p, struct simulate_result *r)
{
    struct policy cur;
    int rc = policy_effective(c, 0, &cur);
    if (rc != TD_OK) return rc;
    const char *sep = "";
    size_t n = 0;
    struct {
        bool differs;
        const char *path;
    } s[] = {
        {p->lowest_price_days != cur.lowest_price_days, "no_receipt.lowest_price_days"},
        {p->guard.linked_accounts != cur.guard.linked_accounts, "guard.linked_accounts"},
        {p->guard.quick_days != cur.guard.quick_days, "guard.quick_return.days"},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        if (!s[i].differs) continue;
        int w = snprintf(r->loader_settings + n, sizeof r->loader_settings - n, "%s%s", sep, s[i].path);
        if (w > 0 && (size_t)w < sizeof r->loader_settings - n) n += (size_t)w;
        sep = ", ";
    }
    return TD_OK;
}

static int store_codes(struct dctx *c, struct simulate_result *r)
{
    int rc = TD_OK;
    for (size_t i = 0; i < r->n_stores && rc == TD_OK; i++) {
        struct db_stmt *st = NULL;
        if (r->stores[i].store_id == 0) continue;
        rc = db_get_row(c->db, "SELECT code FROM stores WHERE id = ?", &st, "i", r->stores[i].store_id);
        if (rc == TD_OK) rc = db_readf(st, "t", r->stores[i].code, sizeof r->stores[i].code);
        db_done(st);
    }
    for (size_t i = 0; i < r->n_changes && rc == TD_OK; i++)
        for (size_t k = 0; k < r->n_stores; k++)
            if (r->stores[k].store_id == r->changes[i].store_id)
                memcpy(r->changes[i].store_code, r->stores[k].code, sizeof r->changes[i].store_code);
    return rc;
}

/* The modelled layer: the goodwill economics of the same period and store
 * (the chain's when every store is replayed). */
static int model(struct dctx *c, struct simulate_result *r)
{
    struct goodwill_report g;
    int rc = goodwill_totals(c, r->from_us, r->to_us, r->store_id, c->now_us, &g);
    int w = 0;
    while (w + 1 < GOODWILL_WINDOWS && goodwill_window_days[w] != SIMULATE_MODELLED_WINDOW) w++;
    if (rc == TD_OK) simulate_model(r, &(r->store_id ? &g.store : &g.chain)->est[w], goodwill_window_days[w]);
    goodwill_report_free(&g);
    return rc;
}

int simulate_run(struct dctx *c, const struct policy *p, int64_t from_us, int64_t to_us, int64_t store_id,
                 bool modelled, struct simulate_result *r)
{
    simulate_init(r, from_us, to_us, store_id);
    struct run x = {.r = r, .p = p};
    int rc = load_flags(c, from_us, &x);
    if (rc == TD_OK) rc = desk_inputs_replay_each(c, from_us, to_us, store_id, replay, &x);
    if (rc == TD_OK) rc = store_codes(c, r);
    if (rc == TD_OK) rc = loader_settings(c, p, r);
    if (rc == TD_OK && modelled) rc = model(c, r);
    free(x.flags);
    return rc;
}
