/*
 * auth/spf_record.h - SPF record parser (RFC 7208 §4.5, §4.6.1, §5, §6, §12).
 *
 * DESCRIPTION
 *   spf_record_is_spf tells whether a TXT string is an SPF version 1 record:
 *   it starts with "v=spf1" (ASCII case-insensitive) followed by a space or
 *   the end (§4.5).  spf_record_parse checks the whole record against the
 *   §12 ABNF before anything is evaluated (§4.6: a syntax error anywhere is
 *   a permerror) and returns its terms: mechanisms in order, the redirect=
 *   and exp= modifiers (each at most once, §6), unknown modifiers checked
 *   and dropped.  Domain-specs are kept unexpanded (macro strings, see
 *   spf_macro.h); ip4/ip6 networks are parsed; CIDR lengths are validated
 *   (0-32, 0-128, no leading zeros).
 *
 * LIMITS
 *   Records longer than MW_SPF_RECORD_MAX bytes are refused (MW_ETOOBIG),
 *   any byte outside printable ASCII is a syntax error (§3.1, §4.6.1).
 *
 * OWNERSHIP
 *   Everything in the parsed record is allocated from the caller's pool.
 */
#ifndef MW_AUTH_SPF_RECORD_H
#define MW_AUTH_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/pool.h"

typedef enum spf_mech {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
} spf_mech;

typedef struct spf_term {
	spf_mech mech;
	char qual;          /* '+', '-', '~' or '?' (§4.6.2; '+' when omitted) */
	const char *domain; /* domain-spec as written; NULL when absent */
	const char *qname;  /* query name when domain has no macro and is a valid name */
	mw_ip net;          /* ip4 / ip6 network */
	int cidr4, cidr6;   /* prefix lengths; -1 when not given */
	uint32_t net4, mask4; /* ip4: network and mask, host order (a fast compare) */
	const char *text;   /* the term as written, for traces */
} spf_term;

typedef struct spf_record {
	spf_term *terms;      /* mechanisms in record order */
	size_t nterms;
	const char *redirect; /* redirect= domain-spec or NULL */
	const char *exp;      /* exp= domain-spec or NULL */
	const char *redirect_q, *exp_q; /* their query names when macro-free and valid */
	bool has_all;         /* an "all" mechanism is present (§6.1) */
} spf_record;

/* spf_record_is_spf - "v=spf1" followed by SP or end (§4.5) */
bool spf_record_is_spf(const char *txt, size_t len);
/* spf_record_parse - parse and syntax-check a whole record (pool-owned result).
 * MW_EPARSE with a reason in err on any syntax error, MW_ETOOBIG when over
 * MW_SPF_RECORD_MAX, MW_ENOMEM when the pool is exhausted. */
mw_status spf_record_parse(const char *txt, size_t len, mw_pool *pool, spf_record *rec,
			   mw_err *err);
/*
 * A cache of parsed records, owned by the caller (one per process or per
 * thread; not thread-safe).  Records are parsed once per distinct text, as
 * an MTA sees the same popular policies over and over.  Entries stay valid
 * until spf_record_cache_trim, which the engine calls only at the start of
 * an evaluation pass; the cache then drops everything if it holds more than
 * MW_SPF_PARSED_MAX records (a cache may always forget).
 */
typedef struct spf_record_cache spf_record_cache;

/* spf_record_cache_new - empty cache (NULL on ENOMEM) */
spf_record_cache *spf_record_cache_new(void);
/* spf_record_cache_free - release; NULL is fine */
void spf_record_cache_free(spf_record_cache *c);
/* spf_record_cache_trim - forget everything when over the limit */
void spf_record_cache_trim(spf_record_cache *c);
/* spf_record_cache_parse - spf_record_parse through the cache; *rec is
 * cache-owned.  A cached parse error is returned again with its reason. */
mw_status spf_record_cache_parse(spf_record_cache *c, const char *txt, size_t len,
				 const spf_record **rec, mw_err *err);

/* spf_name_ok - usable as a query name: 1..253 bytes, labels of 1..63 bytes
 * (RFC 1035 §2.3.4; a trailing dot is allowed) */
bool spf_name_ok(const char *name);
/* spf_mech_name - "all", "include", ... (static) */
const char *spf_mech_name(spf_mech m);
/* spf_domain_spec_check - macro-string ending in a macro or "." toplabel (§7.1) */
bool spf_domain_spec_check(const char *s, size_t n, mw_err *err);

#endif
