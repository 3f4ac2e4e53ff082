/* sender.c — delivering the outbox through SMTP with libcurl, and the
 * sender thread.
 *
 * One message at a time: claim it (its own transaction), render it, hand it
 * to the SMTP server outside any transaction, then mark it sent (another
 * transaction) once the server answered 250 to the end of DATA — or set it
 * back by the back-off with the server's answer as last_error. A server that
 * is down, slow or refuses costs no message: the message waits and is tried
 * again, until max_attempts, after which it stays in the outbox as failed
 * (logged). A crash between the server's 250 and the mark leaves the claim
 * to run out, and the message is sent again with its Message-ID (docs/mail.md).
 *
 * The sender runs on a thread of its own, not as a row of api/jobs.def: one
 * SMTP conversation may wait on the network for up to timeout_s, which must
 * not hold up the housekeeping, and mail wants a shorter interval than it.
 */
#include "mail/mail_int.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_ticker.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mail_config_from_env(struct mail_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->lease_us = 10LL * 60 * 1000000;           /* well beyond timeout_s */
    cfg->backoff_us = 60LL * 1000000;              /* 1, 2, 4, ... minutes */
    cfg->backoff_max_us = 6LL * 3600 * 1000000;    /* at most 6 hours apart */
    cfg->max_attempts = 12;                        /* about a day and a half */
    cfg->timeout_s = 120;
    const char *v;
    if ((v = getenv("TRUSTDESK_SMTP_URL"))) snprintf(cfg->url, sizeof cfg->url, "%s", v);
    if ((v = getenv("TRUSTDESK_SMTP_USER"))) snprintf(cfg->user, sizeof cfg->user, "%s", v);
    if ((v = getenv("TRUSTDESK_SMTP_PASSWORD"))) snprintf(cfg->password, sizeof cfg->password, "%s", v);
}

/* ---- one SMTP conversation -------------------------------------------------- */

struct upload { const char *data; size_t len, done; };

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb, left = u->len - u->done;
    if (n > left) n = left;
    memcpy(ptr, u->data + u->done, n);
    u->done += n;
    return n;
}

/* Sends text from `from` to `to`; TD_OK once the server accepted it, else
 * TD_E_UNAVAILABLE with the reason in why. "?starttls" at the end of an
 * smtp:// URL requires STARTTLS; smtps:// is TLS from the start; a plain
 * smtp:// URL upgrades when the server offers STARTTLS. */
static int smtp_send(const struct mail_config *cfg, const char *from, const char *to, const char *text, size_t len,
                     char *why, size_t why_sz)
{
    char url[MAIL_URL_MAX], envelope_from[MAIL_ADDR_MAX + 3], envelope_to[MAIL_ADDR_MAX + 3];
    snprintf(url, sizeof url, "%s", cfg->url);
    long tls = CURLUSESSL_TRY;
    char *q = strstr(url, "?starttls");
    if (q && q[9] == '\0') {
        *q = '\0';
        tls = CURLUSESSL_ALL;
    }
    snprintf(envelope_from, sizeof envelope_from, "<%s>", from);
    snprintf(envelope_to, sizeof envelope_to, "<%s>", to);
    struct upload up = {text, len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *rcpt = NULL;
    CURL *h = curl_easy_init();
    if (!h || !(rcpt = curl_slist_append(NULL, envelope_to))) {
        curl_easy_cleanup(h);
        snprintf(why, why_sz, "out of memory");
        return TD_E_NOMEM;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USE_SSL, tls);
    if (cfg->user[0]) curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
    if (cfg->password[0]) curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, cfg->timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode res = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (res == CURLE_OK) return TD_OK;
    if (code) snprintf(why, why_sz, "SMTP %ld: %s", code, errbuf[0] ? errbuf : curl_easy_strerror(res));
    else snprintf(why, why_sz, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
    return TD_E_UNAVAILABLE;
}

/* ---- a round ---------------------------------------------------------------- */

/* Sends the claimed message id; TD_OK whatever the SMTP server said, a status
 * when the database failed. */
static int send_one(struct db *db, const struct mail_config *cfg, int64_t id, int64_t now_us, struct mail_round *out)
{
    struct mail__row row;
    char *text = NULL, why[CURL_ERROR_SIZE + 64] = "";
    size_t len = 0;
    int rc = mail__row_get(db, id, &row);
    if (rc == TD_E_NOT_FOUND) return TD_OK;   /* erased since the claim */
    if (rc != TD_OK) return rc;
    if ((rc = mail_render(db, id, &text, &len)) != TD_OK) goto out;
    if (smtp_send(cfg, row.from, row.to, text, len, why, sizeof why) == TD_OK) {
        /* If this fails the claim runs out and the message goes again. */
        if ((rc = mail__mark_sent(db, id, now_us)) == TD_OK) out->sent++;
        goto out;
    }
    int given_up = 0;
    if ((rc = mail__mark_failed(db, cfg, id, now_us, why, &given_up)) != TD_OK) goto out;
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)row.attempts);
    if (given_up) {
        out->given_up++;
        log_msg(LOG_WARN, "mail given up", "message_id", row.message_id, "attempts", n, "error", why, NULL);
    } else {
        out->failed_for_now++;
        log_msg(LOG_INFO, "mail not sent, will retry", "message_id", row.message_id, "attempts", n, "error", why, NULL);
    }
out:
    free(text);
    mail__row_free(&row);
    return rc;
}

int mail_send_due(struct db *db, const struct mail_config *cfg, int64_t now_us, int limit, struct mail_round *out)
{
    memset(out, 0, sizeof *out);
    if (!cfg->url[0]) return TD_OK;
    int rc = TD_OK;
    for (int i = 0; i < limit && rc == TD_OK; i++) {
        int64_t id = 0;
        if ((rc = mail_claim(db, cfg, now_us, &id)) != TD_OK || !id) break;
        rc = send_one(db, cfg, id, now_us, out);
    }
    return rc;
}

/* ---- the thread ------------------------------------------------------------- */

#define ROUND_LIMIT 200               /* messages per round; the rest wait for the next */

static void tick(struct db *db, void *state)
{
    const struct mail_config *cfg = state;
    struct mail_round r;
    int rc = mail_send_due(db, cfg, clock_now_us(NULL), ROUND_LIMIT, &r);
    if (rc != TD_OK) log_msg(LOG_WARN, "mail round failed", "status", td_status_code(rc), NULL);
}

int mail_sender_start(const char *db_url, const struct mail_config *cfg, int interval_s, struct db_ticker **out)
{
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return TD_E_INTERNAL;
    return db_ticker_start(db_url, interval_s > 0 ? interval_s : 5, tick, cfg, sizeof *cfg, out);
}
