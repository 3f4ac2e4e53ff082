/* db_ticker.c — see db_ticker.h. */
#include "db/db_ticker.h"
#include "core/ticker.h"
#include "db/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db_ticker {
    char db_url[1024];
    struct db *db;                /* opened on the ticker's thread */
    void (*tick)(struct db *db, void *state);
    struct ticker *ticker;
    _Alignas(max_align_t) unsigned char state[];   /* the caller's, copied */
};

static void on_tick(void *arg)
{
    struct db_ticker *t = arg;
    if (!t->db && db_open(t->db_url, &t->db) != TD_OK) t->db = NULL;
    if (t->db) t->tick(t->db, t->state);
}

int db_ticker_start(const char *db_url, int interval_s, void (*tick)(struct db *db, void *state),
                    const void *state, size_t size, struct db_ticker **out)
{
    *out = NULL;
    struct db_ticker *t = calloc(1, sizeof *t + size);
    if (!t) return TD_E_NOMEM;
    memcpy(t->state, state, size);
    if (snprintf(t->db_url, sizeof t->db_url, "%s", db_url) >= (int)sizeof t->db_url) {
        free(t);
        return TD_E_INVALID;
    }
    t->tick = tick;
    int rc = ticker_start(interval_s, on_tick, t, &t->ticker);
    if (rc != TD_OK) {
        free(t);
        return rc;
    }
    *out = t;
    return TD_OK;
}

void db_ticker_stop(struct db_ticker *t)
{
    if (!t) return;
    ticker_stop(t->ticker);
    db_close(t->db);
    free(t);
}
