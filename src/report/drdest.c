/*
 * report/drdest.c - rua= destinations and their verification (see drdest.h).
 */
#include "report/drdest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "auth/dmarc_record.h"
#include "auth/taglist.h"
#include "core/str.h"

/* parse_size - "10m" etc. into bytes; false if malformed */
static bool parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > UINT64_MAX / 10 - 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || n - i > 1)
		return false;
	unsigned shift = 0;
	if (i < n) {
		char u = (char)tolower((unsigned char)s[i]);
		shift = u == 'k' ? 10 : u == 'm' ? 20 : u == 'g' ? 30 : u == 't' ? 40 : 99;
		if (shift == 99 || v > (UINT64_MAX >> shift))
			return false;
	}
	*out = v << shift;
	return true;
}

/* pct_decode - %XX escapes decoded into a pool string; NULL if malformed */
static char *pct_decode(const char *s, size_t n, mw_pool *pool)
{
	char *o = mw_pool_alloc(pool, n + 1), *p = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			*p++ = s[i];
			continue;
		}
		unsigned v;
		if (i + 2 >= n)
			return NULL;
		char hx[3] = {s[i + 1], s[i + 2], 0};
		if (!isxdigit((unsigned char)hx[0]) || !isxdigit((unsigned char)hx[1]) ||
		    sscanf(hx, "%2x", &v) != 1 || v == 0)
			return NULL;
		*p++ = (char)v;
		i += 2;
	}
	*p = '\0';
	return o;
}

/* drop - mark a destination dropped */
static void drop(mw_drdest *d, mw_drdest_status st, const char *reason)
{
	d->status = st;
	d->reason = reason;
}

/* parse_one - one URI s[0..n) */
static void parse_one(const char *s, size_t n, mw_pool *pool, mw_drdest *d)
{
	memset(d, 0, sizeof(*d));
	const char *bang = memchr(s, '!', n);
	size_t un = bang ? (size_t)(bang - s) : n;
	d->uri = mw_pool_strndup(pool, s, un);
	if (bang && !parse_size(bang + 1, n - un - 1, &d->max_size))
		return drop(d, MW_DRDEST_DROPPED, "malformed size limit after '!'");
	if (un < 7 || strncasecmp(s, "mailto:", 7) != 0)
		return drop(d, MW_DRDEST_DROPPED, "not a mailto: URI (only e-mail delivery is done)");
	const char *a = s + 7, *q = memchr(a, '?', un - 7);
	size_t an = q ? (size_t)(q - a) : un - 7;
	char *addr = pct_decode(a, an, pool);
	const char *at = addr ? strrchr(addr, '@') : NULL;
	char dom[MW_DNS_NAME_MAX + 1];
	if (!addr || !at || at == addr || !mw_domain_normalize(at + 1, dom, sizeof(dom)) ||
	    strpbrk(addr, " \t\r\n<>,;\"\\"))
		return drop(d, MW_DRDEST_DROPPED, "not a usable mailbox address");
	d->addr = addr;
	d->domain = mw_pool_strdup(pool, dom);
}

/* mw_drdest_parse - comma-separated URIs */
mw_status mw_drdest_parse(const char *rua, size_t len, mw_pool *pool, mw_drdest_list *out)
{
	const char *p = rua, *end = rua + len;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *e = c ? c : end, *b = p;
		mw_trim(&b, &e);
		if (b < e) {
			if (out->n == MW_DRGEN_DEST_MAX) {
				out->note = "more rua destinations than used (the first 8 are)";
				break;
			}
			parse_one(b, (size_t)(e - b), pool, &out->d[out->n++]);
			if (!out->d[out->n - 1].uri)
				return MW_ENOMEM;
		}
		p = c ? c + 1 : end;
	}
	return MW_OK;
}

/* read_rua - the rua value of the single DMARC record at _dmarc.<domain> */
static mw_status read_rua(const char *domain, dns_lookup *lk, mw_pool *pool, mw_drdest_list *out)
{
	char q[MW_DNS_NAME_MAX + 16];
	snprintf(q, sizeof(q), "_dmarc.%s", domain);
	const dns_answer *a = dns_lookup_get(lk, q, DNS_T_TXT);
	if (!a)
		return MW_NEED_DNS;
	if (a->status == DNS_TEMPFAIL) {
		out->temp = true;
		out->note = mw_pool_printf(pool, "%s: DNS temporary failure, try later", q);
		return MW_OK;
	}
	const dns_rr *rec = NULL;
	size_t found = 0;
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++)
		if (mw_dmarc_record_is_candidate(a->rr[i].txt, a->rr[i].txt_len)) {
			rec = &a->rr[i];
			found++;
		}
	if (found != 1) {
		out->note = mw_pool_printf(pool, found ? "%s: several DMARC records, none used"
						       : "%s: no DMARC record now", q);
		return MW_OK;
	}
	mw_taglist tl;
	mw_err err;
	const mw_tag *t;
	if (mw_taglist_parse(rec->txt, rec->txt_len, &tl, &err) != MW_OK ||
	    !(t = mw_taglist_get(&tl, "rua"))) {
		out->note = mw_pool_printf(pool, "%s: the DMARC record has no usable rua=", q);
		return MW_OK;
	}
	return mw_drdest_parse(t->value, t->value_len, pool, out);
}

/* verify - external check of one destination */
static mw_status verify(const char *policy_domain, const char *porg, mw_drdest *d,
			dns_lookup *lk, mw_pool *pool, unsigned *checks)
{
	const char *dorg;
	mw_status st = mw_dmarc_org_domain(d->domain, lk, pool, &dorg);
	if (st == MW_ETEMP) {
		drop(d, MW_DRDEST_TEMP, "DNS temporary failure finding its Organizational Domain");
		return MW_OK;
	}
	if (st != MW_OK)
		return st;
	d->external = strcmp(dorg, porg) != 0;
	if (!d->external)
		return MW_OK;
	if ((*checks)++ >= MW_DMARC_REPORT_CHECKS_MAX) {
		drop(d, MW_DRDEST_DROPPED, "too many external destinations to verify");
		return MW_OK;
	}
	char q[MW_DNS_NAME_MAX + 32];
	int k = snprintf(q, sizeof(q), "%s._report._dmarc.%s", policy_domain, d->domain);
	if (k < 0 || (size_t)k > MW_DNS_NAME_MAX) {
		drop(d, MW_DRDEST_DROPPED, "verification name too long: cannot be authorised");
		return MW_OK;
	}
	const dns_answer *a = dns_lookup_get(lk, q, DNS_T_TXT);
	if (!a)
		return MW_NEED_DNS;
	if (a->status == DNS_TEMPFAIL) {
		drop(d, MW_DRDEST_TEMP, mw_pool_printf(pool, "%s: DNS temporary failure", q));
		return MW_OK;
	}
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++)
		if (mw_dmarc_record_is_candidate(a->rr[i].txt, a->rr[i].txt_len))
			return MW_OK;
	drop(d, MW_DRDEST_DROPPED,
	     mw_pool_printf(pool, "external destination not authorised: no v=DMARC1 at %s", q));
	return MW_OK;
}

/* mw_drdest_resolve - record, rua, checks */
mw_status mw_drdest_resolve(const char *policy_domain, dns_lookup *lk, mw_pool *pool,
			    mw_drdest_list *out)
{
	memset(out, 0, sizeof(*out));
	mw_status st = read_rua(policy_domain, lk, pool, out);
	if (st != MW_OK || out->n == 0)
		return st;
	const char *porg;
	st = mw_dmarc_org_domain(policy_domain, lk, pool, &porg);
	if (st == MW_ETEMP) {
		out->temp = true;
		out->note = "DNS temporary failure finding the Organizational Domain";
		for (size_t i = 0; i < out->n; i++)
			if (out->d[i].status == MW_DRDEST_OK)
				drop(&out->d[i], MW_DRDEST_TEMP, out->note);
		return MW_OK;
	}
	if (st != MW_OK)
		return st;
	unsigned checks = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (out->d[i].status != MW_DRDEST_OK)
			continue;
		if ((st = verify(policy_domain, porg, &out->d[i], lk, pool, &checks)) != MW_OK)
			return st;
	}
	return MW_OK;
}
