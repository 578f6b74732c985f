/*
 * test_dns_wire.c - DNS reply messages to answers (dns/wire.c): crafted
 * replies, well-formed and broken, each with the status, records and TTL we
 * want; plus the c-ares backend against a tiny UDP server in a child
 * process (answers, SERVFAIL, silence = timeout, event-loop API).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "dns/resolver.h"
#include "dns/wire.h"

/* ---- a message builder ----------------------------------------------------- */

typedef struct msg {
	unsigned char b[8192];
	size_t n;
} msg;

static void put8(msg *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (unsigned char)v;
}

static void put16(msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* put_name - uncompressed labels; "" is the root; "@12" is a pointer to 12 */
static void put_name(msg *m, const char *name)
{
	if (name[0] == '@') {
		unsigned off = (unsigned)atoi(name + 1);
		put16(m, 0xc000 | off);
		return;
	}
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		put8(m, (unsigned)l);
		for (size_t i = 0; i < l; i++)
			put8(m, (unsigned char)name[i]);
		name += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}

/* header - id 1, QR, the rcode and counts */
static void header(msg *m, unsigned rcode, unsigned qd, unsigned an, unsigned ns)
{
	m->n = 0;
	put16(m, 1);
	put16(m, 0x8400 | rcode);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, 0);
}

static void question(msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* rr_start - owner, type, class, ttl; returns the rdlength offset to patch */
static size_t rr_start(msg *m, const char *owner, unsigned type, unsigned cls, uint32_t ttl)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	size_t at = m->n;
	put16(m, 0);
	return at;
}

static void rr_end(msg *m, size_t at)
{
	size_t len = m->n - at - 2;
	m->b[at] = (unsigned char)(len >> 8);
	m->b[at + 1] = (unsigned char)len;
}

static void rr_a(msg *m, const char *owner, uint32_t ttl, const char *ip)
{
	size_t at = rr_start(m, owner, 1, 1, ttl);
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, ip, &a), 1);
	memcpy(m->b + m->n, &a, 4);
	m->n += 4;
	rr_end(m, at);
}

static void rr_name(msg *m, const char *owner, unsigned type, uint32_t ttl, int pref,
                    const char *target)
{
	size_t at = rr_start(m, owner, type, 1, ttl);
	if (pref >= 0)
		put16(m, (unsigned)pref);
	put_name(m, target);
	rr_end(m, at);
}

/* rr_txt - strings separated by '|' */
static void rr_txt(msg *m, const char *owner, uint32_t ttl, const char *strings)
{
	size_t at = rr_start(m, owner, 16, 1, ttl);
	for (const char *s = strings;;) {
		const char *bar = strchr(s, '|');
		size_t l = bar ? (size_t)(bar - s) : strlen(s);
		put8(m, (unsigned)l);
		memcpy(m->b + m->n, s, l);
		m->n += l;
		if (!bar)
			break;
		s = bar + 1;
	}
	rr_end(m, at);
}

static void rr_soa(msg *m, const char *owner, uint32_t ttl, uint32_t minimum)
{
	size_t at = rr_start(m, owner, 6, 1, ttl);
	put_name(m, "ns1.example.com");
	put_name(m, "hostmaster.example.com");
	for (int i = 0; i < 4; i++)
		put32(m, 1000);
	put32(m, minimum);
	rr_end(m, at);
}

/* ---- cases ---------------------------------------------------------------- */

typedef struct wcase {
	const char *what;
	void (*build)(msg *m);
	const char *qname;
	dns_type type;
	dns_status want;
	size_t nrr;
	const char *first; /* text of record 0, or the TEMPFAIL reason */
	long ttl;          /* answer ttl, -1 unchecked */
} wcase;

static void b_two_a(msg *m)
{
	header(m, 0, 1, 2, 0);
	question(m, "example.com", 1);
	rr_a(m, "example.com", 300, "192.0.2.1");
	rr_a(m, "@12", 100, "192.0.2.2"); /* compressed owner */
}

static void b_chain(msg *m)
{
	header(m, 0, 1, 3, 0);
	question(m, "www.example.com", 1);
	rr_name(m, "WWW.Example.COM", 5, 50, -1, "web.example.com");
	rr_name(m, "web.example.com", 5, 3600, -1, "mail.example.com");
	rr_a(m, "mail.example.com", 300, "192.0.2.10");
}

static void b_mx(msg *m)
{
	header(m, 0, 1, 3, 0);
	question(m, "example.com", 15);
	rr_name(m, "@12", 15, 600, 10, "@12");         /* exchange = the qname, compressed */
	rr_name(m, "example.com", 15, 600, 0, "");     /* null MX, RFC 7505 */
	rr_a(m, "other.example.com", 1, "192.0.2.99"); /* not ours: ignored */
}

static void b_txt(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 16);
	rr_txt(m, "example.com", 60, "v=spf1 |ip4:192.0.2.0/24 |-all");
}

static void b_nodata_soa(msg *m)
{
	header(m, 0, 1, 0, 1);
	question(m, "example.com", 16);
	rr_soa(m, "example.com", 600, 120);
}

static void b_nx_soa(msg *m)
{
	header(m, 3, 1, 0, 1);
	question(m, "nx.example.com", 1);
	rr_soa(m, "example.com", 60, 3600);
}

static void b_nx_plain(msg *m)
{
	header(m, 3, 1, 0, 0);
	question(m, "nx.example.com", 1);
}

static void b_nx_bigsoa(msg *m)
{
	header(m, 3, 1, 0, 1);
	question(m, "nx.example.com", 1);
	rr_soa(m, "example.com", 1000000, 1000000);
}

static void b_nx_cname(msg *m)
{
	header(m, 3, 1, 1, 0);
	question(m, "dangling.example.com", 1);
	rr_name(m, "dangling.example.com", 5, 300, -1, "gone.example.com");
}

static void b_ptr_ns_soa(msg *m)
{
	header(m, 0, 1, 2, 0);
	question(m, "10.2.0.192.in-addr.arpa", 12);
	rr_name(m, "10.2.0.192.in-addr.arpa", 12, 86400, -1, "mail.example.com");
	rr_name(m, "10.2.0.192.in-addr.arpa", 12, 86400, -1, "alias.example.com");
}

static void b_aaaa(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 28);
	size_t at = rr_start(m, "example.com", 28, 1, 0x80000000u); /* RFC 2181 §8: 0 */
	static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	memcpy(m->b + m->n, v6, 16);
	m->n += 16;
	rr_end(m, at);
}

static void b_cname_q(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "www.example.com", 5);
	rr_name(m, "www.example.com", 5, 42, -1, "web.example.com");
}

static void b_rcode(msg *m, unsigned rc)
{
	header(m, rc, 1, 0, 0);
	question(m, "example.com", 1);
}
static void b_servfail(msg *m)
{
	b_rcode(m, 2);
}
static void b_refused(msg *m)
{
	b_rcode(m, 5);
}
static void b_formerr(msg *m)
{
	b_rcode(m, 1);
}
static void b_notimp(msg *m)
{
	b_rcode(m, 4);
}
static void b_rcode9(msg *m)
{
	b_rcode(m, 9);
}

static void b_short(msg *m)
{
	header(m, 0, 1, 1, 0);
	m->n = 11;
}

static void b_q_trunc(msg *m)
{
	header(m, 0, 1, 1, 0);
	put8(m, 20); /* label of 20 bytes, message ends */
	put8(m, 'a');
}

static void b_an_overcount(msg *m)
{
	header(m, 0, 1, 5, 0);
	question(m, "example.com", 1);
	rr_a(m, "example.com", 300, "192.0.2.1");
}

static void b_bad_rdlen_a(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 1);
	size_t at = rr_start(m, "example.com", 1, 1, 300);
	put32(m, 0xc0000201);
	put8(m, 7);
	rr_end(m, at);
}

static void b_rdlen_past_end(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 1);
	size_t at = rr_start(m, "example.com", 1, 1, 300);
	put32(m, 0xc0000201);
	rr_end(m, at);
	m->b[at + 1] = 200; /* claims 200 bytes */
}

static void b_txt_overrun(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 16);
	size_t at = rr_start(m, "example.com", 16, 1, 300);
	put8(m, 50); /* says 50, has 3 */
	put8(m, 'a');
	put8(m, 'b');
	put8(m, 'c');
	rr_end(m, at);
}

static void b_class_ch(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 16);
	size_t at = rr_start(m, "example.com", 16, 3, 300);
	put8(m, 1);
	put8(m, 'x');
	rr_end(m, at);
}

static void b_ptr_loop(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 15);
	size_t self = m->n;
	put16(m, 0xc000 | (unsigned)self); /* owner points at itself */
	put16(m, 15);
	put16(m, 1);
	put32(m, 300);
	put16(m, 4);
	put16(m, 10);
	put16(m, 0xc000 | (unsigned)self);
}

static void b_cname_loop(msg *m)
{
	header(m, 0, 1, 2, 0);
	question(m, "a.example.com", 1);
	rr_name(m, "a.example.com", 5, 300, -1, "b.example.com");
	rr_name(m, "b.example.com", 5, 300, -1, "a.example.com");
}

static void b_mx_target_past_end(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 15);
	size_t at = rr_start(m, "example.com", 15, 1, 300);
	put16(m, 10);
	put16(m, 0xc000 | 4000); /* pointer beyond the message */
	rr_end(m, at);
}

static void b_mx_long_target(msg *m)
{
	header(m, 0, 1, 1, 0);
	question(m, "example.com", 15);
	size_t at = rr_start(m, "example.com", 15, 1, 300);
	put16(m, 10);
	for (int i = 0; i < 130; i++) { /* 130 labels "a": 259 bytes of text */
		put8(m, 1);
		put8(m, 'a');
	}
	put8(m, 0);
	rr_end(m, at);
}

static void b_empty(msg *m)
{
	header(m, 0, 0, 0, 0);
}

static const wcase wcases[] = {
    {"two A records, min TTL", b_two_a, "example.com", DNS_T_A, DNS_OK, 2, "192.0.2.1", 100},
    {"CNAME chain, case-insensitive owners, min TTL on the chain", b_chain, "www.example.com.",
     DNS_T_A, DNS_OK, 1, "192.0.2.10", 50},
    {"MX with compression, null MX, foreign record ignored", b_mx, "example.com", DNS_T_MX, DNS_OK,
     2, "10 example.com", 600},
    {"TXT strings joined", b_txt, "example.com", DNS_T_TXT, DNS_OK, 1,
     "v=spf1 ip4:192.0.2.0/24 -all", 60},
    {"NOERROR empty: NODATA with min(SOA ttl, minimum)", b_nodata_soa, "example.com", DNS_T_TXT,
     DNS_NODATA, 0, NULL, 120},
    {"NXDOMAIN with SOA", b_nx_soa, "nx.example.com", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 60},
    {"NXDOMAIN without SOA", b_nx_plain, "nx.example.com", DNS_T_A, DNS_NXDOMAIN, 0, NULL,
     MW_DNS_NEGTTL_DEFAULT},
    {"negative TTL capped", b_nx_bigsoa, "nx.example.com", DNS_T_A, DNS_NXDOMAIN, 0, NULL,
     MW_DNS_NEGTTL_MAX},
    {"NXDOMAIN after a CNAME (RFC 6604)", b_nx_cname, "dangling.example.com", DNS_T_A, DNS_NXDOMAIN,
     0, NULL, -1},
    {"two PTR", b_ptr_ns_soa, "10.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, 2, "mail.example.com",
     86400},
    {"AAAA, TTL with the high bit is 0", b_aaaa, "example.com", DNS_T_AAAA, DNS_OK, 1,
     "2001:db8::1", 0},
    {"CNAME query returns the CNAME", b_cname_q, "www.example.com", DNS_T_CNAME, DNS_OK, 1,
     "web.example.com", 42},
    {"SERVFAIL", b_servfail, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "SERVFAIL", 0},
    {"REFUSED", b_refused, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "REFUSED", 0},
    {"FORMERR", b_formerr, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "FORMERR", 0},
    {"NOTIMP", b_notimp, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "NOTIMP", 0},
    {"unknown RCODE", b_rcode9, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "RCODE 9", 0},
    {"shorter than a header", b_short, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "bad response", 0},
    {"question truncated", b_q_trunc, "example.com", DNS_T_A, DNS_TEMPFAIL, 0, "bad response", 0},
    {"ANCOUNT larger than the records present", b_an_overcount, "example.com", DNS_T_A, DNS_OK, 1,
     "192.0.2.1", 300},
    {"A with 5-byte rdata skipped", b_bad_rdlen_a, "example.com", DNS_T_A, DNS_NODATA, 0, NULL, -1},
    {"rdlength past the end", b_rdlen_past_end, "example.com", DNS_T_A, DNS_NODATA, 0, NULL, -1},
    {"TXT string overruns rdata", b_txt_overrun, "example.com", DNS_T_TXT, DNS_NODATA, 0, NULL, -1},
    {"class CH record skipped", b_class_ch, "example.com", DNS_T_TXT, DNS_NODATA, 0, NULL, -1},
    {"compression pointer loop", b_ptr_loop, "example.com", DNS_T_MX, DNS_NODATA, 0, NULL, -1},
    {"CNAME loop", b_cname_loop, "a.example.com", DNS_T_A, DNS_TEMPFAIL, 0, "CNAME chain too long",
     0},
    {"MX target pointer beyond the message", b_mx_target_past_end, "example.com", DNS_T_MX,
     DNS_NODATA, 0, NULL, -1},
    {"MX target longer than 253 bytes", b_mx_long_target, "example.com", DNS_T_MX, DNS_NODATA, 0,
     NULL, -1},
    {"header only", b_empty, "example.com", DNS_T_A, DNS_NODATA, 0, NULL, MW_DNS_NEGTTL_DEFAULT},
};

/* rr_text - record as text */
static void rr_text(const dns_rr *rr, char *out, size_t n)
{
	char ip[MW_IP_STR_MAX];
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		snprintf(out, n, "%s", mw_ip_format(&rr->ip, ip, sizeof(ip)));
		break;
	case DNS_T_MX:
		snprintf(out, n, "%u %s", rr->pref, rr->name);
		break;
	case DNS_T_TXT:
		snprintf(out, n, "%.*s", (int)rr->txt_len, rr->txt);
		break;
	default:
		snprintf(out, n, "%s", rr->name);
		break;
	}
}

/* check_answer - compare with a case */
static void check_answer(const wcase *c, const dns_answer *a)
{
	assert_non_null(a);
	if (a->status != c->want || a->n != c->nrr)
		fail_msg("%s: got %s/%zu (%s) want %s/%zu", c->what, dns_status_name(a->status),
		         a->n, a->reason ? a->reason : "", dns_status_name(c->want), c->nrr);
	char got[512];
	if (c->first && c->want == DNS_TEMPFAIL) {
		if (!a->reason || strcmp(a->reason, c->first) != 0)
			fail_msg("%s: reason got '%s' want '%s'", c->what,
			         a->reason ? a->reason : "(none)", c->first);
	} else if (c->first) {
		rr_text(&a->rr[0], got, sizeof(got));
		if (strcmp(got, c->first) != 0)
			fail_msg("%s: got '%s' want '%s'", c->what, got, c->first);
	}
	if (c->ttl >= 0 && (long)a->ttl != c->ttl)
		fail_msg("%s: ttl got %u want %ld", c->what, a->ttl, c->ttl);
}

/* Each crafted reply gives its defined answer; broken ones never crash. */
static void test_wire_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		msg m;
		memset(&m, 0, sizeof(m));
		wcases[i].build(&m);
		dns_answer *a = dns_wire_answer(m.b, m.n, wcases[i].qname, wcases[i].type);
		check_answer(&wcases[i], a);
		dns_answer_free(a);
	}
	/* the null MX of b_mx is stored as "." */
	msg m;
	b_mx(&m);
	dns_answer *a = dns_wire_answer(m.b, m.n, "example.com", DNS_T_MX);
	assert_string_equal(a->rr[1].name, ".");
	dns_answer_free(a);
}

/* Every prefix of a valid reply is handled (no read past the end). */
static void test_wire_truncations(void **state)
{
	(void)state;
	msg m;
	b_chain(&m);
	for (size_t n = 0; n <= m.n; n++) {
		unsigned char *copy = malloc(n ? n : 1);
		memcpy(copy, m.b, n);
		dns_answer *a = dns_wire_answer(copy, n, "www.example.com", DNS_T_A);
		assert_non_null(a);
		if (n == m.n)
			assert_int_equal(a->status, DNS_OK);
		else
			assert_int_not_equal(a->status, DNS_OK);
		dns_answer_free(a);
		free(copy);
	}
}

/* ---- the c-ares backend against a UDP server in a child process ------------ */

/* serve - answer queries by their first label: "ok" A, "fail" SERVFAIL,
 * "txt" TXT, "quiet" nothing (the client times out) */
static void serve(int fd)
{
	unsigned char q[512];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (n < 17)
			continue;
		size_t qend = 12;
		while (qend < (size_t)n && q[qend])
			qend += q[qend] + 1u;
		qend += 5;
		if (qend > (size_t)n)
			continue;
		char label[64] = {0};
		memcpy(label, q + 13, q[12] < 63 ? q[12] : 63);
		if (strcmp(label, "quiet") == 0)
			continue;
		msg m;
		memcpy(m.b, q, qend);
		m.n = qend;
		m.b[2] = 0x84 | (q[2] & 1);
		m.b[3] = strcmp(label, "fail") == 0 ? 2 : 0;
		m.b[7] = 0;
		if (strcmp(label, "ok") == 0) {
			m.b[7] = 1;
			rr_a(&m, "@12", 77, "192.0.2.7");
		} else if (strcmp(label, "txt") == 0) {
			m.b[7] = 1;
			rr_txt(&m, "@12", 88, "hello |world");
		}
		sendto(fd, m.b, m.n, 0, (struct sockaddr *)&from, fl);
	}
}

typedef struct got {
	int calls;
	dns_answer *a[8];
	char name[8][64];
} got;

static void on_answer(void *arg, const char *name, dns_type type, dns_answer *a)
{
	got *g = arg;
	(void)type;
	if (g->calls < 8) {
		g->a[g->calls] = a;
		snprintf(g->name[g->calls], sizeof(g->name[0]), "%s", name);
	} else {
		dns_answer_free(a);
	}
	g->calls++;
}

/* find - the answer delivered for a name */
static const dns_answer *find(const got *g, const char *name)
{
	for (int i = 0; i < g->calls && i < 8; i++)
		if (strcmp(g->name[i], name) == 0)
			return g->a[i];
	fail_msg("no answer for %s", name);
	return NULL;
}

/* Queries in parallel through c-ares, driven by dns_resolver_fds/process
 * from our own poll loop; a silent server is a bounded "timeout". */
static void test_ares_backend(void **state)
{
	(void)state;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* never outlive the test, even if it aborts */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		serve(fd);
		_exit(0);
	}
	close(fd);
	char server[32];
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sa.sin_port));
	mw_err err;
	dns_resolver *r = dns_resolver_ares_new(server, 200, 2, &err);
	assert_non_null(r);
	got g = {0};
	static const char *const names[] = {"ok.example", "txt.example", "fail.example",
	                                    "quiet.example", "bad..name"};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(
		    dns_resolver_query(r, names[i], i == 1 ? DNS_T_TXT : DNS_T_A, on_answer, &g),
		    MW_OK);
	assert_int_equal(g.calls, 0); /* never from inside query */
	assert_int_equal(dns_resolver_pending(r), 5);
	time_t t0 = time(NULL);
	while (dns_resolver_pending(r) > 0) {
		struct pollfd fds[8];
		int timeout = -1;
		int n = dns_resolver_fds(r, fds, 8, &timeout);
		assert_true(n > 0 || timeout >= 0);
		poll(fds, (nfds_t)n, timeout);
		dns_resolver_process(r, fds, n);
		assert_true(time(NULL) - t0 < 20);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	assert_int_equal(g.calls, 5);
	const dns_answer *a = find(&g, "ok.example");
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->n, 1);
	assert_int_equal(a->ttl, 77);
	a = find(&g, "txt.example");
	assert_int_equal(a->status, DNS_OK);
	assert_int_equal(a->rr[0].txt_len, 11);
	assert_memory_equal(a->rr[0].txt, "hello world", 11);
	a = find(&g, "fail.example");
	assert_int_equal(a->status, DNS_TEMPFAIL);
	assert_string_equal(a->reason, "SERVFAIL");
	a = find(&g, "quiet.example");
	assert_int_equal(a->status, DNS_TEMPFAIL);
	assert_string_equal(a->reason, "timeout");
	a = find(&g, "bad..name");
	assert_int_equal(a->status, DNS_NXDOMAIN);
	for (int i = 0; i < g.calls; i++)
		dns_answer_free(g.a[i]);
	/* freeing with a query in flight fails it with a reason */
	got g2 = {0};
	assert_int_equal(dns_resolver_query(r, "quiet.example", DNS_T_A, on_answer, &g2), MW_OK);
	dns_resolver_free(r);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.a[0]->status, DNS_TEMPFAIL);
	assert_string_equal(g2.a[0]->reason, "resolver closed");
	dns_answer_free(g2.a[0]);
}

/* Server strings: accepted and rejected forms. */
static void test_ares_server_strings(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
	    {"127.0.0.1", 1},   {"127.0.0.1:5353", 1},
	    {"::1", 1},         {"[::1]:5353", 1},
	    {"[::1]", 1},       {"2001:db8::1", 1},
	    {"bogus", 0},       {"127.0.0.1:", 0},
	    {"127.0.0.1:0", 0}, {"127.0.0.1:65536", 0},
	    {"[::1]5353", 0},   {"[::1", 0},
	    {"1.2.3.4:53x", 0}, {"", 0},
	    {"256.1.1.1", 0},   {"[127.0.0.1]:53", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_err err;
		dns_resolver *r = dns_resolver_ares_new(cases[i].s, 100, 1, &err);
		if ((r != NULL) != cases[i].ok)
			fail_msg("'%s': got %s want %s", cases[i].s, r ? "ok" : err.msg,
			         cases[i].ok ? "ok" : "error");
		if (!r)
			assert_int_equal(err.code, MW_EINVAL);
		dns_resolver_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_cases),
	    cmocka_unit_test(test_wire_truncations),
	    cmocka_unit_test(test_ares_backend),
	    cmocka_unit_test(test_ares_server_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
