/* db.c — backend dispatch, transactions with retry, embedded migrations.
 *
 * Migration files are shared by all backends. Where the dialects differ in
 * DDL, a file writes a placeholder that each backend replaces:
 *   @ID@             an auto-assigned 64-bit primary key column type
 *   @WITHOUT_ROWID@  SQLite's clustered-table clause (empty elsewhere)
 *   @BINARY@         byte-order collation for prefix range scans
 * Where whole statements differ (triggers), a line "-- @backend sqlite" or
 * "-- @backend postgres" starts a part only that backend runs, and
 * "-- @backend all" ends it. What every migration needs on a backend (on
 * PostgreSQL: every foreign key deferrable) its ops run after each one.
 *
 * db_index_drop/db_index_restore keep the definitions the catalogue gave,
 * byte for byte, so a bulk load ends with the schema the migrations made.
 */
#include "db/db_backend.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int db_open(const char *url, struct db **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0) return db_sqlite_open(url + 7, out);
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return db_pg_open(url, out);
    if (strstr(url, "://")) return TD_E_INVALID;
    return db_sqlite_open(url, out);
}

/* ---- the statement cache ---------------------------------------------------
 *
 * Keyed by the address of the SQL text, open addressing with linear probes,
 * at most half full. A cached statement is lent out by db_prepare and comes
 * back at db_done; while it is out, a nested db_prepare of the same SQL gets
 * a private statement, which db_done frees. */

static size_t slot_of(const void *key, size_t cap)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 7) & (cap - 1);
}

static struct db_stmt *cache_get(struct db *db, const char *key)
{
    if (!db->cache_cap) return NULL;
    for (size_t j = slot_of(key, db->cache_cap); db->cache[j]; j = (j + 1) & (db->cache_cap - 1))
        if (db->cache[j]->key == key) return db->cache[j];
    return NULL;
}

static void cache_insert(struct db_stmt **slots, size_t cap, struct db_stmt *s)
{
    size_t j = slot_of(s->key, cap);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = s;
}

/* Makes room for one more statement, before it is prepared, so that
 * keeping it cannot fail afterwards. */
static int cache_reserve(struct db *db)
{
    if ((db->cache_n + 1) * 2 <= db->cache_cap) return TD_OK;
    size_t ncap = db->cache_cap ? db->cache_cap * 2 : 64;
    struct db_stmt **n = calloc(ncap, sizeof *n);
    if (!n) return TD_E_NOMEM;
    for (size_t i = 0; i < db->cache_cap; i++)
        if (db->cache[i]) cache_insert(n, ncap, db->cache[i]);
    free(db->cache);
    db->cache = n;
    db->cache_cap = ncap;
    return TD_OK;
}

/* A statement from the backend, its header filled in; key != NULL keeps it
 * in the cache. */
static int prepare_new(struct db *db, const char *sql, const char *key, struct db_stmt **out)
{
    int rc = key ? cache_reserve(db) : TD_OK;
    if (rc == TD_OK) rc = db->ops->prepare(db, sql, key != NULL, out);
    if (rc != TD_OK) return rc;
    (*out)->db = db;
    (*out)->key = key;
    (*out)->in_use = 1;
    if (key) {
        cache_insert(db->cache, db->cache_cap, *out);
        db->cache_n++;
    }
    return TD_OK;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct db_stmt *s = cache_get(db, sql);
    if (s && !s->in_use) {
        s->in_use = 1;
        *out = s;
        return TD_OK;
    }
    return prepare_new(db, sql, s ? NULL : sql, out);
}

int db_prepare_dynamic(struct db *db, const char *sql, struct db_stmt **out) { return prepare_new(db, sql, NULL, out); }

int db_prepare_planned(struct db *db, const char *sql, struct db_stmt **out)
{
    return db->ops->backend == DB_POSTGRES ? prepare_new(db, sql, NULL, out) : db_prepare(db, sql, out);
}

void db_done(struct db_stmt *st)
{
    if (!st) return;
    TD_BEST_EFFORT(st->db->ops->reset(st));
    if (st->key) st->in_use = 0;
    else st->db->ops->finalize(st);
}

void db_close(struct db *db)
{
    if (!db) return;
    for (size_t i = 0; i < db->cache_cap; i++)
        if (db->cache[i]) db->ops->finalize(db->cache[i]);
    free(db->cache);
    db->ops->close(db);
}

enum db_backend db_backend(const struct db *db) { return db->ops->backend; }
const char *db_errmsg(struct db *db) { return db->ops->errmsg(db); }
int db_exec(struct db *db, const char *sql) { return db->ops->exec(db, sql); }
int db_bind_int64(struct db_stmt *st, int idx, int64_t v) { return st->db->ops->bind_int64(st, idx, v); }
int db_bind_text(struct db_stmt *st, int idx, const char *s) { return st->db->ops->bind_text(st, idx, s); }
int db_bind_text_static(struct db_stmt *st, int idx, const char *s)
{
    const struct db_ops *o = st->db->ops;
    return o->bind_text_static ? o->bind_text_static(st, idx, s) : o->bind_text(st, idx, s);
}
int db_bind_null(struct db_stmt *st, int idx) { return st->db->ops->bind_null(st, idx); }
/* 1 when an injected fault is due now (see db_fault_at). */
static int fault_due(struct db *db)
{
    if (db->fault_countdown <= 0) return 0;
    return --db->fault_countdown == 0;
}

void db_fault_at(struct db *db, long n) { db->fault_countdown = n > 0 ? n : 0; }
int db_fault_armed(const struct db *db) { return db->fault_countdown > 0; }

int db_step(struct db_stmt *st) { return fault_due(st->db) ? TD_E_IO : st->db->ops->step(st); }
int64_t db_col_int64(struct db_stmt *st, int col) { return st->db->ops->col_int64(st, col); }
const char *db_col_text(struct db_stmt *st, int col) { return st->db->ops->col_text(st, col); }
int db_col_is_null(struct db_stmt *st, int col) { return st->db->ops->col_is_null(st, col); }
int db_col_count(struct db_stmt *st) { return st->db->ops->col_count(st); }
const char *db_col_name(struct db_stmt *st, int col) { return st->db->ops->col_name(st, col); }
int db_sync_ids(struct db *db, const char *table) { return db->ops->sync_ids(db, table); }

/* ---- bulk loading ---------------------------------------------------------- */

struct db_loader {
    struct db *db;
    int ncols;
    int rc;                   /* first failure */
    struct db_stmt *ins;      /* INSERT path */
    struct buf rows;          /* COPY path: pending text-format rows */
};

int db_loader_begin(struct db *db, const char *table, const char *const *cols, int ncols, struct db_loader **out)
{
    struct db_loader *l = calloc(1, sizeof *l);
    if (!l) return TD_E_NOMEM;
    l->db = db;
    l->ncols = ncols;
    buf_init(&l->rows, 1u << 20);
    struct buf sql;
    buf_init(&sql, 64 * 1024);
    int rc = buf_printf(&sql, db->ops->copy_begin ? "COPY %s (" : "INSERT INTO %s (", table);
    for (int i = 0; i < ncols && rc == TD_OK; i++) rc = buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
    if (rc == TD_OK && db->ops->copy_begin) {
        rc = buf_puts(&sql, ") FROM STDIN");
        if (rc == TD_OK) rc = db->ops->copy_begin(db, sql.data);
    } else if (rc == TD_OK) {
        rc = buf_puts(&sql, ") VALUES (");
        for (int i = 0; i < ncols && rc == TD_OK; i++) rc = buf_puts(&sql, i ? ", ?" : "?");
        if (rc == TD_OK) rc = buf_putc(&sql, ')');
        if (rc == TD_OK) rc = db_prepare_dynamic(db, sql.data, &l->ins);
    }
    buf_free(&sql);
    if (rc != TD_OK) {
        buf_free(&l->rows);
        free(l);
        return rc;
    }
    *out = l;
    return TD_OK;
}

/* Appends one value in COPY's text format: \N for NULL; backslash, tab,
 * newline and carriage return escaped. */
static int copy_value(struct buf *b, const char *v)
{
    static const char *const escapes[] = {"\\\\", "\\t", "\\n", "\\r"};
    return v ? buf_put_escaped(b, v, "\\\t\n\r", escapes) : buf_puts(b, "\\N");
}

static int loader_flush(struct db_loader *l)
{
    if (!l->rows.len) return TD_OK;
    int rc = l->db->ops->copy_put(l->db, l->rows.data, l->rows.len);
    buf_reset(&l->rows);
    return rc;
}

int db_loader_row(struct db_loader *l, const char *const *vals)
{
    if (l->rc != TD_OK) return l->rc;
    int rc = TD_OK;
    if (l->ins) {
        for (int i = 0; i < l->ncols && rc == TD_OK; i++) rc = db_bind_text(l->ins, i + 1, vals[i]);
        if (rc == TD_OK) rc = db_step(l->ins);
        if (rc == TD_DONE) rc = db_reset(l->ins);
    } else {
        if (l->rows.len > (1u << 19) && (rc = loader_flush(l)) != TD_OK) goto out;
        for (int i = 0; i < l->ncols && rc == TD_OK; i++) {
            if (i) rc = buf_putc(&l->rows, '\t');
            if (rc == TD_OK) rc = copy_value(&l->rows, vals[i]);
        }
        if (rc == TD_OK) rc = buf_putc(&l->rows, '\n');
    }
out:
    l->rc = rc;
    return rc;
}

int db_loader_end(struct db_loader *l)
{
    int rc = l->rc;
    if (l->ins) {
        db_done(l->ins);
    } else {
        if (rc == TD_OK) rc = loader_flush(l);
        int end = l->db->ops->copy_end(l->db, rc == TD_OK);
        if (rc == TD_OK) rc = end;
    }
    buf_free(&l->rows);
    free(l);
    return rc;
}

int db_tables(struct db *db, char out[][64], size_t max, size_t *n)
{
    /* Foreign keys point from later migrations' tables to earlier ones and,
     * inside the foundation, from children to parents created before them;
     * creation order (rowid in sqlite_master, oid in pg_class) respects that. */
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, db->ops->tables_sql, &st);
    if (rc != TD_OK) return rc;
    while ((rc = db_step(st)) == TD_ROW) {
        const char *name = db_col_text(st, 0);
        if (!name || strlen(name) >= 64) continue;
        if (*n >= max) {
            rc = TD_E_TOO_LARGE;
            break;
        }
        memcpy(out[*n], name, strlen(name) + 1);
        (*n)++;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    return rc;
}

int64_t db_changes(struct db_stmt *st) { return st->db->ops->changes(st); }
int db_reset(struct db_stmt *st) { return st->db->ops->reset(st); }
int db_purge_deleted(struct db *db) { return db->ops->purge_deleted(db); }
int db_bulk_mode(struct db *db, int on) { return db->ops->bulk_mode(db, on); }
int db_defer_foreign_keys(struct db *db) { return db->in_tx ? db->ops->defer_foreign_keys(db) : TD_E_INTERNAL; }

int db_begin(struct db *db, int write)
{
    int rc = db->ops->begin(db, write);
    if (rc == TD_OK) db->in_tx = 1;
    return rc;
}

int db_in_tx(const struct db *db) { return db->in_tx; }

int db_commit(struct db *db)
{
    int rc = fault_due(db) ? TD_E_IO : db->ops->commit(db);
    if (rc == TD_OK) db->in_tx = 0;
    return rc;
}

void db_rollback(struct db *db)
{
    if (!db->in_tx) return;
    db->ops->rollback(db);
    db->in_tx = 0;
}

int db_vbindf(struct db_stmt *st, const char *fmt, va_list ap)
{
    /* A format that does not match the statement is a programming error
     * that would otherwise run the statement with NULLs or fail later. */
    if ((int)strlen(fmt) != st->db->ops->param_count(st)) {
        log_msg(LOG_ERROR, "db: the binds do not match the statement's parameters", "binds", fmt, NULL);
        return TD_E_INTERNAL;
    }
    int rc = TD_OK;
    for (int i = 0; fmt[i] && rc == TD_OK; i++) {
        int64_t v;
        switch (fmt[i]) {
        case 'i': rc = db_bind_int64(st, i + 1, va_arg(ap, int64_t)); break;
        case 'n':
            v = va_arg(ap, int64_t);
            rc = v ? db_bind_int64(st, i + 1, v) : db_bind_null(st, i + 1);
            break;
        case 't': rc = db_bind_text(st, i + 1, va_arg(ap, const char *)); break;
        default: rc = TD_E_INTERNAL;
        }
    }
    return rc;
}

/* The body of a row helper taking `fmt, ...`: rc = call, where call uses
 * ap, the arguments after fmt. */
#define DB__WITH_ARGS(rc, fmt, call)                                                                                 \
    do {                                                                                                             \
        va_list ap;                                                                                                  \
        va_start(ap, fmt);                                                                                           \
        (rc) = (call);                                                                                               \
        va_end(ap);                                                                                                  \
    } while (0)

int db_bindf(struct db_stmt *st, const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, db_vbindf(st, fmt, ap));
    return rc;
}

/* db_prepare + db_vbindf; on failure the statement is released. */
static int vquery(struct db *db, const char *sql, struct db_stmt **out, const char *fmt, va_list ap)
{
    *out = NULL;
    int rc = db_prepare(db, sql, out);
    if (rc == TD_OK && (rc = db_vbindf(*out, fmt, ap)) != TD_OK) {
        db_done(*out);
        *out = NULL;
    }
    return rc;
}

int db_query(struct db *db, const char *sql, struct db_stmt **out, const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, vquery(db, sql, out, fmt, ap));
    return rc;
}

/* vquery + the first step: TD_OK on the first row, else released. */
static int vget_row(struct db *db, const char *sql, struct db_stmt **out, const char *fmt, va_list ap)
{
    int rc = vquery(db, sql, out, fmt, ap);
    if (rc == TD_OK) rc = db_step(*out);
    if (rc == TD_ROW) return TD_OK;
    db_done(*out);
    *out = NULL;
    return rc == TD_DONE ? TD_E_NOT_FOUND : rc;
}

/* vget_row, then read(st, out) on the row (read NULL: nothing), then
 * db_done: what db_get_int64, db_get_read and db_exists share. */
static int vget_read(struct db *db, const char *sql, int (*read)(struct db_stmt *st, void *out), void *out,
                     const char *fmt, va_list ap)
{
    struct db_stmt *st = NULL;
    int rc = vget_row(db, sql, &st, fmt, ap);
    if (rc == TD_OK && read) rc = read(st, out);
    db_done(st);
    return rc;
}

static int read_int64(struct db_stmt *st, void *out)
{
    *(int64_t *)out = db_col_int64(st, 0);
    return TD_OK;
}

int db_get_row(struct db *db, const char *sql, struct db_stmt **out, const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, vget_row(db, sql, out, fmt, ap));
    return rc;
}

int db_end(struct db_stmt *st, int rc)
{
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

int db_next(struct db_stmt *st, int *rc)
{
    if (*rc != TD_OK && *rc != TD_ROW) return 0;
    *rc = db_step(st);
    return *rc == TD_ROW;
}

int db_run(struct db *db, const char *sql, int64_t *changes, const char *fmt, ...)
{
    struct db_stmt *st = NULL;
    int rc;
    DB__WITH_ARGS(rc, fmt, vquery(db, sql, &st, fmt, ap));
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) rc = TD_OK;
    if (rc == TD_DONE && changes) *changes = db_changes(st);
    return db_end(st, rc);
}

int db_write_rows(struct db *db, const char *one, const char *many, int per, int ncols, size_t n,
                  int (*bind)(struct db_stmt *st, int first, size_t i, void *arg), void *arg)
{
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK;) {
        int k = n - i >= (size_t)per ? per : 1;
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, k > 1 ? many : one, &st)) != TD_OK) break;
        for (int j = 0; j < k && rc == TD_OK; j++, i++) rc = bind(st, j * ncols + 1, i, arg);
        while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) rc = TD_OK;
        if (rc == TD_DONE) rc = TD_OK;
        db_done(st);
    }
    return rc;
}

int db_get_int64(struct db *db, const char *sql, int64_t *out, const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, vget_read(db, sql, read_int64, out, fmt, ap));
    return rc;
}

int db_readf(struct db_stmt *st, const char *fmt, ...)
{
    int rc = TD_OK;
    va_list ap;
    va_start(ap, fmt);
    for (int col = 0; rc == TD_OK && fmt[col]; col++) {
        switch (fmt[col]) {
        case 'i': *va_arg(ap, int64_t *) = db_col_int64(st, col); break;
        case 't':
        case 'c': {
            char *dst = va_arg(ap, char *);
            size_t size = va_arg(ap, size_t);
            const char *src = db_col_text(st, col);
            if (fmt[col] == 't' && src && strlen(src) >= size) rc = TD_E_INTERNAL;
            else text_copy_cut(dst, size, src);
            break;
        }
        case 's': *va_arg(ap, const char **) = db_col_text(st, col); break;
        case '-': break;
        default: rc = TD_E_INTERNAL;
        }
    }
    va_end(ap);
    return rc;
}

int db_get_read(struct db *db, const char *sql, int (*read)(struct db_stmt *st, void *out), void *out,
                const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, vget_read(db, sql, read, out, fmt, ap));
    return rc;
}

int db_exists(struct db *db, const char *sql, int *out, const char *fmt, ...)
{
    int rc;
    DB__WITH_ARGS(rc, fmt, vget_read(db, sql, NULL, NULL, fmt, ap));
    *out = rc == TD_OK;
    return rc == TD_E_NOT_FOUND ? TD_OK : rc;
}

int db_query_int64(struct db *db, const char *sql, int64_t *out)
{
    return db_get_int64(db, sql, out, "");
}

int db_replica_state(struct db *db, struct db_replica *out)
{
    memset(out, 0, sizeof *out);
    if (!db->ops->replica_sql) return TD_E_INVALID;
    struct db_stmt *st = NULL;
    int64_t standby = 0, receivers = 0;
    int rc = db_get_row(db, db->ops->replica_sql, &st, "");
    if (rc == TD_OK) rc = db_readf(st, "iii", &standby, &receivers, &out->lag_ms);
    db_done(st);
    out->standby = standby != 0;
    out->streaming = receivers > 0;
    return rc;
}

static void backoff(int attempt)
{
    /* 1, 2, 4 ... 64 ms plus jitter from the clock's low bits. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (1L << (attempt < 6 ? attempt : 6)) + (now.tv_nsec / 1000) % 3;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int db_transact(struct db *db, int (*fn)(struct db *db, void *arg), void *arg)
{
    int rc = TD_E_BUSY;
    for (int attempt = 0; attempt < 20; attempt++) {
        if (attempt) backoff(attempt);
        rc = db_begin(db, 1);
        if (rc == TD_E_BUSY) continue;
        if (rc != TD_OK) return rc;
        rc = fn(db, arg);
        if (rc == TD_OK) rc = db_commit(db);
        if (rc == TD_OK) return TD_OK;
        db_rollback(db);
        if (rc != TD_E_BUSY) return rc;
    }
    return rc;
}

/* Keeps the lines of a migration meant for this backend (see the top). */
static int select_backend(struct db *db, const char *sql, struct buf *out)
{
    int rc = TD_OK, keep = 1;
    const char *p = sql;
    while (*p && rc == TD_OK) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (strncmp(p, "-- @backend ", 12) == 0) {
            const char *which = p + 12;
            if (strncmp(which, "all", 3) == 0) keep = 1;
            else keep = strncmp(which, db->ops->name, strlen(db->ops->name)) == 0;
        } else if (keep) {
            rc = buf_append(out, p, len);
        }
        p += len;
    }
    return rc;
}

/* This backend's text for @name@, NULL when name is no placeholder. */
static const char *placeholder(struct db *db, const char *name)
{
    for (const char *const *p = db->ops->placeholders; *p; p += 2)
        if (strcmp(p[0], name) == 0) return p[1];
    return NULL;
}

/* Expands the @NAME@ placeholders of one migration for this backend. */
static int expand(struct db *db, const char *text, struct buf *out)
{
    struct buf mine;
    buf_init(&mine, 1 << 22);
    int rc = select_backend(db, text, &mine);
    const char *p = mine.data ? mine.data : "";
    while (*p && rc == TD_OK) {
        const char *at = strchr(p, '@');
        const char *end = at ? strchr(at + 1, '@') : NULL;
        if (!at || !end) {
            rc = buf_puts(out, p);
            break;
        }
        char name[32];
        size_t n = (size_t)(end - at - 1);
        if (n == 0 || n >= sizeof name) {
            rc = buf_append(out, p, (size_t)(at - p) + 1);
            p = at + 1;
            continue;
        }
        memcpy(name, at + 1, n);
        name[n] = '\0';
        const char *rep = placeholder(db, name);
        if (!rep) {
            rc = buf_append(out, p, (size_t)(at - p) + 1);
            p = at + 1;
            continue;
        }
        rc = buf_append(out, p, (size_t)(at - p));
        if (rc == TD_OK) rc = buf_puts(out, rep);
        p = end + 1;
    }
    buf_free(&mine);
    return rc;
}

int db_schema_version(struct db *db, int64_t *out)
{
    *out = 0;
    int rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    if (rc != TD_OK) return rc;
    rc = db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", out);
    return rc;
}

int db_migrate(struct db *db)
{
    return db_migrate_to(db, INT64_MAX);
}

int db_migrate_to(struct db *db, int64_t last)
{
    int64_t have = 0;
    int rc = db_schema_version(db, &have);
    if (rc != TD_OK) return rc;
    for (size_t i = 0; i < db_migrations_count; i++) {
        const struct db_migration *m = &db_migrations[i];
        if (m->version > last) continue;
        /* Every migration not yet applied, also one numbered below the
         * newest applied (work that landed in another order). */
        int64_t applied = 0;
        if (m->version <= have &&
            (rc = db_get_int64(db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", &applied, "i",
                               m->version)) != TD_OK)
            return rc;
        if (m->version <= have && applied) continue;
        struct buf sql;
        buf_init(&sql, 1 << 22);
        struct db_stmt *st = NULL;
        if ((rc = expand(db, m->sql, &sql)) != TD_OK) goto next;
        if ((rc = db_begin(db, 1)) != TD_OK) goto next;
        if ((rc = db_exec(db, sql.data)) != TD_OK) goto next;
        if (db->ops->after_migration && (rc = db_exec(db, db->ops->after_migration)) != TD_OK) goto next;
        if ((rc = db_prepare(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &st)) != TD_OK)
            goto next;
        if ((rc = db_bind_int64(st, 1, m->version)) != TD_OK) goto next;
        if ((rc = db_bind_text(st, 2, m->name)) != TD_OK) goto next;
        if ((rc = db_bind_int64(st, 3, (int64_t)time(NULL) * 1000000)) != TD_OK) goto next;
        rc = db_step(st);
        if (rc == TD_DONE) rc = db_commit(db);
    next:
        db_done(st);
        buf_free(&sql);
        if (rc != TD_OK) {
            db_rollback(db);
            return rc;
        }
    }
    return TD_OK;
}

struct db_index_set {
    size_t n;
    char **sql;                     /* CREATE INDEX statements, owned */
};

void db_index_free(struct db_index_set *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) free(set->sql[i]);
    free(set->sql);
    free(set);
}

/* Appends copies of (name, sql) to names/set; the statement stays open. */
static int index_keep(struct db_index_set *set, char ***names, const char *name, const char *sql)
{
    char **nn = realloc(*names, (set->n + 1) * sizeof *nn);
    if (!nn) return TD_E_NOMEM;
    *names = nn;
    char **ns = realloc(set->sql, (set->n + 1) * sizeof *ns);
    if (!ns) return TD_E_NOMEM;
    set->sql = ns;
    nn[set->n] = strdup(name);
    ns[set->n] = strdup(sql);
    if (!nn[set->n] || !ns[set->n]) {
        free(nn[set->n]);
        free(ns[set->n]);
        return TD_E_NOMEM;
    }
    set->n++;
    return TD_OK;
}

int db_index_drop(struct db *db, const char *table, struct db_index_set **out)
{
    *out = NULL;
    if (!db->ops->index_list_sql) return TD_E_UNAVAILABLE;
    struct db_index_set *set = calloc(1, sizeof *set);
    if (!set) return TD_E_NOMEM;
    char **names = NULL;
    struct db_stmt *st = NULL;
    struct buf sql;
    buf_init(&sql, 1024);
    int rc = db_prepare(db, db->ops->index_list_sql, &st);
    if (rc != TD_OK) goto out;
    if ((rc = db_bind_text(st, 1, table)) != TD_OK) goto out;
    while ((rc = db_step(st)) == TD_ROW) {
        const char *name = db_col_text(st, 0), *def = db_col_text(st, 1);
        if (!name || !def) continue;
        if ((rc = index_keep(set, &names, name, def)) != TD_OK) goto out;
    }
    if (rc != TD_DONE) goto out;
    rc = TD_OK;
    /* The catalogue is read to the end before anything is dropped. */
    db_done(st);
    st = NULL;
    for (size_t i = 0; i < set->n && rc == TD_OK; i++) {
        buf_reset(&sql);
        rc = buf_puts(&sql, "DROP INDEX \"");
        for (const char *p = names[i]; *p && rc == TD_OK; p++)
            rc = *p == '"' ? buf_puts(&sql, "\"\"") : buf_putc(&sql, *p);
        if (rc == TD_OK) rc = buf_putc(&sql, '"');
        if (rc == TD_OK) rc = db_exec(db, sql.data);
    }
out:
    db_done(st);
    buf_free(&sql);
    for (size_t i = 0; names && i < set->n; i++) free(names[i]);
    free(names);
    if (rc != TD_OK) {
        db_index_free(set);
        return rc;
    }
    *out = set;
    return TD_OK;
}

int db_index_restore(struct db *db, struct db_index_set *set)
{
    int rc = TD_OK;
    for (size_t i = 0; set && i < set->n && rc == TD_OK; i++) rc = db_exec(db, set->sql[i]);
    db_index_free(set);
    return rc;
}
