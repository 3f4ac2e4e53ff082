/* identity.c — identity keys and the identity the guard counts (see
 * identity.h).
 *
 * Why keyed hashes: the keys must match when one person gives the same
 * phone or mailbox twice, so they are deterministic; they must not be a list
 * of phone numbers under another name, so nobody without the secret can
 * compute one from a number (and find out whether that number is known
 * here). The secret lives in the database so that every server and command
 * hashes alike; someone holding the whole database holds the customers'
 * phone numbers anyway, and a walk-in's key is purged after 90 days.
 *
 * How an identity is found: from the case's own account (or walk-in key),
 * its keys; from each key, the other accounts that carry it; from those, their
 * keys once more. Two links reach a ring that shares a phone between the first
 * two accounts and a mailbox between the last two. Every step is a primary-key
 * or index range read with a LIMIT.
 */
#include "domain/identity.h"
#include "core/text.h"
#include "db/db.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_HEX (TOKEN_KEY_LEN * 2)
#define CONTEXT "trustdesk identity v1"

int identity_normal_phone(const char *s, char out[IDENTITY_CONTACT_SZ])
{
    char ph[20];
    out[0] = '\0';
    /* A number without its trunk or international zero (nine digits, say)
     * may be a citizen service number typed in the wrong box: not a phone. */
    if (!s || text_phone_normalize(s, ph) != TD_OK || ph[0] != '0' || strlen(ph) < 9) return TD_E_INVALID;
    snprintf(out, IDENTITY_CONTACT_SZ, "phone:%s", ph);
    return TD_OK;
}

int identity_normal_mail(const char *s, char out[IDENTITY_CONTACT_SZ])
{
    char mb[255];
    out[0] = '\0';
    if (!s || text_mailbox(s, mb) != TD_OK) return TD_E_INVALID;
    snprintf(out, IDENTITY_CONTACT_SZ, "mail:%s", mb);
    return TD_OK;
}

int identity_normal_contact(const char *s, char out[IDENTITY_CONTACT_SZ])
{
    char id[21];
    out[0] = '\0';
    if (!s || !*s) return TD_E_INVALID;
    if (strchr(s, '@')) return identity_normal_mail(s, out);
    if (identity_normal_phone(s, out) == TD_OK) return TD_OK;
    if (text_id_reference(s, id) != TD_OK) return TD_E_INVALID;
    snprintf(out, IDENTITY_CONTACT_SZ, "id:%s", id);
    return TD_OK;
}

void identity_key(const unsigned char secret[TOKEN_KEY_LEN], const char *normal, char out[IDENTITY_KEY_SZ])
{
    token_keyed_hash(secret, CONTEXT, normal, out);
}

int identity_secret(struct db *db, int64_t now_us, int create, unsigned char out[TOKEN_KEY_LEN])
{
    struct db_stmt *st;
    int rc = db_get_row(db, "SELECT secret FROM identity_secret WHERE id = 1", &st, "");
    if (rc == TD_OK) {
        const char *hex = db_col_text(st, 0);
        size_t got = 0;
        rc = hex && sodium_hex2bin(out, TOKEN_KEY_LEN, hex, strlen(hex), NULL, &got, NULL) == 0 && got == TOKEN_KEY_LEN
                 ? TD_OK : TD_E_INTERNAL;
    }
    db_done(st);
    if (rc != TD_E_NOT_FOUND || !create) return rc;
    /* Two first writers at once (PostgreSQL): the second waits on the key,
     * inserts nothing and reads the first one's secret. */
    unsigned char raw[TOKEN_KEY_LEN];
    char hex[SECRET_HEX + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    rc = db_run(db, "INSERT INTO identity_secret (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
                NULL, "ti", hex, now_us);
    sodium_memzero(hex, sizeof hex);
    return rc == TD_OK ? identity_secret(db, now_us, 0, out) : rc;
}


/* Customer id now carries key (join) or no longer does: the key's count is
 * upserted first — the row every writer of this key locks, so concurrent
 * writers take turns and count each other — then the customer's row, then
 * `shared` on every row of the key. A count row that is missing (a key of
 * one account the demo wrote) starts from the rows in customer_keys. */
static int key_change(struct dctx *c, const char *key, int64_t id, int join)
{
    static const char *const upsert[] = {
        "INSERT INTO identity_key_counts (key, accounts) VALUES (?, (SELECT COUNT(*) FROM customer_keys"
        " WHERE key = ? AND customer_id <> ?)) ON CONFLICT (key) DO UPDATE SET accounts = identity_key_counts.accounts - 1"
        " RETURNING accounts",
        "INSERT INTO identity_key_counts (key, accounts) VALUES (?, 1 + (SELECT COUNT(*) FROM customer_keys"
        " WHERE key = ? AND customer_id <> ?)) ON CONFLICT (key) DO UPDATE SET accounts = identity_key_counts.accounts + 1"
        " RETURNING accounts",
    };
    int64_t n = 0;
    int rc = db_get_int64(c->db, upsert[join], &n, "tti", key, key, id);
    if (rc != TD_OK) return rc;
    if (join)
        rc = db_run(c->db, "INSERT INTO customer_keys (key, customer_id, shared) VALUES (?, ?, ?)"
                           " ON CONFLICT (key, customer_id) DO UPDATE SET shared = excluded.shared", NULL, "tii", key, id, n);
    else
        rc = db_run(c->db, "DELETE FROM customer_keys WHERE key = ? AND customer_id = ?", NULL, "ti", key, id);
    if (rc == TD_OK && n > 0 && (join ? n > 1 : 1))
        rc = db_run(c->db, "UPDATE customer_keys SET shared = ? WHERE key = ?", NULL, "it", n, key);
    if (rc == TD_OK && n == 0) rc = db_run(c->db, "DELETE FROM identity_key_counts WHERE key = ?", NULL, "t", key);
    return rc;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

int identity_set_customer(struct dctx *c, int64_t id, const char *email, const char *phone)
{
    char forms[2][IDENTITY_CONTACT_SZ], want[2][IDENTITY_KEY_SZ], had[4][IDENTITY_KEY_SZ];
    int n = 0, m = 0, rc = TD_OK;
    if (identity_normal_phone(phone, forms[n]) == TD_OK) n++;
    if (identity_normal_mail(email, forms[n]) == TD_OK) n++;
    if (n > 0) {
        unsigned char secret[TOKEN_KEY_LEN];
        if ((rc = identity_secret(c->db, c->now_us, 1, secret)) != TD_OK) return rc;
        for (int i = 0; i < n; i++) identity_key(secret, forms[i], want[i]);
        sodium_memzero(secret, sizeof secret);
        sodium_memzero(forms, sizeof forms);
    }
    struct db_stmt *st;
    rc = db_query(c->db, "SELECT key FROM customer_keys WHERE customer_id = ? ORDER BY key LIMIT 4", &st, "i", id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW && m < 4) {
        snprintf(had[m++], IDENTITY_KEY_SZ, "%s", db_col_text(st, 0));
        rc = TD_OK;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    /* What changes, in key order: two writers never wait on each other's
     * keys the other way round. */
    char change[6][IDENTITY_KEY_SZ + 8];
    int nc = 0;
    for (int i = 0; i < m; i++) {
        int keep = 0;
        for (int j = 0; j < n; j++) keep |= strcmp(had[i], want[j]) == 0;
        if (!keep) snprintf(change[nc++], sizeof change[0], "%.*s-", IDENTITY_KEY_SZ - 1, had[i]);
    }
    for (int j = 0; j < n; j++) {
        int have = j == 1 && strcmp(want[0], want[1]) == 0;
        for (int i = 0; i < m; i++) have |= strcmp(had[i], want[j]) == 0;
        if (!have) snprintf(change[nc++], sizeof change[0], "%.*s+", IDENTITY_KEY_SZ - 1, want[j]);
    }
    qsort(change, (size_t)nc, sizeof change[0], cmp_text);
    rc = TD_OK;
    for (int i = 0; i < nc && rc == TD_OK; i++) {
        size_t len = strlen(change[i]);
        int join = change[i][len - 1] == '+';
        change[i][len - 1] = '\0';
        rc = key_change(c, change[i], id, join);
    }
    return rc;
}

int identity_backfill_step(struct dctx *c, int limit, int64_t *left)
{
    int64_t next = 0, last = 0;
    *left = 0;
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT next_id, last_id FROM identity_backfill WHERE id = 1", &st, "");
    if (rc == TD_OK) {
        next = db_col_int64(st, 0);
        last = db_col_int64(st, 1);
    }
    db_done(st);
    if (rc == TD_E_NOT_FOUND) return TD_OK;        /* nothing to do, or done */
    if (rc != TD_OK) return rc;
    struct row { int64_t id; char email[EMAIL_SZ], phone[PHONE_SZ]; } *rows = calloc((size_t)limit, sizeof *rows);
    if (!rows) return TD_E_NOMEM;
    int n = 0;
    rc = db_query(c->db, "SELECT id, COALESCE(email, ''), COALESCE(phone, '') FROM customers"
                         " WHERE id >= ? AND id <= ? AND erased_at IS NULL ORDER BY id LIMIT ?",
                  &st, "iii", next, last, (int64_t)limit);
    while (rc == TD_OK && n < limit && (rc = db_step(st)) == TD_ROW) {
        rows[n].id = db_col_int64(st, 0);
        snprintf(rows[n].email, sizeof rows[n].email, "%s", db_col_text(st, 1));
        snprintf(rows[n].phone, sizeof rows[n].phone, "%s", db_col_text(st, 2));
        n++;
        rc = TD_OK;
    }
    rc = db_end(st, rc);
    for (int i = 0; i < n && rc == TD_OK; i++) rc = identity_set_customer(c, rows[i].id, rows[i].email, rows[i].phone);
    int64_t done_to = n == limit ? rows[n - 1].id : last;
    free(rows);
    if (rc != TD_OK) return rc;
    if (done_to >= last) return db_run(c->db, "DELETE FROM identity_backfill WHERE id = 1", NULL, "");
    *left = last - done_to;
    return db_run(c->db, "UPDATE identity_backfill SET next_id = ? WHERE id = 1", NULL, "i", done_to + 1);
}

int identity_contact_key(struct dctx *c, const char *contact, char key[IDENTITY_KEY_SZ])
{
    char normal[IDENTITY_CONTACT_SZ];
    key[0] = '\0';
    if (identity_normal_contact(contact, normal) != TD_OK) return TD_E_INVALID;
    unsigned char secret[TOKEN_KEY_LEN];
    int rc = identity_secret(c->db, c->now_us, 1, secret);
    if (rc == TD_OK) identity_key(secret, normal, key);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(normal, sizeof normal);
    return rc;
}

static int has_account(const struct identity *id, int64_t a)
{
    for (int i = 0; i < id->n_accounts; i++)
        if (id->accounts[i] == a) return 1;
    return 0;
}

static int has_key(const struct identity *id, const char *k)
{
    for (int i = 0; i < id->n_keys; i++)
        if (strcmp(id->keys[i], k) == 0) return 1;
    return 0;
}

static void add_key(struct identity *id, const char *k, bool visits, int shared)
{
    if (id->n_keys < IDENTITY_KEYS_MAX && !has_key(id, k)) {
        snprintf(id->keys[id->n_keys], IDENTITY_KEY_SZ, "%s", k);
        id->visits[id->n_keys] = visits;
        id->shared[id->n_keys++] = shared;
    }
}

/* The keys of accounts [from, to) into id, each with whether walk-ins gave
 * it in the last 90 days and how many accounts carry it: one read of the
 * by-customer index per account, so that a customer whose keys are their own
 * costs one read and no look-up by key. */
static int keys_of_accounts(struct dctx *c, struct identity *id, int from, int to)
{
    int64_t since = c->now_us / (86400LL * 1000000) - (IDENTITY_WALK_IN_DAYS - 1);
    int rc = TD_OK;
    for (int i = from; i < to && rc == TD_OK; i++) {
        struct db_stmt *st = NULL;
        rc = db_query(c->db,
                      "SELECT k.key, EXISTS (SELECT 1 FROM walk_in_days w WHERE w.key = k.key AND w.day >= ?), k.shared"
                      " FROM customer_keys k WHERE k.customer_id = ? ORDER BY k.key LIMIT 4",
                      &st, "ii", since, id->accounts[i]);
        while (db_next(st, &rc)) {
            int64_t shared = db_col_int64(st, 2);
            add_key(id, db_col_text(st, 0), db_col_int64(st, 1) != 0, shared > IDENTITY_SHARED_MAX ? IDENTITY_SHARED_MAX + 1 : (int)shared);
        }
        rc = db_end(st, rc);
    }
    return rc;
}

/* The accounts that carry keys [from, to), unless a key is on more than
 * IDENTITY_SHARED_MAX of them; a key known to be on one account only (the
 * one it came from) needs no read. */
static int accounts_of_keys(struct dctx *c, struct identity *id, int from, int to)
{
    int rc = TD_OK;
    for (int i = from; i < to && rc == TD_OK; i++) {
        if (id->shared[i] == 1 || id->shared[i] > IDENTITY_SHARED_MAX) continue;
        int64_t found[IDENTITY_SHARED_MAX + 1];
        int n = 0;
        struct db_stmt *st = NULL;
        rc = db_query(c->db, "SELECT customer_id FROM customer_keys WHERE key = ? ORDER BY customer_id LIMIT ?", &st, "ti",
                      id->keys[i], (int64_t)IDENTITY_SHARED_MAX + 1);
        while (n <= IDENTITY_SHARED_MAX && db_next(st, &rc)) found[n++] = db_col_int64(st, 0);
        rc = db_end(st, rc);
        if (n > IDENTITY_SHARED_MAX) continue;
        for (int k = 0; k < n && id->n_accounts < IDENTITY_ACCOUNTS_MAX; k++)
            if (!has_account(id, found[k])) id->accounts[id->n_accounts++] = found[k];
    }
    return rc;
}

int identity_load(struct dctx *c, int64_t customer_id, const char *walk_in_key, struct identity *out)
{
    memset(out, 0, sizeof *out);
    if (customer_id) out->accounts[out->n_accounts++] = customer_id;
    if (walk_in_key && *walk_in_key) add_key(out, walk_in_key, true, -1);
    int rc = TD_OK, accounts_done = 0, keys_done = 0;
    for (int step = 0; step < 2 && rc == TD_OK; step++) {
        int a = out->n_accounts;
        rc = keys_of_accounts(c, out, accounts_done, a);
        accounts_done = a;
        int k = out->n_keys;
        if (rc == TD_OK) rc = accounts_of_keys(c, out, keys_done, k);
        keys_done = k;
        if (out->n_accounts == a) break;        /* nobody new: nothing more to find */
    }
    /* The last accounts found bring their keys too (walk-in visits under a
     * ring member's phone), but no further accounts. */
    if (rc == TD_OK && accounts_done < out->n_accounts) rc = keys_of_accounts(c, out, accounts_done, out->n_accounts);
    return rc;
}

int identity_purge_walk_ins(struct db *db, int64_t now_us, int64_t *count)
{
    int64_t day = now_us / (86400LL * 1000000), from = day - (IDENTITY_WALK_IN_DAYS - 1);
    int64_t a = 0, b = 0, k = 0, d = 0;
    int rc = db_run(db, "DELETE FROM case_walk_ins WHERE at < ?", &a, "i", from * 86400LL * 1000000);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM walk_in_days WHERE day < ?", &b, "i", from);
    if (rc == TD_OK)
        rc = db_run(db, "DELETE FROM walk_in_case_stores WHERE last_case_at < ?", &k, "i", from * 86400LL * 1000000);
    if (rc == TD_OK)
        rc = db_run(db, "DELETE FROM walk_in_item_stores WHERE last_at < ?", &d, "i", from * 86400LL * 1000000);
    *count = a + b + k + d;
    return rc;
}

struct identity__job { int64_t now, count; };

static int purge_tx(struct db *db, void *arg)
{
    struct identity__job *p = arg;
    return identity_purge_walk_ins(db, p->now, &p->count);
}

int identity_purge(struct db *db, int64_t now_us, int64_t *count)
{
    struct identity__job p = {now_us, 0};
    int rc = db_transact(db, purge_tx, &p);
    *count = p.count;
    return rc;
}

#define BACKFILL_BATCH 2000

static int backfill_tx(struct db *db, void *arg)
{
    struct identity__job *p = arg;
    struct dctx c = {.db = db, .now_us = p->now, .addr = "scheduler"};
    return identity_backfill_step(&c, BACKFILL_BATCH, &p->count);
}

int identity_backfill_run(struct db *db, int64_t now_us, int64_t *count)
{
    struct identity__job p = {now_us, 0};
    int rc = db_transact(db, backfill_tx, &p);
    *count = p.count;
    return rc;
}
