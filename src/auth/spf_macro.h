/*
 * auth/spf_macro.h - the SPF macro language (RFC 7208 §7).
 *
 * DESCRIPTION
 *   spf_macro_check validates a macro-string against the §7.1 ABNF:
 *   "%{" letter [digits] ["r"] *delimiter "}", "%%", "%_", "%-"; a lone
 *   "%" is an error; the letters c, r and t are allowed only in explanation
 *   text (§7.2); a zero digit transformer is an error (§7.3).
 *
 *   spf_macro_expand expands a checked string.  Letters: s l o d i p h c r t
 *   v; upper-case letters are URL-escaped after expansion (every byte
 *   outside ALPHA DIGIT "-" "." "_" "~" becomes %XX, §7.3).  A value is
 *   split on the given delimiters (default "."), optionally reversed, cut
 *   to the right-most N parts and joined with "." (§7.3).  %{i} of an IPv6
 *   client is its 32 nibbles separated by dots (§7.3); their letter case
 *   follows env->ip_upper (RFC 7208 leaves it open).  %{p} is not looked up
 *   here: the engine resolves the validated name first and passes it in
 *   env->ptr (NULL = "unknown").
 *
 *   spf_domain_truncate applies §7.3's rule for names used in queries:
 *   drop left-most labels until the name fits MW_SPF_MACRO_MAX bytes.
 *
 * LIMITS
 *   The output buffer's own maximum bounds every expansion (MW_ETOOBIG).
 *   Digit transformers larger than 128 count as "all parts".
 *
 * OWNERSHIP
 *   Pure functions; the caller owns the env strings and the output buffer.
 */
#ifndef MW_AUTH_SPF_MACRO_H
#define MW_AUTH_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/ip.h"

typedef struct spf_macro_env {
	const char *sender;   /* %{s}: local-part@domain */
	const char *local;    /* %{l} */
	const char *sdomain;  /* %{o} */
	const char *domain;   /* %{d}: current domain */
	const mw_ip *ip;      /* %{i} %{c} %{v} */
	bool ip_upper;        /* IPv6 nibbles in upper case */
	const char *helo;     /* %{h} */
	const char *receiver; /* %{r} */
	const char *ptr;      /* %{p}: validated name or NULL ("unknown") */
	time_t now;           /* %{t} */
} spf_macro_env;

/* spf_macro_check - syntax check; exp allows the c, r and t letters */
bool spf_macro_check(const char *s, size_t n, bool exp, mw_err *err);
/* spf_macro_uses_p - the string contains a %{p} macro */
bool spf_macro_uses_p(const char *s, size_t n);
/* spf_macro_expand - append the expansion of s to out */
mw_status spf_macro_expand(const char *s, size_t n, const spf_macro_env *env, bool exp,
			   mw_buf *out, mw_err *err);
/* spf_domain_truncate - §7.3 left truncation in place; trailing dot removed */
void spf_domain_truncate(char *name);

#endif
