/*
 * cli/cmd_spf.c - `mailwarden spf` (placeholder until the SPF engine lands).
 */
#include "cli/cli.h"

int cmd_spf(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mailwarden spf: not built yet\n");
	return CLI_EXIT_ERROR;
}
