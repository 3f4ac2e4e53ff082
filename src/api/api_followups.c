/* api_followups.c — /api/v1/followups: the manager's queue of unhappy
 * answers, and /api/v1/root-causes (docs/feedback.md).
 *
 *   follow-up: open --contact--> contacted --close--> closed   [followup.h]
 *
 * A manager sees and changes their own store's follow-ups, an admin every
 * store's (403 naming why). Closing needs root_cause (one of GET
 * /api/v1/root-causes), action and recovery (call, credit_note with the
 * credit_note_id of a note issued for the case, repair, none), and asks the
 * customer again. */
#include "api/api_cl.h"
#include "api/api_feedback.h"
#include "api/export.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/cards.h"
#include "domain/followup.h"
#include "domain/nps.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char WHAT[] = "follow-ups";

static json_t *followup_json(const struct followup *f)
{
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:o,s:o,s:I,s:i,s:i}", "id", (json_int_t)f->id, "case_id",
                          (json_int_t)f->case_id, "store_code", f->store_code, "case_kind", f->case_kind, "status",
                          f->status, "customer_id", (json_int_t)f->customer_id, "customer_name", f->customer_name,
                          "opened_at", api_time(f->opened_at), "due_at", api_time(f->due_at), "reopened",
                          (json_int_t)f->reopened, "score", f->score, "round", f->round);
    json_object_set_new(o, "comment", api_str_or_null(f->comment));
    json_object_set_new(o, "assignee_login", api_str_or_null(f->assignee_login));
    json_object_set_new(o, "first_contact_at", api_time(f->first_contact_at));
    json_object_set_new(o, "closed_at", api_time(f->closed_at));
    json_object_set_new(o, "root_cause", api_str_or_null(f->root_cause));
    json_object_set_new(o, "recovery", api_str_or_null(f->recovery));
    json_object_set_new(o, "action", api_str_or_null(f->action));
    json_object_set_new(o, "credit_note_id", f->credit_note_id ? json_integer(f->credit_note_id) : json_null());
    return o;
}

/* The store a list is for: ?store_code, else the caller's own; an admin of
 * no store without one sees every store (0). */
static int list_store(struct api_call *a, int64_t *store_id)
{
    const char *code = http_query(a->r, "store_code");
    *store_id = 0;
    if (!code && a->me.role == ROLE_ADMIN && a->me.store_id <= 0) return TD_OK;
    struct store st;
    int rc = api_cl_store(a, code, "store_code", WHAT, &st);
    if (rc == TD_OK) *store_id = st.id;
    return rc;
}

struct page {
    json_t *items;
    int64_t now;
};

static int add_followup(void *arg, const struct followup *f)
{
    struct page *p = arg;
    json_t *o = followup_json(f);
    json_object_set_new(o, "overdue", json_boolean(strcmp(f->status, "closed") != 0 && f->due_at < p->now));
    return json_array_append_new(p->items, o) == 0 ? TD_OK : TD_E_NOMEM;
}

int api_followups_list(struct api_call *a)
{
    int limit, rc;
    if ((rc = api_limit(a, 50, 200, &limit)) != TD_OK) return rc;
    const char *status = http_query(a->r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "all")) {
        errors_add(&a->err, "status", "must be open, closed or all");
        return TD_E_INVALID;
    }
    int64_t store_id;
    if ((rc = list_store(a, &store_id)) != TD_OK) return rc;
    struct page p = {json_array(), a->d.now_us};
    rc = followup_each(&a->d, store_id, status && strcmp(status, "all") ? status : status ? NULL : "open", limit,
                       add_followup, &p);
    return api_reply_items(a, rc, p.items, NULL);
}

/* The follow-up of the path, in the caller's scope. */
static int followup_of(struct api_call *a, struct followup *f)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc == TD_OK) rc = followup_get(&a->d, id, f);
    if (rc == TD_OK) rc = api_cl_scope(a, f->store_id, WHAT);
    if (rc == TD_OK) a->customer_id = f->customer_id;
    return rc;
}

static int add_event(void *arg, const struct followup_event *e)
{
    json_t *o = json_pack("{s:o,s:s}", "at", api_time(e->at), "action", e->action);
    json_object_set_new(o, "staff_id", e->staff_id ? json_integer(e->staff_id) : json_null());
    json_object_set_new(o, "note", api_str_or_null(e->note));
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* The follow-up with its history; extra (may be NULL, stolen) is merged in. */
static int reply_followup(struct api_call *a, int64_t id, int status, json_t *extra)
{
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    int rc = followup_get(&a->d, id, f);
    json_t *events = json_array();
    if (rc == TD_OK) rc = followup_events_each(&a->d, id, add_event, events);
    json_t *o = NULL;
    if (rc == TD_OK) {
        struct page p = {json_array(), a->d.now_us};
        rc = add_followup(&p, f);
        o = json_incref(json_array_get(p.items, 0));
        json_decref(p.items);
        json_object_set_new(o, "events", events);
        events = NULL;
        if (extra) json_object_update(o, extra);
    }
    json_decref(extra);
    json_decref(events);
    free(f);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, status, o);
}

int api_followups_get(struct api_call *a)
{
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    int rc = followup_of(a, f);
    int64_t id = f->id;
    free(f);
    return rc == TD_OK ? reply_followup(a, id, 200, NULL) : rc;
}

/* The steps share: the follow-up in scope, the body checked. */
static int step_begin(struct api_call *a, const struct api_field *fields, int64_t *id, json_t **b)
{
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    int rc = followup_of(a, f);
    *id = f->id;
    free(f);
    return rc == TD_OK ? api_body_valid(a, fields, b) : rc;
}

int api_followups_assign(struct api_call *a)
{
    static const struct api_field fields[] = { {"staff_login", AT_STRING_OR_NULL, 0, 64}, {0} };
    int64_t id;
    json_t *b = NULL;
    int rc = step_begin(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    if (!json_object_get(b, "staff_login")) {
        errors_add(&a->err, "staff_login", "is required (null: back to the store's managers)");
        json_decref(b);
        return TD_E_INVALID;
    }
    const char *login = api_str(b, "staff_login");
    struct staff s = {0};
    if (login && (rc = staff_get_by_login(&a->d, login, &s)) == TD_E_NOT_FOUND) {
        errors_add(&a->err, "staff_login", "no staff member has this login");
        rc = TD_E_INVALID;
    }
    if (rc == TD_OK) rc = followup_assign(&a->d, id, login ? s.id : 0, &a->err);
    json_decref(b);
    return rc == TD_OK ? reply_followup(a, id, 200, NULL) : rc;
}

int api_followups_contact(struct api_call *a)
{
    static const struct api_field fields[] = { {"note", AT_STRING, 0, FOLLOWUP_TEXT_MAX}, {0} };
    int64_t id;
    json_t *b = NULL;
    int rc = step_begin(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    rc = followup_contact(&a->d, id, api_str(b, "note"), &a->err);
    json_decref(b);
    return rc == TD_OK ? reply_followup(a, id, 200, NULL) : rc;
}

int api_followups_close(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"root_cause", AT_STRING, 1, 40}, {"action", AT_STRING, 1, FOLLOWUP_TEXT_MAX},
        {"recovery", AT_STRING, 1, 16}, {"credit_note_id", AT_INT, 0, 0}, {0},
    };
    int64_t id;
    json_t *b = NULL;
    int rc = step_begin(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    int recovery = 0;
    if (enum_map_value(&followup_recovery_map, api_str(b, "recovery"), &recovery) != TD_OK)
        errors_add(&a->err, "recovery", "must be one of %s", followup_recovery_map.list);
    struct followup_close in = {api_str(b, "root_cause"), api_str(b, "action"), (enum followup_recovery)recovery,
                                json_integer_value(json_object_get(b, "credit_note_id"))};
    int64_t survey = 0;
    rc = a->err.n ? TD_E_INVALID : followup_close(&a->d, id, &in, &a->err, &survey);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return reply_followup(a, id, 200, json_pack("{s:b}", "asked_again", survey != 0));
}

/* ---- the figures ------------------------------------------------------------- */

static json_t *hours(double h)
{
    return h < 0 ? json_null() : json_real((double)(long long)(h * 10 + 0.5) / 10);
}

static int add_stats(void *arg, const struct followup_stats *s)
{
    json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "store_code", s->store_code, "opened",
                          (json_int_t)s->opened, "contacted", (json_int_t)s->contacted, "closed", (json_int_t)s->closed,
                          "open_overdue", (json_int_t)s->open_overdue, "contacted_within_24h",
                          (json_int_t)s->contacted_24h, "contacted_within_48h", (json_int_t)s->contacted_48h,
                          "closed_within_48h", (json_int_t)s->closed_48h, "median_hours_to_contact",
                          hours(s->median_contact_h), "median_hours_to_close", hours(s->median_close_h));
    /* Each share with its number of follow-ups and Wilson's 95 % interval,
     * and none below the minimum (nps.h): an honest figure or none. */
    static const char *const names[] = {"contacted_within_24h", "contacted_within_48h", "closed"};
    const int64_t k[] = {s->contacted_24h, s->contacted_48h, s->closed};
    json_t *shares = json_object();
    for (size_t i = 0; i < 3; i++) {
        struct nps_share sh;
        nps_share_of(k[i], s->opened, nps_min_answers(), &sh);
        json_object_set_new(shares, names[i], api_share_json(&sh));
        if (i < 2)
            json_object_set_new(o, i ? "share_contacted_within_48h" : "share_contacted_within_24h",
                                json_incref(json_object_get(json_object_get(shares, names[i]), "share")));
    }
    json_object_set_new(o, "n", json_integer(s->opened));
    json_object_set_new(o, "shares", shares);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* The report as a file (export.h): each store's counts and shares with
 * their interval. */
#define SHARE(m, nl, en)                                                                         \
    EXPORT_COL("shares." m ".share", nl, en, EXPORT_PERCENT),                                        \
    EXPORT_COL("shares." m ".low", nl ": ondergrens (95%)", en ": low (95%)", EXPORT_PERCENT),       \
    EXPORT_COL("shares." m ".high", nl ": bovengrens (95%)", en ": high (95%)", EXPORT_PERCENT)
static const struct export_column report_cols[] = {
    EXPORT_STORE_COL,
    EXPORT_COL("opened", "geopend", "opened", EXPORT_INT),
    EXPORT_COL("contacted", "gebeld", "contacted", EXPORT_INT),
    EXPORT_COL("closed", "gesloten", "closed", EXPORT_INT),
    EXPORT_COL("open_overdue", "open, te laat", "open, overdue", EXPORT_INT),
    EXPORT_COL("contacted_within_24h", "gebeld binnen 24 uur", "contacted within 24 h", EXPORT_INT),
    EXPORT_COL("contacted_within_48h", "gebeld binnen 48 uur", "contacted within 48 h", EXPORT_INT),
    EXPORT_COL("closed_within_48h", "gesloten binnen 48 uur", "closed within 48 h", EXPORT_INT),
    EXPORT_COL("median_hours_to_contact", "mediaan uren tot gebeld", "median hours to contact", EXPORT_DECIMAL),
    EXPORT_COL("median_hours_to_close", "mediaan uren tot gesloten", "median hours to close", EXPORT_DECIMAL),
    SHARE("contacted_within_24h", "aandeel gebeld binnen 24 uur", "share contacted within 24 h"),
    SHARE("contacted_within_48h", "aandeel gebeld binnen 48 uur", "share contacted within 48 h"),
    SHARE("closed", "aandeel gesloten", "share closed"),
};
#undef SHARE
static const struct export_table report_table = {"Opvolging", "Follow-ups", EXPORT_COLUMNS(report_cols)};

int api_followups_report(struct api_call *a)
{
    const char *d = http_query(a->r, "days");
    int64_t days = 90;
    if (d && (text_parse_int64(d, &days) != TD_OK || days < 1 || days > 730)) {
        errors_add(&a->err, "days", "must be a whole number from 1 to 730");
        return TD_E_INVALID;
    }
    enum export_format format;
    if (api_export_format(a, EXPORT_JSON, &format) != TD_OK) return TD_E_INVALID;
    int64_t store_id;
    int rc = list_store(a, &store_id);
    if (rc != TD_OK) return rc;
    json_t *items = json_array();
    rc = followup_stats_each(&a->d, store_id, a->d.now_us - days * 86400 * 1000000, add_stats, items);
    if (rc != TD_OK) {
        json_decref(items);
        return rc;
    }
    if (format != EXPORT_JSON) {
        char *stem = arena_printf(&a->r->arena, "followups-%lld-days", (long long)days);
        rc = stem ? api_reply_table(a, &report_table, items, format, stem) : TD_E_NOMEM;
        json_decref(items);
        return rc;
    }
    return api_reply_json(a, 200, json_pack("{s:I,s:o}", "days", (json_int_t)days, "items", items));
}

/* ---- root causes ------------------------------------------------------------- */

static int add_cause(void *arg, const struct root_cause *r)
{
    return json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:b}", "code", r->code, "nl", r->nl, "en", r->en,
                                                "builtin", r->builtin)) == 0 ? TD_OK : TD_E_NOMEM;
}

int api_root_causes_list(struct api_call *a)
{
    json_t *items = json_array();
    return api_reply_items(a, followup_root_causes_each(&a->d, add_cause, items), items, NULL);
}

int api_root_causes_add(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"code", AT_STRING, 1, 40}, {"nl", AT_STRING, 1, 200}, {"en", AT_STRING, 1, 200}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc == TD_OK) rc = followup_root_cause_add(&a->d, api_str(b, "code"), api_str(b, "nl"), api_str(b, "en"), &a->err);
    json_t *o = rc == TD_OK ? json_pack("{s:s,s:s,s:s,s:b}", "code", api_str(b, "code"), "nl", api_str(b, "nl"), "en",
                                         api_str(b, "en"), "builtin", 0)
                            : NULL;
    json_decref(b);
    return rc == TD_OK ? api_reply_json(a, 201, o) : rc;
}

/* ---- the GDPR export ------------------------------------------------------- */

static int add_survey(void *arg, const struct survey *s)
{
    json_t *o = json_pack("{s:I,s:I,s:s,s:o,s:o}", "case_id", (json_int_t)s->case_id, "round", (json_int_t)s->round,
                          "lang", s->lang, "sent_at", api_time(s->sent_at), "answered_at", api_time(s->answered_at));
    json_object_set_new(o, "score", s->score >= 0 ? json_integer(s->score) : json_null());
    json_object_set_new(o, "comment", api_str_or_null(s->comment));
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

struct of_customer {
    int64_t customer_id;
    json_t *items;
};

static int add_own_followup(void *arg, const struct followup *f)
{
    struct of_customer *x = arg;
    if (f->customer_id != x->customer_id) return TD_OK;
    return json_array_append_new(x->items, followup_json(f)) == 0 ? TD_OK : TD_E_NOMEM;
}

static int add_card_shown(void *arg, const struct cards_shown *s)
{
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:o}", "case_id", (json_int_t)s->case_id, "card_id",
                          (json_int_t)s->card_id, "claim_nl", s->claim_nl, "claim_en", s->claim_en, "outcome", s->outcome,
                          "shown_at", api_time(s->shown_at));
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

int api_feedback_export(struct api_call *a, int64_t customer_id, json_t **out)
{
    json_t *surveys = json_array(), *cards = json_array();
    struct of_customer x = {customer_id, json_array()};
    int rc = survey_each_of_customer(&a->d, customer_id, add_survey, surveys);
    if (rc == TD_OK) rc = followup_each_of_customer(&a->d, customer_id, add_own_followup, &x);
    if (rc == TD_OK) rc = cards_shown_each_of_customer(&a->d, customer_id, add_card_shown, cards);
    if (rc != TD_OK) {
        json_decref(surveys);
        json_decref(x.items);
        json_decref(cards);
        return rc;
    }
    *out = json_pack("{s:o,s:o,s:o}", "surveys", surveys, "followups", x.items, "value_cards", cards);
    return TD_OK;
}
