/*
 * bounce/bs_dkim.h - DKIM evidence for backscatter: verify OUR signature on
 * the returned headers alone (the mw_bs_dkim_fn hook of backscatter.h).
 *
 * DESCRIPTION
 *   A bounce usually returns only the original's headers (RFC 3462
 *   text/rfc822-headers), so the body hash (bh=) cannot be checked.  The
 *   header signature b= covers the DKIM-Signature field itself, bh= value
 *   included (RFC 6376 §3.7), so a b= that verifies proves that we signed a
 *   message with exactly these headers - enough to tell our mail from a
 *   forgery.  Steps: signature tags (auth/taglist.h), h= selection and
 *   canonicalisation (mw_dkim_header_hash, RFC 6376 §3.4, §5.4.2), the key
 *   from our own published record given locally (no DNS: these are our
 *   keys), signature check (auth/dkim_crypto.h).
 *
 * OWNERSHIP
 *   The key table borrows its strings from the caller.
 */
#ifndef MW_BOUNCE_BS_DKIM_H
#define MW_BOUNCE_BS_DKIM_H

#include <stddef.h>

#define MW_BS_DKIM_KEYS_MAX 16 /* selectors of our own domains: abuse limit */

typedef struct mw_bs_dkim_key {
	const char *domain;   /* d= */
	const char *selector; /* s= */
	const char *record;   /* TXT record text: "v=DKIM1; k=rsa; p=..." */
} mw_bs_dkim_key;

typedef struct mw_bs_dkim_keys {
	mw_bs_dkim_key key[MW_BS_DKIM_KEYS_MAX];
	size_t n;
} mw_bs_dkim_keys;

/* mw_bs_dkim_verify_headers - hook for mw_bs_policy.dkim_verify (ctx is a
 * mw_bs_dkim_keys *): 1 a signature of d=domain verifies over the headers,
 * 0 one fails, -1 no signature of domain has a known key or it is unreadable */
int mw_bs_dkim_verify_headers(void *ctx, const char *headers, size_t len, const char *domain,
			      char *why, size_t n);

#endif
