/*
 * auth/dkim_keycache.h - parsed DKIM key records and hash methods kept
 * across verifications.
 *
 * DESCRIPTION
 *   Decoding a public key (OpenSSL 3's d2i decoders) and fetching a hash
 *   method cost more than an RSA-2048 verification itself, so a program
 *   that verifies many messages (the daemon, benchmarks) gives the
 *   verifier one of these.  Entries are keyed by the exact TXT record text,
 *   so a changed record is a new entry and the DNS cache's TTLs still
 *   decide what record is current.  Only records that parse are kept; at
 *   MW_DKIM_KEYCACHE_MAX entries the cache is emptied (O(N), rare).
 *   Not thread-safe: one per thread or event loop.
 *
 * OWNERSHIP
 *   mw_dkim_keycache_get fills a mw_dkim_key holding its own reference to
 *   the EVP_PKEY: release it with mw_dkim_key_free as usual.
 */
#ifndef MW_AUTH_DKIM_KEYCACHE_H
#define MW_AUTH_DKIM_KEYCACHE_H

#include "auth/dkim_key.h"

typedef struct mw_dkim_keycache mw_dkim_keycache;

/* mw_dkim_keycache_new - empty cache with SHA-256/SHA-1 fetched; NULL on failure */
mw_dkim_keycache *mw_dkim_keycache_new(void);
/* mw_dkim_keycache_free - release every key and method */
void mw_dkim_keycache_free(mw_dkim_keycache *kc);
/* mw_dkim_keycache_get - mw_dkim_key_parse through the cache (kc may be NULL) */
mw_status mw_dkim_keycache_get(mw_dkim_keycache *kc, const char *txt, size_t len,
			       mw_dkim_key *out, mw_err *err);
/* mw_dkim_keycache_md - the prefetched hash of alg (kc may be NULL: EVP_sha256/EVP_sha1) */
const EVP_MD *mw_dkim_keycache_md(const mw_dkim_keycache *kc, mw_dkim_alg alg);
/* mw_dkim_keycache_count - keys held */
size_t mw_dkim_keycache_count(const mw_dkim_keycache *kc);

#endif
