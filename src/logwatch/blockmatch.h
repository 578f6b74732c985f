/*
 * logwatch/blockmatch.h - is a remote server's reply a reputation block?
 *
 * DESCRIPTION
 *   Classifies the reply text of a deferred or bounced delivery: a refusal
 *   because of the sending IP's or domain's reputation (DNSBL listing,
 *   provider block list, rate limiting for unsolicited mail, policy) as
 *   opposed to a mailbox problem (unknown user, full mailbox) or greylisting.
 *   Generic keywords (block, blacklist, listed, Spamhaus, SORBS, Barracuda,
 *   "not allowed to send", policy, reputation ...) and the well-known reply
 *   formats of large providers (Gmail, Microsoft, Yahoo/AOL, Apple,
 *   Swisscom, GMX/web.de, Orange, Comcast, T-Online, ...) are recognised by
 *   case-insensitive substring tests, no regex.  Cost: a few dozen substring
 *   scans, only on deferred/bounced lines.
 */
#ifndef MW_LOGWATCH_BLOCKMATCH_H
#define MW_LOGWATCH_BLOCKMATCH_H

#include <stdbool.h>

#include "logwatch/sv.h"

typedef struct mw_blockmatch {
	const char *provider; /* "Gmail", "Microsoft" ... or "generic" */
	const char *keyword;  /* what matched */
} mw_blockmatch;

/* mw_block_classify - reply is the remote text (with codes); relay_host the
 * MX (may be unset).  True and *out filled when it is a reputation block. */
bool mw_block_classify(mw_sv reply, mw_sv relay_host, mw_blockmatch *out);

#endif
