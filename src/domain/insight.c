/* insight.c — see insight.h. The referral outcomes read case_outcomes
 * (outcomes.h): the newest referrals of a period by the (resolved_at) or
 * (store_id, resolved_at) index, and the shares per category and group as
 * one grouped pass over the same range; the matched comparison one more
 * pass over that range's rows (insight_matched_each): each customer's case
 * marked, every compared case of a window sorted once by stratum, and each
 * group of referrals estimated against them (insight_match.c). */
#include "domain/insight.h"
#include "core/enum_map.h"
#include "core/strmap.h"
#include "db/db.h"
#include "domain/goodwill.h"
#include "domain/outcomes.h"
#include "domain/policy.h"
#include <stdlib.h>
#include <string.h>

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

/* ---- the matched comparison: the cases of the period, each customer once ---- */

#define MATCH_COLS                                                                                                    \
    "SELECT o.case_id, o.customer_id, o.store_id, o.resolved_at, o.category, o.tier, o.spend_before_cents,"          \
    " o.tenure_days, o.referred, CASE WHEN o.referred = 1 THEN (SELECT f.reason FROM referrals f"                    \
    " WHERE f.case_id = o.case_id) END, o.visits_30, o.visits_90, o.visits_180 FROM case_outcomes o"                 \
    " WHERE o.resolved_at >= ? AND o.resolved_at < ?"

/* One case as read: its stratum and category (an index of the labels), the
 * kind of its referral (0: not referred) and its visits per window. */
struct mcase {
    int64_t case_id, customer_id, resolved_at;
    uint64_t stratum;
    unsigned cat;
    int kind, referred, role;
    int64_t visits[INSIGHT_WINDOWS];
};

struct mread {
    struct mcase *v;
    size_t n, cap;
    struct strmap *cats;                 /* category -> its index + 1 */
    char **names;                        /* the categories by index */
    size_t nnames, capnames;
};

static int category_ix(struct mread *m, const char *name, unsigned *out)
{
    size_t len = strlen(name);
    unsigned *ix;
    int added, rc = strmap_put(m->cats, name, len, (void **)&ix, &added);
    if (rc != TD_OK) return rc;
    if (added) {
        if (m->nnames == m->capnames) {
            size_t cap = m->capnames ? m->capnames * 2 : 32;
            char **v = realloc(m->names, cap * sizeof *v);
            if (!v) return TD_E_NOMEM;
            m->names = v;
            m->capnames = cap;
        }
        if (!(m->names[m->nnames] = strdup(name))) return TD_E_NOMEM;
        *ix = (unsigned)++m->nnames;
    }
    *out = *ix - 1;
    return TD_OK;
}

static int read_case(struct mread *m, struct db_stmt *st)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct mcase *v = realloc(m->v, cap * sizeof *v);
        if (!v) return TD_E_NOMEM;
        m->v = v;
        m->cap = cap;
    }
    struct mcase *k = &m->v[m->n];
    const char *category, *tier, *reason;
    int64_t store_id, spend, tenure, referred;
    int rc = db_readf(st, "iiiissiiisiii", &k->case_id, &k->customer_id, &store_id, &k->resolved_at, &category, &tier,
                      &spend, &tenure, &referred, &reason, &k->visits[0], &k->visits[1], &k->visits[2]);
    if (rc == TD_OK) rc = category_ix(m, category ? category : "", &k->cat);
    if (rc != TD_OK) return rc;
    k->referred = referred != 0;
    k->kind = k->referred ? enum_map_find(&policy_referral_map, reason ? reason : "", POLICY_REFER_OTHER) : 0;
    k->stratum = match_stratum(store_id, k->cat, (enum policy_tier)enum_map_find(&policy_tier_map, tier ? tier : "", 0),
                               spend, (int)tenure);
    m->n++;
    return TD_OK;
}

static int by_customer(const void *x, const void *y)
{
    const struct mcase *a = x, *b = y;
    if (a->customer_id != b->customer_id) return a->customer_id < b->customer_id ? -1 : 1;
    if (a->resolved_at != b->resolved_at) return a->resolved_at < b->resolved_at ? -1 : 1;
    return (a->case_id > b->case_id) - (a->case_id < b->case_id);
}

/* Marks the case each customer counts with: their first referral of the
 * period (role 1), or, never referred in it, their first case (role 2);
 * every other case 0. */
static void one_each(struct mcase *v, size_t n)
{
    if (n) qsort(v, n, sizeof *v, by_customer);
    for (size_t i = 0; i < n;) {
        size_t e = i, first_ref = n;
        for (; e < n && v[e].customer_id == v[i].customer_id; e++) {
            v[e].role = 0;
            if (v[e].referred && first_ref == n) first_ref = e;
        }
        if (first_ref < n) v[first_ref].role = 1;
        else v[i].role = 2;
        i = e;
    }
}

static int window_closed(const struct mcase *k, int w, int64_t now_us)
{
    return k->resolved_at + (int64_t)insight_window_days[w] * DAY_US <= now_us;
}

/* A category of the referrals, to put them in the order of their names. */
struct catname {
    const char *name;
    unsigned ix;
};

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct catname *)x)->name, ((const struct catname *)y)->name);
}

/* Estimates the group of the referred cases ref[0..n) that are of category
 * cat (and of kind, 0: any) in each window, and hands it to fn. */
static int group(const struct mread *m, const struct mcase *ref, size_t n, unsigned cat, int kind,
                 struct insight_obs *const comp[INSIGHT_WINDOWS], const size_t ncomp[INSIGHT_WINDOWS],
                 struct insight_obs *scratch, int64_t now_us, int (*fn)(void *arg, const struct insight_group *g),
                 void *arg)
{
    struct insight_group g = {.category = m->names[cat], .reason = kind ? policy_referral_name((enum policy_referral)kind) : NULL};
    for (size_t i = 0; i < n; i++) g.referrals += ref[i].cat == cat && (!kind || ref[i].kind == kind);
    if (!g.referrals) return TD_OK;
    int rc = TD_OK;
    for (int w = 0; w < INSIGHT_WINDOWS && rc == TD_OK; w++) {
        size_t nr = 0;
        for (size_t i = 0; i < n; i++) {
            const struct mcase *k = &ref[i];
            if (k->cat != cat || (kind && k->kind != kind)) continue;
            if (!window_closed(k, w, now_us)) g.open[w]++;
            else scratch[nr++] = (struct insight_obs){k->stratum, k->case_id, k->visits[w] > 0};
        }
        insight_sort(scratch, nr);
        rc = insight_estimate(scratch, nr, comp[w], ncomp[w], goodwill_min_cases(), (uint64_t)w, &g.m[w]);
    }
    return rc == TD_OK ? fn(arg, &g) : rc;
}

int insight_matched_each(struct dctx *c, int64_t store_id, int64_t from_us, int64_t to_us, int64_t now_us,
                         int (*fn)(void *arg, const struct insight_group *g), void *arg)
{
    struct mread m = {0};
    struct insight_obs *comp[INSIGHT_WINDOWS] = {NULL}, *scratch = NULL;
    size_t ncomp[INSIGHT_WINDOWS] = {0}, nref = 0, ncats = 0;
    struct mcase *ref = NULL;
    struct catname *cats = NULL;
    struct db_stmt *st;
    int rc = strmap_new(sizeof(unsigned), (size_t)64 << 20, &m.cats);
    if (rc != TD_OK) return rc;
    rc = store_id ? db_query(c->db, MATCH_COLS " AND o.store_id = ?", &st, "iii", from_us, to_us, store_id)
                  : db_query(c->db, MATCH_COLS, &st, "ii", from_us, to_us);
    while (db_next(st, &rc)) rc = read_case(&m, st);
    if ((rc = db_end(st, rc)) != TD_OK) goto out;
    one_each(m.v, m.n);

    rc = TD_E_NOMEM;
    size_t n = m.n ? m.n : 1;
    if (!(ref = malloc(n * sizeof *ref)) || !(scratch = malloc(n * sizeof *scratch)) ||
        !(cats = calloc(m.nnames + 1, sizeof *cats)))
        goto out;
    for (int w = 0; w < INSIGHT_WINDOWS; w++) {
        if (!(comp[w] = malloc(n * sizeof *comp[w]))) goto out;
        for (size_t i = 0; i < m.n; i++)
            if (m.v[i].role == 2 && window_closed(&m.v[i], w, now_us))
                comp[w][ncomp[w]++] = (struct insight_obs){m.v[i].stratum, m.v[i].case_id, m.v[i].visits[w] > 0};
        insight_sort(comp[w], ncomp[w]);
    }
    /* The referred cases apart (few), and their categories by name. */
    unsigned char *seen = calloc(m.nnames + 1, 1);
    if (!seen) goto out;
    for (size_t i = 0; i < m.n; i++) {
        if (m.v[i].role != 1) continue;
        ref[nref++] = m.v[i];
        if (!seen[m.v[i].cat]) cats[ncats++] = (struct catname){m.names[m.v[i].cat], m.v[i].cat};
        seen[m.v[i].cat] = 1;
    }
    free(seen);
    if (ncats) qsort(cats, ncats, sizeof *cats, by_name);
    rc = TD_OK;
    for (size_t i = 0; i < ncats && rc == TD_OK; i++)
        for (int kind = 0; kind <= POLICY_REFER_OTHER && rc == TD_OK; kind++)
            rc = group(&m, ref, nref, cats[i].ix, kind, comp, ncomp, scratch, now_us, fn, arg);
out:
    for (int w = 0; w < INSIGHT_WINDOWS; w++) free(comp[w]);
    free(scratch);
    free(ref);
    free(cats);
    free(m.v);
    for (size_t i = 0; i < m.nnames; i++) free(m.names[i]);
    free(m.names);
    strmap_free(m.cats);
    return rc;
}
