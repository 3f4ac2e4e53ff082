/* quiz.h — short quizzes drawn from the value cards, for associates, and
 * the knowledge score that coaching uses.
 *
 * A question belongs to one card: its text, three answers and the right
 * one. An associate is asked the questions of the cards the desk shows now
 * (cards.h, invariant 1) that they have not yet answered right; their latest
 * answer to each question counts.
 *
 * Invariants:
 *  (1) a question handed out never carries its right answer (quiz_next);
 *  (2) the score is per person, for that person and their manager: there is
 *      no call that lists or orders people by score (no ranking).
 */
#ifndef TD_QUIZ_H
#define TD_QUIZ_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/domain.h"

#define QUIZ_TEXT_MAX 300            /* characters of a question or an answer */
#define QUIZ_SIZE 5                  /* questions in one quiz */

struct quiz_question {
    int64_t id, card_id;
    char question[QUIZ_TEXT_MAX * 4 + 1];
    char answers[3][QUIZ_TEXT_MAX * 4 + 1];
    int right;                       /* 0..2; -1 when handed out to be answered */
};

struct quiz_question_in {
    int64_t card_id;
    const char *question;
    const char *answers[3];          /* exactly three (n_answers says how many were sent) */
    size_t n_answers;
    int right;                       /* 0..2; -1: missing */
};

int quiz_question_create(struct dctx *c, const struct quiz_question_in *in, struct errors *err,
                         int64_t *id /* OUT */) TD_MUST_CHECK;
/* The questions of a card, with their right answers (for the editor). */
int quiz_questions_of(struct dctx *c, int64_t card_id, int (*fn)(void *arg, const struct quiz_question *q),
                      void *arg) TD_MUST_CHECK;
/* Up to QUIZ_SIZE questions for the acting staff member (right = -1). */
int quiz_next(struct dctx *c, int (*fn)(void *arg, const struct quiz_question *q), void *arg) TD_MUST_CHECK;
/* Records the acting staff member's answer (a later one replaces it);
 * *correct and *right say how it went. */
int quiz_answer(struct dctx *c, int64_t question_id, int choice, struct errors *err, bool *correct /* OUT */,
                int *right /* OUT */) TD_MUST_CHECK;

struct quiz_score {
    int64_t questions;               /* questions of the cards shown now */
    int64_t answered, correct;       /* of those, by this person */
};
int quiz_score_of(struct dctx *c, int64_t staff_id, struct quiz_score *out /* OUT */) TD_MUST_CHECK;
/* The same for everyone at once, in two statements: *questions (the
 * questions of the cards shown now), then fn for each staff member who
 * answered any of them (whoever fn is not called for answered none). */
int quiz_scores_each(struct dctx *c, int64_t *questions /* OUT */,
                     int (*fn)(void *arg, int64_t staff_id, int64_t answered, int64_t correct), void *arg) TD_MUST_CHECK;

#endif
