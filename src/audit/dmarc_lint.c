/*
 * audit/dmarc_lint.c - DMARC record lint (see dmarc_lint.h).
 */
#include "audit/dmarc_lint.h"

#include <stdio.h>
#include <string.h>

#include "auth/dmarc.h"
#include "core/str.h"

#define SEC "dmarc"

typedef struct dctx {
	dns_lookup *lk;
	audit_findings *out;
	audit_dmarc_info *info;
	const char *domain;
	bool need;
} dctx;

/* get - cached answer or NULL (need noted) */
static const dns_answer *get(dctx *c, const char *name, dns_type t)
{
	const dns_answer *a = dns_lookup_get(c->lk, name, t);
	if (!a)
		c->need = true;
	return a;
}

/* candidates - count v=DMARC1 records in a TXT answer, *rec = the last */
static size_t candidates(const dns_answer *a, const dns_rr **rec)
{
	size_t n = 0;
	for (size_t i = 0; a && i < a->n; i++)
		if (mw_dmarc_record_is_candidate(a->rr[i].txt, a->rr[i].txt_len)) {
			*rec = &a->rr[i];
			n++;
		}
	return n;
}

/* report_auth - external report destinations must authorise (RFC 9989 §3) */
static void report_auth(dctx *c, const mw_dmarc_uri *u, const char *org, const char *tag)
{
	if (!u->domain || mw_domain_is_sub(u->domain, org))
		return;
	char name[MW_DNS_NAME_MAX + 2];
	int n = snprintf(name, sizeof(name), "%s._report._dmarc.%s", org, u->domain);
	if (n < 0 || (size_t)n > MW_DNS_NAME_MAX)
		return;
	const dns_answer *a = get(c, name, DNS_T_TXT);
	if (!a)
		return;
	const dns_rr *rr = NULL;
	if (a->status == DNS_TEMPFAIL) {
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-report-not-checked", name, NULL,
			   "%s=%s: authorisation not checked (DNS temporary failure)", tag, u->uri);
	} else if (candidates(a, &rr) == 0) {
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-report-unauthorized",
			   audit_strf(c->out, "%s TXT: %s", name, dns_status_name(a->status)),
			   audit_strf(c->out, "ask %s to publish %s TXT \"v=DMARC1\", or send reports "
					      "to an address under %s", u->domain, name, org),
			   "%s=%s is outside %s and not authorised: receivers will not send reports there",
			   tag, u->uri, org);
	}
}

/* policy_ladder - p strength and the next step */
static void policy_ladder(dctx *c, const mw_dmarc_record *r, const char *at)
{
	if (r->p == MW_DMARC_POLICY_NONE)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-policy-none", at,
			   "read the rua reports for 2-4 weeks, make every legitimate sender pass, "
			   "then publish p=quarantine, and later p=reject",
			   "p=none: spoofed mail from %s is only reported, never stopped", c->domain);
	else if (r->p == MW_DMARC_POLICY_QUARANTINE)
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-policy-quarantine", at,
			   "when reports show no legitimate failures, publish p=reject",
			   "p=quarantine: failing mail goes to spam folders");
	else
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-policy-reject", at, NULL,
			   "p=reject: failing mail is refused");
	if (r->p_invalid)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-p-invalid", at,
			   "write p=none, p=quarantine or p=reject",
			   "p is missing or invalid: the record acts as p=none");
	if (r->testing)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-testing", at, "remove t=y",
			   "t=y: receivers apply one step less than the policy (RFC 9989 §5.3)");
	if (r->has_sp && r->sp < r->p)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-sp-weaker", at,
			   audit_strf(c->out, "set sp=%s or remove sp=", mw_dmarc_policy_name(r->p)),
			   "sp=%s is weaker than p=%s: subdomains are easier to spoof",
			   mw_dmarc_policy_name(r->sp), mw_dmarc_policy_name(r->p));
	if (!r->has_np && r->p != MW_DMARC_POLICY_NONE)
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-np", at, "add np=reject",
			   "no np=: mail from non-existent subdomains gets the sp/p policy (RFC 9989 "
			   "§5.3 np=)");
}

/* lint_record - tags of the record that applies */
static void lint_record(dctx *c, const mw_dmarc_record *r, const char *at, const char *org)
{
	policy_ladder(c, r, at);
	if (r->nrua == 0)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-no-rua", at,
			   audit_strf(c->out, "add rua=mailto:dmarc-reports@%s", org),
			   "no rua=: you get no aggregate reports, so you cannot see who sends as %s",
			   c->domain);
	for (size_t i = 0; i < r->nrua; i++)
		report_auth(c, &r->rua[i], org, "rua");
	for (size_t i = 0; i < r->nruf; i++)
		report_auth(c, &r->ruf[i], org, "ruf");
	if (r->pct >= 0)
		audit_addf(c->out, r->pct < 100 ? AUDIT_WARNING : AUDIT_INFO, SEC, "dmarc-historic-pct",
			   at, r->pct < 100 ? "remove pct= and use p=/t=y to stage the rollout" : "remove pct=",
			   "pct=%d is historic (RFC 9989 Appendix C): RFC 9989 receivers ignore it",
			   r->pct);
	if (r->rf || r->ri >= 0)
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-historic", at, "remove rf= and ri=",
			   "rf= / ri= are historic (RFC 9989 Appendix C) and ignored");
	for (size_t i = 0; i < r->nnotes; i++)
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-note", at, NULL, "%s", r->notes[i]);
}

/* parse_at - parse the candidate found at name and lint it */
static void parse_at(dctx *c, const dns_rr *rr, const char *name, const char *org, bool own)
{
	mw_dmarc_record r;
	mw_err err;
	const char *at = audit_strf(c->out, "_dmarc.%s TXT \"%.*s\"", name,
				    (int)(rr->txt_len > 400 ? 400 : rr->txt_len), rr->txt);
	c->info->at = audit_strf(c->out, "_dmarc.%s", name);
	c->info->record = audit_strf(c->out, "%.*s", (int)rr->txt_len, rr->txt);
	mw_status st = mw_dmarc_record_parse(rr->txt, rr->txt_len, 0, c->out->pool, &r, &err);
	if (st != MW_OK) {
		audit_addf(c->out, AUDIT_CRITICAL, SEC, "dmarc-syntax", at,
			   "fix the record: v=DMARC1; p=...; rua=mailto:... (RFC 9989 §4.7)",
			   "the DMARC record does not parse: %s", err.msg);
		return;
	}
	if (!r.usable) {
		audit_add(c->out, AUDIT_CRITICAL, SEC, "dmarc-unusable",
			  "the DMARC record is unusable (invalid p= and no valid rua=): receivers ignore it",
			  at, "write a valid p= tag");
		return;
	}
	c->info->found = true;
	c->info->policy = own ? r.p : (r.has_sp ? r.sp : r.p);
	c->info->testing = r.testing;
	c->info->aspf_strict = r.aspf_strict;
	c->info->adkim_strict = r.adkim_strict;
	if (!own)
		audit_addf(c->out, AUDIT_INFO, SEC, "dmarc-inherited", at,
			   audit_strf(c->out, "publish _dmarc.%s to set a policy of its own", c->domain),
			   "no record at _dmarc.%s: the policy of %s applies (sp=%s)", c->domain, name,
			   mw_dmarc_policy_name(c->info->policy));
	lint_record(c, &r, at, org);
}

/* misplaced - a v=DMARC1 record at the domain itself */
static void misplaced(dctx *c)
{
	const dns_answer *a = get(c, c->domain, DNS_T_TXT);
	const dns_rr *rr = NULL;
	if (a && candidates(a, &rr) > 0)
		audit_addf(c->out, AUDIT_WARNING, SEC, "dmarc-misplaced",
			   audit_strf(c->out, "%s TXT \"%.*s\"", c->domain, (int)rr->txt_len, rr->txt),
			   audit_strf(c->out, "move it to _dmarc.%s", c->domain),
			   "a DMARC record is published at %s itself, where nobody looks", c->domain);
}

/* audit_dmarc_lint - one pass */
mw_status audit_dmarc_lint(const char *domain, dns_lookup *lk, audit_findings *out,
			   audit_dmarc_info *info)
{
	memset(info, 0, sizeof(*info));
	dctx c = {lk, out, info, domain, false};
	char names[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 1];
	size_t nn = mw_dmarc_walk_names(domain, names);
	char q[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 8];
	for (size_t i = 0; i < nn; i++) {
		snprintf(q[i], sizeof(q[i]), "_dmarc.%.*s", MW_DNS_NAME_MAX, names[i]);
		if (strlen(q[i]) <= MW_DNS_NAME_MAX)
			dns_lookup_want(lk, q[i], DNS_T_TXT);
	}
	misplaced(&c);
	for (size_t i = 0; i < nn; i++) {
		if (strlen(q[i]) > MW_DNS_NAME_MAX)
			continue;
		const dns_answer *a = get(&c, q[i], DNS_T_TXT);
		if (!a)
			return MW_NEED_DNS;
		if (a->status == DNS_TEMPFAIL) {
			audit_addf(out, AUDIT_WARNING, SEC, "dmarc-dns-error", q[i], NULL,
				   "DMARC record not checked: DNS temporary failure at %s", q[i]);
			return c.need ? MW_NEED_DNS : MW_OK;
		}
		const dns_rr *rr = NULL;
		size_t n = candidates(a, &rr);
		if (n > 1) {
			audit_addf(out, AUDIT_CRITICAL, SEC, "dmarc-multiple",
				   audit_strf(out, "%s: %zu v=DMARC1 records", q[i], n),
				   "keep exactly one v=DMARC1 record",
				   "%zu DMARC records at %s: receivers discard them all", n, q[i]);
			return c.need ? MW_NEED_DNS : MW_OK;
		}
		if (n == 1) {
			parse_at(&c, rr, names[i], names[i], i == 0);
			return c.need ? MW_NEED_DNS : MW_OK;
		}
	}
	audit_addf(out, AUDIT_WARNING, SEC, "dmarc-missing",
		   audit_strf(out, "_dmarc.%s TXT: no v=DMARC1 record (tree walk: %zu names)", domain, nn),
		   audit_strf(out, "publish _dmarc.%s TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@%s\" "
				   "and tighten p= once the reports look right", domain, domain),
		   "%s has no DMARC policy: receivers cannot tell spoofed mail from real", domain);
	return c.need ? MW_NEED_DNS : MW_OK;
}
