/*
 * test_dmarc_failure_corpus.c - report/failure.h against the original
 * samples in ../shared/testdata (skipped, exit 77, when absent):
 *   arf-mail-auth: NNN.eml against NNN.json (mail-auth's expected parse),
 *     field by field;
 *   dmarc-reports-parsedmarc/failure: every .eml is a failure report;
 *     exim_plain_text_only_no_arf_part.eml has no ARF part yet is an
 *     auth-failure report from 203.0.113.68 with authentication results;
 *     values of the two ARF samples counted from the files.
 * Documented difference: mail-auth's "message" is null for the
 * message/rfc822 parts of 001/002; we keep the returned message (checked
 * here to start with its first header instead).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/aggregate.h"
#include "report/failure.h"
#include "testutil.h"

#define ARF "arf-mail-auth"
#define PDF "dmarc-reports-parsedmarc/failure"

/* parse_file - parse a testdata file as a failure report */
static mw_status parse_file(const char *rel, mw_arf_report **r, mw_err *e)
{
	size_t n;
	char *d = read_file_or_die(testdata_path(rel), &n);
	mw_err_clear(e);
	mw_status st = mw_arf_parse(d, n, r, e);
	free(d);
	return st;
}

/* squash - lower-case letters and digits only: "AuthFailure" == "auth-failure" */
static void squash(const char *s, char *out, size_t max)
{
	size_t k = 0;
	for (; s && *s && k + 1 < max; s++)
		if (isalnum((unsigned char)*s))
			out[k++] = (char)tolower((unsigned char)*s);
	out[k] = '\0';
}

/* str_eq - JSON string or null against a C string or NULL */
static void str_eq(const char *f, const char *field, json_t *want, const char *got)
{
	if (!want || json_is_null(want)) {
		if (got)
			fail_msg("%s %s: got \"%s\", want null", f, field, got);
		return;
	}
	if (!got || strcmp(json_string_value(want), got) != 0)
		fail_msg("%s %s: got \"%s\", want \"%s\"", f, field, got ? got : "(null)",
			 json_string_value(want));
}

/* enum_eq - mail-auth enum ("Unspecified" = absent) against our lower-case word */
static void enum_eq(const char *f, const char *field, json_t *want, const char *got)
{
	char w[64], g[64];
	const char *ws = json_string_value(want);
	if (!ws || strcmp(ws, "Unspecified") == 0) {
		if (got)
			fail_msg("%s %s: got \"%s\", want unspecified", f, field, got);
		return;
	}
	squash(ws, w, sizeof(w));
	squash(got, g, sizeof(g));
	if (strcmp(w, g) != 0)
		fail_msg("%s %s: got \"%s\", want %s", f, field, got ? got : "(null)", ws);
}

/* list_eq - JSON array of strings against a list */
static void list_eq(const char *f, const char *field, json_t *want, const mw_arf_list *got)
{
	if (json_array_size(want) != got->n)
		fail_msg("%s %s: got %zu values, want %zu", f, field, got->n, json_array_size(want));
	for (size_t i = 0; i < got->n; i++)
		str_eq(f, field, json_array_get(want, i), got->v[i]);
}

/* check_case - one mail-auth case */
static void check_case(const char *f, json_t *j, const mw_arf_report *r)
{
	assert_true(r->arf);
	enum_eq(f, "feedback_type", json_object_get(j, "feedback_type"), r->feedback_type);
	json_t *ad = json_object_get(j, "arrival_date");
	assert_int_equal(json_is_null(ad) ? -1 : json_integer_value(ad), r->arrival);
	list_eq(f, "authentication_results", json_object_get(j, "authentication_results"),
		&r->authentication_results);
	assert_int_equal(json_integer_value(json_object_get(j, "incidents")), r->incidents);
	str_eq(f, "original_envelope_id", json_object_get(j, "original_envelope_id"),
	       r->original_envelope_id);
	str_eq(f, "original_mail_from", json_object_get(j, "original_mail_from"),
	       r->original_mail_from);
	str_eq(f, "original_rcpt_to", json_object_get(j, "original_rcpt_to"),
	       r->original_rcpt_to.n ? r->original_rcpt_to.v[0] : NULL);
	list_eq(f, "reported_domain", json_object_get(j, "reported_domain"), &r->reported_domain);
	list_eq(f, "reported_uri", json_object_get(j, "reported_uri"), &r->reported_uri);
	str_eq(f, "reporting_mta", json_object_get(j, "reporting_mta"), r->reporting_mta);
	str_eq(f, "source_ip", json_object_get(j, "source_ip"), r->source_ip);
	str_eq(f, "user_agent", json_object_get(j, "user_agent"), r->user_agent);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), atoi(r->version));
	enum_eq(f, "auth_failure", json_object_get(j, "auth_failure"), r->auth_failure);
	enum_eq(f, "delivery_result", json_object_get(j, "delivery_result"), r->delivery_result);
	enum_eq(f, "identity_alignment", json_object_get(j, "identity_alignment"),
		r->identity_alignment);
	str_eq(f, "dkim_adsp_dns", json_object_get(j, "dkim_adsp_dns"), r->dkim_adsp_dns);
	str_eq(f, "dkim_canonicalized_body", json_object_get(j, "dkim_canonicalized_body"),
	       r->dkim_canonicalized_body);
	str_eq(f, "dkim_canonicalized_header", json_object_get(j, "dkim_canonicalized_header"),
	       r->dkim_canonicalized_header);
	str_eq(f, "dkim_domain", json_object_get(j, "dkim_domain"), r->dkim_domain);
	str_eq(f, "dkim_identity", json_object_get(j, "dkim_identity"), r->dkim_identity);
	str_eq(f, "dkim_selector", json_object_get(j, "dkim_selector"), r->dkim_selector);
	str_eq(f, "dkim_selector_dns", json_object_get(j, "dkim_selector_dns"), r->dkim_selector_dns);
	str_eq(f, "spf_dns", json_object_get(j, "spf_dns"), r->spf_dns);
	str_eq(f, "headers", json_object_get(j, "headers"), r->headers);
}

/* Every arf-mail-auth case matches its JSON field by field. */
static void test_mailauth_arf(void **state)
{
	(void)state;
	static const char *const cases[] = {"001", "002", "004", "005"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[128], jrel[128];
		snprintf(rel, sizeof(rel), ARF "/%s.eml", cases[i]);
		snprintf(jrel, sizeof(jrel), ARF "/%s.json", cases[i]);
		json_error_t je;
		json_t *j = json_load_file(testdata_path(jrel), 0, &je);
		if (!j)
			fail_msg("%s: %s", jrel, je.text);
		mw_arf_report *r;
		mw_err e;
		if (parse_file(rel, &r, &e) != MW_OK)
			fail_msg("%s: %s", rel, e.msg);
		check_case(cases[i], j, r);
		mw_arf_free(r);
		json_decref(j);
	}
}

/* 001/002 carry message/rfc822: kept whole (mail-auth leaves it null). */
static void test_mailauth_message_kept(void **state)
{
	(void)state;
	mw_arf_report *r;
	mw_err e;
	assert_int_equal(parse_file(ARF "/001.eml", &r, &e), MW_OK);
	assert_non_null(r->message);
	assert_null(r->headers);
	assert_string_equal(r->subject, "Earn money");
	assert_string_equal(r->message_id, "8787KJKJ3K4J3K4J3K4J3.mail@example.net");
	assert_non_null(strstr(r->message, "Spam Spam Spam"));
	mw_arf_free(r);
}

/* Every parsedmarc failure/ sample is a failure report, with known values. */
static void test_parsedmarc_failure(void **state)
{
	(void)state;
	static const struct {
		const char *file, *ip, *type, *af, *domain, *subject, *mail_from, *authres0;
		bool arf;
		int64_t arrival;
		size_t n_authres;
	} cases[] = {
		{"DMARC_Failure_Report_for_domain.de_mail-from_sharepoint_domain.de_ip_10.10.10.10_.eml",
		 "10.10.10.10", "auth-failure", "dmarc", "domain.de", "Subject", "sharepoint@domain.de",
		 "dmarc=fail (p=none, dis=none) header.from=domain.de", true, 1538385627, 1},
		{"Netease_DMARC_Failure_Report_Rent_Reminder.eml", "167.89.69.24", "auth-failure", NULL,
		 "cardinal.com", "Rent Reminder",
		 "<bounces+1137616-c1ad-xsj399=163.com@email.entrata.com>",
		 "163.com; dkim=pass (verify result: all signatures verified) header.d=entrata.com; "
		 "spf=pass smtp.mailfrom=bounces+1137616-c1ad-xsj399=163.com@email.entrata.com",
		 true, 1538124522, 1},
		{"exim_plain_text_only_no_arf_part.eml", "203.0.113.68", "auth-failure", "dmarc",
		 "example.com", "Payment from your account.", NULL,
		 "node04.mailgate.example.net;\n\tiprev=fail smtp.remote-ip=203.0.113.68;\n"
		 "\tspf=softfail smtp.mailfrom=example.com;\n\tdmarc=none header.from=example.com",
		 false, 1744060569, 2},
	};
	size_t seen = 0;
	DIR *d = opendir(testdata_path(PDF));
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		seen += strstr(de->d_name, ".eml") != NULL;
	closedir(d);
	assert_int_equal(seen, sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), PDF "/%s", cases[i].file);
		mw_arf_report *r;
		mw_err e;
		if (parse_file(rel, &r, &e) != MW_OK)
			fail_msg("%s: %s", cases[i].file, e.msg);
		assert_int_equal(r->arf, cases[i].arf);
		assert_string_equal(r->source_ip, cases[i].ip);
		assert_string_equal(r->feedback_type, cases[i].type);
		if (cases[i].af)
			assert_string_equal(r->auth_failure, cases[i].af);
		else
			assert_null(r->auth_failure);
		assert_int_equal(r->reported_domain.n, 1);
		assert_string_equal(r->reported_domain.v[0], cases[i].domain);
		assert_string_equal(r->subject, cases[i].subject);
		if (cases[i].mail_from)
			assert_string_equal(r->original_mail_from, cases[i].mail_from);
		assert_int_equal(r->authentication_results.n, cases[i].n_authres);
		assert_string_equal(r->authentication_results.v[0], cases[i].authres0);
		assert_int_equal(r->arrival, cases[i].arrival);
		mw_arf_free(r);
	}
}

/* The Netease report's base64 feedback part: RFC 6591 fields decoded. */
static void test_parsedmarc_netease_fields(void **state)
{
	(void)state;
	mw_arf_report *r;
	mw_err e;
	assert_int_equal(parse_file(PDF "/Netease_DMARC_Failure_Report_Rent_Reminder.eml", &r, &e),
			 MW_OK);
	assert_string_equal(r->user_agent, "NtesDmarcReporter/1.0");
	assert_string_equal(r->delivery_result, "delivered");
	assert_string_equal(r->identity_alignment, "spf,dkim");
	assert_string_equal(r->dkim_domain, "entrata.com");
	assert_string_equal(r->original_envelope_id, "N8CowEApcUPo6q1bnXlMAA--.44392S3");
	assert_string_equal(r->from, "700 on Washington <info@cardinal.com>");
	mw_arf_free(r);
}

/* Aggregate-report e-mails are not failure reports, and the other way round. */
static void test_not_crossed(void **state)
{
	(void)state;
	mw_arf_report *r;
	mw_err e;
	assert_int_equal(parse_file("dmarc-reports-mail-auth/101.eml", &r, &e), MW_ENOTFOUND);
	assert_null(r);
	size_t n;
	char *d = read_file_or_die(testdata_path(ARF "/004.eml"), &n);
	mw_dr_report *ag;
	assert_int_equal(mw_dr_parse(d, n, &ag, &e), MW_ENOTFOUND);
	free(d);
}

int main(void)
{
	testdata_or_skip(ARF "/004.json");
	testdata_or_skip(PDF);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mailauth_arf),
		cmocka_unit_test(test_mailauth_message_kept),
		cmocka_unit_test(test_parsedmarc_failure),
		cmocka_unit_test(test_parsedmarc_netease_fields),
		cmocka_unit_test(test_not_crossed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
