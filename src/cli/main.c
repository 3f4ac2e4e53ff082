/* main.c — `trustdesk SUBCOMMAND ...`: picks the subcommand. */
#include "cli/cli.h"
#include "core/token.h"
#include <stdio.h>
#include <string.h>

#define CMD(name, help) {#name, help, cli_##name},
static const struct command {
    const char *name, *help;
    int (*fn)(int, char **);
} cmds[] = {CLI_COMMANDS(CMD)};
#undef CMD

static void print_usage(FILE *f)
{
    fputs("usage: trustdesk COMMAND [OPTIONS]\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) fprintf(f, "  %-8s  %s\n", cmds[i].name, cmds[i].help);
    fputs("\nEvery command takes --db URL (default sqlite:data/trustdesk.db, or $TRUSTDESK_DB)\nand --help.\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (token_init() != 0) {
        fputs("trustdesk: libsodium could not be initialised\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "trustdesk: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr);
    return 2;
}
