/*
 * mail/received.h - one Received header field: who handed the message to whom.
 *
 * DESCRIPTION
 *   mw_received_parse reads the Time-stamp-line of RFC 5321 §4.4:
 *     "from" Extended-Domain  "by" Extended-Domain  ["via" Link]
 *     ["with" Protocol]  ["id" String]  ["for" Path]  ";" date-time
 *   where Extended-Domain is a name, optionally followed by a TCP-info
 *   comment "(rdns [address-literal])".  Clauses are found by their
 *   keyword outside comments, brackets and quotes, in any order; comments
 *   may nest.  The HELO/EHLO name is what the client said (anyone can say
 *   anything); the reverse-DNS name and the address are what the receiving
 *   server saw.  Real-world variants read:
 *     Postfix   from HELO (RDNS [IP]) ... ; RDNS "unknown" = lookup failed
 *     Sendmail  from HELO (RDNS [IP] (may be forged)) / from HELO ([IP])
 *     Exim      from RDNS ([IP] helo=HELO) / from [IP] (helo=HELO) /
 *               from RDNS ([IP]) (HELO = RDNS)   -- "(Exim x.y)" marks them
 *     qmail     from RDNS (HELO name) (IP) ; "unknown" = no RDNS; lines
 *               "(qmail N invoked ...)" are local, no network hop
 *     Exchange / Office 365  from HOST (IP) by HOST (IP) with Microsoft
 *               SMTP Server (version=TLS1_2, ...) id ...   (bare IP, no rDNS)
 *     Gmail     from HELO (RDNS. [IP]) by mx.google.com with ESMTPS id ...;
 *               from [LITERAL] ([IP]) ... with ESMTPSA (webmail / client)
 *     Amazon SES, Yahoo: Postfix-like, plus "from IP by HOST with HTTP"
 *   IPv6 literals "[IPv6:2001:db8::1]" and bare "[2001:db8::1]" both work;
 *   "[UNAVAILABLE]" and "[unknown]" give no address.  The protocol word is
 *   upper-cased (SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP ...; Exchange's
 *   "Microsoft SMTP Server" becomes ESMTP or ESMTPS); tls/authenticated
 *   come from the protocol suffixes of RFC 3848 (S, A, SA) or the
 *   comments MTAs write ("using TLSv1.3", "version=TLS1_2",
 *   "Authenticated sender:", "authenticated bits=").  The date after the
 *   last ';' is read by mail/date.h; a missing or bad date only clears
 *   has_time.  A line where no from/by clause can be found is kept raw
 *   with parsed = false and a problem sentence: never dropped.
 *
 * LIMITS
 *   MW_RCVD_VALUE_MAX bytes per value (longer: unparsed, "too long"),
 *   MW_RCVD_TOKEN_MAX bytes per name/id kept (longer are cut),
 *   MW_RCVD_COMMENTS_MAX comments per clause.
 *
 * OWNERSHIP
 *   Every string of an mw_received lives in the caller's pool.
 */
#ifndef MW_MAIL_RECEIVED_H
#define MW_MAIL_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/pool.h"

typedef enum mw_rcvd_mta {
	MW_MTA_UNKNOWN = 0,
	MW_MTA_POSTFIX,
	MW_MTA_SENDMAIL,
	MW_MTA_EXIM,
	MW_MTA_QMAIL,
	MW_MTA_EXCHANGE,
	MW_MTA_GMAIL,
} mw_rcvd_mta;

typedef struct mw_received {
	const char *raw;     /* the value, unfolded: white space runs become one space */
	bool parsed;         /* false: no from/by clause understood (raw kept) */
	const char *problem; /* why not parsed, or a note ("date unreadable"); NULL */
	bool local;         /* no network client: qmail "(qmail N invoked ...)", "from user@host" */
	const char *helo;   /* HELO/EHLO name as the client gave it; NULL if absent */
	const char *rdns;   /* reverse-DNS name seen by the receiver; NULL = not recorded */
	bool rdns_unknown;  /* the receiver wrote "unknown": its PTR lookup failed */
	bool may_be_forged; /* Sendmail "(may be forged)": rDNS did not confirm */
	bool has_ip;
	mw_ip ip;            /* the connecting client's address */
	const char *ip_text; /* as written (without brackets / "IPv6:"); NULL if none */
	const char *by;      /* receiving host; NULL if absent */
	const char *via;
	const char *protocol; /* upper case: "ESMTPS", "SMTP", "HTTP" ...; NULL if absent */
	const char *id;
	const char *for_addr; /* envelope recipient without <>; NULL if absent */
	bool tls, authenticated;
	mw_rcvd_mta mta; /* who wrote the line, when recognisable */
	bool has_time;
	int64_t time; /* UTC seconds */
	int tz_minutes;
} mw_received;

/* mw_received_parse - parse one field value (folded or not) into out.
 * MW_OK also for an unparsable line (out->parsed false); MW_ENOMEM when the
 * pool is exhausted. */
mw_status mw_received_parse(const char *value, size_t len, mw_pool *pool, mw_received *out);

/* mw_rcvd_mta_name - "postfix", "exim" ... "unknown" */
const char *mw_rcvd_mta_name(mw_rcvd_mta m);

#endif
