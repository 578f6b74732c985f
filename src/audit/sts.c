/*
 * audit/sts.c - MTA-STS, TLS-RPT and BIMI records (see sts.h).
 */
#include "audit/sts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auth/taglist.h"
#include "core/limits.h"

#define SEC "mta-sts"

/* find_v - the records starting with prefix; returns count, *rec = the first */
static size_t find_v(const dns_answer *a, const char *prefix, const dns_rr **rec)
{
	size_t n = 0, pl = strlen(prefix);
	for (size_t i = 0; i < a->n; i++)
		if (a->rr[i].txt_len >= pl && strncmp(a->rr[i].txt, prefix, pl) == 0) {
			if (!n)
				*rec = &a->rr[i];
			n++;
		}
	return n;
}

/* id_ok - RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT) */
static bool id_ok(const mw_tag *t)
{
	if (!t || t->value_len < 1 || t->value_len > 32)
		return false;
	for (size_t i = 0; i < t->value_len; i++)
		if (!isalnum((unsigned char)t->value[i]))
			return false;
	return true;
}

/* mta_sts - the _mta-sts record; returns true when one is published */
static bool mta_sts(const char *domain, const dns_answer *a, dns_lookup *lk, audit_findings *out,
		    bool *need)
{
	const dns_rr *rr = NULL;
	size_t n = a->status == DNS_TEMPFAIL ? 0 : find_v(a, "v=STSv1", &rr);
	if (n == 0) {
		audit_addf(out, AUDIT_INFO, SEC, "mta-sts-missing", NULL,
			   audit_strf(out, "publish _mta-sts.%s TXT \"v=STSv1; id=<yyyymmdd01>\" and "
					   "the policy at https://mta-sts.%s/.well-known/mta-sts.txt", domain,
				      domain),
			   "no MTA-STS policy: senders may deliver to %s without TLS", domain);
		return false;
	}
	const char *ev = audit_strf(out, "_mta-sts.%s TXT \"%.*s\"", domain,
				    (int)(rr->txt_len > 200 ? 200 : rr->txt_len), rr->txt);
	if (n > 1) {
		audit_addf(out, AUDIT_WARNING, SEC, "mta-sts-multiple", ev, "keep one v=STSv1 record",
			   "%zu MTA-STS records: senders treat that as no policy (RFC 8461 §3.1)", n);
		return true;
	}
	mw_taglist tl;
	mw_err err;
	if (mw_taglist_parse(rr->txt, rr->txt_len, &tl, &err) != MW_OK ||
	    !id_ok(mw_taglist_get(&tl, "id")))
		audit_addf(out, AUDIT_WARNING, SEC, "mta-sts-bad-record", ev,
			   "write \"v=STSv1; id=<1-32 letters or digits>\"",
			   "the MTA-STS record is malformed or its id= is invalid (RFC 8461 §3.1)");
	char host[MW_DNS_NAME_MAX + 16];
	snprintf(host, sizeof(host), "mta-sts.%s", domain);
	if (strlen(host) > MW_DNS_NAME_MAX)
		return true;
	const dns_answer *h4 = dns_lookup_get(lk, host, DNS_T_A);
	const dns_answer *h6 = dns_lookup_get(lk, host, DNS_T_AAAA);
	if (!h4 || !h6) {
		*need = true;
		return true;
	}
	if (h4->n + h6->n == 0 && h4->status != DNS_TEMPFAIL)
		audit_addf(out, AUDIT_WARNING, SEC, "mta-sts-no-host", ev,
			   audit_strf(out, "publish an address for %s serving the policy over HTTPS",
				      host),
			   "%s does not resolve: the MTA-STS policy cannot be fetched", host);
	else
		audit_addf(out, AUDIT_INFO, SEC, "mta-sts", ev, NULL,
			   "MTA-STS record published (policy file at https://%s/.well-known/"
			   "mta-sts.txt not fetched: no HTTPS in the audit)", host);
	return true;
}

/* tls_rpt - the _smtp._tls record */
static void tls_rpt(const char *domain, const dns_answer *a, bool sts, audit_findings *out)
{
	const dns_rr *rr = NULL;
	size_t n = a->status == DNS_TEMPFAIL ? 0 : find_v(a, "v=TLSRPTv1", &rr);
	if (n == 0) {
		audit_addf(out, sts ? AUDIT_WARNING : AUDIT_INFO, SEC, "tls-rpt-missing", NULL,
			   audit_strf(out, "publish _smtp._tls.%s TXT \"v=TLSRPTv1; "
					   "rua=mailto:tls-reports@%s\"", domain, domain),
			   "no TLS-RPT record: you get no reports of failed TLS deliveries");
		return;
	}
	const char *ev = audit_strf(out, "_smtp._tls.%s TXT \"%.*s\"", domain,
				    (int)(rr->txt_len > 200 ? 200 : rr->txt_len), rr->txt);
	mw_taglist tl;
	mw_err err;
	const mw_tag *rua = NULL;
	if (mw_taglist_parse(rr->txt, rr->txt_len, &tl, &err) == MW_OK)
		rua = mw_taglist_get(&tl, "rua");
	bool ok = rua && ((rua->value_len > 7 && strncmp(rua->value, "mailto:", 7) == 0) ||
			  (rua->value_len > 8 && strncmp(rua->value, "https://", 8) == 0));
	if (n > 1 || !ok)
		audit_addf(out, AUDIT_WARNING, SEC, "tls-rpt-bad-record", ev,
			   "write one \"v=TLSRPTv1; rua=mailto:...\" record",
			   "the TLS-RPT record is malformed or duplicated (RFC 8460 §3)");
	else
		audit_add(out, AUDIT_INFO, SEC, "tls-rpt", "TLS-RPT record published", ev, NULL);
}

/* bimi - noted when present */
static void bimi(const char *domain, const dns_answer *a, bool enforcing, audit_findings *out)
{
	const dns_rr *rr = NULL;
	if (a->status == DNS_TEMPFAIL || find_v(a, "v=BIMI1", &rr) == 0)
		return;
	const char *ev = audit_strf(out, "default._bimi.%s TXT \"%.*s\"", domain,
				    (int)(rr->txt_len > 200 ? 200 : rr->txt_len), rr->txt);
	mw_taglist tl;
	mw_err err;
	const mw_tag *l = NULL;
	if (mw_taglist_parse(rr->txt, rr->txt_len, &tl, &err) == MW_OK)
		l = mw_taglist_get(&tl, "l");
	if (!enforcing)
		audit_add(out, AUDIT_WARNING, SEC, "bimi-needs-dmarc",
			  "BIMI is published but DMARC is not at quarantine or reject: no logo is shown",
			  ev, "raise the DMARC policy to p=quarantine or p=reject");
	else if (l && l->value_len && !(l->value_len > 8 && strncmp(l->value, "https://", 8) == 0))
		audit_add(out, AUDIT_WARNING, SEC, "bimi-bad-logo", "BIMI l= is not an https: URI", ev,
			  "serve the SVG logo over https and put that URI in l=");
	else
		audit_add(out, AUDIT_INFO, SEC, "bimi", "BIMI record published", ev, NULL);
}

/* audit_sts_lint - one pass */
mw_status audit_sts_lint(const char *domain, bool dmarc_enforcing, dns_lookup *lk,
			 audit_findings *out)
{
	char n1[MW_DNS_NAME_MAX + 32], n2[MW_DNS_NAME_MAX + 32], n3[MW_DNS_NAME_MAX + 32];
	snprintf(n1, sizeof(n1), "_mta-sts.%s", domain);
	snprintf(n2, sizeof(n2), "_smtp._tls.%s", domain);
	snprintf(n3, sizeof(n3), "default._bimi.%s", domain);
	if (strlen(n3) > MW_DNS_NAME_MAX)
		return MW_OK;
	dns_lookup_want(lk, n1, DNS_T_TXT);
	dns_lookup_want(lk, n2, DNS_T_TXT);
	dns_lookup_want(lk, n3, DNS_T_TXT);
	const dns_answer *a1 = dns_lookup_get(lk, n1, DNS_T_TXT);
	const dns_answer *a2 = dns_lookup_get(lk, n2, DNS_T_TXT);
	const dns_answer *a3 = dns_lookup_get(lk, n3, DNS_T_TXT);
	if (!a1 || !a2 || !a3)
		return MW_NEED_DNS;
	bool need = false;
	bool sts = mta_sts(domain, a1, lk, out, &need);
	tls_rpt(domain, a2, sts, out);
	bimi(domain, a3, dmarc_enforcing, out);
	return need ? MW_NEED_DNS : MW_OK;
}
