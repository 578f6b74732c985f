/*
 * report/drsource.h - who is behind a source IP of a DMARC report: reverse
 * DNS (PTR, forward-confirmed: RFC 8601 §3 "iprev", RFC 1912 §2.1) and the
 * sending provider, inferred offline.
 *
 * DESCRIPTION
 *   mw_drsrc_eval runs one pass over a dns_lookup (replay over cache, see
 *   dns/lookup.h; no I/O): the PTR of the address, the A/AAAA of each PTR
 *   name (up to MW_SPF_PTR_MAX, as RFC 7208 §4.6.4 bounds ptr), and, when a
 *   domain is given, SPF check_host(ip, domain) (auth/spf.h) to learn which
 *   term of the domain's SPF record authorised the address.  The provider
 *   is then, in this order:
 *     (a) the provider of the SPF include (or redirect target's include)
 *         that matched with a pass, e.g. include:_spf.google.com -> Google;
 *     (b) the provider of the PTR name by suffix (forward-confirmed names
 *         first), e.g. a.b.amazonses.com -> Amazon SES.
 *   mw_provider_by_name is the suffix table (labels compared whole, case
 *   ignored); docs/DMARC-REPORTS.md lists it.  A DNS timeout or SERVFAIL is
 *   recorded as rdns "temperror" (or spf temperror), never an error.
 *
 *   mw_drsrc_advice gives one sentence for a source whose class and
 *   provider together say what to do (a known service not aligned: set up
 *   its DKIM for your domain; unauthorised mail from a known provider's
 *   network; a known provider passing SPF for you).
 *
 * LIMITS
 *   At most MW_SPF_PTR_MAX PTR names are confirmed; SPF has its own RFC
 *   limits (MW_SPF_*).  Rounds are bounded by dns_lookup_run.
 *
 * OWNERSHIP
 *   mw_drsrc holds fixed-size copies and static strings only.
 */
#ifndef MW_REPORT_DRSOURCE_H
#define MW_REPORT_DRSOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "dns/cache.h"
#include "dns/lookup.h"
#include "dns/resolver.h"
#include "report/drsummary.h"

typedef struct mw_drsrc {
	char ptr[256];           /* the forward-confirmed PTR name, else the first; "" none */
	bool fcrdns;             /* ptr resolves back to the address */
	const char *rdns;        /* "ok", "not-confirmed", "none", "temperror", "invalid" */
	const char *spf;         /* SPF result for the domain ("pass" ...), NULL when not checked */
	char spf_term[300];      /* the SPF term that matched (top-level record), "" none */
	const char *provider;    /* static name, NULL when unknown */
	char via[300];           /* "spf include:_spf.google.com" / "ptr x.amazonses.com" / "" */
} mw_drsrc;

/* mw_provider_by_name - provider of a host or domain name by suffix; NULL if unknown */
const char *mw_provider_by_name(const char *name);

/* mw_drsrc_eval - one pass: MW_OK (out filled), MW_NEED_DNS, MW_EINVAL (ip not an address) */
mw_status mw_drsrc_eval(dns_lookup *lk, const char *ip, const char *domain, mw_drsrc *out);

/* mw_drsrc_run - evaluate to completion over a resolver and a cache */
mw_status mw_drsrc_run(dns_resolver *r, dns_cache *cache, const char *ip, const char *domain,
		       mw_drsrc *out, mw_err *err);

/* mw_drsrc_advice - a sentence for this source into buf, or false if none applies */
bool mw_drsrc_advice(const mw_drs_source *s, const mw_drsrc *info, char *buf, size_t n);

#endif
