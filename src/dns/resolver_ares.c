/*
 * dns/resolver_ares.c - the c-ares backend of the resolver API (resolver.h).
 *
 * SYNOPSIS
 *   dns_resolver *r = dns_resolver_ares_new("127.0.0.1:5353", 5000, 2, &err);
 *   dns_resolver_query(r, "example.com", DNS_T_MX, cb, arg);
 *   dns_resolver_run(r);            or  dns_resolver_fds / dns_resolver_process
 *
 * DESCRIPTION
 *   Queries (class IN, RFC 1035 §4) go through one c-ares channel to the
 *   given server ("IP", "IP:PORT", "[IPv6]:PORT"; NULL = /etc/resolv.conf).
 *   Each try waits timeout_ms (c-ares doubles it on every retry), `tries`
 *   tries in all, so a query ends after at most about
 *   timeout_ms * (2^tries - 1): a dead server is DNS_TEMPFAIL "timeout",
 *   never a hang.  Responses with SERVFAIL, REFUSED, FORMERR or NOTIMP are
 *   DNS_TEMPFAIL with that reason at once (ARES_FLAG_NOCHECKRESP, so c-ares
 *   does not spend the retries on them).  Truncated UDP answers are retried
 *   over TCP by c-ares.
 *
 *   Replies are read by dns_wire_answer (wire.h): CNAME chains followed,
 *   TTLs kept, TXT strings joined, NXDOMAIN/NODATA with the SOA's negative
 *   TTL, odd replies never crash.  Without a reply (timeout, connection
 *   refused, channel destroyed) the answer is DNS_TEMPFAIL with the reason.
 *
 *   Callbacks never run inside dns_resolver_query: c-ares results are queued
 *   and delivered from dns_resolver_process, as with the zone backend.
 *   Names that cannot exist (over 253 bytes, empty or > 63-byte labels) are
 *   answered NXDOMAIN without a query, as the zone backend does.
 *
 * LIMITS
 *   MW_DNS_CNAME_MAX, MW_DNS_ANSWERS_MAX, MW_DNS_TXT_MAX, MW_DNS_NEGTTL_*.
 *
 * OWNERSHIP
 *   The resolver copies the query name; callbacks own the answers they get.
 *   dns_resolver_free destroys the channel: pending queries get DNS_TEMPFAIL
 *   "resolver closed" before it returns.
 *
 * SECURITY
 *   Talks UDP/TCP port 53 (or the given port) to one server; needs no
 *   privilege.  Replies are untrusted input: every length is checked against
 *   the reply size before use.
 */
#include "dns/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"
#include "dns/wire.h"

#define CLASS_IN 1 /* RFC 1035 §3.2.4 */

typedef struct aq aq;

typedef struct ready {
	aq *q;
	dns_answer *a;
} ready;

typedef struct ares_impl {
	ares_channel channel;
	size_t inflight; /* sent to c-ares, callback not yet run */
	ready *ready;    /* answered, not yet delivered */
	size_t nready, cap;
} ares_impl;

struct aq {
	ares_impl *impl;
	char *name;
	dns_type type;
	dns_callback cb;
	void *arg;
};

/* status_reason - TEMPFAIL reason for a c-ares status */
static const char *status_reason(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return "timeout";
	case ARES_ESERVFAIL:
		return "SERVFAIL";
	case ARES_EREFUSED:
		return "REFUSED";
	case ARES_EFORMERR:
		return "FORMERR";
	case ARES_ENOTIMP:
		return "NOTIMP";
	case ARES_ECONNREFUSED:
		return "connection refused";
	case ARES_EBADRESP:
		return "bad response";
	case ARES_ENOMEM:
		return "out of memory";
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return "resolver closed";
	}
	return ares_strerror(status);
}

/* make_answer - dns_answer from a c-ares status and reply */
static dns_answer *make_answer(const char *qname, dns_type type, int status,
                               const unsigned char *abuf, int alen)
{
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_EFORMERR:
	case ARES_ENOTIMP:
		/* a reply arrived: its RCODE and records decide (wire.h) */
		if (abuf && alen > 0)
			return dns_wire_answer(abuf, (size_t)alen, qname, type);
		break;
	}
	dns_answer *a = dns_answer_new(DNS_TEMPFAIL, 0);
	if (a)
		dns_answer_set_reason(a, status_reason(status));
	return a;
}

/* ---- backend -------------------------------------------------------------- */

/* push_ready - queue an answer for delivery (capacity reserved at query time) */
static void push_ready(ares_impl *ai, aq *q, dns_answer *a)
{
	ai->ready[ai->nready++] = (ready){q, a};
}

/* on_reply - c-ares callback: turn the reply into an answer and queue it */
static void on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	aq *q = arg;
	(void)timeouts;
	q->impl->inflight--;
	dns_answer *a = make_answer(q->name, q->type, status, abuf, alen);
	push_ready(q->impl, q, a);
}

/* deliver - run the callbacks of every queued answer (they may queue more) */
static void deliver(ares_impl *ai)
{
	while (ai->nready > 0) {
		ready r = ai->ready[0];
		memmove(ai->ready, ai->ready + 1, (ai->nready - 1) * sizeof(ready));
		ai->nready--;
		if (!r.a && (r.a = dns_answer_new(DNS_TEMPFAIL, 0)))
			dns_answer_set_reason(r.a, "out of memory");
		r.q->cb(r.q->arg, r.q->name, r.q->type, r.a);
		free(r.q->name);
		free(r.q);
	}
}

/* reserve - room in the ready queue for every query that can still answer */
static bool reserve(ares_impl *ai)
{
	size_t need = ai->inflight + ai->nready + 1;
	if (need <= ai->cap)
		return true;
	size_t cap = ai->cap ? ai->cap * 2 : 16;
	while (cap < need)
		cap *= 2;
	ready *r = realloc(ai->ready, cap * sizeof(*r));
	if (!r)
		return false;
	ai->ready = r;
	ai->cap = cap;
	return true;
}

/* aimpl_query - start a query */
static mw_status aimpl_query(void *impl, const char *name, dns_type type, dns_callback cb,
                             void *arg)
{
	ares_impl *ai = impl;
	if (!reserve(ai))
		return MW_ENOMEM;
	aq *q = calloc(1, sizeof(*q));
	char *copy = strdup(name);
	if (!q || !copy) {
		free(q);
		free(copy);
		return MW_ENOMEM;
	}
	*q = (aq){ai, copy, type, cb, arg};
	char norm[MW_DNS_NAME_MAX + 1];
	if (!mw_domain_normalize(name, norm, sizeof(norm))) {
		push_ready(ai, q, dns_answer_new(DNS_NXDOMAIN, MW_DNS_NEGTTL_DEFAULT));
		return MW_OK;
	}
	ai->inflight++;
	ares_query(ai->channel, norm, CLASS_IN, (int)type, on_reply, q);
	return MW_OK;
}

/* aimpl_pending - queries whose callback has not run */
static size_t aimpl_pending(void *impl)
{
	ares_impl *ai = impl;
	return ai->inflight + ai->nready;
}

/* aimpl_fds - c-ares sockets as pollfds, and its next timeout */
static int aimpl_fds(void *impl, struct pollfd *fds, int nfds, int *timeout_ms)
{
	ares_impl *ai = impl;
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	/* the bit tests of ARES_GETSOCK_WRITABLE shift a signed 1 into the sign
	 * bit (undefined behaviour), so test the bits as unsigned here */
	unsigned bits = (unsigned)ares_getsock(ai->channel, socks, ARES_GETSOCK_MAXNUM);
	int n = 0;
	for (int i = 0; i < ARES_GETSOCK_MAXNUM && n < nfds; i++) {
		short ev = 0;
		if (bits & (1u << i))
			ev |= POLLIN;
		if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
			ev |= POLLOUT;
		if (!ev)
			continue;
		fds[n++] = (struct pollfd){.fd = socks[i], .events = ev};
	}
	struct timeval tv, *tvp = ares_timeout(ai->channel, NULL, &tv);
	*timeout_ms = -1;
	if (tvp)
		*timeout_ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	if (ai->nready)
		*timeout_ms = 0;
	return n;
}

/* aimpl_process - feed readiness and expired timeouts to c-ares, then deliver */
static void aimpl_process(void *impl, const struct pollfd *fds, int nfds)
{
	ares_impl *ai = impl;
	for (int i = 0; i < nfds; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = fds[i].fd;
		if (fds[i].revents & POLLOUT)
			wfd = fds[i].fd;
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD)
			ares_process_fd(ai->channel, rfd, wfd);
	}
	ares_process_fd(ai->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
	deliver(ai);
}

/* aimpl_free - destroy the channel (pending queries fail) and free */
static void aimpl_free(void *impl)
{
	ares_impl *ai = impl;
	ares_destroy(ai->channel); /* runs on_reply with ARES_EDESTRUCTION */
	deliver(ai);
	free(ai->ready);
	free(ai);
	ares_library_cleanup();
}

static const dns_resolver_ops ares_ops = {
    .name = "c-ares",
    .query = aimpl_query,
    .pending = aimpl_pending,
    .fds = aimpl_fds,
    .process = aimpl_process,
    .free = aimpl_free,
};

/* parse_server - "IP", "IP:PORT", "[IPv6]:PORT", "IPv6" into a c-ares node */
static bool parse_server(const char *s, struct ares_addr_port_node *node)
{
	const char *host = s, *port = NULL;
	size_t hlen = strlen(s);
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || (rb[1] && rb[1] != ':'))
			return false;
		host = s + 1;
		hlen = (size_t)(rb - host);
		port = rb[1] ? rb + 2 : NULL;
	} else {
		const char *colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) { /* exactly one colon: IPv4:PORT */
			hlen = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	mw_ip ip;
	if (!mw_ip_parse_n(host, hlen, &ip))
		return false;
	long p = 53;
	if (port) {
		char *end;
		p = strtol(port, &end, 10);
		if (!*port || *end || p < 1 || p > 65535)
			return false;
	}
	memset(node, 0, sizeof(*node));
	node->family = ip.family == 4 ? AF_INET : AF_INET6;
	if (ip.family == 4)
		memcpy(&node->addr.addr4, ip.addr, 4);
	else
		memcpy(&node->addr.addr6, ip.addr, 16);
	node->udp_port = node->tcp_port = (int)p;
	return true;
}

/* dns_resolver_ares_new - c-ares channel to one server (or the system's) */
dns_resolver *dns_resolver_ares_new(const char *server, int timeout_ms, int tries, mw_err *err)
{
	struct ares_addr_port_node node;
	if (server && !parse_server(server, &node)) {
		mw_err_set(err, MW_EINVAL,
		           "bad resolver address '%.80s' (want IP, IP:PORT or "
		           "[IPv6]:PORT)",
		           server);
		return NULL;
	}
	if (timeout_ms < 1 || tries < 1) {
		mw_err_set(err, MW_EINVAL, "DNS timeout and tries must be positive");
		return NULL;
	}
	int rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		mw_err_set(err, MW_EIO, "c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	dns_resolver *r = calloc(1, sizeof(*r));
	ares_impl *ai = calloc(1, sizeof(*ai));
	if (!r || !ai) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		goto err;
	}
	struct ares_options o = {
	    .flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH,
	    .timeout = timeout_ms,
	    .tries = tries,
	};
	rc = ares_init_options(&ai->channel, &o,
	                       ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		mw_err_set(err, MW_EIO, "c-ares: %s", ares_strerror(rc));
		goto err;
	}
	if (server && (rc = ares_set_servers_ports(ai->channel, &node)) != ARES_SUCCESS) {
		mw_err_set(err, MW_EIO, "c-ares: %s", ares_strerror(rc));
		ares_destroy(ai->channel);
		goto err;
	}
	r->ops = &ares_ops;
	r->impl = ai;
	return r;
err:
	free(r);
	free(ai);
	ares_library_cleanup();
	return NULL;
}
