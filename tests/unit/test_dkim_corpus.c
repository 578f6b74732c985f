/*
 * test_dkim_corpus.c - DKIM verification against the external corpora in
 * ../shared/testdata (see SOURCES.md): Mail::DKIM's verifier corpus with
 * its FAKE_DNS.dat, Stalwart mail-auth's vectors (clock 1667843664, the
 * RFC 8463 Appendix A message among them) and dkimpy's ready-signed
 * messages and key-record variants.
 *
 * Where RFC 6376 / RFC 8301 make our result differ from the corpus's
 * (Mail::DKIM is lenient and old), the table asserts our result and names
 * the rule; every other row asserts the upstream result.
 * Set DKIM_CORPUS_PRINT=1 to print every signature's result and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkim.h"
#include "dns/zone.h"
#include "testutil.h"
#include "txtzone.h"

typedef struct run {
	mw_dkim_verify v;
	mw_message m;
} run;

/* verify - parse and verify msg against zone z at clock now */
static void verify(run *r, const char *msg, size_t len, dns_zone *z, time_t now)
{
	mw_err err;
	if (mw_message_parse(msg, len, &r->m, &err) != MW_OK)
		fail_msg("message parse: %s", err.msg);
	dns_cache *c = dns_cache_new();
	dns_resolver *res = dns_resolver_zone_new(z);
	dns_lookup lk;
	dns_lookup_init(&lk, c, now);
	assert_int_equal(mw_dkim_verify_init(&r->v, &r->m, now), MW_OK);
	assert_int_equal(mw_dkim_verify_run(&r->v, &lk, res, &err), MW_OK);
	dns_resolver_free(res);
	dns_cache_free(c);
}

static void run_free(run *r)
{
	mw_dkim_verify_free(&r->v);
	mw_message_free(&r->m);
}

/* sig_results - "pass,fail" string of the per-signature results */
static void sig_results(const mw_dkim_verify *v, char *out, size_t n, const char *file)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < v->nsig; i++) {
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? "," : "",
				      mw_auth_result_name(v->sig[i].result));
		if (getenv("DKIM_CORPUS_PRINT"))
			printf("  %s sig %zu: %s (%s)\n", file, i + 1,
			       mw_auth_result_name(v->sig[i].result), v->sig[i].reason);
	}
}

/* mail_dkim_zone - FAKE_DNS.dat as a zone */
static dns_zone *mail_dkim_zone(void)
{
	size_t len;
	char *dat = read_file_or_die(testdata_path("dkim-mail-dkim/FAKE_DNS.dat"), &len);
	dns_zone *z = dns_zone_new();
	txtzone_load(z, dat, len, false);
	free(dat);
	return z;
}

/* Mail::DKIM's upstream result mapped onto RFC 8601 words: upstream
 * "invalid" covers neutral/permerror/temperror, so the table names ours. */
static const struct {
	const char *file;
	const char *want;     /* our per-signature results, comma-separated */
	const char *upstream; /* expected.json "result" */
	const char *rule;     /* why ours differs (NULL: same outcome as upstream) */
} mail_dkim_cases[] = {
#include "dkim_mail_dkim_table.h"
};

/* same_outcome - Mail::DKIM's word for an RFC 8601 result: "invalid" is
 * permerror, temperror or neutral */
static bool same_outcome(const char *ours, const char *upstream)
{
	if (strcmp(upstream, "invalid") == 0)
		return strcmp(ours, "permerror") == 0 || strcmp(ours, "temperror") == 0 ||
		       strcmp(ours, "neutral") == 0;
	return strcmp(ours, upstream) == 0;
}

/* now for the Mail::DKIM corpus: any current time (ignore_7 expired in 2007) */
#define MAIL_DKIM_NOW 1700000000

static void test_corpus_mail_dkim(void **state)
{
	(void)state;
	testdata_or_skip("dkim-mail-dkim/expected.json");
	dns_zone *z = mail_dkim_zone();
	json_error_t jerr;
	json_t *exp = json_load_file(testdata_path("dkim-mail-dkim/expected.json"), 0, &jerr);
	assert_non_null(exp);
	size_t n = sizeof(mail_dkim_cases) / sizeof(mail_dkim_cases[0]);
	assert_int_equal(json_object_size(exp), n); /* every corpus file has a row */
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object_get(exp, mail_dkim_cases[i].file);
		if (!e)
			fail_msg("%s not in expected.json", mail_dkim_cases[i].file);
		const char *up = json_string_value(json_object_get(e, "result"));
		if (strcmp(up, mail_dkim_cases[i].upstream) != 0)
			fail_msg("%s: table says upstream %s, expected.json %s",
				 mail_dkim_cases[i].file, mail_dkim_cases[i].upstream, up);
		if (!mail_dkim_cases[i].rule) /* no rule: our result must mean what upstream's does */
			assert_true(same_outcome(mail_dkim_cases[i].want, up));
		char path[512];
		snprintf(path, sizeof(path), "dkim-mail-dkim/corpus/%s", mail_dkim_cases[i].file);
		size_t len;
		char *msg = read_file_or_die(testdata_path(path), &len);
		run r;
		verify(&r, msg, len, z, MAIL_DKIM_NOW);
		char got[256];
		sig_results(&r.v, got, sizeof(got), mail_dkim_cases[i].file);
		if (strcmp(got, mail_dkim_cases[i].want) != 0) {
			printf("%s: got '%s' want '%s'\n", mail_dkim_cases[i].file, got,
			       mail_dkim_cases[i].want);
			failures++;
		}
		run_free(&r);
		free(msg);
	}
	json_decref(exp);
	dns_zone_free(z);
	assert_int_equal(failures, 0);
}

/* Stalwart mail-auth vectors: records, blank line, message; clock 1667843664.
 * The last signature passes; 001.txt is RFC 8463 Appendix A (both pass). */
static void test_corpus_mail_auth(void **state)
{
	(void)state;
	testdata_or_skip("dkim-mail-auth/expected.json");
	static const struct {
		const char *file;
		time_t now;
		const char *want;
	} cases[] = {
		{"001.txt", 1667843664, "pass,pass"}, /* RFC 8463 A.3: ed25519 + rsa */
		{"002.txt", 1667843664, "pass"},      /* PKCS#1 key, i= in a subdomain */
		{"004.txt", 1667843664, "pass"},
		{"005.txt", 1667843664, "pass"},
		{"005.txt", 1667930065, "permerror"}, /* one second after x=: expired */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "dkim-mail-auth/%s", cases[i].file);
		size_t len;
		char *text = read_file_or_die(testdata_path(path), &len);
		dns_zone *z = dns_zone_new();
		size_t off = txtzone_load(z, text, len, true);
		run r;
		verify(&r, text + off, len - off, z, cases[i].now);
		char got[128];
		sig_results(&r.v, got, sizeof(got), cases[i].file);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s at %lld: got %s want %s (%s)", cases[i].file,
				 (long long)cases[i].now, got, cases[i].want,
				 r.v.sig[r.v.nsig - 1].reason);
		if (i == 0) { /* RFC 8463 A.3: which signature is which */
			assert_int_equal(r.v.sig[0].alg, MW_DKIM_ALG_ED25519_SHA256);
			assert_string_equal(r.v.sig[0].selector, "brisbane");
			assert_int_equal(r.v.sig[1].alg, MW_DKIM_ALG_RSA_SHA256);
			assert_string_equal(r.v.sig[1].domain, "football.example.com");
			assert_int_equal(r.v.result, MW_AUTH_PASS);
		}
		run_free(&r);
		dns_zone_free(z);
		free(text);
	}
}

/* dkimpy's ready-signed messages against its dns.txt records */
static void test_corpus_dkimpy_verify(void **state)
{
	(void)state;
	testdata_or_skip("dkim-dkimpy/expected.json");
	static const struct {
		const char *file, *want;
	} cases[] = {
		{"test2.message", "pass"},           /* Gmail, degenerate folding in h= */
		{"rfc6376.signed.msg", "pass,pass"}, /* ed25519 + rsa, simple/simple */
		{"ed25519test2.msg", "pass"},        /* Exim ed25519-sha256 */
	};
	size_t len;
	char *dns = read_file_or_die(testdata_path("dkim-dkimpy/dns.txt"), &len);
	dns_zone *z = dns_zone_new();
	txtzone_load(z, dns, len, false);
	free(dns);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "dkim-dkimpy/%s", cases[i].file);
		char *msg = read_file_or_die(testdata_path(path), &len);
		run r;
		verify(&r, msg, len, z, 1700000000);
		char got[128];
		sig_results(&r.v, got, sizeof(got), cases[i].file);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s want %s (%s)", cases[i].file, got, cases[i].want,
				 r.v.nsig ? r.v.sig[0].reason : "no signature");
		run_free(&r);
		free(msg);
	}
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_mail_dkim),
		cmocka_unit_test(test_corpus_mail_auth),
		cmocka_unit_test(test_corpus_dkimpy_verify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
