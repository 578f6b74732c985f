/*
 * fuzz_dkim_bodyhash.c - libFuzzer target for the streamed body hashes
 * (auth/dkim_bodyhash.h).  The input is a message: its header section plans
 * the hashes (every DKIM-Signature / ARC-Message-Signature) plus the four
 * (sha256|sha1, simple|relaxed) whole-body ones; its raw body, line endings
 * as they are, is fed in chunks whose sizes come from the first input
 * bytes.  Every streamed digest and canonical length must equal the one
 * computed from the whole parsed message (abort otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkim_bodyhash.h"
#include "auth/dkim_crypto.h"

/* raw_body - offset of the raw body: after the first empty line (CRLF, LF or CR forms) */
static size_t raw_body(const char *d, size_t n, size_t hdr_lines_len)
{
	(void)hdr_lines_len;
	for (size_t i = 0; i + 1 < n; i++) {
		if (d[i] == '\n' && d[i + 1] == '\n')
			return i + 2;
		if (d[i] == '\n' && d[i + 1] == '\r')
			return i + 2 < n && d[i + 2] == '\n' ? i + 3 : i + 2;
		if (d[i] == '\r' && d[i + 1] == '\r')
			return i + 2 < n && d[i + 2] == '\n' ? i + 3 : i + 2;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	unsigned seed = data[0] | (unsigned)data[1] << 8;
	const char *in = (const char *)data + 2;
	size_t n = size - 2;
	mw_message whole, hdr;
	if (mw_message_parse(in, n, &whole, NULL) != MW_OK)
		return 0;
	size_t off = raw_body(in, n, 0);
	if (!whole.has_body || whole.mbox_from) { /* body start not found the same way: skip */
		mw_message_free(&whole);
		return 0;
	}
	if (mw_message_parse(whole.data, whole.header_len + 2, &hdr, NULL) != MW_OK)
		abort(); /* the header section of a parsed message parses */
	mw_bodyhash_set s;
	mw_bodyhash_set_init(&s);
	mw_bodyhash_set_plan(&s, &hdr);
	for (int k = 0; k < 4; k++)
		mw_bodyhash_set_want(&s, k & 1 ? EVP_sha1() : EVP_sha256(), (mw_canon)(k >> 1), -1);
	/* compare only when the raw split agrees with the parser's (CR-only header ends) */
	mw_message check;
	char *joined = malloc(whole.header_len + 2 + (n - off) + 1);
	memcpy(joined, whole.data, whole.header_len + 2);
	memcpy(joined + whole.header_len + 2, in + off, n - off);
	bool same = mw_message_parse(joined, whole.header_len + 2 + (n - off), &check, NULL) == MW_OK &&
		    check.body_len == whole.body_len &&
		    memcmp(check.body ? check.body : "", whole.body ? whole.body : "", whole.body_len) == 0;
	if (check.data)
		mw_message_free(&check);
	free(joined);
	for (size_t i = off; i < n;) {
		seed = seed * 1103515245u + 12345u;
		size_t k = (seed >> 16) % 97;
		if (k > n - i)
			k = n - i;
		mw_bodyhash_set_update(&s, in + i, k);
		i += k;
	}
	if (mw_bodyhash_set_final(&s) != MW_OK)
		abort();
	for (size_t i = 0; same && i < s.n; i++) {
		const mw_bodyhash_entry *e = &s.e[i];
		const EVP_MD *md = e->md_type == EVP_MD_get_type(EVP_sha1()) ? EVP_sha1() : EVP_sha256();
		unsigned char want[EVP_MAX_MD_SIZE];
		unsigned wl;
		uint64_t total;
		if (mw_body_digest(NULL, &whole, md, e->canon, e->limit, want, &wl, &total) != MW_OK)
			abort();
		if (!e->done || wl != e->dlen || memcmp(want, e->digest, wl) != 0 || total != e->total)
			abort();
	}
	mw_bodyhash_set_free(&s);
	mw_message_free(&hdr);
	mw_message_free(&whole);
	return 0;
}
