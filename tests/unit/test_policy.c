/*
 * test_policy.c - outbound/policy: the Postfix policy request parser and the
 * answer writer.  Table-driven: each case is raw bytes, the status wanted,
 * the bytes consumed and a few attribute values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/policy.h"

#define REQ "request=smtpd_access_policy\n"

typedef struct pcase {
	const char *what;
	const char *in;
	mw_status want;
	int want_used;            /* -1: whole input */
	const char *sasl, *state, *client, *rcpt; /* NULL: not checked */
	unsigned long rcount;
} pcase;

static const pcase cases[] = {
	/* success */
	{"minimal", REQ "\n", MW_OK, -1, "", "", "", "", 0},
	{"typical end-of-message",
	 REQ "protocol_state=END-OF-MESSAGE\nprotocol_name=ESMTP\nclient_address=192.0.2.7\n"
	     "sasl_username=alice\nsender=alice@example.org\nrecipient=\nrecipient_count=3\n"
	     "size=1234\n\n",
	 MW_OK, -1, "alice", "END-OF-MESSAGE", "192.0.2.7", "", 3},
	{"CRLF tolerated", REQ "protocol_state=RCPT\r\nrecipient=b@example.net\r\n\r\n", MW_OK, -1,
	 "", "RCPT", "", "b@example.net", 0},
	{"unknown attribute ignored", REQ "x_future_thing=42\nclient_address=::1\n\n", MW_OK, -1, "",
	 "", "::1", "", 0},
	{"value with = and spaces", REQ "ccert_subject=CN=a b, O=x\nsasl_username=u\n\n", MW_OK, -1,
	 "u", "", "", "", 0},
	{"second request left alone", REQ "sasl_username=a\n\n" REQ "sasl_username=b\n\n", MW_OK,
	 (int)sizeof(REQ "sasl_username=a\n\n") - 1, "a", "", "", "", 0},
	{"empty size before DATA", REQ "size=\nrecipient_count=0\n\n", MW_OK, -1, "", "", "", "", 0},
	{"utf-8 in value", REQ "sender=j\xc3\xb6rg@example.de\n\n", MW_OK, -1, "", "", "", "", 0},
	{"incomplete: no empty line", REQ "sasl_username=a\n", MW_OK, 0, NULL, NULL, NULL, NULL, 0},
	{"incomplete: half a line", "request=smtpd_acc", MW_OK, 0, NULL, NULL, NULL, NULL, 0},
	{"incomplete: nothing", "", MW_OK, 0, NULL, NULL, NULL, NULL, 0},
	/* errors */
	{"empty request", "\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"line without =", REQ "garbage\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"empty name", REQ "=value\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"space in name", REQ "sasl username=x\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"control byte", REQ "sender=a\x01" "b\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"DEL byte", REQ "sender=a\x7f\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"request missing", "sasl_username=a\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"wrong request type", "request=junk\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"duplicate sasl_username", REQ "sasl_username=a\nsasl_username=b\n\n", MW_EPARSE, 0, NULL,
	 NULL, NULL, NULL, 0},
	{"duplicate request", REQ REQ "\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"bad recipient_count", REQ "recipient_count=12x\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL,
	 0},
	{"negative size", REQ "size=-1\n\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL, 0},
	{"huge recipient_count", REQ "recipient_count=999999999999999999999999\n\n", MW_EPARSE, 0,
	 NULL, NULL, NULL, NULL, 0},
	{"error found before the end", REQ "no equals sign\n", MW_EPARSE, 0, NULL, NULL, NULL, NULL,
	 0},
};

/* Every table case gives the wanted status, length and attribute values. */
static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const pcase *c = &cases[i];
		size_t len = strlen(c->in);
		char *data = malloc(len + 1);
		memcpy(data, c->in, len + 1);
		mw_policy_req req;
		mw_err err;
		size_t used = 99;
		mw_status got = mw_policy_parse(data, len, &req, &used, &err);
		if (got != c->want)
			fail_msg("%s: got status %s want %s (%s)", c->what, mw_status_str(got),
				 mw_status_str(c->want), err.msg);
		if (got == MW_OK) {
			size_t want_used = c->want_used < 0 ? len : (size_t)c->want_used;
			if (used != want_used)
				fail_msg("%s: got used %zu want %zu", c->what, used, want_used);
		}
		if (got == MW_OK && used > 0) {
			if (c->sasl)
				assert_string_equal(req.sasl_username, c->sasl);
			if (c->state)
				assert_string_equal(req.protocol_state, c->state);
			if (c->client)
				assert_string_equal(req.client_address, c->client);
			if (c->rcpt)
				assert_string_equal(req.recipient, c->rcpt);
			assert_int_equal(req.recipient_count, c->rcount);
		}
		if (got == MW_OK && used == 0)
			assert_memory_equal(data, c->in, len); /* untouched */
		free(data);
	}
}

/* Size limits: a long line, many attributes, a big request, each refused
 * as MW_ETOOBIG as soon as it is visible, even without the final empty line. */
static void test_parse_limits(void **state)
{
	(void)state;
	size_t cap = 2u << 20;
	char *data = malloc(cap);
	mw_policy_req req;
	mw_err err;
	size_t used;

	/* 1 MB attribute, no newline yet: refused at once */
	int n = snprintf(data, cap, REQ "sender=");
	memset(data + n, 'a', 1 << 20);
	assert_int_equal(mw_policy_parse(data, (size_t)n + (1 << 20), &req, &used, &err), MW_ETOOBIG);

	/* exactly the line limit is fine, one more byte is not */
	n = snprintf(data, cap, REQ "x=");
	memset(data + n, 'a', MW_POLICY_LINE_MAX - 2);
	memcpy(data + n + MW_POLICY_LINE_MAX - 2, "\n\n", 2);
	assert_int_equal(mw_policy_parse(data, (size_t)n + MW_POLICY_LINE_MAX, &req, &used, &err),
			 MW_OK);
	assert_int_equal(used, (size_t)n + MW_POLICY_LINE_MAX);
	n = snprintf(data, cap, REQ "x=");
	memset(data + n, 'a', MW_POLICY_LINE_MAX - 1);
	memcpy(data + n + MW_POLICY_LINE_MAX - 1, "\n\n", 2);
	assert_int_equal(mw_policy_parse(data, (size_t)n + MW_POLICY_LINE_MAX + 1, &req, &used, &err),
			 MW_ETOOBIG);

	/* attribute count: MAX accepted, MAX+1 refused */
	for (int extra = 0; extra <= 1; extra++) {
		size_t len = (size_t)snprintf(data, cap, REQ);
		for (int i = 1; i < MW_POLICY_ATTRS_MAX + extra; i++)
			len += (size_t)snprintf(data + len, cap - len, "a%d=1\n", i);
		data[len++] = '\n';
		mw_status want = extra ? MW_ETOOBIG : MW_OK;
		assert_int_equal(mw_policy_parse(data, len, &req, &used, &err), want);
		if (!extra)
			assert_int_equal(req.nattrs, MW_POLICY_ATTRS_MAX);
	}

	/* thousands of attributes, unterminated: refused before the end */
	size_t len = (size_t)snprintf(data, cap, REQ);
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(data + len, cap - len, "a%d=1\n", i);
	assert_int_equal(mw_policy_parse(data, len, &req, &used, &err), MW_ETOOBIG);

	/* a request over MW_POLICY_REQ_MAX in few long lines */
	len = (size_t)snprintf(data, cap, REQ);
	while (len < MW_POLICY_REQ_MAX + 100) {
		data[len++] = 'v';
		data[len++] = '=';
		memset(data + len, 'x', 4000);
		len += 4000;
		data[len++] = '\n';
	}
	assert_int_equal(mw_policy_parse(data, len, &req, &used, &err), MW_ETOOBIG);
	free(data);
}

/* Pipelined requests on one connection parse one after the other. */
static void test_parse_pipelined(void **state)
{
	(void)state;
	char data[] = REQ "sasl_username=one\n\n" REQ "sasl_username=two\n\n" REQ "sasl_user";
	size_t len = strlen(data), off = 0, used;
	mw_policy_req req;
	mw_err err;
	const char *want[] = {"one", "two"};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mw_policy_parse(data + off, len - off, &req, &used, &err), MW_OK);
		assert_true(used > 0);
		assert_string_equal(req.sasl_username, want[i]);
		assert_string_equal(mw_policy_get(&req, "request"), "smtpd_access_policy");
		assert_null(mw_policy_get(&req, "nope"));
		off += used;
	}
	assert_int_equal(mw_policy_parse(data + off, len - off, &req, &used, &err), MW_OK);
	assert_int_equal(used, 0);
}

/* Answers: keyword, optional cleaned text, empty line. */
static void test_answer(void **state)
{
	(void)state;
	struct {
		mw_policy_action a;
		const char *text, *want;
	} t[] = {
		{MW_PA_DUNNO, "ignored", "action=DUNNO\n\n"},
		{MW_PA_OK, NULL, "action=OK\n\n"},
		{MW_PA_HOLD, "rate limit", "action=HOLD rate limit\n\n"},
		{MW_PA_DEFER_IF_PERMIT, "slow down", "action=DEFER_IF_PERMIT slow down\n\n"},
		{MW_PA_REJECT, "bad\nline\r", "action=REJECT bad?line?\n\n"},
		{MW_PA_DEFER, "", "action=DEFER\n\n"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mw_buf b;
		mw_buf_init(&b, 1024);
		assert_int_equal(mw_policy_answer(&b, t[i].a, t[i].text), MW_OK);
		assert_string_equal(mw_buf_cstr(&b), t[i].want);
		mw_buf_free(&b);
	}
	/* long text is cut; a full buffer refuses and stays unchanged */
	char longtext[1000];
	memset(longtext, 'z', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	mw_buf b;
	mw_buf_init(&b, 4096);
	assert_int_equal(mw_policy_answer(&b, MW_PA_REJECT, longtext), MW_OK);
	assert_int_equal(b.len, strlen("action=REJECT ") + MW_POLICY_TEXT_MAX + 2);
	mw_buf_free(&b);
	mw_buf_init(&b, 10);
	assert_int_equal(mw_policy_answer(&b, MW_PA_HOLD, "x"), MW_ETOOBIG);
	assert_int_equal(b.len, 0);
	mw_buf_free(&b);
	assert_int_equal(mw_policy_action_parse("hold"), MW_PA_HOLD);
	assert_int_equal(mw_policy_action_parse("Defer_If_Permit"), MW_PA_DEFER_IF_PERMIT);
	assert_int_equal(mw_policy_action_parse("bounce"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_pipelined),
		cmocka_unit_test(test_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
