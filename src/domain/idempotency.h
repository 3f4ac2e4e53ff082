/* idempotency.h — remembered answers of money-moving requests.
 *
 * A client sends an Idempotency-Key with a request; the key (per actor), a
 * hash of the request and the answer (status and body) are stored in the
 * same transaction as the request's effect. The same key with the same
 * request gets the stored answer; with another request it is refused.
 *
 * Invariants:
 *  (1) the database never holds an Idempotency-Key nor an answer in clear:
 *      a row is found by an id derived from the key, and its answer is
 *      sealed with another value derived from the key (token_derive), so a
 *      copy of the database without the client's keys cannot read the
 *      answers, nor the credit-note codes in them (docs/security.md);
 *  (2) a row records the customer its answer concerns; erasing the customer
 *      forgets the answer but keeps the key, so a retry is neither replayed
 *      with the customer's data nor run a second time.
 *
 *   (unknown) --idem_store--> SEALED --idem_forget_customer--> FORGOTTEN
 *   SEALED | FORGOTTEN --(8 days, jobs.c)--> (unknown)
 *   CLEAR: a row remembered before migration 0004 (found by the key as sent,
 *          its codes removed by the migration); forgotten like a sealed one.
 */
#ifndef TD_IDEMPOTENCY_H
#define TD_IDEMPOTENCY_H
#include <stddef.h>
#include "core/buf.h"
#include "core/token.h"
#include "domain/domain.h"

struct idem_key {
    const char *key;                        /* as sent; NULL: none */
    char scope[32];                         /* "staff:ID" */
    char hash[TOKEN_HASH_HEX_LEN + 1];      /* of method, path and body, keyed with seal */
    char plain_hash[TOKEN_HASH_HEX_LEN + 1];/* the same unkeyed: how rows stored before 0008 hold it */
    char id[TOKEN_HASH_HEX_LEN + 1];        /* what is stored of the key */
    unsigned char seal[TOKEN_KEY_LEN];      /* seals the answer; never stored */
};

enum idem_found {
    IDEM_NEW,                               /* not seen: run the request */
    IDEM_ANSWER,                            /* the remembered answer is in *status, *body */
    IDEM_FORGOTTEN,                         /* answered once; the answer was forgotten at an erasure */
};

/* 1 when k is 1 to 200 visible ASCII characters. */
int idem_key_valid(const char *k);
/* Fills k for a request of staff member staff_id with Idempotency-Key key
 * (which must be valid and outlive k): the scope, the request's hash, the id
 * and the seal. */
void idem_key_init(struct idem_key *k, int64_t staff_id, const char *key, const char *method, const char *path,
                   const void *body, size_t body_len);
/* Inside the caller's transaction: what is remembered under the key. *status
 * and *body are set for IDEM_ANSWER. TD_E_INVALID when the key was used for
 * another request; TD_E_INTERNAL when a sealed answer does not open (it was
 * altered): the request must not run again. */
int idem_lookup(struct dctx *c, const struct idem_key *k, enum idem_found *found /* OUT */, int *status /* OUT */,
                struct buf *body /* OUT */) TD_MUST_CHECK;
/* Stores an answer under the key inside the caller's transaction, sealed;
 * customer_id (0: none) is the customer the answer concerns. TD_E_BUSY when
 * another request stored this key first (run it again: it will find the
 * stored answer). */
int idem_store(struct dctx *c, const struct idem_key *k, int status, const char *body, int64_t customer_id) TD_MUST_CHECK;
/* Forgets every answer that concerns the customer (inside the erasure's
 * transaction); the keys stay until they expire. */
int idem_forget_customer(struct dctx *c, int64_t customer_id) TD_MUST_CHECK;

#define IDEM_KEEP_US (8LL * 86400 * 1000000)   /* promised: at least 7 days */
/* Housekeeping (a row of api/jobs.def): forgets the remembered answers older
 * than IDEM_KEEP_US, in autocommit; *count says how many. */
int idem_purge(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
