/*
 * dns/lookup.c - replay-over-cache driver (see lookup.h).
 */
#include "dns/lookup.h"

#include <string.h>

#include "core/str.h"

/* dns_lookup_init - prepare a lookup context */
void dns_lookup_init(dns_lookup *lk, dns_cache *cache, time_t now)
{
	memset(lk, 0, sizeof(*lk));
	lk->cache = cache;
	lk->now = now;
}

/* add_need - remember (name, type) once; silently capped */
static void add_need(dns_lookup *lk, const char *name, dns_type type)
{
	for (size_t i = 0; i < lk->nneed; i++)
		if (lk->need[i].type == type && mw_strcaseeq(lk->need[i].name, name))
			return;
	if (lk->nneed >= MW_DNS_NEEDS_MAX || strlen(name) > MW_DNS_NAME_MAX)
		return;
	mw_strlcpy(lk->need[lk->nneed].name, name, sizeof(lk->need[0].name));
	lk->need[lk->nneed].type = type;
	lk->nneed++;
}

/* dns_lookup_want - prefetch hint */
bool dns_lookup_want(dns_lookup *lk, const char *name, dns_type type)
{
	if (dns_cache_get(lk->cache, name, type, lk->now))
		return true;
	add_need(lk, name, type);
	return false;
}

/* dns_lookup_get - cached answer or NULL (need recorded) */
const dns_answer *dns_lookup_get(dns_lookup *lk, const char *name, dns_type type)
{
	const dns_answer *a = dns_cache_get(lk->cache, name, type, lk->now);
	if (!a)
		add_need(lk, name, type);
	return a;
}

typedef struct fetch_ctx {
	dns_lookup *lk;
	time_t now;
} fetch_ctx;

/* on_answer - resolver callback: store in the cache */
static void on_answer(void *arg, const char *name, dns_type type, dns_answer *a)
{
	fetch_ctx *fc = arg;
	if (!a) {
		a = dns_answer_new(DNS_TEMPFAIL, 0);
		if (!a)
			return;
		dns_answer_set_reason(a, "out of memory");
	}
	fc->lk->fetched++;
	/* Store with the evaluation clock so the answer is valid for this run. */
	dns_cache_put(fc->lk->cache, name, type, a, fc->now);
}

/* dns_lookup_fetch - resolve all needs in parallel */
mw_status dns_lookup_fetch(dns_lookup *lk, dns_resolver *r)
{
	fetch_ctx fc = {lk, lk->now};
	time_t wall = time(NULL);
	if (wall > fc.now)
		fc.now = wall;
	for (size_t i = 0; i < lk->nneed; i++) {
		mw_status st = dns_resolver_query(r, lk->need[i].name, lk->need[i].type, on_answer, &fc);
		if (st != MW_OK)
			return st;
	}
	dns_resolver_run(r);
	lk->nneed = 0;
	return MW_OK;
}

/* dns_lookup_run - the replay loop */
mw_status dns_lookup_run(dns_lookup *lk, dns_resolver *r, dns_eval_fn fn, void *ctx,
			 mw_err *err)
{
	for (;;) {
		lk->nneed = 0;
		mw_status st = fn(ctx, lk);
		if (st != MW_NEED_DNS)
			return st;
		if (lk->nneed == 0)
			return mw_err_set(err, MW_EINVAL, "evaluation asked for DNS but named nothing");
		if (++lk->rounds > MW_DNS_ROUNDS_MAX)
			return mw_err_set(err, MW_ETEMP, "too many DNS rounds (%u)", MW_DNS_ROUNDS_MAX);
		st = dns_lookup_fetch(lk, r);
		if (st != MW_OK)
			return mw_err_set(err, st, "DNS query failed: %s", mw_status_str(st));
	}
}

/* dns_lookup_confirms - see lookup.h */
int dns_lookup_confirms(dns_lookup *lk, const char *name, const mw_ip *ip)
{
	const dns_answer *a = dns_lookup_get(lk, name, ip->family == 4 ? DNS_T_A : DNS_T_AAAA);
	if (!a)
		return -1;
	if (a->status == DNS_TEMPFAIL)
		return -2;
	for (size_t i = 0; i < a->n; i++)
		if (mw_ip_equal(&a->rr[i].ip, ip))
			return 1;
	return 0;
}
