/*
 * cli/dnsopt.c - DNS options shared by subcommands (see dnsopt.h).
 */
#include "cli/dnsopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"

/* cli_dns_parse_opt - recognise --zone / --resolver / --dns-timeout */
int cli_dns_parse_opt(cli_dns_opts *o, const char *cmd, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char **slot = NULL;
	if (strcmp(a, "--zone") == 0)
		slot = &o->zone_file;
	else if (strcmp(a, "--resolver") == 0)
		slot = &o->resolver;
	else if (strcmp(a, "--dns-timeout") != 0)
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error(cmd, "%s needs a value", a);
		return -1;
	}
	const char *v = argv[++*i];
	if (slot) {
		*slot = v;
		return 1;
	}
	char *end;
	long ms = strtol(v, &end, 10);
	if (*end || ms < 1 || ms > 600000) {
		cli_usage_error(cmd, "--dns-timeout wants milliseconds (1..600000), not '%s'", v);
		return -1;
	}
	o->timeout_ms = (int)ms;
	return 1;
}

/* cli_dns_open - build the DNS stack */
bool cli_dns_open(cli_dns *d, const cli_dns_opts *o)
{
	memset(d, 0, sizeof(*d));
	mw_err err;
	mw_err_clear(&err);
	if (o->zone_file && o->resolver) {
		fprintf(stderr, "mailwarden: --zone and --resolver exclude each other\n");
		return false;
	}
	d->cache = dns_cache_new();
	if (!d->cache)
		goto err;
	if (o->zone_file) {
		d->zone = dns_zone_new();
		if (!d->zone)
			goto err;
		if (dns_zone_load_file(d->zone, o->zone_file, &err) != MW_OK)
			goto err;
		d->resolver = dns_resolver_zone_new(d->zone);
	} else {
		int t = o->timeout_ms ? o->timeout_ms : MW_DNS_TIMEOUT_MS;
		d->resolver = dns_resolver_ares_new(o->resolver, t, MW_DNS_TRIES, &err);
	}
	if (d->resolver)
		return true;
err:
	fprintf(stderr, "mailwarden: %s\n", err.msg[0] ? err.msg : "out of memory");
	cli_dns_close(d);
	return false;
}

/* cli_dns_close - release */
void cli_dns_close(cli_dns *d)
{
	dns_resolver_free(d->resolver);
	dns_cache_free(d->cache);
	dns_zone_free(d->zone);
	memset(d, 0, sizeof(*d));
}
