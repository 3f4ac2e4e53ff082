/* ticker.h — a thread that calls a function now and then every interval
 * until stopped: the scheduler's and the mail sender's loop, written once.
 *
 *   ticker_start -> running: tick(arg), wait interval_s (or until stopped),
 *                   tick(arg), ... -> ticker_stop: waits for a tick under
 *                   way to end, joins, frees
 */
#ifndef TD_TICKER_H
#define TD_TICKER_H
#include "core/status.h"

struct ticker;

/* Starts the thread; the first tick runs at once. tick runs on that thread
 * only, so what it keeps in arg (a database connection) is its own. */
int ticker_start(int interval_s, void (*tick)(void *arg), void *arg, struct ticker **out /* OUT */) TD_MUST_CHECK;
/* Stops and frees t (accepts NULL); arg is the caller's again afterwards. */
void ticker_stop(struct ticker *t);

#endif
