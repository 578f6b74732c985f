/*
 * test_audit_spf.c - SPF lint: each finding from an offline zone, the issue's
 * seed record over the limit with provider records, its flattening checked
 * for equivalence with check_host(), and absurd records in bounded time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/spf_lint.h"
#include "auth/spf.h"
#include "dns/lookup.h"

typedef struct run_ctx {
	const char *domain;
	audit_findings *out;
	audit_spf_info *info;
} run_ctx;

static mw_status eval(void *arg, dns_lookup *lk)
{
	run_ctx *c = arg;
	audit_findings_reset(c->out);
	return audit_spf_lint(c->domain, lk, c->out, c->info);
}

/* lint - run the lint to completion over a zone; returns rounds used */
static unsigned lint(dns_zone *z, const char *domain, audit_findings *out, audit_spf_info *info)
{
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	run_ctx c = {domain, out, info};
	mw_err err;
	mw_status st = dns_lookup_run(&lk, r, eval, &c, &err);
	if (st != MW_OK)
		fail_msg("%s: lint status %s: %s", domain, mw_status_str(st), err.msg);
	unsigned rounds = lk.rounds;
	dns_cache_free(cache);
	dns_resolver_free(r);
	return rounds;
}

static dns_zone *zone_with(const char *text)
{
	dns_zone *z = dns_zone_new();
	mw_err err;
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/data/audit/providers.zone", MW_SOURCE_DIR);
	if (dns_zone_load_file(z, path, &err) != MW_OK)
		fail_msg("providers.zone: %s", err.msg);
	if (text && dns_zone_load_text(z, text, strlen(text), "case", &err) != MW_OK)
		fail_msg("zone text: %s", err.msg);
	return z;
}

static size_t count_code(const audit_findings *l, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += strcmp(l->f[i].code, code) == 0;
	return n;
}

typedef struct lint_case {
	const char *name;
	const char *zone;    /* records in $ORIGIN t.example. */
	int lookups;         /* -1: do not check */
	const char *want[5]; /* codes that must be reported */
	const char *not[4];  /* codes that must not */
	bool clean;          /* no critical or warning at all */
} lint_case;

#define O "$ORIGIN t.example.\n$TTL 300\n"

static const lint_case cases[] = {
	{"good", O "@ TXT \"v=spf1 ip4:192.0.2.0/24 include:amazonses.com -all\"\n", 1,
	 {"spf-lookups"}, {"spf-lookups-over-limit"}, true},
	{"ra modifier is allowed", O "@ TXT \"v=spf1 ip4:192.0.2.1 ra=postmaster rp=100 -all\"\n", 0,
	 {"spf-lookups"}, {"spf-syntax"}, true},
	{"plus all", O "@ TXT \"v=spf1 mx +all\"\n@ MX 10 mx\nmx A 192.0.2.5\n", 1,
	 {"spf-plus-all"}, {0}, false},
	{"neutral all", O "@ TXT \"v=spf1 ip4:192.0.2.1 ?all\"\n", 0, {"spf-neutral-all"},
	 {"spf-plus-all"}, false},
	{"no all", O "@ TXT \"v=spf1 ip4:192.0.2.1\"\n", 0, {"spf-no-all"}, {0}, false},
	{"redirect is an ending", O "@ TXT \"v=spf1 redirect=_spf.google.com\"\n", 4, {"spf-lookups"},
	 {"spf-no-all"}, true},
	{"ptr", O "@ TXT \"v=spf1 ptr -all\"\n", 1, {"spf-ptr"}, {0}, false},
	{"two records", O "@ TXT \"v=spf1 -all\"\n@ TXT \"v=spf1 ~all\"\n", 0, {"spf-missing"},
	 {"spf-lookups"}, false},
	{"no record", O "@ TXT \"google-site-verification=x\"\n", 0, {"spf-missing"}, {0}, false},
	{"nxdomain", O "other TXT \"v=spf1 -all\"\n", 0, {"spf-missing"}, {0}, false},
	{"syntax", O "@ TXT \"v=spf1 ip4:300.1.1.1 -all\"\n", 0, {"spf-syntax"}, {"spf-missing"},
	 false},
	{"include without spf", O "@ TXT \"v=spf1 include:nospf.t.example -all\"\n"
				  "nospf TXT \"hello\"\n", 1, {"spf-broken-include"}, {0}, false},
	{"include nxdomain", O "@ TXT \"v=spf1 include:gone.t.example -all\"\n", 1,
	 {"spf-broken-include"}, {0}, false},
	{"void lookups", O "@ TXT \"v=spf1 a:g1.t.example a:g2.t.example mx:g3.t.example -all\"\n"
			   "g1 TXT \"x\"\n",
	 3, {"spf-void-lookup", "spf-voids-over-limit"}, {0}, false},
	{"loop", O "@ TXT \"v=spf1 include:b.t.example -all\"\nb TXT \"v=spf1 include:t.example -all\"\n",
	 -1, {"spf-loop", "spf-lookups-over-limit"}, {0}, false},
	{"self include", O "@ TXT \"v=spf1 include:t.example -all\"\n", -1, {"spf-loop"}, {0}, false},
	{"redundant", O "@ TXT \"v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.10 ip4:192.0.2.10 -all\"\n", 0,
	 {"spf-redundant-range"}, {0}, true},
	{"after all", O "@ TXT \"v=spf1 -all ip4:192.0.2.1\"\n", 0, {"spf-after-all"}, {0}, false},
	{"include with +all", O "@ TXT \"v=spf1 include:open.t.example -all\"\nopen TXT \"v=spf1 +all\"\n",
	 1, {"spf-plus-all"}, {0}, false},
	{"timeout include", O "@ TXT \"v=spf1 include:slow.t.example -all\"\nslow A 192.0.2.9\n", 1,
	 {"spf-broken-include"}, {0}, false},
	{"mx over 10", O "@ TXT \"v=spf1 mx -all\"\n@ MX 1 a\n@ MX 2 b\n@ MX 3 c\n@ MX 4 d\n@ MX 5 e\n"
			 "@ MX 6 f\n@ MX 7 g\n@ MX 8 h\n@ MX 9 i\n@ MX 10 j\n@ MX 11 k\n",
	 1, {"spf-mx-too-many"}, {0}, false},
	{"nine lookups", O "@ TXT \"v=spf1 include:_spf.google.com include:secureserver.net -all\"\n", 9,
	 {"spf-lookups-near-limit"}, {"spf-lookups-over-limit"}, false},
	{"macro exists kept", O "@ TXT \"v=spf1 exists:%{i}._spf.t.example -all\"\n", 1,
	 {"spf-lookups"}, {0}, true},
};

/* Each case reports its findings and the lookup count it should. */
static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const lint_case *c = &cases[i];
		dns_zone *z = zone_with(c->zone);
		if (strcmp(c->name, "timeout include") == 0)
			assert_int_equal(dns_zone_set_fault(z, "slow.t.example", DNS_FAULT_TIMEOUT), MW_OK);
		audit_findings out;
		assert_true(audit_findings_init(&out));
		audit_spf_info info;
		lint(z, "t.example", &out, &info);
		if (c->lookups >= 0 && info.lookups != (unsigned)c->lookups)
			fail_msg("%s: lookups got %u want %d\n%s", c->name, info.lookups, c->lookups,
				 info.tree);
		for (size_t k = 0; k < 5 && c->want[k]; k++)
			if (!audit_find(&out, c->want[k]))
				fail_msg("%s: want %s, not reported", c->name, c->want[k]);
		for (size_t k = 0; k < 4 && c->not[k]; k++)
			if (audit_find(&out, c->not[k]))
				fail_msg("%s: %s reported, should not be", c->name, c->not[k]);
		if (c->clean) {
			for (size_t k = 0; k < out.n; k++)
				if (out.f[k].sev != AUDIT_INFO)
					fail_msg("%s: unexpected %s %s: %s", c->name,
						 audit_sev_name(out.f[k].sev), out.f[k].code, out.f[k].title);
		}
		audit_findings_free(&out);
		dns_zone_free(z);
	}
}

/* spf_result_of - check_host() result for ip at domain over zone z */
static mw_auth_result spf_result_of(dns_zone *z, const char *ip, const char *domain)
{
	spf_request req = {0};
	assert_true(spf_request_set_ip(&req, ip));
	req.domain = domain;
	req.sender = "x@seed.example";
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	spf_result res = {0};
	mw_err err;
	assert_int_equal(spf_check_run(&req, r, cache, &res, &err), MW_OK);
	mw_auth_result got = res.result;
	spf_result_free(&res);
	dns_cache_free(cache);
	dns_resolver_free(r);
	return got;
}

/* The seed record: 12 lookups, a tree naming each provider's cost,
 * and a flattened replacement under the limit that gives the same results. */
static void test_seed_and_flattening(void **state)
{
	(void)state;
	dns_zone *z = zone_with(NULL);
	char path[1024];
	mw_err err;
	snprintf(path, sizeof(path), "%s/tests/data/audit/seed.zone", MW_SOURCE_DIR);
	assert_int_equal(dns_zone_load_file(z, path, &err), MW_OK);
	audit_findings out;
	assert_true(audit_findings_init(&out));
	audit_spf_info info;
	lint(z, "seed.example", &out, &info);
	assert_int_equal(info.lookups, 12);
	const audit_finding *f = audit_find(&out, "spf-lookups-over-limit");
	assert_non_null(f);
	assert_int_equal(f->sev, AUDIT_CRITICAL);
	assert_non_null(strstr(f->evidence, "  include:_spf.google.com costs 4"));
	assert_non_null(strstr(f->evidence, "  include:secureserver.net costs 5"));
	assert_non_null(strstr(f->evidence, "  include:amazonses.com costs 1"));
	assert_non_null(strstr(f->evidence, "    include:_netblocks2.google.com costs 1"));
	assert_non_null(info.flat);
	assert_non_null(strstr(f->fix, "stale"));
	assert_null(strstr(info.flat, "include:amazonses.com"));
	assert_non_null(strstr(info.flat, "ip4:199.255.192.0/22"));
	assert_non_null(strstr(info.flat, "ip6:2001:4860:4000::/36"));
	assert_non_null(strstr(info.flat, "ip4:192.0.2.80"));  /* the a term */
	assert_non_null(strstr(info.flat, "ip4:192.0.2.10"));  /* the mx term */
	assert_non_null(strstr(info.flat, "include:_spf1.seed.example"));

	/* publish the flattened records in place of the original one */
	dns_zone *flat = dns_zone_new();
	assert_int_equal(dns_zone_load_text(flat, info.flat, strlen(info.flat), "flat", &err), MW_OK);
	audit_findings out2;
	assert_true(audit_findings_init(&out2));
	audit_spf_info info2;
	lint(flat, "seed.example", &out2, &info2);
	assert_true(info2.lookups <= 10);
	assert_null(audit_find(&out2, "spf-lookups-over-limit"));
	assert_null(audit_find(&out2, "spf-broken-include"));
	/* equivalence with what the owner meant: pass for the a/mx hosts and for
	 * whatever each provider's own record passes, softfail (~all) otherwise */
	static const char *ips[] = {"74.125.1.1", "2a00:1450:4001::5", "54.240.3.4", "160.153.9.9",
				    "192.0.2.80", "192.0.2.10", "198.51.100.1", "2001:db8::1",
				    "172.217.33.1", "68.178.252.7"};
	static const char *providers[] = {"amazonses.com", "_spf.google.com", "secureserver.net"};
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		mw_auth_result want = MW_AUTH_SOFTFAIL;
		if (strcmp(ips[i], "192.0.2.80") == 0 || strcmp(ips[i], "192.0.2.10") == 0)
			want = MW_AUTH_PASS;
		for (size_t p = 0; p < 3; p++)
			if (spf_result_of(z, ips[i], providers[p]) == MW_AUTH_PASS)
				want = MW_AUTH_PASS;
		mw_auth_result got = spf_result_of(flat, ips[i], "seed.example");
		if (got != want)
			fail_msg("%s: flattened got %d want %d", ips[i], got, want);
	}
	/* the original: Google's senders pass before the limit is reached, GoDaddy's
	 * (evaluated last) and every stranger get permerror */
	assert_int_equal(spf_result_of(z, "74.125.1.1", "seed.example"), MW_AUTH_PASS);
	assert_int_equal(spf_result_of(z, "160.153.9.9", "seed.example"), MW_AUTH_PERMERROR);
	assert_int_equal(spf_result_of(z, "198.51.100.1", "seed.example"), MW_AUTH_PERMERROR);
	audit_findings_free(&out2);
	dns_zone_free(flat);
	audit_findings_free(&out);
	dns_zone_free(z);
}

/* 100 includes and a 4000-byte record: clear findings, bounded rounds. */
static void test_absurd_records(void **state)
{
	(void)state;
	dns_zone *z = dns_zone_new();
	char rec[4096] = "v=spf1";
	for (int i = 0; i < 100; i++) {
		char name[64], txt[64];
		snprintf(name, sizeof(name), "i%d.big.example", i);
		snprintf(txt, sizeof(txt), "v=spf1 ip4:10.%d.0.0/16 -all", i);
		assert_int_equal(dns_zone_add_txt(z, name, txt, strlen(txt), 60), MW_OK);
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " include:i%d.big.example", i);
	}
	strcat(rec, " -all");
	assert_int_equal(dns_zone_add_txt(z, "big.example", rec, strlen(rec), 60), MW_OK);
	audit_findings out;
	assert_true(audit_findings_init(&out));
	audit_spf_info info;
	unsigned rounds = lint(z, "big.example", &out, &info);
	assert_int_equal(info.lookups, 100);
	assert_true(rounds <= 10);
	assert_non_null(audit_find(&out, "spf-lookups-over-limit"));
	assert_non_null(audit_find(&out, "spf-answer-too-big"));
	assert_non_null(audit_find(&out, "spf-multi-string"));
	assert_non_null(info.flat);
	assert_non_null(strstr(info.flat, "ip4:10.99.0.0/16"));
	audit_findings_free(&out);

	/* 4000 bytes of ip4 terms: parses, too big for UDP */
	char big[4100] = "v=spf1";
	for (int i = 0; strlen(big) < 3980; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), " ip4:10.1.%d.%d", i / 250, i % 250);
	strcat(big, " -all");
	assert_int_equal(dns_zone_add_txt(z, "wide.example", big, strlen(big), 60), MW_OK);
	assert_true(audit_findings_init(&out));
	lint(z, "wide.example", &out, &info);
	assert_non_null(audit_find(&out, "spf-answer-too-big"));
	assert_null(audit_find(&out, "spf-syntax"));
	audit_findings_free(&out);

	/* over the parser's limit: a syntax finding, not a crash */
	char huge[5000];
	memset(huge, 'a', sizeof(huge));
	memcpy(huge, "v=spf1 a:", 9);
	assert_int_equal(dns_zone_add_txt(z, "huge.example", huge, sizeof(huge), 60), MW_OK);
	assert_true(audit_findings_init(&out));
	lint(z, "huge.example", &out, &info);
	assert_non_null(audit_find(&out, "spf-syntax"));
	assert_int_equal(count_code(&out, "spf-syntax"), 1);
	audit_findings_free(&out);
	dns_zone_free(z);
}

/* The UDP size estimate matches RFC 1035 arithmetic. */
static void test_wire_size(void **state)
{
	(void)state;
	dns_answer *a = dns_answer_new(DNS_OK, 60);
	dns_rr rr = {.type = DNS_T_TXT, .ttl = 60, .txt = "v=spf1 -all", .txt_len = 11};
	assert_int_equal(dns_answer_add(a, &rr), MW_OK);
	/* 12 header + (1+7+1+3+1 = "example.com" 13) + 4 + (2 + 10 + 11 + 1) */
	assert_int_equal(audit_txt_wire_size("example.com", a), 12 + 13 + 4 + 24);
	dns_answer_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_seed_and_flattening),
		cmocka_unit_test(test_absurd_records),
		cmocka_unit_test(test_wire_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
