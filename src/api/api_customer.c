/* api_customer.c — /api/v1/customers: search, profile, edits with consent,
 * purchases, GDPR export and erasure. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/handlers.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/clienteling_book.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/followup.h"
#include "domain/purchase.h"
#include "mail/mail.h"
#include <stdio.h>
#include <string.h>

static json_t *consent_json(const struct consent *c)
{
    return json_pack("{s:b,s:o,s:o}", "given", c->given, "at", api_time(c->at), "source", api_str_or_null(c->source));
}

static json_t *customer_json(const struct customer *c)
{
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:s,s:{s:o,s:o},s:I,s:o,s:o}",
                          "id", (json_int_t)c->id,
                          "loyalty_number", api_str_or_null(c->loyalty_number),
                          "name", api_str_or_null(c->name),
                          "email", api_str_or_null(c->email),
                          "phone", api_str_or_null(c->phone),
                          "home_store_code", api_str_or_null(c->home_store_code),
                          "lang", c->lang[0] ? c->lang : "nl",
                          "consent", "email_marketing", consent_json(&c->email_marketing),
                          "phone_marketing", consent_json(&c->phone_marketing),
                          "version", (json_int_t)c->version,
                          "created_at", api_time(c->created_at),
                          "updated_at", api_time(c->updated_at));
    if (o && c->erased_at) json_object_set_new(o, "erased_at", api_time(c->erased_at));
    return o;
}

API_ITEM_ADDER(add_customer, struct customer, customer_json)

int api_customers_search(struct api_call *a)
{
    const char *q = http_query(a->r, "q");
    if (!q || !*q) {
        errors_add(&a->err, "q", "is required: a name, e-mail, phone or loyalty number");
        return TD_E_INVALID;
    }
    if (strlen(q) > 200 || !text_utf8_valid(q, strlen(q))) {
        errors_add(&a->err, "q", "must be text of at most 200 characters");
        return TD_E_INVALID;
    }
    int limit, rc;
    if ((rc = api_limit(a, 20, 100, &limit)) != TD_OK) return rc;
    char next[600];
    json_t *items = json_array();
    const char *cursor = http_query(a->r, "cursor");
    rc = customer_search(&a->d, q, limit, cursor, add_customer, items, next, sizeof next);
    if (rc == TD_E_INVALID) errors_add(&a->err, "cursor", "is not a cursor from a previous page");
    if (rc == TD_OK && cursor) {
        /* Paging on through results is how a customer base is read in bulk:
         * each further page leaves an audit row (never the query itself,
         * which is personal data). */
        char detail[32];
        snprintf(detail, sizeof detail, "%zu", json_array_size(items));
        rc = domain_audit(&a->d, "customer.search_page", "customers", detail);
    }
    return api_reply_items(a, rc, items, next);
}

static const struct api_field consent_fields[] = {
    {"given", AT_BOOL, 1, 0}, {"at", AT_STRING, 0, 40}, {"source", AT_STRING, 0, 64}, {0},
};

static const struct api_field customer_fields[] = {
    {"name", AT_STRING, 0, 200}, {"email", AT_STRING_OR_NULL, 0, 254}, {"phone", AT_STRING_OR_NULL, 0, 40},
    {"loyalty_number", AT_STRING_OR_NULL, 0, 32}, {"home_store_code", AT_STRING_OR_NULL, 0, 16},
    {"lang", AT_STRING, 0, 8}, {"consent", AT_OBJECT, 0, 0}, {"version", AT_INT, 0, 0}, {0},
};

static void read_consent(struct api_call *a, json_t *consent, const char *channel, struct consent_input *ci,
                         struct customer_input *in, unsigned bit)
{
    json_t *c = json_object_get(consent, channel);
    if (!c) return;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "consent.%s", channel);
    if (!json_is_object(c)) {
        errors_add(&a->err, prefix, "must be an object with given, at and source");
        return;
    }
    size_t before = a->err.n;
    api_check(a, c, consent_fields, prefix);
    if (a->err.n != before) return;
    ci->given = json_is_true(json_object_get(c, "given"));
    ci->source = api_str(c, "source");
    const char *at = api_str(c, "at");
    if (at && clock_parse(at, &ci->at) != TD_OK) {
        char f[80];
        snprintf(f, sizeof f, "%s.at", prefix);
        errors_add(&a->err, f, "must be a date-time like 2026-11-22T10:00:00Z");
    }
    in->set |= bit;
}

/* Reads the body of POST or PATCH into `in`; problems go to a->err. */
static void read_customer_input(struct api_call *a, json_t *b, struct customer_input *in, int64_t *version)
{
    memset(in, 0, sizeof *in);
    api_check(a, b, customer_fields, NULL);
    static const struct { const char *name; unsigned bit; } map[] = {
        {"name", CF_NAME}, {"email", CF_EMAIL}, {"phone", CF_PHONE}, {"loyalty_number", CF_LOYALTY},
        {"home_store_code", CF_HOME_STORE}, {"lang", CF_LANG},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (!json_object_get(b, map[i].name)) continue;
        in->set |= map[i].bit;
        const char *v = api_str(b, map[i].name);
        switch (map[i].bit) {
        case CF_NAME: in->name = v; break;
        case CF_EMAIL: in->email = v; break;
        case CF_PHONE: in->phone = v; break;
        case CF_LOYALTY: in->loyalty_number = v; break;
        case CF_LANG: in->lang = v; break;
        default: in->home_store_code = v; break;
        }
    }
    json_t *consent = json_object_get(b, "consent");
    if (consent) {
        const char *key;
        json_t *v;
        json_object_foreach(consent, key, v) {
            if (strcmp(key, "email_marketing") != 0 && strcmp(key, "phone_marketing") != 0) {
                char f[96];
                snprintf(f, sizeof f, "consent.%.60s", key);
                errors_add(&a->err, f, "is not a known channel (email_marketing, phone_marketing)");
            }
        }
        read_consent(a, consent, "email_marketing", &in->email_marketing, in, CF_EMAIL_CONSENT);
        read_consent(a, consent, "phone_marketing", &in->phone_marketing, in, CF_PHONE_CONSENT);
    }
    json_t *ver = json_object_get(b, "version");
    *version = ver ? (int64_t)json_integer_value(ver) : 0;
}

static int reply_customer(struct api_call *a, int64_t id, int status)
{
    struct customer c;
    int rc = customer_get(&a->d, id, &c);
    if (rc != TD_OK) return rc;
    char *etag = arena_printf(&a->r->arena, "\"%lld\"", (long long)c.version);
    if (etag && (rc = http_add_header(a->r, "ETag", etag)) != TD_OK) return rc;
    return api_reply_json(a, status, customer_json(&c));
}

int api_customers_create(struct api_call *a)
{
    json_t *b = NULL;
    int rc = api_body(a, &b);
    if (rc != TD_OK) return rc;
    struct customer_input in;
    int64_t version = 0, id = 0;
    read_customer_input(a, b, &in, &version);
    if (!a->err.n && json_object_get(b, "version")) errors_add(&a->err, "version", "is only for updates");
    /* The domain validates too and refuses while any problem is recorded,
     * so one answer names every bad field. */
    rc = customer_create(&a->d, &in, &a->err, &id);
    json_decref(b);
    if (rc == TD_E_CONFLICT) return TD_E_CONFLICT;
    if (rc != TD_OK) return rc;
    return reply_customer(a, id, 201);
}

int api_customers_get(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    return reply_customer(a, id, 200);
}

int api_customers_patch(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body(a, &b)) != TD_OK) return rc;
    struct customer_input in;
    int64_t version = 0;
    read_customer_input(a, b, &in, &version);
    /* If-Match: "N" is the HTTP way to say the same as "version": N. */
    const char *im = http_header(a->r, "If-Match");
    if (im && !version) {
        char tmp[32];
        size_t n = strlen(im);
        if (n >= 3 && n < sizeof tmp && im[0] == '"' && im[n - 1] == '"') {
            memcpy(tmp, im + 1, n - 2);
            tmp[n - 2] = '\0';
            if (text_parse_int64(tmp, &version) != TD_OK) errors_add(&a->err, "If-Match", "must be an ETag like \"3\"");
        } else {
            errors_add(&a->err, "If-Match", "must be an ETag like \"3\"");
        }
    }
    rc = customer_update(&a->d, id, &in, version, &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_customer(a, id, 200);
}

static int add_line(void *arg, const struct purchase_line *l)
{
    json_t *o = json_pack("{s:s,s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:I,s:I}",
                          "receipt_id", l->receipt_id, "line_no", (json_int_t)l->line_no,
                          "purchased_at", api_time(l->purchased_at), "store_code", l->store_code,
                          "sku", l->sku, "product_name", l->product_name, "brand", l->brand,
                          "category", l->category, "unit_price_cents", (json_int_t)l->unit_price_cents,
                          "quantity", (json_int_t)l->quantity);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

int api_customer_param(struct api_call *a, struct customer *out)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    return rc == TD_OK ? customer_get(&a->d, id, out) : rc;
}

int api_customers_purchases(struct api_call *a)
{
    struct customer c;
    int rc = api_customer_param(a, &c);
    if (rc != TD_OK) return rc;
    int64_t id = c.id;
    int limit;
    if ((rc = api_limit(a, 20, 100, &limit)) != TD_OK) return rc;
    char next[64];
    json_t *items = json_array();
    rc = purchase_each_of_customer(&a->d, id, limit, http_query(a->r, "cursor"), add_line, items, next, sizeof next);
    if (rc == TD_E_INVALID) errors_add(&a->err, "cursor", "is not a cursor from a previous page");
    return api_reply_items(a, rc, items, next);
}

static int add_consent_event(void *arg, const struct consent_event *e)
{
    json_t *o = json_pack("{s:s,s:b,s:o,s:s}", "channel", e->channel, "given", e->given, "at", api_time(e->at),
                          "source", e->source);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

static int add_case_summary(void *arg, const struct desk_case *k)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:o,s:I}", "id", (json_int_t)k->id, "kind", policy_kind_name(k->kind),
                          "status", k->status, "store_code", k->store_code, "created_at", api_time(k->created_at),
                          "customer_words", k->customer_words, "resolution",
                          api_str_or_null(k->resolution[0] ? k->resolution : NULL), "amount_cents",
                          (json_int_t)k->amount_cents);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* Every case of the customer, newest first. */
static int export_cases(struct api_call *a, int64_t id, json_t *cases)
{
    struct desk_filter f = {.customer_id = id};
    int64_t before = 0, next = 0;
    int rc;
    do {
        before = next;
        rc = desk_cases_each(&a->d, &f, before, 500, add_case_summary, cases, &next);
    } while (rc == TD_OK && next);
    return rc;
}

int api_customers_export(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    /* One read transaction, so the document is one consistent picture (the
     * dispatcher may have opened one already). */
    int own_tx = !db_in_tx(a->d.db);
    if (own_tx && (rc = db_begin(a->d.db, 0)) != TD_OK) return rc;
    struct customer c;
    json_t *consents = json_array(), *purchases = json_array(), *cases = json_array(), *cl = NULL, *fb = NULL;
    char next[64] = "";
    if ((rc = customer_get(&a->d, id, &c)) != TD_OK) goto out;
    if ((rc = customer_consent_each(&a->d, id, add_consent_event, consents)) != TD_OK) goto out;
    do {
        char cursor[64];
        snprintf(cursor, sizeof cursor, "%s", next);
        rc = purchase_each_of_customer(&a->d, id, 500, cursor[0] ? cursor : NULL, add_line, purchases, next, sizeof next);
    } while (rc == TD_OK && next[0]);
    if (rc != TD_OK) goto out;
    if ((rc = export_cases(a, id, cases)) != TD_OK) goto out;
    if ((rc = api_cl_export(a, id, &cl)) != TD_OK) goto out;
    if ((rc = api_feedback_export(a, id, &fb)) != TD_OK) goto out;
    if (own_tx) db_rollback(a->d.db);
    char subject[32];
    snprintf(subject, sizeof subject, "customer:%lld", (long long)id);
    if ((rc = domain_audit(&a->d, "customer.export", subject, NULL)) != TD_OK) {
        own_tx = 0;
        goto out;                                /* no export without its trace */
    }
    char when[40];
    clock_format_rfc3339(a->d.now_us, when, sizeof when);
    json_t *doc = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "format", "trustdesk-customer-export/1", "exported_at",
                            when, "customer", customer_json(&c), "consent_history", consents, "purchases", purchases,
                            "cases", cases, "clienteling", cl, "feedback", fb);
    return api_reply_json(a, 200, doc);
out:
    if (own_tx) db_rollback(a->d.db);
    json_decref(consents);
    json_decref(purchases);
    json_decref(cases);
    json_decref(cl);
    json_decref(fb);
    return rc;
}

static int purge(struct api_call *a) { return db_purge_deleted(a->d.db); }

int api_customers_erase(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    if ((rc = customer_erase(&a->d, id)) != TD_OK) return rc;
    if ((rc = cl_customer_erase(&a->d, id)) != TD_OK) return rc;
    if ((rc = feedback_customer_erase(&a->d, id)) != TD_OK) return rc;
    if ((rc = mail_forget_customer(a->d.db, id)) != TD_OK) return rc;   /* sent and unsent */
    a->after_commit = purge;
    return api_reply_json(a, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "erased", 1));
}
