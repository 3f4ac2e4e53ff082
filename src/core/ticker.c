/* ticker.c — see ticker.h. The wait is a timed wait on a condition, so that
 * ticker_stop ends it at once instead of after the interval. */
#include "core/ticker.h"
#include "core/worker.h"
#include <stdlib.h>
#include <time.h>

struct ticker {
    int interval_s;
    void (*tick)(void *arg);
    void *arg;
    struct worker w;
};

static void *loop(void *p)
{
    struct ticker *t = p;
    pthread_mutex_lock(&t->w.lock);
    while (!t->w.stopping) {
        pthread_mutex_unlock(&t->w.lock);
        t->tick(t->arg);
        pthread_mutex_lock(&t->w.lock);
        if (t->w.stopping) break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->interval_s;
        pthread_cond_timedwait(&t->w.cv, &t->w.lock, &until);
    }
    pthread_mutex_unlock(&t->w.lock);
    return NULL;
}

int ticker_start(int interval_s, void (*tick)(void *arg), void *arg, struct ticker **out)
{
    *out = NULL;
    struct ticker *t = calloc(1, sizeof *t);
    if (!t) return TD_E_NOMEM;
    t->interval_s = interval_s > 0 ? interval_s : 1;
    t->tick = tick;
    t->arg = arg;
    int rc = worker_start(&t->w, loop, t);
    if (rc == TD_OK) *out = t;
    else free(t);
    return rc;
}

void ticker_stop(struct ticker *t)
{
    if (!t) return;
    worker_stop(&t->w);
    worker_destroy(&t->w);
    free(t);
}
