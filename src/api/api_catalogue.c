/* api_catalogue.c — /api/v1/styles, stock, /api/v1/collections and their
 * arrivals per store (plan, preview, arrive, report): the catalogue and the
 * manager's side of a new collection (domain/clienteling*.h do the work).
 *
 *   planned --PUT …/stores/{store}--> planned (moved)        [cl_collection_plan]
 *   planned --POST …/arrive (or the scheduler)--> arrived    [clienteling_arrive, write]
 *   arrived --POST …/arrive again--> arrived, nothing new    (UNIQUE per customer)
 *
 * Also the helpers the other clienteling handler files share (api_cl.h). */
#include "api/api_cl.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/clienteling.h"
#include "domain/clienteling_catalog.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers (api_cl.h) --------------------------------------------- */

int api_cl_scope(struct api_call *a, int64_t store_id, const char *what)
{
    if (a->me.role == ROLE_ADMIN || store_id == a->me.store_id) return TD_OK;
    errors_set_message(&a->err, "you may only see and change your own store's %s", what);
    return TD_E_FORBIDDEN;
}

int api_cl_store(struct api_call *a, const char *code, const char *field, const char *what, struct store *out)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (!code && field) {
        if (a->me.store_id <= 0) {
            errors_add(&a->err, field, "is required (your account has no store)");
            return TD_E_INVALID;
        }
        rc = store_get(&a->d, a->me.store_id, out);
    } else {
        rc = store_get_by_code(&a->d, code ? code : "", out);
        if (rc == TD_E_NOT_FOUND && field) {
            errors_add(&a->err, field, "no store has this code");
            return TD_E_INVALID;
        }
    }
    if (rc != TD_OK) return rc;
    return what ? api_cl_scope(a, out->id, what) : TD_OK;
}

int api_cl_figures_store(struct api_call *a, struct store *out)
{
    memset(out, 0, sizeof *out);
    const char *code = http_query(a->r, "store");
    if (!code && a->me.role == ROLE_ADMIN) return TD_OK;
    int rc = api_cl_store(a, code, "store", "figures", out);
    return rc == TD_E_INVALID ? TD_E_BAD_REQUEST : rc;
}

void api_cl_rules(struct api_call *a, struct cl_rules *out)
{
    (void)a;
    clienteling_rules_default(out);
}

int api_cl_flag(struct api_call *a, const char *name, int def)
{
    const char *v = http_query(a->r, name);
    if (!v) return def;
    if (strcmp(v, "true") == 0) return 1;
    if (strcmp(v, "false") == 0) return 0;
    errors_add(&a->err, name, "must be true or false");
    return -1;
}

static int add_staff(void *arg, const struct staff *s)
{
    struct api_cl_staff *m = arg;
    if (m->n == API_CL_STAFF_MAX) return TD_OK;
    m->v[m->n].id = s->id;
    snprintf(m->v[m->n].login, sizeof m->v[0].login, "%s", s->login);
    snprintf(m->v[m->n].name, sizeof m->v[0].name, "%s", s->name);
    m->n++;
    return TD_OK;
}

int api_cl_staff_load(struct api_call *a, int64_t store_id, struct api_cl_staff *out)
{
    out->n = 0;
    return staff_each(&a->d, store_id, add_staff, out);
}

static int staff_index(const struct api_cl_staff *s, int64_t id)
{
    for (size_t i = 0; id && i < s->n; i++)
        if (s->v[i].id == id) return (int)i;
    return -1;
}

json_t *api_cl_staff_login(const struct api_cl_staff *s, int64_t id)
{
    int i = staff_index(s, id);
    return i < 0 ? json_null() : json_string(s->v[i].login);
}

/* ---- styles ------------------------------------------------------------------ */

static json_t *style_json(const struct cl_style *s)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o}", "code", s->code, "name", s->name, "brand", s->brand,
                     "category", s->category, "colour", s->colour, "price_cents", (json_int_t)s->price_cents,
                     "created_at", api_time(s->created_at), "updated_at", api_time(s->updated_at));
}

/* Rows come per (sku, store): a new sku opens a variant. */
static int add_stock_row(void *arg, const struct cl_stock_row *r)
{
    json_t *variants = arg;
    size_t n = json_array_size(variants);
    json_t *v = n ? json_array_get(variants, n - 1) : NULL;
    if (!v || strcmp(json_string_value(json_object_get(v, "sku")), r->sku) != 0) {
        v = json_pack("{s:s,s:s,s:I,s:[]}", "sku", r->sku, "size", r->size, "available", (json_int_t)0, "stock");
        if (!v || json_array_append_new(variants, v) != 0) return TD_E_NOMEM;
    }
    if (!r->store_code) return TD_OK;
    int64_t avail = r->on_hand > r->held ? r->on_hand - r->held : 0;
    json_object_set_new(v, "available", json_integer(json_integer_value(json_object_get(v, "available")) + avail));
    json_t *line = json_pack("{s:s,s:I,s:I,s:I}", "store_code", r->store_code, "on_hand", (json_int_t)r->on_hand,
                             "held", (json_int_t)r->held, "available", (json_int_t)avail);
    return json_array_append_new(json_object_get(v, "stock"), line) == 0 ? TD_OK : TD_E_NOMEM;
}

/* The style with its variants, and each variant's stock in every store:
 * stock is not personal, and a colleague's store may have the size. */
static int reply_style(struct api_call *a, const char *code, int status)
{
    struct cl_style s;
    int rc = cl_style_get(&a->d, code, &s);
    if (rc != TD_OK) return rc;
    json_t *o = style_json(&s), *variants = json_array();
    if ((rc = cl_variants_each(&a->d, s.id, add_stock_row, variants)) != TD_OK) {
        json_decref(o);
        json_decref(variants);
        return rc;
    }
    json_object_set_new(o, "variants", variants);
    return api_reply_json(a, status, o);
}

int api_styles_put(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"code", AT_STRING, 1, 32}, {"name", AT_STRING, 1, 200}, {"brand", AT_STRING, 1, 100},
        {"category", AT_STRING, 1, 47}, {"colour", AT_STRING, 0, 40}, {"price_cents", AT_INT, 1, 0},
        {"variants", AT_ARRAY, 1, 0}, {0},
    };
    static const struct api_field variant_fields[] = { {"sku", AT_STRING, 1, 64}, {"size", AT_STRING, 1, 8}, {0} };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct cl_variant_in v[CL_VARIANTS_MAX];
    struct cl_style_in in = {
        .code = api_str(b, "code"), .name = api_str(b, "name"), .brand = api_str(b, "brand"),
        .category = api_str(b, "category"), .colour = api_str(b, "colour"), .variants = v,
        .price_cents = json_integer_value(json_object_get(b, "price_cents")),
    };
    json_t *vs = json_object_get(b, "variants");
    size_t n = json_is_array(vs) ? json_array_size(vs) : 0;
    if (json_is_array(vs) && (n < 1 || n > CL_VARIANTS_MAX))
        errors_add(&a->err, "variants", "must hold 1 to %d sizes", CL_VARIANTS_MAX);
    for (size_t i = 0; i < n && i < CL_VARIANTS_MAX; i++) {
        char prefix[32];
        json_t *x = json_array_get(vs, i);
        snprintf(prefix, sizeof prefix, "variants[%zu]", i);
        if (!json_is_object(x)) {
            errors_add(&a->err, prefix, "must be an object with sku and size");
            continue;
        }
        api_check(a, x, variant_fields, prefix);
        v[i] = (struct cl_variant_in){api_str(x, "sku"), api_str(x, "size")};
    }
    in.n_variants = n > CL_VARIANTS_MAX ? CL_VARIANTS_MAX : n;
    struct cl_style old;
    int existed = 0;
    if (!a->err.n) {
        rc = cl_style_get(&a->d, in.code, &old);
        existed = rc == TD_OK;
        if (rc == TD_OK || rc == TD_E_NOT_FOUND) rc = TD_OK;
    }
    int64_t id = 0;
    if (rc == TD_OK) rc = a->err.n ? TD_E_INVALID : cl_style_put(&a->d, &in, &a->err, &id);
    char code[CL_STYLE_CODE_SZ];
    snprintf(code, sizeof code, "%s", in.code ? in.code : "");
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_style(a, code, existed ? 200 : 201);
}

int api_styles_get(struct api_call *a)
{
    return reply_style(a, a->r->params[0], 200);
}

API_ITEM_ADDER(add_style, struct cl_style, style_json)

int api_styles_list(struct api_call *a)
{
    int limit, rc;
    if ((rc = api_limit(a, 100, 500, &limit)) != TD_OK) return rc;
    const char *code = http_query(a->r, "collection"), *cursor = http_query(a->r, "cursor");
    int64_t collection_id = 0;
    if (code && (rc = cl_collection_id(&a->d, code, &collection_id)) != TD_OK) {
        if (rc != TD_E_NOT_FOUND) return rc;
        errors_add(&a->err, "collection", "no collection has this code");
        return TD_E_INVALID;
    }
    if (cursor && !cl_code_valid(cursor)) {
        errors_add(&a->err, "cursor", "is not a cursor from a previous page");
        return TD_E_INVALID;
    }
    char next[CL_STYLE_CODE_SZ];
    json_t *items = json_array();
    rc = cl_styles_each(&a->d, collection_id, cursor, limit, add_style, items, next);
    return api_reply_items(a, rc, items, next);
}

/* ---- stock ------------------------------------------------------------------- */

int api_stock_put(struct api_call *a)
{
    static const struct api_field fields[] = { {"on_hand", AT_INT, 1, 0}, {0} };
    struct store st;
    int rc = api_cl_store(a, a->r->params[0], NULL, "stock", &st);
    if (rc != TD_OK) return rc;
    const char *sku = a->r->params[1];
    json_t *b = NULL;
    if ((rc = api_body_valid(a, fields, &b)) != TD_OK) return rc;
    rc = cl_stock_set(&a->d, st.id, sku, json_integer_value(json_object_get(b, "on_hand")), &a->err);
    json_decref(b);
    int64_t on_hand = 0, held = 0;
    if (rc == TD_OK) rc = cl_stock_get(&a->d, st.id, sku, &on_hand, &held);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:s,s:s,s:I,s:I,s:I}", "store_code", st.code, "sku", sku, "on_hand",
                                            (json_int_t)on_hand, "held", (json_int_t)held, "available",
                                            (json_int_t)(on_hand > held ? on_hand - held : 0)));
}

/* ---- collections ------------------------------------------------------------- */

static json_t *arrival_json(const struct cl_arrival *r)
{
    int64_t ends = (r->arrived_at ? r->arrived_at : r->arrives_at) + r->first_choice_hours * 3600 * INT64_C(1000000);
    return json_pack("{s:s,s:o,s:I,s:s,s:o,s:o}", "store_code", r->store_code, "arrives_at", api_time(r->arrives_at),
                     "first_choice_hours", (json_int_t)r->first_choice_hours, "status",
                     r->arrived_at ? "arrived" : "planned", "arrived_at", api_time(r->arrived_at),
                     "first_choice_ends_at", api_time(ends));
}

API_ITEM_ADDER(add_arrival, struct cl_arrival, arrival_json)

static json_t *collection_json(const struct cl_collection *k)
{
    return json_pack("{s:s,s:s,s:I,s:o}", "code", k->code, "name", k->name, "styles_count", (json_int_t)k->n_styles,
                     "created_at", api_time(k->created_at));
}

static int add_style_code(void *arg, const struct cl_style *s)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "code", s->code, "name", s->name, "brand", s->brand, "category",
                          s->category);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* The collection with its styles (every one, in pages of 500 underneath)
 * and its arrivals per store. */
static int reply_collection(struct api_call *a, const char *code, int status)
{
    struct cl_collection k;
    int rc = cl_collection_get(&a->d, code, &k);
    if (rc != TD_OK) return rc;
    json_t *o = collection_json(&k), *styles = json_array(), *arrivals = json_array();
    char after[CL_STYLE_CODE_SZ] = "", next[CL_STYLE_CODE_SZ];
    do {
        rc = cl_styles_each(&a->d, k.id, after, 500, add_style_code, styles, next);
        memcpy(after, next, sizeof after);
    } while (rc == TD_OK && next[0]);
    if (rc == TD_OK) rc = cl_arrivals_each(&a->d, k.id, 0, add_arrival, arrivals);
    json_object_set_new(o, "styles", styles);
    json_object_set_new(o, "arrivals", arrivals);
    if (rc != TD_OK) {
        json_decref(o);
        return rc;
    }
    return api_reply_json(a, status, o);
}

int api_collections_put(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"code", AT_STRING, 1, 32}, {"name", AT_STRING, 1, 200}, {"styles", AT_ARRAY, 1, 0}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    json_t *list = json_object_get(b, "styles");
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    const char **codes = calloc(n ? n : 1, sizeof *codes);
    if (!codes) {
        json_decref(b);
        return TD_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        codes[i] = json_string_value(json_array_get(list, i));
        if (!codes[i]) {
            char field[32];
            snprintf(field, sizeof field, "styles[%zu]", i);
            errors_add(&a->err, field, "must be a style code");
        }
    }
    const char *code = api_str(b, "code");
    int64_t id = 0, existed = 0;
    if (!a->err.n) {
        rc = cl_collection_id(&a->d, code, &id);
        existed = rc == TD_OK;
        if (rc == TD_OK || rc == TD_E_NOT_FOUND) rc = TD_OK;
    }
    if (rc == TD_OK)
        rc = a->err.n ? TD_E_INVALID : cl_collection_put(&a->d, code, api_str(b, "name"), codes, n, &a->err, &id);
    char saved[CL_STYLE_CODE_SZ];
    snprintf(saved, sizeof saved, "%s", code ? code : "");
    free(codes);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_collection(a, saved, existed ? 200 : 201);
}

API_ITEM_ADDER(add_collection, struct cl_collection, collection_json)

int api_collections_list(struct api_call *a)
{
    json_t *items = json_array();
    int rc = cl_collections_each(&a->d, add_collection, items);
    return api_reply_items(a, rc, items, NULL);
}

int api_collections_get(struct api_call *a)
{
    return reply_collection(a, a->r->params[0], 200);
}

/* ---- arrivals ------------------------------------------------------------------ */

/* The store of the path (scoped first, so that another store's manager
 * learns nothing of the collection), then the collection. */
static int arrival_of(struct api_call *a, struct store *st, int64_t *collection_id)
{
    int rc = api_cl_store(a, a->r->params[1], NULL, "arrivals", st);
    if (rc == TD_OK) rc = cl_collection_id(&a->d, a->r->params[0], collection_id);
    return rc;
}

static int reply_arrival(struct api_call *a, int64_t collection_id, int64_t store_id)
{
    json_t *one = json_array();
    int rc = cl_arrivals_each(&a->d, collection_id, store_id, add_arrival, one);
    if (rc == TD_OK && json_array_size(one) == 0) {
        errors_set_message(&a->err, "the collection is not planned for this store");
        rc = TD_E_NOT_FOUND;
    }
    json_t *o = json_incref(json_array_get(one, 0));
    json_decref(one);
    if (rc != TD_OK) {
        json_decref(o);
        return rc;
    }
    return api_reply_json(a, 200, o);
}

int api_arrivals_put(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"arrives_at", AT_STRING, 1, 40}, {"first_choice_hours", AT_INT, 0, 0}, {0},
    };
    struct store st;
    int64_t cid = 0;
    int rc = arrival_of(a, &st, &cid);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_valid(a, fields, &b)) != TD_OK) return rc;
    int64_t at = 0;
    if (clock_parse(api_str(b, "arrives_at"), &at) != TD_OK)
        errors_add(&a->err, "arrives_at", "must be a date-time like 2026-12-01T09:00:00Z");
    json_t *h = json_object_get(b, "first_choice_hours");
    json_int_t hours = h ? json_integer_value(h) : 0;
    if (h && (hours < 1 || hours > 720)) errors_add(&a->err, "first_choice_hours", "must be 1 to 720");
    json_decref(b);
    if (a->err.n) return TD_E_INVALID;
    if ((rc = cl_collection_plan(&a->d, cid, st.id, at, (int)hours, &a->err)) != TD_OK) return rc;
    return reply_arrival(a, cid, st.id);
}

static json_t *summary_json(const struct cl_arrival_summary *s, const struct api_cl_staff *staff)
{
    json_t *per = json_array(), *skipped = json_object();
    for (size_t i = 0; i < s->n_staff; i++) {
        int k = staff_index(staff, s->staff[i].staff_id);
        json_array_append_new(per, json_pack("{s:o,s:o,s:I}", "staff_login",
                                             k < 0 ? json_null() : json_string(staff->v[k].login), "name",
                                             k < 0 ? json_null() : json_string(staff->v[k].name), "tasks",
                                             (json_int_t)s->staff[i].tasks));
    }
    for (int k = CL_OK + 1; k < CL_SKIP_COUNT; k++)
        json_object_set_new(skipped, cl_skip_name((enum cl_skip)k), json_integer(s->skipped[k]));
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "candidates", (json_int_t)s->candidates, "matched",
                     (json_int_t)s->matched, "holdout", (json_int_t)s->holdout, "tasks", (json_int_t)s->tasks,
                     "already_matched", (json_int_t)s->already, "tasks_per_associate", per, "skipped", skipped,
                     "arrived_at", api_time(s->arrived_at), "lapses_at", api_time(s->lapses_at));
}

/* The preview (write 0) and the arrival (write 1) answer alike. */
static int run_arrival(struct api_call *a, bool write)
{
    struct store st;
    int64_t cid = 0;
    int rc = arrival_of(a, &st, &cid);
    if (rc != TD_OK) return rc;
    if (write && a->r->body.len) {             /* no fields are defined: refuse any */
        static const struct api_field none[] = { {0} };
        json_t *b = NULL;
        if ((rc = api_body_valid(a, none, &b)) != TD_OK) return rc;
        json_decref(b);
    }
    struct cl_rules rules;
    api_cl_rules(a, &rules);
    struct cl_arrival_summary *sum = malloc(sizeof *sum);
    struct api_cl_staff *staff = malloc(sizeof *staff);
    if (!sum || !staff) rc = TD_E_NOMEM;
    if (rc == TD_OK) rc = clienteling_arrive(&a->d, &rules, cid, st.id, write, sum);
    if (rc == TD_E_NOT_FOUND) errors_set_message(&a->err, "the collection is not planned for this store");
    if (rc == TD_OK) rc = api_cl_staff_load(a, st.id, staff);
    json_t *o = NULL;
    if (rc == TD_OK) {
        o = summary_json(sum, staff);
        json_object_set_new(o, "collection_code", json_string(a->r->params[0]));
        json_object_set_new(o, "store_code", json_string(st.code));
        json_object_set_new(o, "written", json_boolean(write));
    }
    free(sum);
    free(staff);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, o);
}

int api_arrivals_preview(struct api_call *a)
{
    return run_arrival(a, false);
}

int api_arrivals_arrive(struct api_call *a)
{
    return run_arrival(a, true);
}

int api_arrivals_report(struct api_call *a)
{
    struct store st;
    int64_t cid = 0;
    int rc = arrival_of(a, &st, &cid);
    if (rc != TD_OK) return rc;
    struct cl_report r;
    if ((rc = clienteling_report(&a->d, cid, st.id, &r)) != TD_OK) {
        if (rc == TD_E_NOT_FOUND) errors_set_message(&a->err, "the collection is not planned for this store");
        return rc;
    }
    const struct cl_uplift *u = &r.uplift;
    json_t *uplift = u->estimable
        ? json_pack("{s:b,s:f,s:f,s:f,s:f,s:f}", "estimable", 1, "treated_rate", u->treated_rate, "holdout_rate",
                    u->holdout_rate, "uplift", u->uplift, "low", u->low, "high", u->high)
        : json_pack("{s:b,s:n,s:n,s:n,s:n,s:n,s:s}", "estimable", 0, "treated_rate", "holdout_rate", "uplift", "low",
                    "high", "message", "too few to tell");
    json_t *o = json_pack("{s:s,s:s,s:o,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "collection_code",
                          a->r->params[0], "store_code", st.code, "arrived_at", api_time(r.arrived_at), "window_days",
                          CL_REPORT_DAYS, "matched", (json_int_t)r.matched, "tasks", (json_int_t)r.tasks, "holdout",
                          (json_int_t)r.holdout, "done", (json_int_t)r.done, "lapsed", (json_int_t)r.lapsed, "reached",
                          (json_int_t)r.reached, "holds", (json_int_t)r.holds, "holds_converted",
                          (json_int_t)r.holds_converted, "bought_treated", (json_int_t)r.bought_treated,
                          "bought_holdout", (json_int_t)r.bought_holdout, "uplift", uplift);
    return api_reply_json(a, 200, o);
}
