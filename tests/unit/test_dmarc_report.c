/*
 * test_dmarc_report.c - report/aggregate.h, unpack.h, reportmail.h on
 * documents built in memory: schema variants, leniency, every container
 * (XML, gzip, zip, e-mail), and the bad input the parser must refuse with a
 * clear error: billion laughs, external entities, zip and gzip bombs,
 * truncated gzip, oversize input, too many records, junk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/limits.h"
#include "report/aggregate.h"
#include "report/drsummary.h"
#include "report/unpack.h"

#define RFC9990 \
	"<?xml version=\"1.0\"?>\n<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">" \
	"<version>1.0</version><report_metadata><org_name>Rep</org_name>"              \
	"<email>r@rep.example</email><report_id>id-1</report_id>"                      \
	"<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"     \
	"</report_metadata><policy_published><domain>Example.COM</domain><p>reject</p>" \
	"<np>quarantine</np><testing>n</testing><discovery_method>psl</discovery_method>" \
	"</policy_published><record><row><source_ip>192.0.2.1</source_ip><count>7</count>" \
	"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>" \
	"<reason><type>forwarded</type><comment>list</comment></reason>"              \
	"</policy_evaluated></row><identifiers><header_from>example.com</header_from>" \
	"</identifiers><auth_results><dkim><domain>example.com</domain><selector>s1</selector>" \
	"<result>pass</result></dkim><dkim><domain>esp.example</domain><result>fail</result></dkim>" \
	"<spf><domain>bounce.esp.example</domain><scope>mfrom</scope><result>pass</result></spf>" \
	"</auth_results></record><record><row><source_ip>2001:db8::1</source_ip>"     \
	"<count>3</count><policy_evaluated><disposition>reject</disposition><dkim>fail</dkim>" \
	"<spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from>" \
	"</identifiers><auth_results><spf><domain>x.example</domain><result>softfail</result></spf>" \
	"</auth_results></record></feedback>\n"

/* RFC 7489 era: no namespace, no version, upper case, CDATA, white space, pct */
#define RFC7489 \
	"<feedback><report_metadata><org_name> <![CDATA[Old & Co]]> </org_name>"       \
	"<report_id>old</report_id><date_range><begin>1</begin><end>2</end></date_range>" \
	"</report_metadata><policy_published><domain>example.org</domain><adkim>R</adkim>" \
	"<p>NONE</p><pct>50</pct></policy_published><record><row><source_ip> 198.51.100.9 " \
	"</source_ip><count>2</count><policy_evaluated><disposition>None</disposition>" \
	"<dkim>FAIL</dkim><spf>Pass</spf></policy_evaluated></row><identifiers>"        \
	"<header_from>example.org</header_from></identifiers><auth_results><spf>"       \
	"<domain>example.org</domain><result>PASS</result></spf></auth_results></record></feedback>"

/* parse_str - mw_dr_parse over n bytes */
static mw_status parse(const void *d, size_t n, mw_dr_report **r, mw_err *e)
{
	mw_err_clear(e);
	return mw_dr_parse(d, n, r, e);
}

/* The RFC 9990 document: every field lands where it belongs. */
static void test_rfc9990_fields(void **state)
{
	(void)state;
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(RFC9990, strlen(RFC9990), &r, &e), MW_OK);
	assert_string_equal(r->version, "1.0");
	assert_string_equal(r->org_name, "Rep");
	assert_string_equal(r->report_id, "id-1");
	assert_int_equal(r->begin, 1700000000);
	assert_int_equal(r->end, 1700086399);
	assert_string_equal(r->domain, "example.com");
	assert_string_equal(r->p, "reject");
	assert_null(r->sp);
	assert_string_equal(r->np, "quarantine");
	assert_string_equal(r->discovery_method, "psl");
	assert_int_equal(r->pct, -1);
	assert_int_equal(r->n_records, 2);
	assert_int_equal(r->messages, 10);
	const mw_dr_record *a = &r->records[0], *b = &r->records[1];
	assert_string_equal(a->source_ip, "192.0.2.1");
	assert_int_equal(a->count, 7);
	assert_string_equal(a->dkim, "pass");
	assert_string_equal(a->spf, "fail");
	assert_int_equal(a->n_reasons, 1);
	assert_string_equal(a->reasons[0].type, "forwarded");
	assert_string_equal(a->reasons[0].comment, "list");
	assert_int_equal(a->n_dkim, 2);
	assert_string_equal(a->dkim_res[0].selector, "s1");
	assert_string_equal(a->dkim_res[1].domain, "esp.example");
	assert_string_equal(a->dkim_res[1].result, "fail");
	assert_int_equal(a->n_spf, 1);
	assert_string_equal(a->spf_res[0].scope, "mfrom");
	assert_string_equal(b->source_ip, "2001:db8::1");
	assert_string_equal(b->disposition, "reject");
	assert_int_equal(b->n_dkim, 0);
	assert_string_equal(b->spf_res[0].result, "softfail");
	mw_dr_free(r);
}

/* RFC 7489 era: lower-cased enums, trimmed values, CDATA text, pct kept. */
static void test_rfc7489_lenient(void **state)
{
	(void)state;
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(RFC7489, strlen(RFC7489), &r, &e), MW_OK);
	assert_null(r->version);
	assert_string_equal(r->org_name, "Old & Co");
	assert_string_equal(r->adkim, "r");
	assert_string_equal(r->p, "none");
	assert_int_equal(r->pct, 50);
	assert_string_equal(r->records[0].source_ip, "198.51.100.9");
	assert_string_equal(r->records[0].disposition, "none");
	assert_string_equal(r->records[0].dkim, "fail");
	assert_string_equal(r->records[0].spf, "pass");
	assert_string_equal(r->records[0].spf_res[0].result, "pass");
	mw_dr_free(r);
}

/* gzip_buf - gzip n bytes of d (or of zeros when d is NULL) into out */
static void gzip_buf(const char *d, size_t n, mw_buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	static char zeros[1 << 20];
	unsigned char o[65536];
	mw_buf_init(out, 64u << 20);
	size_t done = 0;
	int rc;
	do {
		size_t take = n - done > sizeof(zeros) ? sizeof(zeros) : n - done;
		z.next_in = (unsigned char *)(d ? d + done : zeros);
		z.avail_in = (uInt)take;
		done += take;
		int flush = done == n ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = o;
			z.avail_out = sizeof(o);
			rc = deflate(&z, flush);
			assert_int_equal(mw_buf_append(out, o, sizeof(o) - z.avail_out), MW_OK);
		} while (z.avail_out == 0);
	} while (done < n);
	assert_int_equal(rc, Z_STREAM_END);
	deflateEnd(&z);
}

/* zip_buf - a zip archive (in memory) with one entry name holding d[0..n) */
static void zip_buf(const char *name, const void *d, size_t n, mw_buf *out)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_t *data = zip_source_buffer(za, d, n, 0);
	assert_true(zip_file_add(za, name, data, 0) >= 0);
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	mw_buf_init(out, 64u << 20);
	char chunk[65536];
	zip_int64_t got;
	while ((got = zip_source_read(src, chunk, sizeof(chunk))) > 0)
		assert_int_equal(mw_buf_append(out, chunk, (size_t)got), MW_OK);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
}

/* mail_buf - a report e-mail with the given attachment, base64 */
static void mail_buf(const char *ctype, const char *fname, const mw_buf *att, mw_buf *out)
{
	unsigned char *b64 = malloc(att->len * 2 + 8);
	int n = EVP_EncodeBlock(b64, (const unsigned char *)att->data, (int)att->len);
	mw_buf_init(out, 64u << 20);
	mw_buf_printf(out,
		      "From: noreply@rep.example\r\nTo: dmarc@example.com\r\n"
		      "Subject: Report Domain: example.com\r\nMIME-Version: 1.0\r\n"
		      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
		      "--b1\r\nContent-Type: text/plain\r\n\r\nThis is a DMARC report.\r\n"
		      "--b1\r\nContent-Type: %s; name=\"%s\"\r\n"
		      "Content-Transfer-Encoding: base64\r\n"
		      "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n",
		      ctype, fname, fname);
	for (int i = 0; i < n; i += 76) {
		mw_buf_append(out, b64 + i, (size_t)(n - i < 76 ? n - i : 76));
		mw_buf_puts(out, "\r\n");
	}
	mw_buf_puts(out, "--b1--\r\n");
	free(b64);
}

/* check_same - r parses to the RFC9990 document's values */
static void check_rfc9990(const void *d, size_t n, const char *what)
{
	mw_dr_report *r;
	mw_err e;
	if (parse(d, n, &r, &e) != MW_OK)
		fail_msg("%s: %s", what, e.msg);
	assert_string_equal(r->report_id, "id-1");
	assert_int_equal(r->n_records, 2);
	assert_int_equal(r->messages, 10);
	mw_dr_free(r);
}

/* The same report as .xml.gz, .zip, and e-mails with either attachment. */
static void test_containers(void **state)
{
	(void)state;
	mw_buf gz, zp, m1, m2, m3;
	gzip_buf(RFC9990, strlen(RFC9990), &gz);
	zip_buf("rep!example.com!1700000000!1700086399.xml", RFC9990, strlen(RFC9990), &zp);
	assert_int_equal(mw_pack_detect(gz.data, gz.len), MW_PACK_GZIP);
	assert_int_equal(mw_pack_detect(zp.data, zp.len), MW_PACK_ZIP);
	check_rfc9990(gz.data, gz.len, "gzip");
	check_rfc9990(zp.data, zp.len, "zip");
	mail_buf("application/gzip", "r.xml.gz", &gz, &m1);
	mail_buf("application/x-zip-compressed", "r.zip", &zp, &m2);
	mw_buf raw = {.data = (char *)RFC9990, .len = strlen(RFC9990)};
	mail_buf("text/xml", "r.xml", &raw, &m3);
	check_rfc9990(m1.data, m1.len, "mail gzip");
	check_rfc9990(m2.data, m2.len, "mail zip");
	check_rfc9990(m3.data, m3.len, "mail xml");
	mw_buf_free(&gz);
	mw_buf_free(&zp);
	mw_buf_free(&m1);
	mw_buf_free(&m2);
	mw_buf_free(&m3);
}

#define LAUGHS                                                                       \
	"<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY a \"aaaaaaaaaa\">"       \
	"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">" \
	"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">" \
	"<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">" \
	"<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">" \
	"]><feedback><report_metadata><org_name>&i;</org_name><report_id>x</report_id>" \
	"</report_metadata></feedback>"

#define XXE                                                                          \
	"<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" \
	"<feedback><report_metadata><org_name>&x;</org_name></report_metadata></feedback>"

/* Malformed text documents: each refused with the expected code and words. */
static void test_bad_documents(void **state)
{
	(void)state;
	static const struct {
		const char *doc, *words;
		mw_status want;
	} cases[] = {
		{"", "empty", MW_EPARSE},
		{"   \n", "", MW_EPARSE},
		{"<foo><bar/></foo>", "root <foo>", MW_EPARSE},
		{"<feedback><version>1.0</version></feedback>", "without report_metadata", MW_EPARSE},
		{LAUGHS, "entity", MW_EPARSE},
		{XXE, "entity", MW_EPARSE},
		{"<!DOCTYPE feedback SYSTEM \"http://192.0.2.1/x.dtd\"><feedback><report_metadata/></feedback>",
		 "DTD", MW_EPARSE},
		{"hello world, no headers at all", "neither XML, gzip, zip", MW_EPARSE},
		{"From: a@b.example\r\nSubject: hi\r\n\r\nplain text only\r\n", "attachment",
		 MW_ENOTFOUND},
		{"\x1f\x8b\x08\x00garbage-after-gzip-header", "gzip", MW_EPARSE},
		{"PK\x03\x04not-a-real-zip-archive-at-all", "zip", MW_EPARSE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_dr_report *r = (mw_dr_report *)&cases[i];
		mw_err e;
		size_t n = strlen(cases[i].doc);
		if (i == 9 || i == 10)
			n = strlen(cases[i].doc + 4) + 4; /* embedded NUL in the gzip header */
		mw_status st = parse(cases[i].doc, n, &r, &e);
		if (st != cases[i].want || !strstr(e.msg, cases[i].words))
			fail_msg("case %zu: got %s \"%s\", want %s with \"%s\"", i,
				 mw_status_str(st), e.msg, mw_status_str(cases[i].want),
				 cases[i].words);
		assert_null(r);
	}
}

/* A gzip of 100 MiB of zeros stops at the ratio/size limit, not at 100 MiB. */
static void test_gzip_bomb(void **state)
{
	(void)state;
	mw_buf gz;
	gzip_buf(NULL, 100u << 20, &gz);
	assert_true(gz.len < 200000);
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(gz.data, gz.len, &r, &e), MW_ETOOBIG);
	assert_non_null(strstr(e.msg, "zip bomb"));
	mw_buf_free(&gz);
}

/* A zip whose entry is 16 MiB of zeros is refused from its declared size. */
static void test_zip_bomb(void **state)
{
	(void)state;
	size_t n = 16u << 20;
	char *zeros = calloc(1, n);
	mw_buf zp;
	zip_buf("bomb.xml", zeros, n, &zp);
	free(zeros);
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(zp.data, zp.len, &r, &e), MW_ETOOBIG);
	assert_non_null(strstr(e.msg, "zip bomb"));
	mw_buf_free(&zp);
}

/* A gzip stream cut in half is an error, never a short report. */
static void test_truncated_gzip(void **state)
{
	(void)state;
	mw_buf gz;
	gzip_buf(RFC9990, strlen(RFC9990), &gz);
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(gz.data, gz.len / 2, &r, &e), MW_EPARSE);
	assert_non_null(strstr(e.msg, "truncated gzip"));
	assert_null(r);
	assert_int_equal(parse(gz.data, gz.len - 4, &r, &e), MW_EPARSE); /* no length trailer */
	mw_buf_free(&gz);
}

/* Oversize input and too many records: MW_ETOOBIG before any work. */
static void test_oversize(void **state)
{
	(void)state;
	size_t n = MW_DR_INPUT_MAX + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '<';
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(big, n, &r, &e), MW_ETOOBIG);
	assert_non_null(strstr(e.msg, "over"));
	free(big);
	mw_buf doc;
	mw_buf_init(&doc, 64u << 20);
	mw_buf_puts(&doc, "<feedback><report_metadata/>");
	for (int i = 0; i <= MW_DR_RECORDS_MAX; i++)
		mw_buf_puts(&doc, "<record/>");
	mw_buf_puts(&doc, "</feedback>");
	assert_int_equal(parse(doc.data, doc.len, &r, &e), MW_ETOOBIG);
	assert_non_null(strstr(e.msg, "records"));
	mw_buf_free(&doc);
}

/* A long value is cut at MW_DR_FIELD_MAX bytes; bad UTF-8 does not stop parsing. */
static void test_long_and_bad_bytes(void **state)
{
	(void)state;
	mw_buf doc;
	mw_buf_init(&doc, 1 << 20);
	mw_buf_puts(&doc, "<feedback><report_metadata><org_name>");
	for (int i = 0; i < 10000; i++)
		mw_buf_putc(&doc, 'x');
	mw_buf_puts(&doc, "</org_name><report_id>\xff\xfe id</report_id></report_metadata>"
			  "<policy_published><domain>example.com</domain></policy_published></feedback>");
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(doc.data, doc.len, &r, &e), MW_OK);
	assert_int_equal(strlen(r->org_name), MW_DR_FIELD_MAX);
	assert_non_null(r->report_id);
	assert_non_null(strstr(r->report_id, "id"));
	assert_string_equal(r->domain, "example.com");
	mw_dr_free(r);
	mw_buf_free(&doc);
}


/* Source classes from policy_evaluated, reasons and raw auth_results. */
static void test_classify(void **state)
{
	(void)state;
	mw_dr_auth dk_pass_other = {.domain = "esp.example", .result = "pass"};
	mw_dr_auth dk_fail_own = {.domain = "example.com", .result = "fail"};
	mw_dr_auth spf_pass_other = {.domain = "bounce.esp.example", .result = "pass"};
	mw_dr_auth spf_fail = {.domain = "example.com", .result = "fail"};
	mw_dr_reason fwd = {.type = "forwarded"}, list = {.type = "mailing_list"};
	static const char *hf = "example.com";
	struct {
		mw_dr_record r;
		mw_drs_class want;
	} cases[] = {
		{{.dkim = "pass", .spf = "fail", .header_from = hf}, MW_DRS_ALIGNED},
		{{.dkim = "fail", .spf = "pass", .header_from = hf}, MW_DRS_ALIGNED},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .dkim_res = &dk_pass_other, .n_dkim = 1},
		 MW_DRS_NOT_ALIGNED},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .spf_res = &spf_pass_other, .n_spf = 1},
		 MW_DRS_NOT_ALIGNED},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .reasons = &fwd, .n_reasons = 1},
		 MW_DRS_FORWARDER},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .reasons = &list, .n_reasons = 1,
		  .spf_res = &spf_pass_other, .n_spf = 1},
		 MW_DRS_FORWARDER},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .dkim_res = &dk_fail_own, .n_dkim = 1},
		 MW_DRS_FORWARDER},
		{{.dkim = "fail", .spf = "fail", .header_from = hf, .spf_res = &spf_fail, .n_spf = 1},
		 MW_DRS_UNAUTH},
		{{.header_from = hf}, MW_DRS_UNAUTH},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (mw_drs_classify(&cases[i].r) != cases[i].want)
			fail_msg("case %zu: got %s want %s", i,
				 mw_drs_class_name(mw_drs_classify(&cases[i].r)),
				 mw_drs_class_name(cases[i].want));
}

/* The summary of RFC9990: per-source totals, classes, and a verdict. */
static void test_summary(void **state)
{
	(void)state;
	mw_dr_report *r;
	mw_err e;
	assert_int_equal(parse(RFC9990, strlen(RFC9990), &r, &e), MW_OK);
	mw_drs *s = mw_drs_new();
	bool dup = true;
	assert_int_equal(mw_drs_add(s, r, &dup, &e), MW_OK);
	assert_false(dup);
	assert_int_equal(mw_drs_add(s, r, &dup, &e), MW_OK); /* same report again: skipped */
	assert_true(dup);
	assert_int_equal(mw_drs_duplicates(s), 1);
	r->report_id = "id-2"; /* a different report: counts double */
	assert_int_equal(mw_drs_add(s, r, &dup, &e), MW_OK);
	assert_false(dup);
	mw_dr_free(r);
	size_t n;
	const mw_drs_source *const *src = mw_drs_sources(s, &n);
	assert_int_equal(n, 2);
	assert_string_equal(src[0]->ip, "192.0.2.1");
	assert_int_equal(src[0]->messages, 14);
	assert_int_equal(src[0]->cls, MW_DRS_ALIGNED);
	assert_int_equal(src[0]->dkim_aligned, 14);
	assert_int_equal(src[0]->spf_pass, 14);
	assert_int_equal(src[0]->spf_aligned, 0);
	assert_string_equal(src[1]->ip, "2001:db8::1");
	assert_int_equal(src[1]->cls, MW_DRS_UNAUTH);
	assert_int_equal(src[1]->by_disp[MW_DRS_REJECT], 6);
	const mw_drs_reporter *const *rep = mw_drs_reporters(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rep[0]->reports, 2);
	assert_int_equal(rep[0]->messages, 20);
	assert_int_equal(rep[0]->aligned, 14);
	assert_string_equal(mw_drs_policy(s), "reject");
	const char *adv[8];
	size_t na = mw_drs_advice(s, adv, 8);
	assert_int_equal(na, 3);
	assert_non_null(strstr(adv[0], "70.0% of 20 messages"));
	assert_non_null(strstr(adv[1], "6 messages (30.0%) from unauthorised"));
	assert_non_null(strstr(adv[2], "already at p=reject"));
	mw_drs_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9990_fields),  cmocka_unit_test(test_rfc7489_lenient),
		cmocka_unit_test(test_containers),      cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_gzip_bomb),       cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_truncated_gzip),  cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_long_and_bad_bytes), cmocka_unit_test(test_classify),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
