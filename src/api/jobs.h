/* jobs.h — background work of a running server, on one scheduler thread:
 * the rows of jobs.def, each a module's own housekeeping (expiring credit
 * notes, forgetting remembered answers, sessions, back-off counters and
 * walk-ins' contacts, backfilling identity keys, purging old aggregates).
 * Every server runs it; the work is idempotent and each step is its own
 * short transaction, so several servers on one database do not get in each
 * other's way. */
#ifndef TD_JOBS_H
#define TD_JOBS_H
#include "api/app.h"
#include <stddef.h>

struct db_ticker;

/* One row of jobs.def. */
struct job {
    const char *name;
    int period_s;                 /* 0: every round */
    int (*fn)(struct db *db, int64_t now_us, int64_t *count /* OUT */);
    const char *log;              /* logged with the count when it is not 0, or NULL */
};

enum {
#define JOB(name, period_s, function, log) JOB_##name,
#include "api/jobs.def"
#undef JOB
    JOBS_N
};
extern const struct job jobs_table[JOBS_N];

int jobs_start(struct app *app, int interval_s, struct db_ticker **out /* OUT */) TD_MUST_CHECK;
/* Stopped with db_ticker_stop (db/db_ticker.h). */

/* One round of rows[0..n) at now_us: a row of period 0 runs; a row of period
 * p runs when the p-long slot of now_us is not slot[i], and on success
 * slot[i] becomes it. counts[i] (or NULL) gets the row's count, 0 when it did
 * not run. A row that fails is logged and the rows after it still run; the
 * first failure is returned. */
int jobs_run(struct db *db, int64_t now_us, const struct job *rows, size_t n, int64_t *slot,
             int64_t *counts /* OUT */) TD_MUST_CHECK;
/* Sets slot[i] for a round at now_us so that the periodic rows wait for their
 * next slot. */
void jobs_slots_init(const struct job *rows, size_t n, int64_t now_us, int64_t *slot /* OUT */);
/* One round of the every-round jobs, now (`trustdesk ledger expire`);
 * *expired is how many credit notes expired. */
int jobs_run_once(struct db *db, int64_t now_us, int *expired /* OUT */) TD_MUST_CHECK;

#endif
