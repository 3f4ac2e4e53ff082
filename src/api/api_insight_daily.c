/* api_insight_daily.c — GET /api/v1/insight/daily: the daily rollup of the
 * desk's cases (domain/insight_daily.h) over a period of Amsterdam days, for
 * a trend chart: one row per day (days without cases as zeros), the total,
 * the totals per category and, for head office, per store. As JSON, or as
 * CSV / .xlsx through export.h.
 *
 * Who sees what: a manager their own store, and beside it the chain's days
 * and total only as sums (no other store by name); head office (admin) the
 * chain, or one store with the chain beside it, and every store's total.
 * Bad parameters are 400 naming them; another store than a manager's own
 * is 403. Nothing is written. */
#include "api/api_cl.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/insight_daily.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAILY_MAX_DAYS 731
#define DAILY_DEFAULT_DAYS 30

static json_t *counts_json(const struct insight_daily_counts *n)
{
    json_t *o = json_object();
#define COUNT_JSON(name) json_object_set_new(o, #name, json_integer(n->name));
    INSIGHT_DAILY_COUNTS(COUNT_JSON)
#undef COUNT_JSON
    json_object_del(o, "resolve_seconds");       /* shown as the mean, below */
    json_object_set_new(o, "mean_hours_to_resolve",
                        n->resolved ? json_real(round((double)n->resolve_seconds / n->resolved / 360) / 10) : json_null());
    return o;
}

static void counts_add(struct insight_daily_counts *to, const struct insight_daily_counts *n)
{
#define COUNT_ADD(name) to->name += n->name;
    INSIGHT_DAILY_COUNTS(COUNT_ADD)
#undef COUNT_ADD
}

/* The period added up in one pass over its rows: the days of the scope (a
 * store, or the chain), the chain's days beside a store, the scope's
 * categories and, for head office on the chain, the stores. */
#define GROUPS_MAX 256                 /* categories, and stores */

struct group {
    char key[NAME_SZ], label[NAME_SZ];
    struct insight_daily_counts n;
};

struct tally {
    int64_t from, store_id;
    struct insight_daily_counts *mine, *chain;    /* per day of the period */
    struct group *cats, *stores;
    size_t ncat, nstore;
    int want_stores;
};

/* The group of key in g[*n] (added when new; NULL when full or too long). */
static struct group *group_of(struct group *g, size_t *n, const char *key, const char *label)
{
    for (size_t i = *n; i-- > 0;)
        if (strcmp(g[i].key, key) == 0) return &g[i];
    if (*n == GROUPS_MAX || strlen(key) >= NAME_SZ || strlen(label) >= NAME_SZ) return NULL;
    struct group *x = &g[(*n)++];
    memset(x, 0, sizeof *x);
    memcpy(x->key, key, strlen(key) + 1);
    memcpy(x->label, label, strlen(label) + 1);
    return x;
}

static int on_row(void *arg, const struct insight_daily_row *r)
{
    struct tally *t = arg;
    size_t i = (size_t)(r->day - t->from);
    counts_add(&t->chain[i], &r->n);
    if (t->want_stores) {
        struct group *g = group_of(t->stores, &t->nstore, r->store_code, r->store_name);
        if (!g) return TD_E_INTERNAL;
        counts_add(&g->n, &r->n);
    }
    if (t->store_id && r->store_id != t->store_id) return TD_OK;
    if (t->store_id) counts_add(&t->mine[i], &r->n);
    struct group *g = group_of(t->cats, &t->ncat, r->category, r->category);
    if (!g) return TD_E_INTERNAL;
    counts_add(&g->n, &r->n);
    return TD_OK;
}

static int by_key(const void *x, const void *y) { return strcmp(((const struct group *)x)->key, ((const struct group *)y)->key); }

/* {"days":[...],"total":{...}} of n days from t->from. */
static json_t *days_json(const struct tally *t, const struct insight_daily_counts *days, size_t n)
{
    json_t *items = json_array();
    struct insight_daily_counts total = {0};
    for (size_t i = 0; items && i < n; i++) {
        char d[11];
        api_day_text(t->from + (int64_t)i, d);
        json_t *o = counts_json(&days[i]);
        json_object_set_new(o, "day", json_string(d));
        if (json_array_append_new(items, o) != 0) {
            json_decref(items);
            return NULL;
        }
        counts_add(&total, &days[i]);
    }
    return items ? json_pack("{s:o,s:o}", "days", items, "total", counts_json(&total)) : NULL;
}

static json_t *groups_json(struct group *g, size_t n)
{
    qsort(g, n, sizeof *g, by_key);
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        json_t *o = counts_json(&g[i].n);
        json_object_set_new(o, "key", json_string(g[i].key));
        json_object_set_new(o, "label", json_string(g[i].label));
        json_array_append_new(items, o);
    }
    return items;
}

/* ---- the files (export.h) -------------------------------------------------- */

#define DAILY_COUNT_COLUMNS                                                                                            \
    EXPORT_COL("opened", "geopend", "opened", EXPORT_INT),                                                          \
    EXPORT_COL("resolved", "afgehandeld", "resolved", EXPORT_INT),                                                  \
    EXPORT_COL("refunds", "terugbetaald", "refunds", EXPORT_INT),                                                   \
    EXPORT_COL("store_credits", "tegoedbon", "store credit", EXPORT_INT),                                           \
    EXPORT_COL("exchanges", "omgeruild", "exchanges", EXPORT_INT),                                                  \
    EXPORT_COL("repairs", "reparatie", "repairs", EXPORT_INT),                                                      \
    EXPORT_COL("referrals", "doorverwezen", "referred elsewhere", EXPORT_INT),                                      \
    EXPORT_COL("declined", "afgewezen", "declined", EXPORT_INT),                                                    \
    EXPORT_COL("overrides", "afgeweken van advies", "overrides", EXPORT_INT),                                       \
    EXPORT_COL("approvals_requested", "goedkeuring gevraagd", "approvals asked", EXPORT_INT),                       \
    EXPORT_COL("cancelled", "geannuleerd", "cancelled", EXPORT_INT),                                                \
    EXPORT_COL("refund_cents", "terugbetaald (EUR)", "refunded (EUR)", EXPORT_CENTS),                               \
    EXPORT_COL("store_credit_cents", "tegoedbonnen (EUR)", "store credit (EUR)", EXPORT_CENTS),                     \
    EXPORT_COL("goodwill_cents", "waarvan coulance (EUR)", "of which goodwill (EUR)", EXPORT_CENTS),               \
    EXPORT_COL("mean_hours_to_resolve", "gem. uren tot afhandeling", "mean hours to resolve", EXPORT_DECIMAL)

static const struct export_column day_cols[] = {EXPORT_COL("day", "dag", "day", EXPORT_DAY), DAILY_COUNT_COLUMNS};
static const struct export_column category_cols[] = {EXPORT_COL("key", "categorie", "category", EXPORT_TEXT),
                                                     DAILY_COUNT_COLUMNS};
static const struct export_column store_cols[] = {EXPORT_COL("key", "winkel", "store", EXPORT_TEXT),
                                                  EXPORT_COL("label", "naam", "name", EXPORT_TEXT), DAILY_COUNT_COLUMNS};
static const struct export_table day_table = {"Per dag", "Per day", EXPORT_COLUMNS(day_cols)};
static const struct export_table chain_table = {"Keten per dag", "Chain per day", EXPORT_COLUMNS(day_cols)};
static const struct export_table category_table = {"Per categorie", "By category", EXPORT_COLUMNS(category_cols)};
static const struct export_table store_table = {"Per winkel", "By store", EXPORT_COLUMNS(store_cols)};

/* The answer o as a file: the CSV one table (?table=days, the default,
 * chain, categories or stores, when the answer has it), the workbook all. */
static int reply_file(struct api_call *a, json_t *o, enum export_format format)
{
    static const char *const names[] = {"days", "chain", "categories", "stores"};
    json_t *chain = json_object_get(o, "chain");
    const struct export_sheet all[] = {
        {&day_table, json_object_get(o, "days")},
        {&chain_table, json_object_get(chain, "days")},
        {&category_table, json_object_get(o, "by_category")},
        {&store_table, json_object_get(o, "by_store")},
    };
    struct export_sheet s[4];
    size_t n = 0, want = 0;
    const char *table = http_query(a->r, "table");
    if (table) {
        while (want < 4 && (strcmp(names[want], table) != 0 || !json_is_array(all[want].items))) want++;
        if (want == 4) {
            errors_add(&a->err, "table", "must be one of days, categories%s", json_is_array(all[1].items)
                       ? ", chain" : json_is_array(all[3].items) ? ", stores" : "");
            return TD_E_BAD_REQUEST;
        }
    }
    for (size_t i = 0; i < 4; i++)
        if (json_is_array(all[i].items) && (format == EXPORT_XLSX || i == want)) s[n++] = all[i];
    char *stem = api_export_stem(a, "insight-daily", format == EXPORT_CSV && want ? names[want] : NULL,
                                 api_str(o, "store_code"), api_str(o, "from"), api_str(o, "to"));
    return stem ? api_reply_sheets(a, s, n, format, stem) : TD_E_NOMEM;
}

int api_insight_daily(struct api_call *a)
{
    int64_t today = insight_daily_day(a->d.now_us), from, to;
    int rc_to = api_day_param(a, "to", today, &to);
    int rc_from = api_day_param(a, "from", to - (DAILY_DEFAULT_DAYS - 1), &from);
    if (rc_to == TD_OK && rc_from == TD_OK) {
        if (from > to) errors_add(&a->err, "from", "must not be after to");
        else if (to - from >= DAILY_MAX_DAYS) errors_add(&a->err, "from", "the period may be at most %d days", DAILY_MAX_DAYS);
    }
    enum export_format format;
    if (api_export_format(a, EXPORT_JSON, &format) != TD_OK || a->err.n) return TD_E_BAD_REQUEST;
    struct store st;
    int rc = api_cl_figures_store(a, &st);
    if (rc != TD_OK) return rc;
    size_t ndays = (size_t)(to - from + 1);
    struct tally t = {.from = from, .store_id = st.id, .want_stores = !st.id,
                      .mine = calloc(ndays, sizeof *t.mine), .chain = calloc(ndays, sizeof *t.chain),
                      .cats = malloc(GROUPS_MAX * sizeof *t.cats), .stores = malloc(GROUPS_MAX * sizeof *t.stores)};
    json_t *o = NULL;
    rc = t.mine && t.chain && t.cats && t.stores ? insight_daily_each(&a->d, from, to, on_row, &t) : TD_E_NOMEM;
    if (rc == TD_OK) {
        char f[11], tt[11];
        api_day_text(from, f);
        api_day_text(to, tt);
        /* The scope's days are the chain's when there is no store. */
        json_t *mine = days_json(&t, st.id ? t.mine : t.chain, ndays), *chain = st.id ? days_json(&t, t.chain, ndays) : NULL;
        if (mine && (chain || !st.id))
            o = json_pack("{s:s,s:s,s:o,s:O,s:O,s:o,s:o,s:o}", "from", f, "to", tt, "store_code",
                          st.id ? json_string(st.code) : json_null(), "days", json_object_get(mine, "days"), "total",
                          json_object_get(mine, "total"), "chain", chain ? chain : json_null(), "by_category",
                          groups_json(t.cats, t.ncat), "by_store",
                          t.want_stores ? groups_json(t.stores, t.nstore) : json_null());
        else
            json_decref(chain);
        json_decref(mine);
        if (!o) rc = TD_E_NOMEM;
    }
    free(t.mine);
    free(t.chain);
    free(t.cats);
    free(t.stores);
    return api_reply_report(a, rc, o, format, reply_file);
}
