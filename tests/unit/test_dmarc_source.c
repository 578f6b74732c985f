/*
 * test_dmarc_source.c - report/drsource.h: the provider suffix table (names
 * that must and must not match), reverse DNS + FCrDNS + SPF-include
 * inference against an offline zone (including a timeout, SERVFAIL, no PTR,
 * a PTR that does not resolve back, IPv6, a bad address), and the advice
 * sentences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/zone.h"
#include "report/drsource.h"

/* Suffixes match whole labels, case-insensitively, with or without the root dot. */
static void test_provider_table(void **state)
{
	(void)state;
	static const struct {
		const char *name, *want;
	} cases[] = {
		{"_spf.google.com", "Google"},
		{"mail-ej1-f41.google.com", "Google"},
		{"GOOGLE.COM.", "Google"},
		{"google.com", "Google"},
		{"spf.protection.outlook.com", "Microsoft 365"},
		{"mail-db8eur05on2041.outbound.protection.outlook.com", "Microsoft 365"},
		{"a8-30.smtp-out.amazonses.com", "Amazon SES"},
		{"o1.ptr2263.sendgrid.net", "SendGrid"},
		{"mail173.atl21.mcsv.net", "Mailchimp"},
		{"servers.mcsv.net", "Mailchimp"},
		{"mailgun.org", "Mailgun"},
		{"_spf.salesforce.com", "Salesforce"},
		{"mail.zendesk.com", "Zendesk"},
		{"spf.mtasv.net", "Postmark"},
		/* no match */
		{"notgoogle.com", NULL},
		{"google.com.evil.example", NULL},
		{"google.co", NULL},
		{"sendgrid.net.example", NULL},
		{"com", NULL},
		{"", NULL},
		{".", NULL},
		{"mail.example.com", NULL},
		{NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = mw_provider_by_name(cases[i].name);
		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got && strcmp(got, cases[i].want) != 0))
			fail_msg("%s: got %s, want %s", cases[i].name ? cases[i].name : "(null)",
				 got ? got : "(null)", cases[i].want ? cases[i].want : "(null)");
	}
}

static const char zone[] =
	"$ORIGIN example.com.\n"
	"@ TXT \"v=spf1 include:_spf.google.com include:sendgrid.net ip4:192.0.2.200 -all\"\n"
	"$ORIGIN google.com.\n"
	"_spf TXT \"v=spf1 ip4:192.0.2.0/25 ~all\"\n"
	"mail-a A 192.0.2.1\n"
	"$ORIGIN sendgrid.net.\n"
	"@ TXT \"v=spf1 ip4:198.51.100.0/28 -all\"\n"
	"o1.ptr1 A 198.51.100.99\n"
	"$ORIGIN amazonses.com.\n"
	"a1.smtp-out AAAA 2001:db8::5\n"
	"$ORIGIN example.net.\n"
	"mx A 192.0.2.200\n"
	"slow.example.org. TIMEOUT\n"
	"$ORIGIN in-addr.arpa.\n"
	"1.2.0.192 PTR mail-a.google.com.\n"
	"200.2.0.192 PTR mx.example.net.\n"
	"7.100.51.198 PTR o1.ptr1.sendgrid.net.\n"
	"10.113.0.203 TIMEOUT\n"
	"11.113.0.203 SERVFAIL\n"
	"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR "
	"a1.smtp-out.amazonses.com.\n";

/* Reverse DNS and provider for each kind of source. */
static void test_eval_zone(void **state)
{
	(void)state;
	dns_zone *z = dns_zone_new();
	mw_err e;
	if (dns_zone_load_text(z, zone, strlen(zone), "test", &e) != MW_OK)
		fail_msg("zone: %s", e.msg);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *c = dns_cache_new();
	static const struct {
		const char *ip, *domain;
		mw_status st;
		const char *rdns, *ptr;
		bool fcrdns;
		const char *spf, *provider, *via;
	} cases[] = {
		{"192.0.2.1", "example.com", MW_OK, "ok", "mail-a.google.com", true, "pass", "Google",
		 "spf include:_spf.google.com"},
		{"198.51.100.7", "example.com", MW_OK, "not-confirmed", "o1.ptr1.sendgrid.net", false,
		 "pass", "SendGrid", "spf include:sendgrid.net"},
		{"198.51.100.7", "other.example", MW_OK, "not-confirmed", "o1.ptr1.sendgrid.net", false,
		 "none", "SendGrid", "ptr o1.ptr1.sendgrid.net (not forward-confirmed)"},
		{"198.51.100.7", NULL, MW_OK, "not-confirmed", "o1.ptr1.sendgrid.net", false, NULL,
		 "SendGrid", "ptr o1.ptr1.sendgrid.net (not forward-confirmed)"},
		{"192.0.2.200", "example.com", MW_OK, "ok", "mx.example.net", true, "pass", NULL, ""},
		{"203.0.113.9", "example.com", MW_OK, "none", "", false, "fail", NULL, ""},
		{"203.0.113.10", "example.com", MW_OK, "temperror", "", false, "fail", NULL, ""},
		{"203.0.113.11", "example.com", MW_OK, "temperror", "", false, "fail", NULL, ""},
		{"2001:db8::5", NULL, MW_OK, "ok", "a1.smtp-out.amazonses.com", true, NULL,
		 "Amazon SES", "ptr a1.smtp-out.amazonses.com"},
		{"192.0.2.1", "slow.example.org", MW_OK, "ok", "mail-a.google.com", true, "temperror",
		 "Google", "ptr mail-a.google.com"},
		{"not-an-ip", "example.com", MW_EINVAL, "invalid", "", false, NULL, NULL, ""},
		{"", NULL, MW_EINVAL, "invalid", "", false, NULL, NULL, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_drsrc s;
		mw_status st = mw_drsrc_run(r, c, cases[i].ip, cases[i].domain, &s, &e);
		if (st != cases[i].st)
			fail_msg("case %zu: status %s, want %s", i, mw_status_str(st),
				 mw_status_str(cases[i].st));
		if (strcmp(s.rdns, cases[i].rdns) != 0 || strcmp(s.ptr, cases[i].ptr) != 0 ||
		    s.fcrdns != cases[i].fcrdns)
			fail_msg("case %zu: rdns %s ptr \"%s\" fcrdns %d, want %s \"%s\" %d", i, s.rdns,
				 s.ptr, s.fcrdns, cases[i].rdns, cases[i].ptr, cases[i].fcrdns);
		if ((s.spf == NULL) != (cases[i].spf == NULL) ||
		    (s.spf && strcmp(s.spf, cases[i].spf) != 0))
			fail_msg("case %zu: spf %s, want %s", i, s.spf ? s.spf : "(null)",
				 cases[i].spf ? cases[i].spf : "(null)");
		if ((s.provider == NULL) != (cases[i].provider == NULL) ||
		    (s.provider && strcmp(s.provider, cases[i].provider) != 0) ||
		    strcmp(s.via, cases[i].via) != 0)
			fail_msg("case %zu: provider %s via \"%s\", want %s \"%s\"", i,
				 s.provider ? s.provider : "(null)", s.via,
				 cases[i].provider ? cases[i].provider : "(null)", cases[i].via);
	}
	dns_cache_free(c);
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* Advice: a known provider not aligned, unauthorised, aligned through SPF only. */
static void test_advice(void **state)
{
	(void)state;
	mw_drs_source s = {.ip = "198.51.100.7", .header_from = "example.com",
			   .auth_domain = "sendgrid.net", .messages = 10, .cls = MW_DRS_NOT_ALIGNED};
	mw_drsrc info = {.provider = "SendGrid", .via = "spf include:sendgrid.net"};
	char buf[600];
	assert_true(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "SendGrid"));
	assert_non_null(strstr(buf, "d=example.com"));
	s.cls = MW_DRS_UNAUTH;
	assert_true(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "someone else's account"));
	s.cls = MW_DRS_ALIGNED;
	s.dkim_aligned = 4;
	assert_true(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "SPF only"));
	s.dkim_aligned = 10;
	assert_false(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	s.cls = MW_DRS_FORWARDER;
	assert_false(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	info.provider = NULL;
	s.cls = MW_DRS_UNAUTH;
	assert_false(mw_drsrc_advice(&s, &info, buf, sizeof(buf)));
	assert_false(mw_drsrc_advice(&s, NULL, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_table),
		cmocka_unit_test(test_eval_zone),
		cmocka_unit_test(test_advice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
