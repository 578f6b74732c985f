/*
 * forensics/findings.c - the finding checks of `analyze` (see analyze.h).
 *
 * Each check_* function looks at one thing and adds at most a few
 * findings; codes are stable (scripts match on them, docs/ANALYZE.md lists
 * them).  Domains are compared by their rough registrable part (an_org),
 * a heuristic without a Public Suffix List, except DMARC, which uses the
 * DMARC engine's own Organizational Domain.
 */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "forensics/an_int.h"
#include "mail/date.h"

void an_add(mw_analysis *a, const char *code, mw_an_sev sev, const char *message,
            const char *evidence)
{
	if (a->nfindings >= MW_AN_FINDINGS_MAX)
		return;
	mw_an_finding *f = &a->finding[a->nfindings++];
	f->code = code;
	f->sev = sev;
	f->message = message ? mw_pool_strdup(a->pool, message) : "";
	f->evidence = evidence ? mw_pool_strdup(a->pool, evidence) : "";
	if (!f->message)
		f->message = "";
	if (!f->evidence)
		f->evidence = "";
}

bool an_ip_internal(const mw_ip *ip)
{
	const uint8_t *b = ip->addr;
	if (ip->family == 4)
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	static const uint8_t loop6[16] = {[15] = 1};
	return memcmp(b, loop6, 16) == 0 || (b[0] & 0xfe) == 0xfc ||
	       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

bool an_ip_bogon(const mw_ip *ip)
{
	if (an_ip_internal(ip))
		return true;
	const uint8_t *b = ip->addr;
	if (ip->family == 4)
		return b[0] == 0 || b[0] >= 224 || (b[0] == 192 && b[1] == 0 && b[2] == 2) ||
		       (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
		       (b[0] == 203 && b[1] == 0 && b[2] == 113) ||
		       (b[0] == 198 && (b[1] & 0xfe) == 18);
	static const uint8_t zero6[16];
	return memcmp(b, zero6, 16) == 0 || b[0] == 0xff ||
	       (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
}

bool an_answer_has_ip(const dns_answer *ans, const mw_ip *ip)
{
	if (!ans || ans->status != DNS_OK)
		return false;
	for (size_t i = 0; i < ans->n; i++)
		if ((ans->rr[i].type == DNS_T_A || ans->rr[i].type == DNS_T_AAAA) &&
		    mw_ip_equal(&ans->rr[i].ip, ip))
			return true;
	return false;
}

const char *an_org(mw_pool *pool, const char *domain)
{
	if (!domain || !*domain)
		return NULL;
	size_t n = strlen(domain);
	if (domain[n - 1] == '.')
		n--;
	const char *dots[3] = {NULL, NULL, NULL};
	int nd = 0;
	for (size_t i = n; i-- > 0;)
		if (domain[i] == '.' && nd < 3)
			dots[nd++] = domain + i;
	if (nd < 2)
		return mw_pool_strndup(pool, domain, n);
	/* a registry second level under a two-letter TLD: co.uk, com.au, gov.it */
	static const char *const sl[] = {"co", "com", "net", "org", "gov", "edu", "ac",
					 "ne", "or", "go", "gv", "ltd", "plc", "nom"};
	size_t tld = (size_t)(domain + n - dots[0] - 1);
	size_t sld = (size_t)(dots[0] - dots[1] - 1);
	const char *start = dots[1] + 1;
	bool registry = false;
	for (size_t i = 0; tld == 2 && i < sizeof(sl) / sizeof(sl[0]); i++)
		registry |= strlen(sl[i]) == sld && mw_strcaseeq_n(dots[1] + 1, sld, sl[i]);
	if (registry)
		start = nd >= 3 ? dots[2] + 1 : domain;
	char *o = mw_pool_strndup(pool, start, (size_t)(domain + n - start));
	return o ? mw_strlower(o) : NULL;
}

/* same_org - both domains have the same rough registrable domain */
static bool same_org(mw_analysis *a, const char *x, const char *y)
{
	const char *ox = an_org(a->pool, x), *oy = an_org(a->pool, y);
	return ox && oy && strcmp(ox, oy) == 0;
}

static const char *domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at && at[1] ? at + 1 : NULL;
}

static const mw_received *client_hop(const mw_analysis *a)
{
	return a->client >= 0 ? &a->hop[a->client].r : NULL;
}

/* check_input - From fields, Received chain shape */
static void check_input(mw_analysis *a)
{
	const mw_from *f = &a->auth.from;
	if (f->nfields == 0)
		an_add(a, "from-missing", MW_SEV_HIGH, "the message has no From field", NULL);
	else if (f->nfields > 1)
		an_add(a, "from-duplicate", MW_SEV_HIGH,
		       "the message has several From fields: readers may show another one than "
		       "DMARC checks",
		       mw_pool_printf(a->pool, "%zu From fields", f->nfields));
	else if (f->naddrs > 1)
		an_add(a, "from-multiple", MW_SEV_MEDIUM, "the From field holds several mailboxes",
		       mw_pool_printf(a->pool, "%zu mailboxes", f->naddrs));
	else if (a->auth.from_status != MW_OK)
		an_add(a, "from-unreadable", MW_SEV_HIGH, "the From field holds no usable address",
		       NULL);
	if (a->nhops == 0)
		an_add(a, "no-received", MW_SEV_MEDIUM,
		       "no Received field: the path of the message cannot be traced", NULL);
	size_t bad = 0;
	const char *first = NULL;
	for (size_t i = 0; i < a->nhops; i++)
		if (!a->hop[i].r.parsed && bad++ == 0)
			first = a->hop[i].r.raw;
	if (bad)
		an_add(a, "received-unparsed", MW_SEV_LOW,
		       mw_pool_printf(a->pool, "%zu Received field(s) could not be read", bad),
		       first);
	if (a->nreceived_ignored)
		an_add(a, "received-too-many", MW_SEV_MEDIUM,
		       "the Received chain is abnormally long",
		       mw_pool_printf(a->pool, "%zu fields past the limit of %d ignored",
		                      a->nreceived_ignored, MW_AN_HOPS_MAX));
}

/* check_auth - DMARC, SPF, DKIM, ARC results */
static void check_auth(mw_analysis *a)
{
	const mw_authrun *r = &a->auth;
	const mw_dmarc_result *d = &r->dmarc;
	const char *env = a->mail_from && *a->mail_from ? domain_of(a->mail_from) : a->helo;
	const char *spf = mw_auth_result_name(r->spf_in.result);
	if (d->result == MW_AUTH_FAIL && d->ndomains)
		an_add(a, "dmarc-fail", MW_SEV_HIGH,
		       mw_pool_printf(a->pool,
		                      "DMARC fails for %s: the From domain is not authenticated",
		                      d->domain[0].from_domain),
		       mw_pool_printf(
		           a->pool, "policy %s, SPF %s for %s (aligned: %s), DKIM aligned: %s",
		           d->domain[0].has_record ? mw_dmarc_policy_name(d->domain[0].requested)
		                                   : "-",
		           spf, env ? env : "-", d->domain[0].spf_aligned ? "yes" : "no",
		           d->domain[0].dkim_aligned ? "yes" : "no"));
	if (d->result == MW_AUTH_TEMPERROR || r->spf_in.result == MW_AUTH_TEMPERROR)
		an_add(a, "dns-temperror", MW_SEV_MEDIUM,
		       "a DNS lookup failed temporarily: results may change on retry",
		       d->reason ? d->reason : NULL);
	bool differs = a->from_domain && env && !same_org(a, env, a->from_domain);
	if ((r->spf_in.result == MW_AUTH_NONE || r->spf_in.result == MW_AUTH_NEUTRAL) && differs &&
	    a->client_ip)
		an_add(
		    a, "spf-envelope-differs", MW_SEV_MEDIUM,
		    mw_pool_printf(a->pool,
		                   "SPF is %s because it was checked for the envelope domain %s, "
		                   "not for the From domain %s",
		                   spf, env, a->from_domain),
		    mw_pool_printf(a->pool, "Return-Path %s, client %s",
		                   a->mail_from ? a->mail_from : "(none)", a->client_ip));
	if (r->spf_in.result == MW_AUTH_FAIL || r->spf_in.result == MW_AUTH_SOFTFAIL)
		an_add(a, "spf-fail", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool, "SPF %s: %s is not allowed to send for %s", spf,
		                      a->client_ip, env ? env : "-"),
		       r->spf_done && r->spf.mechanism ? r->spf.mechanism : NULL);
	if (r->dkim.nsig == 0 && a->from_signs)
		an_add(a, "dkim-missing", MW_SEV_MEDIUM,
		       mw_pool_printf(
		           a->pool, "%s publishes DKIM keys, but the message carries no signature",
		           a->from_domain),
		       mw_pool_printf(a->pool, "_domainkey.%s exists in DNS", a->from_domain));
	for (size_t i = 0; i < r->dkim.nsig; i++) {
		const mw_dkim_sig *s = &r->dkim.sig[i];
		if (s->result == MW_AUTH_FAIL || s->result == MW_AUTH_PERMERROR ||
		    s->result == MW_AUTH_POLICY) {
			an_add(a, "dkim-broken", MW_SEV_MEDIUM,
			       mw_pool_printf(a->pool,
			                      "the DKIM signature of %s does not verify (%s)",
			                      s->domain, mw_auth_result_name(s->result)),
			       mw_pool_printf(a->pool, "d=%s s=%s: %s", s->domain, s->selector,
			                      s->reason));
			break;
		}
	}
	if (r->arc_ready && r->arc.cv == MW_AUTH_FAIL)
		an_add(a, "arc-fail", MW_SEV_LOW, "the ARC chain does not validate", r->arc.reason);
}

/* check_path - Return-Path, HELO, reverse DNS */
static void check_path(mw_analysis *a)
{
	const mw_received *c = client_hop(a);
	if (!c)
		return;
	const char *ip = a->client_ip ? a->client_ip : "(no address)";
	const char *relay = a->ptr_name ? a->ptr_name : c->rdns ? c->rdns : NULL;
	const char *env = a->mail_from ? domain_of(a->mail_from) : NULL;
	if (env && a->from_domain && relay && !same_org(a, env, a->from_domain) &&
	    same_org(a, env, relay))
		an_add(a, "return-path-replaced", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool,
		                      "the Return-Path belongs to the relay %s, not to %s: the "
		                      "message was re-sent through a third-party server",
		                      relay, a->from_domain),
		       mw_pool_printf(a->pool, "Return-Path <%s>", a->mail_from));
	if (a->helo && (!strchr(a->helo, '.') || a->helo[0] == '['))
		an_add(a, "helo-bare", MW_SEV_LOW,
		       mw_pool_printf(a->pool, "the client greeted with '%s', not a host name",
		                      a->helo),
		       c->raw);
	else if (a->helo && a->helo_checked && !a->helo_resolves &&
	         !(a->ptr_name && same_org(a, a->helo, a->ptr_name)))
		an_add(a, "helo-foreign", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool,
		                      "the client called itself '%s' (its HELO name, chosen by the "
		                      "client) but %s does not resolve to %s and the reverse DNS "
		                      "of %s is %s",
		                      a->helo, a->helo, ip, ip,
		                      a->ptr_name ? a->ptr_name : "missing"),
		       c->raw);
	if (c->has_ip && !a->ptr_name && !a->ptr_temp)
		an_add(a, "rdns-missing", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool, "%s has no reverse DNS (PTR) name", ip),
		       c->rdns_unknown ? "the receiver recorded 'unknown'"
		       : c->rdns ? mw_pool_printf(a->pool, "the receiver recorded '%s'", c->rdns)
		                 : "no reverse DNS name recorded in the Received field");
	else if (a->ptr_name && !a->fcrdns)
		an_add(a, "rdns-not-fcrdns", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool,
		                      "the reverse DNS name %s of %s does not resolve back to it "
		                      "(not forward-confirmed)",
		                      a->ptr_name, ip),
		       NULL);
}

/* check_origin - direct-to-MX delivery, private addresses outside the boundary */
static void check_origin(mw_analysis *a)
{
	const mw_received *c = client_hop(a);
	if (!c)
		return;
	const char *ip = a->client_ip ? a->client_ip : "(no address)";
	const char *env = a->mail_from ? domain_of(a->mail_from) : NULL;
	bool origin = true, authed = false;
	for (long k = 0; k <= a->client; k++) {
		const mw_received *h = &a->hop[k].r;
		authed |= h->authenticated;
		if (k < a->client && h->parsed && !h->local)
			origin = false;
	}
	bool spf_ok = a->auth.spf_in.result == MW_AUTH_PASS && env && a->from_domain &&
	              same_org(a, env, a->from_domain);
	bool real_mta = a->fcrdns && a->helo && a->ptr_name && same_org(a, a->helo, a->ptr_name);
	if (origin && !authed && !spf_ok && !real_mta && c->has_ip)
		an_add(a, "direct-to-mx", MW_SEV_MEDIUM,
		       mw_pool_printf(a->pool,
		                      "%s delivered straight to the recipient's server %s: no "
		                      "earlier hop, no authenticated submission, not an authorized "
		                      "server of %s",
		                      ip, c->by ? c->by : "?",
		                      a->from_domain ? a->from_domain : "the sender"),
		       c->raw);
	for (long k = 0; k <= a->client; k++) {
		const mw_received *h = &a->hop[k].r;
		if (h->has_ip && an_ip_bogon(&h->ip) && k < a->client) {
			an_add(a, "private-ip-external", MW_SEV_LOW,
			       mw_pool_printf(a->pool,
			                      "a hop outside the trust boundary names a private or "
			                      "reserved address %s",
			                      h->ip_text),
			       h->raw);
			break;
		}
	}
}

/* contains_ci - case-insensitive substring */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; hay && *hay; hay++)
		if (mw_strcaseeq_n(hay, n, needle) && strlen(hay) >= n)
			return true;
	return false;
}

/* check_display - a brand or another address in the display name */
static void check_display(mw_analysis *a)
{
	static const char *const brands[] = {
	    "paypal",   "amazon",    "apple",    "microsoft", "office 365",  "outlook",
	    "google",   "netflix",   "dhl",      "fedex",     "ups ",        "poste italiane",
	    "intesa",   "unicredit", "bank",     "banca",     "wells fargo", "chase",
	    "docusign", "dropbox",   "linkedin", "facebook",  "instagram",   "whatsapp",
	};
	const char *dn = a->from_display, *fd = a->from_domain;
	if (!dn || !fd)
		return;
	const char *at = strchr(dn, '@');
	if (at && at[1]) { /* "support@paypal.com" <x@evil.example> */
		char dom[MW_DNS_NAME_MAX + 1];
		size_t n = strcspn(at + 1, " >\"')");
		if (n < sizeof(dom)) {
			memcpy(dom, at + 1, n);
			dom[n] = '\0';
			if (!same_org(a, dom, fd)) {
				an_add(
				    a, "display-name-impersonation", MW_SEV_HIGH,
				    mw_pool_printf(a->pool,
				                   "the display name shows the address of %s, the "
				                   "real sender is %s",
				                   dom, a->from_addr),
				    dn);
				return;
			}
		}
	}
	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
		if (!contains_ci(dn, brands[i]))
			continue;
		char squeezed[64];
		size_t k = 0;
		for (const char *p = brands[i]; *p && k + 1 < sizeof(squeezed); p++)
			if (*p != ' ')
				squeezed[k++] = *p;
		squeezed[k] = '\0';
		if (contains_ci(fd, squeezed) || contains_ci(fd, brands[i]))
			return;
		an_add(a, "display-name-impersonation", MW_SEV_HIGH,
		       mw_pool_printf(a->pool,
		                      "the display name says '%s' but the address is %s, a domain "
		                      "unrelated to that name",
		                      dn, a->from_addr),
		       mw_pool_printf(a->pool, "name matches '%s'", brands[i]));
		return;
	}
}

/* check_msgid - Message-ID domain unrelated to From, envelope, DKIM d=, relay */
static void check_msgid(mw_analysis *a)
{
	long f = mw_message_find(&a->msg, "Message-ID", 0);
	if (f < 0 || !a->from_domain)
		return;
	const char *v = mw_hfield_unfold(&a->msg.field[f], a->pool);
	const char *at = v ? strrchr(v, '@') : NULL;
	if (!at)
		return;
	char *dom = mw_pool_strndup(a->pool, at + 1, strcspn(at + 1, "> \t"));
	if (!dom || !*dom)
		return;
	if (same_org(a, dom, a->from_domain))
		return;
	if (a->mail_from && domain_of(a->mail_from) && same_org(a, dom, domain_of(a->mail_from)))
		return;
	for (size_t i = 0; i < a->auth.dkim.nsig; i++)
		if (a->auth.dkim.sig[i].result == MW_AUTH_PASS &&
		    same_org(a, dom, a->auth.dkim.sig[i].domain))
			return;
	an_add(a, "message-id-foreign", MW_SEV_LOW,
	       mw_pool_printf(a->pool,
	                      "the Message-ID was made under %s, unrelated to the sender %s", dom,
	                      a->from_domain),
	       v);
}

/* check_times - Date vs first Received, Received times going backwards */
static void check_times(mw_analysis *a)
{
	const mw_received *first = NULL;
	for (size_t i = 0; i < a->nhops && !first; i++)
		if (a->hop[i].r.has_time)
			first = &a->hop[i].r;
	long f = mw_message_find(&a->msg, "Date", 0);
	mw_date d;
	if (first && f >= 0) {
		const mw_hfield *h = &a->msg.field[f];
		const char *v = mw_hfield_unfold(h, a->pool);
		if (v && mw_date_parse(v, strlen(v), &d)) {
			long long skew = (long long)(first->time - d.t);
			if (skew > MW_AN_SKEW_MAX || skew < -MW_AN_SKEW_MAX)
				an_add(a, "date-skew", MW_SEV_LOW,
				       mw_pool_printf(
				           a->pool,
				           "the Date field is %lld hours away from the first "
				           "Received time",
				           (skew < 0 ? -skew : skew) / 3600),
				       v);
		}
	}
	for (size_t i = 1; i < a->nhops; i++) {
		const mw_an_hop *h = &a->hop[i];
		if (h->has_delay && h->delay < -MW_AN_BACKWARDS_MAX) {
			an_add(
			    a, "received-time-backwards", MW_SEV_LOW,
			    mw_pool_printf(a->pool,
			                   "hop %zu is %lld s older than hop %zu: a clock is wrong "
			                   "or a Received field was inserted",
			                   i + 1, -h->delay, i),
			    h->r.raw);
			break;
		}
	}
}

/* check_authres - forged or disagreeing Authentication-Results */
static void check_authres(mw_analysis *a)
{
	bool forged = false, disagree = false;
	for (size_t i = 0; i < a->ncmp; i++) {
		const mw_an_arcmp *c = &a->cmp[i];
		if (!forged && c->state == MW_AN_UNTRUSTED && strcmp(c->claimed, "pass") == 0 &&
		    strcmp(c->recomputed, "pass") != 0) {
			forged = true;
			an_add(
			    a, "authres-forged", MW_SEV_MEDIUM,
			    mw_pool_printf(a->pool,
			                   "an Authentication-Results field from '%s', outside the "
			                   "trust boundary, claims %s=pass; recomputed: %s",
			                   c->authserv_id, c->method, c->recomputed),
			    NULL);
		}
		if (!disagree && c->state == MW_AN_DISAGREE) {
			disagree = true;
			an_add(a, "authres-disagree", MW_SEV_LOW,
			       mw_pool_printf(
			           a->pool, "the receiver '%s' recorded %s=%s, recomputed now: %s",
			           c->authserv_id, c->method, c->claimed, c->recomputed),
			       "keys or records may have changed since delivery");
		}
	}
}

void an_findings(mw_analysis *a)
{
	check_input(a);
	check_auth(a);
	check_path(a);
	check_origin(a);
	check_display(a);
	check_msgid(a);
	check_times(a);
	check_authres(a);
}
