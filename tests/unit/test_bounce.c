/*
 * test_bounce.c - bounce/: RFC 3463 codes, RFC 3464 fields, reasons, BATV
 * syntax, mbox splitting, whole-bounce parsing of built messages (good and
 * malformed: broken MIME, nesting, 50 MB, charsets, line ends) and the
 * backscatter verdict (genuine versus forged originals).  Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/dkim.h"
#include "auth/dkim_crypto.h"
#include "bounce/backscatter.h"
#include "bounce/bs_dkim.h"
#include "mail/message.h"
#include "bounce/bounce.h"
#include "bounce/dsn.h"
#include "bounce/prvs.h"
#include "bounce/reason.h"
#include "bounce/status.h"
#include "bounce/textbounce.h"
#include "core/limits.h"
#include "mail/mbox.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- RFC 3463 status codes ------------------------------------------ */

typedef struct find_case {
	const char *text;
	const char *want; /* NULL: no code */
} find_case;

/* Codes are found with word boundaries; IPs, versions and class 3 are not codes. */
static void test_status_find(void **state)
{
	(void)state;
	static const find_case cases[] = {
		{"550 5.1.1 <a@b>... User unknown", "5.1.1"},
		{"Status: 4.4.7 (delivery time expired)", "4.4.7"},
		{"#5.7.1 refused", "5.7.1"},
		{"code 5.7.26 DMARC", "5.7.26"},
		{"5.1.10 null MX", "5.1.10"},
		{"host 192.0.2.1 said 550", NULL},      /* an IPv4 address */
		{"version 5.1.1.3 of the server", NULL}, /* a dotted version */
		{"3.1.1 is no class", NULL},
		{"5.1.", NULL},
		{"5..1", NULL},
		{"5.1234.1 too long subject", NULL},
		{"x5.1.1", NULL},
		{"", NULL},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char got[MW_STATUS_STR_MAX] = "";
		long off = mw_status_code_find(cases[i].text, strlen(cases[i].text), false, got);
		if (cases[i].want) {
			assert_true(off >= 0);
			assert_string_equal(got, cases[i].want);
		} else {
			assert_int_equal(off, -1);
		}
	}
	assert_true(mw_status_code_valid("2.0.0", 5));
	assert_false(mw_status_code_valid("2.0.0 ", 6));
	assert_true(mw_status_is_generic("5.0.0"));
	assert_false(mw_status_is_generic("5.1.1"));
}

/* SMTP reply codes: a 4yz/5yz token, not part of a number or a word. */
static void test_reply_find(void **state)
{
	(void)state;
	static const find_case cases[] = {
		{"550 5.1.1 unknown", "550"},
		{"said: 452-4.2.2 over quota", "452"},
		{"<<< 421 try later", "421"},
		{"id 5501234", NULL},
		{"port 25 open", NULL},
		{"IB506 blocked", NULL},
		{"#550", NULL},
		{"599 no such class", NULL},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char got[4] = "";
		long off = mw_reply_code_find(cases[i].text, strlen(cases[i].text), got);
		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_int_equal(off, -1);
	}
}

/* ---- RFC 3464 fields --------------------------------------------------- */

static const char DSN_TWO[] = "Reporting-MTA: dns; mx.example.org\n"
			      "Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
			      "\n"
			      "Final-Recipient: rfc822; alice@example.net\n"
			      "Original-Recipient: rfc822;Alice@example.net\n"
			      "Action: Failed\n"
			      "Status: 5.1.1 (bad mailbox)\n"
			      "Remote-MTA: dns; mx.example.net\n"
			      "Diagnostic-Code: smtp; 550 5.1.1 <alice@example.net>:\n"
			      "    Recipient address rejected\n"
			      "\n"
			      "Final-Recipient: rfc822; <bob@example.net>\n"
			      "Action: delayed\n"
			      "Status: 4.2.2\n";

/* Per-message and per-recipient fields, folding, types stripped. */
static void test_dsn_fields(void **state)
{
	(void)state;
	mw_pool *p = mw_pool_new(1 << 20);
	mw_dsn d;
	assert_int_equal(mw_dsn_parse(p, DSN_TWO, strlen(DSN_TWO), &d, NULL), MW_OK);
	assert_string_equal(d.reporting_mta, "mx.example.org");
	assert_int_equal(d.nrcpt, 2);
	assert_string_equal(d.rcpts[0].final_recipient, "alice@example.net");
	assert_string_equal(d.rcpts[0].final_type, "rfc822");
	assert_string_equal(d.rcpts[0].original_recipient, "Alice@example.net");
	assert_string_equal(d.rcpts[0].action, "failed");
	assert_string_equal(d.rcpts[0].status, "5.1.1");
	assert_string_equal(d.rcpts[0].remote_mta, "mx.example.net");
	assert_string_equal(d.rcpts[0].diagnostic_type, "smtp");
	assert_string_equal(d.rcpts[0].diagnostic,
			    "550 5.1.1 <alice@example.net>: Recipient address rejected");
	assert_string_equal(d.rcpts[1].final_recipient, "bob@example.net");
	assert_string_equal(d.rcpts[1].action, "delayed");
	assert_string_equal(d.rcpts[1].status, "4.2.2");
	mw_pool_free(p);
}

typedef struct dsn_case {
	const char *in;
	mw_status want;
	size_t nrcpt;
	const char *first; /* first recipient, or NULL */
	const char *status;
} dsn_case;

/* Malformed and unusual delivery-status bodies. */
static void test_dsn_malformed(void **state)
{
	(void)state;
	static const dsn_case cases[] = {
		{"", MW_EPARSE, 0, NULL, NULL},
		{"no fields here\njust prose\n", MW_EPARSE, 0, NULL, NULL},
		{"Reporting-MTA: dns; x\n", MW_OK, 0, NULL, NULL},
		/* no blank line between the blocks: repeated Final-Recipient splits */
		{"Final-Recipient: rfc822; a@x.org\nStatus: 5.1.1\nFinal-Recipient: rfc822; "
		 "b@x.org\nStatus: 5.2.2\n",
		 MW_OK, 2, "a@x.org", "5.1.1"},
		/* invalid status is dropped, not trusted */
		{"Final-Recipient: rfc822; a@x.org\nStatus: 9.9.9\n", MW_OK, 1, "a@x.org", ""},
		{"Final-Recipient: rfc822; a@x.org\nStatus: 5.1\n", MW_OK, 1, "a@x.org", ""},
		/* RFC 6533 utf-8 address with a unitext escape */
		{"Final-Recipient: utf-8; j\\x{00F6}rg@example.de\nAction: failed\n", MW_OK, 1,
		 "j\xc3\xb6rg@example.de", ""},
		/* xtext (RFC 3461 §4) */
		{"Original-Recipient: rfc822; a+2Bb@x.org\n", MW_OK, 1, "a+b@x.org", ""},
		/* bad escapes are kept literally */
		{"Final-Recipient: utf-8; a\\x{D800}@x.org\n", MW_OK, 1, "a\\x{D800}@x.org", ""},
		{"Final-Recipient: utf-8; a\\x{zz}@x.org\n", MW_OK, 1, "a\\x{zz}@x.org", ""},
		/* a field with no name, binary junk, CRLF */
		{": empty name\r\nFinal-Recipient: rfc822; c@x.org\r\nStatus: 4.4.7\r\n", MW_OK, 1,
		 "c@x.org", "4.4.7"},
		{"\x01\x02\xff: junk\nFinal-Recipient: rfc822; d@x.org\n", MW_OK, 1, "d@x.org", ""},
	};
	for (size_t i = 0; i < N(cases); i++) {
		mw_pool *p = mw_pool_new(1 << 20);
		mw_dsn d;
		mw_err err;
		mw_status st = mw_dsn_parse(p, cases[i].in, strlen(cases[i].in), &d, &err);
		assert_int_equal(st, cases[i].want);
		assert_int_equal(d.nrcpt, cases[i].nrcpt);
		if (cases[i].first) {
			const char *got = d.rcpts[0].final_recipient ? d.rcpts[0].final_recipient
								      : d.rcpts[0].original_recipient;
			assert_string_equal(got, cases[i].first);
			assert_string_equal(d.rcpts[0].status, cases[i].status);
		}
		mw_pool_free(p);
	}
}

/* 1500 recipient blocks stop at MW_BOUNCE_RCPTS_MAX, flagged truncated; a
 * 100 KB field is cut at MW_BOUNCE_FIELD_MAX. */
static void test_dsn_limits(void **state)
{
	(void)state;
	size_t cap = 1500 * 64 + 200000;
	char *s = malloc(cap);
	size_t n = 0;
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(s + n, cap - n, "\nFinal-Recipient: rfc822; u%d@x.org\n", i);
	n += (size_t)snprintf(s + n, cap - n, "Diagnostic-Code: smtp; ");
	memset(s + n, 'A', 100000);
	n += 100000;
	mw_pool *p = mw_pool_new(MW_BOUNCE_POOL_MAX);
	mw_dsn d;
	assert_int_equal(mw_dsn_parse(p, s, n, &d, NULL), MW_OK);
	assert_int_equal(d.nrcpt, MW_BOUNCE_RCPTS_MAX);
	assert_true(d.truncated);
	mw_pool_free(p);
	/* the long field alone */
	char *f = malloc(200000);
	int k = snprintf(f, 200000, "Final-Recipient: rfc822; a@x.org\nDiagnostic-Code: smtp; ");
	memset(f + k, 'B', 150000);
	p = mw_pool_new(MW_BOUNCE_POOL_MAX);
	assert_int_equal(mw_dsn_parse(p, f, (size_t)k + 150000, &d, NULL), MW_OK);
	/* the field buffer holds "smtp; " too, which is stripped as the type */
	assert_int_equal(strlen(d.rcpts[0].diagnostic), MW_BOUNCE_FIELD_MAX - 1 - strlen("smtp; "));
	mw_pool_free(p);
	free(f);
	free(s);
}

/* ---- reasons ----------------------------------------------------------- */

typedef struct reason_case {
	const char *text;
	const char *status;
	const char *want;
	bool hard;
} reason_case;

/* Text and status to reason; strong codes win, specific phrases beat general ones. */
static void test_reason_classify(void **state)
{
	(void)state;
	static const reason_case cases[] = {
		{"550 5.1.1 <a@b>: Recipient address rejected: User unknown", "5.1.1", "userunknown", true},
		{"552 5.2.2 Mailbox full", "5.2.2", "mailboxfull", false},
		{"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
		 "zen.spamhaus.org", "5.7.1", "blocked", false},
		{"550 5.7.25 The IP address sending this message does not have a PTR record", "5.7.25",
		 "requireptr", false},
		{"550 5.7.26 This message does not pass authentication checks (SPF and DKIM both "
		 "do not pass)", "5.7.26", "authfailure", false},
		{"Host or domain name not found. Name service error for name=x.example", "5.4.4",
		 "hostunknown", true},
		{"421 4.7.0 Try again later, closing connection. Too many connections", "4.7.0",
		 "toomanyconn", false},
		{"552 5.3.4 Message size exceeds fixed limit", "5.3.4", "mesgtoobig", false},
		{"550 5.7.1 Relaying denied", "5.7.1", "norelaying", false},
		{"554 5.7.1 Message rejected as spam by Content Filtering", "5.7.1", "spamdetected",
		 false},
		{"550 Message was not accepted -- virus detected", "", "virusdetected", false},
		{"retry timeout exceeded", "4.4.7", "expired", false},
		{"550 5.1.8 Domain of sender address does not exist", "5.1.8", "rejected", false},
		{"554 Transaction failed: Duplicate header 'Subject'", "5.6.0", "notcompliantrfc", false},
		{"", "5.1.10", "userunknown", true},
		{"", "4.4.7", "expired", false},
		{"", "5.9.9", "undefined", false},
		{"", "", "undefined", false},
		{"completely unrelated words", "", "undefined", false},
		{NULL, "5.2.2", "mailboxfull", false},
	};
	for (size_t i = 0; i < N(cases); i++) {
		const char *t = cases[i].text;
		mw_reason r = mw_reason_classify(t, t ? strlen(t) : 0, cases[i].status, "");
		if (strcmp(mw_reason_name(r), cases[i].want) != 0)
			fail_msg("case %zu: got %s want %s", i, mw_reason_name(r), cases[i].want);
		assert_int_equal(mw_reason_is_hard(r, cases[i].status), cases[i].hard);
	}
}

/* Names round-trip, aliases map, pseudo codes follow Sisimai's numbering. */
static void test_reason_names(void **state)
{
	(void)state;
	for (int r = 0; r < MW_REASON_COUNT; r++)
		assert_int_equal(mw_reason_from_name(mw_reason_name((mw_reason)r)), r);
	assert_int_equal(mw_reason_from_name("ratelimited"), MW_REASON_SPEEDING);
	assert_int_equal(mw_reason_from_name("mesgtoolarge"), MW_REASON_MESGTOOBIG);
	assert_int_equal(mw_reason_from_name("nonsense"), MW_REASON_COUNT);
	char buf[16];
	assert_string_equal(mw_reason_pseudo_status(MW_REASON_USERUNKNOWN, false, buf, 16), "5.0.911");
	assert_string_equal(mw_reason_pseudo_status(MW_REASON_EXPIRED, true, buf, 16), "4.0.947");
	assert_string_equal(mw_reason_pseudo_status(MW_REASON_VACATION, false, buf, 16), "");
	assert_int_equal(mw_reason_from_status("5.0.922", false), MW_REASON_MAILBOXFULL);
}

/* Blocklists and provider policies named in the text. */
static void test_reason_policy(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/1.2.3.4",
		 "Spamhaus ZEN"},
		{"550 5.7.1 Unfortunately, messages from [1.2.3.4] weren't sent. (S3150)",
		 "Microsoft S3150 (IP on Microsoft block list)"},
		{"553 5.7.1 [TSS04] Messages from 1.2.3.4 temporarily deferred",
		 "Yahoo TSS04 (complaints / reputation)"},
		{"rejected: listed at b.barracudacentral.org", "Barracuda BRBL"},
		{"550 5.1.1 user unknown", NULL},
		{"", NULL},
	};
	for (size_t i = 0; i < N(cases); i++) {
		const char *got = mw_reason_policy(cases[i][0], strlen(cases[i][0]));
		if (cases[i][1])
			assert_string_equal(got, cases[i][1]);
		else
			assert_null(got);
	}
}

/* ---- BATV prvs syntax -------------------------------------------------- */

static void test_prvs(void **state)
{
	(void)state;
	mw_prvs t;
	assert_true(mw_prvs_parse("prvs=1234abcdef=alice@example.com", &t));
	assert_int_equal(t.key, 1);
	assert_int_equal(t.day, 234);
	assert_string_equal(t.sig, "abcdef");
	assert_string_equal(t.local, "alice");
	assert_string_equal(t.domain, "example.com");
	assert_true(mw_prvs_parse("PRVS=0999ABCDEF=bob@x.org", &t));
	assert_string_equal(t.sig, "abcdef");
	static const char *const bad[] = {
		"alice@example.com",         "prvs=123abcdef=alice@x.org", "prvs=1234abcdeg=a@x.org",
		"prvs=1234abcdef-alice@x.org", "prvs=1234abcdef=@x.org",     "prvs=1234abcdef=alice@",
		"prvs=1234abcdef=alice",     "alice=prvs=1234abcdef@x.org", "",
	};
	for (size_t i = 0; i < N(bad); i++)
		assert_false(mw_prvs_parse(bad[i], &t));
	assert_true(mw_prvs_day_valid(100, 100));
	assert_true(mw_prvs_day_valid(107, 19100));
	assert_false(mw_prvs_day_valid(99, 100));
	assert_true(mw_prvs_day_valid(3, 19998)); /* wraps past 999 */
	assert_false(mw_prvs_day_valid(1000, 1));
}

/* ---- mbox ---------------------------------------------------------------- */

static void test_mbox(void **state)
{
	(void)state;
	static const char box[] = "From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n"
				  "From here is not a separator\n\n"
				  "From b@x Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody2\n";
	assert_true(mw_mbox_is(box, strlen(box)));
	assert_false(mw_mbox_is("Subject: x\n", 11));
	mw_mbox_iter it;
	const char *m;
	size_t n;
	mw_mbox_init(&it, box, strlen(box));
	assert_true(mw_mbox_next(&it, &m, &n));
	assert_int_equal(strncmp(m, "Subject: one\n", 13), 0);
	assert_non_null(memmem(m, n, "From here", 9));
	assert_true(mw_mbox_next(&it, &m, &n));
	assert_int_equal(strncmp(m, "Subject: two\n", 13), 0);
	assert_int_equal(m[n - 1], '\n');
	assert_false(mw_mbox_next(&it, &m, &n));
	mw_mbox_init(&it, "", 0);
	assert_false(mw_mbox_next(&it, &m, &n));
}

/* ---- whole bounces --------------------------------------------------------- */

static const char REPORT[] =
	"From: MAILER-DAEMON@mx.example.org\n"
	"To: sender@our.example\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
	"\n"
	"--B\n"
	"Content-Type: text/plain\n"
	"\n"
	"I'm sorry to have to inform you that your message could not be delivered.\n"
	"--B\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx.example.org\n"
	"\n"
	"Final-Recipient: rfc822; nobody@example.net\n"
	"Action: failed\n"
	"Status: 5.0.0\n"
	"Remote-MTA: dns; mx.example.net\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: User unknown\n"
	"--B\n"
	"Content-Type: text/rfc822-headers\n"
	"\n"
	"%s"
	"--B--\n";

static const char ORIG_OURS[] =
	"Received: from mta.our.example (mta.our.example [192.0.2.10])\n"
	"\tby mx.example.net with ESMTPS id 123; Mon, 1 Jan 2024 00:00:00 +0000\n"
	"Received: from [10.0.0.5] (helo=laptop) by mta.our.example; Mon, 1 Jan 2024\n"
	"DKIM-Signature: v=1; a=rsa-sha256; d=our.example; s=s1; h=from:to;\n"
	"\tbh=AAAA; b=GOODSIG\n"
	"Message-ID: <abc123@mta.our.example>\n"
	"From: sender@our.example\n"
	"To: nobody@example.net\n"
	"\n";

static const char ORIG_FORGED[] =
	"Received: from bot.example.com ([203.0.113.66])\n"
	"\tby mx.example.net with SMTP id 999; Mon, 1 Jan 2024 00:00:00 +0000\n"
	"Message-ID: <deadbeef@bot.example.com>\n"
	"From: sender@our.example\n"
	"To: nobody@example.net\n"
	"\n";

static char *build_report(const char *orig, size_t *len)
{
	size_t cap = sizeof(REPORT) + strlen(orig) + 16;
	char *s = malloc(cap);
	*len = (size_t)snprintf(s, cap, REPORT, orig);
	return s;
}

/* A DSN: recipient, the specific code from the diagnostic beats 5.0.0, and
 * the returned headers are kept. */
static void test_parse_report(void **state)
{
	(void)state;
	size_t len;
	char *raw = build_report(ORIG_OURS, &len);
	mw_bounce *b;
	assert_int_equal(mw_bounce_parse(raw, len, &b, NULL), MW_OK);
	assert_int_equal(b->kind, MW_BOUNCE_DSN);
	assert_int_equal(b->nrcpt, 1);
	assert_string_equal(b->rcpts[0].address, "nobody@example.net");
	assert_string_equal(b->rcpts[0].status, "5.1.1");
	assert_string_equal(b->rcpts[0].replycode, "550");
	assert_int_equal(b->rcpts[0].reason, MW_REASON_USERUNKNOWN);
	assert_true(b->rcpts[0].hard);
	assert_string_equal(b->rcpts[0].remote_mta, "mx.example.net");
	assert_string_equal(b->to, "sender@our.example");
	assert_non_null(b->orig_headers);
	assert_string_equal(b->orig_message_id, "<abc123@mta.our.example>");
	mw_bounce_free(b);
	free(raw);
}

typedef struct parse_case {
	const char *name;
	const char *raw;
	mw_bounce_kind kind;
	size_t nrcpt;
	const char *addr;
	const char *reason;
} parse_case;

/* Text bounces, auto-replies, non-bounces and malformed MIME. */
static void test_parse_table(void **state)
{
	(void)state;
	static const parse_case cases[] = {
		{"qmail", "From: MAILER-DAEMON@x.org\nTo: s@our.example\nSubject: failure notice\n\n"
			  "Hi. This is the qmail-send program at x.org.\n\n<gone@example.net>:\n"
			  "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
			  "--- Below this line is a copy of the message.\n\nReturn-Path: <s@our.example>\n",
		 MW_BOUNCE_TEXT, 1, "gone@example.net", "userunknown"},
		{"exim", "From: Mail Delivery System <Mailer-Daemon@x.org>\nTo: s@our.example\n"
			 "Subject: Mail delivery failed: returning message to sender\n"
			 "X-Failed-Recipients: full@example.net\n\n"
			 "This message was created automatically by mail delivery software.\n\n"
			 "  full@example.net\n    host mx.example.net [192.0.2.1]: 552 5.2.2 Mailbox full\n",
		 MW_BOUNCE_TEXT, 1, "full@example.net", "mailboxfull"},
		{"RFC 6533 UTF-8 DSN",
		 "From: MAILER-DAEMON@x.org\nTo: s@our.example\nSubject: Undeliverable\n"
		 "MIME-Version: 1.0\nContent-Type: multipart/report; "
		 "report-type=global-delivery-status; boundary=G\n\n--G\n"
		 "Content-Type: text/plain; charset=utf-8\n\nPostfach voll.\n--G\n"
		 "Content-Type: message/global-delivery-status\n\n"
		 "Reporting-MTA: dns; x.org\n\n"
		 "Final-Recipient: utf-8; j\xc3\xb6rg@ex\xc3\xa4mple.de\nAction: failed\n"
		 "Status: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Postfach voll\n--G--\n",
		 MW_BOUNCE_DSN, 1, "j\xc3\xb6rg@ex\xc3\xa4mple.de", "mailboxfull"},
		{"ARF report",
		 "From: fbl@isp.example\nTo: abuse@our.example\nSubject: FW: spam\n"
		 "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; "
		 "boundary=F\n\n--F\nContent-Type: text/plain\n\nA complaint.\n--F\n"
		 "Content-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
		 "Original-Rcpt-To: victim@isp.example\n--F--\n",
		 MW_BOUNCE_FEEDBACK, 1, "victim@isp.example", "feedback"},
		{"vacation", "From: boss@example.net\nTo: s@our.example\nAuto-Submitted: auto-replied\n"
			     "Subject: Out of office\n\nI am away until Monday.\n",
		 MW_BOUNCE_AUTOREPLY, 1, "boss@example.net", "vacation"},
		{"ordinary mail", "From: a@example.net\nTo: s@our.example\nSubject: lunch?\n\nsee you\n",
		 MW_BOUNCE_NOT, 0, NULL, NULL},
		{"report without boundary",
		 "From: MAILER-DAEMON@x.org\nSubject: Undeliverable\n"
		 "Content-Type: multipart/report; report-type=delivery-status\n\n"
		 "--X\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.org\n",
		 MW_BOUNCE_DSN, 1, "a@b.org", "undefined"},
		{"unterminated multipart",
		 "From: MAILER-DAEMON@x.org\nSubject: Undeliverable\nMIME-Version: 1.0\n"
		 "Content-Type: multipart/report; boundary=Q\n\n--Q\n"
		 "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; c@d.org\n"
		 "Status: 5.2.2\n",
		 MW_BOUNCE_DSN, 1, "c@d.org", "mailboxfull"},
		{"unknown charset",
		 "From: MAILER-DAEMON@x.org\nTo: s@our.example\nSubject: Delivery failure\n"
		 "Content-Type: text/plain; charset=x-no-such-charset\n\n"
		 "<u@example.net>: 550 5.1.1 user unknown \xe9\xe8\n",
		 MW_BOUNCE_TEXT, 1, "u@example.net", "userunknown"},
		{"invalid utf-8 and bad base64",
		 "From: MAILER-DAEMON@x.org\nTo: s@our.example\nSubject: Delivery failure\n"
		 "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
		 "!!!not base64\xc3\x28\xa0\xa1!!!\n",
		 MW_BOUNCE_NOT, 0, NULL, NULL},
		{"bare CR line ends",
		 "From: MAILER-DAEMON@x.org\rTo: s@our.example\rSubject: failure notice\r\r"
		 "<cr@example.net>:\rmailbox is full (#5.2.2)\r",
		 MW_BOUNCE_TEXT, 1, "cr@example.net", "mailboxfull"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		mw_bounce *b = NULL;
		mw_err err;
		mw_status st = mw_bounce_parse(cases[i].raw, strlen(cases[i].raw), &b, &err);
		if (st != MW_OK)
			fail_msg("%s: status %d (%s)", cases[i].name, st, err.msg);
		if (b->kind != cases[i].kind || b->nrcpt != cases[i].nrcpt)
			fail_msg("%s: got kind %s n=%zu want %s n=%zu", cases[i].name,
				 mw_bounce_kind_name(b->kind), b->nrcpt,
				 mw_bounce_kind_name(cases[i].kind), cases[i].nrcpt);
		if (cases[i].addr) {
			assert_string_equal(b->rcpts[0].address, cases[i].addr);
			if (strcmp(mw_reason_name(b->rcpts[0].reason), cases[i].reason) != 0)
				fail_msg("%s: reason %s want %s", cases[i].name,
					 mw_reason_name(b->rcpts[0].reason), cases[i].reason);
		}
		mw_bounce_free(b);
	}
}

/* Input GMime cannot read as a message at all is an input error. */
static void test_parse_empty(void **state)
{
	(void)state;
	mw_bounce *b = NULL;
	mw_err err;
	assert_int_equal(mw_bounce_parse("", 0, &b, &err), MW_EPARSE);
	assert_null(b);
	static const char junk[] = "\x01\x02\x03 not mail at all \xff\xfe";
	assert_int_equal(mw_bounce_parse(junk, sizeof(junk) - 1, &b, &err), MW_EPARSE);
	assert_null(b);
}

/* Reports nested 40 deep: the walk stops at MW_BOUNCE_DEPTH_MAX and says so. */
static void test_parse_nested(void **state)
{
	(void)state;
	char *s = malloc(1 << 16);
	size_t n = (size_t)sprintf(s, "From: MAILER-DAEMON@x.org\nSubject: Undeliverable\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(s + n,
				     "Content-Type: multipart/report; boundary=\"b%d\"\n\n--b%d\n", i, i);
	n += (size_t)sprintf(s + n, "Content-Type: message/delivery-status\n\n"
				    "Final-Recipient: rfc822; deep@x.org\n");
	mw_bounce *b;
	assert_int_equal(mw_bounce_parse(s, n, &b, NULL), MW_OK);
	assert_true(b->truncated);
	assert_int_equal(b->nrcpt, 0);
	mw_bounce_free(b);
	free(s);
}

/* 50 MB: one byte over the limit is refused; a 40 MB bounce (huge attached
 * original) parses with its recipient. */
static void test_parse_size(void **state)
{
	(void)state;
	size_t big = MW_BOUNCE_MAX + 1;
	char *s = malloc(big);
	memset(s, 'a', big);
	mw_bounce *b = NULL;
	mw_err err;
	assert_int_equal(mw_bounce_parse(s, big, &b, &err), MW_ETOOBIG);
	assert_null(b);
	size_t hl;
	char *head = build_report(ORIG_OURS, &hl);
	hl -= strlen("--B--\n");
	size_t total = 40u << 20;
	memcpy(s, head, hl);
	const char part[] = "--B\nContent-Type: text/plain\n\n";
	memcpy(s + hl, part, sizeof(part) - 1);
	size_t body = hl + sizeof(part) - 1;
	memset(s + body, 'x', total - body);
	for (size_t i = body + 79; i < total; i += 80)
		s[i] = '\n';
	assert_int_equal(mw_bounce_parse(s, total, &b, &err), MW_OK);
	assert_int_equal(b->nrcpt, 1);
	assert_string_equal(b->rcpts[0].address, "nobody@example.net");
	mw_bounce_free(b);
	free(head);
	free(s);
}

/* ---- backscatter ------------------------------------------------------------- */

/* Stand-in for the DKIM engine: "valid" when the signature is GOODSIG. */
static int fake_dkim(void *ctx, const char *h, size_t n, const char *domain, char *why,
		     size_t wn)
{
	(void)ctx;
	(void)domain;
	snprintf(why, wn, "(test verifier)");
	return memmem(h, n, "b=GOODSIG", 9) ? 1 : 0;
}

static int fake_batv(void *ctx, const char *addr, char *why, size_t wn)
{
	(void)ctx;
	snprintf(why, wn, "(test key)");
	return strstr(addr, "aaaaaa=") ? 1 : 0;
}

typedef struct bs_case {
	const char *name;
	const char *orig;
	const char *to;     /* replaces sender@our.example in the bounce's To */
	bool with_hooks;
	bool batv_always;
	mw_bs_verdict want;
} bs_case;

static void test_backscatter(void **state)
{
	(void)state;
	static const bs_case cases[] = {
		{"ours, DKIM verifies", ORIG_OURS, NULL, true, false, MW_BS_GENUINE},
		{"ours, no verifier: Received + Message-ID", ORIG_OURS, NULL, false, false,
		 MW_BS_GENUINE},
		{"forged: foreign IP and Message-ID", ORIG_FORGED, NULL, false, false,
		 MW_BS_BACKSCATTER},
		{"forged with hooks", ORIG_FORGED, NULL, true, false, MW_BS_BACKSCATTER},
		{"untagged while we tag everything", ORIG_OURS, NULL, false, true, MW_BS_BACKSCATTER},
		{"valid BATV tag", ORIG_FORGED, "prvs=1123aaaaaa=sender@our.example", true, true,
		 MW_BS_GENUINE},
		{"forged BATV tag", ORIG_OURS, "prvs=1123bbbbbb=sender@our.example", false, true,
		 MW_BS_GENUINE}, /* no key: syntax only, other evidence decides */
		{"forged BATV tag, key known", ORIG_FORGED, "prvs=1123bbbbbb=sender@our.example", true,
		 true, MW_BS_BACKSCATTER},
		{"not addressed to us", ORIG_FORGED, "someone@else.example", true, false,
		 MW_BS_UNDETERMINED},
		{"no original returned", "", NULL, true, false, MW_BS_UNDETERMINED},
	};
	static const char *const domains[] = {"our.example"};
	mw_bs_net net;
	assert_true(mw_bs_parse_net("192.0.2.0/28", &net));
	for (size_t i = 0; i < N(cases); i++) {
		size_t len;
		char *raw = build_report(cases[i].orig, &len);
		if (cases[i].to) {
			char *fixed = malloc(len + 128);
			char *at = strstr(raw, "To: sender@our.example\n");
			size_t pre = (size_t)(at - raw);
			len = (size_t)sprintf(fixed, "%.*sTo: %s\n%s", (int)pre, raw, cases[i].to,
					      at + strlen("To: sender@our.example\n"));
			free(raw);
			raw = fixed;
		}
		mw_bounce *b;
		assert_int_equal(mw_bounce_parse(raw, len, &b, NULL), MW_OK);
		mw_bs_policy p = {.domains = domains, .ndomains = 1, .nets = &net, .nnets = 1,
				  .batv_always = cases[i].batv_always};
		if (cases[i].with_hooks) {
			p.dkim_verify = fake_dkim;
			p.batv_verify = fake_batv;
		}
		mw_bs_result r;
		assert_int_equal(mw_backscatter_check(b, &p, &r, NULL), MW_OK);
		if (r.verdict != cases[i].want)
			fail_msg("%s: got %s want %s", cases[i].name, mw_bs_verdict_name(r.verdict),
				 mw_bs_verdict_name(cases[i].want));
		assert_true(r.nev > 0);
		mw_bounce_free(b);
		free(raw);
	}
}

/* CIDR parsing for --our-ip. */
static void test_bs_nets(void **state)
{
	(void)state;
	mw_bs_net n;
	assert_true(mw_bs_parse_net("192.0.2.1", &n));
	assert_int_equal(n.prefix, 32);
	assert_true(mw_bs_parse_net("2001:db8::/32", &n));
	assert_int_equal(n.prefix, 32);
	static const char *const bad[] = {"192.0.2.0/33", "192.0.2.0/", "x/24", "", "::/129",
					  "192.0.2.0/2x"};
	for (size_t i = 0; i < N(bad); i++)
		assert_false(mw_bs_parse_net(bad[i], &n));
}

/* ---- backscatter with real DKIM signatures ---------------------------------- */

/* sign_headers - headers with a DKIM-Signature (d=our.example, s=sel) made
 * with the project's DKIM primitives (header hash + RSA), as our MTA would */
static char *sign_headers(EVP_PKEY *key, const char *rest)
{
	static const char sig_head[] =
		"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=our.example; s=sel;\n"
		"\th=from:to:subject:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=";
	char *unsigned_h = malloc(8192);
	snprintf(unsigned_h, 8192, "%s\n%s", sig_head, rest);
	mw_message m;
	assert_int_equal(mw_message_parse(unsigned_h, strlen(unsigned_h), &m, NULL), MW_OK);
	long idx = mw_message_find(&m, "DKIM-Signature", 0);
	static const mw_hname h[] = {{"from", 4}, {"to", 2}, {"subject", 7}, {"message-id", 10}};
	unsigned char hh[EVP_MAX_MD_SIZE], sig[512];
	unsigned hlen = 0;
	size_t siglen = sizeof(sig);
	assert_int_equal(mw_dkim_header_hash(&m, h, 4, idx, m.field[idx].raw, m.field[idx].raw_len,
					     MW_CANON_RELAXED, EVP_sha256(), hh, &hlen),
			 MW_OK);
	assert_int_equal(mw_dkim_crypto_sign(key, MW_DKIM_ALG_RSA_SHA256, hh, hlen, sig, &siglen,
					     NULL),
			 MW_OK);
	mw_message_free(&m);
	char b64[1024];
	mw_b64_encode(sig, siglen, b64);
	char *out = malloc(8192);
	snprintf(out, 8192, "%s%s\n%s", sig_head, b64, rest);
	free(unsigned_h);
	return out;
}

/* key_record - "v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo>" of key */
static char *key_record(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	assert_true(n > 0);
	char *rec = malloc((size_t)n * 2 + 64);
	strcpy(rec, "v=DKIM1; k=rsa; p=");
	mw_b64_encode(der, (size_t)n, rec + strlen(rec));
	OPENSSL_free(der);
	return rec;
}

/* Our signer's mail bounced: genuine on the DKIM evidence alone, even with a
 * foreign Received chain; the same headers altered, or a stranger's key: not. */
static void test_backscatter_dkim(void **state)
{
	(void)state;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	assert_non_null(key);
	static const char rest[] = "Received: from relay.example.com ([203.0.113.9]) by mx.example.net\n"
				   "From: sender@our.example\nTo: nobody@example.net\n"
				   "Subject: invoice 42\nMessage-ID: <x1@elsewhere.example>\n\n";
	char *signed_h = sign_headers(key, rest);
	char *rec = key_record(key);
	mw_bs_dkim_keys keys = {.key = {{"our.example", "sel", rec}}, .n = 1};
	static const char *const domains[] = {"our.example"};
	mw_bs_net net;
	assert_true(mw_bs_parse_net("192.0.2.0/28", &net));
	mw_bs_policy p = {.domains = domains, .ndomains = 1, .nets = &net, .nnets = 1,
			  .dkim_verify = mw_bs_dkim_verify_headers, .dkim_ctx = &keys};
	/* tampered: the subject changed after signing */
	char *tampered = strdup(signed_h);
	memcpy(strstr(tampered, "invoice 42"), "invoice 43", 10);
	EVP_PKEY *other = EVP_RSA_gen(2048);
	char *other_rec = key_record(other);
	mw_bs_dkim_keys wrong = {.key = {{"our.example", "sel", other_rec}}, .n = 1};
	struct {
		const char *name;
		const char *headers;
		mw_bs_dkim_keys *keys;
		mw_bs_verdict want;
		int dkim_weight;
	} cases[] = {
		{"signed by us", signed_h, &keys, MW_BS_GENUINE, MW_BS_STRONG},
		{"tampered", tampered, &keys, MW_BS_BACKSCATTER, -1},
		{"other key", signed_h, &wrong, MW_BS_BACKSCATTER, -1},
	};
	for (size_t i = 0; i < N(cases); i++) {
		size_t len;
		char *raw = build_report(cases[i].headers, &len);
		mw_bounce *b;
		assert_int_equal(mw_bounce_parse(raw, len, &b, NULL), MW_OK);
		p.dkim_ctx = cases[i].keys;
		mw_bs_result r;
		assert_int_equal(mw_backscatter_check(b, &p, &r, NULL), MW_OK);
		int w = 99;
		for (size_t k = 0; k < r.nev; k++)
			if (strcmp(r.ev[k].check, "dkim") == 0)
				w = r.ev[k].weight;
		if (r.verdict != cases[i].want || w != cases[i].dkim_weight)
			fail_msg("%s: got %s (dkim %d) want %s (dkim %d)", cases[i].name,
				 mw_bs_verdict_name(r.verdict), w, mw_bs_verdict_name(cases[i].want),
				 cases[i].dkim_weight);
		mw_bounce_free(b);
		free(raw);
	}
	free(tampered);
	free(signed_h);
	free(rec);
	free(other_rec);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_find),     cmocka_unit_test(test_reply_find),
		cmocka_unit_test(test_dsn_fields),      cmocka_unit_test(test_dsn_malformed),
		cmocka_unit_test(test_dsn_limits),      cmocka_unit_test(test_reason_classify),
		cmocka_unit_test(test_reason_names),    cmocka_unit_test(test_reason_policy),
		cmocka_unit_test(test_prvs),            cmocka_unit_test(test_mbox),
		cmocka_unit_test(test_parse_report),    cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_nested),     cmocka_unit_test(test_parse_empty),    cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_backscatter),     cmocka_unit_test(test_bs_nets),         cmocka_unit_test(test_backscatter_dkim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
