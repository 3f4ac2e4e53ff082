/* common.c — option parsing and progress output shared by subcommands. */
#include "cli/cli.h"
#include "db/db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_opt(int argc, char **argv, const char *name, const char *def)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], name, n) != 0) continue;
        if (argv[i][n] == '=') return argv[i] + n + 1;
        if (argv[i][n] == '\0' && i + 1 < argc) return argv[i + 1];
    }
    return def;
}

int cli_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

const char *cli_db_url(int argc, char **argv)
{
    const char *env = getenv("TRUSTDESK_DB");
    return cli_opt(argc, argv, "--db", env && *env ? env : "sqlite:data/trustdesk.db");
}

static int in_list(const char *arg, const char *const *list, size_t *len_out)
{
    for (; list && *list; list++) {
        size_t n = strlen(*list);
        if (strncmp(arg, *list, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
            if (len_out) *len_out = n;
            return arg[n] == '=' ? 2 : 1;
        }
    }
    return 0;
}

const char *cli_positional(int argc, char **argv, const char *const *known, int n)
{
    int k = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            if (in_list(argv[i], known, NULL) == 1) i++;   /* skip its value */
            continue;
        }
        if (k++ == n) return argv[i];
    }
    return NULL;
}

int cli_check_args(int argc, char **argv, const char *const *known, const char *const *flags, int positional,
                   const char *usage)
{
    int npos = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            int k = in_list(argv[i], known, NULL);
            if (k == 1) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "trustdesk: %s needs a value\n\n%s", argv[i], usage);
                    return 2;
                }
                i++;
            } else if (k == 0 && !in_list(argv[i], flags, NULL)) {
                fprintf(stderr, "trustdesk: unknown option %s\n\n%s", argv[i], usage);
                return 2;
            }
            continue;
        }
        npos++;
    }
    if (npos != positional) {
        fprintf(stderr, "trustdesk: expected %d argument%s, got %d\n\n%s", positional, positional == 1 ? "" : "s",
                npos, usage);
        return 2;
    }
    return 0;
}

const char *cli_db_label(const char *url)
{
    return strncmp(url, "postgres", 8) == 0 ? "the PostgreSQL database" : url;
}

int cli_prepare_sqlite_dir(const char *url)
{
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : strstr(url, "://") ? NULL : url;
    if (!path) return 0;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "trustdesk: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_db_command(int argc, char **argv, const char *usage, const char *const *verbs, const char **verb,
                   struct db **db)
{
    static const char *const opts[] = {"--db", NULL};
    *db = NULL;
    int u = cli_check_args(argc, argv, opts, NULL, verbs ? 1 : 0, usage);
    if (u) return u == 1 ? 0 : u;
    if (verbs) {
        const char *v = cli_positional(argc, argv, opts, 0);
        size_t i = 0;
        while (verbs[i] && (!v || strcmp(verbs[i], v) != 0)) i++;
        if (!verbs[i]) {
            fputs(usage, stderr);
            return 2;
        }
        if (verb) *verb = v;
    }
    return cli_open_db(cli_db_url(argc, argv), db) ? 1 : -1;
}

int cli_open_db(const char *url, struct db **db)
{
    *db = NULL;
    if (cli_prepare_sqlite_dir(url) != 0) return 1;
    int rc = db_open(url, db);
    if (rc == TD_OK) rc = db_migrate(*db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: cannot open or migrate %s: %s\n", cli_db_label(url), td_status_message(rc));
        db_close(*db);
        *db = NULL;
        return 1;
    }
    return 0;
}

static int progress_shown;

void cli_progress(const char *what, long long done, long long total)
{
    if (!isatty(STDERR_FILENO)) return;
    if (total > 0)
        fprintf(stderr, "\r%s: %lld / %lld (%d%%)   ", what, done, total, (int)(done * 100 / total));
    else
        fprintf(stderr, "\r%s: %lld   ", what, done);
    progress_shown = 1;
}

void cli_progress_end(void)
{
    if (progress_shown) fputc('\n', stderr);
    progress_shown = 0;
}
