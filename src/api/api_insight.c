/* api_insight.c — GET /api/v1/insight/referrals: every referral of a period
 * with whether the customer bought here again within 30, 90 and 180 days,
 * and per category the share that came back beside the customers whose case
 * in that category was resolved without a referral (domain/insight.h). Each
 * share has its number of cases and Wilson's 95 % interval, and none below
 * the figures' minimum (TRUSTDESK_NPS_MIN_ANSWERS). A manager sees their
 * own store, head office every store or one. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/insight.h"
#include "domain/nps.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US (86400LL * 1000000)
#define ITEMS_MAX 200
#define CATEGORIES_MAX 64
#define DEFAULT_DAYS 365

struct tally {
    char category[64];
    int64_t k[2][INSIGHT_WINDOWS], n[2][INSIGHT_WINDOWS];   /* [referred][window] */
};

struct walk {
    struct api_call *a;
    int referred;
    json_t *items;
    size_t ncat;
    struct tally cat[CATEGORIES_MAX];
};

/* The tally of a category; made for a referral (the referrals are walked
 * first), never for a case compared with them. */
static struct tally *tally_of(struct walk *w, const char *category)
{
    for (size_t i = 0; i < w->ncat; i++)
        if (strcmp(w->cat[i].category, category) == 0) return &w->cat[i];
    if (!w->referred || w->ncat == CATEGORIES_MAX || strlen(category) >= sizeof w->cat[0].category) return NULL;
    struct tally *t = &w->cat[w->ncat++];
    memset(t, 0, sizeof *t);
    snprintf(t->category, sizeof t->category, "%s", category);
    return t;
}

static int by_category(const void *x, const void *y)
{
    return strcmp(((const struct tally *)x)->category, ((const struct tally *)y)->category);
}

static json_t *known(int v) { return v < 0 ? json_null() : json_boolean(v); }

static int on_case(void *arg, const struct insight_case *k)
{
    struct walk *w = arg;
    int back[INSIGHT_WINDOWS];
    for (int i = 0; i < INSIGHT_WINDOWS; i++)
        back[i] = insight_came_back(k->resolved_at, k->next_purchase_at, w->a->d.now_us, insight_window_days[i]);
    struct tally *t = tally_of(w, k->category);
    for (int i = 0; t && i < INSIGHT_WINDOWS; i++) {
        if (back[i] < 0) continue;                        /* the window is still open */
        t->n[w->referred][i]++;
        t->k[w->referred][i] += back[i];
    }
    if (!w->referred || json_array_size(w->items) >= ITEMS_MAX) return TD_OK;
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

/* ?name=YYYY-MM-DD as microseconds at 00:00 UTC, def when absent. */
static int day_param(struct api_call *a, const char *name, int64_t def, int64_t *us)
{
    const char *v = http_query(a->r, name);
    *us = def;
    if (!v) return TD_OK;
    char t[32];
    if (strlen(v) != 10 || snprintf(t, sizeof t, "%sT00:00:00Z", v) >= (int)sizeof t || clock_parse(t, us) != TD_OK) {
        errors_add(&a->err, name, "must be a date YYYY-MM-DD");
        return TD_E_BAD_REQUEST;
    }
    return TD_OK;
}

int api_insight_referrals(struct api_call *a)
{
    int64_t today = a->d.now_us / DAY_US * DAY_US, to, from;
    int rc_to = day_param(a, "to", today, &to);
    int rc_from = day_param(a, "from", to - (DEFAULT_DAYS - 1) * DAY_US, &from);
    if (rc_to == TD_OK && rc_from == TD_OK && from > to) errors_add(&a->err, "from", "must not be after to");
    if (a->err.n) return TD_E_BAD_REQUEST;
    const char *code = http_query(a->r, "store");
    struct store st = {0};
    if (code || a->me.role != ROLE_ADMIN) {
        int rc = api_cl_store(a, code, "store", "figures", &st);
        if (rc != TD_OK) return rc == TD_E_INVALID ? TD_E_BAD_REQUEST : rc;
    }
    struct walk *w = calloc(1, sizeof *w);
    if (!w) return TD_E_NOMEM;
    w->a = a;
    w->items = json_array();
    int rc = TD_OK;
    for (w->referred = 1; rc == TD_OK && w->referred >= 0; w->referred--)
        rc = insight_cases_each(&a->d, w->referred, st.id, from, to + DAY_US, on_case, w);
    json_t *cats = json_array();
    qsort(w->cat, w->ncat, sizeof w->cat[0], by_category);
    for (size_t i = 0; rc == TD_OK && i < w->ncat; i++)
        json_array_append_new(cats, json_pack("{s:s,s:o,s:o}", "category", w->cat[i].category, "referred",
                                              shares_json(&w->cat[i], 1), "compared", shares_json(&w->cat[i], 0)));
    char f[40], t[40];
    clock_format_rfc3339(from, f, sizeof f);
    clock_format_rfc3339(to, t, sizeof t);
    json_t *o = rc == TD_OK ? json_pack("{s:s%,s:s%,s:o,s:I,s:[iii],s:o,s:o}", "from", f, (size_t)10, "to", t, (size_t)10,
                                        "store_code", st.id ? json_string(st.code) : json_null(), "min_answers",
                                        (json_int_t)nps_min_answers(), "windows", insight_window_days[0],
                                        insight_window_days[1], insight_window_days[2], "items", w->items,
                                        "by_category", cats)
                              : NULL;
    if (!o) {
        json_decref(w->items);
        json_decref(cats);
    }
    free(w);
    if (rc != TD_OK) return rc;
    return o ? api_reply_json(a, 200, o) : TD_E_NOMEM;
}
