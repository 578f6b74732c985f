/*
 * outbound/batv.h - BATV "prvs" signing and verification
 * (draft-levine-smtp-batv-01 §4.1, Simple Private Signature).
 *
 * DESCRIPTION
 *   A signed envelope sender is prvs=KDDDSSSSSS=local@domain: K the key
 *   number (0-9), DDD the expiry day (days since 1970-01-01, mod 1000),
 *   SSSSSS the first three bytes, in hex, of HMAC-SHA256(key[K],
 *   "KDDD" || lower(local@domain)).  The draft's example uses SHA-1; the
 *   hash is a private matter of the signer (§4.1: "a hash of ... and a
 *   secret"), and HMAC-SHA256 is what we use.  Syntax comes from
 *   bounce/prvs.h (not duplicated here).
 *
 *   Keys: a key file holds up to MW_BATV_KEYS_MAX lines; line N (0-based,
 *   blank and '#' lines skipped) is key number N.  Signing uses the last
 *   key, so rotation = append a line; verification picks the tag's key.
 *
 *   Grace mode (mw_batv_bounce_action): when only some outbound paths sign,
 *   an untagged bounce recipient is flagged, not rejected.
 *
 * LIMITS
 *   MW_BATV_KEY_MAX bytes per key, MW_BATV_KEYS_MAX keys, addresses up to
 *   MW_BATV_ADDR_MAX.  Validity 1..MW_PRVS_WINDOW days.
 *
 * OWNERSHIP
 *   mw_batv_keys is a plain value; nothing allocated.
 */
#ifndef MW_OUTBOUND_BATV_H
#define MW_OUTBOUND_BATV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"

#define MW_BATV_KEYS_MAX 10    /* K is one digit (draft §4.1) */
#define MW_BATV_KEY_MAX 256    /* bytes of one secret: far above HMAC-SHA256's 64-byte block */
#define MW_BATV_ADDR_MAX 320   /* RFC 5321 §4.5.3.1: 64 local + @ + 255 domain */
#define MW_BATV_VALID_DEF 7    /* days a tag stays valid: the draft suggests about a week */

typedef struct mw_batv_keys {
	int n;
	size_t len[MW_BATV_KEYS_MAX];
	unsigned char key[MW_BATV_KEYS_MAX][MW_BATV_KEY_MAX];
} mw_batv_keys;

typedef enum mw_batv_result {
	MW_BATV_VALID = 0,
	MW_BATV_UNTAGGED,  /* no prvs= tag at all */
	MW_BATV_MALFORMED, /* starts with prvs= but is not a tag */
	MW_BATV_EXPIRED,   /* day stamp outside the window */
	MW_BATV_NOKEY,     /* the tag's key number is not configured */
	MW_BATV_BADSIG,    /* signature does not match */
} mw_batv_result;

typedef enum mw_batv_action {
	MW_BATV_ACCEPT = 0,
	MW_BATV_FLAG,   /* grace mode: score/flag only */
	MW_BATV_REJECT,
} mw_batv_action;

/* mw_batv_keys_parse - key file text into keys; MW_EPARSE when none or a line is too long */
mw_status mw_batv_keys_parse(const char *text, size_t len, mw_batv_keys *k, mw_err *err);
/* mw_batv_keys_load - read and parse a key file */
mw_status mw_batv_keys_load(const char *path, mw_batv_keys *k, mw_err *err);
/* mw_batv_day - days since the epoch for t */
long mw_batv_day(time_t now);
/* mw_batv_sign - out = prvs=... for addr (local@domain), valid for days days.
 * An address already tagged is re-signed from its original local part. */
mw_status mw_batv_sign(const mw_batv_keys *k, const char *addr, time_t now, int days,
		       char *out, size_t n, mw_err *err);
/* mw_batv_verify - check a tagged address; orig (may be NULL) gets local@domain */
mw_batv_result mw_batv_verify(const mw_batv_keys *k, const char *addr, time_t now,
			      char *orig, size_t n);
/* mw_batv_result_str - "valid", "untagged", ... */
const char *mw_batv_result_str(mw_batv_result r);
/* mw_batv_bounce_action - what to do with a null-sender message to rcpt's verdict */
mw_batv_action mw_batv_bounce_action(mw_batv_result r, bool grace);

#endif
