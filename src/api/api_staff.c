/* api_staff.c — /api/v1/staff: admins manage accounts; managers may look. */
#include "api/handlers.h"
#include <string.h>

json_t *api_staff_json(const struct staff *s)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:b}", "id", (json_int_t)s->id, "login", s->login, "name", s->name,
                     "role", staff_role_name(s->role), "store_code", api_str_or_null(s->store_code),
                     "lang", s->lang, "active", s->active);
}

API_ITEM_ADDER(add_staff, struct staff, api_staff_json)

int api_staff_list(struct api_call *a)
{
    /* A manager sees the staff of their own store; an admin sees everyone. */
    int64_t store = a->me.role == ROLE_ADMIN ? 0 : a->me.store_id;
    json_t *items = json_array();
    int rc = staff_each(&a->d, store, add_staff, items);
    return api_reply_items(a, rc, items, NULL);
}

static void read_input(json_t *b, struct staff_input *in)
{
    memset(in, 0, sizeof *in);
    in->login = api_str(b, "login");
    in->name = api_str(b, "name");
    in->role = api_str(b, "role");
    in->password = api_str(b, "password");
    in->lang = api_str(b, "lang");
    json_t *sc = json_object_get(b, "store_code");
    in->store_code = json_is_null(sc) ? "" : api_str(b, "store_code");
    json_t *act = json_object_get(b, "active");
    in->active = act ? json_is_true(act) : -1;
}

int api_staff_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"login", AT_STRING, 1, 64}, {"name", AT_STRING, 1, 200}, {"role", AT_STRING, 1, 16},
        {"store_code", AT_STRING_OR_NULL, 0, 16}, {"password", AT_STRING, 1, 1024}, {"lang", AT_STRING, 0, 2},
        {"active", AT_BOOL, 0, 0}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct staff_input in;
    read_input(b, &in);
    int64_t id = 0;
    rc = staff_create(&a->d, &in, &a->err, &id);
    json_decref(b);
    if (rc != TD_OK) return rc;
    struct staff s;
    if ((rc = staff_get(&a->d, id, &s)) != TD_OK) return rc;
    return api_reply_json(a, 201, api_staff_json(&s));
}

static int visible(struct api_call *a, const struct staff *s)
{
    return a->me.role == ROLE_ADMIN || s->store_id == a->me.store_id;
}

int api_staff_get(struct api_call *a)
{
    struct staff s;
    int rc = staff_get_by_login(&a->d, a->r->params[0], &s);
    if (rc != TD_OK) return rc;
    if (!visible(a, &s)) return TD_E_NOT_FOUND;
    return api_reply_json(a, 200, api_staff_json(&s));
}

int api_staff_patch(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"name", AT_STRING, 0, 200}, {"role", AT_STRING, 0, 16}, {"store_code", AT_STRING_OR_NULL, 0, 16},
        {"password", AT_STRING, 0, 1024}, {"lang", AT_STRING, 0, 2}, {"active", AT_BOOL, 0, 0}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct staff_input in;
    read_input(b, &in);
    if (!json_object_get(b, "store_code")) in.store_code = NULL;
    rc = staff_update(&a->d, a->r->params[0], &in, &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return api_staff_get(a);
}
