/* placeholder until cli_demo.c lands */
#include "cli/cli.h"
#include <stdio.h>
int cli_demo(int argc, char **argv) { (void)argc; (void)argv; fputs("trustdesk: demo is not built yet\n", stderr); return 1; }
