/*
 * test_audit_dnsbl.c - the DNSBL data file (good and malformed lines), the
 * return-code decoding (Spamhaus sub-lists, 127.255.255.x = not checked),
 * parallel queries over an offline zone with a time bound, and the built-in
 * table equal to data/dnsbl.conf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dnsbl.h"
#include "testutil.h"

static const struct {
	const char *text;
	mw_status want;
	const char *why; /* part of the error */
} parse_cases[] = {
	{"zone bl.example ip Example\ncode 127.0.0.2 listed spam\n", MW_OK, NULL},
	{"# comment\n\n  zone d.example domain url=https://x.example/ D list\r\n", MW_OK, NULL},
	{"zone bl.example ip\ncode 127.0.0.2-127.0.0.9 policy range\ncode 127.255.255.254 error refused\n",
	 MW_OK, NULL},
	{"", MW_EPARSE, "no zone"},
	{"# only comments\n", MW_EPARSE, "no zone"},
	{"code 127.0.0.2 listed x\n", MW_EPARSE, "line 1: code line before"},
	{"zone bl.example ip\ncode 127.0.0.2 listed\n", MW_EPARSE, "line 2: code needs a meaning"},
	{"zone bl.example ip\ncode 127.0.0.9-127.0.0.2 listed x\n", MW_EPARSE, "bad address range"},
	{"zone bl.example ip\ncode 300.0.0.2 listed x\n", MW_EPARSE, "bad address range"},
	{"zone bl.example ip\ncode ::1 listed x\n", MW_EPARSE, "bad address range"},
	{"zone bl.example ip\ncode 127.0.0.2 black x\n", MW_EPARSE, "listed, policy or error"},
	{"zone bl.example ipv9 X\n", MW_EPARSE, "ip or domain"},
	{"zone nodot ip X\n", MW_EPARSE, "not a domain name"},
	{"zone\n", MW_EPARSE, "needs a name"},
	{"zone bl..example ip X\n", MW_EPARSE, "not a domain name"},
	{"list bl.example ip\n", MW_EPARSE, "unknown keyword"},
	{"zone bl.example ip X\x01\n", MW_EPARSE, "control"},
};

/* Good files parse; each malformed one fails with a line number and reason. */
static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		dnsbl_list l;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = dnsbl_list_parse(&l, parse_cases[i].text, strlen(parse_cases[i].text), &err);
		if (st != parse_cases[i].want)
			fail_msg("case %zu: got %s want %s (%s)", i, mw_status_str(st),
				 mw_status_str(parse_cases[i].want), err.msg);
		if (parse_cases[i].why && !strstr(err.msg, parse_cases[i].why))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err.msg, parse_cases[i].why);
		dnsbl_list_free(&l);
	}
	/* limits: an over-long line, too many zones, too many codes */
	char *big = malloc(MW_DNSBL_FILE_MAX);
	dnsbl_list l;
	mw_err err;
	memset(big, 'a', 2000);
	memcpy(big, "zone a.example ip ", 18);
	assert_int_equal(dnsbl_list_parse(&l, big, 2000, &err), MW_ETOOBIG);
	size_t n = 0;
	for (int i = 0; i <= MW_DNSBL_ZONES_MAX; i++)
		n += (size_t)sprintf(big + n, "zone z%d.example ip\n", i);
	assert_int_equal(dnsbl_list_parse(&l, big, n, &err), MW_ETOOBIG);
	n = (size_t)sprintf(big, "zone z.example ip\n");
	for (int i = 0; i <= MW_DNSBL_CODES_MAX; i++)
		n += (size_t)sprintf(big + n, "code 127.0.0.%d listed x\n", i + 1);
	assert_int_equal(dnsbl_list_parse(&l, big, n, &err), MW_ETOOBIG);
	free(big);
}

/* The built-in table is data/dnsbl.conf, and it parses. */
static void test_default(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof(path), "%s/data/dnsbl.conf", MW_SOURCE_DIR);
	size_t len;
	char *file = read_file_or_die(path, &len);
	assert_string_equal(file, dnsbl_default_text);
	free(file);
	dnsbl_list l;
	mw_err err;
	assert_int_equal(dnsbl_list_load_default(&l, &err), MW_OK);
	assert_true(l.n >= 9);
	assert_string_equal(l.z[0].zone, "zen.spamhaus.org");
	assert_false(l.z[0].domain);
	assert_true(l.z[1].domain);
	dnsbl_list_free(&l);
}

static dns_answer *answer_of(const char *const *ips)
{
	dns_answer *a = dns_answer_new(ips[0] ? DNS_OK : DNS_NXDOMAIN, 60);
	for (size_t i = 0; ips[i]; i++) {
		dns_rr rr = {.type = DNS_T_A, .ttl = 60};
		assert_true(mw_ip_parse(ips[i], &rr.ip));
		assert_int_equal(dns_answer_add(a, &rr), MW_OK);
	}
	return a;
}

/* Return codes decode to the Spamhaus sub-list; error codes are never "listed". */
static void test_decode(void **state)
{
	(void)state;
	dnsbl_list l;
	mw_err err;
	assert_int_equal(dnsbl_list_load_default(&l, &err), MW_OK);
	static const struct {
		const char *ips[3];
		dnsbl_verdict want;
		const char *meaning;
	} cases[] = {
		{{0}, DNSBL_V_CLEAN, "not listed"},
		{{"127.0.0.2"}, DNSBL_V_LISTED, "SBL:"},
		{{"127.0.0.4"}, DNSBL_V_LISTED, "XBL"},
		{{"127.0.0.11"}, DNSBL_V_POLICY, "PBL"},
		{{"127.0.0.11", "127.0.0.4"}, DNSBL_V_LISTED, "XBL"},
		{{"127.255.255.254"}, DNSBL_V_REFUSED, "public"},
		{{"127.255.255.255"}, DNSBL_V_REFUSED, "limit"},
		{{"127.0.0.2", "127.255.255.254"}, DNSBL_V_REFUSED, "public"},
		{{"127.0.0.77"}, DNSBL_V_LISTED, "not in the table"},
		{{"198.51.100.1"}, DNSBL_V_BOGUS, "outside"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dns_answer *a = answer_of(cases[i].ips);
		const char *m;
		char codes[64];
		dnsbl_verdict v = dnsbl_decode(&l.z[0], a, &m, codes);
		if (v != cases[i].want || !strstr(m, cases[i].meaning))
			fail_msg("case %zu: got %s '%s' want %s '%s'", i, dnsbl_verdict_name(v), m,
				 dnsbl_verdict_name(cases[i].want), cases[i].meaning);
		dns_answer_free(a);
	}
	dns_answer *t = dns_answer_new(DNS_TEMPFAIL, 0);
	const char *m;
	char codes[64];
	assert_int_equal(dnsbl_decode(&l.z[0], t, &m, codes), DNSBL_V_UNCHECKED);
	assert_int_equal(dnsbl_decode(&l.z[0], NULL, &m, codes), DNSBL_V_UNCHECKED);
	dns_answer_free(t);
	dnsbl_list_free(&l);
}

/* Queries over a zone: listed, clean, refused, timed out, domain list. */
static void test_check(void **state)
{
	(void)state;
	static const char conf[] = "zone zen.test ip Test ZEN\ncode 127.0.0.2 listed SBL test\n"
				   "code 127.255.255.254 error refused\n"
				   "zone slow.test ip Slow\nzone dbl.test domain DBL\n"
				   "code 127.0.1.2 listed spam domain\n";
	static const char zone[] = "2.0.0.127.zen.test. A 127.0.0.2\n"
				   "3.0.0.127.zen.test. A 127.255.255.254\n"
				   "bad.example.dbl.test. A 127.0.1.2\n";
	dnsbl_list l;
	mw_err err;
	assert_int_equal(dnsbl_list_parse(&l, conf, strlen(conf), &err), MW_OK);
	dns_zone *z = dns_zone_new();
	assert_int_equal(dns_zone_load_text(z, zone, strlen(zone), "z", &err), MW_OK);
	for (int i = 2; i <= 4; i++) {
		char n[64];
		snprintf(n, sizeof(n), "%d.0.0.127.slow.test", i);
		assert_int_equal(dns_zone_set_fault(z, n, DNS_FAULT_TIMEOUT), MW_OK);
	}
	dnsbl_targets t = {.domain = "bad.example", .nips = 4};
	assert_true(mw_ip_parse("127.0.0.2", &t.ips[0]));
	assert_true(mw_ip_parse("127.0.0.3", &t.ips[1]));
	assert_true(mw_ip_parse("127.0.0.4", &t.ips[2]));
	assert_true(mw_ip_parse("2001:db8::1", &t.ips[3]));
	dns_resolver *r = dns_resolver_zone_new(z);
	dnsbl_result res;
	assert_int_equal(dnsbl_check(&l, &t, r, 2000, &res), MW_OK);
	dns_resolver_free(r);
	assert_int_equal(res.n, 7); /* 3 IPv4 x 2 IP lists + 1 domain */
	assert_int_equal(res.skipped_v6, 1);
	static const dnsbl_verdict want[] = {DNSBL_V_LISTED,    DNSBL_V_REFUSED,   DNSBL_V_CLEAN,
					     DNSBL_V_UNCHECKED, DNSBL_V_UNCHECKED, DNSBL_V_UNCHECKED,
					     DNSBL_V_LISTED};
	for (size_t i = 0; i < res.n; i++)
		if (res.e[i].verdict != want[i])
			fail_msg("%s: got %s want %s", res.e[i].qname, dnsbl_verdict_name(res.e[i].verdict),
				 dnsbl_verdict_name(want[i]));
	audit_findings out;
	assert_true(audit_findings_init(&out));
	dnsbl_findings(&l, &res, &out);
	size_t listed = 0, unchecked = 0;
	for (size_t i = 0; i < out.n; i++) {
		listed += strcmp(out.f[i].code, "dnsbl-listed") == 0;
		unchecked += strcmp(out.f[i].code, "dnsbl-not-checked") == 0;
	}
	assert_int_equal(listed, 2);
	assert_int_equal(unchecked, 4);
	json_t *j = dnsbl_json(&l, &res);
	assert_int_equal(json_array_size(json_object_get(j, "queries")), 7);
	json_decref(j);
	audit_findings_free(&out);
	dnsbl_result_free(&res);
	dns_zone_free(z);
	dnsbl_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
