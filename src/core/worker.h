/* worker.h — a thread of one's own with the lock and the condition it waits
 * on, started and stopped one way: what the ticker and the group-commit
 * writer (api/group.c) share.
 *
 *   worker_start -> running: fn(arg) on the thread, which waits on cv under
 *                   lock and returns once it sees stopping
 *   -> worker_stop: stopping set under the lock, cv signalled, the thread
 *                   joined (a second stop does nothing)
 *   -> worker_destroy: the lock and the condition released
 *
 * The struct lives inside its owner's; the owner's own state that the
 * thread shares is kept under the same lock.
 */
#ifndef TD_WORKER_H
#define TD_WORKER_H
#include <pthread.h>
#include "core/status.h"

struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int stopping;                   /* under lock; set once, by worker_stop */
};

/* Makes the lock and the condition and starts fn(arg) on a new thread.
 * TD_E_NOMEM when no thread can be made; w then needs no worker_destroy. */
int worker_start(struct worker *w, void *(*fn)(void *arg), void *arg) TD_MUST_CHECK;
/* Asks the thread to stop and waits until it has: 1 when this call stopped
 * it, 0 when an earlier call had. */
int worker_stop(struct worker *w);
/* Releases the lock and the condition of a stopped worker. */
void worker_destroy(struct worker *w);

#endif
