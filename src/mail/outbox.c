/* outbox.c — the outbox table (migration 0012): enqueueing, claiming and
 * marking messages, and rendering one as it goes over SMTP.
 *
 * Invariants:
 *  (1) a row is written only inside the caller's transaction (mail_enqueue),
 *      so a message exists exactly when the change it tells of committed;
 *  (2) a message's Message-ID is made once, at enqueue, and every attempt
 *      sends it unchanged: a receiver that sees it twice (after a crash
 *      mid-send) can tell;
 *  (3) a claim is a conditional UPDATE that moves next_attempt_at a lease
 *      ahead, so of two senders (two servers on one PostgreSQL) that pick
 *      the same row, the second updates nothing and takes none;
 *  (4) no header holds a CR or LF from a caller: every field is checked at
 *      enqueue, and non-ASCII text is sent RFC 2047-encoded.
 */
#include "mail/mail_int.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RENDER_MAX (2u * MAIL_BODY_MAX + 64u * 1024)   /* both bodies in base64, and headers */

/* ---- enqueue ---------------------------------------------------------------- */

static int has_line_break(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n') return 1;
    return 0;
}

static int ascii_only(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s > 0x7e) return 0;
    return 1;
}

static void check_address(struct errors *err, const char *field, const char *s)
{
    if (!s || !*s) errors_add(err, field, "is required");
    else if (!text_email_valid(s) || !ascii_only(s)) errors_add(err, field, "is not an e-mail address (ASCII)");
}

static void check_line(struct errors *err, const char *field, const char *s, size_t max_chars, int required)
{
    if (!s || !*s) {
        if (required) errors_add(err, field, "is required");
    } else if (!text_utf8_valid(s, strlen(s))) {
        errors_add(err, field, "is not valid UTF-8 text");
    } else if (has_line_break(s)) {
        errors_add(err, field, "must be one line");
    } else if (text_utf8_len(s) > max_chars) {
        errors_add(err, field, "is longer than %zu characters", max_chars);
    }
}

/* UTF-8 whose lines hold no control characters but tabs. */
static int body_valid(const char *s)
{
    for (const char *line = s;;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n && line[n - 1] == '\r') n--;
        if (!text_utf8_valid(line, n)) return 0;
        if (!nl) return 1;
        line = nl + 1;
    }
}

static void check_body(struct errors *err, const char *field, const char *s, int required)
{
    if (!s || !*s) {
        if (required) errors_add(err, field, "is required");
    } else if (strlen(s) > MAIL_BODY_MAX) {
        errors_add(err, field, "is longer than %u bytes", MAIL_BODY_MAX);
    } else if (!body_valid(s)) {
        errors_add(err, field, "is not valid UTF-8 text");
    }
}

static void check_url(struct errors *err, const char *s, enum mail_kind kind)
{
    if (!s || !*s) {
        if (kind == MAIL_MARKETING) errors_add(err, "unsubscribe_url", "is required for marketing mail (RFC 8058)");
        return;
    }
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) {
        errors_add(err, "unsubscribe_url", "must be an http or https URL");
        return;
    }
    if (strlen(s) > MAIL_URL_MAX) {
        errors_add(err, "unsubscribe_url", "is longer than %d characters", MAIL_URL_MAX);
        return;
    }
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p > 0x7e || *p == '<' || *p == '>' || *p == ',') {
            errors_add(err, "unsubscribe_url", "may hold no spaces, '<', '>', ',' or non-ASCII (percent-encode them)");
            return;
        }
}

static void check_lang(struct errors *err, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int ok = n >= 2 && n <= 16;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (i > 0 && s[i] == '-');
    if (!ok) errors_add(err, "lang", "must be a language tag like nl or en-GB");
}

/* "<32 hex digits@the sender's domain>" */
static void new_message_id(const char *from, char out[MAIL_ID_SZ])
{
    char tok[TOKEN_HEX_LEN + 1];
    token_new(tok);
    const char *dom = strchr(from, '@');
    dom = dom ? dom + 1 : "trustdesk.invalid";
    snprintf(out, MAIL_ID_SZ, "<%s@%s>", tok, dom);
}

int mail_enqueue(struct db *db, int64_t now_us, const struct mail_msg *m, struct errors *err, char message_id[MAIL_ID_SZ])
{
    size_t before = err->n;
    check_address(err, "to", m->to);
    check_address(err, "from", m->from);
    check_line(err, "from_name", m->from_name, 100, 0);
    check_line(err, "subject", m->subject, MAIL_SUBJECT_MAX, 1);
    check_body(err, "text", m->text, 1);
    check_body(err, "html", m->html, 0);
    check_lang(err, m->lang);
    if (m->kind != MAIL_TRANSACTIONAL && m->kind != MAIL_MARKETING) errors_add(err, "kind", "must be transactional or marketing");
    check_url(err, m->unsubscribe_url, m->kind);
    if (err->n > before) return TD_E_INVALID;
    char mid[MAIL_ID_SZ];
    new_message_id(m->from, mid);
    int rc = db_run(db, "INSERT INTO mail_outbox (customer_id, kind, message_id, mail_from, from_name, rcpt_to, subject,"
                        " body_text, body_html, lang, unsubscribe_url, created_at, next_attempt_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, "nttttttttttii",
                    m->customer_id, m->kind == MAIL_MARKETING ? "marketing" : "transactional", mid, m->from,
                    m->from_name && *m->from_name ? m->from_name : NULL, m->to, m->subject, m->text,
                    m->html && *m->html ? m->html : NULL, m->lang,
                    m->unsubscribe_url && *m->unsubscribe_url ? m->unsubscribe_url : NULL, now_us, now_us);
    if (rc == TD_OK && message_id) snprintf(message_id, MAIL_ID_SZ, "%s", mid);
    return rc;
}

int mail_forget_customer(struct db *db, int64_t customer_id)
{
    return db_run(db, "DELETE FROM mail_outbox WHERE customer_id = ?", NULL, "i", customer_id);
}

/* ---- claim and mark --------------------------------------------------------- */

struct claim_arg { const struct mail_config *cfg; int64_t now, id; };

static int claim_tx(struct db *db, void *arg)
{
    struct claim_arg *c = arg;
    c->id = 0;
    /* Another sender may take the oldest row between the look-up and the
     * update; then the next one is tried, a few times. */
    for (int tries = 0; tries < 4; tries++) {
        int64_t id = 0, changed = 0;
        int rc = db_get_int64(db, "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
                                  " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1", &id, "i", c->now);
        if (rc == TD_E_NOT_FOUND) return TD_OK;
        if (rc != TD_OK) return rc;
        rc = db_run(db, "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?"
                        " WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?",
                    &changed, "iii", c->now + c->cfg->lease_us, id, c->now);
        if (rc != TD_OK) return rc;
        if (changed == 1) {
            c->id = id;
            return TD_OK;
        }
    }
    return TD_OK;
}

int mail_claim(struct db *db, const struct mail_config *cfg, int64_t now_us, int64_t *id)
{
    struct claim_arg c = {cfg, now_us, 0};
    int rc = db_transact(db, claim_tx, &c);
    *id = rc == TD_OK ? c.id : 0;
    return rc;
}

struct mark_arg { int64_t id, now; };

static int sent_tx(struct db *db, void *arg)
{
    struct mark_arg *m = arg;
    return db_run(db, "UPDATE mail_outbox SET sent_at = ?, last_error = NULL WHERE id = ? AND sent_at IS NULL", NULL, "ii",
                  m->now, m->id);
}

int mail__mark_sent(struct db *db, int64_t id, int64_t now_us)
{
    struct mark_arg m = {id, now_us};
    return db_transact(db, sent_tx, &m);
}

struct failed_arg { const struct mail_config *cfg; int64_t id, now; const char *why; int given_up; };

static int failed_tx(struct db *db, void *arg)
{
    struct failed_arg *f = arg;
    int64_t attempts = 0;
    int rc = db_get_int64(db, "SELECT attempts FROM mail_outbox WHERE id = ? AND sent_at IS NULL", &attempts, "i", f->id);
    if (rc == TD_E_NOT_FOUND) return TD_OK;   /* erased meanwhile, or sent by another after a lease ran out */
    if (rc != TD_OK) return rc;
    int64_t wait = f->cfg->backoff_us;
    for (int64_t k = 1; k < attempts && wait < f->cfg->backoff_max_us; k++) wait *= 2;
    if (wait > f->cfg->backoff_max_us) wait = f->cfg->backoff_max_us;
    f->given_up = attempts >= f->cfg->max_attempts;
    return db_run(db, "UPDATE mail_outbox SET next_attempt_at = ?, last_error = ?, failed_at = ? WHERE id = ? AND sent_at IS NULL",
                  NULL, "itni", f->now + wait, f->why, f->given_up ? f->now : 0, f->id);
}

int mail__mark_failed(struct db *db, const struct mail_config *cfg, int64_t id, int64_t now_us, const char *why, int *given_up)
{
    struct failed_arg f = {cfg, id, now_us, why, 0};
    int rc = db_transact(db, failed_tx, &f);
    *given_up = f.given_up;
    return rc;
}

/* ---- reading a row ---------------------------------------------------------- */

static char *dup_col(struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? strdup(s) : NULL;
}

int mail__row_get(struct db *db, int64_t id, struct mail__row *out)
{
    struct db_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = db_get_row(db, "SELECT attempts, mail_from, rcpt_to, message_id FROM mail_outbox WHERE id = ?", &st, "i", id);
    if (rc == TD_OK) {
        out->id = id;
        out->attempts = db_col_int64(st, 0);
        out->from = dup_col(st, 1);
        out->to = dup_col(st, 2);
        out->message_id = dup_col(st, 3);
        rc = out->from && out->to && out->message_id ? TD_OK : TD_E_NOMEM;
    }
    db_done(st);
    if (rc != TD_OK) mail__row_free(out);
    return rc;
}

void mail__row_free(struct mail__row *r)
{
    free(r->from);
    free(r->to);
    free(r->message_id);
    memset(r, 0, sizeof *r);
}

/* ---- rendering -------------------------------------------------------------- */

/* Appends s as a header value: as it is when it is printable ASCII, else as
 * RFC 2047 encoded-words ("=?UTF-8?B?...?="), each of at most 45 bytes of s
 * cut between characters, folded onto lines of their own. */
static int put_words(struct buf *b, const char *s)
{
    if (ascii_only(s)) return buf_puts(b, s);
    size_t n = strlen(s), i = 0;
    int rc = TD_OK;
    while (i < n && rc == TD_OK) {
        size_t k = n - i < 45 ? n - i : 45;
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80) k--;   /* not inside a character */
        char enc[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, k, sodium_base64_VARIANT_ORIGINAL);
        rc = buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
    }
    return rc;
}

/* Appends a body part's text in base64, lines of 76. */
static int put_base64(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK; i += 57) {
        size_t k = n - i < 57 ? n - i : 57;
        char enc[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, k, sodium_base64_VARIANT_ORIGINAL);
        rc = buf_printf(b, "%s\r\n", enc);
    }
    return rc;
}

/* Appends a display name: a quoted string when it is ASCII, else encoded-words. */
static int put_name(struct buf *b, const char *s)
{
    if (!ascii_only(s)) return put_words(b, s);
    int rc = buf_putc(b, '"');
    for (; *s && rc == TD_OK; s++) {
        if (*s == '"' || *s == '\\') rc = buf_putc(b, '\\');
        if (rc == TD_OK) rc = buf_putc(b, *s);
    }
    return rc == TD_OK ? buf_putc(b, '"') : rc;
}

static int put_part(struct buf *b, const char *type, const char *body)
{
    int rc = buf_printf(b, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", type);
    return rc == TD_OK ? put_base64(b, body) : rc;
}

/* RFC 5322's date: "Wed, 02 Dec 2026 17:42:03 +0000". */
static void rfc5322_date(int64_t us, char *out, size_t n)
{
    static const char *const day[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

enum { R_FROM, R_NAME, R_TO, R_SUBJECT, R_TEXT, R_HTML, R_LANG, R_UNSUB, R_MID, R_AT, R_KIND };

static int render_row(struct db_stmt *st, struct buf *b)
{
    const char *name = db_col_text(st, R_NAME), *html = db_col_text(st, R_HTML), *unsub = db_col_text(st, R_UNSUB);
    char date[64];
    rfc5322_date(db_col_int64(st, R_AT), date, sizeof date);
    int rc = buf_printf(b, "Date: %s\r\nFrom: ", date);
    if (rc == TD_OK && name) rc = put_name(b, name);
    if (rc == TD_OK) rc = buf_printf(b, name ? " <%s>\r\n" : "%s\r\n", db_col_text(st, R_FROM));
    if (rc == TD_OK) rc = buf_printf(b, "To: %s\r\nSubject: ", db_col_text(st, R_TO));
    if (rc == TD_OK) rc = put_words(b, db_col_text(st, R_SUBJECT));
    if (rc == TD_OK)
        rc = buf_printf(b, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nContent-Language: %s\r\n", db_col_text(st, R_MID),
                        db_col_text(st, R_LANG));
    if (rc == TD_OK && strcmp(db_col_text(st, R_KIND), "transactional") == 0)
        rc = buf_puts(b, "Auto-Submitted: auto-generated\r\n");
    /* RFC 8058: a one-click unsubscribe the receiver's mail program may POST. */
    if (rc == TD_OK && unsub)
        rc = buf_printf(b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", unsub);
    if (rc != TD_OK) return rc;
    if (!html) return put_part(b, "text/plain", db_col_text(st, R_TEXT));
    /* The boundary is made from the Message-ID, which base64 lines cannot hold. */
    char boundary[80];
    snprintf(boundary, sizeof boundary, "=_td_%.32s", db_col_text(st, R_MID) + 1);
    rc = buf_printf(b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary);
    if (rc == TD_OK) rc = put_part(b, "text/plain", db_col_text(st, R_TEXT));
    if (rc == TD_OK) rc = buf_printf(b, "--%s\r\n", boundary);
    if (rc == TD_OK) rc = put_part(b, "text/html", html);
    if (rc == TD_OK) rc = buf_printf(b, "--%s--\r\n", boundary);
    return rc;
}

int mail_render(struct db *db, int64_t id, char **text, size_t *len)
{
    struct db_stmt *st = NULL;
    struct buf b;
    buf_init(&b, RENDER_MAX);
    *text = NULL;
    *len = 0;
    int rc = db_get_row(db, "SELECT mail_from, from_name, rcpt_to, subject, body_text, body_html, lang, unsubscribe_url,"
                            " message_id, created_at, kind FROM mail_outbox WHERE id = ?", &st, "i", id);
    if (rc == TD_OK) rc = render_row(st, &b);
    db_done(st);
    if (rc == TD_OK && b.data) {
        *text = b.data;     /* NUL-terminated (buf.h) */
        *len = b.len;
        return TD_OK;
    }
    buf_free(&b);
    return rc;
}
