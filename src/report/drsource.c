/*
 * report/drsource.c - reverse DNS and provider of a DMARC report source
 * (see drsource.h).
 */
#include "report/drsource.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/spf.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/str.h"

/* Name suffix -> provider.  Sources: each provider's published SPF include
 * and the PTR names of its outbound hosts (checked by hand in 2024-2026). */
static const struct {
	const char *suffix, *provider;
} providers[] = {
	{"google.com", "Google"},              /* _spf.google.com, mail-*.google.com */
	{"googlemail.com", "Google"},
	{"1e100.net", "Google"},
	{"outlook.com", "Microsoft 365"},      /* spf.protection.outlook.com, *.outbound.protection.outlook.com */
	{"hotmail.com", "Microsoft"},
	{"amazonses.com", "Amazon SES"},       /* amazonses.com, a*-*.smtp-out.amazonses.com */
	{"sendgrid.net", "SendGrid"},          /* sendgrid.net, o*.ptr*.sendgrid.net */
	{"mcsv.net", "Mailchimp"},             /* servers.mcsv.net, mail*.*.mcsv.net */
	{"mailchimp.com", "Mailchimp"},
	{"rsgsv.net", "Mailchimp"},
	{"mandrillapp.com", "Mailchimp Transactional (Mandrill)"},
	{"mailgun.org", "Mailgun"},            /* mailgun.org, m*.mailgun.net */
	{"mailgun.net", "Mailgun"},
	{"sparkpostmail.com", "SparkPost"},
	{"sparkpost.com", "SparkPost"},
	{"zendesk.com", "Zendesk"},            /* mail.zendesk.com */
	{"salesforce.com", "Salesforce"},      /* _spf.salesforce.com */
	{"exacttarget.com", "Salesforce Marketing Cloud"},
	{"hubspotemail.net", "HubSpot"},
	{"hubspot.com", "HubSpot"},
	{"mailjet.com", "Mailjet"},
	{"mtasv.net", "Postmark"},             /* spf.mtasv.net */
	{"postmarkapp.com", "Postmark"},
	{"sendinblue.com", "Brevo"},
	{"brevo.com", "Brevo"},
	{"zoho.com", "Zoho Mail"},
	{"zohomail.com", "Zoho Mail"},
	{"yahoodns.net", "Yahoo"},
	{"yahoo.com", "Yahoo"},
	{"icloud.com", "Apple iCloud"},
	{"freshdesk.com", "Freshdesk"},
	{"mimecast.com", "Mimecast"},
	{"pphosted.com", "Proofpoint"},
	{"messagelabs.com", "Symantec Email Security"},
	{"messagingengine.com", "Fastmail"},
	{"secureserver.net", "GoDaddy"},
	{"createsend.com", "Campaign Monitor"},
	{"cmail19.com", "Campaign Monitor"},
	{"cmail20.com", "Campaign Monitor"},
	{"constantcontact.com", "Constant Contact"},
	{"mlsend.com", "MailerLite"},
	{"shopify.com", "Shopify"},
	{"intercom.io", "Intercom"},
	{"atlassian.net", "Atlassian"},
	{"ovh.net", "OVH"},
	{"gandi.net", "Gandi"},
};

/* mw_provider_by_name - see header */
const char *mw_provider_by_name(const char *name)
{
	if (!name)
		return NULL;
	size_t n = strlen(name);
	while (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		size_t k = strlen(providers[i].suffix);
		if (n < k || strncasecmp(name + n - k, providers[i].suffix, k) != 0)
			continue;
		if (n == k || name[n - k - 1] == '.')
			return providers[i].provider;
	}
	return NULL;
}

/* rdns - PTR and FCrDNS into out; false while answers are missing */
static bool rdns(dns_lookup *lk, const mw_ip *ip, mw_drsrc *out)
{
	char rev[MW_IP_REVNAME_MAX];
	mw_ip_revname(ip, rev, sizeof(rev));
	const dns_answer *p = dns_lookup_get(lk, rev, DNS_T_PTR);
	if (!p)
		return false;
	if (p->status == DNS_TEMPFAIL || p->n == 0) {
		out->rdns = p->status == DNS_TEMPFAIL ? "temperror" : "none";
		return true;
	}
	size_t n = p->n < MW_SPF_PTR_MAX ? p->n : MW_SPF_PTR_MAX;
	for (size_t i = 0; i < n; i++)
		dns_lookup_want(lk, p->rr[i].name, ip->family == 4 ? DNS_T_A : DNS_T_AAAA);
	bool missing = false, temp = false;
	const char *good = NULL;
	for (size_t i = 0; i < n && !good; i++) {
		int c = dns_lookup_confirms(lk, p->rr[i].name, ip);
		missing |= c == -1;
		temp |= c == -2;
		if (c == 1)
			good = p->rr[i].name;
	}
	if (!good && missing)
		return false;
	mw_strlcpy(out->ptr, good ? good : p->rr[0].name, sizeof(out->ptr));
	size_t l = strlen(out->ptr);
	if (l > 1 && out->ptr[l - 1] == '.')
		out->ptr[l - 1] = '\0';
	out->fcrdns = good != NULL;
	out->rdns = good ? "ok" : temp ? "temperror" : "not-confirmed";
	return true;
}

/* spf - check_host(ip, domain); false while answers are missing */
static bool spf(dns_lookup *lk, const char *ip, const char *domain, mw_drsrc *out)
{
	spf_request req = {.identity = SPF_ID_MAILFROM, .domain = domain,
			   .flags = SPF_F_NO_TRACE | SPF_F_NO_HEADER};
	char sender[300];
	snprintf(sender, sizeof(sender), "postmaster@%s", domain);
	req.sender = sender;
	if (!spf_request_set_ip(&req, ip))
		return true;
	spf_result res = {0};
	mw_status st = spf_check(&req, lk, &res);
	if (st == MW_OK) {
		out->spf = mw_auth_result_name(res.result);
		if (res.mechanism && strcmp(res.mechanism, "default") != 0)
			mw_strlcpy(out->spf_term, res.mechanism, sizeof(out->spf_term));
	}
	spf_result_free(&res);
	return st != MW_NEED_DNS;
}

/* include_target - the domain of an include:/redirect= term, or NULL */
static const char *include_target(const char *term)
{
	if (*term == '+' || *term == '?' || *term == '~' || *term == '-')
		term++;
	if (strncasecmp(term, "include:", 8) == 0)
		return term + 8;
	if (strncasecmp(term, "redirect=", 9) == 0)
		return term + 9;
	return NULL;
}

/* infer - the provider: (a) the SPF include that passed, (b) the PTR name */
static void infer(mw_drsrc *out)
{
	const char *inc = out->spf && strcmp(out->spf, "pass") == 0 ? include_target(out->spf_term)
								    : NULL;
	const char *p = mw_provider_by_name(inc);
	if (p) {
		out->provider = p;
		snprintf(out->via, sizeof(out->via), "spf %.290s", out->spf_term);
	} else if ((p = mw_provider_by_name(out->ptr[0] ? out->ptr : NULL))) {
		out->provider = p;
		snprintf(out->via, sizeof(out->via), "ptr %.255s%s", out->ptr,
			 out->fcrdns ? "" : " (not forward-confirmed)");
	}
}

/* mw_drsrc_eval - see header */
mw_status mw_drsrc_eval(dns_lookup *lk, const char *ip, const char *domain, mw_drsrc *out)
{
	memset(out, 0, sizeof(*out));
	mw_ip a;
	if (!ip || !mw_ip_parse(ip, &a)) {
		out->rdns = "invalid";
		return MW_EINVAL;
	}
	mw_ip_unmap(&a);
	bool done = rdns(lk, &a, out);
	if (domain && *domain)
		done &= spf(lk, ip, domain, out);
	if (!done)
		return MW_NEED_DNS;
	infer(out);
	return MW_OK;
}

typedef struct run_ctx {
	const char *ip, *domain;
	mw_drsrc *out;
} run_ctx;

static mw_status run_step(void *ctx, dns_lookup *lk)
{
	run_ctx *c = ctx;
	return mw_drsrc_eval(lk, c->ip, c->domain, c->out);
}

/* mw_drsrc_run - see header */
mw_status mw_drsrc_run(dns_resolver *r, dns_cache *cache, const char *ip, const char *domain,
		       mw_drsrc *out, mw_err *err)
{
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	run_ctx c = {ip, domain, out};
	mw_status st = dns_lookup_run(&lk, r, run_step, &c, err);
	if (st == MW_ETEMP) { /* the round cap: what is known stays, the rest is temperror */
		if (!out->rdns)
			out->rdns = "temperror";
		return MW_OK;
	}
	return st;
}

/* mw_drsrc_advice - see header */
bool mw_drsrc_advice(const mw_drs_source *s, const mw_drsrc *info, char *buf, size_t n)
{
	if (!info || !info->provider)
		return false;
	switch (s->cls) {
	case MW_DRS_NOT_ALIGNED:
		snprintf(buf, n,
			 "%s is %s (%s): it authenticates as %s but not as %s; set up %s's "
			 "custom domain / DKIM signing for %s (d=%s) or a Return-Path in your domain.",
			 s->ip, info->provider, info->via, s->auth_domain[0] ? s->auth_domain : "another domain",
			 s->header_from, info->provider, s->header_from, s->header_from);
		return true;
	case MW_DRS_UNAUTH:
		snprintf(buf, n,
			 "%s is %s (%s) but nothing authenticates its mail for %s: if you use %s, "
			 "add its SPF include and DKIM key; if not, this is someone else's account "
			 "on %s sending as you.",
			 s->ip, info->provider, info->via, s->header_from, info->provider, info->provider);
		return true;
	case MW_DRS_ALIGNED:
		if (strncmp(info->via, "spf", 3) == 0 && s->dkim_aligned < s->messages) {
			snprintf(buf, n,
				 "%s is %s, aligned through SPF only for part of its mail: add DKIM "
				 "signing with d=%s so forwarded copies still pass.",
				 s->ip, info->provider, s->header_from);
			return true;
		}
		return false;
	default:
		return false;
	}
}
