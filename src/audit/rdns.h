/*
 * audit/rdns.h - reverse DNS of mail hosts: PTR, forward-confirmed reverse
 * DNS (FCrDNS, RFC 8601 §3 "iprev", RFC 1912 §2.1) and generic names.
 *
 * DESCRIPTION
 *   audit_rdns_lint checks every address of an audit_hosts list (section
 *   "rdns"): a PTR record exists, one of its names resolves back to the
 *   address (FCrDNS), and that name does not look like a dynamic or
 *   generic pool name (audit_ptr_generic).  A sending IP (--ip) without
 *   PTR or FCrDNS is critical (large receivers refuse such mail), an MX
 *   address a warning.  For sending IPs that pass it gives HELO advice:
 *   the HELO/EHLO name should be the PTR name.  No I/O (dns/lookup.h).
 *
 *   audit_ptr_generic is a heuristic: the name embeds the address (dashed,
 *   dotted, reversed, zero-padded or hex) or has a label token such as
 *   dyn, dhcp, pool, dsl, cable, ppp, dialup, client, broadband, cpe
 *   (alone or followed by digits).  It can misjudge; the finding says so.
 *
 * LIMITS
 *   MW_SPF_PTR_MAX PTR names checked per address.
 */
#ifndef MW_AUDIT_RDNS_H
#define MW_AUDIT_RDNS_H

#include <stdbool.h>

#include "audit/finding.h"
#include "audit/mx.h"
#include "dns/lookup.h"

/* audit_rdns_lint - one pass over the hosts' addresses */
mw_status audit_rdns_lint(const audit_hosts *hosts, dns_lookup *lk, audit_findings *out);

/* audit_ptr_generic - the name looks like a dynamic / generic pool name */
bool audit_ptr_generic(const char *name, const mw_ip *ip);

#endif
