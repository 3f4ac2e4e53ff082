/* api_goodwill.c — GET /api/v1/insight/goodwill: goodwill given per store,
 * category, policy version and month, and what its customers spent in the
 * 90 and 180 days after, against comparable customers who got none
 * (domain/goodwill.h). Every figure comes with its 95 % bootstrap interval,
 * or is "not estimable" with the reason; the "one unhappy customer costs
 * ten" multiplier (?multiplier=, default 10) is an assumption, shown apart
 * from the data.
 *
 * ?from=&to= are Amsterdam days, both included (default: the 365 days up to
 * today); ?store= a store code. A manager sees their own store's rows and
 * the chain only as a total; head office every store, or one. ?format=csv
 * or xlsx answers the rows and the totals as a file (export.h), one line
 * each, with both windows' figures and intervals.
 */
#include "api/api_cl.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/goodwill.h"
#include "domain/simulate.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US (86400LL * 1000000)
#define DEFAULT_DAYS 365
#define MULTIPLIER_MAX 1000

#define ASSUMPTION_LABEL                                                                                        \
    "An assumption, not data: each unhappy customer is taken to cost this many times their own lost spend " \
    "(word of mouth). The purchase data shows only the customer's own spend."
#define METHOD                                                                                                  \
    "coarsened exact matching on store, category, tier, spend before and tenure (as each decision knew " \
    "them); effect on the customers given goodwill; 95 % percentile bootstrap, resampled within strata " \
    "(by default a side of 200 or more matched cases drawn from the normal of its resampled sums)"

/* ?multiplier=: a number from 1 to 1000, at most two decimals. */
static int multiplier_param(struct api_call *a, double *out)
{
    const char *v = http_query(a->r, "multiplier");
    *out = GOODWILL_MULTIPLIER_DEFAULT;
    if (!v) return TD_OK;
    const char *dot = strchr(v, '.');
    size_t digits = strspn(v, "0123456789"), len = strlen(v);
    int ok = len > 0 && len <= 10 && digits > 0 &&
             (digits == len || (dot == v + digits && len - digits - 1 >= 1 && len - digits - 1 <= 2 &&
                                strspn(dot + 1, "0123456789") == len - digits - 1));
    double m = ok ? strtod(v, NULL) : 0;
    if (!ok || m < 1 || m > MULTIPLIER_MAX) {
        errors_add(&a->err, "multiplier", "must be a number from 1 to %d (at most two decimals)", MULTIPLIER_MAX);
        return TD_E_BAD_REQUEST;
    }
    *out = m;
    return TD_OK;
}

/* The Amsterdam day of an instant, "YYYY-MM-DD". */
static void amsterdam_day(int64_t us, char *out, size_t n)
{
    time_t t = (time_t)(us / 1000000);
    t += clock_amsterdam_offset((int64_t)t);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static json_t *interval_json(const struct goodwill_interval *v, double scale, double digits)
{
    return json_pack("{s:f,s:f,s:f}", "estimate", round(v->estimate * scale * digits) / digits, "low",
                     round(v->low * scale * digits) / digits, "high", round(v->high * scale * digits) / digits);
}

static json_t *cents_json(const struct goodwill_interval *v)
{
    return json_pack("{s:I,s:I,s:I}", "estimate", (json_int_t)llround(v->estimate), "low", (json_int_t)llround(v->low),
                     "high", (json_int_t)llround(v->high));
}

static json_t *estimate_json(const struct goodwill_estimate *e, int64_t open, double multiplier)
{
    json_t *o = json_pack("{s:b,s:o,s:I,s:I,s:I,s:I,s:I,s:I}", "estimable", e->estimable, "reason",
                          e->reason ? json_string(e->reason) : json_null(), "given", (json_int_t)e->given, "compared",
                          (json_int_t)e->compared, "given_unmatched", (json_int_t)e->given_unmatched, "open",
                          (json_int_t)open, "strata", (json_int_t)e->strata, "goodwill_cents",
                          (json_int_t)e->goodwill_cents);
    if (!o) return NULL;
    if (!e->estimable) {
        static const char *const none[] = {"spend_after_cents", "visits_after", "revenue_retained_cents",
                                           "per_euro", "extra_visits", "assumed_per_euro"};
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) json_object_set_new(o, none[i], json_null());
        return o;
    }
    json_object_set_new(o, "spend_after_cents", json_pack("{s:I,s:I}", "given", (json_int_t)llround(e->spend_given),
                                                          "compared", (json_int_t)llround(e->spend_compared)));
    json_object_set_new(o, "visits_after", json_pack("{s:f,s:f}", "given", round(e->visits_given * 100) / 100,
                                                     "compared", round(e->visits_compared * 100) / 100));
    json_object_set_new(o, "revenue_retained_cents", cents_json(&e->retained_cents));
    json_object_set_new(o, "per_euro", interval_json(&e->per_euro, 1, 100));
    json_object_set_new(o, "extra_visits", interval_json(&e->visits, 1, 100));
    json_t *as = interval_json(&e->per_euro, multiplier, 100);
    if (as) json_object_set_new(as, "assumption", json_true());
    json_object_set_new(o, "assumed_per_euro", as);
    return o;
}

static json_t *row_json(const struct goodwill_row *r, const char *scope, double multiplier)
{
    char month[32] = "";
    if (r->year) snprintf(month, sizeof month, "%04d-%02d", r->year, r->month);
    json_t *after = json_object();
    for (int w = 0; after && w < GOODWILL_WINDOWS; w++) {
        char key[8];
        snprintf(key, sizeof key, "%d", goodwill_window_days[w]);
        json_object_set_new(after, key, estimate_json(&r->est[w], r->open[w], multiplier));
    }
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:{s:I,s:I,s:I},s:o}", "scope", scope, "store_code",
                     r->store_code[0] ? json_string(r->store_code) : json_null(), "category",
                     r->policy_version ? json_string(r->category) : json_null(), "policy_version",
                     r->policy_version ? json_string(r->policy_version) : json_null(), "month",
                     r->year ? json_string(month) : json_null(), "cases", (json_int_t)r->cases, "goodwill_cases",
                     (json_int_t)r->given_cases, "goodwill_cents", "total",
                     (json_int_t)(r->funded_cents + r->beyond_strict_cents), "funded", (json_int_t)r->funded_cents,
                     "beyond_strict", (json_int_t)r->beyond_strict_cents, "after", after);
}

static json_t *report_json(const struct goodwill_report *g, double multiplier)
{
    char f[40], t[40];
    amsterdam_day(g->from_us, f, sizeof f);
    amsterdam_day(g->to_us - 1, t, sizeof t);
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < g->n_rows; i++) json_array_append_new(rows, row_json(&g->rows[i], "row", multiplier));
    json_t *open = json_object();
    for (int w = 0; open && w < GOODWILL_WINDOWS; w++) {
        char key[8];
        snprintf(key, sizeof key, "%d", goodwill_window_days[w]);
        json_object_set_new(open, key, json_integer((json_int_t)g->compared_open[w]));
    }
    return json_pack("{s:s,s:s,s:o,s:[ii],s:I,s:i,s:i,s:s,s:{s:f,s:s},s:{s:I,s:o},s:o,s:o,s:o,s:I}", "from", f, "to",
                     t, "store_code", g->store_id ? json_string(g->store.store_code) : json_null(), "windows",
                     goodwill_window_days[0], goodwill_window_days[1], "min_cases", (json_int_t)g->min_cases,
                     "bootstrap", GOODWILL_BOOTSTRAP, "seed", GOODWILL_SEED, "method", METHOD, "assumption",
                     "multiplier", multiplier, "label", ASSUMPTION_LABEL, "compared", "cases",
                     (json_int_t)g->compared_cases, "open", open, "chain", row_json(&g->chain, "chain", multiplier), "store",
                     g->store_id ? row_json(&g->store, "store", multiplier) : json_null(), "rows", rows, "rows_total",
                     (json_int_t)g->rows_total);
}

/* ---- the file (export.h): the rows, then the store's and the chain's total ---- */

/* An estimate and its 95% interval: the columns key.estimate, .low and .high
 * of the window of d days (nl/en: the estimate's header, stem_*: the bounds'). */
#define INTERVAL_COLS(d, key, kind, nl, en, stem_nl, stem_en)                                                      \
    EXPORT_COL("after." #d "." key ".estimate", #d " d: " nl, #d " d: " en, kind),                                 \
    EXPORT_COL("after." #d "." key ".low", #d " d: " stem_nl " ondergrens (95%)", #d " d: " stem_en " low (95%)",    \
               kind),                                                                                             \
    EXPORT_COL("after." #d "." key ".high", #d " d: " stem_nl " bovengrens (95%)", #d " d: " stem_en " high (95%)", \
               kind)
#define WINDOW_COLS(d)                                                                                           \
    EXPORT_FLAG_COL("after." #d ".estimable", #d " d: te schatten", #d " d: estimable", "ja", "yes", "nee", "no"), \
    EXPORT_COL("after." #d ".reason", #d " d: waarom niet", #d " d: why not", EXPORT_TEXT),                        \
    EXPORT_COL("after." #d ".given", #d " d: zaken met goodwill", #d " d: cases with goodwill", EXPORT_INT),        \
    EXPORT_COL("after." #d ".compared", #d " d: vergelijkbare zaken", #d " d: comparable cases", EXPORT_INT),     \
    EXPORT_COL("after." #d ".open", #d " d: nog open", #d " d: still open", EXPORT_INT),                           \
    EXPORT_COL("after." #d ".spend_after_cents.given", #d " d: besteding met goodwill", #d " d: spend with goodwill", \
               EXPORT_CENTS),                                                                                     \
    EXPORT_COL("after." #d ".spend_after_cents.compared", #d " d: besteding vergelijkbaar", #d " d: spend compared", \
               EXPORT_CENTS),                                                                                     \
    INTERVAL_COLS(d, "revenue_retained_cents", EXPORT_CENTS, "omzet behouden", "revenue retained", "omzet",        \
                  "revenue"),                                                                                      \
    INTERVAL_COLS(d, "per_euro", EXPORT_DECIMAL, "per euro goodwill", "per euro of goodwill", "per euro",          \
                  "per euro"),                                                                                     \
    EXPORT_COL("after." #d ".assumed_per_euro.estimate", #d " d: aanname x vermenigvuldiger",                       \
               #d " d: assumption x multiplier", EXPORT_DECIMAL)
static const struct export_column goodwill_cols[] = {
    EXPORT_COL("scope", "niveau", "level", EXPORT_TEXT),
    EXPORT_STORE_COL,
    EXPORT_COL("month", "maand", "month", EXPORT_TEXT),
    EXPORT_CATEGORY_COL,
    EXPORT_COL("policy_version", "beleidsversie", "policy version", EXPORT_TEXT),
    EXPORT_COL("cases", "zaken", "cases", EXPORT_INT),
    EXPORT_COL("goodwill_cases", "zaken met goodwill", "cases with goodwill", EXPORT_INT),
    EXPORT_COL("goodwill_cents.total", "goodwill", "goodwill", EXPORT_CENTS),
    EXPORT_COL("goodwill_cents.funded", "goodwill: tegoedbonnen", "goodwill: credit notes", EXPORT_CENTS),
    EXPORT_COL("goodwill_cents.beyond_strict", "goodwill: meer dan strikt", "goodwill: beyond strict", EXPORT_CENTS),
    WINDOW_COLS(90),
    WINDOW_COLS(180),
};
#undef WINDOW_COLS
#undef INTERVAL_COLS
static const struct export_table goodwill_table = {"Goodwill", "Goodwill", EXPORT_COLUMNS(goodwill_cols)};

static int reply_file(struct api_call *a, json_t *o, enum export_format format)
{
    json_t *items = json_copy(json_object_get(o, "rows"));
    if (!items) return TD_E_NOMEM;
    if (json_is_object(json_object_get(o, "store"))) json_array_append(items, json_object_get(o, "store"));
    json_array_append(items, json_object_get(o, "chain"));
    char *stem = api_export_stem(a, "goodwill", NULL, api_str(o, "store_code"), api_str(o, "from"), api_str(o, "to"));
    int rc = stem ? api_reply_table(a, &goodwill_table, items, format, stem) : TD_E_NOMEM;
    json_decref(items);
    return rc;
}

int api_insight_goodwill(struct api_call *a)
{
    double multiplier;
    int64_t from_us = 0, to_us = 0;
    const char *from = http_query(a->r, "from"), *to = http_query(a->r, "to");
    enum export_format format;
    int rc_m = multiplier_param(a, &multiplier), rc_f = api_export_format(a, EXPORT_JSON, &format);
    int rc = simulate_period(from, to, a->d.now_us, "from", "to", &a->err, &from_us, &to_us);
    if (rc == TD_OK && !from) from_us = to_us - DEFAULT_DAYS * DAY_US;
    if (rc != TD_OK || rc_m != TD_OK || rc_f != TD_OK) return TD_E_BAD_REQUEST;
    const char *code = http_query(a->r, "store");
    struct store st = {0};
    if (code || a->me.role != ROLE_ADMIN) {
        rc = api_cl_store(a, code, "store", "figures", &st);
        if (rc != TD_OK) return rc == TD_E_INVALID ? TD_E_BAD_REQUEST : rc;
    }
    struct goodwill_report g;
    rc = goodwill_report(&a->d, from_us, to_us, st.id, a->d.now_us, &g);
    json_t *o = rc == TD_OK ? report_json(&g, multiplier) : NULL;
    goodwill_report_free(&g);
    return api_reply_report(a, rc, o, format, reply_file);
}
