/*
 * auth/dkim_canon.h - DKIM canonicalization and hashing (RFC 6376 §3.4,
 * §3.7, §5.4.2), shared by DKIM and ARC (RFC 8617 §5.1, §5.2).
 *
 * DESCRIPTION
 *   Header fields (§3.4.1 simple, §3.4.2 relaxed): mw_canon_header appends
 *   one field's canonical form, CRLF included.  mw_canon_sig_header gives
 *   the form of a signature field itself (DKIM-Signature, ARC-Seal,
 *   ARC-Message-Signature) with the b= value and the whitespace around it
 *   deleted and no final CRLF (§3.7).  mw_canon_select appends the fields
 *   named by an h= list, each name taking the next instance from the
 *   bottom of the header up; a name with no instance left adds nothing, so
 *   over-signed names are harmless (§5.4.2).
 *
 *   Body (§3.4.3 simple, §3.4.4 relaxed): an mw_body_hash is fed the
 *   CRLF-normalised body (as mw_message gives it) in chunks of any size and
 *   hashes its canonical form, stopping after `limit` bytes when l= is in
 *   use (§3.5 l=); it counts the whole canonical length too, so the caller
 *   can tell whether l= left part of the body unsigned.  An empty body is
 *   CRLF under simple and nothing under relaxed (RFC 6376 §3.4.3, erratum
 *   1384 for relaxed).
 *
 * LIMITS
 *   Appends fail with MW_ETOOBIG when the output mw_buf reaches its
 *   maximum; h= lists are capped by the caller (MW_DKIM_HFIELDS_MAX).
 *
 * OWNERSHIP
 *   mw_body_hash owns an EVP_MD_CTX (mw_body_hash_free); everything else
 *   writes into the caller's buffer.
 */
#ifndef MW_AUTH_DKIM_CANON_H
#define MW_AUTH_DKIM_CANON_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "mail/message.h"

typedef enum mw_canon { MW_CANON_SIMPLE = 0, MW_CANON_RELAXED = 1 } mw_canon;

/* mw_canon_parse - "simple" / "relaxed" (case-insensitive) from s[0..n); false if other */
bool mw_canon_parse(const char *s, size_t n, mw_canon *out);
/* mw_canon_name - "simple" / "relaxed" */
const char *mw_canon_name(mw_canon c);

/* mw_canon_header - append the canonical form of one raw field (no final CRLF in raw) */
mw_status mw_canon_header(mw_canon c, const char *raw, size_t len, mw_buf *out);
/* mw_canon_sig_header - canonical signature field with b= emptied, no final CRLF.
 * MW_EPARSE if the field holds no b= tag. */
mw_status mw_canon_sig_header(mw_canon c, const char *raw, size_t len, mw_buf *out);

typedef struct mw_hname {
	const char *name;
	size_t len;
} mw_hname;

/* mw_canon_select - append the fields named in h[0..n) chosen bottom-up (§5.4.2).
 * skip (or -1) is a field index never selected (the signature being verified). */
mw_status mw_canon_select(mw_canon c, const mw_message *m, const mw_hname *h, size_t n,
			  long skip, mw_buf *out);

typedef struct mw_body_hash {
	EVP_MD_CTX *ctx;
	mw_canon canon;
	int64_t limit;      /* bytes to hash; -1 = all (no l=) */
	uint64_t hashed;    /* canonical bytes given to the hash */
	uint64_t total;     /* canonical length of the whole body */
	uint64_t pending;   /* CRLF bytes held back (possible trailing empty lines) */
	bool wsp;           /* relaxed: a WSP run held back */
	bool content;       /* some non-empty line seen */
	bool mid_line;      /* last byte fed was not LF */
	char buf[4096];     /* relaxed: output staging */
	size_t nbuf;
} mw_body_hash;

/* mw_body_hash_init - start hashing with md under canon; limit -1 = whole body */
mw_status mw_body_hash_init(mw_body_hash *bh, const EVP_MD *md, mw_canon canon, int64_t limit);
/* mw_body_hash_update - feed the next chunk of the CRLF-normalised body */
void mw_body_hash_update(mw_body_hash *bh, const char *p, size_t n);
/* mw_body_hash_final - finish; digest into out (EVP_MAX_MD_SIZE), length in *outlen */
mw_status mw_body_hash_final(mw_body_hash *bh, unsigned char *out, unsigned *outlen);
/* mw_body_hash_free - release the context (safe twice) */
void mw_body_hash_free(mw_body_hash *bh);

/* mw_body_hash_oneshot - hash a whole body: init, update, final, free */
mw_status mw_body_hash_oneshot(const EVP_MD *md, mw_canon canon, int64_t limit, const char *body,
			       size_t len, unsigned char *out, unsigned *outlen, uint64_t *total);

#endif
