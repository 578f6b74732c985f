/*
 * audit/audit.h - a domain's mail posture: every DNS-based check in one pass.
 *
 * DESCRIPTION
 *   audit_dns_pass runs the DNS-based checks of `mailwarden audit` over one
 *   dns_lookup (replay over cache, dns/lookup.h): SPF lint (spf_lint.h),
 *   DMARC lint (dmarc_lint.h), DKIM keys (dkim_lint.h), MX hosts (mx.h),
 *   reverse DNS of the sending IPs and MX addresses (rdns.h), MTA-STS /
 *   TLS-RPT / BIMI (sts.h), then DMARC alignment readiness from what the
 *   others found: third-party SPF includes align only with a custom
 *   envelope domain, and without any DKIM key DMARC rests on SPF alone.
 *   All checks run in every pass and record their DNS needs together, so
 *   the rounds are about the depth of the deepest check, not their sum.
 *   audit_dns_run drives the passes over a resolver.
 *
 *   DNSBL (dnsbl.h) and the SMTP probe (smtp_probe.h) are separate steps:
 *   they need the host list this produces and their own time bounds.
 *
 * OWNERSHIP
 *   Everything in an audit_result lives in its findings' pool.
 */
#ifndef MW_AUDIT_AUDIT_H
#define MW_AUDIT_AUDIT_H

#include "audit/dkim_lint.h"
#include "audit/dmarc_lint.h"
#include "audit/finding.h"
#include "audit/mx.h"
#include "audit/spf_lint.h"
#include "dns/cache.h"
#include "dns/lookup.h"
#include "dns/resolver.h"

typedef struct audit_request {
	const char *domain;             /* normalised, validated by the caller */
	const mw_ip *ips;               /* sending IPs (--ip) */
	size_t nips;
	const char *const *mx;          /* MX hosts to check instead of the domain's MX */
	size_t nmx;
	const char *const *selectors;   /* DKIM selectors (--selector) */
	size_t nsel;
} audit_request;

typedef struct audit_result {
	audit_findings findings;
	audit_spf_info spf;
	audit_dmarc_info dmarc;
	audit_dkim_info dkim;
	audit_hosts hosts;              /* --ip addresses, then MX addresses */
} audit_result;

/* audit_result_init - empty result; false on ENOMEM */
bool audit_result_init(audit_result *r);
/* audit_result_free - release */
void audit_result_free(audit_result *r);
/* audit_dns_pass - one pass of every DNS check; MW_OK, MW_NEED_DNS, MW_ENOMEM */
mw_status audit_dns_pass(const audit_request *req, dns_lookup *lk, audit_result *res);
/* audit_dns_run - passes until done (fetching between them); err says why on failure */
mw_status audit_dns_run(const audit_request *req, dns_resolver *r, dns_cache *cache,
			audit_result *res, mw_err *err);

#endif
