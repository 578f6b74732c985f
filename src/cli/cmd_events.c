/*
 * cli/cmd_events.c - `mailwarden events`: threshold crossings from the event
 * history (SQLite, read-only; works whether the daemon runs or not).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/serve_client.h"
#include "core/str.h"
#include "outbound/ratelimit.h"
#include "store/eventlog.h"

static const char events_help[] =
	"usage: mailwarden events [-c FILE | --db PATH] [--since DURATION] [--key KEY]\n"
	"                         [--limit N] [--json]\n"
	"\n"
	"List stored events (rate thresholds crossed), oldest first.  --since takes\n"
	"a duration back from now (30m, 24h, 7d; default 7d).  Exit 0 none,\n"
	"1 events listed, 2 usage, 3 the history cannot be read.\n";

/* print_human - one event per line plus its evidence */
static void print_human(const mw_event *ev)
{
	char when[32], line[1024];
	time_t t = (time_t)(ev->time_ms / 1000);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", gmtime_r(&t, &tm));
	printf("%s #%lld %s\n", when, (long long)ev->id, mw_event_describe(ev, line, sizeof(line)));
	printf("    client %s, sasl_username %s, sender %s\n", ev->client_address[0] ? ev->client_address : "-",
	       ev->sasl_username[0] ? ev->sasl_username : "-", ev->sender[0] ? ev->sender : "<>");
	for (size_t i = 0; i < ev->nrecipients; i++)
		printf("    recipient %s\n", ev->recipients[i]);
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
		{"since", required_argument, NULL, 's'},  {"key", required_argument, NULL, 'k'},
		{"limit", required_argument, NULL, 'n'},  {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	const char *config = NULL, *db = NULL, *key = NULL;
	int64_t since = 7 * 86400000LL;
	long limit = 1000;
	bool json = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config = optarg; break;
		case 'd': db = optarg; break;
		case 's':
			if (!mw_rl_parse_duration(optarg, &since))
				return cli_usage_error("events", "--since '%s': want e.g. 30m, 24h, 7d", optarg);
			break;
		case 'k': key = optarg; break;
		case 'n':
			limit = strtol(optarg, NULL, 10);
			if (limit <= 0 || limit > MW_EVENT_LIST_MAX)
				return cli_usage_error("events", "--limit: 1..%d", MW_EVENT_LIST_MAX);
			break;
		case 'j': json = true; break;
		case 'h': fputs(events_help, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("events", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("events", "unexpected argument '%s'", argv[optind]);
	char path[512];
	if (db)
		mw_strlcpy(path, db, sizeof(path));
	else if (serve_client_paths("events", config, NULL, 0, path, sizeof(path)))
		return CLI_EXIT_USAGE;
	mw_err err;
	mw_eventlog *log = mw_eventlog_open(path, true, &err);
	if (!log) {
		fprintf(stderr, "mailwarden events: %s\n", err.msg);
		return CLI_EXIT_ERROR;
	}
	struct timeval tv;
	gettimeofday(&tv, NULL);
	int64_t now = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	mw_event *list = NULL;
	size_t n = 0;
	mw_status st = mw_eventlog_list(log, now - since, key, (size_t)limit, &list, &n, &err);
	mw_eventlog_close(log);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden events: %s\n", err.msg);
		return CLI_EXIT_ERROR;
	}
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, mw_event_to_json(&list[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
	} else {
		for (size_t i = 0; i < n; i++)
			print_human(&list[i]);
		if (n == 0)
			printf("no events\n");
	}
	free(list);
	return n ? CLI_EXIT_FINDING : CLI_EXIT_OK;
}
