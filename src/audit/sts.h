/*
 * audit/sts.h - MTA-STS (RFC 8461), SMTP TLS Reporting (RFC 8460) and BIMI
 * records of a domain.
 *
 * DESCRIPTION
 *   audit_sts_lint reads _mta-sts.<domain>, _smtp._tls.<domain> and
 *   default._bimi.<domain> (section "mta-sts"):
 *     - MTA-STS: exactly one v=STSv1 record (several: treated as none,
 *       RFC 8461 §3.1), id= of 1-32 letters and digits; the host
 *       mta-sts.<domain> must resolve, as the policy is fetched from
 *       https://mta-sts.<domain>/.well-known/mta-sts.txt (not fetched here:
 *       the audit does no HTTPS).  Absent: info.
 *     - TLS-RPT: v=TLSRPTv1 with rua= of mailto: or https: URIs (RFC 8460
 *       §3); absent: info (a warning when MTA-STS is on: failures go unseen).
 *     - BIMI: noted when present; it needs DMARC at quarantine or reject, and
 *       l= must be an https: URI.
 *   Records are read with the shared tag=value parser (auth/taglist.h).
 *   No I/O (dns/lookup.h).
 */
#ifndef MW_AUDIT_STS_H
#define MW_AUDIT_STS_H

#include <stdbool.h>

#include "audit/finding.h"
#include "dns/lookup.h"

/* audit_sts_lint - one pass; dmarc_enforcing: the domain's DMARC policy is
 * quarantine or reject (for BIMI) */
mw_status audit_sts_lint(const char *domain, bool dmarc_enforcing, dns_lookup *lk,
			 audit_findings *out);

#endif
