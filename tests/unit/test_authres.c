/*
 * test_authres.c - Authentication-Results (RFC 8601): parsing good and
 * malformed fields (table-driven), the lenient mode, and writing then
 * parsing back what we write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/authres.h"
#include "core/limits.h"

/* A compact rendering of a parse for got/want comparison:
 * "id[/v]|none" or "id|method[/v]=result[ reason=R][ ptype.prop=value]...|..." */
static void render(const mw_authres *ar, char *out, size_t n)
{
	size_t k = (size_t)snprintf(out, n, "%s", ar->authserv_id);
	if (ar->version)
		k += (size_t)snprintf(out + k, n - k, "/%u", ar->version);
	if (ar->none)
		k += (size_t)snprintf(out + k, n - k, "|none");
	for (size_t i = 0; i < ar->nresults && k < n; i++) {
		const mw_ar_result *r = &ar->results[i];
		k += (size_t)snprintf(out + k, n - k, "|%s", r->method);
		if (r->version)
			k += (size_t)snprintf(out + k, n - k, "/%u", r->version);
		k += (size_t)snprintf(out + k, n - k, "=%s", r->result);
		if (r->reason)
			k += (size_t)snprintf(out + k, n - k, " reason=%s", r->reason);
		for (size_t j = 0; j < r->nprops && k < n; j++)
			k += (size_t)snprintf(out + k, n - k, " %s.%s=%s", r->props[j].ptype,
					      r->props[j].property, r->props[j].value);
	}
}

static const struct good_case {
	const char *in;
	unsigned flags;
	const char *want;
} good[] = {
	/* RFC 8601 Appendix B examples */
	{"example.org 1; none", 0, "example.org/1|none"},
	{"example.com; spf=pass smtp.mailfrom=example.net", 0,
	 "example.com|spf=pass smtp.mailfrom=example.net"},
	{"example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
	 "          spf=pass smtp.mailfrom=example.net",
	 0, "example.com|auth=pass smtp.auth=sender@example.net|spf=pass smtp.mailfrom=example.net"},
	{"example.com; iprev=pass\r\n policy.iprev=192.0.2.200", 0,
	 "example.com|iprev=pass policy.iprev=192.0.2.200"},
	{"example.com;\r\n dkim=pass (good signature) header.d=mail-router.example.net;\r\n"
	 " dkim=fail (bad signature) header.d=newyork.example.com",
	 0,
	 "example.com|dkim=pass header.d=mail-router.example.net|dkim=fail "
	 "header.d=newyork.example.com"},
	{"mail-router.example.net;\r\n dkim=pass (good signature) header.d=newyork.example.com\r\n"
	 "       header.b=oINEO8hg;\r\n vbr=pass (voucher.example.net)\r\n"
	 "       header.md=newyork.example.com header.mv=voucher.example.org",
	 0,
	 "mail-router.example.net|dkim=pass header.d=newyork.example.com header.b=oINEO8hg|vbr=pass "
	 "header.md=newyork.example.com header.mv=voucher.example.org"},
	/* method versions, reason, quoted values, comments everywhere */
	{"mx.example.org; dkim/1=fail reason=\"signature did not verify\" header.d=example.com", 0,
	 "mx.example.org|dkim/1=fail reason=signature did not verify header.d=example.com"},
	{"(c0) mx.example.org (c1) 1 (c2) ; (c3) spf (c4) = (c5) pass (c6) smtp (c7) . (c8) "
	 "mailfrom (c9) = (c10) a@b.example (c11)",
	 0, "mx.example.org/1|spf=pass smtp.mailfrom=a@b.example"},
	{"\"quoted id\"; arc=pass (nested (comment) \\) here) header.oldest-pass=1", 0,
	 "quoted id|arc=pass header.oldest-pass=1"},
	{"mx.example.org; dmarc=fail (p=reject dis=quarantine) header.from=example.com "
	 "policy.dmarc=reject",
	 0, "mx.example.org|dmarc=fail header.from=example.com policy.dmarc=reject"},
	{"mx.example.org; dkim=pass header.i=@d1.example header.b=\"ab/c+d=\"", 0,
	 "mx.example.org|dkim=pass header.i=@d1.example header.b=ab/c+d="},
	{"mx.example.org; dkim=pass header.b=ab/c+d=", 0, "mx.example.org|dkim=pass header.b=ab/c+d="},
	{"mx.example.org; spf=pass smtp.mailfrom=\"john doe\"@example.com", 0,
	 "mx.example.org|spf=pass smtp.mailfrom=\"john doe\"@example.com"},
	{"mx.example.org; iprev=pass smtp.remote-ip=[2001:db8::1]", 0,
	 "mx.example.org|iprev=pass smtp.remote-ip=[2001:db8::1]"},
	{"MX.Example.ORG; SPF=PASS SMTP.MailFrom=User@Example.COM", 0,
	 "MX.Example.ORG|spf=pass smtp.mailfrom=User@Example.COM"},
	{"mx.example.org; x-custom=pass body.hash=abc", 0, "mx.example.org|x-custom=pass body.hash=abc"},
	{"mx.example.org;\n\tspf=pass smtp.helo=mail.example.net\n", 0,
	 "mx.example.org|spf=pass smtp.helo=mail.example.net"},
	{"mx.example.org; auth=pass smtp.auth=\xc3\xa9l\xc3\xa8ve@exemple.fr", 0,
	 "mx.example.org|auth=pass smtp.auth=\xc3\xa9l\xc3\xa8ve@exemple.fr"},
	{"mx.example.org; none (nothing was checked)", 0, "mx.example.org|none"},
	{"mx.example.org; nonesuch=pass", 0, "mx.example.org|nonesuch=pass"},
	/* lenient-only forms */
	{"mx.example.org; dmarc=none action=none header.from=x.example;", MW_AR_LENIENT,
	 "mx.example.org|dmarc=none .action=none header.from=x.example"},
	{"mx.example.org", MW_AR_LENIENT, "mx.example.org"},
};

static const struct bad_case {
	const char *in;
	unsigned flags;
	mw_status want;
} bad[] = {
	{"", 0, MW_EPARSE},
	{"   ", 0, MW_EPARSE},
	{"; spf=pass", 0, MW_EPARSE},                       /* no authserv-id */
	{"mx.example.org", 0, MW_EPARSE},                    /* no result at all */
	{"mx.example.org spf=pass", 0, MW_EPARSE},           /* missing ';' */
	{"mx.example.org;", 0, MW_EPARSE},                   /* ';' then nothing */
	{"mx.example.org; spf=pass;", 0, MW_EPARSE},         /* trailing ';' (strict) */
	{"mx.example.org; spf", 0, MW_EPARSE},               /* no '=' */
	{"mx.example.org; spf=", 0, MW_EPARSE},              /* no result */
	{"mx.example.org; =pass", 0, MW_EPARSE},             /* no method */
	{"mx.example.org; 9spf=pass", 0, MW_EPARSE},         /* method not a Keyword */
	{"mx.example.org; spf-=pass", 0, MW_EPARSE},         /* Keyword ends in '-' */
	{"mx.example.org; spf/=pass", 0, MW_EPARSE},         /* method version missing */
	{"mx.example.org; spf/0=pass", 0, MW_EPARSE},        /* method version 0 */
	{"mx.example.org; spf/1234567=pass", 0, MW_EPARSE},  /* method version absurd */
	{"mx.example.org 2; spf=pass", 0, MW_EPARSE},        /* unknown A-R version */
	{"mx.example.org; spf=pass smtp", 0, MW_EPARSE},     /* ptype without property */
	{"mx.example.org; spf=pass smtp.", 0, MW_EPARSE},
	{"mx.example.org; spf=pass smtp.mailfrom", 0, MW_EPARSE},
	{"mx.example.org; spf=pass smtp.mailfrom=", 0, MW_EPARSE},
	{"mx.example.org; spf=pass action=none", 0, MW_EPARSE},  /* bare property (strict) */
	{"mx.example.org; spf=pass smtp.mailfrom=\"unterminated", 0, MW_EPARSE},
	{"mx.example.org; spf=pass (unterminated comment", 0, MW_EPARSE},
	{"mx.example.org; spf=pass ((((((((((deep))))))))))", 0, MW_ETOOBIG},
	{"mx.example.org; spf=pass reason=", 0, MW_EPARSE},
	{"mx.example.org; none; spf=pass", 0, MW_EPARSE},   /* none must stand alone */
	{"mx.example.org; spf=pass\r\nsmtp.mailfrom=x", 0, MW_EPARSE}, /* CRLF not folding */
	{"mx.example.org; spf=pass smtp.mailfrom=a\001b", 0, MW_EPARSE}, /* control byte */
	{"\"id; spf=pass", 0, MW_EPARSE},
	{"mx.example.org; spf=pass smtp..mailfrom=x", 0, MW_EPARSE},
	{"mx.example.org; spf=pass smtp.mailfrom=\"x\"@", 0, MW_EPARSE},
	{"mx.example.org;;", MW_AR_LENIENT, MW_EPARSE},
	{"mx.example.org; spf=pass reason=\"a\\\001\"", 0, MW_EPARSE}, /* control quoted-pair */
};

/* Every good field parses to the expected structure. */
static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
		mw_authres ar;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_authres_parse(good[i].in, strlen(good[i].in), good[i].flags, pool,
						&ar, &err);
		if (st != MW_OK)
			fail_msg("case %zu '%s': got %s (%s) want ok", i, good[i].in, mw_status_str(st),
				 err.msg);
		char got[1024];
		render(&ar, got, sizeof(got));
		if (strcmp(got, good[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, got, good[i].want);
		mw_pool_free(pool);
	}
}

/* Every malformed field is refused with the expected status and a reason. */
static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
		mw_authres ar;
		mw_err err;
		mw_err_clear(&err);
		mw_status st =
			mw_authres_parse(bad[i].in, strlen(bad[i].in), bad[i].flags, pool, &ar, &err);
		if (st != bad[i].want)
			fail_msg("case %zu '%s': got %s want %s", i, bad[i].in, mw_status_str(st),
				 mw_status_str(bad[i].want));
		assert_true(err.msg[0] != '\0');
		mw_pool_free(pool);
	}
}

/* Comments and raw text are kept for ARC; lookups work. */
static void test_parse_details(void **state)
{
	(void)state;
	const char *in = "lists.example.org; arc=none;\r\n  spf=pass smtp.mfrom=jqd@d1.example;\r\n"
			 "  dkim=pass (1024-bit key)\r\n\theader.i=@d1.example;\r\n  dmarc=pass";
	mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
	mw_authres ar;
	assert_int_equal(mw_authres_parse(in, strlen(in), 0, pool, &ar, NULL), MW_OK);
	assert_int_equal(ar.nresults, 4);
	assert_string_equal(ar.results[2].raw, "dkim=pass (1024-bit key) header.i=@d1.example");
	assert_string_equal(ar.results[2].comment, "1024-bit key");
	assert_string_equal(ar.results[1].raw, "spf=pass smtp.mfrom=jqd@d1.example");
	assert_string_equal(ar.results[3].raw, "dmarc=pass");
	assert_null(ar.results[3].comment);
	assert_string_equal(mw_ar_find_prop(&ar.results[2], "HEADER", "i"), "@d1.example");
	assert_null(mw_ar_find_prop(&ar.results[2], "header", "d"));
	assert_int_equal(mw_ar_ptype_of(&ar.results[1].props[0]), MW_AR_PTYPE_SMTP);
	mw_auth_result v;
	assert_true(mw_ar_result_value(&ar.results[0], &v));
	assert_int_equal(v, MW_AUTH_NONE);
	assert_true(mw_ar_result_value(&ar.results[1], &v));
	assert_int_equal(v, MW_AUTH_PASS);
	mw_pool_free(pool);
}

/* Limits: too many results, too many properties, an over-long field. */
static void test_parse_limits(void **state)
{
	(void)state;
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	mw_buf_puts(&b, "mx.example.org");
	for (int i = 0; i <= MW_AR_RESULTS_MAX; i++)
		mw_buf_puts(&b, "; spf=pass");
	mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
	mw_authres ar;
	assert_int_equal(mw_authres_parse(b.data, b.len, 0, pool, &ar, NULL), MW_ETOOBIG);
	mw_buf_reset(&b);
	mw_buf_puts(&b, "mx.example.org; dkim=pass");
	for (int i = 0; i <= MW_AR_PROPS_MAX; i++)
		mw_buf_puts(&b, " header.d=x");
	assert_int_equal(mw_authres_parse(b.data, b.len, 0, pool, &ar, NULL), MW_ETOOBIG);
	mw_buf_reset(&b);
	mw_buf_puts(&b, "mx.example.org; spf=pass smtp.mailfrom=");
	while (b.len <= MW_AR_HEADER_MAX)
		mw_buf_putc(&b, 'a');
	assert_int_equal(mw_authres_parse(b.data, b.len, 0, pool, &ar, NULL), MW_ETOOBIG);
	mw_buf_free(&b);
	mw_pool_free(pool);
}

/* What we write is folded under 78 columns and parses back to the same results. */
static void test_write_parse_back(void **state)
{
	(void)state;
	mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
	mw_authres ar;
	assert_int_equal(mw_authres_init(&ar, pool, "mx.example.org"), MW_OK);
	assert_int_equal(mw_authres_add_spf(&ar, pool, MW_AUTH_PASS, "bounce@example.com",
					    "mail.example.com", "sender IP is 192.0.2.1"),
			 MW_OK);
	assert_int_equal(mw_authres_add_spf(&ar, pool, MW_AUTH_NONE, NULL, "mail.example.com", NULL),
			 MW_OK);
	assert_int_equal(mw_authres_add_dkim(&ar, pool, MW_AUTH_FAIL, "body hash did not verify",
					     "example.com", "sel1",
					     "dGhp/yBpcyBudCBh+IHJlYWwgc2ln", "@example.com"),
			 MW_OK);
	assert_int_equal(mw_authres_add_dmarc(&ar, pool, MW_AUTH_FAIL, "p=reject dis=reject",
					      "example.com", "reject"),
			 MW_OK);
	assert_int_equal(mw_authres_add_arc(&ar, pool, MW_AUTH_PASS, NULL, 2), MW_OK);
	mw_buf out;
	mw_buf_init(&out, MW_AR_HEADER_MAX);
	assert_int_equal(mw_authres_format(&ar, MW_AR_FMT_FIELD_NAME, &out), MW_OK);
	const char *want = "Authentication-Results: mx.example.org;\r\n"
			   "\tspf=pass (sender IP is 192.0.2.1) smtp.mailfrom=bounce@example.com;\r\n"
			   "\tspf=none smtp.helo=mail.example.com;\r\n"
			   "\tdkim=fail reason=\"body hash did not verify\" header.d=example.com\r\n"
			   "\theader.s=sel1 header.i=@example.com header.b=\"dGhp/yBp\";\r\n"
			   "\tdmarc=fail (p=reject dis=reject) header.from=example.com\r\n"
			   "\tpolicy.dmarc=reject;\r\n"
			   "\tarc=pass header.oldest-pass=2";
	assert_string_equal(out.data, want);
	/* every line within 78 columns (tab = 8) */
	for (const char *l = out.data; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		const char *e = strchr(l, '\r');
		size_t w = (size_t)((e ? e : l + strlen(l)) - l) + (*l == '\t' ? 7 : 0);
		assert_true(w <= MW_AR_LINE_MAX);
	}
	const char *value = out.data + strlen("Authentication-Results:");
	mw_authres back;
	assert_int_equal(mw_authres_parse(value, strlen(value), 0, pool, &back, NULL), MW_OK);
	char got[1024];
	render(&back, got, sizeof(got));
	assert_string_equal(got, "mx.example.org|spf=pass smtp.mailfrom=bounce@example.com|spf=none "
				 "smtp.helo=mail.example.com|dkim=fail reason=body hash did not verify "
				 "header.d=example.com header.s=sel1 header.i=@example.com "
				 "header.b=dGhp/yBp|dmarc=fail header.from=example.com "
				 "policy.dmarc=reject|arc=pass header.oldest-pass=2");
	assert_string_equal(back.results[0].comment, "sender IP is 192.0.2.1");
	/* an empty A-R says none */
	mw_authres empty;
	assert_int_equal(mw_authres_init(&empty, pool, "a b"), MW_OK);
	mw_buf_reset(&out);
	assert_int_equal(mw_authres_format(&empty, MW_AR_FMT_LF, &out), MW_OK);
	assert_string_equal(out.data, "\"a b\"; none");
	mw_buf_free(&out);
	mw_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),       cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_details),    cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_write_parse_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
