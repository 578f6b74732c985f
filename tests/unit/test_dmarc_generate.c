/*
 * test_dmarc_generate.c - DMARC aggregate reports as a receiver:
 * store/dmarclog.h (rows, rollup, sent periods), report/generate.h
 * (periods, report id, XML, gzip, file name), report/drdest.h (rua= and the
 * external destination check through the offline zone), report/drmail.h
 * (the report e-mail).  Every generated report is validated against
 * tests/data/dmarc/rfc9990.xsd (libxml2 xmlSchemaValidateDoc) and parsed
 * back with report/aggregate.h into identical records (round trip), as XML,
 * as .xml.gz and inside the e-mail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "report/aggregate.h"
#include "forensics/authrun.h"
#include "mail/message.h"
#include "report/drdest.h"
#include "report/drrecord.h"
#include "report/drmail.h"
#include "report/generate.h"
#include "store/dmarclog.h"

#define DAY 86400
#define T0 1763856000 /* 2025-11-23 00:00:00 UTC */
#define XSD MW_SOURCE_DIR "/tests/data/dmarc/rfc9990.xsd"

/* ---- helpers --------------------------------------------------------------- */

/* temp_db - a fresh SQLite path */
static void temp_db(char *path, size_t n)
{
	snprintf(path, n, "/tmp/mw_test_drgen_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
}

/* remove_db - the file and its WAL companions */
static void remove_db(const char *path)
{
	char p[300];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static bool quiet_xsd; /* the negative cases: expected errors not printed */

static void no_errors(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* xsd_errors - number of schema violations in the document (0 = valid) */
static int xsd_errors(const char *xml, size_t len)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(XSD);
	assert_non_null(pc);
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	assert_non_null(schema);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	if (quiet_xsd)
		xmlSchemaSetValidStructuredErrors(vc, no_errors, NULL);
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "report.xml", NULL, XML_PARSE_NONET);
	int rc = doc ? xmlSchemaValidateDoc(vc, doc) : -1;
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc;
}

/* streq0 - equal strings, NULL equal to NULL */
static void streq0(const char *got, const char *want, const char *what)
{
	if (!got || !want) {
		if (got != want)
			fail_msg("%s: got %s, want %s", what, got ? got : "NULL",
				 want ? want : "NULL");
		return;
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", what, got, want);
}

/* same_auth - auth result lists equal */
static void same_auth(const mw_dr_auth *got, size_t ng, const mw_dr_auth *want, size_t nw)
{
	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++) {
		streq0(got[i].domain, want[i].domain, "auth domain");
		streq0(got[i].selector, want[i].selector, "auth selector");
		streq0(got[i].scope, want[i].scope, "auth scope");
		streq0(got[i].result, want[i].result, "auth result");
		streq0(got[i].human_result, want[i].human_result, "auth human_result");
	}
}

/* same_report - every field of the parse equals the generated report */
static void same_report(const mw_dr_report *got, const mw_dr_report *want)
{
	streq0(got->version, want->version, "version");
	streq0(got->org_name, want->org_name, "org_name");
	streq0(got->email, want->email, "email");
	streq0(got->extra_contact_info, want->extra_contact_info, "extra_contact_info");
	streq0(got->report_id, want->report_id, "report_id");
	streq0(got->generator, want->generator, "generator");
	assert_int_equal(got->begin, want->begin);
	assert_int_equal(got->end, want->end);
	streq0(got->domain, want->domain, "domain");
	streq0(got->p, want->p, "p");
	streq0(got->sp, want->sp, "sp");
	streq0(got->np, want->np, "np");
	streq0(got->adkim, want->adkim, "adkim");
	streq0(got->aspf, want->aspf, "aspf");
	streq0(got->fo, want->fo, "fo");
	streq0(got->testing, want->testing, "testing");
	streq0(got->discovery_method, want->discovery_method, "discovery_method");
	assert_int_equal(got->n_records, want->n_records);
	assert_int_equal(got->messages, want->messages);
	for (size_t i = 0; i < want->n_records; i++) {
		const mw_dr_record *g = &got->records[i], *w = &want->records[i];
		streq0(g->source_ip, w->source_ip, "source_ip");
		assert_int_equal(g->count, w->count);
		streq0(g->disposition, w->disposition, "disposition");
		streq0(g->dkim, w->dkim, "dkim");
		streq0(g->spf, w->spf, "spf");
		streq0(g->header_from, w->header_from, "header_from");
		streq0(g->envelope_from, w->envelope_from, "envelope_from");
		streq0(g->envelope_to, w->envelope_to, "envelope_to");
		assert_int_equal(g->n_reasons, w->n_reasons);
		for (size_t k = 0; k < w->n_reasons; k++) {
			streq0(g->reasons[k].type, w->reasons[k].type, "reason type");
			streq0(g->reasons[k].comment, w->reasons[k].comment, "reason comment");
		}
		same_auth(g->dkim_res, g->n_dkim, w->dkim_res, w->n_dkim);
		same_auth(g->spf_res, g->n_spf, w->spf_res, w->n_spf);
	}
}

static const mw_dmarclog_policy POLICY = {"reject", "quarantine", "none", "r", "s", "1", "n", -1};

/* row - a typical evaluation */
static mw_dmarclog_row row(int64_t t, const char *ip, const char *hfrom, const char *disp)
{
	mw_dmarclog_row r = {.time = t,
			     .source_ip = ip,
			     .header_from = hfrom,
			     .envelope_from = "bounce.esp.example",
			     .envelope_to = "rcpt.example",
			     .policy_domain = "example.com",
			     .policy = POLICY,
			     .dmarc = strcmp(disp, "pass") == 0 ? "pass" : "fail",
			     .disposition = disp,
			     .dkim = strcmp(disp, "pass") == 0 ? "pass" : "fail",
			     .spf = "fail",
			     .ndkim = 1,
			     .nspf = 1};
	r.dkim_res[0] = (mw_dmarclog_auth){.domain = hfrom, .selector = "s1",
					   .result = strcmp(disp, "pass") == 0 ? "pass" : "fail",
					   .human_result = strcmp(disp, "pass") == 0 ? NULL
										 : "body hash mismatch"};
	r.spf_res[0] = (mw_dmarclog_auth){.domain = "bounce.esp.example", .scope = "mfrom",
					  .result = "pass"};
	return r;
}

/* fill_log - 6 rows in day 0, of 4 kinds, 1 row in day 1, 1 other domain */
static mw_dmarclog *fill_log(const char *path)
{
	mw_err err;
	mw_dmarclog *log = mw_dmarclog_open(path, false, &err);
	assert_non_null(log);
	mw_dmarclog_row rs[8];
	rs[0] = row(T0 + 10, "192.0.2.1", "example.com", "pass");
	rs[1] = row(T0 + 20, "192.0.2.1", "example.com", "pass");
	rs[2] = row(T0 + 30, "192.0.2.1", "example.com", "pass");
	rs[3] = row(T0 + 40, "2001:db8::25", "mail.example.com", "reject");
	rs[4] = row(T0 + 50, "198.51.100.7", "example.com", "none");
	rs[4].reasons[0] = (mw_dmarclog_reason){"local_policy", "reject not applied by this receiver"};
	rs[4].nreasons = 1;
	rs[4].envelope_from = NULL; /* null reverse-path */
	rs[4].spf_res[0] = (mw_dmarclog_auth){.domain = "mx.spoof.example", .scope = "helo",
					      .result = "softfail", .human_result = "not listed"};
	rs[5] = rs[4];
	rs[5].time = T0 + DAY - 1; /* last second of day 0 */
	rs[6] = row(T0 + DAY, "192.0.2.1", "example.com", "pass"); /* day 1 */
	rs[7] = row(T0 + 60, "192.0.2.9", "other.example", "pass");
	rs[7].policy_domain = "other.example";
	assert_int_equal(mw_dmarclog_transaction(log, true, &err), MW_OK);
	for (int i = 0; i < 8; i++)
		assert_int_equal(mw_dmarclog_add(log, &rs[i], &err), MW_OK);
	assert_int_equal(mw_dmarclog_transaction(log, false, &err), MW_OK);
	return log;
}

/* ---- periods ------------------------------------------------------------------ */

static void test_period_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int64_t want; /* 0 = invalid */
	} cases[] = {
		{"1d", DAY},  {"12h", 43200}, {"6h", 21600}, {"1h", 3600},   {"3600", 3600},
		{"2d", 2 * DAY}, {"7d", 7 * DAY}, {"1440m", DAY},
		{"0", 0},     {"5h", 0},      {"30m", 0},    {"8d", 0},      {"1x", 0},
		{"", 0},      {"d", 0},       {"-1d", 0},    {"25h", 0},     {"36h", 0},
		{"1d2", 0},   {"99999999999999999999", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 0;
		mw_err err;
		mw_status st = mw_drgen_period_parse(cases[i].in, &got, &err);
		if (cases[i].want) {
			if (st != MW_OK || got != cases[i].want)
				fail_msg("'%s': got %d/%lld, want %lld", cases[i].in, st,
					 (long long)got, (long long)cases[i].want);
		} else if (st != MW_EINVAL) {
			fail_msg("'%s': accepted (%lld), want an error", cases[i].in, (long long)got);
		}
	}
	/* aligned to UTC midnight */
	assert_int_equal(mw_drgen_period_start(T0 + 5, DAY), T0);
	assert_int_equal(mw_drgen_period_start(T0 + DAY - 1, DAY), T0);
	assert_int_equal(mw_drgen_period_start(T0 + DAY, DAY), T0 + DAY);
	assert_int_equal(mw_drgen_period_start(T0 + 7 * 3600 + 1, 6 * 3600), T0 + 6 * 3600);
	assert_int_equal(mw_drgen_period_start(-1, DAY), -DAY);
}

static void test_report_id(void **state)
{
	(void)state;
	mw_pool *p = mw_pool_new(1u << 16);
	const char *a = mw_drgen_report_id("Org", "example.com", T0, T0 + DAY, p);
	const char *b = mw_drgen_report_id("Org", "example.com", T0, T0 + DAY, p);
	const char *c = mw_drgen_report_id("Org", "example.com", T0 + DAY, T0 + 2 * DAY, p);
	const char *d = mw_drgen_report_id("Org", "example.net", T0, T0 + DAY, p);
	assert_string_equal(a, b); /* stable */
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_int_equal(strncmp(a, "1763856000.", 11), 0);
	assert_int_equal(strlen(a), 11 + 16);
	mw_pool_free(p);
}

/* ---- the store --------------------------------------------------------------- */

static void test_store_rollup(void **state)
{
	(void)state;
	char path[64];
	temp_db(path, sizeof(path));
	mw_dmarclog *log = fill_log(path);
	mw_pool *pool = mw_pool_new(16u << 20);
	mw_err err;
	int64_t lo, hi;
	assert_int_equal(mw_dmarclog_span(log, &lo, &hi, &err), MW_OK);
	assert_int_equal(lo, T0 + 10);
	assert_int_equal(hi, T0 + DAY);
	const char **doms;
	size_t nd;
	assert_int_equal(mw_dmarclog_domains(log, T0, T0 + DAY, pool, &doms, &nd, &err), MW_OK);
	assert_int_equal(nd, 2);
	assert_string_equal(doms[0], "example.com");
	assert_string_equal(doms[1], "other.example");
	mw_dmarclog_row *rows;
	size_t n;
	mw_dmarclog_policy pol;
	assert_int_equal(mw_dmarclog_rollup(log, "example.com", T0, T0 + DAY, pool, &rows, &n, &pol,
					    &err), MW_OK);
	assert_int_equal(n, 3); /* 3 x pass, 2 x local_policy, 1 x reject */
	assert_int_equal(rows[0].count, 3);
	assert_string_equal(rows[0].source_ip, "192.0.2.1");
	assert_string_equal(rows[0].disposition, "pass");
	assert_int_equal(rows[1].count, 2);
	assert_string_equal(rows[1].source_ip, "198.51.100.7");
	assert_null(rows[1].envelope_from);
	assert_int_equal(rows[1].nreasons, 1);
	assert_string_equal(rows[1].reasons[0].type, "local_policy");
	assert_string_equal(rows[1].spf_res[0].scope, "helo");
	assert_string_equal(rows[1].spf_res[0].human_result, "not listed");
	assert_int_equal(rows[2].count, 1);
	assert_string_equal(rows[2].header_from, "mail.example.com");
	assert_string_equal(rows[2].dkim_res[0].selector, "s1");
	assert_string_equal(pol.p, "reject");
	assert_string_equal(pol.sp, "quarantine");
	assert_string_equal(pol.aspf, "s");
	assert_int_equal(pol.pct, -1);
	/* day 1 holds one row; an empty period none */
	assert_int_equal(mw_dmarclog_rollup(log, "example.com", T0 + DAY, T0 + 2 * DAY, pool, &rows,
					    &n, &pol, &err), MW_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mw_dmarclog_rollup(log, "example.com", T0 - DAY, T0, pool, &rows, &n, &pol,
					    &err), MW_OK);
	assert_int_equal(n, 0);
	/* sent periods */
	bool sent = true;
	assert_int_equal(mw_dmarclog_sent(log, "example.com", T0, T0 + DAY, &sent, &err), MW_OK);
	assert_false(sent);
	assert_int_equal(mw_dmarclog_mark_sent(log, "example.com", T0, T0 + DAY, "id", "a@b", T0,
					       &err), MW_OK);
	assert_int_equal(mw_dmarclog_mark_sent(log, "example.com", T0, T0 + DAY, "id", "a@b", T0,
					       &err), MW_OK); /* twice is fine */
	assert_int_equal(mw_dmarclog_sent(log, "example.com", T0, T0 + DAY, &sent, &err), MW_OK);
	assert_true(sent);
	assert_int_equal(mw_dmarclog_sent(log, "example.com", T0 + DAY, T0 + 2 * DAY, &sent, &err),
			 MW_OK);
	assert_false(sent);
	/* pruning: rows before T0 + DAY go (7), with the sent mark of day 0 */
	size_t del = 0;
	assert_int_equal(mw_dmarclog_prune(log, T0 + DAY, &del, &err), MW_OK);
	assert_int_equal(del, 7);
	assert_int_equal(mw_dmarclog_span(log, &lo, &hi, &err), MW_OK);
	assert_int_equal(lo, T0 + DAY);
	assert_int_equal(mw_dmarclog_sent(log, "example.com", T0, T0 + DAY, &sent, &err), MW_OK);
	assert_false(sent);
	mw_dmarclog_close(log);
	/* read-only: reads work, adds are refused */
	log = mw_dmarclog_open(path, true, &err);
	assert_non_null(log);
	mw_dmarclog_row r = row(T0, "192.0.2.1", "example.com", "pass");
	assert_int_equal(mw_dmarclog_add(log, &r, &err), MW_EINVAL);
	assert_int_equal(mw_dmarclog_span(log, &lo, &hi, &err), MW_OK);
	mw_dmarclog_close(log);
	/* a row without policy domain is refused; a bad path fails cleanly */
	log = mw_dmarclog_open(path, false, &err);
	r.policy_domain = NULL;
	assert_int_equal(mw_dmarclog_add(log, &r, &err), MW_EINVAL);
	mw_dmarclog_close(log);
	assert_null(mw_dmarclog_open("/nonexistent/dir/x.db", false, &err));
	assert_int_equal(err.code, MW_EIO);
	mw_pool_free(pool);
	remove_db(path);
}

/* ---- generation, XSD, round trip ---------------------------------------------- */

static const mw_drgen_meta META = {"Mailwarden Test", "dmarc-reports@rcv.example",
				   "https://rcv.example/dmarc", "mailwarden 0.1.0"};

/* build_day0 - the report for example.com day 0 */
static void build_day0(mw_dmarclog *log, mw_pool *pool, mw_dr_report *r)
{
	mw_dmarclog_row *rows;
	size_t n;
	mw_dmarclog_policy pol;
	mw_err err;
	assert_int_equal(mw_dmarclog_rollup(log, "example.com", T0, T0 + DAY, pool, &rows, &n, &pol,
					    &err), MW_OK);
	assert_int_equal(mw_drgen_build(&META, "example.com", T0, T0 + DAY, rows, n, &pol, pool, r,
					&err), MW_OK);
}

static void test_generate_roundtrip(void **state)
{
	(void)state;
	char path[64];
	temp_db(path, sizeof(path));
	mw_dmarclog *log = fill_log(path);
	mw_pool *pool = mw_pool_new(16u << 20);
	mw_dr_report want;
	build_day0(log, pool, &want);
	assert_int_equal(want.begin, T0);
	assert_int_equal(want.end, T0 + DAY - 1); /* inclusive, as in the RFC sample */
	assert_int_equal(want.messages, 6);
	mw_buf xml, gz;
	mw_buf_init(&xml, MW_DRGEN_XML_MAX);
	mw_buf_init(&gz, MW_DRGEN_XML_MAX);
	mw_err err;
	assert_int_equal(mw_drgen_xml(&want, &xml, &err), MW_OK);
	assert_int_equal(xsd_errors(xml.data, xml.len), 0);
	assert_non_null(strstr(xml.data, "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"));
	assert_null(strstr(xml.data, "<pct>")); /* RFC 9990 has no pct */
	mw_dr_report *got;
	assert_int_equal(mw_dr_parse_xml(xml.data, xml.len, &got, &err), MW_OK);
	same_report(got, &want);
	mw_dr_free(got);
	/* gzip: our reader inflates it to the same report */
	assert_int_equal(mw_drgen_gzip(xml.data, xml.len, &gz, &err), MW_OK);
	assert_true(gz.len > 18 && (unsigned char)gz.data[0] == 0x1f &&
		    (unsigned char)gz.data[1] == 0x8b);
	assert_int_equal(mw_dr_parse(gz.data, gz.len, &got, &err), MW_OK);
	same_report(got, &want);
	mw_dr_free(got);
	/* file name */
	assert_string_equal(mw_drgen_filename("rcv.example", &want, pool),
			    "rcv.example!example.com!1763856000!1763942399.xml.gz");
	assert_null(mw_drgen_filename("a!b", &want, pool));
	assert_null(mw_drgen_filename("../x/y", &want, pool));
	assert_null(mw_drgen_filename("", &want, pool));
	mw_buf_free(&xml);
	mw_buf_free(&gz);
	mw_pool_free(pool);
	mw_dmarclog_close(log);
	remove_db(path);
}

/* test_generate_escaping - markup in values is escaped and survives */
static void test_generate_escaping(void **state)
{
	(void)state;
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_dmarclog_row r = row(T0, "192.0.2.1", "example.com", "none");
	r.count = 2;
	r.reasons[0] = (mw_dmarclog_reason){"other", "a <b> & \"c\" ]]> d"};
	r.nreasons = 1;
	r.dkim_res[0].human_result = "key <missing> & bad";
	mw_dr_report want;
	mw_err err;
	mw_drgen_meta meta = {"Org & <Co>", "r@rcv.example", NULL, NULL};
	assert_int_equal(mw_drgen_build(&meta, "example.com", T0, T0 + DAY, &r, 1, &POLICY, pool,
					&want, &err), MW_OK);
	mw_buf xml;
	mw_buf_init(&xml, 1u << 20);
	assert_int_equal(mw_drgen_xml(&want, &xml, &err), MW_OK);
	assert_int_equal(xsd_errors(xml.data, xml.len), 0);
	mw_dr_report *got;
	assert_int_equal(mw_dr_parse_xml(xml.data, xml.len, &got, &err), MW_OK);
	same_report(got, &want);
	assert_string_equal(got->org_name, "Org & <Co>");
	mw_dr_free(got);
	/* sender-controlled bytes XML cannot carry become '?'; valid UTF-8 stays */
	mw_buf_reset(&xml);
	want.records[0].dkim_res[0].selector = "s\x01\xff\xc3(x\xef\xbf\xbf";
	want.records[0].dkim_res[0].human_result = "caf\xc3\xa9 \xed\xa0\x80 \xf0\x9f\x93\xa7";
	assert_int_equal(mw_drgen_xml(&want, &xml, &err), MW_OK);
	assert_int_equal(xsd_errors(xml.data, xml.len), 0);
	assert_int_equal(mw_dr_parse_xml(xml.data, xml.len, &got, &err), MW_OK);
	assert_string_equal(got->records[0].dkim_res[0].selector, "s??" "?(x?");
	assert_string_equal(got->records[0].dkim_res[0].human_result,
			    "caf\xc3\xa9 ??? \xf0\x9f\x93\xa7");
	mw_dr_free(got);
	mw_buf_free(&xml);
	mw_pool_free(pool);
}

/* test_generate_errors - what mw_drgen_build and the XSD refuse */
static void test_generate_errors(void **state)
{
	(void)state;
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_dmarclog_row r = row(T0, "192.0.2.1", "example.com", "pass");
	r.count = 1;
	mw_dr_report rep;
	mw_err err;
	mw_drgen_meta no_org = {NULL, "r@x", NULL, NULL}, no_mail = {"Org", "", NULL, NULL};
	assert_int_equal(mw_drgen_build(&no_org, "example.com", T0, T0 + DAY, &r, 1, &POLICY, pool,
					&rep, &err), MW_EINVAL);
	assert_int_equal(mw_drgen_build(&no_mail, "example.com", T0, T0 + DAY, &r, 1, &POLICY, pool,
					&rep, &err), MW_EINVAL);
	assert_int_equal(mw_drgen_build(&META, "example.com", T0, T0 + DAY, &r, 0, &POLICY, pool,
					&rep, &err), MW_EINVAL);
	assert_int_equal(mw_drgen_build(&META, "example.com", T0, T0, &r, 1, &POLICY, pool, &rep,
					&err), MW_EINVAL);
	assert_int_equal(mw_drgen_build(&META, "example.com", T0, T0 + DAY, &r,
					(size_t)MW_DR_RECORDS_MAX + 1, &POLICY, pool, &rep, &err),
			 MW_ETOOBIG);
	/* the schema is not vacuous: bad values in a generated document fail it */
	static const char *const bad[][2] = {
		{"<disposition>pass</disposition>", "<disposition>maybe</disposition>"},
		{"<source_ip>192.0.2.1</source_ip>", "<source_ip>mail.example</source_ip>"},
		{"<count>1</count>", "<count>0</count>"},
		{"<p>reject</p>", "<p>pass</p>"},
		{"<scope>mfrom</scope>", "<scope>from</scope>"},
		{"<report_id>", "<report_idx>"},
	};
	assert_int_equal(mw_drgen_build(&META, "example.com", T0, T0 + DAY, &r, 1, &POLICY, pool,
					&rep, &err), MW_OK);
	mw_buf xml;
	mw_buf_init(&xml, 1u << 20);
	assert_int_equal(mw_drgen_xml(&rep, &xml, &err), MW_OK);
	assert_int_equal(xsd_errors(xml.data, xml.len), 0);
	quiet_xsd = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *doc = malloc(xml.len + 64), *at = strstr(xml.data, bad[i][0]);
		assert_non_null(at);
		size_t pre = (size_t)(at - xml.data), ol = strlen(bad[i][0]);
		snprintf(doc, xml.len + 64, "%.*s%s%s", (int)pre, xml.data, bad[i][1], at + ol);
		if (strcmp(bad[i][0], "<report_id>") == 0) { /* close tag too */
			char *c = strstr(doc, "</report_id>");
			memmove(c + 13, c + 12, strlen(c + 12) + 1);
			memcpy(c, "</report_idx>", 13);
		}
		if (xsd_errors(doc, strlen(doc)) == 0)
			fail_msg("schema accepted %s", bad[i][1]);
		free(doc);
	}
	quiet_xsd = false;
	mw_buf_free(&xml);
	mw_pool_free(pool);
}

/* ---- rua destinations ---------------------------------------------------------- */

static void test_rua_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *addr; /* NULL: dropped */
		uint64_t size;
	} cases[] = {
		{"mailto:dmarc@example.com", "dmarc@example.com", 0},
		{"  mailto:dmarc@Example.COM  ", "dmarc@Example.COM", 0},
		{"mailto:dmarc@example.com!10m", "dmarc@example.com", 10u << 20},
		{"mailto:dmarc@example.com!512k", "dmarc@example.com", 512u << 10},
		{"mailto:dmarc@example.com!1G", "dmarc@example.com", 1u << 30},
		{"mailto:dmarc@example.com!2048", "dmarc@example.com", 2048},
		{"MAILTO:a%2Bb@example.com", "a+b@example.com", 0},
		{"mailto:r@example.com?subject=x", "r@example.com", 0},
		{"https://example.com/dmarc", NULL, 0},
		{"mailto:", NULL, 0},
		{"mailto:nobody", NULL, 0},
		{"mailto:@example.com", NULL, 0},
		{"mailto:a@example.com!10x", NULL, 0},
		{"mailto:a@example.com!", NULL, 0},
		{"mailto:a%4@example.com", NULL, 0},
		{"mailto:a%00b@example.com", NULL, 0},
		{"mailto:a b@example.com", NULL, 0},
		{"mailto:a@exa..mple.com", NULL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_pool *pool = mw_pool_new(1u << 16);
		mw_drdest_list l;
		memset(&l, 0, sizeof(l));
		assert_int_equal(mw_drdest_parse(cases[i].in, strlen(cases[i].in), pool, &l), MW_OK);
		assert_int_equal(l.n, 1);
		if (cases[i].addr) {
			if (l.d[0].status != MW_DRDEST_OK || !l.d[0].addr ||
			    strcmp(l.d[0].addr, cases[i].addr) != 0 || l.d[0].max_size != cases[i].size)
				fail_msg("'%s': got %s size %llu (%s)", cases[i].in,
					 l.d[0].addr ? l.d[0].addr : "NULL",
					 (unsigned long long)l.d[0].max_size,
					 l.d[0].reason ? l.d[0].reason : "ok");
		} else if (l.d[0].status != MW_DRDEST_DROPPED || !l.d[0].reason) {
			fail_msg("'%s': accepted, want dropped", cases[i].in);
		}
		mw_pool_free(pool);
	}
	/* lists: commas, empty items, the cap */
	mw_pool *pool = mw_pool_new(1u << 16);
	mw_drdest_list l;
	memset(&l, 0, sizeof(l));
	const char *two = "mailto:a@example.com, ,mailto:b@example.net!1m";
	assert_int_equal(mw_drdest_parse(two, strlen(two), pool, &l), MW_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.d[1].domain, "example.net");
	memset(&l, 0, sizeof(l));
	const char *many = "mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,"
			   "mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,mailto:a@x.example,"
			   "mailto:a@x.example";
	assert_int_equal(mw_drdest_parse(many, strlen(many), pool, &l), MW_OK);
	assert_int_equal(l.n, MW_DRGEN_DEST_MAX);
	assert_non_null(l.note);
	mw_pool_free(pool);
}

typedef struct dctx {
	const char *domain;
	mw_pool *pool;
	mw_drdest_list *l;
} dctx;

static mw_status dstep(void *ctx, dns_lookup *lk)
{
	dctx *c = ctx;
	return mw_drdest_resolve(c->domain, lk, c->pool, c->l);
}

/* resolve - run mw_drdest_resolve over the zone */
static void resolve(dns_resolver *res, const char *domain, mw_pool *pool, mw_drdest_list *l)
{
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, T0);
	dctx c = {domain, pool, l};
	mw_err err;
	assert_int_equal(dns_lookup_run(&lk, res, dstep, &c, &err), MW_OK);
	dns_cache_free(cache);
}

static void test_rua_verify(void **state)
{
	(void)state;
	dns_zone *z = dns_zone_new();
	static const char *const txt[][2] = {
		{"_dmarc.example.com",
		 "v=DMARC1; p=reject; rua=mailto:agg@example.com,mailto:d@reports.example.com!1m,"
		 "mailto:x@thirdparty.example,mailto:y@authorised.example,https://example.com/r"},
		{"example.com._report._dmarc.authorised.example", "v=DMARC1"},
		{"_dmarc.thirdparty.example", "v=DMARC1; p=none"},
		{"_dmarc.norua.example", "v=DMARC1; p=none"},
		{"_dmarc.two.example", "v=DMARC1; p=none; rua=mailto:a@two.example"},
		{"_dmarc.two.example", "v=DMARC1; p=reject; rua=mailto:b@two.example"},
		{"_dmarc.flaky.example", "v=DMARC1; p=none; rua=mailto:r@slow.example"},
	};
	for (size_t i = 0; i < sizeof(txt) / sizeof(txt[0]); i++)
		assert_int_equal(dns_zone_add_txt(z, txt[i][0], txt[i][1], strlen(txt[i][1]), 300),
				 MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "flaky.example._report._dmarc.slow.example",
					    DNS_FAULT_SERVFAIL), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "_dmarc.down.example", DNS_FAULT_TIMEOUT), MW_OK);
	dns_resolver *res = dns_resolver_zone_new(z);
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_drdest_list l;
	resolve(res, "example.com", pool, &l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.d[0].status, MW_DRDEST_OK); /* same domain */
	assert_false(l.d[0].external);
	assert_int_equal(l.d[1].status, MW_DRDEST_OK); /* same Organizational Domain */
	assert_false(l.d[1].external);
	assert_int_equal(l.d[1].max_size, 1u << 20);
	assert_int_equal(l.d[2].status, MW_DRDEST_DROPPED); /* external, not authorised */
	assert_true(l.d[2].external);
	assert_non_null(strstr(l.d[2].reason, "example.com._report._dmarc.thirdparty.example"));
	assert_int_equal(l.d[3].status, MW_DRDEST_OK); /* external, authorised */
	assert_true(l.d[3].external);
	assert_int_equal(l.d[4].status, MW_DRDEST_DROPPED); /* https */
	/* no rua, no record, two records, DNS trouble */
	resolve(res, "norua.example", pool, &l);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(l.note, "no usable rua"));
	resolve(res, "none.example", pool, &l);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(l.note, "no DMARC record"));
	resolve(res, "two.example", pool, &l);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(l.note, "several"));
	resolve(res, "down.example", pool, &l);
	assert_true(l.temp);
	resolve(res, "flaky.example", pool, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].status, MW_DRDEST_TEMP);
	mw_pool_free(pool);
	dns_resolver_free(res);
	dns_zone_free(z);
}

/* ---- the e-mail ---------------------------------------------------------------- */

static void test_report_mail(void **state)
{
	(void)state;
	char path[64];
	temp_db(path, sizeof(path));
	mw_dmarclog *log = fill_log(path);
	mw_pool *pool = mw_pool_new(16u << 20);
	mw_dr_report want;
	build_day0(log, pool, &want);
	mw_buf xml, gz, msg;
	mw_buf_init(&xml, MW_DRGEN_XML_MAX);
	mw_buf_init(&gz, MW_DRGEN_XML_MAX);
	mw_buf_init(&msg, MW_DRGEN_XML_MAX);
	mw_err err;
	assert_int_equal(mw_drgen_xml(&want, &xml, &err), MW_OK);
	assert_int_equal(mw_drgen_gzip(xml.data, xml.len, &gz, &err), MW_OK);
	const char *to[] = {"agg@example.com"};
	const char *fname = mw_drgen_filename("rcv.example", &want, pool);
	mw_drmail_opts o = {"dmarc-reports@rcv.example", to, 1, "rcv.example", "example.com",
			    want.report_id, fname, T0 + DAY + 60};
	assert_int_equal(mw_drmail_build(&o, gz.data, gz.len, &msg, &err), MW_OK);
	char subj[256];
	snprintf(subj, sizeof(subj),
		 "Subject: Report Domain: example.com Submitter: rcv.example Report-ID: <%s>",
		 want.report_id);
	char *unfolded = strdup(msg.data);
	for (char *p = unfolded; (p = strstr(p, "\n ")) != NULL;)
		memmove(p, p + 1, strlen(p + 1) + 1); /* RFC 5322 unfolding: drop the line break */
	if (!strstr(unfolded, subj))
		fail_msg("no '%s' in\n%.600s", subj, msg.data);
	free(unfolded);
	assert_non_null(strstr(msg.data, "From: dmarc-reports@rcv.example"));
	assert_non_null(strstr(msg.data, "To: agg@example.com"));
	assert_non_null(strstr(msg.data, "application/gzip"));
	assert_non_null(strstr(msg.data, "rcv.example!example.com!1763856000!1763942399.xml.gz"));
	mw_dr_report *got;
	assert_int_equal(mw_dr_parse(msg.data, msg.len, &got, &err), MW_OK);
	same_report(got, &want);
	mw_dr_free(got);
	/* refused: no destination, a header injection */
	const char *bad[] = {"a@b\r\nBcc: x@y"};
	mw_drmail_opts o2 = o;
	o2.nto = 0;
	assert_int_equal(mw_drmail_build(&o2, gz.data, gz.len, &msg, &err), MW_EINVAL);
	o2.to = bad;
	o2.nto = 1;
	assert_int_equal(mw_drmail_build(&o2, gz.data, gz.len, &msg, &err), MW_EINVAL);
	mw_buf_free(&xml);
	mw_buf_free(&gz);
	mw_buf_free(&msg);
	mw_pool_free(pool);
	mw_dmarclog_close(log);
	remove_db(path);
}

/* ---- recording: authrun + disposition -> rows ---------------------------------- */

typedef struct rec_case {
	const char *what;
	const char *from, *ip, *mail_from;
	mw_drrecord_action action;
	bool use_dispo;
	mw_disposition dispo;
	size_t want_rows;
	const char *want_disp, *want_dkim, *want_spf;
	const char *want_reasons; /* type list, comma-separated ("" none) */
	const char *want_env_from, *want_spf_scope, *want_spf_domain;
} rec_case;

/* reasons_of - "t1,t2" */
static void reasons_of(const mw_dmarclog_row *r, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < r->nreasons; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", r->reasons[i].type);
}

static void test_record_rows(void **state)
{
	(void)state;
	dns_zone *z = dns_zone_new();
	static const char *const txt[][2] = {
		{"_dmarc.example.com", "v=DMARC1; p=reject; aspf=s; rua=mailto:a@example.com"},
		{"example.com", "v=spf1 ip4:192.0.2.1 -all"},
		{"_dmarc.test.example", "v=DMARC1; p=reject; t=y"},
		{"test.example", "v=spf1 -all"},
		{"mx.example", "v=spf1 -all"},
	};
	for (size_t i = 0; i < sizeof(txt) / sizeof(txt[0]); i++)
		assert_int_equal(dns_zone_add_txt(z, txt[i][0], txt[i][1], strlen(txt[i][1]), 300),
				 MW_OK);
	dns_resolver *res = dns_resolver_zone_new(z);
	mw_disposition fwd = {MW_DMARC_POLICY_REJECT, MW_DMARC_POLICY_REJECT, MW_DMARC_POLICY_NONE,
			      MW_DISPO_FORWARDED, false, false, 0};
	mw_disposition tmode = {MW_DMARC_POLICY_REJECT, MW_DMARC_POLICY_QUARANTINE,
				MW_DMARC_POLICY_QUARANTINE, MW_DISPO_NO_OVERRIDE, true, false, 0};
	mw_disposition q = {MW_DMARC_POLICY_REJECT, MW_DMARC_POLICY_REJECT, MW_DMARC_POLICY_REJECT,
			    MW_DISPO_NO_OVERRIDE, false, false, 0};
	const rec_case cases[] = {
		{"spoof rejected", "a@example.com", "192.0.2.99", "a@example.com", MW_DRREC_REJECTED,
		 false, {0}, 1, "reject", "fail", "fail", "", "example.com", "mfrom", "example.com"},
		{"spoof delivered: local_policy", "a@example.com", "192.0.2.99", "a@example.com",
		 MW_DRREC_ACCEPTED, false, {0}, 1, "none", "fail", "fail", "local_policy",
		 "example.com", "mfrom", "example.com"},
		{"forwarder override", "a@example.com", "192.0.2.99", "a@example.com",
		 MW_DRREC_ACCEPTED, true, fwd, 1, "none", "fail", "fail", "forwarded", "example.com",
		 "mfrom", "example.com"},
		{"reject decided, not enforced", "a@example.com", "192.0.2.99", "a@example.com",
		 MW_DRREC_ACCEPTED, true, q, 1, "none", "fail", "fail", "local_policy", "example.com",
		 "mfrom", "example.com"},
		{"t=y: quarantined", "a@test.example", "192.0.2.99", "a@test.example",
		 MW_DRREC_QUARANTINED, true, tmode, 1, "quarantine", "fail", "fail",
		 "policy_test_mode", "test.example", "mfrom", "test.example"},
		{"aligned pass", "a@example.com", "192.0.2.1", "a@example.com", MW_DRREC_ACCEPTED,
		 false, {0}, 1, "pass", "fail", "pass", "", "example.com", "mfrom", "example.com"},
		{"strict aspf: subdomain MAIL FROM not aligned", "a@example.com", "192.0.2.99",
		 "b@sub.example.com", MW_DRREC_ACCEPTED, true, fwd, 1, "none", "fail", "fail",
		 "forwarded", "sub.example.com", "mfrom", "sub.example.com"},
		{"null reverse-path: helo scope", "a@example.com", "192.0.2.99", "",
		 MW_DRREC_REJECTED, false, {0}, 1, "reject", "fail", "fail", "", NULL, "helo",
		 "mx.example"},
		{"no DMARC record: no row", "a@nodmarc.example", "192.0.2.99", "a@nodmarc.example",
		 MW_DRREC_ACCEPTED, false, {0}, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rec_case *c = &cases[i];
		char msg[256];
		snprintf(msg, sizeof(msg), "From: <%s>\r\nSubject: t\r\n\r\nbody\r\n", c->from);
		mw_message m;
		mw_err err;
		assert_int_equal(mw_message_parse(msg, strlen(msg), &m, &err), MW_OK);
		mw_authrun r;
		mw_authrun_opts o = {.ip = c->ip, .mail_from = c->mail_from, .helo = "mx.example",
				     .authserv_id = "rcv.example", .now = T0, .spf_quiet = true};
		dns_cache *cache = dns_cache_new();
		assert_int_equal(mw_authrun_run(&r, &m, &o, res, cache, &err), MW_OK);
		mw_drrecord_ctx ctx = {T0, c->ip, "rcv.example", c->action, NULL,
				       c->use_dispo ? &c->dispo : NULL};
		mw_pool *pool = mw_pool_new(1u << 20);
		mw_dmarclog_row rows[MW_DMARC_FROM_DOMAINS_MAX];
		size_t n;
		mw_drrecord_rows(&r, &ctx, pool, rows, &n);
		if (n != c->want_rows)
			fail_msg("%s: %zu rows, want %zu", c->what, n, c->want_rows);
		if (n) {
			char rs[128];
			reasons_of(&rows[0], rs, sizeof(rs));
			streq0(rows[0].disposition, c->want_disp, c->what);
			streq0(rows[0].dkim, c->want_dkim, c->what);
			streq0(rows[0].spf, c->want_spf, c->what);
			streq0(rs, c->want_reasons, c->what);
			streq0(rows[0].envelope_from, c->want_env_from, c->what);
			streq0(rows[0].spf_res[0].scope, c->want_spf_scope, c->what);
			streq0(rows[0].spf_res[0].domain, c->want_spf_domain, c->what);
			streq0(rows[0].source_ip, c->ip, c->what);
			streq0(rows[0].envelope_to, "rcv.example", c->what);
			assert_int_equal(rows[0].nspf, 1);
			assert_int_equal(rows[0].ndkim, 0);
		}
		mw_pool_free(pool);
		mw_authrun_free(&r);
		dns_cache_free(cache);
		mw_message_free(&m);
	}
	dns_resolver_free(res);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_parse),     cmocka_unit_test(test_report_id),
		cmocka_unit_test(test_store_rollup),     cmocka_unit_test(test_generate_roundtrip),
		cmocka_unit_test(test_generate_escaping), cmocka_unit_test(test_generate_errors),
		cmocka_unit_test(test_rua_parse),        cmocka_unit_test(test_rua_verify),
		cmocka_unit_test(test_report_mail),      cmocka_unit_test(test_record_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
