/* survey.h — the customer's one question after a case (docs/feedback.md).
 *
 * When a case is resolved (the RESOLVED event, events.def), survey_send()
 * writes a survey row and its mail to the outbox in the same transaction:
 * "How likely are you to recommend us to family or friends?" 0-10 and an
 * optional comment, in the customer's language, on a public page. Nothing
 * is sent for a walk-in, a customer without an e-mail address, one who
 * objected to profiling or was erased, or — for round 1 — one who was asked
 * within the last TRUSTDESK_SURVEY_DAYS (90). Each survey is counted in the
 * contact ledger as a transactional contact (it never counts to the cap).
 *
 * The link names the survey and its expiry and is signed (HMAC-SHA-512-256,
 * libsodium's crypto_auth, with a key derived from the database's identity
 * secret), so nothing secret is stored and every server checks it alike:
 *
 *   TOKEN = base64url(id[8] || expires_at[8] || mac[32])      (64 chars)
 *
 * One answer per survey; the answer may be changed within a day of the
 * first (the last one counts), never after.
 */
#ifndef TD_SURVEY_H
#define TD_SURVEY_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/domain.h"

struct errors;
struct event;

#define SURVEY_TOKEN_LEN 64
#define SURVEY_COMMENT_MAX 1000                    /* characters */
#define SURVEY_VALID_US (30LL * 86400 * 1000000)   /* a link works 30 days */
#define SURVEY_CHANGE_US (86400LL * 1000000)       /* an answer may change for a day */
#define SURVEY_COMMENT_SZ (SURVEY_COMMENT_MAX * 4 + 1)

struct survey {
    int64_t id, case_id, round, customer_id, store_id;
    char lang[3];
    char store_name[NAME_SZ];
    int64_t sent_at, expires_at;
    int score;                                     /* -1: not answered */
    char comment[SURVEY_COMMENT_SZ];
    int64_t first_answered_at, answered_at;
};

/* Reads TRUSTDESK_SURVEY_DAYS (0-365; 0 asks after every case): at most one
 * survey per customer in that many days. Once, before threads start;
 * TD_E_INVALID with *why naming it when out of range. */
int survey_settings_from_env(char *why, size_t n) TD_MUST_CHECK;

/* The subscriber of events.def: a resolved case's round-1 survey. */
int survey_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* Asks the case's customer (round 1 after resolving, later rounds after a
 * recovery; only round 1 is held back by the 90 days). *id gets the new
 * survey's id, or 0 when nobody is asked (see above). */
int survey_send(struct dctx *c, int64_t case_id, int round, int64_t *id /* OUT */) TD_MUST_CHECK;

/* The link of a case's first survey while it waits for its answer (for
 * the QR code on the case's credit note); TD_E_NOT_FOUND when there is
 * none, it was answered or expired, or the customer was erased. */
#define SURVEY_URL_SZ 600
int survey_link_of_case(struct dctx *c, int64_t case_id, char url[SURVEY_URL_SZ]) TD_MUST_CHECK;
/* The signed link's token of survey id, valid until expires_at. */
void survey_token(struct dctx *c, const unsigned char key[32], int64_t id, int64_t expires_at,
                  char out[SURVEY_TOKEN_LEN + 1]);
/* The survey id a token names, checked against key (pure): TD_E_NOT_FOUND
 * when it is not a token of that key (malformed or forged), TD_E_GONE when
 * it expired at or before now_us. */
int survey_token_read(const unsigned char key[32], const char *token, int64_t now_us,
                      int64_t *id /* OUT */) TD_MUST_CHECK;
/* The signing key (derived from the identity secret, made when missing). */
int survey_key(struct dctx *c, unsigned char key[32] /* OUT */) TD_MUST_CHECK;

/* The survey a link names: TD_OK, TD_E_NOT_FOUND for a forged or unknown
 * link (or an erased customer's), TD_E_GONE for an expired one. */
int survey_open(struct dctx *c, const char *token, struct survey *out /* OUT */) TD_MUST_CHECK;

/* Records the answer (score 0-10, comment optional) of the survey the link
 * names; problems by field ("score", "comment") with TD_E_INVALID, TD_E_GONE
 * for an expired link, TD_E_CONFLICT ("score") when answered more than a day
 * ago. *before gets the score the survey had (-1: this is its first answer).
 * *out is the survey after the answer. The answer is counted in the NPS
 * figures (nps_count_answer, nps.h) in the same transaction. */
int survey_answer(struct dctx *c, const char *token, int score, const char *comment, struct errors *err,
                  int *before /* OUT */, struct survey *out /* OUT */) TD_MUST_CHECK;

/* The customer's surveys, oldest first (for the GDPR export). */
int survey_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct survey *s),
                            void *arg) TD_MUST_CHECK;

#endif
