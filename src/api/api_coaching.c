/* api_coaching.c — GET /api/v1/insight/coaching: per associate of a store,
 * over a period of Amsterdam dates, their cases, resolutions, overrides of
 * the recommendation with the reasons, their customers' NPS (n and 95 %
 * interval, "too few" below the minimum) and knowledge score; and for each
 * rate a funnel plot against the store: every associate's point (k of n),
 * the store's rate and binomial control limits at 95 % and 99.8 % as curves
 * (domain/coaching.h). For coaching, never a ranking: people are sorted by
 * name.
 *
 * Who sees what: an associate their own figures and point named, the other
 * points of their store without a name (sorted by their counts, so that the
 * order names no one either); a manager their store, named; head office
 * (admin) any store, or every store with the chain as the centre. Another
 * store is 403 naming "store"; a malformed date or one after the other is
 * 400 naming it. Reads only. ?format=csv or xlsx answers the same as a
 * file (export.h): the people, every point of the funnels with its limits,
 * and the overrides with their reasons. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/coaching.h"
#include "domain/nps.h"
#include "domain/policy.h"
#include "domain/simulate.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERRIDES_SHOWN 20          /* the newest of a person's overrides listed with their reasons */
#define OVERRIDES_SHOWN_CHAIN 3     /* the same in the view of every store: the chain's hundreds of people
                                       times 20 were two thirds of that answer's time (docs/insight.md) */
#define CURVE_HEADROOM 1.1          /* the curves reach a tenth beyond the largest point */

struct ask {
    struct coaching_query q;
    struct store st;                /* st.id 0: every store */
    int named;                      /* 0: the caller sees only their own point named */
};

static json_t *rounded(double v) { return json_real(round(v * 10000) / 10000); }

/* The Amsterdam date of an instant, "YYYY-MM-DD". */
static json_t *date_json(int64_t us)
{
    char t[40];
    clock_format_rfc3339(us + (int64_t)clock_amsterdam_offset(us / 1000000) * 1000000, t, sizeof t);
    return json_stringn(t, 10);
}

static int ask_of(struct api_call *a, struct ask *k)
{
    memset(k, 0, sizeof *k);
    int rc = simulate_period(http_query(a->r, "from"), http_query(a->r, "to"), a->d.now_us, "from", "to", &a->err,
                             &k->q.from_us, &k->q.to_us);
    if (rc != TD_OK) return TD_E_BAD_REQUEST;
    const char *code = http_query(a->r, "store");
    k->named = a->me.role != ROLE_ASSOCIATE;
    if (!code && a->me.role == ROLE_ADMIN) return TD_OK;               /* the chain */
    rc = api_cl_store(a, code, "store", NULL, &k->st);
    if (rc == TD_E_INVALID) return TD_E_BAD_REQUEST;
    if (rc != TD_OK) return rc;
    if (a->me.role != ROLE_ADMIN && k->st.id != a->me.store_id) {
        errors_add(&a->err, "store", "is not your store: you see the coaching of your own store only");
        return TD_E_FORBIDDEN;
    }
    k->q.store_id = k->st.id;
    return TD_OK;
}

/* {name: count} over a policy map's names, the counts indexed by value. */
static json_t *counts_json(const struct enum_map *m, const int64_t *by)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->n; i++)
        if (m->rows[i].value > 0 && m->rows[i].value < COACHING_KINDS)
            json_object_set_new(o, m->rows[i].name, json_integer(by[m->rows[i].value]));
    return o;
}

static int add_override(void *arg, const struct coaching_override *o)
{
    json_t *x = json_pack("{s:I,s:o,s:s,s:s,s:I,s:s,s:I,s:s}", "case_id", (json_int_t)o->case_id, "resolved_at",
                          api_time(o->resolved_at), "kind", o->kind, "recommended", o->recommended, "recommended_cents",
                          (json_int_t)o->recommended_cents, "chosen", o->chosen, "chosen_cents",
                          (json_int_t)o->chosen_cents, "reason", o->reason ? o->reason : "");
    return x && json_array_append_new(arg, x) == 0 ? TD_OK : TD_E_NOMEM;
}

/* add_override into the i-th of the people's lists. */
static int add_listed(void *arg, size_t i, const struct coaching_override *o)
{
    json_t **lists = arg;
    return add_override(lists[i], o);
}

/* The person's row with their newest overrides listed (overrides: a
 * reference the row takes over). */
static int person_json(struct api_call *a, const struct coaching_person *p, json_t *overrides, json_t **out)
{
    struct nps_figure f;
    nps_figure_of(p->promoters, p->passives, p->detractors, nps_min_answers(), &f);
    const struct quiz_score *q = &p->knowledge;
    json_t *percent = q->questions ? json_integer((json_int_t)llround(100.0 * (double)q->correct / (double)q->questions))
                                   : json_null();
    *out = json_pack("{s:s,s:s,s:s,s:b,s:I,s:o,s:o,s:{s:I,s:o},s:{s:I,s:I},s:o,s:{s:I,s:I,s:I,s:o}}", "login", p->login,
                     "name", p->name, "store_code", p->store_code, "self", p->staff_id == a->me.id, "cases",
                     (json_int_t)p->cases, "by_kind", counts_json(&policy_kind_map, p->by_kind), "resolutions",
                     counts_json(&policy_resolution_map, p->by_resolution), "overrides", "n", (json_int_t)p->overrides,
                     "items", overrides, "goodwill", "cases", (json_int_t)p->goodwill_cases, "cents",
                     (json_int_t)p->goodwill_cents, "nps", api_nps_figure_json(&f), "knowledge", "questions",
                     (json_int_t)q->questions, "answered", (json_int_t)q->answered, "correct", (json_int_t)q->correct,
                     "percent", percent);
    return *out ? TD_OK : TD_E_NOMEM;
}

struct point {
    const struct coaching_person *p;
    int64_t k, n;
};

static int by_counts(const void *x, const void *y)
{
    const struct point *a = x, *b = y;
    return a->n != b->n ? (a->n < b->n ? -1 : 1) : a->k != b->k ? (a->k < b->k ? -1 : 1) : 0;
}

static json_t *limits_json(const struct coaching_limits *l)
{
    return json_pack("{s:o,s:o,s:o,s:o}", "low95", rounded(l->low95), "high95", rounded(l->high95), "low998",
                     rounded(l->low998), "high998", rounded(l->high998));
}

/* The limits of one rate's centre at n, worked out once per n. */
#define LIMITS_MEMO 256
struct limits_memo {
    int64_t n;                                     /* 0: none yet (points have n >= 1) */
    struct coaching_limits l;
};

/* One rate's funnel: the store's k of n as the centre, every person's point
 * (answers: only from the minimum on) with its band, and the curves. pts
 * has room for every person. */
static json_t *funnel_json(struct api_call *a, const struct ask *k, const struct coaching_report *r,
                           enum coaching_rate rate, struct point *pts)
{
    int answers = coaching_rate_counts_answers(rate);
    int64_t min = answers ? nps_min_answers() : 1, sk = 0, sn = 0, top = 0, hidden = 0;
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t pk, pn;
        coaching_rate_of(&r->people[i], rate, &pk, &pn);
        sk += pk;
        sn += pn;
        if (pn < 1) continue;
        if (pn < min) {
            hidden++;
            continue;
        }
        pts[m++] = (struct point){&r->people[i], pk, pn};
        if (pn > top) top = pn;
    }
    int too_few = sn < 1 || sn < min;
    double p0 = too_few ? 0 : (double)sk / (double)sn;
    if (!k->named) qsort(pts, m, sizeof *pts, by_counts);        /* an order that names no one */
    json_t *points = json_array(), *curve = json_array();
    struct limits_memo memos[LIMITS_MEMO] = {{0}};
    for (size_t i = 0; !too_few && i < m; i++) {
        const struct point *x = &pts[i];
        int self = x->p->staff_id == a->me.id;
        struct limits_memo *memo = &memos[x->n % LIMITS_MEMO];
        if (memo->n != x->n) {                         /* people with as many cases share their limits */
            memo->n = x->n;
            coaching_limits_of(p0, x->n, &memo->l);
        }
        const struct coaching_limits l = memo->l;
        json_t *o = json_pack("{s:b,s:I,s:I,s:o,s:i,s:o}", "self", self, "k", (json_int_t)x->k, "n", (json_int_t)x->n,
                              "rate", rounded((double)x->k / (double)x->n), "band", coaching_band_of(x->k, x->n, &l),
                              "limits", limits_json(&l));
        if (o && (k->named || self)) {
            json_object_set_new(o, "login", json_string(x->p->login));
            json_object_set_new(o, "name", json_string(x->p->name));
        }
        json_array_append_new(points, o);
    }
    struct coaching_curve_point c[COACHING_CURVE_MAX];
    size_t nc = too_few ? 0 : coaching_curve(p0, (int64_t)ceil((double)(top < 10 ? 10 : top) * CURVE_HEADROOM), c,
                                             COACHING_CURVE_MAX);
    for (size_t i = 0; i < nc; i++) {
        json_t *o = limits_json(&c[i].l);
        json_object_set_new(o, "n", json_integer(c[i].n));
        json_array_append_new(curve, o);
    }
    return json_pack("{s:s,s:s,s:{s:I,s:I,s:o},s:b,s:I,s:o,s:o}", "rate", enum_map_name(&coaching_rate_map, rate), "of",
                     answers ? "answers" : "cases", "centre", "k", (json_int_t)sk, "n", (json_int_t)sn, "rate",
                     too_few ? json_null() : rounded(p0), "too_few", too_few, "too_few_points", (json_int_t)hidden,
                     "points", points, "curve", curve);
}

/* ---- the files (export.h): people, points, overrides --------------------- */

static const struct export_column people_cols[] = {
    EXPORT_PERSON_COLS,
    EXPORT_STORE_COL,
    EXPORT_COL("cases", "zaken", "cases", EXPORT_INT),
    EXPORT_COL("overrides.n", "afwijkingen van het advies", "overrides", EXPORT_INT),
    EXPORT_COL("goodwill.cases", "zaken met coulance", "goodwill cases", EXPORT_INT),
    EXPORT_COL("goodwill.cents", "coulance", "goodwill", EXPORT_CENTS),
#define RES(r, nl, en) EXPORT_COL("resolutions." r, nl, en, EXPORT_INT)
    RES("refund", "terugbetaald", "refund"), RES("store_credit", "tegoedbon", "store credit"),
    RES("exchange", "geruild", "exchange"), RES("repair_manufacturer", "reparatie fabrikant", "repair by maker"),
    RES("repair_in_store", "reparatie winkel", "repair in store"),
    RES("refer_elsewhere", "doorverwezen", "referred elsewhere"), RES("decline", "afgewezen", "declined"),
#undef RES
    API_NPS_FIGURE_COLS("nps.", "NPS "),
    EXPORT_COL("knowledge.questions", "quizvragen", "quiz questions", EXPORT_INT),
    EXPORT_COL("knowledge.correct", "goed beantwoord", "answered right", EXPORT_INT),
    EXPORT_COL("knowledge.percent", "kennisscore (%)", "knowledge score (%)", EXPORT_INT),
};
static const struct export_table people_table = {"Medewerkers", "Associates", EXPORT_COLUMNS(people_cols)};

static const struct export_column point_cols[] = {
    EXPORT_COL("rate", "maat", "rate", EXPORT_TEXT),
    EXPORT_COL("of", "van", "of", EXPORT_TEXT),
    EXPORT_PERSON_COLS,
    EXPORT_COL("k", "aantal", "count", EXPORT_INT),
    EXPORT_COL("n", "van totaal", "out of", EXPORT_INT),
    EXPORT_COL("share", "aandeel", "share", EXPORT_PERCENT),
    EXPORT_COL("centre", "winkel (middenlijn)", "store (centre line)", EXPORT_PERCENT),
    EXPORT_COL("limits.low998", "ondergrens (99,8%)", "low (99.8%)", EXPORT_PERCENT),
    EXPORT_COL("limits.low95", "ondergrens (95%)", "low (95%)", EXPORT_PERCENT),
    EXPORT_COL("limits.high95", "bovengrens (95%)", "high (95%)", EXPORT_PERCENT),
    EXPORT_COL("limits.high998", "bovengrens (99,8%)", "high (99.8%)", EXPORT_PERCENT),
    EXPORT_COL("band", "buiten de grenzen (-2..2)", "outside the limits (-2..2)", EXPORT_INT),
};
static const struct export_table point_table = {"Trechter", "Funnel", EXPORT_COLUMNS(point_cols)};

static const struct export_column override_cols[] = {
    EXPORT_PERSON_COLS,
    EXPORT_CASE_COL,
    EXPORT_RESOLVED_COL,
    EXPORT_KIND_COL,
    EXPORT_COL("recommended", "advies", "recommended", EXPORT_TEXT),
    EXPORT_COL("recommended_cents", "advies bedrag", "recommended amount", EXPORT_CENTS),
    EXPORT_COL("chosen", "gekozen", "chosen", EXPORT_TEXT),
    EXPORT_COL("chosen_cents", "gekozen bedrag", "chosen amount", EXPORT_CENTS),
    EXPORT_REASON_COL,
};
static const struct export_table override_table = {"Afwijkingen", "Overrides", EXPORT_COLUMNS(override_cols)};

/* Copies the members of from named in keys (NULL-ended) into to. */
static void copy_members(json_t *to, json_t *from, const char *const *keys)
{
    for (; *keys; keys++)
        if (json_object_get(from, *keys)) json_object_set(to, *keys, json_object_get(from, *keys));
}

/* The answer's funnels and overrides as flat rows, one per point and per
 * override (the people are rows already). */
static int flat_rows(json_t *o, json_t *points, json_t *overrides)
{
    static const char *const point_keys[] = {"login", "name", "k", "n", "band", "limits", NULL};
    static const char *const person_keys[] = {"login", "name", NULL};
    size_t i, j;
    json_t *f, *x;
    json_array_foreach(json_object_get(o, "funnels"), i, f) {
        json_array_foreach(json_object_get(f, "points"), j, x) {
            json_t *row = json_pack("{s:O,s:O,s:O,s:O}", "rate", json_object_get(f, "rate"), "of",
                                    json_object_get(f, "of"), "share", json_object_get(x, "rate"), "centre",
                                    json_object_get(json_object_get(f, "centre"), "rate"));
            if (!row) return TD_E_NOMEM;
            copy_members(row, x, point_keys);
            if (json_array_append_new(points, row) != 0) return TD_E_NOMEM;
        }
    }
    json_array_foreach(json_object_get(o, "people"), i, f) {
        json_array_foreach(json_object_get(json_object_get(f, "overrides"), "items"), j, x) {
            json_t *row = json_deep_copy(x);
            if (!row) return TD_E_NOMEM;
            copy_members(row, f, person_keys);
            if (json_array_append_new(overrides, row) != 0) return TD_E_NOMEM;
        }
    }
    return TD_OK;
}

/* The answer o as a file: the CSV holds one table (?table=people, the
 * default, points or overrides), the workbook all three. */
static int reply_file(struct api_call *a, json_t *o, enum export_format format)
{
    static const char *const tables[] = {"people", "points", "overrides"};
    size_t t;
    if (api_export_table_param(a, tables, 3, &t) != TD_OK) return TD_E_BAD_REQUEST;
    json_t *points = json_array(), *overrides = json_array();
    int rc = points && overrides ? flat_rows(o, points, overrides) : TD_E_NOMEM;
    const struct export_sheet s[3] = {{&people_table, json_object_get(o, "people")}, {&point_table, points},
                                      {&override_table, overrides}};
    char *stem = rc == TD_OK ? api_export_stem(a, "coaching", t && format == EXPORT_CSV ? tables[t] : NULL,
                                               api_str(o, "store_code"), api_str(o, "from"), api_str(o, "to"))
                             : NULL;
    if (rc == TD_OK && !stem) rc = TD_E_NOMEM;
    if (rc == TD_OK) rc = api_reply_one_or_all(a, s, 3, t, format, stem);
    json_decref(points);
    json_decref(overrides);
    return rc;
}

/* The rows of the people the caller may see, with their newest overrides
 * read for all of them at once (coaching_overrides_of). */
static int people_json(struct api_call *a, const struct ask *k, const struct coaching_report *r, json_t *people)
{
    size_t m = 0, *shown = malloc((r->n ? r->n : 1) * sizeof *shown);
    int64_t *ids = malloc((r->n ? r->n : 1) * sizeof *ids);
    json_t **lists = calloc(r->n ? r->n : 1, sizeof *lists);
    int rc = shown && ids && lists ? TD_OK : TD_E_NOMEM;
    for (size_t i = 0; rc == TD_OK && i < r->n; i++) {
        if (!k->named && r->people[i].staff_id != a->me.id) continue;   /* another's figures are theirs */
        shown[m] = i, ids[m] = r->people[i].staff_id;
        if (!(lists[m++] = json_array())) rc = TD_E_NOMEM;
    }
    if (rc == TD_OK)
        rc = coaching_overrides_of(&a->d, &k->q, ids, m, k->st.id ? OVERRIDES_SHOWN : OVERRIDES_SHOWN_CHAIN, add_listed,
                                   lists);
    for (size_t j = 0; j < m; j++) {
        json_t *o = NULL;
        if (rc != TD_OK) {
            json_decref(lists[j]);                 /* not handed to a row */
            continue;
        }
        rc = person_json(a, &r->people[shown[j]], lists[j], &o);   /* takes lists[j], also on failure */
        if (rc == TD_OK && json_array_append_new(people, o) != 0) rc = TD_E_NOMEM;
    }
    free(shown);
    free(ids);
    free(lists);
    return rc;
}

int api_insight_coaching(struct api_call *a)
{
    struct ask k;
    enum export_format format;
    int rc = ask_of(a, &k);
    if (api_export_format(a, EXPORT_JSON, &format) != TD_OK && rc == TD_OK) rc = TD_E_BAD_REQUEST;
    if (rc != TD_OK) return rc;
    struct coaching_report r;
    if ((rc = coaching_read(&a->d, &k.q, &r)) != TD_OK) return rc;
    struct point *pts = malloc((r.n ? r.n : 1) * sizeof *pts);
    json_t *people = json_array(), *funnels = json_array();
    if (!pts || !people || !funnels) rc = TD_E_NOMEM;
    if (rc == TD_OK) rc = people_json(a, &k, &r, people);
    for (int i = 0; rc == TD_OK && i < COACHING_RATES; i++)
        if (json_array_append_new(funnels, funnel_json(a, &k, &r, (enum coaching_rate)i, pts)) != 0) rc = TD_E_NOMEM;
    free(pts);
    coaching_report_free(&r);
    if (rc != TD_OK) {
        json_decref(people);
        json_decref(funnels);
        return rc;
    }
    json_t *o = json_pack("{s:o,s:o,s:o,s:I,s:b,s:o,s:o}", "from", date_json(k.q.from_us), "to", date_json(k.q.to_us - 1),
                          "store_code", k.st.id ? json_string(k.st.code) : json_null(), "min_answers",
                          (json_int_t)nps_min_answers(), "ranking", 0, "people", people, "funnels", funnels);
    return api_reply_report(a, TD_OK, o, format, reply_file);
}
