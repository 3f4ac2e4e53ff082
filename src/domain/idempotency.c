/* idempotency.c — remembered answers (see idempotency.h for the invariants).
 *
 * What a row holds, by form:
 *   sealed     idem_key = token_derive id of (scope, key); response = the
 *              answer sealed with the derived key, bound to the scope, the
 *              request's hash and the status (so none can be swapped); the
 *              request's hash is keyed with the derived key (before 0008
 *              it was not: such rows are still matched, and expire);
 *   clear      written before migration 0004: idem_key and response as they
 *              came, minus the codes the migration removed;
 *   forgotten  request_hash and response emptied at an erasure.
 * A clear row is only looked for when no sealed or forgotten row is found
 * under the derived id, and only among rows that are not sealed: a client
 * that sends the derived id of one of its keys as a key finds nothing.
 */
#include "domain/idempotency.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>

#define IDEM_CONTEXT "trustdesk idempotency-key 1"

int idem_key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 200) return 0;
    for (const char *p = k; *p; p++)
        if (*p < 0x21 || *p > 0x7e) return 0;
    return 1;
}

void idem_key_init(struct idem_key *k, int64_t staff_id, const char *key, const char *method, const char *path,
                   const void *body, size_t body_len)
{
    memset(k, 0, sizeof *k);
    k->key = key;
    snprintf(k->scope, sizeof k->scope, "staff:%lld", (long long)staff_id);
    token_derive(IDEM_CONTEXT, key, k->scope, k->id, k->seal);
    /* Keyed with the seal key, which is never stored: the request's body may
     * hold a walk-in's phone number, and an unkeyed hash of it could be found
     * by hashing every candidate body. */
    token_hash_request(k->seal, method, path, body, body_len, k->hash);
    token_hash_request(NULL, method, path, body, body_len, k->plain_hash);
}

/* What the seal is bound to besides the key. */
static void seal_ad(const struct idem_key *k, const char *hash, int status, char *ad, size_t n)
{
    snprintf(ad, n, "%s\n%s\n%d", k->scope, hash, status);
}

/* Reads the row of k in one statement (a round trip on PostgreSQL): the
 * one under the derived id (sealed or forgotten), else a clear one under
 * the key as sent; *found stays IDEM_NEW when there is none. Each part is
 * a look-up of the key's index, and at most one part answers (no sort). */
#define IDEM_COLS "SELECT request_hash, status, response, form FROM idempotency_keys"
static int lookup_row(struct dctx *c, const struct idem_key *k, enum idem_found *found, int *status, struct buf *body)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        IDEM_COLS " WHERE scope = ? AND idem_key = ? AND form <> 'clear' UNION ALL "
                        IDEM_COLS " WHERE scope = ? AND idem_key = ? AND form <> 'sealed' AND NOT EXISTS"
                        " (SELECT 1 FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND form <> 'clear')",
                        &st, "tttttt", k->scope, k->id, k->scope, k->key, k->scope, k->id);
    if (rc == TD_E_NOT_FOUND) return TD_OK;
    if (rc != TD_OK) return rc;
    const char *form = db_col_text(st, 3);
    if (strcmp(form, "forgotten") == 0) {
        *found = IDEM_FORGOTTEN;
        rc = TD_OK;
        goto out;
    }
    /* Rows stored before the hash was keyed hold it unkeyed; they expire
     * within days. */
    const char *stored = db_col_text(st, 0);
    const char *hash = strcmp(stored, k->hash) == 0 ? k->hash : strcmp(stored, k->plain_hash) == 0 ? k->plain_hash : NULL;
    if (!hash) {
        rc = TD_E_INVALID;
        goto out;
    }
    *status = (int)db_col_int64(st, 1);
    buf_reset(body);
    if (strcmp(form, "sealed") == 0) {
        char ad[160];
        seal_ad(k, hash, *status, ad, sizeof ad);
        rc = token_open(k->seal, ad, db_col_text(st, 2), body);
    } else {
        rc = buf_puts(body, db_col_text(st, 2));
    }
    if (rc == TD_OK) *found = IDEM_ANSWER;
out:
    db_done(st);
    return rc;
}

int idem_lookup(struct dctx *c, const struct idem_key *k, enum idem_found *found, int *status, struct buf *body)
{
    *found = IDEM_NEW;
    return lookup_row(c, k, found, status, body);
}

int idem_store(struct dctx *c, const struct idem_key *k, int status, const char *body, int64_t customer_id)
{
    char ad[160];
    struct buf sealed;
    buf_init(&sealed, 128u << 20);
    seal_ad(k, k->hash, status, ad, sizeof ad);
    int rc = token_seal(k->seal, ad, body ? body : "", &sealed);
    if (rc == TD_OK)
        rc = db_run(c->db, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response, created_at,"
                           " customer_id, form) VALUES (?, ?, ?, ?, ?, ?, ?, 'sealed')", NULL, "tttitin", k->scope, k->id,
                    k->hash, (int64_t)status, sealed.data, c->now_us, customer_id);
    buf_free(&sealed);
    return rc == TD_E_CONFLICT ? TD_E_BUSY : rc;
}

int idem_forget_customer(struct dctx *c, int64_t customer_id)
{
    return db_run(c->db, "UPDATE idempotency_keys SET form = 'forgotten', request_hash = '', response = '',"
                         " customer_id = NULL WHERE customer_id = ?", NULL, "i", customer_id);
}

int idem_purge(struct db *db, int64_t now_us, int64_t *count)
{
    return db_run(db, "DELETE FROM idempotency_keys WHERE created_at < ?", count, "i", now_us - IDEM_KEEP_US);
}
