/* api_advocacy.c — the staff survey and the secrets board over HTTP
 * (domain/advocacy.h, domain/secrets.h do the work).
 *
 *   /api/v1/staff-surveys ...          head office runs rounds; leads read
 *                                      results within the anonymity rules
 *   /api/v1/staff-survey/{token} ...   the shared link of a store: public,
 *                                      JSON for the web app's page
 *   /api/v1/secrets ...                the board, its merges and moderation
 *
 * The public answer carries no session and this file writes no log line of
 * its own about it; a second answer from one browser is refused by the
 * browser's nonce (the web app keeps a random one per round in
 * localStorage), not by a cookie: a cookie would be one more thing sent
 * with every later request. An associate reads no results; a manager reads
 * only their own store's.
 */
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/advocacy.h"
#include "domain/secrets.h"
#include "domain/store.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A round's departments, stored one a line, as a JSON array. */
static json_t *categories_json(const char *lines)
{
    json_t *cats = json_array();
    for (const char *p = lines; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(cats, json_stringn(p, len));
        p += len + (end != NULL);
    }
    return cats;
}

static json_t *round_json(const struct advocacy_round *r)
{
    json_t *cats = categories_json(r->categories);
    /* The round's total only from the minimum: a count of 1 or 2 says who. */
    json_t *n = r->answers >= ADVOCACY_MIN_ANSWERS ? json_integer(r->answers) : json_null();
    return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)r->id, "name", r->name, "categories", cats,
                     "opens_at", api_time(r->opens_at), "closes_at", api_time(r->closes_at), "answers", n);
}

/* Strings of a JSON array field into v (at most max), problems named. */
static size_t strings_of(struct api_call *a, json_t *b, const char *name, const char **v, size_t max)
{
    json_t *arr = json_object_get(b, name);
    size_t n = 0;
    if (!arr) return 0;
    if (json_array_size(arr) > max) {
        errors_add(&a->err, name, "may hold at most %zu entries", max);
        return 0;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s) errors_add(&a->err, name, "entry %zu must be a string", i);
        else v[n++] = s;
    }
    return n;
}

int api_staff_surveys_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"name", AT_STRING, 1, ADVOCACY_NAME_MAX}, {"closes_at", AT_STRING, 1, 40}, {"store_codes", AT_ARRAY, 0, 0},
        {"categories", AT_ARRAY, 0, 0}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct advocacy_round_in in = {.name = api_str(b, "name")};
    if (clock_parse(api_str(b, "closes_at"), &in.closes_at) != TD_OK)
        errors_add(&a->err, "closes_at", "must be a date-time like 2026-12-20T18:00:00Z");
    const char **cv = calloc(ADVOCACY_STORES_MAX + ADVOCACY_CATEGORIES_MAX, sizeof *cv);
    struct advocacy_link *links = calloc(ADVOCACY_STORES_MAX, sizeof *links);
    if (!cv || !links) rc = TD_E_NOMEM;
    if (rc == TD_OK) {
        in.n_stores = strings_of(a, b, "store_codes", cv, ADVOCACY_STORES_MAX);
        in.store_codes = cv;
        in.n_categories = strings_of(a, b, "categories", cv + ADVOCACY_STORES_MAX, ADVOCACY_CATEGORIES_MAX);
        in.categories = cv + ADVOCACY_STORES_MAX;
    }
    int64_t id = 0;
    size_t n = 0;
    if (rc == TD_OK && a->err.n) rc = TD_E_INVALID;
    if (rc == TD_OK) rc = advocacy_round_create(&a->d, &in, &a->err, &id, links, &n);
    struct advocacy_round r;
    if (rc == TD_OK) rc = advocacy_round_get(&a->d, id, &r);
    json_t *o = NULL;
    if (rc == TD_OK) {
        o = round_json(&r);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            char path[96];
            snprintf(path, sizeof path, "/api/v1/staff-survey/%s", links[i].token);
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "store_code", links[i].store_code, "token",
                                                 links[i].token, "path", path));
        }
        json_object_set_new(o, "links", arr);
    }
    json_decref(b);
    free(cv);
    free(links);
    return rc == TD_OK ? api_reply_json(a, 201, o) : rc;
}

API_ITEM_ADDER(add_round, struct advocacy_round, round_json)

int api_staff_surveys_list(struct api_call *a)
{
    json_t *items = json_array();
    return api_reply_items(a, advocacy_rounds_each(&a->d, add_round, items), items, NULL);
}

static json_t *num_or_null(bool shown, double v)
{
    return shown ? json_real(round(v * 10.0) / 10.0) : json_null();
}

int api_staff_surveys_results(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc != TD_OK) return rc;
    const char *sc = http_query(a->r, "store_code"), *cat = http_query(a->r, "category");
    struct advocacy_slice s = {0, cat};
    if ((rc = api_store_of(a, sc, "store_code", &s.store_id)) != TD_OK) return rc;
    if (a->me.role != ROLE_ADMIN) {
        if (sc && s.store_id != a->me.store_id) {
            errors_set_message(&a->err, "a manager sees the staff survey of their own store");
            return TD_E_FORBIDDEN;
        }
        s.store_id = a->me.store_id;
    }
    struct advocacy_result r;
    rc = advocacy_results(&a->d, id, &s, &r);
    if (rc == TD_E_INVALID) errors_add(&a->err, "category", "is none of this survey's departments");
    if (rc == TD_E_NOT_FOUND && s.store_id) {
        struct advocacy_round round;
        if (advocacy_round_get(&a->d, id, &round) == TD_OK) {
            errors_add(&a->err, "store_code", "the survey has no link for this store");
            rc = TD_E_INVALID;
        }
    }
    if (rc != TD_OK) return rc;
    struct store st = {0};
    if (s.store_id && (rc = store_get(&a->d, s.store_id, &st)) != TD_OK) {
        advocacy_result_free(&r);
        return rc;
    }
    json_t *comments = json_null();
    if (r.comments_shown) {
        comments = json_array();
        for (size_t i = 0; i < r.n_comments; i++)
            json_array_append_new(comments, json_pack("{s:o,s:o}", "why",
                                                      api_str_or_null(r.comments[i].why[0] ? r.comments[i].why : NULL),
                                                      "secret", api_str_or_null(r.comments[i].secret[0] ? r.comments[i].secret : NULL)));
    }
    json_t *interval = r.shown ? json_pack("[f,f]", round(r.nps_low * 10.0) / 10.0, round(r.nps_high * 10.0) / 10.0)
                               : json_null();
    json_t *o = json_pack("{s:I,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:i}", "survey_id", (json_int_t)id,
                          "store_code", api_str_or_null(s.store_id ? st.code : NULL), "category",
                          api_str_or_null(cat && cat[0] ? cat : NULL), "shown", r.shown, "answers",
                          r.shown ? json_integer(r.answers) : json_null(), "nps", num_or_null(r.shown, r.nps),
                          "nps_interval", interval, "mean", num_or_null(r.shown, r.mean), "promoters",
                          r.shown ? json_integer(r.promoters) : json_null(), "passives",
                          r.shown ? json_integer(r.passives) : json_null(), "detractors",
                          r.shown ? json_integer(r.detractors) : json_null(), "comments", comments, "withheld",
                          api_str_or_null(r.reason), "min_answers", ADVOCACY_MIN_ANSWERS, "min_comments",
                          ADVOCACY_MIN_COMMENTS);
    advocacy_result_free(&r);
    return api_reply_json(a, 200, o);
}

/* ---- the public link ----------------------------------------------------- */

int api_staff_survey_get(struct api_call *a)
{
    struct advocacy_link_info li;
    int rc = advocacy_link_lookup(&a->d, a->r->params[0], &li, &a->err);
    if (rc != TD_OK) return rc;
    json_t *cats = categories_json(li.categories);
    json_t *q = json_pack(
        "{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}", "score",
        "nl", "Zou u onze producten en diensten aanraden aan familie en vrienden?", "en",
        "Would you recommend our products and services to your family and friends?", "why", "nl", "Waarom?", "en",
        "Why?", "secret", "nl", "Wat bieden wij dat klanten niet weten?", "en",
        "What do we offer that customers don't know about?", "category", "nl", "In welke afdeling werkt u? (niet verplicht)",
        "en", "Which department do you work in? (optional)");
    return api_reply_json(a, 200,
                          json_pack("{s:s,s:s,s:o,s:o,s:o,s:i,s:i}", "survey", li.round_name, "store", li.store_name,
                                    "closes_at", api_time(li.closes_at), "categories", cats, "questions", q,
                                    "text_max", ADVOCACY_TEXT_MAX, "nonce_min", ADVOCACY_NONCE_MIN));
}

int api_staff_survey_answer(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"score", AT_INT, 1, 0}, {"why", AT_STRING_OR_NULL, 0, ADVOCACY_TEXT_MAX},
        {"secret", AT_STRING_OR_NULL, 0, ADVOCACY_TEXT_MAX}, {"category", AT_STRING_OR_NULL, 0, ADVOCACY_CATEGORY_MAX},
        {"nonce", AT_STRING, 1, ADVOCACY_NONCE_MAX}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    json_t *sv = json_object_get(b, "score");
    json_int_t score = json_is_integer(sv) ? json_integer_value(sv) : -1;
    if (json_is_integer(sv) && (score < 0 || score > 10)) {
        errors_add(&a->err, "score", "must be a whole number from 0 to 10");
        score = -1;
    }
    struct advocacy_answer_in in = {(int)score, api_str(b, "why"), api_str(b, "secret"), api_str(b, "category"),
                                    api_str(b, "nonce")};
    if (a->err.n) rc = TD_E_INVALID;
    if (rc == TD_OK) rc = advocacy_answer(&a->d, a->r->params[0], &in, &a->err);
    json_decref(b);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 201, json_pack("{s:b}", "received", 1));
}

/* ---- the secrets board --------------------------------------------------- */

struct board_ctx { struct api_call *a; json_t *items; };

static int add_store_count(void *arg, int64_t store_id, const char *code, int64_t n)
{
    struct board_ctx *b = arg;
    if (b->a->me.role != ROLE_ADMIN && store_id != b->a->me.store_id) return TD_OK;   /* a manager: their own */
    json_t *last = json_array_get(b->items, json_array_size(b->items) - 1);
    json_array_append_new(json_object_get(last, "stores"), json_pack("{s:s,s:I}", "store_code", code, "answers", (json_int_t)n));
    return TD_OK;
}

static json_t *theme_json(const struct secrets_theme *t)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)t->id, "label", t->label, "status",
                     enum_map_name(&secrets_status_map, (int)t->status), "answers", (json_int_t)t->answers, "words",
                     t->words);
}

static int add_theme(void *arg, const struct secrets_theme *t)
{
    struct board_ctx *b = arg;
    json_t *o = theme_json(t);
    json_array_append_new(b->items, o);
    if (b->a->me.role == ROLE_ASSOCIATE) return TD_OK;
    json_object_set_new(o, "stores", json_array());
    return secrets_theme_stores(&b->a->d, t->id, add_store_count, b);
}

int api_secrets_board(struct api_call *a)
{
    int limit;
    int rc = api_limit(a, 50, 200, &limit);
    if (rc != TD_OK) return rc;
    struct board_ctx b = {a, json_array()};
    rc = secrets_board(&a->d, a->me.role == ROLE_ASSOCIATE, 0, limit, add_theme, &b);
    return api_reply_items(a, rc, b.items, NULL);
}

static int reply_theme(struct api_call *a, int64_t id)
{
    struct secrets_theme t;
    int rc = secrets_get(&a->d, id, &t);
    return rc == TD_OK ? api_reply_json(a, 200, theme_json(&t)) : rc;
}

int api_secrets_patch(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"label", AT_STRING, 0, SECRETS_LABEL_MAX}, {"status", AT_STRING, 0, 16}, {0},
    };
    int64_t id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    const char *label = api_str(b, "label"), *status = api_str(b, "status");
    int st = 0;
    if (status && enum_map_value(&secrets_status_map, status, &st) != TD_OK) st = -1;
    if (status && (st != SECRETS_NEW && st != SECRETS_SHOWN && st != SECRETS_HIDDEN))
        errors_add(&a->err, "status", "must be one of new, shown, hidden");
    if (a->err.n) rc = TD_E_INVALID;
    else if (status && a->me.role != ROLE_ADMIN) {
        errors_set_message(&a->err, "head office (an admin) moderates what the board shows");
        rc = TD_E_FORBIDDEN;
    }
    if (rc == TD_OK && label) rc = secrets_rename(&a->d, id, label, &a->err);
    if (rc == TD_OK && status) rc = secrets_moderate(&a->d, id, (enum secrets_status)st, &a->err);
    json_decref(b);
    return rc == TD_OK ? reply_theme(a, id) : rc;
}

int api_secrets_merge(struct api_call *a)
{
    static const struct api_field fields[] = {{"from", AT_INT, 1, 0}, {0}};
    int64_t id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &id, &b);
    if (rc != TD_OK) return rc;
    int64_t from = (int64_t)json_integer_value(json_object_get(b, "from"));
    json_decref(b);
    if (a->err.n) return TD_E_INVALID;
    if ((rc = secrets_merge(&a->d, id, from, &a->err)) != TD_OK) return rc;
    return reply_theme(a, id);
}
