/*
 * cli/cmd_release.c - `mailwarden release KEY`: clear a key's rate counters
 * in the running daemon (over its control socket), so the user can send
 * again.  Mail already in Postfix's hold queue stays there for the admin
 * (postsuper -H).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/serve_client.h"
#include "core/limits.h"

static const char release_help[] =
	"usage: mailwarden release KEY [-c FILE | --control unix:PATH] [--json]\n"
	"\n"
	"Clear KEY's counters in every rate rule of the running `mailwarden serve`.\n"
	"KEY is written as in events: the sasl_username, client address, ... of\n"
	"the rule, fields joined by '|' for combined keys.  Exit 0 released,\n"
	"1 nothing was counted for KEY, 3 the daemon cannot be reached.\n";

int cmd_release(int argc, char **argv)
{
	serve_client_opts o;
	int rc = serve_client_parse("release", release_help, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.first_arg + 1 != argc)
		return cli_usage_error("release", "want exactly one KEY");
	const char *key = argv[o.first_arg];
	if (!key[0] || strpbrk(key, "\r\n") || strlen(key) > MW_RL_KEY_MAX)
		return cli_usage_error("release", "bad KEY");
	char line[MW_RL_KEY_MAX + 16], answer[256];
	snprintf(line, sizeof(line), "release %s", key);
	rc = serve_client_ask("release", o.control, line, answer, sizeof(answer));
	if (rc)
		return rc;
	if (strncmp(answer, "ok ", 3) != 0) {
		fprintf(stderr, "mailwarden release: daemon said: %s\n", answer);
		return CLI_EXIT_ERROR;
	}
	long n = strtol(answer + 3, NULL, 10);
	if (o.json)
		printf("{\"key\":\"%s\",\"counters_cleared\":%ld}\n", key, n);
	else if (n)
		printf("released %s: %ld counter(s) cleared\n", key, n);
	else
		printf("nothing counted for %s\n", key);
	return n ? CLI_EXIT_OK : CLI_EXIT_FINDING;
}
