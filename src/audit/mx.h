/*
 * audit/mx.h - a domain's MX hosts and the addresses to check (RFC 5321 §5.1,
 * RFC 7505 null MX).
 *
 * DESCRIPTION
 *   audit_mx_lint reads the MX records of the domain (or the hosts given
 *   with --mx), resolves every host to its A and AAAA addresses and reports
 *   (section "mx"): no MX (warning: mail falls back to the A record), a
 *   null MX (info: the domain accepts no mail), hosts that do not resolve
 *   (critical), private or loopback addresses (warning), DNS failures.
 *   The addresses found are appended to an audit_hosts list, which also
 *   holds the sending IPs given with --ip: reverse DNS (rdns.h) and DNSBL
 *   (dnsbl.h) checks run over it.  No I/O (dns/lookup.h).
 *
 * LIMITS
 *   MW_AUDIT_MX_MAX hosts, MW_AUDIT_IPS_MAX addresses.
 */
#ifndef MW_AUDIT_MX_H
#define MW_AUDIT_MX_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/finding.h"
#include "core/ip.h"
#include "core/limits.h"
#include "dns/lookup.h"

typedef struct audit_ip {
	mw_ip ip;
	bool sending;     /* given with --ip: the host sends mail */
	const char *src;  /* "--ip" or the MX host name (pool or caller string) */
} audit_ip;

typedef struct audit_hosts {
	audit_ip ip[MW_AUDIT_IPS_MAX];
	size_t n;
	size_t dropped;
} audit_hosts;

/* audit_hosts_add - append unless present or full; false when dropped */
bool audit_hosts_add(audit_hosts *h, const mw_ip *ip, bool sending, const char *src);

/* audit_mx_lint - one pass; adds MX addresses to hosts (the caller resets
 * hosts to its --ip entries before each pass) */
mw_status audit_mx_lint(const char *domain, const char *const *given, size_t ngiven,
			dns_lookup *lk, audit_findings *out, audit_hosts *hosts);

#endif
