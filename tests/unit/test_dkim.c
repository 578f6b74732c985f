/*
 * test_dkim.c - DKIM canonicalization (RFC 6376 §3.4 with its §3.4.5
 * example and the erratum 1384 empty-body hashes), header selection per
 * §5.4.2, key records, and the verifier's answers to bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "auth/dkim.h"
#include "auth/dkim_key.h"
#include "dns/zone.h"

/* the tables below hold printf formats with one key argument */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* b64 of the SHA-256 of s[0..n) */
static void sha256_b64(const char *s, size_t n, char *out)
{
	unsigned char h[32];
	unsigned hl;
	EVP_Digest(s, n, h, &hl, EVP_sha256(), NULL);
	mw_b64_encode(h, hl, out);
}

/* body hash, b64, under canon c with limit l, fed in chunks of `chunk` bytes */
static void body_b64(mw_canon c, int64_t l, const char *body, size_t chunk, char *out,
		     uint64_t *total)
{
	mw_body_hash bh;
	assert_int_equal(mw_body_hash_init(&bh, EVP_sha256(), c, l), MW_OK);
	size_t n = strlen(body);
	for (size_t i = 0; i < n; i += chunk)
		mw_body_hash_update(&bh, body + i, n - i < chunk ? n - i : chunk);
	unsigned char h[64];
	unsigned hl;
	assert_int_equal(mw_body_hash_final(&bh, h, &hl), MW_OK);
	*total = bh.total;
	mw_body_hash_free(&bh);
	mw_b64_encode(h, hl, out);
}

/* Body canonicalization: the canonical text each input must hash as, fed
 * whole and one byte at a time. */
static void test_canon_body(void **state)
{
	(void)state;
	static const struct {
		mw_canon c;
		const char *in, *want;
	} cases[] = {
		{MW_CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n"}, /* §3.4.5 */
		{MW_CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n"},     /* §3.4.5 */
		{MW_CANON_SIMPLE, "", "\r\n"},
		{MW_CANON_RELAXED, "", ""},
		{MW_CANON_SIMPLE, "\r\n\r\n", "\r\n"},
		{MW_CANON_RELAXED, "\r\n \t\r\n", ""},
		{MW_CANON_SIMPLE, "abc", "abc\r\n"},
		{MW_CANON_RELAXED, "abc  ", "abc\r\n"},
		{MW_CANON_SIMPLE, "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"},
		{MW_CANON_RELAXED, "a \r\n \r\n\tb\r\n \r\n", "a\r\n\r\n b\r\n"},
		{MW_CANON_SIMPLE, "\r\n\r\nx", "\r\n\r\nx\r\n"},
		{MW_CANON_RELAXED, "x\t\ty  z \t", "x y z\r\n"},
		/* long lines: the 8-byte scanner must see pairs across word edges */
		{MW_CANON_RELAXED, "abcdefg  hijklmnop qrstuvwx\r\n", "abcdefg hijklmnop qrstuvwx\r\n"},
		{MW_CANON_RELAXED, "abcdefgh ijklmno \r\nline two is long enough\r\n",
		 "abcdefgh ijklmno\r\nline two is long enough\r\n"},
		{MW_CANON_RELAXED, "clean line number one\r\n\r\nclean two\r\n\r\n\r\n",
		 "clean line number one\r\n\r\nclean two\r\n"},
		{MW_CANON_RELAXED, "0123456\t789abcdef\r\n 0123456789abcdef0123\r\n",
		 "0123456 789abcdef\r\n 0123456789abcdef0123\r\n"},
		{MW_CANON_RELAXED, "0123456789abcde \r\n\r\n \r\n", "0123456789abcde\r\n"},
		{MW_CANON_RELAXED, "first clean line\r\nno final line end   ", "first clean line\r\nno final line end\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[64], got[64], got1[64];
		uint64_t total, total1;
		sha256_b64(cases[i].want, strlen(cases[i].want), want);
		body_b64(cases[i].c, -1, cases[i].in, 1 << 20, got, &total);
		body_b64(cases[i].c, -1, cases[i].in, 1, got1, &total1);
		if (strcmp(got, want) != 0 || strcmp(got1, want) != 0)
			fail_msg("case %zu (%s): got %s / %s want %s", i, mw_canon_name(cases[i].c), got,
				 got1, want);
		assert_int_equal(total, strlen(cases[i].want));
		assert_int_equal(total1, total);
	}
	char got[64];
	uint64_t total;
	body_b64(MW_CANON_SIMPLE, -1, "", 1, got, &total); /* erratum 1384 values */
	assert_string_equal(got, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
	body_b64(MW_CANON_RELAXED, -1, "", 1, got, &total);
	assert_string_equal(got, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

/* l= hashes only the first l canonical bytes but counts them all. */
static void test_canon_body_limit(void **state)
{
	(void)state;
	char want[64], got[64];
	uint64_t total;
	sha256_b64("hello\r\nwo", 9, want);
	body_b64(MW_CANON_SIMPLE, 9, "hello\r\nworld\r\n\r\n", 3, got, &total);
	assert_string_equal(got, want);
	assert_int_equal(total, 14);
	sha256_b64("", 0, want);
	body_b64(MW_CANON_RELAXED, 0, "x\r\n", 1, got, &total);
	assert_string_equal(got, want);
	assert_int_equal(total, 3);
}

/* Header canonicalization (§3.4.1, §3.4.2 and the §3.4.5 example). */
static void test_canon_header(void **state)
{
	(void)state;
	static const struct {
		mw_canon c;
		const char *raw, *want;
	} cases[] = {
		{MW_CANON_RELAXED, "A: X", "a:X\r\n"},
		{MW_CANON_RELAXED, "B : Y\t\r\n\tZ  ", "b:Y Z\r\n"},
		{MW_CANON_SIMPLE, "B : Y\t\r\n\tZ  ", "B : Y\t\r\n\tZ  \r\n"},
		{MW_CANON_RELAXED, "Subject:", "subject:\r\n"},
		{MW_CANON_RELAXED, "SUBJECT:  \r\n  a  \r\n b", "subject:a b\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_buf b;
		mw_buf_init(&b, 1024);
		assert_int_equal(mw_canon_header(cases[i].c, cases[i].raw, strlen(cases[i].raw), &b),
				 MW_OK);
		if (strcmp(mw_buf_cstr(&b), cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, mw_buf_cstr(&b), cases[i].want);
		mw_buf_free(&b);
	}
	static const struct {
		mw_canon c;
		const char *raw, *want;
	} sigs[] = {
		{MW_CANON_SIMPLE, "DKIM-Signature: v=1; b=abc\r\n def; d=x", "DKIM-Signature: v=1; b=; d=x"},
		{MW_CANON_SIMPLE, "DKIM-Signature: v=1; bh=xyz; b= abc ", "DKIM-Signature: v=1; bh=xyz; b="},
		{MW_CANON_RELAXED, "DKIM-Signature: v=1;\r\n b=abc;\r\n d=x", "dkim-signature:v=1; b=; d=x"},
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		mw_buf b;
		mw_buf_init(&b, 1024);
		assert_int_equal(mw_canon_sig_header(sigs[i].c, sigs[i].raw, strlen(sigs[i].raw), &b),
				 MW_OK);
		if (strcmp(mw_buf_cstr(&b), sigs[i].want) != 0)
			fail_msg("sig %zu: got '%s' want '%s'", i, mw_buf_cstr(&b), sigs[i].want);
		mw_buf_free(&b);
	}
	mw_buf b;
	mw_buf_init(&b, 1024);
	assert_int_equal(mw_canon_sig_header(MW_CANON_SIMPLE, "X: v=1; d=x", 11, &b), MW_EPARSE);
	assert_int_equal(mw_canon_sig_header(MW_CANON_SIMPLE, "X: v=1;; b=", 11, &b), MW_EPARSE);
	mw_buf_free(&b);
}

/* §5.4.2: each h= name takes the next instance from the bottom; extra
 * (over-signed) names select nothing. */
static void test_canon_select(void **state)
{
	(void)state;
	const char *msg = "Received: r1\r\nFrom: f\r\nReceived: r2\r\nTo: t\r\n\r\n";
	static const struct {
		const char *h, *want;
	} cases[] = {
		{"from", "From: f\r\n"},
		{"received:received", "Received: r2\r\nReceived: r1\r\n"},
		{"Received:From:RECEIVED:received:from", "Received: r2\r\nFrom: f\r\nReceived: r1\r\n"},
		{"x-none:to", "To: t\r\n"},
		{"to:from:to", "To: t\r\nFrom: f\r\n"},
	};
	mw_message m;
	mw_err err;
	assert_int_equal(mw_message_parse(msg, strlen(msg), &m, &err), MW_OK);
	mw_pool *p = mw_pool_new(1 << 16);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_hname *h;
		size_t nh;
		assert_int_equal(mw_dkim_split_h(cases[i].h, strlen(cases[i].h), p, &h, &nh), MW_OK);
		mw_buf b;
		mw_buf_init(&b, 4096);
		assert_int_equal(mw_canon_select(MW_CANON_SIMPLE, &m, h, nh, -1, &b), MW_OK);
		if (strcmp(mw_buf_cstr(&b), cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, mw_buf_cstr(&b), cases[i].want);
		mw_buf_free(&b);
	}
	mw_hname *h;
	size_t nh;
	assert_int_equal(mw_dkim_split_h("from::to", 8, p, &h, &nh), MW_EPARSE);
	assert_int_equal(mw_dkim_split_h("", 0, p, &h, &nh), MW_EPARSE);
	assert_int_equal(mw_dkim_split_h("from:\r\n to", 11, p, &h, &nh), MW_OK);
	assert_int_equal(nh, 2);
	mw_pool_free(p);
	mw_message_free(&m);
}

/* base64 public key of a fresh key: SPKI (spki=true) or PKCS#1 for RSA, raw for Ed25519 */
static char *pub_b64(EVP_PKEY *k, bool spki)
{
	unsigned char der[4096], *p = der;
	size_t n;
	if (EVP_PKEY_get_id(k) == EVP_PKEY_ED25519 && !spki) {
		n = 32;
		EVP_PKEY_get_raw_public_key(k, der, &n);
	} else if (spki) {
		n = (size_t)i2d_PUBKEY(k, &p);
	} else {
		n = (size_t)i2d_PublicKey(k, &p);
	}
	char *out = malloc(4 * n / 3 + 8);
	mw_b64_encode(der, n, out);
	return out;
}

/* Key records (RFC 6376 §3.6.1, RFC 8463 §4): what parses and what does not. */
static void test_key_records(void **state)
{
	(void)state;
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *rsa512 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char *r = pub_b64(rsa, true), *r1 = pub_b64(rsa, false), *w = pub_b64(rsa512, true);
	char *e = pub_b64(ed, false), *es = pub_b64(ed, true);
	char trunc[64];
	snprintf(trunc, sizeof(trunc), "p=%.40s", r);
	static char rec[40][1024];
	const struct {
		const char *fmt, *arg;
		mw_status want;
		int bits;
		const char *flags; /* w weak, t testing, s strict, 1 sha1 only */
	} cases[] = {
		{"v=DKIM1; k=rsa; p=%s", r, MW_OK, 1024, ""},
		{"p=%s", r, MW_OK, 1024, ""},
		{"k=rsa; p=%s", r1, MW_OK, 1024, ""},            /* PKCS#1 RSAPublicKey */
		{"v=DKIM1; p=%s", w, MW_OK, 512, "w"},           /* parses, flagged weak */
		{"k=ed25519; p=%s", e, MW_OK, 256, ""},
		{"t=y:s; n=note; g=*; x1=2; p=%s", r, MW_OK, 1024, "ts"},
		{"s=email:chat; p=%s", r, MW_OK, 1024, ""},
		{"h=sha1; p=%s", r, MW_OK, 1024, "1"},
		{"t=y:zz; p=%s", r, MW_OK, 1024, "t"},
		{"p=%s", "", MW_EPARSE, 0, ""},                  /* revoked */
		{"v=DKIM2; p=%s", r, MW_EPARSE, 0, ""},
		{"v=DKIM1:; p=%s", r, MW_EPARSE, 0, ""},          /* dkimpy badversion.txt */
		{"k=rsa; v=DKIM1; p=%s", r, MW_EPARSE, 0, ""},    /* v= not first */
		{"k=foobar; p=%s", r, MW_EPARSE, 0, ""},
		{"k=ed25519-sha256; p=%s", r, MW_EPARSE, 0, ""},  /* dkimpy badk.txt */
		{"s=chat; p=%s", r, MW_EPARSE, 0, ""},
		{"s=tlsrpt; p=%s", r, MW_EPARSE, 0, ""},          /* RFC 8460 §3 */
		{"p=%s!!", r, MW_EPARSE, 0, ""},
		{"k=ed25519; p=%s", es, MW_EPARSE, 0, ""},        /* SPKI, not raw 32 bytes */
		{"k=ed25519; p=%s", r, MW_EPARSE, 0, ""},
		{"k=rsa; p=%s", e, MW_EPARSE, 0, ""},
		{"%s", trunc, MW_EPARSE, 0, ""},                  /* truncated DER */
		{"garbage%s", "", MW_EPARSE, 0, ""},
		{"%s", "", MW_EPARSE, 0, ""},
		{"k=rsa; t; p=%s", r, MW_EPARSE, 0, ""},          /* tag without '=' */
		{"v=DKIM1; k=rsa%s", "", MW_EPARSE, 0, ""},       /* no p= */
		{"p=%s; p=%s", r, MW_EPARSE, 0, ""},              /* duplicate p= */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(rec[i], sizeof(rec[i]), cases[i].fmt, cases[i].arg, cases[i].arg);
		mw_dkim_key k;
		mw_err err;
		mw_status st = mw_dkim_key_parse(rec[i], strlen(rec[i]), &k, &err);
		if (st != cases[i].want)
			fail_msg("case %zu '%.60s': got %s want %s (%s)", i, rec[i], mw_status_str(st),
				 mw_status_str(cases[i].want), st ? err.msg : "");
		if (st == MW_OK) {
			assert_int_equal(k.bits, cases[i].bits);
			assert_int_equal(k.weak, strchr(cases[i].flags, 'w') != NULL);
			assert_int_equal(k.testing, strchr(cases[i].flags, 't') != NULL);
			assert_int_equal(k.strict, strchr(cases[i].flags, 's') != NULL);
			assert_int_equal(k.hash_sha256, strchr(cases[i].flags, '1') == NULL);
		} else {
			assert_null(k.pkey);
		}
		mw_dkim_key_free(&k);
	}
	mw_dkim_key k;
	assert_int_equal(mw_dkim_key_parse("p=", 2, &k, NULL), MW_EPARSE);
	assert_true(k.revoked);
	free(r), free(r1), free(w), free(e), free(es);
	EVP_PKEY_free(rsa), EVP_PKEY_free(rsa512), EVP_PKEY_free(ed);
}

typedef struct fixture {
	dns_zone *zone;
	EVP_PKEY *rsa, *ed;
} fixture;

/* fixture_zone - keys under example.com for the bad-input table */
static void fixture_init(fixture *f)
{
	f->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	f->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char *r = pub_b64(f->rsa, true), *e = pub_b64(f->ed, false);
	char rec[1024];
	f->zone = dns_zone_new();
	static const struct {
		const char *name, *fmt;
		bool ed;
	} keys[] = {
		{"sel", "v=DKIM1; k=rsa; p=%s", false},   {"ed", "v=DKIM1; k=ed25519; p=%s", true},
		{"revoked", "v=DKIM1; p=%.0s", false},     {"garbage", "v=DKIM1; p=%%%.0s", false},
		{"tls", "v=DKIM1; s=tlsrpt; p=%s", false}, {"sha1only", "h=sha1; p=%s", false},
		{"strict", "t=s; p=%s", false},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(rec, sizeof(rec), keys[i].fmt, keys[i].ed ? e : r);
		char name[128];
		snprintf(name, sizeof(name), "%s._domainkey.example.com", keys[i].name);
		assert_int_equal(dns_zone_add_txt(f->zone, name, rec, strlen(rec), 300), MW_OK);
	}
	assert_int_equal(dns_zone_set_fault(f->zone, "slow._domainkey.example.com", DNS_FAULT_TIMEOUT),
			 MW_OK);
	free(r);
	free(e);
}

static void fixture_free(fixture *f)
{
	dns_zone_free(f->zone);
	EVP_PKEY_free(f->rsa);
	EVP_PKEY_free(f->ed);
}

/* verify_text - verify a message against the fixture zone at clock 1700000000 */
static void verify_text(fixture *f, const char *msg, size_t len, mw_message *m, mw_dkim_verify *v)
{
	mw_err err;
	if (mw_message_parse(msg, len, m, &err) != MW_OK)
		fail_msg("parse: %s", err.msg);
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(f->zone);
	dns_lookup lk;
	dns_lookup_init(&lk, c, 1700000000);
	assert_int_equal(mw_dkim_verify_init(v, m, 1700000000), MW_OK);
	assert_int_equal(mw_dkim_verify_run(v, &lk, r, &err), MW_OK);
	dns_resolver_free(r);
	dns_cache_free(c);
}

#define BH "Ck5SoRNWUpSR4X0COv7R5ub2pUTtl6xz4dTFz++ji4M=" /* simple "body\r\n" */
#define BASE "v=1; a=rsa-sha256; d=example.com; h=from:subject; bh=" BH "; "

/* Bad signatures and keys: each gives a defined result with a reason. */
static void test_verify_bad_input(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	static char hugeh[4096];
	strcpy(hugeh, "v=1; a=rsa-sha256; d=example.com; s=sel; b=AAAA; bh=" BH "; h=from");
	for (int i = 0; i < 300; i++)
		strcat(hugeh, ":x");
	static const struct {
		const char *sig;
		mw_auth_result want;
		const char *reason;
	} cases[] = {
		{BASE "s=sel; b=AAAA", MW_AUTH_FAIL, "did not verify"},
		{"v=1; a=rsa-sha256; d=example.com; h=from; s=sel; b=AAAA; bh=" "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", MW_AUTH_FAIL, "body hash"},
		{"v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=", MW_AUTH_PERMERROR, "b= missing"},
		{"v=1; a=rsa-sha256; d=exa", MW_AUTH_PERMERROR, "missing"},
		{"v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b", MW_AUTH_PERMERROR, "syntax"},
		{BASE "s=sel; b=@@@@", MW_AUTH_PERMERROR, "base64"},
		{BASE "s=sel; b=", MW_AUTH_PERMERROR, "base64"},
		{BASE "s=sel; b=AAAA; bh=AAAA", MW_AUTH_PERMERROR, "duplicate"},
		{"v=1; a=rsa-sha256; d=example.com; h=from; s=sel; b=AAAA; bh=AAAA", MW_AUTH_PERMERROR, "bh="},
		{hugeh, MW_AUTH_PERMERROR, "more than 256"},
		{"v=1; a=rsa-sha256; d=example.com; h=subject; s=sel; b=AAAA; bh=" BH, MW_AUTH_PERMERROR, "From is not in h="},
		{BASE "s=sel; b=AAAA; i=joe@other.example", MW_AUTH_PERMERROR, "i="},
		{BASE "s=sel; b=AAAA; i=joe", MW_AUTH_PERMERROR, "no '@'"},
		{"v=1; a=rsa-sha512; d=example.com; h=from; s=sel; b=AAAA; bh=" BH, MW_AUTH_PERMERROR, "unsupported algorithm"},
		{BASE "s=sel; b=AAAA; c=relaxed/foo", MW_AUTH_PERMERROR, "canonicalization"},
		{BASE "s=sel; b=AAAA; q=dns/foo", MW_AUTH_PERMERROR, "query method"},
		{BASE "s=sel; b=AAAA; l=abc", MW_AUTH_PERMERROR, "decimal"},
		{BASE "s=sel; b=AAAA; l=1000", MW_AUTH_PERMERROR, "exceeds"},
		{BASE "s=sel; b=AAAA; l=99999999999999999999", MW_AUTH_PERMERROR, "decimal"},
		{BASE "s=sel; b=AAAA; t=200; x=100", MW_AUTH_PERMERROR, "before t="},
		{BASE "s=sel; b=AAAA; x=1000", MW_AUTH_PERMERROR, "expired"},
		{BASE "s=nokey; b=AAAA", MW_AUTH_PERMERROR, "no key record"},
		{BASE "s=slow; b=AAAA", MW_AUTH_TEMPERROR, "timeout"},
		{BASE "s=revoked; b=AAAA", MW_AUTH_PERMERROR, "revoked"},
		{BASE "s=garbage; b=AAAA", MW_AUTH_PERMERROR, "key record"},
		{BASE "s=ed; b=AAAA", MW_AUTH_PERMERROR, "does not match"},
		{BASE "s=tls; b=AAAA", MW_AUTH_PERMERROR, "service type"},
		{BASE "s=sha1only; b=AAAA", MW_AUTH_PERMERROR, "h= does not allow"},
		{BASE "s=strict; b=AAAA; i=a@sub.example.com", MW_AUTH_PERMERROR, "t=s"},
		{BASE "s=strict; b=AAAA; i=a@example.com", MW_AUTH_FAIL, "did not verify"},
		{"v=2; a=rsa-sha256; d=example.com; h=from; s=sel; b=AAAA; bh=" BH, MW_AUTH_PERMERROR, "version"},
		{"a=rsa-sha256; d=example.com; h=from; s=sel; b=AAAA; bh=" BH, MW_AUTH_PERMERROR, "no v="},
		{"v=1; a=rsa-sha256; d=bad..example; h=from; s=sel; b=AAAA; bh=" BH, MW_AUTH_PERMERROR, "invalid domain"},
		{BASE "s=sel; b=AAAA; z=caf\xc3\xa9", MW_AUTH_PERMERROR, "invalid byte"},
		{"v=1; a=rsa-sha1; d=example.com; h=from; s=sel; b=AAAA; bh=uoq1oCgLlTqpdDX/iUbLy7J1Wic=", MW_AUTH_FAIL, "body hash"},
		{"", MW_AUTH_PERMERROR, "empty"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[8192];
		int n = snprintf(msg, sizeof(msg),
				 "DKIM-Signature: %s\r\nFrom: a@example.com\r\nSubject: x\r\n\r\nbody\r\n",
				 cases[i].sig);
		mw_message m;
		mw_dkim_verify v;
		verify_text(&f, msg, (size_t)n, &m, &v);
		assert_int_equal(v.nsig, 1);
		if (v.sig[0].result != cases[i].want || !strstr(v.sig[0].reason, cases[i].reason))
			fail_msg("case %zu: got %s (%s) want %s (...%s...)", i,
				 mw_auth_result_name(v.sig[0].result), v.sig[0].reason,
				 mw_auth_result_name(cases[i].want), cases[i].reason);
		assert_int_equal(v.result, cases[i].want);
		mw_dkim_verify_free(&v);
		mw_message_free(&m);
	}
	fixture_free(&f);
}

/* Message-level edges: no signature, >10 signatures, no body, line-end mixes. */
static void test_verify_message_edges(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	mw_message m;
	mw_dkim_verify v;
	const char *plain = "From: a@example.com\n\nhi\n";
	verify_text(&f, plain, strlen(plain), &m, &v);
	assert_int_equal(v.nsig, 0);
	assert_int_equal(v.result, MW_AUTH_NONE);
	mw_dkim_verify_free(&v);
	mw_message_free(&m);

	char many[16384] = "";
	for (int i = 0; i < MW_DKIM_SIGS_MAX + 2; i++)
		strcat(many, "DKIM-Signature: " BASE "s=sel; b=AAAA\r\n");
	strcat(many, "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n");
	verify_text(&f, many, strlen(many), &m, &v);
	assert_int_equal(v.nsig, MW_DKIM_SIGS_MAX);
	assert_int_equal(v.nignored, 2);
	assert_int_equal(v.result, MW_AUTH_FAIL);
	mw_dkim_verify_free(&v);
	mw_message_free(&m);

	const char *nobody = "DKIM-Signature: " BASE "s=sel; b=AAAA\r\nFrom: a@example.com";
	verify_text(&f, nobody, strlen(nobody), &m, &v);
	assert_false(m.has_body);
	assert_int_equal(v.sig[0].result, MW_AUTH_FAIL);
	assert_non_null(strstr(v.sig[0].reason, "body hash"));
	mw_dkim_verify_free(&v);
	mw_message_free(&m);

	/* bare CR and bare LF lines become CRLF: "body\r\n" again, so the body hash matches */
	const char *mixed = "DKIM-Signature: " BASE "s=sel; b=AAAA\rFrom: a@example.com\n"
			    "Subject: x\r\n\rbody\n";
	verify_text(&f, mixed, strlen(mixed), &m, &v);
	assert_int_equal(v.sig[0].result, MW_AUTH_FAIL);
	assert_non_null(strstr(v.sig[0].reason, "did not verify"));
	mw_dkim_verify_free(&v);
	mw_message_free(&m);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_body),
		cmocka_unit_test(test_canon_body_limit),
		cmocka_unit_test(test_canon_header),
		cmocka_unit_test(test_canon_select),
		cmocka_unit_test(test_key_records),
		cmocka_unit_test(test_verify_bad_input),
		cmocka_unit_test(test_verify_message_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
