/*
 * auth/result.h - result values shared by the authentication engines.
 *
 * DESCRIPTION
 *   The result words of RFC 8601 §2.7 (and RFC 7208 §2.6 for SPF), as one
 *   enum so that SPF, DKIM, DMARC and ARC results are typed values, never
 *   strings matched by name.  Not every engine uses every value: SPF never
 *   returns POLICY, DKIM never SOFTFAIL.
 */
#ifndef MW_AUTH_RESULT_H
#define MW_AUTH_RESULT_H

typedef enum mw_auth_result {
	MW_AUTH_NONE = 0,
	MW_AUTH_PASS,
	MW_AUTH_FAIL,
	MW_AUTH_SOFTFAIL,
	MW_AUTH_NEUTRAL,
	MW_AUTH_POLICY,
	MW_AUTH_TEMPERROR,
	MW_AUTH_PERMERROR,
} mw_auth_result;

/* mw_auth_result_name - lower-case RFC word ("pass", "temperror" ...) */
static inline const char *mw_auth_result_name(mw_auth_result r)
{
	static const char *const names[] = {"none",    "pass",   "fail",      "softfail",
					    "neutral", "policy", "temperror", "permerror"};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "none";
}

#endif
