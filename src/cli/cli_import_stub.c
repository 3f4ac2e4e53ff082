/* placeholder until cli_import.c lands */
#include "cli/cli.h"
#include <stdio.h>
int cli_import(int argc, char **argv) { (void)argc; (void)argv; fputs("trustdesk: import is not built yet\n", stderr); return 1; }
