/*
 * dns/lookup.h - replay-over-cache: how I/O-free engines get DNS data.
 *
 * DESCRIPTION
 *   An engine (SPF, DKIM, DMARC ...) runs as plain sequential code against a
 *   dns_lookup.  dns_lookup_get returns the cached answer for (name, type);
 *   when the cache lacks it, it records the pair as *needed* and returns
 *   NULL, and the engine stops with MW_NEED_DNS.  The driver
 *   (dns_lookup_run) fetches every needed pair in parallel through a
 *   resolver, stores the answers in the cache, and replays the evaluation,
 *   which is cheap because everything before that point is now cached.
 *
 *   Engines that can see several names ahead (the A records of all MX hosts)
 *   call dns_lookup_want for each before stopping, so one round fetches them
 *   all.  Lookup-count limits are counted by the engine, not here, so replays
 *   do not change results.  Rounds are capped at MW_DNS_ROUNDS_MAX.
 *
 *   An evaluation runs with a fixed clock (lk->now, set at the start), so an
 *   answer stored during the evaluation stays valid for all of its replays
 *   even with TTL 0.
 *
 * OWNERSHIP
 *   The lookup borrows the cache.  Answers returned are borrowed from the
 *   cache and stay valid until the driver's next round.
 */
#ifndef MW_DNS_LOOKUP_H
#define MW_DNS_LOOKUP_H

#include <stdbool.h>
#include <time.h>

#include "core/limits.h"
#include "dns/cache.h"
#include "dns/resolver.h"

typedef struct dns_need {
	char name[MW_DNS_NAME_MAX + 1];
	dns_type type;
} dns_need;

typedef struct dns_lookup {
	dns_cache *cache;
	time_t now;                  /* evaluation clock */
	dns_need need[MW_DNS_NEEDS_MAX];
	size_t nneed;
	unsigned rounds;             /* replay rounds so far */
	unsigned long fetched;       /* answers fetched from the resolver */
} dns_lookup;

/* dns_lookup_init - bind to a cache with the evaluation clock */
void dns_lookup_init(dns_lookup *lk, dns_cache *cache, time_t now);
/* dns_lookup_get - cached answer, or NULL after recording the need */
const dns_answer *dns_lookup_get(dns_lookup *lk, const char *name, dns_type type);
/* dns_lookup_want - record a need without stopping (prefetch); true if cached */
bool dns_lookup_want(dns_lookup *lk, const char *name, dns_type type);

/* dns_lookup_confirms - does name have address ip (A or AAAA by ip's
 * family; the forward half of forward-confirmed reverse DNS)?  1 yes, 0 no,
 * -1 answer missing (need recorded), -2 temporary failure */
int dns_lookup_confirms(dns_lookup *lk, const char *name, const mw_ip *ip);

/* An evaluation step: return MW_NEED_DNS to ask for another round. */
typedef mw_status (*dns_eval_fn)(void *ctx, dns_lookup *lk);

/* dns_lookup_fetch - resolve the recorded needs into the cache (blocking) */
mw_status dns_lookup_fetch(dns_lookup *lk, dns_resolver *r);
/* dns_lookup_run - evaluate, fetch, replay until the evaluation finishes.
 * Returns the evaluation's final status; MW_ETEMP with a reason if the
 * round cap is reached. */
mw_status dns_lookup_run(dns_lookup *lk, dns_resolver *r, dns_eval_fn fn, void *ctx,
			 mw_err *err);

#endif
