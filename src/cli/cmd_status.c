/*
 * cli/cmd_status.c - `mailwarden status`: the running daemon's state (store,
 * keys, connections, answers, events) over its control socket.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/serve_client.h"
#include "core/str.h"

static const char status_help[] =
	"usage: mailwarden status [-c FILE | --control unix:PATH] [--json]\n"
	"\n"
	"Ask the running `mailwarden serve` for its state.  Exit 0 up, 1 the\n"
	"store is degraded (redis down, counting locally), 3 unreachable.\n";

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"control", required_argument, NULL, 'C'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL, *control = NULL;
	bool json = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config = optarg; break;
		case 'C': control = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(status_help, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("status", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
	char path[512], answer[8192];
	if (control)
		mw_strlcpy(path, control, sizeof(path));
	else if (serve_client_paths("status", config, path, sizeof(path), NULL, 0))
		return CLI_EXIT_USAGE;
	int rc = serve_client_ask("status", path, "status", answer, sizeof(answer));
	if (rc)
		return rc;
	json_t *j = json_loads(answer, 0, NULL);
	if (!j) {
		fprintf(stderr, "mailwarden status: unreadable answer\n");
		return CLI_EXIT_ERROR;
	}
	bool degraded = strcmp(json_string_value(json_object_get(j, "store_state")) ?: "", "up") != 0;
	if (json) {
		puts(answer);
	} else {
		printf("mailwarden serve: up %lld s, store %s (%s), %lld keys, %lld connections\n",
		       (long long)json_integer_value(json_object_get(j, "uptime_s")),
		       json_string_value(json_object_get(j, "store")),
		       json_string_value(json_object_get(j, "store_state")),
		       (long long)json_integer_value(json_object_get(j, "keys")),
		       (long long)json_integer_value(json_object_get(j, "connections")));
		printf("requests %lld (malformed %lld)\n",
		       (long long)json_integer_value(json_object_get(j, "requests")),
		       (long long)json_integer_value(json_object_get(j, "malformed")));
		const char *k;
		json_t *v;
		printf("answers:");
		json_object_foreach(json_object_get(j, "answers"), k, v)
			printf(" %s=%lld", k, (long long)json_integer_value(v));
		printf("\nevents: ");
		json_object_foreach(json_object_get(j, "events"), k, v)
			printf(" %s=%lld", k, (long long)json_integer_value(v));
		printf("\n");
	}
	json_decref(j);
	return degraded ? CLI_EXIT_FINDING : CLI_EXIT_OK;
}
