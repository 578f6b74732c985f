/*
 * core/ip.h - IPv4/IPv6 addresses: parse, format, CIDR match, reverse names.
 *
 * DESCRIPTION
 *   One address type for the project.  IPv4 is stored as 4 bytes; an
 *   IPv4-mapped IPv6 address (::ffff:a.b.c.d) is parsed as IPv6 and
 *   mw_ip_unmap turns it into IPv4 where a protocol says so (RFC 7208 §5).
 *   Reverse names follow RFC 1035 §3.5 (in-addr.arpa) and RFC 3596 §2.5
 *   (ip6.arpa nibbles).
 */
#ifndef MW_CORE_IP_H
#define MW_CORE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mw_ip {
	int family; /* 4 or 6; 0 = unset */
	uint8_t addr[16];
} mw_ip;

#define MW_IP_STR_MAX 46   /* INET6_ADDRSTRLEN */
#define MW_IP_REVNAME_MAX 74 /* 32 nibbles*2 + "ip6.arpa" + NUL */

/* mw_ip_parse - parse dotted quad or RFC 4291 text; false if malformed */
bool mw_ip_parse(const char *s, mw_ip *out);
/* mw_ip_parse_n - same on a counted string */
bool mw_ip_parse_n(const char *s, size_t n, mw_ip *out);
/* mw_ip_format - canonical text into buf (>= MW_IP_STR_MAX) */
const char *mw_ip_format(const mw_ip *ip, char *buf, size_t n);
/* mw_ip_unmap - ::ffff:a.b.c.d becomes a.b.c.d (in place); others unchanged */
void mw_ip_unmap(mw_ip *ip);
/* mw_ip_equal - same family and bytes */
bool mw_ip_equal(const mw_ip *a, const mw_ip *b);
/* mw_ip_in_cidr - first prefix bits equal; families must match */
bool mw_ip_in_cidr(const mw_ip *ip, const mw_ip *net, unsigned prefix);
/* mw_ip_revname - "4.3.2.1.in-addr.arpa" or nibble ip6.arpa name */
const char *mw_ip_revname(const mw_ip *ip, char *buf, size_t n);

#endif
