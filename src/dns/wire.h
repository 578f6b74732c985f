/*
 * dns/wire.h - DNS reply messages (RFC 1035 §4) to dns_answer.
 *
 * DESCRIPTION
 *   dns_wire_answer reads one reply message for (qname, type) the way the
 *   engines need it: the records of that type at the end of the CNAME chain
 *   from qname (at most MW_DNS_CNAME_MAX hops, RFC 1034 §3.6.2), with TTLs;
 *   the answer TTL is the smallest on the chain; a longer chain (a loop) is
 *   DNS_TEMPFAIL "CNAME chain too long", as in the zone backend.  TXT character-strings of
 *   one record are joined without separator (dns.h).  RCODE NXDOMAIN gives
 *   DNS_NXDOMAIN (RFC 6604: it applies to the last name of the chain);
 *   NOERROR without usable records DNS_NODATA; both carry the negative TTL
 *   min(SOA TTL, SOA MINIMUM) of the authority SOA (RFC 2308 §5), capped at
 *   MW_DNS_NEGTTL_MAX, MW_DNS_NEGTTL_DEFAULT without an SOA.  SERVFAIL,
 *   REFUSED, FORMERR, NOTIMP and other RCODEs are DNS_TEMPFAIL with the
 *   RCODE name as reason; a message too broken to read is DNS_TEMPFAIL
 *   "bad response".
 *
 *   Replies are untrusted: every length is checked against the message;
 *   names are decompressed by c-ares's ares_expand_name (loop-safe).
 *   Records that are malformed, of another class than IN, or whose names
 *   break RFC 1035 §2.3.4 lengths are skipped, never half-kept.  The id and
 *   question are not checked here (c-ares matched them to the query).
 *
 * OWNERSHIP
 *   Returns a new answer (caller frees); NULL only when out of memory.
 */
#ifndef MW_DNS_WIRE_H
#define MW_DNS_WIRE_H

#include <stddef.h>

#include "dns/dns.h"

/* dns_wire_answer - the answer to (qname, type) carried by a reply message */
dns_answer *dns_wire_answer(const unsigned char *msg, size_t len, const char *qname, dns_type type);

#endif
