/* clienteling_mail.c — the associate's personal mail and the unsubscribe
 * link (see clienteling_mail.h). */
#include "domain/clienteling_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/errors.h"
#include "core/status.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/clienteling_outreach.h"
#include "domain/customer.h"
#include "mail/mail.h"

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

void cl_mail_site_from_env(struct cl_mail_site *out)
{
    out->base_url = env_or("TRUSTDESK_PUBLIC_URL", "http://127.0.0.1:8080");
    out->from = env_or("TRUSTDESK_MAIL_FROM", "service@trustdesk.invalid");
    out->shop_name = env_or("TRUSTDESK_SHOP_NAME", "trustdesk");
}

/* The words of the mail, per language. */
struct words {
    const char *subject, *dear, *intro, *item, *hold, *sign, *unsub;
};
static const struct words nl = {
    "Nieuw binnen: %s",
    "Beste %s,",
    "De collectie \"%s\" is net binnengekomen in onze winkel, en ik dacht meteen aan u. "
    "U heeft de eerste keus; dit past bij u:",
    "- %s (%s, maat %s) voor € %lld,%02lld",
    "Zal ik iets voor u apart leggen? Beantwoord deze mail of bel de winkel; ik houd het dan 48 uur voor u vast.",
    "Met vriendelijke groet,\n%s\n%s",
    "Wilt u deze berichten niet meer ontvangen? Afmelden: %s",
};
static const struct words en = {
    "Just arrived: %s",
    "Dear %s,",
    "The \"%s\" collection has just arrived in our store, and I thought of you straight away. "
    "You have first choice; this would suit you:",
    "- %s (%s, size %s) for €%lld.%02lld",
    "Shall I put something aside for you? Reply to this mail or call the store; I will hold it for 48 hours.",
    "Kind regards,\n%s\n%s",
    "Rather not receive these messages? Unsubscribe: %s",
};

struct items_ctx {
    struct buf *b;
    const struct words *w;
    int n;
};

static int add_item(void *arg, const struct cl_script_item *it)
{
    struct items_ctx *x = arg;
    if (x->n >= 5)
        return TD_OK;
    x->n++;
    char line[600];
    snprintf(line, sizeof line, x->w->item, it->name, it->colour && *it->colour ? it->colour : it->brand, it->size,
             (long long)(it->price_cents / 100), (long long)(it->price_cents % 100));
    int rc = buf_puts(x->b, line);
    return rc == TD_OK ? buf_puts(x->b, "\n") : rc;
}

static int new_unsubscribe_link(struct dctx *c, const struct cl_mail_site *site, int64_t customer_id, char *url,
                                size_t n)
{
    char token[TOKEN_HEX_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token);
    token_hash(token, hash);
    int rc = db_run(c->db, "INSERT INTO unsubscribe_tokens (token_hash, customer_id, created_at) VALUES (?, ?, ?)",
                    NULL, "tii", hash, customer_id, c->now_us);
    if (rc == TD_OK)
        snprintf(url, n, "%s/api/v1/unsubscribe/%s", site->base_url, token);
    return rc;
}

int cl_task_mail(struct dctx *c, const struct cl_rules *r, const struct cl_mail_site *site, int64_t task_id,
                 struct errors *err, char *message_id)
{
    struct cl_task t;
    int rc = cl_task_get(c, task_id, "en", &t);
    if (rc != TD_OK)
        return rc;
    if (!t.email[0]) {
        errors_add(err, "channel", "the customer has no e-mail address");
        return TD_E_CONFLICT;
    }
    char lang[3] = "nl", staff_name[NAME_SZ] = "";
    struct db_stmt *st = NULL;
    if ((rc = db_get_row(c->db, "SELECT lang FROM customers WHERE id = ?", &st, "i", t.customer_id)) != TD_OK)
        return rc;
    text_copy_cut(lang, sizeof lang, db_col_text(st, 0));
    db_done(st);
    int64_t signer = c->actor.staff_id ? c->actor.staff_id : t.staff_id;
    rc = db_get_row(c->db, "SELECT name FROM staff WHERE id = ?", &st, "i", signer);
    if (rc == TD_OK) {
        text_copy_cut(staff_name, sizeof staff_name, db_col_text(st, 0));
        db_done(st);
    } else if (rc != TD_E_NOT_FOUND) {
        return rc;
    }
    /* The checks and the outcome first: a refusal writes nothing. */
    if ((rc = cl_task_outcome(c, r, task_id, CL_OUTCOME_MAILED, err)) != TD_OK)
        return rc;

    const struct words *w = strcmp(lang, "en") == 0 ? &en : &nl;
    char url[600], subject[300], line[1200];
    if ((rc = new_unsubscribe_link(c, site, t.customer_id, url, sizeof url)) != TD_OK)
        return rc;
    struct buf body;
    buf_init(&body, 64 << 10);
    snprintf(line, sizeof line, w->dear, t.customer_name[0] ? t.customer_name : "");
    rc = buf_puts(&body, line);
    snprintf(line, sizeof line, "\n\n%s\n\n", w->intro);
    char intro[1200];
    snprintf(intro, sizeof intro, line, t.collection);
    if (rc == TD_OK) rc = buf_puts(&body, intro);
    struct items_ctx x = {.b = &body, .w = w};
    if (rc == TD_OK) rc = cl_task_items_each(c, &t, add_item, &x);
    snprintf(line, sizeof line, "\n%s\n\n", w->hold);
    if (rc == TD_OK) rc = buf_puts(&body, line);
    snprintf(line, sizeof line, w->sign, staff_name[0] ? staff_name : site->shop_name, site->shop_name);
    if (rc == TD_OK) rc = buf_puts(&body, line);
    snprintf(line, sizeof line, "\n\n--\n%s\n", w->unsub);
    char unsub[1200];
    snprintf(unsub, sizeof unsub, line, url);
    if (rc == TD_OK) rc = buf_puts(&body, unsub);
    snprintf(subject, sizeof subject, w->subject, t.collection);
    if (rc == TD_OK) {
        struct mail_msg m = {
            .customer_id = t.customer_id,
            .kind = MAIL_MARKETING,
            .to = t.email,
            .from = site->from,
            .from_name = staff_name[0] ? staff_name : site->shop_name,
            .subject = subject,
            .text = body.data,
            .lang = w == &en ? "en" : "nl",
            .unsubscribe_url = url,
        };
        char id[MAIL_ID_SZ];
        rc = mail_enqueue(c->db, c->now_us, &m, err, id);
        if (rc == TD_OK && message_id)
            memcpy(message_id, id, sizeof id);
    }
    buf_free(&body);
    return rc;
}

int cl_unsubscribe_lookup(struct dctx *c, const char *token, int64_t *customer_id, char lang[3])
{
    *customer_id = 0;
    lang[0] = '\0';
    if (!token || strlen(token) != TOKEN_HEX_LEN)
        return TD_E_NOT_FOUND;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(token, hash);
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db,
                        "SELECT u.customer_id, c.lang FROM unsubscribe_tokens u JOIN customers c ON c.id = u.customer_id"
                        " WHERE u.token_hash = ? AND c.erased_at IS NULL",
                        &st, "t", hash);
    if (rc != TD_OK)
        return rc;
    *customer_id = db_col_int64(st, 0);
    text_copy_cut(lang, 3, db_col_text(st, 1));
    db_done(st);
    return TD_OK;
}

int cl_unsubscribe(struct dctx *c, const char *token)
{
    int64_t customer_id;
    char lang[3];
    int rc = cl_unsubscribe_lookup(c, token, &customer_id, lang);
    if (rc != TD_OK)
        return rc;
    struct customer cu;
    if ((rc = customer_get(c, customer_id, &cu)) != TD_OK)
        return rc;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(token, hash);
    rc = db_run(c->db, "UPDATE unsubscribe_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", NULL,
                "it", c->now_us, hash);
    if (rc != TD_OK || !cu.email_marketing.given)
        return rc;
    struct errors err;
    errors_init(&err);
    struct customer_input in = {.set = CF_EMAIL_CONSENT,
                                .email_marketing = {.given = 0, .source = "unsubscribe link"}};
    return customer_update(c, customer_id, &in, 0, &err);
}
