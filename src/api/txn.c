/* txn.c — the request protocol of txn.h, written once for both modes.
 *
 * Invariants:
 *  (1) a request's effect and its key's answer commit together or not at
 *      all (one transaction, or one savepoint of the group's);
 *  (2) a key already answered is replayed, never run again, and a key used
 *      for another request is refused (422);
 *  (3) a refusal that a retry cannot change (api_txn_deterministic) is
 *      remembered under the key as well, so a retry gets the same answer.
 */
#include "api/txn.h"
#include "core/json_safe.h"
#include "db/db.h"
#include <time.h>

void api_txn_reset(struct api_call *a)
{
    errors_init(&a->err);
    a->commit_on_error = 0;
    a->after_commit = NULL;
    a->after_end = NULL;
    a->customer_id = 0;
    buf_reset(&a->r->out);
    a->r->nheaders = 0;
}

static int replay(struct api_call *a, const struct idem_key *k, int *found)
{
    int status = 0;
    enum idem_found what = IDEM_NEW;
    int rc = idem_lookup(&a->d, k, &what, &status, &a->r->out);
    *found = what != IDEM_NEW;
    if (rc == TD_E_INVALID) {
        errors_add(&a->err, "Idempotency-Key", "was used before for a different request");
        return rc;
    }
    if (rc != TD_OK) return rc;
    if (what == IDEM_FORGOTTEN) {
        /* Not run again (it was answered), not replayed (the answer named a
         * customer who has been erased since). */
        errors_set_message(&a->err, "this request was answered before; the answer was forgotten when the customer it"
                                    " concerned was erased");
        api_reply_error(a, TD_E_CONFLICT);
    } else if (what == IDEM_ANSWER) {
        a->r->status = status;
        a->r->content_type = "application/json";
    }
    if (*found) rc = http_add_header(a->r, "Idempotent-Replayed", "true");
    return rc;
}

static int save(struct api_call *a, const struct idem_key *k)
{
    return idem_store(&a->d, k, a->r->status, a->r->out.data, a->customer_id);
}

/* Answers worth remembering under a key: the effect happened (2xx), or it
 * was refused for a reason that a retry cannot change. */
static int deterministic(int rc)
{
    return rc == TD_E_CONFLICT || rc == TD_E_INVALID || rc == TD_E_NOT_FOUND || rc == TD_E_BAD_REQUEST ||
           rc == TD_E_FORBIDDEN;
}

/* Inside the open transaction or savepoint: replay, or run and save.
 * *ran says whether the handler ran (only its refusals are remembered; a
 * key that cannot be replayed is refused without touching it). */
static int body(struct api_call *a, const struct api_route *route, const struct idem_key *k, int *replayed, int *ran)
{
    *replayed = 0;
    *ran = 0;
    int rc = k->key ? replay(a, k, replayed) : TD_OK;
    if (rc != TD_OK || *replayed) return rc;
    *ran = 1;
    unsigned long lost = json_safe_failures();
    rc = route->handler(a);
    /* jansson ran out of memory on the way (core/json_safe.h): whatever the
     * handler made of it, the request did not happen, and a retry may. */
    if (json_safe_failures() != lost) rc = TD_E_NOMEM;
    if (rc == TD_OK && k->key) rc = save(a, k);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int api_txn_own(struct api_call *a, const struct api_route *route, const struct idem_key *k)
{
    int rc = TD_E_BUSY;
    for (int attempt = 0; attempt < 12 && rc == TD_E_BUSY; attempt++) {
        if (attempt) sleep_ms(1L << (attempt < 7 ? attempt : 7));
        api_txn_reset(a);
        rc = db_begin(a->d.db, 1);
        if (rc == TD_E_BUSY) continue;
        if (rc != TD_OK) break;
        int replayed = 0, ran = 0;
        rc = body(a, route, k, &replayed, &ran);
        if (replayed && rc == TD_OK) {
            db_rollback(a->d.db);              /* a replay changes nothing */
            return TD_OK;
        }
        if (rc == TD_OK || a->commit_on_error) {
            int crc = db_commit(a->d.db);
            if (crc != TD_OK) {
                db_rollback(a->d.db);
                rc = crc;
            }
            continue;
        }
        db_rollback(a->d.db);
        if (!ran || !k->key || !deterministic(rc)) continue;
        /* Remember the refusal too, in a transaction of its own. */
        api_reply_error(a, rc);
        int src = db_begin(a->d.db, 1);
        if (src == TD_OK) src = save(a, k);
        if (src == TD_OK) src = db_commit(a->d.db);
        if (src != TD_OK) db_rollback(a->d.db);
        if (src == TD_E_BUSY) {
            rc = TD_E_BUSY;                    /* someone stored this key first: replay theirs */
            continue;
        }
        a->refusal_stored = 1;                 /* the error answer is already in place */
    }
    return rc;
}

int api_txn_savepoint(struct api_call *a, const struct api_route *route, const struct idem_key *k)
{
    api_txn_reset(a);
    int rc = db_exec(a->d.db, "SAVEPOINT one_request");
    if (rc != TD_OK) return rc;
    int replayed = 0, ran = 0;
    rc = body(a, route, k, &replayed, &ran);
    if (rc == TD_OK || a->commit_on_error) return db_exec(a->d.db, "RELEASE one_request") == TD_OK ? rc : TD_E_DB;
    int undo = db_exec(a->d.db, "ROLLBACK TO one_request");
    if (undo == TD_OK) undo = db_exec(a->d.db, "RELEASE one_request");
    if (undo != TD_OK) return undo;
    if (ran && k->key && deterministic(rc)) {
        /* Remember the refusal under the key, in the same transaction. */
        api_reply_error(a, rc);
        if (save(a, k) == TD_OK) a->refusal_stored = 1;
    }
    return rc;
}
