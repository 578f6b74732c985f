/*
 * audit/audit.c - every DNS-based check in one pass (see audit.h).
 */
#include "audit/audit.h"

#include <string.h>
#include <time.h>

#include "audit/rdns.h"
#include "audit/sts.h"
#include "core/buf.h"
#include "core/str.h"

/* audit_result_init - empty */
bool audit_result_init(audit_result *r)
{
	memset(r, 0, sizeof(*r));
	return audit_findings_init(&r->findings);
}

/* audit_result_free - release */
void audit_result_free(audit_result *r)
{
	audit_findings_free(&r->findings);
	memset(r, 0, sizeof(*r));
}

/* alignment - DMARC readiness from the SPF tree and the DKIM keys */
static void alignment(const audit_request *req, audit_result *res)
{
	audit_findings *out = &res->findings;
	if (!res->dmarc.found)
		return;
	mw_buf ext;
	mw_buf_init(&ext, 8192);
	for (size_t i = 1; i < res->spf.nnodes; i++) {
		const audit_spf_node *n = &res->spf.nodes[i];
		if (n->parent == 0 && strcmp(n->via, "include") == 0 &&
		    !mw_domain_is_sub(n->name, req->domain))
			mw_buf_printf(&ext, "include:%s\n", n->name);
	}
	if (ext.len)
		audit_addf(out, AUDIT_INFO, "dmarc", "dmarc-align-spf", mw_buf_cstr(&ext),
			   audit_strf(out, "set a custom MAIL FROM (return-path) under %s at each "
					   "provider, and have each sign DKIM with d=%s", req->domain,
				      req->domain),
			   "mail sent through these providers passes SPF for their own bounce domain, "
			   "which does not align with %s%s", req->domain,
			   res->dmarc.aspf_strict ? " (and aspf=s needs the exact domain)" : "");
	mw_buf_free(&ext);
	if (res->dkim.nkeys == 0)
		audit_addf(out, AUDIT_WARNING, "dmarc", "dmarc-align-dkim", NULL,
			   audit_strf(out, "sign all mail with DKIM d=%s (or give the selector with "
					   "--selector if you already do)", req->domain),
			   "no DKIM key found for %s: DMARC can pass only through SPF, which breaks when "
			   "mail is forwarded", req->domain);
}

/* merge - combine piece statuses: ENOMEM wins, then NEED_DNS */
static mw_status merge(mw_status a, mw_status b)
{
	if (a == MW_ENOMEM || b == MW_ENOMEM)
		return MW_ENOMEM;
	if (a == MW_NEED_DNS || b == MW_NEED_DNS)
		return MW_NEED_DNS;
	return a != MW_OK ? a : b;
}

/* audit_dns_pass - one pass */
mw_status audit_dns_pass(const audit_request *req, dns_lookup *lk, audit_result *res)
{
	audit_findings_reset(&res->findings);
	if (res->findings.oom)
		return MW_ENOMEM;
	memset(&res->hosts, 0, sizeof(res->hosts));
	for (size_t i = 0; i < req->nips; i++)
		(void)audit_hosts_add(&res->hosts, &req->ips[i], true, "--ip");
	audit_findings *out = &res->findings;
	mw_status st = audit_spf_lint(req->domain, lk, out, &res->spf);
	st = merge(st, audit_dmarc_lint(req->domain, lk, out, &res->dmarc));
	st = merge(st, audit_dkim_lint(req->domain, req->selectors, req->nsel, lk, out, &res->dkim));
	mw_status mx = audit_mx_lint(req->domain, req->mx, req->nmx, lk, out, &res->hosts);
	st = merge(st, mx);
	st = merge(st, audit_rdns_lint(&res->hosts, lk, out));
	bool enforcing = res->dmarc.found && res->dmarc.policy != MW_DMARC_POLICY_NONE;
	st = merge(st, audit_sts_lint(req->domain, enforcing, lk, out));
	if (st == MW_OK)
		alignment(req, res);
	if (st == MW_OK && res->hosts.dropped)
		audit_addf(out, AUDIT_INFO, "rdns", "hosts-dropped", NULL, NULL,
			   "%zu further addresses not checked (limit %d)", res->hosts.dropped,
			   MW_AUDIT_IPS_MAX);
	return out->oom ? MW_ENOMEM : st;
}

typedef struct run_ctx {
	const audit_request *req;
	audit_result *res;
} run_ctx;

/* eval - dns_lookup_run step */
static mw_status eval(void *arg, dns_lookup *lk)
{
	run_ctx *c = arg;
	return audit_dns_pass(c->req, lk, c->res);
}

/* audit_dns_run - drive the passes */
mw_status audit_dns_run(const audit_request *req, dns_resolver *r, dns_cache *cache,
			audit_result *res, mw_err *err)
{
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	run_ctx c = {req, res};
	return dns_lookup_run(&lk, r, eval, &c, err);
}
