/*
 * bounce/prvs.h - recognise a BATV tag in an address (draft-levine-smtp-batv
 * §4.1, "prvs" = Simple Private Signature): prvs=KDDDSSSSSS=loc-core@domain.
 *
 * DESCRIPTION
 *   K is the key number (one digit), DDD the expiry day (last three digits
 *   of days since 1970-01-01, modulo 1000), SSSSSS six hex digits of the
 *   signature.  The pre-draft order loc-core=prvs=tag... is not accepted.
 *   Only the SYNTAX is checked here: verifying the signature needs the
 *   signing key and belongs to the BATV signer (auth/, the milter issue),
 *   reached through the hook in bounce/backscatter.h.
 *
 * OWNERSHIP
 *   Pure parsing into caller storage; nothing allocated.
 */
#ifndef MW_BOUNCE_PRVS_H
#define MW_BOUNCE_PRVS_H

#include <stdbool.h>
#include <stddef.h>

#define MW_PRVS_LOCAL_MAX 64 /* RFC 5321 §4.5.3.1.1 local-part */
#define MW_PRVS_WINDOW 30    /* days ahead an expiry may lie: signers use ~7 */

typedef struct mw_prvs {
	int key;                       /* 0-9 */
	int day;                       /* 0-999 */
	char sig[7];                   /* six lower-case hex digits */
	char local[MW_PRVS_LOCAL_MAX + 1]; /* original local part */
	const char *domain;            /* points into the input, after '@' */
} mw_prvs;

/* mw_prvs_parse - addr is a BATV prvs address; fills out */
bool mw_prvs_parse(const char *addr, mw_prvs *out);

/* mw_prvs_day_valid - day has not expired relative to today (days since
 * the epoch); the draft allows a tag to be used until its day */
bool mw_prvs_day_valid(int day, long today);

#endif
