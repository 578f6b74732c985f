/*
 * test_dmarc_store.c - report/drstore.h on built-in reports: import twice
 * gives the same counts (idempotent by org_name + report_id, failure
 * reports by Message-ID); the summary replayed from the database equals the
 * summary of the reports themselves; per-source and per-day queries with
 * --since / --domain filters; PTR / provider rows; a corrupt file, a
 * missing file read-only and a newer schema are clear errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "report/drstore.h"

#define XML(id, org, dom, begin, end, recs)                                                   \
	"<?xml version=\"1.0\"?><feedback><report_metadata><org_name>" org "</org_name>"   \
	"<email>r@" org "</email><report_id>" id "</report_id><date_range><begin>" begin \
	"</begin><end>" end "</end></date_range></report_metadata><policy_published>"     \
	"<domain>" dom "</domain><p>none</p></policy_published>" recs "</feedback>"
#define REC(ip, n, dkim, spf, hf, authd)                                                    \
	"<record><row><source_ip>" ip "</source_ip><count>" n "</count><policy_evaluated>"  \
	"<disposition>none</disposition><dkim>" dkim "</dkim><spf>" spf "</spf>"           \
	"</policy_evaluated></row><identifiers><header_from>" hf "</header_from>"          \
	"</identifiers><auth_results><dkim><domain>" authd "</domain><result>pass</result>" \
	"</dkim><spf><domain>" authd "</domain><result>pass</result></spf></auth_results></record>"

static const char *const reports[] = {
	/* 2024-03-01 */
	XML("r1", "google.com", "example.com", "1709251200", "1709337599",
	    REC("192.0.2.1", "10", "pass", "pass", "example.com", "example.com")
		REC("198.51.100.7", "3", "fail", "fail", "example.com", "sendgrid.net")),
	/* 2024-03-02 */
	XML("r2", "google.com", "example.com", "1709337600", "1709423999",
	    REC("192.0.2.1", "5", "pass", "fail", "example.com", "example.com")),
	/* another reporter, same report_id: a different report */
	XML("r1", "yahoo.com", "example.com", "1709337600", "1709423999",
	    REC("203.0.113.9", "2", "fail", "fail", "example.com", "evil.example")),
	/* another domain */
	XML("x9", "google.com", "other.example", "1709337600", "1709423999",
	    REC("192.0.2.50", "4", "pass", "pass", "other.example", "other.example")),
};

static const char arf[] =
	"From: r@receiver.example\nSubject: FW: x\nMessage-ID: <fr1@receiver.example>\n"
	"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; "
	"boundary=\"b\"\n\n--b\nContent-Type: message/feedback-report\n\n"
	"Feedback-Type: auth-failure\nAuth-Failure: dmarc\nSource-IP: 203.0.113.9\n"
	"Reported-Domain: example.com\nArrival-Date: Sat, 2 Mar 2024 10:00:00 +0000\n\n"
	"--b\nContent-Type: text/rfc822-headers\n\nSubject: pay now\n\n--b--\n";

/* tmpdb - a fresh database path */
static void tmpdb(char *path, size_t n)
{
	snprintf(path, n, "/tmp/mw_test_drstore_%d.db", (int)getpid());
	unlink(path);
}

/* import - every report and the failure report; counts of new / known */
static void import(mw_drstore *db, int *added, int *known)
{
	mw_err e;
	*added = *known = 0;
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		mw_dr_report *r;
		if (mw_dr_parse(reports[i], strlen(reports[i]), &r, &e) != MW_OK)
			fail_msg("report %zu: %s", i, e.msg);
		bool a;
		assert_int_equal(mw_drstore_add_aggregate(db, r, &a, &e), MW_OK);
		(a ? (*added)++ : (*known)++);
		mw_dr_free(r);
	}
	mw_arf_report *f;
	assert_int_equal(mw_arf_parse(arf, strlen(arf), &f, &e), MW_OK);
	bool a;
	assert_int_equal(mw_drstore_add_failure(db, f, &a, &e), MW_OK);
	(a ? (*added)++ : (*known)++);
	mw_arf_free(f);
}

/* Importing twice adds nothing the second time. */
static void test_import_twice(void **state)
{
	(void)state;
	char path[128];
	tmpdb(path, sizeof(path));
	mw_drstore *db;
	mw_err e;
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_OK);
	int added, known;
	uint64_t rep, rec, fail, rep2, rec2, fail2;
	import(db, &added, &known);
	assert_int_equal(added, 5);
	assert_int_equal(known, 0);
	assert_int_equal(mw_drstore_counts(db, &rep, &rec, &fail, &e), MW_OK);
	assert_int_equal(rep, 4);
	assert_int_equal(rec, 5);
	assert_int_equal(fail, 1);
	mw_drstore_close(db);
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_OK);
	import(db, &added, &known);
	assert_int_equal(added, 0);
	assert_int_equal(known, 5);
	assert_int_equal(mw_drstore_counts(db, &rep2, &rec2, &fail2, &e), MW_OK);
	assert_int_equal(rep2, rep);
	assert_int_equal(rec2, rec);
	assert_int_equal(fail2, fail);
	mw_drstore_close(db);
	unlink(path);
}

/* The summary replayed from the database equals the direct one. */
static void test_load_equals_direct(void **state)
{
	(void)state;
	char path[128];
	tmpdb(path, sizeof(path));
	mw_drstore *db;
	mw_err e;
	int added, known;
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_OK);
	import(db, &added, &known);
	mw_drs *direct = mw_drs_new(), *loaded = mw_drs_new();
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		mw_dr_report *r;
		assert_int_equal(mw_dr_parse(reports[i], strlen(reports[i]), &r, &e), MW_OK);
		assert_int_equal(mw_drs_add(direct, r, NULL, &e), MW_OK);
		mw_dr_free(r);
	}
	mw_frs *frs = mw_frs_new();
	assert_int_equal(mw_drstore_load(db, 0, NULL, loaded, frs, &e), MW_OK);
	uint64_t a[4], b[4], ca[MW_DRS_CLASSES], cb[MW_DRS_CLASSES], da[MW_DRS_DISPS], db_[MW_DRS_DISPS];
	mw_drs_totals(direct, &a[0], &a[1], ca, da);
	mw_drs_totals(loaded, &b[0], &b[1], cb, db_);
	assert_int_equal(a[0], b[0]);
	assert_int_equal(a[1], b[1]);
	assert_memory_equal(ca, cb, sizeof(ca));
	assert_memory_equal(da, db_, sizeof(da));
	size_t na, nb;
	const mw_drs_source *const *sa = mw_drs_sources(direct, &na);
	const mw_drs_source *const *sb = mw_drs_sources(loaded, &nb);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(sa[i]->ip, sb[i]->ip);
		assert_int_equal(sa[i]->cls, sb[i]->cls);
		assert_int_equal(sa[i]->dkim_pass, sb[i]->dkim_pass);
		assert_string_equal(sa[i]->auth_domain, sb[i]->auth_domain);
	}
	uint64_t fr, fd;
	mw_frs_totals(frs, &fr, &fd);
	assert_int_equal(fr, 1);
	size_t nf;
	const mw_frs_source *const *fs = mw_frs_sources(frs, &nf);
	assert_int_equal(nf, 1);
	assert_string_equal(fs[0]->subject, "pay now");
	assert_string_equal(fs[0]->auth_failure, "dmarc");
	/* filters: --domain other.example, --since 2024-03-02 */
	mw_drs *f1 = mw_drs_new();
	assert_int_equal(mw_drstore_load(db, 0, "OTHER.example", f1, NULL, &e), MW_OK);
	mw_drs_totals(f1, &b[0], &b[1], cb, db_);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 4);
	mw_drs *f2 = mw_drs_new();
	assert_int_equal(mw_drstore_load(db, 1709400000, NULL, f2, NULL, &e), MW_OK);
	mw_drs_totals(f2, &b[0], &b[1], cb, db_);
	assert_int_equal(b[0], 3);
	assert_int_equal(b[1], 11);
	mw_drs_free(f1);
	mw_drs_free(f2);
	mw_frs_free(frs);
	mw_drs_free(direct);
	mw_drs_free(loaded);
	mw_drstore_close(db);
	unlink(path);
}

/* The dashboard queries: per source (with PTR / provider) and per day. */
static void test_sources_history(void **state)
{
	(void)state;
	char path[128];
	tmpdb(path, sizeof(path));
	mw_drstore *db;
	mw_err e;
	int added, known;
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_OK);
	import(db, &added, &known);
	assert_int_equal(mw_drstore_set_source(db, "198.51.100.7", "o1.ptr.sendgrid.net", true,
					       "SendGrid", "ptr o1.ptr.sendgrid.net", 1, &e),
			 MW_OK);
	mw_drstore_close(db);
	assert_int_equal(mw_drstore_open(path, true, &db, &e), MW_OK);
	mw_drstore_source *s;
	size_t n;
	assert_int_equal(mw_drstore_sources(db, 0, "example.com", 0, &s, &n, &e), MW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].ip, "192.0.2.1");
	assert_int_equal(s[0].count, 15);
	assert_int_equal(s[0].aligned, 15);
	assert_string_equal(s[0].cls, "aligned");
	assert_string_equal(s[1].ip, "198.51.100.7");
	assert_string_equal(s[1].cls, "not-aligned");
	assert_string_equal(s[1].provider, "SendGrid");
	assert_string_equal(s[1].ptr, "o1.ptr.sendgrid.net");
	assert_true(s[1].fcrdns);
	assert_string_equal(s[2].ip, "203.0.113.9");
	assert_string_equal(s[2].cls, "not-aligned"); /* passes for evil.example */
	assert_int_equal(s[2].failures, 1);
	assert_string_equal(s[2].provider, "");
	free(s);
	assert_int_equal(mw_drstore_sources(db, 0, NULL, 2, &s, &n, &e), MW_OK);
	assert_int_equal(n, 2);
	free(s);
	mw_drstore_day *d;
	assert_int_equal(mw_drstore_history(db, 0, "example.com", &d, &n, &e), MW_OK);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].day, "2024-03-01");
	assert_int_equal(d[0].messages, 13);
	assert_int_equal(d[0].pass, 10);
	assert_int_equal(d[0].fail, 3);
	assert_string_equal(d[1].day, "2024-03-02");
	assert_int_equal(d[1].messages, 7);
	assert_int_equal(d[1].pass, 5);
	free(d);
	assert_int_equal(mw_drstore_history(db, 1800000000, NULL, &d, &n, &e), MW_OK);
	assert_int_equal(n, 0);
	assert_null(d);
	mw_drstore_close(db);
	unlink(path);
}

/* Corrupt, missing, foreign and newer files are clear errors. */
static void test_bad_files(void **state)
{
	(void)state;
	char path[128];
	tmpdb(path, sizeof(path));
	mw_drstore *db;
	mw_err e;
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (int i = 0; i < 400; i++)
		fputs("this is not an SQLite database at all. ", f);
	fclose(f);
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_EIO);
	assert_null(db);
	assert_non_null(strstr(e.msg, "not a DMARC report database"));
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(mw_drstore_open(path, true, &db, &e), MW_EIO);
	unlink(path);
	assert_int_equal(mw_drstore_open(path, true, &db, &e), MW_ENOTFOUND);
	assert_null(db);
	assert_int_equal(access(path, F_OK), -1); /* read-only open created nothing */
	/* a newer schema */
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_OK);
	mw_drstore_close(db);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(mw_drstore_open(path, false, &db, &e), MW_EIO);
	assert_non_null(strstr(e.msg, "newer"));
	unlink(path);
	/* an SQLite file of something else, read-only: no schema */
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(mw_drstore_open(path, true, &db, &e), MW_EIO);
	assert_non_null(strstr(e.msg, "no schema"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_twice),
		cmocka_unit_test(test_load_equals_direct),
		cmocka_unit_test(test_sources_history),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
