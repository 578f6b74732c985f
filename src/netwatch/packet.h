/*
 * netwatch/packet.h - the addresses and ports of a logged TCP packet.
 *
 * DESCRIPTION
 *   NFLOG hands user space the start of the network-layer packet (IPv4,
 *   RFC 791, or IPv6, RFC 8200) that matched a `log group N` rule.
 *   mw_nw_parse_packet extracts family, addresses, TCP ports and flags
 *   (RFC 9293 §3.1).  Pure and bounds-checked: the copy may be cut at
 *   MW_NW_NFLOG_COPY bytes, and IPv6 extension headers (hop-by-hop,
 *   routing, destination options; at most MW_NW_IP6_EXT_MAX) are walked.
 *   Non-first IPv4 fragments and IPv6 fragment headers carry no ports and
 *   are MW_EPARSE; so is any protocol other than TCP.
 *
 * OWNERSHIP
 *   Plain values.
 */
#ifndef MW_NETWATCH_PACKET_H
#define MW_NETWATCH_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

typedef struct mw_nw_pkt {
	mw_ip src, dst;
	uint16_t sport, dport;
	uint8_t tcp_flags; /* FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 ... */
} mw_nw_pkt;

/* mw_nw_parse_packet - see above; MW_OK or MW_EPARSE with err */
mw_status mw_nw_parse_packet(const uint8_t *p, size_t n, mw_nw_pkt *out, mw_err *err);

#endif
