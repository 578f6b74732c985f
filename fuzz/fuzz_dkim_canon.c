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

static void check_body(const mw_message *m, mw_canon c)
{
	unsigned char a[64], b[64];
	unsigned al, bl;
	uint64_t ta;
	if (mw_body_hash_oneshot(EVP_sha256(), c, -1, m->body, m->body_len, a, &al, &ta) != MW_OK)
		return;
	mw_body_hash bh;
	if (mw_body_hash_init(&bh, EVP_sha256(), c, 7) != MW_OK)
		return;
	for (size_t i = 0; i < m->body_len; i += 3)
		mw_body_hash_update(&bh, m->body + i, m->body_len - i < 3 ? m->body_len - i : 3);
	mw_body_hash_final(&bh, b, &bl);
	if (bh.total != ta || bh.hashed > 7)
		abort();
	mw_body_hash_free(&bh);
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
