/* test_db.c — db/ over SQLite in a temporary directory: opening, migrations
 * (idempotent, placeholders expanded), `?` parameters, the statement cache
 * with nested use of the same SQL, transactions, and constraint violations
 * as TD_E_CONFLICT; the row helpers (db_query, db_get_row, db_end, db_run,
 * db_get_int64) on SQLite and, with TRUSTDESK_TEST_PG, on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "db/db.h"
#include "db/db_backend.h"    /* db_migrations_count */

struct fixture {
    char dir[256];
    char path[300];
    struct db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/td-test-db-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "sqlite:%s/t.db", f->dir);
    if (db_open(f->path, &f->db) != TD_OK) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    static const char *const suffixes[] = {"t.db", "t.db-wal", "t.db-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s/%s", f->dir, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n), TD_OK);
    return n;
}

static void open_urls(void **state)
{
    struct fixture *f = *state;
    struct db *db = NULL;
    assert_int_equal(db_open("mysql://localhost/x", &db), TD_E_INVALID);
    assert_null(db);
    assert_int_equal(db_open("postgres://localhost/x", &db), TD_E_UNAVAILABLE);
    assert_null(db);
    char bad[300];
    snprintf(bad, sizeof bad, "sqlite:%s/no/such/dir/x.db", f->dir);
    log_set_level((enum log_level)(LOG_ERROR + 1));          /* the expected failure need not be logged */
    assert_int_equal(db_open(bad, &db), TD_E_IO);
    log_set_level(LOG_INFO);
    assert_null(db);
    /* a bare path is SQLite too */
    char bare[300];
    snprintf(bare, sizeof bare, "%s/bare.db", f->dir);
    assert_int_equal(db_open(bare, &db), TD_OK);
    assert_int_equal(db_backend(db), DB_SQLITE);
    db_close(db);
    db_close(NULL);
    unlink(bare);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", bare);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", bare);
    unlink(side);
}

static void migrate_twice(void **state)
{
    struct fixture *f = *state;
    int64_t v = -1;
    assert_int_equal(db_schema_version(f->db, &v), TD_OK);
    assert_int_equal(v, 0);
    assert_int_equal(db_migrate(f->db), TD_OK);
    assert_int_equal(db_schema_version(f->db, &v), TD_OK);
    assert_true(v >= 1);
    assert_int_equal(v, db_migrations[db_migrations_count - 1].version);
    int64_t tables = count(f->db, "SELECT COUNT(*) FROM sqlite_master");
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)db_migrations_count);
    /* again: nothing to do, nothing changes */
    assert_int_equal(db_migrate(f->db), TD_OK);
    assert_int_equal(db_schema_version(f->db, &v), TD_OK);
    assert_int_equal(v, db_migrations[db_migrations_count - 1].version);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sqlite_master"), tables);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)db_migrations_count);
    /* and from a second connection to the same file */
    struct db *db2 = NULL;
    assert_int_equal(db_open(f->path, &db2), TD_OK);
    assert_int_equal(db_migrate(db2), TD_OK);
    assert_int_equal(count(db2, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)db_migrations_count);
    db_close(db2);
}

/* A migration numbered below the newest applied one, but never applied
 * itself (work that landed in another order), is applied, not skipped. */
static void a_missing_lower_migration_is_applied(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_migrate(f->db), TD_OK);
    /* Undo 0007 (the audit chain) and pretend a newer one is in place. */
    assert_int_equal(db_exec(f->db, "DROP TABLE audit_head"), TD_OK);
    assert_int_equal(db_exec(f->db, "ALTER TABLE audit_log DROP COLUMN hash"), TD_OK);
    assert_int_equal(db_exec(f->db, "ALTER TABLE audit_log DROP COLUMN prev_hash"), TD_OK);
    assert_int_equal(db_exec(f->db, "DELETE FROM schema_migrations WHERE version = 7"), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'later', 0)"),
                     TD_OK);
    assert_int_equal(db_migrate(f->db), TD_OK);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migrations WHERE version = 7"), 1);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_head'"), 1);
}

/* The @NAME@ placeholders of the migration files are all expanded. */
static void migration_placeholders(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_migrate(f->db), TD_OK);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%@%'"), 0);
    /* @ID@ became a rowid alias: ids are assigned */
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'stores' AND sql LIKE '%id%INTEGER PRIMARY KEY%'"), 1);
    assert_int_equal(db_exec(f->db, "INSERT INTO stores (code, name, city, created_at) VALUES ('UTR01', 'U', 'Utrecht', 0)"), TD_OK);
    assert_int_equal(count(f->db, "SELECT id FROM stores WHERE code = 'UTR01'"), 1);
}

static const char SQL_ECHO[] = "SELECT ?, ? || '-' || ?, ?";

/* `?` parameters are numbered 1..n in order; NULL text binds NULL. */
static void parameters(void **state)
{
    struct fixture *f = *state;
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->db, SQL_ECHO, &st), TD_OK);
    assert_int_equal(db_bind_int64(st, 1, INT64_MIN), TD_OK);
    assert_int_equal(db_bind_text(st, 2, "a"), TD_OK);
    assert_int_equal(db_bind_text(st, 3, "b"), TD_OK);
    assert_int_equal(db_bind_text(st, 4, NULL), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    assert_int_equal(db_col_int64(st, 0), INT64_MIN);
    assert_string_equal(db_col_text(st, 1), "a-b");
    assert_true(db_col_is_null(st, 3));
    assert_null(db_col_text(st, 3));
    assert_int_equal(db_col_int64(st, 3), 0);
    assert_false(db_col_is_null(st, 1));
    assert_int_equal(db_step(st), TD_DONE);
    db_done(st);
    /* bindings are cleared by db_done */
    assert_int_equal(db_prepare(f->db, SQL_ECHO, &st), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    assert_true(db_col_is_null(st, 0));
    db_done(st);
    /* text is copied at bind time */
    char buf[8] = "before";
    assert_int_equal(db_prepare(f->db, SQL_ECHO, &st), TD_OK);
    assert_int_equal(db_bind_text(st, 2, buf), TD_OK);
    memcpy(buf, "after!", 7);
    assert_int_equal(db_bind_text(st, 3, "x"), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    assert_string_equal(db_col_text(st, 1), "before-x");
    db_done(st);
    /* an index out of range is an error, not a crash */
    assert_int_equal(db_prepare(f->db, SQL_ECHO, &st), TD_OK);
    log_set_level((enum log_level)(LOG_ERROR + 1));
    assert_true(db_bind_int64(st, 5, 1) < 0);
    assert_true(db_bind_int64(st, 0, 1) < 0);
    log_set_level(LOG_INFO);
    db_done(st);
}

static const char SQL_NUMBERS[] = "SELECT value FROM json_each('[1,2,3]') WHERE value >= ? ORDER BY value";

/* A statement still in use is not handed out again: a nested use of the
 * same SQL gets its own statement, and both iterate independently. */
static void statement_cache_nested(void **state)
{
    struct fixture *f = *state;
    struct db_stmt *outer = NULL, *inner = NULL, *again = NULL;
    assert_int_equal(db_prepare(f->db, SQL_NUMBERS, &outer), TD_OK);
    assert_int_equal(db_bind_int64(outer, 1, 1), TD_OK);
    int64_t pairs = 0, sum = 0;
    while (db_step(outer) == TD_ROW) {
        int64_t a = db_col_int64(outer, 0);
        assert_int_equal(db_prepare(f->db, SQL_NUMBERS, &inner), TD_OK);
        assert_ptr_not_equal(inner, outer);
        assert_int_equal(db_bind_int64(inner, 1, a), TD_OK);
        int rc;
        while ((rc = db_step(inner)) == TD_ROW) {
            pairs++;
            sum += a * 10 + db_col_int64(inner, 0);
        }
        assert_int_equal(rc, TD_DONE);
        db_done(inner);
    }
    /* (1,1) (1,2) (1,3) (2,2) (2,3) (3,3) */
    assert_int_equal(pairs, 6);
    assert_int_equal(sum, 11 + 12 + 13 + 22 + 23 + 33);
    db_done(outer);
    /* once done, the cached statement is handed out again */
    assert_int_equal(db_prepare(f->db, SQL_NUMBERS, &again), TD_OK);
    assert_ptr_equal(again, outer);
    db_done(again);
    /* three levels deep */
    struct db_stmt *s[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(db_prepare(f->db, SQL_NUMBERS, &s[i]), TD_OK);
        assert_int_equal(db_bind_int64(s[i], 1, i + 1), TD_OK);
        assert_int_equal(db_step(s[i]), TD_ROW);
    }
    for (int i = 0; i < 3; i++) assert_int_equal(db_col_int64(s[i], 0), i + 1);
    for (int i = 2; i >= 0; i--) db_done(s[i]);
}

/* The cache keys on the SQL text's address; equal text at another address
 * is a different statement but gives the same answers. */
static void statement_cache_many(void **state)
{
    struct fixture *f = *state;
    static char sql[200][40];
    for (int i = 0; i < 200; i++) snprintf(sql[i], sizeof sql[i], "SELECT %d", i);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 200; i++) {
            struct db_stmt *st = NULL;
            assert_int_equal(db_prepare(f->db, sql[i], &st), TD_OK);
            assert_int_equal(db_step(st), TD_ROW);
            assert_int_equal(db_col_int64(st, 0), i);
            db_done(st);
        }
}

static const char SQL_INSERT_T[] = "INSERT INTO t (k, v) VALUES (?, ?)";

static int insert_then(struct db *db, void *arg)
{
    int *mode = arg;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INSERT_T, &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, mode[0] == 0 ? "kept" : "dropped")) == TD_OK &&
        (rc = db_bind_int64(st, 2, mode[1])) == TD_OK)
        rc = db_step(st);
    db_done(st);
    if (rc != TD_DONE) return rc;
    mode[1]++;   /* counts the attempts */
    if (mode[0] == 1) return TD_E_INVALID;
    if (mode[0] == 2 && mode[1] == 1) return TD_E_BUSY;    /* the first attempt only */
    return TD_OK;
}

static void transact_commit_and_rollback(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, "CREATE TABLE t (k TEXT NOT NULL UNIQUE, v BIGINT)"), TD_OK);
    int commit[2] = {0, 0};
    assert_int_equal(db_transact(f->db, insert_then, commit), TD_OK);
    assert_int_equal(commit[1], 1);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t WHERE k = 'kept'"), 1);

    int fail[2] = {1, 0};
    assert_int_equal(db_transact(f->db, insert_then, fail), TD_E_INVALID);
    assert_int_equal(fail[1], 1);              /* not retried */
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t WHERE k = 'dropped'"), 0);

    /* TD_E_BUSY from fn: rolled back and run again; one row in the end */
    assert_int_equal(db_exec(f->db, "DELETE FROM t"), TD_OK);
    int busy[2] = {2, 0};
    assert_int_equal(db_transact(f->db, insert_then, busy), TD_OK);
    assert_int_equal(busy[1], 2);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t"), 1);
    assert_int_equal(count(f->db, "SELECT v FROM t"), 1);   /* the second attempt's row */

    /* no transaction is left open: a plain begin works */
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    db_rollback(f->db);
    db_rollback(f->db);                         /* harmless outside a transaction */
}

static void explicit_transactions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, "CREATE TABLE t (k TEXT NOT NULL UNIQUE, v BIGINT)"), TD_OK);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO t VALUES ('a', 1)"), TD_OK);
    db_rollback(f->db);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(db_begin(f->db, 0), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO t VALUES ('a', 1)"), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t"), 1);
    /* a write transaction on one connection makes another's wait and fail busy */
    struct db *other = NULL;
    assert_int_equal(db_open(f->path, &other), TD_OK);
    assert_int_equal(db_exec(other, "PRAGMA busy_timeout = 10"), TD_OK);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_begin(other, 1), TD_E_BUSY);
    db_rollback(f->db);
    assert_int_equal(db_begin(other, 1), TD_OK);
    db_rollback(other);
    db_close(other);
}

static void unique_violation_is_conflict(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, "CREATE TABLE t (k TEXT NOT NULL UNIQUE, v BIGINT CHECK (v >= 0))"), TD_OK);
    static const struct { const char *k; int64_t v; int rc; } rows[] = {
        {"a", 1, TD_DONE},
        {"b", 2, TD_DONE},
        {"a", 3, TD_E_CONFLICT},      /* unique */
        {"c", -1, TD_E_CONFLICT},     /* check */
        {NULL, 4, TD_E_CONFLICT},     /* not null */
        {"c", 5, TD_DONE},            /* the statement is usable after a violation */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct db_stmt *st = NULL;
        assert_int_equal(db_prepare(f->db, SQL_INSERT_T, &st), TD_OK);
        assert_int_equal(db_bind_text(st, 1, rows[i].k), TD_OK);
        assert_int_equal(db_bind_int64(st, 2, rows[i].v), TD_OK);
        int rc = db_step(st);
        if (rc != rows[i].rc) fail_msg("row %zu: %d, want %d", i, rc, rows[i].rc);
        if (rc == TD_DONE) assert_int_equal(db_changes(st), 1);
        db_done(st);
    }
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM t"), 3);
    assert_int_equal(db_exec(f->db, "INSERT INTO t VALUES ('a', 9)"), TD_E_CONFLICT);
}

static void query_int64_and_changes(void **state)
{
    struct fixture *f = *state;
    int64_t v = 0;
    assert_int_equal(db_query_int64(f->db, "SELECT 40 + 2", &v), TD_OK);
    assert_int_equal(v, 42);
    assert_int_equal(db_query_int64(f->db, "SELECT 1 WHERE 0", &v), TD_E_NOT_FOUND);
    assert_int_equal(db_exec(f->db, "CREATE TABLE t (k TEXT, v BIGINT); INSERT INTO t VALUES ('a', 1), ('b', 1), ('c', 2)"), TD_OK);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->db, "UPDATE t SET v = v + 10 WHERE v = ?", &st), TD_OK);
    assert_int_equal(db_bind_int64(st, 1, 1), TD_OK);
    assert_int_equal(db_step(st), TD_DONE);
    assert_int_equal(db_changes(st), 2);
    db_done(st);
    log_set_level((enum log_level)(LOG_ERROR + 1));
    assert_int_equal(db_prepare(f->db, "SELEC nonsense", &st), TD_E_DB);
    assert_int_equal(db_exec(f->db, "SELEC nonsense"), TD_E_DB);
    log_set_level(LOG_INFO);
}

/* A row may reference a newer row of its table inside a deferred
 * transaction; a reference that still dangles at commit fails it. */
static void deferred_foreign_keys(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->db, "CREATE TABLE n (id INTEGER PRIMARY KEY, next_id BIGINT REFERENCES n(id))"), TD_OK);
    assert_int_equal(db_defer_foreign_keys(f->db), TD_E_INTERNAL);   /* outside a transaction */
    /* Without deferral the forward reference is refused at once. */
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO n VALUES (1, 2)"), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_defer_foreign_keys(f->db), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO n VALUES (1, 2); INSERT INTO n VALUES (2, NULL)"), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM n"), 2);
    /* Deferred, not off: a dangling reference fails the commit. */
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_defer_foreign_keys(f->db), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO n VALUES (3, 99)"), TD_OK);
    assert_int_not_equal(db_commit(f->db), TD_OK);
    db_rollback(f->db);
    assert_int_equal(count(f->db, "SELECT COUNT(*) FROM n"), 2);
    /* The deferral ended with its transaction. */
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_exec(f->db, "INSERT INTO n VALUES (4, 98)"), TD_E_CONFLICT);
    db_rollback(f->db);
}

/* ---- row plumbing (db_query, db_get_row, db_end, db_run, db_get_int64, db_readf),
 * on SQLite and, when TRUSTDESK_TEST_PG names a cluster, on PostgreSQL. */

static const char SQL_ROWS_INSERT[] = "INSERT INTO r (k, v, ref) VALUES (?, ?, ?) RETURNING id";
static const char SQL_ROWS_ONE[] = "SELECT k, v, ref FROM r WHERE k = ?";
static const char SQL_ROWS_FROM[] = "SELECT k, v FROM r WHERE v >= ? ORDER BY v";
static const char SQL_ROWS_BUMP[] = "UPDATE r SET v = v + 1 WHERE v >= ?";

static int sum_rows(struct db *db, int64_t from, int stop_after, int fail_at, int64_t *sum)
{
    struct db_stmt *st;
    int seen = 0;
    *sum = 0;
    int rc = db_query(db, SQL_ROWS_FROM, &st, "i", from);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if (seen == stop_after) break;                  /* an early stop on purpose: rc stays TD_ROW */
        *sum += db_col_int64(st, 1);
        rc = ++seen == fail_at ? TD_E_INVALID : TD_OK;
    }
    return db_end(st, rc);
}

/* A reader for db_get_read: v into *out; refuses a negative *out on entry. */
static int read_v(struct db_stmt *st, void *out)
{
    int64_t *v = out;
    if (*v < 0) return TD_E_INVALID;
    return db_readf(st, "-i", v);
}

static void row_plumbing_on(struct db *db)
{
    assert_int_equal(db_exec(db, db_backend(db) == DB_POSTGRES
                                     ? "CREATE TABLE r (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                                       " k TEXT NOT NULL UNIQUE, v BIGINT NOT NULL, ref BIGINT)"
                                     : "CREATE TABLE r (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v BIGINT NOT NULL,"
                                       " ref BIGINT)"),
                     TD_OK);
    /* db_get_int64 on INSERT ... RETURNING: the new id; 'n' binds 0 as NULL */
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(db_get_int64(db, SQL_ROWS_INSERT, &a, "tin", "a", (int64_t)1, (int64_t)0), TD_OK);
    assert_int_equal(db_get_int64(db, SQL_ROWS_INSERT, &b, "tin", "b", (int64_t)2, a), TD_OK);
    assert_int_equal(db_get_int64(db, SQL_ROWS_INSERT, &c, "tin", "c", (int64_t)3, (int64_t)7), TD_OK);
    assert_true(a > 0 && b > a && c > b);
    assert_int_equal(db_get_int64(db, SQL_ROWS_INSERT, &c, "tin", "a", (int64_t)9, (int64_t)0), TD_E_CONFLICT);
    /* db_get_row: the first row, TD_E_NOT_FOUND without one */
    struct db_stmt *st = (struct db_stmt *)&st;
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "t", "a"), TD_OK);
    assert_string_equal(db_col_text(st, 0), "a");
    assert_int_equal(db_col_int64(st, 1), 1);
    assert_true(db_col_is_null(st, 2));
    db_done(st);
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "t", "b"), TD_OK);
    assert_int_equal(db_col_int64(st, 2), a);
    db_done(st);
    st = (struct db_stmt *)&st;
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "t", "zz"), TD_E_NOT_FOUND);
    assert_null(st);
    /* a statement given back on failure is handed out again, not leaked in use */
    struct db_stmt *again = NULL, *first = NULL;
    assert_int_equal(db_prepare(db, SQL_ROWS_ONE, &first), TD_OK);
    db_done(first);
    assert_int_equal(db_prepare(db, SQL_ROWS_ONE, &again), TD_OK);
    assert_ptr_equal(again, first);
    db_done(again);
    /* binds that do not match the statement's `?` refuse to run */
    log_set_level((enum log_level)(LOG_ERROR + 1));
    st = (struct db_stmt *)&st;
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "", "a"), TD_E_INTERNAL);
    assert_null(st);
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "ti", "a", (int64_t)1), TD_E_INTERNAL);
    assert_int_equal(db_run(db, SQL_ROWS_BUMP, NULL, "ii", (int64_t)1, (int64_t)1), TD_E_INTERNAL);
    log_set_level(LOG_INFO);
    assert_int_equal(db_prepare(db, SQL_ROWS_ONE, &again), TD_OK);
    assert_ptr_equal(again, first);              /* still not in use after the refusals */
    db_done(again);
    /* db_query .. db_end: every row, an early stop, a failure from the body */
    int64_t sum = 0;
    assert_int_equal(sum_rows(db, 2, -1, 0, &sum), TD_OK);
    assert_int_equal(sum, 2 + 3);
    assert_int_equal(sum_rows(db, 1, 1, 0, &sum), TD_OK);
    assert_int_equal(sum, 1);
    assert_int_equal(sum_rows(db, 1, -1, 2, &sum), TD_E_INVALID);
    assert_int_equal(sum_rows(db, 99, -1, 0, &sum), TD_OK);
    assert_int_equal(sum, 0);
    assert_int_equal(db_end(NULL, TD_E_NOMEM), TD_E_NOMEM);
    assert_int_equal(db_end(NULL, TD_DONE), TD_OK);
    /* db_run: the rows changed */
    int64_t changed = -1;
    assert_int_equal(db_run(db, SQL_ROWS_BUMP, &changed, "i", (int64_t)2), TD_OK);
    assert_int_equal(changed, 2);
    assert_int_equal(db_run(db, SQL_ROWS_BUMP, &changed, "i", (int64_t)100), TD_OK);
    assert_int_equal(changed, 0);
    int64_t v = 0;
    assert_int_equal(db_get_int64(db, "SELECT SUM(v) FROM r", &v, ""), TD_OK);
    assert_int_equal(v, 1 + 3 + 4);
    assert_int_equal(db_get_int64(db, "SELECT v FROM r WHERE k = ?", &v, "t", "none"), TD_E_NOT_FOUND);
    /* db_readf: one letter a column in order; a text that does not fit fails
     * ('t') or is cut at a character boundary ('c'); '-' skips a column */
    assert_int_equal(db_get_row(db, "SELECT k, v, ref, 'h\xc3\xa9llo' FROM r WHERE k = ?", &st, "t", "b"), TD_OK);
    char k[2] = "", small[3] = "", cut[3] = "x";
    int64_t ref = 0;
    assert_int_equal(db_readf(st, "t-it", k, sizeof k, &ref, small, sizeof small), TD_E_INTERNAL);
    assert_string_equal(k, "b");
    assert_int_equal(ref, a);
    assert_string_equal(small, "");
    assert_int_equal(db_readf(st, "---c", cut, sizeof cut), TD_OK);
    assert_string_equal(cut, "h");              /* "h\xc3" would split the e-acute */
    assert_int_equal(db_readf(st, "c-", k, sizeof k), TD_OK);
    assert_string_equal(k, "b");
    const char *borrowed = "", *none = "";
    assert_int_equal(db_readf(st, "s", &borrowed), TD_OK);
    assert_string_equal(borrowed, "b");
    assert_int_equal(db_readf(st, "x"), TD_E_INTERNAL);
    db_done(st);
    assert_int_equal(db_get_row(db, SQL_ROWS_ONE, &st, "t", "a"), TD_OK);
    assert_int_equal(db_readf(st, "--s", &none), TD_OK);
    assert_null(none);                          /* 's' gives NULL for NULL */
    db_done(st);
    /* db_get_read: the reader's answer on the row, TD_E_NOT_FOUND without one */
    int64_t got = 0;
    assert_int_equal(db_get_read(db, SQL_ROWS_ONE, read_v, &got, "t", "c"), TD_OK);
    assert_int_equal(got, 4);                   /* c, after the bumps above */
    assert_int_equal(db_get_read(db, SQL_ROWS_ONE, read_v, &got, "t", "zz"), TD_E_NOT_FOUND);
    got = -1;
    assert_int_equal(db_get_read(db, SQL_ROWS_ONE, read_v, &got, "t", "a"), TD_E_INVALID);
    /* db_exists: a row or none, both TD_OK */
    int rc_loop;
    int yes = -1;
    assert_int_equal(db_exists(db, SQL_ROWS_ONE, &yes, "t", "a"), TD_OK);
    assert_int_equal(yes, 1);
    assert_int_equal(db_exists(db, SQL_ROWS_ONE, &yes, "t", "zz"), TD_OK);
    assert_int_equal(yes, 0);
    /* db_next: a body that skips a row with `continue` leaves rc TD_ROW and the loop goes on */
    int seen = 0;
    rc_loop = db_query(db, SQL_ROWS_FROM, &st, "i", (int64_t)0);
    while (db_next(st, &rc_loop)) {
        if (seen++ == 0) continue;
        rc_loop = TD_OK;
    }
    assert_int_equal(db_end(st, rc_loop), TD_OK);
    assert_int_equal(seen, 3);
    /* nested: a db_get_row inside a loop over the same SQL gets its own statement */
    struct db_stmt *outer;
    int rc = db_query(db, SQL_ROWS_FROM, &outer, "i", (int64_t)0), rows = 0;
    while (rc == TD_OK && (rc = db_step(outer)) == TD_ROW) {
        struct db_stmt *inner;
        rc = db_get_row(db, SQL_ROWS_FROM, &inner, "i", db_col_int64(outer, 1));
        if (rc == TD_OK) {
            assert_ptr_not_equal(inner, outer);
            assert_int_equal(db_col_int64(inner, 1), db_col_int64(outer, 1));
            rows++;
        }
        db_done(inner);
    }
    assert_int_equal(db_end(outer, rc), TD_OK);
    assert_int_equal(rows, 3);
}

static void row_plumbing_sqlite(void **state)
{
    struct fixture *f = *state;
    row_plumbing_on(f->db);
}

/* A fresh database in the cluster TRUSTDESK_TEST_PG names (scripts/test.sh
 * starts one), migrated when asked; without a cluster the test is skipped. */
static struct db *pg_open(const char *what, int migrate, char name[64])
{
    const char *pg = getenv("TRUSTDESK_TEST_PG");
    if (!pg || !*pg)
        skip();
    char cmd[1024], url[512];
    snprintf(name, 64, "td_unit_%s_%d", what, (int)getpid());
    snprintf(cmd, sizeof cmd, "psql -q '%spostgres' -c 'DROP DATABASE IF EXISTS %s' -c 'CREATE DATABASE %s' >/dev/null",
             pg, name, name);
    assert_int_equal(system(cmd), 0);
    snprintf(url, sizeof url, "%s%s", pg, name);
    struct db *db = NULL;
    assert_int_equal(db_open(url, &db), TD_OK);
    assert_int_equal(db_backend(db), DB_POSTGRES);
    if (migrate)
        assert_int_equal(db_migrate(db), TD_OK);
    return db;
}

static void pg_close(struct db *db, const char *name)
{
    char cmd[1024];
    db_close(db);
    snprintf(cmd, sizeof cmd, "psql -q '%spostgres' -c 'DROP DATABASE IF EXISTS %s' >/dev/null",
             getenv("TRUSTDESK_TEST_PG"), name);
    assert_int_equal(system(cmd), 0);
}

/* The same on PostgreSQL; skipped without a cluster. */
static void row_plumbing_postgres(void **state)
{
    (void)state;
    char name[64];
    struct db *db = pg_open("db", 0, name);
    row_plumbing_on(db);
    pg_close(db, name);
}

/* On PostgreSQL a BEGIN is sent with the transaction's first statement
 * (db_pg.c, invariant 5): it still applies to that statement (a read-only
 * transaction refuses a write; a rollback undoes the first write), and a
 * transaction that ran nothing ends without a word to the server. */
static void pg_begin_rides_with_the_first_statement(void **state)
{
    (void)state;
    char name[64];
    struct db *db = pg_open("begin", 0, name);
    assert_int_equal(db_exec(db, "CREATE TABLE b (v BIGINT NOT NULL)"), TD_OK);
    assert_int_equal(db_begin(db, 0), TD_OK);
    assert_int_not_equal(db_run(db, "INSERT INTO b (v) VALUES (?)", NULL, "i", (int64_t)1), TD_OK);
    db_rollback(db);
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(db_run(db, "INSERT INTO b (v) VALUES (?)", NULL, "i", (int64_t)2), TD_OK);
    db_rollback(db);
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(db_commit(db), TD_OK);                 /* nothing ran: nothing to commit */
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(db_run(db, "INSERT INTO b (v) VALUES (?)", NULL, "i", (int64_t)3), TD_OK);
    assert_int_equal(db_commit(db), TD_OK);
    int64_t n = 0, sum = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM b", &n), TD_OK);
    assert_int_equal(db_query_int64(db, "SELECT SUM(v) FROM b", &sum), TD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sum, 3);
    pg_close(db, name);
}

/* Every foreign key on PostgreSQL is DEFERRABLE INITIALLY IMMEDIATE, so that
 * `trustdesk copy` and `backup` can defer them (migrations 5 and 13 make the
 * keys of every earlier migration so; a new one must declare it). */
static void every_foreign_key_is_deferrable_on_postgres(void **state)
{
    (void)state;
    char name[64];
    struct db *db = pg_open("fks", 1, name);
    int64_t keys = 0, stiff = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f'", &keys), TD_OK);
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND NOT condeferrable",
                                    &stiff), TD_OK);
    assert_true(keys > 40);
    assert_int_equal(stiff, 0);
    pg_close(db, name);
}

/* db_replica_state (serve --read-db): SQLite has no replicas; a PostgreSQL
 * primary is no standby, has no WAL receiver and no lag (a real replica is
 * tests/api/test_replica.c's). */
static void a_primary_is_no_replica(void **state)
{
    struct fixture *f = *state;
    struct db_replica st;
    assert_int_equal(db_replica_state(f->db, &st), TD_E_INVALID);
    char name[64];
    struct db *db = pg_open("replica", 0, name);
    st.standby = st.streaming = 1;
    st.lag_ms = -1;
    assert_int_equal(db_begin(db, 0), TD_OK);
    assert_int_equal(db_replica_state(db, &st), TD_OK);
    db_rollback(db);
    assert_int_equal(st.standby, 0);
    assert_int_equal(st.streaming, 0);
    assert_int_equal(st.lag_ms, 0);
    pg_close(db, name);
}

/* Every row: the test on a fresh database (setup) removed again by teardown. */
#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(open_urls),
        DB_TEST(migrate_twice),
        DB_TEST(migration_placeholders),
        DB_TEST(a_missing_lower_migration_is_applied),
        DB_TEST(parameters),
        DB_TEST(statement_cache_nested),
        DB_TEST(statement_cache_many),
        DB_TEST(transact_commit_and_rollback),
        DB_TEST(explicit_transactions),
        DB_TEST(unique_violation_is_conflict),
        DB_TEST(query_int64_and_changes),
        DB_TEST(deferred_foreign_keys),
        DB_TEST(row_plumbing_sqlite),
        cmocka_unit_test(row_plumbing_postgres),
        cmocka_unit_test(every_foreign_key_is_deferrable_on_postgres),
        cmocka_unit_test(pg_begin_rides_with_the_first_statement),
        DB_TEST(a_primary_is_no_replica),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
