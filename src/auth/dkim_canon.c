/*
 * auth/dkim_canon.c - DKIM canonicalization and hashing (see dkim_canon.h).
 */
#include "auth/dkim_canon.h"

#include <string.h>
#include <strings.h>

#include "auth/taglist.h"
#include "core/str.h"

/* mw_canon_parse - canonicalization name */
bool mw_canon_parse(const char *s, size_t n, mw_canon *out)
{
	if (mw_strcaseeq_n(s, n, "simple"))
		*out = MW_CANON_SIMPLE;
	else if (mw_strcaseeq_n(s, n, "relaxed"))
		*out = MW_CANON_RELAXED;
	else
		return false;
	return true;
}

/* mw_canon_name - canonicalization word */
const char *mw_canon_name(mw_canon c)
{
	return c == MW_CANON_RELAXED ? "relaxed" : "simple";
}

/* relaxed_header - §3.4.2: lower-case name, unfold, WSP runs to one SP, trim.
 * The output is never longer than the input plus CRLF, so it is written in
 * place after one size check. */
static mw_status relaxed_header(const char *raw, size_t len, mw_buf *out)
{
	const char *colon = memchr(raw, ':', len);
	if (!colon)
		return MW_EPARSE;
	size_t base = out->len;
	if (mw_buf_append(out, raw, len) != MW_OK || mw_buf_append(out, "\r\n", 2) != MW_OK) {
		out->len = base;
		return MW_ETOOBIG;
	}
	char *w = out->data + base;
	const char *ne = colon;
	while (ne > raw && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	for (const char *p = raw; p < ne; p++)
		*w++ = mw_tolower(*p);
	*w++ = ':';
	bool wsp = false, started = false;
	for (const char *p = colon + 1, *e = raw + len; p < e; p++) {
		char c = *p;
		if (c == '\r' || c == '\n')
			continue;
		if (c == ' ' || c == '\t') {
			wsp = true;
			continue;
		}
		if (wsp && started)
			*w++ = ' ';
		wsp = false;
		started = true;
		*w++ = c;
	}
	*w++ = '\r';
	*w++ = '\n';
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	return MW_OK;
}

/* mw_canon_header - one field, canonical, CRLF-terminated */
mw_status mw_canon_header(mw_canon c, const char *raw, size_t len, mw_buf *out)
{
	if (c == MW_CANON_RELAXED)
		return relaxed_header(raw, len, out);
	mw_status st = mw_buf_append(out, raw, len);
	return st == MW_OK ? mw_buf_append(out, "\r\n", 2) : st;
}

/* b_value_range - [*from, *to) of raw to delete: after "b=" up to ';' or the end */
static mw_status b_value_range(const char *raw, size_t len, size_t *from, size_t *to)
{
	const char *colon = memchr(raw, ':', len);
	if (!colon)
		return MW_EPARSE;
	const char *v = colon + 1;
	size_t vlen = len - (size_t)(v - raw);
	mw_taglist tl;
	if (mw_taglist_parse(v, vlen, &tl, NULL) != MW_OK)
		return MW_EPARSE;
	const mw_tag *b = mw_taglist_get(&tl, "b");
	if (!b)
		return MW_EPARSE;
	const char *eq = memchr(b->name, '=', vlen - b->offset);
	const char *semi = memchr(eq, ';', (size_t)(v + vlen - eq));
	*from = (size_t)(eq + 1 - raw);
	*to = semi ? (size_t)(semi - raw) : len;
	return MW_OK;
}

/* mw_canon_sig_header - signature field with b= emptied, no final CRLF */
mw_status mw_canon_sig_header(mw_canon c, const char *raw, size_t len, mw_buf *out)
{
	size_t from, to;
	mw_status st = b_value_range(raw, len, &from, &to);
	if (st != MW_OK)
		return st;
	mw_buf tmp;
	mw_buf_init(&tmp, len + 1);
	st = mw_buf_append(&tmp, raw, from);
	if (st == MW_OK)
		st = mw_buf_append(&tmp, raw + to, len - to);
	if (st == MW_OK)
		st = mw_canon_header(c, tmp.data ? tmp.data : "", tmp.len, out);
	mw_buf_free(&tmp);
	if (st == MW_OK)
		out->len -= 2; /* no CRLF after the signature field (§3.7) */
	if (out->data)
		out->data[out->len] = '\0';
	return st;
}

/* mw_canon_select - h= fields, bottom-up per name (§5.4.2) */
mw_status mw_canon_select(mw_canon c, const mw_message *m, const mw_hname *h, size_t n,
			  long skip, mw_buf *out)
{
	long cursor[MW_DKIM_HFIELDS_MAX];
	if (n > MW_DKIM_HFIELDS_MAX)
		return MW_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		long before = (long)m->nfields;
		for (size_t j = i; j-- > 0;) /* the latest earlier use of the same name */
			if (h[j].len == h[i].len && strncasecmp(h[j].name, h[i].name, h[i].len) == 0) {
				before = cursor[j];
				break;
			}
		char name[MW_DKIM_HNAME_MAX + 1];
		long idx = -1;
		if (h[i].len <= MW_DKIM_HNAME_MAX && before > 0) {
			memcpy(name, h[i].name, h[i].len);
			name[h[i].len] = '\0';
			idx = mw_message_find_rev(m, name, before);
			if (idx >= 0 && idx == skip)
				idx = mw_message_find_rev(m, name, idx);
		}
		cursor[i] = idx < 0 ? 0 : idx; /* nothing left above: later uses select none */
		if (idx >= 0) {
			mw_status st = mw_canon_header(c, m->field[idx].raw, m->field[idx].raw_len, out);
			if (st != MW_OK)
				return st;
		}
	}
	return MW_OK;
}

/* ---- body ---- */

/* emit - canonical bytes: count them all, hash up to the limit */
static void emit(mw_body_hash *bh, const char *p, size_t n)
{
	bh->total += n;
	if (bh->limit >= 0) {
		uint64_t room = (uint64_t)bh->limit > bh->hashed ? (uint64_t)bh->limit - bh->hashed : 0;
		if (n > room)
			n = (size_t)room;
	}
	if (n) {
		EVP_DigestUpdate(bh->ctx, p, n);
		bh->hashed += n;
	}
}

/* emit_crlfs - n bytes of "\r\n\r\n..." */
static void emit_crlfs(mw_body_hash *bh, uint64_t n)
{
	static const char crlfs[] = "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
	while (n) {
		size_t k = n < sizeof(crlfs) - 1 ? (size_t)n : sizeof(crlfs) - 1;
		emit(bh, crlfs, k);
		n -= k;
	}
}

/* mw_body_hash_init - new body hash */
mw_status mw_body_hash_init(mw_body_hash *bh, const EVP_MD *md, mw_canon canon, int64_t limit)
{
	memset(bh, 0, sizeof(*bh));
	bh->canon = canon;
	bh->limit = limit;
	bh->ctx = EVP_MD_CTX_new();
	if (!bh->ctx || EVP_DigestInit_ex(bh->ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(bh->ctx);
		bh->ctx = NULL;
		return MW_ENOMEM;
	}
	return MW_OK;
}

/* simple_update - §3.4.3: bytes as they are, trailing CRLFs held back */
static void simple_update(mw_body_hash *bh, const char *p, size_t n)
{
	size_t j = n;
	while (j > 0 && (p[j - 1] == '\r' || p[j - 1] == '\n'))
		j--;
	if (j == 0) {
		bh->pending += n;
		return;
	}
	emit_crlfs(bh, bh->pending);
	emit(bh, p, j);
	bh->content = true;
	bh->pending = n - j;
}

/* stage - relaxed output byte */
static void stage(mw_body_hash *bh, char c)
{
	if (bh->nbuf == sizeof(bh->buf)) {
		emit(bh, bh->buf, bh->nbuf);
		bh->nbuf = 0;
	}
	bh->buf[bh->nbuf++] = c;
}

/* relaxed_bytes - §3.4.4 byte by byte: WSP runs to one SP, none at line end,
 * trailing empty lines held back */
static void relaxed_bytes(mw_body_hash *bh, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		bh->mid_line = c != '\n';
		if (c == '\r')
			continue;
		if (c == '\n') {
			bh->wsp = false;
			bh->pending += 2;
		} else if (c == ' ' || c == '\t') {
			bh->wsp = true;
		} else {
			if (bh->pending) {
				emit(bh, bh->buf, bh->nbuf);
				bh->nbuf = 0;
				emit_crlfs(bh, bh->pending);
				bh->pending = 0;
			}
			if (bh->wsp)
				stage(bh, ' ');
			bh->wsp = false;
			stage(bh, c);
			bh->content = true;
		}
	}
}

/* bytes_eq - high bit of each byte of w set exactly where that byte equals
 * the byte repeated in pat (SWAR, no false positives) */
static inline uint64_t bytes_eq(uint64_t w, uint64_t pat)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t v = w ^ pat;
	return ~(((v & lo7) + lo7) | v | lo7);
}

/* first_unrelaxed - offset of the first byte in p[0..n) where relaxed
 * canonicalization changes something inside a line: an HTAB, an SP followed
 * by SP, or an SP followed by CR; n if none.  Eight bytes at a time. */
static size_t first_unrelaxed(const char *p, size_t n)
{
	const uint64_t sp = 0x2020202020202020ULL, tab = 0x0909090909090909ULL,
		       cr = 0x0d0d0d0d0d0d0d0dULL;
	size_t i = 0;
	for (; i + 9 <= n; i += 8) {
		uint64_t w, nx;
		memcpy(&w, p + i, 8); /* little-endian: byte k is bits 8k..8k+7 */
		memcpy(&nx, p + i + 1, 8); /* the following bytes, one further */
		uint64_t s = bytes_eq(w, sp);
		if (bytes_eq(w, tab) || (s & (bytes_eq(nx, sp) | bytes_eq(nx, cr))))
			break;
	}
	for (; i < n; i++)
		if (p[i] == '\t' || (p[i] == ' ' && i + 1 < n && (p[i + 1] == ' ' || p[i + 1] == '\r')))
			return i;
	return n;
}

/* relaxed_update - text with nothing to change inside its lines is hashed
 * as simple canonicalization would (memchr/memcpy speed, trailing empty
 * lines held back); each line that needs changes, and a partial last line,
 * goes byte by byte */
static void relaxed_update(mw_body_hash *bh, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (bh->mid_line || bh->wsp) { /* finish the current line */
			const char *e = memchr(p + i, '\n', n - i);
			size_t end = e ? (size_t)(e - p) + 1 : n;
			relaxed_bytes(bh, p + i, end - i);
			i = end;
			continue;
		}
		size_t bad = i + first_unrelaxed(p + i, n - i);
		const char *ls = memrchr(p + i, '\n', bad - i); /* the bad line starts after it */
		size_t clean_end = ls ? (size_t)(ls - p) + 1 : i;
		if (bad == n) {
			const char *last = memrchr(p + i, '\n', n - i);
			clean_end = last ? (size_t)(last - p) + 1 : i;
		}
		if (clean_end > i) {
			emit(bh, bh->buf, bh->nbuf);
			bh->nbuf = 0;
			simple_update(bh, p + i, clean_end - i);
			i = clean_end;
		}
		if (i < n)
			bh->mid_line = true; /* the next pass runs this line byte by byte */
	}
}

/* mw_body_hash_update - next chunk */
void mw_body_hash_update(mw_body_hash *bh, const char *p, size_t n)
{
	if (bh->canon == MW_CANON_RELAXED)
		relaxed_update(bh, p, n);
	else
		simple_update(bh, p, n);
}

/* mw_body_hash_final - close the last line and finish the digest */
mw_status mw_body_hash_final(mw_body_hash *bh, unsigned char *out, unsigned *outlen)
{
	emit(bh, bh->buf, bh->nbuf);
	bh->nbuf = 0;
	if (bh->canon == MW_CANON_SIMPLE || bh->content)
		emit(bh, "\r\n", 2); /* simple: empty body is CRLF; else the last line's CRLF */
	if (EVP_DigestFinal_ex(bh->ctx, out, outlen) != 1)
		return MW_ENOMEM;
	return MW_OK;
}

/* mw_body_hash_free - release */
void mw_body_hash_free(mw_body_hash *bh)
{
	EVP_MD_CTX_free(bh->ctx);
	bh->ctx = NULL;
}

/* mw_body_hash_oneshot - whole body in one call */
mw_status mw_body_hash_oneshot(const EVP_MD *md, mw_canon canon, int64_t limit, const char *body,
			       size_t len, unsigned char *out, unsigned *outlen, uint64_t *total)
{
	mw_body_hash bh;
	mw_status st = mw_body_hash_init(&bh, md, canon, limit);
	if (st != MW_OK)
		return st;
	mw_body_hash_update(&bh, body ? body : "", len);
	st = mw_body_hash_final(&bh, out, outlen);
	if (total)
		*total = bh.total;
	mw_body_hash_free(&bh);
	return st;
}
