/*
 * auth/dkim_crypto.h - the signature primitives of DKIM and ARC.
 *
 * DESCRIPTION
 *   DKIM (RFC 6376 §3.3) and ARC (RFC 8617 §4.1.3) sign the hash of the
 *   canonicalized header fields.  rsa-sha256 and rsa-sha1 are RSASSA-
 *   PKCS1-v1_5 over that hash (RFC 8017 §8.2); ed25519-sha256 is pure
 *   Ed25519 (RFC 8032) over the 32-byte SHA-256 hash itself (RFC 8463 §3).
 *   mw_dkim_crypto_verify / _sign take the finished hash, so a caller
 *   (DKIM, ARC-Message-Signature, ARC-Seal) computes the hash its own way
 *   and shares these.  rsa-sha1 is verifiable here; refusing it (RFC 8301)
 *   is the engine's decision, so it can say *why* a signature is refused.
 *
 *   Private keys: mw_dkim_load_private_key accepts PEM (PKCS#8, or PKCS#1
 *   "RSA PRIVATE KEY") and, for Ed25519, the base64 raw 32-byte seed used
 *   by dkimpy's test data.  Keys are never printed or logged.
 *
 * OWNERSHIP
 *   EVP_PKEY values returned belong to the caller (EVP_PKEY_free).
 */
#ifndef MW_AUTH_DKIM_CRYPTO_H
#define MW_AUTH_DKIM_CRYPTO_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef enum mw_dkim_alg {
	MW_DKIM_ALG_UNKNOWN = 0,
	MW_DKIM_ALG_RSA_SHA256,
	MW_DKIM_ALG_ED25519_SHA256,
	MW_DKIM_ALG_RSA_SHA1, /* verifiable, never accepted (RFC 8301 §3.1) */
} mw_dkim_alg;

/* mw_dkim_alg_parse - a= value (case-insensitive); MW_DKIM_ALG_UNKNOWN if other */
mw_dkim_alg mw_dkim_alg_parse(const char *s, size_t n);
/* mw_dkim_alg_name - "rsa-sha256" ... */
const char *mw_dkim_alg_name(mw_dkim_alg a);
/* mw_dkim_alg_md - the hash of the algorithm (EVP_sha256 / EVP_sha1) */
const EVP_MD *mw_dkim_alg_md(mw_dkim_alg a);
/* mw_dkim_alg_is_rsa - RSA family */
bool mw_dkim_alg_is_rsa(mw_dkim_alg a);

/* mw_dkim_crypto_verify - true if sig is a valid signature of hash by key under alg */
bool mw_dkim_crypto_verify(EVP_PKEY *key, mw_dkim_alg alg, const unsigned char *hash,
			   size_t hlen, const unsigned char *sig, size_t siglen);
/* mw_dkim_crypto_sign - signature of hash into out (size *outlen in, length out) */
mw_status mw_dkim_crypto_sign(EVP_PKEY *key, mw_dkim_alg alg, const unsigned char *hash,
			      size_t hlen, unsigned char *out, size_t *outlen, mw_err *err);

/* mw_dkim_load_private_key - PEM or base64 Ed25519 seed from data[0..len) */
mw_status mw_dkim_load_private_key(const char *data, size_t len, EVP_PKEY **out, mw_err *err);
/* mw_dkim_key_alg - the signing algorithm a private key implies (rsa-sha256 / ed25519-sha256) */
mw_dkim_alg mw_dkim_key_alg(EVP_PKEY *key);

/* mw_b64_decode - base64 with whitespace skipped; false if malformed or over n bytes */
bool mw_b64_decode(const char *s, size_t slen, unsigned char *out, size_t n, size_t *outlen);
/* mw_b64_encode - base64 of p[0..n) into out (size >= 4*((n+2)/3)+1) */
void mw_b64_encode(const unsigned char *p, size_t n, char *out);

#endif
