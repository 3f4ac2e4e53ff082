/* identity.h — one person behind several accounts, and walk-ins the guard
 * can count: keyed hashes of the ways to reach a person.
 *
 * A customer's identity keys are keyed hashes (token_keyed_hash under the
 * database's identity secret) of their phone number and their mailbox (the
 * e-mail address as text_mailbox() reads it); a walk-in's contact — a phone
 * number, an e-mail address or an ID reference — becomes a key of the same
 * kind. Accounts that share a key, and the walk-in visits under a key, are
 * one identity for the guard's counts (facts_load). Nothing is merged and
 * nothing of one account is shown at another's case: a key only tells the
 * guard "the same person".
 *
 * Invariants:
 *  (1) customer_keys holds exactly the keys of every customer's current phone
 *      and e-mail: identity_set_customer() runs in the transaction of each
 *      write of those fields (customer_create, customer_update; imports create
 *      through customer_create; the demo writes the same keys in bulk), and
 *      customer_erase() deletes them; customers from before migration 0008
 *      get theirs from identity_backfill_step(); `shared` on every row of a
 *      key is the number of rows with that key (key_change);
 *  (2) no phone number, e-mail address or ID number is stored here, only
 *      keys; the secret they are made with is the one row of identity_secret,
 *      drawn at random by the first write that needs it;
 *  (3) identity_load() is bounded: at most IDENTITY_ACCOUNTS_MAX accounts and
 *      IDENTITY_KEYS_MAX keys, at most two links away from the case's own
 *      account or key; a key that more than IDENTITY_SHARED_MAX accounts share
 *      is a shop's number or a placeholder, not one person's, and links
 *      nobody.
 */
#ifndef TD_IDENTITY_H
#define TD_IDENTITY_H
#include <stdbool.h>
#include <stdint.h>
#include "core/status.h"
#include "core/token.h"
#include "domain/domain.h"

#define IDENTITY_KEY_SZ (TOKEN_KEYED_HEX_LEN + 1)
#define IDENTITY_ACCOUNTS_MAX 8        /* accounts counted as one person, the case's own first */
#define IDENTITY_KEYS_MAX 8
#define IDENTITY_SHARED_MAX 4          /* a key on more accounts than this links nobody */
#define IDENTITY_CONTACT_SZ 280        /* a normalised contact: "mail:" + mailbox, "phone:", "id:" */

/* What the guard counts as one person: accounts and keys (with walk-in
 * visits under them). */
struct identity {
    int n_accounts;
    int64_t accounts[IDENTITY_ACCOUNTS_MAX];
    int n_keys;
    char keys[IDENTITY_KEYS_MAX][IDENTITY_KEY_SZ];
    bool visits[IDENTITY_KEYS_MAX];    /* walk-in visits under the key in the last 90 days (or not known) */
    int shared[IDENTITY_KEYS_MAX];     /* accounts that carry the key, up to IDENTITY_SHARED_MAX + 1; -1: not known */
};

/* The normalised forms one person reuses, and that are hashed: a phone
 * number as "phone:0612345678" (text_phone_normalize; a number in national
 * or 00-international form), a mailbox as "mail:jansmit@gmail.com"
 * (text_mailbox). TD_E_INVALID when s is neither. Pure. */
int identity_normal_phone(const char *s, char out[IDENTITY_CONTACT_SZ] /* OUT */) TD_MUST_CHECK;
int identity_normal_mail(const char *s, char out[IDENTITY_CONTACT_SZ] /* OUT */) TD_MUST_CHECK;
/* A walk-in's contact as the associate typed it: an e-mail address (it has
 * an '@'), a phone number, or an ID reference ("id:NLAB12CD3",
 * text_id_reference). TD_E_INVALID for anything else. Pure. */
int identity_normal_contact(const char *s, char out[IDENTITY_CONTACT_SZ] /* OUT */) TD_MUST_CHECK;

/* The key of a normalised contact under secret. Pure. */
void identity_key(const unsigned char secret[TOKEN_KEY_LEN], const char *normal, char out[IDENTITY_KEY_SZ] /* OUT */);

/* The database's identity secret. With create, a missing one is drawn at
 * random and stored (the caller's write transaction); without, a missing
 * one is TD_E_NOT_FOUND (no key was ever made). */
int identity_secret(struct db *db, int64_t now_us, int create, unsigned char out[TOKEN_KEY_LEN] /* OUT */) TD_MUST_CHECK;

/* Replaces the keys of customer id with those of email and phone (either
 * may be NULL or empty), inside the caller's transaction. */
int identity_set_customer(struct dctx *c, int64_t id, const char *email, const char *phone) TD_MUST_CHECK;

/* The key of a walk-in's contact (identity_normal_contact), creating the
 * secret if needed. TD_E_INVALID when the contact is none of the three. */
int identity_contact_key(struct dctx *c, const char *contact, char key[IDENTITY_KEY_SZ] /* OUT */) TD_MUST_CHECK;

/* The identity of a customer (customer_id, 0: none) or of a walk-in's key
 * (walk_in_key, NULL: none), as of now: see invariant (3). */
int identity_load(struct dctx *c, int64_t customer_id, const char *walk_in_key, struct identity *out /* OUT */) TD_MUST_CHECK;

/* Gives up to limit customers that existed before migration 0008 their keys
 * (identity_backfill), inside the caller's transaction; *left is how many
 * ids are still to do (0: done, nothing more to call for). */
int identity_backfill_step(struct dctx *c, int limit, int64_t *left /* OUT */) TD_MUST_CHECK;

/* Deletes walk-in keys and counts older than IDENTITY_WALK_IN_DAYS days
 * (the guard's longest window); *count says how many rows. */
#define IDENTITY_WALK_IN_DAYS 90
int identity_purge_walk_ins(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

/* Housekeeping (rows of api/jobs.def), each in a transaction of its own
 * (db_transact): identity_purge runs identity_purge_walk_ins (*count: rows
 * deleted); identity_backfill_run gives keys to up to 2,000 customers from
 * before migration 8 (*count: how many are still without). */
int identity_purge(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;
int identity_backfill_run(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
