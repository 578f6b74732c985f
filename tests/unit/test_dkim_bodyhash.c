/*
 * test_dkim_bodyhash.c - body hashes computed while a body streams
 * (auth/dkim_bodyhash.h) equal the whole-message ones:
 *   - random bodies (bare CR, bare LF, CRLF, WSP runs, trailing empty
 *     lines) under every (hash, canonicalization, l=), each fed in many
 *     random chunkings, against mw_message_parse + mw_body_hash_oneshot;
 *   - planning from DKIM-Signature / ARC-Message-Signature fields, with as
 *     many malformed fields as good ones, the 16-hash limit and wants after
 *     the body started;
 *   - the external DKIM corpora (../shared/testdata/dkim-*) and the
 *     real-world ARC message verified from the header section plus
 *     streamed hashes give the same per-signature results and reasons as
 *     whole-message verification;
 *   - signing (rsa-sha256, ed25519-sha256) and ARC sealing from streamed
 *     hashes produce byte-identical fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "auth/arc.h"
#include "auth/dkim.h"
#include "auth/dkim_bodyhash.h"
#include "auth/dkim_sign.h"
#include "dns/zone.h"
#include "testutil.h"
#include "txtzone.h"

/* rnd - deterministic xorshift, so a failure replays */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* random_body - n bytes drawn from pieces that stress canonicalization */
static char *random_body(size_t n)
{
	static const char *const piece[] = {"a", "b", "xyz", " ", "  ", "\t", " \t ", "\r\n",
					    "\r\n\r\n", "\n", "\r", "\r\r\n", "\n\r", ".", "\x80"};
	char *b = malloc(n + 1);
	size_t k = 0;
	while (k < n) {
		const char *p = piece[rnd() % (sizeof(piece) / sizeof(piece[0]))];
		for (; *p && k < n; p++)
			b[k++] = *p;
	}
	b[n] = '\0';
	return b;
}

typedef struct combo {
	const EVP_MD *md;
	mw_canon canon;
	int64_t limit;
} combo;

/* reference - the body of "X: y" + body parsed whole, hashed in one go */
static void reference(const char *body, size_t n, const combo *c, unsigned char *out,
		      unsigned *outlen, uint64_t *total)
{
	char *text = malloc(n + 8);
	memcpy(text, "X: y\r\n\r\n", 8);
	memcpy(text + 8, body, n);
	mw_message m;
	assert_int_equal(mw_message_parse(text, n + 8, &m, NULL), MW_OK);
	assert_int_equal(mw_body_digest(NULL, &m, c->md, c->canon, c->limit, out, outlen, total),
			 MW_OK);
	mw_message_free(&m);
	free(text);
}

/* feed_random - body into s in random chunks (empty ones included) */
static void feed_random(mw_bodyhash_set *s, const char *body, size_t n, size_t maxchunk)
{
	for (size_t i = 0; i < n;) {
		size_t k = (size_t)(rnd() % (maxchunk + 1));
		if (k > n - i)
			k = n - i;
		mw_bodyhash_set_update(s, body + i, k);
		i += k;
	}
}

/* Every combination, many bodies, many chunkings: streamed == whole. */
static void test_random_chunkings(void **state)
{
	(void)state;
	const combo combos[] = {
		{EVP_sha256(), MW_CANON_SIMPLE, -1},  {EVP_sha256(), MW_CANON_RELAXED, -1},
		{EVP_sha1(), MW_CANON_SIMPLE, -1},    {EVP_sha1(), MW_CANON_RELAXED, -1},
		{EVP_sha256(), MW_CANON_SIMPLE, 0},   {EVP_sha256(), MW_CANON_RELAXED, 0},
		{EVP_sha256(), MW_CANON_SIMPLE, 7},   {EVP_sha256(), MW_CANON_RELAXED, 7},
		{EVP_sha256(), MW_CANON_SIMPLE, 300}, {EVP_sha256(), MW_CANON_RELAXED, 300},
	};
#define NCOMBO 10
	const size_t ncombo = NCOMBO;
	assert_int_equal(sizeof(combos) / sizeof(combos[0]), NCOMBO);
	size_t checked = 0;
	for (int iter = 0; iter < 300; iter++) {
		size_t n = iter < 20 ? (size_t)iter : (size_t)(rnd() % (iter < 280 ? 600 : 20000));
		char *body = random_body(n);
		unsigned char want[NCOMBO][EVP_MAX_MD_SIZE];
		unsigned wlen[NCOMBO];
		uint64_t wtotal[NCOMBO];
		for (size_t c = 0; c < ncombo; c++)
			reference(body, n, &combos[c], want[c], &wlen[c], &wtotal[c]);
		for (int split = 0; split < 6; split++) {
			mw_bodyhash_set s;
			mw_bodyhash_set_init(&s);
			for (size_t c = 0; c < ncombo; c++)
				assert_int_equal(mw_bodyhash_set_want(&s, combos[c].md, combos[c].canon,
								      combos[c].limit), MW_OK);
			assert_int_equal(s.n, ncombo);
			size_t maxchunk = split == 0 ? 1 : split == 1 ? 2 : split == 5 ? n + 1 : 1 + rnd() % 64;
			feed_random(&s, body, n, maxchunk);
			assert_int_equal(mw_bodyhash_set_final(&s), MW_OK);
			assert_int_equal(s.bytes, n);
			for (size_t c = 0; c < ncombo; c++) {
				unsigned char got[EVP_MAX_MD_SIZE];
				unsigned glen;
				uint64_t gtotal;
				assert_int_equal(mw_body_digest(&s, NULL, combos[c].md, combos[c].canon,
								combos[c].limit, got, &glen, &gtotal),
						 MW_OK);
				if (glen != wlen[c] || memcmp(got, want[c], glen) != 0 || gtotal != wtotal[c])
					fail_msg("iter %d split %d combo %zu: streamed hash differs "
						 "(total got %llu want %llu)", iter, split, c,
						 (unsigned long long)gtotal, (unsigned long long)wtotal[c]);
				checked++;
			}
			mw_bodyhash_set_free(&s);
		}
		free(body);
	}
	assert_int_equal(checked, 300 * 6 * ncombo);
}

/* A CR ending one chunk and its LF starting the next are one line end; a CR
 * ending the body is a line end of its own (as mw_message_parse reads it). */
static void test_cr_at_chunk_edge(void **state)
{
	(void)state;
	static const struct {
		const char *chunks[4];
		const char *want; /* canonical simple body */
	} cases[] = {
		{{"ab\r", "\ncd", NULL}, "ab\r\ncd\r\n"},
		{{"ab\r", "cd", NULL}, "ab\r\ncd\r\n"},           /* bare CR */
		{{"ab\r", "\r\ncd", NULL}, "ab\r\n\r\ncd\r\n"},   /* bare CR then CRLF */
		{{"ab\r", "", "\ncd", NULL}, "ab\r\ncd\r\n"},    /* an empty chunk in between */
		{{"ab\n", "\ncd", NULL}, "ab\r\n\r\ncd\r\n"},     /* bare LFs */
		{{"ab", "\r", NULL}, "ab\r\n"},                   /* CR at the very end */
		{{"\r", "\n", "\r", NULL}, "\r\n"},               /* only line ends: simple = CRLF */
		{{"x\n\r", "\n", NULL}, "x\r\n"},                 /* LF, then CRLF: trailing empty */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_bodyhash_set s;
		mw_bodyhash_set_init(&s);
		assert_int_equal(mw_bodyhash_set_want(&s, EVP_sha256(), MW_CANON_SIMPLE, -1), MW_OK);
		for (int k = 0; cases[i].chunks[k]; k++)
			mw_bodyhash_set_update(&s, cases[i].chunks[k], strlen(cases[i].chunks[k]));
		assert_int_equal(mw_bodyhash_set_final(&s), MW_OK);
		unsigned char want[32];
		unsigned wl;
		EVP_Digest(cases[i].want, strlen(cases[i].want), want, &wl, EVP_sha256(), NULL);
		const mw_bodyhash_entry *e = mw_bodyhash_set_get(&s, EVP_sha256(), MW_CANON_SIMPLE, -1);
		assert_non_null(e);
		if (memcmp(e->digest, want, 32) != 0)
			fail_msg("case %zu: hash is not that of the expected canonical body", i);
		assert_int_equal(e->total, strlen(cases[i].want));
		mw_bodyhash_set_free(&s);
	}
}

/* plan: which fields add which hashes; malformed ones add none */
static void test_plan(void **state)
{
	(void)state;
	static const struct {
		const char *fields; /* header section */
		size_t want_n;      /* distinct hashes planned */
	} cases[] = {
		/* good */
		{"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=x; s=y; h=from; bh=; b=\r\n", 1},
		{"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\n", 1}, /* c= default */
		{"DKIM-Signature: a=rsa-sha256; c=relaxed\r\nDKIM-Signature: a=ed25519-sha256; c=relaxed/simple\r\n", 1},
		{"DKIM-Signature: a=rsa-sha256; c=relaxed/relaxed\r\nDKIM-Signature: a=rsa-sha1; c=relaxed/relaxed\r\n", 2},
		{"DKIM-Signature: a=rsa-sha256; l=10\r\nDKIM-Signature: a=rsa-sha256; l=20\r\n", 2},
		{"DKIM-Signature: a=rsa-sha256; c=simple/relaxed; l=0\r\n", 1},
		{"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; l=5\r\n", 1}, /* l= ignored */
		{"ARC-Message-Signature: i=1; a=rsa-sha256\r\nDKIM-Signature: a=rsa-sha256\r\n", 1},
		/* malformed: nothing to hash */
		{"DKIM-Signature: a=rsa-md5; c=relaxed/relaxed\r\n", 0},
		{"DKIM-Signature: c=relaxed/relaxed\r\n", 0},                    /* no a= */
		{"DKIM-Signature: a=rsa-sha256; c=fancy/relaxed\r\n", 0},
		{"DKIM-Signature: a=rsa-sha256; c=relaxed/fancy\r\n", 0},
		{"DKIM-Signature: a=rsa-sha256; l=12x\r\n", 0},
		{"DKIM-Signature: a=rsa-sha256; l=\r\n", 0},
		{"DKIM-Signature: a=rsa-sha256; l=1234567890123456789\r\n", 0}, /* 19 digits */
		{"DKIM-Signature: a=rsa-sha256;; c=relaxed\r\n", 0},            /* tag-list syntax */
		{"DKIM-Signature: a=rsa-sha256; a=rsa-sha256\r\n", 0},          /* tag twice */
		{"ARC-Message-Signature: i=1; c=simple/relaxed\r\n", 0},        /* no a= */
		{"X-DKIM-Signature: a=rsa-sha256\r\nSubject: a=rsa-sha256\r\n", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_message m;
		char text[512];
		snprintf(text, sizeof(text), "%s\r\n", cases[i].fields);
		assert_int_equal(mw_message_parse(text, strlen(text), &m, NULL), MW_OK);
		mw_bodyhash_set s;
		mw_bodyhash_set_init(&s);
		assert_int_equal(mw_bodyhash_set_plan(&s, &m), MW_OK);
		if (s.n != cases[i].want_n)
			fail_msg("case %zu: %zu hashes planned, want %zu", i, s.n, cases[i].want_n);
		mw_bodyhash_set_free(&s);
		mw_message_free(&m);
	}
}

/* only the first MW_DKIM_SIGS_MAX signatures are planned; MW_DKIM_BODYHASH_MAX
 * caps distinct wants; no want once the body started */
static void test_limits(void **state)
{
	(void)state;
	char text[8192];
	size_t k = 0;
	for (int i = 0; i < MW_DKIM_SIGS_MAX + 5; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "DKIM-Signature: a=rsa-sha256; l=%d\r\n", i);
	k += (size_t)snprintf(text + k, sizeof(text) - k, "\r\n");
	mw_message m;
	assert_int_equal(mw_message_parse(text, k, &m, NULL), MW_OK);
	mw_bodyhash_set s;
	mw_bodyhash_set_init(&s);
	assert_int_equal(mw_bodyhash_set_plan(&s, &m), MW_OK);
	assert_int_equal(s.n, MW_DKIM_SIGS_MAX);
	for (int i = 0; i < 10; i++)
		mw_bodyhash_set_want(&s, EVP_sha256(), MW_CANON_RELAXED, 1000 + i);
	assert_int_equal(s.n, MW_DKIM_BODYHASH_MAX);
	assert_int_equal(s.nrefused, 10 - (MW_DKIM_BODYHASH_MAX - MW_DKIM_SIGS_MAX));
	assert_int_equal(mw_bodyhash_set_want(&s, EVP_sha256(), MW_CANON_RELAXED, 5000), MW_ETOOBIG);
	assert_int_equal(mw_bodyhash_set_want(&s, EVP_sha256(), MW_CANON_SIMPLE, 3), MW_OK); /* have it */
	mw_bodyhash_set_update(&s, "x", 1);
	assert_int_equal(mw_bodyhash_set_want(&s, EVP_sha1(), MW_CANON_SIMPLE, -1), MW_EINVAL);
	assert_int_equal(mw_bodyhash_set_final(&s), MW_OK);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl;
	assert_int_equal(mw_body_digest(&s, &m, EVP_sha1(), MW_CANON_SIMPLE, -1, d, &dl, NULL),
			 MW_ENOTFOUND);
	assert_int_equal(mw_body_digest(&s, &m, EVP_sha256(), MW_CANON_SIMPLE, 0, d, &dl, NULL), MW_OK);
	mw_bodyhash_set_free(&s);
	mw_bodyhash_set_free(&s); /* safe twice */
	mw_message_free(&m);
}

/* ---- corpora: header section + streamed hashes == whole message ---- */

/* split_stream - the header section of whole as a message of its own, and a
 * planned set fed whole's body in random chunks */
static void split_stream(const mw_message *whole, mw_message *hdr, mw_bodyhash_set *s)
{
	char *h = malloc(whole->header_len + 3);
	memcpy(h, whole->data, whole->header_len);
	memcpy(h + whole->header_len, "\r\n", 2);
	assert_int_equal(mw_message_parse(h, whole->header_len + 2, hdr, NULL), MW_OK);
	free(h);
	mw_bodyhash_set_init(s);
	assert_int_equal(mw_bodyhash_set_plan(s, hdr), MW_OK);
	feed_random(s, whole->body ? whole->body : "", whole->body_len, 1 + rnd() % 4096);
	assert_int_equal(mw_bodyhash_set_final(s), MW_OK);
}

/* dkim_both - results "pass(reason),fail(reason)" whole and streamed; equal */
static void dkim_both(const char *name, const char *text, size_t len, const dns_zone *z,
		      time_t now, size_t *nsig)
{
	mw_message whole, hdr;
	if (mw_message_parse(text, len, &whole, NULL) != MW_OK)
		return; /* unparsable: no body to stream */
	mw_bodyhash_set s;
	split_stream(&whole, &hdr, &s);
	char out[2][4096];
	for (int k = 0; k < 2; k++) {
		dns_cache *c = dns_cache_new();
		dns_resolver *res = dns_resolver_zone_new(z);
		dns_lookup lk;
		dns_lookup_init(&lk, c, now);
		mw_dkim_verify v;
		assert_int_equal(mw_dkim_verify_init(&v, k ? &hdr : &whole, now), MW_OK);
		v.bodies = k ? &s : NULL;
		assert_int_equal(mw_dkim_verify_run(&v, &lk, res, NULL), MW_OK);
		size_t o = 0;
		out[k][0] = '\0';
		for (size_t i = 0; i < v.nsig; i++)
			o += (size_t)snprintf(out[k] + o, sizeof(out[k]) - o, "%s(%s),",
					      mw_auth_result_name(v.sig[i].result), v.sig[i].reason);
		*nsig += k ? 0 : v.nsig;
		mw_dkim_verify_free(&v);
		dns_resolver_free(res);
		dns_cache_free(c);
	}
	if (strcmp(out[0], out[1]) != 0)
		fail_msg("%s: whole %s streamed %s", name, out[0], out[1]);
	mw_bodyhash_set_free(&s);
	mw_message_free(&hdr);
	mw_message_free(&whole);
}

static void test_corpus_dkim(void **state)
{
	(void)state;
	testdata_or_skip("dkim-mail-dkim/FAKE_DNS.dat");
	size_t len, nsig = 0, nmsg = 0;
	char *dat = read_file_or_die(testdata_path("dkim-mail-dkim/FAKE_DNS.dat"), &len);
	dns_zone *z = dns_zone_new();
	txtzone_load(z, dat, len, false);
	free(dat);
	DIR *dir = opendir(testdata_path("dkim-mail-dkim/corpus"));
	assert_non_null(dir);
	for (struct dirent *de; (de = readdir(dir));) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "dkim-mail-dkim/corpus/%s", de->d_name);
		char *msg = read_file_or_die(testdata_path(path), &len);
		dkim_both(de->d_name, msg, len, z, 1700000000, &nsig);
		free(msg);
		nmsg++;
	}
	closedir(dir);
	dns_zone_free(z);
	assert_int_equal(nmsg, 53);
	assert_int_equal(nsig, 45); /* DomainKeys-only messages have none */
	/* Stalwart's vectors: records, blank line, message */
	static const char *const mail_auth[] = {"001.txt", "002.txt", "004.txt", "005.txt"};
	for (size_t i = 0; i < 4; i++) {
		char path[256];
		snprintf(path, sizeof(path), "dkim-mail-auth/%s", mail_auth[i]);
		char *text = read_file_or_die(testdata_path(path), &len);
		z = dns_zone_new();
		size_t off = txtzone_load(z, text, len, true);
		dkim_both(mail_auth[i], text + off, len - off, z, 1667843664, &nsig);
		dns_zone_free(z);
		free(text);
	}
	assert_int_equal(nsig, 45 + 5);
	/* dkimpy's ready-signed messages (simple/simple among them) */
	static const char *const dkimpy[] = {"test2.message", "rfc6376.signed.msg",
					     "ed25519test2.msg"};
	char *dns = read_file_or_die(testdata_path("dkim-dkimpy/dns.txt"), &len);
	z = dns_zone_new();
	txtzone_load(z, dns, len, false);
	free(dns);
	for (size_t i = 0; i < 3; i++) {
		char path[256];
		snprintf(path, sizeof(path), "dkim-dkimpy/%s", dkimpy[i]);
		char *msg = read_file_or_die(testdata_path(path), &len);
		dkim_both(dkimpy[i], msg, len, z, 1700000000, &nsig);
		free(msg);
	}
	dns_zone_free(z);
	assert_int_equal(nsig, 45 + 5 + 4);
}

/* the real-world ARC message: cv=pass whole and streamed */
static void test_corpus_arc(void **state)
{
	(void)state;
	testdata_or_skip("arc-mail-auth/001.txt");
	size_t len;
	char *text = read_file_or_die(testdata_path("arc-mail-auth/001.txt"), &len);
	dns_zone *z = dns_zone_new();
	size_t off = txtzone_load(z, text, len, true);
	mw_message whole, hdr;
	assert_int_equal(mw_message_parse(text + off, len - off, &whole, NULL), MW_OK);
	mw_bodyhash_set s;
	split_stream(&whole, &hdr, &s);
	for (int k = 0; k < 2; k++) {
		dns_cache *c = dns_cache_new();
		dns_resolver *res = dns_resolver_zone_new(z);
		dns_lookup lk;
		dns_lookup_init(&lk, c, 1700000000);
		mw_arc_verify v;
		assert_int_equal(mw_arc_verify_init(&v, k ? &hdr : &whole, 1700000000), MW_OK);
		v.bodies = k ? &s : NULL;
		assert_int_equal(mw_arc_verify_run(&v, &lk, res, NULL), MW_OK);
		if (v.cv != MW_AUTH_PASS)
			fail_msg("%s: cv=%s (%s)", k ? "streamed" : "whole", mw_arc_cv_name(v.cv), v.reason);
		mw_arc_verify_free(&v);
		dns_resolver_free(res);
		dns_cache_free(c);
	}
	/* without the hash the AMS needs, the chain fails (no silent pass) */
	mw_bodyhash_set empty;
	mw_bodyhash_set_init(&empty);
	assert_int_equal(mw_bodyhash_set_final(&empty), MW_OK);
	dns_cache *c = dns_cache_new();
	dns_resolver *res = dns_resolver_zone_new(z);
	dns_lookup lk;
	dns_lookup_init(&lk, c, 1700000000);
	mw_arc_verify v;
	assert_int_equal(mw_arc_verify_init(&v, &hdr, 1700000000), MW_OK);
	v.bodies = &empty;
	assert_int_equal(mw_arc_verify_run(&v, &lk, res, NULL), MW_OK);
	assert_int_equal(v.cv, MW_AUTH_FAIL);
	assert_non_null(strstr(v.reason, "body not hashed"));
	mw_arc_verify_free(&v);
	dns_resolver_free(res);
	dns_cache_free(c);
	mw_bodyhash_set_free(&s);
	mw_message_free(&hdr);
	mw_message_free(&whole);
	dns_zone_free(z);
	free(text);
}

/* ---- signing and sealing from streamed hashes ---- */

static const char sample[] = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n"
			     "Subject:  odd   spacing \r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
			     "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.org\r\n"
			     "\r\nHello  there \r\n\r\nline\ttwo\n\r\n\r\n";

static void test_sign_and_seal_same(void **state)
{
	(void)state;
	EVP_PKEY *keys[2] = {EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024),
			     EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")};
	assert_non_null(keys[0]);
	assert_non_null(keys[1]);
	mw_message whole, hdr;
	assert_int_equal(mw_message_parse(sample, strlen(sample), &whole, NULL), MW_OK);
	mw_bodyhash_set s;
	char *h = strndup(whole.data, whole.header_len);
	size_t hl = strlen(h);
	h = realloc(h, hl + 3);
	memcpy(h + hl, "\r\n", 3);
	assert_int_equal(mw_message_parse(h, hl + 2, &hdr, NULL), MW_OK);
	free(h);
	mw_bodyhash_set_init(&s);
	for (int c = 0; c < 2; c++)
		assert_int_equal(mw_bodyhash_set_want(&s, EVP_sha256(), (mw_canon)c, -1), MW_OK);
	feed_random(&s, whole.body, whole.body_len, 3);
	assert_int_equal(mw_bodyhash_set_final(&s), MW_OK);
	for (int k = 0; k < 2; k++)
		for (int c = 0; c < 2; c++) {
			mw_buf out[2];
			for (int w = 0; w < 2; w++) {
				mw_dkim_sign_opts o;
				mw_dkim_sign_opts_init(&o, "example.org", "sel", 1700000000);
				o.hcanon = o.bcanon = (mw_canon)c;
				o.bodies = w ? &s : NULL;
				mw_buf_init(&out[w], 65536);
				mw_err err;
				if (mw_dkim_sign(w ? &hdr : &whole, keys[k], &o, &out[w], &err) != MW_OK)
					fail_msg("sign: %s", err.msg);
			}
			assert_string_equal(mw_buf_cstr(&out[0]), mw_buf_cstr(&out[1]));
			mw_buf_free(&out[0]);
			mw_buf_free(&out[1]);
		}
	/* a hash the set does not hold is an error, not a wrong signature */
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.org", "sel", 1700000000);
	o.body_length = 3;
	o.bodies = &s;
	mw_buf out;
	mw_buf_init(&out, 65536);
	mw_err err;
	assert_int_equal(mw_dkim_sign(&hdr, keys[0], &o, &out, &err), MW_EINVAL);
	mw_buf_free(&out);
	/* ARC: seal the message whole and from the header + hashes */
	const char *fields[2][3];
	mw_pool *pool = mw_pool_new(1u << 22);
	for (int w = 0; w < 2; w++) {
		const mw_message *m = w ? &hdr : &whole;
		mw_arc_verify chain;
		assert_int_equal(mw_arc_verify_init(&chain, m, 1700000000), MW_OK);
		dns_lookup lk;
		dns_cache *cache = dns_cache_new();
		dns_lookup_init(&lk, cache, 1700000000);
		assert_int_equal(mw_arc_verify_step(&chain, &lk), MW_OK); /* no ARC sets: no DNS */
		mw_arc_seal_opts so = {"example.org", "arc", "mx.example.org", keys[0], NULL, NULL,
				       1700000000, w ? &s : NULL};
		mw_arc_seal_out sout;
		if (mw_arc_seal(m, &chain, &so, pool, &sout, &err) != MW_OK)
			fail_msg("seal: %s", err.msg);
		fields[w][0] = sout.aar;
		fields[w][1] = sout.ams;
		fields[w][2] = sout.as;
		mw_arc_verify_free(&chain);
		dns_cache_free(cache);
	}
	for (int f = 0; f < 3; f++)
		assert_string_equal(fields[0][f], fields[1][f]);
	mw_pool_free(pool);
	mw_bodyhash_set_free(&s);
	mw_message_free(&hdr);
	mw_message_free(&whole);
	EVP_PKEY_free(keys[0]);
	EVP_PKEY_free(keys[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_chunkings), cmocka_unit_test(test_cr_at_chunk_edge),
		cmocka_unit_test(test_plan),		 cmocka_unit_test(test_limits),
		cmocka_unit_test(test_corpus_dkim),	 cmocka_unit_test(test_corpus_arc),
		cmocka_unit_test(test_sign_and_seal_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
