/*
 * auth/spf.h - SPF check_host() (RFC 7208).
 *
 * DESCRIPTION
 *   spf_check evaluates check_host(<ip>, <domain>, <sender>) of RFC 7208
 *   §4: record lookup and selection (§4.4, §4.5), the whole-record syntax
 *   check (§4.6), every mechanism (§5: all include a mx ptr ip4 ip6 exists,
 *   with dual CIDR lengths), the redirect= and exp= modifiers (§6), the
 *   macro language (§7, spf_macro.h) and the processing limits (§4.6.4):
 *   10 DNS-querying terms, 2 void lookups, 10 MX names (more is permerror),
 *   10 PTR names (the rest ignored).  A fail gets an explanation (§6.2):
 *   the exp= text, or req->default_exp.  The result also carries a trace of
 *   every record fetched and term evaluated and a Received-SPF header (§9.1).
 *
 *   Identities (§2.3, §2.4): with SPF_ID_MAILFROM the sender is the MAIL
 *   FROM address, or postmaster@<helo> when it is empty; a sender without a
 *   local part gets "postmaster" (§4.3).  With SPF_ID_HELO the sender is
 *   postmaster@<helo>.  <domain> is the sender's domain unless req->domain
 *   names another one.  A malformed <domain> (not a multi-label name,
 *   empty or over-long labels, an address literal) gives "none" (§4.3).
 *
 *   No I/O.  DNS comes through dns/lookup.h: when an answer is missing
 *   spf_check returns MW_NEED_DNS with the needed names recorded in the
 *   dns_lookup; the caller fetches them and calls spf_check again (replay).
 *   MX hosts' and PTR names' address records are asked for in one round.
 *   All counters and the trace are rebuilt from scratch on every replay,
 *   so replays do not change results.  spf_check_run does the loop over a
 *   resolver and a cache.
 *
 * LIMITS
 *   core/limits.h MW_SPF_*: terms, voids, MX/PTR names, record size,
 *   explanation size, trace lines, per-evaluation memory, nesting depth.
 *
 * OWNERSHIP
 *   Every string of an spf_result lives in the result's pool; spf_result_free
 *   releases it.  The request's strings are borrowed during the call only.
 */
#ifndef MW_AUTH_SPF_H
#define MW_AUTH_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "auth/spf_record.h"
#include "core/err.h"
#include "core/ip.h"
#include "core/pool.h"
#include "dns/cache.h"
#include "dns/lookup.h"
#include "dns/resolver.h"

typedef enum spf_identity {
	SPF_ID_MAILFROM = 0, /* RFC 7208 §2.4 */
	SPF_ID_HELO,         /* RFC 7208 §2.3 */
} spf_identity;

typedef struct spf_request {
	mw_ip ip;                /* SMTP client address (IPv4-mapped IPv6 is unmapped) */
	bool ip_upper;           /* the address was written with upper-case hex (for %{i}) */
	const char *sender;      /* MAIL FROM address; NULL or "" = none */
	const char *helo;        /* HELO/EHLO name; NULL = "unknown" */
	const char *domain;      /* check this domain instead of the identity's; NULL = derive */
	spf_identity identity;
	const char *receiver;    /* this host's name: %{r}, Received-SPF; NULL = "unknown" */
	const char *default_exp; /* macro-string for fail without exp=; NULL = built-in */
	unsigned flags;          /* SPF_F_*: what to leave out of the result */
	spf_record_cache *parsed; /* optional cache of parsed records (caller-owned) */
} spf_request;

#define SPF_F_NO_TRACE 1u  /* no trace lines (saves formatting on hot paths) */
#define SPF_F_NO_HEADER 2u /* no Received-SPF text */

typedef struct spf_result {
	mw_auth_result result;
	const char *domain;      /* the <domain> checked ("" if none could be derived) */
	const char *sender;      /* the <sender> used, after the postmaster rules */
	const char *explanation; /* fail only, else NULL */
	const char *problem;     /* why temperror/permerror (or none), else NULL */
	const char *mechanism;   /* matching term as written; "default" / NULL */
	unsigned dns_lookups;    /* DNS-querying terms counted (§4.6.4) */
	unsigned void_lookups;
	const char **trace;      /* trace lines; nesting shown by leading spaces */
	size_t ntrace;
	const char *received_spf; /* "Received-SPF: ..." header field (§9.1), one line */
	mw_pool *pool;            /* owns everything above */
} spf_result;

/* spf_check - one evaluation pass; MW_OK (result filled) or MW_NEED_DNS (see
 * above) or MW_EINVAL / MW_ENOMEM.  Frees what a previous pass left in res. */
mw_status spf_check(const spf_request *req, dns_lookup *lk, spf_result *res);
/* spf_check_run - evaluate to completion over a resolver and a cache */
mw_status spf_check_run(const spf_request *req, dns_resolver *r, dns_cache *cache,
			spf_result *res, mw_err *err);
/* spf_result_free - release the result's pool; the struct is zeroed */
void spf_result_free(spf_result *res);
/* spf_request_set_ip - parse the client address text into req (ip, ip_upper) */
bool spf_request_set_ip(spf_request *req, const char *text);

#endif
