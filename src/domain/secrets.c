/* secrets.c — the secrets board (see secrets.h).
 *
 * A theme's count is COUNT(DISTINCT answer) over the answers whose filed
 * words are among the theme's words, so an answer that uses two words of one
 * theme ("gratis vermaken", after "vermaken" was merged into "gratis")
 * counts once.
 */
#include "domain/secrets.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ENUM_MAP_DEFINE(secrets_status_map, SECRETS_STATUS_MAP);

#define DAY_US (86400LL * 1000000)

/* Words that carry no theme, folded (Dutch and English). */
static const char *const stop_words[] = {
    "aan", "alle", "als", "and", "are", "bij", "but", "can", "dan", "dat", "die", "dit", "don", "door", "een", "for",
    "from", "geen", "have", "heb", "hebben", "het", "hier", "hun", "ieder", "iets", "ik", "into", "is", "kan",
    "klant", "klanten", "know", "maar", "meer", "met", "naar", "niet", "nog", "not", "now", "ons", "onze", "ook",
    "our", "over", "that", "the", "their", "them", "there", "they", "this", "tot", "uit", "van", "veel", "voor",
    "was", "wat", "way", "weet", "weten", "wel", "what", "wie", "wij", "with", "worden", "wordt", "you", "zich",
    "zijn", "zoals", "customer", "customers", "offer", "bieden", "hoe", "heel", "very", "all", "any", "has",
};

static int is_stop(const char *w)
{
    for (size_t i = 0; i < sizeof stop_words / sizeof stop_words[0]; i++)
        if (strcmp(stop_words[i], w) == 0) return 1;
    return 0;
}

static int all_digits(const char *w)
{
    for (; *w; w++)
        if (*w < '0' || *w > '9') return 0;
    return 1;
}

int secrets_words(const char *text, char words[][64], size_t max, size_t *n)
{
    *n = 0;
    struct buf b;
    buf_init(&b, 64 * 1024);
    int rc = text_fold(text ? text : "", &b);
    if (rc != TD_OK || !b.data) {
        buf_free(&b);
        return rc;
    }
    for (char *p = b.data; *p && *n < max;) {
        char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= 3 && len < 64) {
            char w[64];
            memcpy(w, p, len);
            w[len] = '\0';
            int dup = 0;
            for (size_t i = 0; i < *n && !dup; i++) dup = strcmp(words[i], w) == 0;
            if (!dup && !is_stop(w) && !all_digits(w)) memcpy(words[(*n)++], w, len + 1);
        }
        p += len;
        while (*p == ' ') p++;
    }
    buf_free(&b);
    return TD_OK;
}

/* A theme's id when an answer makes it: random (52 bits, exact in JSON
 * numbers), not the next in order, and its time the UTC day only, so that
 * neither lines a theme up with a request in a log and, through it, with
 * the person who sent it. */
static int64_t random_id(void)
{
    char hex[TOKEN_HEX_LEN + 1];
    token_new(hex);
    int64_t v = 0;
    for (int i = 0; i < 13; i++) v = v * 16 + (hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    return v + 1;
}

/* The theme of a word, made when the word is new. Two answers filing the
 * same new word at once: the second's INSERT of the word does nothing and
 * its theme, left without words, is deleted again. */
static int file_word(struct dctx *c, const char *word)
{
    int64_t theme;
    int rc = db_get_int64(c->db, "SELECT theme_id FROM secret_theme_words WHERE word = ?", &theme, "t", word);
    if (rc != TD_E_NOT_FOUND) return rc;
    int64_t day = c->now_us - c->now_us % DAY_US, made = 0;
    for (int attempt = 0; attempt < 3; attempt++) {       /* an id taken already: draw again */
        theme = random_id();
        rc = db_run(c->db, "INSERT INTO secret_themes (id, label, status, updated_at) VALUES (?, ?, 'new', ?)"
                           " ON CONFLICT (id) DO NOTHING", &made, "iti", theme, word, day);
        if (rc != TD_OK || made) break;
    }
    if (rc == TD_OK && !made) rc = TD_E_INTERNAL;
    int64_t added = 0;
    if (rc == TD_OK)
        rc = db_run(c->db, "INSERT INTO secret_theme_words (word, theme_id) VALUES (?, ?) ON CONFLICT (word) DO NOTHING",
                    &added, "ti", word, theme);
    if (rc == TD_OK && !added) rc = db_run(c->db, "DELETE FROM secret_themes WHERE id = ?", NULL, "i", theme);
    return rc;
}

int secrets_file_answer(struct dctx *c, const char *answer_id, const char *text)
{
    char words[SECRETS_WORDS_MAX][64];
    size_t n;
    int rc = secrets_words(text, words, SECRETS_WORDS_MAX, &n);
    for (size_t i = 0; rc == TD_OK && i < n; i++) {
        rc = db_run(c->db, "INSERT INTO secret_words (word, answer_id) VALUES (?, ?)", NULL, "tt", words[i], answer_id);
        if (rc == TD_OK) rc = file_word(c, words[i]);
    }
    return rc;
}

static int read_words(struct dctx *c, struct secrets_theme *t)
{
    struct db_stmt *st;
    size_t o = 0;
    t->words[0] = '\0';
    int rc = db_query(c->db, "SELECT word FROM secret_theme_words WHERE theme_id = ? ORDER BY word", &st, "i", t->id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        const char *w = db_col_text(st, 0);
        size_t len = strlen(w);
        if (o + len + 3 >= sizeof t->words) break;        /* cut short: the board shows the first words */
        o += (size_t)snprintf(t->words + o, sizeof t->words - o, "%s%s", o ? ", " : "", w);
        rc = TD_OK;
    }
    return db_end(st, rc);
}

static int read_theme(struct db_stmt *st, void *row)
{
    struct secrets_theme *t = row;
    memset(t, 0, sizeof *t);
    const char *status = NULL;
    int rc = db_readf(st, "itsi", &t->id, t->label, sizeof t->label, &status, &t->answers);
    t->status = (enum secrets_status)enum_map_find(&secrets_status_map, status, SECRETS_NEW);
    return rc;
}

int secrets_board(struct dctx *c, bool shown_only, int64_t store_id, int limit,
                  int (*fn)(void *arg, const struct secrets_theme *t), void *arg)
{
    struct secrets_theme *all = calloc((size_t)limit, sizeof *all);
    if (!all) return TD_E_NOMEM;
    size_t n = 0;
    struct db_stmt *st;
    /* Read the page first, then each theme's words: one statement at a
     * time on the connection. */
    int rc = db_query(c->db,
                      "SELECT t.id, t.label, t.status, COUNT(DISTINCT a.id) FROM secret_themes t"
                      " JOIN secret_theme_words tw ON tw.theme_id = t.id JOIN secret_words w ON w.word = tw.word"
                      " JOIN staff_answers a ON a.id = w.answer_id"
                      " WHERE t.status <> 'merged' AND (? = 0 OR t.status = 'shown') AND (? = 0 OR a.store_id = ?)"
                      " GROUP BY t.id, t.label, t.status ORDER BY COUNT(DISTINCT a.id) DESC, t.label, t.id LIMIT ?",
                      &st, "iiii", (int64_t)shown_only, store_id, store_id, (int64_t)limit);
    while (rc == TD_OK && n < (size_t)limit && (rc = db_step(st)) == TD_ROW) rc = read_theme(st, &all[n++]);
    rc = db_end(st, rc);
    for (size_t i = 0; rc == TD_OK && i < n; i++) rc = read_words(c, &all[i]);
    for (size_t i = 0; rc == TD_OK && i < n; i++) rc = fn(arg, &all[i]);
    free(all);
    return rc;
}

int secrets_theme_stores(struct dctx *c, int64_t theme_id,
                         int (*fn)(void *arg, int64_t store_id, const char *store_code, int64_t answers), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT s.id, s.code, COUNT(DISTINCT a.id) FROM secret_theme_words tw"
                      " JOIN secret_words w ON w.word = tw.word JOIN staff_answers a ON a.id = w.answer_id"
                      " JOIN stores s ON s.id = a.store_id WHERE tw.theme_id = ?"
                      " GROUP BY s.id, s.code ORDER BY COUNT(DISTINCT a.id) DESC, s.code",
                      &st, "i", theme_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        rc = fn(arg, db_col_int64(st, 0), db_col_text(st, 1), db_col_int64(st, 2));
    return db_end(st, rc);
}

int secrets_get(struct dctx *c, int64_t id, struct secrets_theme *out)
{
    int rc = db_get_read(c->db,
                         "SELECT t.id, t.label, t.status, (SELECT COUNT(DISTINCT w.answer_id) FROM secret_theme_words tw"
                         " JOIN secret_words w ON w.word = tw.word WHERE tw.theme_id = t.id)"
                         " FROM secret_themes t WHERE t.id = ?",
                         read_theme, out, "i", id);
    if (rc == TD_OK) rc = read_words(c, out);
    return rc;
}

static int audit_theme(struct dctx *c, const char *action, int64_t id, const char *detail)
{
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)id);
    return domain_audit(c, action, subject, detail);
}

/* A theme that can still change (not merged); TD_E_NOT_FOUND otherwise. */
static int live_theme(struct dctx *c, int64_t id, const char *field, struct errors *err, struct secrets_theme *t)
{
    int rc = secrets_get(c, id, t);
    if (rc == TD_OK && t->status == SECRETS_MERGED) {
        errors_add(err, field, "the theme was merged into another");
        rc = TD_E_CONFLICT;
    }
    return rc;
}

int secrets_rename(struct dctx *c, int64_t id, const char *label, struct errors *err)
{
    if (!errors_check_text(err, "label", label, SECRETS_LABEL_MAX, 1)) return TD_E_INVALID;
    struct secrets_theme t;
    int rc = live_theme(c, id, "id", err, &t);
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE secret_themes SET label = ?, updated_by = ?, updated_at = ? WHERE id = ?", NULL,
                    "tnii", label, c->actor.staff_id, c->now_us, id);
    if (rc == TD_OK) rc = audit_theme(c, "secret.rename", id, label);
    return rc;
}

int secrets_moderate(struct dctx *c, int64_t id, enum secrets_status status, struct errors *err)
{
    if (status != SECRETS_NEW && status != SECRETS_SHOWN && status != SECRETS_HIDDEN) {
        errors_add(err, "status", "must be one of new, shown, hidden");
        return TD_E_INVALID;
    }
    struct secrets_theme t;
    int rc = live_theme(c, id, "id", err, &t);
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE secret_themes SET status = ?, updated_by = ?, updated_at = ? WHERE id = ?", NULL,
                    "tnii", enum_map_name(&secrets_status_map, (int)status), c->actor.staff_id, c->now_us, id);
    if (rc == TD_OK) rc = audit_theme(c, "secret.moderate", id, enum_map_name(&secrets_status_map, (int)status));
    return rc;
}

int secrets_merge(struct dctx *c, int64_t into, int64_t from, struct errors *err)
{
    if (into == from) {
        errors_add(err, "from", "must be another theme than the one merged into");
        return TD_E_INVALID;
    }
    struct secrets_theme a = {0}, b;
    int rc = live_theme(c, into, "id", err, &a);
    if (rc == TD_OK) rc = live_theme(c, from, "from", err, &b);
    if (rc == TD_E_NOT_FOUND && a.id) {          /* the theme merged from is a field of the body */
        errors_add(err, "from", "is no theme of the secrets board");
        rc = TD_E_INVALID;
    }
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE secret_theme_words SET theme_id = ? WHERE theme_id = ?", NULL, "ii", into, from);
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "UPDATE secret_themes SET status = 'merged', merged_into = ?, updated_by = ?, updated_at = ?"
                    " WHERE id = ?",
                    NULL, "inii", into, c->actor.staff_id, c->now_us, from);
    char detail[48];
    snprintf(detail, sizeof detail, "from %lld", (long long)from);
    if (rc == TD_OK) rc = audit_theme(c, "secret.merge", into, detail);
    return rc;
}
