/* survey.c — the customer's one question after a case (see survey.h). */
#include "domain/survey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/errors.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/clienteling_mail.h"
#include "domain/events.h"
#include "domain/identity.h"
#include "domain/nps.h"
#include "mail/mail.h"

/* Set once by survey_settings_from_env() before any thread starts. */
static int survey_every_days = 90;

int survey_settings_from_env(char *why, size_t n)
{
    int64_t v = survey_every_days;
    int rc = domain_setting("TRUSTDESK_SURVEY_DAYS", 0, 365, &v, why, n);
    survey_every_days = (int)v;
    return rc;
}

/* ---- the signed link ----------------------------------------------------- */

#define RAW_LEN (8 + 8 + crypto_auth_BYTES)

int survey_key(struct dctx *c, unsigned char key[32])
{
    unsigned char secret[TOKEN_KEY_LEN];
    int rc = identity_secret(c->db, c->now_us, 1, secret);
    if (rc != TD_OK) return rc;
    crypto_kdf_derive_from_key(key, crypto_auth_KEYBYTES, 1, "tdsurvey", secret);
    sodium_memzero(secret, sizeof secret);
    return TD_OK;
}

static void put64(unsigned char *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}

void survey_token(struct dctx *c, const unsigned char key[32], int64_t id, int64_t expires_at,
                  char out[SURVEY_TOKEN_LEN + 1])
{
    (void)c;
    unsigned char raw[RAW_LEN];
    put64(raw, id);
    put64(raw + 8, expires_at);
    crypto_auth(raw + 16, raw, 16, key);
    sodium_bin2base64(out, SURVEY_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int survey_token_read(const unsigned char key[32], const char *token, int64_t now_us, int64_t *id)
{
    *id = 0;
    unsigned char raw[RAW_LEN];
    size_t len = 0;
    if (!token || strlen(token) != SURVEY_TOKEN_LEN ||
        sodium_base642bin(raw, sizeof raw, token, SURVEY_TOKEN_LEN, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || len != RAW_LEN)
        return TD_E_NOT_FOUND;
    if (crypto_auth_verify(raw + 16, raw, 16, key) != 0) return TD_E_NOT_FOUND;
    if (get64(raw + 8) <= now_us) return TD_E_GONE;
    *id = get64(raw);
    return TD_OK;
}

/* The survey id a token names, checked with this database's key. */
static int token_check(struct dctx *c, const char *token, int64_t *id)
{
    *id = 0;
    unsigned char key[32];
    if (!token || strlen(token) != SURVEY_TOKEN_LEN) return TD_E_NOT_FOUND;
    int rc = survey_key(c, key);
    if (rc == TD_OK) rc = survey_token_read(key, token, c->now_us, id);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* ---- sending ------------------------------------------------------------- */

struct words {
    const char *subject, *dear, *ask, *again, *thanks;
};
static const struct words nl = {
    "Hoe was uw bezoek aan %s?",
    "Beste %s,",
    "U was onlangs bij ons in %s. Mogen we u één vraag stellen: hoe waarschijnlijk is het dat u ons "
    "aanbeveelt aan familie of vrienden? Geef een cijfer van 0 tot 10:",
    "We hebben geprobeerd het voor u goed te maken. Mogen we het nog één keer vragen: hoe waarschijnlijk is het "
    "dat u ons aanbeveelt aan familie of vrienden? Geef een cijfer van 0 tot 10:",
    "Het kost u een halve minuut; de link werkt 30 dagen. Dank u wel!",
};
static const struct words en = {
    "How was your visit to %s?",
    "Dear %s,",
    "You were with us at %s recently. May we ask you one question: how likely are you to recommend us to "
    "family or friends? Give us a number from 0 to 10:",
    "We have tried to put things right for you. May we ask once more: how likely are you to recommend us to "
    "family or friends? Give us a number from 0 to 10:",
    "It takes half a minute; the link works for 30 days. Thank you!",
};

struct target {
    int64_t customer_id, store_id, erased_at, objected, recent;
    char email[EMAIL_SZ], name[NAME_SZ], lang[3], store[NAME_SZ];
};

static int read_target(struct dctx *c, int64_t case_id, struct target *t)
{
    struct db_stmt *st;
    int64_t since = c->now_us - (int64_t)survey_every_days * 86400 * 1000000;
    int rc = db_get_row(c->db,
                        "SELECT k.customer_id, k.store_id, COALESCE(cu.erased_at, 0), cu.email, cu.name, cu.lang, s.name,"
                        " (SELECT COUNT(*) FROM customer_objections o WHERE o.customer_id = k.customer_id),"
                        " (SELECT COUNT(*) FROM surveys v WHERE v.customer_id = k.customer_id AND v.sent_at > ?)"
                        " FROM cases k JOIN customers cu ON cu.id = k.customer_id JOIN stores s ON s.id = k.store_id"
                        " WHERE k.id = ?",
                        &st, "ii", since, case_id);
    if (rc == TD_OK)
        rc = db_readf(st, "iiittttii", &t->customer_id, &t->store_id, &t->erased_at, t->email, sizeof t->email, t->name,
                      sizeof t->name, t->lang, sizeof t->lang, t->store, sizeof t->store, &t->objected, &t->recent);
    db_done(st);
    return rc;
}

static int enqueue(struct dctx *c, const struct cl_mail_site *site, const struct target *t, int round, const char *url)
{
    const struct words *w = strcmp(t->lang, "en") == 0 ? &en : &nl;
    char subject[NAME_SZ + 64], line[NAME_SZ + 400];
    snprintf(subject, sizeof subject, w->subject, t->store);
    struct buf body;
    buf_init(&body, 16 << 10);
    snprintf(line, sizeof line, w->dear, t->name[0] ? t->name : "");
    int rc = buf_puts(&body, line);
    if (rc == TD_OK) rc = buf_puts(&body, "\n\n");
    snprintf(line, sizeof line, round > 1 ? w->again : w->ask, t->store);
    if (rc == TD_OK) rc = buf_puts(&body, line);
    if (rc == TD_OK) rc = buf_printf(&body, "\n\n%s\n\n%s\n\n%s\n", url, w->thanks, site->shop_name);
    if (rc == TD_OK) {
        struct errors err;
        errors_init(&err);
        struct mail_msg m = {.customer_id = t->customer_id, .kind = MAIL_TRANSACTIONAL, .to = t->email,
                             .from = site->from, .from_name = site->shop_name, .subject = subject, .text = body.data,
                             .lang = w == &en ? "en" : "nl"};
        rc = mail_enqueue(c->db, c->now_us, &m, &err, NULL);
    }
    buf_free(&body);
    return rc;
}

/* The public link of survey id, signed, valid until expires. */
static int survey_url(struct dctx *c, const struct cl_mail_site *site, int64_t id, int64_t expires,
                      char url[SURVEY_URL_SZ])
{
    unsigned char key[32];
    char token[SURVEY_TOKEN_LEN + 1];
    int rc = survey_key(c, key);
    if (rc != TD_OK) return rc;
    survey_token(c, key, id, expires, token);
    sodium_memzero(key, sizeof key);
    return snprintf(url, SURVEY_URL_SZ, "%s/api/v1/surveys/%s", site->base_url, token) < SURVEY_URL_SZ ? TD_OK
                                                                                                   : TD_E_INTERNAL;
}

int survey_link_of_case(struct dctx *c, int64_t case_id, char url[SURVEY_URL_SZ])
{
    int64_t id = 0, expires = 0;
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT v.id, v.expires_at FROM surveys v JOIN customers cu ON cu.id = v.customer_id"
                        " WHERE v.case_id = ? AND v.round = 1 AND v.answered_at IS NULL AND v.expires_at > ?"
                        " AND cu.erased_at IS NULL",
                        &st, "ii", case_id, c->now_us);
    if (rc == TD_OK) rc = db_readf(st, "ii", &id, &expires);
    db_done(st);
    if (rc != TD_OK) return rc;
    struct cl_mail_site site;
    cl_mail_site_from_env(&site);
    return survey_url(c, &site, id, expires, url);
}

int survey_send(struct dctx *c, int64_t case_id, int round, int64_t *id)
{
    *id = 0;
    struct target *t = calloc(1, sizeof *t);
    if (!t) return TD_E_NOMEM;
    int rc = read_target(c, case_id, t);
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;                      /* a walk-in: nobody to ask */
    else if (rc == TD_OK && !t->erased_at && t->email[0] && !t->objected && (round > 1 || !t->recent)) {
        int64_t expires = c->now_us + SURVEY_VALID_US;
        rc = db_get_int64(c->db,
                          "INSERT INTO surveys (case_id, round, customer_id, store_id, lang, sent_at, expires_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, round) DO NOTHING RETURNING id",
                          id, "iiiitii", case_id, (int64_t)round, t->customer_id, t->store_id,
                          strcmp(t->lang, "en") == 0 ? "en" : "nl", c->now_us, expires);
        if (rc == TD_E_NOT_FOUND) rc = TD_OK;                  /* asked already: nothing twice */
        char url[SURVEY_URL_SZ];
        struct cl_mail_site site;
        cl_mail_site_from_env(&site);
        if (rc == TD_OK && *id && (rc = survey_url(c, &site, *id, expires, url)) == TD_OK) {
            rc = enqueue(c, &site, t, round, url);
            /* In the contact ledger for the record; transactional, so it
             * never counts to the marketing cap. */
            if (rc == TD_OK)
                rc = db_run(c->db, "INSERT INTO contacts (customer_id, at, channel, marketing) VALUES (?, ?, 'email', 0)",
                            NULL, "ii", t->customer_id, c->now_us);
        }
    }
    free(t);
    return rc;
}

int survey_on_event(struct dctx *c, const struct event *ev)
{
    int64_t id;
    return ev->kind == EVENT_RESOLVED ? survey_send(c, ev->case_id, 1, &id) : TD_OK;
}

/* ---- answering ----------------------------------------------------------- */

static int survey_get(struct dctx *c, int64_t id, struct survey *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT v.id, v.case_id, v.round, v.customer_id, v.store_id, v.lang, s.name, v.sent_at,"
                        " v.expires_at, COALESCE(v.score, -1), COALESCE(v.comment, ''), COALESCE(v.first_answered_at, 0),"
                        " COALESCE(v.answered_at, 0) FROM surveys v JOIN stores s ON s.id = v.store_id"
                        " JOIN customers cu ON cu.id = v.customer_id WHERE v.id = ? AND cu.erased_at IS NULL",
                        &st, "i", id);
    int64_t score = -1;
    if (rc == TD_OK)
        rc = db_readf(st, "iiiiittiiitii", &out->id, &out->case_id, &out->round, &out->customer_id, &out->store_id,
                      out->lang, sizeof out->lang, out->store_name, sizeof out->store_name, &out->sent_at,
                      &out->expires_at, &score, out->comment, sizeof out->comment, &out->first_answered_at,
                      &out->answered_at);
    out->score = (int)score;
    db_done(st);
    return rc;
}

int survey_open(struct dctx *c, const char *token, struct survey *out)
{
    int64_t id;
    int rc = token_check(c, token, &id);
    return rc == TD_OK ? survey_get(c, id, out) : rc;
}

int survey_answer(struct dctx *c, const char *token, int score, const char *comment, struct errors *err, int *before,
                  struct survey *out)
{
    *before = -1;
    if (score < 0 || score > 10) errors_add(err, "score", "must be a whole number from 0 to 10");
    errors_check_text(err, "comment", comment, SURVEY_COMMENT_MAX, 0);
    int rc = survey_open(c, token, out);
    if (rc != TD_OK) return rc;
    if (err->n) return TD_E_INVALID;
    if (out->first_answered_at && out->first_answered_at + SURVEY_CHANGE_US <= c->now_us) {
        errors_add(err, "score", "this survey was answered on a day before; an answer can be changed for a day");
        return TD_E_CONFLICT;
    }
    int64_t changed = 0;
    /* The conditions again in the UPDATE: two answers at once (a double
     * tap) both land in the window, and the last one counts. The score it
     * replaces is in the condition too, so the NPS counts move from the
     * class it really had: one that changed meanwhile is read again. */
    for (int tries = 0; rc == TD_OK && !changed; tries++) {
        *before = out->score;
        rc = db_run(c->db,
                    "UPDATE surveys SET score = ?, comment = ?, answered_at = ?, first_answered_at = COALESCE(first_answered_at, ?)"
                    " WHERE id = ? AND (first_answered_at IS NULL OR first_answered_at > ?) AND COALESCE(score, -1) = ?",
                    &changed, "itiiiii", (int64_t)score, comment && *comment ? comment : NULL, c->now_us, c->now_us,
                    out->id, c->now_us - SURVEY_CHANGE_US, (int64_t)*before);
        if (rc == TD_OK && !changed && (tries == 3 || (rc = survey_get(c, out->id, out)) != TD_OK ||
                                        (out->first_answered_at && out->first_answered_at + SURVEY_CHANGE_US <= c->now_us)))
            rc = rc == TD_OK ? TD_E_CONFLICT : rc;
    }
    if (rc == TD_OK) rc = nps_count_answer(c, out->id, *before, score);
    return rc == TD_OK ? survey_get(c, out->id, out) : rc;
}

int survey_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct survey *s), void *arg)
{
    int64_t ids[256] = {0};
    size_t n = 0;
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT id FROM surveys WHERE customer_id = ? ORDER BY sent_at, id LIMIT 256", &st, "i",
                      customer_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) ids[n++] = db_col_int64(st, 0);
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    struct survey *s = malloc(sizeof *s);
    if (!s) return TD_E_NOMEM;
    for (size_t i = 0; i < n && rc == TD_OK; i++)
        if ((rc = survey_get(c, ids[i], s)) == TD_OK) rc = fn(arg, s);
    free(s);
    return rc;
}
