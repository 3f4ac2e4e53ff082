/* jobs.h — background work of a running server, on one scheduler thread:
 * expiring credit notes whose time has come (their balance is booked to
 * breakage), forgetting idempotency keys older than eight days, and
 * removing expired sessions. Every server runs it; the work is idempotent
 * and each step is its own short transaction, so several servers on one
 * database do not get in each other's way. */
#ifndef TD_JOBS_H
#define TD_JOBS_H
#include "api/app.h"

struct jobs;

int jobs_start(struct app *app, int interval_s, struct jobs **out /* OUT */) TD_MUST_CHECK;
void jobs_stop(struct jobs *j);                          /* accepts NULL */
/* One round of every job, now (also used by `trustdesk ledger expire`). */
int jobs_run_once(struct db *db, int64_t now_us, int *expired /* OUT */) TD_MUST_CHECK;

#endif
