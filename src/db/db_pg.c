/* db_pg.c — the PostgreSQL backend of db.h, through libpq.
 *
 * Invariants:
 *  (1) SQL is written once with `?` parameters; prepare() translates them to
 *      $1..$n (outside quoted literals); a statement db.c caches (see
 *      db_backend.h) is prepared on the server under a generated name, a
 *      private one (a nested use of SQL in use, SQL built at run time) runs
 *      unprepared (PQexecParams);
 *  (2) all parameters and results travel as text; int64 is printed and parsed
 *      in C, so no binary-format assumptions leak out;
 *  (3) write transactions are READ COMMITTED: every invariant of the
 *      application is kept by a conditional UPDATE (WHERE balance_cents >=
 *      ?, WHERE version = ?), a unique key or a CHECK, which PostgreSQL
 *      re-evaluates on the newest row version after waiting for a row lock;
 *      so concurrent requests on one row queue instead of failing.
 *      Serialization failures (40001) and deadlocks (40P01) still map to
 *      TD_E_BUSY and the caller retries them;
 *  (4) the connection refuses to be used when fsync or synchronous_commit is
 *      off: a committed answer must survive a crash;
 *  (5) BEGIN costs no round trip of its own: it is sent with the
 *      transaction's first statement, in one pipeline (PostgreSQL takes a
 *      transaction's snapshot at its first statement anyway); a transaction
 *      that ran no statement is neither begun nor committed on the server.
 *
 * Statement life:  prepare -> bind* -> step (executes, then iterates rows)
 *                  -> done (clears the result and the parameters)
 */
#include "db/db_backend.h"
#include "core/log.h"
#include "core/text.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_stmt {
    struct db_stmt base;
    char name[24];            /* server-side prepared statement name; "" for an unprepared use */
    char *sql;                /* translated SQL (owned) */
    int nparams;
    char **params;            /* owned strings, NULL for SQL NULL */
    PGresult *res;
    int row, nrows, executed;
    int64_t changes;
};

struct pg_db {
    struct db base;
    PGconn *conn;
    unsigned next_name;
    const char *begin;        /* the BEGIN not yet sent (invariant 5), or NULL */
    char err[256];
};

static struct pg_db *PDB(struct db *db) { return (struct pg_db *)db; }
static struct pg_stmt *PST(struct db_stmt *st) { return (struct pg_stmt *)st; }

/* Maps a failed result to a status, keeping its message. */
static int map_result(struct pg_db *d, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(d->err, sizeof d->err, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn));
    size_t n = strlen(d->err);
    while (n && (d->err[n - 1] == '\n' || d->err[n - 1] == ' ')) d->err[--n] = '\0';
    if (!state) {
        log_msg(LOG_ERROR, "postgres error", "detail", d->err, NULL);
        return PQstatus(d->conn) == CONNECTION_OK ? TD_E_DB : TD_E_UNAVAILABLE;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) return TD_E_BUSY;
    if (strncmp(state, "23", 2) == 0) return TD_E_CONFLICT;   /* integrity constraint violations */
    if (strcmp(state, "53200") == 0) return TD_E_NOMEM;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0) {
        log_msg(LOG_ERROR, "postgres connection problem", "sqlstate", state, "detail", d->err, NULL);
        return TD_E_UNAVAILABLE;
    }
    log_msg(LOG_ERROR, "postgres error", "sqlstate", state, "detail", d->err, NULL);
    return TD_E_DB;
}

static int run_simple(struct pg_db *d, const char *sql);

/* Sends a BEGIN still waiting (invariant 5) on its own: before what cannot
 * share its pipeline (a simple query, COPY). */
static int send_begin(struct pg_db *d)
{
    const char *b = d->begin;
    d->begin = NULL;
    return b ? run_simple(d, b) : TD_OK;
}

static int run_simple(struct pg_db *d, const char *sql)
{
    int rc = send_begin(d);
    if (rc != TD_OK) return rc;
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? TD_OK : map_result(d, res);
    PQclear(res);
    return rc;
}

/* Queues statement s (prepared, or with its SQL) in the current pipeline. */
static int send_stmt(struct pg_db *d, struct pg_stmt *s)
{
    const char *const *vals = (const char *const *)s->params;
    return s->name[0] ? PQsendQueryPrepared(d->conn, s->name, s->nparams, vals, NULL, NULL, 0)
                      : PQsendQueryParams(d->conn, s->sql, s->nparams, NULL, vals, NULL, NULL, 0);
}

/* The waiting BEGIN and statement s in one round trip (invariant 5): their
 * results in order, then the pipeline's end. Returns s's result; a failed
 * BEGIN's own result instead (s was then not run). */
static PGresult *exec_after_begin(struct pg_db *d, struct pg_stmt *s)
{
    const char *b = d->begin;
    d->begin = NULL;
    if (!PQenterPipelineMode(d->conn)) return NULL;
    PGresult *begun = NULL, *res = NULL, *r;
    if (PQsendQueryParams(d->conn, b, 0, NULL, NULL, NULL, NULL, 0) && send_stmt(d, s) && PQpipelineSync(d->conn)) {
        /* BEGIN's result, the statement's, each followed by NULL; then the sync. */
        for (int got = 0, gaps = 0; gaps < 4;) {
            r = PQgetResult(d->conn);
            if (!r) {
                if (PQstatus(d->conn) != CONNECTION_OK) break;
                gaps++;                     /* one NULL after each result; more: nothing is coming */
                continue;
            }
            ExecStatusType es = PQresultStatus(r);
            if (es == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                break;
            }
            if (got == 0) begun = r;
            else if (!res) res = r;
            else PQclear(r);
            got++;
        }
    }
    (void)PQexitPipelineMode(d->conn);
    if (begun && PQresultStatus(begun) != PGRES_COMMAND_OK) {
        PQclear(res);
        return begun;
    }
    PQclear(begun);
    return res;
}

static void stmt_free(struct pg_stmt *s)
{
    if (!s) return;
    PQclear(s->res);
    for (int i = 0; i < s->nparams; i++) free(s->params[i]);
    free(s->params);
    free(s->sql);
    free(s);
}

static void p_close(struct db *db)
{
    struct pg_db *d = PDB(db);
    PQfinish(d->conn);
    free(d);
}

static const char *p_errmsg(struct db *db) { return PDB(db)->err; }
static int p_exec(struct db *db, const char *sql) { return run_simple(PDB(db), sql); }

/* Translates `?` to $n outside '...' literals, "..." identifiers and
 * comments. Returns the number of parameters, or -1 on OOM. */
static int translate(const char *sql, char **out)
{
    size_t n = strlen(sql);
    char *o = malloc(n * 4 + 1);
    if (!o) return -1;
    int count = 0;
    size_t k = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            o[k++] = *p;
            if (*p == quote) quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            o[k++] = *p;
        } else if (*p == '-' && p[1] == '-') {
            while (*p && *p != '\n') o[k++] = *p++;
            if (!*p) break;
            o[k++] = *p;
        } else if (*p == '?') {
            k += (size_t)snprintf(o + k, 8, "$%d", ++count);
        } else {
            o[k++] = *p;
        }
    }
    o[k] = '\0';
    *out = o;
    return count;
}

static int p_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out)
{
    struct pg_db *d = PDB(db);
    struct pg_stmt *s = calloc(1, sizeof *s);
    if (!s) return TD_E_NOMEM;
    s->nparams = translate(sql, &s->sql);
    if (s->nparams < 0 || (s->nparams && !(s->params = calloc((size_t)s->nparams, sizeof *s->params)))) {
        stmt_free(s);
        return TD_E_NOMEM;
    }
    if (persistent) {
        snprintf(s->name, sizeof s->name, "td%u", d->next_name++);
        PGresult *res = PQprepare(d->conn, s->name, s->sql, 0, NULL);
        int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? TD_OK : map_result(d, res);
        PQclear(res);
        if (rc != TD_OK) {
            stmt_free(s);
            return rc;
        }
    }
    *out = &s->base;
    return TD_OK;
}

static void p_finalize(struct db_stmt *st) { stmt_free(PST(st)); }
static int p_param_count(struct db_stmt *st) { return PST(st)->nparams; }

static int set_param(struct pg_stmt *s, int idx, char *v)
{
    if (idx < 1 || idx > s->nparams) {
        free(v);
        return TD_E_INTERNAL;
    }
    free(s->params[idx - 1]);
    s->params[idx - 1] = v;
    return TD_OK;
}

static int p_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    char *t = malloc(24);
    if (!t) return TD_E_NOMEM;
    snprintf(t, 24, "%lld", (long long)v);
    return set_param(PST(st), idx, t);
}

static int p_bind_text(struct db_stmt *st, int idx, const char *v)
{
    char *t = NULL;
    if (v && !(t = strdup(v))) return TD_E_NOMEM;
    return set_param(PST(st), idx, t);
}

static int p_bind_null(struct db_stmt *st, int idx) { return set_param(PST(st), idx, NULL); }

static int p_step(struct db_stmt *st)
{
    struct pg_stmt *s = PST(st);
    struct pg_db *d = PDB(st->db);
    if (!s->executed) {
        s->executed = 1;
        const char *const *vals = (const char *const *)s->params;
        if (d->begin) s->res = exec_after_begin(d, s);
        else s->res = s->name[0] ? PQexecPrepared(d->conn, s->name, s->nparams, vals, NULL, NULL, 0)
                                 : PQexecParams(d->conn, s->sql, s->nparams, NULL, vals, NULL, NULL, 0);
        ExecStatusType es = PQresultStatus(s->res);
        if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
            int rc = map_result(d, s->res);
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
        s->nrows = es == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
        s->row = -1;
        const char *ct = PQcmdTuples(s->res);
        int64_t ch = 0;
        s->changes = (ct && *ct && text_parse_int64(ct, &ch) == TD_OK) ? ch : 0;
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        return TD_ROW;
    }
    return TD_DONE;
}

static int64_t p_col_int64(struct db_stmt *st, int col)
{
    struct pg_stmt *s = PST(st);
    if (!s->res || PQgetisnull(s->res, s->row, col)) return 0;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (strcmp(v, "t") == 0) return 1;
    if (strcmp(v, "f") == 0) return 0;
    int64_t out = 0;
    return text_parse_int64(v, &out) == TD_OK ? out : 0;
}

static const char *p_col_text(struct db_stmt *st, int col)
{
    struct pg_stmt *s = PST(st);
    if (!s->res || PQgetisnull(s->res, s->row, col)) return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static int p_col_is_null(struct db_stmt *st, int col)
{
    struct pg_stmt *s = PST(st);
    return !s->res || PQgetisnull(s->res, s->row, col);
}

static int p_col_count(struct db_stmt *st) { return PST(st)->res ? PQnfields(PST(st)->res) : 0; }
static const char *p_col_name(struct db_stmt *st, int col) { return PST(st)->res ? PQfname(PST(st)->res, col) : NULL; }

static int p_sync_ids(struct db *db, const char *table)
{
    /* Only tables whose "id" column is an identity have a sequence to move. */
    struct pg_db *d = PDB(db);
    int brc = send_begin(d);
    if (brc != TD_OK) return brc;
    const char *vals[1] = {table};
    PGresult *res = PQexecParams(d->conn,
                                 "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                                 " AND table_name = $1 AND column_name = 'id' AND is_identity = 'YES'",
                                 1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = map_result(d, res);
        PQclear(res);
        return rc;
    }
    int identity = PQntuples(res) == 1;
    PQclear(res);
    if (!identity) return TD_OK;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
             table, table);
    return run_simple(d, sql);
}

static int64_t p_changes(struct db_stmt *st) { return PST(st)->changes; }

static int p_reset(struct db_stmt *st)
{
    struct pg_stmt *s = PST(st);
    PQclear(s->res);
    s->res = NULL;
    s->executed = 0;
    s->row = s->nrows = 0;
    s->changes = 0;
    for (int i = 0; i < s->nparams; i++) {
        free(s->params[i]);
        s->params[i] = NULL;
    }
    return TD_OK;
}

static int p_begin(struct db *db, int write)
{
    struct pg_db *d = PDB(db);
    int rc = send_begin(d);                 /* a transaction begun twice: as before, the server warns */
    d->begin = write ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    return rc;
}

/* A transaction whose BEGIN was never sent ran nothing: nothing to end. */
static int p_commit(struct db *db)
{
    struct pg_db *d = PDB(db);
    if (d->begin) {
        d->begin = NULL;
        return TD_OK;
    }
    return run_simple(d, "COMMIT");
}

static void p_rollback(struct db *db)
{
    struct pg_db *d = PDB(db);
    if (d->begin) {
        d->begin = NULL;
        return;
    }
    TD_BEST_EFFORT(run_simple(d, "ROLLBACK"));
}

static int p_purge_deleted(struct db *db)
{
    /* Dead row versions hold erased values until vacuumed. */
    return run_simple(PDB(db), "VACUUM customers, customer_search, consent_events, receipts");
}

static int p_bulk_mode(struct db *db, int on)
{
    return run_simple(PDB(db), on ? "SET synchronous_commit = off" : "SET synchronous_commit = on");
}

/* Applies to DEFERRABLE constraints only, which every foreign key is since
 * migration 0005; ends with the transaction. */
static int p_defer_foreign_keys(struct db *db) { return run_simple(PDB(db), "SET CONSTRAINTS ALL DEFERRED"); }

static int p_copy_begin(struct db *db, const char *sql)
{
    struct pg_db *d = PDB(db);
    int brc = send_begin(d);
    if (brc != TD_OK) return brc;
    PGresult *res = PQexec(d->conn, sql);
    int rc = PQresultStatus(res) == PGRES_COPY_IN ? TD_OK : map_result(d, res);
    PQclear(res);
    return rc;
}

static int p_copy_put(struct db *db, const char *data, size_t len)
{
    struct pg_db *d = PDB(db);
    if (PQputCopyData(d->conn, data, (int)len) != 1) return map_result(d, NULL);
    return TD_OK;
}

static int p_copy_end(struct db *db, int ok)
{
    struct pg_db *d = PDB(db);
    if (PQputCopyEnd(d->conn, ok ? NULL : "trustdesk: load abandoned") != 1) return map_result(d, NULL);
    int rc = TD_OK;
    PGresult *res;
    while ((res = PQgetResult(d->conn)) != NULL) {
        if (rc == TD_OK && PQresultStatus(res) != PGRES_COMMAND_OK) rc = ok ? map_result(d, res) : TD_E_INTERNAL;
        PQclear(res);
    }
    return ok ? rc : TD_OK;
}

static const char *const p_placeholders[] = {
    "ID", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "WITHOUT_ROWID", "", "BINARY", "COLLATE \"C\"", NULL,
};

/* Every foreign key DEFERRABLE INITIALLY IMMEDIATE, also those a migration
 * just made: ordinary transactions see no difference (the checks still run at
 * the end of each statement), but `trustdesk copy` and `backup` defer them to
 * commit (db_defer_foreign_keys), because a reissued credit note references
 * its newer replacement. SQLite defers any foreign key with a pragma. */
static const char p_after_migration[] =
    "DO $$ DECLARE r record; BEGIN"
    " FOR r IN SELECT c.conname, c.conrelid::regclass AS tbl FROM pg_constraint c"
    " JOIN pg_namespace n ON n.oid = c.connamespace"
    " WHERE c.contype = 'f' AND NOT c.condeferrable AND n.nspname = current_schema()"
    " LOOP EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', r.tbl, r.conname);"
    " END LOOP; END $$";

static const struct db_ops pg_ops = {
    .backend = DB_POSTGRES, .name = "postgres",
    .close = p_close, .errmsg = p_errmsg, .exec = p_exec, .prepare = p_prepare,
    .finalize = p_finalize, .param_count = p_param_count,
    .bind_int64 = p_bind_int64, .bind_text = p_bind_text, .bind_null = p_bind_null,
    .step = p_step, .col_int64 = p_col_int64, .col_text = p_col_text,
    .col_is_null = p_col_is_null, .col_count = p_col_count, .col_name = p_col_name, .sync_ids = p_sync_ids,
    .tables_sql = "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                  " WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid",
    .changes = p_changes, .reset = p_reset,
    .begin = p_begin, .commit = p_commit, .rollback = p_rollback,
    .copy_begin = p_copy_begin, .copy_put = p_copy_put, .copy_end = p_copy_end,
    .purge_deleted = p_purge_deleted, .bulk_mode = p_bulk_mode, .defer_foreign_keys = p_defer_foreign_keys,
    .placeholders = p_placeholders, .after_migration = p_after_migration,
    /* Indexes made by CREATE INDEX, not those behind PRIMARY KEY/UNIQUE. */
    .index_list_sql = "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
                      " AND i.tablename = ? AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
                      " ORDER BY i.indexname",
    /* A standby's lag (db.h, db_replica_state): nothing to replay means no
     * lag, however old the last replayed commit is (an idle primary sends
     * nothing new); WAL received but not yet replayed is as old as the time
     * since the last commit that was replayed. now() is the start of the
     * caller's transaction, the moment its snapshot was taken. A standby
     * that has WAL to replay but has replayed no commit since it started
     * cannot say how far behind it is: -1. pg_stat_wal_receiver shows its
     * row (the pid, without privileges) while a WAL receiver runs. */
    .replica_sql = "SELECT pg_is_in_recovery()::int, (SELECT COUNT(*) FROM pg_stat_wal_receiver),"
                   " CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NULL"
                   "           OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0"
                   "      ELSE COALESCE(GREATEST(0, FLOOR(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
                   "                                      * 1000)), -1) END::bigint",
};

static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;   /* NOTICEs (e.g. "relation already exists, skipping") are not errors */
}

/* Reads a server setting; 1 when it is "on". */
static int setting_on(struct pg_db *d, const char *name)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SHOW %s", name);
    PGresult *res = PQexec(d->conn, sql);
    int on = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
             strcmp(PQgetvalue(res, 0, 0), "off") != 0;
    PQclear(res);
    return on;
}

int db_pg_open(const char *url, struct db **out)
{
    struct pg_db *d = calloc(1, sizeof *d);
    if (!d) return TD_E_NOMEM;
    d->base.ops = &pg_ops;
    d->conn = PQconnectdb(url);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        /* The message may name the host and user, never the password. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(d->conn));
        msg[strcspn(msg, "\n")] = '\0';
        log_msg(LOG_ERROR, "cannot connect to postgres", "detail", msg, NULL);
        PQfinish(d->conn);
        free(d);
        return TD_E_UNAVAILABLE;
    }
    PQsetNoticeProcessor(d->conn, on_notice, NULL);
    /* Prepared statements may settle on a generic plan (plan_cache_mode
     * auto): planning every run cost a GET more than half its time. The
     * statements whose plan depends on the values (a search's prefix) are
     * db_prepare_planned(). */
    int rc = run_simple(d, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; SET lock_timeout = '10s'");
    if (rc == TD_OK && (!setting_on(d, "fsync") || !setting_on(d, "synchronous_commit"))) {
        log_msg(LOG_ERROR, "refusing a postgres server with fsync or synchronous_commit off", NULL);
        rc = TD_E_UNAVAILABLE;
    }
    if (rc != TD_OK) {
        p_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return TD_OK;
}
