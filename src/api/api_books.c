/* api_books.c — /api/v1/book (an associate's book, the store pool, bulk
 * reassignment), /api/v1/customers/{id}/book and the customer's clienteling
 * profile: sizes, likes and dislikes, important dates, notes, the objection
 * to profiling (GDPR art. 21); and the clienteling part of the GDPR export.
 *
 * A book lives in one store: an associate or manager sees and changes only
 * their store's books (403 otherwise); moving a customer to another store's
 * book is for admins. The profile is the chain's, like the customer record:
 * every staff member reads and edits it (a regular shops in more than one
 * store). Every profile edit answers with the whole profile. */
#include "api/api_cl.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/clienteling_book.h"
#include "domain/customer.h"
#include "domain/policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the book ---------------------------------------------------------------- */

struct book_page {
    json_t *items;
    const struct api_cl_staff *staff;
};

static int add_book_row(void *arg, const struct cl_book_row *r)
{
    struct book_page *p = arg;
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:o,s:b,s:b,s:b,s:o,s:o}", "customer_id", (json_int_t)r->customer_id,
                          "name", r->name ? r->name : "", "tier", policy_tier_name((enum policy_tier)r->tier),
                          "lifetime_spend_cents", (json_int_t)r->lifetime_spend_cents, "last_purchase_at",
                          api_time(r->last_purchase_at), "email_consent", r->email_consent, "phone_consent",
                          r->phone_consent, "objected", r->objected, "staff_login",
                          api_cl_staff_login(p->staff, r->staff_id), "second_login",
                          api_cl_staff_login(p->staff, r->second_id));
    return json_array_append_new(p->items, o) == 0 ? TD_OK : TD_E_NOMEM;
}

static int parse_tier(struct api_call *a, const char *v, int *out)
{
    *out = 0;
    if (!v) return TD_OK;
    for (int t = POLICY_TIER_BRONZE; t < POLICY_TIER_COUNT; t++)
        if (strcmp(v, policy_tier_name((enum policy_tier)t)) == 0) {
            *out = t;
            return TD_OK;
        }
    errors_add(&a->err, "tier", "must be one of bronze, silver, gold, platinum (that tier or higher)");
    return TD_E_INVALID;
}

static void parse_filters(struct api_call *a, struct cl_book_filter *f)
{
    const char *v;
    int64_t n;
    TD_BEST_EFFORT(parse_tier(a, http_query(a->r, "tier"), &f->tier_min));
    if ((v = http_query(a->r, "visited_within_days"))) {
        if (text_parse_int64(v, &n) != TD_OK || n < 1 || n > 3650)
            errors_add(&a->err, "visited_within_days", "must be a whole number from 1 to 3650");
        else f->visited_within_days = (int)n;
    }
    if ((f->category = http_query(a->r, "category")) && (!*f->category || strlen(f->category) > 47))
        errors_add(&a->err, "category", "must be 1 to 47 characters");
    if ((f->size = http_query(a->r, "size")) && !cl_size_valid(f->size))
        errors_add(&a->err, "size", "must be 1 to 8 of A-Z, a-z, 0-9, '.', '/', '-', '+'");
    static const char *const consents[] = {"email", "phone", "either"};
    if ((v = http_query(a->r, "consent"))) {
        for (int i = 0; i < 3; i++)
            if (strcmp(v, consents[i]) == 0) f->consent = i + 1;
        if (!f->consent) errors_add(&a->err, "consent", "must be one of email, phone, either");
    }
}

int api_book_list(struct api_call *a)
{
    struct cl_book_filter f = {0};
    struct store st;
    int limit, rc;
    int64_t after = 0, next = 0;
    if ((rc = api_page(a, 50, 200, &limit, &after)) != TD_OK) return rc;
    int pool = api_cl_flag(a, "pool", 0);
    parse_filters(a, &f);
    const char *login = http_query(a->r, "staff");
    if (pool < 0 || a->err.n) return TD_E_INVALID;
    f.pool = pool;
    if (pool) {
        if (login) {
            errors_add(&a->err, "staff", "the pool is a store's, not an associate's: leave out staff or pool");
            return TD_E_INVALID;
        }
        if ((rc = api_cl_store(a, http_query(a->r, "store_code"), "store_code", "books", &st)) != TD_OK) return rc;
        f.store_id = st.id;
    } else {
        struct staff s;
        if (!login) s = a->me;
        else if ((rc = staff_get_by_login(&a->d, login, &s)) == TD_E_NOT_FOUND) {
            errors_add(&a->err, "staff", "no staff member has this login");
            return TD_E_INVALID;
        } else if (rc != TD_OK) return rc;
        if (s.store_id <= 0) {
            errors_add(&a->err, "staff", "belongs to no store, so has no book");
            return TD_E_INVALID;
        }
        if ((rc = api_cl_scope(a, s.store_id, "books")) != TD_OK) return rc;
        f.staff_id = s.id;
        f.store_id = s.store_id;
    }
    struct api_cl_staff *staff = malloc(sizeof *staff);
    if (!staff) return TD_E_NOMEM;
    struct book_page p = {json_array(), staff};
    rc = api_cl_staff_load(a, f.store_id, staff);
    if (rc == TD_OK) rc = cl_book_each(&a->d, &f, after, limit, add_book_row, &p, &next);
    free(staff);
    return api_reply_page_items(a, rc, p.items, next);
}

/* A login as an active associate or manager of the store (NULL: none, 0). */
static int staff_of_store(struct api_call *a, const char *login, const struct store *st, const char *field,
                          int64_t *id)
{
    *id = 0;
    if (!login) return TD_OK;
    struct staff s;
    int rc = staff_get_by_login(&a->d, login, &s);
    if (rc == TD_E_NOT_FOUND || (rc == TD_OK && (s.store_id != st->id || !s.active || s.role == ROLE_ADMIN))) {
        errors_add(&a->err, field, "is not an active associate or manager of %s", st->code);
        return TD_OK;
    }
    if (rc == TD_OK) *id = s.id;
    return rc;
}

/* The store whose book the customer is in ("" for none). */
static int book_store_cb(void *arg, const struct cl_profile_item *it)
{
    if (strcmp(it->section, "book") == 0) snprintf(arg, CODE_SZ, "%s", it->a);
    return TD_OK;
}

int api_book_reassign(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"store_code", AT_STRING, 0, 16}, {"from_login", AT_STRING, 1, 64}, {"to_login", AT_STRING_OR_NULL, 0, 64}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct store st;
    struct staff from = {0};
    int64_t to = 0, moved = 0;
    rc = api_cl_store(a, api_str(b, "store_code"), "store_code", "books", &st);
    /* The associate who leaves may have moved to another store already. */
    if (rc == TD_OK && (rc = staff_get_by_login(&a->d, api_str(b, "from_login"), &from)) == TD_E_NOT_FOUND) {
        errors_add(&a->err, "from_login", "no staff member has this login");
        rc = TD_OK;
    }
    if (rc == TD_OK) rc = staff_of_store(a, api_str(b, "to_login"), &st, "to_login", &to);
    if (rc == TD_OK && !a->err.n && to == from.id) errors_add(&a->err, "to_login", "must differ from from_login");
    if (rc == TD_OK) rc = a->err.n ? TD_E_INVALID : cl_book_reassign(&a->d, st.id, from.id, to, &a->err, &moved);
    json_t *o = rc == TD_OK ? json_pack("{s:s,s:s,s:O,s:I}", "store_code", st.code, "from_login", from.login,
                                        "to_login", json_object_get(b, "to_login") ? json_object_get(b, "to_login")
                                                                                   : json_null(),
                                        "moved", (json_int_t)moved)
                            : NULL;
    json_decref(b);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, o);
}

/* ---- the profile -------------------------------------------------------------- */

struct profile {
    json_t *o;                 /* book, sizes, likes, dislikes, dates, notes, objection */
};

static int add_item(void *arg, const struct cl_profile_item *it)
{
    json_t *o = ((struct profile *)arg)->o, *x = NULL;
    const char *s = it->section;
    if (strcmp(s, "book") == 0) {
        json_object_set_new(o, "book", json_pack("{s:s,s:o,s:o,s:o}", "store_code", it->a, "staff_login",
                                                 api_str_or_null(it->b), "second_login", api_str_or_null(it->c),
                                                 "updated_at", api_time(it->at)));
        return TD_OK;
    }
    if (strcmp(s, "objection") == 0) {
        json_object_set_new(o, "objection", json_pack("{s:o,s:s}", "at", api_time(it->at), "source", it->a));
        return TD_OK;
    }
    const char *list = s;
    if (strcmp(s, "size") == 0) {
        list = "sizes";
        x = json_pack("{s:s,s:s,s:s,s:o}", "category", it->a, "size", it->b, "source", it->c, "updated_at",
                      api_time(it->at));
    } else if (strcmp(s, "pref") == 0) {
        list = strcmp(it->c, "like") == 0 ? "likes" : "dislikes";
        x = json_pack("{s:s,s:s}", "kind", it->a, "value", it->b);
    } else if (strcmp(s, "date") == 0) {
        list = "dates";
        x = json_pack("{s:I,s:s,s:I,s:I,s:s}", "id", (json_int_t)it->at, "kind", it->a, "month",
                      (json_int_t)(it->n / 100), "day", (json_int_t)(it->n % 100), "label", it->b);
    } else if (strcmp(s, "note") == 0) {
        list = "notes";
        x = json_pack("{s:I,s:s,s:o,s:o}", "id", (json_int_t)it->n, "text", it->a, "staff_login",
                      api_str_or_null(it->b), "at", api_time(it->at));
    } else if (strcmp(s, "contact") == 0) {
        list = "contacts";
        x = json_pack("{s:s,s:s,s:o,s:o,s:o}", "channel", it->a, "kind", it->b, "staff_login", api_str_or_null(it->c),
                      "task_id", it->n ? json_integer(it->n) : json_null(), "at", api_time(it->at));
    } else if (strcmp(s, "outreach") == 0) {
        list = "outreach";
        x = json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)it->n, "collection_code", it->a, "status", it->b,
                      "outcome", api_str_or_null(it->c), "created_at", api_time(it->at));
    } else if (strcmp(s, "hold") == 0) {
        list = "holds";
        x = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)it->n, "sku", it->a, "status", it->b, "store_code",
                      it->c, "created_at", api_time(it->at));
    }
    json_t *arr = json_object_get(o, list);
    if (!x || !arr) {
        json_decref(x);
        return TD_OK;                      /* a section this answer does not show */
    }
    return json_array_append_new(arr, x) == 0 ? TD_OK : TD_E_NOMEM;
}

static json_t *profile_new(int64_t id)
{
    return json_pack("{s:I,s:n,s:[],s:[],s:[],s:[],s:[],s:n}", "customer_id", (json_int_t)id, "book", "sizes", "likes",
                     "dislikes", "dates", "notes", "objection");
}

static int reply_profile(struct api_call *a, int64_t id, int status)
{
    struct profile p = {profile_new(id)};
    a->customer_id = id;
    int rc = p.o ? cl_profile_each(&a->d, id, add_item, &p) : TD_E_NOMEM;
    if (rc != TD_OK) {
        json_decref(p.o);
        return rc;
    }
    return api_reply_json(a, status, p.o);
}

int api_cl_export(struct api_call *a, int64_t customer_id, json_t **out)
{
    struct profile p = {profile_new(customer_id)};
    *out = NULL;
    if (!p.o) return TD_E_NOMEM;
    json_object_del(p.o, "customer_id");
    json_object_set_new(p.o, "contacts", json_array());
    json_object_set_new(p.o, "outreach", json_array());
    json_object_set_new(p.o, "holds", json_array());
    int rc = cl_profile_each(&a->d, customer_id, add_item, &p);
    if (rc == TD_OK) rc = cl_history_each(&a->d, customer_id, add_item, &p);
    if (rc != TD_OK) {
        json_decref(p.o);
        return rc;
    }
    *out = p.o;
    return TD_OK;
}

int api_profile_get(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    struct customer cu;
    if ((rc = customer_get(&a->d, id, &cu)) != TD_OK) return rc;
    return reply_profile(a, id, 200);
}

/* A profile edit: the customer of the path, the body checked against
 * fields, then fn; answers with the whole profile. */
static int edit(struct api_call *a, const struct api_field *fields, int status,
                int (*fn)(struct api_call *a, int64_t id, json_t *b))
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    struct customer cu;
    if ((rc = customer_get(&a->d, id, &cu)) != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_valid(a, fields, &b)) != TD_OK) return rc;
    rc = fn(a, id, b);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_profile(a, id, status);
}

static int do_book(struct api_call *a, int64_t id, json_t *b)
{
    struct store st;
    char now_in[CODE_SZ] = "";
    int64_t staff_id = 0, second_id = 0;
    int rc = api_cl_store(a, api_str(b, "store_code"), "store_code", "books", &st);
    if (rc == TD_OK) rc = cl_profile_each(&a->d, id, book_store_cb, now_in);
    if (rc == TD_OK && now_in[0] && strcmp(now_in, st.code) != 0 && a->me.role != ROLE_ADMIN) {
        errors_set_message(&a->err, "the customer is in the book of %s: an admin moves a customer between stores", now_in);
        rc = TD_E_FORBIDDEN;
    }
    if (rc == TD_OK) rc = staff_of_store(a, api_str(b, "staff_login"), &st, "staff_login", &staff_id);
    if (rc == TD_OK) rc = staff_of_store(a, api_str(b, "second_login"), &st, "second_login", &second_id);
    if (rc == TD_OK && staff_id && staff_id == second_id) errors_add(&a->err, "second_login", "must differ from staff_login");
    if (rc == TD_OK) rc = a->err.n ? TD_E_INVALID : cl_book_assign(&a->d, id, st.id, staff_id, second_id, &a->err);
    return rc;
}

int api_book_put(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"store_code", AT_STRING, 0, 16}, {"staff_login", AT_STRING_OR_NULL, 0, 64},
        {"second_login", AT_STRING_OR_NULL, 0, 64}, {0},
    };
    return edit(a, fields, 200, do_book);
}

/* A path segment as typed (%-escapes decoded), in the request's arena. */
static const char *path_text(struct api_call *a, int n)
{
    const char *s = a->r->params[n];
    size_t len = strlen(s), o = 0;
    char *out = arena_alloc(&a->r->arena, len + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned hi, lo;
        if (s[i] == '%' && i + 2 < len && sscanf(s + i + 1, "%1x%1x", &hi, &lo) == 2) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return text_utf8_valid(out, o) && strlen(out) == o ? out : NULL;
}

static int do_size(struct api_call *a, int64_t id, json_t *b)
{
    const char *category = path_text(a, 1);
    if (!category) {
        errors_add(&a->err, "category", "must be text");
        return TD_E_INVALID;
    }
    if (!json_object_get(b, "size")) {
        errors_add(&a->err, "size", "is required (null removes the size)");
        return TD_E_INVALID;
    }
    return cl_size_set(&a->d, id, category, api_str(b, "size"), true, &a->err);
}

int api_profile_size(struct api_call *a)
{
    static const struct api_field fields[] = { {"size", AT_STRING_OR_NULL, 0, 8}, {0} };
    return edit(a, fields, 200, do_size);
}

static int do_pref(struct api_call *a, int64_t id, json_t *b)
{
    enum cl_pref_kind kind = CL_PREF_COUNT;
    const char *k = api_str(b, "kind"), *s = api_str(b, "sentiment");
    if (cl_pref_kind_parse(k, &kind) != TD_OK) errors_add(&a->err, "kind", "must be one of brand, category, colour, style");
    int sentiment = 2;
    if (s) sentiment = strcmp(s, "like") == 0 ? 1 : strcmp(s, "dislike") == 0 ? -1 : strcmp(s, "none") == 0 ? 0 : 2;
    if (sentiment == 2) errors_add(&a->err, "sentiment", "must be one of like, dislike, none");
    if (a->err.n) return TD_E_INVALID;
    return cl_pref_set(&a->d, id, kind, api_str(b, "value"), sentiment, &a->err);
}

int api_profile_pref(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"kind", AT_STRING, 1, 16}, {"value", AT_STRING, 1, 100}, {"sentiment", AT_STRING, 1, 16}, {0},
    };
    return edit(a, fields, 200, do_pref);
}

static int do_date(struct api_call *a, int64_t id, json_t *b)
{
    int64_t new_id;
    return cl_date_add(&a->d, id, api_str(b, "kind"), (int)json_integer_value(json_object_get(b, "month")),
                       (int)json_integer_value(json_object_get(b, "day")), api_str(b, "label"), &a->err, &new_id);
}

int api_profile_date_add(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"kind", AT_STRING, 1, 16}, {"month", AT_INT, 1, 0}, {"day", AT_INT, 1, 0}, {"label", AT_STRING, 0, 100}, {0},
    };
    return edit(a, fields, 201, do_date);
}

int api_profile_date_delete(struct api_call *a)
{
    int64_t id, date_id;
    int rc = api_param_id(a, 0, &id);
    if (rc == TD_OK) rc = api_param_id(a, 1, &date_id);
    if (rc != TD_OK) return rc;
    struct customer cu;
    if ((rc = customer_get(&a->d, id, &cu)) != TD_OK) return rc;
    if ((rc = cl_date_delete(&a->d, id, date_id)) != TD_OK) return rc;
    return reply_profile(a, id, 200);
}

static int do_note(struct api_call *a, int64_t id, json_t *b)
{
    int64_t new_id;
    return cl_note_add(&a->d, id, api_str(b, "text"), &a->err, &new_id);
}

int api_profile_note(struct api_call *a)
{
    static const struct api_field fields[] = { {"text", AT_STRING, 1, 2000}, {0} };
    return edit(a, fields, 201, do_note);
}

static int do_objection(struct api_call *a, int64_t id, json_t *b)
{
    return cl_objection_set(&a->d, id, json_is_true(json_object_get(b, "objected")), api_str(b, "source"));
}

int api_profile_objection(struct api_call *a)
{
    static const struct api_field fields[] = { {"objected", AT_BOOL, 1, 0}, {"source", AT_STRING, 0, 64}, {0} };
    return edit(a, fields, 200, do_objection);
}
