/* api_outreach.c — /api/v1/outreach (today's list, the call script, the
 * outcome) and /api/v1/holds: the associate's side of a new collection.
 *
 *   task:  open --POST …/outcome--> done          [cl_task_outcome]
 *          open --POST /holds with task_id--> done (hold_made)
 *   hold:  active --POST …/release--> released | cancelled   [cl_hold_close]
 *
 * Tasks and holds belong to a store: an associate or manager sees and
 * changes only their own store's (403 naming why), an admin every store's.
 * Refusals name the field: "channel" without consent for it, "customer_id"
 * over the contact cap or objected, "status" for a task no longer open,
 * "sku" when no unit is available, "hours" beyond the longest hold. */
#include "api/api_cl.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/clienteling_book.h"
#include "domain/clienteling_mail.h"
#include "mail/mail.h"
#include "domain/clienteling_outreach.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tasks ------------------------------------------------------------------- */

static json_t *task_json(const struct cl_task *t, const struct api_cl_staff *staff)
{
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:o,s:o}", "id", (json_int_t)t->id, "collection",
                          t->collection, "customer_id", (json_int_t)t->customer_id, "customer_name", t->customer_name,
                          "status", t->status, "channel", t->channel, "size", t->size, "score", (json_int_t)t->score,
                          "why", t->why, "lapses_at", api_time(t->lapses_at), "staff_login",
                          staff ? api_cl_staff_login(staff, t->staff_id) : json_null());
    json_object_set_new(o, "phone", api_str_or_null(t->phone));
    json_object_set_new(o, "email", api_str_or_null(t->email));
    json_object_set_new(o, "outcome", api_str_or_null(t->outcome));
    json_object_set_new(o, "outcome_at", api_time(t->outcome_at));
    return o;
}

/* The language of the reasons: ?lang, else the caller's own. */
static const char *lang_of(struct api_call *a)
{
    const char *l = http_query(a->r, "lang");
    if (!l) return a->me.lang[0] ? a->me.lang : "nl";
    if (strcmp(l, "nl") && strcmp(l, "en")) {
        errors_add(&a->err, "lang", "must be nl or en");
        return NULL;
    }
    return l;
}

struct task_page {
    json_t *items;
    const struct api_cl_staff *staff;
};

static int add_task(void *arg, const struct cl_task *t)
{
    struct task_page *p = arg;
    return json_array_append_new(p->items, task_json(t, p->staff)) == 0 ? TD_OK : TD_E_NOMEM;
}

/* Today's open tasks, most valued first: the caller's own, another
 * associate's of the same store (?staff, for leads covering), or the store
 * pool (?pool=true). */
int api_outreach_today(struct api_call *a)
{
    int limit, rc;
    if ((rc = api_limit(a, 50, 200, &limit)) != TD_OK) return rc;
    const char *lang = lang_of(a), *login = http_query(a->r, "staff");
    int pool = api_cl_flag(a, "pool", 0);
    if (!lang || pool < 0) return TD_E_INVALID;
    struct staff s = a->me;
    struct store st;
    if (pool) {
        if ((rc = api_cl_store(a, http_query(a->r, "store_code"), "store_code", "outreach", &st)) != TD_OK) return rc;
        s.store_id = st.id;
    } else if (login) {
        if ((rc = staff_get_by_login(&a->d, login, &s)) == TD_E_NOT_FOUND) {
            errors_add(&a->err, "staff", "no staff member has this login");
            return TD_E_INVALID;
        }
        if (rc != TD_OK) return rc;
        if (s.id != a->me.id && a->me.role == ROLE_ASSOCIATE) {
            errors_set_message(&a->err, "an associate sees their own list and the store pool");
            return TD_E_FORBIDDEN;
        }
        if ((rc = api_cl_scope(a, s.store_id, "outreach")) != TD_OK) return rc;
    }
    if (s.store_id <= 0) {
        errors_add(&a->err, pool ? "store_code" : "staff", "belongs to no store, so has no outreach");
        return TD_E_INVALID;
    }
    struct api_cl_staff *staff = malloc(sizeof *staff);
    if (!staff) return TD_E_NOMEM;
    struct task_page p = {json_array(), staff};
    rc = api_cl_staff_load(a, s.store_id, staff);
    if (rc == TD_OK) rc = cl_tasks_each(&a->d, s.store_id, s.id, pool, lang, limit, add_task, &p);
    free(staff);
    return api_reply_items(a, rc, p.items, NULL);
}

/* The task of the path, in the caller's scope. */
static int task_of(struct api_call *a, const char *lang, struct cl_task *t)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc == TD_OK) rc = cl_task_get(&a->d, id, lang, t);
    if (rc == TD_OK && strcmp(t->status, "holdout") == 0) rc = TD_E_NOT_FOUND;   /* never shown */
    if (rc == TD_OK) rc = api_cl_scope(a, t->store_id, "outreach");
    if (rc == TD_OK) a->customer_id = t->customer_id;
    return rc;
}

struct script {
    json_t *sizes, *likes, *bought, *items;
};

static int add_script_profile(void *arg, const struct cl_profile_item *it)
{
    struct script *s = arg;
    json_t *x = NULL, *to = NULL;
    if (strcmp(it->section, "size") == 0) {
        x = json_pack("{s:s,s:s,s:s}", "category", it->a, "size", it->b, "source", it->c);
        to = s->sizes;
    } else if (strcmp(it->section, "pref") == 0 && strcmp(it->c, "like") == 0) {
        x = json_pack("{s:s,s:s}", "kind", it->a, "value", it->b);
        to = s->likes;
    }
    return !to || json_array_append_new(to, x) == 0 ? TD_OK : TD_E_NOMEM;
}

static int add_bought(void *arg, const struct cl_bought *b)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:I,s:I}", "sku", b->sku, "name", b->name, "brand", b->brand,
                          "category", b->category, "size", api_str_or_null(b->size), "store_code", b->store_code,
                          "purchased_at", api_time(b->purchased_at), "unit_price_cents",
                          (json_int_t)b->unit_price_cents, "quantity", (json_int_t)b->quantity);
    return json_array_append_new(((struct script *)arg)->bought, o) == 0 ? TD_OK : TD_E_NOMEM;
}

static int add_script_item(void *arg, const struct cl_script_item *it)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "style_code", it->style_code, "name", it->name, "brand",
                          it->brand, "colour", it->colour, "sku", it->sku, "size", it->size, "price_cents",
                          (json_int_t)it->price_cents, "available", (json_int_t)it->available);
    return json_array_append_new(((struct script *)arg)->items, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* The task with its call script: the customer's sizes and likes, what they
 * bought before in the collection's categories, and the new items in their
 * size that are available in the store. */
static int task_with_script(struct api_call *a, const struct cl_task *t, json_t **out)
{
    *out = NULL;
    struct script s = {json_array(), json_array(), json_array(), json_array()};
    struct api_cl_staff *staff = malloc(sizeof *staff);
    int rc = staff ? api_cl_staff_load(a, t->store_id, staff) : TD_E_NOMEM;
    if (rc == TD_OK) rc = cl_profile_each(&a->d, t->customer_id, add_script_profile, &s);
    if (rc == TD_OK) rc = cl_task_bought_each(&a->d, t, 5, add_bought, &s);
    if (rc == TD_OK) rc = cl_task_items_each(&a->d, t, add_script_item, &s);
    json_t *o = rc == TD_OK ? task_json(t, staff) : NULL;
    free(staff);
    if (!o) {
        json_decref(s.sizes);
        json_decref(s.likes);
        json_decref(s.bought);
        json_decref(s.items);
        return rc == TD_OK ? TD_E_NOMEM : rc;
    }
    json_object_set_new(o, "script", json_pack("{s:o,s:o,s:o,s:o}", "sizes", s.sizes, "likes", s.likes, "bought_before",
                                               s.bought, "items", s.items));
    *out = o;
    return TD_OK;
}

static int reply_task(struct api_call *a, const struct cl_task *t, int status)
{
    json_t *o;
    int rc = task_with_script(a, t, &o);
    return rc == TD_OK ? api_reply_json(a, status, o) : rc;
}

int api_outreach_get(struct api_call *a)
{
    const char *lang = lang_of(a);
    if (!lang) return TD_E_INVALID;
    struct cl_task t;
    int rc = task_of(a, lang, &t);
    if (rc != TD_OK) return rc;
    return reply_task(a, &t, 200);
}

int api_outreach_outcome(struct api_call *a)
{
    static const struct api_field fields[] = { {"outcome", AT_STRING, 1, 32}, {0} };
    const char *lang = a->me.lang[0] ? a->me.lang : "nl";
    struct cl_task t;
    int rc = task_of(a, lang, &t);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_valid(a, fields, &b)) != TD_OK) return rc;
    enum cl_outcome outcome;
    if (cl_outcome_parse(api_str(b, "outcome"), &outcome) != TD_OK) {
        errors_add(&a->err, "outcome", "must be one of %s", cl_outcome_list());
        rc = TD_E_INVALID;
    }
    json_decref(b);
    if (rc != TD_OK) return rc;
    struct cl_rules rules;
    api_cl_rules(a, &rules);
    if ((rc = cl_task_outcome(&a->d, &rules, t.id, outcome, &a->err)) != TD_OK) return rc;
    if ((rc = cl_task_get(&a->d, t.id, lang, &t)) != TD_OK) return rc;
    return reply_task(a, &t, 200);
}

/* The associate's personal mail to the task's customer (docs/mail.md): to
 * the outbox in this request's transaction, the task done as "mailed".
 * 201 with the Message-ID; 409 naming "channel" without consent or an
 * address, "customer_id" over the cap, "status" when no longer open. A
 * retry with the same Idempotency-Key gets the same answer, not a second
 * mail. */
int api_outreach_mail(struct api_call *a)
{
    const char *lang = a->me.lang[0] ? a->me.lang : "nl";
    struct cl_task t;
    int rc = task_of(a, lang, &t);
    if (rc != TD_OK) return rc;
    struct cl_rules rules;
    api_cl_rules(a, &rules);
    struct cl_mail_site site;
    cl_mail_site_from_env(&site);
    char id[MAIL_ID_SZ];
    if ((rc = cl_task_mail(&a->d, &rules, &site, t.id, &a->err, id)) != TD_OK) return rc;
    if ((rc = cl_task_get(&a->d, t.id, lang, &t)) != TD_OK) return rc;
    json_t *o;
    if ((rc = task_with_script(a, &t, &o)) != TD_OK) return rc;
    json_object_set_new(o, "message_id", json_string(id));
    return api_reply_json(a, 201, o);
}

/* ---- holds ------------------------------------------------------------------- */

static json_t *hold_json(const struct cl_hold *h)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)h->id, "store_code",
                          h->store_code, "sku", h->sku, "size", h->size, "name", h->name, "customer_id",
                          (json_int_t)h->customer_id, "customer_name", h->customer_name, "status", h->status,
                          "created_at", api_time(h->created_at), "expires_at", api_time(h->expires_at), "closed_at",
                          api_time(h->closed_at));
    json_object_set_new(o, "style_code", api_str_or_null(h->style_code));
    json_object_set_new(o, "task_id", h->task_id ? json_integer(h->task_id) : json_null());
    return o;
}

static int reply_hold(struct api_call *a, int64_t id, int status)
{
    struct cl_hold h;
    int rc = cl_hold_get(&a->d, id, &h);
    if (rc != TD_OK) return rc;
    a->customer_id = h.customer_id;
    return api_reply_json(a, status, hold_json(&h));
}

int api_holds_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"store_code", AT_STRING, 0, 16}, {"sku", AT_STRING, 1, 64}, {"customer_id", AT_INT, 1, 0},
        {"task_id", AT_INT, 0, 0}, {"hours", AT_INT, 0, 0}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct store st;
    rc = api_cl_store(a, api_str(b, "store_code"), "store_code", "holds", &st);
    json_t *h = json_object_get(b, "hours"), *task = json_object_get(b, "task_id");
    json_int_t hours = h ? json_integer_value(h) : 0, customer = json_integer_value(json_object_get(b, "customer_id"));
    if (h && (hours < 1 || hours > CL_HOLD_HOURS_MAX))
        errors_add(&a->err, "hours", "must be 1 to %d (the longest hold the chain allows)", CL_HOLD_HOURS_MAX);
    if (customer <= 0) errors_add(&a->err, "customer_id", "is not a known customer");
    if (task && json_integer_value(task) <= 0) errors_add(&a->err, "task_id", "is not this customer's task in this store");
    int64_t id = 0;
    a->customer_id = customer > 0 ? customer : 0;
    if (rc == TD_OK)
        rc = a->err.n ? TD_E_INVALID
                      : cl_hold_create(&a->d, st.id, api_str(b, "sku"), customer, task ? json_integer_value(task) : 0,
                                       (int)hours, &a->err, &id);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_hold(a, id, 201);
}

struct hold_page {
    json_t *items;
};

static int add_hold(void *arg, const struct cl_hold *h)
{
    return json_array_append_new(((struct hold_page *)arg)->items, hold_json(h)) == 0 ? TD_OK : TD_E_NOMEM;
}

/* A store's holds, newest first: all of a sku or of a style's sizes
 * (?sku takes either), active only unless ?active=false. */
int api_holds_list(struct api_call *a)
{
    int limit, rc;
    if ((rc = api_limit(a, 100, 500, &limit)) != TD_OK) return rc;
    int active = api_cl_flag(a, "active", 1);
    const char *sku = http_query(a->r, "sku");
    if (sku && (!*sku || strlen(sku) > 64)) errors_add(&a->err, "sku", "must be a sku or a style code");
    if (active < 0 || a->err.n) return TD_E_INVALID;
    struct store st;
    if ((rc = api_cl_store(a, http_query(a->r, "store_code"), "store_code", "holds", &st)) != TD_OK) return rc;
    struct hold_page p = {json_array()};
    rc = cl_holds_each(&a->d, st.id, sku, active, limit, add_hold, &p);
    return api_reply_items(a, rc, p.items, NULL);
}

int api_holds_release(struct api_call *a)
{
    static const struct api_field fields[] = { {"status", AT_STRING, 1, 16}, {0} };
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    struct cl_hold h;
    if ((rc = cl_hold_get(&a->d, id, &h)) != TD_OK) return rc;
    if ((rc = api_cl_scope(a, h.store_id, "holds")) != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_valid(a, fields, &b)) != TD_OK) return rc;
    rc = cl_hold_close(&a->d, id, api_str(b, "status"), &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_hold(a, id, 200);
}
