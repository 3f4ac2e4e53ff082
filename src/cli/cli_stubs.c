/* cli_stubs.c — placeholders replaced by cli_demo.c and cli_import.c. */
#include "cli/cli.h"
#include <stdio.h>
int cli_demo(int argc, char **argv) { (void)argc; (void)argv; fputs("not built yet\n", stderr); return 1; }
int cli_import(int argc, char **argv) { (void)argc; (void)argv; fputs("not built yet\n", stderr); return 1; }
