/*
 * auth/authres.h - the Authentication-Results header field (RFC 8601).
 *
 * DESCRIPTION
 *   Parse any Authentication-Results (A-R) field value and write one for our
 *   own results.
 *
 *   Parsing follows the ABNF of RFC 8601 §2.2: an authserv-id (token or
 *   quoted-string, RFC 2045) with an optional version, then either "; none"
 *   or one or more resinfo: "; method[/version]=result [reason=value]
 *   [ptype.property=pvalue ...]".  CFWS (RFC 5322 §3.2.2: folding white
 *   space and comments, nested, with quoted-pairs) may appear between any
 *   two tokens; comments after a result are kept as the result's comment.
 *   Names (method, result, ptype, property) are RFC 5321 Keywords and are
 *   returned lower-cased.  pvalues are a value (token / quoted-string, the
 *   quotes removed) or an address ([local-part] "@" domain); in practice
 *   base64 fragments (header.b=a/b+c) and IPv6 literals appear unquoted, so
 *   a pvalue is any run of printable bytes up to white space, ';', '(' or
 *   '"' (UTF-8 allowed, RFC 8616).  Each result also keeps `raw`, its text
 *   with folding collapsed, which ARC needs to copy results into an
 *   ARC-Authentication-Results field (RFC 8617 §4.1.1).
 *
 *   MW_AR_LENIENT accepts three deviations seen from big providers, and
 *   only them: a trailing ';' after the last result, a property without a
 *   ptype ("action=none", returned with ptype ""), and an authserv-id with
 *   no result at all.  Without it these are parse errors.
 *
 *   Writing: mw_authres_init + mw_authres_add_* build the structure (typed
 *   inputs: results are mw_auth_result values, never strings matched by
 *   name); mw_authres_format renders it, one resinfo per line, folded at
 *   MW_AR_LINE_MAX columns between tokens (RFC 5322 §2.1.1), values quoted
 *   only when they are neither a token nor an address.
 *
 * LIMITS
 *   MW_AR_HEADER_MAX bytes of field value, MW_AR_RESULTS_MAX results,
 *   MW_AR_PROPS_MAX properties per result, MW_AR_TOKEN_MAX bytes per token
 *   or value, MW_AR_COMMENT_DEPTH nested comments (core/limits.h).
 *   Past a limit the parse fails with MW_ETOOBIG.
 *
 * OWNERSHIP
 *   Every string and array in an mw_authres lives in the mw_pool given to
 *   the parse/init call; free the pool to free them.  Nothing else to free.
 */
#ifndef MW_AUTH_AUTHRES_H
#define MW_AUTH_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"

/* The property types registered by RFC 8601 §2.3 (ptype). */
typedef enum mw_ar_ptype {
	MW_AR_PTYPE_OTHER = 0, /* an unregistered Keyword, or "" (lenient bare property) */
	MW_AR_PTYPE_SMTP,
	MW_AR_PTYPE_HEADER,
	MW_AR_PTYPE_BODY,
	MW_AR_PTYPE_POLICY,
} mw_ar_ptype;

typedef struct mw_ar_prop {
	const char *ptype;    /* lower case: "smtp", "header", "body", "policy", ... */
	const char *property; /* lower case: "mailfrom", "d", "from", ... */
	const char *value;    /* unquoted; case kept */
} mw_ar_prop;

typedef struct mw_ar_result {
	const char *method;  /* lower case: "spf", "dkim", "dmarc", "arc", ... */
	unsigned version;    /* method version; 0 = not given (means 1) */
	const char *result;  /* lower case: "pass", "fail", ... */
	const char *reason;  /* reason= value, or NULL */
	const char *comment; /* comments inside this resinfo joined by a space, or NULL */
	mw_ar_prop *props;
	size_t nprops;
	const char *raw;     /* the resinfo text, trimmed, folding collapsed to one space */
} mw_ar_result;

typedef struct mw_authres {
	const char *authserv_id;
	unsigned version; /* 0 = not given (means 1) */
	bool none;        /* "; none": no method was evaluated */
	mw_ar_result *results;
	size_t nresults;
} mw_authres;

/* Parse flags */
#define MW_AR_LENIENT 0x1u

/* mw_authres_parse - parse an A-R field value (without "Authentication-Results:").
 * Strings go to pool.  MW_EPARSE / MW_ETOOBIG / MW_ENOMEM with a reason in err. */
mw_status mw_authres_parse(const char *value, size_t len, unsigned flags, mw_pool *pool,
			   mw_authres *out, mw_err *err);

/* mw_ar_ptype_of - the registered ptype of a property */
mw_ar_ptype mw_ar_ptype_of(const mw_ar_prop *p);
/* mw_ar_find_prop - value of ptype.property in a result, or NULL */
const char *mw_ar_find_prop(const mw_ar_result *r, const char *ptype, const char *property);
/* mw_ar_result_value - the result word as an mw_auth_result; false if it is not one */
bool mw_ar_result_value(const mw_ar_result *r, mw_auth_result *out);

/* ---- writing ---- */

/* mw_authres_init - empty A-R for authserv_id (copied into pool) */
mw_status mw_authres_init(mw_authres *ar, mw_pool *pool, const char *authserv_id);
/* mw_authres_add - append a result (method, result word, optional comment); NULL on a limit */
mw_ar_result *mw_authres_add(mw_authres *ar, mw_pool *pool, const char *method,
			     const char *result, const char *comment);
/* mw_ar_add_prop - append ptype.property=value to a result (value NULL/"" is skipped) */
mw_status mw_ar_add_prop(mw_ar_result *r, mw_pool *pool, const char *ptype,
			 const char *property, const char *value);

/* mw_authres_add_spf - spf=RESULT smtp.mailfrom=... (or smtp.helo= when mailfrom is NULL) */
mw_status mw_authres_add_spf(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			     const char *mailfrom, const char *helo, const char *comment);
/* mw_authres_add_dkim - dkim=RESULT [reason] header.d header.s header.b (first 8) header.i */
mw_status mw_authres_add_dkim(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			      const char *reason, const char *d, const char *s, const char *b,
			      const char *i);
/* mw_authres_add_dmarc - dmarc=RESULT (comment) header.from policy.dmarc */
mw_status mw_authres_add_dmarc(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			       const char *comment, const char *from_domain, const char *policy);
/* mw_authres_add_arc - arc=CV (comment) [header.oldest-pass=N when > 0] */
mw_status mw_authres_add_arc(mw_authres *ar, mw_pool *pool, mw_auth_result cv,
			     const char *comment, unsigned oldest_pass);

/* Format flags */
#define MW_AR_FMT_FIELD_NAME 0x1u /* prefix "Authentication-Results: " */
#define MW_AR_FMT_LF 0x2u         /* fold with LF instead of CRLF (terminal output) */

/* mw_authres_format - append the field (no final line end) to out */
mw_status mw_authres_format(const mw_authres *ar, unsigned flags, mw_buf *out);

#endif
