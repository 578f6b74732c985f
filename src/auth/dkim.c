/*
 * auth/dkim.c - DKIM verification (see dkim.h).
 *
 * Two phases per signature: prepare_sig parses and checks the signature
 * field (no DNS), finish_sig checks the key and the hashes once the key
 * record is cached.  Each check that fails sets the result and a reason
 * and stops that signature; nothing here prints or blocks.
 */
#include "auth/dkim.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/dkim_key.h"
#include "auth/taglist.h"
#include "core/str.h"

/* verdict - final result for one signature with a reason; returns false */
static bool verdict(mw_dkim_sig *s, mw_auth_result r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool verdict(mw_dkim_sig *s, mw_auth_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->result = r;
	s->done = true;
	return false;
}

/* tag_str - pool copy of a tag value without whitespace ("" when absent) */
static const char *tag_str(mw_pool *pool, const mw_taglist *tl, const char *name)
{
	const mw_tag *t = mw_taglist_get(tl, name);
	if (!t)
		return "";
	char *out = mw_pool_alloc(pool, t->value_len + 1);
	if (out && !mw_tag_copy_nows(t, out, t->value_len + 1))
		out[0] = '\0';
	return out ? out : "";
}

/* parse_num - decimal tag value (at most 18 digits); -1 when absent, -2 when bad */
static int64_t parse_num(const mw_taglist *tl, const char *name)
{
	const mw_tag *t = mw_taglist_get(tl, name);
	if (!t)
		return -1;
	if (t->value_len == 0 || t->value_len > 18)
		return -2;
	int64_t v = 0;
	for (size_t i = 0; i < t->value_len; i++) {
		if (t->value[i] < '0' || t->value[i] > '9')
			return -2;
		v = v * 10 + (t->value[i] - '0');
	}
	return v;
}

/* mw_dkim_split_h - h= names */
mw_status mw_dkim_split_h(const char *v, size_t n, mw_pool *pool, mw_hname **out, size_t *nout)
{
	size_t count = 1;
	for (size_t i = 0; i < n; i++)
		count += v[i] == ':';
	if (count > MW_DKIM_HFIELDS_MAX)
		return MW_ETOOBIG;
	mw_hname *h = mw_pool_alloc(pool, count * sizeof(*h));
	if (!h)
		return MW_ETOOBIG;
	size_t k = 0;
	const char *p = v, *end = v + n;
	while (p <= end) {
		const char *e = memchr(p, ':', (size_t)(end - p));
		if (!e)
			e = end;
		const char *s = p, *f = e;
		while (s < f && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			s++;
		while (f > s && (f[-1] == ' ' || f[-1] == '\t' || f[-1] == '\r' || f[-1] == '\n'))
			f--;
		if (s == f || (size_t)(f - s) > MW_DKIM_HNAME_MAX)
			return MW_EPARSE;
		h[k].name = s;
		h[k].len = (size_t)(f - s);
		k++;
		p = e + 1;
	}
	*out = h;
	*nout = k;
	return MW_OK;
}

/* check_version_alg - v= and a= (§3.5, RFC 8301) */
static bool check_version_alg(mw_dkim_verify *v, mw_dkim_sig *s, const mw_taglist *tl)
{
	const mw_tag *t = mw_taglist_get(tl, "v");
	if (!t)
		return verdict(s, MW_AUTH_PERMERROR, "no v= tag (RFC 6376 §3.5 requires v=1)");
	if (!mw_tag_is(t, "1", false))
		return verdict(s, MW_AUTH_PERMERROR, "unsupported version v=%.*s (RFC 6376 §3.5)",
			       (int)t->value_len, t->value);
	static const char *const required[] = {"a", "b", "bh", "d", "h", "s"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!mw_taglist_get(tl, required[i]))
			return verdict(s, MW_AUTH_PERMERROR, "required tag %s= missing (RFC 6376 §3.5)",
				       required[i]);
	s->alg_name = tag_str(v->pool, tl, "a");
	s->alg = mw_dkim_alg_parse(s->alg_name, strlen(s->alg_name));
	if (s->alg == MW_DKIM_ALG_UNKNOWN)
		return verdict(s, MW_AUTH_PERMERROR, "unsupported algorithm a=%s", s->alg_name);
	return true;
}

/* check_canon - c= header[/body], default simple/simple (§3.5) */
static bool check_canon(mw_dkim_sig *s, const mw_taglist *tl)
{
	s->hcanon = s->bcanon = MW_CANON_SIMPLE;
	const mw_tag *t = mw_taglist_get(tl, "c");
	if (!t)
		return true;
	const char *slash = memchr(t->value, '/', t->value_len);
	size_t hl = slash ? (size_t)(slash - t->value) : t->value_len;
	if (!mw_canon_parse(t->value, hl, &s->hcanon) ||
	    (slash && !mw_canon_parse(slash + 1, t->value_len - hl - 1, &s->bcanon)))
		return verdict(s, MW_AUTH_PERMERROR, "unsupported canonicalization c=%.*s",
			       (int)t->value_len, t->value);
	return true;
}

/* hexval - one hex digit, -1 if not */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

/* qp_decode - dkim-quoted-printable (§2.11), as i= is written; bad escapes kept */
static const char *qp_decode(mw_pool *pool, const char *s)
{
	char *out = mw_pool_strdup(pool, s);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '=' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

/* check_identity - d=, s=, i= within d= (§3.5), the key name */
static bool check_identity(mw_dkim_verify *v, mw_dkim_sig *s, const mw_taglist *tl)
{
	char dom[MW_DNS_NAME_MAX + 2], sel[MW_DNS_NAME_MAX + 2];
	const char *d = tag_str(v->pool, tl, "d"), *sl = tag_str(v->pool, tl, "s");
	if (!mw_domain_normalize(d, dom, sizeof(dom)))
		return verdict(s, MW_AUTH_PERMERROR, "invalid domain d=%s", d);
	if (!mw_domain_normalize(sl, sel, sizeof(sel)))
		return verdict(s, MW_AUTH_PERMERROR, "invalid selector s=%s", sl);
	s->domain = mw_pool_strdup(v->pool, dom);
	s->selector = mw_pool_strdup(v->pool, sl);
	s->key_name = mw_pool_printf(v->pool, "%s._domainkey.%s", sel, dom);
	if (!s->domain || !s->selector || !s->key_name)
		return verdict(s, MW_AUTH_PERMERROR, "out of memory budget");
	if (strlen(s->key_name) > MW_DNS_NAME_MAX)
		return verdict(s, MW_AUTH_PERMERROR, "key name %s... longer than 253 bytes", sel);
	s->identity = mw_taglist_get(tl, "i") ? qp_decode(v->pool, tag_str(v->pool, tl, "i"))
					      : mw_pool_printf(v->pool, "@%s", dom);
	const char *at = s->identity ? strrchr(s->identity, '@') : NULL;
	if (!at)
		return verdict(s, MW_AUTH_PERMERROR, "i= has no '@'");
	char idom[MW_DNS_NAME_MAX + 2];
	if (!mw_domain_normalize(at + 1, idom, sizeof(idom)) || !mw_domain_is_sub(idom, dom))
		return verdict(s, MW_AUTH_PERMERROR,
			       "i=%s is not in d=%s or a subdomain (RFC 6376 §3.5)", s->identity, dom);
	return true;
}

/* check_h - h= names, From signed (§5.4, §6.1.1) */
static bool check_h(mw_dkim_verify *v, mw_dkim_sig *s, const mw_taglist *tl)
{
	const mw_tag *t = mw_taglist_get(tl, "h");
	mw_status st = mw_dkim_split_h(t->value, t->value_len, v->pool, &s->h, &s->nh);
	if (st == MW_ETOOBIG)
		return verdict(s, MW_AUTH_PERMERROR, "h= lists more than %d fields",
			       MW_DKIM_HFIELDS_MAX);
	if (st != MW_OK)
		return verdict(s, MW_AUTH_PERMERROR, "h= holds an empty or overlong field name");
	for (size_t i = 0; i < s->nh; i++)
		if (mw_strcaseeq_n(s->h[i].name, s->h[i].len, "from"))
			return true;
	return verdict(s, MW_AUTH_PERMERROR, "From is not in h= (RFC 6376 §5.4, §6.1.1)");
}

/* check_misc - l=, q=, t=, x= (§3.5) */
static bool check_misc(mw_dkim_verify *v, mw_dkim_sig *s, const mw_taglist *tl)
{
	s->l = parse_num(tl, "l");
	s->t = parse_num(tl, "t");
	s->x = parse_num(tl, "x");
	if (s->l == -2 || s->t == -2 || s->x == -2)
		return verdict(s, MW_AUTH_PERMERROR, "l=, t= or x= is not a decimal number");
	const mw_tag *q = mw_taglist_get(tl, "q");
	if (q) {
		const char *qs = tag_str(v->pool, tl, "q");
		char *copy = mw_pool_strdup(v->pool, qs);
		bool ok = false;
		for (char *save = NULL, *w = copy ? strtok_r(copy, ":", &save) : NULL; w;
		     w = strtok_r(NULL, ":", &save))
			ok |= mw_strcaseeq(w, "dns/txt");
		if (!ok)
			return verdict(s, MW_AUTH_PERMERROR, "unsupported query method q=%s", qs);
	}
	if (s->x >= 0 && s->t >= 0 && s->x < s->t)
		return verdict(s, MW_AUTH_PERMERROR, "x= is before t= (RFC 6376 §3.5)");
	if (s->x >= 0 && (int64_t)v->now > s->x)
		return verdict(s, MW_AUTH_PERMERROR, "signature expired at x=%lld (RFC 6376 §3.5)",
			       (long long)s->x);
	return true;
}

/* check_b - decode b= and bh= */
static bool check_b(mw_dkim_verify *v, mw_dkim_sig *s, const mw_taglist *tl)
{
	s->b = tag_str(v->pool, tl, "b");
	const char *bh = tag_str(v->pool, tl, "bh");
	s->sig = mw_pool_alloc(v->pool, MW_DKIM_SIG_MAX);
	s->bh = mw_pool_alloc(v->pool, 64);
	if (!s->sig || !s->bh)
		return verdict(s, MW_AUTH_PERMERROR, "out of memory budget");
	if (!mw_b64_decode(s->b, strlen(s->b), s->sig, MW_DKIM_SIG_MAX, &s->siglen) || !s->siglen)
		return verdict(s, MW_AUTH_PERMERROR, "b= is empty or not valid base64");
	if (!mw_b64_decode(bh, strlen(bh), s->bh, 64, &s->bhlen) ||
	    s->bhlen != (size_t)EVP_MD_get_size(mw_dkim_alg_md(s->alg)))
		return verdict(s, MW_AUTH_PERMERROR, "bh= is not a valid base64 %s hash",
			       s->alg == MW_DKIM_ALG_RSA_SHA1 ? "SHA-1" : "SHA-256");
	return true;
}

/* prepare_sig - everything that needs no DNS */
static void prepare_sig(mw_dkim_verify *v, mw_dkim_sig *s, long field)
{
	const mw_hfield *f = &v->msg->field[field];
	s->field = field;
	s->l = s->t = s->x = -1;
	s->domain = s->selector = s->identity = s->b = s->alg_name = "";
	mw_taglist tl;
	mw_err err;
	if (mw_taglist_parse(f->value, f->value_len, &tl, &err) != MW_OK) {
		verdict(s, MW_AUTH_PERMERROR, "signature syntax: %s", err.msg);
		return;
	}
	if (mw_taglist_get(&tl, "d"))
		s->domain = tag_str(v->pool, &tl, "d");
	if (mw_taglist_get(&tl, "s"))
		s->selector = tag_str(v->pool, &tl, "s");
	(void)(check_version_alg(v, s, &tl) && check_canon(s, &tl) && check_identity(v, s, &tl) &&
	       check_h(v, s, &tl) && check_misc(v, s, &tl) && check_b(v, s, &tl));
}

/* fetch_key - the key record from the cached answer (§6.1.2) */
static bool fetch_key(mw_dkim_sig *s, const dns_answer *a, mw_dkim_keycache *kc,
		      mw_dkim_key *key)
{
	if (a->status == DNS_TEMPFAIL)
		return verdict(s, MW_AUTH_TEMPERROR, "key lookup %s: %s", s->key_name,
			       a->reason ? a->reason : "temporary DNS failure");
	if (a->status != DNS_OK || a->n == 0)
		return verdict(s, MW_AUTH_PERMERROR, "no key record at %s (%s)", s->key_name,
			       a->status == DNS_NXDOMAIN ? "NXDOMAIN" : "no TXT record");
	mw_err err, first;
	mw_err_clear(&first);
	for (size_t i = 0; i < a->n; i++) { /* the first record that parses (§3.6.2.2) */
		if (a->rr[i].type != DNS_T_TXT)
			continue;
		mw_status st = mw_dkim_keycache_get(kc, a->rr[i].txt, a->rr[i].txt_len, key, &err);
		if (st == MW_OK)
			return true;
		if (first.msg[0] == '\0')
			first = err;
	}
	return verdict(s, MW_AUTH_PERMERROR, "%s: %s", s->key_name,
		       first.msg[0] ? first.msg : "no TXT record");
}

/* check_key - the key fits this signature (§3.6.1) */
static bool check_key(mw_dkim_sig *s, const mw_dkim_key *key)
{
	s->key_bits = key->bits;
	s->key_type = mw_dkim_key_type_name(key->type);
	s->testing = key->testing;
	bool want_ed = s->alg == MW_DKIM_ALG_ED25519_SHA256;
	if (want_ed != (key->type == MW_DKIM_K_ED25519))
		return verdict(s, MW_AUTH_PERMERROR, "key type %s does not match a=%s", s->key_type,
			       s->alg_name);
	if ((s->alg == MW_DKIM_ALG_RSA_SHA1 && !key->hash_sha1) ||
	    (s->alg != MW_DKIM_ALG_RSA_SHA1 && !key->hash_sha256))
		return verdict(s, MW_AUTH_PERMERROR, "key h= does not allow the hash of a=%s",
			       s->alg_name);
	if (key->strict) {
		const char *at = strrchr(s->identity, '@');
		if (!mw_strcaseeq(at + 1, s->domain))
			return verdict(s, MW_AUTH_PERMERROR,
				       "key has t=s but i= domain differs from d= (RFC 6376 §3.6.1)");
	}
	return true;
}

typedef struct body_cache {
	mw_dkim_alg alg;
	mw_canon canon;
	int64_t l;
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned hlen;
	uint64_t total;
} body_cache;

/* body_hash - canonical body hash, shared by signatures with the same (hash, c, l) */
static bool body_hash(mw_dkim_verify *v, mw_dkim_sig *s, body_cache *bc, size_t *nbc)
{
	body_cache *hit = NULL;
	for (size_t i = 0; i < *nbc && !hit; i++)
		if (mw_dkim_alg_md(bc[i].alg) == mw_dkim_alg_md(s->alg) && bc[i].canon == s->bcanon &&
		    bc[i].l == s->l)
			hit = &bc[i];
	if (!hit) {
		hit = &bc[(*nbc)++];
		hit->alg = s->alg;
		hit->canon = s->bcanon;
		hit->l = s->l;
		mw_status st = mw_body_digest(v->bodies, v->msg, mw_dkim_keycache_md(v->keys, s->alg),
					      s->bcanon, s->l, hit->hash, &hit->hlen, &hit->total);
		if (st == MW_ENOTFOUND) {
			(*nbc)--;
			return verdict(s, MW_AUTH_PERMERROR,
				       "body not hashed: more than %d distinct (a=, c=, l=) in one message",
				       MW_DKIM_BODYHASH_MAX);
		}
		if (st != MW_OK)
			return verdict(s, MW_AUTH_TEMPERROR, "hash failure (out of memory)");
	}
	s->body_len = hit->total;
	if (s->l >= 0 && (uint64_t)s->l > hit->total)
		return verdict(s, MW_AUTH_PERMERROR, "l=%lld exceeds the body length %llu",
			       (long long)s->l, (unsigned long long)hit->total);
	s->body_partial = s->l >= 0 && (uint64_t)s->l < hit->total;
	if (hit->hlen != s->bhlen || memcmp(hit->hash, s->bh, s->bhlen) != 0)
		return verdict(s, MW_AUTH_FAIL, "body hash mismatch (body changed after signing)");
	return true;
}

/* mw_dkim_header_hash - h= fields then the signature field */
mw_status mw_dkim_header_hash(const mw_message *m, const mw_hname *h, size_t nh, long skip,
			      const char *sig_raw, size_t sig_len, mw_canon c, const EVP_MD *md,
			      unsigned char *out, unsigned *outlen)
{
	mw_buf b;
	mw_buf_init(&b, 2 * (size_t)MW_MSG_HEADER_MAX);
	mw_status st = mw_canon_select(c, m, h, nh, skip, &b);
	if (st == MW_OK)
		st = mw_canon_sig_header(c, sig_raw, sig_len, &b);
	if (st == MW_OK && EVP_Digest(b.data ? b.data : "", b.len, out, outlen, md, NULL) != 1)
		st = MW_ENOMEM;
	mw_buf_free(&b);
	return st;
}

/* finish_sig - key, body hash, header hash, signature (§6.1.2, §6.1.3) */
static void finish_sig(mw_dkim_verify *v, mw_dkim_sig *s, const dns_answer *a, body_cache *bc,
		       size_t *nbc)
{
	mw_dkim_key key;
	memset(&key, 0, sizeof(key));
	if (!fetch_key(s, a, v->keys, &key))
		return;
	if (check_key(s, &key) && body_hash(v, s, bc, nbc)) {
		const mw_hfield *f = &v->msg->field[s->field];
		unsigned char hh[EVP_MAX_MD_SIZE];
		unsigned hlen = 0;
		if (mw_dkim_header_hash(v->msg, s->h, s->nh, s->field, f->raw, f->raw_len, s->hcanon,
					mw_dkim_keycache_md(v->keys, s->alg), hh, &hlen) != MW_OK)
			verdict(s, MW_AUTH_PERMERROR, "header section could not be canonicalized");
		else if (!(key.vctx && s->alg == MW_DKIM_ALG_RSA_SHA256
				   ? EVP_PKEY_verify(key.vctx, s->sig, s->siglen, hh, hlen) == 1
				   : mw_dkim_crypto_verify(key.pkey, s->alg, hh, hlen, s->sig, s->siglen)))
			verdict(s, MW_AUTH_FAIL, "signature did not verify (header changed or wrong key)");
		else if (s->alg == MW_DKIM_ALG_RSA_SHA1)
			verdict(s, MW_AUTH_POLICY,
				"rsa-sha1 signature verifies but is not accepted (RFC 8301 §3.1)%s",
				key.weak ? "; key under 1024 bits too (§3.2)" : "");
		else if (key.weak)
			verdict(s, MW_AUTH_POLICY,
				"signature verifies but the %d-bit RSA key is too short (RFC 8301 §3.2)",
				key.bits);
		else
			verdict(s, MW_AUTH_PASS, "good signature%s%s",
				s->body_partial ? "; l= leaves part of the body unsigned" : "",
				key.testing ? "; key in testing mode (t=y)" : "");
	}
	mw_dkim_key_free(&key);
}

/* mw_dkim_result_rank - order for the message result */
int mw_dkim_result_rank(mw_auth_result r)
{
	switch (r) {
	case MW_AUTH_PASS: return 7;
	case MW_AUTH_TEMPERROR: return 6;
	case MW_AUTH_FAIL: return 5;
	case MW_AUTH_POLICY: return 4;
	case MW_AUTH_PERMERROR: return 3;
	case MW_AUTH_NEUTRAL: return 2;
	default: return 1;
	}
}

/* prepare_all - find and parse the signatures once */
static void prepare_all(mw_dkim_verify *v)
{
	for (long i = mw_message_find(v->msg, "DKIM-Signature", 0); i >= 0;
	     i = mw_message_find(v->msg, "DKIM-Signature", i + 1)) {
		if (v->nsig == MW_DKIM_SIGS_MAX) {
			v->nignored++;
			continue;
		}
		mw_dkim_sig *s = &v->sig[v->nsig++];
		prepare_sig(v, s, i);
	}
	v->prepared = true;
}

/* mw_dkim_verify_step - one evaluation round */
mw_status mw_dkim_verify_step(void *ctx, dns_lookup *lk)
{
	mw_dkim_verify *v = ctx;
	if (!v->prepared)
		prepare_all(v);
	bool need = false;
	for (size_t i = 0; i < v->nsig; i++)
		if (!v->sig[i].done && !dns_lookup_want(lk, v->sig[i].key_name, DNS_T_TXT))
			need = true;
	if (need)
		return MW_NEED_DNS;
	body_cache bc[MW_DKIM_SIGS_MAX];
	size_t nbc = 0;
	for (size_t i = 0; i < v->nsig; i++) {
		mw_dkim_sig *s = &v->sig[i];
		if (s->done)
			continue;
		const dns_answer *a = dns_lookup_get(lk, s->key_name, DNS_T_TXT);
		if (!a)
			return MW_NEED_DNS; /* evicted between want and get: ask again */
		finish_sig(v, s, a, bc, &nbc);
	}
	v->result = MW_AUTH_NONE;
	for (size_t i = 0; i < v->nsig; i++)
		if (mw_dkim_result_rank(v->sig[i].result) > mw_dkim_result_rank(v->result))
			v->result = v->sig[i].result;
	if (v->nignored && mw_dkim_result_rank(MW_AUTH_NEUTRAL) > mw_dkim_result_rank(v->result))
		v->result = MW_AUTH_NEUTRAL;
	return MW_OK;
}

/* mw_dkim_verify_init - set up */
mw_status mw_dkim_verify_init(mw_dkim_verify *v, const mw_message *msg, time_t now)
{
	memset(v, 0, sizeof(*v));
	v->msg = msg;
	v->now = now;
	v->pool = mw_pool_new(MW_DKIM_POOL_MAX);
	return v->pool ? MW_OK : MW_ENOMEM;
}

/* mw_dkim_verify_free - release */
void mw_dkim_verify_free(mw_dkim_verify *v)
{
	mw_pool_free(v->pool);
	v->pool = NULL;
}

/* mw_dkim_verify_run - driver */
mw_status mw_dkim_verify_run(mw_dkim_verify *v, dns_lookup *lk, dns_resolver *r, mw_err *err)
{
	return dns_lookup_run(lk, r, mw_dkim_verify_step, v, err);
}
