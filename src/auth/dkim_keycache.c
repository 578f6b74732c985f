/*
 * auth/dkim_keycache.c - DKIM key cache (see dkim_keycache.h).
 */
#include "auth/dkim_keycache.h"

#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/limits.h"

struct mw_dkim_keycache {
	mw_htab *keys; /* record text -> mw_dkim_key* */
	EVP_MD *sha256, *sha1;
};

/* free_key - htab value destructor */
static void free_key(void *v)
{
	mw_dkim_key *k = v;
	EVP_PKEY_CTX_free(k->vctx);
	mw_dkim_key_free(k);
	free(k);
}

/* mw_dkim_keycache_new - create */
mw_dkim_keycache *mw_dkim_keycache_new(void)
{
	mw_dkim_keycache *kc = calloc(1, sizeof(*kc));
	if (!kc)
		return NULL;
	kc->keys = mw_htab_new(free_key);
	kc->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	kc->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (!kc->keys || !kc->sha256 || !kc->sha1) {
		mw_dkim_keycache_free(kc);
		return NULL;
	}
	return kc;
}

/* mw_dkim_keycache_free - release */
void mw_dkim_keycache_free(mw_dkim_keycache *kc)
{
	if (!kc)
		return;
	mw_htab_free(kc->keys);
	EVP_MD_free(kc->sha256);
	EVP_MD_free(kc->sha1);
	free(kc);
}

/* copy_key - value copy with its own EVP_PKEY reference */
static void copy_key(mw_dkim_key *dst, const mw_dkim_key *src)
{
	*dst = *src;
	if (dst->pkey)
		EVP_PKEY_up_ref(dst->pkey);
}

/* rsa_ctx - a verify context set up once (OpenSSL 3 method fetches are costly) */
static EVP_PKEY_CTX *rsa_ctx(mw_dkim_keycache *kc, EVP_PKEY *pkey)
{
	if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_RSA)
		return NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, kc->sha256) == 1)
		return ctx;
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

/* mw_dkim_keycache_get - parse once per record text */
mw_status mw_dkim_keycache_get(mw_dkim_keycache *kc, const char *txt, size_t len,
			       mw_dkim_key *out, mw_err *err)
{
	if (!kc)
		return mw_dkim_key_parse(txt, len, out, err);
	const mw_dkim_key *hit = mw_htab_get(kc->keys, txt, len);
	if (hit) {
		copy_key(out, hit);
		return MW_OK;
	}
	mw_status st = mw_dkim_key_parse(txt, len, out, err);
	if (st != MW_OK)
		return st;
	if (mw_htab_count(kc->keys) >= MW_DKIM_KEYCACHE_MAX) {
		mw_htab_free(kc->keys);
		kc->keys = mw_htab_new(free_key);
		if (!kc->keys)
			return MW_OK; /* the caller's key is fine; caching is best effort */
	}
	mw_dkim_key *k = malloc(sizeof(*k));
	if (k) {
		copy_key(k, out);
		k->vctx = rsa_ctx(kc, k->pkey);
		if (mw_htab_put(kc->keys, txt, len, k) != MW_OK)
			free_key(k);
		else
			out->vctx = k->vctx;
	}
	return MW_OK;
}

/* mw_dkim_keycache_md - prefetched hash method */
const EVP_MD *mw_dkim_keycache_md(const mw_dkim_keycache *kc, mw_dkim_alg alg)
{
	if (!kc)
		return mw_dkim_alg_md(alg);
	return alg == MW_DKIM_ALG_RSA_SHA1 ? kc->sha1 : kc->sha256;
}

/* mw_dkim_keycache_count - entries */
size_t mw_dkim_keycache_count(const mw_dkim_keycache *kc)
{
	return kc ? mw_htab_count(kc->keys) : 0;
}
