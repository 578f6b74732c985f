/*
 * bounce/reason.c - reason taxonomy, phrase and status-code tables.
 *
 * The phrase table is data: (reason, lower-case phrase) rows, matched as
 * substrings of the lower-cased, whitespace-collapsed reply text.  Rows are
 * grouped by reason and the groups ordered by precedence: specific causes
 * (reverse DNS, reputation, authentication, spam) come before the general
 * ones (blocked, rejected, filtered), so "550 5.7.1 rejected: IP listed on
 * Spamhaus" is blocked, not rejected.  Phrases are our own summaries of
 * what MTAs and providers write; Sisimai's reason definitions
 * (libsisimai.org/en/reason) fix what each reason means.
 */
#include "bounce/reason.h"

#include <stdio.h>
#include <string.h>

#include "bounce/status.h"
#include "core/str.h"

typedef struct reason_info {
	const char *name;
	unsigned pseudo; /* Sisimai-compatible pseudo detail ("5.0.<pseudo>") */
	const char *text;
} reason_info;

static const reason_info REASONS[MW_REASON_COUNT] = {
	[MW_REASON_UNDEFINED] = {"undefined", 900, "no reason could be determined"},
	[MW_REASON_DELIVERED] = {"delivered", 0, "the message was delivered (success DSN)"},
	[MW_REASON_FEEDBACK] = {"feedback", 0, "a feedback-loop (ARF) complaint, not a bounce"},
	[MW_REASON_VACATION] = {"vacation", 0, "an auto-reply (RFC 3834), not a bounce"},
	[MW_REASON_USERUNKNOWN] = {"userunknown", 911, "the mailbox does not exist"},
	[MW_REASON_HOSTUNKNOWN] = {"hostunknown", 912, "the recipient domain does not exist or has no mail host"},
	[MW_REASON_HASMOVED] = {"hasmoved", 916, "the recipient has moved to another address"},
	[MW_REASON_MAILBOXFULL] = {"mailboxfull", 922, "the mailbox is full"},
	[MW_REASON_SUSPEND] = {"suspend", 921, "the mailbox is disabled or suspended"},
	[MW_REASON_FILTERED] = {"filtered", 910, "the recipient's filter or settings refused it"},
	[MW_REASON_REJECTED] = {"rejected", 918, "the envelope sender was refused"},
	[MW_REASON_BLOCKED] = {"blocked", 971, "the sending IP or host is blocked (blocklist, policy)"},
	[MW_REASON_BADREPUTATION] = {"badreputation", 975, "refused for the sender's poor reputation"},
	[MW_REASON_REQUIREPTR] = {"requireptr", 973, "the sending IP has no valid reverse DNS (PTR)"},
	[MW_REASON_SPAMDETECTED] = {"spamdetected", 980, "the content was judged to be spam"},
	[MW_REASON_VIRUSDETECTED] = {"virusdetected", 981, "a virus was found in the message"},
	[MW_REASON_POLICYVIOLATION] = {"policyviolation", 972, "refused by a local content or usage policy"},
	[MW_REASON_AUTHFAILURE] = {"authfailure", 976, "SPF, DKIM or DMARC authentication failed"},
	[MW_REASON_NOTCOMPLIANTRFC] = {"notcompliantrfc", 974, "the message violates RFC 5322 (e.g. duplicate headers)"},
	[MW_REASON_SECURITYERROR] = {"securityerror", 970, "a security or authentication requirement was not met"},
	[MW_REASON_FAILEDSTARTTLS] = {"failedstarttls", 979, "STARTTLS was required or failed"},
	[MW_REASON_NORELAYING] = {"norelaying", 909, "relaying was denied"},
	[MW_REASON_NOTACCEPT] = {"notaccept", 932, "the destination does not accept mail (null MX)"},
	[MW_REASON_EXPIRED] = {"expired", 947, "delivery time expired (queued too long)"},
	[MW_REASON_NETWORKERROR] = {"networkerror", 944, "a network or DNS error prevented delivery"},
	[MW_REASON_TOOMANYCONN] = {"toomanyconn", 945, "too many connections or recipients"},
	[MW_REASON_SPEEDING] = {"speeding", 946, "rate limited: sending too fast"},
	[MW_REASON_SYSTEMERROR] = {"systemerror", 930, "a system error on the remote side"},
	[MW_REASON_SYSTEMFULL] = {"systemfull", 931, "the remote system's disk is full"},
	[MW_REASON_MAILERERROR] = {"mailererror", 939, "a local mailer program failed"},
	[MW_REASON_CONTENTERROR] = {"contenterror", 960, "the content or format was refused"},
	[MW_REASON_EXCEEDLIMIT] = {"exceedlimit", 923, "the message exceeds the recipient's size limit"},
	[MW_REASON_MESGTOOBIG] = {"mesgtoobig", 934, "the message is too big"},
	[MW_REASON_SYNTAXERROR] = {"syntaxerror", 902, "an SMTP syntax error"},
	[MW_REASON_ONHOLD] = {"onhold", 901, "the reason is held for later decision"},
};

/* ---- phrase table --------------------------------------------------- */

typedef struct phrase {
	mw_reason reason;
	const char *text;
} phrase;

#define P(r, t) {MW_REASON_##r, t}
static const phrase PHRASES[] = {
	/* specific phrases that would otherwise fall to a more general group */
	P(POLICYVIOLATION, "content presents a potential"),
	P(NOTACCEPT, "doesn't receive email"), P(NOTACCEPT, "does not receive email"),
	P(HOSTUNKNOWN, "host or domain name not found"), P(NETWORKERROR, "dns error"),
	P(NETWORKERROR, "name service error"), P(NETWORKERROR, "dns query failed"),
	P(NETWORKERROR, "malformed or unexpected name server reply"),
	P(REQUIREPTR, "dns ptr"), P(REQUIREPTR, "unverifyable sending ip"),
	P(REQUIREPTR, "unverifiable sending ip"),
	P(USERUNKNOWN, "recipient address rejected: access denied"),
	P(USERUNKNOWN, "not listed in domino directory"),
	P(USERUNKNOWN, "not listed in public name & address book"), P(USERUNKNOWN, "recipientnotfound"),
	P(REJECTED, "sender address rejected"), P(REJECTED, "domain of sender address"),
	P(REJECTED, "domain is invalid"), P(REJECTED, "permission to post"),
	P(BLOCKED, "may not be mail exchanger"), P(BLOCKED, "refused to talk to me"),
	P(BLOCKED, "blocked using"), P(BLOCKED, "not accepting connections"),
	P(EXPIRED, "did not accept our requests to connect"),
	P(SUSPEND, "mailbox is frozen"), P(SUSPEND, "account suspended"),
	P(SUSPEND, "mailbox suspended"), P(SUSPEND, "user suspended"), P(SUSPEND, "has been suspended"),
	P(SUSPEND, "is suspended"), P(SUSPEND, "account locked"), P(SUSPEND, "mailbox locked"),
	P(AUTHFAILURE, "authentication information"), P(SECURITYERROR, "unauthenticated senders"),
	P(NOTCOMPLIANTRFC, "duplicate header"), P(NOTCOMPLIANTRFC, "addresses in from"),
	P(NOTACCEPT, "null mx"), P(NOTACCEPT, "not accepting network messages"),
	P(CONTENTERROR, "media error"), P(REJECTED, "address that has been blacklisted"),
	P(SUSPEND, "temporary locked"), P(SUSPEND, "temporarily locked"),
	P(HOSTUNKNOWN, "domain is not reachable"),
	P(TOOMANYCONN, "frequency limited"), P(SUSPEND, "is inactive"),
	P(SUSPEND, "account is blocked"), P(SUSPEND, "account is locked"),
	P(SPAMDETECTED, "rejected due to spam"), P(REJECTED, "sender was rejected"),
	P(BLOCKED, "my name was rejected"), P(NETWORKERROR, "able to establish an smtp connection"),
	P(NOTACCEPT, "indicated no smtp service"), P(NOTACCEPT, "no mx record found"),
	P(NOTACCEPT, "couldn't find a mail exchanger"),
	/* reverse DNS first: often worded "blocked: no PTR" */
	P(REQUIREPTR, "reverse dns"), P(REQUIREPTR, "reverse lookup"), P(REQUIREPTR, "no ptr record"),
	P(REQUIREPTR, "ptr record"), P(REQUIREPTR, "cannot find your hostname"),
	P(REQUIREPTR, "cannot resolve your address"), P(REQUIREPTR, "unresolvable relay host"),
	P(REQUIREPTR, "client host rejected: cannot find your"), P(REQUIREPTR, "no rdns"),
	P(REQUIREPTR, "unable to resolve client"), P(REQUIREPTR, "reverse-dns"),
	P(REQUIREPTR, "ip name lookup failed"), P(REQUIREPTR, "does not have reverse"),
	P(REQUIREPTR, "domain name lookup failed"), P(REQUIREPTR, "reverse address"),
	/* authentication of the sender domain (RFC 7372 §3) */
	P(AUTHFAILURE, "spf check failed"), P(AUTHFAILURE, "spf fail"), P(AUTHFAILURE, "spf validation"),
	P(AUTHFAILURE, "sender policy framework"), P(AUTHFAILURE, "dmarc policy"),
	P(AUTHFAILURE, "dmarc"), P(AUTHFAILURE, "dkim"), P(AUTHFAILURE, "spf)"),
	P(AUTHFAILURE, "not authorized to send"), P(AUTHFAILURE, "is not allowed to send mail from"),
	P(AUTHFAILURE, "authentication checks"), P(AUTHFAILURE, "unauthenticated email"),
	P(AUTHFAILURE, "sender is not authorized"), P(AUTHFAILURE, "spf record"),
	P(AUTHFAILURE, "spf: "), P(AUTHFAILURE, "spf "),
	/* reputation */
	P(BADREPUTATION, "poor reputation"), P(BADREPUTATION, "bad reputation"),
	P(BADREPUTATION, "low reputation"), P(BADREPUTATION, "reputation of"),
	P(BADREPUTATION, "ip reputation"), P(BADREPUTATION, "sender reputation"),
	/* notcompliantrfc (RFC 5322 §3.6 header counts) */
	P(NOTCOMPLIANTRFC, "duplicate header"), P(NOTCOMPLIANTRFC, "not rfc 5322"),
	P(NOTCOMPLIANTRFC, "rfc 5322 compliant"), P(NOTCOMPLIANTRFC, "rfc5322 compliant"),
	P(NOTCOMPLIANTRFC, "multiple addresses in from"), P(NOTCOMPLIANTRFC, "non-rfc compliant"),
	P(NOTCOMPLIANTRFC, "is not rfc"), P(NOTCOMPLIANTRFC, "rfc 2822"),
	/* virus, spam */
	P(VIRUSDETECTED, "virus"), P(VIRUSDETECTED, "malware"), P(VIRUSDETECTED, "infected"),
	P(SPAMDETECTED, "spam content"), P(SPAMDETECTED, "message content rejected"),
	P(SPAMDETECTED, "detected as spam"), P(SPAMDETECTED, "classified as spam"),
	P(SPAMDETECTED, "considered spam"), P(SPAMDETECTED, "looks like spam"),
	P(SPAMDETECTED, "identified as spam"), P(SPAMDETECTED, "spam message"),
	P(SPAMDETECTED, "spam score"), P(SPAMDETECTED, "spamassassin"), P(SPAMDETECTED, "spam detected"),
	P(SPAMDETECTED, "unsolicited mail"), P(SPAMDETECTED, "unsolicited bulk"),
	P(SPAMDETECTED, "likely spam"), P(SPAMDETECTED, "as spam"), P(SPAMDETECTED, "spamfilter"),
	P(SPAMDETECTED, "spam filter"), P(SPAMDETECTED, "blocked for spam"), P(SPAMDETECTED, "junk mail"),
	P(SPAMDETECTED, "bulk mail"), P(SPAMDETECTED, "spam"),
	/* size */
	P(MESGTOOBIG, "message too large"), P(MESGTOOBIG, "message too big"),
	P(MESGTOOBIG, "message is too large"), P(MESGTOOBIG, "message is too big"),
	P(MESGTOOBIG, "size exceeds"), P(MESGTOOBIG, "message size exceeds"),
	P(MESGTOOBIG, "exceeds size limit"), P(MESGTOOBIG, "message length exceeds"),
	P(MESGTOOBIG, "too much mail data"), P(MESGTOOBIG, "message file too big"),
	P(EXCEEDLIMIT, "size limit"), P(EXCEEDLIMIT, "message size limit"),
	/* mailbox state */
	P(MAILBOXFULL, "mailbox full"), P(MAILBOXFULL, "mailbox is full"), P(MAILBOXFULL, "over quota"),
	P(MAILBOXFULL, "overquota"), P(MAILBOXFULL, "quota exceeded"), P(MAILBOXFULL, "exceeded storage"),
	P(MAILBOXFULL, "exceeded quota"), P(MAILBOXFULL, "exceeds quota"), P(MAILBOXFULL, "disk quota"),
	P(MAILBOXFULL, "quota"), P(MAILBOXFULL, "insufficient disk space"), P(MAILBOXFULL, "mailbox size limit"),
	P(MAILBOXFULL, "mail box full"), P(MAILBOXFULL, "mailfolder is full"), P(MAILBOXFULL, "too much mail"),
	P(MAILBOXFULL, "is over the limit"), P(MAILBOXFULL, "mailbox has exceeded"),
	P(MAILBOXFULL, "full mailbox"), P(MAILBOXFULL, "storage space"), P(MAILBOXFULL, "user is over"),
	P(MAILBOXFULL, "account is full"), P(MAILBOXFULL, "inbox is full"), P(MAILBOXFULL, "box full"),
	P(MAILBOXFULL, "has exceeded"), P(MAILBOXFULL, "mailbox limit"), P(MAILBOXFULL, "not enough space"),
	P(SUSPEND, "account disabled"), P(SUSPEND, "account has been disabled"),
	P(SUSPEND, "account is disabled"), P(SUSPEND, "mailbox disabled"), P(SUSPEND, "mailbox is disabled"),
	P(SUSPEND, "account is inactive"), P(SUSPEND, "inactive account"), 
	P(SUSPEND, "mailbox unavailable or access denied"), P(SUSPEND, "has been disabled"),
	P(SUSPEND, "currently suspended"), P(SUSPEND, "mailbox currently suspended"),
	P(SUSPEND, "boite du destinataire archivee"), P(SUSPEND, "account expired"),
	P(SUSPEND, "is not active"), P(SUSPEND, "not an active"), P(SUSPEND, "account deactivated"),
	P(SUSPEND, "mailbox is inactive"), P(SUSPEND, "is disabled"),
	P(HASMOVED, "has been replaced by"), P(HASMOVED, "address has changed"), P(HASMOVED, "has moved"),
	/* address: domain first ("Host unknown" is not a mailbox) */
	P(HOSTUNKNOWN, "host unknown"), P(HOSTUNKNOWN, "unknown host"), P(HOSTUNKNOWN, "host not found"),
	P(HOSTUNKNOWN, "domain not found"), P(HOSTUNKNOWN, "no such domain"), P(HOSTUNKNOWN, "unrouteable mail domain"),
	P(HOSTUNKNOWN, "name or service not known"), P(HOSTUNKNOWN, "domain does not exist"),
	P(HOSTUNKNOWN, "unknown domain"), P(HOSTUNKNOWN, "no mx"), P(HOSTUNKNOWN, "domain name not found"),
	P(HOSTUNKNOWN, "illegal host/domain"), 
	P(USERUNKNOWN, "user unknown"), P(USERUNKNOWN, "unknown user"), P(USERUNKNOWN, "no such user"),
	P(USERUNKNOWN, "no such mailbox"), P(USERUNKNOWN, "no mailbox"), P(USERUNKNOWN, "mailbox not found"),
	P(USERUNKNOWN, "does not exist"), P(USERUNKNOWN, "doesn't exist"), P(USERUNKNOWN, "not exist"),
	P(USERUNKNOWN, "recipient unknown"), P(USERUNKNOWN, "unknown recipient"),
	P(USERUNKNOWN, "invalid recipient"), P(USERUNKNOWN, "recipient address rejected: user unknown"),
	P(USERUNKNOWN, "unknown local part"), P(USERUNKNOWN, "unknown address"),
	P(USERUNKNOWN, "address unknown"), P(USERUNKNOWN, "no such recipient"),
	P(USERUNKNOWN, "mailbox unavailable"), P(USERUNKNOWN, "invalid mailbox"),
	P(USERUNKNOWN, "user not found"), P(USERUNKNOWN, "account not found"),
	P(USERUNKNOWN, "not a valid mailbox"), P(USERUNKNOWN, "unrouteable address"),
	P(USERUNKNOWN, "no such address"), P(USERUNKNOWN, "no valid recipients"),
	P(USERUNKNOWN, "invalid address"), P(USERUNKNOWN, "is not a valid"), P(USERUNKNOWN, "unknown or illegal alias"),
	P(USERUNKNOWN, "mailbox is unavailable"), P(USERUNKNOWN, "address rejected"),
	P(USERUNKNOWN, "user doesn't have"), P(USERUNKNOWN, "no account by that name"),
	P(USERUNKNOWN, "recipient not found"), P(USERUNKNOWN, "unknown mailbox"),
	P(USERUNKNOWN, "mailbox does not"), P(USERUNKNOWN, "email account that you tried to reach"),
	P(USERUNKNOWN, "bad destination mailbox"), P(USERUNKNOWN, "recipient rejected"),
	P(USERUNKNOWN, "unknown in virtual"), P(USERUNKNOWN, "unknown in local"), P(USERUNKNOWN, "no such"),
	P(USERUNKNOWN, "non-existent"), P(USERUNKNOWN, "nonexistent"), P(USERUNKNOWN, "unknown"),
	P(USERUNKNOWN, "invalid"), P(USERUNKNOWN, "not found"),
	/* relaying */
	P(NORELAYING, "relay access denied"), P(NORELAYING, "relaying denied"), P(NORELAYING, "not permitted to relay"),
	P(NORELAYING, "relay not permitted"), P(NORELAYING, "relaying not"), P(NORELAYING, "unable to relay"),
	P(NORELAYING, "we do not relay"), P(NORELAYING, "relay denied"), P(NORELAYING, "no relaying"),
	P(NORELAYING, "relaying mail to"), P(NORELAYING, "not our customer"),
	/* rates and connections */
	P(SPEEDING, "rate limit"), P(SPEEDING, "ratelimit"), P(SPEEDING, "sending too fast"),
	P(SPEEDING, "too many messages"), P(SPEEDING, "throttl"),
	P(TOOMANYCONN, "too many connections"), P(TOOMANYCONN, "too many recipients"),
	P(TOOMANYCONN, "connection limit"), P(TOOMANYCONN, "too many simultaneous"),
	/* blocked: the client IP/host is refused */
	P(BLOCKED, "blocked"), P(BLOCKED, "blacklist"), P(BLOCKED, "blocklist"), P(BLOCKED, "block list"),
	P(BLOCKED, "black list"), P(BLOCKED, "dnsbl"), P(BLOCKED, "rbl"), P(BLOCKED, "spamhaus"),
	P(BLOCKED, "spamcop"), P(BLOCKED, "listed"), P(BLOCKED, "client host rejected"),
P(BLOCKED, "not allowed to send"), P(BLOCKED, "use the smtp server of your isp"),
	P(BLOCKED, "dynamic ip"), P(BLOCKED, "dial-up"), P(BLOCKED, "dialup"), P(BLOCKED, "residential"),
	P(BLOCKED, "your ip"), P(BLOCKED, "your host"), P(BLOCKED, "connection refused"),
	P(BLOCKED, "banned"), P(BLOCKED, "refused to accept"), P(BLOCKED, "rejected due to"),
	P(BLOCKED, "not accepted from"),
	/* policy */
	P(POLICYVIOLATION, "policy violation"), P(POLICYVIOLATION, "violates"), P(POLICYVIOLATION, "violation"),
	P(POLICYVIOLATION, "prohibited"), P(POLICYVIOLATION, "local policy"), P(POLICYVIOLATION, "policy"),
	/* sender refused */
	P(REJECTED, "sender rejected"), P(REJECTED, "sender address rejected"), P(REJECTED, "domain of sender"),
	P(REJECTED, "sender domain"), P(REJECTED, "mail from"), P(REJECTED, "sender verify failed"),
	P(REJECTED, "sender is"), P(REJECTED, "envelope sender"), P(REJECTED, "bad sender"),
	P(REJECTED, "invalid sender"), P(REJECTED, "sender unknown"), P(REJECTED, "sender denied"),
	/* filtered: the recipient's settings */
	P(FILTERED, "filtered"), P(FILTERED, "refused by recipient"), P(FILTERED, "does not accept mail from"),
	P(FILTERED, "not accept"), P(FILTERED, "rejected by user"), P(FILTERED, "user refuses"),
	P(FILTERED, "user reject"), P(FILTERED, "only accept"),
	/* timing */
	P(EXPIRED, "retry timeout exceeded"), P(EXPIRED, "delivery time expired"), P(EXPIRED, "timed out"),
	P(EXPIRED, "too long"), P(EXPIRED, "could not be delivered for"), P(EXPIRED, "message expired"),
	P(EXPIRED, "expired"), P(EXPIRED, "has not been delivered"), P(EXPIRED, "retry time"),
	P(EXPIRED, "giving up"), P(EXPIRED, "gave up"), P(EXPIRED, "was aborted after"),
	P(EXPIRED, " attempts"),
	/* network / system */
	P(FAILEDSTARTTLS, "starttls"), P(FAILEDSTARTTLS, "tls required"), P(FAILEDSTARTTLS, "must issue a starttls"),
	P(NETWORKERROR, "mail loop"), P(NETWORKERROR, "routing loop"), P(NETWORKERROR, "too many hops"),
	P(NETWORKERROR, "loops back"), P(NETWORKERROR, "hop count exceeded"), P(NETWORKERROR, "network"),
	P(NETWORKERROR, "connection timed"), P(NETWORKERROR, "no route"), P(NETWORKERROR, "dns"),
	P(SYSTEMFULL, "disk full"), P(SYSTEMFULL, "no space left"), P(SYSTEMFULL, "insufficient system storage"),
	P(SYSTEMERROR, "system error"), P(SYSTEMERROR, "internal error"), P(SYSTEMERROR, "server error"),
	P(SYSTEMERROR, "temporary failure"), P(SYSTEMERROR, "try again later"), P(SYSTEMERROR, "local error"),
	P(SYSTEMERROR, "configuration error"), P(SYSTEMERROR, "unavailable"),
	P(MAILERERROR, "mailer error"), P(MAILERERROR, "command failed"), P(MAILERERROR, "procmail"),
	P(MAILERERROR, "pipe to"), P(MAILERERROR, "exit code"),
	P(SECURITYERROR, "authentication required"), P(SECURITYERROR, "authentication failed"),
	P(SECURITYERROR, "must authenticate"), P(SECURITYERROR, "security"),
	P(CONTENTERROR, "content rejected"), P(POLICYVIOLATION, "header error"),
	P(CONTENTERROR, "invalid header"), P(CONTENTERROR, "mime error"), P(CONTENTERROR, "improper use of 8-bit"),
	P(SYNTAXERROR, "syntax error"), P(SYNTAXERROR, "command unrecognized"),
	P(SYNTAXERROR, "unrecognized command"), P(SYNTAXERROR, "bad sequence"),
	P(NOTACCEPT, "does not accept mail"), P(NOTACCEPT, "null mx"), P(NOTACCEPT, "not accepting mail"),
};

/* Generic words: used only when neither the phrases above nor the RFC 3463
 * code say more (a "550 5.7.9 Rejected" is a security refusal, x.7.9). */
static const phrase WEAK_PHRASES[] = {
	/* Postfix's prefix: the words after it carry the cause */
	P(USERUNKNOWN, "recipient address rejected"),
	P(REJECTED, "access denied"), P(REJECTED, "rejected"), P(REJECTED, "refused"),
	P(REJECTED, "denied"),
};
#undef P

/* fold - lower-case, whitespace-collapsed copy of at most n bytes into out */
static size_t fold(const char *s, size_t n, char *out, size_t max)
{
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < n && o + 1 < max; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < max)
			out[o++] = ' ';
		space = false;
		out[o++] = mw_tolower(c);
	}
	out[o] = '\0';
	return o;
}

#define FOLD_MAX 8192 /* reply text classified: a Diagnostic-Code is < 1 KiB in practice */

/* match - first row of table found in the folded text */
static mw_reason match(const phrase *table, size_t rows, const char *text, size_t n)
{
	if (!text || n == 0)
		return MW_REASON_UNDEFINED;
	char buf[FOLD_MAX];
	size_t len = fold(text, n, buf, sizeof(buf));
	for (size_t i = 0; i < rows; i++)
		if (memmem(buf, len, table[i].text, strlen(table[i].text)))
			return table[i].reason;
	return MW_REASON_UNDEFINED;
}

/* mw_reason_from_text - first phrase found wins; generic words last */
mw_reason mw_reason_from_text(const char *text, size_t n)
{
	mw_reason r = match(PHRASES, sizeof(PHRASES) / sizeof(PHRASES[0]), text, n);
	if (r == MW_REASON_UNDEFINED)
		r = match(WEAK_PHRASES, sizeof(WEAK_PHRASES) / sizeof(WEAK_PHRASES[0]), text, n);
	return r;
}

/* ---- senders whose failures have one meaning ---------------------------- */

/* A bounce from these systems means this reason even when its (often
 * localised) text says nothing we recognise: Google Groups refuses posts
 * from non-members, a mailing-list manager refuses non-members. */
static const phrase SIGNATURE_DEFAULTS[] = {
	{MW_REASON_REJECTED, "google groups"},
	{MW_REASON_REJECTED, "googlegroups.com"},
	{MW_REASON_REJECTED, "not member"},
	{MW_REASON_REJECTED, "are not a member"},
};

/* mw_reason_from_signature - the default reason of the sending system */
mw_reason mw_reason_from_signature(const char *text, size_t n)
{
	if (!text || n == 0)
		return MW_REASON_UNDEFINED;
	char buf[FOLD_MAX];
	size_t len = fold(text, n, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(SIGNATURE_DEFAULTS) / sizeof(SIGNATURE_DEFAULTS[0]); i++)
		if (memmem(buf, len, SIGNATURE_DEFAULTS[i].text, strlen(SIGNATURE_DEFAULTS[i].text)))
			return SIGNATURE_DEFAULTS[i].reason;
	return MW_REASON_UNDEFINED;
}

/* ---- status-code table (RFC 3463 §3, RFC 7372 §3, RFC 7505 §4) ------ */

typedef struct status_row {
	const char *subdetail; /* "1.1" = x.1.1 */
	mw_reason reason;
	bool strong; /* unambiguous: decides before the text */
} status_row;

static const status_row STATUS_ROWS[] = {
	{"1.1", MW_REASON_USERUNKNOWN, true},   {"1.2", MW_REASON_HOSTUNKNOWN, true},
	{"1.3", MW_REASON_USERUNKNOWN, false},  {"1.4", MW_REASON_USERUNKNOWN, false},
	{"1.6", MW_REASON_HASMOVED, true},      {"1.7", MW_REASON_REJECTED, true},
	{"1.8", MW_REASON_REJECTED, true},     {"1.10", MW_REASON_USERUNKNOWN, false},
	{"1.0", MW_REASON_USERUNKNOWN, false},  {"2.0", MW_REASON_FILTERED, false},
	{"2.1", MW_REASON_SUSPEND, false},      {"2.2", MW_REASON_MAILBOXFULL, true},
	{"2.3", MW_REASON_EXCEEDLIMIT, true},  {"2.4", MW_REASON_SYSTEMERROR, false},
	{"3.0", MW_REASON_SYSTEMERROR, false},  {"3.1", MW_REASON_SYSTEMFULL, false},
	{"3.2", MW_REASON_NOTACCEPT, false},    {"3.3", MW_REASON_CONTENTERROR, false},
	{"3.4", MW_REASON_MESGTOOBIG, true},    {"3.5", MW_REASON_SYSTEMERROR, false},
	{"4.0", MW_REASON_NETWORKERROR, false}, {"4.1", MW_REASON_NETWORKERROR, false},
	{"4.2", MW_REASON_NETWORKERROR, false}, {"4.3", MW_REASON_SYSTEMERROR, false},
	{"4.4", MW_REASON_HOSTUNKNOWN, false},  {"4.5", MW_REASON_TOOMANYCONN, false},
	{"4.6", MW_REASON_NETWORKERROR, false}, {"4.7", MW_REASON_EXPIRED, true},
	{"5.3", MW_REASON_TOOMANYCONN, false},  {"5.0", MW_REASON_SYNTAXERROR, false},
	{"5.1", MW_REASON_SYNTAXERROR, false},  {"5.2", MW_REASON_SYNTAXERROR, false},
	{"5.4", MW_REASON_SYNTAXERROR, false},  {"6.0", MW_REASON_CONTENTERROR, false},
	{"6.1", MW_REASON_CONTENTERROR, false}, {"6.2", MW_REASON_CONTENTERROR, false},
	{"6.3", MW_REASON_CONTENTERROR, false}, {"6.4", MW_REASON_CONTENTERROR, false},
	{"6.5", MW_REASON_CONTENTERROR, false}, {"7.0", MW_REASON_SECURITYERROR, false},
	{"7.1", MW_REASON_REJECTED, false},     {"7.2", MW_REASON_SECURITYERROR, false},
	{"7.7", MW_REASON_SECURITYERROR, false},{"7.8", MW_REASON_SECURITYERROR, false},
	{"7.9", MW_REASON_SECURITYERROR, false},{"7.10", MW_REASON_FAILEDSTARTTLS, false},
	{"7.13", MW_REASON_SUSPEND, true},      {"7.20", MW_REASON_AUTHFAILURE, true},
	{"7.21", MW_REASON_AUTHFAILURE, true},  {"7.22", MW_REASON_AUTHFAILURE, true},
	{"7.23", MW_REASON_AUTHFAILURE, true},  {"7.24", MW_REASON_AUTHFAILURE, true},
	{"7.25", MW_REASON_REQUIREPTR, true},   {"7.26", MW_REASON_AUTHFAILURE, true},
	{"7.27", MW_REASON_NOTACCEPT, true},
};

/* mw_reason_from_status - table lookup on subject.detail */
mw_reason mw_reason_from_status(const char *status, bool strong_only)
{
	if (!status || !mw_status_code_valid(status, strlen(status)))
		return MW_REASON_UNDEFINED;
	if (status[0] == '2')
		return MW_REASON_DELIVERED;
	const char *sd = status + 2;
	/* Sisimai-style pseudo codes x.0.9NN carry their reason */
	if (strncmp(sd, "0.9", 3) == 0 && strlen(sd) == 5) {
		unsigned d = (unsigned)((sd[2] - '0') * 100 + (sd[3] - '0') * 10 + (sd[4] - '0'));
		for (int r = 0; r < MW_REASON_COUNT; r++)
			if (REASONS[r].pseudo == d && d != 900)
				return (mw_reason)r;
		return MW_REASON_UNDEFINED;
	}
	for (size_t i = 0; i < sizeof(STATUS_ROWS) / sizeof(STATUS_ROWS[0]); i++)
		if (strcmp(STATUS_ROWS[i].subdetail, sd) == 0)
			return (!strong_only || STATUS_ROWS[i].strong) ? STATUS_ROWS[i].reason
								       : MW_REASON_UNDEFINED;
	return MW_REASON_UNDEFINED;
}

/* mw_reason_classify - strong status, then text, then weak status */
mw_reason mw_reason_classify(const char *text, size_t n, const char *status,
			     const char *replycode)
{
	(void)replycode;
	mw_reason r = mw_reason_from_status(status, true);
	if (r == MW_REASON_UNDEFINED)
		r = match(PHRASES, sizeof(PHRASES) / sizeof(PHRASES[0]), text, n);
	if (r == MW_REASON_UNDEFINED)
		r = mw_reason_from_status(status, false);
	if (r == MW_REASON_UNDEFINED)
		r = match(WEAK_PHRASES, sizeof(WEAK_PHRASES) / sizeof(WEAK_PHRASES[0]), text, n);
	return r;
}

/* mw_reason_is_hard - see header */
bool mw_reason_is_hard(mw_reason r, const char *status)
{
	switch (r) {
	case MW_REASON_USERUNKNOWN:
	case MW_REASON_HOSTUNKNOWN:
	case MW_REASON_HASMOVED:
		return true;
	case MW_REASON_NOTACCEPT:
		return !status || status[0] != '4';
	default:
		return false;
	}
}

const char *mw_reason_name(mw_reason r)
{
	return (r >= 0 && r < MW_REASON_COUNT) ? REASONS[r].name : "undefined";
}

const char *mw_reason_describe(mw_reason r)
{
	return (r >= 0 && r < MW_REASON_COUNT) ? REASONS[r].text : REASONS[0].text;
}

mw_reason mw_reason_from_name(const char *name)
{
	if (mw_strcaseeq(name, "ratelimited"))
		return MW_REASON_SPEEDING;
	if (mw_strcaseeq(name, "mesgtoolarge"))
		return MW_REASON_MESGTOOBIG;
	for (int r = 0; r < MW_REASON_COUNT; r++)
		if (mw_strcaseeq(name, REASONS[r].name))
			return (mw_reason)r;
	return MW_REASON_COUNT;
}

/* mw_reason_pseudo_status - "5.0.9NN" / "4.0.9NN"; "" for non-failures */
const char *mw_reason_pseudo_status(mw_reason r, bool temporary, char *out, size_t n)
{
	if (r < 0 || r >= MW_REASON_COUNT || REASONS[r].pseudo == 0)
		snprintf(out, n, "%s", "");
	else
		snprintf(out, n, "%c.0.%u", temporary ? '4' : '5', REASONS[r].pseudo);
	return out;
}

/* ---- blocklists and provider policies --------------------------------- */

typedef struct policy_row {
	const char *needle; /* lower case */
	const char *name;
} policy_row;

static const policy_row POLICIES[] = {
	{"zen.spamhaus", "Spamhaus ZEN"}, {"sbl.spamhaus", "Spamhaus SBL"},
	{"xbl.spamhaus", "Spamhaus XBL"}, {"pbl.spamhaus", "Spamhaus PBL"},
	{"dbl.spamhaus", "Spamhaus DBL"}, {"spamhaus", "Spamhaus"},
	{"bl.spamcop", "SpamCop"}, {"spamcop", "SpamCop"},
	{"barracudacentral", "Barracuda BRBL"}, {"barracuda", "Barracuda"},
	{"cbl.abuseat", "Abuseat CBL"}, {"abuseat", "Abuseat CBL"},
	{"sorbs", "SORBS"}, {"uceprotect", "UCEPROTECT"}, {"psbl.surriel", "PSBL"},
	{"mailspike", "Mailspike"}, {"invaluement", "Invaluement"}, {"0spam", "0spam"},
	{"backscatterer", "Backscatterer"}, {"nixspam", "NiXSpam"}, {"ix.dnsbl.manitu", "NiXSpam"},
	{"spameatingmonkey", "SEM"}, {"truncate.gbudb", "GBUdb Truncate"},
	{"senderscore", "Validity SenderScore"}, {"cloudmark", "Cloudmark"},
	{"proofpoint", "Proofpoint"}, {"mimecast", "Mimecast"}, {"trendmicro", "Trend Micro ERS"},
	{"emailreg", "Trend Micro ERS"}, {"s3150", "Microsoft S3150 (IP on Microsoft block list)"},
	{"s3140", "Microsoft S3140 (IP on Microsoft block list)"},
	{"banned sending ip", "Microsoft banned sending IP"},
	{"sc-001", "Microsoft SC-001 (filtering policy)"}, {"sc-002", "Microsoft SC-002"},
	{"sc-004", "Microsoft SC-004"}, {"rp-001", "Microsoft RP-001 (reputation)"},
	{"rp-002", "Microsoft RP-002 (reputation)"}, {"rp-003", "Microsoft RP-003 (reputation)"},
	{"de-001", "Microsoft DE-001"}, {"sendersupport.olc.protection.outlook.com", "Microsoft sender support"},
	{"support.google.com/mail/answer/81126", "Google bulk sender guidelines"},
	{"support.google.com/mail/answer/188131", "Google unsolicited mail policy"},
	{"support.google.com/mail/?p=unsolicitedmessageerror", "Google unsolicited mail policy"},
	{"support.google.com/mail/answer/10336", "Google sender requirements"},
	{"tss04", "Yahoo TSS04 (complaints / reputation)"}, {"tss03", "Yahoo TSS03"},
	{"tss01", "Yahoo TSS01"}, {"ts01", "Yahoo TS01"}, {"ts03", "Yahoo TS03"},
	{"postmaster.yahooinc.com", "Yahoo postmaster policy"},
	{"postmaster.yahoo.com", "Yahoo postmaster policy"},
	{"rly:b", "AOL RLY:B (IP blocked)"}, {"rtr:bl", "AOL RTR:BL (IP blocked)"},
	{"postmaster.comcast", "Comcast postmaster policy"}, {"cox.net/rbl", "Cox block list"},
	{"spfbl", "SPFBL"}, {"dnsbl", "a DNSBL"}, {"blacklist", "a blocklist"},
	{"blocklist", "a blocklist"},
};

/* mw_reason_policy - first cited list or policy */
const char *mw_reason_policy(const char *text, size_t n)
{
	if (!text || n == 0)
		return NULL;
	char buf[FOLD_MAX];
	size_t len = fold(text, n, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(POLICIES) / sizeof(POLICIES[0]); i++)
		if (memmem(buf, len, POLICIES[i].needle, strlen(POLICIES[i].needle)))
			return POLICIES[i].name;
	return NULL;
}
