/* api_repairs.c — /api/v1/repairs and the store dashboard over HTTP
 * (domain/desk.h does the work). */
#include "api/handlers.h"
#include "api/api_desk.h"
#include "core/clock.h"
#include "domain/desk.h"
#include "domain/facts.h"
#include "domain/store.h"
#include <string.h>

json_t *api_repair_json(const struct desk_repair *r)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o}", "case_id", (json_int_t)r->case_id, "store_code",
                          r->store_code, "via", r->via, "manufacturer",
                          api_str_or_null(r->manufacturer[0] ? r->manufacturer : NULL), "rma_number",
                          api_str_or_null(r->rma_number[0] ? r->rma_number : NULL), "status", r->status, "description",
                          api_str_or_null(r->description[0] ? r->description : NULL), "created_at", api_time(r->created_at),
                          "updated_at", api_time(r->updated_at));
    json_object_set_new(o, "customer_id", r->customer_id ? json_integer(r->customer_id) : json_null());
    return o;
}

/* ---- repairs ------------------------------------------------------------- */

API_ITEM_ADDER(add_repair, struct desk_repair, api_repair_json)

int api_repairs_list(struct api_call *a)
{
    const char *sc = http_query(a->r, "store_code"), *open = http_query(a->r, "open");
    int64_t store_id = 0;
    int rc = api_store_of(a, sc, "store_code", &store_id);
    if (rc != TD_OK) return rc;
    if (!sc && a->me.role != ROLE_ADMIN) store_id = a->me.store_id;
    if (open && strcmp(open, "true") != 0 && strcmp(open, "false") != 0) {
        errors_add(&a->err, "open", "must be true or false");
        return TD_E_INVALID;
    }
    json_t *items = json_array();
    rc = desk_repairs_each(&a->d, store_id, !open || strcmp(open, "true") == 0, add_repair, items);
    if (rc != TD_OK) {
        json_decref(items);
        return rc;
    }
    return api_reply_list(a, items, NULL);
}

int api_repairs_get(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    struct desk_repair r;
    if ((rc = desk_repair_get(&a->d, id, &r)) != TD_OK) return rc;
    return api_reply_json(a, 200, api_repair_json(&r));
}

int api_repairs_status(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"status", AT_STRING, 1, 32}, {"rma_number", AT_STRING, 0, DESK_RMA_MAX}, {"note", AT_STRING, 0, DESK_NOTE_MAX}, {0},
    };
    int64_t id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    rc = a->err.n ? TD_E_INVALID
                  : desk_repair_update(&a->d, id, api_str(b, "status"), api_str(b, "rma_number"), api_str(b, "note"), &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    struct desk_repair r;
    if ((rc = desk_repair_get(&a->d, id, &r)) != TD_OK) return rc;
    return api_reply_json(a, 200, api_repair_json(&r));
}

/* ---- the store dashboard ------------------------------------------------- */

int api_stores_dashboard(struct api_call *a)
{
    struct store s;
    int rc = store_get_by_code(&a->d, a->r->params[0], &s);
    if (rc != TD_OK) return rc;
    if (a->me.role != ROLE_ADMIN && s.id != a->me.store_id) {
        errors_set_message(&a->err, "a manager sees the dashboard of their own store");
        return TD_E_FORBIDDEN;
    }
    struct desk_dashboard dd;
    if ((rc = desk_dashboard(&a->d, s.id, &dd)) != TD_OK) return rc;
    json_t *days = json_array();
    for (int i = 0; i < 30; i++) {
        char date[40];
        clock_format_rfc3339(dd.days[i].day * FACTS_DAY_US, date, sizeof date);
        date[10] = '\0';
        json_array_append_new(days, json_pack("{s:s,s:I,s:I}", "date", date, "cases", (json_int_t)dd.days[i].cases,
                                              "credit_issued_cents", (json_int_t)dd.days[i].credit_cents));
    }
    return api_reply_json(a, 200, json_pack("{s:s,s:o,s:I,s:I,s:I}", "store_code", s.code, "days", days,
                                            "approvals_waiting", (json_int_t)dd.approvals_waiting, "repairs_open",
                                            (json_int_t)dd.repairs_open, "repairs_overdue", (json_int_t)dd.repairs_overdue));
}
