/* txn.h — the one protocol every write request runs by: a transaction (its
 * own, or a savepoint inside a group commit), the idempotency key's stored
 * answer replayed or the handler run and its answer stored with its effect,
 * retries when the database is busy, and the error reply.
 *
 *   reset -> [replay | handler -> save] -> commit / release
 *                                       \-> rollback (+ the refusal stored when a retry cannot change it)
 */
#ifndef TD_TXN_H
#define TD_TXN_H
#include "api/api.h"
#include "domain/idempotency.h"

/* Clears what one attempt at a request leaves: problems, the answer so far,
 * the after-steps. */
void api_txn_reset(struct api_call *a);
/* A write in a transaction of its own on a->d.db, retried (with back-off)
 * while the database is busy; a refusal that a retry cannot change is
 * remembered under the key in a transaction of its own. TD_OK when the
 * request was answered (run or replayed); a->refusal_stored when the error
 * answer is already in place. */
int api_txn_own(struct api_call *a, const struct api_route *route, const struct idem_key *k) TD_MUST_CHECK;
/* The same inside an open transaction of the group-commit writer, in a
 * savepoint of its own: a refusal rolls back to it, and is remembered under
 * the key in the same transaction. */
int api_txn_savepoint(struct api_call *a, const struct api_route *route, const struct idem_key *k) TD_MUST_CHECK;

#endif
