/* cli.h — the subcommands of `trustdesk` and their shared option parsing.
 * Each subcommand takes argc/argv after its own name and returns the exit
 * status (0 ok, 1 failure, 2 usage). */
#ifndef TD_CLI_H
#define TD_CLI_H
#include <stddef.h>

int cli_serve(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_copy(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_ledger(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_collection(int argc, char **argv);
int cli_simulate(int argc, char **argv);

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
/* cli_check_args for a subcommand whose only option is --db: -1 when the
 * arguments are fine (*first, when not NULL, gets the first positional
 * one), else the exit status (0 after --help, 2 for a usage error, which
 * was printed). */
int cli_db_only_args(int argc, char **argv, int positional, const char *usage, const char **first /* OUT */);
/* The n-th positional argument (not an option or option value), or NULL. */
const char *cli_positional(int argc, char **argv, const char *const *known, int n);
/* A database URL fit to print: the sqlite path, or "the PostgreSQL
 * database" (a postgres URL may carry a password). */
const char *cli_db_label(const char *url);
/* Opens the database (creating a sqlite file's folder) and applies the
 * migrations; prints why not and returns 1 on failure (*db is then NULL). */
struct db;
int cli_open_db(const char *url, struct db **db);
/* Creates the folder of a sqlite: URL's file when missing. */
int cli_prepare_sqlite_dir(const char *url);
/* A progress line on a terminal (stderr), nothing otherwise. */
void cli_progress(const char *what, long long done, long long total);
void cli_progress_end(void);

#endif
