/*
 * test_scan.c - outbound/scan: rules-file errors (table), and each rule
 * kind against matching and non-matching messages, with base64, quoted-
 * printable, a non-UTF-8 charset and HTML bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "outbound/scan.h"

static const char RULES[] =
	"# test rules\n"
	"threshold 5\n"
	"verify 4 body /verify your account/i\n"
	"subject_urgent 2 header Subject /\\burgent\\b/i\n"
	"bad_link 6 url evil.example\n"
	"exe 9 attachment .exe scr\n"
	"replyto 3 reply-to-mismatch\n"
	"display 5 display-name-spoof\n"
	"many 2 many-to 3\n"
	"umlaut 1 body /Grüße/\n";

/* Bad rules files: every one refused with the line number. */
static void test_rules_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"x 1 body verify\n", "line 1: want /REGEX/"},
		{"x 1 body /a(/\n", "line 1: regex at offset"},
		{"x 1 body /a/q\n", "line 1: unknown regex flag"},
		{"# ok\nx one body /a/\n", "line 2: score 'one'"},
		{"x 5000 body /a/\n", "line 1: score '5000'"},
		{"x 1 smell /a/\n", "line 1: unknown rule kind"},
		{"x 1 url\n", "line 1: needs at least one item"},
		{"x 1 many-to\n", "line 1: many-to wants N"},
		{"x 1 many-to 0\n", "line 1: many-to wants N"},
		{"x 1 reply-to-mismatch extra\n", "line 1: unexpected text"},
		{"threshold\n", "line 1: threshold wants N"},
		{"threshold -3\n", "line 1: threshold wants N"},
		{"x 1\n", "line 1: want NAME SCORE KIND"},
		{"x 1 header Subject\n", "line 1: want /REGEX/"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_scan_rules *r = (mw_scan_rules *)1;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_scan_rules_parse(cases[i].text, strlen(cases[i].text), &r, &err);
		if (st == MW_OK || r != NULL || strncmp(err.msg, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: got status %d '%s', want '%s'", i, st, err.msg, cases[i].want);
	}
	char big[MW_SCAN_LINE_MAX + 10];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mw_scan_rules *r;
	mw_err err;
	assert_int_equal(mw_scan_rules_parse(big, strlen(big), &r, &err), MW_EPARSE);
	assert_int_equal(mw_scan_rules_parse(RULES, strlen(RULES), &r, &err), MW_OK);
	assert_int_equal(mw_scan_rules_count(r), 8);
	mw_scan_rules_free(r);
}

#define HDR "From: Bank <service@bank.example>\r\nTo: a@x.example\r\nSubject: hello\r\n"

/* Each case: a message, the rule names that must match (space-separated,
 * in rule order), the score. */
static void test_scan_table(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *want;
		int score;
	} cases[] = {
		{HDR "\r\nPlease verify your account today.\r\n", "verify", 4},
		{HDR "\r\nNothing to see.\r\n", "", 0},
		{"From: a@b.example\r\nSubject: URGENT payment\r\n\r\nhi\r\n", "subject_urgent", 2},
		{"From: a@b.example\r\nSubject: insurgent\r\n\r\nhi\r\n", "", 0},
		/* base64 body: "Please verify your account" */
		{HDR "Content-Transfer-Encoding: base64\r\n\r\nUGxlYXNlIHZlcmlmeSB5b3VyIGFjY291bnQ=\r\n",
		 "verify", 4},
		/* quoted-printable, soft line break inside the phrase */
		{HDR "Content-Transfer-Encoding: quoted-printable\r\n\r\nPlease verify your ac=\r\ncount=2E\r\n",
		 "verify", 4},
		/* latin-1 charset converted to UTF-8 before matching */
		{HDR "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: "
		     "quoted-printable\r\n\r\nViele Gr=FC=DFe\r\n",
		 "umlaut", 1},
		/* HTML: tags removed, entity decoded, link host collected */
		{HDR "Content-Type: text/html\r\n\r\n<p>Please <b>verify</b> your&nbsp;account "
		     "<a href=\"https://login.evil.example/x\">here</a></p>\r\n",
		 "verify bad_link", 10},
		{HDR "Content-Type: text/html\r\n\r\n<a href=\"https://notevil.example/\">x</a>\r\n", "", 0},
		{HDR "Content-Type: text/html\r\n\r\n<script>verify your account</script>ok\r\n", "", 0},
		{HDR "\r\nsee http://user@evil.example:8080/path\r\n", "bad_link", 6},
		{"From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
		 "--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--XX\r\nContent-Type: "
		 "application/octet-stream\r\nContent-Disposition: attachment; filename=\"invoice.EXE\"\r\n"
		 "Content-Transfer-Encoding: base64\r\n\r\nTVqQAA==\r\n--XX--\r\n",
		 "exe", 9},
		{"From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
		 "--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
		 "filename=\"invoice.pdf\"\r\n\r\nJVBERi0=\r\n--XX--\r\n",
		 "", 0},
		{"From: a@b.example\r\nReply-To: x@other.example\r\n\r\nhi\r\n", "replyto", 3},
		{"From: a@b.example\r\nReply-To: x@b.example\r\n\r\nhi\r\n", "", 0},
		{"From: \"ceo@bank.example\" <x@freemail.example>\r\n\r\nhi\r\n", "display", 5},
		{"From: \"ceo@bank.example\" <ceo@bank.example>\r\n\r\nhi\r\n", "", 0},
		{"From: a@b.example\r\nTo: 1@x.example, 2@x.example\r\nCc: 3@x.example, 4@x.example\r\n\r\nhi\r\n",
		 "many", 2},
		{"From: a@b.example\r\nTo: 1@x.example, 2@x.example, 3@x.example\r\n\r\nhi\r\n", "", 0},
	};
	mw_scan_rules *r;
	mw_err err;
	assert_int_equal(mw_scan_rules_parse(RULES, strlen(RULES), &r, &err), MW_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_scan_result res;
		assert_int_equal(mw_scan_message(r, cases[i].msg, strlen(cases[i].msg), &res, &err), MW_OK);
		char got[256] = "";
		for (size_t k = 0; k < res.nhits; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "",
				 res.hit[k].rule);
		if (strcmp(got, cases[i].want) || res.score != cases[i].score)
			fail_msg("case %zu: got '%s' score %d, want '%s' score %d", i, got, res.score,
				 cases[i].want, cases[i].score);
		assert_int_equal(res.hold, res.score >= 5);
	}
	mw_scan_rules_free(r);
}

/* Garbage and an empty input do not crash; the regex match limit holds. */
static void test_scan_bad_input(void **state)
{
	(void)state;
	const char *rules = "slow 1 body /(a+)+$/\n";
	mw_scan_rules *r;
	mw_err err;
	assert_int_equal(mw_scan_rules_parse(rules, strlen(rules), &r, &err), MW_OK);
	char msg[4096];
	int n = snprintf(msg, sizeof(msg), "From: a@b.example\r\n\r\n");
	memset(msg + n, 'a', 3000);
	msg[n + 3000] = '!';
	msg[n + 3001] = '\0';
	mw_scan_result res;
	assert_int_equal(mw_scan_message(r, msg, strlen(msg), &res, &err), MW_OK);
	assert_int_equal(res.score, 0); /* catastrophic backtracking stopped, no match */
	/* no header section at all: a parse error, not a crash */
	assert_int_equal(mw_scan_message(r, "\x01\x02\xff", 3, &res, &err), MW_EPARSE);
	assert_int_equal(mw_scan_message(r, "", 0, &res, &err), MW_EPARSE);
	mw_scan_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_errors),
		cmocka_unit_test(test_scan_table),
		cmocka_unit_test(test_scan_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
