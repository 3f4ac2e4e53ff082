/* db.h — the one storage interface; SQLite (db_sqlite.c) and PostgreSQL
 * (db_pg.c, a later backend) live behind it.
 *
 * A `struct db` is one connection, used by one thread at a time. SQL is
 * written once, with `?` parameters (numbered 1..n in order of appearance);
 * a backend translates what it must. Statements are prepared once per
 * connection and cached by the address of their SQL text, so pass string
 * literals (or other text that lives as long as the connection).
 *
 *   db_prepare -> (db_bind_*)* -> db_step* -> db_done      one statement use
 *   db_run, db_get_int64, db_get_row, db_query .. db_end   the same in one call
 *                      (see "row plumbing" below: domain code uses these)
 *   db_transact(fn)    BEGIN; fn; COMMIT, retrying fn when the database
 *                      reports a busy or serialization conflict
 *
 * The statement cache lives in db.c, above the backends: one cached
 * statement per SQL address and connection; a nested use of SQL whose
 * statement is in use gets a private one that db_done() frees.
 */
#ifndef TD_DB_H
#define TD_DB_H
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include "core/status.h"

struct db;
struct db_stmt;

enum db_backend { DB_SQLITE = 1, DB_POSTGRES = 2 };

/* Opens "sqlite:PATH" (or a bare path) or "postgres://...". The caller owns
 * the connection and closes it with db_close(). */
int db_open(const char *url, struct db **out /* OUT */) TD_MUST_CHECK;
void db_close(struct db *db);                       /* accepts NULL */
enum db_backend db_backend(const struct db *db);
const char *db_errmsg(struct db *db);               /* last backend error text */

/* Runs SQL without parameters or results (may hold several statements). */
int db_exec(struct db *db, const char *sql) TD_MUST_CHECK;

int db_prepare(struct db *db, const char *sql, struct db_stmt **out /* OUT */) TD_MUST_CHECK;
/* Like db_prepare for SQL built at run time: never cached; db_done() frees
 * the statement. sql may be freed once this returns. */
int db_prepare_dynamic(struct db *db, const char *sql, struct db_stmt **out /* OUT */) TD_MUST_CHECK;
/* Like db_prepare for a statement whose best plan depends on the values
 * bound (a search's typed prefix): PostgreSQL plans it with them at every
 * run (an unnamed statement; every other statement is prepared once and
 * PostgreSQL may settle on one generic plan for it); SQLite keeps it
 * prepared as db_prepare does. */
int db_prepare_planned(struct db *db, const char *sql, struct db_stmt **out /* OUT */) TD_MUST_CHECK;
int db_bind_int64(struct db_stmt *st, int idx, int64_t v) TD_MUST_CHECK;
int db_bind_text(struct db_stmt *st, int idx, const char *s) TD_MUST_CHECK; /* NULL binds NULL; copied */
/* The same without the copy where the backend allows it: s must stay as it
 * is until the statement's use ends (db_done) or it is reset (bulk loads,
 * whose rows outlive the step). */
int db_bind_text_static(struct db_stmt *st, int idx, const char *s) TD_MUST_CHECK;
int db_bind_null(struct db_stmt *st, int idx) TD_MUST_CHECK;
/* TD_ROW when a row is ready, TD_DONE at the end, or a negative status.
 * A unique or check constraint violation answers TD_E_CONFLICT. */
int db_step(struct db_stmt *st) TD_MUST_CHECK;
int64_t db_col_int64(struct db_stmt *st, int col);  /* 0 for NULL */
const char *db_col_text(struct db_stmt *st, int col); /* NULL for NULL; valid until the next step */
int db_col_is_null(struct db_stmt *st, int col);
/* Number of result columns and the name of one (valid while the statement
 * is in use); for generic table copies. */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int col);
/* Rows changed by the last INSERT/UPDATE/DELETE step of this statement. */
int64_t db_changes(struct db_stmt *st);
/* Makes a statement ready to run again with new bindings, keeping it. */
int db_reset(struct db_stmt *st) TD_MUST_CHECK;
/* Ends one use of a statement (resets it, clears bindings); accepts NULL. */
void db_done(struct db_stmt *st);

/* ---- row plumbing ----------------------------------------------------------
 *
 * Binds are a format string, one letter a `?` in order, and the values:
 *   'i'  an int64_t (cast an int: `(int64_t)limit`; varargs do not convert)
 *   'n'  an int64_t that binds NULL when 0 (an optional reference)
 *   't'  a const char *, NULL binds NULL
 * A format whose length is not the statement's number of `?` fails with
 * TD_E_INTERNAL (and a log line) before anything runs. The helpers below
 * prepare (cached, so `sql` is a literal), bind, and release the statement
 * on every failure; a statement they hand out is released with db_done or
 * db_end.
 *
 *   rc = db_run(db, "UPDATE ... WHERE id = ?", &changed, "i", id);   no rows
 *   rc = db_get_int64(db, "SELECT COUNT(*) ... ?", &n, "t", code);     one value
 *   rc = db_get_int64(db, "INSERT ... RETURNING id", &id, "ti", a, b); a new id
 *   rc = db_exists(db, "SELECT 1 FROM ... WHERE k = ?", &yes, "t", k);  any row
 *
 *   struct db_stmt *st;                                         one row
 *   int rc = db_get_row(db, "SELECT a, b ... WHERE id = ?", &st, "i", id);
 *   if (rc != TD_OK) return rc;                                 TD_E_NOT_FOUND: none
 *   rc = read_thing(st, out);
 *   db_done(st);
 *
 *   struct db_stmt *st;                                         every row
 *   int rc = db_query(db, "SELECT ... WHERE x = ?", &st, "i", x);
 *   while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
 *       rc = use_row(st);                                       anything but TD_OK stops
 *   return db_end(st, rc);                                      TD_DONE (or a row left) -> TD_OK
 */
int db_bindf(struct db_stmt *st, const char *fmt, ...) TD_MUST_CHECK;
int db_vbindf(struct db_stmt *st, const char *fmt, va_list ap) TD_MUST_CHECK;
/* Prepares and binds; *out is NULL on failure. */
int db_query(struct db *db, const char *sql, struct db_stmt **out /* OUT */, const char *fmt, ...) TD_MUST_CHECK;
/* db_query and the first step: TD_OK with *out on its first row (the caller
 * reads it, then db_done), TD_E_NOT_FOUND when there is none, or the error;
 * *out is NULL unless TD_OK. */
int db_get_row(struct db *db, const char *sql, struct db_stmt **out /* OUT */, const char *fmt, ...) TD_MUST_CHECK;
/* Ends a loop over a statement: db_done(st) (NULL is fine) and returns rc,
 * with TD_DONE and TD_ROW (the loop stopped early on purpose) as TD_OK. */
int db_end(struct db_stmt *st, int rc) TD_MUST_CHECK;
/* One step of a loop over rows: steps while *rc is TD_OK (the body went
 * well) or TD_ROW (the body left it as the step set it, e.g. by a
 * `continue`), and says whether a row is ready. The loop ends with *rc
 * TD_DONE, or the body's or the step's error; db_end(st, rc) ends it.
 *   while (db_next(st, &rc)) rc = use_row(st);
 */
int db_next(struct db_stmt *st, int *rc);
/* Runs sql to its end (rows are ignored); *changes (may be NULL) gets the
 * rows changed. */
int db_run(struct db *db, const char *sql, int64_t *changes /* OUT */, const char *fmt, ...) TD_MUST_CHECK;
/* Reads column 0 of the first row as int64 (an INSERT ... RETURNING id
 * too); TD_E_NOT_FOUND when there is no row. */
int db_get_int64(struct db *db, const char *sql, int64_t *out /* OUT */, const char *fmt, ...) TD_MUST_CHECK;
/* Reads the current row into the places after fmt, one letter a column
 * from column 0 on (fewer letters than columns leave the rest):
 *   'i'  an int64_t *
 *   't'  a char *dst and its size_t size: the text copied, NULL as "";
 *        one that does not fit fails with TD_E_INTERNAL (a row the struct
 *        cannot hold is a schema mismatch, not input)
 *   'c'  the same, but what does not fit is cut at a UTF-8 character
 *   's'  a const char **: the text itself (NULL for NULL), valid until the
 *        next step, as db_col_text gives it
 *   '-'  a column skipped
 * On failure the places already read keep what they got.
 *
 *   rc = db_readf(st, "it-i", &r->id, r->code, sizeof r->code, &r->at);
 */
int db_readf(struct db_stmt *st, const char *fmt, ...) TD_MUST_CHECK;
/* db_get_row, then read(st, out) on the row, then db_done: TD_OK, the
 * reader's failure, TD_E_NOT_FOUND, or the query's. */
int db_get_read(struct db *db, const char *sql, int (*read)(struct db_stmt *st, void *out), void *out,
                const char *fmt, ...) TD_MUST_CHECK;
/* Whether sql gives a row at all: *out 1 or 0, TD_OK unless it fails. */
int db_exists(struct db *db, const char *sql, int *out /* OUT */, const char *fmt, ...) TD_MUST_CHECK;
/* The same with no parameters. Like every db_prepare, sql must be a literal
 * (statements are cached by the text's address): SQL built in a buffer goes
 * through db_prepare_dynamic. */
int db_query_int64(struct db *db, const char *sql, int64_t *out /* OUT */) TD_MUST_CHECK;

/* Transactions. write=1 takes the write lock at once (SQLite BEGIN IMMEDIATE)
 * so that a read-then-write never deadlocks. */
int db_begin(struct db *db, int write) TD_MUST_CHECK;
int db_in_tx(const struct db *db);                   /* 1 inside db_begin .. commit/rollback */
int db_commit(struct db *db) TD_MUST_CHECK;
void db_rollback(struct db *db);                    /* harmless outside a transaction */
/* Runs fn(db, arg) inside a write transaction and commits. When fn or the
 * commit fails with TD_E_BUSY, rolls back and runs fn again (bounded, with
 * back-off); any other failure rolls back and is returned. fn must leave no
 * trace outside the database before it succeeds. */
int db_transact(struct db *db, int (*fn)(struct db *db, void *arg), void *arg) TD_MUST_CHECK;

/* What a PostgreSQL streaming replica says of itself (--read-db), read in
 * the caller's transaction (begin it first, so the lag is the snapshot's):
 * standby is 1 on a server in recovery (0 on a primary), streaming 1 while
 * its WAL receiver runs (0: it is cut off from the primary and would read
 * as up to date however old it is), lag_ms how far its data is behind the
 * primary: 0 when it has replayed all the WAL it received, else now() -
 * pg_last_xact_replay_timestamp() in milliseconds; -1 when it cannot tell
 * (WAL waiting and no commit replayed since the standby started).
 * TD_E_INVALID on SQLite, which has no replicas. */
struct db_replica {
    int standby, streaming;
    int64_t lag_ms;
};
int db_replica_state(struct db *db, struct db_replica *out /* OUT */) TD_MUST_CHECK;

/* Applies the embedded migrations not yet applied, each in its own
 * transaction. */
int db_migrate(struct db *db) TD_MUST_CHECK;
/* The same, up to and including migration `last` only (tests of upgrades:
 * a database as an older release left it). */
int db_migrate_to(struct db *db, int64_t last) TD_MUST_CHECK;
/* The newest migration version applied, or 0 on an empty database. */
int db_schema_version(struct db *db, int64_t *out /* OUT */) TD_MUST_CHECK;

/* Fault injection for tests: the n-th db_step()/db_commit() call from now
 * on this connection fails with TD_E_IO (once); n = 0 disables. */
void db_fault_at(struct db *db, long n);
/* 1 while an injected fault waits to happen (it has not fired yet). */
int db_fault_armed(const struct db *db);

/* Backend-specific maintenance after erasing personal data: make sure no
 * copy of deleted rows remains in files (SQLite: WAL checkpoint/truncate). */
int db_purge_deleted(struct db *db) TD_MUST_CHECK;

/* After rows were inserted with explicit ids into a table with an @ID@
 * column: move the id generator past the largest id (PostgreSQL identity
 * sequences do not follow explicit ids; SQLite needs nothing). */
int db_sync_ids(struct db *db, const char *table) TD_MUST_CHECK;
/* The names of the application's tables (schema_migrations included), in
 * an order that respects foreign keys (parents first), into out[0..*n). */
int db_tables(struct db *db, char out[][64], size_t max, size_t *n /* OUT */) TD_MUST_CHECK;

/* Bulk loading of many rows into one table inside the caller's transaction:
 * PostgreSQL streams them with COPY (an order of magnitude faster than one
 * INSERT per row); SQLite uses one prepared INSERT. Values are text (NULL
 * for SQL NULL), as db_col_text() gives them. db_loader_end() always frees
 * the loader and reports the first failure. */
struct db_loader;
int db_loader_begin(struct db *db, const char *table, const char *const *cols, int ncols,
                    struct db_loader **out /* OUT */) TD_MUST_CHECK;
int db_loader_row(struct db_loader *l, const char *const *vals) TD_MUST_CHECK;
int db_loader_end(struct db_loader *l) TD_MUST_CHECK;

/* Many rows through one multi-row statement: `many` holds `per` copies of a
 * row of ncols `?`s (DB_ROWS32 writes them), `one` the same statement for one
 * row. Rows 0..n-1 go `per` at a time, the rest one by one; bind(st, first,
 * i, arg) binds row i from parameter `first` on. Both texts are literals (the
 * cache keys statements by address). Statements whose rows answer rows (a
 * SELECT) are not for this: their rows are ignored. */
#define DB_ROWS4(row) row ", " row ", " row ", " row
#define DB_ROWS16(row) DB_ROWS4(row) ", " DB_ROWS4(row) ", " DB_ROWS4(row) ", " DB_ROWS4(row)
#define DB_ROWS32(row) DB_ROWS16(row) ", " DB_ROWS16(row)
#define DB_ROWS128(row) DB_ROWS32(row) ", " DB_ROWS32(row) ", " DB_ROWS32(row) ", " DB_ROWS32(row)
#define DB_ROWS256(row) DB_ROWS128(row) ", " DB_ROWS128(row)
int db_write_rows(struct db *db, const char *one, const char *many, int per, int ncols, size_t n,
                  int (*bind)(struct db_stmt *st, int first, size_t i, void *arg), void *arg) TD_MUST_CHECK;

/* Inside a write transaction: checks foreign keys when it commits instead of
 * row by row, so a bulk copy may write a row before the row it references
 * (a reissued credit note points at its newer replacement). The checks still
 * run: a commit that would leave a dangling reference fails. SQLite:
 * PRAGMA defer_foreign_keys (ends with the transaction); PostgreSQL: SET
 * CONSTRAINTS ALL DEFERRED (migration 0005 made every foreign key
 * DEFERRABLE INITIALLY IMMEDIATE, so other transactions are unchanged). */
int db_defer_foreign_keys(struct db *db) TD_MUST_CHECK;

/* Faster, non-durable bulk loading for a brand-new database that no other
 * connection uses (the demo generator): on=1 relaxes durability and skips
 * foreign-key checks (the loader must write consistent references), on=0
 * restores both. Call outside a transaction. */
int db_bulk_mode(struct db *db, int on) TD_MUST_CHECK;

/* Bulk loading: drops the secondary indexes of `table` (those made by
 * CREATE INDEX, not its primary key or UNIQUE constraints) and hands back
 * their definitions; db_index_restore() builds them again from exactly those
 * definitions, so the schema ends as it began. One CREATE INDEX (a sort) is
 * much cheaper than keeping an index up to date row by row when the rows
 * arrive in another order than the index's. Call both inside one
 * transaction so no reader sees the table without its indexes.
 * db_index_restore() frees the set, also when it fails; a set that is not
 * restored (the transaction is rolled back) is freed with db_index_free(). */
struct db_index_set;
int db_index_drop(struct db *db, const char *table, struct db_index_set **out /* OUT */) TD_MUST_CHECK;
int db_index_restore(struct db *db, struct db_index_set *set) TD_MUST_CHECK;
void db_index_free(struct db_index_set *set);          /* accepts NULL */

#endif
