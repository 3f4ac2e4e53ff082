/* quiz.c — quizzes drawn from the value cards (see quiz.h). */
#include "domain/quiz.h"
#include "db/db.h"
#include "domain/cards.h"
#include <stdio.h>
#include <string.h>

#define Q_COLS "q.id, q.card_id, q.question, q.answer_0, q.answer_1, q.answer_2, q.right_answer"

static int read_question(struct db_stmt *st, bool with_right, struct quiz_question *q)
{
    memset(q, 0, sizeof *q);
    q->id = db_col_int64(st, 0);
    q->card_id = db_col_int64(st, 1);
    if (domain_copy(q->question, sizeof q->question, db_col_text(st, 2)) != TD_OK) return TD_E_INTERNAL;
    for (int i = 0; i < 3; i++)
        if (domain_copy(q->answers[i], sizeof q->answers[i], db_col_text(st, 3 + i)) != TD_OK) return TD_E_INTERNAL;
    q->right = with_right ? (int)db_col_int64(st, 6) : -1;     /* invariant 1 */
    return TD_OK;
}

int quiz_question_create(struct dctx *c, const struct quiz_question_in *in, struct errors *err, int64_t *id)
{
    struct value_card v;
    int rc = cards_get(c, in->card_id, &v);
    if (rc == TD_E_NOT_FOUND) errors_add(err, "card_id", "is no value card");
    else if (rc != TD_OK) return rc;
    errors_check_text(err, "question", in->question, QUIZ_TEXT_MAX, 1);
    if (in->n_answers != 3) errors_add(err, "answers", "must be exactly three answers");
    for (size_t i = 0; i < 3 && i < in->n_answers; i++) {
        char field[24];
        snprintf(field, sizeof field, "answers[%zu]", i);
        errors_check_text(err, field, in->answers[i], QUIZ_TEXT_MAX, 1);
    }
    if (in->right < 0 || in->right > 2) errors_add(err, "right", "must be 0, 1 or 2: the index of the right answer");
    if (err->n) return TD_E_INVALID;
    rc = db_get_int64(c->db,
                      "INSERT INTO quiz_questions (card_id, question, answer_0, answer_1, answer_2, right_answer,"
                      " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      id, "ittttini", in->card_id, in->question, in->answers[0], in->answers[1], in->answers[2],
                      (int64_t)in->right, c->actor.staff_id, c->now_us);
    return rc;
}

int quiz_questions_of(struct dctx *c, int64_t card_id, int (*fn)(void *arg, const struct quiz_question *q), void *arg)
{
    struct db_stmt *st;
    struct quiz_question q;
    int rc = db_query(c->db, "SELECT " Q_COLS " FROM quiz_questions q WHERE q.card_id = ? ORDER BY q.id", &st, "i",
                      card_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_question(st, true, &q)) == TD_OK) rc = fn(arg, &q);
    return db_end(st, rc);
}

int quiz_next(struct dctx *c, int (*fn)(void *arg, const struct quiz_question *q), void *arg)
{
    struct db_stmt *st;
    struct quiz_question q;
    /* Unanswered first, then those answered wrong; oldest first. */
    int rc = db_query(c->db,
                      "SELECT " Q_COLS " FROM quiz_questions q JOIN value_cards v ON v.id = q.card_id"
                      " LEFT JOIN quiz_answers a ON a.question_id = q.id AND a.staff_id = ?"
                      " WHERE" CARDS_SHOWN_SQL " AND (a.correct IS NULL OR a.correct = 0)"
                      " ORDER BY CASE WHEN a.correct IS NULL THEN 0 ELSE 1 END, q.id LIMIT ?",
                      &st, "iii", c->actor.staff_id, c->now_us, (int64_t)QUIZ_SIZE);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_question(st, false, &q)) == TD_OK) rc = fn(arg, &q);
    return db_end(st, rc);
}

int quiz_answer(struct dctx *c, int64_t question_id, int choice, struct errors *err, bool *correct, int *right)
{
    if (choice < 0 || choice > 2) {
        errors_add(err, "choice", "must be 0, 1 or 2");
        return TD_E_INVALID;
    }
    int64_t r;
    int rc = db_get_int64(c->db, "SELECT right_answer FROM quiz_questions WHERE id = ?", &r, "i", question_id);
    if (rc != TD_OK) return rc;
    *right = (int)r;
    *correct = choice == *right;
    return db_run(c->db,
                  "INSERT INTO quiz_answers (staff_id, question_id, choice, correct, at) VALUES (?, ?, ?, ?, ?)"
                  " ON CONFLICT (staff_id, question_id) DO UPDATE SET choice = excluded.choice,"
                  " correct = excluded.correct, at = excluded.at",
                  NULL, "iiiii", c->actor.staff_id, question_id, (int64_t)choice, (int64_t)*correct, c->now_us);
}

int quiz_score_of(struct dctx *c, int64_t staff_id, struct quiz_score *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT COUNT(*), COUNT(a.question_id), COALESCE(SUM(a.correct), 0) FROM quiz_questions q"
                        " JOIN value_cards v ON v.id = q.card_id"
                        " LEFT JOIN quiz_answers a ON a.question_id = q.id AND a.staff_id = ? WHERE" CARDS_SHOWN_SQL,
                        &st, "ii", staff_id, c->now_us);
    if (rc == TD_OK) {
        out->questions = db_col_int64(st, 0);
        out->answered = db_col_int64(st, 1);
        out->correct = db_col_int64(st, 2);
    }
    db_done(st);
    return rc;
}

int quiz_scores_each(struct dctx *c, int64_t *questions,
                     int (*fn)(void *arg, int64_t staff_id, int64_t answered, int64_t correct), void *arg)
{
    struct db_stmt *st;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM quiz_questions q JOIN value_cards v ON v.id = q.card_id WHERE"
                          CARDS_SHOWN_SQL, questions, "i", c->now_us);
    if (rc != TD_OK) return rc;
    rc = db_query(c->db,
                  "SELECT a.staff_id, COUNT(*), COALESCE(SUM(a.correct), 0) FROM quiz_answers a"
                  " JOIN quiz_questions q ON q.id = a.question_id JOIN value_cards v ON v.id = q.card_id"
                  " WHERE" CARDS_SHOWN_SQL " GROUP BY a.staff_id",
                  &st, "i", c->now_us);
    while (db_next(st, &rc)) rc = fn(arg, db_col_int64(st, 0), db_col_int64(st, 1), db_col_int64(st, 2));
    return db_end(st, rc);
}
