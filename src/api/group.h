/* group.h — group commit for money-moving requests on SQLite.
 *
 * SQLite has one writer at a time and a durable commit costs an fsync. With
 * many tills at once, one writer thread takes every waiting request, runs
 * each inside its own SAVEPOINT of one transaction (a refused request rolls
 * back to its savepoint and leaves the others alone) and commits them all
 * with one fsync. When the writer is idle, a request runs on its own thread
 * as usual: handing a lone request over costs more than it saves. Every
 * request still sees all-or-nothing and its own
 * idempotency key in the same transaction as its effect. The requests'
 * connections are suspended meanwhile (http_defer), so no HTTP thread waits.
 *
 *   submitted --(writer takes the queue)--> running --COMMIT--> answered
 *                                                  \\--COMMIT fails--> all answered 503 / retried when busy
 */
#ifndef TD_GROUP_H
#define TD_GROUP_H
#include "api/api.h"
#include "domain/idempotency.h"

struct group;

int group_start(struct app *app, struct group **out /* OUT */) TD_MUST_CHECK;
/* Answers every queued request and stops the writer; later submissions are
 * refused (the caller then runs them inline). Accepts NULL. */
void group_stop(struct group *g);
/* Frees a group after group_stop and after nobody can submit (the HTTP
 * server is stopped). Accepts NULL. */
void group_free(struct group *g);
/* 1 when no other money request is queued, running or being run: a lone
 * request is then quicker run by its own thread than handed over (there is
 * no group to join). Every 1 must be followed by group_leave_inline(). */
int group_enter_inline(struct group *g);
void group_leave_inline(struct group *g);
/* Queues a request (a and k must live in the request's arena); the writer
 * answers it and calls http_complete(). TD_E_UNAVAILABLE when stopping. */
int group_submit(struct group *g, struct api_call *a, const struct api_route *route,
                 const struct idem_key *k) TD_MUST_CHECK;

#endif
