/* api_nps.c — GET /api/v1/nps (JSON), /api/v1/nps.csv (the same for
 * Dutch Excel) and /api/v1/nps.xlsx: the customers' NPS per store, category, associate, case kind
 * or resolution over a period, each figure with its number of answers and
 * 95 % interval, "too few answers" below the minimum (domain/nps.h).
 *
 * Who sees what: an associate only their own figure (by=associate, one
 * row: coaching, never a ranking); a manager their own store (any
 * dimension, their store's associates among them); an admin every store or
 * one. Rows are sorted by name, never by score. A bad parameter is 400
 * naming it. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/nps.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US (86400LL * 1000000)
#define NPS_MAX_DAYS 731
#define NPS_DEFAULT_DAYS 90

struct nps_ask {
    struct nps_query q;
    char from[11], to[11], store_code[CODE_SZ];
};

/* The request's parameters, checked and put in the caller's scope; ?format=
 * into *format (which holds the route's own on entry). */
static int ask_of(struct api_call *a, struct nps_ask *k, enum export_format *format)
{
    memset(k, 0, sizeof *k);
    const char *by = http_query(a->r, "by");
    int v = a->me.role == ROLE_ASSOCIATE ? NPS_ASSOCIATE : NPS_STORE;
    if (by && enum_map_value(&nps_dim_map, by, &v) != TD_OK)
        errors_add(&a->err, "by", "must be one of %s", nps_dim_map.list);
    k->q.by = (enum nps_dim)v;
    if (api_export_format(a, *format, format) != TD_OK) {
        /* named in a->err, refused with the others below */
    }
    int64_t today = a->d.now_us / DAY_US;
    int rc_to = api_day_param(a, "to", today, &k->q.to_day);
    int rc_from = api_day_param(a, "from", k->q.to_day - (NPS_DEFAULT_DAYS - 1), &k->q.from_day);
    if (rc_to == TD_OK && rc_from == TD_OK) {
        if (k->q.from_day > k->q.to_day) errors_add(&a->err, "from", "must not be after to");
        else if (k->q.to_day - k->q.from_day >= NPS_MAX_DAYS)
            errors_add(&a->err, "from", "the period may be at most %d days", NPS_MAX_DAYS);
    }
    if (a->err.n) return TD_E_BAD_REQUEST;
    api_day_text(k->q.from_day, k->from);
    api_day_text(k->q.to_day, k->to);

    const char *code = http_query(a->r, "store");
    if (a->me.role == ROLE_ASSOCIATE) {
        if (k->q.by != NPS_ASSOCIATE) {
            errors_set_message(&a->err, "an associate sees only their own figure (by=associate)");
            return TD_E_FORBIDDEN;
        }
        k->q.key = a->me.login;                  /* their own, wherever they served */
        return TD_OK;
    }
    if (!code && a->me.role == ROLE_ADMIN) return TD_OK;
    struct store st;
    int rc = api_cl_store(a, code, "store", "figures", &st);
    if (rc == TD_E_INVALID) rc = TD_E_BAD_REQUEST;
    if (rc != TD_OK) return rc;
    k->q.store_id = st.id;
    snprintf(k->store_code, sizeof k->store_code, "%s", st.code);
    return TD_OK;
}

static json_t *one_decimal(double v) { return json_real(round(v * 10) / 10); }

json_t *api_nps_figure_json(const struct nps_figure *f)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:b}", "n", (json_int_t)f->n, "promoters", (json_int_t)f->promoters,
                          "passives", (json_int_t)f->passives, "detractors", (json_int_t)f->detractors, "too_few",
                          f->too_few);
    json_object_set_new(o, "score", f->too_few ? json_null() : one_decimal(f->score));
    json_object_set_new(o, "low", f->too_few ? json_null() : one_decimal(f->low));
    json_object_set_new(o, "high", f->too_few ? json_null() : one_decimal(f->high));
    return o;
}

json_t *api_share_json(const struct nps_share *s)
{
    json_t *o = json_pack("{s:I,s:I,s:b}", "k", (json_int_t)s->k, "n", (json_int_t)s->n, "too_few", s->too_few);
    json_object_set_new(o, "share", s->too_few ? json_null() : json_real(round(s->share * 1000) / 1000));
    json_object_set_new(o, "low", s->too_few ? json_null() : json_real(round(s->low * 1000) / 1000));
    json_object_set_new(o, "high", s->too_few ? json_null() : json_real(round(s->high * 1000) / 1000));
    return o;
}

struct rows {
    json_t *items;
    int64_t p, pa, d;                            /* the total */
};

static int add_row(void *arg, const struct nps_row *r)
{
    struct rows *x = arg;
    x->p += r->f.promoters;
    x->pa += r->f.passives;
    x->d += r->f.detractors;
    json_t *o = api_nps_figure_json(&r->f);
    json_object_set_new(o, "key", json_string(r->key));
    json_object_set_new(o, "label", json_string(r->label));
    return json_array_append_new(x->items, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* ---- the files: CSV for Dutch Excel and .xlsx (export.h) ------------------- */

static const struct export_column nps_cols[] = {
    EXPORT_COL("key", "sleutel", "key", EXPORT_TEXT),
    EXPORT_COL("label", "naam", "name", EXPORT_TEXT),
    API_NPS_FIGURE_COLS("", ""),
    EXPORT_FLAG_COL("too_few", "opmerking", "note", "te weinig antwoorden", "too few answers", NULL, NULL),
};
static const struct export_table nps_table = {"NPS", "NPS", EXPORT_COLUMNS(nps_cols)};

/* The rows and, last, the total (its key empty), as a file. */
static int reply_file(struct api_call *a, const struct nps_ask *k, enum export_format format, json_t *items,
                      const struct nps_figure *total)
{
    json_t *t = api_nps_figure_json(total);
    json_object_set_new(t, "key", json_string(""));
    json_object_set_new(t, "label", json_string(strcmp(a->me.lang, "en") == 0 ? "total" : "totaal"));
    if (json_array_append_new(items, t) != 0) return TD_E_NOMEM;
    char *stem = api_export_stem(a, "nps", enum_map_name(&nps_dim_map, (int)k->q.by), k->store_code, k->from, k->to);
    return stem ? api_reply_table(a, &nps_table, items, format, stem) : TD_E_NOMEM;
}

static int nps_answer(struct api_call *a, enum export_format format)
{
    struct nps_ask k;
    int rc = ask_of(a, &k, &format);
    if (rc != TD_OK) return rc;
    struct rows x = {json_array(), 0, 0, 0};
    rc = nps_each(&a->d, &k.q, add_row, &x);
    if (rc != TD_OK) {
        json_decref(x.items);
        return rc;
    }
    struct nps_figure total;
    nps_figure_of(x.p, x.pa, x.d, nps_min_answers(), &total);
    if (format != EXPORT_JSON) {
        rc = reply_file(a, &k, format, x.items, &total);
        json_decref(x.items);
        return rc;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:o,s:o}", "by", enum_map_name(&nps_dim_map, (int)k.q.by), "from", k.from,
                          "to", k.to, "min_answers", (json_int_t)nps_min_answers(), "items", x.items, "total",
                          api_nps_figure_json(&total));
    json_object_set_new(o, "store_code", api_str_or_null(k.store_code));
    return api_reply_json(a, 200, o);
}

int api_nps_get(struct api_call *a) { return nps_answer(a, EXPORT_JSON); }
int api_nps_csv(struct api_call *a) { return nps_answer(a, EXPORT_CSV); }
int api_nps_xlsx(struct api_call *a) { return nps_answer(a, EXPORT_XLSX); }
