/* idempotency.h — remembered answers of money-moving requests.
 *
 * A client sends an Idempotency-Key with a request; the key (per actor), a
 * hash of the request and the answer (status and body) are stored in the
 * same transaction as the request's effect. The same key with the same
 * request gets the stored answer; with another request it is refused.
 *
 *   (unknown) --idem_store--> STORED --(8 days, jobs.c)--> (forgotten)
 */
#ifndef TD_IDEMPOTENCY_H
#define TD_IDEMPOTENCY_H
#include "core/buf.h"
#include "core/token.h"
#include "domain/domain.h"

struct idem_key {
    const char *key;                        /* as sent; NULL: none */
    char scope[32];                         /* "staff:ID" */
    char hash[TOKEN_HASH_HEX_LEN + 1];      /* of method, path and body */
};

/* 1 when k is 1 to 200 visible ASCII characters. */
int idem_key_valid(const char *k);
/* Inside the caller's transaction: *found = 1 and the stored status and
 * body when the key is known for this request; TD_E_INVALID when the key
 * was used for another request. */
int idem_lookup(struct dctx *c, const struct idem_key *k, int *found /* OUT */, int *status /* OUT */,
                struct buf *body /* OUT */) TD_MUST_CHECK;
/* Stores an answer under the key inside the caller's transaction.
 * TD_E_BUSY when another request stored this key first (run it again: it
 * will find the stored answer). */
int idem_store(struct dctx *c, const struct idem_key *k, int status, const char *body) TD_MUST_CHECK;

#endif
