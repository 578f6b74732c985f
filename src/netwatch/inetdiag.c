/*
 * netwatch/inetdiag.c - sock_diag request builder and answer parser.
 *
 * Records are copied out with memcpy into kernel structs, never cast in
 * place, so an unaligned or short buffer cannot cause a misaligned read.
 * Every length is checked against what remains before it is used.
 */
#include "netwatch/inetdiag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* mw_nw_ports_default - the SMTP ports: 25 (MX), 465 (submissions),
 * 587 (submission), 2525 (common alternative submission port) */
void mw_nw_ports_default(mw_nw_ports *p)
{
	static const uint16_t def[] = {25, 465, 587, 2525};
	p->n = sizeof(def) / sizeof(def[0]);
	memcpy(p->port, def, sizeof(def));
}

/* mw_nw_ports_has - linear search: the set is tiny */
bool mw_nw_ports_has(const mw_nw_ports *p, uint16_t port)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->port[i] == port)
			return true;
	return false;
}

/* mw_nw_ports_parse - comma-separated decimal ports */
bool mw_nw_ports_parse(const char *s, mw_nw_ports *p, mw_err *err)
{
	p->n = 0;
	const char *c = s;
	for (;;) {
		unsigned long v = 0;
		size_t digits = 0;
		while (*c >= '0' && *c <= '9' && digits < 6) {
			v = v * 10 + (unsigned long)(*c - '0');
			c++;
			digits++;
		}
		if (digits == 0 || digits > 5 || v == 0 || v > 65535) {
			mw_err_set(err, MW_EPARSE, "bad port list '%s': ports are 1-65535", s);
			return false;
		}
		if (mw_nw_ports_has(p, (uint16_t)v)) {
			mw_err_set(err, MW_EPARSE, "bad port list '%s': port %lu twice", s, v);
			return false;
		}
		if (p->n == MW_NW_PORTS_MAX) {
			mw_err_set(err, MW_ETOOBIG, "more than %d ports", MW_NW_PORTS_MAX);
			return false;
		}
		p->port[p->n++] = (uint16_t)v;
		if (*c == '\0')
			return true;
		if (*c != ',') {
			mw_err_set(err, MW_EPARSE, "bad port list '%s': unexpected '%c'", s, *c);
			return false;
		}
		c++;
	}
}

/* put_op - store one 4-byte bytecode op */
static void put_op(uint8_t *out, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};
	memcpy(out, &op, sizeof(op));
}

/* mw_inetdiag_bytecode - OR of "dport == p": for each port an 8-byte
 * D_EQ test (yes: fall through, no: skip 12 bytes), then a JMP (4 bytes)
 * that jumps to the end = accept.  The last test's "no" lands 4 bytes past
 * the end, which the kernel treats as reject. */
size_t mw_inetdiag_bytecode(const mw_nw_ports *ports, uint8_t *out, size_t cap)
{
	if (ports == NULL || ports->n == 0 || ports->n > MW_NW_PORTS_MAX)
		return 0;
	size_t total = ports->n * 12 - 4;
	if (total > cap)
		return 0;
	size_t off = 0;
	for (size_t i = 0; i < ports->n; i++) {
		put_op(out + off, INET_DIAG_BC_D_EQ, 8, 12);
		put_op(out + off + 4, 0, 0, ports->port[i]);
		off += 8;
		if (i + 1 < ports->n) {
			size_t rest = total - off - 4;
			put_op(out + off, INET_DIAG_BC_JMP, 4, (uint16_t)(rest + 4));
			off += 4;
		}
	}
	return total;
}

/* mw_inetdiag_request - nlmsghdr + inet_diag_req_v2 + optional bytecode attr */
size_t mw_inetdiag_request(int family, const mw_nw_ports *ports, uint32_t seq, uint8_t *out,
			   size_t cap)
{
	uint8_t bc[MW_NW_PORTS_MAX * 12];
	size_t bclen = mw_inetdiag_bytecode(ports, bc, sizeof(bc));
	size_t attr = bclen ? NLA_HDRLEN + NLA_ALIGN(bclen) : 0;
	size_t total = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_req_v2)) + attr;
	if (total > cap || (family != 4 && family != 6))
		return 0;
	memset(out, 0, total);
	struct nlmsghdr nh = {.nlmsg_len = (uint32_t)total,
			      .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			      .nlmsg_seq = seq};
	memcpy(out, &nh, sizeof(nh));
	struct inet_diag_req_v2 req = {0};
	req.sdiag_family = family == 4 ? AF_INET : AF_INET6;
	req.sdiag_protocol = IPPROTO_TCP;
	/* every state but LISTEN (10), TIME_WAIT (6: no owner left) and CLOSE (7) */
	req.idiag_states = 0xfffu & ~((1u << 10) | (1u << 6) | (1u << 7));
	memcpy(out + NLMSG_HDRLEN, &req, sizeof(req));
	if (bclen) {
		struct nlattr na = {.nla_len = (uint16_t)(NLA_HDRLEN + bclen),
				    .nla_type = INET_DIAG_REQ_BYTECODE};
		size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(req));
		memcpy(out + off, &na, sizeof(na));
		memcpy(out + off + NLA_HDRLEN, bc, bclen);
	}
	return total;
}

/* copy_addr - kernel address words (network order) into an mw_ip */
static void copy_addr(int family, const uint32_t w[4], mw_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	memcpy(ip->addr, w, family == 4 ? 4 : 16);
	if (family == 6)
		mw_ip_unmap(ip);
}

/* parse_record - one SOCK_DIAG_BY_FAMILY payload into s */
static mw_status parse_record(const uint8_t *p, size_t n, mw_nw_sock *s, mw_err *err)
{
	struct inet_diag_msg m;
	if (n < sizeof(m))
		return mw_err_set(err, MW_EPARSE, "inet_diag record of %zu bytes (< %zu)", n,
				  sizeof(m));
	memcpy(&m, p, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return mw_err_set(err, MW_EPARSE, "inet_diag record of unknown family %u",
				  m.idiag_family);
	memset(s, 0, sizeof(*s));
	s->family = m.idiag_family == AF_INET ? 4 : 6;
	s->state = m.idiag_state;
	copy_addr(s->family, m.id.idiag_src, &s->local);
	copy_addr(s->family, m.id.idiag_dst, &s->remote);
	s->lport = ntohs(m.id.idiag_sport);
	s->rport = ntohs(m.id.idiag_dport);
	s->uid = m.idiag_uid;
	s->inode = m.idiag_inode;
	s->cookie = (uint64_t)m.id.idiag_cookie[0] | ((uint64_t)m.id.idiag_cookie[1] << 32);
	return MW_OK;
}

/* parse_error - NLMSG_ERROR payload: 0 is an ACK, negative is an errno */
static mw_status parse_error(const uint8_t *p, size_t n, mw_err *err)
{
	int32_t code;
	if (n < sizeof(code))
		return mw_err_set(err, MW_EPARSE, "truncated NLMSG_ERROR");
	memcpy(&code, p, sizeof(code));
	if (code == 0)
		return MW_OK;
	return mw_err_set(err, MW_EIO, "kernel sock_diag error: %s",
			  code < 0 && code > -4096 ? strerror(-code) : "bad code");
}

/* mw_inetdiag_parse - see header */
mw_status mw_inetdiag_parse(const uint8_t *buf, size_t len, const mw_nw_ports *ports,
			    mw_inetdiag_fn fn, void *ud, bool *done, mw_err *err)
{
	size_t off = 0;
	*done = false;
	while (off < len) {
		struct nlmsghdr nh;
		size_t left = len - off;
		if (left < sizeof(nh))
			return mw_err_set(err, MW_EPARSE, "%zu trailing bytes at offset %zu", left,
					  off);
		memcpy(&nh, buf + off, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > left)
			return mw_err_set(err, MW_EPARSE, "nlmsg_len %u at offset %zu (%zu left)",
					  nh.nlmsg_len, off, left);
		const uint8_t *pl = buf + off + NLMSG_HDRLEN;
		size_t pn = nh.nlmsg_len - NLMSG_HDRLEN;
		if (nh.nlmsg_type == NLMSG_DONE) {
			*done = true;
			return MW_OK;
		}
		if (nh.nlmsg_type == NLMSG_ERROR) {
			mw_status st = parse_error(pl, pn, err);
			if (st != MW_OK)
				return st;
		} else if (nh.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			mw_nw_sock s;
			mw_status st = parse_record(pl, pn, &s, err);
			if (st != MW_OK)
				return st;
			if ((ports == NULL || mw_nw_ports_has(ports, s.rport)) && !fn(&s, ud))
				return MW_OK;
		} else if (nh.nlmsg_type != NLMSG_NOOP) {
			return mw_err_set(err, MW_EPARSE, "unexpected netlink message type %u",
					  nh.nlmsg_type);
		}
		size_t step = NLMSG_ALIGN(nh.nlmsg_len);
		off += step < left ? step : left;
	}
	return MW_OK;
}

/* mw_tcp_state_name - names as in include/net/tcp_states.h */
const char *mw_tcp_state_name(uint8_t state)
{
	static const char *const names[] = {"?",	 "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
					    "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
					    "CLOSE_WAIT", "LAST_ACK",   "LISTEN",    "CLOSING",
					    "NEW_SYN_RECV"};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}
