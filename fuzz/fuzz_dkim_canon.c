/*
 * fuzz_dkim_canon.c - libFuzzer target for DKIM canonicalization and the
 * verifier's signature parsing: the input is taken as a message; every
 * header field is canonicalized both ways (and as a signature field), the
 * body is hashed both ways whole and in odd chunks (results must agree),
 * and the verifier runs against an empty zone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkim.h"
#include "dns/zone.h"

/* naive_relaxed - RFC 6376 §3.4.4 the obvious way, on a CRLF-normalised body */
static size_t naive_relaxed(const char *b, size_t n, char *out)
{
	size_t k = 0, last_content = 0;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && b[e] != '\r')
			e++;
		bool wsp = false;
		size_t start = k;
		for (size_t j = i; j < e; j++) {
			if (b[j] == ' ' || b[j] == '\t') {
				wsp = true;
				continue;
			}
			if (wsp)
				out[k++] = ' ';
			wsp = false;
			out[k++] = b[j];
		}
		out[k++] = '\r';
		out[k++] = '\n';
		if (k - start > 2)
			last_content = k;
		i = e + 2; /* past CRLF (or the end) */
	}
	return last_content;
}

static void check_body(const mw_message *m, mw_canon c)
{
	unsigned char a[64], b[64], r[64];
	unsigned al, bl, rl;
	uint64_t ta;
	if (mw_body_hash_oneshot(EVP_sha256(), c, -1, m->body, m->body_len, a, &al, &ta) != MW_OK)
		return;
	mw_body_hash bh;
	if (mw_body_hash_init(&bh, EVP_sha256(), c, -1) != MW_OK)
		return;
	for (size_t i = 0; i < m->body_len; i += 3)
		mw_body_hash_update(&bh, m->body + i, m->body_len - i < 3 ? m->body_len - i : 3);
	mw_body_hash_final(&bh, b, &bl);
	if (bh.total != ta || al != bl || memcmp(a, b, al) != 0)
		abort(); /* chunking must not change the hash */
	mw_body_hash_free(&bh);
	if (c == MW_CANON_RELAXED) {
		char *ref = malloc(2 * m->body_len + 4);
		size_t rn = naive_relaxed(m->body ? m->body : "", m->body_len, ref);
		EVP_Digest(ref, rn, r, &rl, EVP_sha256(), NULL);
		if (rn != ta || memcmp(r, a, rl) != 0)
			abort(); /* the fast paths must equal the obvious canonicalization */
		free(ref);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_message m;
	mw_err err;
	if (mw_message_parse((const char *)data, size, &m, &err) != MW_OK)
		return 0;
	mw_buf b;
	mw_buf_init(&b, 1 << 22);
	for (size_t i = 0; i < m.nfields; i++) {
		const mw_hfield *f = &m.field[i];
		mw_canon_header(MW_CANON_SIMPLE, f->raw, f->raw_len, &b);
		mw_canon_header(MW_CANON_RELAXED, f->raw, f->raw_len, &b);
		mw_canon_sig_header(MW_CANON_RELAXED, f->raw, f->raw_len, &b);
		mw_buf_reset(&b);
	}
	mw_buf_free(&b);
	check_body(&m, MW_CANON_SIMPLE);
	check_body(&m, MW_CANON_RELAXED);
	dns_zone *z = dns_zone_new();
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_lookup lk;
	dns_lookup_init(&lk, c, 1700000000);
	mw_dkim_verify v;
	if (mw_dkim_verify_init(&v, &m, 1700000000) == MW_OK) {
		mw_dkim_verify_run(&v, &lk, r, &err);
		mw_dkim_verify_free(&v);
	}
	dns_resolver_free(r);
	dns_cache_free(c);
	dns_zone_free(z);
	mw_message_free(&m);
	return 0;
}
