/*
 * test_analyze.c - `analyze` end to end on the stories of tests/data/analyze
 * (offline zone, messages DKIM-signed by our signer): verdict and the exact
 * set of finding codes per message; trust options; bad input (5000-hop
 * chain, binary garbage, missing headers, duplicate From) gives a clear
 * report without crashing; the shared authrun gives cmd_dmarc's results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "forensics/an_int.h"
#include "forensics/analyze.h"
#include "testutil.h"

#define DATA MW_SOURCE_DIR "/tests/data/analyze/"
#define NOW 1700600000 /* 2023-11-21: the signatures carry t= just before */

typedef struct env {
	dns_zone *zone;
	dns_resolver *res;
	dns_cache *cache;
} env;

static int setup(void **state)
{
	env *e = calloc(1, sizeof(*e));
	mw_err err;
	e->zone = dns_zone_new();
	if (dns_zone_load_file(e->zone, DATA "analyze.zone", &err) != MW_OK) {
		fprintf(stderr, "zone: %s\n", err.msg);
		return -1;
	}
	e->res = dns_resolver_zone_new(e->zone);
	e->cache = dns_cache_new();
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env *e = *state;
	dns_resolver_free(e->res);
	dns_cache_free(e->cache);
	dns_zone_free(e->zone);
	free(e);
	return 0;
}

/* codes_of - the finding codes joined by ',' in order */
static void codes_of(const mw_analysis *a, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < a->nfindings; i++) {
		strncat(out, a->finding[i].code, n - strlen(out) - 1);
		if (i + 1 < a->nfindings)
			strncat(out, ",", n - strlen(out) - 1);
	}
}

/* run - analyze a buffer with options */
static void run(env *e, const char *raw, size_t len, const mw_an_opts *o, mw_analysis *a)
{
	mw_err err;
	mw_err_clear(&err);
	mw_status st = mw_analyze(raw, len, o, e->res, e->cache, a, &err);
	if (st != MW_OK)
		fail_msg("mw_analyze: %s (%s)", mw_status_str(st), err.msg);
}

static void test_analyze_stories(void **state)
{
	env *e = *state;
	static const struct {
		const char *file;
		const char *trusted; /* NULL = default boundary */
		const char *verdict;
		const char *codes; /* every finding code, in order */
		const char *client;
	} cases[] = {
		{"genuine.eml", NULL, "authentic", "", "185.53.178.10"},
		{"forwarded.eml", NULL, "authentic-but-relayed", "spf-fail", "159.149.10.20"},
		{"relayed-spam.eml", NULL, "spoofed",
		 "dmarc-fail,spf-envelope-differs,dkim-missing,return-path-replaced,authres-forged",
		 "91.215.85.17"},
		{"tampered.eml", NULL, "spoofed", "dmarc-fail,spf-fail,dkim-broken", "91.215.85.17"},
		{"direct-to-mx.eml", NULL, "spoofed",
		 "dmarc-fail,spf-fail,helo-foreign,rdns-missing,direct-to-mx,"
		 "display-name-impersonation,message-id-foreign",
		 "94.130.34.42"},
		{"backscatter.eml", NULL, "backscatter", "backscatter", "80.12.242.15"},
		/* our own outbound address as trusted: the evidence is the same */
		{"backscatter.eml", "185.53.178.10", "backscatter", "backscatter", "80.12.242.15"},
		/* trusting the forwarder moves the boundary to our own server: SPF passes */
		{"forwarded.eml", "fwd.unimi-alumni.it", "authentic", "", "185.53.178.10"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		size_t len;
		char *raw = read_file_or_die(path, &len);
		mw_an_trusted t;
		mw_an_opts o = {.now = NOW};
		if (cases[i].trusted) {
			assert_true(mw_an_trusted_parse(cases[i].trusted, &t));
			o.trusted = &t;
			o.ntrusted = 1;
		}
		mw_analysis a;
		run(e, raw, len, &o, &a);
		char got[1024];
		codes_of(&a, got, sizeof(got));
		if (strcmp(mw_an_verdict_name(a.verdict), cases[i].verdict) != 0 ||
		    strcmp(got, cases[i].codes) != 0 || !a.client_ip ||
		    strcmp(a.client_ip, cases[i].client) != 0)
			fail_msg("case %zu %s: got %s [%s] client %s, want %s [%s] client %s", i,
				 cases[i].file, mw_an_verdict_name(a.verdict), got,
				 a.client_ip ? a.client_ip : "-", cases[i].verdict, cases[i].codes,
				 cases[i].client);
		assert_true(strlen(a.explanation) > 40);
		assert_true(strlen(a.advice) > 10);
		mw_analysis_free(&a);
		free(raw);
	}
}

/* Authentication-Results comparison: trusted by position, and by authserv-id. */
static void test_analyze_authres(void **state)
{
	env *e = *state;
	size_t len;
	char *raw = read_file_or_die(DATA "relayed-spam.eml", &len);
	mw_an_opts o = {.now = NOW};
	mw_analysis a;
	run(e, raw, len, &o, &a);
	/* three results from mx1 (above the boundary) agree, two forged ones below */
	assert_int_equal(a.ncmp, 5);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(a.cmp[i].authserv_id, "mx1.recipient-mail.it");
		assert_int_equal(a.cmp[i].state, MW_AN_AGREE);
	}
	assert_string_equal(a.cmp[3].authserv_id, "orto-bio.it");
	assert_int_equal(a.cmp[3].state, MW_AN_UNTRUSTED);
	assert_string_equal(a.cmp[3].claimed, "pass");
	assert_string_equal(a.cmp[3].recomputed, "none");
	mw_analysis_free(&a);
	/* with another authserv-id, even mx1's results are not believed */
	o.authserv_id = "mx.other.example";
	run(e, raw, len, &o, &a);
	for (size_t i = 0; i < a.ncmp; i++)
		assert_int_equal(a.cmp[i].state, MW_AN_UNTRUSTED);
	mw_analysis_free(&a);
	free(raw);
}

/* The hop table of the genuine message, oldest first. */
static void test_analyze_hops(void **state)
{
	env *e = *state;
	size_t len;
	char *raw = read_file_or_die(DATA "genuine.eml", &len);
	mw_an_opts o = {.now = NOW};
	mw_analysis a;
	run(e, raw, len, &o, &a);
	assert_int_equal(a.nhops, 3);
	assert_int_equal(a.client, 1);
	assert_string_equal(a.hop[0].r.protocol, "ESMTPSA");
	assert_true(a.hop[0].r.authenticated);
	assert_string_equal(a.hop[1].r.helo, "mail.orto-bio.it");
	assert_string_equal(a.hop[1].r.by, "mx1.recipient-mail.it");
	assert_true(a.hop[2].inside);
	assert_false(a.hop[1].inside);
	assert_true(a.hop[1].has_delay);
	assert_int_equal(a.hop[1].delay, 2);
	assert_true(a.fcrdns);
	assert_string_equal(a.ptr_name, "mail.orto-bio.it");
	assert_int_equal(a.auth.dmarc.result, MW_AUTH_PASS);
	assert_int_equal(a.auth.spf_in.result, MW_AUTH_PASS);
	assert_int_equal(a.auth.dkim.result, MW_AUTH_PASS);
	mw_analysis_free(&a);
	free(raw);
}

/* Bad input: never a crash, always a verdict with a reason. */
static void test_analyze_bad_input(void **state)
{
	env *e = *state;
	mw_an_opts o = {.now = NOW};
	mw_analysis a;
	/* 5000-hop chain: over the header-field limit, reported as unreadable */
	size_t cap = 5000 * 120 + 256, n = 0;
	char *big = malloc(cap);
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(big + n, cap - n,
				      "Received: from h%d (h%d [45.67.%d.%d]) by x%d with SMTP; "
				      "Tue, 21 Nov 2023 08:00:00 +0000\r\n",
				      i, i, i / 250, i % 250, i);
	n += (size_t)snprintf(big + n, cap - n, "From: a@orto-bio.it\r\n\r\nx\r\n");
	run(e, big, n, &o, &a);
	assert_false(a.msg_ok);
	assert_int_equal(a.verdict, MW_AN_UNDETERMINED);
	assert_true(mw_an_has(&a, "message-unreadable"));
	mw_analysis_free(&a);
	/* 900 hops: read, every hop outside, a report */
	n = 0;
	for (int i = 0; i < 900; i++)
		n += (size_t)snprintf(big + n, cap - n,
				      "Received: from h%d (h%d [45.67.%d.%d]) by x%d with SMTP; "
				      "Tue, 21 Nov 2023 08:00:00 +0000\r\n",
				      i, i, i / 250, i % 250, i);
	n += (size_t)snprintf(big + n, cap - n, "From: a@orto-bio.it\r\n\r\nx\r\n");
	run(e, big, n, &o, &a);
	assert_true(a.msg_ok);
	assert_int_equal(a.nhops, 900);
	assert_int_equal(a.client, 899);
	assert_int_equal(a.verdict, MW_AN_SPOOFED);
	mw_analysis_free(&a);
	free(big);
	/* binary garbage */
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919u >> 3);
	run(e, (const char *)junk, sizeof(junk), &o, &a);
	assert_int_equal(a.verdict, MW_AN_UNDETERMINED);
	assert_true(a.nfindings >= 1);
	mw_analysis_free(&a);
	/* no header at all */
	run(e, "\r\njust a body\r\n", 15, &o, &a);
	assert_int_equal(a.verdict, MW_AN_UNDETERMINED);
	assert_true(mw_an_has(&a, "from-missing"));
	assert_true(mw_an_has(&a, "no-received"));
	mw_analysis_free(&a);
	/* empty input */
	run(e, "", 0, &o, &a);
	assert_int_equal(a.verdict, MW_AN_UNDETERMINED);
	mw_analysis_free(&a);
	/* duplicate From: suspicious whatever else passes */
	size_t len;
	char *raw = read_file_or_die(DATA "genuine.eml", &len);
	char *dup = malloc(len + 64);
	int k = snprintf(dup, 64, "From: ceo@orto-bio.it\r\n");
	memcpy(dup + k, raw, len);
	run(e, dup, len + (size_t)k, &o, &a);
	assert_int_equal(a.verdict, MW_AN_SUSPICIOUS);
	assert_true(mw_an_has(&a, "from-duplicate"));
	mw_analysis_free(&a);
	free(dup);
	free(raw);
	/* a Received field nobody can read is kept and flagged */
	const char *odd = "Received: this is not a received line\r\n"
			  "Received: from a.example (a.example [45.67.1.1]) by b with SMTP; "
			  "Tue, 21 Nov 2023 08:00:00 +0000\r\n"
			  "From: x@orto-bio.it\r\nDate: Mon, 1 Jan 2018 00:00:00 +0000\r\n\r\nx\r\n";
	run(e, odd, strlen(odd), &o, &a);
	assert_true(mw_an_has(&a, "received-unparsed"));
	assert_true(mw_an_has(&a, "date-skew"));
	assert_int_equal(a.nhops, 2);
	assert_false(a.hop[1].r.parsed);
	mw_analysis_free(&a);
}

/* Received times going backwards and private addresses outside the boundary. */
static void test_analyze_path_checks(void **state)
{
	env *e = *state;
	const char *m = "Received: from mx (mx [45.67.9.9]) by in.example with ESMTP; "
			"Tue, 21 Nov 2023 08:00:00 +0000\r\n"
			"Received: from pc (pc [10.0.0.7]) by mx with SMTP; "
			"Tue, 21 Nov 2023 09:00:00 +0000\r\n"
			"From: x@orto-bio.it\r\nDate: Tue, 21 Nov 2023 09:00:00 +0000\r\n\r\nx\r\n";
	mw_an_opts o = {.now = NOW};
	mw_analysis a;
	run(e, m, strlen(m), &o, &a);
	assert_true(mw_an_has(&a, "received-time-backwards"));
	assert_true(mw_an_has(&a, "private-ip-external"));
	assert_true(mw_an_has(&a, "helo-bare"));
	assert_string_equal(a.client_ip, "45.67.9.9");
	mw_analysis_free(&a);
}

/* Display names: RFC 2047 decoded before matching; no DMARC record -> suspicious. */
static void test_analyze_display(void **state)
{
	env *e = *state;
	static const struct {
		const char *from;
		bool impersonation;
	} cases[] = {
		{"=?UTF-8?B?UG9zdGUgSXRhbGlhbmU=?= <info@free-mail.example>", true},
		{"\"PayPal Service\" <service@free-mail.example>", true},
		{"\"support@paypal.com\" <x@free-mail.example>", true},
		{"\"Anna Verdi\" <anna@free-mail.example>", false},
		{"PayPal <service@paypal.com>", false},
		{"<plain@free-mail.example>", false},
	};
	mw_an_opts o = {.now = NOW};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char m[512];
		int n = snprintf(m, sizeof(m),
				 "Received: from x.example (x.example [45.67.1.2]) by mx.example with "
				 "ESMTP; Tue, 21 Nov 2023 08:00:00 +0000\r\nFrom: %s\r\n\r\nx\r\n",
				 cases[i].from);
		mw_analysis a;
		run(e, m, (size_t)n, &o, &a);
		if (mw_an_has(&a, "display-name-impersonation") != cases[i].impersonation)
			fail_msg("display %zu '%s': got %d", i, cases[i].from,
				 mw_an_has(&a, "display-name-impersonation"));
		if (cases[i].impersonation && a.verdict != MW_AN_SUSPICIOUS)
			fail_msg("display %zu: verdict %s", i, mw_an_verdict_name(a.verdict));
		mw_analysis_free(&a);
	}
}

/* A DNS timeout leaves the verdict undetermined, marked temporary. */
static void test_analyze_temperror(void **state)
{
	env *e = *state;
	assert_int_equal(dns_zone_set_fault(e->zone, "_dmarc.slow-bank.example", DNS_FAULT_TIMEOUT),
			 MW_OK);
	const char *m = "Received: from x.example (x.example [45.67.1.2]) by mx.example with "
			"ESMTP; Tue, 21 Nov 2023 08:00:00 +0000\r\n"
			"From: <info@slow-bank.example>\r\n\r\nx\r\n";
	mw_an_opts o = {.now = NOW};
	mw_analysis a;
	run(e, m, strlen(m), &o, &a);
	assert_int_equal(a.auth.dmarc.result, MW_AUTH_TEMPERROR);
	assert_true(a.dns_temp);
	assert_int_equal(a.verdict, MW_AN_UNDETERMINED);
	assert_true(mw_an_has(&a, "dns-temperror"));
	mw_analysis_free(&a);
}

/* Internal helpers: rough registrable domain, internal and bogon addresses. */
static void test_an_helpers(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} org[] = {
		{"mail.orto-bio.it", "orto-bio.it"}, {"bbc.co.uk", "bbc.co.uk"},
		{"news.bbc.co.uk", "bbc.co.uk"},     {"mail.abc.it", "abc.it"},
		{"com", "com"},			     {"a.b.c.example.com.", "example.com"},
		{"Mail.Example.COM", "example.com"}, {"", NULL},
		{"x.gov.it", "x.gov.it"},	     {"smtp.x.gov.it", "x.gov.it"},
	};
	mw_pool *p = mw_pool_new(1 << 16);
	for (size_t i = 0; i < sizeof(org) / sizeof(org[0]); i++) {
		const char *got = an_org(p, org[i].in);
		if ((got == NULL) != (org[i].want == NULL) || (got && strcmp(got, org[i].want) != 0))
			fail_msg("an_org %zu '%s': got '%s' want '%s'", i, org[i].in, got ? got : "(null)",
				 org[i].want ? org[i].want : "(null)");
	}
	mw_pool_free(p);
	static const struct {
		const char *ip;
		bool internal, bogon;
	} ips[] = {
		{"10.1.2.3", true, true},    {"172.16.0.1", true, true},   {"172.32.0.1", false, false},
		{"192.168.9.9", true, true}, {"127.0.0.1", true, true},    {"100.64.0.1", true, true},
		{"169.254.1.1", true, true}, {"192.0.2.1", false, true},   {"224.0.0.1", false, true},
		{"0.1.2.3", false, true},    {"94.130.34.42", false, false}, {"::1", true, true},
		{"fd00::1", true, true},     {"fe80::1", true, true},      {"2001:db8::1", false, true},
		{"2a00:1450::1", false, false},
	};
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		mw_ip ip;
		assert_true(mw_ip_parse(ips[i].ip, &ip));
		if (an_ip_internal(&ip) != ips[i].internal || an_ip_bogon(&ip) != ips[i].bogon)
			fail_msg("ip %s: internal %d bogon %d", ips[i].ip, an_ip_internal(&ip),
				 an_ip_bogon(&ip));
	}
}

/* --trusted parsing */
static void test_trusted_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok, net;
	} cases[] = {
		{"192.0.2.0/24", true, true},  {"2001:db8::/32", true, true},
		{"192.0.2.1", true, true},     {"mx.example.net", true, false},
		{"MX.Example.NET.", true, false}, {"192.0.2.0/33", false, false},
		{"192.0.2.0/", false, false},  {"", false, false},
		{"localhost", false, false},   {"a/b", false, false},
		{"2001:db8::/129", false, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_an_trusted t;
		bool ok = mw_an_trusted_parse(cases[i].in, &t);
		if (ok != cases[i].ok || (ok && t.is_net != cases[i].net))
			fail_msg("trusted %zu '%s': got %d/%d", i, cases[i].in, ok, t.is_net);
	}
	mw_an_trusted t;
	assert_true(mw_an_trusted_parse("MX.Example.NET.", &t));
	assert_string_equal(t.host, "mx.example.net");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyze_stories),
		cmocka_unit_test(test_analyze_authres),
		cmocka_unit_test(test_analyze_hops),
		cmocka_unit_test(test_analyze_bad_input),
		cmocka_unit_test(test_analyze_path_checks),
		cmocka_unit_test(test_analyze_display),
		cmocka_unit_test(test_analyze_temperror),
		cmocka_unit_test(test_an_helpers),
		cmocka_unit_test(test_trusted_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
