/* api_insight.c — GET /api/v1/insight/referrals: every referral of a period
 * with whether the customer bought here again within 30, 90 and 180 days,
 * and per category the share that came back beside the customers whose case
 * in that category was resolved without a referral (domain/insight.h). Each
 * share has its number of cases and Wilson's 95 % interval, and none below
 * the figures' minimum (TRUSTDESK_NPS_MIN_ANSWERS). Beside them, per
 * category and per category and kind of shop (the referral's reason), the
 * matched comparison: the referred customers' share back against
 * comparable customers who were not referred, matched as the goodwill
 * economics match, the difference with its 95 % bootstrap interval, or
 * "not estimable" with the reason (insight_matched_each). A manager sees
 * their own store, head office every store or one. ?format=csv or xlsx
 * answers the same as a file (export.h). */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "core/vec.h"
#include "domain/goodwill.h"
#include "domain/insight.h"
#include "domain/nps.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US (86400LL * 1000000)
#define ITEMS_MAX 200
#define CATEGORIES_MAX 64
#define DEFAULT_DAYS 365
#define METHOD                                                                                                  \
    "coarsened exact matching on store, category, tier, spend before and tenure (as each decision knew them), " \
    "each customer once; effect on the referred customers; 95 % percentile bootstrap, resampled within strata " \
    "(by default a side of 200 or more matched cases drawn from the normal of its resampled sums)"

struct tally {
    char category[64];
    int64_t k[2][INSIGHT_WINDOWS], n[2][INSIGHT_WINDOWS];   /* [referred][window] */
    json_t *matched;                                         /* the matched comparison, owned; NULL until read */
};

struct walk {
    struct api_call *a;
    json_t *items;
    json_t *kinds;                                           /* the matched comparison per category and kind */
    size_t ncat;
    struct tally cat[CATEGORIES_MAX];
};

/* One group's counts of one category, as read, until the categories are
 * known. */
struct group {
    char category[64];
    int referred, fits;
    int64_t newest, n[INSIGHT_WINDOWS], k[INSIGHT_WINDOWS];
};

struct groups {
    struct group *v;
    size_t n, cap;
};

static int on_group(void *arg, const struct insight_tally *t)
{
    struct groups *g = arg;
    if (vec_grow(&g->v, &g->cap, g->n, sizeof *g->v, 32) != TD_OK) return TD_E_NOMEM;
    struct group *x = &g->v[g->n++];
    x->fits = strlen(t->category) < sizeof x->category;
    snprintf(x->category, sizeof x->category, "%s", x->fits ? t->category : "");
    x->referred = t->referred;
    x->newest = t->newest;
    memcpy(x->n, t->n, sizeof x->n);
    memcpy(x->k, t->k, sizeof x->k);
    return TD_OK;
}

/* Newest referral first: the categories in the order the referrals, newest
 * first, name them. */
static int by_newest(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    if (a->referred != b->referred) return b->referred - a->referred;
    return (a->newest < b->newest) - (a->newest > b->newest);
}

/* The tally of a category; made for a referral, never for a case compared
 * with them. */
static struct tally *tally_of(struct walk *w, const char *category, int referred)
{
    for (size_t i = 0; i < w->ncat; i++)
        if (strcmp(w->cat[i].category, category) == 0) return &w->cat[i];
    if (!referred || w->ncat == CATEGORIES_MAX) return NULL;
    struct tally *t = &w->cat[w->ncat++];
    memset(t, 0, sizeof *t);
    snprintf(t->category, sizeof t->category, "%s", category);
    return t;
}

/* The shares per category: every group of the period counted at once, the
 * referred ones making the categories. */
static int tally(struct walk *w, int64_t store_id, int64_t from, int64_t to)
{
    struct groups g = {0};
    int rc = insight_tallies_each(&w->a->d, store_id, from, to, w->a->d.now_us, on_group, &g);
    if (rc == TD_OK && g.n) qsort(g.v, g.n, sizeof *g.v, by_newest);
    for (size_t i = 0; rc == TD_OK && i < g.n; i++) {
        struct tally *t = g.v[i].fits ? tally_of(w, g.v[i].category, g.v[i].referred) : NULL;
        for (int j = 0; t && j < INSIGHT_WINDOWS; j++) {
            t->n[g.v[i].referred][j] += g.v[i].n[j];
            t->k[g.v[i].referred][j] += g.v[i].k[j];
        }
    }
    free(g.v);
    return rc;
}

static int by_category(const void *x, const void *y)
{
    return strcmp(((const struct tally *)x)->category, ((const struct tally *)y)->category);
}

static json_t *known(int v) { return v < 0 ? json_null() : json_boolean(v); }

static int on_referral(void *arg, const struct insight_case *k)
{
    struct walk *w = arg;
    int back[INSIGHT_WINDOWS];
    for (int i = 0; i < INSIGHT_WINDOWS; i++)
        back[i] = insight_came_back(k->resolved_at, k->visits[i], w->a->d.now_us, insight_window_days[i]);
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:{s:o,s:o,s:o}}", "case_id", (json_int_t)k->case_id,
                          "customer_id", (json_int_t)k->customer_id, "customer_name", k->customer_name,
                          "store_code", k->store_code, "category",
                          k->category, "referred_to", k->to, "reason", k->reason, "resolution", k->resolution,
                          "resolved_at", api_time(k->resolved_at), "came_back", "30", known(back[0]), "90",
                          known(back[1]), "180", known(back[2]));
    return o && json_array_append_new(w->items, o) == 0 ? TD_OK : TD_E_NOMEM;
}

static json_t *shares_json(const struct tally *t, int referred)
{
    json_t *o = json_object();
    for (int i = 0; i < INSIGHT_WINDOWS; i++) {
        struct nps_share s;
        nps_share_of(t->k[referred][i], t->n[referred][i], nps_min_answers(), &s);
        char key[8];
        snprintf(key, sizeof key, "%d", insight_window_days[i]);
        json_object_set_new(o, key, api_share_json(&s));
    }
    return o;
}

/* ---- the matched comparison (insight.h) ---- */

static json_t *rounded(double v) { return json_real(round(v * 1000) / 1000); }

static json_t *matched_window_json(const struct insight_matched *m, int64_t open)
{
    json_t *o = json_pack("{s:b,s:o,s:I,s:I,s:I,s:I,s:I}", "estimable", m->estimable, "reason",
                          m->reason ? json_string(m->reason) : json_null(), "referred", (json_int_t)m->referred,
                          "compared", (json_int_t)m->compared, "referred_unmatched", (json_int_t)m->referred_unmatched,
                          "open", (json_int_t)open, "strata", (json_int_t)m->strata);
    if (!o) return NULL;
    json_object_set_new(o, "back", m->estimable ? json_pack("{s:o,s:o}", "referred", rounded(m->back_referred), "compared",
                                                            rounded(m->back_compared))
                                                : json_null());
    json_object_set_new(o, "difference", m->estimable ? json_pack("{s:o,s:o,s:o}", "estimate",
                                                                  rounded(m->difference.estimate), "low",
                                                                  rounded(m->difference.low), "high",
                                                                  rounded(m->difference.high))
                                                      : json_null());
    return o;
}

static json_t *matched_json(const struct insight_group *g)
{
    json_t *o = json_object();
    for (int i = 0; o && i < INSIGHT_WINDOWS; i++) {
        char key[8];
        snprintf(key, sizeof key, "%d", insight_window_days[i]);
        json_object_set_new(o, key, matched_window_json(&g->m[i], g->open[i]));
    }
    return o;
}

/* A category's comparison goes with its shares; a kind's into its list. */
static int on_group_matched(void *arg, const struct insight_group *g)
{
    struct walk *w = arg;
    json_t *m = matched_json(g);
    if (!m) return TD_E_NOMEM;
    if (g->reason)
        return json_array_append_new(w->kinds, json_pack("{s:s,s:s,s:I,s:o}", "category", g->category, "reason", g->reason,
                                                         "referrals", (json_int_t)g->referrals, "matched", m)) == 0
                   ? TD_OK
                   : TD_E_NOMEM;
    for (size_t i = 0; i < w->ncat; i++)
        if (strcmp(w->cat[i].category, g->category) == 0 && !w->cat[i].matched) {
            w->cat[i].matched = m;
            return TD_OK;
        }
    json_decref(m);
    return TD_OK;
}

/* ---- the files (export.h): every referral, and the shares per category ---- */

static const struct export_column referral_cols[] = {
    EXPORT_CASE_COL,
    EXPORT_COL("customer_id", "klantnummer", "customer id", EXPORT_INT),
    EXPORT_COL("customer_name", "klant", "customer", EXPORT_TEXT),
    EXPORT_STORE_COL,
    EXPORT_CATEGORY_COL,
    EXPORT_COL("referred_to", "doorverwezen naar", "referred to", EXPORT_TEXT),
    EXPORT_REASON_COL,
    EXPORT_COL("resolution", "afhandeling", "resolution", EXPORT_TEXT),
    EXPORT_RESOLVED_COL,
#define CAME_BACK(d)                                                                                           \
    EXPORT_FLAG_COL("came_back." #d, "terug binnen " #d " dagen", "back within " #d " days", "ja", "yes", "nee", "no")
    CAME_BACK(30), CAME_BACK(90), CAME_BACK(180),
#undef CAME_BACK
};
static const struct export_table referral_table = {"Doorverwijzingen", "Referrals", EXPORT_COLUMNS(referral_cols)};

/* Per window and group: n, k, the share and its interval. */
#define SHARE(g, gnl, gen, d)                                                                            \
    EXPORT_COL(g "." #d ".n", gnl " " #d " d: zaken", gen " " #d " d: cases", EXPORT_INT),                     \
    EXPORT_COL(g "." #d ".k", gnl " " #d " d: terug", gen " " #d " d: back", EXPORT_INT),                      \
    EXPORT_COL(g "." #d ".share", gnl " " #d " d: aandeel", gen " " #d " d: share", EXPORT_PERCENT),           \
    EXPORT_COL(g "." #d ".low", gnl " " #d " d: ondergrens (95%)", gen " " #d " d: low (95%)", EXPORT_PERCENT), \
    EXPORT_COL(g "." #d ".high", gnl " " #d " d: bovengrens (95%)", gen " " #d " d: high (95%)", EXPORT_PERCENT)
#define GROUP(g, gnl, gen) SHARE(g, gnl, gen, 30), SHARE(g, gnl, gen, 90), SHARE(g, gnl, gen, 180)
/* Per window, the matched comparison: its counts, the shares back and the
 * difference with its interval. */
#define MATCHED(d)                                                                                                \
    EXPORT_FLAG_COL("matched." #d ".estimable", "vergeleken " #d " d: te schatten", "matched " #d " d: estimable",   \
                    "ja", "yes", "nee", "no"),                                                                    \
    EXPORT_COL("matched." #d ".reason", "vergeleken " #d " d: waarom niet", "matched " #d " d: why not", EXPORT_TEXT), \
    EXPORT_COL("matched." #d ".referred", "vergeleken " #d " d: doorverwezen", "matched " #d " d: referred",         \
               EXPORT_INT),                                                                                       \
    EXPORT_COL("matched." #d ".compared", "vergeleken " #d " d: vergelijkbaar", "matched " #d " d: comparable",      \
               EXPORT_INT),                                                                                       \
    EXPORT_COL("matched." #d ".open", "vergeleken " #d " d: nog open", "matched " #d " d: still open", EXPORT_INT),  \
    EXPORT_COL("matched." #d ".back.referred", "vergeleken " #d " d: terug doorverwezen",                            \
               "matched " #d " d: back referred", EXPORT_PERCENT),                                                \
    EXPORT_COL("matched." #d ".back.compared", "vergeleken " #d " d: terug vergelijkbaar",                           \
               "matched " #d " d: back comparable", EXPORT_PERCENT),                                              \
    EXPORT_COL("matched." #d ".difference.estimate", "vergeleken " #d " d: verschil", "matched " #d " d: difference", \
               EXPORT_PERCENT),                                                                                   \
    EXPORT_COL("matched." #d ".difference.low", "vergeleken " #d " d: verschil ondergrens (95%)",                   \
               "matched " #d " d: difference low (95%)", EXPORT_PERCENT),                                        \
    EXPORT_COL("matched." #d ".difference.high", "vergeleken " #d " d: verschil bovengrens (95%)",                  \
               "matched " #d " d: difference high (95%)", EXPORT_PERCENT)
static const struct export_column category_cols[] = {
    EXPORT_CATEGORY_COL,
    GROUP("referred", "doorverwezen", "referred"),
    GROUP("compared", "niet doorverwezen", "not referred"),
    MATCHED(30), MATCHED(90), MATCHED(180),
};
static const struct export_column kind_cols[] = {
    EXPORT_CATEGORY_COL,
    EXPORT_REASON_COL,
    EXPORT_COL("referrals", "doorverwijzingen", "referrals", EXPORT_INT),
    MATCHED(30), MATCHED(90), MATCHED(180),
};
#undef MATCHED
#undef GROUP
#undef SHARE
static const struct export_table category_table = {"Per categorie", "By category", EXPORT_COLUMNS(category_cols)};
static const struct export_table kind_table = {"Per soort winkel", "By kind of shop", EXPORT_COLUMNS(kind_cols)};

/* The answer o as a file: the CSV holds one table (?table=referrals, the
 * default, categories or kinds), the workbook all three. */
static int reply_file(struct api_call *a, json_t *o, enum export_format format)
{
    static const char *const tables[] = {"referrals", "categories", "kinds"};
    size_t which;
    if (api_export_table_param(a, tables, 3, &which) != TD_OK) return TD_E_BAD_REQUEST;
    const struct export_sheet s[3] = {{&referral_table, json_object_get(o, "items")},
                                      {&category_table, json_object_get(o, "by_category")},
                                      {&kind_table, json_object_get(o, "by_kind")}};
    char *stem = api_export_stem(a, "referrals", which && format == EXPORT_CSV ? tables[which] : NULL,
                                 api_str(o, "store_code"), api_str(o, "from"), api_str(o, "to"));
    return stem ? api_reply_one_or_all(a, s, 3, which, format, stem) : TD_E_NOMEM;
}

int api_insight_referrals(struct api_call *a)
{
    int64_t to_day, from_day;
    int rc_to = api_day_param(a, "to", a->d.now_us / DAY_US, &to_day);
    int rc_from = api_day_param(a, "from", to_day - (DEFAULT_DAYS - 1), &from_day);
    if (rc_to == TD_OK && rc_from == TD_OK && from_day > to_day) errors_add(&a->err, "from", "must not be after to");
    enum export_format format;
    if (api_export_format(a, EXPORT_JSON, &format) != TD_OK || a->err.n) return TD_E_BAD_REQUEST;
    int64_t from = from_day * DAY_US, to = to_day * DAY_US;
    struct store st;
    int scope = api_cl_figures_store(a, &st);
    if (scope != TD_OK) return scope;
    struct walk *w = calloc(1, sizeof *w);
    if (!w) return TD_E_NOMEM;
    w->a = a;
    w->items = json_array();
    w->kinds = json_array();
    int rc = insight_referrals_each(&a->d, st.id, from, to + DAY_US, ITEMS_MAX, on_referral, w);
    if (rc == TD_OK) rc = tally(w, st.id, from, to + DAY_US);
    /* The matched comparison only where there are referrals to compare. */
    if (rc == TD_OK && w->ncat)
        rc = insight_matched_each(&a->d, st.id, from, to + DAY_US, a->d.now_us, on_group_matched, w);
    json_t *cats = json_array();
    qsort(w->cat, w->ncat, sizeof w->cat[0], by_category);
    for (size_t i = 0; rc == TD_OK && i < w->ncat; i++) {
        json_array_append_new(cats, json_pack("{s:s,s:o,s:o,s:o}", "category", w->cat[i].category, "referred",
                                              shares_json(&w->cat[i], 1), "compared", shares_json(&w->cat[i], 0),
                                              "matched", w->cat[i].matched ? w->cat[i].matched : json_null()));
        w->cat[i].matched = NULL;
    }
    for (size_t i = 0; i < w->ncat; i++) json_decref(w->cat[i].matched);
    char f[40], t[40];
    clock_format_rfc3339(from, f, sizeof f);
    clock_format_rfc3339(to, t, sizeof t);
    json_t *o = rc == TD_OK ? json_pack("{s:s%,s:s%,s:o,s:I,s:I,s:i,s:i,s:s,s:[iii],s:o,s:o,s:o}", "from", f, (size_t)10,
                                        "to", t, (size_t)10, "store_code", st.id ? json_string(st.code) : json_null(),
                                        "min_answers", (json_int_t)nps_min_answers(), "min_cases",
                                        (json_int_t)goodwill_min_cases(), "bootstrap", INSIGHT_BOOTSTRAP, "seed",
                                        INSIGHT_SEED, "method", METHOD, "windows", insight_window_days[0],
                                        insight_window_days[1], insight_window_days[2], "items", w->items,
                                        "by_category", cats, "by_kind", w->kinds)
                              : NULL;
    if (!o) {
        json_decref(w->items);
        json_decref(w->kinds);
        json_decref(cats);
    }
    free(w);
    return api_reply_report(a, rc, o, format, reply_file);
}
