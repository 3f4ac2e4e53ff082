/* api_nps.c — GET /api/v1/nps (JSON) and /api/v1/nps.csv (the same for
 * Dutch Excel): the customers' NPS per store, category, associate, case kind
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
#include "api/handlers.h"
#include "core/buf.h"
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
    int csv;
};

static void day_text(int64_t day, char out[11])
{
    char t[40];
    clock_format_rfc3339(day * DAY_US, t, sizeof t);
    snprintf(out, 11, "%.10s", t);
}

/* ?name=YYYY-MM-DD as a UTC day, def when absent; a problem named name. */
static int parse_day(struct api_call *a, const char *name, int64_t def, int64_t *day)
{
    const char *v = http_query(a->r, name);
    *day = def;
    if (!v) return TD_OK;
    char t[32];
    int64_t us;
    if (strlen(v) != 10 || snprintf(t, sizeof t, "%sT00:00:00Z", v) >= (int)sizeof t || clock_parse(t, &us) != TD_OK) {
        errors_add(&a->err, name, "must be a date YYYY-MM-DD");
        return TD_E_BAD_REQUEST;
    }
    *day = us / DAY_US;
    return TD_OK;
}

/* The request's parameters, checked and put in the caller's scope. */
static int ask_of(struct api_call *a, struct nps_ask *k)
{
    memset(k, 0, sizeof *k);
    const char *by = http_query(a->r, "by"), *fmt = http_query(a->r, "format");
    int v = a->me.role == ROLE_ASSOCIATE ? NPS_ASSOCIATE : NPS_STORE;
    if (by && enum_map_value(&nps_dim_map, by, &v) != TD_OK)
        errors_add(&a->err, "by", "must be one of %s", nps_dim_map.list);
    k->q.by = (enum nps_dim)v;
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv")) errors_add(&a->err, "format", "must be json or csv");
    k->csv |= fmt && strcmp(fmt, "csv") == 0;
    int64_t today = a->d.now_us / DAY_US;
    int rc_to = parse_day(a, "to", today, &k->q.to_day);
    int rc_from = parse_day(a, "from", k->q.to_day - (NPS_DEFAULT_DAYS - 1), &k->q.from_day);
    if (rc_to == TD_OK && rc_from == TD_OK) {
        if (k->q.from_day > k->q.to_day) errors_add(&a->err, "from", "must not be after to");
        else if (k->q.to_day - k->q.from_day >= NPS_MAX_DAYS)
            errors_add(&a->err, "from", "the period may be at most %d days", NPS_MAX_DAYS);
    }
    if (a->err.n) return TD_E_BAD_REQUEST;
    day_text(k->q.from_day, k->from);
    day_text(k->q.to_day, k->to);

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

/* ---- CSV for Dutch Excel: UTF-8 BOM, ';', a decimal comma, CRLF ------------ */

static int csv_text(struct buf *b, const char *s)
{
    if (!strpbrk(s, ";\"\r\n")) return buf_puts(b, s);
    int rc = buf_puts(b, "\"");
    for (const char *p = s; *p && rc == TD_OK; p++) rc = *p == '"' ? buf_puts(b, "\"\"") : buf_append(b, p, 1);
    return rc == TD_OK ? buf_puts(b, "\"") : rc;
}

static int csv_decimal(struct buf *b, double v)
{
    char t[32];
    snprintf(t, sizeof t, "%.1f", round(v * 10) / 10);
    char *dot = strchr(t, '.');
    if (dot) *dot = ',';
    return buf_puts(b, strcmp(t, "-0,0") == 0 ? "0,0" : t);
}

static int csv_row(struct buf *b, const char *key, const char *label, const struct nps_figure *f, const char *lang)
{
    int rc = csv_text(b, key);
    if (rc == TD_OK) rc = buf_puts(b, ";");
    if (rc == TD_OK) rc = csv_text(b, label);
    if (rc == TD_OK)
        rc = buf_printf(b, ";%lld;%lld;%lld;%lld;", (long long)f->n, (long long)f->promoters, (long long)f->passives,
                        (long long)f->detractors);
    if (rc == TD_OK && f->too_few)
        rc = buf_puts(b, strcmp(lang, "en") == 0 ? ";;;too few answers\r\n" : ";;;te weinig antwoorden\r\n");
    else if (rc == TD_OK) {
        rc = csv_decimal(b, f->score);
        if (rc == TD_OK) rc = buf_puts(b, ";");
        if (rc == TD_OK) rc = csv_decimal(b, f->low);
        if (rc == TD_OK) rc = buf_puts(b, ";");
        if (rc == TD_OK) rc = csv_decimal(b, f->high);
        if (rc == TD_OK) rc = buf_puts(b, ";\r\n");
    }
    return rc;
}

static int reply_csv(struct api_call *a, const struct nps_ask *k, json_t *items, const struct nps_figure *total)
{
    const char *lang = strcmp(a->me.lang, "en") == 0 ? "en" : "nl";
    struct buf *b = &a->r->out;
    buf_reset(b);
    int rc = buf_puts(b, "\xEF\xBB\xBF");
    if (rc == TD_OK)
        rc = buf_puts(b, strcmp(lang, "en") == 0
                             ? "key;name;answers;promoters;passives;detractors;NPS;low (95%);high (95%);note\r\n"
                             : "sleutel;naam;antwoorden;promotors;passief;criticasters;NPS;ondergrens (95%);"
                               "bovengrens (95%);opmerking\r\n");
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) {
        if (rc != TD_OK) break;
        json_t *sc = json_object_get(o, "score");
        struct nps_figure f = {json_integer_value(json_object_get(o, "n")),
                               json_integer_value(json_object_get(o, "promoters")),
                               json_integer_value(json_object_get(o, "passives")),
                               json_integer_value(json_object_get(o, "detractors")), json_is_null(sc),
                               json_real_value(sc), json_real_value(json_object_get(o, "low")),
                               json_real_value(json_object_get(o, "high"))};
        rc = csv_row(b, api_str(o, "key"), api_str(o, "label"), &f, lang);
    }
    if (rc == TD_OK) rc = csv_row(b, "", strcmp(lang, "en") == 0 ? "total" : "totaal", total, lang);
    if (rc != TD_OK) return rc;
    char *name = arena_printf(&a->r->arena, "attachment; filename=\"nps-%s-%s%s%s-%s.csv\"",
                              enum_map_name(&nps_dim_map, (int)k->q.by), k->store_code[0] ? k->store_code : "",
                              k->store_code[0] ? "-" : "", k->from, k->to);
    if (!name || http_add_header(a->r, "Content-Disposition", name) != TD_OK) return TD_E_NOMEM;
    a->r->status = 200;
    a->r->content_type = "text/csv; charset=utf-8";
    return TD_OK;
}

static int nps_answer(struct api_call *a, int csv)
{
    struct nps_ask k;
    int rc = ask_of(a, &k);
    if (rc != TD_OK) return rc;
    struct rows x = {json_array(), 0, 0, 0};
    rc = nps_each(&a->d, &k.q, add_row, &x);
    if (rc != TD_OK) {
        json_decref(x.items);
        return rc;
    }
    struct nps_figure total;
    nps_figure_of(x.p, x.pa, x.d, nps_min_answers(), &total);
    if (csv || k.csv) {
        rc = reply_csv(a, &k, x.items, &total);
        json_decref(x.items);
        return rc;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:o,s:o}", "by", enum_map_name(&nps_dim_map, (int)k.q.by), "from", k.from,
                          "to", k.to, "min_answers", (json_int_t)nps_min_answers(), "items", x.items, "total",
                          api_nps_figure_json(&total));
    json_object_set_new(o, "store_code", api_str_or_null(k.store_code));
    return api_reply_json(a, 200, o);
}

int api_nps_get(struct api_call *a) { return nps_answer(a, 0); }
int api_nps_csv(struct api_call *a) { return nps_answer(a, 1); }
