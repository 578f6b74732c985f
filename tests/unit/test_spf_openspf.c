/*
 * test_spf_openspf.c - the OpenSPF conformance suites, from their original
 * YAML files in ../shared/testdata/spf-openspf (see SOURCES.md there):
 *   rfc7208-tests.yml  every one of its 203 cases must pass;
 *   rfc4408-tests.yml  the cases whose rule RFC 7208 did not change (the
 *                      others are listed below with the reason).
 *
 * Zone conventions of the reference driver (pyspf test/testspf.py):
 *   - "TIMEOUT" under a name: queries of that name time out for every type
 *     not listed before the TIMEOUT item (later items are never served);
 *   - "TXT: NONE": no TXT record (NODATA);
 *   - every "SPF:" value is also published as TXT unless the name has an
 *     explicit TXT entry (the generated TXT come last, after any TIMEOUT);
 *   - the default explanation is the literal string "DEFAULT";
 *   - "result" may be a list: any listed result is accepted.
 * Set SPF_TEST_VERBOSE=1 to print the trace of every failing case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/spf.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "testutil.h"

#ifndef MW_HAVE_YAML
int main(void)
{
	printf("SKIP: built without libyaml (yaml-0.1)\n");
	return 77;
}
#else
#include <yaml.h>

/* RFC 4408 cases whose expected result RFC 7208 changed.  None needs to be
 * left out: where RFC 7208 changed a rule (the MX limit, void lookups, the
 * SPF RR type) the RFC 4408 file already lists the newer result as an
 * accepted alternative, so all 191 cases run.  Add a case here, with its
 * reason, if a later copy of the file tightens one of them. */
static const struct {
	const char *name;
	const char *reason;
} rfc4408_excluded[] = {
	{"", ""},
};

typedef struct counts {
	int passed, failed;
} counts;

/* sc - scalar text of a node ("" if not a scalar) */
static const char *sc(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

/* map_get - value node of key in a mapping, or NULL */
static yaml_node_t *map_get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (strcmp(sc(yaml_document_get_node(d, p->key)), key) == 0)
			return yaml_document_get_node(d, p->value);
	return NULL;
}

/* txt_value - a TXT/SPF value: one string or a list joined without spaces */
static size_t txt_value(yaml_document_t *d, const yaml_node_t *v, char *out, size_t max)
{
	size_t n = 0;
	if (v->type == YAML_SCALAR_NODE) {
		n = v->data.scalar.length < max ? v->data.scalar.length : max;
		memcpy(out, v->data.scalar.value, n);
		return n;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start;
	     v->type == YAML_SEQUENCE_NODE && i < v->data.sequence.items.top; i++) {
		yaml_node_t *s = yaml_document_get_node(d, *i);
		size_t k = s->data.scalar.length;
		if (n + k > max)
			break;
		memcpy(out + n, s->data.scalar.value, k);
		n += k;
	}
	return n;
}

/* add_item - one {TYPE: value} item of a name */
static void add_item(dns_zone *z, yaml_document_t *d, const char *name, const char *type,
		     yaml_node_t *v, bool publish_spf)
{
	static char txt[65536];
	if (strcmp(type, "TXT") == 0 || strcmp(type, "SPF") == 0) {
		if (strcmp(sc(v), "NONE") == 0)
			return;
		if (type[0] == 'S' && !publish_spf)
			return;
		size_t n = txt_value(d, v, txt, sizeof(txt) - 1);
		assert_int_equal(dns_zone_add_txt(z, name, txt, n, 300), MW_OK);
	} else if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
		assert_int_equal(dns_zone_add_ip(z, name, sc(v), 300), MW_OK);
	} else if (strcmp(type, "MX") == 0) {
		yaml_node_t *pref = yaml_document_get_node(d, v->data.sequence.items.start[0]);
		yaml_node_t *host = yaml_document_get_node(d, v->data.sequence.items.start[1]);
		assert_int_equal(dns_zone_add_name(z, name, DNS_T_MX, (uint16_t)atoi(sc(pref)), sc(host), 300),
				 MW_OK);
	} else if (strcmp(type, "PTR") == 0 || strcmp(type, "CNAME") == 0) {
		dns_type t = type[0] == 'P' ? DNS_T_PTR : DNS_T_CNAME;
		assert_int_equal(dns_zone_add_name(z, name, t, 0, sc(v), 300), MW_OK);
	} else {
		fail_msg("unknown zonedata type %s at %s", type, name);
	}
}

/* build_zone - the scenario's zonedata as an in-memory zone */
static dns_zone *build_zone(yaml_document_t *d, const yaml_node_t *zd)
{
	dns_zone *z = dns_zone_new();
	assert_non_null(z);
	for (yaml_node_pair_t *p = zd ? zd->data.mapping.pairs.start : NULL; p && p < zd->data.mapping.pairs.top; p++) {
		const char *name = sc(yaml_document_get_node(d, p->key));
		yaml_node_t *items = yaml_document_get_node(d, p->value);
		bool has_txt = false, timeout = false;
		for (yaml_node_item_t *i = items->data.sequence.items.start; i < items->data.sequence.items.top; i++) {
			yaml_node_t *it = yaml_document_get_node(d, *i);
			if (it->type == YAML_SCALAR_NODE && strcmp(sc(it), "TIMEOUT") == 0)
				timeout = true;
			else if (map_get(d, it, "TXT"))
				has_txt = true;
		}
		/* the name exists even when it has no record */
		assert_int_equal(dns_zone_set_fault(z, name, timeout ? DNS_FAULT_TIMEOUT : DNS_FAULT_NONE),
				 MW_OK);
		for (yaml_node_item_t *i = items->data.sequence.items.start; i < items->data.sequence.items.top; i++) {
			yaml_node_t *it = yaml_document_get_node(d, *i);
			if (it->type == YAML_SCALAR_NODE)
				break; /* TIMEOUT: nothing after it is served */
			yaml_node_pair_t *kv = it->data.mapping.pairs.start;
			const char *type = sc(yaml_document_get_node(d, kv->key));
			add_item(z, d, name, type, yaml_document_get_node(d, kv->value), !has_txt && !timeout);
		}
	}
	return z;
}

/* result_ok - got is the expected result or one of the listed ones */
static bool result_ok(yaml_document_t *d, const yaml_node_t *want, const char *got)
{
	if (want->type == YAML_SCALAR_NODE)
		return strcmp(sc(want), got) == 0;
	for (yaml_node_item_t *i = want->data.sequence.items.start; i < want->data.sequence.items.top; i++)
		if (strcmp(sc(yaml_document_get_node(d, *i)), got) == 0)
			return true;
	return false;
}

/* excluded - reason if an RFC 4408 case is excluded, else NULL */
static const char *excluded(const char *name)
{
	for (size_t i = 0; i < sizeof(rfc4408_excluded) / sizeof(rfc4408_excluded[0]); i++)
		if (rfc4408_excluded[i].name[0] && strcmp(rfc4408_excluded[i].name, name) == 0)
			return rfc4408_excluded[i].reason;
	return NULL;
}

/* run_case - one test case; true if it passes */
static bool run_case(dns_zone *z, const char *tname, yaml_document_t *d, const yaml_node_t *t)
{
	spf_request req = {0};
	const char *host = sc(map_get(d, t, "host"));
	if (!spf_request_set_ip(&req, host))
		fail_msg("%s: bad host %s", tname, host);
	req.sender = sc(map_get(d, t, "mailfrom"));
	req.helo = sc(map_get(d, t, "helo"));
	req.default_exp = "DEFAULT";
	dns_cache *cache = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	spf_result res = {0};
	mw_err err;
	mw_err_clear(&err);
	mw_status st = spf_check_run(&req, r, cache, &res, &err);
	/* the same case through a parsed-record cache must agree */
	spf_record_cache *rc = spf_record_cache_new();
	dns_cache *cache2 = dns_cache_new();
	spf_request req2 = req;
	req2.parsed = rc;
	spf_result res2 = {0};
	if (spf_check_run(&req2, r, cache2, &res2, &err) != st || res2.result != res.result)
		fail_msg("%s: result differs with a parsed-record cache", tname);
	spf_result_free(&res2);
	dns_cache_free(cache2);
	spf_record_cache_free(rc);
	const char *got = st == MW_OK ? mw_auth_result_name(res.result) : "(engine error)";
	const yaml_node_t *want = map_get(d, t, "result");
	const yaml_node_t *wexp = map_get(d, t, "explanation");
	bool ok = st == MW_OK && result_ok(d, want, got);
	const char *gexp = res.explanation ? res.explanation : "";
	if (ok && wexp && strcmp(sc(wexp), gexp) != 0)
		ok = false;
	if (!ok) {
		printf("FAIL %s: got %s want %s", tname, got,
		       want->type == YAML_SCALAR_NODE ? sc(want) : "(list)");
		if (wexp)
			printf(" explanation got \"%s\" want \"%s\"", gexp, sc(wexp));
		printf(" problem: %s\n", res.problem ? res.problem : "-");
		if (getenv("SPF_TEST_VERBOSE"))
			for (size_t i = 0; i < res.ntrace; i++)
				printf("    %s\n", res.trace[i]);
	}
	spf_result_free(&res);
	dns_resolver_free(r);
	dns_cache_free(cache);
	return ok;
}

/* run_suite - every scenario of a YAML file */
static counts run_suite(const char *rel, bool rfc4408)
{
	counts c = {0, 0};
	const char *path = testdata_or_skip(rel);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yaml_parser_t parser;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc))
			fail_msg("%s: YAML error: %s", rel, parser.problem);
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		dns_zone *z = build_zone(&doc, map_get(&doc, root, "zonedata"));
		yaml_node_t *tests = map_get(&doc, root, "tests");
		for (yaml_node_pair_t *p = tests->data.mapping.pairs.start; p < tests->data.mapping.pairs.top; p++) {
			const char *tname = sc(yaml_document_get_node(&doc, p->key));
			if (rfc4408 && excluded(tname))
				continue;
			if (run_case(z, tname, &doc, yaml_document_get_node(&doc, p->value)))
				c.passed++;
			else
				c.failed++;
		}
		dns_zone_free(z);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	printf("%s: %d passed, %d failed\n", rel, c.passed, c.failed);
	return c;
}

/* Every case of the RFC 7208 suite passes (203 cases). */
static void test_rfc7208_suite(void **state)
{
	(void)state;
	counts c = run_suite("spf-openspf/rfc7208-tests.yml", false);
	assert_int_equal(c.passed + c.failed, 203);
	assert_int_equal(c.failed, 0);
}

/* The RFC 4408 cases whose rule RFC 7208 kept pass. */
static void test_rfc4408_suite(void **state)
{
	(void)state;
	counts c = run_suite("spf-openspf/rfc4408-tests.yml", true);
	assert_int_equal(c.passed + c.failed, 191);
	assert_int_equal(c.failed, 0);
}

int main(void)
{
	testdata_or_skip("spf-openspf/rfc7208-tests.yml");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7208_suite),
		cmocka_unit_test(test_rfc4408_suite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
