/* mail_int.h — what outbox.c and sender.c share; not for use outside
 * src/mail/. */
#ifndef TD_MAIL_INT_H
#define TD_MAIL_INT_H
#include "mail/mail.h"

/* An outbox row as the sender needs it (owned strings; mail__row_free). */
struct mail__row {
    int64_t id, attempts;
    char *from, *to, *message_id;
};
int mail__row_get(struct db *db, int64_t id, struct mail__row *out /* OUT */) TD_MUST_CHECK;
void mail__row_free(struct mail__row *r);

/* After a send, each in a transaction of its own: the server accepted the
 * message; or it did not (why: one line), and the message is due again after
 * the back-off, or failed when this was the last attempt allowed (*given_up). */
int mail__mark_sent(struct db *db, int64_t id, int64_t now_us) TD_MUST_CHECK;
int mail__mark_failed(struct db *db, const struct mail_config *cfg, int64_t id, int64_t now_us, const char *why,
                      int *given_up /* OUT */) TD_MUST_CHECK;

#endif
