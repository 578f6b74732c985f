/*
 * test_audit_checks.c - the DNS checks besides SPF: DMARC lint, DKIM keys,
 * MX hosts, reverse DNS (FCrDNS, generic names), MTA-STS/TLS-RPT/BIMI and
 * the whole audit pass, each from an offline zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/rdns.h"

/* run - the whole DNS audit of domain over zone text */
static void run(dns_zone *z, const audit_request *req, audit_result *res)
{
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	assert_true(audit_result_init(res));
	mw_err err;
	mw_status st = audit_dns_run(req, r, cache, res, &err);
	if (st != MW_OK)
		fail_msg("audit: %s %s", mw_status_str(st), err.msg);
	dns_cache_free(cache);
	dns_resolver_free(r);
}

static dns_zone *zone_text(const char *text)
{
	dns_zone *z = dns_zone_new();
	mw_err err;
	if (dns_zone_load_text(z, text, strlen(text), "case", &err) != MW_OK)
		fail_msg("zone: %s", err.msg);
	return z;
}

typedef struct check_case {
	const char *name;
	const char *zone;
	const char *want[4];
	const char *not[4];
} check_case;

#define O "$ORIGIN t.example.\n$TTL 300\n@ TXT \"v=spf1 mx -all\"\n@ MX 10 mx\nmx A 192.0.2.10\n"

static const check_case cases[] = {
	{"dmarc missing", O, {"dmarc-missing", "mta-sts-missing", "tls-rpt-missing"}, {"dmarc-policy-none"}},
	{"dmarc p=none", O "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@t.example\"\n",
	 {"dmarc-policy-none", "dmarc-align-dkim"}, {"dmarc-no-rua", "dmarc-missing"}},
	{"dmarc reject clean", O "_dmarc TXT \"v=DMARC1; p=reject; np=reject; rua=mailto:d@t.example\"\n",
	 {"dmarc-policy-reject"}, {"dmarc-np", "dmarc-no-rua", "dmarc-policy-none"}},
	{"dmarc quarantine t=y sp weaker", O "_dmarc TXT \"v=DMARC1; p=quarantine; sp=none; t=y\"\n",
	 {"dmarc-policy-quarantine", "dmarc-testing", "dmarc-sp-weaker", "dmarc-no-rua"}, {0}},
	{"dmarc historic", O "_dmarc TXT \"v=DMARC1; p=reject; pct=50; rf=afrf; ri=3600; rua=mailto:d@t.example\"\n",
	 {"dmarc-historic-pct", "dmarc-historic"}, {0}},
	{"dmarc two records", O "_dmarc TXT \"v=DMARC1; p=none\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n",
	 {"dmarc-multiple"}, {"dmarc-policy-none"}},
	{"dmarc syntax", O "_dmarc TXT \"v=DMARC1; p=reject; p=none\"\n", {"dmarc-syntax"}, {0}},
	{"dmarc unusable", O "_dmarc TXT \"v=DMARC1; p=bogus\"\n", {"dmarc-unusable"}, {0}},
	{"dmarc misplaced", O "@ TXT \"v=DMARC1; p=reject\"\n", {"dmarc-misplaced", "dmarc-missing"}, {0}},
	{"dmarc external rua unauthorised",
	 O "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:r@reports.example.net\"\n",
	 {"dmarc-report-unauthorized"}, {0}},
	{"dmarc external rua authorised",
	 O "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:r@reports.example.net\"\n"
	   "t.example._report._dmarc.reports.example.net. TXT \"v=DMARC1\"\n",
	 {"dmarc-policy-reject"}, {"dmarc-report-unauthorized"}},
	{"dmarc inherited", "$ORIGIN example.\n_dmarc TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
			    "$ORIGIN t.example.\n@ TXT \"v=spf1 -all\"\n",
	 {"dmarc-inherited", "dmarc-policy-reject"}, {"dmarc-missing"}},
	{"mx missing", "$ORIGIN t.example.\n@ TXT \"v=spf1 -all\"\n@ A 192.0.2.1\n", {"mx-missing"}, {0}},
	{"mx unresolved", "$ORIGIN t.example.\n@ MX 10 gone.t.example.\n", {"mx-host-unresolved"}, {0}},
	{"mx private", "$ORIGIN t.example.\n@ MX 10 mx\nmx A 10.1.2.3\n", {"mx-private-ip"}, {0}},
	{"mx null", "$ORIGIN t.example.\n@ MX 0 .\n", {"mx-null"}, {"mx-missing"}},
	{"rdns missing for MX", O, {"rdns-missing"}, {"rdns-ok"}},
	{"rdns fcrdns ok", O "$ORIGIN 2.0.192.in-addr.arpa.\n10 PTR mx.t.example.\n", {"rdns-ok"},
	 {"rdns-missing", "rdns-not-fcrdns", "rdns-generic"}},
	{"rdns not confirmed", O "$ORIGIN 2.0.192.in-addr.arpa.\n10 PTR other.t.example.\n",
	 {"rdns-not-fcrdns"}, {"rdns-ok"}},
	{"rdns generic", O "$ORIGIN 2.0.192.in-addr.arpa.\n10 PTR 192-0-2-10.dyn.isp.example.\n"
		 "$ORIGIN isp.example.\n192-0-2-10.dyn A 192.0.2.10\n",
	 {"rdns-generic"}, {"rdns-not-fcrdns"}},
	{"mta-sts ok", O "_mta-sts TXT \"v=STSv1; id=20240101\"\nmta-sts A 192.0.2.20\n"
		 "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls@t.example\"\n",
	 {"mta-sts", "tls-rpt"}, {"mta-sts-missing", "tls-rpt-missing", "mta-sts-no-host"}},
	{"mta-sts broken", O "_mta-sts TXT \"v=STSv1; id=2024-01-01!\"\n_smtp._tls TXT \"v=TLSRPTv1\"\n",
	 {"mta-sts-bad-record", "mta-sts-no-host", "tls-rpt-bad-record"}, {0}},
	{"bimi without enforcement", O "default._bimi TXT \"v=BIMI1; l=https://t.example/logo.svg\"\n",
	 {"bimi-needs-dmarc"}, {"bimi"}},
	{"bimi ok", O "default._bimi TXT \"v=BIMI1; l=https://t.example/logo.svg\"\n"
		 "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@t.example\"\n",
	 {"bimi"}, {"bimi-needs-dmarc"}},
	{"dmarc third-party spf", O "_dmarc TXT \"v=DMARC1; p=reject; aspf=s; rua=mailto:d@t.example\"\n"
		 "@ TXT \"v=spf1 include:spf.provider.example -all\"\n",
	 {"dmarc-align-spf"}, {0}},
};

/* Each zone gives the findings it should, and not the ones it should not. */
static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const check_case *c = &cases[i];
		char text[4096];
		snprintf(text, sizeof(text), "%s", c->zone);
		if (strcmp(c->name, "dmarc third-party spf") == 0) /* replace the SPF record */
			snprintf(text, sizeof(text), "%s",
				 "$ORIGIN t.example.\n@ MX 10 mx\nmx A 192.0.2.10\n"
				 "_dmarc TXT \"v=DMARC1; p=reject; aspf=s; rua=mailto:d@t.example\"\n"
				 "@ TXT \"v=spf1 include:spf.provider.example -all\"\n"
				 "spf.provider.example. TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n");
		dns_zone *z = zone_text(text);
		audit_request req = {.domain = "t.example"};
		audit_result res;
		run(z, &req, &res);
		for (size_t k = 0; k < 4 && c->want[k]; k++)
			if (!audit_find(&res.findings, c->want[k]))
				fail_msg("%s: want %s, not reported", c->name, c->want[k]);
		for (size_t k = 0; k < 4 && c->not[k]; k++)
			if (audit_find(&res.findings, c->not[k]))
				fail_msg("%s: %s reported, should not be", c->name, c->not[k]);
		audit_result_free(&res);
		dns_zone_free(z);
	}
}

/* key_record - "v=DKIM1; k=...; p=..." for a fresh key */
static char *key_record(const char *type, int bits, const char *extra)
{
	EVP_PKEY *k = strcmp(type, "rsa") == 0 ? EVP_RSA_gen((unsigned)bits)
					       : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k);
	unsigned char der[4096];
	size_t n = 0;
	if (strcmp(type, "rsa") == 0) {
		unsigned char *p = der;
		n = (size_t)i2d_PUBKEY(k, &p);
	} else {
		n = 32;
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, der, &n), 1);
	}
	EVP_PKEY_free(k);
	char *out = malloc(8192);
	int off = snprintf(out, 8192, "v=DKIM1; k=%s; %sp=", type, extra);
	EVP_EncodeBlock((unsigned char *)out + off, der, (int)n);
	return out;
}

/* DKIM keys: sizes, t=y, revoked, broken, ed25519, given selector missing. */
static void test_dkim(void **state)
{
	(void)state;
	static const struct {
		const char *sel, *type;
		int bits;
		const char *extra;
		const char *want;
		audit_sev sev;
	} keys[] = {
		{"k2048", "rsa", 2048, "", "dkim-key", AUDIT_INFO},
		{"k1024", "rsa", 1024, "", "dkim-key-short", AUDIT_WARNING},
		{"k512", "rsa", 512, "", "dkim-key-weak", AUDIT_CRITICAL},
		{"ktest", "rsa", 2048, "t=y; ", "dkim-testing", AUDIT_WARNING},
		{"ked", "ed25519", 0, "", "dkim-key", AUDIT_INFO},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		dns_zone *z = zone_text(O);
		char name[128];
		snprintf(name, sizeof(name), "%s._domainkey.t.example", keys[i].sel);
		char *rec = key_record(keys[i].type, keys[i].bits, keys[i].extra);
		assert_int_equal(dns_zone_add_txt(z, name, rec, strlen(rec), 300), MW_OK);
		free(rec);
		const char *sel[] = {keys[i].sel};
		audit_request req = {.domain = "t.example", .selectors = sel, .nsel = 1};
		audit_result res;
		run(z, &req, &res);
		const audit_finding *f = audit_find(&res.findings, keys[i].want);
		if (!f)
			fail_msg("%s: want %s", keys[i].sel, keys[i].want);
		assert_int_equal(f->sev, keys[i].sev);
		bool ed = strcmp(keys[i].type, "ed25519") == 0;
		assert_int_equal(audit_find(&res.findings, "dkim-no-ed25519") == NULL, ed || keys[i].bits == 512);
		assert_int_equal(res.dkim.nkeys, keys[i].bits == 512 ? 0 : 1);
		audit_result_free(&res);
		dns_zone_free(z);
	}
	/* revoked, broken, missing given selector, common selector found unasked */
	dns_zone *z = zone_text(O "rev._domainkey TXT \"v=DKIM1; p=\"\n"
				  "bad._domainkey TXT \"v=DKIM1; k=rsa; p=!!notbase64\"\n");
	char *rec = key_record("rsa", 2048, "");
	assert_int_equal(dns_zone_add_txt(z, "google._domainkey.t.example", rec, strlen(rec), 300), MW_OK);
	free(rec);
	const char *sel[] = {"rev", "bad", "absent"};
	audit_request req = {.domain = "t.example", .selectors = sel, .nsel = 3};
	audit_result res;
	run(z, &req, &res);
	assert_non_null(audit_find(&res.findings, "dkim-revoked"));
	assert_non_null(audit_find(&res.findings, "dkim-key-broken"));
	assert_non_null(audit_find(&res.findings, "dkim-key-missing"));
	assert_int_equal(res.dkim.nkeys, 1);
	assert_string_equal(res.dkim.selectors, "google");
	audit_result_free(&res);
	dns_zone_free(z);
}

/* Generic PTR names: the heuristic's table. */
static void test_ptr_generic(void **state)
{
	(void)state;
	static const struct {
		const char *name, *ip;
		bool want;
	} ptrs[] = {
		{"mail.example.com", "192.0.2.1", false},
		{"mx1.mail.example.org", "192.0.2.1", false},
		{"mail-yw1-f170.google.com", "209.85.128.170", false},
		{"smtp.dynamics-consulting.example", "192.0.2.1", false},
		{"host1.example.com", "192.0.2.1", false},
		{"192-0-2-1.dyn.isp.example", "192.0.2.1", true},
		{"ec2-54-1-2-3.compute-1.amazonaws.com", "54.1.2.3", true},
		{"static.33.2.0.192.clients.your-server.de", "192.0.2.33", true},
		{"dsl-pool-17.isp.example", "198.51.100.17", true},
		{"cpe0012ab.cable.example", "198.51.100.17", true},
		{"ppp203.example.net", "198.51.100.17", true},
		{"c0000201.example.net", "192.0.2.1", true},
		{"d192000002001.static.example", "192.0.2.1", true},
	};
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		mw_ip ip;
		assert_true(mw_ip_parse(ptrs[i].ip, &ip));
		if (audit_ptr_generic(ptrs[i].name, &ip) != ptrs[i].want)
			fail_msg("%s: got %d want %d", ptrs[i].name, !ptrs[i].want, ptrs[i].want);
	}
}

/* A sending IP without PTR is critical; with FCrDNS it gets HELO advice. */
static void test_sending_ip(void **state)
{
	(void)state;
	dns_zone *z = zone_text(O "out A 198.51.100.7\n$ORIGIN 100.51.198.in-addr.arpa.\n7 PTR out.t.example.\n");
	mw_ip ips[2];
	assert_true(mw_ip_parse("198.51.100.7", &ips[0]));
	assert_true(mw_ip_parse("203.0.113.9", &ips[1]));
	audit_request req = {.domain = "t.example", .ips = ips, .nips = 2};
	audit_result res;
	run(z, &req, &res);
	const audit_finding *ok = audit_find(&res.findings, "rdns-ok");
	assert_non_null(ok);
	assert_non_null(strstr(ok->fix, "smtp_helo_name = out.t.example"));
	bool crit = false;
	for (size_t i = 0; i < res.findings.n; i++)
		if (strcmp(res.findings.f[i].code, "rdns-missing") == 0 &&
		    strstr(res.findings.f[i].title, "203.0.113.9"))
			crit = res.findings.f[i].sev == AUDIT_CRITICAL;
	assert_true(crit);
	assert_int_equal(res.hosts.n, 3); /* two --ip and the MX address */
	audit_result_free(&res);
	dns_zone_free(z);
}

/* DNS timeouts everywhere: a result in bounded rounds, findings say so. */
static void test_timeouts(void **state)
{
	(void)state;
	dns_zone *z = dns_zone_new();
	static const char *names[] = {"t.example", "_dmarc.t.example", "_dmarc.example",
				      "_mta-sts.t.example", "_smtp._tls.t.example", "default._bimi.t.example"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(dns_zone_set_fault(z, names[i], DNS_FAULT_TIMEOUT), MW_OK);
	audit_request req = {.domain = "t.example"};
	audit_result res;
	run(z, &req, &res);
	assert_non_null(audit_find(&res.findings, "spf-missing"));
	assert_non_null(strstr(audit_find(&res.findings, "spf-missing")->title, "temporary"));
	assert_non_null(audit_find(&res.findings, "dmarc-dns-error"));
	assert_non_null(audit_find(&res.findings, "mx-dns-error"));
	audit_result_free(&res);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),       cmocka_unit_test(test_dkim),
		cmocka_unit_test(test_ptr_generic), cmocka_unit_test(test_sending_ip),
		cmocka_unit_test(test_timeouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
