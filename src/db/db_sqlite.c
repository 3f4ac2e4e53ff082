/* db_sqlite.c — the SQLite backend of db.h.
 *
 * Invariants:
 *  (1) every connection runs in WAL mode with synchronous=FULL (a committed
 *      transaction survives a power cut), foreign keys on, secure_delete on
 *      (erased personal data is overwritten, not just unlinked);
 *  (2) a statement db.c caches (see db_backend.h) is prepared with
 *      SQLITE_PREPARE_PERSISTENT: it lives as long as the connection;
 *  (3) SQLITE_BUSY/LOCKED map to TD_E_BUSY so that db_transact() retries.
 *
 * Reads go through a memory map of up to 1 GiB (mmap_size): a search that
 * touches thousands of index pages then costs no read() per page. The
 * mapped pages are the kernel's page cache; they show in the process's
 * resident size once touched, but are not memory the process allocated.
 */
#include "db/db_backend.h"
#include "db/db_wal_vfs.h"
#include "core/log.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    int64_t changes;
};

/* The transaction statements, prepared once per connection: parsing
 * "BEGIN" and "COMMIT" again on every request cost a GET a tenth of its
 * time. */
enum { TX_BEGIN, TX_BEGIN_WRITE, TX_COMMIT, TX_ROLLBACK, TX_N };
static const char *const tx_sql[TX_N] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    sqlite3_stmt *tx[TX_N];
};

static struct sqlite_db *SDB(struct db *db) { return (struct sqlite_db *)db; }
static struct sqlite_stmt *SST(struct db_stmt *st) { return (struct sqlite_stmt *)st; }

static int map_rc(struct sqlite_db *d, int src)
{
    switch (src & 0xff) {
    case SQLITE_OK: return TD_OK;
    case SQLITE_ROW: return TD_ROW;
    case SQLITE_DONE: return TD_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return TD_E_BUSY;
    case SQLITE_CONSTRAINT: return TD_E_CONFLICT;
    case SQLITE_NOMEM: return TD_E_NOMEM;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: 
        log_msg(LOG_ERROR, "sqlite i/o error", "detail", sqlite3_errmsg(d->h), NULL);
        return TD_E_IO;
    default:
        log_msg(LOG_ERROR, "sqlite error", "detail", sqlite3_errmsg(d->h), NULL);
        return TD_E_DB;
    }
}

static void s_close(struct db *db)
{
    struct sqlite_db *d = SDB(db);
    for (int i = 0; i < TX_N; i++) sqlite3_finalize(d->tx[i]);
    sqlite3_close_v2(d->h);
    free(d);
}

static const char *s_errmsg(struct db *db) { return sqlite3_errmsg(SDB(db)->h); }

static int s_exec(struct db *db, const char *sql)
{
    struct sqlite_db *d = SDB(db);
    return map_rc(d, sqlite3_exec(d->h, sql, NULL, NULL, NULL));
}

static int s_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out)
{
    struct sqlite_db *d = SDB(db);
    struct sqlite_stmt *s = calloc(1, sizeof *s);
    if (!s) return TD_E_NOMEM;
    int rc = sqlite3_prepare_v3(d->h, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s->st, NULL);
    if (rc != SQLITE_OK) {
        log_msg(LOG_ERROR, "sqlite prepare failed", "detail", sqlite3_errmsg(d->h), NULL);
        free(s);
        return rc == SQLITE_NOMEM ? TD_E_NOMEM : TD_E_DB;
    }
    *out = &s->base;
    return TD_OK;
}

static void s_finalize(struct db_stmt *st)
{
    sqlite3_finalize(SST(st)->st);
    free(st);
}

static int s_param_count(struct db_stmt *st) { return sqlite3_bind_parameter_count(SST(st)->st); }

static int s_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return map_rc(SDB(st->db), sqlite3_bind_int64(SST(st)->st, idx, v));
}

static int s_bind_text(struct db_stmt *st, int idx, const char *s)
{
    struct sqlite_stmt *ss = SST(st);
    int rc = s ? sqlite3_bind_text(ss->st, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(ss->st, idx);
    return map_rc(SDB(st->db), rc);
}

static int s_bind_text_static(struct db_stmt *st, int idx, const char *s)
{
    struct sqlite_stmt *ss = SST(st);
    int rc = s ? sqlite3_bind_text(ss->st, idx, s, -1, SQLITE_STATIC) : sqlite3_bind_null(ss->st, idx);
    return map_rc(SDB(st->db), rc);
}

static int s_bind_null(struct db_stmt *st, int idx)
{
    return map_rc(SDB(st->db), sqlite3_bind_null(SST(st)->st, idx));
}

static int s_step(struct db_stmt *st)
{
    struct sqlite_stmt *ss = SST(st);
    struct sqlite_db *d = SDB(st->db);
    int rc = sqlite3_step(ss->st);
    if (rc == SQLITE_DONE) ss->changes = sqlite3_changes64(d->h);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        int td = map_rc(d, sqlite3_extended_errcode(d->h));
        sqlite3_reset(ss->st);
        return td;
    }
    return map_rc(d, rc);
}

static int64_t s_col_int64(struct db_stmt *st, int col) { return sqlite3_column_int64(SST(st)->st, col); }
static const char *s_col_text(struct db_stmt *st, int col) { return (const char *)sqlite3_column_text(SST(st)->st, col); }
static int s_col_is_null(struct db_stmt *st, int col) { return sqlite3_column_type(SST(st)->st, col) == SQLITE_NULL; }
static int s_col_count(struct db_stmt *st) { return sqlite3_column_count(SST(st)->st); }
static const char *s_col_name(struct db_stmt *st, int col) { return sqlite3_column_name(SST(st)->st, col); }
static int s_sync_ids(struct db *db, const char *table) { (void)db; (void)table; return TD_OK; }

static int64_t s_changes(struct db_stmt *st) { return SST(st)->changes; }

static int s_reset(struct db_stmt *st)
{
    sqlite3_reset(SST(st)->st);
    sqlite3_clear_bindings(SST(st)->st);
    SST(st)->changes = 0;
    return TD_OK;
}

static int s_tx(struct db *db, int which)
{
    struct sqlite_db *d = SDB(db);
    if (!d->tx[which]) {
        int rc = sqlite3_prepare_v3(d->h, tx_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &d->tx[which], NULL);
        if (rc != SQLITE_OK) return map_rc(d, rc);
    }
    int rc = sqlite3_step(d->tx[which]);
    sqlite3_reset(d->tx[which]);
    return map_rc(d, rc == SQLITE_DONE ? SQLITE_OK : rc);
}

static int s_begin(struct db *db, int write) { return s_tx(db, write ? TX_BEGIN_WRITE : TX_BEGIN); }
static int s_commit(struct db *db) { return s_tx(db, TX_COMMIT); }
static void s_rollback(struct db *db) { (void)s_tx(db, TX_ROLLBACK); }

static int s_purge_deleted(struct db *db)
{
    /* secure_delete already zeroed the freed cells in the pages; the WAL
     * still holds older page images until it is checkpointed and truncated. */
    struct sqlite_db *d = SDB(db);
    int logn = 0, ckpt = 0;
    int rc = sqlite3_wal_checkpoint_v2(d->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, &logn, &ckpt);
    if (rc != SQLITE_OK) return map_rc(d, rc);
    return TD_OK;
}

/* Bulk mode is for filling a brand-new database that nobody else has open
 * (the demo generator): no fsync, a 256 MiB page cache, the rollback journal
 * in memory instead of the WAL (pages are written once, not to the WAL and
 * again at checkpoint; a crash mid-load leaves a file to delete, which is
 * fine for a new database), and no foreign-key checks (the loader writes
 * consistent references; its tests run PRAGMA foreign_key_check). Leaving
 * bulk mode restores invariant (1). Both must run outside a transaction:
 * SQLite ignores foreign_keys and journal_mode changes inside one. */
static int s_bulk_mode(struct db *db, int on)
{
    if (on)
        return s_exec(db, "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
                          " PRAGMA cache_size=-262144");
    return s_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-8192;"
                      " PRAGMA foreign_keys=ON");
}

/* Reset by SQLite itself when the transaction ends. */
static int s_defer_foreign_keys(struct db *db) { return s_exec(db, "PRAGMA defer_foreign_keys=ON"); }

static const char *const s_placeholders[] = {
    "ID", "INTEGER PRIMARY KEY", "WITHOUT_ROWID", "WITHOUT ROWID", "BINARY", "", NULL,
};

static const struct db_ops sqlite_ops = {
    .backend = DB_SQLITE, .name = "sqlite",
    .close = s_close, .errmsg = s_errmsg, .exec = s_exec, .prepare = s_prepare,
    .finalize = s_finalize, .param_count = s_param_count,
    .bind_int64 = s_bind_int64, .bind_text = s_bind_text, .bind_text_static = s_bind_text_static, .bind_null = s_bind_null,
    .step = s_step, .col_int64 = s_col_int64, .col_text = s_col_text,
    .col_is_null = s_col_is_null, .col_count = s_col_count, .col_name = s_col_name, .sync_ids = s_sync_ids,
    .tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    .changes = s_changes, .reset = s_reset,
    .begin = s_begin, .commit = s_commit, .rollback = s_rollback,
    .purge_deleted = s_purge_deleted, .bulk_mode = s_bulk_mode, .defer_foreign_keys = s_defer_foreign_keys,
    .placeholders = s_placeholders,
    /* Indexes made by CREATE INDEX have their SQL in the catalogue; the
     * automatic ones behind PRIMARY KEY and UNIQUE have NULL there. */
    .index_list_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
                      " ORDER BY name",
};

/* SQLite's memory statistics (sqlite3_memory_used(), which nothing here
 * reads) take a process-wide mutex on every allocation it makes: off, once,
 * before the library initialises. Then the VFS that writes a commit's WAL
 * frames at once (db_wal_vfs.c); without it, the system's own. */
static const char *s_vfs;
static void s_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (db_wal_vfs_register() == SQLITE_OK) s_vfs = DB_WAL_VFS;
}

int db_sqlite_open(const char *path, struct db **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, s_configure);
    struct sqlite_db *d = calloc(1, sizeof *d);
    if (!d) return TD_E_NOMEM;
    d->base.ops = &sqlite_ops;
    int rc = sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, s_vfs);
    if (rc != SQLITE_OK) {
        log_msg(LOG_ERROR, "cannot open database", "path", path, "detail",
                d->h ? sqlite3_errmsg(d->h) : "out of memory", NULL);
        sqlite3_close_v2(d->h);
        free(d);
        return TD_E_IO;
    }
    sqlite3_busy_timeout(d->h, 5000);
    sqlite3_extended_result_codes(d->h, 1);
    rc = s_exec(&d->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                          " PRAGMA secure_delete=ON; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;"
                          " PRAGMA mmap_size=1073741824");
    if (rc != TD_OK) {
        s_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return TD_OK;
}
