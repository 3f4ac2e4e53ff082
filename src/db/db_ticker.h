/* db_ticker.h — a ticker (core/ticker.h) with its own database connection:
 * the scheduler's and the mail sender's background thread, written once.
 *
 * The connection is opened on the ticker's thread at its first tick, and
 * again at a later tick when opening failed (the database was away); tick
 * runs only when it is open. The ticker keeps its own copy of the caller's
 * state (size bytes), which tick alone reads and changes. db_ticker_stop
 * waits for a tick under way, closes the connection and frees.
 */
#ifndef TD_DB_TICKER_H
#define TD_DB_TICKER_H
#include <stddef.h>
#include "core/status.h"

struct db;
struct db_ticker;

int db_ticker_start(const char *db_url, int interval_s, void (*tick)(struct db *db, void *state),
                    const void *state, size_t size, struct db_ticker **out /* OUT */) TD_MUST_CHECK;
/* Stops and frees t (accepts NULL). */
void db_ticker_stop(struct db_ticker *t);

#endif
