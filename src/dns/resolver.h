/*
 * dns/resolver.h - the pluggable asynchronous resolver API.
 *
 * DESCRIPTION
 *   A dns_resolver answers (name, type) queries through a callback.  Two
 *   backends:
 *     - zone  (dns_resolver_zone_new): answers from an in-memory dns_zone,
 *       offline; used by tests, demos and benchmarks.  Answers are delivered
 *       from dns_resolver_run / dns_resolver_process, never from inside
 *       dns_resolver_query, so callers see the same ordering as with c-ares.
 *     - c-ares (dns_resolver_ares_new, resolver_ares.c): real lookups against
 *       a given server "IP[:PORT]" or the system's resolv.conf.  Timeouts are
 *       bounded (timeout_ms per try, `tries` tries) and reported as
 *       DNS_TEMPFAIL with reason "timeout"; never a crash, never a hang.
 *
 *   A caller either runs the resolver to completion (dns_resolver_run,
 *   blocking, for the CLI) or drives it from an event loop: dns_resolver_fds
 *   fills pollfds and a timeout, dns_resolver_process handles readiness.
 *
 * OWNERSHIP
 *   The callback receives an answer it owns (free it or hand it to a cache).
 *   The zone backend borrows the zone: keep it alive longer than the resolver.
 */
#ifndef MW_DNS_RESOLVER_H
#define MW_DNS_RESOLVER_H

#include <poll.h>
#include <stddef.h>

#include "dns/dns.h"
#include "dns/zone.h"

typedef struct dns_resolver dns_resolver;

typedef void (*dns_callback)(void *arg, const char *name, dns_type type, dns_answer *answer);

/* The backend interface (one instance per backend file). */
typedef struct dns_resolver_ops {
	const char *name;
	mw_status (*query)(void *impl, const char *name, dns_type type, dns_callback cb,
			   void *arg);
	size_t (*pending)(void *impl);
	int (*fds)(void *impl, struct pollfd *fds, int nfds, int *timeout_ms);
	void (*process)(void *impl, const struct pollfd *fds, int nfds);
	void (*free)(void *impl);
} dns_resolver_ops;

struct dns_resolver {
	const dns_resolver_ops *ops;
	void *impl;
	unsigned long queries; /* statistics: queries sent */
};

/* dns_resolver_zone_new - offline backend over a zone (borrowed) */
dns_resolver *dns_resolver_zone_new(const dns_zone *zone);
/* dns_resolver_ares_new - c-ares backend; server "IP", "IP:PORT", "[IPv6]:PORT" or NULL */
dns_resolver *dns_resolver_ares_new(const char *server, int timeout_ms, int tries, mw_err *err);
/* dns_resolver_free - cancel pending queries (callbacks get TEMPFAIL) and free */
void dns_resolver_free(dns_resolver *r);

/* dns_resolver_query - start a query; cb runs later exactly once */
mw_status dns_resolver_query(dns_resolver *r, const char *name, dns_type type, dns_callback cb,
			     void *arg);
/* dns_resolver_pending - queries not answered yet */
size_t dns_resolver_pending(const dns_resolver *r);
/* dns_resolver_fds - event-loop integration: fill up to nfds pollfds, return count;
 * *timeout_ms gets the time until the next internal timeout (-1: none) */
int dns_resolver_fds(dns_resolver *r, struct pollfd *fds, int nfds, int *timeout_ms);
/* dns_resolver_process - handle readiness (revents) and expired timeouts */
void dns_resolver_process(dns_resolver *r, const struct pollfd *fds, int nfds);
/* dns_resolver_run - block until no query is pending */
void dns_resolver_run(dns_resolver *r);

#endif
