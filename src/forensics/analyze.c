/*
 * forensics/analyze.c - the analysis driver: Received chain, trust
 * boundary, DNS facts, authentication, A-R comparison (see analyze.h).
 * Findings and the verdict are in findings.c.
 */
#include "forensics/analyze.h"

#include <stdlib.h>
#include <string.h>

#include "auth/authres.h"
#include "core/str.h"
#include "bounce/bounce.h"
#include "dns/lookup.h"
#include "forensics/an_int.h"

bool mw_an_trusted_parse(const char *s, mw_an_trusted *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s || strlen(s) > MW_DNS_NAME_MAX)
		return false;
	const char *slash = strchr(s, '/');
	char ipbuf[MW_IP_STR_MAX + 1];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n < sizeof(ipbuf)) {
		memcpy(ipbuf, s, n);
		ipbuf[n] = '\0';
		if (mw_ip_parse(ipbuf, &out->net)) {
			mw_ip_unmap(&out->net);
			unsigned max = out->net.family == 4 ? 32 : 128;
			out->prefix = max;
			if (slash) {
				char *end;
				unsigned long p = strtoul(slash + 1, &end, 10);
				if (*end || end == slash + 1 || p > max)
					return false;
				out->prefix = (unsigned)p;
			}
			out->is_net = true;
			return true;
		}
	}
	if (slash || !mw_domain_normalize(s, out->host, sizeof(out->host)) || !strchr(s, '.'))
		return false;
	return true;
}

/* client_trusted - is this hop's client inside the boundary? */
static bool client_trusted(const mw_received *r, const mw_an_opts *o)
{
	if (o->ntrusted == 0)
		return r->has_ip && an_ip_internal(&r->ip);
	for (size_t i = 0; i < o->ntrusted; i++) {
		const mw_an_trusted *t = &o->trusted[i];
		if (t->is_net && r->has_ip && r->ip.family == t->net.family &&
		    mw_ip_in_cidr(&r->ip, &t->net, t->prefix))
			return true;
		if (!t->is_net && r->rdns && mw_domain_is_sub(r->rdns, t->host))
			return true;
	}
	return r->has_ip && r->ip.family == 4 && r->ip.addr[0] == 127;
}

/* load_hops - parse every Received field, oldest first */
static mw_status load_hops(mw_analysis *a)
{
	size_t n = mw_message_count(&a->msg, "Received");
	if (n > MW_AN_HOPS_MAX) {
		a->nreceived_ignored = n - MW_AN_HOPS_MAX;
		n = MW_AN_HOPS_MAX;
	}
	if (n && !(a->hop = mw_pool_alloc(a->pool, n * sizeof(*a->hop))))
		return MW_ENOMEM;
	long f = -1;
	for (size_t k = 0; k < n; k++) {
		f = mw_message_find(&a->msg, "Received", f + 1);
		const mw_hfield *h = &a->msg.field[f];
		mw_an_hop *hop = &a->hop[n - 1 - k];
		if (mw_received_parse(h->value, h->value_len, a->pool, &hop->r) != MW_OK)
			return MW_ENOMEM;
		hop->field = f;
	}
	a->nhops = n;
	for (size_t i = 1; i < n; i++) {
		const mw_received *p = &a->hop[i - 1].r, *c = &a->hop[i].r;
		if (p->has_time && c->has_time) {
			a->hop[i].has_delay = true;
			a->hop[i].delay = (long long)(c->time - p->time);
		}
	}
	return MW_OK;
}

/* find_client - walk down from the newest hop to the first outside client */
static void find_client(mw_analysis *a, const mw_an_opts *o)
{
	a->client = -1;
	for (size_t k = a->nhops; k-- > 0;) {
		mw_an_hop *h = &a->hop[k];
		if (!h->r.parsed || h->r.local) {
			h->inside = true;
			continue;
		}
		if (client_trusted(&h->r, o)) {
			h->inside = true;
			continue;
		}
		a->client = (long)k;
		a->client_ip = h->r.has_ip ? h->r.ip_text : NULL;
		a->helo = h->r.helo;
		a->rdns_recorded = h->r.rdns;
		return;
	}
}

/* strip_angle - "<a@b>" -> "a@b" (pool), trimmed; "" for "<>" */
static const char *strip_angle(mw_pool *pool, const char *v)
{
	if (!v)
		return NULL;
	const char *s = v, *e = v + strlen(v);
	mw_trim(&s, &e);
	if (e > s && *s == '<') {
		s++;
		const char *gt = memchr(s, '>', (size_t)(e - s));
		e = gt ? gt : e;
	}
	return mw_pool_strndup(pool, s, (size_t)(e - s));
}

/* load_ids - Return-Path, From address, display name */
static void load_ids(mw_analysis *a)
{
	long rp = mw_message_find(&a->msg, "Return-Path", 0);
	if (rp >= 0)
		a->mail_from = strip_angle(a->pool, mw_hfield_unfold(&a->msg.field[rp], a->pool));
	long fr = mw_message_find(&a->msg, "From", 0);
	if (fr < 0)
		return;
	const char *v = mw_hfield_unfold(&a->msg.field[fr], a->pool);
	const char *lt = v ? strrchr(v, '<') : NULL;
	if (lt && lt > v) {
		const char *s = v, *e = lt;
		mw_trim(&s, &e);
		if (e - s >= 2 && *s == '"' && e[-1] == '"') {
			s++;
			e--;
		}
		if (e > s)
			a->from_display = mw_pool_strndup(a->pool, s, (size_t)(e - s));
	}
}

/* dns_step - PTR + FCrDNS, HELO addresses, _domainkey presence (dns_eval_fn) */
static mw_status dns_step(void *arg, dns_lookup *lk)
{
	mw_analysis *a = arg;
	const mw_an_hop *h = a->client >= 0 ? &a->hop[a->client] : NULL;
	bool ready = true;
	char rev[MW_IP_REVNAME_MAX];
	const char *helo = a->helo && strchr(a->helo, '.') && a->helo[0] != '[' ? a->helo : NULL;
	char dk[MW_DNS_NAME_MAX + 16];
	bool want_dk = a->from_domain && strlen(a->from_domain) < MW_DNS_NAME_MAX - 12;
	if (want_dk)
		snprintf(dk, sizeof(dk), "_domainkey.%s", a->from_domain);
	if (h && h->r.has_ip)
		ready &= dns_lookup_want(lk, mw_ip_revname(&h->r.ip, rev, sizeof(rev)), DNS_T_PTR);
	if (helo && h)
		ready &= dns_lookup_want(lk, helo, h->r.ip.family == 6 ? DNS_T_AAAA : DNS_T_A);
	if (want_dk)
		ready &= dns_lookup_want(lk, dk, DNS_T_TXT);
	char bdk[MW_DNS_NAME_MAX + 16];
	bool want_bdk = a->bounce_domain && strlen(a->bounce_domain) < MW_DNS_NAME_MAX - 12;
	if (want_bdk) {
		snprintf(bdk, sizeof(bdk), "_domainkey.%s", a->bounce_domain);
		ready &= dns_lookup_want(lk, bdk, DNS_T_TXT);
	}
	if (!ready)
		return MW_NEED_DNS;
	dns_type ft = h && h->r.ip.family == 6 ? DNS_T_AAAA : DNS_T_A;
	if (h && h->r.has_ip) {
		const dns_answer *p = dns_lookup_get(lk, rev, DNS_T_PTR);
		a->ptr_temp = p->status == DNS_TEMPFAIL;
		a->ptr_name = NULL;
		if (p->status == DNS_OK && p->n && p->rr[0].name) {
			a->ptr_name = mw_pool_strdup(a->pool, p->rr[0].name);
			const dns_answer *f = dns_lookup_get(lk, a->ptr_name, ft);
			if (!f)
				return MW_NEED_DNS;
			a->fcrdns = an_answer_has_ip(f, &h->r.ip);
			a->dns_temp |= f->status == DNS_TEMPFAIL;
		}
		a->dns_temp |= a->ptr_temp;
	}
	if (helo && h) {
		const dns_answer *f = dns_lookup_get(lk, helo, ft);
		a->helo_checked = f->status != DNS_TEMPFAIL;
		a->helo_resolves = an_answer_has_ip(f, &h->r.ip);
	}
	if (want_dk) {
		const dns_answer *d = dns_lookup_get(lk, dk, DNS_T_TXT);
		a->from_signs = d->status == DNS_OK || d->status == DNS_NODATA;
	}
	if (want_bdk) {
		const dns_answer *d = dns_lookup_get(lk, bdk, DNS_T_TXT);
		a->bounce_dom_signs = d->status == DNS_OK || d->status == DNS_NODATA;
	}
	return MW_OK;
}

/* ar_recomputed - our result word for a method (and DKIM domain), or NULL */
static const char *ar_recomputed(const mw_analysis *a, const mw_ar_result *res)
{
	const mw_authrun *r = &a->auth;
	if (strcmp(res->method, "spf") == 0)
		return mw_auth_result_name(r->spf_in.result);
	if (strcmp(res->method, "dmarc") == 0)
		return mw_auth_result_name(r->dmarc.result);
	if (strcmp(res->method, "arc") == 0)
		return mw_arc_cv_name(r->arc.cv);
	if (strcmp(res->method, "dkim") != 0)
		return NULL;
	const char *d = mw_ar_find_prop(res, "header", "d");
	for (size_t i = 0; d && i < r->dkim.nsig; i++)
		if (mw_strcaseeq(r->dkim.sig[i].domain, d))
			return mw_auth_result_name(r->dkim.sig[i].result);
	return d ? "none" : mw_auth_result_name(r->dkim.result);
}

/* compare_authres - every A-R field against the recomputation */
static void compare_authres(mw_analysis *a, const mw_an_opts *o)
{
	long boundary = a->client >= 0 ? a->hop[a->client].field : -1;
	for (long f = mw_message_find(&a->msg, "Authentication-Results", 0); f >= 0;
	     f = mw_message_find(&a->msg, "Authentication-Results", f + 1)) {
		const mw_hfield *h = &a->msg.field[f];
		mw_authres ar;
		mw_err e;
		if (mw_authres_parse(h->value, h->value_len, MW_AR_LENIENT, a->pool, &ar, &e) !=
		    MW_OK)
			continue;
		bool trusted = f < boundary &&
		               (!o->authserv_id || mw_strcaseeq(ar.authserv_id, o->authserv_id));
		for (size_t i = 0; i < ar.nresults && a->ncmp < MW_AN_ARCMP_MAX; i++) {
			const char *mine = ar_recomputed(a, &ar.results[i]);
			if (!mine)
				continue;
			mw_an_arcmp *c = &a->cmp[a->ncmp++];
			c->authserv_id = ar.authserv_id;
			c->method = ar.results[i].method;
			c->claimed = ar.results[i].result;
			c->recomputed = mine;
			c->state = !trusted                         ? MW_AN_UNTRUSTED
			           : mw_strcaseeq(c->claimed, mine) ? MW_AN_AGREE
			                                            : MW_AN_DISAGREE;
		}
	}
}

/* run_auth - SPF/DKIM/ARC/DMARC through authrun, then DNS facts */
static mw_status run_auth(mw_analysis *a, const mw_an_opts *o, dns_resolver *res, dns_cache *cache,
                          mw_err *err)
{
	const char *by = a->client >= 0 ? a->hop[a->client].r.by : NULL;
	mw_authrun_opts ao = {.ip = a->client_ip,
	                      .mail_from = a->mail_from,
	                      .helo = a->helo,
	                      .authserv_id = o->authserv_id ? o->authserv_id : by,
	                      .now = o->now,
	                      .spf_quiet = true,
	                      .dkim_keys = o->dkim_keys};
	mw_status st = mw_authrun_run(&a->auth, &a->msg, &ao, res, cache, err);
	a->auth_done = true;
	if (st != MW_OK)
		return st;
	if (a->auth.from.naddrs >= 1) {
		a->from_addr = a->auth.from.addr[0];
		a->from_domain = a->auth.from.domain[0];
		if (a->auth.from.name[0]) /* decoded by GMime: "=?utf-8?q?Poste?=" too */
			a->from_display = a->auth.from.name[0];
	}
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	return dns_lookup_run(&lk, res, dns_step, a, err);
}

mw_status mw_analyze(const char *raw, size_t len, const mw_an_opts *o, dns_resolver *res,
                     dns_cache *cache, mw_analysis *a, mw_err *err)
{
	memset(a, 0, sizeof(*a));
	a->client = -1;
	a->backscatter = -1;
	if (!(a->pool = mw_pool_new(MW_AN_POOL_MAX)))
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_err perr;
	mw_err_clear(&perr);
	if (mw_message_parse(raw, len, &a->msg, &perr) != MW_OK) {
		an_add(a, "message-unreadable", MW_SEV_HIGH, "the input is not a readable message",
		       perr.msg);
		an_verdict(a);
		return MW_OK;
	}
	a->msg_ok = true;
	mw_status st = load_hops(a);
	if (st != MW_OK)
		return mw_err_set(err, st, "out of memory");
	find_client(a, o);
	load_ids(a);
	an_bounce_parse(a, raw, len);
	st = run_auth(a, o, res, cache, err);
	if (st == MW_ENOMEM || st == MW_EINVAL)
		return st;
	const mw_authrun *r = &a->auth;
	if (st != MW_OK || r->spf_in.result == MW_AUTH_TEMPERROR ||
	    r->dmarc.result == MW_AUTH_TEMPERROR || r->dkim.result == MW_AUTH_TEMPERROR)
		a->dns_temp = true;
	mw_err_clear(err);
	compare_authres(a, o);
	an_bounce_judge(a, o);
	an_findings(a);
	an_verdict(a);
	return MW_OK;
}

void mw_analysis_free(mw_analysis *a)
{
	if (a->auth_done)
		mw_authrun_free(&a->auth);
	if (a->msg_ok)
		mw_message_free(&a->msg);
	mw_bounce_free(a->bounce);
	mw_pool_free(a->pool);
	memset(a, 0, sizeof(*a));
}

const char *mw_an_verdict_name(mw_an_verdict v)
{
	static const char *const n[] = {"undetermined", "authentic",  "authentic-but-relayed",
	                                "spoofed",      "suspicious", "backscatter"};
	return (unsigned)v < sizeof(n) / sizeof(n[0]) ? n[v] : "undetermined";
}

const char *mw_an_sev_name(mw_an_sev s)
{
	static const char *const n[] = {"info", "low", "medium", "high"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "info";
}

const char *mw_an_agree_name(mw_an_agree s)
{
	static const char *const n[] = {"agree", "disagree", "untrusted"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "untrusted";
}

bool mw_an_has(const mw_analysis *a, const char *code)
{
	for (size_t i = 0; i < a->nfindings; i++)
		if (strcmp(a->finding[i].code, code) == 0)
			return true;
	return false;
}
