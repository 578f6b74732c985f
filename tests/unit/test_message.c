/*
 * test_message.c - raw message input: line-end normalisation, header field
 * splitting with folding kept, lookup order, limits, From domains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"

/* Well-formed inputs: field names (joined by '|'), body, line-end counts. */
static void test_message_split(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *names;
		const char *body; /* NULL = no body */
		size_t lf, cr;
	} cases[] = {
		{"A: 1\r\nB: 2\r\n\r\nbody\r\n", "A|B", "body\r\n", 0, 0},
		{"A: 1\nB: 2\n\nbody\n", "A|B", "body\r\n", 4, 0},
		{"A: 1\rB: 2\r\rbody\r", "A|B", "body\r\n", 0, 4},
		{"A: 1\r\nB: 2\n\r\nx\ry\n", "A|B", "x\r\ny\r\n", 2, 1},
		{"A: 1\r\n", "A", NULL, 0, 0},
		{"A: 1", "A", NULL, 0, 0},
		{"A: 1\r\n\r\n", "A", "", 0, 0},
		{"", "", NULL, 0, 0},
		{"\r\nbody", "", "body", 0, 0},
		{"Subject: a\r\n b\r\n\tc\r\nTo: x\r\n\r\n", "Subject|To", "", 0, 0},
		{"From sender Mon Jan 1\nFrom: a@b.example\n\n", "From", "", 3, 0},
		{"From : a@b.example\r\n\r\n", "From", "", 0, 0},
		{"X-Empty:\r\n\r\n", "X-Empty", "", 0, 0},
		{"A:1\r\n\r\n\r\n", "A", "\r\n", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_message m;
		mw_err err;
		mw_status st = mw_message_parse(cases[i].in, strlen(cases[i].in), &m, &err);
		if (st != MW_OK)
			fail_msg("case %zu: got %s (%s)", i, mw_status_str(st), err.msg);
		char got[256] = "";
		size_t k = 0;
		for (size_t f = 0; f < m.nfields; f++)
			k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%.*s", f ? "|" : "",
					      (int)m.field[f].name_len, m.field[f].name);
		if (strcmp(got, cases[i].names) != 0)
			fail_msg("case %zu: names got '%s' want '%s'", i, got, cases[i].names);
		if (cases[i].body == NULL) {
			assert_false(m.has_body);
			assert_int_equal(m.body_len, 0);
		} else {
			assert_true(m.has_body);
			if (m.body_len != strlen(cases[i].body) ||
			    memcmp(m.body, cases[i].body, m.body_len) != 0)
				fail_msg("case %zu: body got '%.*s' want '%s'", i, (int)m.body_len,
					 m.body, cases[i].body);
		}
		assert_int_equal(m.n_lf, cases[i].lf);
		assert_int_equal(m.n_cr, cases[i].cr);
		mw_message_free(&m);
	}
}

/* Malformed inputs and limits: status must match. */
static void test_message_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		mw_status want;
		const char *why;
	} cases[] = {
		{" folded: first\r\n\r\n", MW_EPARSE, "starts with a continuation"},
		{"\tA: 1\r\n\r\n", MW_EPARSE, "starts with a tab continuation"},
		{"no colon here\r\n\r\n", MW_EPARSE, "line without colon"},
		{"A: 1\r\nbroken\r\n\r\n", MW_EPARSE, "second line without colon"},
		{": value\r\n\r\n", MW_EPARSE, "empty name"},
		{"Bad Name: x\r\n\r\n", MW_EPARSE, "space in name"},
		{"Caf\xc3\xa9: x\r\n\r\n", MW_EPARSE, "8-bit name"},
		{"A\x01: x\r\n\r\n", MW_EPARSE, "control byte in name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_message m;
		mw_err err;
		err.msg[0] = '\0';
		mw_status st = mw_message_parse(cases[i].in, strlen(cases[i].in), &m, &err);
		if (st != cases[i].want)
			fail_msg("case %zu (%s): got %s want %s", i, cases[i].why, mw_status_str(st),
				 mw_status_str(cases[i].want));
		assert_true(err.msg[0] != '\0');
		assert_null(m.data);
	}
}

/* builds "X-F: vvvv\r\n" lines until the header has total bytes, then a body */
static char *big_header(size_t line, size_t total, size_t *len)
{
	char *s = malloc(total + line + 64);
	size_t k = 0;
	while (k < total) {
		memcpy(s + k, "X-F: ", 5);
		memset(s + k + 5, 'v', line);
		k += 5 + line;
		memcpy(s + k, "\r\n", 2);
		k += 2;
	}
	memcpy(s + k, "\r\nbody\r\n", 8);
	*len = k + 8;
	return s;
}

/* Size limits are MW_ETOOBIG; just under them parses. */
static void test_message_limits(void **state)
{
	(void)state;
	mw_message m;
	mw_err err;
	size_t len;
	char *s = big_header(MW_MSG_LINE_MAX, MW_MSG_LINE_MAX, &len); /* one line 5+max */
	assert_int_equal(mw_message_parse(s, len, &m, &err), MW_ETOOBIG);
	free(s);
	s = big_header(MW_MSG_LINE_MAX - 5, 1, &len);
	assert_int_equal(mw_message_parse(s, len, &m, &err), MW_OK);
	mw_message_free(&m);
	free(s);
	s = big_header(10000, 10u << 20, &len); /* 10 MB of header */
	assert_int_equal(mw_message_parse(s, len, &m, &err), MW_ETOOBIG);
	assert_non_null(strstr(err.msg, "header"));
	free(s);
	s = big_header(10, (MW_MSG_FIELDS_MAX + 1) * 17, &len); /* 1001 fields of 17 bytes */
	assert_int_equal(mw_message_parse(s, len, &m, &err), MW_ETOOBIG);
	assert_non_null(strstr(err.msg, "fields"));
	free(s);
	s = big_header(10, MW_MSG_FIELDS_MAX * 17, &len);
	assert_int_equal(mw_message_parse(s, len, &m, &err), MW_OK);
	assert_int_equal(m.nfields, MW_MSG_FIELDS_MAX);
	mw_message_free(&m);
	free(s);
	assert_int_equal(mw_message_parse("", (size_t)MW_MSG_MAX + 1, &m, &err), MW_ETOOBIG);
}

/* Raw bytes kept exactly; lookup both ways, case-insensitive; unfolding. */
static void test_message_fields(void **state)
{
	(void)state;
	const char *in = "Received: a\nsubject:  Hello\n\tworld \nRECEIVED: b\nreceived : c\n\nB\n";
	mw_message m;
	mw_err err;
	assert_int_equal(mw_message_parse(in, strlen(in), &m, &err), MW_OK);
	assert_int_equal(m.nfields, 4);
	const mw_hfield *s = &m.field[1];
	assert_int_equal(s->raw_len, strlen("subject:  Hello\r\n\tworld "));
	assert_memory_equal(s->raw, "subject:  Hello\r\n\tworld ", s->raw_len);
	assert_memory_equal(s->value, "  Hello\r\n\tworld ", s->value_len);
	mw_pool *p = mw_pool_new(4096);
	assert_string_equal(mw_hfield_unfold(s, p), "Hello\tworld");
	assert_int_equal(mw_message_find(&m, "received", 0), 0);
	assert_int_equal(mw_message_find(&m, "received", 1), 2);
	assert_int_equal(mw_message_find(&m, "Received", 3), 3);
	assert_int_equal(mw_message_find(&m, "Received", 4), -1);
	assert_int_equal(mw_message_find_rev(&m, "received", 4), 3);
	assert_int_equal(mw_message_find_rev(&m, "received", 3), 2);
	assert_int_equal(mw_message_find_rev(&m, "received", 0), -1);
	assert_int_equal(mw_message_find_rev(&m, "nope", 4), -1);
	assert_int_equal(mw_message_count(&m, "RECEIVED"), 3);
	assert_memory_equal(m.field[3].name, "received", 8);
	assert_int_equal(m.field[3].name_len, 8);
	assert_int_equal(m.body_len, 3);
	mw_pool_free(p);
	mw_message_free(&m);
}

/* From domains: display names, groups, comments, RFC 2047, several fields. */
static void test_message_from(void **state)
{
	(void)state;
	static const struct {
		const char *hdr;
		mw_status want;
		size_t nfields, naddrs;
		const char *domains; /* joined by '|' */
	} cases[] = {
		{"From: a@Example.COM\r\n", MW_OK, 1, 1, "example.com"},
		{"From: \"Doe, J\" <j@sub.example.org.>\r\n", MW_OK, 1, 1, "sub.example.org"},
		{"From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\n", MW_OK, 1, 1, "example.de"},
		{"From: a@x.example, b@y.example\r\n", MW_OK, 1, 2, "x.example|y.example"},
		{"From: a@x.example\r\nFrom: b@y.example\r\n", MW_OK, 2, 2, "x.example|y.example"},
		{"From: team: a@x.example, b@y.example;\r\n", MW_OK, 1, 2, "x.example|y.example"},
		{"From: (comment) a@x.example (more)\r\n", MW_OK, 1, 1, "x.example"},
		{"From: a@x.example,\r\n b@y.example\r\n", MW_OK, 1, 2, "x.example|y.example"},
		{"To: a@x.example\r\n", MW_OK, 0, 0, ""},
		{"From: nobody\r\n", MW_EPARSE, 1, 0, ""},
		{"From: \r\n", MW_EPARSE, 1, 0, ""},
		{"From: <a@>\r\n", MW_EPARSE, 1, 0, ""},
		{"From: a@x.example, b\r\n", MW_EPARSE, 1, 1, "x.example"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char in[512];
		snprintf(in, sizeof(in), "%s\r\nbody\r\n", cases[i].hdr);
		mw_message m;
		mw_err err;
		assert_int_equal(mw_message_parse(in, strlen(in), &m, &err), MW_OK);
		mw_pool *p = mw_pool_new(1 << 16);
		mw_from from;
		mw_status st = mw_message_from(&m, p, &from, &err);
		if (st != cases[i].want)
			fail_msg("case %zu: got %s (%s) want %s", i, mw_status_str(st), err.msg,
				 mw_status_str(cases[i].want));
		char got[256] = "";
		size_t k = 0;
		for (size_t a = 0; a < from.naddrs; a++)
			k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%s", a ? "|" : "",
					      from.domain[a]);
		if (strcmp(got, cases[i].domains) != 0 || from.nfields != cases[i].nfields ||
		    from.naddrs != cases[i].naddrs)
			fail_msg("case %zu: got %zu/%zu '%s' want %zu/%zu '%s'", i, from.nfields,
				 from.naddrs, got, cases[i].nfields, cases[i].naddrs, cases[i].domains);
		mw_pool_free(p);
		mw_message_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_split),
		cmocka_unit_test(test_message_bad),
		cmocka_unit_test(test_message_limits),
		cmocka_unit_test(test_message_fields),
		cmocka_unit_test(test_message_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
