/*
 * dns/cache.c - DNS answer cache (see cache.h).
 *
 * Key: "<type>/<lower-case name>".  Value: entry with the answer and the
 * absolute expiry time.
 */
#include "dns/cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/limits.h"
#include "core/str.h"

typedef struct entry {
	dns_answer *answer;
	time_t expires;
} entry;

struct dns_cache {
	mw_htab *tab;
};

/* entry_free - htab destructor */
static void entry_free(void *p)
{
	entry *e = p;
	if (e) {
		dns_answer_free(e->answer);
		free(e);
	}
}

/* lower_ascii - ASCII lower case in place, eight bytes at a time (SWAR) */
static void lower_ascii(char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		uint64_t low7 = w & ~high;
		uint64_t ge_a = low7 + ones * (0x80 - 'A');     /* high bit: byte >= 'A' */
		uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1); /* high bit: byte > 'Z' */
		uint64_t upper = (ge_a ^ gt_z) & ~w & high;    /* ASCII 'A'..'Z' */
		w |= upper >> 2;                               /* set 0x20 */
		memcpy(p + i, &w, 8);
	}
	if (i < n) { /* the tail through a padded word */
		uint64_t w = 0;
		memcpy(&w, p + i, n - i);
		uint64_t low7 = w & ~high;
		uint64_t upper = ((low7 + ones * (0x80 - 'A')) ^ (low7 + ones * (0x80 - 'Z' - 1))) & ~w & high;
		w |= upper >> 2;
		memcpy(p + i, &w, n - i);
	}
}

/* make_key - cache key "<type>/<lower-case name>" (trailing dot dropped);
 * returns its length, 0 if too long.  Formatted by hand: it runs on every
 * lookup, and snprintf was the largest cost of a warm-cache SPF check. */
static size_t make_key(char *key, size_t n, const char *name, dns_type type)
{
	size_t len = strlen(name), o = 0;
	unsigned t = (unsigned)type; /* RR types are < 65536: at most 5 digits */
	if (len + 7 >= n)
		return 0;
	if (t >= 10000)
		key[o++] = (char)('0' + t / 10000 % 10);
	if (t >= 1000)
		key[o++] = (char)('0' + t / 1000 % 10);
	if (t >= 100)
		key[o++] = (char)('0' + t / 100 % 10);
	if (t >= 10)
		key[o++] = (char)('0' + t / 10 % 10);
	key[o++] = (char)('0' + t % 10);
	key[o++] = '/';
	memcpy(key + o, name, len);
	lower_ascii(key + o, len);
	o += len;
	if (key[o - 1] == '.')
		o--;
	key[o] = '\0';
	return o;
}

/* dns_cache_new - create */
dns_cache *dns_cache_new(void)
{
	dns_cache *c = calloc(1, sizeof(*c));
	if (c && !(c->tab = mw_htab_new(entry_free))) {
		free(c);
		c = NULL;
	}
	return c;
}

/* dns_cache_free - destroy */
void dns_cache_free(dns_cache *c)
{
	if (c) {
		mw_htab_free(c->tab);
		free(c);
	}
}

/* dns_cache_get - look up a valid answer */
const dns_answer *dns_cache_get(const dns_cache *c, const char *name, dns_type type,
				time_t since)
{
	char key[MW_DNS_NAME_MAX + 16];
	size_t k = make_key(key, sizeof(key), name, type);
	if (!k)
		return NULL;
	const entry *e = mw_htab_get(c->tab, key, k);
	if (!e || e->expires < since)
		return NULL;
	return e->answer;
}

/* sweep - drop expired entries; everything if still full */
static void sweep(dns_cache *c, time_t now)
{
	mw_htab_iter it = {0};
	const char *key;
	size_t klen;
	void *v;
	/* Collect first: deleting while iterating would invalidate the iterator. */
	size_t n = mw_htab_count(c->tab), nd = 0;
	char **doomed = calloc(n ? n : 1, sizeof(char *));
	if (doomed) {
		while (mw_htab_next(c->tab, &it, &key, &klen, &v))
			if (((entry *)v)->expires < now)
				doomed[nd++] = (char *)key;
		for (size_t i = 0; i < nd; i++) {
			char tmp[MW_DNS_NAME_MAX + 16];
			mw_strlcpy(tmp, doomed[i], sizeof(tmp));
			mw_htab_del(c->tab, tmp, strlen(tmp));
		}
		free(doomed);
	}
	if (mw_htab_count(c->tab) >= MW_DNS_CACHE_MAX) {
		mw_htab_free(c->tab);
		c->tab = mw_htab_new(entry_free);
	}
}

/* dns_cache_put - store an answer */
mw_status dns_cache_put(dns_cache *c, const char *name, dns_type type, dns_answer *a,
			time_t now)
{
	char key[MW_DNS_NAME_MAX + 16];
	size_t k = make_key(key, sizeof(key), name, type);
	if (!k) {
		dns_answer_free(a);
		return MW_EINVAL;
	}
	if (mw_htab_count(c->tab) >= MW_DNS_CACHE_MAX)
		sweep(c, now);
	if (!c->tab) {
		dns_answer_free(a);
		return MW_ENOMEM;
	}
	entry *e = malloc(sizeof(*e));
	if (!e) {
		dns_answer_free(a);
		return MW_ENOMEM;
	}
	e->answer = a;
	/* A temporary failure is remembered for this instant only: the current
	 * evaluation sees it (so replay terminates), the next one asks again. */
	e->expires = now + (a->status == DNS_TEMPFAIL ? 0 : (time_t)a->ttl);
	mw_status st = mw_htab_put(c->tab, key, k, e);
	if (st != MW_OK)
		entry_free(e);
	return st;
}

/* dns_cache_count - number of entries */
size_t dns_cache_count(const dns_cache *c)
{
	return mw_htab_count(c->tab);
}
