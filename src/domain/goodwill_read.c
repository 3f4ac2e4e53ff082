/* goodwill_read.c — the reading around the goodwill estimate (goodwill.h):
 * the cases of a period with the facts their decision was made on, their
 * goodwill, and the spend and visits of their customer after them.
 *
 * One read: the case_outcomes rows (outcomes.h) of the cases whose last
 * decision was taken in the period, in the order the decisions were taken:
 * store, category, tier, spend before and tenure as the decision knew them
 * (never today's facts), the policy version, the case's goodwill, and its
 * customer's spend and visits in the 90 and 180 days after it, kept up to
 * date as receipts are imported. One index range; no decision's JSON, no
 * receipt is read here.
 * Each customer's first resolved case of the period is marked: the estimate
 * counts customers once (mark_first). Then each window's compared cases are
 * sorted once and every row (and the totals) estimated against them.
 * goodwill_cases_each() gives the same cases, for the demo's plant. Nothing
 * is written.
 */
#include "domain/goodwill.h"
#include "core/clock.h"
#include "core/enum_map.h"
#include "core/vec.h"
#include "db/db.h"
#include "domain/outcomes.h"
#include "domain/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US (86400LL * 1000000)
#define US 1000000LL

struct labels {
    size_t n;
    char *s[GOODWILL_LABELS_MAX];
};

/* One case as read. */
struct gcase {
    int64_t case_id, customer_id, store_id, resolved_at;
    int64_t spend_before, goodwill, funded;
    int64_t spend[GOODWILL_WINDOWS], visits[GOODWILL_WINDOWS];
    int tenure, year, month;
    unsigned cat, pv;
    enum policy_tier tier;
    int first;                         /* the customer's first case in the period: the one the estimate counts */
};

struct gather {
    struct gcase *v;
    size_t n, cap;
    struct labels *lab;
};

/* The index of text among the labels, added when new; 0 ("") when there is
 * no room or no memory: a label is a name to group by, not a figure. */
static unsigned label_of(struct labels *l, const char *text)
{
    if (!text || !*text) return 0;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->s[i], text) == 0) return (unsigned)i;
    if (l->n == GOODWILL_LABELS_MAX) return 0;
    char *d = strdup(text);
    if (!d) return 0;
    l->s[l->n] = d;
    return (unsigned)l->n++;
}

/* New labels holding "" at 0; NULL without memory. */
static struct labels *labels_new(void)
{
    struct labels *l = calloc(1, sizeof *l);
    if (l && !(l->s[0] = strdup(""))) {
        free(l);
        return NULL;
    }
    if (l) l->n = 1;
    return l;
}

static void labels_free(struct labels *l)
{
    for (size_t i = 0; l && i < l->n; i++) free(l->s[i]);
    free(l);
}

static void amsterdam_month(int64_t us, int *year, int *month)
{
    time_t t = (time_t)(us / US);
    t += clock_amsterdam_offset((int64_t)t);
    struct tm tm;
    gmtime_r(&t, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
}

static int by_case(const void *x, const void *y)
{
    const struct gcase *a = x, *b = y;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

/* One case_outcomes row into g: the labels in the order the decisions were
 * taken (category, then policy version), as the strata's indexes. */
static int on_outcome(void *arg, const struct outcome *o)
{
    struct gather *g = arg;
    if (vec_grow(&g->v, &g->cap, g->n, sizeof *g->v, 256) != TD_OK) return TD_E_NOMEM;
    struct gcase *k = &g->v[g->n++];
    memset(k, 0, sizeof *k);
    k->case_id = o->case_id;
    k->customer_id = o->customer_id;
    k->store_id = o->store_id;
    k->resolved_at = o->resolved_at;
    k->tier = (enum policy_tier)enum_map_find(&policy_tier_map, o->tier, 0);
    k->spend_before = o->spend_before_cents;
    k->tenure = (int)o->tenure_days;
    k->cat = label_of(g->lab, o->category);
    k->pv = label_of(g->lab, o->policy_version);
    k->goodwill = o->goodwill_cents;
    k->funded = o->funded;
    /* The estimate's windows, 90 and 180 days, are the rows' second and third. */
    _Static_assert(GOODWILL_WINDOWS == 2 && OUTCOMES_WINDOWS == 3, "the windows line up");
    for (int w = 0; w < GOODWILL_WINDOWS; w++) {
        k->spend[w] = o->spend[w + 1];
        k->visits[w] = o->visits[w + 1];
    }
    amsterdam_month(o->resolved_at, &k->year, &k->month);
    return TD_OK;
}

/* A case's customer, time and id, to find each customer's first case. */
struct firstkey {
    int64_t customer_id, at, case_id;
    size_t i;
};

static int by_customer(const void *x, const void *y)
{
    const struct firstkey *a = x, *b = y;
    if (a->customer_id != b->customer_id) return a->customer_id < b->customer_id ? -1 : 1;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

/* Marks each customer's first resolved case: the estimate counts every
 * customer once, so that one customer's many cases (and the windows that
 * overlap between them) do not weigh as many customers. */
static int mark_first(struct gather *g)
{
    struct firstkey *f = malloc((g->n ? g->n : 1) * sizeof *f);
    if (!f) return TD_E_NOMEM;
    for (size_t i = 0; i < g->n; i++) f[i] = (struct firstkey){g->v[i].customer_id, g->v[i].resolved_at, g->v[i].case_id, i};
    if (g->n) qsort(f, g->n, sizeof *f, by_customer);
    for (size_t i = 0; i < g->n; i++) g->v[f[i].i].first = i == 0 || f[i].customer_id != f[i - 1].customer_id;
    free(f);
    return TD_OK;
}

/* The resolved cases of known customers whose last decision was taken in
 * the period, each with its goodwill and what followed, in the order the
 * decisions were taken: one range of case_outcomes (outcomes.h). */
static int gather(struct dctx *c, int64_t from_us, int64_t to_us, struct gather *g)
{
    int rc = outcomes_decided_each(c, from_us, to_us, on_outcome, g);
    return rc == TD_OK ? mark_first(g) : rc;
}

int goodwill_cases_each(struct dctx *c, int64_t from_us, int64_t to_us,
                        int (*fn)(void *arg, const struct goodwill_case *k), void *arg)
{
    struct labels *lab = labels_new();
    if (!lab) return TD_E_NOMEM;
    struct gather g = {.lab = lab};
    int rc = gather(c, from_us, to_us, &g);
    if (rc == TD_OK && g.n) qsort(g.v, g.n, sizeof *g.v, by_case);   /* the report's every order is total: only here */
    for (size_t i = 0; i < g.n && rc == TD_OK; i++) {
        const struct gcase *v = &g.v[i];
        struct goodwill_case k = {v->case_id, v->customer_id, v->store_id, v->resolved_at, v->goodwill, v->first};
        rc = fn(arg, &k);
    }
    free(g.v);
    labels_free(lab);
    return rc;
}

static uint64_t stratum_of(const struct gcase *k)
{
    return goodwill_stratum(k->store_id, k->cat, k->tier, k->spend_before, k->tenure);
}

static int window_open(const struct gcase *k, int w, int64_t now_us)
{
    return k->resolved_at + goodwill_window_days[w] * DAY_US > now_us;
}

/* The report's context while rows are estimated. */
struct est {
    const struct gather *g;
    int64_t now_us;
    struct goodwill_obs *compared[GOODWILL_WINDOWS];
    size_t ncompared[GOODWILL_WINDOWS];
    struct goodwill_obs *scratch;              /* g->n places */
};

/* Estimates one group, given its cases idx[0..n) (indexes into g->v), into
 * row: counts, goodwill, open windows and each window's figure. */
static int estimate_row(struct est *e, const size_t *idx, size_t n, struct goodwill_row *row)
{
    int rc = TD_OK;
    for (size_t i = 0; i < n; i++) {
        const struct gcase *k = &e->g->v[idx[i]];
        row->cases++;
        if (!k->goodwill) continue;
        row->given_cases++;
        *(k->funded ? &row->funded_cents : &row->beyond_strict_cents) += k->goodwill;
    }
    for (int w = 0; w < GOODWILL_WINDOWS && rc == TD_OK; w++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const struct gcase *k = &e->g->v[idx[i]];
            if (!k->goodwill || !k->first) continue;
            if (window_open(k, w, e->now_us)) {
                row->open[w]++;
                continue;
            }
            e->scratch[m++] = (struct goodwill_obs){stratum_of(k), k->case_id, k->goodwill, k->spend[w], k->visits[w]};
        }
        goodwill_sort(e->scratch, m);
        /* The stream from the cases themselves: the same cases give the same
         * interval in a row, the store's total and the chain's. */
        uint64_t stream = 1469598103934665603ull ^ (uint64_t)w;
        for (size_t i = 0; i < m; i++) stream = (stream ^ (uint64_t)e->scratch[i].case_id) * 1099511628211ull;
        struct goodwill_params p = {.min_cases = goodwill_min_cases(), .seed = GOODWILL_SEED, .stream = stream};
        rc = goodwill_estimate(e->scratch, m, e->compared[w], e->ncompared[w], &p, &row->est[w]);
    }
    return rc;
}

/* A case's place in the row order: store, month, category, policy version,
 * case (the texts, not their indexes, so the order does not depend on which
 * was read first). */
struct rowkey {
    int64_t store_id, case_id;
    int year, month;
    const char *cat, *pv;
    size_t i;
};

static int by_row(const void *x, const void *y)
{
    const struct rowkey *a = x, *b = y;
    int d;
    if (a->store_id != b->store_id) return a->store_id < b->store_id ? -1 : 1;
    if (a->year != b->year) return a->year - b->year;
    if (a->month != b->month) return a->month - b->month;
    if ((d = strcmp(a->cat, b->cat)) != 0) return d;
    if ((d = strcmp(a->pv, b->pv)) != 0) return d;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

static int same_row(const struct gcase *a, const struct gcase *b)
{
    return a->store_id == b->store_id && a->year == b->year && a->month == b->month && a->cat == b->cat && a->pv == b->pv;
}

static int store_code(struct dctx *c, int64_t id, char *out, size_t n)
{
    struct store s;
    int rc = store_get(c, id, &s);
    if (rc == TD_OK) snprintf(out, n, "%s", s.code);
    return rc;
}

int goodwill_report(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us,
                    struct goodwill_report *out)
{
    memset(out, 0, sizeof *out);
    out->from_us = from_us;
    out->to_us = to_us;
    out->store_id = store_id;
    out->min_cases = goodwill_min_cases();
    struct labels *lab = labels_new();
    if (!lab) return TD_E_NOMEM;
    out->priv = lab;
    struct gather g = {.lab = lab};
    struct est e = {.g = &g, .now_us = now_us};
    size_t *idx = NULL;
    int rc = gather(c, from_us, to_us, &g);
    if (rc != TD_OK) goto out;
    size_t n = g.n;

    rc = TD_E_NOMEM;
    if (!(e.scratch = malloc((n ? n : 1) * sizeof *e.scratch)) || !(idx = calloc(n ? n : 1, sizeof *idx))) goto out;
    for (int w = 0; w < GOODWILL_WINDOWS; w++) {
        if (!(e.compared[w] = malloc((n ? n : 1) * sizeof *e.compared[w]))) goto out;
        for (size_t i = 0; i < n; i++) {
            const struct gcase *k = &g.v[i];
            if (k->goodwill || !k->first) continue;
            if (w == 0) out->compared_cases++;
            if (window_open(k, w, now_us)) out->compared_open[w]++;
            else e.compared[w][e.ncompared[w]++] = (struct goodwill_obs){stratum_of(k), k->case_id, 0, k->spend[w], k->visits[w]};
        }
        goodwill_sort(e.compared[w], e.ncompared[w]);
    }
    rc = TD_OK;

    /* The chain, then the store's total, then the store's (or every) rows. */
    for (size_t i = 0; i < n; i++) idx[i] = i;
    out->chain.category = "";
    if ((rc = estimate_row(&e, idx, n, &out->chain)) != TD_OK) goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!store_id || g.v[i].store_id == store_id) idx[m++] = i;
    if (store_id) {
        out->store.store_id = store_id;
        out->store.category = "";
        if ((rc = store_code(c, store_id, out->store.store_code, sizeof out->store.store_code)) != TD_OK ||
            (rc = estimate_row(&e, idx, m, &out->store)) != TD_OK)
            goto out;
    }
    struct rowkey *keys = malloc((m ? m : 1) * sizeof *keys);
    if (!keys) {
        rc = TD_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        const struct gcase *k = &g.v[idx[i]];
        keys[i] = (struct rowkey){k->store_id, k->case_id, k->year, k->month, lab->s[k->cat], lab->s[k->pv], idx[i]};
    }
    if (m) qsort(keys, m, sizeof *keys, by_row);
    for (size_t i = 0; i < m; i++) idx[i] = keys[i].i;
    free(keys);
    for (size_t i = 0; i < m;) {
        size_t end = i + 1;
        while (end < m && same_row(&g.v[idx[i]], &g.v[idx[end]])) end++;
        out->rows_total++;
        i = end;
    }
    size_t nrows = out->rows_total < GOODWILL_ROWS_MAX ? (size_t)out->rows_total : GOODWILL_ROWS_MAX;
    if (nrows && !(out->rows = calloc(nrows, sizeof *out->rows))) {
        rc = TD_E_NOMEM;
        goto out;
    }
    int64_t last_store = 0;
    char last_code[CODE_SZ] = "";
    for (size_t i = 0; i < m && out->n_rows < nrows && rc == TD_OK;) {
        size_t end = i + 1;
        while (end < m && same_row(&g.v[idx[i]], &g.v[idx[end]])) end++;
        const struct gcase *k = &g.v[idx[i]];
        struct goodwill_row *row = &out->rows[out->n_rows];
        row->store_id = k->store_id;
        if (k->store_id != last_store && (rc = store_code(c, k->store_id, last_code, sizeof last_code)) != TD_OK) break;
        last_store = k->store_id;
        memcpy(row->store_code, last_code, sizeof row->store_code);
        row->category = lab->s[k->cat];
        row->policy_version = lab->s[k->pv];
        row->year = k->year;
        row->month = k->month;
        rc = estimate_row(&e, idx + i, end - i, row);
        out->n_rows++;
        i = end;
    }
out:
    for (int w = 0; w < GOODWILL_WINDOWS; w++) free(e.compared[w]);
    free(e.scratch);
    free(idx);
    free(g.v);
    return rc;
}

void goodwill_report_free(struct goodwill_report *r)
{
    labels_free(r->priv);
    free(r->rows);
    r->priv = NULL;
    r->rows = NULL;
}
