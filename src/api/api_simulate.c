/* api_simulate.c — POST /api/v1/policy/simulations: what a draft chain
 * policy would have recommended for the cases decided in a period
 * (domain/simulate.h), for the policy editor's "what would this draft have
 * done?" before the draft is saved.
 *
 * The route is API_READ_ONLY: it runs in a read snapshot like a GET and
 * writes nothing. A manager simulates their own store (another store's code
 * is 403); an admin (head office) any store, or all of them without
 * store_code. A draft that does not validate is 422 with each problem at
 * its path inside the body ("policy.tiers.gold.goodwill_limit_cents").
 * ?format=csv or xlsx answers the changed cases (the exact layer's list)
 * as a file (export.h); the figures stay in the JSON.
 */
#include "api/export.h"
#include "api/handlers.h"
#include "core/json_safe.h"
#include "domain/simulate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The draft's problems named where they sit in this body. */
static void under_policy(struct errors *err)
{
    for (size_t i = 0; i < err->n; i++) {
        char path[sizeof err->item[i].field + 8];
        snprintf(path, sizeof path, "policy%s%s", err->item[i].field[0] ? "." : "", err->item[i].field);
        /* A path too long for the field is cut: the editor's paths are short. */
        snprintf(err->item[i].field, sizeof err->item[i].field, "%.*s", (int)sizeof err->item[i].field - 1, path);
    }
}

static int draft_of(struct api_call *a, json_t *doc, struct policy *p)
{
    char *text = json_safe_text(doc, JSON_COMPACT);
    if (!text) return TD_E_NOMEM;
    struct errors err;
    errors_init(&err);
    int rc = policy_parse(text, strlen(text), &err, p);
    free(text);
    if (rc == TD_E_INVALID) {
        under_policy(&err);
        for (size_t i = 0; i < err.n; i++) errors_add(&a->err, err.item[i].field, "%s", err.item[i].problem);
        if (!err.n) errors_add(&a->err, "policy", "%s", err.message[0] ? err.message : "is not a valid policy document");
    }
    return rc;
}

/* The changed cases as a file: one line each, before and after. */
#define SIDE(s, snl, sen)                                                                                        \
    EXPORT_COL(s ".resolution", snl ": afhandeling", sen ": resolution", EXPORT_TEXT),                              \
    EXPORT_COL(s ".amount_cents", snl ": bedrag", sen ": amount", EXPORT_CENTS),                                    \
    EXPORT_FLAG_COL(s ".needs_approval", snl ": manager nodig", sen ": needs a manager", "ja", "yes", "nee", "no")
static const struct export_column change_cols[] = {
    EXPORT_CASE_COL,
    EXPORT_STORE_COL,
    EXPORT_KIND_COL,
    EXPORT_COL("decided_at", "beslist op", "decided on", EXPORT_DAY),
    SIDE("before", "toen", "then"),
    SIDE("after", "concept", "draft"),
    EXPORT_FLAG_COL("flagged_later", "later gemarkeerd", "flagged later", "ja", "yes", "nee", "no"),
};
#undef SIDE
const struct export_table api_simulate_changes = {"Gewijzigde zaken", "Changed cases", EXPORT_COLUMNS(change_cols)};

int api_policy_simulate(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"policy", AT_OBJECT, 1, 0}, {"from", AT_STRING, 0, 10}, {"to", AT_STRING, 0, 10},
        {"store_code", AT_STRING_OR_NULL, 0, 16}, {"modelled", AT_BOOL, 0, 0}, {0},
    };
    json_t *b = NULL;
    enum export_format format;
    if (api_export_format(a, EXPORT_JSON, &format) != TD_OK) return TD_E_BAD_REQUEST;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    const char *sc = api_str(b, "store_code");
    bool modelled = !json_is_false(json_object_get(b, "modelled"));   /* default: every layer */
    char code[CODE_SZ] = "";
    int64_t store_id = 0, from_us = 0, to_us = 0;
    struct policy p;
    rc = api_store_of(a, sc, "store_code", &store_id);
    if (rc == TD_OK && a->me.role != ROLE_ADMIN) {
        if (sc && store_id != a->me.store_id) {
            errors_set_message(&a->err, "a manager simulates the policy for their own store");
            rc = TD_E_FORBIDDEN;
        }
        store_id = a->me.store_id;
    }
    if (rc == TD_OK && (sc || store_id)) rc = domain_copy(code, sizeof code, sc ? sc : a->me.store_code);
    if (rc == TD_OK)
        rc = simulate_period(api_str(b, "from"), api_str(b, "to"), a->d.now_us, "from", "to", &a->err, &from_us, &to_us);
    if (rc == TD_OK) rc = draft_of(a, json_object_get(b, "policy"), &p);
    json_decref(b);
    if (rc != TD_OK) return rc;
    struct simulate_result *r = malloc(sizeof *r);
    if (!r) return TD_E_NOMEM;
    char *text = NULL;
    if ((rc = simulate_run(&a->d, &p, from_us, to_us, store_id, modelled, r)) == TD_OK && !(text = simulate_json(r))) rc = TD_E_NOMEM;
    free(r);
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (rc != TD_OK) return rc;
    if (!o) return TD_E_NOMEM;
    json_object_set_new(o, "store_code", code[0] ? json_string(code) : json_null());
    if (format == EXPORT_JSON) return api_reply_json(a, 200, o);
    char *stem = arena_printf(&a->r->arena, "simulation-changes%s%s", code[0] ? "-" : "", code);
    rc = stem ? api_reply_table(a, &api_simulate_changes, json_object_get(json_object_get(o, "exact"), "changes"), format,
                                stem)
              : TD_E_NOMEM;
    json_decref(o);
    return rc;
}
