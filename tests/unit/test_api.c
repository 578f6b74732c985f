/*
 * test_api.c - api/auth, api/param, api/apijson: credentials (bearer,
 * basic, constant-time compare), the access rules of the HTTP API, CSRF
 * checks (Origin, Content-Type), query parameter bounds, request bodies,
 * and the JSON shapes.  Table-driven: got/want per row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/apijson.h"
#include "api/auth.h"
#include "api/param.h"

static mw_api_creds creds(const char *token, const char *user, const char *pw)
{
	mw_api_creds c;
	memset(&c, 0, sizeof(c));
	snprintf(c.token, sizeof(c.token), "%s", token);
	snprintf(c.user, sizeof(c.user), "%s", user);
	snprintf(c.password, sizeof(c.password), "%s", pw);
	return c;
}

/* Authorization headers judged against token "t0k3n" and admin:pa:ss. */
static void test_authenticate(void **state)
{
	(void)state;
	mw_api_creds c = creds("t0k3n", "admin", "pa:ss");
	static const struct {
		const char *header;
		mw_api_authn want;
	} rows[] = {
		{NULL, MW_AUTHN_NONE},
		{"Bearer t0k3n", MW_AUTHN_OK},
		{"bearer   t0k3n  ", MW_AUTHN_OK},   /* scheme case-insensitive, blanks */
		{"Bearer t0k3", MW_AUTHN_BAD},       /* prefix */
		{"Bearer t0k3nX", MW_AUTHN_BAD},     /* longer */
		{"Bearer T0K3N", MW_AUTHN_BAD},      /* tokens are case-sensitive */
		{"Bearer ", MW_AUTHN_BAD},
		{"Bearer", MW_AUTHN_BAD},
		{"Bearert0k3n", MW_AUTHN_BAD},
		{"t0k3n", MW_AUTHN_BAD},
		{"Basic YWRtaW46cGE6c3M=", MW_AUTHN_OK}, /* admin:pa:ss (colon in password) */
		{"Basic YWRtaW46cGE6c3Q=", MW_AUTHN_BAD}, /* admin:pa:st */
		{"Basic YWRtaW4=", MW_AUTHN_BAD},         /* no colon */
		{"Basic !!!!", MW_AUTHN_BAD},             /* not base64 */
		{"Basic YWRtaW46cGE6c3M", MW_AUTHN_BAD},  /* length not a multiple of 4 */
		{"Basic ", MW_AUTHN_BAD},
		{"Basic YW==========", MW_AUTHN_BAD},     /* padding longer than the data (fuzz) */
		{"Basic YWRt=W46cGE6c3M=", MW_AUTHN_BAD}, /* padding inside */
		{"Digest username=admin", MW_AUTHN_BAD},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mw_api_authn got = mw_api_authenticate(&c, rows[i].header);
		if (got != rows[i].want)
			fail_msg("row %zu '%s': got %d want %d", i, rows[i].header ? rows[i].header : "(null)",
				 got, rows[i].want);
	}
	/* no basic pair configured: a basic header is wrong, never accepted */
	mw_api_creds t = creds("t0k3n", "", "");
	assert_int_equal(mw_api_authenticate(&t, "Basic YWRtaW46cGE6c3M="), MW_AUTHN_BAD);
	/* no token configured: any bearer is wrong */
	mw_api_creds b = creds("", "admin", "pa:ss");
	assert_int_equal(mw_api_authenticate(&b, "Bearer "), MW_AUTHN_BAD);
	assert_int_equal(mw_api_authenticate(&b, "Bearer x"), MW_AUTHN_BAD);
	/* an over-long header is refused unread */
	char big[MW_API_HEADER_MAX + 20];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Bearer ", 7);
	assert_int_equal(mw_api_authenticate(&c, big), MW_AUTHN_BAD);
}

/* The constant-time compare is an equality on bytes, lengths included. */
static void test_secret_eq(void **state)
{
	(void)state;
	assert_true(mw_api_secret_eq("abc", 3, "abc", 3));
	assert_false(mw_api_secret_eq("abc", 3, "abd", 3));
	assert_false(mw_api_secret_eq("abc", 3, "abc", 2));
	assert_false(mw_api_secret_eq("abc\0x", 5, "abc\0y", 5));
	assert_true(mw_api_secret_eq("", 0, "", 0));
	assert_true(mw_api_creds_configured(&(mw_api_creds){.token = "x"}));
	assert_false(mw_api_creds_configured(&(mw_api_creds){.user = "u"})); /* no password */
	assert_true(mw_api_creds_configured(&(mw_api_creds){.user = "u", .password = "p"}));
	assert_false(mw_api_creds_configured(&(mw_api_creds){0}));
}

/* The contract's access rules. */
static void test_access(void **state)
{
	(void)state;
	static const struct {
		const char *method, *path;
		bool loopback, configured;
		mw_api_authn authn;
		int want;
	} rows[] = {
		/* loopback, nothing configured: GETs open, changes refused */
		{"GET", "/api/status", true, false, MW_AUTHN_NONE, 0},
		{"GET", "/metrics", true, false, MW_AUTHN_NONE, 0},
		{"POST", "/api/release", true, false, MW_AUTHN_NONE, 403},
		{"POST", "/api/release", true, false, MW_AUTHN_BAD, 403},
		{"DELETE", "/api/held", true, false, MW_AUTHN_NONE, 403},
		/* loopback, token configured: /api GETs and changes need it */
		{"GET", "/api/status", true, true, MW_AUTHN_NONE, 401},
		{"GET", "/api/status", true, true, MW_AUTHN_BAD, 401},
		{"GET", "/api/status", true, true, MW_AUTHN_OK, 0},
		{"GET", "/metrics", true, true, MW_AUTHN_NONE, 0},
		{"GET", "/", true, true, MW_AUTHN_NONE, 0},
		{"POST", "/api/release", true, true, MW_AUTHN_NONE, 401},
		{"POST", "/api/release", true, true, MW_AUTHN_BAD, 401},
		{"POST", "/api/release", true, true, MW_AUTHN_OK, 0},
		{"PUT", "/api/block", true, true, MW_AUTHN_NONE, 401},
		/* non-loopback: everything but the static files */
		{"GET", "/", false, true, MW_AUTHN_NONE, 0},
		{"GET", "/index.html", false, true, MW_AUTHN_NONE, 0},
		{"GET", "/assets/app.js", false, true, MW_AUTHN_NONE, 0},
		{"GET", "/metrics", false, true, MW_AUTHN_NONE, 401},
		{"GET", "/metrics", false, true, MW_AUTHN_OK, 0},
		{"GET", "/api/events", false, true, MW_AUTHN_NONE, 401},
		{"GET", "/other", false, true, MW_AUTHN_NONE, 401},
		{"POST", "/", false, true, MW_AUTHN_NONE, 401},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why;
		int got = mw_api_access(rows[i].method, rows[i].path, rows[i].loopback,
					rows[i].configured, rows[i].authn, &why);
		if (got != rows[i].want)
			fail_msg("row %zu %s %s: got %d want %d", i, rows[i].method, rows[i].path, got,
				 rows[i].want);
		if (got)
			assert_non_null(why);
	}
}

/* CSRF: Origin against Host, JSON content type, loopback addresses. */
static void test_csrf(void **state)
{
	(void)state;
	static const struct {
		const char *origin, *host;
		bool want;
	} o[] = {
		{NULL, "127.0.0.1:8025", true},
		{"http://127.0.0.1:8025", "127.0.0.1:8025", true},
		{"https://MAIL.example.org", "mail.example.org", true},
		{"http://127.0.0.1:8025/", "127.0.0.1:8025", true},
		{"http://evil.example", "127.0.0.1:8025", false},
		{"http://127.0.0.1:8026", "127.0.0.1:8025", false},
		{"http://127.0.0.1:80250", "127.0.0.1:8025", false},
		{"null", "127.0.0.1:8025", false},
		{"http://127.0.0.1:8025", NULL, false},
		{"http://127.0.0.1:8025", "", false},
	};
	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (mw_api_origin_ok(o[i].origin, o[i].host) != o[i].want)
			fail_msg("origin row %zu", i);
	assert_true(mw_api_json_type("application/json"));
	assert_true(mw_api_json_type("application/json; charset=utf-8"));
	assert_true(mw_api_json_type("Application/JSON"));
	assert_false(mw_api_json_type("application/jsonp"));
	assert_false(mw_api_json_type("application/x-www-form-urlencoded"));
	assert_false(mw_api_json_type("text/plain"));
	assert_false(mw_api_json_type(NULL));
	assert_true(mw_api_addr_loopback("127.0.0.1:8025"));
	assert_true(mw_api_addr_loopback("127.8.9.1:1"));
	assert_true(mw_api_addr_loopback("[::1]:8025"));
	assert_false(mw_api_addr_loopback("0.0.0.0:8025"));
	assert_false(mw_api_addr_loopback("192.0.2.1:8025"));
	assert_false(mw_api_addr_loopback("[::]:8025"));
	assert_false(mw_api_addr_loopback("1270.0.0.1:80"));
}

/* limit/offset and numeric parameters: bounds and syntax. */
static void test_params(void **state)
{
	(void)state;
	static const struct {
		const char *limit, *offset;
		mw_status want;
		size_t l, o;
	} rows[] = {
		{NULL, NULL, MW_OK, 100, 0},
		{"1", "0", MW_OK, 1, 0},
		{"1000", "5", MW_OK, 1000, 5},
		{"0", NULL, MW_EINVAL, 0, 0},
		{"1001", NULL, MW_EINVAL, 0, 0},
		{"-1", NULL, MW_EINVAL, 0, 0},
		{"abc", NULL, MW_EINVAL, 0, 0},
		{"10x", NULL, MW_EINVAL, 0, 0},
		{" 10", NULL, MW_EINVAL, 0, 0},
		{"", NULL, MW_EINVAL, 0, 0},
		{"99999999999999999999999", NULL, MW_EINVAL, 0, 0},
		{NULL, "-1", MW_EINVAL, 0, 0},
		{NULL, "1e3", MW_EINVAL, 0, 0},
		{NULL, "100000001", MW_EINVAL, 0, 0},
		{NULL, "100000000", MW_OK, 100, 100000000},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mw_api_page pg = {0};
		mw_err err;
		mw_status got = mw_api_page_params(rows[i].limit, rows[i].offset, &pg, &err);
		if (got != rows[i].want)
			fail_msg("row %zu: got %d want %d", i, got, rows[i].want);
		if (got == MW_OK && (pg.limit != rows[i].l || pg.offset != rows[i].o))
			fail_msg("row %zu: got %zu/%zu", i, pg.limit, pg.offset);
		if (got != MW_OK)
			assert_non_null(strstr(err.msg, rows[i].limit ? "limit" : "offset"));
	}
	int64_t v;
	mw_err err;
	assert_int_equal(mw_api_int_param("since_ms", "-5", -10, 10, 0, &v, &err), MW_OK);
	assert_int_equal(v, -5);
	assert_int_equal(mw_api_int_param("since_ms", "-", -10, 10, 0, &v, &err), MW_EINVAL);
	assert_int_equal(mw_api_int_param("x", "--1", -10, 10, 0, &v, &err), MW_EINVAL);
	assert_int_equal(mw_api_text_param("q", "alice", 10, &err), MW_OK);
	assert_int_equal(mw_api_text_param("q", NULL, 10, &err), MW_OK);
	assert_int_equal(mw_api_text_param("q", "a\nb", 10, &err), MW_EINVAL);
	assert_int_equal(mw_api_text_param("q", "a\x7f", 10, &err), MW_EINVAL);
	assert_int_equal(mw_api_text_param("q", "01234567890", 10, &err), MW_ETOOBIG);
}

/* Release/block bodies: strict JSON, one string key, optional duration. */
static void test_key_body(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		bool block;
		mw_status want;
		const char *key;
		int64_t dur;
	} rows[] = {
		{"{\"key\":\"Alice\"}", false, MW_OK, "alice", 0},
		{"{\"key\":\"bob\",\"duration_s\":60}", true, MW_OK, "bob", 60},
		{"{\"key\":\"bob\"}", true, MW_OK, "bob", 3600},
		{"{\"key\":\"bob\",\"duration_s\":60}", false, MW_EPARSE, NULL, 0}, /* not for release */
		{"{\"key\":\"bob\",\"duration_s\":0}", true, MW_EPARSE, NULL, 0},
		{"{\"key\":\"bob\",\"duration_s\":\"60\"}", true, MW_EPARSE, NULL, 0},
		{"{\"key\":\"bob\",\"duration_s\":99999999999}", true, MW_EPARSE, NULL, 0},
		{"", false, MW_EPARSE, NULL, 0},
		{"{", false, MW_EPARSE, NULL, 0},
		{"[\"alice\"]", false, MW_EPARSE, NULL, 0},
		{"\"alice\"", false, MW_EPARSE, NULL, 0},
		{"{\"key\":5}", false, MW_EPARSE, NULL, 0},
		{"{\"key\":\"\"}", false, MW_EPARSE, NULL, 0},
		{"{\"key\":\"a\\u0000b\"}", false, MW_EPARSE, NULL, 0},
		{"{\"key\":\"a\\nb\"}", false, MW_EPARSE, NULL, 0},
		{"{\"key\":\"a\",\"key\":\"b\"}", false, MW_EPARSE, NULL, 0}, /* duplicate */
		{"{\"key\":\"a\",\"other\":1}", false, MW_EPARSE, NULL, 0},
		{"{\"key\":\"a\"} trailing", false, MW_EPARSE, NULL, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char key[MW_RL_KEY_MAX + 1] = "";
		int64_t dur = 0;
		mw_err err;
		mw_status got = mw_api_key_body(rows[i].body, strlen(rows[i].body), key, sizeof(key),
						rows[i].block ? &dur : NULL, &err);
		if (got != rows[i].want)
			fail_msg("row %zu '%s': got %d want %d (%s)", i, rows[i].body, got, rows[i].want,
				 err.msg);
		if (got == MW_OK) {
			assert_string_equal(key, rows[i].key);
			if (rows[i].block)
				assert_int_equal(dur, rows[i].dur);
		}
	}
	char longkey[MW_RL_KEY_MAX + 40];
	int n = snprintf(longkey, sizeof(longkey), "{\"key\":\"");
	memset(longkey + n, 'a', MW_RL_KEY_MAX + 1);
	snprintf(longkey + n + MW_RL_KEY_MAX + 1, 8, "\"}");
	char key[MW_RL_KEY_MAX + 1];
	mw_err err;
	assert_int_equal(mw_api_key_body(longkey, strlen(longkey), key, sizeof(key), NULL, &err),
			 MW_ETOOBIG);
}

/* Event items, remote-block grouping, blocklist names. */
static void test_json_shapes(void **state)
{
	(void)state;
	mw_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.id = 7;
	ev.time_ms = 1700000000000;
	strcpy(ev.source, "policy");
	strcpy(ev.rule, "user");
	strcpy(ev.key, "pat");
	strcpy(ev.action, "hold");
	ev.count = 4;
	ev.limit = 3;
	ev.window_ms = 3600000;
	strcpy(ev.sasl_username, "Pat");
	mw_event_add_recipient(&ev, "a@example.org");
	mw_event_add_subject(&ev, "Invoice");
	json_t *o = mw_api_event_json(&ev);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "policy");
	assert_string_equal(json_string_value(json_object_get(o, "subject")), "Invoice");
	assert_int_equal(json_integer_value(json_object_get(o, "window_s")), 3600);
	assert_int_equal(json_array_size(json_object_get(o, "recipients")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(o, "detail")), "sasl_username=Pat"));
	json_decref(o);
	/* log findings: evidence lines are the detail */
	mw_event lg[3];
	const char *dest[] = {"gmail.com", "example.net", "gmail.com"};
	for (int i = 0; i < 3; i++) {
		memset(&lg[i], 0, sizeof(lg[i]));
		strcpy(lg[i].source, "logscan");
		strcpy(lg[i].rule, "remote_block");
		strcpy(lg[i].key, dest[i]);
		lg[i].count = (uint64_t)(10 - i);
		lg[i].time_ms = 3000 - i;
		mw_event_add_subject(&lg[i], i == 1 ? "status=bounced (host said: 554 listed at "
						      "zen.spamhaus.org)"
						    : "said: 550-5.7.1 unsolicited mail");
		mw_event_add_subject(&lg[i], "second line");
	}
	o = mw_api_event_json(&lg[0]);
	assert_string_equal(json_string_value(json_object_get(o, "subject")), "");
	assert_string_equal(json_string_value(json_object_get(o, "detail")),
			    "said: 550-5.7.1 unsolicited mail\nsecond line");
	json_decref(o);
	json_t *g = mw_api_blocks_group(lg, 3);
	assert_int_equal(json_array_size(g), 2);
	json_t *g0 = json_array_get(g, 0), *g1 = json_array_get(g, 1);
	assert_string_equal(json_string_value(json_object_get(g0, "destination")), "gmail.com");
	assert_int_equal(json_integer_value(json_object_get(g0, "count")), 10);
	assert_int_equal(json_integer_value(json_object_get(g0, "last_ms")), 3000);
	assert_string_equal(json_string_value(json_object_get(g0, "reply")),
			    "550-5.7.1 unsolicited mail");
	assert_string_equal(json_string_value(json_object_get(g1, "blocklist")), "Spamhaus");
	json_decref(g);
	static const struct {
		const char *text, *want;
	} bl[] = {
		{"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
		 "b.barracudacentral.org", "Barracuda"},
		{"550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. ... (S3150)",
		 "Microsoft (S3150)"},
		{"554 blocked, see https://www.spamhaus.org/query/ip/192.0.2.1", "Spamhaus"},
		{"550 5.1.1 user unknown", ""},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(bl) / sizeof(bl[0]); i++)
		assert_string_equal(mw_api_blocklist_name(bl[i].text), bl[i].want);
}

/* A secret file: first line, trailing blanks cut; empty and oversize refused. */
static void test_read_secret(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-secret-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	static const struct {
		const char *content, *want;
		mw_status st;
	} rows[] = {
		{"tok\n", "tok", MW_OK},
		{"tok \r\n", "tok", MW_OK},
		{"tok", "tok", MW_OK},
		{"tok\nsecond\n", "tok", MW_OK},
		{"\n", NULL, MW_EINVAL},
		{"", NULL, MW_EINVAL},
		{"0123456789abcdef", NULL, MW_ETOOBIG}, /* cap 9 */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(rows[i].content, f);
		fclose(f);
		char buf[10];
		mw_err err;
		mw_status got = mw_api_read_secret(path, buf, sizeof(buf), &err);
		if (got != rows[i].st)
			fail_msg("row %zu: got %d want %d", i, got, rows[i].st);
		if (got == MW_OK)
			assert_string_equal(buf, rows[i].want);
	}
	unlink(path);
	char buf[10];
	mw_err err;
	assert_int_equal(mw_api_read_secret("/nonexistent/x", buf, sizeof(buf), &err), MW_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authenticate), cmocka_unit_test(test_secret_eq),
		cmocka_unit_test(test_access),       cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_params),       cmocka_unit_test(test_key_body),
		cmocka_unit_test(test_json_shapes),  cmocka_unit_test(test_read_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
