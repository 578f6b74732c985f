/*
 * test_taglist.c - the shared tag=value list parser (RFC 6376 §3.2):
 * a table of well-formed lists with the slices they must give, and a table
 * of malformed ones with the status they must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/taglist.h"

/* "n1=v1|n2=v2" rendering of a parsed list, for got/want comparison */
static void render(const mw_taglist *tl, char *out, size_t n)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < tl->n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%.*s=%.*s", i ? "|" : "",
				      (int)tl->tag[i].name_len, tl->tag[i].name,
				      (int)tl->tag[i].value_len, tl->tag[i].value);
}

/* Well-formed lists: whitespace, folding, empty values, trailing ";". */
static void test_taglist_ok(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"v=1", "v=1"},
		{"v=1;", "v=1"},
		{"v=1; ", "v=1"},
		{"v=1;\r\n ", "v=1"},
		{" v = 1 ; a = rsa-sha256 ", "v=1|a=rsa-sha256"},
		{"v=1;\r\n\ta=rsa-sha256;\r\n d=example.com", "v=1|a=rsa-sha256|d=example.com"},
		{"p=", "p="},
		{"p=;k=rsa", "p=|k=rsa"},
		{"p= ; t=y", "p=|t=y"},
		{"b=abc def\r\n ghi", "b=abc def\r\n ghi"},
		{"h=From : To:\r\n\tSubject", "h=From : To:\r\n\tSubject"},
		{"n_1=x", "n_1=x"},
		{"V=1;v=2", "V=1|v=2"},     /* names are case-sensitive */
		{"z=a|b=c", "z=a|b=c"},     /* '|' and '=' are VALCHARs */
		{"a=b=c", "a=b=c"},
		{"x=~!@#$%^&*()", "x=~!@#$%^&*()"},
		{"v=DMARC1; p=reject; rua=mailto:a@b.example", "v=DMARC1|p=reject|rua=mailto:a@b.example"},
		{"a=1 ;b=2 ; c=3", "a=1|b=2|c=3"},
		{"\r\n a=1", "a=1"},
		{"a=\r\n 1", "a=1"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_taglist tl;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_taglist_parse(cases[i].in, strlen(cases[i].in), &tl, &err);
		if (st != MW_OK)
			fail_msg("case %zu '%s': got %s (%s) want ok", i, cases[i].in, mw_status_str(st),
				 err.msg);
		char got[256];
		render(&tl, got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, got, cases[i].want);
	}
}

/* Malformed lists: each must fail with the given status. */
static void test_taglist_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		mw_status want;
		const char *why;
	} cases[] = {
		{"", MW_EPARSE, "empty list"},
		{"   ", MW_EPARSE, "only whitespace"},
		{";", MW_EPARSE, "empty tag-spec"},
		{"a=1;;b=2", MW_EPARSE, "empty tag-spec between"},
		{"a", MW_EPARSE, "no '='"},
		{"a;b=1", MW_EPARSE, "no '=' before ';'"},
		{"=1", MW_EPARSE, "no name"},
		{"1a=2", MW_EPARSE, "name starts with a digit"},
		{"_a=2", MW_EPARSE, "name starts with '_'"},
		{"a-b=1", MW_EPARSE, "'-' in a name"},
		{"a b=1", MW_EPARSE, "space inside a name"},
		{"a=1;a=2", MW_EPARSE, "duplicate tag"},
		{"v=1; d=x; v=1", MW_EPARSE, "duplicate tag later"},
		{"a=x\ny", MW_EPARSE, "bare LF in a value"},
		{"a=x\ry", MW_EPARSE, "bare CR in a value"},
		{"a=x\r\ny", MW_EPARSE, "CRLF not followed by WSP"},
		{"a=x\r\n", MW_EPARSE, "trailing CRLF without fold"},
		{"a=\x01", MW_EPARSE, "control byte"},
		{"a=caf\xc3\xa9", MW_EPARSE, "8-bit byte"},
		{"a=\x7f", MW_EPARSE, "DEL"},
		{"a=1\r\n\r\n b=2", MW_EPARSE, "blank line inside"},
		{"\xff=1", MW_EPARSE, "8-bit name"},
		{"a\r\nb=1", MW_EPARSE, "broken fold after name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_taglist tl;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_taglist_parse(cases[i].in, strlen(cases[i].in), &tl, &err);
		if (st != cases[i].want)
			fail_msg("case %zu (%s): got %s want %s", i, cases[i].why, mw_status_str(st),
				 mw_status_str(cases[i].want));
		assert_true(err.msg[0] != '\0');
	}
}

/* Size limits give MW_ETOOBIG, not a parse error; a NUL byte is invalid. */
static void test_taglist_limits(void **state)
{
	(void)state;
	mw_taglist tl;
	mw_err err;
	char *big = malloc(MW_TAGLIST_INPUT_MAX + 2);
	memset(big, 'x', MW_TAGLIST_INPUT_MAX + 1);
	memcpy(big, "a=", 2);
	assert_int_equal(mw_taglist_parse(big, MW_TAGLIST_INPUT_MAX + 1, &tl, &err), MW_ETOOBIG);
	assert_int_equal(mw_taglist_parse(big, MW_TAGLIST_INPUT_MAX, &tl, &err), MW_OK);
	assert_int_equal(tl.tag[0].value_len, MW_TAGLIST_INPUT_MAX - 2);
	memset(big, 'n', MW_TAGLIST_NAME_MAX + 1);
	big[MW_TAGLIST_NAME_MAX + 1] = '=';
	assert_int_equal(mw_taglist_parse(big, MW_TAGLIST_NAME_MAX + 2, &tl, &err), MW_ETOOBIG);
	assert_int_equal(mw_taglist_parse(big + 1, MW_TAGLIST_NAME_MAX + 1, &tl, &err), MW_OK);
	free(big);

	char many[2048];
	size_t k = 0;
	for (int i = 0; i <= MW_TAGLIST_TAGS_MAX; i++)
		k += (size_t)snprintf(many + k, sizeof(many) - k, "t%d=1;", i);
	assert_int_equal(mw_taglist_parse(many, k, &tl, &err), MW_ETOOBIG);
	assert_int_equal(mw_taglist_parse(many, k - 6, &tl, &err), MW_OK); /* 64 tags */
	assert_int_equal(tl.n, MW_TAGLIST_TAGS_MAX);

	static const char nul[] = "a=1\0;b=2";
	assert_int_equal(mw_taglist_parse(nul, sizeof(nul) - 1, &tl, &err), MW_EPARSE);
}

/* Lookup, comparison and whitespace stripping helpers. */
static void test_taglist_helpers(void **state)
{
	(void)state;
	mw_taglist tl;
	mw_err err;
	const char *in = "v=1; a=RSA-SHA256; b=AbC\r\n dEf =; p=";
	assert_int_equal(mw_taglist_parse(in, strlen(in), &tl, &err), MW_OK);
	assert_null(mw_taglist_get(&tl, "V"));
	const mw_tag *a = mw_taglist_get(&tl, "a");
	assert_non_null(a);
	assert_true(mw_tag_is(a, "rsa-sha256", true));
	assert_false(mw_tag_is(a, "rsa-sha256", false));
	assert_false(mw_tag_is(a, "rsa-sha2", true));
	char out[16];
	assert_true(mw_tag_copy_nows(mw_taglist_get(&tl, "b"), out, sizeof(out)));
	assert_string_equal(out, "AbCdEf=");
	assert_false(mw_tag_copy_nows(mw_taglist_get(&tl, "b"), out, 4));
	assert_true(mw_tag_copy_nows(mw_taglist_get(&tl, "p"), out, sizeof(out)));
	assert_string_equal(out, "");
	assert_int_equal(mw_taglist_get(&tl, "b")->offset, 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taglist_ok),
		cmocka_unit_test(test_taglist_bad),
		cmocka_unit_test(test_taglist_limits),
		cmocka_unit_test(test_taglist_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
