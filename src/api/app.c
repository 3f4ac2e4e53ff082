/* app.c — configuration and per-thread connections (see app.h). */
#include "api/app.h"
#include "core/json_safe.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>

static void close_db(void *p) { db_close(p); }

int app_init(struct app *a, const char *db_url)
{
    memset(a, 0, sizeof *a);
    json_safe_watch();                                      /* before the server's threads (api/txn.c) */
    if (snprintf(a->db_url, sizeof a->db_url, "%s", db_url) >= (int)sizeof a->db_url) return TD_E_INVALID;
    if (pthread_key_create(&a->db_key, close_db) != 0) return TD_E_NOMEM;
    if (pthread_key_create(&a->read_key, close_db) != 0) {
        pthread_key_delete(a->db_key);
        return TD_E_NOMEM;
    }
    a->ledger.validity_us = 730LL * 86400 * 1000000;        /* two years */
    a->ledger.associate_limit_cents = 50000;                /* EUR 500 */
    a->ledger.associate_daily_cents = 100000;               /* EUR 1,000 per 24 hours outside the desk */
    return TD_OK;
}

void app_free(struct app *a)
{
    struct db *db = pthread_getspecific(a->db_key);
    if (db) {
        db_close(db);
        pthread_setspecific(a->db_key, NULL);
    }
    pthread_key_delete(a->db_key);
    app_read_db_drop(a);
    pthread_key_delete(a->read_key);
}

/* The connection of this thread under key, opened to url on first use. */
static int thread_db(pthread_key_t key, const char *url, struct db **out)
{
    struct db *db = pthread_getspecific(key);
    if (!db) {
        int rc = db_open(url, &db);
        if (rc != TD_OK) return rc;
        if (pthread_setspecific(key, db) != 0) {
            db_close(db);
            return TD_E_NOMEM;
        }
    }
    *out = db;
    return TD_OK;
}

int app_db(struct app *a, struct db **out) { return thread_db(a->db_key, a->db_url, out); }

int app_read_db(struct app *a, struct db **out)
{
    *out = NULL;
    if (!a->read_db_url[0]) return TD_E_UNAVAILABLE;
    return thread_db(a->read_key, a->read_db_url, out) == TD_OK ? TD_OK : TD_E_UNAVAILABLE;
}

void app_read_db_drop(struct app *a)
{
    struct db *db = pthread_getspecific(a->read_key);
    if (!db) return;
    db_close(db);
    pthread_setspecific(a->read_key, NULL);
}
