/* test_worker.c — core/worker: the thread runs, sees the stop, is joined
 * once however often it is stopped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cmocka_main.h"
#include "core/worker.h"

struct waiter {
    struct worker w;
    int started, saw_stop;          /* under w.lock */
};

/* Says it runs, then waits on the condition until asked to stop. */
static void *wait_for_stop(void *arg)
{
    struct waiter *t = arg;
    pthread_mutex_lock(&t->w.lock);
    t->started = 1;
    pthread_cond_broadcast(&t->w.cv);
    while (!t->w.stopping) pthread_cond_wait(&t->w.cv, &t->w.lock);
    t->saw_stop = 1;
    pthread_mutex_unlock(&t->w.lock);
    return NULL;
}

static void stops_once(void **state)
{
    (void)state;
    struct waiter t = {0};
    assert_int_equal(worker_start(&t.w, wait_for_stop, &t), TD_OK);
    pthread_mutex_lock(&t.w.lock);
    while (!t.started) pthread_cond_wait(&t.w.cv, &t.w.lock);
    pthread_mutex_unlock(&t.w.lock);
    assert_int_equal(worker_stop(&t.w), 1);
    assert_int_equal(t.saw_stop, 1);           /* joined: the thread has ended */
    assert_int_equal(worker_stop(&t.w), 0);    /* a second stop does nothing */
    worker_destroy(&t.w);
}

TD_TEST_MAIN("worker", NULL, NULL, cmocka_unit_test(stops_once))
