/* domain.c — small pieces every domain module uses. */
#include "domain/domain.h"
#include "core/buf.h"
#include "core/text.h"
#include "db/db.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The audit chain: hash = BLAKE2b-256 over the previous row's hash and this
 * row's fields, each length-prefixed so that no two rows hash alike by
 * moving text from one field into the next. AUDIT_GENESIS is the "previous
 * hash" of the first chained row. */
static void field(crypto_generichash_state *h, const char *v)
{
    char len[24];
    int n = v ? snprintf(len, sizeof len, "%zu:", strlen(v)) : snprintf(len, sizeof len, "-:");
    crypto_generichash_update(h, (const unsigned char *)len, (size_t)n);
    if (v) crypto_generichash_update(h, (const unsigned char *)v, strlen(v));
}

void domain_audit_hash(const char *prev_hash, int64_t at, int64_t staff_id, const char *action, const char *subject,
                       const char *detail, const char *address, char out[DOMAIN_AUDIT_HASH_SZ])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    char num[24];
    field(&h, prev_hash);
    snprintf(num, sizeof num, "%lld", (long long)at);
    field(&h, num);
    snprintf(num, sizeof num, "%lld", (long long)staff_id);
    field(&h, staff_id ? num : NULL);
    field(&h, action);
    field(&h, subject);
    field(&h, detail);
    field(&h, address);
    unsigned char bin[32];
    crypto_generichash_final(&h, bin, sizeof bin);
    sodium_bin2hex(out, DOMAIN_AUDIT_HASH_SZ, bin, sizeof bin);
}

/* Takes the head's row lock (on PostgreSQL, READ COMMITTED re-reads the
 * newest head after waiting for it) and answers the newest hash. */
static int take_head(struct db *db, char prev[DOMAIN_AUDIT_HASH_SZ])
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct db_stmt *st;
        int rc = db_get_row(db, "UPDATE audit_head SET rows = rows + 1 WHERE id = 1 RETURNING hash", &st, "");
        if (rc == TD_OK) rc = domain_copy(prev, DOMAIN_AUDIT_HASH_SZ, db_col_text(st, 0));
        db_done(st);
        if (rc != TD_E_NOT_FOUND) return rc;
        /* The first audited act of a database starts the chain. */
        if ((rc = db_run(db, "INSERT INTO audit_head (id, rows, hash) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING", NULL,
                         "t", DOMAIN_AUDIT_GENESIS)) != TD_OK)
            return rc;
    }
    return TD_E_INTERNAL;
}

static int audit_append(struct dctx *c, const char *action, const char *subject, const char *detail)
{
    char prev[DOMAIN_AUDIT_HASH_SZ], hash[DOMAIN_AUDIT_HASH_SZ];
    int rc = take_head(c->db, prev);
    if (rc != TD_OK) return rc;
    domain_audit_hash(prev, c->now_us, c->actor.staff_id, action, subject, detail, c->addr, hash);
    if ((rc = db_run(c->db, "INSERT INTO audit_log (at, staff_id, action, subject, detail, address, prev_hash, hash)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", NULL, "intttttt", c->now_us, c->actor.staff_id, action,
                     subject, detail, c->addr, prev, hash)) != TD_OK)
        return rc;
    return db_run(c->db, "UPDATE audit_head SET hash = ? WHERE id = 1", NULL, "t", hash);
}

int domain_audit(struct dctx *c, const char *action, const char *subject, const char *detail)
{
    if (db_in_tx(c->db)) return audit_append(c, action, subject, detail);
    /* Outside a transaction (an audited read): one of its own, so that the
     * head and the row move together. */
    int rc = TD_E_BUSY;
    for (int attempt = 0; attempt < 8 && rc == TD_E_BUSY; attempt++) {
        if ((rc = db_begin(c->db, 1)) != TD_OK) continue;
        rc = audit_append(c, action, subject, detail);
        if (rc == TD_OK) rc = db_commit(c->db);
        if (rc != TD_OK) db_rollback(c->db);
    }
    return rc;
}

int domain_setting(const char *name, long lo, long hi, int64_t *v, char *why, size_t n)
{
    const char *s = getenv(name);
    if (!s || !*s) return TD_OK;
    char *end;
    long x = strtol(s, &end, 10);
    if (*end || x < lo || x > hi) {
        snprintf(why, n, "%s must be a whole number from %ld to %ld", name, lo, hi);
        return TD_E_INVALID;
    }
    *v = x;
    return TD_OK;
}

int domain_copy(char *dst, size_t n, const char *src)
{
    if (!src) src = "";
    size_t len = strlen(src);
    if (len >= n) return TD_E_INVALID;
    memcpy(dst, src, len + 1);
    return TD_OK;
}

int domain_fold(char *dst, size_t n, const char *src)
{
    struct buf b;
    buf_init(&b, n);
    int rc = text_fold(src ? src : "", &b);
    if (rc == TD_OK) rc = domain_copy(dst, n, b.data ? b.data : "");
    buf_free(&b);
    return rc == TD_E_TOO_LARGE ? TD_E_INVALID : rc;
}
