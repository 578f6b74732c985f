/*
 * audit/dkim_lint.h - DKIM key records of a domain (RFC 6376 §3.6.1,
 * RFC 8301, RFC 8463).
 *
 * DESCRIPTION
 *   audit_dkim_lint fetches <selector>._domainkey.<domain> for the given
 *   selectors and a list of common ones (audit_dkim_common), parses each key
 *   with auth/dkim_key.h and reports (section "dkim"): a given selector
 *   without a key (warning), keys that do not parse (critical), RSA keys
 *   under 1024 bits (critical, RFC 8301 §3.2) or under 2048 (warning),
 *   t=y left on (warning), revoked keys (info: p= empty), ed25519 keys
 *   (info) and none offered (info), no key found at all (warning).  Common
 *   selectors that do not exist are not findings.  No I/O (dns/lookup.h).
 *
 * LIMITS
 *   MW_AUDIT_SELECTORS_MAX selectors in total.
 */
#ifndef MW_AUDIT_DKIM_LINT_H
#define MW_AUDIT_DKIM_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/finding.h"
#include "dns/lookup.h"

typedef struct audit_dkim_info {
	size_t nkeys;     /* usable keys found */
	bool ed25519;     /* one of them is Ed25519 */
	const char *selectors; /* selectors with usable keys, space-separated */
} audit_dkim_info;

/* audit_dkim_common - NULL-terminated list of common selectors (static) */
extern const char *const audit_dkim_common[];

/* audit_dkim_lint - one pass over given (may be NULL) plus the common selectors */
mw_status audit_dkim_lint(const char *domain, const char *const *given, size_t ngiven,
			  dns_lookup *lk, audit_findings *out, audit_dkim_info *info);

#endif
