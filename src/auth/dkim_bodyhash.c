/*
 * auth/dkim_bodyhash.c - body hashes computed as the body streams (see
 * dkim_bodyhash.h).
 */
#include "auth/dkim_bodyhash.h"

#include <string.h>

#include "auth/dkim_crypto.h"
#include "auth/taglist.h"
#include "core/str.h"

/* mw_bodyhash_set_init - empty set */
void mw_bodyhash_set_init(mw_bodyhash_set *s)
{
	memset(s, 0, sizeof(*s));
}

/* find - the entry for (type, canon, limit), or NULL */
static mw_bodyhash_entry *find(const mw_bodyhash_set *s, int type, mw_canon canon, int64_t limit)
{
	for (size_t i = 0; i < s->n; i++) {
		const mw_bodyhash_entry *e = &s->e[i];
		if (e->md_type == type && e->canon == canon && e->limit == limit)
			return (mw_bodyhash_entry *)e;
	}
	return NULL;
}

/* mw_bodyhash_set_want - one more (md, canon, limit) */
mw_status mw_bodyhash_set_want(mw_bodyhash_set *s, const EVP_MD *md, mw_canon canon,
			       int64_t limit)
{
	if (s->started)
		return MW_EINVAL;
	if (limit < -1)
		limit = -1;
	if (find(s, EVP_MD_get_type(md), canon, limit))
		return MW_OK;
	if (s->n == MW_DKIM_BODYHASH_MAX) {
		s->nrefused++;
		return MW_ETOOBIG;
	}
	mw_bodyhash_entry *e = &s->e[s->n];
	memset(e, 0, sizeof(*e));
	mw_status st = mw_body_hash_init(&e->h, md, canon, limit);
	if (st != MW_OK)
		return st;
	e->md_type = EVP_MD_get_type(md);
	e->canon = canon;
	e->limit = limit;
	s->n++;
	return MW_OK;
}

/* body_canon - the body part of c= ("header/body"; default simple); false if unknown */
static bool body_canon(const mw_taglist *tl, mw_canon *out)
{
	*out = MW_CANON_SIMPLE;
	const mw_tag *t = mw_taglist_get(tl, "c");
	if (!t)
		return true;
	mw_canon h;
	const char *slash = memchr(t->value, '/', t->value_len);
	size_t hl = slash ? (size_t)(slash - t->value) : t->value_len;
	if (!mw_canon_parse(t->value, hl, &h))
		return false;
	return !slash || mw_canon_parse(slash + 1, t->value_len - hl - 1, out);
}

/* length_tag - l= as a number, -1 when absent; false when malformed (as dkim.c) */
static bool length_tag(const mw_taglist *tl, int64_t *out)
{
	const mw_tag *t = mw_taglist_get(tl, "l");
	*out = -1;
	if (!t)
		return true;
	if (t->value_len == 0 || t->value_len > 18)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < t->value_len; i++) {
		if (t->value[i] < '0' || t->value[i] > '9')
			return false;
		v = v * 10 + (t->value[i] - '0');
	}
	*out = v;
	return true;
}

/* plan_field - the want of one DKIM-Signature (dkim true) or ARC-Message-Signature */
static mw_status plan_field(mw_bodyhash_set *s, const mw_hfield *f, bool dkim)
{
	mw_taglist tl;
	if (mw_taglist_parse(f->value, f->value_len, &tl, NULL) != MW_OK)
		return MW_OK; /* the verifier stops at the syntax error */
	const mw_tag *a = mw_taglist_get(&tl, "a");
	mw_dkim_alg alg = a ? mw_dkim_alg_parse(a->value, a->value_len) : MW_DKIM_ALG_UNKNOWN;
	mw_canon c;
	int64_t l = -1;
	if (alg == MW_DKIM_ALG_UNKNOWN || !body_canon(&tl, &c) || (dkim && !length_tag(&tl, &l)))
		return MW_OK;
	if (!dkim) /* ARC: rsa-sha256 only, no l= (RFC 8617 §4.1.2) */
		alg = MW_DKIM_ALG_RSA_SHA256;
	mw_status st = mw_bodyhash_set_want(s, mw_dkim_alg_md(alg), c, l);
	return st == MW_ETOOBIG ? MW_OK : st;
}

/* mw_bodyhash_set_plan - wants from the signatures in the header section */
mw_status mw_bodyhash_set_plan(mw_bodyhash_set *s, const mw_message *hdr)
{
	size_t ndkim = 0;
	mw_status st = MW_OK;
	for (size_t i = 0; i < hdr->nfields && st == MW_OK; i++) {
		const mw_hfield *f = &hdr->field[i];
		if (mw_hfield_is(f, "DKIM-Signature")) {
			if (ndkim++ < MW_DKIM_SIGS_MAX)
				st = plan_field(s, f, true);
		} else if (mw_hfield_is(f, "ARC-Message-Signature")) {
			st = plan_field(s, f, false);
		}
	}
	return st;
}

/* feed - normalised bytes to every hash */
static void feed(mw_bodyhash_set *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		mw_body_hash_update(&s->e[i].h, p, n);
}

/* mw_bodyhash_set_update - normalise line endings (as mw_message_parse) and feed */
void mw_bodyhash_set_update(mw_bodyhash_set *s, const char *p, size_t n)
{
	if (n == 0 || s->finished)
		return;
	s->started = true;
	s->bytes += n;
	size_t i = 0, start = 0;
	if (s->cr) { /* the CR that ended the previous chunk */
		s->cr = false;
		feed(s, "\r\n", 2);
		if (p[0] == '\n')
			i = start = 1;
	}
	while (i < n) {
		const char *q = memchr(p + i, '\n', n - i);
		const char *cr = memchr(p + i, '\r', (size_t)((q ? q : p + n) - (p + i)));
		if (cr) { /* a CR before the next LF (or the end) */
			size_t k = (size_t)(cr - p);
			if (k + 1 == n) { /* last byte: decided by the next chunk */
				feed(s, p + start, k - start);
				s->cr = true;
				return;
			}
			if (p[k + 1] == '\n') { /* CRLF */
				i = k + 2;
				continue;
			}
			feed(s, p + start, k - start); /* bare CR */
			feed(s, "\r\n", 2);
			i = start = k + 1;
			continue;
		}
		if (!q)
			break;
		size_t k = (size_t)(q - p); /* a LF with no CR before it: bare */
		feed(s, p + start, k - start);
		feed(s, "\r\n", 2);
		i = start = k + 1;
	}
	feed(s, p + start, n - start);
}

/* mw_bodyhash_set_final - finish every digest */
mw_status mw_bodyhash_set_final(mw_bodyhash_set *s)
{
	if (s->finished)
		return MW_OK;
	if (s->cr) {
		s->cr = false;
		feed(s, "\r\n", 2);
	}
	s->started = s->finished = true;
	mw_status st = MW_OK;
	for (size_t i = 0; i < s->n; i++) {
		mw_bodyhash_entry *e = &s->e[i];
		if (mw_body_hash_final(&e->h, e->digest, &e->dlen) == MW_OK) {
			e->total = e->h.total;
			e->done = true;
		} else {
			st = MW_ENOMEM;
		}
		mw_body_hash_free(&e->h);
	}
	return st;
}

/* mw_bodyhash_set_get - finished entry */
const mw_bodyhash_entry *mw_bodyhash_set_get(const mw_bodyhash_set *s, const EVP_MD *md,
					     mw_canon canon, int64_t limit)
{
	const mw_bodyhash_entry *e = find(s, EVP_MD_get_type(md), canon, limit < -1 ? -1 : limit);
	return e && e->done ? e : NULL;
}

/* mw_bodyhash_set_free - contexts */
void mw_bodyhash_set_free(mw_bodyhash_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		mw_body_hash_free(&s->e[i].h);
	s->n = 0;
}

/* mw_body_digest - precomputed or computed now */
mw_status mw_body_digest(const mw_bodyhash_set *set, const mw_message *m, const EVP_MD *md,
			 mw_canon canon, int64_t limit, unsigned char *out, unsigned *outlen,
			 uint64_t *total)
{
	if (!set)
		return mw_body_hash_oneshot(md, canon, limit, m->body ? m->body : "", m->body_len, out,
					    outlen, total);
	const mw_bodyhash_entry *e = mw_bodyhash_set_get(set, md, canon, limit);
	if (!e)
		return MW_ENOTFOUND;
	memcpy(out, e->digest, e->dlen);
	*outlen = e->dlen;
	if (total)
		*total = e->total;
	return MW_OK;
}
