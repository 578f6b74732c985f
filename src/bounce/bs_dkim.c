/*
 * bounce/bs_dkim.c - header-only verification of our DKIM signatures.
 */
#include "bounce/bs_dkim.h"

#include <stdio.h>
#include <string.h>

#include "auth/dkim.h"
#include "auth/dkim_key.h"
#include "auth/taglist.h"
#include "core/str.h"
#include "mail/message.h"

#define BS_DKIM_POOL_MAX (256u << 10)

/* find_key - our record for (domain, selector) */
static const char *find_key(const mw_bs_dkim_keys *k, const char *d, const char *s)
{
	for (size_t i = 0; k && i < k->n; i++)
		if (mw_strcaseeq(k->key[i].domain, d) && mw_strcaseeq(k->key[i].selector, s))
			return k->key[i].record;
	return NULL;
}

/* tag - copy of a tag without white space into out; false if absent/too long */
static bool tag(const mw_taglist *tl, const char *name, char *out, size_t n)
{
	const mw_tag *t = mw_taglist_get(tl, name);
	return t && mw_tag_copy_nows(t, out, n);
}

/* verify_one - 1/0/-1 for one DKIM-Signature field of ours */
static int verify_one(const mw_message *m, long idx, const mw_taglist *tl, const char *record,
		      mw_pool *pool, char *why, size_t n)
{
	char a[32], c[40] = "simple", b[1024];
	const mw_tag *h = mw_taglist_get(tl, "h");
	if (!tag(tl, "a", a, sizeof(a)) || !tag(tl, "b", b, sizeof(b)) || !h) {
		snprintf(why, n, "(signature lacks a=, b= or h=)");
		return -1;
	}
	tag(tl, "c", c, sizeof(c));
	char *slash = strchr(c, '/');
	mw_canon hc;
	mw_dkim_alg alg = mw_dkim_alg_parse(a, strlen(a));
	mw_hname *names;
	size_t nn;
	unsigned char sig[512], hh[EVP_MAX_MD_SIZE];
	size_t siglen;
	unsigned hlen = 0;
	if (!mw_canon_parse(c, slash ? (size_t)(slash - c) : strlen(c), &hc) ||
	    alg == MW_DKIM_ALG_UNKNOWN || !mw_b64_decode(b, strlen(b), sig, sizeof(sig), &siglen) ||
	    mw_dkim_split_h(h->value, h->value_len, pool, &names, &nn) != MW_OK) {
		snprintf(why, n, "(unreadable a=, c=, b= or h=)");
		return -1;
	}
	const mw_hfield *f = &m->field[idx];
	if (mw_dkim_header_hash(m, names, nn, idx, f->raw, f->raw_len, hc, mw_dkim_alg_md(alg), hh,
				&hlen) != MW_OK) {
		snprintf(why, n, "(headers could not be canonicalised)");
		return -1;
	}
	mw_dkim_key key;
	memset(&key, 0, sizeof(key));
	if (mw_dkim_key_parse(record, strlen(record), &key, NULL) != MW_OK || !key.pkey) {
		mw_dkim_key_free(&key);
		snprintf(why, n, "(our key record is unusable or revoked)");
		return -1;
	}
	bool ok = mw_dkim_crypto_verify(key.pkey, alg, hh, hlen, sig, siglen);
	mw_dkim_key_free(&key);
	snprintf(why, n, ok ? "(header signature, body not returned)"
			    : "(header signature does not verify: headers changed or not ours)");
	return ok ? 1 : 0;
}

/* mw_bs_dkim_verify_headers - see header */
int mw_bs_dkim_verify_headers(void *ctx, const char *headers, size_t len, const char *domain,
			      char *why, size_t n)
{
	mw_message m;
	snprintf(why, n, "(no signature with a known key)");
	if (mw_message_parse(headers, len, &m, NULL) != MW_OK) {
		snprintf(why, n, "(returned headers unreadable)");
		return -1;
	}
	mw_pool *pool = mw_pool_new(BS_DKIM_POOL_MAX);
	int best = -1;
	for (long i = mw_message_find(&m, "DKIM-Signature", 0); pool && i >= 0 && best != 1;
	     i = mw_message_find(&m, "DKIM-Signature", i + 1)) {
		char *v = mw_hfield_unfold(&m.field[i], pool);
		mw_taglist tl;
		char d[256], s[128];
		if (!v || mw_taglist_parse(v, strlen(v), &tl, NULL) != MW_OK ||
		    !tag(&tl, "d", d, sizeof(d)) || !tag(&tl, "s", s, sizeof(s)) ||
		    !mw_strcaseeq(d, domain))
			continue;
		const char *rec = find_key(ctx, d, s);
		if (!rec) {
			snprintf(why, n, "(no key given for selector %s)", s);
			continue;
		}
		int r = verify_one(&m, i, &tl, rec, pool, why, n);
		if (r > best)
			best = r;
	}
	mw_pool_free(pool);
	mw_message_free(&m);
	return best;
}
