/*
 * dns/cache.h - per-process DNS answer cache honouring TTLs.
 *
 * DESCRIPTION
 *   Maps (name, type) to the last answer, valid until its TTL runs out
 *   (negative answers too, RFC 2308; TEMPFAIL answers are kept only for the
 *   current evaluation, see dns_cache_get).  Bounded by MW_DNS_CACHE_MAX
 *   entries: when full, expired entries are swept, then the whole cache is
 *   dropped (O(N), rare, and correct: a cache may always forget).
 *
 *   Entries are never freed by dns_cache_get, only by dns_cache_put and
 *   dns_cache_free, so pointers returned by get stay valid until the next
 *   put.  That is what the replay driver (lookup.h) relies on.
 *
 * OWNERSHIP
 *   dns_cache_put takes ownership of the answer.  dns_cache_get returns a
 *   borrowed pointer.
 */
#ifndef MW_DNS_CACHE_H
#define MW_DNS_CACHE_H

#include <stddef.h>
#include <time.h>

#include "dns/dns.h"

typedef struct dns_cache dns_cache;

/* dns_cache_new - empty cache */
dns_cache *dns_cache_new(void);
/* dns_cache_free - release the cache and its answers */
void dns_cache_free(dns_cache *c);
/* dns_cache_get - answer still valid at time `since`, or NULL */
const dns_answer *dns_cache_get(const dns_cache *c, const char *name, dns_type type,
				time_t since);
/* dns_cache_put - store an answer fetched at time now (takes ownership, also on error) */
mw_status dns_cache_put(dns_cache *c, const char *name, dns_type type, dns_answer *a,
			time_t now);
/* dns_cache_count - entries stored */
size_t dns_cache_count(const dns_cache *c);

#endif
