/* app.h — the one application object: configuration, clock, and each
 * worker thread's own database connection. Created by `trustdesk serve`,
 * passed down; there are no other globals (but for the metrics table). */
#ifndef TD_APP_H
#define TD_APP_H
#include <pthread.h>
#include "core/clock.h"
#include "core/status.h"
#include "domain/ledger.h"

struct db;
struct group;

struct app {
    char db_url[1024];
    struct clock clock;
    pthread_key_t db_key;        /* this thread's struct db * */
    int secure_cookies;          /* add "Secure" to the session cookie (behind TLS) */
    char web_dir[1024];          /* built web app, served at / ("" for none) */
    size_t max_body;             /* ordinary request bodies (default API_BODY_MAX) */
    struct ledger_config ledger; /* credit-note validity, associates' limit */
    struct group *group;         /* group-commit writer (SQLite), NULL when off */
    char metrics_token[128];     /* when set, /metrics needs it as a Bearer token */
    int max_uploads;             /* large bodies (CSV imports) received at once */
    int uploads_in_flight;       /* atomic: how many are being received now */
    /* --read-db: a PostgreSQL streaming replica for the API_REPLICA routes
     * ("" for none), each worker thread's own connection to it, and the
     * time before which a replica that could not answer is not asked again
     * (atomic; api/replica.c: its reads go to the primary meanwhile). */
    char read_db_url[1024];
    pthread_key_t read_key;
    int64_t read_retry_us;
};

int app_init(struct app *a, const char *db_url) TD_MUST_CHECK;
void app_free(struct app *a);
/* This thread's connection, opened on first use and closed when the thread
 * ends. The caller must not close it. */
int app_db(struct app *a, struct db **out /* OUT */) TD_MUST_CHECK;

/* This thread's connection to the replica (--read-db), opened on first
 * use; TD_E_UNAVAILABLE without --read-db or when it cannot connect. The
 * caller must not close it; app_read_db_drop() does, after it failed, so
 * the next use connects afresh. */
int app_read_db(struct app *a, struct db **out /* OUT */) TD_MUST_CHECK;
void app_read_db_drop(struct app *a);

#endif
