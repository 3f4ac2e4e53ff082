/* mail.h — the transactional outbox and its SMTP sender (docs/mail.md).
 *
 * A message is enqueued in the caller's write transaction, with the change it
 * tells of: it is sent exactly when that change commits. The sender claims a
 * due message in a transaction of its own, sends it through SMTP (libcurl)
 * outside any transaction, and marks it sent in another once the server
 * accepted it; a failure moves it back by an exponential back-off.
 *
 *   due --mail_claim--> claimed --send ok--> sent           [mail_mark_sent]
 *                               --send failed--> due later  [mail_mark_failed]
 *                               --last attempt failed--> failed
 *   claimed --lease runs out (crash mid-send)--> due again: sent at least
 *                                                once, one Message-ID
 */
#ifndef TD_MAIL_H
#define TD_MAIL_H
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

struct db;
struct errors;

#define MAIL_ID_SZ 300                /* a Message-ID with its <>, and NUL */
#define MAIL_ADDR_MAX 254
#define MAIL_SUBJECT_MAX 250          /* characters */
#define MAIL_BODY_MAX (256u << 10)    /* bytes of each body */
#define MAIL_URL_MAX 1000

enum mail_kind { MAIL_TRANSACTIONAL, MAIL_MARKETING };

/* A message to enqueue; the strings are the caller's, copied by the call. */
struct mail_msg {
    int64_t customer_id;              /* the customer it is for, 0 for none (staff) */
    enum mail_kind kind;
    const char *to;                   /* one address: a@b.example */
    const char *from;                 /* the sender's address */
    const char *from_name;            /* or NULL: "Het Warenhuis" */
    const char *subject;              /* UTF-8, one line */
    const char *text;                 /* the plain-text body, UTF-8 */
    const char *html;                 /* or NULL: an HTML alternative */
    const char *lang;                 /* "nl", "en": Content-Language */
    const char *unsubscribe_url;      /* https://...; required for marketing, or NULL */
};

/* Checks m (every problem into err, by field) and writes it to the outbox,
 * due at now_us, inside the CALLER's transaction; *message_id (or NULL) gets
 * the Message-ID generated for it, stable across every attempt. TD_E_INVALID
 * when m has problems. */
int mail_enqueue(struct db *db, int64_t now_us, const struct mail_msg *m, struct errors *err,
                 char message_id[MAIL_ID_SZ] /* OUT, may be NULL */) TD_MUST_CHECK;

/* Deletes every outbox row of the customer, sent or not, inside the caller's
 * transaction (customer erasure). */
int mail_forget_customer(struct db *db, int64_t customer_id) TD_MUST_CHECK;

/* Where and how the sender delivers. */
struct mail_config {
    char url[MAIL_URL_MAX];           /* smtp://host:port, smtps://host:port, smtp://...?starttls; "" sends nothing */
    char user[256], password[256];    /* "" for none (or in the URL) */
    int64_t lease_us;                 /* a claim lasts this long; longer than one send can take */
    int64_t backoff_us;               /* the wait after the first failure; doubles after each */
    int64_t backoff_max_us;
    int max_attempts;                 /* then the message is marked failed */
    long timeout_s;                   /* one SMTP conversation at most */
};

/* Defaults, then TRUSTDESK_SMTP_URL, TRUSTDESK_SMTP_USER, TRUSTDESK_SMTP_PASSWORD. */
void mail_config_from_env(struct mail_config *cfg /* OUT */);

/* Claims the oldest due message (a transaction of its own): its attempt is
 * counted and it is not due again until the lease has run out, so no other
 * sender takes it meanwhile. *id is 0 when none is due. */
int mail_claim(struct db *db, const struct mail_config *cfg, int64_t now_us, int64_t *id /* OUT */) TD_MUST_CHECK;

/* What one mail_send_due did. */
struct mail_round {
    int sent, failed_for_now, given_up;
};

/* Sends up to limit due messages, one at a time: claim, send, mark. A
 * message that fails is set back (or given up) and the next one is tried.
 * A status only when the database failed. */
int mail_send_due(struct db *db, const struct mail_config *cfg, int64_t now_us, int limit,
                  struct mail_round *out /* OUT */) TD_MUST_CHECK;

/* The message of outbox row id as it goes over SMTP (RFC 5322 headers and a
 * MIME body), into *text (malloc'd; the caller frees). For the sender and
 * the tests. */
int mail_render(struct db *db, int64_t id, char **text /* OUT */, size_t *len /* OUT */) TD_MUST_CHECK;

/* The sender thread: mail_send_due every interval_s on a connection of its
 * own to db_url, until db_ticker_stop. */
struct db_ticker;
int mail_sender_start(const char *db_url, const struct mail_config *cfg, int interval_s,
                      struct db_ticker **out /* OUT */) TD_MUST_CHECK;

#endif
