/* followup.h — the closed loop: an unhappy answer reaches the manager who
 * can put it right (docs/feedback.md).
 *
 *   answer 0-6 --> open --contact--> contacted --close--> closed
 *                   ^                                       |
 *                   +------ unhappy answer after recovery --+  (reopened)
 *
 * followup_answer() records a survey answer (survey.h) and, for a score of
 * 6 or lower, opens the case's follow-up, due 48 hours later (the clock
 * runs through weekends), for the store's managers (assignee NULL) or
 * whoever it is assigned to. One follow-up per case: a changed answer
 * within the day alerts no one twice. Closing needs a root cause (the
 * built-in list and the chain's own) and what was done; the recovery (a
 * call, a credit note through the ledger, a repair) is recorded, and the
 * customer is asked again (the next round); an unhappy answer to that
 * reopens the follow-up.
 */
#ifndef TD_FOLLOWUP_H
#define TD_FOLLOWUP_H
#include <stdint.h>
#include "core/enum_map.h"
#include "domain/domain.h"
#include "domain/survey.h"

struct errors;

#define FOLLOWUP_DUE_US (48LL * 3600 * 1000000)
#define FOLLOWUP_UNHAPPY_MAX 6                     /* a score of 6 or lower opens one */
#define FOLLOWUP_TEXT_MAX 2000

#define FOLLOWUP_RECOVERY_MAP(X)                                                                                       \
    X(FOLLOWUP_CALL, 1, "call")                                                                                        \
    X(FOLLOWUP_CREDIT_NOTE, 2, "credit_note")                                                                          \
    X(FOLLOWUP_REPAIR, 3, "repair")                                                                                    \
    X(FOLLOWUP_NONE, 4, "none")
enum followup_recovery { FOLLOWUP_RECOVERY_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map followup_recovery_map;

struct followup {
    int64_t id, case_id, survey_id, store_id, customer_id, assignee_id;
    char store_code[CODE_SZ], case_kind[32], status[16];
    char customer_name[NAME_SZ], assignee_login[LOGIN_SZ];
    int64_t opened_at, due_at, first_contact_at, closed_at;
    char root_cause[40], recovery[16];
    char action[FOLLOWUP_TEXT_MAX * 4 + 1];
    int64_t credit_note_id, reopened;
    int score, round;                              /* the answer that opened (or reopened) it */
    char comment[SURVEY_COMMENT_SZ];
};

/* survey_answer() and, when the score is 6 or lower, the follow-up opened
 * or reopened (*followup_id, 0 when none was opened by this answer). */
int followup_answer(struct dctx *c, const char *token, int score, const char *comment, struct errors *err,
                    struct survey *out /* OUT */, int64_t *followup_id /* OUT */) TD_MUST_CHECK;

int followup_get(struct dctx *c, int64_t id, struct followup *out /* OUT */) TD_MUST_CHECK;
/* A store's follow-ups (store_id 0: every store), those not closed first by
 * due time, then the closed ones newest first; status NULL for all, else
 * "open" (open or contacted) or "closed". */
int followup_each(struct dctx *c, int64_t store_id, const char *status, int limit,
                  int (*fn)(void *arg, const struct followup *f), void *arg) TD_MUST_CHECK;
/* The follow-ups of one customer's cases (the GDPR export). */
int followup_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct followup *f),
                              void *arg) TD_MUST_CHECK;
/* Assigns it to staff of its store (0: back to the store's managers). */
int followup_assign(struct dctx *c, int64_t id, int64_t staff_id, struct errors *err) TD_MUST_CHECK;
/* The customer was reached (or tried): the first one sets the time to
 * first contact. */
int followup_contact(struct dctx *c, int64_t id, const char *note, struct errors *err) TD_MUST_CHECK;

struct followup_close {
    const char *root_cause;                        /* a code of followup_root_causes_each */
    const char *action;                            /* what was done, required */
    enum followup_recovery recovery;
    int64_t credit_note_id;                        /* FOLLOWUP_CREDIT_NOTE: a note of this case */
};
/* Closes it and asks the customer again (*survey_id: the new survey, 0 when
 * the customer can no longer be asked). */
int followup_close(struct dctx *c, int64_t id, const struct followup_close *in, struct errors *err,
                   int64_t *survey_id /* OUT */) TD_MUST_CHECK;

/* The follow-up's history: opened, assigned, contacted, closed, reopened. */
struct followup_event {
    int64_t at, staff_id;
    const char *action, *note;
};
int followup_events_each(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct followup_event *e),
                         void *arg) TD_MUST_CHECK;

/* The root causes: the built-in ones, then the chain's own. */
struct root_cause {
    const char *code, *nl, *en;
    int builtin;
};
int followup_root_causes_each(struct dctx *c, int (*fn)(void *arg, const struct root_cause *r), void *arg) TD_MUST_CHECK;
int followup_root_cause_add(struct dctx *c, const char *code, const char *nl, const char *en,
                            struct errors *err) TD_MUST_CHECK;

/* Time to first contact and to close per store, for follow-ups opened in
 * [since, now). */
struct followup_stats {
    int64_t store_id;
    const char *store_code;
    int64_t opened, contacted, closed, open_overdue;
    int64_t contacted_24h, contacted_48h, closed_48h;
    double median_contact_h, median_close_h;       /* -1: none yet */
};
int followup_stats_each(struct dctx *c, int64_t store_id, int64_t since,
                        int (*fn)(void *arg, const struct followup_stats *s), void *arg) TD_MUST_CHECK;

/* Erasure: the customer's surveys, follow-ups and their history. */
int feedback_customer_erase(struct dctx *c, int64_t customer_id) TD_MUST_CHECK;

#endif
