/*
 * dns/resolver.c - backend-independent resolver calls and the offline
 * (zone) backend (see resolver.h).
 */
#include "dns/resolver.h"

#include <stdlib.h>
#include <string.h>

/* dns_resolver_query - dispatch to the backend */
mw_status dns_resolver_query(dns_resolver *r, const char *name, dns_type type, dns_callback cb,
			     void *arg)
{
	r->queries++;
	return r->ops->query(r->impl, name, type, cb, arg);
}

/* dns_resolver_pending - outstanding queries */
size_t dns_resolver_pending(const dns_resolver *r)
{
	return r->ops->pending(r->impl);
}

/* dns_resolver_fds - pollfds for an event loop */
int dns_resolver_fds(dns_resolver *r, struct pollfd *fds, int nfds, int *timeout_ms)
{
	return r->ops->fds(r->impl, fds, nfds, timeout_ms);
}

/* dns_resolver_process - handle readiness */
void dns_resolver_process(dns_resolver *r, const struct pollfd *fds, int nfds)
{
	r->ops->process(r->impl, fds, nfds);
}

/* dns_resolver_run - loop over poll() until nothing is pending */
void dns_resolver_run(dns_resolver *r)
{
	struct pollfd fds[16];
	while (dns_resolver_pending(r) > 0) {
		int timeout = -1;
		int n = dns_resolver_fds(r, fds, 16, &timeout);
		if (n > 0 || timeout >= 0)
			(void)poll(fds, (nfds_t)n, timeout);
		dns_resolver_process(r, fds, n);
	}
}

/* dns_resolver_free - release */
void dns_resolver_free(dns_resolver *r)
{
	if (r) {
		r->ops->free(r->impl);
		free(r);
	}
}

/* ---- zone backend ----------------------------------------------------- */

typedef struct zq {
	char *name;
	dns_type type;
	dns_callback cb;
	void *arg;
} zq;

typedef struct zone_impl {
	const dns_zone *zone;
	zq *q;
	size_t n, cap;
} zone_impl;

/* zone_query - queue a query, answered in process() */
static mw_status zone_query(void *impl, const char *name, dns_type type, dns_callback cb,
			    void *arg)
{
	zone_impl *z = impl;
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 16;
		zq *q = realloc(z->q, cap * sizeof(*q));
		if (!q)
			return MW_ENOMEM;
		z->q = q;
		z->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return MW_ENOMEM;
	z->q[z->n++] = (zq){copy, type, cb, arg};
	return MW_OK;
}

/* zone_pending - queued queries */
static size_t zone_pending(void *impl)
{
	return ((zone_impl *)impl)->n;
}

/* zone_fds - nothing to poll: answers are ready now */
static int zone_fds(void *impl, struct pollfd *fds, int nfds, int *timeout_ms)
{
	(void)fds;
	(void)nfds;
	*timeout_ms = ((zone_impl *)impl)->n ? 0 : -1;
	return 0;
}

/* zone_process - answer every queued query (callbacks may queue more) */
static void zone_process(void *impl, const struct pollfd *fds, int nfds)
{
	zone_impl *z = impl;
	(void)fds;
	(void)nfds;
	while (z->n > 0) {
		zq q = z->q[0];
		memmove(z->q, z->q + 1, (z->n - 1) * sizeof(zq));
		z->n--;
		dns_answer *a = dns_zone_query(z->zone, q.name, q.type);
		if (!a) {
			a = dns_answer_new(DNS_TEMPFAIL, 0);
			if (a)
				dns_answer_set_reason(a, "out of memory");
		}
		q.cb(q.arg, q.name, q.type, a);
		free(q.name);
	}
}

/* zone_free - fail pending queries and free */
static void zone_free(void *impl)
{
	zone_impl *z = impl;
	for (size_t i = 0; i < z->n; i++) {
		dns_answer *a = dns_answer_new(DNS_TEMPFAIL, 0);
		if (a)
			dns_answer_set_reason(a, "resolver closed");
		z->q[i].cb(z->q[i].arg, z->q[i].name, z->q[i].type, a);
		free(z->q[i].name);
	}
	free(z->q);
	free(z);
}

static const dns_resolver_ops zone_ops = {
	.name = "zone",
	.query = zone_query,
	.pending = zone_pending,
	.fds = zone_fds,
	.process = zone_process,
	.free = zone_free,
};

/* dns_resolver_zone_new - offline backend */
dns_resolver *dns_resolver_zone_new(const dns_zone *zone)
{
	dns_resolver *r = calloc(1, sizeof(*r));
	zone_impl *z = calloc(1, sizeof(*z));
	if (!r || !z) {
		free(r);
		free(z);
		return NULL;
	}
	z->zone = zone;
	r->ops = &zone_ops;
	r->impl = z;
	return r;
}
