/* worker.c — a thread with its lock and condition (see worker.h). */
#include "core/worker.h"

int worker_start(struct worker *w, void *(*fn)(void *arg), void *arg)
{
    w->stopping = 0;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, fn, arg) != 0) {
        worker_destroy(w);
        return TD_E_NOMEM;
    }
    return TD_OK;
}

int worker_stop(struct worker *w)
{
    pthread_mutex_lock(&w->lock);
    int first = !w->stopping;
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->lock);
    if (first) pthread_join(w->thread, NULL);
    return first;
}

void worker_destroy(struct worker *w)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->lock);
}
