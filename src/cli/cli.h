/* cli.h — the subcommands of `trustdesk` and their shared option parsing.
 * Each subcommand takes argc/argv after its own name and returns the exit
 * status (0 ok, 1 failure, 2 usage). */
#ifndef TD_CLI_H
#define TD_CLI_H
#include <stddef.h>

/* The subcommands in the order `trustdesk --help` lists them: X(name, its
 * line of help), each run by cli_<name>(). main.c makes its table of
 * commands and its usage from this one list. */
#define CLI_COMMANDS(X)                                                                                           \
    X(serve, "run the HTTP server (API and web app)")                                                             \
    X(demo, "fill a new database with a Dutch demo chain")                                                        \
    X(migrate, "create or upgrade the database schema")                                                           \
    X(user, "manage staff accounts (user add ...)")                                                               \
    X(token, "API tokens for integrations (token add|list|revoke ...)")                                           \
    X(import, "import customers, purchases, catalogue or stock from CSV")                                         \
    X(copy, "copy all data into another (empty) database, e.g. SQLite to PostgreSQL")                             \
    X(backup, "write a consistent, verified backup into a new SQLite file")                                       \
    X(ledger, "verify the credit-note ledger, or expire due credit notes")                                        \
    X(evaluate, "measure the guard on a demo database with planted abusers")                                      \
    X(simulate, "what a draft policy would have recommended for the cases of a period")                           \
    X(audit, "verify the audit log's hash chain")                                                                 \
    X(collection, "a collection's arrival in a store: preview, arrive, report")
#define CLI__DECLARE(name, help) int cli_##name(int argc, char **argv);
CLI_COMMANDS(CLI__DECLARE)
#undef CLI__DECLARE

/* Options are "--name value" or "--name=value". cli_opt returns the value
 * or def; cli_flag returns 1 when "--name" is present. */
const char *cli_opt(int argc, char **argv, const char *name, const char *def);
int cli_flag(int argc, char **argv, const char *name);
/* The database URL: --db, else $TRUSTDESK_DB, else sqlite:data/trustdesk.db. */
const char *cli_db_url(int argc, char **argv);
/* Checks that every "--x" in argv is one of the names in `known` (NULL-ended)
 * and that positional arguments number `positional`; prints the problem. */
int cli_check_args(int argc, char **argv, const char *const *known, const char *const *flags, int positional,
                   const char *usage);
/* A subcommand whose only option is --db, with one positional verb from
 * verbs (NULL-ended; NULL: no positional argument) into *verb when verb is
 * not NULL: checks the arguments (cli_check_args) and opens the database
 * (cli_open_db). -1 with *db open, the caller's to close, to go on; else
 * the exit status with *db NULL: 0 after --help, 2 for a usage error (the
 * usage was printed), 1 when the database does not open. */
struct db;
int cli_db_command(int argc, char **argv, const char *usage, const char *const *verbs, const char **verb /* OUT */,
                   struct db **db /* OUT */);
/* The n-th positional argument (not an option or option value), or NULL. */
const char *cli_positional(int argc, char **argv, const char *const *known, int n);
/* A database URL fit to print: the sqlite path, or "the PostgreSQL
 * database" (a postgres URL may carry a password). */
const char *cli_db_label(const char *url);
/* Opens the database (creating a sqlite file's folder) and applies the
 * migrations; prints why not and returns 1 on failure (*db is then NULL). */
int cli_open_db(const char *url, struct db **db);
/* Creates the folder of a sqlite: URL's file when missing. */
int cli_prepare_sqlite_dir(const char *url);
/* A progress line on a terminal (stderr), nothing otherwise. */
void cli_progress(const char *what, long long done, long long total);
void cli_progress_end(void);

#endif
