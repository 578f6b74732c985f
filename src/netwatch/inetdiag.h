/*
 * netwatch/inetdiag.h - sock_diag (inet_diag) netlink messages: build the
 * dump request, parse the kernel's answer.  Pure functions, no I/O.
 *
 * DESCRIPTION
 *   Linux lists sockets through NETLINK_SOCK_DIAG (the interface `ss` uses):
 *   a SOCK_DIAG_BY_FAMILY dump request (struct inet_diag_req_v2) for one
 *   address family and protocol, optionally with an INET_DIAG_REQ_BYTECODE
 *   filter, answered by a stream of struct inet_diag_msg records ending in
 *   NLMSG_DONE.  Each record carries the 4-tuple, TCP state, owner uid and
 *   socket inode (the key to find the owning process in /proc).
 *
 *   mw_inetdiag_request builds the request with an in-kernel filter "remote
 *   port in SET" (bytecode: one INET_DIAG_BC_D_EQ test per port joined by
 *   INET_DIAG_BC_JMP, the layout iproute2's ss uses for OR).
 *   mw_inetdiag_parse walks one received datagram with bounds checks on every
 *   header (nlmsg_len, the payload, the address family) and applies the same
 *   port filter again, so a kernel without bytecode support cannot widen it.
 *
 * LIMITS
 *   MW_NW_PORTS_MAX ports per filter; a datagram is at most MW_NW_RECV_BUF
 *   bytes in practice but the parser accepts any length it is given.
 *
 * OWNERSHIP
 *   Plain values; nothing to free.
 */
#ifndef MW_NETWATCH_INETDIAG_H
#define MW_NETWATCH_INETDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"

/* The set of remote ports of interest (25, 465, 587, 2525 by default). */
typedef struct mw_nw_ports {
	uint16_t port[MW_NW_PORTS_MAX];
	size_t n;
} mw_nw_ports;

/* One socket as the kernel reports it.  Addresses are unmapped
 * (::ffff:a.b.c.d becomes IPv4). */
typedef struct mw_nw_sock {
	int family;        /* 4 or 6: the socket's family (AF_INET6 for mapped) */
	uint8_t state;     /* TCP state, as in the kernel's enum (1 = ESTABLISHED) */
	mw_ip local, remote;
	uint16_t lport, rport;
	uint32_t uid;
	uint32_t inode;    /* 0 for sockets without a file (TIME_WAIT) */
	uint64_t cookie;   /* kernel socket cookie: unique while it lives */
} mw_nw_sock;

/* mw_nw_ports_default - 25, 465, 587, 2525 */
void mw_nw_ports_default(mw_nw_ports *p);
/* mw_nw_ports_parse - "25,465,2525" into p; false (and err) if malformed,
 * zero, out of range, duplicated or more than MW_NW_PORTS_MAX */
bool mw_nw_ports_parse(const char *s, mw_nw_ports *p, mw_err *err);
/* mw_nw_ports_has - port in the set */
bool mw_nw_ports_has(const mw_nw_ports *p, uint16_t port);

/* mw_inetdiag_bytecode - filter "dport in ports" into out; returns its length
 * in bytes, 0 if ports is empty or cap is too small */
size_t mw_inetdiag_bytecode(const mw_nw_ports *ports, uint8_t *out, size_t cap);

/* mw_inetdiag_request - complete netlink dump request for TCP sockets of
 * family 4 or 6 in every state but LISTEN, TIME_WAIT and CLOSE, filtered by
 * ports (NULL or empty: no filter).  Returns the length, 0 if cap is short. */
size_t mw_inetdiag_request(int family, const mw_nw_ports *ports, uint32_t seq, uint8_t *out,
			   size_t cap);

/* Called for each socket record that passes the filter; return false to stop. */
typedef bool (*mw_inetdiag_fn)(const mw_nw_sock *s, void *ud);

/* mw_inetdiag_parse - walk one datagram of a dump answer.
 * Calls fn for each SOCK_DIAG_BY_FAMILY record whose remote port is in
 * ports (NULL: every record); sets *done on NLMSG_DONE.
 * Returns MW_OK, MW_EPARSE for a malformed message (err says where), MW_EIO
 * for an NLMSG_ERROR from the kernel (err carries the errno text). */
mw_status mw_inetdiag_parse(const uint8_t *buf, size_t len, const mw_nw_ports *ports,
			    mw_inetdiag_fn fn, void *ud, bool *done, mw_err *err);

/* mw_tcp_state_name - "ESTABLISHED", "SYN_SENT", ... ("?" if unknown) */
const char *mw_tcp_state_name(uint8_t state);

#endif
