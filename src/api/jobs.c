/* jobs.c — the scheduler thread (see jobs.h). */
#include "api/jobs.h"
#include "domain/facts.h"
#include "domain/identity.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/ledger.h"
#include "domain/staff.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct jobs {
    struct app *app;
    int interval_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int64_t purged_day;          /* the day the old per-day aggregates were last purged */
};

#define IDEMPOTENCY_KEEP_US (8LL * 86400 * 1000000)   /* promised: at least 7 days */

struct expire_arg { int64_t now; int count; };

static int expire_tx(struct db *db, void *arg)
{
    struct expire_arg *x = arg;
    struct dctx c = { .db = db, .now_us = x->now, .addr = "scheduler" };
    return ledger_expire_due(&c, 100, &x->count);
}

struct purge_arg { int64_t now, count; };

static int purge_walk_ins_tx(struct db *db, void *arg)
{
    struct purge_arg *p = arg;
    return identity_purge_walk_ins(db, p->now, &p->count);
}

#define BACKFILL_BATCH 2000

static int backfill_tx(struct db *db, void *arg)
{
    struct purge_arg *p = arg;
    struct dctx c = {.db = db, .now_us = p->now, .addr = "scheduler"};
    return identity_backfill_step(&c, BACKFILL_BATCH, &p->count);
}

static int exec_before(struct db *db, const char *sql, int64_t before)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_int64(st, 1, before)) == TD_OK) rc = db_step(st);
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

int jobs_run_once(struct db *db, int64_t now_us, int *expired)
{
    *expired = 0;
    int rc;
    for (;;) {
        struct expire_arg x = { now_us, 0 };
        if ((rc = db_transact(db, expire_tx, &x)) != TD_OK) return rc;
        *expired += x.count;
        if (x.count < 100) break;
    }
    rc = exec_before(db, "DELETE FROM idempotency_keys WHERE created_at < ?", now_us - IDEMPOTENCY_KEEP_US);
    if (rc == TD_OK) rc = exec_before(db, "DELETE FROM sessions WHERE last_seen_at < ?", now_us - SESSION_IDLE_US);
    if (rc == TD_OK) rc = exec_before(db, "DELETE FROM login_failures WHERE last_at < ?", now_us - 86400LL * 1000000);
    /* A walk-in's contact key lives no longer than the guard's longest
     * window reads it (docs/policy.md, "Walk-ins"): every run, not once a
     * day, so that the promise holds to the minute. */
    struct purge_arg p = {now_us, 0};
    if (rc == TD_OK) rc = db_transact(db, purge_walk_ins_tx, &p);
    /* Identity keys for customers from before 0008, a batch per run. */
    struct purge_arg b = {now_us, 0};
    if (rc == TD_OK) rc = db_transact(db, backfill_tx, &b);
    return rc;
}

static void *loop(void *arg)
{
    struct jobs *j = arg;
    struct db *db = NULL;
    pthread_mutex_lock(&j->lock);
    while (!j->stopping) {
        pthread_mutex_unlock(&j->lock);
        if (!db && db_open(j->app->db_url, &db) != TD_OK) db = NULL;
        if (db) {
            int expired = 0;
            int rc = jobs_run_once(db, clock_now_us(&j->app->clock), &expired);
            if (rc != TD_OK) log_msg(LOG_WARN, "background jobs failed", "status", td_status_code(rc), NULL);
            /* Once a day: per-day aggregates older than the windows need. */
            int64_t now = clock_now_us(&j->app->clock), purged = 0;
            if (now / FACTS_DAY_US != j->purged_day) {
                rc = facts_purge_old(db, now, &purged);
                if (rc == TD_OK) j->purged_day = now / FACTS_DAY_US;
                else log_msg(LOG_WARN, "purging old aggregates failed", "status", td_status_code(rc), NULL);
            }
            if (expired) {
                char n[16];
                snprintf(n, sizeof n, "%d", expired);
                log_msg(LOG_INFO, "credit notes expired", "count", n, NULL);
            }
        }
        pthread_mutex_lock(&j->lock);
        if (j->stopping) break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += j->interval_s;
        pthread_cond_timedwait(&j->wake, &j->lock, &until);
    }
    pthread_mutex_unlock(&j->lock);
    db_close(db);
    return NULL;
}

int jobs_start(struct app *app, int interval_s, struct jobs **out)
{
    struct jobs *j = calloc(1, sizeof *j);
    if (!j) return TD_E_NOMEM;
    j->app = app;
    j->interval_s = interval_s > 0 ? interval_s : 60;
    /* The first purge of old per-day aggregates waits for the next day: at
     * start it would scan those tables while the server should be ready. */
    j->purged_day = clock_now_us(&app->clock) / FACTS_DAY_US;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->wake, NULL);
    if (pthread_create(&j->thread, NULL, loop, j) != 0) {
        free(j);
        return TD_E_NOMEM;
    }
    *out = j;
    return TD_OK;
}

void jobs_stop(struct jobs *j)
{
    if (!j) return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
    pthread_join(j->thread, NULL);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->lock);
    free(j);
}
