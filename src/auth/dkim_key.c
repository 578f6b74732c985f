/*
 * auth/dkim_key.c - DKIM key record parser (see dkim_key.h).
 */
#include "auth/dkim_key.h"

#include <openssl/x509.h>
#include <string.h>

#include "auth/taglist.h"
#include "core/limits.h"
#include "core/str.h"

/* list_has - colon-separated list value t holds word w (case-insensitive), WSP ignored */
static bool list_has(const mw_tag *t, const char *w)
{
	const char *p = t->value, *end = t->value + t->value_len;
	while (p <= end) {
		const char *e = memchr(p, ':', (size_t)(end - p));
		if (!e)
			e = end;
		const char *s = p, *f = e;
		mw_trim(&s, &f);
		while (s < f && (s[0] == '\r' || s[0] == '\n'))
			s++;
		if (mw_strcaseeq_n(s, (size_t)(f - s), w))
			return true;
		p = e + 1;
	}
	return false;
}

/* parse_flags - k=, h=, s=, t= */
static mw_status parse_flags(const mw_taglist *tl, mw_dkim_key *out, mw_err *err)
{
	const mw_tag *t;
	if ((t = mw_taglist_get(tl, "k"))) {
		if (mw_tag_is(t, "rsa", true))
			out->type = MW_DKIM_K_RSA;
		else if (mw_tag_is(t, "ed25519", true))
			out->type = MW_DKIM_K_ED25519;
		else
			return mw_err_set(err, MW_EPARSE, "key record: unknown key type k=%.*s",
					  (int)t->value_len, t->value);
	}
	out->hash_sha1 = out->hash_sha256 = true;
	if ((t = mw_taglist_get(tl, "h"))) {
		out->hash_sha1 = list_has(t, "sha1");
		out->hash_sha256 = list_has(t, "sha256");
	}
	if ((t = mw_taglist_get(tl, "s")) && !list_has(t, "*") && !list_has(t, "email"))
		return mw_err_set(err, MW_EPARSE, "key record: service type s=%.*s excludes email",
				  (int)t->value_len, t->value);
	if ((t = mw_taglist_get(tl, "t"))) {
		out->testing = list_has(t, "y");
		out->strict = list_has(t, "s");
	}
	return MW_OK;
}

/* rsa_key - SubjectPublicKeyInfo or PKCS#1 RSAPublicKey */
static EVP_PKEY *rsa_key(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)n);
	if (k && (p != der + n || EVP_PKEY_get_id(k) != EVP_PKEY_RSA)) {
		EVP_PKEY_free(k);
		return NULL;
	}
	if (!k) {
		p = der;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
		if (k && p != der + n) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	return k;
}

/* parse_p - decode p= into out->pkey */
static mw_status parse_p(const mw_tag *p, mw_dkim_key *out, mw_err *err)
{
	unsigned char der[MW_DKIM_RSA_MAX_BITS / 8 + 128];
	size_t n;
	if (!mw_b64_decode(p->value, p->value_len, der, sizeof(der), &n))
		return mw_err_set(err, MW_EPARSE, "key record: p= is not valid base64 (or too long)");
	if (out->type == MW_DKIM_K_ED25519) {
		if (n != 32)
			return mw_err_set(err, MW_EPARSE,
					  "key record: Ed25519 key is %zu bytes, RFC 8463 wants 32", n);
		out->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, 32);
		out->bits = 256;
	} else {
		out->pkey = rsa_key(der, n);
		if (out->pkey)
			out->bits = EVP_PKEY_get_bits(out->pkey);
	}
	if (!out->pkey)
		return mw_err_set(err, MW_EPARSE, "key record: p= does not hold a valid %s key",
				  mw_dkim_key_type_name(out->type));
	if (out->type == MW_DKIM_K_RSA && out->bits > MW_DKIM_RSA_MAX_BITS)
		return mw_err_set(err, MW_EPARSE, "key record: %d-bit RSA key, over %d", out->bits,
				  MW_DKIM_RSA_MAX_BITS);
	out->weak = out->type == MW_DKIM_K_RSA && out->bits < MW_DKIM_RSA_MIN_BITS;
	return MW_OK;
}

/* mw_dkim_key_parse - one key record */
mw_status mw_dkim_key_parse(const char *txt, size_t len, mw_dkim_key *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	mw_taglist tl;
	mw_err terr;
	if (mw_taglist_parse(txt, len, &tl, &terr) != MW_OK)
		return mw_err_set(err, MW_EPARSE, "key record: %s", terr.msg);
	const mw_tag *v = mw_taglist_get(&tl, "v");
	if (v && (v != &tl.tag[0] || !mw_tag_is(v, "DKIM1", false)))
		return mw_err_set(err, MW_EPARSE, "key record: v=%.*s (must be first and DKIM1)",
				  (int)v->value_len, v->value);
	mw_status st = parse_flags(&tl, out, err);
	if (st != MW_OK)
		return st;
	const mw_tag *p = mw_taglist_get(&tl, "p");
	if (!p)
		return mw_err_set(err, MW_EPARSE, "key record: no p= tag");
	if (p->value_len == 0) {
		out->revoked = true;
		return mw_err_set(err, MW_EPARSE, "key revoked (empty p=)");
	}
	st = parse_p(p, out, err);
	if (st != MW_OK)
		mw_dkim_key_free(out);
	return st;
}

/* mw_dkim_key_free - release */
void mw_dkim_key_free(mw_dkim_key *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

/* mw_dkim_key_type_name - key type word */
const char *mw_dkim_key_type_name(mw_dkim_ktype t)
{
	return t == MW_DKIM_K_ED25519 ? "ed25519" : "rsa";
}
