/*
 * core/ip.c - IP address helpers (see ip.h).
 */
#include "core/ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* mw_ip_parse_n - parse a counted address string */
bool mw_ip_parse_n(const char *s, size_t n, mw_ip *out)
{
	char tmp[MW_IP_STR_MAX];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(tmp, ':', n)) {
		if (inet_pton(AF_INET6, tmp, out->addr) != 1)
			return false;
		out->family = 6;
		return true;
	}
	if (inet_pton(AF_INET, tmp, out->addr) != 1)
		return false;
	out->family = 4;
	return true;
}

/* mw_ip_parse - parse an address */
bool mw_ip_parse(const char *s, mw_ip *out)
{
	return mw_ip_parse_n(s, strlen(s), out);
}

/* mw_ip_format - address as text */
const char *mw_ip_format(const mw_ip *ip, char *buf, size_t n)
{
	if (!inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->addr, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

/* mw_ip_unmap - IPv4-mapped IPv6 to IPv4 */
void mw_ip_unmap(mw_ip *ip)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ip->family == 6 && memcmp(ip->addr, prefix, 12) == 0) {
		memmove(ip->addr, ip->addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		ip->family = 4;
	}
}

/* mw_ip_equal - compare two addresses */
bool mw_ip_equal(const mw_ip *a, const mw_ip *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

/* mw_ip_in_cidr - prefix comparison */
bool mw_ip_in_cidr(const mw_ip *ip, const mw_ip *net, unsigned prefix)
{
	if (ip->family != net->family)
		return false;
	unsigned bits = ip->family == 4 ? 32 : 128;
	if (prefix > bits)
		return false;
	unsigned full = prefix / 8, rest = prefix % 8;
	if (memcmp(ip->addr, net->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((ip->addr[full] & mask) != (net->addr[full] & mask))
			return false;
	}
	return true;
}

/* mw_ip_revname - reverse-lookup name */
const char *mw_ip_revname(const mw_ip *ip, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (ip->family == 4) {
		snprintf(buf, n, "%u.%u.%u.%u.in-addr.arpa", ip->addr[3], ip->addr[2],
			 ip->addr[1], ip->addr[0]);
		return buf;
	}
	char tmp[MW_IP_REVNAME_MAX];
	size_t k = 0;
	for (int i = 15; i >= 0; i--) {
		tmp[k++] = hex[ip->addr[i] & 0xf];
		tmp[k++] = '.';
		tmp[k++] = hex[ip->addr[i] >> 4];
		tmp[k++] = '.';
	}
	memcpy(tmp + k, "ip6.arpa", 9);
	snprintf(buf, n, "%s", tmp);
	return buf;
}
