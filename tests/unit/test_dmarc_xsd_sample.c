/*
 * test_dmarc_xsd_sample.c - tests/data/dmarc/rfc9990.xsd against real
 * documents from ../shared/testdata (skipped, exit 77, without it):
 *   - the RFC 9990 sample report (parsedmarc's rfc9990-sample.xml and
 *     mail-auth's 004.xml) validates;
 *   - RFC 7489-era reports (no dmarc-2.0 namespace) do not: the schema is
 *     for RFC 9990 documents;
 *   - the sample, read by report/aggregate.h and written again by
 *     report/generate.h, still validates and reads back identically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "report/aggregate.h"
#include "report/generate.h"
#include "testutil.h"

#define XSD MW_SOURCE_DIR "/tests/data/dmarc/rfc9990.xsd"

static void no_errors(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* validate - 0 when the document is valid */
static int validate(const char *xml, size_t len, bool quiet)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(XSD);
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	assert_non_null(schema);
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	if (quiet)
		xmlSchemaSetValidStructuredErrors(vc, no_errors, NULL);
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "sample.xml", NULL, XML_PARSE_NONET);
	int rc = doc ? xmlSchemaValidateDoc(vc, doc) : -1;
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc;
}

static void test_samples_valid(void **state)
{
	(void)state;
	static const char *const valid[] = {
		"dmarc-reports-parsedmarc/aggregate/rfc9990-sample.xml",
		"dmarc-reports-mail-auth/004.xml",
	};
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		size_t len;
		char *x = read_file_or_die(testdata_path(valid[i]), &len);
		if (validate(x, len, false) != 0)
			fail_msg("%s does not validate", valid[i]);
		free(x);
	}
	static const char *const old[] = {
		"dmarc-reports-mail-auth/001.xml",
		"dmarc-reports-mail-auth/005.xml",
		"dmarc-reports-parsedmarc/aggregate/old_draft_from_wiki.xml",
	};
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		size_t len;
		char *x = read_file_or_die(testdata_path(old[i]), &len);
		if (validate(x, len, true) == 0)
			fail_msg("%s (RFC 7489 era, no namespace) validates", old[i]);
		free(x);
	}
}

static void test_sample_rewritten(void **state)
{
	(void)state;
	size_t len;
	char *x = read_file_or_die(
		testdata_path("dmarc-reports-parsedmarc/aggregate/rfc9990-sample.xml"), &len);
	mw_dr_report *a, *b;
	mw_err err;
	assert_int_equal(mw_dr_parse_xml(x, len, &a, &err), MW_OK);
	assert_string_equal(a->report_id, "3v98abbp8ya9n3va8yr8oa3ya");
	mw_buf out;
	mw_buf_init(&out, MW_DRGEN_XML_MAX);
	assert_int_equal(mw_drgen_xml(a, &out, &err), MW_OK);
	assert_int_equal(validate(out.data, out.len, false), 0);
	assert_int_equal(mw_dr_parse_xml(out.data, out.len, &b, &err), MW_OK);
	assert_string_equal(b->org_name, "Sample Reporter");
	assert_string_equal(b->report_id, a->report_id);
	assert_int_equal(b->begin, 302832000);
	assert_int_equal(b->end, 302918399);
	assert_string_equal(b->p, "quarantine");
	assert_string_equal(b->np, "none");
	assert_string_equal(b->testing, "n");
	assert_string_equal(b->discovery_method, "treewalk");
	assert_int_equal(b->n_records, 1);
	assert_int_equal(b->messages, 123);
	const mw_dr_record *r = &b->records[0];
	assert_string_equal(r->source_ip, "192.0.2.123");
	assert_string_equal(r->disposition, "pass");
	assert_string_equal(r->dkim, "pass");
	assert_string_equal(r->spf, "fail");
	assert_string_equal(r->envelope_from, "example.com");
	assert_int_equal(r->n_dkim, 1);
	assert_string_equal(r->dkim_res[0].selector, "abc123");
	assert_int_equal(r->n_spf, 1);
	assert_string_equal(r->spf_res[0].result, "fail");
	mw_dr_free(a);
	mw_dr_free(b);
	mw_buf_free(&out);
	free(x);
}

int main(void)
{
	testdata_or_skip("dmarc-reports-parsedmarc/aggregate/rfc9990-sample.xml");
	testdata_or_skip("dmarc-reports-mail-auth/004.xml");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_valid),
		cmocka_unit_test(test_sample_rewritten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
