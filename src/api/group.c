/* group.c — the group-commit writer (see group.h).
 *
 * Invariants:
 *  (1) a request is answered exactly once: after the transaction that holds
 *      its effect committed, or with an error when it did not;
 *  (2) a request's effect and its idempotency record are released or rolled
 *      back together (one savepoint);
 *  (3) the writer owns its connection; nothing else writes through it.
 */
#include "api/group.h"
#include "api/txn.h"
#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"
#include <stdlib.h>
#include <string.h>

#define GROUP_MAX 128

struct pending {
    struct api_call *a;
    const struct api_route *route;
    const struct idem_key *k;
    int rc;
    struct pending *next;
};

struct group {
    struct app *app;
    struct db *db;
    struct worker w;                /* its lock guards the fields below too */
    struct pending *head, *tail;
    int running;                    /* the writer is busy with a batch */
    int inline_n;                   /* money requests running on their own threads */
};

/* Runs one request inside the open transaction, in its own savepoint. */
static int run_one(struct group *g, struct pending *p)
{
    p->a->d.db = g->db;
    return api_txn_savepoint(p->a, p->route, p->k);
}

static void answer(struct pending *p)
{
    struct api_call *a = p->a;
    if (p->rc != TD_OK && !a->refusal_stored) api_reply_error(a, p->rc);
    http_complete(a->r);
}

static void run_batch(struct group *g, struct pending *batch)
{
    int rc = TD_E_BUSY;
    for (int attempt = 0; attempt < 20 && rc == TD_E_BUSY; attempt++) {
        rc = db_begin(g->db, 1);
        if (rc != TD_OK) continue;
        for (struct pending *p = batch; p; p = p->next) {
            p->a->refusal_stored = 0;
            p->rc = run_one(g, p);
            if (p->rc == TD_E_BUSY || p->rc == TD_E_IO || p->rc == TD_E_DB || p->rc == TD_E_NOMEM) {
                rc = p->rc;               /* the transaction itself is in doubt */
                break;
            }
        }
        if (rc == TD_OK) rc = db_commit(g->db);
        if (rc != TD_OK) db_rollback(g->db);
    }
    for (struct pending *p = batch; p;) {
        struct pending *next = p->next;
        if (rc != TD_OK) {
            p->rc = rc;
            p->a->refusal_stored = 0;
        }
        /* The batch's transaction is over: the request's own write now. */
        if (p->a->after_end && p->a->after_end(p->a) != TD_OK)
            log_msg(LOG_WARN, "after-request step failed", "request_id", p->a->r->request_id, NULL);
        answer(p);
        p = next;
    }
}

static void *writer(void *arg)
{
    struct group *g = arg;
    pthread_mutex_lock(&g->w.lock);
    for (;;) {
        while (!g->head && !g->w.stopping) pthread_cond_wait(&g->w.cv, &g->w.lock);
        if (!g->head && g->w.stopping) break;
        struct pending *batch = g->head, *last = batch;
        int n = 1;
        while (last->next && n < GROUP_MAX) {
            last = last->next;
            n++;
        }
        g->head = last->next;
        if (!g->head) g->tail = NULL;
        last->next = NULL;
        g->running = 1;
        pthread_mutex_unlock(&g->w.lock);
        run_batch(g, batch);
        pthread_mutex_lock(&g->w.lock);
        g->running = 0;
    }
    pthread_mutex_unlock(&g->w.lock);
    return NULL;
}

int group_start(struct app *app, struct group **out)
{
    struct group *g = calloc(1, sizeof *g);
    if (!g) return TD_E_NOMEM;
    g->app = app;
    int rc = db_open(app->db_url, &g->db);
    if (rc != TD_OK) {
        free(g);
        return rc;
    }
    if ((rc = worker_start(&g->w, writer, g)) != TD_OK) {
        db_close(g->db);
        free(g);
        return rc;
    }
    *out = g;
    return TD_OK;
}

void group_stop(struct group *g)
{
    if (!g || !worker_stop(&g->w)) return;
    db_close(g->db);
    g->db = NULL;
}

void group_free(struct group *g)
{
    if (!g) return;
    group_stop(g);
    worker_destroy(&g->w);
    free(g);
}

int group_enter_inline(struct group *g)
{
    pthread_mutex_lock(&g->w.lock);
    int idle = !g->head && !g->running && g->inline_n == 0 && !g->w.stopping;
    if (idle) g->inline_n++;
    pthread_mutex_unlock(&g->w.lock);
    return idle;
}

void group_leave_inline(struct group *g)
{
    pthread_mutex_lock(&g->w.lock);
    g->inline_n--;
    pthread_mutex_unlock(&g->w.lock);
}

int group_submit(struct group *g, struct api_call *a, const struct api_route *route, const struct idem_key *k)
{
    struct pending *p = arena_alloc(&a->r->arena, sizeof *p);
    if (!p) return TD_E_NOMEM;
    memset(p, 0, sizeof *p);
    p->a = a;
    p->route = route;
    p->k = k;
    pthread_mutex_lock(&g->w.lock);
    if (g->w.stopping) {
        pthread_mutex_unlock(&g->w.lock);
        return TD_E_UNAVAILABLE;
    }
    http_defer(a->r);
    if (g->tail) g->tail->next = p;
    else g->head = p;
    g->tail = p;
    pthread_cond_signal(&g->w.cv);
    pthread_mutex_unlock(&g->w.lock);
    return TD_OK;
}
