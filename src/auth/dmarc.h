/*
 * auth/dmarc.h - DMARC evaluation (RFC 9989, which obsoletes RFC 7489).
 *
 * DESCRIPTION
 *   mw_dmarc_evaluate takes the RFC5322.From domains of a message and the
 *   SPF and DKIM results already computed (typed inputs, never strings
 *   matched by name), and returns per Author Domain and overall: the DMARC
 *   result (pass, fail, none, temperror, permerror), the policy requested
 *   (p, sp or np), the policy to apply (after t=y, or pct in RFC 7489 mode)
 *   and the disposition.
 *
 *   Policy discovery and the Organizational Domain both come from the DNS
 *   Tree Walk (§4.10): query _dmarc.<name> for the Author Domain, then for
 *   its parents one label at a time, except that a name of 8 or more labels
 *   jumps straight to its last 7 labels, down to the single-label TLD: at
 *   most MW_DMARC_WALK_QUERIES_MAX (8) queries.  TXT records not starting
 *   with v=DMARC1 are discarded; several DMARC records at one name are all
 *   discarded.  All walk names are known up front, so they are fetched in
 *   one DNS round (dns_lookup_want), then read from the cache.
 *     - Policy record: the first usable record of the walk.  Found at the
 *       Author Domain, p applies; at a parent, sp (else p), or np (else sp,
 *       else p) when the Author Domain does not exist (no A, AAAA or MX:
 *       NXDOMAIN or NODATA; checked only when np would change the outcome).
 *     - Organizational Domain (§4.10.2): walking up, a record with psd=n
 *       makes its domain the Organizational Domain; psd=y makes it the
 *       domain one label below (taken from the walked name; psd=y on the
 *       starting name itself means the name is its own Organizational
 *       Domain); otherwise the domain with the fewest labels that has a
 *       record; with no record at all, the name itself.
 *   Alignment (§4.4): strict = the identifier equals the Author Domain;
 *   relaxed = both have the same Organizational Domain (an identifier
 *   outside the Author's Organizational Domain never aligns, so no lookup
 *   is made for it).  DKIM: any pass with an aligned d=.  SPF: a pass for
 *   the MAIL FROM domain; an SPF result for HELO counts only in RFC 7489
 *   mode (RFC 7489 §4.1 used it for a null reverse-path; RFC 9989 does not).
 *
 *   Messages: no From domain gives result none (no Author Domain can be
 *   extracted); several distinct From domains are each evaluated, and the
 *   overall result is the worst (fail > temperror > permerror > pass >
 *   none) with the strictest policy among the failing domains (§4.4,
 *   "apply the most strict policy").
 *
 *   RFC 7489 mode (MW_DMARC_RFC7489): pct honoured (the caller supplies a
 *   sample roll 0..99; the message is sampled when roll < pct, else the
 *   policy is lowered one step), t= and np= ignored (unknown to RFC 7489),
 *   HELO SPF accepted, stricter invalid-p rule (dmarc_record.h).  There is
 *   no Public Suffix List: the tree walk finds the Organizational Domain in
 *   both modes.
 *
 *   External report destinations (MW_DMARC_CHECK_REPORTS): a rua/ruf
 *   mailto: host outside the Organizational Domain must publish
 *   v=DMARC1 at <policy-domain>._report._dmarc.<host> (RFC 9989 §3 and
 *   the reporting documents), otherwise reports must not go there.
 *
 *   DNS only through dns/lookup.h: MW_NEED_DNS means "fetch and replay".
 *   A DNS temporary failure during discovery gives temperror; a malformed
 *   policy record (tag-list syntax error) gives permerror.
 *
 * LIMITS
 *   MW_DMARC_FROM_DOMAINS_MAX Author Domains, MW_DMARC_DKIM_MAX DKIM
 *   results, MW_DMARC_REPORT_CHECKS_MAX destinations per record.
 *
 * OWNERSHIP
 *   The result's strings live in the pool passed in (use one pool for all
 *   replays of one evaluation, budget MW_DMARC_POOL_MAX).
 */
#ifndef MW_AUTH_DMARC_H
#define MW_AUTH_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/dmarc_record.h"
#include "auth/result.h"
#include "core/err.h"
#include "core/pool.h"
#include "dns/lookup.h"

typedef enum mw_dmarc_spf_scope {
	MW_DMARC_SPF_MAILFROM = 0,
	MW_DMARC_SPF_HELO,
} mw_dmarc_spf_scope;

/* An SPF result as DMARC needs it (filled from auth/spf.h by the caller). */
typedef struct mw_dmarc_spf {
	const char *domain; /* MAIL FROM domain, or the HELO name for scope HELO */
	mw_auth_result result;
	mw_dmarc_spf_scope scope;
} mw_dmarc_spf;

/* A DKIM signature result as DMARC needs it (filled from auth/dkim.h). */
typedef struct mw_dmarc_dkim {
	const char *domain;   /* d= */
	const char *selector; /* s= (reporting only) */
	mw_auth_result result;
} mw_dmarc_dkim;

#define MW_DMARC_CHECK_REPORTS 0x2u /* verify external rua/ruf destinations */

typedef struct mw_dmarc_input {
	const char *const *from_domains; /* RFC5322.From domains (mail/message.h mw_message_from) */
	size_t nfrom;
	const mw_dmarc_spf *spf;         /* NULL: no SPF result */
	const mw_dmarc_dkim *dkim;
	size_t ndkim;
	unsigned flags;                  /* MW_DMARC_RFC7489 | MW_DMARC_CHECK_REPORTS */
	unsigned pct_roll;               /* RFC 7489 mode: 0..99 sample roll */
} mw_dmarc_input;

typedef struct mw_dmarc_report_dest {
	const char *uri;
	const char *domain;       /* mailto: host */
	bool external;            /* outside the Organizational Domain */
	mw_auth_result verified;  /* external only: PASS authorised, FAIL not, TEMPERROR */
} mw_dmarc_report_dest;

typedef struct mw_dmarc_domain {
	const char *from_domain;
	mw_auth_result result;
	const char *reason;
	const char *policy_domain;    /* where the policy record was found; NULL if none */
	const char *org_domain;
	bool has_record;
	mw_dmarc_record record;
	const char *policy_tag;       /* "p", "sp" or "np": which tag gave `requested` */
	mw_dmarc_policy requested;
	mw_dmarc_policy applied;      /* after t=y (RFC 9989) or pct (RFC 7489 mode) */
	mw_dmarc_policy disposition;  /* none unless the result is fail */
	bool testing;                 /* t=y lowered the policy */
	bool sampled_out;             /* RFC 7489 pct: not sampled, policy lowered */
	bool nonexistent;             /* Author Domain has no A/AAAA/MX */
	bool spf_aligned, dkim_aligned;
	const char *dkim_aligned_domain;
	unsigned walk_queries;        /* _dmarc TXT names in the tree walk (<= 8) */
	mw_dmarc_report_dest reports[2 * MW_DMARC_URIS_MAX];
	size_t nreports;
} mw_dmarc_domain;

typedef struct mw_dmarc_result {
	mw_auth_result result;       /* overall */
	mw_dmarc_policy policy;      /* applied policy of the deciding domain */
	mw_dmarc_policy disposition;
	const char *reason;
	mw_dmarc_domain domain[MW_DMARC_FROM_DOMAINS_MAX];
	size_t ndomains;
} mw_dmarc_result;

/* mw_dmarc_evaluate - evaluate; MW_OK (out filled), MW_NEED_DNS (replay after fetching),
 * MW_ENOMEM / MW_ETOOBIG / MW_EINVAL with err */
mw_status mw_dmarc_evaluate(const mw_dmarc_input *in, dns_lookup *lk, mw_pool *pool,
			    mw_dmarc_result *out, mw_err *err);

/* mw_dmarc_org_domain - Organizational Domain of a name by the tree walk.
 * MW_OK (*org from pool), MW_NEED_DNS, MW_ETEMP (a walk query failed), MW_EINVAL */
mw_status mw_dmarc_org_domain(const char *domain, dns_lookup *lk, mw_pool *pool,
			      const char **org);

/* mw_dmarc_walk_names - the tree-walk targets for a domain, in order (no "_dmarc."
 * prefix); returns how many (<= MW_DMARC_WALK_QUERIES_MAX), 0 if invalid */
size_t mw_dmarc_walk_names(const char *domain,
			   char out[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 1]);

#endif
