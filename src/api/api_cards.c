/* api_cards.c — value cards, their quiz questions, the associate's quiz and
 * knowledge score, and the card of a case over HTTP (domain/cards.h,
 * domain/quiz.h do the work).
 *
 * Associates read only the cards the desk shows; leads write them. The
 * decision of a case (api_cases.c) takes its "value_card" from
 * api_cards_decision(). A knowledge score is read by the person, a manager
 * of their store, or an admin — one person at a time, never a ranking.
 */
#include "api/handlers.h"
#include "api/api_desk.h"
#include "domain/cards.h"
#include "domain/quiz.h"
#include <stdlib.h>
#include <string.h>

static json_t *card_json(const struct value_card *v)
{
    json_t *o = json_pack("{s:I,s:o,s:{s:s,s:s},s:o,s:s,s:s,s:o,s:o,s:i,s:o,s:o}", "id", (json_int_t)v->id,
                          "category", api_str_or_null(v->category[0] ? v->category : NULL), "claim", "nl", v->claim_nl,
                          "en", v->claim_en, "competitor", api_str_or_null(v->competitor[0] ? v->competitor : NULL),
                          "state", enum_map_name(&cards_state_map, (int)v->state), "verifier", v->verifier_login,
                          "verified_at", api_time(v->verified_at), "check_by", api_time(v->check_by), "check_days",
                          v->check_days, "created_at", api_time(v->created_at), "updated_at", api_time(v->updated_at));
    json_object_set_new(o, "theme_id", v->theme_id ? json_integer(v->theme_id) : json_null());
    return o;
}

int api_cards_decision(struct api_call *a, int64_t case_id, json_t **out)
{
    struct value_card v;
    int rc = cards_for_case(&a->d, case_id, &v);
    *out = rc == TD_OK ? card_json(&v) : json_null();
    return rc == TD_E_NOT_FOUND ? TD_OK : rc;
}

API_ITEM_ADDER(add_card, struct value_card, card_json)

int api_cards_list(struct api_call *a)
{
    const char *shown = http_query(a->r, "shown");
    if (shown && strcmp(shown, "true") != 0 && strcmp(shown, "false") != 0) {
        errors_add(&a->err, "shown", "must be true or false");
        return TD_E_INVALID;
    }
    bool only = a->me.role == ROLE_ASSOCIATE || (shown && strcmp(shown, "true") == 0);
    json_t *items = json_array();
    return api_reply_items(a, cards_each(&a->d, only, add_card, items), items, NULL);
}

static int reply_card(struct api_call *a, int status, int64_t id)
{
    struct value_card v;
    int rc = cards_get(&a->d, id, &v);
    if (rc == TD_OK && a->me.role == ROLE_ASSOCIATE && v.state != CARDS_VERIFIED) rc = TD_E_NOT_FOUND;
    return rc == TD_OK ? api_reply_json(a, status, card_json(&v)) : rc;
}

static const struct api_field card_fields[] = {
    {"category", AT_STRING_OR_NULL, 0, CARDS_CATEGORY_MAX}, {"claim_nl", AT_STRING, 0, CARDS_CLAIM_MAX},
    {"claim_en", AT_STRING, 0, CARDS_CLAIM_MAX}, {"competitor", AT_STRING_OR_NULL, 0, CARDS_COMPETITOR_MAX},
    {"verifier", AT_STRING, 0, LOGIN_SZ}, {"check_days", AT_INT, 0, 0}, {"theme_id", AT_INT, 0, 0}, {0},
};

static void card_in(struct api_call *a, json_t *b, struct value_card_in *in, int create)
{
    json_t *d = json_object_get(b, "check_days"), *t = json_object_get(b, "theme_id");
    in->category = api_str(b, "category");
    in->claim_nl = api_str(b, "claim_nl");
    in->claim_en = api_str(b, "claim_en");
    in->competitor = api_str(b, "competitor");
    in->verifier_login = api_str(b, "verifier");
    json_int_t days = json_integer_value(d);
    if (d && (days < 1 || days > 366)) errors_add(&a->err, "check_days", "must be a number of days from 1 to 366");
    in->check_days = d ? (int)days : create ? 0 : -1;
    in->theme_id = t ? (int64_t)json_integer_value(t) : 0;
    /* null: every category, no competitor */
    if (json_object_get(b, "category") && !in->category) in->category = "";
    if (json_object_get(b, "competitor") && !in->competitor) in->competitor = "";
}

int api_cards_create(struct api_call *a)
{
    json_t *b = NULL;
    int rc = api_body_fields(a, card_fields, &b);
    if (rc != TD_OK) return rc;
    struct value_card_in in;
    card_in(a, b, &in, 1);
    if (!in.claim_nl && !json_object_get(b, "claim_nl")) errors_add(&a->err, "claim_nl", "is required");
    if (!in.claim_en && !json_object_get(b, "claim_en")) errors_add(&a->err, "claim_en", "is required");
    if (!json_object_get(b, "verifier")) errors_add(&a->err, "verifier", "is required: the staff member who checks the claim");
    int64_t id = 0;
    rc = a->err.n ? TD_E_INVALID : cards_create(&a->d, &in, &a->err, &id);
    json_decref(b);
    return rc == TD_OK ? reply_card(a, 201, id) : rc;
}

int api_cards_get(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    return rc == TD_OK ? reply_card(a, 200, id) : rc;
}

int api_cards_patch(struct api_call *a)
{
    int64_t id;
    json_t *b = NULL;
    int rc = api_id_body(a, card_fields, &id, &b);
    if (rc != TD_OK) return rc;
    struct value_card_in in;
    card_in(a, b, &in, 0);
    rc = a->err.n ? TD_E_INVALID : cards_update(&a->d, id, &in, &a->err);
    json_decref(b);
    return rc == TD_OK ? reply_card(a, 200, id) : rc;
}

int api_cards_verify(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc == TD_OK) rc = cards_verify(&a->d, id, &a->err);
    return rc == TD_OK ? reply_card(a, 200, id) : rc;
}

int api_cards_retire(struct api_call *a)
{
    int64_t id;
    int rc = api_param_id(a, 0, &id);
    if (rc == TD_OK) rc = cards_retire(&a->d, id);
    return rc == TD_OK ? reply_card(a, 200, id) : rc;
}

/* ---- quizzes ------------------------------------------------------------- */

static json_t *question_json(const struct quiz_question *q)
{
    json_t *o = json_pack("{s:I,s:I,s:s,s:[s,s,s]}", "id", (json_int_t)q->id, "card_id", (json_int_t)q->card_id,
                          "question", q->question, "answers", q->answers[0], q->answers[1], q->answers[2]);
    if (q->right >= 0) json_object_set_new(o, "right", json_integer(q->right));
    return o;
}

API_ITEM_ADDER(add_question, struct quiz_question, question_json)

int api_cards_questions_create(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"question", AT_STRING, 1, QUIZ_TEXT_MAX}, {"answers", AT_ARRAY, 1, 0}, {"right", AT_INT, 1, 0}, {0},
    };
    int64_t card_id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &card_id, &b);
    if (rc != TD_OK) return rc;
    struct value_card v;
    if ((rc = cards_get(&a->d, card_id, &v)) != TD_OK) {
        json_decref(b);
        return rc;
    }
    struct quiz_question_in in = {.card_id = card_id, .question = api_str(b, "question"), .right = -1};
    json_t *ans = json_object_get(b, "answers"), *r = json_object_get(b, "right");
    in.n_answers = json_array_size(ans);
    for (size_t i = 0; i < 3 && i < in.n_answers; i++) {
        in.answers[i] = json_string_value(json_array_get(ans, i));
        if (!in.answers[i]) errors_add(&a->err, "answers", "must be three strings");
    }
    if (json_is_integer(r) && json_integer_value(r) >= 0 && json_integer_value(r) <= 2) in.right = (int)json_integer_value(r);
    int64_t id = 0;
    rc = a->err.n ? TD_E_INVALID : quiz_question_create(&a->d, &in, &a->err, &id);
    json_t *o = NULL;
    if (rc == TD_OK) {
        struct quiz_question q = {.id = id, .card_id = card_id, .right = in.right};
        if (domain_copy(q.question, sizeof q.question, in.question) != TD_OK) rc = TD_E_INTERNAL;
        for (int i = 0; rc == TD_OK && i < 3; i++)
            if (domain_copy(q.answers[i], sizeof q.answers[i], in.answers[i]) != TD_OK) rc = TD_E_INTERNAL;
        if (rc == TD_OK) o = question_json(&q);
    }
    json_decref(b);
    return rc == TD_OK ? api_reply_json(a, 201, o) : rc;
}

int api_cards_questions_list(struct api_call *a)
{
    int64_t card_id;
    int rc = api_param_id(a, 0, &card_id);
    if (rc != TD_OK) return rc;
    struct value_card v;
    if ((rc = cards_get(&a->d, card_id, &v)) != TD_OK) return rc;
    json_t *items = json_array();
    return api_reply_items(a, quiz_questions_of(&a->d, card_id, add_question, items), items, NULL);
}

int api_quiz_get(struct api_call *a)
{
    json_t *items = json_array();
    return api_reply_items(a, quiz_next(&a->d, add_question, items), items, NULL);
}

int api_quiz_answer(struct api_call *a)
{
    static const struct api_field fields[] = {{"question_id", AT_INT, 1, 0}, {"choice", AT_INT, 1, 0}, {0}};
    json_t *b = NULL;
    int rc = api_body_valid(a, fields, &b);
    if (rc != TD_OK) return rc;
    int64_t qid = (int64_t)json_integer_value(json_object_get(b, "question_id"));
    json_int_t choice = json_integer_value(json_object_get(b, "choice"));
    json_decref(b);
    bool correct = false;
    int right = 0;
    rc = quiz_answer(&a->d, qid, choice < 0 || choice > 2 ? -1 : (int)choice, &a->err, &correct, &right);
    if (rc == TD_E_NOT_FOUND) {
        errors_add(&a->err, "question_id", "is no quiz question");
        rc = TD_E_INVALID;
    }
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:I,s:b,s:i}", "question_id", (json_int_t)qid, "correct", correct,
                                            "right", right));
}

int api_staff_knowledge(struct api_call *a)
{
    struct staff s;
    int rc = staff_get_by_login(&a->d, a->r->params[0], &s);
    if (rc != TD_OK) return rc;
    bool self = s.id == a->me.id, manager = a->me.role == ROLE_MANAGER && s.store_id == a->me.store_id;
    if (!self && !manager && a->me.role != ROLE_ADMIN) {
        errors_set_message(&a->err, "a knowledge score is for the person and their manager");
        return TD_E_FORBIDDEN;
    }
    struct quiz_score q;
    if ((rc = quiz_score_of(&a->d, s.id, &q)) != TD_OK) return rc;
    json_t *pct = q.answered ? json_integer((q.correct * 100 + q.answered / 2) / q.answered) : json_null();
    return api_reply_json(a, 200, json_pack("{s:s,s:I,s:I,s:I,s:o}", "login", s.login, "questions",
                                            (json_int_t)q.questions, "answered", (json_int_t)q.answered, "correct",
                                            (json_int_t)q.correct, "score_percent", pct));
}

/* ---- the card of a case -------------------------------------------------- */

int api_cases_value_card(struct api_call *a)
{
    static const struct api_field fields[] = {{"card_id", AT_INT, 1, 0}, {"outcome", AT_STRING, 1, 32}, {0}};
    int64_t case_id;
    json_t *b = NULL;
    int rc = api_id_body(a, fields, &case_id, &b);
    if (rc != TD_OK) return rc;
    int64_t card_id = (int64_t)json_integer_value(json_object_get(b, "card_id"));
    int outcome = 0;
    if (!a->err.n) TD_BEST_EFFORT(enum_map_read(&cards_outcome_map, api_str(b, "outcome"), "outcome", &a->err, &outcome));
    json_decref(b);
    if (a->err.n) return TD_E_INVALID;
    rc = cards_record_case(&a->d, case_id, card_id, (enum cards_outcome)outcome, &a->err);
    if (rc != TD_OK) return rc;
    return api_reply_json(a, 200, json_pack("{s:I,s:I,s:s}", "case_id", (json_int_t)case_id, "card_id",
                                            (json_int_t)card_id, "outcome", enum_map_name(&cards_outcome_map, outcome)));
}
