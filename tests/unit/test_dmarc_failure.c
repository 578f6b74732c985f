/*
 * test_dmarc_failure.c - report/failure.h on built-in inputs: the
 * message/feedback-report field parser (table: good and malformed blocks),
 * whole report e-mails (ARF, base64 part, Exim text, not-a-report), and the
 * size limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "report/failure.h"

/* Field blocks: status, then a few fields of the result. */
static void test_fields_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		mw_status want;
		const char *type, *ip, *af, *mta, *authres0;
		size_t n_uri;
		uint32_t incidents;
		int64_t arrival;
	} cases[] = {
		/* good */
		{"Feedback-Type: auth-failure\nVersion: 1\nSource-IP: 192.0.2.7\n", MW_OK,
		 "auth-failure", "192.0.2.7", NULL, NULL, NULL, 0, 1, -1},
		{"feedback-type: AUTH-Failure\r\nAuth-Failure: DMARC\r\n", MW_OK, "auth-failure", NULL,
		 "dmarc", NULL, NULL, 0, 1, -1},
		{"\n\nFeedback-Type: abuse\nReported-URI: a\nReported-URI: b\nIncidents: 7\n", MW_OK,
		 "abuse", NULL, NULL, NULL, NULL, 2, 7, -1},
		{"Feedback-Type: abuse\nSource-IP: [2001:db8::1]\nReporting-MTA: dns; mx.example\n",
		 MW_OK, "abuse", "2001:db8::1", NULL, "mx.example", NULL, 0, 1, -1},
		{"Feedback-Type: auth-failure\nAuthentication-Results: a;\n  spf=fail\n", MW_OK,
		 "auth-failure", NULL, NULL, NULL, "a;\n  spf=fail", 0, 1, -1},
		{"Feedback-Type: abuse\nArrival-Date: Thu, 1 Jan 2015 00:00:00 +0000\n", MW_OK, "abuse",
		 NULL, NULL, NULL, NULL, 0, 1, 1420070400},
		{"Feedback-Type: abuse\nSource-IP: 192.0.2.1 (x.example)\nSource-IP: 192.0.2.2\n",
		 MW_OK, "abuse", "192.0.2.1", NULL, NULL, NULL, 0, 1, -1},
		{"Feedback-Type: abuse\nIncidents: zero\nArrival-Date: yesterday\nX-Other: 1\n", MW_OK,
		 "abuse", NULL, NULL, NULL, NULL, 0, 1, -1},
		{"Feedback-Type: abuse\n\nSource-IP: 192.0.2.9\n", MW_OK, "abuse", NULL, NULL, NULL,
		 NULL, 0, 1, -1},
		/* malformed */
		{"", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{"Version: 1\nSource-IP: 192.0.2.1\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{"Feedback-Type abuse\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{" Feedback-Type: abuse\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{"Feedback Type: abuse\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{": abuse\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{"Feedback-Type: abuse\nthis is text\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1,
		 -1},
		{"Feedback-Type: abuse\nVers\xc3\xa9ion: 1\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0,
		 1, -1},
		{"<feedback><x/></feedback>\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
		{"\r\n\r\n", MW_EPARSE, NULL, NULL, NULL, NULL, NULL, 0, 1, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_arf_report *r = mw_arf_new();
		mw_err e;
		mw_status got = mw_arf_parse_fields(r, cases[i].in, strlen(cases[i].in), &e);
		if (got != cases[i].want)
			fail_msg("case %zu: got %s (%s), want %s", i, mw_status_str(got),
				 got ? e.msg : "", mw_status_str(cases[i].want));
		if (got == MW_OK) {
			assert_string_equal(r->feedback_type, cases[i].type);
			if (cases[i].ip)
				assert_string_equal(r->source_ip, cases[i].ip);
			else
				assert_null(r->source_ip);
			if (cases[i].af)
				assert_string_equal(r->auth_failure, cases[i].af);
			else
				assert_null(r->auth_failure);
			if (cases[i].mta)
				assert_string_equal(r->reporting_mta, cases[i].mta);
			if (cases[i].authres0)
				assert_string_equal(r->authentication_results.v[0], cases[i].authres0);
			assert_int_equal(r->reported_uri.n, cases[i].n_uri);
			assert_int_equal(r->incidents, cases[i].incidents);
			assert_int_equal(r->arrival, cases[i].arrival);
		}
		mw_arf_free(r);
	}
}

/* Limits: a value, a field count, a repeated list, the part size. */
static void test_fields_limits(void **state)
{
	(void)state;
	size_t big = MW_ARF_VALUE_MAX + 100;
	char *s = malloc(big + 64);
	assert_non_null(s);
	int k = sprintf(s, "Feedback-Type: abuse\nUser-Agent: ");
	memset(s + k, 'a', big);
	s[k + big] = '\n';
	mw_arf_report *r = mw_arf_new();
	mw_err e;
	assert_int_equal(mw_arf_parse_fields(r, s, (size_t)k + big + 1, &e), MW_ETOOBIG);
	mw_arf_free(r);
	free(s);

	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	mw_buf_puts(&b, "Feedback-Type: abuse\n");
	for (int i = 0; i < MW_ARF_FIELDS_MAX + 1; i++)
		mw_buf_printf(&b, "X-F%d: v\n", i);
	r = mw_arf_new();
	assert_int_equal(mw_arf_parse_fields(r, b.data, b.len, &e), MW_ETOOBIG);
	assert_non_null(strstr(e.msg, "fields"));
	mw_arf_free(r);

	mw_buf_reset(&b);
	mw_buf_puts(&b, "Feedback-Type: abuse\n");
	for (int i = 0; i < MW_ARF_LIST_MAX + 5; i++)
		mw_buf_printf(&b, "Reported-URI: http://x/%d\n", i);
	r = mw_arf_new();
	assert_int_equal(mw_arf_parse_fields(r, b.data, b.len, &e), MW_OK);
	assert_int_equal(r->reported_uri.n, MW_ARF_LIST_MAX);
	assert_int_equal(r->n_dropped, 5);
	mw_arf_free(r);
	mw_buf_free(&b);

	r = mw_arf_new();
	assert_int_equal(mw_arf_parse_fields(r, "x", MW_ARF_PART_MAX + 1, &e), MW_ETOOBIG);
	mw_arf_free(r);
}

#define HDR "From: rep@receiver.example\nTo: dmarc@sender.example\nSubject: report\n" \
	    "MIME-Version: 1.0\n"
#define MP "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n"

/* Whole messages: status, arf flag, source IP, subject of the original. */
static void test_messages_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		mw_status want;
		bool arf;
		const char *ip, *subject;
	} cases[] = {
		{HDR MP "--b\nContent-Type: text/plain\n\nhello\n--b\n"
			"Content-Type: message/feedback-report\n\nFeedback-Type: auth-failure\n"
			"Source-IP: 192.0.2.3\n\n--b\nContent-Type: text/rfc822-headers\n\n"
			"From: a@sender.example\nSubject: =?UTF-8?Q?caf=C3=A9?=\n\n--b--\n",
		 MW_OK, true, "192.0.2.3", "caf\xc3\xa9"},
		{HDR MP "--b\nContent-Type: message/feedback-report\nContent-Transfer-Encoding: base64\n\n"
			"RmVlZGJhY2stVHlwZTogYXV0aC1mYWlsdXJlClNvdXJjZS1JUDogMTkyLjAuMi40Cg==\n--b--\n",
		 MW_OK, true, "192.0.2.4", NULL},
		{HDR MP "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n\n"
			"--b\nContent-Type: message/rfc822\n\nSubject: hi\nFrom: x@y.example\n\nbody\n--b--\n",
		 MW_OK, true, NULL, "hi"},
		{HDR MP "--b\nContent-Type: text/plain\n\n  Sender Domain: sender.example\n"
			"  Sender IP Address: 198.51.100.9\n  SPF Alignment: yes\n  DKIM Alignment: no\n\n"
			"------ This is a copy of the headers that were received\n\nSubject: s\n"
			"Authentication-Results: mx; spf=pass\n\n--b--\n",
		 MW_OK, false, "198.51.100.9", "s"},
		/* not failure reports / malformed */
		{HDR "Content-Type: text/plain\n\nJust a message.\n", MW_ENOTFOUND, false, NULL, NULL},
		{HDR MP "--b\nContent-Type: text/plain\n\nSender Domain: x.example\n--b--\n",
		 MW_ENOTFOUND, false, NULL, NULL},
		{HDR MP "--b\nContent-Type: message/feedback-report\n\nVersion: 1\n--b--\n", MW_EPARSE,
		 false, NULL, NULL},
		{HDR MP "--b\nContent-Type: message/feedback-report\n\n--b--\n", MW_EPARSE, false, NULL,
		 NULL},
		{HDR MP "--b\nContent-Type: message/feedback-report\n\nFeedback-Type abuse\n--b--\n",
		 MW_EPARSE, false, NULL, NULL},
		{"", MW_ENOTFOUND, false, NULL, NULL},
		{"\x1f\x8b\x08\x00garbage", MW_ENOTFOUND, false, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_arf_report *r = NULL;
		mw_err e;
		mw_status got = mw_arf_parse(cases[i].in, strlen(cases[i].in), &r, &e);
		if (got != cases[i].want)
			fail_msg("case %zu: got %s (%s), want %s", i, mw_status_str(got),
				 got ? e.msg : "", mw_status_str(cases[i].want));
		if (got != MW_OK) {
			assert_null(r);
			continue;
		}
		assert_int_equal(r->arf, cases[i].arf);
		if (cases[i].ip)
			assert_string_equal(r->source_ip, cases[i].ip);
		else
			assert_null(r->source_ip);
		if (cases[i].subject)
			assert_string_equal(r->subject, cases[i].subject);
		else
			assert_null(r->subject);
		assert_string_equal(r->report_subject, "report");
		mw_arf_free(r);
	}
}

/* The Exim fallback reads alignment and the copied Authentication-Results. */
static void test_exim_fields(void **state)
{
	(void)state;
	const char *in = HDR MP "--b\nContent-Type: text/plain\n\n  Sender Domain: sender.example\n"
				"  Sender IP Address: 198.51.100.9\n  SPF Alignment: yes\n"
				"  DKIM Alignment: yes\n  Received date: Mon, 7 Apr 2025 10:10:06 -0600\n\n"
				"------ This is a copy of the headers that were received\n\nSubject: s\n"
				"Authentication-Results: mx;\n\tspf=pass\n\n--b--\n";
	mw_arf_report *r;
	mw_err e;
	assert_int_equal(mw_arf_parse(in, strlen(in), &r, &e), MW_OK);
	assert_string_equal(r->feedback_type, "auth-failure");
	assert_string_equal(r->auth_failure, "dmarc");
	assert_string_equal(r->identity_alignment, "dkim,spf");
	assert_int_equal(r->reported_domain.n, 1);
	assert_string_equal(r->reported_domain.v[0], "sender.example");
	assert_int_equal(r->authentication_results.n, 1);
	assert_string_equal(r->authentication_results.v[0], "mx;\n\tspf=pass");
	assert_int_equal(r->arrival, 1744042206);
	mw_arf_free(r);
}

/* An input over MW_DR_INPUT_MAX is refused before parsing. */
static void test_input_max(void **state)
{
	(void)state;
	mw_arf_report *r;
	mw_err e;
	assert_int_equal(mw_arf_parse("x", (size_t)MW_DR_INPUT_MAX + 1, &r, &e), MW_ETOOBIG);
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_table),
		cmocka_unit_test(test_fields_limits),
		cmocka_unit_test(test_messages_table),
		cmocka_unit_test(test_exim_fields),
		cmocka_unit_test(test_input_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
