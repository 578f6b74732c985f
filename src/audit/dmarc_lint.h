/*
 * audit/dmarc_lint.h - DMARC record lint for a domain (RFC 9989).
 *
 * DESCRIPTION
 *   audit_dmarc_lint looks for the policy record at _dmarc.<domain>, then
 *   up the DNS Tree Walk (RFC 9989 §4.10, auth/dmarc.h) and reports, as
 *   findings of section "dmarc":
 *     - no record (warning) or one inherited from a parent (info, sp/np
 *       apply), several records (critical: all are discarded), a record
 *       published at the domain itself instead of _dmarc (warning)
 *     - syntax errors and unusable records (critical), the parser's notes
 *     - the policy ladder: p=none (warning) -> quarantine (info) -> reject;
 *       t=y (warning: the policy is lowered), sp weaker than p, np absent
 *     - rua missing (warning: no feedback); each rua/ruf mailto: host
 *       outside the Organizational Domain must authorise the reports at
 *       <domain>._report._dmarc.<host> (RFC 9989 §3, RFC 9990 §3)
 *     - the historic RFC 7489 tags pct, rf, ri (RFC 9989 Appendix C)
 *   The record is parsed by auth/dmarc_record.h.  No I/O (dns/lookup.h).
 *
 * OWNERSHIP
 *   Strings in audit_dmarc_info live in the findings' pool.
 */
#ifndef MW_AUDIT_DMARC_LINT_H
#define MW_AUDIT_DMARC_LINT_H

#include <stdbool.h>

#include "audit/finding.h"
#include "auth/dmarc_record.h"
#include "dns/lookup.h"

typedef struct audit_dmarc_info {
	bool found;          /* a usable record applies to the domain */
	const char *at;      /* where: "_dmarc.<name>" */
	const char *record;
	mw_dmarc_policy policy; /* the policy that applies to the domain's own mail */
	bool testing;
	bool aspf_strict, adkim_strict;
} audit_dmarc_info;

/* audit_dmarc_lint - one pass; MW_OK, MW_NEED_DNS, MW_ENOMEM */
mw_status audit_dmarc_lint(const char *domain, dns_lookup *lk, audit_findings *out,
			   audit_dmarc_info *info);

#endif
