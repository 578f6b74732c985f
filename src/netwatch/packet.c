/*
 * netwatch/packet.c - IPv4/IPv6 + TCP header fields of a logged packet.
 */
#include "netwatch/packet.h"

#include <string.h>

#include "core/limits.h"

/* tcp_ports - ports and flags of the TCP header at p (n bytes left) */
static mw_status tcp_ports(const uint8_t *p, size_t n, mw_nw_pkt *out, mw_err *err)
{
	if (n < 14)
		return mw_err_set(err, MW_EPARSE, "TCP header cut at %zu bytes", n);
	out->sport = (uint16_t)(p[0] << 8 | p[1]);
	out->dport = (uint16_t)(p[2] << 8 | p[3]);
	out->tcp_flags = p[13];
	return MW_OK;
}

/* parse_ip4 - RFC 791 header: version/IHL, protocol 6, fragment offset 0 */
static mw_status parse_ip4(const uint8_t *p, size_t n, mw_nw_pkt *out, mw_err *err)
{
	if (n < 20)
		return mw_err_set(err, MW_EPARSE, "IPv4 header cut at %zu bytes", n);
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > n)
		return mw_err_set(err, MW_EPARSE, "IPv4 IHL %zu with %zu bytes", ihl, n);
	if (p[9] != 6)
		return mw_err_set(err, MW_EPARSE, "IPv4 protocol %u is not TCP", p[9]);
	if (((p[6] & 0x1f) << 8 | p[7]) != 0)
		return mw_err_set(err, MW_EPARSE, "IPv4 non-first fragment");
	out->src.family = out->dst.family = 4;
	memcpy(out->src.addr, p + 12, 4);
	memcpy(out->dst.addr, p + 16, 4);
	return tcp_ports(p + ihl, n - ihl, out, err);
}

/* parse_ip6 - RFC 8200 fixed header and the extension headers before TCP */
static mw_status parse_ip6(const uint8_t *p, size_t n, mw_nw_pkt *out, mw_err *err)
{
	if (n < 40)
		return mw_err_set(err, MW_EPARSE, "IPv6 header cut at %zu bytes", n);
	out->src.family = out->dst.family = 6;
	memcpy(out->src.addr, p + 8, 16);
	memcpy(out->dst.addr, p + 24, 16);
	uint8_t next = p[6];
	size_t off = 40;
	for (int i = 0; i <= MW_NW_IP6_EXT_MAX; i++) {
		if (next == 6)
			return tcp_ports(p + off, n - off, out, err);
		if (next != 0 && next != 43 && next != 60)
			return mw_err_set(err, MW_EPARSE, "IPv6 next header %u is not TCP", next);
		if (n - off < 8)
			return mw_err_set(err, MW_EPARSE, "IPv6 extension header cut");
		size_t len = ((size_t)p[off + 1] + 1) * 8;
		if (len > n - off)
			return mw_err_set(err, MW_EPARSE, "IPv6 extension header of %zu bytes cut",
					  len);
		next = p[off];
		off += len;
	}
	return mw_err_set(err, MW_EPARSE, "more than %d IPv6 extension headers",
			  MW_NW_IP6_EXT_MAX);
}

mw_status mw_nw_parse_packet(const uint8_t *p, size_t n, mw_nw_pkt *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (n < 1)
		return mw_err_set(err, MW_EPARSE, "empty packet");
	switch (p[0] >> 4) {
	case 4:
		return parse_ip4(p, n, out, err);
	case 6:
		return parse_ip6(p, n, out, err);
	default:
		return mw_err_set(err, MW_EPARSE, "IP version %u", p[0] >> 4);
	}
}
