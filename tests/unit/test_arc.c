/*
 * test_arc.c - ARC (RFC 8617) against the ValiMail suite, read from its
 * original YAML files (../shared/testdata/arc-valimail), and the real
 * mail-auth 001.txt message; plus seal-then-validate round trips.
 *
 * Validation: every test's message (LF in YAML; mw_message_parse makes it
 * CRLF) is validated against the scenario's txt-records; the cv must equal
 * the expected one (case-insensitive, trimmed; "" means fail, see
 * SOURCES.md: the newest seal already says cv=fail, RFC 8617 §5.2).
 *
 * Signing: for each test we validate the input chain, seal with the suite's
 * key, domain, selector, t= and h=, then check
 *   - the AAR equals the expected one (white space normalised),
 *   - every AMS tag equals the expected one, b= included (RSA PKCS#1 v1.5
 *     is deterministic, so equal b= means equal canonicalization and hash),
 *   - every AS tag except b= equals the expected one, and
 *   - the sealed message validates with our verifier (cv=pass), and the
 *     suite's own expected set, prepended as the suite folds it, validates
 *     too.  The AS b= itself is not compared: it covers the AMS as folded
 *     by the reference signer, and folding is the signer's choice.
 *   - "no_additional_sig": a chain whose newest seal says cv=fail gets no
 *     new set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/arc.h"
#include "auth/dkim_crypto.h"
#include "auth/taglist.h"
#include "dns/lookup.h"
#include "dns/zone.h"
#include "mail/message.h"
#include "testutil.h"

#pragma GCC diagnostic ignored "-Wformat-truncation" /* reasons may be cut short */

/* validate - cv of a raw message against a zone */
static mw_auth_result validate(dns_zone *z, const char *raw, size_t len, char *reason, size_t n)
{
	mw_message m;
	mw_err err;
	if (mw_message_parse(raw, len, &m, &err) != MW_OK) {
		snprintf(reason, n, "message: %s", err.msg);
		return MW_AUTH_PERMERROR;
	}
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	mw_arc_verify v;
	assert_int_equal(mw_arc_verify_init(&v, &m, 1700000000), MW_OK);
	mw_status st = mw_arc_verify_run(&v, &lk, r, &err);
	assert_int_equal(st, MW_OK);
	mw_auth_result cv = v.cv;
	snprintf(reason, n, "%s", v.reason);
	mw_arc_verify_free(&v);
	dns_cache_free(cache);
	dns_resolver_free(r);
	mw_message_free(&m);
	return cv;
}

#ifdef MW_HAVE_YAML
#include <yaml.h>

/* sc - scalar text ("" for non-scalars) */
static const char *sc(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

/* map_get - value of key in a mapping, or NULL */
static yaml_node_t *map_get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (strcmp(sc(yaml_document_get_node(d, p->key)), key) == 0)
			return yaml_document_get_node(d, p->value);
	return NULL;
}

/* build_zone - txt-records: name -> TXT value (line breaks of folded YAML removed) */
static dns_zone *build_zone(yaml_document_t *d, const yaml_node_t *root)
{
	dns_zone *z = dns_zone_new();
	yaml_node_t *tr = map_get(d, root, "txt-records");
	if (!tr)
		tr = map_get(d, root, "txt_records");
	for (yaml_node_pair_t *p = tr ? tr->data.mapping.pairs.start : NULL;
	     p && p < tr->data.mapping.pairs.top; p++) {
		const char *name = sc(yaml_document_get_node(d, p->key));
		const char *v = sc(yaml_document_get_node(d, p->value));
		char buf[8192];
		size_t k = 0;
		for (; *v && k < sizeof(buf) - 1; v++)
			if (*v != '\n' && *v != '\r')
				buf[k++] = *v;
		buf[k] = '\0';
		assert_int_equal(dns_zone_add_txt(z, name, buf, k, 300), MW_OK);
	}
	return z;
}

/* want_cv - the expected cv word, lower-cased and trimmed; "" -> "fail" */
static const char *want_cv(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	while (*s == ' ')
		s++;
	for (; *s && k < n - 1; s++)
		buf[k++] = (char)tolower((unsigned char)*s);
	while (k && (buf[k - 1] == ' ' || buf[k - 1] == '\n'))
		k--;
	buf[k] = '\0';
	return k ? buf : "fail";
}

/* Where our RFC-derived result deliberately differs from the suite. */
static const struct {
	const char *name, *ours, *why;
} deviations[] = {
	{"ams_fields_c_na", "fail",
	 "the AMS has no c= but was hashed relaxed/relaxed; RFC 8617 §4.1.2 gives the AMS DKIM's "
	 "semantics, whose c= default is simple/simple (RFC 6376 §3.5), under which it does not "
	 "verify"},
};

/* deviation - our deliberate result for a test, or NULL */
static const char *deviation(const char *name)
{
	for (size_t i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		if (strcmp(deviations[i].name, name) == 0)
			return deviations[i].ours;
	return NULL;
}

/* The ValiMail validation suite: every test gives the expected cv. */
static void test_valimail_validation(void **state)
{
	(void)state;
	const char *path = testdata_or_skip("arc-valimail/arc-draft-validation-tests.yml");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yaml_parser_t parser;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	unsigned total = 0, passed = 0, ndev = 0;
	for (;;) {
		yaml_document_t doc;
		assert_true(yaml_parser_load(&parser, &doc));
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		dns_zone *z = build_zone(&doc, root);
		yaml_node_t *tests = map_get(&doc, root, "tests");
		for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
		     p < tests->data.mapping.pairs.top; p++) {
			const char *name = sc(yaml_document_get_node(&doc, p->key));
			yaml_node_t *t = yaml_document_get_node(&doc, p->value);
			const char *msg = sc(map_get(&doc, t, "message"));
			char wbuf[32], reason[512];
			const char *want = want_cv(sc(map_get(&doc, t, "cv")), wbuf, sizeof(wbuf));
			mw_auth_result cv = validate(z, msg, strlen(msg), reason, sizeof(reason));
			const char *got = mw_arc_cv_name(cv);
			const char *dev = deviation(name);
			total++;
			if (strcmp(got, want) == 0 && !dev)
				passed++;
			else if (dev && strcmp(got, dev) == 0)
				ndev++, printf("DEVIATION %s: cv=%s, suite says %s (%s)\n", name, got,
					       want, reason);
			else
				printf("FAIL %s: got cv=%s want %s (%s)\n", name, got, want, reason);
		}
		dns_zone_free(z);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	printf("ValiMail validation: %u/%u as the suite says, %u deliberate deviation(s)\n", passed,
	       total, ndev);
	/* 175 entries: 171 distinct names, 4 names appear twice in the file */
	assert_int_equal(total, 175);
	assert_int_equal(ndev, sizeof(deviations) / sizeof(deviations[0]));
	assert_int_equal(passed + ndev, total);
}

static bool tags_same(const mw_taglist *pa, const mw_taglist *pb, const char *skip, char *why,
		      size_t n);

/* tags_equal - compare tag lists of two signature values, whitespace removed,
 * skipping tag `skip` (or none); describes the first difference in why */
static bool tags_equal(const char *got, const char *want, const char *skip, char *why, size_t n)
{
	mw_taglist a, b;
	mw_err err;
	char *g = strdup(got), *w = strdup(want); /* YAML has bare LFs: make them spaces */
	for (char *p = g; *p; p++)
		*p = (*p == '\r' || *p == '\n') ? ' ' : *p;
	for (char *p = w; *p; p++)
		*p = (*p == '\r' || *p == '\n') ? ' ' : *p;
	got = g;
	want = w;
	bool parsed = mw_taglist_parse(got, strlen(got), &a, &err) == MW_OK &&
		      mw_taglist_parse(want, strlen(want), &b, &err) == MW_OK;
	bool same = parsed && tags_same(&a, &b, skip, why, n);
	if (!parsed)
		snprintf(why, n, "tag list: %s", err.msg);
	free(g);
	free(w);
	return same;
}

/* tags_same - the two parsed lists hold the same tags and values (white space removed) */
static bool tags_same(const mw_taglist *pa, const mw_taglist *pb, const char *skip, char *why,
		      size_t n)
{
	const mw_taglist a = *pa, b = *pb;
	if (a.n != b.n) {
		snprintf(why, n, "%zu tags, want %zu", a.n, b.n);
		return false;
	}
	for (size_t i = 0; i < b.n; i++) {
		char name[32], va[4096], vb[4096];
		snprintf(name, sizeof(name), "%.*s", (int)b.tag[i].name_len, b.tag[i].name);
		const mw_tag *ta = mw_taglist_get(&a, name);
		if (skip && strcmp(name, skip) == 0)
			continue;
		if (!ta || !mw_tag_copy_nows(ta, va, sizeof(va)) ||
		    !mw_tag_copy_nows(&b.tag[i], vb, sizeof(vb)) || strcmp(va, vb) != 0) {
			snprintf(why, n, "tag %s differs", name);
			return false;
		}
	}
	return true;
}

/* norm_ws - collapse white space runs to one space, trim */
static void norm_ws(const char *s, char *out, size_t n)
{
	size_t k = 0;
	bool sp = false;
	for (; *s && k < n - 1; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			sp = k > 0;
			continue;
		}
		if (sp && k < n - 2)
			out[k++] = ' ';
		sp = false;
		out[k++] = *s;
	}
	out[k] = '\0';
}

/* value_of - the text after "Name: " of a field we produced */
static const char *value_of(const char *field)
{
	const char *c = strchr(field, ':');
	return c ? c + 2 : field;
}

/* yaml_block_as_field - "Name: " + the YAML block's lines joined by CRLF SP */
static char *yaml_block_as_field(const char *name, const char *block, bool signature)
{
	size_t n = strlen(name) + 2 * strlen(block) + 16;
	char *out = malloc(n);
	size_t k = (size_t)snprintf(out, n, "%s: ", name);
	for (const char *p = block; *p; p++) { /* the standardized format: one space after ';' */
		if (*p == '\n') {
			if (p[1] == '\0')
				break;
			if (!signature || (k && out[k - 1] == ';'))
				out[k++] = ' ';
		} else if (!signature || *p != ' ' || (k && out[k - 1] == ';')) {
			out[k++] = *p;
		}
	}
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	return out;
}

typedef struct sign_counts {
	unsigned total, aar, ams, as_tags, sealed_valid, ref_valid, ref_checked, refused;
} sign_counts;

/* prepend3 - message text with three fields on top, CRLF-joined */
static char *prepend3(const char *a, const char *b, const char *c, const mw_message *m, size_t *len)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 6 + m->len;
	char *out = malloc(n + 1);
	*len = (size_t)snprintf(out, n + 1, "%s\r\n%s\r\n%s\r\n", a, b, c);
	memcpy(out + *len, m->data, m->len);
	*len += m->len;
	out[*len] = '\0';
	return out;
}

/* sign_case - seal one signing test and compare (see the file comment) */
static bool sign_case(dns_zone *z, EVP_PKEY *key, const char *domain, const char *sel,
		      yaml_document_t *d, const yaml_node_t *t, sign_counts *c, char *why, size_t n)
{
	const char *raw = sc(map_get(d, t, "message"));
	mw_message m;
	assert_int_equal(mw_message_parse(raw, strlen(raw), &m, NULL), MW_OK);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	mw_arc_verify chain;
	assert_int_equal(mw_arc_verify_init(&chain, &m, 1700000000), MW_OK);
	assert_int_equal(mw_arc_verify_run(&chain, &lk, r, NULL), MW_OK);
	mw_arc_seal_opts o = {domain, sel, sc(map_get(d, t, "srv-id")), key,
			      sc(map_get(d, t, "sig-headers")), NULL,
			      (time_t)atoll(sc(map_get(d, t, "t"))), NULL};
	mw_pool *pool = mw_pool_new(1 << 22);
	mw_arc_seal_out out;
	mw_err err;
	mw_err_clear(&err);
	mw_status st = mw_arc_seal(&m, &chain, &o, pool, &out, &err);
	const char *w_as = sc(map_get(d, t, "AS")), *w_ams = sc(map_get(d, t, "AMS"));
	const char *w_aar = sc(map_get(d, t, "AAR"));
	char g[8192], w[8192];
	bool ok = true, expect_none = strspn(w_as, " \n") == strlen(w_as);
	c->total++;
	if (expect_none) {
		ok = st == MW_EINVAL;
		c->refused += ok;
		snprintf(why, n, "expected no new set, got %s (%s)", mw_status_str(st), err.msg);
		goto done;
	}
	if (st != MW_OK) {
		snprintf(why, n, "seal failed: %s", err.msg);
		ok = false;
		goto done;
	}
	norm_ws(value_of(out.aar), g, sizeof(g));
	norm_ws(w_aar, w, sizeof(w));
	if (strcmp(g, w) == 0)
		c->aar++;
	else
		ok = false, snprintf(why, n, "AAR '%s' want '%s'", g, w);
	if (tags_equal(value_of(out.ams), w_ams, NULL, g, sizeof(g)))
		c->ams++;
	else
		ok = false, printf("  AMS: %s\n  got  %s\n  want %s\n", g, out.ams, w_ams);
	if (tags_equal(value_of(out.as), w_as, NULL, g, sizeof(g)))
		c->as_tags++;
	else
		ok = false, printf("  AS: %s\n", g);
	/* our sealed message validates */
	size_t len;
	char *sealed = prepend3(out.as, out.ams, out.aar, &m, &len);
	char reason[512];
	mw_auth_result cv = validate(z, sealed, len, reason, sizeof(reason));
	free(sealed);
	bool want_pass = out.cv != MW_AUTH_FAIL;
	if ((cv == MW_AUTH_PASS) == want_pass)
		c->sealed_valid++;
	else
		ok = false, snprintf(why, n, "sealed message cv=%s (%s)", mw_arc_cv_name(cv), reason);
	/* the suite's expected set validates with our verifier */
	if (want_pass) {
		char *fas = yaml_block_as_field("ARC-Seal", w_as, true);
		char *fams = yaml_block_as_field("ARC-Message-Signature", w_ams, true);
		char *faar = yaml_block_as_field("ARC-Authentication-Results", w_aar, false);
		char *ref = prepend3(fas, fams, faar, &m, &len);
		c->ref_checked++;
		cv = validate(z, ref, len, reason, sizeof(reason));
		if (cv == MW_AUTH_PASS)
			c->ref_valid++;
		else
			ok = false, snprintf(why, n, "reference set cv=%s (%s)", mw_arc_cv_name(cv), reason);
		free(fas);
		free(fams);
		free(faar);
		free(ref);
	}
done:
	mw_pool_free(pool);
	mw_arc_verify_free(&chain);
	dns_cache_free(cache);
	dns_resolver_free(r);
	mw_message_free(&m);
	return ok;
}

/* The ValiMail signing suite. */
static void test_valimail_signing(void **state)
{
	(void)state;
	const char *path = testdata_or_skip("arc-valimail/arc-draft-sign-tests.yml");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yaml_parser_t parser;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	sign_counts c = {0};
	unsigned passed = 0;
	for (;;) {
		yaml_document_t doc;
		assert_true(yaml_parser_load(&parser, &doc));
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		dns_zone *z = build_zone(&doc, root);
		const char *pem = sc(map_get(&doc, root, "privatekey"));
		EVP_PKEY *key = NULL;
		assert_int_equal(mw_dkim_load_private_key(pem, strlen(pem), &key, NULL), MW_OK);
		yaml_node_t *tests = map_get(&doc, root, "tests");
		for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
		     p < tests->data.mapping.pairs.top; p++) {
			const char *name = sc(yaml_document_get_node(&doc, p->key));
			char why[1024] = "";
			if (sign_case(z, key, sc(map_get(&doc, root, "domain")),
				      sc(map_get(&doc, root, "sel")), &doc,
				      yaml_document_get_node(&doc, p->value), &c, why, sizeof(why)))
				passed++;
			else
				printf("FAIL %s: %s\n", name, why);
		}
		EVP_PKEY_free(key);
		dns_zone_free(z);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	printf("ValiMail signing: %u/%u tests; AAR %u, AMS (b= included) %u, AS tags %u, "
	       "sealed validates %u, reference set validates %u/%u, refused %u\n",
	       passed, c.total, c.aar, c.ams, c.as_tags, c.sealed_valid, c.ref_valid, c.ref_checked,
	       c.refused);
	assert_int_equal(c.total, 17);
	assert_int_equal(passed, c.total);
}

/* The ValiMail signing key (RSA 1024) and its public record, for edge cases. */
static const char edge_pem[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
	"Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
	"KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
	"AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
	"6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
	"zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
	"6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
	"uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
	"WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
	"WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
	"licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
	"o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
	"uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
	"-----END RSA PRIVATE KEY-----\n";
static const char edge_pub[] =
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6"
	"wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO"
	"9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

/* seal_text - raw + one sealed set (malloc'd); st_out gets mw_arc_seal's status */
static char *seal_text(dns_zone *z, const char *raw, EVP_PKEY *key, mw_status *st_out)
{
	mw_message m;
	assert_int_equal(mw_message_parse(raw, strlen(raw), &m, NULL), MW_OK);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	mw_arc_verify v;
	assert_int_equal(mw_arc_verify_init(&v, &m, 1700000000), MW_OK);
	assert_int_equal(mw_arc_verify_run(&v, &lk, r, NULL), MW_OK);
	mw_pool *pool = mw_pool_new(1 << 22);
	mw_arc_seal_opts o = {"example.org", "k", "mx.example.org", key, NULL, "spf=pass", 1700000000, NULL};
	mw_arc_seal_out out;
	size_t len;
	char *res = NULL;
	*st_out = mw_arc_seal(&m, &v, &o, pool, &out, NULL);
	if (*st_out == MW_OK)
		res = prepend3(out.as, out.ams, out.aar, &m, &len);
	mw_pool_free(pool);
	mw_arc_verify_free(&v);
	dns_cache_free(cache);
	dns_resolver_free(r);
	mw_message_free(&m);
	return res;
}

/* Edge cases: key trouble, no body, instance limits, wrong key type. */
static void test_arc_edges(void **state)
{
	(void)state;
	EVP_PKEY *key = NULL, *ed = NULL;
	assert_int_equal(mw_dkim_load_private_key(edge_pem, strlen(edge_pem), &key, NULL), MW_OK);
	dns_zone *good = dns_zone_new(), *slow = dns_zone_new(), *revoked = dns_zone_new();
	dns_zone_add_txt(good, "k._domainkey.example.org", edge_pub, strlen(edge_pub), 300);
	dns_zone_set_fault(slow, "k._domainkey.example.org", DNS_FAULT_TIMEOUT);
	dns_zone_add_txt(revoked, "k._domainkey.example.org", "v=DKIM1; k=rsa; p=", 18, 300);
	char reason[512];
	mw_status st;
	/* a message without a body seals and validates */
	char *nobody = seal_text(good, "From: a@example.com\nTo: b@example.net\nSubject: x\n", key, &st);
	assert_int_equal(st, MW_OK);
	assert_int_equal(validate(good, nobody, strlen(nobody), reason, sizeof(reason)), MW_AUTH_PASS);
	/* the same chain: key lookup times out -> temperror; revoked key -> fail */
	assert_int_equal(validate(slow, nobody, strlen(nobody), reason, sizeof(reason)),
			 MW_AUTH_TEMPERROR);
	assert_int_equal(validate(revoked, nobody, strlen(nobody), reason, sizeof(reason)),
			 MW_AUTH_FAIL);
	assert_non_null(strstr(reason, "revoked"));
	/* a second hop, then a stray AAR claiming i=51 breaks the structure */
	char *two = seal_text(good, nobody, key, &st);
	assert_int_equal(st, MW_OK);
	assert_int_equal(validate(good, two, strlen(two), reason, sizeof(reason)), MW_AUTH_PASS);
	size_t n = strlen(two) + 64;
	char *bad = malloc(n);
	snprintf(bad, n, "ARC-Authentication-Results: i=51; x.example; none\r\n%s", two);
	assert_int_equal(validate(good, bad, strlen(bad), reason, sizeof(reason)), MW_AUTH_FAIL);
	snprintf(bad, n, "ARC-Authentication-Results: i=3; x.example; none\r\n%s", two);
	assert_int_equal(validate(good, bad, strlen(bad), reason, sizeof(reason)), MW_AUTH_FAIL);
	assert_non_null(strstr(reason, "incomplete"));
	/* Ed25519 keys cannot seal (ARC is rsa-sha256 only) */
	const char *ed_seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
	assert_int_equal(mw_dkim_load_private_key(ed_seed, strlen(ed_seed), &ed, NULL), MW_OK);
	assert_null(seal_text(good, nobody, ed, &st));
	assert_int_equal(st, MW_EINVAL);
	free(bad);
	free(two);
	free(nobody);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(key);
	dns_zone_free(good);
	dns_zone_free(slow);
	dns_zone_free(revoked);
}

#endif /* MW_HAVE_YAML */

/* Stalwart mail-auth 001.txt: a real list message with a Google ARC set. */
static void test_mail_auth_001(void **state)
{
	(void)state;
	size_t len;
	char *text = read_file_or_die(testdata_or_skip("arc-mail-auth/001.txt"), &len);
	char *sep = strstr(text, "\n\n");
	assert_non_null(sep);
	dns_zone *z = dns_zone_new();
	*sep = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		assert_non_null(sp);
		*sp = '\0';
		assert_int_equal(dns_zone_add_txt(z, line, sp + 1, strlen(sp + 1), 300), MW_OK);
	}
	const char *msg = sep + 2;
	char reason[512];
	mw_auth_result cv = validate(z, msg, len - (size_t)(msg - text), reason, sizeof(reason));
	if (cv != MW_AUTH_PASS)
		fail_msg("mail-auth 001: cv=%s (%s)", mw_arc_cv_name(cv), reason);
	dns_zone_free(z);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef MW_HAVE_YAML
		cmocka_unit_test(test_valimail_validation),
		cmocka_unit_test(test_valimail_signing),
		cmocka_unit_test(test_arc_edges),
#endif
		cmocka_unit_test(test_mail_auth_001),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
