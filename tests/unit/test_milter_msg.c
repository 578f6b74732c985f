/*
 * test_milter_msg.c - the milter's per-message logic (outbound/milter_msg.h)
 * without libmilter: direction from SASL/trusted networks, which A-R
 * fields are ours, header values for smfi_insheader, the header section
 * rebuilt from (name, value) pairs with and without SMFIP_HDR_LEADSPC,
 * malformed and oversize header sections, body without header, the scan
 * prefix, and end to end: a message signed simple/simple with odd spacing,
 * fed as an MTA would, verifies from the header section plus the streamed
 * body hashes only when the leading whitespace is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "auth/dkim.h"
#include "auth/dkim_sign.h"
#include "dns/zone.h"
#include "outbound/milter_msg.h"

static mw_cidr cidr(const char *ip, unsigned prefix)
{
	mw_cidr c;
	assert_true(mw_ip_parse(ip, &c.net));
	c.prefix = prefix;
	return c;
}

static void test_direction(void **state)
{
	(void)state;
	mw_cidr nets[2] = {cidr("10.0.0.0", 8), cidr("2001:db8::", 32)};
	static const struct {
		const char *auth, *ip;
		mw_milter_dir want;
	} cases[] = {
		{"alice", "192.0.2.1", MW_MILTER_OUTBOUND},   /* SASL wins */
		{"alice", NULL, MW_MILTER_OUTBOUND},
		{NULL, "10.1.2.3", MW_MILTER_OUTBOUND},       /* trusted v4 */
		{"", "2001:db8::25", MW_MILTER_OUTBOUND},     /* trusted v6 */
		{NULL, "192.0.2.1", MW_MILTER_INBOUND},
		{"", "11.0.0.1", MW_MILTER_INBOUND},          /* just outside 10/8 */
		{NULL, "2001:db9::1", MW_MILTER_INBOUND},
		{NULL, "::ffff:10.0.0.1", MW_MILTER_INBOUND}, /* mapped: the caller unmaps first */
		{NULL, NULL, MW_MILTER_INBOUND},              /* no address known */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_ip ip;
		const mw_ip *p = NULL;
		if (cases[i].ip) {
			assert_true(mw_ip_parse(cases[i].ip, &ip));
			p = &ip;
		}
		if (mw_milter_direction(cases[i].auth, p, nets, 2) != cases[i].want)
			fail_msg("case %zu (%s, %s): wrong direction", i, cases[i].auth ? cases[i].auth : "-",
				 cases[i].ip ? cases[i].ip : "-");
	}
	assert_int_equal(mw_milter_direction(NULL, NULL, NULL, 0), MW_MILTER_INBOUND);
}

static void test_ar_is_ours(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		bool want;
	} cases[] = {
		{" mx.example.com; spf=pass smtp.mailfrom=a@b.example", true},
		{"MX.Example.COM; dmarc=pass header.from=x.example", true}, /* case-insensitive */
		{" mx.example.com 1; none", true},                          /* with a version */
		{"\r\n\tmx.example.com;\r\n\tdkim=pass header.d=x.example", true}, /* folded */
		{" mx.example.com;;; garbage ((", true},                    /* unparsable: first token */
		{" other.example; spf=pass smtp.mailfrom=a@b.example", false},
		{" mx.example.com.evil; spf=pass", false},
		{" mx.example; none", false},
		{"", false},
		{" ; spf=pass", false},
		{" (comment) other.example; none", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (mw_milter_ar_is_ours(cases[i].v, "mx.example.com") != cases[i].want)
			fail_msg("case %zu '%s': want %s", i, cases[i].v, cases[i].want ? "ours" : "not ours");
	assert_false(mw_milter_ar_is_ours(NULL, "mx.example.com"));
}

static void test_field_value(void **state)
{
	(void)state;
	static const struct {
		const char *field;
		bool leadspc;
		const char *want; /* NULL: refused */
	} cases[] = {
		{"DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n", false, "v=1; a=rsa-sha256;\n\tb=abc"},
		{"DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n", true, " v=1; a=rsa-sha256;\n\tb=abc"},
		{"X:value", false, "value"},
		{"X:value", true, "value"},
		{"X: \t value", false, "value"},
		{"X: \t value", true, " \t value"},
		{"X:", true, ""},
		{"X: a\r\n\r\n", true, " a"},
		{"no colon here", false, NULL},
		{"", true, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = mw_milter_field_value(cases[i].field, cases[i].leadspc);
		if (!cases[i].want) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	assert_null(mw_milter_field_value(NULL, false));
}

typedef struct hdr {
	const char *name, *value;
} hdr;

/* Header sections rebuilt from (name, value) pairs as MTAs send them. */
static void test_header_rebuild(void **state)
{
	(void)state;
	static const struct {
		bool leadspc;
		hdr h[4];
		const char *want; /* the rebuilt section, empty line included */
	} cases[] = {
		{true, {{"Subject", "  odd   spacing "}, {"To", " b@x"}}, "Subject:  odd   spacing \r\nTo: b@x\r\n\r\n"},
		{false, {{"Subject", "odd   spacing "}, {"To", "b@x"}}, "Subject: odd   spacing \r\nTo: b@x\r\n\r\n"},
		{true, {{"Received", " from a\n\tby b"}}, "Received: from a\r\n\tby b\r\n\r\n"},   /* LF folding */
		{true, {{"Received", " from a\r\n\tby b"}}, "Received: from a\r\n\tby b\r\n\r\n"}, /* CRLF folding */
		{true, {{"X", ""}}, "X:\r\n\r\n"},
		{false, {{"X", ""}}, "X: \r\n\r\n"},
	};
	mw_milter_msg_opts o = {.leadspc = true};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.leadspc = cases[i].leadspc;
		mw_milter_msg m;
		mw_milter_msg_init(&m, &o);
		for (int k = 0; k < 4 && cases[i].h[k].name; k++)
			mw_milter_msg_header(&m, cases[i].h[k].name, cases[i].h[k].value);
		assert_int_equal(mw_milter_msg_eoh(&m), MW_OK);
		assert_string_equal(mw_buf_cstr(&m.head), cases[i].want);
		assert_true(m.have_hdr);
		mw_milter_msg_reset(&m);
	}
}

/* Header sections that cannot be evaluated, and what is said about them. */
static void test_header_bad(void **state)
{
	(void)state;
	mw_milter_msg_opts o = {.leadspc = true, .scan_max = 100};
	mw_milter_msg m;
	mw_err err;
	char *big = malloc((1u << 20) + 2);
	memset(big, 'x', 1u << 20);
	big[1u << 20] = '\0';
	static const struct {
		int kind;
		mw_status want;
		const char *reason;
	} cases[] = {
		{0, MW_ETOOBIG, "more than"},           /* 10,000 fields */
		{1, MW_ETOOBIG, "longer than"},         /* one 100 kB line */
		{2, MW_ETOOBIG, "MW_MSG_HEADER_MAX"},   /* a 1 MiB line: over the section limit */
		{3, MW_EPARSE, "invalid field name"},   /* a name with a space */
		{4, MW_EPARSE, "invalid field name"},   /* an empty name */
		{5, MW_ETOOBIG, "MW_MSG_HEADER_MAX"},   /* 20 fields of 64 KiB */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_milter_msg_init(&m, &o);
		switch (cases[i].kind) {
		case 0:
			for (int k = 0; k < 10000; k++)
				mw_milter_msg_header(&m, "X-Many", " v");
			break;
		case 1:
			big[100000] = '\0';
			mw_milter_msg_header(&m, "X-Long", big);
			big[100000] = 'x';
			break;
		case 2: mw_milter_msg_header(&m, "X-Huge", big); break;
		case 3: mw_milter_msg_header(&m, "Bad Name", " v"); break;
		case 4: mw_milter_msg_header(&m, "", " v"); break;
		case 5:
			big[65000] = '\0';
			for (int k = 0; k < 20; k++)
				mw_milter_msg_header(&m, "X-Big", big);
			big[65000] = 'x';
			break;
		}
		mw_milter_msg_body(&m, "body\r\n", 6); /* closes the section on its own */
		assert_int_equal(mw_milter_msg_eom(&m, &err), cases[i].want);
		if (!strstr(err.msg, cases[i].reason))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err.msg, cases[i].reason);
		assert_null(m.head.data); /* nothing kept of a refused section */
		assert_int_equal(m.body_bytes, 6);
		mw_milter_msg_reset(&m);
	}
	free(big);
	/* body without any header field: an empty header section, hashed body */
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_body(&m, "only a body\r\n", 13);
	assert_int_equal(mw_milter_msg_eom(&m, &err), MW_OK);
	assert_int_equal(m.hdr.nfields, 0);
	assert_int_equal(m.kept.len, 2 + 13);
	mw_milter_msg_reset(&m);
	/* abort mid-body (reset at any point leaks nothing: ASan checks) */
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_header(&m, "From", " a@b.example");
	mw_milter_msg_body(&m, "half", 4);
	mw_milter_msg_reset(&m);
	mw_milter_msg_reset(&m);
}

/* forged A-R: indices among the A-R fields, ours only */
static void test_forged_list(void **state)
{
	(void)state;
	mw_milter_msg_opts o = {.authserv_id = "mx.example.com", .leadspc = true};
	mw_milter_msg m;
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_header(&m, "Authentication-Results", " other.example; none");
	mw_milter_msg_header(&m, "Subject", " mx.example.com; dkim=pass");
	mw_milter_msg_header(&m, "authentication-results", " mx.example.com; dmarc=pass");
	mw_milter_msg_header(&m, "Authentication-Results", " mx.example.com.evil; none");
	mw_milter_msg_header(&m, "AUTHENTICATION-RESULTS", " MX.EXAMPLE.COM; spf=pass");
	assert_int_equal(m.nar, 4);
	assert_int_equal(m.nforged, 2);
	assert_int_equal(m.forged[0], 2);
	assert_int_equal(m.forged[1], 4);
	mw_milter_msg_reset(&m);
	/* outbound (no authserv-id given): nothing listed; and the cap */
	o.authserv_id = NULL;
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_header(&m, "Authentication-Results", " mx.example.com; none");
	assert_int_equal(m.nforged, 0);
	mw_milter_msg_reset(&m);
	o.authserv_id = "mx.example.com";
	mw_milter_msg_init(&m, &o);
	for (int i = 0; i < MW_MILTER_AR_MAX + 10; i++)
		mw_milter_msg_header(&m, "Authentication-Results", " mx.example.com; none");
	assert_int_equal(m.nforged, MW_MILTER_AR_MAX);
	mw_milter_msg_reset(&m);
}

/* scan prefix: header section plus scan_max body bytes */
static void test_kept(void **state)
{
	(void)state;
	mw_milter_msg_opts o = {.scan_max = 10, .leadspc = true};
	mw_milter_msg m;
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_header(&m, "From", " a@b.example");
	mw_milter_msg_body(&m, "0123456", 7);
	mw_milter_msg_body(&m, "789abcdef", 9);
	assert_int_equal(mw_milter_msg_eom(&m, NULL), MW_OK);
	assert_string_equal(mw_buf_cstr(&m.kept), "From: a@b.example\r\n\r\n0123456789");
	assert_true(m.kept_cut);
	assert_int_equal(m.body_bytes, 16);
	mw_milter_msg_reset(&m);
	o.scan_max = 0; /* no scan: nothing kept */
	mw_milter_msg_init(&m, &o);
	mw_milter_msg_header(&m, "From", " a@b.example");
	mw_milter_msg_body(&m, "0123456", 7);
	assert_int_equal(mw_milter_msg_eom(&m, NULL), MW_OK);
	assert_int_equal(m.kept.len, 0);
	mw_milter_msg_reset(&m);
}

/* feed - a message text into m as an MTA would: fields split at ':', the
 * value with its leading whitespace only when leadspc, LF folding, body in
 * chunks of `chunk` bytes */
static void feed(mw_milter_msg *m, const char *text, bool leadspc, size_t chunk)
{
	mw_message p;
	assert_int_equal(mw_message_parse(text, strlen(text), &p, NULL), MW_OK);
	for (size_t i = 0; i < p.nfields; i++) {
		const mw_hfield *f = &p.field[i];
		char *name = strndup(f->name, f->name_len);
		char *value = malloc(f->value_len + 1), *o = value;
		const char *v = f->value, *e = f->value + f->value_len;
		if (!leadspc)
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
		for (; v < e; v++)
			if (*v != '\r')
				*o++ = *v;
		*o = '\0';
		mw_milter_msg_header(m, name, value);
		free(name);
		free(value);
	}
	assert_int_equal(mw_milter_msg_eoh(m), MW_OK);
	for (size_t i = 0; i < p.body_len; i += chunk)
		mw_milter_msg_body(m, p.body + i, p.body_len - i < chunk ? p.body_len - i : chunk);
	mw_message_free(&p);
}

/* verify_hdr - DKIM result of m's header section with its streamed hashes */
static mw_auth_result verify_hdr(const mw_milter_msg *m, const dns_zone *z)
{
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_lookup lk;
	dns_lookup_init(&lk, c, 1700000000);
	mw_dkim_verify v;
	assert_int_equal(mw_dkim_verify_init(&v, &m->hdr, 1700000000), MW_OK);
	v.bodies = m->bodies;
	assert_int_equal(mw_dkim_verify_run(&v, &lk, r, NULL), MW_OK);
	mw_auth_result res = v.result;
	mw_dkim_verify_free(&v);
	dns_resolver_free(r);
	dns_cache_free(c);
	return res;
}

/* simple/simple with odd spacing: verifies with SMFIP_HDR_LEADSPC, not without */
static void test_simple_odd_spacing(void **state)
{
	(void)state;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(key);
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	char rec[1024] = "v=DKIM1; k=rsa; p=";
	mw_b64_encode(der, (size_t)n, rec + strlen(rec));
	OPENSSL_free(der);
	dns_zone *z = dns_zone_new();
	assert_int_equal(dns_zone_add_txt(z, "s._domainkey.example.org", rec, strlen(rec), 300), MW_OK);
	static const char msg[] = "From:   Alice  <alice@example.org>\r\n"
				  "Subject:\tspaced\t out  \r\n"
				  "To:bob@example.net\r\n"
				  "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
				  "\r\n"
				  "body  with  spaces \r\n\r\n";
	mw_message whole;
	assert_int_equal(mw_message_parse(msg, strlen(msg), &whole, NULL), MW_OK);
	mw_dkim_sign_opts so;
	mw_dkim_sign_opts_init(&so, "example.org", "s", 1700000000);
	so.hcanon = so.bcanon = MW_CANON_SIMPLE;
	mw_buf signed_msg;
	mw_buf_init(&signed_msg, 65536);
	assert_int_equal(mw_dkim_sign(&whole, key, &so, &signed_msg, NULL), MW_OK);
	assert_int_equal(mw_buf_puts(&signed_msg, msg), MW_OK);
	mw_message_free(&whole);
	for (int leadspc = 0; leadspc < 2; leadspc++) {
		mw_milter_msg_opts o = {.leadspc = leadspc};
		mw_milter_msg m;
		mw_milter_msg_init(&m, &o);
		feed(&m, mw_buf_cstr(&signed_msg), leadspc, 5);
		assert_int_equal(mw_milter_msg_eom(&m, NULL), MW_OK);
		mw_auth_result got = verify_hdr(&m, z);
		if (got != (leadspc ? MW_AUTH_PASS : MW_AUTH_FAIL))
			fail_msg("leadspc=%d: dkim=%s", leadspc, mw_auth_result_name(got));
		mw_milter_msg_reset(&m);
	}
	mw_buf_free(&signed_msg);
	dns_zone_free(z);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direction),	  cmocka_unit_test(test_ar_is_ours),
		cmocka_unit_test(test_field_value),	  cmocka_unit_test(test_header_rebuild),
		cmocka_unit_test(test_header_bad),	  cmocka_unit_test(test_forged_list),
		cmocka_unit_test(test_kept),		  cmocka_unit_test(test_simple_odd_spacing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
