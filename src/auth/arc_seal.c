/*
 * auth/arc_seal.c - add an ARC set to a message (RFC 8617 §5.1).  See arc.h.
 *
 * The three fields are built in the order the RFC gives: the AAR (from
 * our Authentication-Results), the AMS over the h= fields (the new AAR
 * included, so h= may name it) and the body, then the AS over every set.
 * Signed fields use the ValiMail suite's standardized layout: tags in
 * alphabetical order, one space after each ';' and no other white space,
 * on one line (up to ~600 bytes with a 2048-bit key: within RFC 5322's
 * 998).  A fold inside b= would become a space under relaxed
 * canonicalization, so an unfolded field is what every seal downstream
 * hashes the same way.
 */
#include "auth/arc.h"

#include <stdio.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/dkim.h"
#include "auth/dkim_canon.h"
#include "auth/dkim_crypto.h"
#include "core/str.h"

/* Fields signed by default when present (RFC 6376 §5.4.1 recommendations). */
static const char *const default_headers[] = {
	"from",	      "to",	     "cc",	     "subject",	     "date",
	"message-id", "reply-to",    "in-reply-to", "references",    "mime-version",
	"content-type", "content-transfer-encoding", "dkim-signature",
};

/* default_h - the default h= list: From plus the listed fields present */
static const char *default_h(const mw_message *m, mw_pool *pool)
{
	mw_buf b;
	mw_buf_init(&b, 4096);
	mw_buf_puts(&b, "from");
	for (size_t i = 1; i < sizeof(default_headers) / sizeof(default_headers[0]); i++)
		if (mw_message_find(m, default_headers[i], 0) >= 0)
			mw_buf_printf(&b, ":%s", default_headers[i]);
	const char *h = mw_pool_strdup(pool, mw_buf_cstr(&b));
	mw_buf_free(&b);
	return h;
}

/* add_results_of - append the resinfo texts of one A-R value if it is ours */
static mw_status add_results_of(const char *v, size_t n, const char *id, mw_pool *pool,
				mw_buf *out)
{
	mw_authres ar;
	if (mw_authres_parse(v, n, MW_AR_LENIENT, pool, &ar, NULL) != MW_OK ||
	    !mw_strcaseeq(ar.authserv_id, id))
		return MW_OK; /* not ours, or unreadable: not copied */
	mw_status st = MW_OK;
	for (size_t i = 0; i < ar.nresults && st == MW_OK; i++)
		st = mw_buf_printf(out, ";\r\n\t%s", ar.results[i].raw);
	return st;
}

/* build_aar - "ARC-Authentication-Results: i=N; id;\r\n\tres;\r\n\tres" */
static mw_status build_aar(const mw_message *m, const mw_arc_seal_opts *o, unsigned inst,
			   mw_pool *pool, const char **aar, mw_err *err)
{
	mw_buf res;
	mw_buf_init(&res, MW_AR_HEADER_MAX);
	mw_status st = MW_OK;
	if (o->auth_results) {
		char *v = mw_pool_printf(pool, "%s; %s", o->authserv_id, o->auth_results);
		mw_authres ar;
		mw_err perr;
		if (!v || mw_authres_parse(v, strlen(v), 0, pool, &ar, &perr) != MW_OK) {
			mw_buf_free(&res);
			return mw_err_set(err, MW_EPARSE, "--auth-results: %s",
					  v ? perr.msg : "out of memory");
		}
		for (size_t i = 0; i < ar.nresults && st == MW_OK; i++)
			st = mw_buf_printf(&res, ";\r\n\t%s", ar.results[i].raw);
	} else {
		for (size_t i = 0; i < m->nfields && st == MW_OK; i++)
			if (mw_hfield_is(&m->field[i], "Authentication-Results"))
				st = add_results_of(m->field[i].value, m->field[i].value_len,
						    o->authserv_id, pool, &res);
	}
	if (st == MW_OK)
		*aar = mw_pool_printf(pool, "ARC-Authentication-Results: i=%u; %s%s", inst,
				      o->authserv_id, res.len ? mw_buf_cstr(&res) : "; none");
	mw_buf_free(&res);
	if (st != MW_OK || !*aar)
		return mw_err_set(err, st == MW_OK ? MW_ENOMEM : st, "cannot build the AAR");
	return MW_OK;
}

/* sign_hash - RSA-SHA256 signature of hash, base64 into a pool string */
static const char *sign_hash(const mw_arc_seal_opts *o, const unsigned char *hash, unsigned hlen,
			     mw_pool *pool, mw_err *err)
{
	unsigned char sig[MW_DKIM_SIG_MAX];
	size_t siglen = sizeof(sig);
	if (mw_dkim_crypto_sign(o->key, MW_DKIM_ALG_RSA_SHA256, hash, hlen, sig, &siglen, err) !=
	    MW_OK)
		return NULL;
	char *b64 = mw_pool_alloc(pool, 4 * ((siglen + 2) / 3) + 1);
	if (b64)
		mw_b64_encode(sig, siglen, b64);
	return b64;
}

/* build_ams - the ARC-Message-Signature over m2 (m2 = message with the new AAR on top) */
static mw_status build_ams(const mw_message *m2, const mw_arc_seal_opts *o, unsigned inst,
			   const char *h, mw_pool *pool, const char **ams, mw_err *err)
{
	unsigned char bh[EVP_MAX_MD_SIZE], hash[EVP_MAX_MD_SIZE];
	unsigned bhlen, hlen;
	uint64_t total;
	mw_status st = mw_body_digest(o->bodies, m2, EVP_sha256(), MW_CANON_RELAXED, -1, bh, &bhlen,
				      &total);
	char bh64[64];
	mw_hname *hn;
	size_t nh;
	if (st == MW_OK)
		st = mw_dkim_split_h(h, strlen(h), pool, &hn, &nh);
	if (st != MW_OK)
		return mw_err_set(err, st, "AMS: bad h= list or body hash failure");
	mw_b64_encode(bh, bhlen, bh64);
	const char *tail = mw_pool_printf(pool, "bh=%s; c=relaxed/relaxed; d=%s; h=%s; i=%u; s=%s; t=%lld",
					  bh64, o->domain, h, inst, o->selector, (long long)o->t);
	const char *tmpl = mw_pool_printf(pool, "ARC-Message-Signature: a=rsa-sha256; b=; %s", tail);
	if (!tail || !tmpl)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	st = mw_dkim_header_hash(m2, hn, nh, -1, tmpl, strlen(tmpl), MW_CANON_RELAXED, EVP_sha256(),
				 hash, &hlen);
	if (st != MW_OK)
		return mw_err_set(err, st, "AMS: header hash failed");
	const char *b64 = sign_hash(o, hash, hlen, pool, err);
	if (!b64)
		return err ? err->code : MW_EINVAL;
	*ams = mw_pool_printf(pool, "ARC-Message-Signature: a=rsa-sha256; b=%s; %s", b64, tail);
	return *ams ? MW_OK : mw_err_set(err, MW_ENOMEM, "out of memory");
}

/* build_as - the ARC-Seal over the existing sets and the new AAR and AMS */
static mw_status build_as(const mw_message *m, const mw_arc_verify *chain,
			  const mw_arc_seal_opts *o, unsigned inst, const char *cv, const char *aar,
			  const char *ams, mw_pool *pool, const char **as, mw_err *err)
{
	const char *tail = mw_pool_printf(pool, "cv=%s; d=%s; i=%u; s=%s; t=%lld", cv, o->domain,
					  inst, o->selector, (long long)o->t);
	const char *tmpl = mw_pool_printf(pool, "ARC-Seal: a=rsa-sha256; b=; %s", tail);
	if (!tail || !tmpl)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_buf b;
	mw_buf_init(&b, 2 * (size_t)MW_MSG_HEADER_MAX);
	mw_status st = MW_OK;
	/* a failed chain is not vouched for: the seal covers its own set only */
	unsigned first = strcmp(cv, "fail") == 0 ? inst : 1;
	for (unsigned i = first; i < inst && st == MW_OK; i++) {
		const long idx[3] = {chain->set[i].aar, chain->set[i].ams, chain->set[i].as};
		for (int k = 0; k < 3 && st == MW_OK; k++)
			st = mw_canon_header(MW_CANON_RELAXED, m->field[idx[k]].raw,
					     m->field[idx[k]].raw_len, &b);
	}
	if (st == MW_OK)
		st = mw_canon_header(MW_CANON_RELAXED, aar, strlen(aar), &b);
	if (st == MW_OK)
		st = mw_canon_header(MW_CANON_RELAXED, ams, strlen(ams), &b);
	if (st == MW_OK)
		st = mw_canon_sig_header(MW_CANON_RELAXED, tmpl, strlen(tmpl), &b);
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	if (st == MW_OK && EVP_Digest(b.data, b.len, hash, &hlen, EVP_sha256(), NULL) != 1)
		st = MW_ENOMEM;
	mw_buf_free(&b);
	if (st != MW_OK)
		return mw_err_set(err, st, "AS: hash failed");
	const char *b64 = sign_hash(o, hash, hlen, pool, err);
	if (!b64)
		return err ? err->code : MW_EINVAL;
	*as = mw_pool_printf(pool, "ARC-Seal: a=rsa-sha256; b=%s; %s", b64, tail);
	return *as ? MW_OK : mw_err_set(err, MW_ENOMEM, "out of memory");
}

/* check_opts - the options and the chain allow a new set */
static mw_status check_opts(const mw_arc_verify *chain, const mw_arc_seal_opts *o, mw_err *err)
{
	char dn[MW_DNS_NAME_MAX + 1];
	if (!o->domain || !mw_domain_normalize(o->domain, dn, sizeof(dn)))
		return mw_err_set(err, MW_EINVAL, "ARC sealing needs a valid domain (d=)");
	if (!o->selector || !*o->selector || strpbrk(o->selector, " \t;\r\n"))
		return mw_err_set(err, MW_EINVAL, "ARC sealing needs a selector (s=)");
	if (!o->authserv_id || !*o->authserv_id || strpbrk(o->authserv_id, " \t;\r\n()\""))
		return mw_err_set(err, MW_EINVAL, "ARC sealing needs an authserv-id (a token)");
	if (!o->key || EVP_PKEY_get_base_id(o->key) != EVP_PKEY_RSA)
		return mw_err_set(err, MW_EINVAL, "ARC signs with rsa-sha256 only: need an RSA key");
	if (chain->n >= MW_ARC_INSTANCES_MAX)
		return mw_err_set(err, MW_EINVAL, "the chain already has %d sets", MW_ARC_INSTANCES_MAX);
	if (chain->newest_says_fail) /* RFC 8617 §5.1.2 */
		return mw_err_set(err, MW_EINVAL,
				  "the newest ARC-Seal already says cv=fail: no further set is added");
	return MW_OK;
}

/* mw_arc_seal - build AAR, AMS, AS for instance N+1 */
mw_status mw_arc_seal(const mw_message *msg, const mw_arc_verify *chain,
		      const mw_arc_seal_opts *o, mw_pool *pool, mw_arc_seal_out *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	mw_status st = check_opts(chain, o, err);
	if (st != MW_OK)
		return st;
	out->instance = chain->n + 1;
	out->cv = chain->n == 0 ? MW_AUTH_NONE
		  : chain->cv == MW_AUTH_PASS ? MW_AUTH_PASS
					      : MW_AUTH_FAIL;
	if ((st = build_aar(msg, o, out->instance, pool, &out->aar, err)) != MW_OK)
		return st;
	/* the message as the AMS sees it: the new AAR on top */
	size_t alen = strlen(out->aar);
	char *text = mw_pool_alloc(pool, alen + 2 + msg->len);
	if (!text)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	memcpy(text, out->aar, alen);
	memcpy(text + alen, "\r\n", 2);
	memcpy(text + alen + 2, msg->data, msg->len);
	mw_message m2;
	if ((st = mw_message_parse(text, alen + 2 + msg->len, &m2, err)) != MW_OK)
		return st;
	const char *h = o->headers ? o->headers : default_h(msg, pool);
	st = h ? build_ams(&m2, o, out->instance, h, pool, &out->ams, err)
	       : mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_message_free(&m2);
	if (st != MW_OK)
		return st;
	return build_as(msg, chain, o, out->instance, mw_arc_cv_name(out->cv), out->aar, out->ams,
			pool, &out->as, err);
}
