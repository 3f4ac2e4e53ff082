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
 * counts customers once (mark_first, one pass over a table of customers).
 * The first cases are sorted once in the estimate's order (stratum, case):
 * each window's compared cases are that order's cases without goodwill, and
 * every group (the chain, the store, each row) takes its cases with
 * goodwill from it in that order, so no group sorts its own. The rows are
 * grouped in one pass over a table of (store, month, category, policy
 * version) and only the groups are sorted. goodwill_totals() stops before
 * the rows. goodwill_cases_each() gives the same cases, for the demo's
 * plant. Nothing is written.
 */
#include "domain/goodwill.h"
#include "domain/matching.h"
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

#define LABEL_SLOTS (2 * GOODWILL_LABELS_MAX)   /* a power of two, at most half full */

struct labels {
    size_t n;
    char *s[GOODWILL_LABELS_MAX];
    unsigned slot[LABEL_SLOTS];                 /* index + 1 into s; 0: free */
};

/* One case as read. */
struct gcase {
    int64_t case_id, customer_id, store_id, resolved_at;
    int64_t spend_before, goodwill, funded;
    int64_t spend[GOODWILL_WINDOWS], visits[GOODWILL_WINDOWS];
    uint64_t stratum;
    int tenure, year, month;
    unsigned cat, pv;
    enum policy_tier tier;
    int first;                         /* the customer's first case in the period: the one the estimate counts */
};

struct gather {
    struct gcase *v;
    size_t n, cap;
    struct labels *lab;
    int64_t hour;                      /* the UTC hour whose Amsterdam month is year, month (year 0: none yet) */
    int year, month;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The index of text among the labels, added when new; 0 ("") when there is
 * no room or no memory: a label is a name to group by, not a figure. */
static unsigned label_of(struct labels *l, const char *text)
{
    if (!text || !*text) return 0;
    size_t at = (size_t)hash_text(text) & (LABEL_SLOTS - 1);
    for (; l->slot[at]; at = (at + 1) & (LABEL_SLOTS - 1))
        if (strcmp(l->s[l->slot[at] - 1], text) == 0) return l->slot[at] - 1;
    if (l->n == GOODWILL_LABELS_MAX) return 0;
    char *d = strdup(text);
    if (!d) return 0;
    l->s[l->n] = d;
    l->slot[at] = (unsigned)l->n + 1;
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
    /* An Amsterdam month begins on a UTC hour, so one hour has one month;
     * the cases come in the order they were decided, mostly hour by hour. */
    int64_t hour = o->resolved_at >= 0 ? o->resolved_at / (3600 * US) : -1 - (-1 - o->resolved_at) / (3600 * US);
    if (hour != g->hour || g->year == 0) {
        amsterdam_month(o->resolved_at, &g->year, &g->month);
        g->hour = hour;
    }
    k->year = g->year;
    k->month = g->month;
    return TD_OK;
}

/* A slot of size a power of two at least twice n, for open addressing. */
static size_t slots_for(size_t n)
{
    size_t z = 16;
    while (z < 2 * n) z *= 2;
    return z;
}

static size_t hash_id(int64_t id, size_t mask)
{
    return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 17) & mask;
}

/* Whether case a comes before case b of the same customer. */
static int earlier(const struct gcase *a, const struct gcase *b)
{
    return a->resolved_at != b->resolved_at ? a->resolved_at < b->resolved_at : a->case_id < b->case_id;
}

/* Marks each customer's first resolved case (the earliest, then the lowest
 * case id): the estimate counts every customer once, so that one customer's
 * many cases (and the windows that overlap between them) do not weigh as
 * many customers. One pass, each customer's earliest case kept in a table. */
static int mark_first(struct gather *g)
{
    size_t z = slots_for(g->n), mask = z - 1;
    size_t *slot = malloc(z * sizeof *slot);   /* index + 1 into g->v; 0: free */
    if (!slot) return TD_E_NOMEM;
    memset(slot, 0, z * sizeof *slot);
    for (size_t i = 0; i < g->n; i++) {
        struct gcase *k = &g->v[i];
        size_t at = hash_id(k->customer_id, mask);
        while (slot[at] && g->v[slot[at] - 1].customer_id != k->customer_id) at = (at + 1) & mask;
        if (!slot[at] || earlier(k, &g->v[slot[at] - 1])) slot[at] = i + 1;
    }
    for (size_t at = 0; at < z; at++)
        if (slot[at]) g->v[slot[at] - 1].first = 1;
    free(slot);
    return TD_OK;
}

/* The resolved cases of known customers whose last decision was taken in
 * the period, each with its goodwill and what followed, in the order the
 * decisions were taken: one range of case_outcomes (outcomes.h). */
static int gather(struct dctx *c, int64_t from_us, int64_t to_us, struct gather *g)
{
    int rc = outcomes_goodwill_each(c, from_us, to_us, on_outcome, g);
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

static int window_open(const struct gcase *k, int w, int64_t now_us)
{
    return k->resolved_at + goodwill_window_days[w] * DAY_US > now_us;
}

/* A first case's place in the estimate's order, (stratum, case id). */
struct okey {
    uint64_t stratum;
    int64_t case_id;
    size_t i;
};

static int by_obs(const void *x, const void *y)
{
    const struct okey *a = x, *b = y;
    if (a->stratum != b->stratum) return a->stratum < b->stratum ? -1 : 1;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

/* The report's context while rows are estimated. */
struct est {
    const struct gather *g;
    int64_t now_us;
    struct goodwill_obs *compared[GOODWILL_WINDOWS];
    size_t ncompared[GOODWILL_WINDOWS];
    struct goodwill_obs *scratch;              /* g->n places */
};

/* Estimates one group into row: its cases idx[0..n) (indexes into g->v)
 * for the counts and the goodwill, and its customers' first cases with
 * goodwill first[0..nf), in the estimate's order (stratum, case id), for
 * the open windows and each window's figure. */
static int estimate_row(struct est *e, const size_t *idx, size_t n, const size_t *first, size_t nf,
                        struct goodwill_row *row)
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
        for (size_t i = 0; i < nf; i++) {
            const struct gcase *k = &e->g->v[first[i]];
            if (window_open(k, w, e->now_us)) {
                row->open[w]++;
                continue;
            }
            e->scratch[m++] = (struct goodwill_obs){k->stratum, k->case_id, k->goodwill, k->spend[w], k->visits[w]};
        }
        /* The stream from the cases themselves: the same cases give the same
         * interval in a row, the store's total and the chain's. */
        uint64_t stream = 1469598103934665603ull ^ (uint64_t)w;
        for (size_t i = 0; i < m; i++) stream = (stream ^ (uint64_t)e->scratch[i].case_id) * 1099511628211ull;
        struct goodwill_params p = {.min_cases = goodwill_min_cases(), .seed = GOODWILL_SEED, .stream = stream,
                                    .normal_from = match_normal_from()};
        rc = goodwill_estimate(e->scratch, m, e->compared[w], e->ncompared[w], &p, &row->est[w]);
    }
    return rc;
}

/* A row: store, Amsterdam month, category, policy version; and where its
 * cases go once the rows are in order. */
struct group {
    int64_t store_id;
    int year, month;
    unsigned cat, pv;
    size_t n, nf, at, atf;             /* its cases and first cases with goodwill; where they start */
};

/* The ranks of the labels in the order of their texts (rank[i] for
 * l->s[i]): the rows are ordered by text, not by which label was read
 * first. Insertion: there are a few dozen labels. */
static int label_ranks(const struct labels *l, unsigned *rank)
{
    unsigned *by = malloc(l->n * sizeof *by);
    if (!by) return TD_E_NOMEM;
    for (size_t i = 0; i < l->n; i++) {
        size_t j = i;
        for (; j > 0 && strcmp(l->s[by[j - 1]], l->s[i]) > 0; j--) by[j] = by[j - 1];
        by[j] = (unsigned)i;
    }
    for (size_t r = 0; r < l->n; r++) rank[by[r]] = (unsigned)r;
    free(by);
    return TD_OK;
}

/* A row's place in the row order: store, month, category, policy version
 * (the texts' ranks). */
struct gkey {
    int64_t store_id;
    int year, month;
    unsigned cat, pv;
    size_t gid;
};

static int by_group(const void *x, const void *y)
{
    const struct gkey *a = x, *b = y;
    if (a->store_id != b->store_id) return a->store_id < b->store_id ? -1 : 1;
    if (a->year != b->year) return a->year - b->year;
    if (a->month != b->month) return a->month - b->month;
    if (a->cat != b->cat) return a->cat < b->cat ? -1 : 1;
    return (a->pv > b->pv) - (a->pv < b->pv);
}

static size_t hash_group(const struct gcase *k, size_t mask)
{
    uint64_t h = (uint64_t)k->store_id * 0x9e3779b97f4a7c15ull;
    h = (h ^ ((uint64_t)(unsigned)k->year << 4 | (uint64_t)(unsigned)k->month)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ ((uint64_t)k->cat << 32 | k->pv)) * 0x94d049bb133111ebull;
    return (size_t)(h >> 17) & mask;
}

static int same_group(const struct group *r, const struct gcase *k)
{
    return r->store_id == k->store_id && r->year == k->year && r->month == k->month && r->cat == k->cat && r->pv == k->pv;
}

static int store_code(struct dctx *c, int64_t id, char *out, size_t n)
{
    struct store s;
    int rc = store_get(c, id, &s);
    if (rc == TD_OK) snprintf(out, n, "%s", s.code);
    return rc;
}

/* The rows of the cases idx[0..m) (first[0..nf): their customers' first
 * cases with goodwill, in the estimate's order): grouped in one pass, the
 * groups put in the row order, the first GOODWILL_ROWS_MAX estimated, every
 * one counted in rows_total. */
static int report_rows(struct dctx *c, struct est *e, const size_t *idx, size_t m, const size_t *first, size_t nf,
                       struct goodwill_report *out)
{
    const struct gcase *v = e->g->v;
    const struct labels *lab = e->g->lab;
    size_t z = slots_for(m), mask = z - 1, ng = 0;
    size_t *slot = calloc(z, sizeof *slot), *gid = malloc((e->g->n ? e->g->n : 1) * sizeof *gid);
    struct group *grp = malloc((m ? m : 1) * sizeof *grp);
    struct gkey *keys = NULL;
    size_t *pos = NULL, *ridx = NULL, *rfirst = NULL;
    unsigned *rank = malloc(lab->n * sizeof *rank);
    int rc = slot && gid && grp && rank ? label_ranks(lab, rank) : TD_E_NOMEM;
    if (rc != TD_OK) goto out;
    for (size_t i = 0; i < m; i++) {
        const struct gcase *k = &v[idx[i]];
        size_t at = hash_group(k, mask);
        while (slot[at] && !same_group(&grp[slot[at] - 1], k)) at = (at + 1) & mask;
        if (!slot[at]) {
            grp[ng] = (struct group){k->store_id, k->year, k->month, k->cat, k->pv, 0, 0, 0, 0};
            slot[at] = ++ng;
        }
        gid[idx[i]] = slot[at] - 1;
    }
    out->rows_total = (int64_t)ng;
    rc = TD_E_NOMEM;
    if (!(keys = malloc((ng ? ng : 1) * sizeof *keys)) || !(pos = malloc((ng ? ng : 1) * sizeof *pos)) ||
        !(ridx = malloc((m ? m : 1) * sizeof *ridx)) || !(rfirst = malloc((nf ? nf : 1) * sizeof *rfirst)))
        goto out;
    for (size_t r = 0; r < ng; r++)
        keys[r] = (struct gkey){grp[r].store_id, grp[r].year, grp[r].month, rank[grp[r].cat], rank[grp[r].pv], r};
    if (ng) qsort(keys, ng, sizeof *keys, by_group);
    for (size_t o = 0; o < ng; o++) pos[keys[o].gid] = o;
    size_t nrows = ng < GOODWILL_ROWS_MAX ? ng : GOODWILL_ROWS_MAX;
    if (nrows && !(out->rows = calloc(nrows, sizeof *out->rows))) goto out;
    /* Each listed row's cases, and its first cases in the estimate's order. */
    for (size_t i = 0; i < m; i++) grp[gid[idx[i]]].n++;
    for (size_t i = 0; i < nf; i++) grp[gid[first[i]]].nf++;
    size_t at = 0, atf = 0;
    for (size_t o = 0; o < nrows; o++) {
        struct group *r = &grp[keys[o].gid];
        r->at = at, r->atf = atf;
        at += r->n, atf += r->nf;
        r->n = r->nf = 0;
    }
    for (size_t i = 0; i < m; i++) {
        struct group *r = &grp[gid[idx[i]]];
        if (pos[gid[idx[i]]] < nrows) ridx[r->at + r->n++] = idx[i];
    }
    for (size_t i = 0; i < nf; i++) {
        struct group *r = &grp[gid[first[i]]];
        if (pos[gid[first[i]]] < nrows) rfirst[r->atf + r->nf++] = first[i];
    }
    rc = TD_OK;
    int64_t last_store = 0;
    char last_code[CODE_SZ] = "";
    for (size_t o = 0; o < nrows && rc == TD_OK; o++) {
        const struct group *r = &grp[keys[o].gid];
        struct goodwill_row *row = &out->rows[out->n_rows];
        row->store_id = r->store_id;
        if (r->store_id != last_store && (rc = store_code(c, r->store_id, last_code, sizeof last_code)) != TD_OK) break;
        last_store = r->store_id;
        memcpy(row->store_code, last_code, sizeof row->store_code);
        row->category = lab->s[r->cat];
        row->policy_version = lab->s[r->pv];
        row->year = r->year;
        row->month = r->month;
        rc = estimate_row(e, ridx + r->at, r->n, rfirst + r->atf, r->nf, row);
        out->n_rows++;
    }
out:
    free(rfirst);
    free(ridx);
    free(pos);
    free(keys);
    free(rank);
    free(grp);
    free(gid);
    free(slot);
    return rc;
}

/* The report; its rows only when asked (the simulator reads the totals). */
static int report(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us, bool rows,
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
    size_t *idx = NULL, *first = NULL;
    struct okey *keys = NULL;
    int rc = gather(c, from_us, to_us, &g);
    if (rc != TD_OK) goto out;
    size_t n = g.n, nk = 0, nf = 0;

    /* The customers' first cases in the estimate's order, sorted once: the
     * compared cases of each window, and the cases with goodwill that every
     * group takes its own from, in that order. */
    rc = TD_E_NOMEM;
    if (!(keys = malloc((n ? n : 1) * sizeof *keys)) || !(idx = calloc(n ? n : 1, sizeof *idx)) ||
        !(first = calloc(n ? n : 1, sizeof *first)) || !(e.scratch = malloc((n ? n : 1) * sizeof *e.scratch)))
        goto out;
    for (int w = 0; w < GOODWILL_WINDOWS; w++)
        if (!(e.compared[w] = malloc((n ? n : 1) * sizeof *e.compared[w]))) goto out;
    rc = TD_OK;
    for (size_t i = 0; i < n; i++) {
        struct gcase *k = &g.v[i];
        k->stratum = goodwill_stratum(k->store_id, k->cat, k->tier, k->spend_before, k->tenure);
        if (k->first) keys[nk++] = (struct okey){k->stratum, k->case_id, i};
    }
    if (nk) qsort(keys, nk, sizeof *keys, by_obs);
    for (size_t t = 0; t < nk; t++) {
        const struct gcase *k = &g.v[keys[t].i];
        if (k->goodwill) {
            first[nf++] = keys[t].i;
            continue;
        }
        out->compared_cases++;
        for (int w = 0; w < GOODWILL_WINDOWS; w++) {
            if (window_open(k, w, now_us)) out->compared_open[w]++;
            else e.compared[w][e.ncompared[w]++] = (struct goodwill_obs){k->stratum, k->case_id, 0, k->spend[w], k->visits[w]};
        }
    }

    /* The chain, then the store's total, then the store's (or every) rows. */
    for (size_t i = 0; i < n; i++) idx[i] = i;
    out->chain.category = "";
    if ((rc = estimate_row(&e, idx, n, first, nf, &out->chain)) != TD_OK) goto out;
    size_t m = 0, mf = 0;
    for (size_t i = 0; i < n; i++)
        if (!store_id || g.v[i].store_id == store_id) idx[m++] = i;
    for (size_t i = 0; i < nf; i++)
        if (!store_id || g.v[first[i]].store_id == store_id) first[mf++] = first[i];
    if (store_id) {
        out->store.store_id = store_id;
        out->store.category = "";
        if ((rc = store_code(c, store_id, out->store.store_code, sizeof out->store.store_code)) != TD_OK ||
            (rc = estimate_row(&e, idx, m, first, mf, &out->store)) != TD_OK)
            goto out;
    }
    if (rows) rc = report_rows(c, &e, idx, m, first, mf, out);
out:
    for (int w = 0; w < GOODWILL_WINDOWS; w++) free(e.compared[w]);
    free(e.scratch);
    free(first);
    free(keys);
    free(idx);
    free(g.v);
    return rc;
}

int goodwill_report(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us,
                    struct goodwill_report *out)
{
    return report(c, from_us, to_us, store_id, now_us, true, out);
}

int goodwill_totals(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us,
                    struct goodwill_report *out)
{
    return report(c, from_us, to_us, store_id, now_us, false, out);
}

void goodwill_report_free(struct goodwill_report *r)
{
    labels_free(r->priv);
    free(r->rows);
    r->priv = NULL;
    r->rows = NULL;
}
