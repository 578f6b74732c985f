/*
 * auth/arc.h - Authenticated Received Chain (RFC 8617): validate the chain
 * of a message and seal it as a new hop.
 *
 * DESCRIPTION
 *   Validation (§5.2), a dns_eval_fn like DKIM (no I/O: the key records
 *   <s>._domainkey.<d> of every seal and message signature are asked for in
 *   one DNS round through dns/lookup.h):
 *     1. collect ARC-Seal (AS), ARC-Message-Signature (AMS) and
 *        ARC-Authentication-Results (AAR) fields; none at all: cv=none.
 *        Each must carry a valid instance i=1..MW_ARC_INSTANCES_MAX (for the
 *        AAR, "i=N;" must come first); otherwise fail.
 *     2. the newest AS says cv=fail: the chain has failed (§5.2 step 2).
 *     3. structure: exactly one AS, AMS and AAR per instance 1..N, AS(1)
 *        cv=none and every later AS cv=pass (§4.2.1).
 *     4. the newest AMS must verify, like a DKIM signature (§4.1.2):
 *        a=rsa-sha256 only (RFC 8617 §4.1.2 / RFC 8301), b bh d h s
 *        required, c= default simple/simple, h= must not list ARC-Seal,
 *        t= if present a number.  Older AMS are verified too, to report
 *        oldest-pass (§5.2 step 5), without changing the result.
 *     5. every AS from N down to 1 must verify (§5.1.1): relaxed header
 *        canonicalization of AAR(1) AMS(1) AS(1) ... AAR(i) AMS(i) and AS(i)
 *        with b= emptied, RSA-SHA256; AS tags i a b cv d s [t], no h=.
 *     Keys: RSA of at least MW_DKIM_RSA_MIN_BITS (RFC 8301); a revoked,
 *     missing or unparseable key fails the chain; a temporary DNS failure
 *     gives cv=temperror (not an RFC 8617 state: the caller should defer).
 *
 *   Sealing (§5.1): mw_arc_seal adds instance N+1 to a validated message:
 *   an AAR built from the results given (or, by default, every
 *   Authentication-Results field carrying our authserv-id, each resinfo in
 *   order, RFC 8617 §4.1.1 and the ValiMail suite's consolidation rule), an
 *   AMS over the h= fields and the body (relaxed/relaxed), and an AS with
 *   cv= from the validation (none, pass, or fail).  Signed fields use one
 *   fixed layout (tags in alphabetical order, one space after each ';'),
 *   the "standardized header format" of the ValiMail signing suite.  A
 *   chain that is already at MW_ARC_INSTANCES_MAX, or whose newest seal
 *   says fail, is refused (§5.1.2: do not seal on top of a failed chain).
 *
 * LIMITS
 *   MW_ARC_INSTANCES_MAX (50, §4.2.1) sets; MW_ARC_FIELDS_MAX ARC fields.
 *
 * OWNERSHIP
 *   The verifier borrows the message and owns a pool (mw_arc_verify_free);
 *   sealed field texts are allocated from the caller's pool.  Private keys
 *   are never logged or copied.
 */
#ifndef MW_AUTH_ARC_H
#define MW_AUTH_ARC_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <time.h>

#include "auth/dkim_bodyhash.h"
#include "auth/result.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/pool.h"
#include "dns/lookup.h"
#include "mail/message.h"

typedef struct mw_arc_sig mw_arc_sig; /* one parsed AS or AMS (arc.c) */

typedef struct mw_arc_set {
	long aar, ams, as;   /* field indexes in the message, -1 when missing */
	mw_arc_sig *ams_sig, *as_sig;
	mw_auth_result ams_result; /* PASS / FAIL / TEMPERROR / NONE (not checked) */
	mw_auth_result as_result;
} mw_arc_set;

typedef struct mw_arc_key_cache mw_arc_key_cache; /* parsed keys of one validation (arc.c) */

typedef struct mw_arc_verify {
	const mw_message *msg;
	time_t now;
	mw_pool *pool;
	mw_arc_set set[MW_ARC_INSTANCES_MAX + 1]; /* by instance, [0] unused */
	unsigned n;             /* highest instance (0: no ARC fields) */
	bool prepared;
	mw_auth_result cv;      /* NONE, PASS, FAIL, or TEMPERROR (key lookup) */
	unsigned oldest_pass;   /* lowest i with AMS(i..N) all valid; 0 unless cv=pass */
	unsigned failed_instance; /* the set that decided a fail, 0 if none */
	bool newest_says_fail;  /* the newest ARC-Seal carries cv=fail (§5.2 step 2) */
	char reason[MW_ERR_MSG_MAX];
	mw_arc_key_cache *keys; /* an AS and the AMS of one hop usually share a key */
	const mw_bodyhash_set *bodies; /* optional, borrowed: streamed body hashes (set after
					* init; msg may then be the header only) */
} mw_arc_verify;

/* mw_arc_verify_init - verifier for msg; MW_ENOMEM if the pool fails */
mw_status mw_arc_verify_init(mw_arc_verify *v, const mw_message *msg, time_t now);
/* mw_arc_verify_free - release the pool */
void mw_arc_verify_free(mw_arc_verify *v);
/* mw_arc_verify_step - dns_eval_fn: MW_OK when cv is known, MW_NEED_DNS for a round */
mw_status mw_arc_verify_step(void *v, dns_lookup *lk);
/* mw_arc_verify_run - evaluate to completion through resolver r */
mw_status mw_arc_verify_run(mw_arc_verify *v, dns_lookup *lk, dns_resolver *r, mw_err *err);
/* mw_arc_cv_name - "none", "pass", "fail" ("fail" also for temperror) */
const char *mw_arc_cv_name(mw_auth_result cv);

typedef struct mw_arc_seal_opts {
	const char *domain;       /* d= */
	const char *selector;     /* s= */
	const char *authserv_id;  /* our ADMD's authserv-id (AAR) */
	EVP_PKEY *key;            /* RSA private key (borrowed) */
	const char *headers;      /* h= list "from:to:subject"; NULL = defaults present */
	const char *auth_results; /* resinfo text "spf=pass ...; dkim=..." for the AAR;
				   * NULL = the message's A-R fields with authserv_id */
	time_t t;                 /* t= (signature time) */
	const mw_bodyhash_set *bodies; /* optional: streamed body hashes, which must include
					* (sha256, relaxed, -1); msg may then be the header only */
} mw_arc_seal_opts;

typedef struct mw_arc_seal_out {
	unsigned instance;
	mw_auth_result cv;        /* cv= written in the new seal */
	const char *aar, *ams, *as; /* whole fields "Name: value" (CRLF folding, no final CRLF) */
} mw_arc_seal_out;

/* mw_arc_seal - build the new ARC set for msg; chain is a finished validation of msg.
 * MW_EINVAL (bad options / chain failed or full), MW_EPARSE (A-R text), MW_ENOMEM */
mw_status mw_arc_seal(const mw_message *msg, const mw_arc_verify *chain,
		      const mw_arc_seal_opts *o, mw_pool *pool, mw_arc_seal_out *out, mw_err *err);

#endif
