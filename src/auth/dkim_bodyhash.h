/*
 * auth/dkim_bodyhash.h - the body hashes of a message computed while the
 * body streams by, once per distinct (hash, body canonicalization, l=)
 * (RFC 6376 §3.4.3-§3.4.5, §3.5 l=, §3.7; RFC 8617 §4.1.2).
 *
 * DESCRIPTION
 *   A milter sees the header fields first and then the body in chunks of
 *   any size; keeping a 50 MB body in memory only to hash it is waste.  A
 *   mw_bodyhash_set is planned from the header section before the body
 *   arrives (mw_bodyhash_set_plan: every DKIM-Signature the verifier will
 *   evaluate and every ARC-Message-Signature; mw_bodyhash_set_want for our
 *   own signatures and seals), fed the raw body chunks
 *   (mw_bodyhash_set_update) and finished (mw_bodyhash_set_final).  Each
 *   distinct (hash, canonicalization, limit) gets one mw_body_hash
 *   (auth/dkim_canon.h), so two signatures with the same parameters share
 *   the work, as the whole-message verifier does.
 *
 *   Line endings are normalised on the way in exactly as mw_message_parse
 *   does for a whole message (CRLF stays, a bare CR or bare LF becomes
 *   CRLF), including a CR at the end of one chunk and its LF at the start
 *   of the next: the streamed hash of any chunking equals the hash of the
 *   whole parsed message's body.
 *
 *   The verifiers (auth/dkim.h, auth/arc.h) and signers (dkim_sign.h,
 *   arc_seal.c) take an optional set: with one, the body hashes come from
 *   it and the message they are given may hold the header section only;
 *   without, they hash mw_message.body as before.  mw_body_digest is that
 *   choice in one place.
 *
 * LIMITS
 *   MW_DKIM_BODYHASH_MAX distinct hashes per set (core/limits.h); a want
 *   past it is counted in nrefused and its signatures are reported as not
 *   evaluated by the verifier (permerror with a reason).  Memory: about
 *   4.3 KiB per hash, whatever the body size.
 *
 * OWNERSHIP
 *   The set owns its hash contexts (mw_bodyhash_set_free, safe twice);
 *   entries are plain values inside it.
 */
#ifndef MW_AUTH_DKIM_BODYHASH_H
#define MW_AUTH_DKIM_BODYHASH_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/dkim_canon.h"
#include "core/err.h"
#include "core/limits.h"
#include "mail/message.h"

typedef struct mw_bodyhash_entry {
	int md_type;          /* EVP_MD_get_type (NID): sha256 or sha1 */
	mw_canon canon;
	int64_t limit;        /* l= or -1 */
	mw_body_hash h;
	bool done;            /* digest valid */
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen;
	uint64_t total;       /* canonical length of the whole body */
} mw_bodyhash_entry;

typedef struct mw_bodyhash_set {
	mw_bodyhash_entry e[MW_DKIM_BODYHASH_MAX];
	size_t n;
	size_t nrefused;      /* wants past MW_DKIM_BODYHASH_MAX */
	bool started;         /* body bytes fed: no more wants */
	bool finished;
	bool cr;              /* the last chunk ended in a CR (LF may follow) */
	uint64_t bytes;       /* raw body bytes fed */
} mw_bodyhash_set;

/* mw_bodyhash_set_init - empty set */
void mw_bodyhash_set_init(mw_bodyhash_set *s);
/* mw_bodyhash_set_want - hash the body under (md, canon, limit) too; a duplicate is
 * free.  MW_ETOOBIG when full (counted in nrefused), MW_EINVAL once the body
 * started, MW_ENOMEM if the hash context cannot be made. */
mw_status mw_bodyhash_set_want(mw_bodyhash_set *s, const EVP_MD *md, mw_canon canon,
			       int64_t limit);
/* mw_bodyhash_set_plan - a want for every DKIM-Signature (the first
 * MW_DKIM_SIGS_MAX, as dkim.h evaluates) and every ARC-Message-Signature of
 * hdr whose a=, c= and l= are readable (the others fail before their body
 * hash is needed).  MW_OK or the first want error other than MW_ETOOBIG. */
mw_status mw_bodyhash_set_plan(mw_bodyhash_set *s, const mw_message *hdr);
/* mw_bodyhash_set_update - the next raw body chunk (any line endings, any split) */
void mw_bodyhash_set_update(mw_bodyhash_set *s, const char *p, size_t n);
/* mw_bodyhash_set_final - close every hash; MW_ENOMEM if a digest fails */
mw_status mw_bodyhash_set_final(mw_bodyhash_set *s);
/* mw_bodyhash_set_get - the finished entry for (md, canon, limit), or NULL */
const mw_bodyhash_entry *mw_bodyhash_set_get(const mw_bodyhash_set *s, const EVP_MD *md,
					     mw_canon canon, int64_t limit);
/* mw_bodyhash_set_free - release every context */
void mw_bodyhash_set_free(mw_bodyhash_set *s);

/* mw_body_digest - the body hash under (md, canon, limit): from set when set is
 * not NULL (MW_ENOTFOUND if it was not hashed there), else computed from
 * m->body.  out holds EVP_MAX_MD_SIZE; total (may be NULL) gets the whole
 * canonical body length. */
mw_status mw_body_digest(const mw_bodyhash_set *set, const mw_message *m, const EVP_MD *md,
			 mw_canon canon, int64_t limit, unsigned char *out, unsigned *outlen,
			 uint64_t *total);

#endif
