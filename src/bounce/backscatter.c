/*
 * bounce/backscatter.c - genuine bounce or backscatter, with evidence.
 */
#include "bounce/backscatter.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/taglist.h"
#include "bounce/prvs.h"
#include "bounce/textbounce.h"
#include "core/str.h"
#include "mail/message.h"

#define BS_POOL_MAX (1u << 20) /* unfolded header values of one original */

/* add - record one piece of evidence */
static void add(mw_bs_result *r, const char *check, int weight, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(mw_bs_result *r, const char *check, int weight, const char *fmt, ...)
{
	if (r->nev >= MW_BS_EVIDENCE_MAX)
		return;
	mw_bs_evidence *e = &r->ev[r->nev++];
	e->check = check;
	e->weight = weight;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

/* ours - domain (or the domain of an address) is one of ours or below */
static const char *ours(const mw_bs_policy *p, const char *name)
{
	const char *at = name ? strrchr(name, '@') : NULL;
	const char *d = at ? at + 1 : name;
	for (size_t i = 0; d && i < p->ndomains; i++)
		if (mw_domain_is_sub(d, p->domains[i]))
			return p->domains[i];
	return NULL;
}

/* check_dkim - a DKIM-Signature of ours among the returned headers */
static void check_dkim(const mw_message *m, mw_pool *pool, const mw_bounce *b,
		       const mw_bs_policy *p, mw_bs_result *r)
{
	for (long i = mw_message_find(m, "DKIM-Signature", 0); i >= 0;
	     i = mw_message_find(m, "DKIM-Signature", i + 1)) {
		char *v = mw_hfield_unfold(&m->field[i], pool);
		mw_taglist tl;
		char d[256];
		const mw_tag *t = NULL;
		if (!v || mw_taglist_parse(v, strlen(v), &tl, NULL) != MW_OK ||
		    !(t = mw_taglist_get(&tl, "d")) || !mw_tag_copy_nows(t, d, sizeof(d)) ||
		    !ours(p, d))
			continue;
		if (!p->dkim_verify) {
			add(r, "dkim", 1, "DKIM-Signature d=%s present (not verified: no verifier)", d);
			return;
		}
		char why[160] = "";
		int ok = p->dkim_verify(p->dkim_ctx, b->orig_headers, b->orig_headers_len, d, why,
					sizeof(why));
		if (ok == 1)
			add(r, "dkim", MW_BS_STRONG, "our DKIM signature d=%s verifies %s", d, why);
		else if (ok == 0)
			add(r, "dkim", -1, "DKIM-Signature d=%s does not verify: %s", d, why);
		else
			add(r, "dkim", 1, "DKIM-Signature d=%s present, cannot verify: %s", d, why);
		return;
	}
	if (p->dkim_always)
		add(r, "dkim", -2, "no DKIM signature of ours, and we sign every message");
	else
		add(r, "dkim", 0, "no DKIM signature of ours on the returned headers");
}

/* check_batv - the bounce went to a prvs-tagged address of ours */
static void check_batv(const mw_bounce *b, const mw_bs_policy *p, mw_bs_result *r)
{
	mw_prvs t;
	if (!b->to || !mw_prvs_parse(b->to, &t)) {
		if (p->batv_always)
			add(r, "batv", -MW_BS_STRONG, "bounce sent to %s without our BATV tag",
			    b->to ? b->to : "(unknown)");
		return;
	}
	if (!p->batv_verify) {
		add(r, "batv", 1, "BATV prvs tag on %s (key %d, day %03d; not verified: no key)",
		    b->to, t.key, t.day);
		return;
	}
	char why[160] = "";
	int ok = p->batv_verify(p->batv_ctx, b->to, why, sizeof(why));
	if (ok == 1)
		add(r, "batv", MW_BS_STRONG, "BATV tag on %s verifies %s", b->to, why);
	else if (ok == 0)
		add(r, "batv", -MW_BS_STRONG, "BATV tag on %s is forged or expired: %s", b->to, why);
	else
		add(r, "batv", 1, "BATV tag on %s, cannot verify: %s", b->to, why);
}

/* from_clause_ip - the connecting client's IP in a Received value: the first
 * [address] or (address) before " by " (RFC 5321 §4.4 TCP-info) */
static bool from_clause_ip(const char *v, mw_ip *ip)
{
	const char *by = strstr(v, " by ");
	const char *end = by ? by : v + strlen(v);
	if (strncmp(v, "from", 4) != 0 && strncmp(v, "FROM", 4) != 0)
		return false;
	for (const char *p = v; p < end; p++) {
		if (*p != '[' && *p != '(')
			continue;
		const char *s = p + 1, *e = s;
		while (e < end && *e != ']' && *e != ')' && *e != ' ')
			e++;
		if (e - s > 5 && mw_strcaseeq_n(s, 5, "IPv6:"))
			s += 5;
		if (mw_ip_parse_n(s, (size_t)(e - s), ip)) {
			mw_ip_unmap(ip);
			return true;
		}
	}
	return false;
}

/* internal - loopback, RFC 1918, link-local, ULA: a hop inside some site,
 * says nothing about where the message entered the Internet */
static bool internal(const mw_ip *ip)
{
	const uint8_t *a = ip->addr;
	if (ip->family == 4)
		return a[0] == 127 || a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
	static const uint8_t loop6[16] = {[15] = 1};
	return memcmp(a, loop6, 16) == 0 || (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80);
}

static bool in_nets(const mw_bs_policy *p, const mw_ip *ip)
{
	for (size_t i = 0; i < p->nnets; i++)
		if (mw_ip_in_cidr(ip, &p->nets[i].net, p->nets[i].prefix))
			return true;
	return false;
}

/* check_received - did one of our outbound IPs hand the original over? */
static void check_received(const mw_message *m, mw_pool *pool, const mw_bs_policy *p,
			   mw_bs_result *r)
{
	if (p->nnets == 0)
		return;
	char first[MW_IP_STR_MAX] = "";
	size_t seen = 0;
	for (long i = mw_message_find(m, "Received", 0); i >= 0;
	     i = mw_message_find(m, "Received", i + 1)) {
		char *v = mw_hfield_unfold(&m->field[i], pool);
		mw_ip ip;
		if (!v || !from_clause_ip(v, &ip))
			continue;
		char buf[MW_IP_STR_MAX];
		mw_ip_format(&ip, buf, sizeof(buf));
		if (in_nets(p, &ip)) {
			add(r, "received", 2, "Received chain shows our outbound IP %s", buf);
			return;
		}
		if (internal(&ip))
			continue;
		seen++;
		mw_strlcpy(first, buf, sizeof(first)); /* the last seen is the earliest hop */
	}
	if (seen)
		add(r, "received", -2, "Received chain never passes our IPs (first client %s)",
		    first);
	else
		add(r, "received", 0, "no client IP in the returned Received fields");
}

/* check_msgid - Message-ID made by us */
static void check_msgid(const mw_bounce *b, const mw_bs_policy *p, mw_bs_result *r)
{
	const char *id = b->orig_message_id;
	if (!id || !*id) {
		add(r, "message-id", 0, "no Message-ID in the returned original");
		return;
	}
	bool mine;
	if (p->msgid_suffix) {
		size_t n = strlen(id), k = strlen(p->msgid_suffix);
		mine = n >= k && mw_strcaseeq(id + n - k, p->msgid_suffix);
	} else {
		const char *at = strrchr(id, '@');
		char dom[256] = "";
		if (at)
			mw_strlcpy(dom, at + 1, sizeof(dom));
		char *gt = strchr(dom, '>');
		if (gt)
			*gt = '\0';
		mine = dom[0] && ours(p, dom);
	}
	add(r, "message-id", mine ? 1 : -1, "Message-ID %s %s our pattern", id,
	    mine ? "matches" : "does not match");
}

/* decide - strong items decide; otherwise the sum */
static mw_bs_verdict decide(const mw_bs_result *r)
{
	int sum = 0;
	bool strong_pos = false, strong_neg = false;
	for (size_t i = 0; i < r->nev; i++) {
		sum += r->ev[i].weight;
		strong_pos |= r->ev[i].weight >= MW_BS_STRONG;
		strong_neg |= r->ev[i].weight <= -MW_BS_STRONG;
	}
	if (strong_pos != strong_neg)
		return strong_pos ? MW_BS_GENUINE : MW_BS_BACKSCATTER;
	if (strong_pos)
		return MW_BS_UNDETERMINED;
	return sum >= 2 ? MW_BS_GENUINE : sum <= -2 ? MW_BS_BACKSCATTER : MW_BS_UNDETERMINED;
}

/* mw_backscatter_check - see header */
mw_status mw_backscatter_check(const mw_bounce *b, const mw_bs_policy *p, mw_bs_result *out,
			       mw_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *dom = ours(p, b->to);
	out->addressed_to_us = dom != NULL;
	if (!dom) {
		add(out, "addressed", 0, "bounce is not addressed to our domains (to %s)",
		    b->to ? b->to : "unknown");
		return MW_OK;
	}
	check_batv(b, p, out);
	if (!b->orig_headers || b->orig_headers_len == 0) {
		add(out, "original", 0, "the bounce does not return the original's headers");
		out->verdict = decide(out);
		return MW_OK;
	}
	mw_message m;
	if (mw_message_parse(b->orig_headers, b->orig_headers_len, &m, err) != MW_OK) {
		add(out, "original", 0, "returned headers unreadable: %s", err ? err->msg : "");
		out->verdict = decide(out);
		return MW_OK;
	}
	mw_pool *pool = mw_pool_new(BS_POOL_MAX);
	if (!pool) {
		mw_message_free(&m);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	check_dkim(&m, pool, b, p, out);
	check_received(&m, pool, p, out);
	check_msgid(b, p, out);
	mw_pool_free(pool);
	mw_message_free(&m);
	out->verdict = decide(out);
	return MW_OK;
}

const char *mw_bs_verdict_name(mw_bs_verdict v)
{
	return v == MW_BS_GENUINE ? "genuine" : v == MW_BS_BACKSCATTER ? "backscatter" : "undetermined";
}

/* mw_bs_parse_net - address[/prefix] */
bool mw_bs_parse_net(const char *s, mw_bs_net *out)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (!mw_ip_parse_n(s, n, &out->net))
		return false;
	unsigned max = out->net.family == 4 ? 32 : 128;
	out->prefix = max;
	if (slash) {
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || v > max)
			return false;
		out->prefix = (unsigned)v;
	}
	return true;
}
