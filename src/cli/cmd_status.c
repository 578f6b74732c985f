/*
 * cli/cmd_status.c - `mailwarden status`: the running daemon's state (store,
 * keys, connections, answers, events) over its control socket.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/serve_client.h"

static const char status_help[] =
	"usage: mailwarden status [-c FILE | --control unix:PATH] [--json]\n"
	"\n"
	"Ask the running `mailwarden serve` for its state.  Exit 0 up, 1 the\n"
	"store is degraded (redis down, counting locally), 3 unreachable.\n";

int cmd_status(int argc, char **argv)
{
	serve_client_opts o;
	int rc = serve_client_parse("status", status_help, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.first_arg != argc)
		return cli_usage_error("status", "unexpected argument '%s'", argv[o.first_arg]);
	char answer[8192];
	rc = serve_client_ask("status", o.control, "status", answer, sizeof(answer));
	if (rc)
		return rc;
	json_t *j = json_loads(answer, 0, NULL);
	if (!j) {
		fprintf(stderr, "mailwarden status: unreadable answer\n");
		return CLI_EXIT_ERROR;
	}
	bool degraded = strcmp(json_string_value(json_object_get(j, "store_state")) ?: "", "up") != 0;
	if (o.json) {
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
