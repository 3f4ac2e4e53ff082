/* api_store.c — /api/v1/stores. */
#include "api/handlers.h"
#include "domain/store.h"
#include <stdio.h>

static json_t *store_json(const struct store *s)
{
    return json_pack("{s:s,s:s,s:s}", "code", s->code, "name", s->name, "city", s->city);
}

API_ITEM_ADDER(add_store, struct store, store_json)

int api_stores_list(struct api_call *a)
{
    json_t *items = json_array();
    int rc = store_each(&a->d, add_store, items);
    return api_reply_items(a, rc, items, NULL);
}

static const struct api_field store_fields[] = {
    {"code", AT_STRING, 1, 16}, {"name", AT_STRING, 1, 200}, {"city", AT_STRING, 1, 200}, {0},
};

int api_stores_create(struct api_call *a)
{
    json_t *b = NULL;
    int rc = api_body_fields(a, store_fields, &b);
    if (rc != TD_OK) return rc;
    struct store s = {0};
    if (!a->err.n) {
        snprintf(s.code, sizeof s.code, "%s", api_str(b, "code"));
        snprintf(s.name, sizeof s.name, "%s", api_str(b, "name"));
        snprintf(s.city, sizeof s.city, "%s", api_str(b, "city"));
    }
    json_decref(b);
    if (a->err.n) return TD_E_INVALID;
    if ((rc = store_create(&a->d, &s, &a->err, &s.id)) != TD_OK) return rc == TD_E_CONFLICT ? TD_E_CONFLICT : rc;
    json_t *o = store_json(&s);
    json_object_set_new(o, "id", json_integer(s.id));
    return api_reply_json(a, 201, o);
}

int api_stores_get(struct api_call *a)
{
    struct store s;
    int rc = store_get_by_code(&a->d, a->r->params[0], &s);
    if (rc != TD_OK) return rc;
    json_t *o = store_json(&s);
    json_object_set_new(o, "id", json_integer(s.id));
    return api_reply_json(a, 200, o);
}

int api_stores_patch(struct api_call *a)
{
    static const struct api_field fields[] = { {"name", AT_STRING, 0, 200}, {"city", AT_STRING, 0, 200}, {0} };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    if (!a->err.n) rc = store_update(&a->d, a->r->params[0], api_str(b, "name"), api_str(b, "city"), &a->err);
    else rc = TD_E_INVALID;
    json_decref(b);
    if (rc != TD_OK) return rc;
    return api_stores_get(a);
}
