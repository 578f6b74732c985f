/*
 * bounce/reason.h - why a message bounced: a taxonomy compatible with
 * Sisimai's reason names (libsisimai.org/en/reason), hard vs soft, and the
 * blocklist or provider policy named in the text.
 *
 * DESCRIPTION
 *   mw_reason_classify looks at the SMTP reply text / Diagnostic-Code, the
 *   RFC 3463 status code and the reply code, in that order of trust:
 *     1. a status code whose meaning is unambiguous (x.1.1 bad mailbox,
 *        x.2.2 mailbox full, x.7.25 reverse DNS, ...) decides;
 *     2. otherwise the first phrase of the phrase table found in the text
 *        (tables in reason.c: data, not branches; order = precedence);
 *     3. otherwise the remaining status-code table, then "undefined".
 *   Hard bounces are the reasons where retrying can never help: the address
 *   or domain does not exist or has moved (userunknown, hostunknown,
 *   hasmoved) and a permanent notaccept (null MX, RFC 7505).
 *   mw_reason_policy names the DNSBL or provider policy cited in a
 *   reputation rejection ("Spamhaus SBL", "Microsoft S3150", ...).
 *
 * OWNERSHIP
 *   All strings returned are static.
 */
#ifndef MW_BOUNCE_REASON_H
#define MW_BOUNCE_REASON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum mw_reason {
	MW_REASON_UNDEFINED = 0,
	MW_REASON_DELIVERED,
	MW_REASON_FEEDBACK,
	MW_REASON_VACATION,
	MW_REASON_USERUNKNOWN,
	MW_REASON_HOSTUNKNOWN,
	MW_REASON_HASMOVED,
	MW_REASON_MAILBOXFULL,
	MW_REASON_SUSPEND,
	MW_REASON_FILTERED,
	MW_REASON_REJECTED,
	MW_REASON_BLOCKED,
	MW_REASON_BADREPUTATION,
	MW_REASON_REQUIREPTR,
	MW_REASON_SPAMDETECTED,
	MW_REASON_VIRUSDETECTED,
	MW_REASON_POLICYVIOLATION,
	MW_REASON_AUTHFAILURE,
	MW_REASON_NOTCOMPLIANTRFC,
	MW_REASON_SECURITYERROR,
	MW_REASON_FAILEDSTARTTLS,
	MW_REASON_NORELAYING,
	MW_REASON_NOTACCEPT,
	MW_REASON_EXPIRED,
	MW_REASON_NETWORKERROR,
	MW_REASON_TOOMANYCONN,
	MW_REASON_SPEEDING,
	MW_REASON_SYSTEMERROR,
	MW_REASON_SYSTEMFULL,
	MW_REASON_MAILERERROR,
	MW_REASON_CONTENTERROR,
	MW_REASON_EXCEEDLIMIT,
	MW_REASON_MESGTOOBIG,
	MW_REASON_SYNTAXERROR,
	MW_REASON_ONHOLD,
	MW_REASON_COUNT
} mw_reason;

/* mw_reason_name - Sisimai's name ("userunknown") */
const char *mw_reason_name(mw_reason r);
/* mw_reason_from_name - inverse of mw_reason_name; also accepts the
 * aliases "ratelimited" (speeding) and "mesgtoolarge" (mesgtoobig).
 * MW_REASON_COUNT if unknown. */
mw_reason mw_reason_from_name(const char *name);
/* mw_reason_describe - one English sentence */
const char *mw_reason_describe(mw_reason r);

/* mw_reason_is_hard - retrying cannot succeed (status class decides notaccept) */
bool mw_reason_is_hard(mw_reason r, const char *status);

/* mw_reason_classify - reason from text (may be NULL), status and reply code
 * (may be ""). */
mw_reason mw_reason_classify(const char *text, size_t n, const char *status,
			     const char *replycode);

/* mw_reason_from_text - phrase table only; MW_REASON_UNDEFINED if no phrase */
mw_reason mw_reason_from_text(const char *text, size_t n);

/* mw_reason_from_signature - default reason of a sending system named in
 * the text (Google Groups: rejected); MW_REASON_UNDEFINED if none */
mw_reason mw_reason_from_signature(const char *text, size_t n);

/* mw_reason_from_status - status-code table only; strong_only limits it to
 * the unambiguous codes */
mw_reason mw_reason_from_status(const char *status, bool strong_only);

/* mw_reason_pseudo_status - Sisimai-compatible "5.0.9NN" code for a reason
 * when the bounce carries no status code (temporary: class 4) */
const char *mw_reason_pseudo_status(mw_reason r, bool temporary, char *out, size_t n);

/* mw_reason_policy - name of the blocklist / provider policy cited in the
 * text, or NULL */
const char *mw_reason_policy(const char *text, size_t n);

#endif
