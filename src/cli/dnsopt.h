/*
 * cli/dnsopt.h - the DNS options every DNS-using subcommand accepts.
 *
 *   --zone FILE            offline: answer from an RFC 1035 master file
 *   --resolver IP[:PORT]   real lookups (c-ares) through that server
 *   --dns-timeout MS       per-try timeout for --resolver (default MW_DNS_TIMEOUT_MS)
 *   (neither --zone nor --resolver: the system resolver from /etc/resolv.conf)
 */
#ifndef MW_CLI_DNSOPT_H
#define MW_CLI_DNSOPT_H

#include <stdbool.h>

#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/zone.h"

#define CLI_DNS_HELP                                                                     \
	"  --zone FILE            answer DNS from a zone file (offline)\n"                  \
	"  --resolver IP[:PORT]   send DNS queries to this server\n"                        \
	"  --dns-timeout MS       per-try DNS timeout (default 5000)\n"

typedef struct cli_dns_opts {
	const char *zone_file;
	const char *resolver;
	int timeout_ms;
} cli_dns_opts;

typedef struct cli_dns {
	dns_zone *zone;         /* only with --zone */
	dns_resolver *resolver;
	dns_cache *cache;
} cli_dns;

/* cli_dns_parse_opt - consume argv[*i] (and its value) if it is a DNS option.
 * Returns 1 if consumed, 0 if not a DNS option, -1 on a usage error (printed). */
int cli_dns_parse_opt(cli_dns_opts *o, const char *cmd, int argc, char **argv, int *i);
/* cli_dns_open - zone/resolver/cache per the options; prints the error, false on failure */
bool cli_dns_open(cli_dns *d, const cli_dns_opts *o);
/* cli_dns_close - free everything cli_dns_open made */
void cli_dns_close(cli_dns *d);

#endif
