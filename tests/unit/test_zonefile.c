/*
 * test_zonefile.c - the RFC 1035 master-file reader (dns/zonefile.c):
 * what well-formed files put in the zone, and the exact error (code and
 * "label:line: reason") for malformed ones.
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

#include "core/limits.h"
#include "dns/zone.h"

/* A query and the answer we want: status, record count, and the text form
 * of the first record ("192.0.2.1", "10 mail.example.com", TXT bytes ...). */
typedef struct zq_case {
	const char *name;
	const char *type;
	dns_status want;
	size_t nrr;
	const char *first; /* NULL: not checked */
	long ttl;          /* of the first record, or of a negative answer; -1: not checked */
} zq_case;

typedef struct ok_case {
	const char *what;
	const char *text;
	zq_case q[6];
} ok_case;

/* rr_text - printable form of a record for comparisons */
static void rr_text(const dns_rr *rr, char *out, size_t n)
{
	char ip[MW_IP_STR_MAX];
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		snprintf(out, n, "%s", mw_ip_format(&rr->ip, ip, sizeof(ip)));
		break;
	case DNS_T_MX:
		snprintf(out, n, "%u %s", rr->pref, rr->name);
		break;
	case DNS_T_TXT:
		snprintf(out, n, "%.*s", (int)rr->txt_len, rr->txt);
		break;
	default:
		snprintf(out, n, "%s", rr->name);
		break;
	}
}

static const ok_case ok_cases[] = {
    {"owner, ttl, class, type in every order",
     "a.example.com. 300 IN A 192.0.2.1\n"
     "b.example.com. IN 301 A 192.0.2.2\n"
     "c.example.com. 302 A 192.0.2.3\n"
     "d.example.com. in a 192.0.2.4\n",
     {{"a.example.com", "A", DNS_OK, 1, "192.0.2.1", 300},
      {"b.example.com", "A", DNS_OK, 1, "192.0.2.2", 301},
      {"c.example.com", "A", DNS_OK, 1, "192.0.2.3", 302},
      {"D.EXAMPLE.COM", "A", DNS_OK, 1, "192.0.2.4", 302}}},
    {"$ORIGIN, @, relative names, $TTL",
     "$ORIGIN example.com.\n$TTL 1h\n"
     "@ MX 10 mail\n"
     "mail A 192.0.2.10\n"
     "www CNAME mail.example.com.\n"
     "$ORIGIN sub\n"
     "x TXT hello\n",
     {{"example.com", "MX", DNS_OK, 1, "10 mail.example.com", 3600},
      {"mail.example.com", "A", DNS_OK, 1, "192.0.2.10", 3600},
      {"www.example.com", "A", DNS_OK, 1, "192.0.2.10", -1},
      {"www.example.com", "CNAME", DNS_OK, 1, "mail.example.com", -1},
      {"x.sub.example.com", "TXT", DNS_OK, 1, "hello", -1}}},
    {"blank owner continues the previous owner; comments",
     "; a comment line\n"
     "example.com. A 192.0.2.1 ; trailing comment\n"
     "   AAAA 2001:db8::1\n"
     "\tTXT \"v=spf1 -all\"   ; \"quoted\" in comment\n"
     "\n   \n",
     {{"example.com", "AAAA", DNS_OK, 1, "2001:db8::1", -1},
      {"example.com", "TXT", DNS_OK, 1, "v=spf1 -all", -1},
      {"example.com", "MX", DNS_NODATA, 0, NULL, -1}}},
    {"multi-string TXT, escapes, bare words, semicolon in quotes",
     "t1.example. TXT \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\"\n"
     "t2.example. TXT \"a\\\"b\\\\c\\065\"\n"
     "t3.example. TXT bare words\n"
     "t4.example. TXT \"x;y\" ; real comment\n"
     "t5.example. TXT \"\"\n",
     {{"t1.example", "TXT", DNS_OK, 1, "v=spf1 ip4:192.0.2.0/24 -all", -1},
      {"t2.example", "TXT", DNS_OK, 1, "a\"b\\cA", -1},
      {"t3.example", "TXT", DNS_OK, 1, "barewords", -1},
      {"t4.example", "TXT", DNS_OK, 1, "x;y", -1},
      {"t5.example", "TXT", DNS_OK, 1, "", -1}}},
    {"parenthesised multi-line records",
     "$ORIGIN example.org.\n"
     "@ IN SOA ns1 hostmaster (\n"
     "    2024010101 ; serial\n"
     "    7200 3600\n"
     "    1209600 300 )\n"
     "big IN TXT ( \"part one \"\n"
     "             \"part two\" )\n"
     "after A 192.0.2.9\n",
     {{"example.org", "SOA", DNS_OK, 1, "ns1.example.org", -1},
      {"big.example.org", "TXT", DNS_OK, 1, "part one part two", -1},
      {"after.example.org", "A", DNS_OK, 1, "192.0.2.9", -1}}},
    {"PTR, NS, null MX, wildcard, TTL units",
     "2.0.0.192.in-addr.arpa. 1d PTR mail.example.com.\n"
     "example.net. 1h30m NS ns1.example.net.\n"
     "nomail.example. MX 0 .\n"
     "*.w.example. TXT wild\n",
     {{"2.0.0.192.in-addr.arpa", "PTR", DNS_OK, 1, "mail.example.com", 86400},
      {"example.net", "NS", DNS_OK, 1, "ns1.example.net", 5400},
      {"nomail.example", "MX", DNS_OK, 1, "0 .", -1},
      {"any.w.example", "TXT", DNS_OK, 1, "wild", -1},
      {"example", "A", DNS_NODATA, 0, NULL, -1},
      {"other.example", "A", DNS_NXDOMAIN, 0, NULL, -1}}},
    {"pseudo-types TIMEOUT, SERVFAIL, NODATA",
     "slow.example. TIMEOUT\n"
     "slow.example. TXT \"v=spf1 -all\"\n"
     "slow.example. NODATA MX\n"
     "bad.example. SERVFAIL\n",
     {{"slow.example", "A", DNS_TEMPFAIL, 0, NULL, -1},
      {"slow.example", "TXT", DNS_OK, 1, "v=spf1 -all", -1},
      {"slow.example", "MX", DNS_NODATA, 0, NULL, -1},
      {"bad.example", "TXT", DNS_TEMPFAIL, 0, NULL, -1}}},
    {"without $ORIGIN relative names are absolute; last TTL is the default",
     "example.com 120 A 192.0.2.1\n"
     "mail.example.com A 192.0.2.2\n"
     "example.com MX 5 mail.example.com\n",
     {{"example.com", "A", DNS_OK, 1, "192.0.2.1", 120},
      {"mail.example.com", "A", DNS_OK, 1, "192.0.2.2", 120},
      {"example.com", "MX", DNS_OK, 1, "5 mail.example.com", 120}}},
    {"CRLF line ends, tabs, skipped types keep the name",
     "a.example.\tIN\tA\t192.0.2.1\r\n"
     "_sip._tcp.example. SRV 0 5 5060 sip.example.\r\n"
     "example. CAA 0 issue \"ca.example\"\r\n",
     {{"a.example", "A", DNS_OK, 1, "192.0.2.1", -1},
      {"_sip._tcp.example", "TXT", DNS_NODATA, 0, NULL, -1},
      {"example", "TXT", DNS_NODATA, 0, NULL, -1}}},
    {"negative answers carry min(SOA TTL, MINIMUM) of the closest apex, capped",
     "$ORIGIN example.org.\n"
     "@ 600 IN SOA ns1 hostmaster 1 7200 3600 1209600 3600\n"
     "www A 192.0.2.1\n"
     "big.example.org. 86400 SOA ns1 hostmaster 1 2 3 4 86400\n",
     {{"nx.example.org", "A", DNS_NXDOMAIN, 0, NULL, 600},
      {"www.example.org", "TXT", DNS_NODATA, 0, NULL, 600},
      {"nx.big.example.org", "A", DNS_NXDOMAIN, 0, NULL, MW_DNS_NEGTTL_MAX},
      {"elsewhere.example", "A", DNS_NXDOMAIN, 0, NULL, MW_DNS_NEGTTL_DEFAULT}}},
    {"several records in one RRset, last line without newline",
     "m.example. MX 10 a.example.\nm.example. MX 20 b.example.",
     {{"m.example", "MX", DNS_OK, 2, "10 a.example", -1}}},
    {"empty file and comment-only file", "; nothing\n\n", {{"x", "A", DNS_NXDOMAIN, 0, NULL, -1}}},
};

/* Well-formed files load and answer as written. */
static void test_zonefile_ok(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const ok_case *c = &ok_cases[i];
		dns_zone *z = dns_zone_new();
		mw_err err;
		mw_status st = dns_zone_load_text(z, c->text, strlen(c->text), "t", &err);
		if (st != MW_OK)
			fail_msg("%s: got %s (%s) want ok", c->what, mw_status_str(st), err.msg);
		for (size_t k = 0; k < 6 && c->q[k].name; k++) {
			const zq_case *q = &c->q[k];
			dns_answer *a = dns_zone_query(z, q->name, dns_type_parse(q->type));
			assert_non_null(a);
			if (a->status != q->want || a->n != q->nrr)
				fail_msg("%s: %s/%s got %s/%zu want %s/%zu", c->what, q->name,
				         q->type, dns_status_name(a->status), a->n,
				         dns_status_name(q->want), q->nrr);
			char got[512];
			if (q->first) {
				rr_text(&a->rr[0], got, sizeof(got));
				if (strcmp(got, q->first) != 0)
					fail_msg("%s: %s/%s got '%s' want '%s'", c->what, q->name,
					         q->type, got, q->first);
			}
			uint32_t ttl = a->n ? a->rr[0].ttl : a->ttl;
			if (q->ttl >= 0 && (long)ttl != q->ttl)
				fail_msg("%s: %s/%s ttl got %u want %ld", c->what, q->name, q->type,
				         ttl, q->ttl);
			dns_answer_free(a);
		}
		dns_zone_free(z);
	}
}

typedef struct bad_case {
	const char *text;
	mw_status want;
	const char *msg; /* substring of the error, including "t:LINE:" */
} bad_case;

static const bad_case bad_cases[] = {
    {"this is garbage\n", MW_EPARSE, "t:1: unknown record type 'is'"},
    {"ok.example. A 192.0.2.1\n%%%%\n", MW_EPARSE, "t:2: record without a type"},
    {"x.example. TXT \"unterminated\n", MW_EPARSE, "t:1: unterminated quoted string"},
    {"x.example. TXT \"unterminated", MW_EPARSE, "t:1: unterminated quoted string"},
    {"\n\nx.example. SOA a b ( 1 2 3 4 5\n", MW_EPARSE, "t:3: unterminated '('"},
    {"x.example. A 192.0.2.1 )\n", MW_EPARSE, "t:1: ')' without '('"},
    {"x.example. TXT ( ( \"a\" ) )\n", MW_EPARSE, "t:1: nested '('"},
    {"x.example. A 192.0.2.256\n", MW_EPARSE, "t:1: bad A address '192.0.2.256'"},
    {"x.example. A 192.0.2\n", MW_EPARSE, "bad A address"},
    {"x.example. A 2001:db8::1\n", MW_EPARSE, "bad A address"},
    {"x.example. AAAA 192.0.2.1\n", MW_EPARSE, "bad AAAA address"},
    {"x.example. AAAA 2001:db8:::1\n", MW_EPARSE, "bad AAAA address"},
    {"x.example. A\n", MW_EPARSE, "t:1: A needs 1 data field, got 0"},
    {"x.example. A 192.0.2.1 192.0.2.2\n", MW_EPARSE, "unexpected '192.0.2.2'"},
    {"x.example. A \"192.0.2.1\"\n", MW_EPARSE, "unexpected quoted string"},
    {"x.example. MX mail.example.\n", MW_EPARSE, "MX needs 2 data fields, got 1"},
    {"x.example. MX 65536 mail.example.\n", MW_EPARSE, "MX preference '65536' out of range"},
    {"x.example. MX -1 mail.example.\n", MW_EPARSE, "bad MX preference '-1'"},
    {"x.example. SOA a b 1 2 3 4\n", MW_EPARSE, "SOA needs 7 data fields"},
    {"x.example. SOA a b 4294967296 2 3 4 5\n", MW_EPARSE, "SOA serial"},
    {"x.example. TXT\n", MW_EPARSE, "TXT needs at least one string"},
    {"x.example. TXT \"\\300\"\n", MW_EPARSE, "escape is over 255"},
    {"x.example. TXT \"\\12\"\n", MW_EPARSE, "three digits"},
    {"x.example. TXT \\", MW_EPARSE, "backslash at end of input"},
    {"x.example. 99999999999 A 192.0.2.1\n", MW_EPARSE, "out of range"},
    {"x.example. 2147483648 A 192.0.2.1\n", MW_EPARSE, "out of range"},
    {"x.example. 1x A 192.0.2.1\n", MW_EPARSE, "bad TTL '1x'"},
    {"x.example. CH A 192.0.2.1\n", MW_EPARSE, "class CH not supported"},
    {"x.example. 300\n", MW_EPARSE, "record without a type"},
    {"   A 192.0.2.1\n", MW_EPARSE, "t:1: record without owner name"},
    {"a..example. A 192.0.2.1\n", MW_EPARSE, "empty label"},
    {".example. A 192.0.2.1\n", MW_EPARSE, "empty label"},
    {"x.example.. A 192.0.2.1\n", MW_EPARSE, "empty label"},
    {". A 192.0.2.1\n", MW_EPARSE, "root name is not allowed"},
    {"@ A 192.0.2.1\n", MW_EPARSE, "root name is not allowed"},
    {"x\\.y.example. A 192.0.2.1\n", MW_EPARSE, "escaped name"},
    {"x.example. CNAME \"target.example.\"\n", MW_EPARSE, "unexpected quoted string"},
    {"$ORIGIN\n", MW_EPARSE, "$ORIGIN needs one argument"},
    {"$TTL 1 2\n", MW_EPARSE, "$TTL needs one argument"},
    {"$TTL forever\n", MW_EPARSE, "bad TTL"},
    {"$INCLUDE /etc/passwd\n", MW_EPARSE, "$INCLUDE is not supported"},
    {"$GENERATE 1-10 x$ A 192.0.2.$\n", MW_EPARSE, "unknown directive"},
    {"x.example. NODATA\n", MW_EPARSE, "NODATA needs 1 data field"},
    {"x.example. NODATA BOGUS\n", MW_EPARSE, "NODATA: unknown type 'BOGUS'"},
    {"x.example. TIMEOUT now\n", MW_EPARSE, "unexpected 'now'"},
    {"x.example. TYPEX 1\n", MW_EPARSE, "unknown record type"},
    {"x.example. A 192.0.2.1\x01\n", MW_EPARSE, "control character 0x01"},
    {"x.example. A 192.0.2.1\n\n\ny.example. \x7f\n", MW_EPARSE, "t:4: control character 0x7f"},
};

/* check_bad - load text and compare code and message */
static void check_bad(const char *text, size_t len, mw_status want, const char *msg)
{
	dns_zone *z = dns_zone_new();
	mw_err err;
	mw_status st = dns_zone_load_text(z, text, len, "t", &err);
	if (st != want || !strstr(err.msg, msg))
		fail_msg("%.60s: got %s '%s' want %s '%s'", text, mw_status_str(st), err.msg,
		         mw_status_str(want), msg);
	dns_zone_free(z);
}

/* Each malformed line gives its defined error, naming the line. */
static void test_zonefile_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(bad_cases[i].text, strlen(bad_cases[i].text), bad_cases[i].want,
		          bad_cases[i].msg);
}

/* repeat - malloc'd string: prefix, unit n times, suffix */
static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
	size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
	char *s = malloc(pl + ul * n + sl + 1);
	assert_non_null(s);
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + pl + i * ul, unit, ul);
	memcpy(s + pl + ul * n, suffix, sl + 1);
	return s;
}

/* Oversized input: long names and labels, 1000-label names, huge TXT and
 * records, NUL bytes, too many tokens. */
static void test_zonefile_limits(void **state)
{
	(void)state;
	char *s;
	/* 1000-label name */
	s = repeat("", "a.", 1000, " A 192.0.2.1\n");
	check_bad(s, strlen(s), MW_EPARSE, "longer than 253 bytes");
	free(s);
	/* 64-byte label, then a 63-byte label that is fine */
	s = repeat("", "a", 64, ".example. A 192.0.2.1\n");
	check_bad(s, strlen(s), MW_EPARSE, "label longer than 63 bytes");
	free(s);
	s = repeat("", "a", 63, ".example. A 192.0.2.1\n");
	dns_zone *z = dns_zone_new();
	mw_err err;
	assert_int_equal(dns_zone_load_text(z, s, strlen(s), "t", &err), MW_OK);
	dns_zone_free(z);
	free(s);
	/* 254-byte name built from the origin (239 + 1 + 14) */
	s = repeat("$ORIGIN ", "abcdefghi.", 24, "\nabcdefghijklmn A 192.0.2.1\n");
	check_bad(s, strlen(s), MW_EPARSE, "longer than 253 bytes");
	free(s);
	/* an MX target of 1000 labels */
	s = repeat("x.example. MX 10 ", "b.", 1000, "\n");
	check_bad(s, strlen(s), MW_EPARSE, "longer than 253 bytes");
	free(s);
	/* one TXT string of 256 bytes */
	s = repeat("x.example. TXT \"", "y", 256, "\"\n");
	check_bad(s, strlen(s), MW_EPARSE, "TXT string of 256 bytes");
	free(s);
	/* a record past MW_ZONE_LINE_MAX raw bytes, in one token and in many */
	s = repeat("x.example. TXT ", "z", MW_ZONE_LINE_MAX + 10, "\n");
	check_bad(s, strlen(s), MW_ETOOBIG, "t:1: record longer than 65536 bytes");
	free(s);
	char *s200 = repeat("\"", "0123456789", 20, "\"\n");
	s = repeat("x.example. TXT ( ", s200, MW_ZONE_LINE_MAX / 200, ")\n");
	check_bad(s, strlen(s), MW_ETOOBIG, "t:1: record longer than");
	free(s);
	free(s200);
	/* too many tokens */
	s = repeat("x.example. TXT ", "a ", MW_ZONE_TOKENS_MAX + 1, "\n");
	check_bad(s, strlen(s), MW_ETOOBIG, "more than 1024 tokens");
	free(s);
	/* NUL bytes: bare, in a quoted string, in an escape of a name */
	check_bad("x.example. A 192.0.2.1\0\n", 24, MW_EPARSE, "t:1: NUL byte");
	check_bad("x.example. TXT \"a\0b\"\n", 21, MW_EPARSE, "NUL byte");
	check_bad("\0", 1, MW_EPARSE, "NUL byte");
	/* an escaped NUL is data in TXT (binary-safe) */
	z = dns_zone_new();
	const char *t = "x.example. TXT \"a\\000b\"\n";
	assert_int_equal(dns_zone_load_text(z, t, strlen(t), "t", &err), MW_OK);
	dns_answer *a = dns_zone_query(z, "x.example", DNS_T_TXT);
	assert_int_equal(a->n, 1);
	assert_int_equal(a->rr[0].txt_len, 3);
	assert_memory_equal(a->rr[0].txt, "a\0b", 3);
	dns_answer_free(a);
	dns_zone_free(z);
	/* a joined TXT near the limit loads: 250 strings of 255 bytes */
	char *str = repeat("\"", "q", 255, "\" ");
	s = repeat("x.example. TXT ( ", str, 250, ")\n");
	z = dns_zone_new();
	mw_status st = dns_zone_load_text(z, s, strlen(s), "t", &err);
	if (st != MW_OK)
		fail_msg("big TXT: %s", err.msg);
	a = dns_zone_query(z, "x.example", DNS_T_TXT);
	assert_int_equal(a->rr[0].txt_len, 250 * 255);
	dns_answer_free(a);
	dns_zone_free(z);
	free(s);
	free(str);
}

/* Files: the label is the path; a missing file is MW_ENOTFOUND. */
static void test_zonefile_file(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-zonefile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "ok.example. A 192.0.2.1\nok.example. MX ten mail\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	dns_zone *z = dns_zone_new();
	mw_err err;
	assert_int_equal(dns_zone_load_file(z, path, &err), MW_EPARSE);
	char want[128];
	snprintf(want, sizeof(want), "%s:2: bad MX preference 'ten'", path);
	assert_string_equal(err.msg, want);
	unlink(path);
	assert_int_equal(dns_zone_load_file(z, path, &err), MW_ENOTFOUND);
	assert_non_null(strstr(err.msg, path));
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zonefile_ok),
	    cmocka_unit_test(test_zonefile_bad),
	    cmocka_unit_test(test_zonefile_limits),
	    cmocka_unit_test(test_zonefile_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
