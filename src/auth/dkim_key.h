/*
 * auth/dkim_key.h - DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4).
 *
 * DESCRIPTION
 *   mw_dkim_key_parse reads one TXT record published at
 *   <selector>._domainkey.<domain>:
 *     v=  optional; if present it must be the first tag and be "DKIM1"
 *     k=  key type, "rsa" (default) or "ed25519"; other values: permerror
 *     h=  acceptable hashes (colon list); absent = all.  Unknown names are
 *         ignored; the signature's hash must be listed
 *     s=  service types; must hold "*" or "email" (absent = "*")
 *     t=  flags: "y" testing, "s" strict i=/d= match; unknown flags ignored
 *     p=  base64 key: RSA as SubjectPublicKeyInfo (the RFC form) or PKCS#1
 *         RSAPublicKey (seen in the wild); Ed25519 as the raw 32-byte key
 *         (RFC 8463 §4).  Empty p= means the key was revoked (§3.6.1).
 *     n=, g= and unknown tags are ignored (g= was dropped by RFC 6376).
 *   Any syntax error is MW_EPARSE with a reason: the verifier reports
 *   permerror.  RSA keys under MW_DKIM_RSA_MIN_BITS parse (so the verifier
 *   can say why it refuses them, RFC 8301 §3.2) but are flagged weak; keys
 *   over MW_DKIM_RSA_MAX_BITS are refused.
 *
 * OWNERSHIP
 *   The key owns its EVP_PKEY: mw_dkim_key_free.
 */
#ifndef MW_AUTH_DKIM_KEY_H
#define MW_AUTH_DKIM_KEY_H

#include <openssl/evp.h>
#include <stdbool.h>

#include "auth/dkim_crypto.h"
#include "core/err.h"

typedef enum mw_dkim_ktype { MW_DKIM_K_RSA = 0, MW_DKIM_K_ED25519 } mw_dkim_ktype;

typedef struct mw_dkim_key {
	mw_dkim_ktype type;
	EVP_PKEY *pkey;   /* NULL when revoked */
	int bits;         /* RSA modulus size; 256 for Ed25519 */
	bool revoked;     /* p= empty */
	bool weak;        /* RSA under MW_DKIM_RSA_MIN_BITS */
	bool testing;     /* t=y */
	bool strict;      /* t=s: i= domain must equal d= */
	bool hash_sha1, hash_sha256; /* h= allows (both when h= absent) */
	EVP_PKEY_CTX *vctx; /* borrowed from a key cache: RSA context ready to verify
			     * rsa-sha256 hashes, or NULL (see dkim_keycache.h) */
} mw_dkim_key;

/* mw_dkim_key_parse - parse a key record; MW_OK, or MW_EPARSE with reason
 * (revoked keys: MW_EPARSE with out->revoked set) */
mw_status mw_dkim_key_parse(const char *txt, size_t len, mw_dkim_key *out, mw_err *err);
/* mw_dkim_key_free - release the public key */
void mw_dkim_key_free(mw_dkim_key *k);
/* mw_dkim_key_type_name - "rsa" / "ed25519" */
const char *mw_dkim_key_type_name(mw_dkim_ktype t);

#endif
