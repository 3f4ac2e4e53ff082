/* jobs.c — the scheduler thread (see jobs.h): every interval it runs one
 * round of the rows of jobs.def on its own connection. The jobs themselves
 * live in their modules; this file knows no table.
 */
#include "api/jobs.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_ticker.h"
#include "domain/clienteling_outreach.h"
#include "domain/desk_inputs.h"
#include "domain/facts.h"
#include "domain/identity.h"
#include "domain/idempotency.h"
#include "domain/ledger.h"
#include "domain/staff.h"
#include "domain/throttle.h"
#include <stdio.h>
#include <stdlib.h>

const struct job jobs_table[JOBS_N] = {
#define JOB(name, period_s, function, log) [JOB_##name] = {#name, period_s, function, log},
#include "api/jobs.def"
#undef JOB
};

struct jobs {
    struct app *app;
    int64_t slot[JOBS_N];        /* the slot each periodic job last ran in */
};

static int64_t slot_of(const struct job *row, int64_t now_us)
{
    return now_us / ((int64_t)row->period_s * 1000000);
}

void jobs_slots_init(const struct job *rows, size_t n, int64_t now_us, int64_t *slot)
{
    for (size_t i = 0; i < n; i++) slot[i] = rows[i].period_s > 0 ? slot_of(&rows[i], now_us) : 0;
}

int jobs_run(struct db *db, int64_t now_us, const struct job *rows, size_t n, int64_t *slot, int64_t *counts)
{
    int first = TD_OK;
    for (size_t i = 0; i < n; i++) {
        const struct job *row = &rows[i];
        int64_t count = 0;
        if (counts) counts[i] = 0;
        if (row->period_s > 0 && slot_of(row, now_us) == slot[i]) continue;
        int rc = row->fn(db, now_us, &count);
        if (rc != TD_OK) {
            log_msg(LOG_WARN, "background job failed", "job", row->name, "status", td_status_code(rc), NULL);
            if (first == TD_OK) first = rc;
            continue;
        }
        if (row->period_s > 0) slot[i] = slot_of(row, now_us);
        if (counts) counts[i] = count;
        if (row->log && count) {
            char c[24];
            snprintf(c, sizeof c, "%lld", (long long)count);
            log_msg(LOG_INFO, row->log, "count", c, NULL);
        }
    }
    return first;
}

int jobs_run_once(struct db *db, int64_t now_us, int *expired)
{
    int64_t slot[JOBS_N], counts[JOBS_N];
    jobs_slots_init(jobs_table, JOBS_N, now_us, slot);
    int rc = jobs_run(db, now_us, jobs_table, JOBS_N, slot, counts);
    *expired = (int)counts[JOB_ledger_expire];
    return rc;
}

/* One round, on the ticker's thread; jobs_run logs each failure, and the
 * next round tries again. */
static void tick(struct db *db, void *state)
{
    struct jobs *j = state;
    TD_BEST_EFFORT(jobs_run(db, clock_now_us(&j->app->clock), jobs_table, JOBS_N, j->slot, NULL));
}

int jobs_start(struct app *app, int interval_s, struct db_ticker **out)
{
    struct jobs j = {.app = app};
    jobs_slots_init(jobs_table, JOBS_N, clock_now_us(&app->clock), j.slot);
    return db_ticker_start(app->db_url, interval_s > 0 ? interval_s : 60, tick, &j, sizeof j, out);
}
