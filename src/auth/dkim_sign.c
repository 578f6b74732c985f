/*
 * auth/dkim_sign.c - DKIM signing (see dkim_sign.h).
 */
#include "auth/dkim_sign.h"

#include <stdio.h>
#include <string.h>

#include "auth/dkim.h"
#include "core/str.h"

#define FOLD_AT 78

/* mw_dkim_sign_opts_init - defaults */
void mw_dkim_sign_opts_init(mw_dkim_sign_opts *o, const char *domain, const char *selector,
			    time_t now)
{
	memset(o, 0, sizeof(*o));
	o->domain = domain;
	o->selector = selector;
	o->hcanon = o->bcanon = MW_CANON_RELAXED;
	o->now = now;
	o->body_length = -1;
}

typedef struct folder {
	mw_buf *b;
	size_t col; /* columns used on the current line */
	mw_status st;
} folder;

/* put - append a token, first breaking the line if it would pass FOLD_AT */
static void put(folder *f, const char *s, size_t n, bool space_before)
{
	if (f->st != MW_OK)
		return;
	if (f->col + n + space_before > FOLD_AT && f->col > 1) {
		f->st = mw_buf_append(f->b, "\r\n\t", 3);
		f->col = 1;
	} else if (space_before) {
		f->st = mw_buf_putc(f->b, ' ');
		f->col++;
	}
	if (f->st == MW_OK)
		f->st = mw_buf_append(f->b, s, n);
	f->col += n;
}

/* put_tag - "name=value;" as one token */
static void put_tag(folder *f, const char *name, const char *value)
{
	char tok[600];
	int n = snprintf(tok, sizeof(tok), "%s=%s;", name, value);
	if (n < 0 || (size_t)n >= sizeof(tok))
		f->st = MW_ETOOBIG;
	else
		put(f, tok, (size_t)n, true);
}

/* build_h - the h= list: the caller's, or the defaults present with From over-signed */
static mw_status build_h(const mw_message *m, const mw_dkim_sign_opts *o, mw_buf *h, mw_err *err)
{
	if (o->headers) {
		mw_status st = mw_buf_puts(h, o->headers);
		if (st != MW_OK)
			return mw_err_set(err, st, "header list too long");
		bool from = false;
		for (const char *p = o->headers; *p;) {
			size_t n = strcspn(p, ":");
			from |= mw_strcaseeq_n(p, n, "from");
			p += n + (p[n] == ':');
		}
		return from ? MW_OK
			    : mw_err_set(err, MW_EINVAL, "the header list must include From "
							 "(RFC 6376 §5.4)");
	}
	char list[] = MW_DKIM_SIGN_DEFAULT_HEADERS;
	char *save = NULL;
	for (char *name = strtok_r(list, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
		size_t count = mw_message_count(m, name) + (strcmp(name, "from") == 0);
		for (size_t i = 0; i < count; i++)
			if (mw_buf_printf(h, "%s%s", h->len ? ":" : "", name) != MW_OK)
				return mw_err_set(err, MW_ETOOBIG, "header list too long");
	}
	return MW_OK;
}

/* put_h - h= folded at name boundaries */
static void put_h(folder *f, const char *h)
{
	put(f, "h=", 2, true);
	for (const char *p = h; *p;) {
		size_t n = strcspn(p, ":");
		bool last = p[n] == '\0';
		char tok[MW_DKIM_HNAME_MAX + 2];
		int k = snprintf(tok, sizeof(tok), "%.*s%c", (int)n, p, last ? ';' : ':');
		put(f, tok, (size_t)k, false);
		p += n + !last;
	}
}

/* put_b - the b= value (after "b=") in chunks that fill the lines */
static void put_b(folder *f, const char *b64)
{
	size_t n = strlen(b64);
	for (size_t i = 0; i < n && f->st == MW_OK;) {
		size_t room = f->col < FOLD_AT ? FOLD_AT - f->col : 0;
		if (room < 8) {
			f->st = mw_buf_append(f->b, "\r\n\t", 3);
			f->col = 1;
			continue;
		}
		size_t k = n - i < room ? n - i : room;
		f->st = mw_buf_append(f->b, b64 + i, k);
		f->col += k;
		i += k;
	}
}

/* split_names - mw_hname array over the h list text (h_text stays alive) */
static size_t split_names(const char *h, mw_hname *names)
{
	size_t k = 0;
	for (const char *p = h; *p && k < MW_DKIM_HFIELDS_MAX;) {
		size_t n = strcspn(p, ":");
		names[k].name = p;
		names[k].len = n;
		k++;
		p += n + (p[n] == ':');
	}
	return k;
}

/* check_opts - names valid, algorithm fits the key, From present */
static mw_status check_opts(const mw_message *m, EVP_PKEY *key, const mw_dkim_sign_opts *o,
			    mw_dkim_alg *alg, mw_err *err)
{
	char tmp[MW_DNS_NAME_MAX + 2];
	if (!o->domain || !mw_domain_normalize(o->domain, tmp, sizeof(tmp)))
		return mw_err_set(err, MW_EINVAL, "invalid signing domain");
	if (!o->selector || !mw_domain_normalize(o->selector, tmp, sizeof(tmp)))
		return mw_err_set(err, MW_EINVAL, "invalid selector");
	*alg = o->alg ? o->alg : mw_dkim_key_alg(key);
	if (*alg == MW_DKIM_ALG_RSA_SHA1 || *alg == MW_DKIM_ALG_UNKNOWN ||
	    *alg != mw_dkim_key_alg(key))
		return mw_err_set(err, MW_EINVAL, "algorithm %s does not fit the %s key",
				  mw_dkim_alg_name(*alg),
				  EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? "Ed25519" : "RSA");
	if (mw_message_count(m, "from") == 0)
		return mw_err_set(err, MW_EINVAL,
				  "signing refused: the message has no From field (RFC 6376 §5.4)");
	return MW_OK;
}

/* body_tags - bh= value and the l= to write (-1 none) */
static mw_status body_tags(const mw_message *m, const mw_dkim_sign_opts *o, char *bh64,
			   int64_t *l, mw_err *err)
{
	unsigned char bh[EVP_MAX_MD_SIZE];
	unsigned bhl;
	uint64_t total;
	*l = o->body_length >= 0 ? o->body_length : -1;
	mw_status st = mw_body_digest(o->bodies, m, EVP_sha256(), o->bcanon, *l, bh, &bhl, &total);
	if (st == MW_ENOTFOUND)
		return mw_err_set(err, MW_EINVAL, "the body was not hashed with c=%s l=%lld",
				  mw_canon_name(o->bcanon), (long long)*l);
	if (st != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "body hash failed");
	if (o->body_length == -2)
		*l = (int64_t)total;
	if (*l >= 0 && (uint64_t)*l > total)
		return mw_err_set(err, MW_EINVAL, "l=%lld is longer than the body (%llu)",
				  (long long)*l, (unsigned long long)total);
	mw_b64_encode(bh, bhl, bh64);
	return MW_OK;
}

/* put_tags - every tag before h= */
static void put_tags(folder *f, const mw_dkim_sign_opts *o, mw_dkim_alg alg, int64_t l)
{
	char v[64];
	put(f, "DKIM-Signature:", 15, false);
	put_tag(f, "v", "1");
	put_tag(f, "a", mw_dkim_alg_name(alg));
	snprintf(v, sizeof(v), "%s/%s", mw_canon_name(o->hcanon), mw_canon_name(o->bcanon));
	put_tag(f, "c", v);
	put_tag(f, "d", o->domain);
	put_tag(f, "s", o->selector);
	if (o->identity)
		put_tag(f, "i", o->identity);
	snprintf(v, sizeof(v), "%lld", (long long)o->now);
	put_tag(f, "t", v);
	if (o->expire > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)o->now + (long long)o->expire);
		put_tag(f, "x", v);
	}
	if (l >= 0) {
		snprintf(v, sizeof(v), "%lld", (long long)l);
		put_tag(f, "l", v);
	}
}

/* mw_dkim_sign - the DKIM-Signature field */
mw_status mw_dkim_sign(const mw_message *m, EVP_PKEY *key, const mw_dkim_sign_opts *o,
		       mw_buf *out, mw_err *err)
{
	mw_dkim_alg alg = MW_DKIM_ALG_UNKNOWN;
	mw_status st = check_opts(m, key, o, &alg, err);
	if (st != MW_OK)
		return st;
	char bh64[EVP_MAX_MD_SIZE * 2];
	int64_t l;
	if ((st = body_tags(m, o, bh64, &l, err)) != MW_OK)
		return st;
	mw_buf h, field;
	mw_buf_init(&h, 8192);
	mw_buf_init(&field, 16384);
	mw_hname names[MW_DKIM_HFIELDS_MAX];
	folder f = {&field, 0, MW_OK};
	if ((st = build_h(m, o, &h, err)) != MW_OK)
		goto out;
	size_t nh = split_names(h.data, names);
	put_tags(&f, o, alg, l);
	put_h(&f, h.data);
	put_tag(&f, "bh", bh64);
	put(&f, "b=", 2, true);
	unsigned char hh[EVP_MAX_MD_SIZE], sig[MW_DKIM_SIG_MAX];
	unsigned hl;
	size_t siglen = sizeof(sig);
	char b64[MW_DKIM_SIG_MAX * 2];
	if ((st = f.st) != MW_OK ||
	    (st = mw_dkim_header_hash(m, names, nh, -1, field.data, field.len, o->hcanon,
				      EVP_sha256(), hh, &hl)) != MW_OK) {
		mw_err_set(err, st, "could not build the signature field (%s)", mw_status_str(st));
		goto out;
	}
	if ((st = mw_dkim_crypto_sign(key, alg, hh, hl, sig, &siglen, err)) != MW_OK)
		goto out;
	mw_b64_encode(sig, siglen, b64);
	put_b(&f, b64);
	if ((st = f.st) == MW_OK && (st = mw_buf_append(&field, "\r\n", 2)) == MW_OK)
		st = mw_buf_append(out, field.data, field.len);
	if (st != MW_OK)
		mw_err_set(err, st, "signature field too long");
out:
	mw_buf_free(&h);
	mw_buf_free(&field);
	return st;
}
