/*
 * auth/dkim_sign.h - DKIM signing (RFC 6376 §5, RFC 8463).
 *
 * DESCRIPTION
 *   mw_dkim_sign produces the DKIM-Signature field for a message:
 *   rsa-sha256 or ed25519-sha256 (from the key unless given), the chosen
 *   header/body canonicalization, t= set to the given clock, optional x=,
 *   i= and l=.  The signed header list is either the caller's (it must
 *   name From, RFC 6376 §5.4) or the default: every present field among
 *   MW_DKIM_SIGN_DEFAULT_HEADERS, once per instance, with From listed one
 *   more time than it occurs (over-signing, §8.15), so no From can be added
 *   in transit without breaking the signature.  A message without a From
 *   field is refused.  The output field is folded at 78 columns with
 *   CRLF + TAB and ends in CRLF; the caller prepends it to the message.
 *
 * OWNERSHIP
 *   The field is appended to the caller's mw_buf.  The key is borrowed.
 */
#ifndef MW_AUTH_DKIM_SIGN_H
#define MW_AUTH_DKIM_SIGN_H

#include <stdint.h>
#include <time.h>

#include "auth/dkim_bodyhash.h"
#include "auth/dkim_canon.h"
#include "auth/dkim_crypto.h"
#include "core/buf.h"
#include "mail/message.h"

#define MW_DKIM_SIGN_DEFAULT_HEADERS                                                           \
	"from:reply-to:subject:date:to:cc:message-id:in-reply-to:references:mime-version:"    \
	"content-type:content-transfer-encoding:list-id:list-unsubscribe:list-unsubscribe-post"

typedef struct mw_dkim_sign_opts {
	const char *domain;   /* d= (required) */
	const char *selector; /* s= (required) */
	mw_dkim_alg alg;      /* MW_DKIM_ALG_UNKNOWN = the key's own */
	mw_canon hcanon, bcanon;
	const char *headers;  /* colon-separated h= list as given; NULL = the default */
	const char *identity; /* i=; NULL = none */
	time_t now;           /* t= */
	int64_t expire;       /* x= now + expire when > 0 */
	int64_t body_length;  /* l=: -1 none, -2 = the whole canonical body length */
	const mw_bodyhash_set *bodies; /* optional: streamed body hashes holding (sha256,
					* bcanon, l= or -1); m may then be the header only */
} mw_dkim_sign_opts;

/* mw_dkim_sign_opts_init - relaxed/relaxed, default headers, no x=, no l= */
void mw_dkim_sign_opts_init(mw_dkim_sign_opts *o, const char *domain, const char *selector,
			    time_t now);
/* mw_dkim_sign - append "DKIM-Signature: ...CRLF" for m signed with key to out */
mw_status mw_dkim_sign(const mw_message *m, EVP_PKEY *key, const mw_dkim_sign_opts *o,
		       mw_buf *out, mw_err *err);

#endif
