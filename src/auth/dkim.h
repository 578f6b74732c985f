/*
 * auth/dkim.h - DKIM signature verification (RFC 6376 §6, RFC 8301,
 * RFC 8463), results as in RFC 8601 §2.7.1.
 *
 * DESCRIPTION
 *   mw_dkim_verify_step evaluates every DKIM-Signature field of a message
 *   (top to bottom, at most MW_DKIM_SIGS_MAX; the rest are reported as not
 *   evaluated).  It is a dns_eval_fn: it asks for every key record
 *   (<s>._domainkey.<d> TXT) through dns/lookup.h at once and returns
 *   MW_NEED_DNS until all are cached; it never does I/O.  The parsed
 *   signatures are kept between replays, so a replay only redoes the key
 *   and crypto work.  mw_dkim_verify_run is the run-to-completion driver.
 *
 *   Per signature (§6.1.1-§6.1.3):
 *     permerror  tag-list syntax, v= not "1", a missing required tag
 *                (a b bh d h s), unknown a= or c=, q= without dns/txt,
 *                i= outside d=, h= without From (§5.4), x= before t=,
 *                x= in the past (expired), l= longer than the body, a bad
 *                or revoked or mismatched key, no key record, a key whose
 *                h=/s=/t=s excludes this signature
 *     temperror  the key lookup failed temporarily
 *     fail       body hash mismatch, or the signature does not verify
 *     policy     cryptographically good but refused by RFC 8301: rsa-sha1
 *                (§3.1) or an RSA key under 1024 bits (§3.2)
 *     neutral    not evaluated (past MW_DKIM_SIGS_MAX)
 *     pass       good signature (flags: l= partial body, t=y testing)
 *   With bodies set (auth/dkim_bodyhash.h) the body hashes come from there;
 *   a signature whose (a=, c=, l=) was not hashed is a permerror.
 *   The message result is the best of them in the order pass, temperror,
 *   fail, policy, permerror, neutral; none when there is no signature.
 *
 * OWNERSHIP
 *   The verifier borrows the message (keep it alive) and owns a pool with
 *   every string it reports; mw_dkim_verify_free releases it.
 */
#ifndef MW_AUTH_DKIM_H
#define MW_AUTH_DKIM_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth/dkim_bodyhash.h"
#include "auth/dkim_canon.h"
#include "auth/dkim_crypto.h"
#include "auth/dkim_keycache.h"
#include "auth/result.h"
#include "core/limits.h"
#include "core/pool.h"
#include "dns/lookup.h"
#include "mail/message.h"

#define MW_DKIM_REASON_MAX 256

typedef struct mw_dkim_sig {
	/* what the signature says ("" when absent); pool strings */
	const char *domain;    /* d=, lower-case */
	const char *selector;  /* s= */
	const char *identity;  /* i= (default "@" d=) */
	const char *b;         /* b= without whitespace (header.b) */
	mw_dkim_alg alg;
	const char *alg_name;  /* a= as written */
	mw_canon hcanon, bcanon;
	long field;            /* index of the DKIM-Signature field */
	int64_t l, t, x;       /* -1 when absent */
	/* what verification found */
	mw_auth_result result;
	char reason[MW_DKIM_REASON_MAX];
	uint64_t body_len;     /* canonical body length */
	bool body_partial;     /* l= left part of the body unsigned */
	bool testing;          /* key has t=y */
	int key_bits;          /* 0 when no key was read */
	const char *key_type;  /* "rsa" / "ed25519" / NULL */
	/* internal state kept across replays */
	bool done;
	const char *key_name;
	mw_hname *h;
	size_t nh;
	unsigned char *sig, *bh;
	size_t siglen, bhlen;
} mw_dkim_sig;

typedef struct mw_dkim_verify {
	const mw_message *msg;
	time_t now;             /* clock for x= */
	mw_pool *pool;
	mw_dkim_sig sig[MW_DKIM_SIGS_MAX];
	size_t nsig;            /* evaluated signatures */
	size_t nignored;        /* signatures past MW_DKIM_SIGS_MAX */
	bool prepared;
	mw_auth_result result;  /* best result over all signatures */
	mw_dkim_keycache *keys; /* optional, borrowed: set after init to reuse parsed keys */
	const mw_bodyhash_set *bodies; /* optional, borrowed: body hashes computed while the
					* body streamed (msg may then be the header only) */
} mw_dkim_verify;

/* mw_dkim_verify_init - verifier for msg with clock now; MW_ENOMEM if the pool fails */
mw_status mw_dkim_verify_init(mw_dkim_verify *v, const mw_message *msg, time_t now);
/* mw_dkim_verify_free - release the pool (and every string reported) */
void mw_dkim_verify_free(mw_dkim_verify *v);
/* mw_dkim_verify_step - dns_eval_fn: MW_OK when done, MW_NEED_DNS for another round */
mw_status mw_dkim_verify_step(void *v, dns_lookup *lk);
/* mw_dkim_verify_run - evaluate to completion through resolver r */
mw_status mw_dkim_verify_run(mw_dkim_verify *v, dns_lookup *lk, dns_resolver *r, mw_err *err);

/* mw_dkim_result_rank - higher is better, for choosing the message result */
int mw_dkim_result_rank(mw_auth_result r);

/* mw_dkim_header_hash - hash of the h= fields of m (field `skip` never chosen) and
 * then the signature field sig_raw (b= emptied) under c, with md; shared with
 * signing and ARC-Message-Signature.  out >= EVP_MAX_MD_SIZE. */
mw_status mw_dkim_header_hash(const mw_message *m, const mw_hname *h, size_t nh, long skip,
			      const char *sig_raw, size_t sig_len, mw_canon c, const EVP_MD *md,
			      unsigned char *out, unsigned *outlen);
/* mw_dkim_split_h - split an h= value into names (pool); MW_EPARSE on an empty
 * name, MW_ETOOBIG past MW_DKIM_HFIELDS_MAX */
mw_status mw_dkim_split_h(const char *v, size_t n, mw_pool *pool, mw_hname **out, size_t *nout);

#endif
