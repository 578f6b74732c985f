/*
 * test_netwatch_parse.c - the pure parsers of netwatch/: sock_diag answers
 * (inetdiag.c) and the port-filter bytecode checked against a model of the
 * kernel's interpreter, logged packets (packet.c), /proc text (proc.c) and
 * port lists.  Table-driven, with at least as many malformed cases as good.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netwatch/inetdiag.h"
#include "netwatch/packet.h"
#include "netwatch/proc.h"

/* ---- building sock_diag datagrams ---- */

typedef struct dgram {
	uint8_t b[4096];
	size_t n;
} dgram;

/* add_msg - append one netlink message (header + payload, aligned) */
static void add_msg(dgram *d, uint16_t type, const void *payload, size_t plen, int32_t len_adj)
{
	struct nlmsghdr nh = {.nlmsg_len = (uint32_t)((int32_t)(NLMSG_HDRLEN + plen) + len_adj),
			      .nlmsg_type = type};
	memcpy(d->b + d->n, &nh, sizeof(nh));
	memcpy(d->b + d->n + NLMSG_HDRLEN, payload, plen);
	d->n += NLMSG_ALIGN(NLMSG_HDRLEN + plen);
}

/* diag_msg - an inet_diag_msg for the given endpoints */
static struct inet_diag_msg diag_msg(int af, const char *src, uint16_t sport, const char *dst,
				     uint16_t dport, uint32_t uid, uint32_t inode)
{
	struct inet_diag_msg m;
	memset(&m, 0, sizeof(m));
	m.idiag_family = (uint8_t)af;
	m.idiag_state = 1;
	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(dport);
	inet_pton(af, src, m.id.idiag_src);
	inet_pton(af, dst, m.id.idiag_dst);
	m.id.idiag_cookie[0] = 0x11223344;
	m.id.idiag_cookie[1] = 0x55;
	m.idiag_uid = uid;
	m.idiag_inode = inode;
	return m;
}

typedef struct got_socks {
	mw_nw_sock s[8];
	size_t n;
} got_socks;

static bool keep(const mw_nw_sock *s, void *ud)
{
	got_socks *g = ud;
	if (g->n < 8)
		g->s[g->n++] = *s;
	return true;
}

/* Good answers: fields come out right, filtering by remote port, DONE, ACK. */
static void test_inetdiag_good(void **state)
{
	(void)state;
	mw_nw_ports ports;
	mw_nw_ports_default(&ports);
	dgram d = {.n = 0};
	struct inet_diag_msg m1 = diag_msg(AF_INET, "10.0.0.5", 40001, "192.0.2.7", 25, 33, 777);
	struct inet_diag_msg m2 = diag_msg(AF_INET6, "::ffff:10.0.0.5", 40002, "::ffff:192.0.2.8",
					   587, 0, 778);
	struct inet_diag_msg m3 = diag_msg(AF_INET6, "2001:db8::1", 40003, "2001:db8::25", 2525, 7, 9);
	struct inet_diag_msg m4 = diag_msg(AF_INET, "10.0.0.5", 40004, "192.0.2.9", 80, 33, 1);
	int32_t ack = 0;
	add_msg(&d, SOCK_DIAG_BY_FAMILY, &m1, sizeof(m1), 0);
	add_msg(&d, NLMSG_ERROR, &ack, sizeof(ack), 0);
	add_msg(&d, SOCK_DIAG_BY_FAMILY, &m2, sizeof(m2), 0);
	add_msg(&d, SOCK_DIAG_BY_FAMILY, &m4, sizeof(m4), 0);
	add_msg(&d, SOCK_DIAG_BY_FAMILY, &m3, sizeof(m3), 0);
	add_msg(&d, NLMSG_DONE, &ack, sizeof(ack), 0);
	got_socks g = {.n = 0};
	bool done = false;
	mw_err err = {0};
	assert_int_equal(mw_inetdiag_parse(d.b, d.n, &ports, keep, &g, &done, &err), MW_OK);
	assert_true(done);
	assert_int_equal(g.n, 3); /* port 80 filtered out */
	static const struct {
		int family;
		const char *local, *remote;
		uint16_t lport, rport;
		uint32_t uid, inode;
	} want[] = {
		{4, "10.0.0.5", "192.0.2.7", 40001, 25, 33, 777},
		{6, "10.0.0.5", "192.0.2.8", 40002, 587, 0, 778}, /* mapped -> shown as IPv4 */
		{6, "2001:db8::1", "2001:db8::25", 40003, 2525, 7, 9},
	};
	for (size_t i = 0; i < 3; i++) {
		char l[MW_IP_STR_MAX], r[MW_IP_STR_MAX];
		assert_int_equal(g.s[i].family, want[i].family);
		assert_string_equal(mw_ip_format(&g.s[i].local, l, sizeof(l)), want[i].local);
		assert_string_equal(mw_ip_format(&g.s[i].remote, r, sizeof(r)), want[i].remote);
		assert_int_equal(g.s[i].lport, want[i].lport);
		assert_int_equal(g.s[i].rport, want[i].rport);
		assert_int_equal(g.s[i].uid, want[i].uid);
		assert_int_equal(g.s[i].inode, want[i].inode);
		assert_int_equal(g.s[i].state, 1);
		assert_true(g.s[i].cookie == 0x5511223344ull);
	}
	/* NULL filter: every record, including port 80 */
	g.n = 0;
	assert_int_equal(mw_inetdiag_parse(d.b, d.n, NULL, keep, &g, &done, &err), MW_OK);
	assert_int_equal(g.n, 4);
	/* empty datagram: fine, not done */
	assert_int_equal(mw_inetdiag_parse(d.b, 0, &ports, keep, &g, &done, &err), MW_OK);
	assert_false(done);
}

/* Malformed answers: every one is refused with the right status. */
static void test_inetdiag_malformed(void **state)
{
	(void)state;
	struct inet_diag_msg m = diag_msg(AF_INET, "10.0.0.5", 1, "192.0.2.7", 25, 0, 1);
	struct inet_diag_msg bad_fam = m;
	bad_fam.idiag_family = 7;
	int32_t eperm = -EPERM, weird = 5000;
	static const struct {
		const char *name;
		int kind; /* which datagram to build */
		mw_status want;
	} cases[] = {
		{"10 bytes: shorter than a header", 0, MW_EPARSE},
		{"nlmsg_len below the header size", 1, MW_EPARSE},
		{"nlmsg_len past the datagram", 2, MW_EPARSE},
		{"record payload of 40 bytes", 3, MW_EPARSE},
		{"unknown address family", 4, MW_EPARSE},
		{"unknown message type", 5, MW_EPARSE},
		{"truncated NLMSG_ERROR", 6, MW_EPARSE},
		{"NLMSG_ERROR -EPERM", 7, MW_EIO},
		{"NLMSG_ERROR positive code", 8, MW_EIO},
		{"good record then 3 stray bytes", 9, MW_EPARSE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dgram d = {.n = 0};
		switch (cases[i].kind) {
		case 0:
			memset(d.b, 0xff, 10);
			d.n = 10;
			break;
		case 1:
			add_msg(&d, SOCK_DIAG_BY_FAMILY, &m, sizeof(m), -(int32_t)sizeof(m) - 4);
			break;
		case 2:
			add_msg(&d, SOCK_DIAG_BY_FAMILY, &m, sizeof(m), 100);
			break;
		case 3:
			add_msg(&d, SOCK_DIAG_BY_FAMILY, &m, 40, 0);
			break;
		case 4:
			add_msg(&d, SOCK_DIAG_BY_FAMILY, &bad_fam, sizeof(bad_fam), 0);
			break;
		case 5:
			add_msg(&d, 99, &m, sizeof(m), 0);
			break;
		case 6:
			add_msg(&d, NLMSG_ERROR, &eperm, 2, 0);
			break;
		case 7:
			add_msg(&d, NLMSG_ERROR, &eperm, sizeof(eperm), 0);
			break;
		case 8:
			add_msg(&d, NLMSG_ERROR, &weird, sizeof(weird), 0);
			break;
		case 9:
			add_msg(&d, SOCK_DIAG_BY_FAMILY, &m, sizeof(m), 0);
			d.n += 3;
			break;
		}
		got_socks g = {.n = 0};
		bool done = false;
		mw_err err = {0};
		mw_status got = mw_inetdiag_parse(d.b, d.n, NULL, keep, &g, &done, &err);
		if (got != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].name, mw_status_str(got),
				 mw_status_str(cases[i].want));
		assert_true(err.msg[0] != '\0');
		assert_false(done);
	}
}

/* kernel_run - model of inet_diag_bc_run for D_EQ/JMP: accept iff the walk
 * ends exactly at the end */
static bool kernel_run(const uint8_t *bc, int len, uint16_t dport)
{
	const uint8_t *p = bc;
	while (len > 0) {
		struct inet_diag_bc_op op, arg;
		memcpy(&op, p, sizeof(op));
		int yes = 1;
		if (op.code == INET_DIAG_BC_D_EQ) {
			memcpy(&arg, p + 4, sizeof(arg));
			yes = dport == arg.no;
		} else if (op.code == INET_DIAG_BC_JMP) {
			yes = 0;
		}
		int step = yes ? op.yes : op.no;
		len -= step;
		p += step;
	}
	return len == 0;
}

/* kernel_audit - model of inet_diag_bc_audit + valid_cc (net/ipv4/inet_diag.c) */
static bool valid_cc(const uint8_t *bc, int len, int cc)
{
	while (len >= 0) {
		struct inet_diag_bc_op op;
		if (cc > len)
			return false;
		if (cc == len)
			return true;
		memcpy(&op, bc, sizeof(op));
		if (op.yes < 4 || op.yes & 3)
			return false;
		len -= op.yes;
		bc += op.yes;
	}
	return false;
}

static bool kernel_audit(const uint8_t *bc0, int total)
{
	const uint8_t *bc = bc0;
	int len = total;
	while (len > 0) {
		struct inet_diag_bc_op op;
		memcpy(&op, bc, sizeof(op));
		int min_len = 4;
		if (op.code == INET_DIAG_BC_D_EQ) {
			if (len < 8)
				return false;
			min_len = 8;
		} else if (op.code != INET_DIAG_BC_JMP) {
			return false;
		}
		if (op.no < min_len || op.no > len + 4 || op.no & 3)
			return false;
		if (op.no < len && !valid_cc(bc0, total, len - op.no))
			return false;
		if (op.yes < min_len || op.yes > len + 4 || op.yes & 3)
			return false;
		bc += op.yes;
		len -= op.yes;
	}
	return len == 0;
}

/* The in-kernel filter passes the kernel's audit and accepts exactly the set. */
static void test_bytecode(void **state)
{
	(void)state;
	static const char *const sets[] = {"25", "25,465", "25,465,587,2525", "1,65535,80"};
	static const uint16_t probes[] = {0, 1, 24, 25, 26, 80, 465, 587, 2525, 8080, 65535};
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		mw_nw_ports ports;
		assert_true(mw_nw_ports_parse(sets[s], &ports, NULL));
		uint8_t bc[MW_NW_PORTS_MAX * 12];
		size_t n = mw_inetdiag_bytecode(&ports, bc, sizeof(bc));
		assert_int_equal(n, ports.n * 12 - 4);
		assert_true(kernel_audit(bc, (int)n));
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			bool want = mw_nw_ports_has(&ports, probes[i]);
			if (kernel_run(bc, (int)n, probes[i]) != want)
				fail_msg("set %s port %u: got %d want %d", sets[s], probes[i], !want,
					 want);
		}
	}
	mw_nw_ports empty = {.n = 0};
	uint8_t small[8];
	mw_nw_ports two;
	mw_nw_ports_parse("25,465", &two, NULL);
	assert_int_equal(mw_inetdiag_bytecode(&empty, small, sizeof(small)), 0);
	assert_int_equal(mw_inetdiag_bytecode(&two, small, sizeof(small)), 0); /* needs 20 */
}

/* The dump request: header, family, states, bytecode attribute. */
static void test_request(void **state)
{
	(void)state;
	mw_nw_ports ports;
	mw_nw_ports_default(&ports);
	uint8_t buf[512];
	size_t n = mw_inetdiag_request(6, &ports, 42, buf, sizeof(buf));
	assert_int_equal(n, NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2) + NLA_HDRLEN + 44);
	struct nlmsghdr nh;
	memcpy(&nh, buf, sizeof(nh));
	assert_int_equal(nh.nlmsg_len, n);
	assert_int_equal(nh.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nh.nlmsg_seq, 42);
	struct inet_diag_req_v2 req;
	memcpy(&req, buf + NLMSG_HDRLEN, sizeof(req));
	assert_int_equal(req.sdiag_family, AF_INET6);
	assert_int_equal(req.sdiag_protocol, 6);
	assert_int_equal(req.idiag_states & (1u << 1), 1u << 1);   /* ESTABLISHED */
	assert_int_equal(req.idiag_states & (1u << 10), 0);        /* not LISTEN */
	struct nlattr na;
	memcpy(&na, buf + NLMSG_HDRLEN + sizeof(req), sizeof(na));
	assert_int_equal(na.nla_type, INET_DIAG_REQ_BYTECODE);
	assert_int_equal(na.nla_len, NLA_HDRLEN + 44);
	/* refusals: bad family, short buffer */
	assert_int_equal(mw_inetdiag_request(5, &ports, 1, buf, sizeof(buf)), 0);
	assert_int_equal(mw_inetdiag_request(4, &ports, 1, buf, 40), 0);
	/* no ports: no attribute */
	assert_int_equal(mw_inetdiag_request(4, NULL, 1, buf, sizeof(buf)),
			 NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2));
}

/* Port lists: good and bad. */
static void test_ports_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t want_n; /* 0 = must fail */
	} cases[] = {
		{"25", 1},	    {"25,465,587", 3}, {"1,65535", 2},    {"2525", 1},
		{"", 0},	    {"0", 0},	       {"65536", 0},	  {"25,", 0},
		{",25", 0},	    {"25,,465", 0},    {"abc", 0},	  {"25 465", 0},
		{"25,25", 0},	    {"-25", 0},	       {"0000025", 0},	  {"99999999999", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_nw_ports p;
		mw_err err = {0};
		bool ok = mw_nw_ports_parse(cases[i].in, &p, &err);
		if (ok != (cases[i].want_n > 0) || (ok && p.n != cases[i].want_n))
			fail_msg("'%s': got ok=%d n=%zu", cases[i].in, ok, ok ? p.n : 0);
		if (!ok)
			assert_true(err.msg[0] != '\0');
	}
	char many[400] = "";
	for (int i = 1; i <= MW_NW_PORTS_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s%d", i > 1 ? "," : "", i);
	mw_nw_ports p;
	mw_err err = {0};
	assert_false(mw_nw_ports_parse(many, &p, &err));
	assert_int_equal(err.code, MW_ETOOBIG);
}

/* ---- logged packets ---- */

/* ip4_syn - IPv4 + TCP header, 40 bytes */
static size_t ip4_syn(uint8_t *b, uint8_t proto, uint16_t frag)
{
	memset(b, 0, 40);
	b[0] = 0x45;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[9] = proto;
	uint8_t src[4] = {10, 0, 0, 5}, dst[4] = {192, 0, 2, 7};
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	b[20] = 0x9c;
	b[21] = 0x41; /* 40001 */
	b[23] = 25;
	b[33] = 0x02; /* SYN */
	return 40;
}

/* ip6_syn - IPv6 (+ optional hop-by-hop) + TCP */
static size_t ip6_syn(uint8_t *b, int ext, uint8_t first_next)
{
	memset(b, 0, 128);
	b[0] = 0x60;
	b[6] = ext ? 0 : first_next;
	b[23] = 1;  /* src ::1 */
	b[24] = 0x20;
	b[25] = 0x01;
	b[39] = 0x25; /* dst 2001::25 */
	size_t off = 40;
	for (int i = 0; i < ext; i++) {
		b[off] = i + 1 < ext ? 0 : 6; /* next: hop-by-hop again, then TCP */
		b[off + 1] = 0;               /* 8 bytes */
		off += 8;
	}
	b[off + 1] = 50;
	b[off + 3] = 25;
	b[off + 13] = 0x12;
	return off + 20;
}

/* Packets: good IPv4/IPv6 (with extension headers), then malformed ones. */
static void test_packet(void **state)
{
	(void)state;
	uint8_t b[256];
	mw_nw_pkt pkt;
	mw_err err = {0};
	char s[MW_IP_STR_MAX], d[MW_IP_STR_MAX];
	size_t n = ip4_syn(b, 6, 0);
	assert_int_equal(mw_nw_parse_packet(b, n, &pkt, &err), MW_OK);
	assert_string_equal(mw_ip_format(&pkt.src, s, sizeof(s)), "10.0.0.5");
	assert_string_equal(mw_ip_format(&pkt.dst, d, sizeof(d)), "192.0.2.7");
	assert_int_equal(pkt.sport, 40001);
	assert_int_equal(pkt.dport, 25);
	assert_int_equal(pkt.tcp_flags, 0x02);
	n = ip6_syn(b, 0, 6);
	assert_int_equal(mw_nw_parse_packet(b, n, &pkt, &err), MW_OK);
	assert_string_equal(mw_ip_format(&pkt.src, s, sizeof(s)), "::1");
	assert_string_equal(mw_ip_format(&pkt.dst, d, sizeof(d)), "2001::25");
	assert_int_equal(pkt.sport, 50);
	assert_int_equal(pkt.dport, 25);
	assert_int_equal(pkt.tcp_flags, 0x12);
	n = ip6_syn(b, 2, 0);
	assert_int_equal(mw_nw_parse_packet(b, n, &pkt, &err), MW_OK);
	assert_int_equal(pkt.dport, 25);

	static const struct {
		const char *name;
		int kind;
	} bad[] = {
		{"empty", 0},		      {"IPv4 cut at 19 bytes", 1}, {"IPv4 IHL 4", 2},
		{"IPv4 IHL past the end", 3}, {"IPv4 UDP", 4},		   {"IPv4 fragment", 5},
		{"IPv4 TCP cut", 6},	      {"IPv6 cut at 39", 7},	   {"IPv6 UDP", 8},
		{"IPv6 fragment header", 9},  {"IPv6 ext cut", 10},	   {"too many ext", 11},
		{"IP version 5", 12},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 0;
		switch (bad[i].kind) {
		case 1: n = ip4_syn(b, 6, 0) - 21; break;
		case 2: n = ip4_syn(b, 6, 0); b[0] = 0x44; break;
		case 3: n = ip4_syn(b, 6, 0); b[0] = 0x4f; break;
		case 4: n = ip4_syn(b, 17, 0); break;
		case 5: n = ip4_syn(b, 6, 0x0010); break;
		case 6: n = ip4_syn(b, 6, 0) - 7; break;
		case 7: n = 39; b[0] = 0x60; break;
		case 8: n = ip6_syn(b, 0, 17); break;
		case 9: n = ip6_syn(b, 0, 44); break;
		case 10: n = ip6_syn(b, 1, 0); n = 44; break;
		case 11: n = ip6_syn(b, MW_NW_IP6_EXT_MAX + 1, 0); break;
		case 12: n = ip4_syn(b, 6, 0); b[0] = 0x55; break;
		}
		mw_status got = mw_nw_parse_packet(b, n, &pkt, &err);
		if (got != MW_EPARSE)
			fail_msg("%s: got %s, want parse error", bad[i].name, mw_status_str(got));
	}
}

/* ---- /proc text ---- */

static void test_proc_text(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		uint32_t want;
	} links[] = {
		{"socket:[12345]", true, 12345}, {"socket:[0]", true, 0},
		{"socket:[4294967295]", true, 4294967295u},
		{"socket:[4294967296]", false, 0}, {"socket:[]", false, 0},
		{"socket:[12a]", false, 0},	   {"socket:[12", false, 0},
		{"pipe:[12]", false, 0},	   {"/dev/null", false, 0},
		{"socket:[99999999999999999999999]", false, 0},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		uint32_t got = 0;
		bool ok = mw_proc_socket_inode(links[i].in, strlen(links[i].in), &got);
		if (ok != links[i].ok || (ok && got != links[i].want))
			fail_msg("'%s': ok=%d got=%u", links[i].in, ok, got);
	}
	uint32_t uid;
	static const char st[] = "Name:\tphp\nUmask:\t0022\nUid:\t1000\t33\t33\t33\nGid:\t33\n";
	assert_true(mw_proc_status_uid(st, sizeof(st) - 1, &uid));
	assert_int_equal(uid, 33);
	static const char *const bad_status[] = {"Name: x\n", "Uid:\t1000\n", "Uid:\tx\ty\n",
						 "Uid:\t1\t99999999999\n", ""};
	for (size_t i = 0; i < sizeof(bad_status) / sizeof(bad_status[0]); i++)
		assert_false(mw_proc_status_uid(bad_status[i], strlen(bad_status[i]), &uid));

	/* comm with spaces and ')' must not shift the fields */
	uint64_t ticks = 0;
	static const char stat[] = "1234 (evil) 1 2 3) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 "
				   "0 20 0 1 0 987654 1000 50 18446744073709551615\n";
	assert_true(mw_proc_stat_start(stat, sizeof(stat) - 1, &ticks));
	assert_int_equal(ticks, 987654);
	static const char *const bad_stat[] = {"1234 no paren S 1", "1 (x) S 1 2 3",
					       "1 (x)  S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
					       "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x9 1"};
	for (size_t i = 0; i < sizeof(bad_stat) / sizeof(bad_stat[0]); i++)
		assert_false(mw_proc_stat_start(bad_stat[i], strlen(bad_stat[i]), &ticks));

	static const struct {
		const char *in, *unit, *container;
	} cg[] = {
		{"0::/system.slice/php8.2-fpm.service\n", "php8.2-fpm.service", ""},
		{"0::/user.slice/user-1000.slice/session-3.scope\n", "session-3.scope", ""},
		{"0::/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n",
		 "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"12:pids:/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n"
		 "1:name=systemd:/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n",
		 "", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"},
		{"0::/lxc.payload.web1/system.slice/apache2.service\n", "apache2.service", "web1"},
		{"0::/\n", "", ""},
		{"garbage without colons\n::\n0:x\n", "", ""},
		{"0::/system.slice/docker-XYZ.scope\n", "docker-XYZ.scope", ""},
		{"", "", ""},
	};
	for (size_t i = 0; i < sizeof(cg) / sizeof(cg[0]); i++) {
		char unit[128], cont[72];
		mw_proc_cgroup(cg[i].in, strlen(cg[i].in), unit, sizeof(unit), cont, sizeof(cont));
		if (strcmp(unit, cg[i].unit) || strcmp(cont, cg[i].container))
			fail_msg("cgroup %zu: got unit '%s' container '%s'", i, unit, cont);
	}

	char out[16];
	static const char raw[] = "php\0-f\0/var/www/x.php\0";
	assert_int_equal(mw_proc_cmdline(raw, sizeof(raw) - 1, out, sizeof(out)), 15);
	assert_string_equal(out, "php -f /var/www");
	static const char ctl[] = "a\nb\x7f\0";
	mw_proc_cmdline(ctl, sizeof(ctl) - 1, out, sizeof(out));
	assert_string_equal(out, "a?b?");
	assert_int_equal(mw_proc_cmdline("", 0, out, sizeof(out)), 0);
	assert_int_equal(mw_proc_cmdline(raw, 5, out, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inetdiag_good), cmocka_unit_test(test_inetdiag_malformed),
		cmocka_unit_test(test_bytecode),      cmocka_unit_test(test_request),
		cmocka_unit_test(test_ports_parse),   cmocka_unit_test(test_packet),
		cmocka_unit_test(test_proc_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
