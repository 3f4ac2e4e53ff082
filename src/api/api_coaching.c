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
 * 400 naming it. Reads only. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
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

static int person_json(struct api_call *a, const struct ask *k, const struct coaching_person *p, json_t **out)
{
    struct nps_figure f;
    nps_figure_of(p->promoters, p->passives, p->detractors, nps_min_answers(), &f);
    json_t *overrides = json_array();
    int rc = overrides ? coaching_overrides_each(&a->d, &k->q, p->staff_id, OVERRIDES_SHOWN, add_override, overrides)
                       : TD_E_NOMEM;
    if (rc != TD_OK) {
        json_decref(overrides);
        return rc;
    }
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
    for (size_t i = 0; !too_few && i < m; i++) {
        const struct point *x = &pts[i];
        int self = x->p->staff_id == a->me.id;
        json_t *o = json_pack("{s:b,s:I,s:I,s:o,s:i}", "self", self, "k", (json_int_t)x->k, "n", (json_int_t)x->n,
                              "rate", rounded((double)x->k / (double)x->n), "band", coaching_band(x->k, x->n, p0));
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

int api_insight_coaching(struct api_call *a)
{
    struct ask k;
    int rc = ask_of(a, &k);
    if (rc != TD_OK) return rc;
    struct coaching_report r;
    if ((rc = coaching_read(&a->d, &k.q, &r)) != TD_OK) return rc;
    struct point *pts = malloc((r.n ? r.n : 1) * sizeof *pts);
    json_t *people = json_array(), *funnels = json_array();
    if (!pts || !people || !funnels) rc = TD_E_NOMEM;
    for (size_t i = 0; rc == TD_OK && i < r.n; i++) {
        if (!k.named && r.people[i].staff_id != a->me.id) continue;   /* another's figures are theirs */
        json_t *o = NULL;
        if ((rc = person_json(a, &k, &r.people[i], &o)) == TD_OK && json_array_append_new(people, o) != 0)
            rc = TD_E_NOMEM;
    }
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
    return o ? api_reply_json(a, 200, o) : TD_E_NOMEM;
}
