/* api_cases.c — /api/v1/cases and /api/v1/approvals: the service desk over
 * HTTP (domain/desk.h does the work); repairs and the store dashboard are in
 * api_repairs.c.
 *
 * Names in requests and answers are those of docs/openapi.yaml; a problem
 * with one item is named "items[2].sku". */
#include "api/handlers.h"
#include "api/api_desk.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/cards.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/facts.h"
#include "domain/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- answers ------------------------------------------------------------- */

static json_t *item_json(const struct desk_item *it)
{
    json_t *o = json_pack("{s:i,s:b,s:s,s:I,s:o}", "item_no", it->item_no, "sold_here", it->sold_here, "condition",
                          policy_condition_name(it->condition), it->sold_here ? "price_paid_cents" : "stated_price_cents",
                          (json_int_t)it->price_cents, "brand", api_str_or_null(it->brand[0] ? it->brand : NULL));
    json_object_set_new(o, "description", api_str_or_null(it->description[0] ? it->description : NULL));
    if (it->sold_here) {
        json_object_set_new(o, "sku", json_string(it->sku));
        json_object_set_new(o, "receipt_id", api_str_or_null(it->receipt_ref[0] ? it->receipt_ref : NULL));
        json_object_set_new(o, "category", api_str_or_null(it->category[0] ? it->category : NULL));
        json_object_set_new(o, "lowest_recent_cents", json_integer(it->lowest_cents));
        json_object_set_new(o, "days_since_purchase",
                            it->days_since_purchase >= 0 ? json_integer(it->days_since_purchase) : json_null());
        json_object_set_new(o, "proof", api_str_or_null(it->proof[0] ? it->proof : NULL));
    }
    return o;
}

static json_t *case_json(const struct desk_case *k, int with_items)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:b,s:s,s:I,s:o,s:o}", "id", (json_int_t)k->id, "kind",
                          policy_kind_name(k->kind), "status", k->status, "store_code", k->store_code, "customer_id",
                          k->customer_id ? json_integer(k->customer_id) : json_null(), "associate", k->associate_login,
                          "receipt", k->receipt, "customer_words", k->customer_words, "version", (json_int_t)k->version,
                          "created_at", api_time(k->created_at), "updated_at", api_time(k->updated_at));
    /* Whether a walk-in's contact is kept for the guard: never the contact. */
    json_object_set_new(o, "walk_in_contact_kept", json_boolean(k->walk_in_key[0] != '\0'));
    json_object_set_new(o, "referral", k->referral_to[0] ? json_pack("{s:s,s:s}", "to", k->referral_to, "reason",
                                                                     policy_referral_name(k->referral_reason))
                                                         : json_null());
    if (with_items) {
        json_t *items = json_array();
        for (size_t i = 0; i < k->n_items; i++) json_array_append_new(items, item_json(&k->items[i]));
        json_object_set_new(o, "items", items);
    }
    if (k->rec_resolution[0]) {
        json_t *rr = json_loads(k->rec_reasons, 0, NULL);
        json_t *rec = json_pack("{s:s,s:I,s:b,s:s,s:{s:I,s:s,s:O?},s:O?}", "resolution", k->rec_resolution,
                                "max_amount_cents", (json_int_t)k->rec_amount_cents, "needs_approval",
                                k->rec_needs_approval, "policy_version", k->policy_version, "risk", "score",
                                (json_int_t)k->risk_score, "level", k->risk_level, "reasons",
                                json_object_get(rr, "risk"), "reasons", json_object_get(rr, "reasons"));
        json_decref(rr);
        json_object_set_new(o, "recommendation", rec);
    } else {
        json_object_set_new(o, "recommendation", json_null());
    }
    if (k->resolution[0])
        json_object_set_new(o, "resolution",
                            json_pack("{s:s,s:I,s:o,s:o}", "resolution", k->resolution, "amount_cents",
                                      (json_int_t)k->amount_cents, "override_reason",
                                      api_str_or_null(k->override_reason[0] ? k->override_reason : NULL), "resolved_at",
                                      api_time(k->resolved_at)));
    else json_object_set_new(o, "resolution", json_null());
    json_object_set_new(o, "approval_note", api_str_or_null(k->approval_note[0] ? k->approval_note : NULL));
    json_object_set_new(o, "credit_note_id", k->credit_note_id ? json_integer(k->credit_note_id) : json_null());
    return o;
}

static int add_event(void *arg, const struct desk_event *e)
{
    return json_array_append_new(arg, json_pack("{s:o,s:o,s:s,s:o}", "at", api_time(e->at), "staff",
                                                 api_str_or_null(e->staff_login), "action", e->action, "detail",
                                                 api_str_or_null(e->detail))) == 0 ? TD_OK : TD_E_NOMEM;
}

/* Sends a case with its items, events and repair, and the members of extra
 * (stolen; NULL for none). */
static int reply_case(struct api_call *a, int64_t id, int status, json_t *extra)
{
    struct desk_case *k = malloc(sizeof *k);
    if (!k) {
        json_decref(extra);
        return TD_E_NOMEM;
    }
    int rc = desk_case_get(&a->d, id, k);
    json_t *o = NULL, *events = NULL;
    if (rc != TD_OK) goto out;
    a->customer_id = k->customer_id;
    o = case_json(k, 1);
    events = json_array();
    if ((rc = desk_case_events(&a->d, id, add_event, events)) != TD_OK) goto out;
    json_object_set(o, "events", events);
    struct desk_repair r;
    rc = desk_repair_get(&a->d, id, &r);
    if (rc == TD_OK) json_object_set_new(o, "repair", api_repair_json(&r));
    else if (rc == TD_E_NOT_FOUND) json_object_set_new(o, "repair", json_null());
    else goto out;
    /* The value card the desk showed with the case and what the customer did,
     * so a screen drawn again knows it was shown (docs/feedback.md). */
    int64_t card = 0;
    enum cards_outcome did = CARDS_UNDECIDED;
    rc = cards_case_record(&a->d, id, &card, &did);
    if (rc == TD_OK)
        json_object_set_new(o, "value_card_shown", json_pack("{s:I,s:s}", "card_id", (json_int_t)card, "outcome",
                                                             enum_map_name(&cards_outcome_map, (int)did)));
    else if (rc == TD_E_NOT_FOUND) json_object_set_new(o, "value_card_shown", json_null());
    else goto out;
    if (extra) json_object_update(o, extra);
    rc = api_reply_json(a, status, o);
    o = NULL;
out:
    json_decref(o);
    json_decref(events);
    json_decref(extra);
    free(k);
    return rc;
}

/* ---- requests ------------------------------------------------------------ */

/* The value of obj's text field `name` in map m: 0 when absent, or when the
 * text is none of the map's names (then refused as `field`). */
static int read_enum(struct api_call *a, json_t *obj, const char *name, const struct enum_map *m, const char *field)
{
    const char *s = api_str(obj, name);
    int v = enum_map_find(m, s, 0);
    if (s && !v) enum_map_refuse(m, field, &a->err);
    return v;
}

static void read_item(struct api_call *a, json_t *v, size_t i, struct desk_item_in *it)
{
    static const struct api_field fields[] = {
        {"sold_here", AT_BOOL, 0, 0}, {"receipt_id", AT_STRING, 0, 64}, {"sku", AT_STRING, 0, 64},
        {"brand", AT_STRING, 0, DESK_TEXT_MAX}, {"description", AT_STRING, 0, DESK_TEXT_MAX},
        {"stated_price_cents", AT_INT, 0, 0}, {"condition", AT_STRING, 1, 16}, {"gift_receipt", AT_BOOL, 0, 0}, {0},
    };
    char prefix[32], f[64];
    snprintf(prefix, sizeof prefix, "items[%zu]", i);
    if (!json_is_object(v)) {
        errors_add(&a->err, prefix, "must be an object");
        return;
    }
    api_check(a, v, fields, prefix);
    json_t *sh = json_object_get(v, "sold_here");
    it->sold_here = !sh || json_is_true(sh);
    it->receipt_ref = api_str(v, "receipt_id");
    it->gift_receipt = json_is_true(json_object_get(v, "gift_receipt"));
    it->sku = api_str(v, "sku");
    it->brand = api_str(v, "brand");
    it->description = api_str(v, "description");
    json_t *sp = json_object_get(v, "stated_price_cents");
    it->stated_price_cents = json_is_integer(sp) ? json_integer_value(sp) : 0;
    if (!it->sold_here && !json_is_integer(sp)) {
        snprintf(f, sizeof f, "%s.stated_price_cents", prefix);
        errors_add(&a->err, f, "is required for an item not sold here: ask the customer what it cost");
    }
    if (it->sold_here && (it->brand || it->description || sp)) {
        snprintf(f, sizeof f, "%s.sold_here", prefix);
        errors_add(&a->err, f, "must be false for an item with brand, description or stated price");
    }
    if (!it->sold_here && (it->sku || it->receipt_ref || it->gift_receipt)) {
        snprintf(f, sizeof f, "%s.sold_here", prefix);
        errors_add(&a->err, f, "must be true (or absent) for an item with sku, receipt_id or gift_receipt");
    }
    snprintf(f, sizeof f, "%s.condition", prefix);
    it->condition = (enum policy_condition)read_enum(a, v, "condition", &policy_condition_map, f);
}

static void read_referral(struct api_call *a, json_t *b, struct desk_referral_in *r)
{
    static const struct api_field fields[] = { {"to", AT_STRING, 1, DESK_TEXT_MAX}, {"reason", AT_STRING, 1, 32}, {0} };
    json_t *v = json_object_get(b, "referral");
    if (!v || json_is_null(v)) return;
    api_check(a, v, fields, "referral");
    r->to = api_str(v, "to");
    r->reason = (enum policy_referral)read_enum(a, v, "reason", &policy_referral_map, "referral.reason");
}

int api_cases_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"kind", AT_STRING, 1, 32}, {"customer_id", AT_INT, 0, 0}, {"store_code", AT_STRING, 0, 16},
        {"receipt", AT_BOOL, 1, 0}, {"customer_words", AT_STRING, 0, DESK_WORDS_MAX}, {"items", AT_ARRAY, 1, 0},
        {"referral", AT_OBJECT, 0, 0}, {"walk_in_contact", AT_STRING, 0, 254}, {0},
    };
    json_t *b = NULL;
    int rc = api_body(a, &b);
    if (rc != TD_OK) return rc;
    api_check(a, b, fields, NULL);
    struct desk_case_in in;
    memset(&in, 0, sizeof in);
    in.kind = (enum policy_kind)read_enum(a, b, "kind", &policy_kind_map, "kind");
    json_t *cid = json_object_get(b, "customer_id");
    in.customer_id = json_is_integer(cid) ? json_integer_value(cid) : 0;
    if (cid && json_is_integer(cid) && in.customer_id <= 0) errors_add(&a->err, "customer_id", "no such customer");
    in.store_code = api_str(b, "store_code");
    if (!in.store_code) in.store_code = a->me.store_code[0] ? a->me.store_code : NULL;
    in.receipt = json_is_true(json_object_get(b, "receipt"));
    in.customer_words = api_str(b, "customer_words");
    in.walk_in_contact = api_str(b, "walk_in_contact");
    read_referral(a, b, &in.referral);
    json_t *items = json_object_get(b, "items");
    if (json_is_array(items)) {
        size_t n = json_array_size(items);
        if (n < 1 || n > POLICY_ITEMS_MAX) errors_add(&a->err, "items", "must hold 1 to %d items", POLICY_ITEMS_MAX);
        else in.n_items = n;
        for (size_t i = 0; i < in.n_items; i++) read_item(a, json_array_get(items, i), i, &in.items[i]);
    }
    int64_t id = 0;
    if (a->err.n) rc = TD_E_INVALID;
    else if (!in.store_code) {
        errors_add(&a->err, "store_code", "is required (your account has no store)");
        rc = TD_E_INVALID;
    } else {
        rc = desk_case_create(&a->d, &in, &a->err, &id);
    }
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_case(a, id, 201, NULL);
}

int api_cases_get(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    return reply_case(a, id, 200, NULL);
}

static int add_case(void *arg, const struct desk_case *k)
{
    return json_array_append_new(arg, case_json(k, 0)) == 0 ? TD_OK : TD_E_NOMEM;
}

static int list_cases(struct api_call *a, struct desk_filter *f)
{
    struct api_list_page p;
    int rc = api_page_start(a, 50, 500, &p);
    if (rc != TD_OK) return rc;
    rc = desk_cases_each(&a->d, f, p.before, p.limit, add_case, p.items, &p.next);
    return api_reply_page(a, rc, &p);
}

static void query_time(struct api_call *a, const char *name, int64_t *out)
{
    const char *v = http_query(a->r, name);
    if (v && clock_parse(v, out) != TD_OK) errors_add(&a->err, name, "must be a date or date-time like 2026-11-01");
}

int api_cases_list(struct api_call *a)
{
    struct desk_filter f = {0};
    const char *sc = http_query(a->r, "store_code");
    int rc = api_store_of(a, sc, "store_code", &f.store_id);
    if (rc != TD_OK) return rc;
    if (!sc && a->me.role != ROLE_ADMIN) f.store_id = a->me.store_id;
    f.status = http_query(a->r, "status");
    int status;
    if (f.status && enum_map_value(&desk_status_map, f.status, &status) != TD_OK)
        enum_map_refuse(&desk_status_map, "status", &a->err);
    f.kind = http_query(a->r, "kind");
    if (f.kind && !enum_map_find(&policy_kind_map, f.kind, 0)) enum_map_refuse(&policy_kind_map, "kind", &a->err);
    const char *who = http_query(a->r, "associate");
    if (who) {
        struct staff s;
        if (staff_get_by_login(&a->d, who, &s) == TD_OK) f.associate_id = s.id;
        else errors_add(&a->err, "associate", "no staff member has this login");
    }
    query_time(a, "from", &f.from_us);
    query_time(a, "to", &f.to_us);
    if (a->err.n) return TD_E_INVALID;
    return list_cases(a, &f);
}

int api_customers_cases(struct api_call *a)
{
    struct desk_filter f = {0};
    int rc = api_param_id(a, 0, &f.customer_id);
    if (rc != TD_OK) return rc;
    struct customer cu;
    if ((rc = customer_get(&a->d, f.customer_id, &cu)) != TD_OK) return rc;   /* 404 for no customer */
    return list_cases(a, &f);
}

/* What the desk knows of a customer's relationship: the aggregates the
 * policy reads (not the guard's signals, which are for managers). */
int api_customers_facts(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    struct customer_facts cf;
    struct guard_signals sg;
    if ((rc = facts_load(&a->d, id, NULL, false, NULL, 0, &cf, &sg)) != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:I,s:s,s:I,s:i,s:i,s:i,s:i,s:i,s:i}", "customer_id", (json_int_t)id, "tier",
                                            policy_tier_name(cf.tier), "lifetime_spend_cents",
                                            (json_int_t)cf.lifetime_spend_cents, "visits", cf.visits, "tenure_days",
                                            cf.tenure_days, "cases_30d", cf.cases_30d, "cases_90d", cf.cases_90d,
                                            "returns_30d", cf.returns_30d, "returns_90d", cf.returns_90d));
}

int api_approvals_list(struct api_call *a)
{
    struct desk_filter f = {.status = "awaiting_approval"};
    const char *sc = http_query(a->r, "store_code");
    int rc = api_store_of(a, sc, "store_code", &f.store_id);
    if (rc != TD_OK) return rc;
    if (a->me.role != ROLE_ADMIN) {
        if (sc && f.store_id != a->me.store_id) {
            errors_set_message(&a->err, "a manager sees the approvals of their own store");
            return TD_E_FORBIDDEN;
        }
        f.store_id = a->me.store_id;
    }
    return list_cases(a, &f);
}

/* ---- the recommendation and the resolution ------------------------------ */

static json_t *decision_json(const struct decision *d, const struct risk *risk)
{
    json_t *items = json_array();
    for (size_t i = 0; i < d->n_items; i++)
        json_array_append_new(items, json_pack("{s:s,s:I,s:b}", "resolution", policy_resolution_name(d->items[i].resolution),
                                               "amount_cents", (json_int_t)d->items[i].amount_cents, "needs_approval",
                                               d->items[i].needs_approval));
    return json_pack("{s:s,s:I,s:b,s:b,s:o,s:{s:i,s:s,s:o},s:s,s:o,s:n}", "resolution",
                     policy_resolution_name(d->resolution), "max_amount_cents", (json_int_t)d->max_amount_cents,
                     "needs_approval", d->needs_approval, "ask_walk_in_contact", d->ask_walk_in_contact, "reasons",
                     reason_list_json(d->reasons, d->n_reasons), "risk", "score", risk->score, "level",
                     guard_level_name(risk->level), "reasons", reason_list_json(risk->reasons, risk->n_reasons),
                     "policy_version", d->policy_version, "items", items, "value_card");
}

int api_cases_decision(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    if (a->r->body.len) {                    /* no fields are defined: refuse any */
        json_t *b = NULL;
        static const struct api_field none[] = { {0} };
        if ((rc = api_body(a, &b)) != TD_OK) return rc;
        api_check(a, b, none, NULL);
        json_decref(b);
        if (a->err.n) return TD_E_INVALID;
    }
    struct decision d;
    struct risk risk;
    if ((rc = desk_decide(&a->d, id, &d, &risk)) != TD_OK) return rc;
    json_t *card = NULL;
    if ((rc = api_cards_decision(a, id, &card)) != TD_OK) return rc;
    json_t *o = decision_json(&d, &risk);
    json_object_set_new(o, "value_card", card);
    json_object_set_new(o, "case_id", json_integer(id));
    return api_reply_json(a, 200, o);
}

static json_t *outcome_json(const struct desk_outcome *out)
{
    json_t *o = json_pack("{s:b}", "override", out->override);
    if (out->credit_code[0]) {
        json_t *n = api_note_json(&out->note);
        json_object_set_new(n, "code", json_string(out->credit_code));
        json_object_set_new(o, "credit_note", n);
    } else {
        json_object_set_new(o, "credit_note", json_null());
    }
    return o;
}

int api_cases_resolve(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"resolution", AT_STRING, 1, 32}, {"amount_cents", AT_INT, 0, 0}, {"override_reason", AT_STRING, 0, DESK_NOTE_MAX},
        {"referral", AT_OBJECT, 0, 0}, {"manufacturer", AT_STRING, 0, DESK_TEXT_MAX}, {"rma_number", AT_STRING, 0, DESK_RMA_MAX},
        {"walk_in_contact", AT_STRING, 0, 254}, {0},
    };
    int64_t id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    struct desk_resolve_in in;
    memset(&in, 0, sizeof in);
    in.resolution = (enum policy_resolution)read_enum(a, b, "resolution", &policy_resolution_map, "resolution");
    json_t *amt = json_object_get(b, "amount_cents");
    in.amount_cents = json_is_integer(amt) ? json_integer_value(amt) : 0;
    in.override_reason = api_str(b, "override_reason");
    in.manufacturer = api_str(b, "manufacturer");
    in.rma_number = api_str(b, "rma_number");
    in.walk_in_contact = api_str(b, "walk_in_contact");
    read_referral(a, b, &in.referral);
    struct desk_outcome out;
    rc = a->err.n ? TD_E_INVALID : desk_resolve(&a->d, &a->app->ledger, id, &in, &a->err, &out);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_case(a, id, 200, json_pack("{s:o}", "outcome", outcome_json(&out)));
}

/* Reads {field: text} (required or not) from a body with only that field. */
static int one_text(struct api_call *a, const char *field, size_t max, int required, json_t **b)
{
    struct api_field fields[] = { {field, AT_STRING, required, max}, {0} };
    int rc = api_body(a, b);
    if (rc != TD_OK) return rc;
    api_check(a, *b, fields, NULL);
    return a->err.n ? TD_E_INVALID : TD_OK;
}

static int step(struct api_call *a, const char *field, int required,
                int (*fn)(struct dctx *c, int64_t id, const char *text, struct errors *err))
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    rc = one_text(a, field, DESK_NOTE_MAX, required, &b);
    if (rc == TD_OK) rc = fn(&a->d, id, api_str(b, field), &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_case(a, id, 200, NULL);
}

int api_cases_cancel(struct api_call *a)
{
    return step(a, "reason", 1, desk_cancel);
}

int api_cases_follow_up(struct api_call *a)
{
    return step(a, "note", 1, desk_follow_up);
}

int api_approvals_reject(struct api_call *a)
{
    return step(a, "reason", 1, desk_reject);
}

int api_approvals_approve(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    struct desk_outcome out;
    if (a->r->body.len) rc = one_text(a, "note", DESK_NOTE_MAX, 0, &b);
    if (rc == TD_OK) rc = desk_approve(&a->d, &a->app->ledger, id, api_str(b, "note"), &a->err, &out);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_case(a, id, 200, json_pack("{s:o}", "outcome", outcome_json(&out)));
}
