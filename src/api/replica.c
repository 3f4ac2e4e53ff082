/* replica.c — the insight reads on the read replica (serve --read-db).
 *
 * Invariants:
 *  (1) only a route flagged API_REPLICA in routes.def runs here, and only
 *      after dispatch.c authenticated and checked its caller on the primary:
 *      sessions and tokens live there (a session made a moment ago may not
 *      have reached the replica yet), and so does every write;
 *  (2) the handler reads one snapshot: a REPEATABLE READ READ ONLY
 *      transaction of the replica, in which the lag is measured too
 *      (db_replica_state), so the lag said is that of the data read;
 *  (3) when the replica cannot answer — no connection, not a standby any
 *      more, cut off from the primary (no WAL receiver: it would look up to
 *      date however old it is), a lag it cannot tell, or a 5xx while the
 *      handler ran (the server went away, a recovery conflict cancelled the
 *      query, a migration not yet replayed) — the same handler runs again
 *      on the primary, and the answer says so. A 4xx is the handler's
 *      answer wherever it ran;
 *  (4) a replica that could not answer is not asked again for
 *      REPLICA_RETRY_US (its connection is closed at once, and one warning
 *      is logged per outage), so an outage costs no connect per request.
 *
 * Why the primary and not 503: the primary always has the newest data, so
 * falling back never shows anything staler than the replica would; the
 * insight reads are bounded queries on rollups that the primary answered
 * before replicas existed; a dashboard that goes blank whenever the
 * replica is restarted or rebuilt helps nobody. The price is load on the
 * primary during the outage, which the header makes visible.
 */
#include "api/replica.h"
#include "core/log.h"
#include "db/db.h"

#define REPLICA_RETRY_US (5LL * 1000000)

/* The replica cannot answer: close this thread's connection and keep every
 * thread off it for a while; the first to notice logs why. */
static void replica_down(struct api_call *a, const char *why)
{
    app_read_db_drop(a->app);
    int64_t before = __atomic_exchange_n(&a->app->read_retry_us, a->d.now_us + REPLICA_RETRY_US, __ATOMIC_RELAXED);
    if (before <= a->d.now_us)
        log_msg(LOG_WARN, "the read replica cannot answer: insight reads go to the primary", "why", why,
                "request_id", a->r->request_id, NULL);
}

/* The handler in a read snapshot of the replica. *failed says the replica
 * could not answer (then rc is not the answer). */
static int on_replica(struct api_call *a, const struct api_route *route, int *failed)
{
    struct db *primary = a->d.db, *rdb = NULL;
    struct db_replica st;
    const char *why = "cannot connect";
    *failed = 1;
    int rc = app_read_db(a->app, &rdb);
    if (rc == TD_OK) {
        why = "cannot read its state";
        rc = db_begin(rdb, 0);
        if (rc == TD_OK) rc = db_replica_state(rdb, &st);
    }
    if (rc == TD_OK) {
        why = !st.standby ? "it is not a standby (promoted?)"
              : !st.streaming ? "it receives no WAL from the primary"
              : st.lag_ms < 0 ? "it cannot tell how far behind it is" : NULL;
        if (why) rc = TD_E_UNAVAILABLE;
    }
    if (rc == TD_OK) {
        a->read_from = "replica";
        a->replica_lag_ms = st.lag_ms;
        a->d.db = rdb;
        rc = route->handler(a);
        a->d.db = primary;
        why = "a query failed on it";
        *failed = td_status_http(rc) >= 500;
    }
    if (rdb) db_rollback(rdb);                 /* read only: nothing to commit */
    if (*failed) replica_down(a, why);
    return rc;
}

int api_replica_run(struct api_call *a, const struct api_route *route)
{
    int failed = 1, rc = TD_E_UNAVAILABLE;
    if (a->d.now_us >= __atomic_load_n(&a->app->read_retry_us, __ATOMIC_RELAXED)) rc = on_replica(a, route, &failed);
    if (!failed) return rc;
    /* Whatever the replica's attempt left is not the answer. */
    errors_init(&a->err);
    buf_reset(&a->r->out);
    a->r->nheaders = 0;
    a->read_from = "primary";
    a->replica_lag_ms = 0;
    return route->handler(a);
}

void api_replica_headers(struct api_call *a)
{
    if (!a->read_from) return;
    TD_BEST_EFFORT(http_add_header(a->r, "X-Read-Source", a->read_from));
    if (a->read_from[0] != 'r') return;
    char *lag = arena_printf(&a->r->arena, "%lld", (long long)a->replica_lag_ms);
    if (lag) TD_BEST_EFFORT(http_add_header(a->r, "X-Replica-Lag-Ms", lag));
}
