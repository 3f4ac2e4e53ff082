/* main.c — `trustdesk SUBCOMMAND ...`: picks the subcommand. */
#include "cli/cli.h"
#include "core/token.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: trustdesk COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP server (API and web app)\n"
    "  demo      fill a new database with a Dutch demo chain\n"
    "  migrate   create or upgrade the database schema\n"
    "  user      manage staff accounts (user add ...)\n"
    "  token     API tokens for integrations (token add|list|revoke ...)\n"
    "  import    import customers, purchases, catalogue or stock from CSV\n"
    "  copy      copy all data into another (empty) database, e.g. SQLite to PostgreSQL\n"
    "  backup    write a consistent, verified backup into a new SQLite file\n"
    "  ledger    verify the credit-note ledger, or expire due credit notes\n"
    "  evaluate  measure the guard on a demo database with planted abusers\n"
    "  simulate  what a draft policy would have recommended for the cases of a period\n"
    "  audit     verify the audit log's hash chain\n"
    "  collection  a collection's arrival in a store: preview, arrive, report\n"
    "\n"
    "Every command takes --db URL (default sqlite:data/trustdesk.db, or $TRUSTDESK_DB)\n"
    "and --help.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (token_init() != 0) {
        fputs("trustdesk: libsodium could not be initialised\n", stderr);
        return 1;
    }
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"serve", cli_serve}, {"demo", cli_demo}, {"migrate", cli_migrate},
        {"user", cli_user}, {"token", cli_token}, {"import", cli_import},
        {"copy", cli_copy}, {"backup", cli_backup}, {"ledger", cli_ledger},
        {"evaluate", cli_evaluate}, {"audit", cli_audit}, {"collection", cli_collection},
        {"simulate", cli_simulate},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "trustdesk: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}
