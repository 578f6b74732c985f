/*
 * cli/cmd_milter.c - "mailwarden milter [-c FILE] [--socket SPEC]":
 * run the milter (daemon/milter.h) until SIGTERM.
 *
 * Settings come from the [milter] section of the config file; --socket,
 * --zone/--resolver and --set NAME=VALUE override it.  Exit 0 after a
 * clean stop, 2 for a usage or config error, 3 when the socket cannot be
 * opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "daemon/milter.h"

static const char usage_text[] =
	"usage: mailwarden milter [-c FILE] [--socket SPEC] [options]\n"
	"\n"
	"Run the milter for Postfix (smtpd_milters) or Sendmail (INPUT_MAIL_FILTER):\n"
	"DKIM-sign and BATV-tag outbound mail (SASL-authenticated or trusted\n"
	"networks); check SPF, DKIM, ARC and DMARC on inbound mail, add one\n"
	"Authentication-Results field, remove forged ones, reject bounces to\n"
	"untagged addresses.  Settings: the [milter] section of the config.\n"
	"\n"
	"options:\n"
	"  -c FILE                configuration file (its [milter] section)\n"
	"  --socket SPEC          inet:PORT@HOST or unix:PATH (default inet:8891@127.0.0.1)\n"
	"  --set NAME=VALUE       override one [milter] setting\n" CLI_DNS_HELP
	"  --check                load and check the configuration, then exit\n"
	"  --help                 this text\n";

/* cmd_milter - entry point */
int cmd_milter(int argc, char **argv)
{
	const char *path = NULL, *sets[32];
	size_t nsets = 0;
	const char *socket = NULL;
	bool check = false;
	cli_dns_opts dns = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&dns, "milter", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--check")) {
			check = true;
		} else if (!strcmp(a, "-c") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(a, "--socket") && i + 1 < argc) {
			socket = argv[++i];
		} else if (!strcmp(a, "--set") && i + 1 < argc) {
			if (nsets == sizeof(sets) / sizeof(sets[0]))
				return cli_usage_error("milter", "too many --set");
			sets[nsets++] = argv[++i];
		} else {
			return cli_usage_error("milter", "unexpected argument '%s'", a);
		}
	}
	mw_err err;
	mw_err_clear(&err);
	milter_config *cfg = milter_config_load(path, &err);
	if (!cfg) {
		fprintf(stderr, "mailwarden milter: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < nsets; i++) {
		char name[64];
		const char *eq = strchr(sets[i], '=');
		if (!eq || (size_t)(eq - sets[i]) >= sizeof(name)) {
			milter_config_free(cfg);
			return cli_usage_error("milter", "--set wants NAME=VALUE, not '%s'", sets[i]);
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - sets[i]), sets[i]);
		if (milter_config_set(cfg, name, eq + 1, &err) != MW_OK) {
			fprintf(stderr, "mailwarden milter: --set %s: %s\n", sets[i], err.msg);
			milter_config_free(cfg);
			return CLI_EXIT_USAGE;
		}
	}
	if (socket)
		snprintf(cfg->socket, sizeof(cfg->socket), "%s", socket);
	if (!dns.zone_file && cfg->zone[0])
		dns.zone_file = cfg->zone;
	if (!dns.resolver && cfg->resolver[0])
		dns.resolver = cfg->resolver;
	int rc = CLI_EXIT_OK;
	if (milter_config_check(cfg, &err) != MW_OK) {
		fprintf(stderr, "mailwarden milter: %s\n", err.msg);
		milter_config_free(cfg);
		return CLI_EXIT_USAGE;
	}
	if (check)
		printf("milter config ok: socket %s, %zu DKIM keys, %zu domains, BATV %s, ARC seal %s\n",
		       cfg->socket, cfg->nkeys, cfg->ndomains, cfg->batv ? "on" : "off",
		       cfg->arc_seal ? "on" : "off");
	else
		rc = milter_run(cfg, &dns);
	milter_config_free(cfg);
	return rc;
}
