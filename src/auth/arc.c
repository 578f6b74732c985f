/*
 * auth/arc.c - ARC chain validation (RFC 8617 §5.2); sealing is in
 * arc_seal.c.  See arc.h.
 */
#include "auth/arc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/dkim.h"
#include "auth/dkim_canon.h"
#include "auth/dkim_crypto.h"
#include "auth/dkim_key.h"
#include "auth/taglist.h"
#include "core/str.h"

struct mw_arc_sig {
	bool seal;             /* ARC-Seal (else ARC-Message-Signature) */
	long field;
	const mw_hfield *f;
	bool bad;              /* syntax or semantic error: never valid */
	char why[MW_ERR_MSG_MAX];
	const char *d, *s, *key_name;
	mw_canon hc, bc;
	mw_hname *h;
	size_t nh;
	unsigned char b[MW_DKIM_SIG_MAX], bh[EVP_MAX_MD_SIZE];
	size_t blen, bhlen;
	mw_auth_result cv;     /* ARC-Seal: NONE / PASS / FAIL */
};

enum { K_AAR, K_AMS, K_AS };

/* put - bounded formatted text (truncation of a reason is fine) */
static void put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* arc_done - set the chain result with a reason; returns MW_OK */
static mw_status arc_done(mw_arc_verify *v, mw_auth_result cv, unsigned inst, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static mw_status arc_done(mw_arc_verify *v, mw_auth_result cv, unsigned inst, const char *fmt, ...)
{
	va_list ap;
	v->cv = cv;
	v->failed_instance = cv == MW_AUTH_PASS || cv == MW_AUTH_NONE ? 0 : inst;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return MW_OK;
}

/* sig_bad - mark a signature unusable with a reason; returns false */
static bool sig_bad(mw_arc_sig *s, const char *what, const char *detail)
{
	s->bad = true;
	put(s->why, sizeof(s->why), "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
	return false;
}

/* parse_instance - i= digits 1..MW_ARC_INSTANCES_MAX from s[0..n); 0 if invalid */
static unsigned parse_instance(const char *s, size_t n)
{
	unsigned v = 0;
	if (n == 0 || n > 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= MW_ARC_INSTANCES_MAX ? v : 0;
}

/* aar_instance - "i=N;" at the start of an AAR value (RFC 8617 §4.1.1); 0 if not */
static unsigned aar_instance(const mw_hfield *f)
{
	const char *p = f->value, *e = f->value + f->value_len;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p >= e || *p != 'i')
		return 0;
	p++;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= e || *p++ != '=')
		return 0;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	const char *d = p;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	unsigned inst = parse_instance(d, (size_t)(p - d));
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p < e && *p == ';' ? inst : 0;
}

/* tag_pool - a tag value as a pool string, or NULL when absent */
static const char *tag_pool(mw_pool *pool, const mw_taglist *tl, const char *name)
{
	const mw_tag *t = mw_taglist_get(tl, name);
	return t ? mw_pool_strndup(pool, t->value, t->value_len) : NULL;
}

/* parse_c - c= "header[/body]", default simple/simple */
static bool parse_c(mw_arc_sig *s, const mw_tag *t)
{
	s->hc = s->bc = MW_CANON_SIMPLE;
	if (!t)
		return true;
	const char *slash = memchr(t->value, '/', t->value_len);
	size_t hl = slash ? (size_t)(slash - t->value) : t->value_len;
	if (!mw_canon_parse(t->value, hl, &s->hc))
		return false;
	return !slash || mw_canon_parse(slash + 1, t->value_len - hl - 1, &s->bc);
}

/* parse_common - a, b, d, s, t tags shared by AS and AMS */
static bool parse_common(mw_arc_sig *s, const mw_taglist *tl, mw_pool *pool)
{
	const mw_tag *a = mw_taglist_get(tl, "a"), *b = mw_taglist_get(tl, "b");
	const mw_tag *t = mw_taglist_get(tl, "t");
	if (!a || !mw_tag_is(a, "rsa-sha256", false))
		return sig_bad(s, a ? "a= is not rsa-sha256 (RFC 8617 §4.1)" : "no a= tag", NULL);
	if (!b || !mw_b64_decode(b->value, b->value_len, s->b, sizeof(s->b), &s->blen) || !s->blen)
		return sig_bad(s, b ? "b= is not valid base64" : "no b= tag", NULL);
	s->d = tag_pool(pool, tl, "d");
	s->s = tag_pool(pool, tl, "s");
	char dn[MW_DNS_NAME_MAX + 1];
	if (!s->d || !mw_domain_normalize(s->d, dn, sizeof(dn)) || strpbrk(s->d, " \t\r\n;_"))
		return sig_bad(s, "d= missing or not a domain name", NULL);
	if (!s->s || !*s->s || strpbrk(s->s, " \t\r\n;"))
		return sig_bad(s, "s= missing or empty", NULL);
	for (size_t i = 0; t && i < t->value_len; i++)
		if (t->value[i] < '0' || t->value[i] > '9')
			return sig_bad(s, "t= is not a number", NULL);
	if (t && t->value_len == 0)
		return sig_bad(s, "t= is empty", NULL);
	s->key_name = mw_pool_printf(pool, "%s._domainkey.%s", s->s, dn);
	if (!s->key_name || strlen(s->key_name) > MW_DNS_NAME_MAX)
		return sig_bad(s, "key name too long", NULL);
	return true;
}

/* split_h - the AMS h= list.  Unlike DKIM (RFC 6376 §5.4: From must be
 * signed), RFC 8617 §4.1.2 sets no required entry, so an empty list or an
 * empty element ("from::to") is read as naming nothing there; the
 * signature still covers itself and the body (the ValiMail suite expects
 * these to validate). */
static bool split_h(const mw_tag *t, mw_pool *pool, mw_arc_sig *s)
{
	size_t cap = 1;
	for (size_t i = 0; i < t->value_len; i++)
		cap += t->value[i] == ':';
	if (cap > MW_DKIM_HFIELDS_MAX || !(s->h = mw_pool_alloc(pool, cap * sizeof(*s->h))))
		return false;
	s->nh = 0;
	const char *p = t->value, *end = t->value + t->value_len;
	while (p <= end) {
		const char *e = memchr(p, ':', (size_t)(end - p));
		const char *a = p, *b = e ? e : end;
		mw_trim(&a, &b);
		if (b > a && (size_t)(b - a) <= MW_DKIM_HNAME_MAX)
			s->h[s->nh++] = (mw_hname){a, (size_t)(b - a)};
		else if (b > a)
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

/* parse_ams - AMS tags (RFC 8617 §4.1.2) */
static bool parse_ams(mw_arc_sig *s, const mw_taglist *tl, mw_pool *pool)
{
	const mw_tag *bh = mw_taglist_get(tl, "bh"), *h = mw_taglist_get(tl, "h");
	if (!parse_common(s, tl, pool))
		return false;
	if (!bh || !mw_b64_decode(bh->value, bh->value_len, s->bh, sizeof(s->bh), &s->bhlen) ||
	    s->bhlen != 32)
		return sig_bad(s, bh ? "bh= is not a SHA-256 hash in base64" : "no bh= tag", NULL);
	if (!parse_c(s, mw_taglist_get(tl, "c")))
		return sig_bad(s, "c= is not a known canonicalization", NULL);
	if (!h)
		return sig_bad(s, "no h= tag", NULL);
	if (!split_h(h, pool, s))
		return sig_bad(s, "h= list too long", NULL);
	for (size_t i = 0; i < s->nh; i++)
		if (s->h[i].len == 8 && mw_strcaseeq_n(s->h[i].name, 8, "arc-seal"))
			return sig_bad(s, "h= lists ARC-Seal (RFC 8617 §4.1.2)", NULL);
	return true;
}

/* parse_as - AS tags (RFC 8617 §4.1.3) */
static bool parse_as(mw_arc_sig *s, const mw_taglist *tl, mw_pool *pool)
{
	if (!parse_common(s, tl, pool))
		return false;
	if (mw_taglist_get(tl, "h"))
		return sig_bad(s, "ARC-Seal must not have h= (RFC 8617 §4.1.3)", NULL);
	const mw_tag *cv = mw_taglist_get(tl, "cv");
	if (cv && mw_tag_is(cv, "none", false))
		s->cv = MW_AUTH_NONE;
	else if (cv && mw_tag_is(cv, "pass", false))
		s->cv = MW_AUTH_PASS;
	else if (cv && mw_tag_is(cv, "fail", false))
		s->cv = MW_AUTH_FAIL;
	else
		return sig_bad(s, cv ? "cv= is not none, pass or fail" : "no cv= tag", NULL);
	return true;
}

/* add_field - place one ARC field in its set; false on a structural error */
static bool add_field(mw_arc_verify *v, long idx, int kind, char *why, size_t whylen)
{
	const mw_hfield *f = &v->msg->field[idx];
	static const char *const names[] = {"ARC-Authentication-Results", "ARC-Message-Signature",
					    "ARC-Seal"};
	unsigned inst = 0;
	mw_arc_sig *s = NULL;
	if (kind == K_AAR) {
		inst = aar_instance(f);
	} else {
		s = mw_pool_alloc(v->pool, sizeof(*s));
		mw_taglist *tl = mw_pool_alloc(v->pool, sizeof(*tl));
		mw_err err;
		if (!s || !tl) {
			put(why, whylen, "out of memory");
			return false;
		}
		s->seal = kind == K_AS;
		s->field = idx;
		s->f = f;
		if (mw_taglist_parse(f->value, f->value_len, tl, &err) != MW_OK) {
			put(why, whylen, "%s: %s", names[kind], err.msg);
			return false;
		}
		const mw_tag *it = mw_taglist_get(tl, "i");
		inst = it ? parse_instance(it->value, it->value_len) : 0;
		if (inst)
			(void)(s->seal ? parse_as(s, tl, v->pool) : parse_ams(s, tl, v->pool));
	}
	if (inst == 0) {
		put(why, whylen, "%s without a valid instance i=1..%d", names[kind],
			 MW_ARC_INSTANCES_MAX);
		return false;
	}
	mw_arc_set *set = &v->set[inst];
	long *slot = kind == K_AAR ? &set->aar : kind == K_AMS ? &set->ams : &set->as;
	if (*slot >= 0) {
		put(why, whylen, "two %s fields with i=%u", names[kind], inst);
		return false;
	}
	*slot = idx;
	if (kind == K_AMS)
		set->ams_sig = s;
	else if (kind == K_AS)
		set->as_sig = s;
	if (inst > v->n)
		v->n = inst;
	return true;
}

/* collect - find every ARC field; false (chain fails) on a structural error */
static bool collect(mw_arc_verify *v, char *why, size_t whylen)
{
	for (unsigned i = 0; i <= MW_ARC_INSTANCES_MAX; i++)
		v->set[i] = (mw_arc_set){-1, -1, -1, NULL, NULL, MW_AUTH_NONE, MW_AUTH_NONE};
	size_t count = 0;
	for (size_t i = 0; i < v->msg->nfields; i++) {
		const mw_hfield *f = &v->msg->field[i];
		int kind = mw_hfield_is(f, "ARC-Seal")		     ? K_AS
			   : mw_hfield_is(f, "ARC-Message-Signature")	     ? K_AMS
			   : mw_hfield_is(f, "ARC-Authentication-Results") ? K_AAR
									     : -1;
		if (kind < 0)
			continue;
		if (++count > MW_ARC_FIELDS_MAX) {
			put(why, whylen, "more than %d ARC fields", MW_ARC_FIELDS_MAX);
			return false;
		}
		if (!add_field(v, (long)i, kind, why, whylen))
			return false;
	}
	return true;
}

/* check_structure - §5.2 step 3: complete sets and cv= by instance */
static bool check_structure(mw_arc_verify *v, unsigned *bad_inst, char *why, size_t whylen)
{
	for (unsigned i = 1; i <= v->n; i++) {
		const mw_arc_set *s = &v->set[i];
		*bad_inst = i;
		if (s->aar < 0 || s->ams < 0 || s->as < 0) {
			put(why, whylen, "ARC set i=%u is incomplete (missing %s)", i,
				 s->aar < 0 ? "ARC-Authentication-Results"
				 : s->ams < 0 ? "ARC-Message-Signature"
					      : "ARC-Seal");
			return false;
		}
		if (s->as_sig->bad) {
			put(why, whylen, "ARC-Seal i=%u: %s", i, s->as_sig->why);
			return false;
		}
		mw_auth_result want = i == 1 ? MW_AUTH_NONE : MW_AUTH_PASS;
		if (s->as_sig->cv != want) {
			put(why, whylen, "ARC-Seal i=%u has cv=%s, must be %s", i,
				 mw_auth_result_name(s->as_sig->cv), mw_auth_result_name(want));
			return false;
		}
	}
	return true;
}

/* get_key - RSA key of at least MW_DKIM_RSA_MIN_BITS from the cached answer */
static mw_auth_result get_key(mw_arc_sig *s, const dns_answer *a, mw_dkim_key *key)
{
	if (a->status == DNS_TEMPFAIL) {
		sig_bad(s, "key lookup failed temporarily", s->key_name);
		return MW_AUTH_TEMPERROR;
	}
	mw_err err;
	mw_err_clear(&err);
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++) {
		if (a->rr[i].type != DNS_T_TXT ||
		    mw_dkim_key_parse(a->rr[i].txt, a->rr[i].txt_len, key, &err) != MW_OK)
			continue;
		if (key->type != MW_DKIM_K_RSA || key->weak || !key->hash_sha256) {
			sig_bad(s, key->weak ? "RSA key under 1024 bits (RFC 8301)"
					     : "key is not an RSA key for SHA-256",
				s->key_name);
			mw_dkim_key_free(key);
			return MW_AUTH_FAIL;
		}
		return MW_AUTH_PASS;
	}
	sig_bad(s, err.msg[0] ? err.msg : "no key record", s->key_name);
	return MW_AUTH_FAIL;
}

#define ARC_KEYS_CACHED 8

/* Parsed keys by name for one validation: decoding a public key is the
 * costliest step after the RSA operation itself (OpenSSL 3 decoders). */
struct mw_arc_key_cache {
	struct {
		const char *name;
		mw_dkim_key key;
	} k[ARC_KEYS_CACHED];
	size_t n;
};

/* cached_key - a good key for s, parsed once per validation; NULL if none */
static const mw_dkim_key *cached_key(mw_arc_verify *v, mw_arc_sig *s, dns_lookup *lk,
				     mw_auth_result *r)
{
	mw_arc_key_cache *c = v->keys;
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->k[i].name, s->key_name) == 0)
			return *r = MW_AUTH_PASS, &c->k[i].key;
	const dns_answer *a = dns_lookup_get(lk, s->key_name, DNS_T_TXT);
	if (!a) /* cannot happen after the prefetch round */
		return *r = MW_AUTH_TEMPERROR, NULL;
	mw_dkim_key key;
	if ((*r = get_key(s, a, &key)) != MW_AUTH_PASS)
		return NULL;
	if (!c && !(c = v->keys = mw_pool_alloc(v->pool, sizeof(*c)))) {
		mw_dkim_key_free(&key);
		return *r = MW_AUTH_TEMPERROR, NULL;
	}
	if (c->n == ARC_KEYS_CACHED) /* full: drop the newest entry */
		mw_dkim_key_free(&c->k[--c->n].key);
	c->k[c->n].name = s->key_name;
	c->k[c->n].key = key;
	return &c->k[c->n++].key;
}

/* verify_hash - RSA-SHA256 check of hash with the signature's key */
static mw_auth_result verify_hash(mw_arc_verify *v, mw_arc_sig *s, dns_lookup *lk,
				  const unsigned char *hash, unsigned hlen)
{
	mw_auth_result r;
	const mw_dkim_key *key = cached_key(v, s, lk, &r);
	if (!key)
		return r;
	bool ok = mw_dkim_crypto_verify(key->pkey, MW_DKIM_ALG_RSA_SHA256, hash, hlen, s->b, s->blen);
	if (!ok)
		sig_bad(s, "signature does not verify", NULL);
	return ok ? MW_AUTH_PASS : MW_AUTH_FAIL;
}

/* verify_ams - one ARC-Message-Signature, DKIM-style (RFC 8617 §5.1.2) */
static mw_auth_result verify_ams(mw_arc_verify *v, mw_arc_sig *s, dns_lookup *lk)
{
	if (s->bad)
		return MW_AUTH_FAIL;
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned hlen;
	uint64_t total;
	const mw_message *m = v->msg;
	mw_status st = mw_body_digest(v->bodies, m, EVP_sha256(), s->bc, -1, hash, &hlen, &total);
	if (st != MW_OK)
		return sig_bad(s, st == MW_ENOTFOUND ? "body not hashed" : "body hash failed", NULL),
		       MW_AUTH_FAIL;
	if (hlen != s->bhlen || memcmp(hash, s->bh, hlen) != 0)
		return sig_bad(s, "body hash does not match bh=", NULL), MW_AUTH_FAIL;
	if (mw_dkim_header_hash(m, s->h, s->nh, s->field, s->f->raw, s->f->raw_len, s->hc,
				EVP_sha256(), hash, &hlen) != MW_OK)
		return sig_bad(s, "header hash failed", NULL), MW_AUTH_FAIL;
	return verify_hash(v, s, lk, hash, hlen);
}

/* verify_as - ARC-Seal i over sets 1..i (RFC 8617 §5.1.1), relaxed canonicalization */
static mw_auth_result verify_as(mw_arc_verify *v, unsigned inst, dns_lookup *lk)
{
	mw_arc_sig *s = v->set[inst].as_sig;
	if (s->bad)
		return MW_AUTH_FAIL;
	mw_buf b;
	mw_buf_init(&b, 2 * (size_t)MW_MSG_HEADER_MAX);
	mw_status st = MW_OK;
	for (unsigned i = 1; i <= inst && st == MW_OK; i++) {
		const mw_arc_set *set = &v->set[i];
		const mw_hfield *aar = &v->msg->field[set->aar], *ams = &v->msg->field[set->ams];
		const mw_hfield *as = &v->msg->field[set->as];
		st = mw_canon_header(MW_CANON_RELAXED, aar->raw, aar->raw_len, &b);
		if (st == MW_OK)
			st = mw_canon_header(MW_CANON_RELAXED, ams->raw, ams->raw_len, &b);
		if (st == MW_OK)
			st = i < inst ? mw_canon_header(MW_CANON_RELAXED, as->raw, as->raw_len, &b)
				      : mw_canon_sig_header(MW_CANON_RELAXED, as->raw, as->raw_len, &b);
	}
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	if (st == MW_OK && EVP_Digest(b.data ? b.data : "", b.len, hash, &hlen, EVP_sha256(), NULL) != 1)
		st = MW_ENOMEM;
	mw_buf_free(&b);
	if (st != MW_OK)
		return sig_bad(s, "seal hash failed", mw_status_str(st)), MW_AUTH_FAIL;
	return verify_hash(v, s, lk, hash, hlen);
}

/* prefetch - every key name in one DNS round; true when all are cached */
static bool prefetch(mw_arc_verify *v, dns_lookup *lk)
{
	bool all = true;
	for (unsigned i = 1; i <= v->n; i++) {
		mw_arc_sig *sigs[2] = {v->set[i].ams_sig, v->set[i].as_sig};
		for (int k = 0; k < 2; k++)
			if (sigs[k] && !sigs[k]->bad && !dns_lookup_want(lk, sigs[k]->key_name, DNS_T_TXT))
				all = false;
	}
	return all;
}

/* oldest_pass - §5.2 step 5: walk AMS from N-1 down while they validate */
static void oldest_pass(mw_arc_verify *v, dns_lookup *lk)
{
	v->oldest_pass = v->n;
	for (unsigned i = v->n - 1; i >= 1; i--) {
		mw_arc_set *set = &v->set[i];
		set->ams_result = verify_ams(v, set->ams_sig, lk);
		if (set->ams_result != MW_AUTH_PASS)
			break;
		v->oldest_pass = i;
	}
}

/* validate - steps 4-6 once the keys are cached */
static mw_status validate(mw_arc_verify *v, dns_lookup *lk)
{
	unsigned n = v->n;
	mw_arc_set *top = &v->set[n];
	top->ams_result = verify_ams(v, top->ams_sig, lk);
	if (top->ams_result != MW_AUTH_PASS)
		return arc_done(v, top->ams_result == MW_AUTH_TEMPERROR ? MW_AUTH_TEMPERROR : MW_AUTH_FAIL,
				n, "ARC-Message-Signature i=%u: %s", n, top->ams_sig->why);
	for (unsigned i = n; i >= 1; i--) {
		mw_arc_set *set = &v->set[i];
		set->as_result = verify_as(v, i, lk);
		if (set->as_result != MW_AUTH_PASS)
			return arc_done(v, set->as_result, i, "ARC-Seal i=%u: %s", i,
					set->as_sig->why);
	}
	oldest_pass(v, lk);
	return arc_done(v, MW_AUTH_PASS, 0, "%u ARC set%s validate%s", n, n == 1 ? "" : "s",
			n == 1 ? "s" : "");
}

/* mw_arc_verify_step - the replayable evaluation */
mw_status mw_arc_verify_step(void *arg, dns_lookup *lk)
{
	mw_arc_verify *v = arg;
	if (!v->prepared) {
		char why[MW_ERR_MSG_MAX];
		v->prepared = true;
		v->n = 0;
		if (!collect(v, why, sizeof(why)))
			return arc_done(v, MW_AUTH_FAIL, v->n, "%s", why);
		if (v->n == 0)
			return arc_done(v, MW_AUTH_NONE, 0, "no ARC sets");
		const mw_arc_sig *top = v->set[v->n].as_sig;
		v->newest_says_fail = top && !top->bad && top->cv == MW_AUTH_FAIL;
		if (v->newest_says_fail)
			return arc_done(v, MW_AUTH_FAIL, v->n, "the newest ARC-Seal (i=%u) says cv=fail",
					v->n);
		unsigned bad;
		if (!check_structure(v, &bad, why, sizeof(why)))
			return arc_done(v, MW_AUTH_FAIL, bad, "%s", why);
		v->cv = MW_AUTH_NONE;
		v->reason[0] = '\0';
	}
	if (v->reason[0]) /* decided before any key was needed */
		return MW_OK;
	if (!prefetch(v, lk))
		return MW_NEED_DNS;
	return validate(v, lk);
}

/* mw_arc_verify_init - set up */
mw_status mw_arc_verify_init(mw_arc_verify *v, const mw_message *msg, time_t now)
{
	memset(v, 0, sizeof(*v));
	v->msg = msg;
	v->now = now;
	v->pool = mw_pool_new(MW_ARC_POOL_MAX);
	return v->pool ? MW_OK : MW_ENOMEM;
}

/* mw_arc_verify_free - release */
void mw_arc_verify_free(mw_arc_verify *v)
{
	for (size_t i = 0; v->keys && i < v->keys->n; i++)
		mw_dkim_key_free(&v->keys->k[i].key);
	v->keys = NULL;
	mw_pool_free(v->pool);
	v->pool = NULL;
}

/* mw_arc_verify_run - run to completion */
mw_status mw_arc_verify_run(mw_arc_verify *v, dns_lookup *lk, dns_resolver *r, mw_err *err)
{
	return dns_lookup_run(lk, r, mw_arc_verify_step, v, err);
}

/* mw_arc_cv_name - the cv= word */
const char *mw_arc_cv_name(mw_auth_result cv)
{
	return cv == MW_AUTH_PASS ? "pass" : cv == MW_AUTH_NONE ? "none" : "fail";
}
