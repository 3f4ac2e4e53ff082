/* replica.h — the insight reads (routes flagged API_REPLICA) on the read
 * replica of `serve --read-db`, falling back to the primary. */
#ifndef TD_REPLICA_H
#define TD_REPLICA_H
#include "api/api.h"

/* Runs route's handler for an authenticated caller: in a read snapshot of
 * the replica, or on the primary (a->d.db) when the replica cannot answer.
 * Sets a->read_from (and a->replica_lag_ms); returns the handler's status.
 * Call only with --read-db (a->app->read_db_url set). */
int api_replica_run(struct api_call *a, const struct api_route *route) TD_MUST_CHECK;
/* X-Read-Source and, from the replica, X-Replica-Lag-Ms on the answer as it
 * finally is (an error reply clears the headers before: call it last). */
void api_replica_headers(struct api_call *a);

#endif
