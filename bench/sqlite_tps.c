/* sqlite_tps.c — the baseline of bench section (g): raw durable single-row
 * SQLite transactions per second on this disk.
 *
 *   sqlite_tps PATH SECONDS
 *
 * Creates PATH (removing an old one and its -wal/-shm), sets WAL mode with
 * synchronous=FULL (what trustdesk uses), and runs one autocommit
 * INSERT of one row per transaction, from one connection, for SECONDS.
 * Each commit is one fsync of the WAL: the durable floor a ledger write pays.
 *
 * Output: one line "n=... seconds=... tps=...".
 * Built by bench/run.sh; not part of make test.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_tps: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || atof(argv[2]) <= 0) {
        fputs("usage: sqlite_tps PATH SECONDS\n", stderr);
        return 2;
    }
    const char *path = argv[1];
    double secs = atof(argv[2]);
    char side[4096];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);

    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite_tps: cannot open %s\n", path);
        return 1;
    }
    if (exec(db, "PRAGMA journal_mode=WAL") || exec(db, "PRAGMA synchronous=FULL") ||
        exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL,"
                 " at INTEGER NOT NULL, ref TEXT NOT NULL)"))
        return 1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO t (note_id, amount_cents, at, ref) VALUES (?1, 1, ?2, ?3)", -1, &st,
                           NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_tps: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    long n = 0;
    double t0 = mono(), t = t0;
    char ref[64];
    while (t - t0 < secs) {
        snprintf(ref, sizeof ref, "bench-%ld", n);
        sqlite3_bind_int64(st, 1, n % 4);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)(t * 1e6));
        sqlite3_bind_text(st, 3, ref, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {    /* autocommit: one transaction, one WAL fsync */
            fprintf(stderr, "sqlite_tps: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_reset(st);
        n++;
        t = mono();
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("n=%ld seconds=%.3f tps=%.1f\n", n, t - t0, (double)n / (t - t0));
    return 0;
}
