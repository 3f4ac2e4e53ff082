/* clienteling_mail.h — the associate's personal mail about a collection,
 * and the one-click unsubscribe link every such mail carries.
 *
 * cl_task_mail() writes the message to the outbox (mail/) in the caller's
 * transaction, with the task's outcome "mailed" and the contact it counts:
 * in the customer's language, signed by their associate, naming the items
 * that fit them. It is marketing: it needs e-mail consent and room under
 * the contact cap, and carries List-Unsubscribe with
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
 *
 * An unsubscribe link is https://SITE/api/v1/unsubscribe/TOKEN: a random
 * token whose hash is kept (unsubscribe_tokens). A GET shows a confirmation
 * page and changes nothing (mail scanners follow links); the POST
 * withdraws e-mail consent at once, recorded as a consent event.
 */
#ifndef TD_CLIENTELING_MAIL_H
#define TD_CLIENTELING_MAIL_H
#include <stdint.h>
#include "domain/clienteling_match.h"
#include "domain/domain.h"

struct errors;

/* Where the mail comes from and where its links point. */
struct cl_mail_site {
    const char *base_url;             /* "https://desk.example.nl" (no trailing slash) */
    const char *from;                 /* "service@example.nl" */
    const char *shop_name;            /* "Het Warenhuis" */
};

/* From TRUSTDESK_PUBLIC_URL, TRUSTDESK_MAIL_FROM and TRUSTDESK_SHOP_NAME,
 * with defaults for a desk on this machine. The strings live as long as
 * the process. */
void cl_mail_site_from_env(struct cl_mail_site *out /* OUT */);

/* Mails the customer of an open e-mail or phone task; *message_id (may be
 * NULL, MAIL_ID_SZ bytes) gets the outbox's Message-ID. TD_E_CONFLICT
 * naming the field without consent, without an address, over the cap or
 * when the task is not open. */
int cl_task_mail(struct dctx *c, const struct cl_rules *r, const struct cl_mail_site *site, int64_t task_id,
                 struct errors *err, char *message_id /* OUT */) TD_MUST_CHECK;

/* The customer and language an unsubscribe token names; TD_E_NOT_FOUND for
 * an unknown token (or one of an erased customer). */
int cl_unsubscribe_lookup(struct dctx *c, const char *token, int64_t *customer_id /* OUT */,
                          char lang[3] /* OUT */) TD_MUST_CHECK;
/* Withdraws e-mail consent for the token's customer (source "unsubscribe
 * link"); doing it twice is harmless. */
int cl_unsubscribe(struct dctx *c, const char *token) TD_MUST_CHECK;

#endif
