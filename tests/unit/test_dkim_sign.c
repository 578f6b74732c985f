/*
 * test_dkim_sign.c - signing then verifying: dkimpy's keys and recipes
 * (../shared/testdata/dkim-dkimpy, expected.json "sign_then_verify",
 * "key_record_variants", "sign_errors"), every canonicalization pair,
 * tampering after signing, l=, and fresh keys of both algorithms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "auth/dkim.h"
#include "auth/dkim_sign.h"
#include "dns/zone.h"
#include "testutil.h"

#define NOW 1700000000

/* load_key - private key file from the dkimpy data */
static EVP_PKEY *load_key(const char *rel)
{
	size_t len;
	char *d = read_file_or_die(testdata_path(rel), &len);
	EVP_PKEY *k = NULL;
	mw_err err;
	if (mw_dkim_load_private_key(d, len, &k, &err) != MW_OK)
		fail_msg("%s: %s", rel, err.msg);
	free(d);
	return k;
}

/* record - read a one-line key record file, trailing newline dropped */
static char *record(const char *rel)
{
	size_t len;
	char *d = read_file_or_die(testdata_path(rel), &len);
	while (len && (d[len - 1] == '\n' || d[len - 1] == '\r'))
		d[--len] = '\0';
	return d;
}

/* sign_text - msg signed with key/opts; returns malloc'd signed message */
static char *sign_text(const char *msg, size_t len, EVP_PKEY *key, const mw_dkim_sign_opts *o,
		       mw_status want)
{
	mw_message m;
	mw_err err;
	assert_int_equal(mw_message_parse(msg, len, &m, &err), MW_OK);
	mw_buf out;
	mw_buf_init(&out, 1 << 26);
	mw_status st = mw_dkim_sign(&m, key, o, &out, &err);
	if (st != want)
		fail_msg("sign: got %s want %s (%s)", mw_status_str(st), mw_status_str(want), err.msg);
	mw_message_free(&m);
	if (st != MW_OK) {
		mw_buf_free(&out);
		return NULL;
	}
	assert_int_equal(mw_buf_append(&out, msg, len), MW_OK);
	return mw_buf_steal(&out);
}

/* verify_first - result of the first signature, against one key record */
static mw_auth_result verify_first(const char *msg, const char *name, const char *rec,
				   bool *partial, char *reason)
{
	dns_zone *z = dns_zone_new();
	assert_int_equal(dns_zone_add_txt(z, name, rec, strlen(rec), 300), MW_OK);
	mw_message m;
	mw_err err;
	assert_int_equal(mw_message_parse(msg, strlen(msg), &m, &err), MW_OK);
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_lookup lk;
	dns_lookup_init(&lk, c, NOW);
	mw_dkim_verify v;
	assert_int_equal(mw_dkim_verify_init(&v, &m, NOW), MW_OK);
	assert_int_equal(mw_dkim_verify_run(&v, &lk, r, &err), MW_OK);
	assert_true(v.nsig >= 1);
	mw_auth_result res = v.sig[0].result;
	if (partial)
		*partial = v.sig[0].body_partial;
	if (reason)
		strcpy(reason, v.sig[0].reason);
	mw_dkim_verify_free(&v);
	dns_resolver_free(r);
	dns_cache_free(c);
	mw_message_free(&m);
	dns_zone_free(z);
	return res;
}

/* append - s + tail in a new string */
static char *append(const char *s, const char *tail)
{
	char *o = malloc(strlen(s) + strlen(tail) + 1);
	strcpy(o, s);
	strcat(o, tail);
	return o;
}

/* dkimpy recipe 1: test.message with test.private, all four c= pairs; an
 * appended body byte fails; with l= the appended text is outside the hash. */
static void test_sign_dkimpy_rsa(void **state)
{
	(void)state;
	testdata_or_skip("dkim-dkimpy/expected.json");
	EVP_PKEY *key = load_key("dkim-dkimpy/test.private");
	char *rec = record("dkim-dkimpy/test.txt");
	size_t len;
	char *msg = read_file_or_die(testdata_path("dkim-dkimpy/test.message"), &len);
	const char *name = "test._domainkey.example.com";
	for (int hc = 0; hc < 2; hc++)
		for (int bc = 0; bc < 2; bc++) {
			mw_dkim_sign_opts o;
			mw_dkim_sign_opts_init(&o, "example.com", "test", NOW);
			o.hcanon = (mw_canon)hc;
			o.bcanon = (mw_canon)bc;
			char *s = sign_text(msg, len, key, &o, MW_OK);
			char why[MW_DKIM_REASON_MAX];
			if (verify_first(s, name, rec, NULL, why) != MW_AUTH_PASS)
				fail_msg("c=%d/%d: %s", hc, bc, why);
			char *t = append(s, "tampered\r\n");
			assert_int_equal(verify_first(t, name, rec, NULL, why), MW_AUTH_FAIL);
			assert_non_null(strstr(why, "body hash"));
			free(t);
			free(s);
		}
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.com", "test", NOW);
	o.body_length = -2;
	char *s = sign_text(msg, len, key, &o, MW_OK);
	char *t = append(s, "appended after signing\r\n");
	bool partial = false;
	assert_int_equal(verify_first(s, name, rec, &partial, NULL), MW_AUTH_PASS);
	assert_false(partial);
	assert_int_equal(verify_first(t, name, rec, &partial, NULL), MW_AUTH_PASS);
	assert_true(partial); /* honoured, but flagged */
	free(t);
	free(s);
	free(msg);
	free(rec);
	EVP_PKEY_free(key);
}

/* key_record_variants: each record at test._domainkey.example.com */
static void test_sign_dkimpy_key_variants(void **state)
{
	(void)state;
	testdata_or_skip("dkim-dkimpy/expected.json");
	static const struct {
		const char *file;
		mw_auth_result want;
	} cases[] = {
		{"test.txt", MW_AUTH_PASS},
		{"test2.txt", MW_AUTH_PASS},            /* no k=: rsa by default */
		{"badk.txt", MW_AUTH_PERMERROR},        /* k=ed25519-sha256 is not a key type */
		{"badversion.txt", MW_AUTH_PERMERROR},  /* v=DKIM1: */
		{"test_bad.txt", MW_AUTH_PERMERROR},    /* corrupted key */
		{"test_tlsrpt.txt", MW_AUTH_PERMERROR}, /* s=tlsrpt, RFC 8460 §3 */
	};
	EVP_PKEY *key = load_key("dkim-dkimpy/test.private");
	size_t len;
	char *msg = read_file_or_die(testdata_path("dkim-dkimpy/test.message"), &len);
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.com", "test", NOW);
	char *s = sign_text(msg, len, key, &o, MW_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], why[MW_DKIM_REASON_MAX];
		snprintf(path, sizeof(path), "dkim-dkimpy/%s", cases[i].file);
		char *rec = record(path);
		mw_auth_result got = verify_first(s, "test._domainkey.example.com", rec, NULL, why);
		if (got != cases[i].want)
			fail_msg("%s: got %s (%s) want %s", cases[i].file, mw_auth_result_name(got), why,
				 mw_auth_result_name(cases[i].want));
		free(rec);
	}
	free(s);
	free(msg);
	EVP_PKEY_free(key);
}

/* Ed25519 recipes: raw base64 seeds; the RFC 8032 §7.1 TEST 1 seed gives the
 * RFC 8463 key 11qYAY...; rfc6376.msg also gets an rsa signature on top. */
static void test_sign_dkimpy_ed25519(void **state)
{
	(void)state;
	testdata_or_skip("dkim-dkimpy/expected.json");
	static const struct {
		const char *key, *msg, *domain, *sel, *rec;
	} cases[] = {
		{"ed25519test.key", "ed25519test.msg", "example.net", "test",
		 "v=DKIM1; k=ed25519; p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y="},
		{"rfc8032_7_1.key", "rfc6376.msg", "football.example.com", "brisbane",
		 "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], name[128], why[MW_DKIM_REASON_MAX];
		snprintf(path, sizeof(path), "dkim-dkimpy/%s", cases[i].key);
		EVP_PKEY *key = load_key(path);
		unsigned char pub[32];
		size_t pl = 32;
		char pub64[64];
		assert_int_equal(EVP_PKEY_get_raw_public_key(key, pub, &pl), 1);
		mw_b64_encode(pub, pl, pub64);
		assert_non_null(strstr(cases[i].rec, pub64)); /* seed gives the published key */
		snprintf(path, sizeof(path), "dkim-dkimpy/%s", cases[i].msg);
		size_t len;
		char *msg = read_file_or_die(testdata_path(path), &len);
		mw_dkim_sign_opts o;
		mw_dkim_sign_opts_init(&o, cases[i].domain, cases[i].sel, NOW);
		char *s = sign_text(msg, len, key, &o, MW_OK);
		snprintf(name, sizeof(name), "%s._domainkey.%s", cases[i].sel, cases[i].domain);
		if (verify_first(s, name, cases[i].rec, NULL, why) != MW_AUTH_PASS)
			fail_msg("%s: %s", cases[i].msg, why);
		free(s);
		free(msg);
		EVP_PKEY_free(key);
	}
}

/* Refusals: no From (dkimpy test_nofrom.message), From not in --headers,
 * a key that does not fit the algorithm, rsa-sha1, bad names. */
static void test_sign_refusals(void **state)
{
	(void)state;
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	const char *msg = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n";
	const char *nofrom = "Subject: s\r\n\r\nbody\r\n";
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.com", "sel", NOW);
	assert_null(sign_text(nofrom, strlen(nofrom), rsa, &o, MW_EINVAL));
	o.headers = "subject:to";
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	o.headers = NULL;
	o.alg = MW_DKIM_ALG_ED25519_SHA256;
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	o.alg = MW_DKIM_ALG_RSA_SHA1;
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	mw_dkim_sign_opts_init(&o, "bad..example", "sel", NOW);
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	mw_dkim_sign_opts_init(&o, "example.com", "", NOW);
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	mw_dkim_sign_opts_init(&o, "example.com", "sel", NOW);
	o.body_length = 1000;
	assert_null(sign_text(msg, strlen(msg), rsa, &o, MW_EINVAL));
	if (access(testdata_path("dkim-dkimpy/test_nofrom.message"), R_OK) == 0) {
		size_t len;
		char *m = read_file_or_die(testdata_path("dkim-dkimpy/test_nofrom.message"), &len);
		mw_dkim_sign_opts_init(&o, "example.com", "sel", NOW);
		assert_null(sign_text(m, len, rsa, &o, MW_EINVAL));
		free(m);
	}
	EVP_PKEY *k = NULL;
	assert_int_equal(mw_dkim_load_private_key("not a key", 9, &k, NULL), MW_EPARSE);
	assert_int_equal(mw_dkim_load_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n", 33, &k, NULL),
			 MW_EPARSE);
	assert_int_equal(mw_dkim_load_private_key("AAAA", 4, &k, NULL), MW_EPARSE); /* 3-byte seed */
	EVP_PKEY_free(rsa);
}

/* Default header list: From over-signed, present fields once each; the
 * signature survives re-folding nothing and breaks when a From is added. */
static void test_sign_oversign(void **state)
{
	(void)state;
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char pub[32];
	size_t pl = 32;
	char rec[128] = "k=ed25519; p=";
	EVP_PKEY_get_raw_public_key(ed, pub, &pl);
	mw_b64_encode(pub, pl, rec + strlen(rec));
	const char *msg = "From: a@example.com\nTo: b@example.org\nSubject: s\nX-Other: o\n\nbody\n";
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.com", "sel", NOW);
	o.expire = 3600;
	o.identity = "a@example.com";
	char *s = sign_text(msg, strlen(msg), ed, &o, MW_OK);
	assert_non_null(strstr(s, "h=from:from:subject:to;"));
	assert_non_null(strstr(s, "x=1700003600;"));
	assert_int_equal(verify_first(s, "sel._domainkey.example.com", rec, NULL, NULL), MW_AUTH_PASS);
	char *added = malloc(strlen(s) + 64);
	strcpy(added, "From: evil@example.net\r\n");
	strcat(added, s);
	assert_int_equal(verify_first(added, "sel._domainkey.example.com", rec, NULL, NULL),
			 MW_AUTH_FAIL);
	char *other = strstr(s, "X-Other: o");
	other[9] = 'X'; /* an unsigned field may change */
	assert_int_equal(verify_first(s, "sel._domainkey.example.com", rec, NULL, NULL), MW_AUTH_PASS);
	free(added);
	free(s);
	EVP_PKEY_free(ed);
}

/* A key cache gives the same results as parsing each time, parses each
 * record once, and keeps refused records out. */
static void test_keycache(void **state)
{
	(void)state;
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	unsigned char der[1024], *p = der;
	int n = i2d_PUBKEY(rsa, &p);
	char rec[2048] = "v=DKIM1; k=rsa; p=";
	mw_b64_encode(der, (size_t)n, rec + strlen(rec));
	const char *msg = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n";
	mw_dkim_sign_opts o;
	mw_dkim_sign_opts_init(&o, "example.com", "sel", NOW);
	char *s = sign_text(msg, strlen(msg), rsa, &o, MW_OK);
	char *bad = append(s, "changed\r\n");
	dns_zone *z = dns_zone_new();
	assert_int_equal(dns_zone_add_txt(z, "sel._domainkey.example.com", rec, strlen(rec), 300), MW_OK);
	assert_int_equal(dns_zone_add_txt(z, "bad._domainkey.example.com", "p=%%", 4, 300), MW_OK);
	mw_dkim_keycache *kc = mw_dkim_keycache_new();
	assert_non_null(kc);
	const char *texts[] = {s, s, bad, s};
	const mw_auth_result want[] = {MW_AUTH_PASS, MW_AUTH_PASS, MW_AUTH_FAIL, MW_AUTH_PASS};
	for (size_t i = 0; i < 4; i++) {
		mw_message m;
		mw_err err;
		assert_int_equal(mw_message_parse(texts[i], strlen(texts[i]), &m, &err), MW_OK);
		dns_cache *c = dns_cache_new();
		dns_resolver *r = dns_resolver_zone_new(z);
		dns_lookup lk;
		dns_lookup_init(&lk, c, NOW);
		mw_dkim_verify v;
		assert_int_equal(mw_dkim_verify_init(&v, &m, NOW), MW_OK);
		v.keys = kc;
		assert_int_equal(mw_dkim_verify_run(&v, &lk, r, &err), MW_OK);
		assert_int_equal(v.sig[0].result, want[i]);
		assert_int_equal(v.sig[0].key_bits, 1024);
		mw_dkim_verify_free(&v);
		dns_resolver_free(r);
		dns_cache_free(c);
		mw_message_free(&m);
	}
	assert_int_equal(mw_dkim_keycache_count(kc), 1);
	mw_dkim_key k;
	assert_int_equal(mw_dkim_keycache_get(kc, "p=%%", 4, &k, NULL), MW_EPARSE);
	assert_int_equal(mw_dkim_keycache_count(kc), 1);
	assert_int_equal(mw_dkim_keycache_get(kc, rec, strlen(rec), &k, NULL), MW_OK);
	assert_non_null(k.vctx);
	mw_dkim_key_free(&k);
	mw_dkim_keycache_free(kc);
	dns_zone_free(z);
	free(bad);
	free(s);
	EVP_PKEY_free(rsa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_sign_oversign),
		cmocka_unit_test(test_keycache),
		cmocka_unit_test(test_sign_dkimpy_rsa),
		cmocka_unit_test(test_sign_dkimpy_key_variants),
		cmocka_unit_test(test_sign_dkimpy_ed25519),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
