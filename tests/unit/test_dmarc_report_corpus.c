/*
 * test_dmarc_report_corpus.c - report/aggregate.h against the original report
 * samples in ../shared/testdata (skipped, exit 77, when absent):
 *   dmarc-reports-parsedmarc: every aggregate/ file parses (lenient for the
 *     invalid ones), empty.xml fails, upper-cased results are lower-cased,
 *     extract_report/nice-input.xml{,.gz,.zip} give the same report and
 *     changed-input.xml a different one, rfc9990-sample.xml fields;
 *   dmarc-reports-mail-auth: NNN.xml / NNN.eml against NNN.json, field by field.
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
#include "testutil.h"

#define PD "dmarc-reports-parsedmarc"
#define MA "dmarc-reports-mail-auth"

/* parse_file - parse a testdata file; returns status, *r set on success */
static mw_status parse_file(const char *rel, mw_dr_report **r, mw_err *e)
{
	size_t n;
	char *d = read_file_or_die(testdata_path(rel), &n);
	mw_err_clear(e);
	mw_status st = mw_dr_parse(d, n, r, e);
	free(d);
	return st;
}

/* Every file in aggregate/ parses as an aggregate report with records. */
static void test_parsedmarc_aggregate_all(void **state)
{
	(void)state;
	DIR *dir = opendir(testdata_path(PD "/aggregate"));
	assert_non_null(dir);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char rel[512];
		snprintf(rel, sizeof(rel), PD "/aggregate/%s", de->d_name);
		mw_dr_report *r = NULL;
		mw_err e;
		mw_status st = parse_file(rel, &r, &e);
		if (st != MW_OK)
			fail_msg("%s: %s", de->d_name, e.msg);
		assert_non_null(r->report_id);
		assert_non_null(r->domain);
		assert_true(r->n_records >= 1);
		assert_true(r->messages >= 1);
		mw_dr_free(r);
		files++;
	}
	closedir(dir);
	assert_int_equal(files, 13);
}

/* Known values of a few parsedmarc samples (counted from the files). */
static void test_parsedmarc_values(void **state)
{
	(void)state;
	static const struct {
		const char *rel, *org, *id, *domain, *p, *ip0, *disp0, *dkim0, *spf0;
		size_t records;
		uint64_t messages;
	} cases[] = {
		{PD "/aggregate/!large-example.com!1711897200!1711983600.xml", NULL,
		 "example.com:1711897200", "example.com", "none", "12.20.121.1", "none", "fail",
		 "fail", 2286, 2286},
		{PD "/aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
		 "FastMail Pty Ltd", "102675056", "indemed.com", "none", "104.195.80.20", "none",
		 "fail", "fail", 1, 1},
		{PD "/aggregate/twilight.eml", "google.com", "1627703331531660819", "twlnet.com",
		 "reject", "87.106.127.28", "none", "pass", "pass", 1, 1},
		{PD "/aggregate/invalid_xml.xml", "veeam.com", "sonexushealth.com:1530233361",
		 "example.com", "none", "199.230.200.36", "none", "fail", "fail", 1, 1},
		{PD "/aggregate/old_draft_from_wiki.xml", "acme.com", "9391651994964116463",
		 "example.com", "none", "72.150.241.94", "none", "fail", "pass", 1, 2},
		{PD "/aggregate_invalid/report_with_upper_cased_pass.xml", "example.com",
		 "aggr_report_example.com_20191202_1638", "example.com", "reject",
		 "23.104.41.189", "none", "pass", "pass", 1, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_dr_report *r;
		mw_err e;
		if (parse_file(cases[i].rel, &r, &e) != MW_OK)
			fail_msg("%s: %s", cases[i].rel, e.msg);
		if (cases[i].org)
			assert_string_equal(r->org_name, cases[i].org);
		else
			assert_null(r->org_name);
		assert_string_equal(r->report_id, cases[i].id);
		assert_string_equal(r->domain, cases[i].domain);
		assert_string_equal(r->p, cases[i].p);
		assert_int_equal(r->n_records, cases[i].records);
		assert_int_equal(r->messages, cases[i].messages);
		assert_string_equal(r->records[0].source_ip, cases[i].ip0);
		assert_string_equal(r->records[0].disposition, cases[i].disp0);
		assert_string_equal(r->records[0].dkim, cases[i].dkim0);
		assert_string_equal(r->records[0].spf, cases[i].spf0);
		mw_dr_free(r);
	}
}

/* Upper-cased results in the file come out lower-cased. */
static void test_parsedmarc_upper_cased(void **state)
{
	(void)state;
	size_t n;
	char *d = read_file_or_die(testdata_path(PD "/aggregate_invalid/report_with_upper_cased_pass.xml"), &n);
	assert_non_null(strstr(d, "<dkim>Pass</dkim>")); /* the file really has capitals */
	free(d);
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse_file(PD "/aggregate_invalid/report_with_upper_cased_pass.xml", &r, &e), MW_OK);
	const mw_dr_record *rec = &r->records[0];
	assert_string_equal(rec->dkim, "pass");
	assert_string_equal(rec->spf, "pass");
	assert_string_equal(rec->disposition, "none");
	for (size_t i = 0; i < rec->n_dkim; i++)
		for (const char *p = rec->dkim_res[i].result; p && *p; p++)
			assert_false(isupper((unsigned char)*p));
	mw_dr_free(r);
}

/* empty.xml is an error. */
static void test_parsedmarc_empty(void **state)
{
	(void)state;
	mw_dr_report *r = (mw_dr_report *)1;
	mw_err e;
	assert_int_equal(parse_file(PD "/empty.xml", &r, &e), MW_EPARSE);
	assert_null(r);
	assert_non_null(strstr(e.msg, "empty"));
}

/* fingerprint - a string that changes with any parsed field of the records */
static char *fingerprint(const mw_dr_report *r)
{
	size_t cap = 1 << 20, n = 0;
	char *s = malloc(cap);
	n += (size_t)snprintf(s + n, cap - n, "%s|%s|%s|%lld|%lld|%s|%s|", r->org_name, r->report_id,
			      r->domain, (long long)r->begin, (long long)r->end, r->p, r->email);
	for (size_t i = 0; i < r->n_records && n < cap - 512; i++) {
		const mw_dr_record *x = &r->records[i];
		n += (size_t)snprintf(s + n, cap - n, "%s,%llu,%s,%s,%s,%s,%zu,%zu;", x->source_ip,
				      (unsigned long long)x->count, x->disposition, x->dkim, x->spf,
				      x->header_from, x->n_dkim, x->n_spf);
	}
	return s;
}

/* nice-input.xml, .gz and .zip are the same report; changed-input.xml differs. */
static void test_parsedmarc_extract(void **state)
{
	(void)state;
	static const char *const rel[] = {PD "/extract_report/nice-input.xml",
					  PD "/extract_report/nice-input.xml.gz",
					  PD "/extract_report/nice-input.xml.zip",
					  PD "/extract_report/changed-input.xml"};
	char *fp[4];
	for (int i = 0; i < 4; i++) {
		mw_dr_report *r;
		mw_err e;
		if (parse_file(rel[i], &r, &e) != MW_OK)
			fail_msg("%s: %s", rel[i], e.msg);
		assert_int_equal(r->n_records, 20);
		fp[i] = fingerprint(r);
		mw_dr_free(r);
	}
	assert_string_equal(fp[0], fp[1]);
	assert_string_equal(fp[0], fp[2]);
	assert_string_not_equal(fp[0], fp[3]);
	for (int i = 0; i < 4; i++)
		free(fp[i]);
}

/* rfc9990-sample.xml: the values SOURCES.md names. */
static void test_parsedmarc_rfc9990(void **state)
{
	(void)state;
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse_file(PD "/aggregate/rfc9990-sample.xml", &r, &e), MW_OK);
	assert_string_equal(r->org_name, "Sample Reporter");
	assert_string_equal(r->report_id, "3v98abbp8ya9n3va8yr8oa3ya");
	assert_string_equal(r->domain, "example.com");
	assert_string_equal(r->p, "quarantine");
	assert_string_equal(r->sp, "none");
	assert_string_equal(r->np, "none");
	assert_string_equal(r->testing, "n");
	assert_int_equal(r->pct, -1);
	mw_dr_free(r);
}

/* enum_eq - mail-auth's capitalised enum vs our lower-cased wire value */
static void enum_eq(const char *file, const char *what, json_t *j, const char *ours)
{
	const char *want = json_string_value(j);
	if (!want || strcmp(want, "Unspecified") == 0) {
		if (ours)
			fail_msg("%s %s: got %s want unspecified", file, what, ours);
		return;
	}
	const char *norm = ours;
	if (ours && strcmp(ours, "r") == 0)
		norm = "relaxed";
	else if (ours && strcmp(ours, "s") == 0)
		norm = "strict";
	else if (ours && strcmp(ours, "mfrom") == 0)
		norm = "mailfrom";
	if (!norm || strcasecmp(norm, want) != 0)
		fail_msg("%s %s: got %s want %s", file, what, ours ? ours : "(null)", want);
}

/* str_eq - optional string field */
static void str_eq(const char *file, const char *what, json_t *j, const char *ours)
{
	const char *want = json_string_value(j);
	if (want && !*want)
		want = NULL; /* an empty element is absent (NULL) for us */
	if (!want && !ours)
		return;
	if (!want || !ours || strcmp(want, ours) != 0)
		fail_msg("%s %s: got %s want %s", file, what, ours ? ours : "(null)",
			 want ? want : "(null)");
}

/* check_auth - auth_results list */
static void check_auth(const char *f, json_t *arr, const mw_dr_auth *a, size_t n, bool dkim)
{
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		str_eq(f, "auth domain", json_object_get(o, "domain"), a[i].domain);
		enum_eq(f, "auth result", json_object_get(o, "result"), a[i].result);
		str_eq(f, "human_result", json_object_get(o, "human_result"), a[i].human_result);
		if (dkim)
			str_eq(f, "selector", json_object_get(o, "selector"), a[i].selector);
		else
			enum_eq(f, "scope", json_object_get(o, "scope"), a[i].scope);
	}
}

/* check_record - one record against mail-auth's JSON */
static void check_record(const char *f, json_t *jr, const mw_dr_record *r)
{
	json_t *row = json_object_get(jr, "row"), *pe = json_object_get(row, "policy_evaluated");
	str_eq(f, "source_ip", json_object_get(row, "source_ip"), r->source_ip);
	assert_int_equal(json_integer_value(json_object_get(row, "count")), r->count);
	enum_eq(f, "disposition", json_object_get(pe, "disposition"), r->disposition);
	enum_eq(f, "pe dkim", json_object_get(pe, "dkim"), r->dkim);
	enum_eq(f, "pe spf", json_object_get(pe, "spf"), r->spf);
	json_t *reasons = json_object_get(pe, "reason");
	assert_int_equal(json_array_size(reasons), r->n_reasons);
	for (size_t i = 0; i < r->n_reasons; i++) {
		json_t *o = json_array_get(reasons, i);
		/* RFC 7489's sampled_out (dropped by RFC 9990) is "Other" to mail-auth;
		 * we keep the word the report used. */
		const char *t = r->reasons[i].type;
		enum_eq(f, "reason", json_object_get(o, "type_"),
			t && strcmp(t, "sampled_out") == 0 ? "other" : t);
		str_eq(f, "comment", json_object_get(o, "comment"), r->reasons[i].comment);
	}
	json_t *id = json_object_get(jr, "identifiers");
	str_eq(f, "envelope_to", json_object_get(id, "envelope_to"), r->envelope_to);
	str_eq(f, "envelope_from", json_object_get(id, "envelope_from"), r->envelope_from);
	str_eq(f, "header_from", json_object_get(id, "header_from"), r->header_from);
	json_t *ar = json_object_get(jr, "auth_results");
	check_auth(f, json_object_get(ar, "dkim"), r->dkim_res, r->n_dkim, true);
	check_auth(f, json_object_get(ar, "spf"), r->spf_res, r->n_spf, false);
}

/* check_mailauth - report fields against NNN.json */
static void check_mailauth(const char *f, json_t *j, const mw_dr_report *r)
{
	json_t *m = json_object_get(j, "report_metadata"), *p = json_object_get(j, "policy_published");
	str_eq(f, "org_name", json_object_get(m, "org_name"), r->org_name);
	str_eq(f, "email", json_object_get(m, "email"), r->email);
	str_eq(f, "extra_contact_info", json_object_get(m, "extra_contact_info"),
	       r->extra_contact_info);
	str_eq(f, "report_id", json_object_get(m, "report_id"), r->report_id);
	json_t *dr = json_object_get(m, "date_range");
	assert_int_equal(json_integer_value(json_object_get(dr, "begin")), r->begin);
	assert_int_equal(json_integer_value(json_object_get(dr, "end")), r->end);
	str_eq(f, "domain", json_object_get(p, "domain"), r->domain);
	enum_eq(f, "adkim", json_object_get(p, "adkim"), r->adkim);
	enum_eq(f, "aspf", json_object_get(p, "aspf"), r->aspf);
	enum_eq(f, "p", json_object_get(p, "p"), r->p);
	enum_eq(f, "sp", json_object_get(p, "sp"), r->sp);
	if (json_object_get(p, "np"))
		enum_eq(f, "np", json_object_get(p, "np"), r->np);
	if (json_object_get(p, "discovery_method"))
		enum_eq(f, "discovery_method", json_object_get(p, "discovery_method"),
			r->discovery_method);
	bool testing = r->testing && strcmp(r->testing, "y") == 0;
	assert_int_equal(json_is_true(json_object_get(p, "testing")), testing);
	json_t *recs = json_object_get(j, "record");
	assert_int_equal(json_array_size(recs), r->n_records);
	for (size_t i = 0; i < r->n_records; i++)
		check_record(f, json_array_get(recs, i), &r->records[i]);
}

/* Every mail-auth case matches its expected JSON field by field. */
static void test_mailauth_cases(void **state)
{
	(void)state;
	static const char *const cases[] = {"001.xml", "002.xml", "004.xml", "005.xml",
					    "101.eml", "102.eml", "104.eml"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[256], jrel[256];
		snprintf(rel, sizeof(rel), MA "/%s", cases[i]);
		snprintf(jrel, sizeof(jrel), MA "/%.3s.json", cases[i]);
		json_error_t je;
		json_t *j = json_load_file(testdata_path(jrel), 0, &je);
		if (!j)
			fail_msg("%s: %s", jrel, je.text);
		mw_dr_report *r;
		mw_err e;
		if (parse_file(rel, &r, &e) != MW_OK)
			fail_msg("%s: %s", rel, e.msg);
		check_mailauth(cases[i], j, r);
		mw_dr_free(r);
		json_decref(j);
	}
}

int main(void)
{
	testdata_or_skip(PD "/MANIFEST.json");
	testdata_or_skip(MA "/004.json");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsedmarc_aggregate_all),
		cmocka_unit_test(test_parsedmarc_values),
		cmocka_unit_test(test_parsedmarc_upper_cased),
		cmocka_unit_test(test_parsedmarc_empty),
		cmocka_unit_test(test_parsedmarc_extract),
		cmocka_unit_test(test_parsedmarc_rfc9990),
		cmocka_unit_test(test_mailauth_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
