/*
 * test_spf.c - table-driven tests of the SPF record parser, the macro
 * expander and check_host() edge cases (loops, limits, bad input,
 * identities, replay, Received-SPF).  The conformance suites are in
 * test_spf_openspf.c and test_spf_mailauth.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/spf.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "core/limits.h"
#include "dns/resolver.h"
#include "dns/zone.h"

/* ---- record parser ------------------------------------------------------- */

/* Well-formed records parse into the expected terms. */
static void test_record_valid(void **state)
{
	(void)state;
	static const struct {
		const char *rec;
		size_t nterms;
		const char *redirect, *exp;
		int cidr4, cidr6; /* of the first term */
	} cases[] = {
		{"v=spf1", 0, NULL, NULL, -1, -1},
		{"V=SPF1 -ALL", 1, NULL, NULL, -1, -1},
		{"v=spf1 a mx -all ", 3, NULL, NULL, -1, -1},
		{"v=spf1  a   -all", 2, NULL, NULL, -1, -1},
		{"v=spf1 a/24//64 -all", 2, NULL, NULL, 24, 64},
		{"v=spf1 mx:example.com//0", 1, NULL, NULL, -1, 0},
		{"v=spf1 ip4:192.0.2.0/24", 1, NULL, NULL, 24, -1},
		{"v=spf1 ip6:2001:db8::/32 ~all", 2, NULL, NULL, -1, 32},
		{"v=spf1 ip6:::ffff:1.2.3.4", 1, NULL, NULL, -1, -1},
		{"v=spf1 include:_spf.example.com redirect=_spf.example.net", 1, "_spf.example.net", NULL, -1, -1},
		{"v=spf1 -all exp=explain.%{d}", 1, NULL, "explain.%{d}", -1, -1},
		{"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}", 1, NULL, NULL, -1, -1},
		{"v=spf1 ptr ptr:example.com ?all", 3, NULL, NULL, -1, -1},
		{"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", 2, NULL, NULL, 32 - 32 - 1, -1},
		{"v=spf1 a:example.com. -all", 2, NULL, NULL, -1, -1},
		{"v=spf1 a:foo-bar.1-2 -all", 2, NULL, NULL, -1, -1},
		{"v=spf1 a:mail.example...com", 1, NULL, NULL, -1, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_pool *p = mw_pool_new(1 << 20);
		spf_record rec;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = spf_record_parse(cases[i].rec, strlen(cases[i].rec), p, &rec, &err);
		if (st != MW_OK)
			fail_msg("'%s': got %s (%s) want ok", cases[i].rec, mw_status_str(st), err.msg);
		assert_int_equal(rec.nterms, cases[i].nterms);
		if (cases[i].redirect)
			assert_string_equal(rec.redirect, cases[i].redirect);
		else
			assert_null(rec.redirect);
		if (cases[i].exp)
			assert_string_equal(rec.exp, cases[i].exp);
		if (rec.nterms) {
			assert_int_equal(rec.terms[0].cidr4, cases[i].cidr4);
			assert_int_equal(rec.terms[0].cidr6, cases[i].cidr6);
		}
		mw_pool_free(p);
	}
}

/* Malformed records are refused with a reason (each is a permerror). */
static void test_record_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"v=spf1 a/33",              /* ip4 CIDR out of range */
		"v=spf1 a//129",            /* ip6 CIDR out of range */
		"v=spf1 ip4:1.2.3.4/024",   /* leading zero */
		"v=spf1 ip4:1.2.3.4/",      /* empty CIDR */
		"v=spf1 ip6:::1/129",
		"v=spf1 mx/-1",
		"v=spf1 a:example.com/33",
		"v=spf1 foo",               /* unknown mechanism */
		"v=spf1 ip:10.0.0.1",
		"v=spf1 redirect:example.com", /* redirect is a modifier */
		"v=spf1 -redirect=example.com",
		"v=spf1 redirect=a.example.com redirect=b.example.com",
		"v=spf1 exp=a.example.com exp=b.example.com -all",
		"v=spf1 exists:%{z}.example.com",  /* unknown macro letter */
		"v=spf1 exists:%{d0}.example.com", /* zero digit transformer */
		"v=spf1 exists:%x.example.com",    /* '%' not followed by { % _ - */
		"v=spf1 exists:foo%",
		"v=spf1 exists:%{d.example.com",   /* unterminated */
		"v=spf1 a:%{c}.example.com",       /* c only in exp text */
		"v=spf1 exp=%{r}.example.com",
		"v=spf1 all:foo",                  /* all takes nothing */
		"v=spf1 all/24",
		"v=spf1 include",
		"v=spf1 include:",
		"v=spf1 exists",
		"v=spf1 a:",
		"v=spf1 a:foo",                    /* no top label */
		"v=spf1 a:example.123",            /* numeric top label */
		"v=spf1 a:example.-com",
		"v=spf1 ptr/24",
		"v=spf1 ip4:2001:db8::1",          /* wrong family */
		"v=spf1 ip6:192.0.2.1",
		"v=spf1 ip4:192.0.2",
		"v=spf1 ip4:192.0.2.1:25",
		"v=spf1 -",
		"v=spf1 a:ctrl.example.com\rptr -all", /* control character */
		"v=spf1 a:example.net \226all",       /* non-ASCII */
		"v=spf1 =foo",
		"v=spf10 -all",                    /* not a version 1 record */
		"spf1 -all",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_pool *p = mw_pool_new(1 << 20);
		spf_record rec;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = spf_record_parse(bad[i], strlen(bad[i]), p, &rec, &err);
		if (st != MW_EPARSE)
			fail_msg("'%s': got %s want parse error", bad[i], mw_status_str(st));
		assert_true(err.msg[0] != '\0');
		mw_pool_free(p);
	}
	/* over-long record: a distinct error */
	size_t n = MW_SPF_RECORD_MAX + 10;
	char *big = malloc(n + 1);
	memcpy(big, "v=spf1", 6);
	memset(big + 6, ' ', n - 6);
	big[n] = '\0';
	mw_pool *p = mw_pool_new(1 << 20);
	spf_record rec;
	assert_int_equal(spf_record_parse(big, n, p, &rec, NULL), MW_ETOOBIG);
	mw_pool_free(p);
	free(big);
}

/* v=spf1 detection: case-insensitive, then a space or the end. */
static void test_record_detection(void **state)
{
	(void)state;
	static const struct {
		const char *txt;
		bool want;
	} cases[] = {
		{"v=spf1", true},  {"v=spf1 -all", true}, {"V=SpF1 mx", true},  {"v=spf1mx", false},
		{"v=spf10", false}, {" v=spf1", false},    {"v=spf2.0/pra", false}, {"", false},
		{"v=spf", false},  {"spf1", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (spf_record_is_spf(cases[i].txt, strlen(cases[i].txt)) != cases[i].want)
			fail_msg("'%s': got %d want %d", cases[i].txt, !cases[i].want, cases[i].want);
}

/* ---- macros --------------------------------------------------------------- */

/* RFC 7208 §7.4 examples, plus escapes and URL-encoding. */
static void test_macro_rfc_examples(void **state)
{
	(void)state;
	mw_ip ip4, ip6;
	assert_true(mw_ip_parse("192.0.2.3", &ip4));
	assert_true(mw_ip_parse("2001:db8::cb01", &ip6));
	spf_macro_env env = {.sender = "strong-bad@email.example.com",
			     .local = "strong-bad",
			     .sdomain = "email.example.com",
			     .domain = "email.example.com",
			     .ip = &ip4,
			     .helo = "mx.example.org",
			     .receiver = "mx.example.net",
			     .now = 1700000000};
	static const struct {
		const char *in, *want;
		bool v6, exp;
	} cases[] = {
		{"%{s}", "strong-bad@email.example.com", false, false},
		{"%{o}", "email.example.com", false, false},
		{"%{d}", "email.example.com", false, false},
		{"%{d4}", "email.example.com", false, false},
		{"%{d3}", "email.example.com", false, false},
		{"%{d2}", "example.com", false, false},
		{"%{d1}", "com", false, false},
		{"%{dr}", "com.example.email", false, false},
		{"%{d2r}", "example.email", false, false},
		{"%{l}", "strong-bad", false, false},
		{"%{l-}", "strong.bad", false, false},
		{"%{lr}", "strong-bad", false, false},
		{"%{lr-}", "bad.strong", false, false},
		{"%{l1r-}", "strong", false, false},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com", false, false},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com", false, false},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com", false, false},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com", false, false},
		{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net", false, false},
		{"%{ir}.%{v}._spf.%{d2}",
		 "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", true, false},
		{"%{d999}", "email.example.com", false, false},
		{"%{d99999999999999999999}", "email.example.com", false, false},
		{"a%%b%_c%-d", "a%b c%20d", false, false},
		{"%{L}", "strong-bad", false, false},
		{"%{S}", "strong-bad%40email.example.com", false, false},
		{"%{l+-}", "strong.bad", false, false},
		{"%{h}", "mx.example.org", false, false},
		{"%{p}", "unknown", false, false},
		{"%{c}", "192.0.2.3", false, true},
		{"%{c}", "2001:db8::cb01", true, true},
		{"%{r}", "mx.example.net", false, true},
		{"%{t}", "1700000000", false, true},
		{"%{v}", "ip6", true, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		env.ip = cases[i].v6 ? &ip6 : &ip4;
		mw_buf b;
		mw_buf_init(&b, 4096);
		mw_err err;
		mw_err_clear(&err);
		mw_status st = spf_macro_expand(cases[i].in, strlen(cases[i].in), &env, cases[i].exp, &b, &err);
		if (st != MW_OK || strcmp(mw_buf_cstr(&b), cases[i].want) != 0)
			fail_msg("%s: got '%s' (%s) want '%s'", cases[i].in, mw_buf_cstr(&b), err.msg,
				 cases[i].want);
		mw_buf_free(&b);
	}
}

/* Bad macro strings are refused; over-long expansions are a size error. */
static void test_macro_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {"%", "%x", "%{", "%{}", "%{q}", "%{d0}", "%{d-r}",
					  "%{dx}", "%{c}", "%{r}", "%{t}", "%{d", "a%{d}%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (spf_macro_check(bad[i], strlen(bad[i]), false, NULL))
			fail_msg("'%s' accepted", bad[i]);
	assert_true(spf_macro_check("%{c} %{r} %{t}", 14, true, NULL));
	assert_false(spf_macro_check("caf\xc3\xa9", 5, true, NULL));

	/* 400 copies of %{s}: far past the buffer's maximum */
	mw_ip ip;
	assert_true(mw_ip_parse("192.0.2.3", &ip));
	spf_macro_env env = {.sender = "someone@example.com", .local = "someone",
			     .sdomain = "example.com", .domain = "example.com", .ip = &ip,
			     .helo = "h.example.com"};
	char in[400 * 4 + 1];
	for (int i = 0; i < 400; i++)
		memcpy(in + 4 * i, "%{s}", 4);
	in[sizeof(in) - 1] = '\0';
	mw_buf b;
	mw_buf_init(&b, MW_SPF_EXP_MAX);
	assert_int_equal(spf_macro_expand(in, strlen(in), &env, false, &b, NULL), MW_ETOOBIG);
	mw_buf_free(&b);
}

/* §7.3: long names lose labels on the left until they fit 253 bytes. */
static void test_domain_truncate(void **state)
{
	(void)state;
	char name[1200];
	size_t k = 0;
	for (int i = 0; i < 100; i++)
		k += (size_t)snprintf(name + k, sizeof(name) - k, "label%02d.", i);
	snprintf(name + k, sizeof(name) - k, "example.com.");
	spf_domain_truncate(name);
	assert_true(strlen(name) <= MW_SPF_MACRO_MAX);
	assert_true(strlen(name) > MW_SPF_MACRO_MAX - 9);
	assert_string_equal(name + strlen(name) - 11, "example.com");
	assert_true(name[0] == 'l'); /* starts at a label boundary */
	char one[400];
	memset(one, 'x', 300);
	one[300] = '\0';
	spf_domain_truncate(one);
	assert_string_equal(one, "");
}

/* ---- check_host ------------------------------------------------------------ */

typedef struct zrec {
	const char *name, *type, *value;
} zrec;

/* make_zone - zone from a table ("TXT", "A"/"AAAA", "MX" "pref host", "PTR", "CNAME", "TIMEOUT") */
static dns_zone *make_zone(const zrec *r, size_t n)
{
	dns_zone *z = dns_zone_new();
	for (size_t i = 0; i < n; i++) {
		const char *t = r[i].type;
		mw_status st = MW_OK;
		if (strcmp(t, "TXT") == 0)
			st = dns_zone_add_txt(z, r[i].name, r[i].value, strlen(r[i].value), 300);
		else if (strcmp(t, "A") == 0 || strcmp(t, "AAAA") == 0)
			st = dns_zone_add_ip(z, r[i].name, r[i].value, 300);
		else if (strcmp(t, "MX") == 0)
			st = dns_zone_add_name(z, r[i].name, DNS_T_MX, (uint16_t)atoi(r[i].value),
					       strchr(r[i].value, ' ') + 1, 300);
		else if (strcmp(t, "PTR") == 0)
			st = dns_zone_add_name(z, r[i].name, DNS_T_PTR, 0, r[i].value, 300);
		else if (strcmp(t, "CNAME") == 0)
			st = dns_zone_add_name(z, r[i].name, DNS_T_CNAME, 0, r[i].value, 300);
		else if (strcmp(t, "TIMEOUT") == 0)
			st = dns_zone_set_fault(z, r[i].name, DNS_FAULT_TIMEOUT);
		assert_int_equal(st, MW_OK);
	}
	return z;
}

/* run - evaluate to completion over a zone */
static mw_auth_result run(dns_zone *z, const spf_request *req, spf_result *res)
{
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	mw_err err;
	assert_int_equal(spf_check_run(req, r, c, res, &err), MW_OK);
	dns_resolver_free(r);
	dns_cache_free(c);
	return res->result;
}

static const zrec world[] = {
	{"example.com", "TXT", "v=spf1 include:_spf.example.com mx a:relay.example.com -all"},
	{"example.com", "TXT", "some verification token"},
	{"example.com", "MX", "10 mx1.example.com"},
	{"example.com", "MX", "20 mx2.example.com"},
	{"mx1.example.com", "A", "192.0.2.10"},
	{"mx2.example.com", "A", "192.0.2.11"},
	{"mx2.example.com", "AAAA", "2001:db8::11"},
	{"relay.example.com", "A", "198.51.100.7"},
	{"_spf.example.com", "TXT", "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all"},
	{"soft.example.com", "TXT", "v=spf1 a ~all"},
	{"loop1.example.com", "TXT", "v=spf1 include:loop2.example.com -all"},
	{"loop2.example.com", "TXT", "v=spf1 include:loop1.example.com -all"},
	{"self.example.com", "TXT", "v=spf1 redirect=self.example.com"},
	{"two.example.com", "TXT", "v=spf1 -all"},
	{"two.example.com", "TXT", "v=spf1 +all"},
	{"exp.example.com", "TXT", "v=spf1 -all exp=why.example.com"},
	{"why.example.com", "TXT", "%{i} may not send for %{d}; ask postmaster@%{o}"},
	{"slow.example.com", "TXT", "v=spf1 a:timeout.example.com -all"},
	{"timeout.example.com", "TIMEOUT", ""},
	{"helo.example.org", "TXT", "v=spf1 a -all"},
	{"helo.example.org", "A", "192.0.2.99"},
	{"ptr.example.com", "TXT", "v=spf1 ptr -all"},
	{"99.2.0.192.in-addr.arpa", "PTR", "helo.example.org"},
	{"10.2.0.192.in-addr.arpa", "PTR", "mx1.example.com"},
	{"voids.example.com", "TXT", "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com +all"},
	{"big.example.com", "TXT", "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.x.example.com -all"},
	{"pmac.example.com", "TXT", "v=spf1 a a a a a a a a a exists:%{p}.ok.example.com -all"},
	{"pmac2.example.com", "TXT", "v=spf1 a a a a a a a a exists:%{p}.ok.example.com -all"},
	{"helo.example.org.ok.example.com", "A", "127.0.0.2"},
	{"pmac.example.com", "A", "192.0.2.1"},
	{"pmac2.example.com", "A", "192.0.2.1"},
};

typedef struct ccase {
	const char *ip, *sender, *helo;
	spf_identity id;
	const char *want, *mechanism, *problem_has;
	unsigned lookups;
} ccase;

/* check_host over a small world: results, limits, loops, errors. */
static void test_check_host_cases(void **state)
{
	(void)state;
	static const ccase cases[] = {
		{"203.0.113.5", "a@example.com", "x.example.net", SPF_ID_MAILFROM, "pass", "include:_spf.example.com", NULL, 1},
		{"2001:db8:1::25", "a@example.com", "x", SPF_ID_MAILFROM, "pass", "include:_spf.example.com", NULL, 1},
		{"192.0.2.11", "a@example.com", "x", SPF_ID_MAILFROM, "pass", "mx", NULL, 2},
		{"2001:db8::11", "a@example.com", "x", SPF_ID_MAILFROM, "pass", "mx", NULL, 2},
		{"198.51.100.7", "a@example.com", "x", SPF_ID_MAILFROM, "pass", "a:relay.example.com", NULL, 3},
		{"::ffff:198.51.100.7", "a@example.com", "x", SPF_ID_MAILFROM, "pass", "a:relay.example.com", NULL, 3},
		{"192.0.2.200", "a@example.com", "x", SPF_ID_MAILFROM, "fail", "-all", NULL, 3},
		{"192.0.2.200", "a@soft.example.com", "x", SPF_ID_MAILFROM, "softfail", "~all", NULL, 1},
		{"192.0.2.200", "a@nowhere.example.com", "x", SPF_ID_MAILFROM, "none", NULL, NULL, 0},
		{"192.0.2.200", "a@loop1.example.com", "x", SPF_ID_MAILFROM, "permerror", NULL, "DNS-querying terms", 11},
		{"192.0.2.200", "a@self.example.com", "x", SPF_ID_MAILFROM, "permerror", NULL, "DNS-querying terms", 11},
		{"192.0.2.200", "a@two.example.com", "x", SPF_ID_MAILFROM, "permerror", NULL, "2 SPF records", 0},
		{"192.0.2.200", "a@slow.example.com", "x", SPF_ID_MAILFROM, "temperror", NULL, "timeout", 1},
		{"192.0.2.200", "a@voids.example.com", "x", SPF_ID_MAILFROM, "permerror", NULL, "void lookups", 3},
		/* empty MAIL FROM: postmaster@HELO */
		{"192.0.2.99", "", "helo.example.org", SPF_ID_MAILFROM, "pass", "a", NULL, 1},
		{"192.0.2.98", NULL, "helo.example.org", SPF_ID_MAILFROM, "fail", "-all", NULL, 1},
		/* HELO identity ignores the MAIL FROM */
		{"192.0.2.99", "a@example.com", "helo.example.org", SPF_ID_HELO, "pass", "a", NULL, 1},
		/* ptr: validated name within the domain */
		{"192.0.2.99", "a@ptr.example.com", "x", SPF_ID_MAILFROM, "fail", "-all", NULL, 1},
		{"192.0.2.10", "a@ptr.example.com", "x", SPF_ID_MAILFROM, "fail", "-all", NULL, 1},
		/* malformed domains give none (§4.3) */
		{"192.0.2.1", "a@[192.0.2.1]", "x", SPF_ID_MAILFROM, "none", NULL, "not a valid domain", 0},
		{"192.0.2.1", "a@localhost", "x", SPF_ID_MAILFROM, "none", NULL, "not a valid domain", 0},
		{"192.0.2.1", "a@a..example.com", "x", SPF_ID_MAILFROM, "none", NULL, "not a valid domain", 0},
		/* %{p} in a domain-spec is one more DNS term (§4.6.4): 9 a + exists + %{p} = 11 */
		{"192.0.2.99", "a@pmac.example.com", "x", SPF_ID_MAILFROM, "permerror", NULL, "DNS-querying terms", 11},
		{"192.0.2.99", "a@pmac2.example.com", "x", SPF_ID_MAILFROM, "pass", "exists:%{p}.ok.example.com", NULL, 10},
		/* a huge local part: the exists name is truncated, no crash */
		{"192.0.2.1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@big.example.com", "x",
		 SPF_ID_MAILFROM, "fail", "-all", NULL, 1},
	};
	dns_zone *z = make_zone(world, sizeof(world) / sizeof(world[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const ccase *c = &cases[i];
		spf_request req = {.sender = c->sender, .helo = c->helo, .identity = c->id};
		assert_true(spf_request_set_ip(&req, c->ip));
		spf_result res = {0};
		const char *got = mw_auth_result_name(run(z, &req, &res));
		if (strcmp(got, c->want) != 0 || res.dns_lookups != c->lookups ||
		    (c->mechanism && (!res.mechanism || strcmp(res.mechanism, c->mechanism) != 0)) ||
		    (c->problem_has && (!res.problem || !strstr(res.problem, c->problem_has)))) {
			for (size_t k = 0; k < res.ntrace; k++)
				printf("  %s\n", res.trace[k]);
			fail_msg("case %zu %s %s: got %s/%s lookups %u problem %s want %s/%s lookups %u", i,
				 c->ip, c->sender ? c->sender : "(null)", got,
				 res.mechanism ? res.mechanism : "-", res.dns_lookups,
				 res.problem ? res.problem : "-", c->want, c->mechanism ? c->mechanism : "-",
				 c->lookups);
		}
		assert_non_null(res.received_spf);
		assert_true(res.ntrace > 0 || strcmp(c->want, "none") == 0);
		spf_result_free(&res);
	}
	dns_zone_free(z);
}

/* A fail carries the exp= explanation, macro-expanded; other results none. */
static void test_explanation_and_header(void **state)
{
	(void)state;
	dns_zone *z = make_zone(world, sizeof(world) / sizeof(world[0]));
	spf_request req = {.sender = "joe@exp.example.com", .helo = "mail.example.net",
			   .receiver = "mx.receiver.example"};
	assert_true(spf_request_set_ip(&req, "192.0.2.77"));
	spf_result res = {0};
	assert_int_equal(run(z, &req, &res), MW_AUTH_FAIL);
	assert_string_equal(res.explanation,
			    "192.0.2.77 may not send for exp.example.com; ask postmaster@exp.example.com");
	assert_string_equal(res.received_spf,
			    "Received-SPF: fail (mx.receiver.example: domain of joe@exp.example.com does "
			    "not designate 192.0.2.77 as permitted sender) client-ip=192.0.2.77; "
			    "envelope-from=\"joe@exp.example.com\"; helo=mail.example.net; "
			    "receiver=mx.receiver.example; identity=mailfrom; mechanism=-all");
	spf_result_free(&res);

	/* default explanation without exp= */
	req.sender = "joe@example.com";
	assert_int_equal(run(z, &req, &res), MW_AUTH_FAIL);
	assert_string_equal(res.explanation,
			    "192.0.2.77 is not one of example.com's designated mail senders");
	spf_result_free(&res);

	/* pass: no explanation; IPv6 client-ip is quoted; helo identity */
	req.identity = SPF_ID_HELO;
	req.helo = "helo.example.org";
	assert_true(spf_request_set_ip(&req, "2001:db8::1"));
	assert_int_equal(run(z, &req, &res), MW_AUTH_FAIL);
	assert_non_null(strstr(res.received_spf, "client-ip=\"2001:db8::1\";"));
	assert_non_null(strstr(res.received_spf, "identity=helo"));
	assert_null(strstr(res.received_spf, "envelope-from"));
	spf_result_free(&res);

	/* permerror carries its problem in the header */
	req.identity = SPF_ID_MAILFROM;
	req.sender = "x@two.example.com";
	assert_int_equal(run(z, &req, &res), MW_AUTH_PERMERROR);
	assert_null(res.explanation);
	assert_non_null(strstr(res.received_spf, "Received-SPF: permerror ("));
	assert_non_null(strstr(res.received_spf, "problem=\"two.example.com has 2 SPF records\""));
	spf_result_free(&res);
	dns_zone_free(z);
}

/* Replay: the first pass asks for DNS; MX hosts come in one round; every
 * pass rebuilds counters, so the result equals a run over a warm cache. */
static void test_replay(void **state)
{
	(void)state;
	dns_zone *z = make_zone(world, sizeof(world) / sizeof(world[0]));
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	spf_request req = {.sender = "a@example.com", .helo = "x.example.net"};
	assert_true(spf_request_set_ip(&req, "192.0.2.11"));
	dns_lookup lk;
	dns_lookup_init(&lk, c, 1700000000);
	spf_result res = {0};
	assert_int_equal(spf_check(&req, &lk, &res), MW_NEED_DNS);
	assert_int_equal(lk.nneed, 1);
	assert_string_equal(lk.need[0].name, "example.com");
	unsigned rounds = 0;
	mw_status st;
	while ((st = spf_check(&req, &lk, &res)) == MW_NEED_DNS) {
		if (rounds == 3) /* TXT _spf, then MX, then both MX hosts' A at once */
			assert_int_equal(lk.nneed, 2);
		assert_int_equal(dns_lookup_fetch(&lk, r), MW_OK);
		lk.nneed = 0;
		rounds++;
	}
	assert_int_equal(st, MW_OK);
	assert_int_equal(res.result, MW_AUTH_PASS);
	unsigned lookups = res.dns_lookups;
	size_t ntrace = res.ntrace;
	/* warm cache: one pass, same counts and trace */
	lk.nneed = 0;
	assert_int_equal(spf_check(&req, &lk, &res), MW_OK);
	assert_int_equal(res.dns_lookups, lookups);
	assert_int_equal(res.ntrace, ntrace);
	assert_int_equal(lk.nneed, 0);
	spf_result_free(&res);
	dns_resolver_free(r);
	dns_cache_free(c);
	dns_zone_free(z);
}

/* Names of 1000 labels and bad requests give defined results. */
static void test_bad_input(void **state)
{
	(void)state;
	dns_zone *z = make_zone(world, sizeof(world) / sizeof(world[0]));
	char *sender = malloc(3000);
	strcpy(sender, "x@");
	for (int i = 0; i < 1000; i++)
		strcat(sender, "a.");
	strcat(sender, "com");
	spf_request req = {.sender = sender, .helo = sender + 2};
	assert_true(spf_request_set_ip(&req, "192.0.2.1"));
	spf_result res = {0};
	assert_int_equal(run(z, &req, &res), MW_AUTH_NONE);
	spf_result_free(&res);
	req.identity = SPF_ID_HELO;
	assert_int_equal(run(z, &req, &res), MW_AUTH_NONE);
	spf_result_free(&res);
	free(sender);
	/* no address: caller error */
	spf_request none = {0};
	dns_cache *c = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, c, 0);
	assert_int_equal(spf_check(&none, &lk, &res), MW_EINVAL);
	spf_result_free(&res);
	dns_cache_free(c);
	assert_false(spf_request_set_ip(&none, "999.1.1.1"));
	dns_zone_free(z);
}

/* The parsed-record cache gives the same results as parsing every time,
 * returns cached parse errors with their reason, and is used by spf_check. */
static void test_record_cache(void **state)
{
	(void)state;
	spf_record_cache *rc = spf_record_cache_new();
	assert_non_null(rc);
	const spf_record *a, *b;
	static const char good[] = "v=spf1 ip4:192.0.2.0/24 mx -all";
	static const char bad[] = "v=spf1 ip4:192.0.2.0/33 -all";
	assert_int_equal(spf_record_cache_parse(rc, good, sizeof(good) - 1, &a, NULL), MW_OK);
	char copy[sizeof(good)];
	memcpy(copy, good, sizeof(good));
	assert_int_equal(spf_record_cache_parse(rc, copy, sizeof(good) - 1, &b, NULL), MW_OK);
	assert_ptr_equal(a, b); /* same text, other address: one entry */
	assert_int_equal(a->nterms, 3);
	mw_err err;
	mw_err_clear(&err);
	assert_int_equal(spf_record_cache_parse(rc, bad, sizeof(bad) - 1, &b, &err), MW_EPARSE);
	assert_non_null(strstr(err.msg, "ip4:192.0.2.0/33"));
	mw_err_clear(&err);
	assert_int_equal(spf_record_cache_parse(rc, bad, sizeof(bad) - 1, &b, &err), MW_EPARSE);
	assert_non_null(strstr(err.msg, "ip4:192.0.2.0/33"));

	dns_zone *z = make_zone(world, sizeof(world) / sizeof(world[0]));
	static const char *const ips[] = {"203.0.113.5", "192.0.2.11", "192.0.2.200", "2001:db8::11"};
	for (size_t i = 0; i < 4; i++) {
		spf_request req = {.sender = "a@example.com", .helo = "x.example.net"};
		assert_true(spf_request_set_ip(&req, ips[i]));
		spf_result r1 = {0}, r2 = {0};
		mw_auth_result want = run(z, &req, &r1);
		req.parsed = rc;
		req.flags = SPF_F_NO_TRACE | SPF_F_NO_HEADER;
		assert_int_equal(run(z, &req, &r2), want);
		assert_int_equal(r2.dns_lookups, r1.dns_lookups);
		assert_int_equal(r2.ntrace, 0);
		assert_null(r2.received_spf);
		spf_result_free(&r1);
		spf_result_free(&r2);
	}
	dns_zone_free(z);
	spf_record_cache_free(rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_valid),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_record_detection),
		cmocka_unit_test(test_macro_rfc_examples),
		cmocka_unit_test(test_macro_errors),
		cmocka_unit_test(test_domain_truncate),
		cmocka_unit_test(test_check_host_cases),
		cmocka_unit_test(test_explanation_and_header),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_record_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
