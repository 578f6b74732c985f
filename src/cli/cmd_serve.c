/*
 * cli/cmd_serve.c - `mailwarden serve`: run the Postfix policy service
 * (daemon/server.c), or check a configuration with --check.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "daemon/milter_config.h"
#include "daemon/server.h"

static const char serve_help[] =
	"usage: mailwarden serve [-c FILE] [--listen ADDR:PORT|unix:PATH]...\n"
	"                        [--store memory|sqlite:PATH|redis://HOST:PORT]\n"
	"                        [--control unix:PATH|off] [--metrics ADDR:PORT|off]\n"
	"                        [--events-db PATH|off] [--user NAME] [--log stderr|syslog]\n"
	"                        [--milter SOCKET|off] [--check [--json]]\n"
	"\n"
	"Postfix policy service with sliding-window rate limits (alert, hold, defer,\n"
	"reject), event history and alerts.  Options override the file; without -c\n"
	"the documented defaults apply (etc/mailwarden.conf).  Postfix main.cf:\n"
	"  smtpd_end_of_data_restrictions = check_policy_service inet:127.0.0.1:10040\n"
	"With --milter (or `milter =` in [serve], or a socket in [milter]) the milter\n"
	"runs inside the service (docs/MILTER.md): its content-scan holds become\n"
	"events and count toward `count = scan_holds` rules.\n"
	"Signals: SIGHUP reloads the file, SIGTERM drains and exits 0.\n"
	"--check reads the configuration, prints the rules and exits (0 ok, 2 bad).\n";

/* print_check - the rules a configuration would run */
static int print_check(const serve_config *c, bool json)
{
	if (json)
		printf("{\"ok\":true,\"store\":\"%s\",\"rules\":%zu}\n", c->store, c->rules->nrules);
	else {
		printf("configuration ok: store %s, %zu listener(s), %zu rule(s)\n", c->store,
		       c->nlisten, c->rules->nrules);
		for (size_t i = 0; i < c->rules->nrules; i++) {
			const mw_rl_rule *r = &c->rules->rules[i];
			printf("  rule %s: window %llds", r->name, (long long)(r->window_ms / 1000));
			for (int a = 0; a < MW_RL_NACTIONS; a++)
				if (r->limits.limit[a])
					printf(", %s > %llu", mw_rl_action_name((mw_rl_action)a),
					       (unsigned long long)r->limits.limit[a]);
			printf("\n");
		}
	}
	return CLI_EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"listen", required_argument, NULL, 'l'},
		{"store", required_argument, NULL, 's'},  {"control", required_argument, NULL, 'C'},
		{"metrics", required_argument, NULL, 'm'}, {"events-db", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},   {"log", required_argument, NULL, 'L'},
		{"check", no_argument, NULL, 'k'},        {"json", no_argument, NULL, 'j'},
		{"milter", required_argument, NULL, 'M'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	serve_overrides ov = {0};
	const char *config = NULL;
	bool check = false, json = false, log_stderr = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		const char *name = NULL;
		switch (o) {
		case 'c': config = optarg; break;
		case 'l': name = "listen"; break;
		case 's': name = "store"; break;
		case 'C': name = "control"; break;
		case 'm': name = "metrics"; break;
		case 'e': name = "events_db"; break;
		case 'u': name = "user"; break;
		case 'M': name = "milter"; break;
		case 'L': name = "log"; log_stderr = strcmp(optarg, "stderr") == 0; break;
		case 'k': check = true; break;
		case 'j': json = true; break;
		case 'h': fputs(serve_help, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("serve", "unknown option");
		}
		if (name) {
			if (ov.n == sizeof(ov.name) / sizeof(ov.name[0]))
				return cli_usage_error("serve", "too many options");
			ov.name[ov.n] = name;
			ov.value[ov.n++] = optarg;
		}
	}
	if (optind != argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (check) {
		mw_err err;
		serve_config *c = serve_config_load(config, &ov, &err);
		if (!c) {
			fprintf(stderr, "mailwarden serve: %s\n", err.msg);
			return CLI_EXIT_USAGE;
		}
		milter_config *mc = milter_config_load(config, &err);
		if (!mc) {
			fprintf(stderr, "mailwarden serve: [milter]: %s\n", err.msg);
			serve_config_free(c);
			return CLI_EXIT_USAGE;
		}
		int rc = print_check(c, json);
		if (!json && strcmp(c->milter, "off") && (c->milter[0] || mc->socket_set))
			printf("  milter on %s: %zu DKIM keys, %zu domains, BATV %s, scan %s\n",
			       c->milter[0] ? c->milter : mc->socket, mc->nkeys, mc->ndomains,
			       mc->batv ? "on" : "off", mc->scan ? "on" : "off");
		milter_config_free(mc);
		serve_config_free(c);
		return rc;
	}
	return serve_run(config, &ov, log_stderr);
}
