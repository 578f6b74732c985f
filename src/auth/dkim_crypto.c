/*
 * auth/dkim_crypto.c - DKIM/ARC signature primitives (see dkim_crypto.h).
 */
#include "auth/dkim_crypto.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>

#include "core/str.h"

/* mw_dkim_alg_parse - a= tag value */
mw_dkim_alg mw_dkim_alg_parse(const char *s, size_t n)
{
	if (mw_strcaseeq_n(s, n, "rsa-sha256"))
		return MW_DKIM_ALG_RSA_SHA256;
	if (mw_strcaseeq_n(s, n, "ed25519-sha256"))
		return MW_DKIM_ALG_ED25519_SHA256;
	if (mw_strcaseeq_n(s, n, "rsa-sha1"))
		return MW_DKIM_ALG_RSA_SHA1;
	return MW_DKIM_ALG_UNKNOWN;
}

/* mw_dkim_alg_name - algorithm word */
const char *mw_dkim_alg_name(mw_dkim_alg a)
{
	switch (a) {
	case MW_DKIM_ALG_RSA_SHA256: return "rsa-sha256";
	case MW_DKIM_ALG_ED25519_SHA256: return "ed25519-sha256";
	case MW_DKIM_ALG_RSA_SHA1: return "rsa-sha1";
	default: return "unknown";
	}
}

/* mw_dkim_alg_md - hash function */
const EVP_MD *mw_dkim_alg_md(mw_dkim_alg a)
{
	return a == MW_DKIM_ALG_RSA_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* mw_dkim_alg_is_rsa - RSA family */
bool mw_dkim_alg_is_rsa(mw_dkim_alg a)
{
	return a == MW_DKIM_ALG_RSA_SHA256 || a == MW_DKIM_ALG_RSA_SHA1;
}

/* mw_dkim_crypto_verify - check a signature over a finished hash */
bool mw_dkim_crypto_verify(EVP_PKEY *key, mw_dkim_alg alg, const unsigned char *hash,
			   size_t hlen, const unsigned char *sig, size_t siglen)
{
	bool ok = false;
	if (alg == MW_DKIM_ALG_ED25519_SHA256) {
		if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
			return false;
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1)
			ok = EVP_DigestVerify(md, sig, siglen, hash, hlen) == 1;
		EVP_MD_CTX_free(md);
		return ok;
	}
	if (!mw_dkim_alg_is_rsa(alg) || EVP_PKEY_get_id(key) != EVP_PKEY_RSA)
		return false;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, mw_dkim_alg_md(alg)) == 1)
		ok = EVP_PKEY_verify(ctx, sig, siglen, hash, hlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* mw_dkim_crypto_sign - sign a finished hash */
mw_status mw_dkim_crypto_sign(EVP_PKEY *key, mw_dkim_alg alg, const unsigned char *hash,
			      size_t hlen, unsigned char *out, size_t *outlen, mw_err *err)
{
	int ok = 0;
	if (alg == MW_DKIM_ALG_ED25519_SHA256 && EVP_PKEY_get_id(key) == EVP_PKEY_ED25519) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1)
			ok = EVP_DigestSign(md, out, outlen, hash, hlen);
		EVP_MD_CTX_free(md);
	} else if (alg == MW_DKIM_ALG_RSA_SHA256 && EVP_PKEY_get_id(key) == EVP_PKEY_RSA) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
		if (ctx && EVP_PKEY_sign_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1)
			ok = EVP_PKEY_sign(ctx, out, outlen, hash, hlen);
		EVP_PKEY_CTX_free(ctx);
	} else {
		return mw_err_set(err, MW_EINVAL, "the key does not fit algorithm %s",
				  mw_dkim_alg_name(alg));
	}
	return ok == 1 ? MW_OK : mw_err_set(err, MW_EINVAL, "signing failed");
}

/* b64val - value of a base64 character: 0-63, 64 whitespace, 65 '=', 66 other */
static unsigned char b64val(unsigned char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 64;
	if (c == '=')
		return 65;
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned char)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (unsigned char)(c - '0' + 52);
	return c == alphabet[62] ? 62 : c == alphabet[63] ? 63 : 66;
}

/* mw_b64_decode - strict base64 (padding optional), whitespace ignored */
bool mw_b64_decode(const char *s, size_t slen, unsigned char *out, size_t n, size_t *outlen)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	size_t k = 0;
	for (size_t i = 0; i < slen; i++) {
		unsigned char v = b64val((unsigned char)s[i]);
		if (v == 64)
			continue;
		if (v == 65) {
			pad++;
			continue;
		}
		if (v == 66 || pad)
			return false; /* not base64, or data after padding */
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k == n)
				return false;
			out[k++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (pad > 2 || bits >= 6 || acc != 0 || (pad && (bits / 2) != pad))
		return false;
	*outlen = k;
	return true;
}

/* mw_b64_encode - base64 with padding */
void mw_b64_encode(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* load_seed - base64 raw 32-byte Ed25519 seed (dkimpy test keys) */
static EVP_PKEY *load_seed(const char *data, size_t len)
{
	unsigned char seed[64];
	size_t n;
	if (!mw_b64_decode(data, len, seed, sizeof(seed), &n) || n != 32)
		return NULL;
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	OPENSSL_cleanse(seed, sizeof(seed));
	return k;
}

/* mw_dkim_load_private_key - PEM or Ed25519 seed */
mw_status mw_dkim_load_private_key(const char *data, size_t len, EVP_PKEY **out, mw_err *err)
{
	*out = NULL;
	if (len > (1u << 20))
		return mw_err_set(err, MW_ETOOBIG, "private key file larger than 1 MiB");
	if (memmem(data, len, "-----BEGIN", 10)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		if (bio)
			*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		*out = load_seed(data, len);
	}
	if (!*out)
		return mw_err_set(err, MW_EPARSE,
				  "not a PEM private key nor a base64 Ed25519 seed (or encrypted)");
	int id = EVP_PKEY_get_id(*out);
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return mw_err_set(err, MW_EPARSE, "private key is neither RSA nor Ed25519");
	}
	return MW_OK;
}

/* mw_dkim_key_alg - algorithm for a private key */
mw_dkim_alg mw_dkim_key_alg(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);
	return id == EVP_PKEY_ED25519 ? MW_DKIM_ALG_ED25519_SHA256
	       : id == EVP_PKEY_RSA   ? MW_DKIM_ALG_RSA_SHA256
				      : MW_DKIM_ALG_UNKNOWN;
}
