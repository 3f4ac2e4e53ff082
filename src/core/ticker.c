/* ticker.c — see ticker.h. The wait is a timed wait on a condition, so that
 * ticker_stop ends it at once instead of after the interval. */
#include "core/ticker.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
    int interval_s;
    void (*tick)(void *arg);
    void *arg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
};

static void *loop(void *p)
{
    struct ticker *t = p;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        pthread_mutex_unlock(&t->lock);
        t->tick(t->arg);
        pthread_mutex_lock(&t->lock);
        if (t->stopping) break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->interval_s;
        pthread_cond_timedwait(&t->wake, &t->lock, &until);
    }
    pthread_mutex_unlock(&t->lock);
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
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, loop, t) != 0) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return TD_E_NOMEM;
    }
    *out = t;
    return TD_OK;
}

void ticker_stop(struct ticker *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->lock);
    t->stopping = 1;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
