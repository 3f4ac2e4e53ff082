/* cli_copy.c — `trustdesk copy` (move a shop's data to another database,
 * e.g. SQLite to PostgreSQL) and `trustdesk backup` (a consistent copy of
 * either backend into a new SQLite file; restore it with `copy`). */
#include "cli/cli.h"
#include "db/db.h"
#include "db/db_copy.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void on_progress(void *arg, const char *table, int64_t rows)
{
    (void)arg;
    cli_progress(table, rows, 0);
}

static int run_copy(const char *from_url, const char *to_url, int quiet)
{
    struct db *from = NULL, *to = NULL;
    if (cli_open_db(from_url, &from) || cli_open_db(to_url, &to)) {
        db_close(from);
        db_close(to);
        return 1;
    }
    static struct db_copy_report rep;
    char why[256];
    int rc = db_copy(from, to, on_progress, NULL, &rep, why, sizeof why);
    cli_progress_end();
    if (rc == TD_OK) {
        /* Fresh statistics for the planner; on PostgreSQL also the
         * visibility map, without which index-only scans (search) read the
         * heap for every row until autovacuum comes by. */
        int arc = db_exec(to, db_backend(to) == DB_POSTGRES ? "VACUUM ANALYZE" : "ANALYZE");
        if (arc != TD_OK) fprintf(stderr, "trustdesk: note: analysing the copy failed (%s); run ANALYZE yourself\n",
                                  td_status_message(arc));
    }
    db_close(from);
    db_close(to);
    if (!quiet || rc != TD_OK) {
        printf("%-22s %12s %12s  %-16s %s\n", "table", "rows from", "rows to", "checksum", "");
        for (size_t i = 0; i < rep.ntables; i++) {
            int same = rep.t[i].from.rows == rep.t[i].to.rows && rep.t[i].from.sum == rep.t[i].to.sum;
            printf("%-22s %12lld %12lld  %016llx %s\n", rep.t[i].name, (long long)rep.t[i].from.rows,
                   (long long)rep.t[i].to.rows, (unsigned long long)rep.t[i].to.sum, same ? "ok" : "DIFFERS");
        }
    }
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: copy failed, nothing was written: %s\n", why[0] ? why : td_status_message(rc));
        return 1;
    }
    return 0;
}

/* Checks the arguments against opts (NULL-ended) and reads each option into
 * v, the first `required` of them required: -1 to go on, else the exit
 * status (0 after --help, 2 for a usage error, the usage printed). */
static int read_opts(int argc, char **argv, const char *usage, const char *const *opts, size_t required,
                     const char **v /* OUT */)
{
    int u = cli_check_args(argc, argv, opts, NULL, 0, usage);
    if (u) return u == 1 ? 0 : u;
    for (size_t i = 0; opts[i]; i++) v[i] = cli_opt(argc, argv, opts[i], NULL);
    for (size_t i = 0; i < required; i++)
        if (!v[i]) {
            fputs(usage, stderr);
            return 2;
        }
    return -1;
}

int cli_copy(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk copy --from URL --to URL\n"
        "\nCopies every table from one database into another, empty one (for example from\n"
        "sqlite:data/trustdesk.db to postgres://user@host/db when a shop outgrows one machine),\n"
        "in one transaction, then checks row counts and a checksum per table.\n"
        "Restoring a backup is a copy from the backup file into an empty database.\n";
    static const char *const opts[] = {"--from", "--to", NULL};
    const char *v[2];
    int st = read_opts(argc, argv, usage, opts, 2, v);
    if (st >= 0) return st;
    if (run_copy(v[0], v[1], 0) != 0) return 1;
    printf("copied and verified\n");
    return 0;
}

int cli_backup(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk backup [--db URL] --out FILE\n"
        "\nWrites a consistent backup of the database (SQLite or PostgreSQL, read in one\n"
        "snapshot while servers keep running) into a new SQLite file, and verifies it.\n"
        "Restore with: trustdesk copy --from sqlite:FILE --to URL-of-an-empty-database\n";
    static const char *const opts[] = {"--out", "--db", NULL};
    const char *v[2];
    int st = read_opts(argc, argv, usage, opts, 1, v);
    if (st >= 0) return st;
    const char *out = v[0];
    struct stat sb;
    if (stat(out, &sb) == 0) {
        fprintf(stderr, "trustdesk: %s exists; a backup is always written to a new file\n", out);
        return 1;
    }
    char to[1100];
    snprintf(to, sizeof to, "sqlite:%s", out);
    if (run_copy(cli_db_url(argc, argv), to, 1) != 0) {
        remove(out);
        return 1;
    }
    printf("backup written to %s and verified\n", out);
    return 0;
}
