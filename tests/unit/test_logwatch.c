/*
 * test_logwatch.c - logwatch/: timestamps, line parser (good and malformed
 * lines), sliding window, block classifier, correlation and findings, the
 * file reader (gzip, truncated gzip, 1 MiB lines, binary) and the follower
 * (rename rotation, copytruncate, truncation, late files: no line lost or
 * read twice).  Table-driven; every case names what it checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/limits.h"
#include "logwatch/blockmatch.h"
#include "logwatch/follow.h"
#include "logwatch/logline.h"
#include "logwatch/logevent.h"
#include "logwatch/logread.h"
#include "logwatch/logscan.h"
#include "logwatch/pipeline.h"

/* the case tables leave trailing fields out on purpose (NULL = not checked) */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define REF 1795000000 /* 2026-11-18T... reference time for year inference */

static int sv_is(mw_sv v, const char *want)
{
	if (!want)
		return v.p == NULL;
	return v.p && v.n == strlen(want) && memcmp(v.p, want, v.n) == 0;
}

/* ---- timestamps --------------------------------------------------------- */

typedef struct ts_case {
	const char *what, *in;
	int64_t ref;
	int ok;
	int64_t want;
} ts_case;

static void test_timestamps(void **state)
{
	(void)state;
	/* 2026-11-18 = days_from_civil(2026,11,18); Jan 1 2026 00:00:00 = 1767225600 */
	static const ts_case cases[] = {
		{"bsd stamp, this year", "Jan  1 00:00:00", REF, 1, 1767225600},
		{"bsd stamp, no pad", "Jan 1 00:00:00", REF, 1, 1767225600},
		{"december before a january reference is last year", "Dec 31 23:59:59",
		 1767225600 + 86400 * 3, 1, 1767225599},
		{"january after december reference stays", "Jan  2 00:00:00", 1767225600 + 3600, 1,
		 1767225600 + 86400},
		{"rfc3339 utc", "2026-01-01T00:00:00Z", REF, 1, 1767225600},
		{"rfc3339 offset", "2026-01-01T01:00:00+01:00", REF, 1, 1767225600},
		{"rfc3339 fraction + offset (rsyslog)", "2026-01-01T01:00:00.123456+01:00", REF, 1,
		 1767225600},
		{"journal short-iso +hhmm", "2026-01-01T01:00:00+0100", REF, 1, 1767225600},
		{"space separator", "2026-01-01 00:00:00", REF, 1, 1767225600},
		{"bad month", "Foo  1 00:00:00", REF, 0, 0},
		{"bad hour", "Jan  1 25:00:00", REF, 0, 0},
		{"day zero", "Jan  0 00:00:00", REF, 0, 0},
		{"truncated", "Jan  1 00:0", REF, 0, 0},
		{"iso bad month", "2026-13-01T00:00:00Z", REF, 0, 0},
		{"iso bad offset", "2026-01-01T00:00:00+1", REF, 0, 0},
		{"empty", "", REF, 0, 0},
		{"binary", "\x01\x02\x03\xff", REF, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_logtime_ctx tc;
		mw_logtime_init(&tc, cases[i].ref);
		const char *p = cases[i].in, *end = p + strlen(p);
		int64_t got = 0;
		int32_t us = 0;
		int ok = mw_logtime_parse(&tc, &p, end, &got, &us);
		if (ok != cases[i].ok || (ok && got != cases[i].want))
			fail_msg("%s: got ok=%d %lld want ok=%d %lld", cases[i].what, ok,
				 (long long)got, cases[i].ok, (long long)cases[i].want);
	}
	int64_t t;
	assert_true(mw_logtime_parse_arg("2h", 10000, &t));
	assert_int_equal(t, 10000 - 7200);
	assert_true(mw_logtime_parse_arg("2026-01-01", 0, &t));
	assert_int_equal(t, 1767225600);
	assert_true(mw_logtime_parse_arg("2026-01-01 00:01", 0, &t));
	assert_int_equal(t, 1767225660);
	assert_false(mw_logtime_parse_arg("yesterday", 0, &t));
	assert_false(mw_logtime_parse_arg("2026-01-01Tx", 0, &t));
	assert_false(mw_logtime_parse_arg("h", 0, &t));
}

/* ---- line parser -------------------------------------------------------- */

typedef struct line_case {
	const char *what, *line;
	mw_logev_kind kind;
	const char *qid, *client_ip, *sasl_user, *from, *to, *status, *relay_host, *code, *extra;
} line_case;

static void test_lines(void **state)
{
	(void)state;
	static const line_case cases[] = {
		{"smtpd client with sasl",
		 "Jun  3 10:40:57 mail postfix/submission/smtpd[9708]: 4AA091855DA0: "
		 "client=some.name[1.2.3.4], sasl_method=PLAIN, sasl_username=user@sender.com",
		 MW_LE_CLIENT, "4AA091855DA0", "1.2.3.4", "user@sender.com"},
		{"no hostname in prefix",
		 "Jun  3 10:40:57 postfix/smtpd[9708]: connect from x[1.2.3.4]", MW_LE_CONNECT, NULL,
		 "1.2.3.4"},
		{"rfc3339 prefix",
		 "2026-06-03T10:40:57.123+02:00 mail postfix/qmgr[1]: 4AA091855DA0: from=<a@b.c>, "
		 "size=391, nrcpt=1 (queue active)",
		 MW_LE_QUEUED, "4AA091855DA0", NULL, NULL, "a@b.c"},
		{"priority token", "Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: 55HIbcGI002794: "
				   "<baduser@yourhost.com>... User unknown",
		 MW_LE_REJECT, "55HIbcGI002794", NULL, NULL, NULL, "baduser@yourhost.com"},
		{"delivery bounced with remote reply",
		 "Jun  3 10:40:59 mail postfix/smtp[9890]: 776E41855DB2: to=<x@example.com>, "
		 "relay=mx.example.com[11.22.33.44]:25, delay=1.9, delays=0/0/1.5/0.37, dsn=5.1.1, "
		 "status=bounced (host mx.example.com[11.22.33.44] said: 550 5.1.1 <x@example.com> "
		 "User unknown (in reply to RCPT TO command))",
		 MW_LE_DELIVERY, "776E41855DB2", NULL, NULL, NULL, "x@example.com", "bounced",
		 "mx.example.com", "550"},
		{"sasl failure with username",
		 "Nov  4 09:11:01 mail postfix/smtpd[1234]: warning: unknown[192.0.2.152]: SASL LOGIN "
		 "authentication failed: (reason unavailable), sasl_username=admin",
		 MW_LE_AUTH_FAIL, NULL, "192.0.2.152", "admin"},
		{"pickup", "Feb  1 13:17:02 mail postfix/pickup[28541]: 08ACF1541B01: uid=33 from=<www>",
		 MW_LE_PICKUP, "08ACF1541B01", NULL, NULL, "www"},
		{"bounce notification",
		 "Jun  3 10:40:59 mail postfix/bounce[9719]: 776E41855DB2: sender non-delivery "
		 "notification: A48191855DA0",
		 MW_LE_BOUNCE, "776E41855DB2"},
		{"sendmail from with relay",
		 "Nov  3 11:35:30 M sendmail[26254]: rA37ZTSC026254: from=<d@domain.com>, size=0, "
		 "class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=h.vsi.ru [95.32.23.163]",
		 MW_LE_QUEUED, "rA37ZTSC026254", "95.32.23.163", NULL, "d@domain.com"},
		{"sendmail to stat=Sent",
		 "Nov  3 11:35:31 M sm-mta[1]: rA37ZTSC026254: to=<u@x.org>, delay=00:00:01, "
		 "mailer=esmtp, pri=1, relay=mx.x.org. [192.0.2.9], dsn=2.0.0, stat=Sent (ok id)",
		 MW_LE_DELIVERY, "rA37ZTSC026254", NULL, NULL, NULL, "u@x.org", "Sent", "mx.x.org."},
		{"sendmail auth failure",
		 "Feb 25 04:02:27 relay1 sendmail[16664]: 06I02CNi016764: AUTH failure (LOGIN): "
		 "authentication failure (-13) SASL(-13): authentication failure: checkpass failed, "
		 "user=user@example.com, relay=example.com [192.0.2.3] (may be forged)",
		 MW_LE_AUTH_FAIL, "06I02CNi016764", "192.0.2.3", "user@example.com"},
		{"sendmail ruleset reject ipv6",
		 "Feb 22 15:20:27 l sm-mta[2]: 13O9Ixhq275631: ruleset=check_rcpt, arg1=<l@d.com>, "
		 "relay=[IPv6:2001:db8::5], reject=550 5.7.1 <l@d.com>... Fix reverse DNS",
		 MW_LE_REJECT, "13O9Ixhq275631", "2001:db8::5", NULL, NULL, "l@d.com", NULL, NULL,
		 "550"},
		{"foreign program", "Jun  3 10:40:57 mail dovecot: imap(u): Connection closed",
		 MW_LE_FOREIGN},
		/* malformed: as many as the good ones */
		{"no timestamp", "mail postfix/smtpd[1]: connect from x[1.2.3.4]", MW_LE_BAD},
		{"empty line", "", MW_LE_BAD},
		{"timestamp only", "Jun  3 10:40:57", MW_LE_BAD},
		{"no tag colon", "Jun  3 10:40:57 mail postfix/smtpd[1] connect", MW_LE_BAD},
		{"binary garbage after stamp", "Jun  3 10:40:57 \x01\x02\xff\xfe: \x00\x01", MW_LE_FOREIGN},
		{"unterminated client bracket",
		 "Jun  3 10:40:57 m postfix/smtpd[1]: connect from x[1.2.3.4", MW_LE_UNKNOWN},
		{"qid too long",
		 "Jun  3 10:40:57 m postfix/qmgr[1]: 0123456789ABCDEF0123456789ABCDEF0: removed",
		 MW_LE_UNKNOWN},
		{"delivery ending at to= (found by fuzzing)",
		 "Jun  3 10:40:57 m postfix/smtp[1]: 4AA091855DA0: to=", MW_LE_UNKNOWN, "4AA091855DA0"},
		{"delivery without status",
		 "Jun  3 10:40:57 m postfix/smtp[1]: 4AA091855DA0: to=<a@b>, relay=none, delay=1",
		 MW_LE_UNKNOWN, "4AA091855DA0"},
		{"unterminated angle", "Jun  3 10:40:57 m postfix/qmgr[1]: 4AA091855DA0: from=<a@b",
		 MW_LE_UNKNOWN, "4AA091855DA0"},
		{"pickup without uid digits", "Jun  3 10:40:57 m postfix/pickup[1]: 4AA091855DA0: uid=x",
		 MW_LE_UNKNOWN, "4AA091855DA0"},
		{"a word is not a queue id",
		 "Jun  3 10:40:57 m postfix/qmgr[1]: warning: removed", MW_LE_WARNING},
		{"unknown postfix daemon text", "Jun  3 10:40:57 m postfix/smtpd[1]: something odd",
		 MW_LE_UNKNOWN},
		{"sendmail nonsense", "Jun  3 10:40:57 m sm-mta[1]: : : :", MW_LE_UNKNOWN},
	};
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, REF);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const line_case *c = &cases[i];
		mw_logev ev;
		size_t len = strlen(c->line);
		if (strstr(c->what, "binary"))
			len = 24; /* the literal holds a NUL: count its bytes */
		mw_logline_parse(&tc, c->line, len, &ev);
		if (ev.kind != c->kind)
			fail_msg("%s: kind got %s want %s", c->what, mw_logev_kind_name(ev.kind),
				 mw_logev_kind_name(c->kind));
		if (c->qid && !sv_is(ev.qid, c->qid))
			fail_msg("%s: qid got '%.*s'", c->what, (int)ev.qid.n, ev.qid.p);
		if (c->client_ip && !sv_is(ev.client_ip, c->client_ip))
			fail_msg("%s: client_ip got '%.*s'", c->what, (int)ev.client_ip.n,
				 ev.client_ip.p);
		if (c->sasl_user && !sv_is(ev.sasl_user, c->sasl_user))
			fail_msg("%s: sasl_user got '%.*s'", c->what, (int)ev.sasl_user.n,
				 ev.sasl_user.p);
		if (c->from && !sv_is(ev.from, c->from))
			fail_msg("%s: from got '%.*s'", c->what, (int)ev.from.n, ev.from.p);
		if (c->to && !sv_is(ev.to, c->to))
			fail_msg("%s: to got '%.*s'", c->what, (int)ev.to.n, ev.to.p);
		if (c->status && !sv_is(ev.status, c->status))
			fail_msg("%s: status got '%.*s'", c->what, (int)ev.status.n, ev.status.p);
		if (c->relay_host && !sv_is(ev.relay_host, c->relay_host))
			fail_msg("%s: relay got '%.*s'", c->what, (int)ev.relay_host.n,
				 ev.relay_host.p);
		if (c->code && !sv_is(ev.code, c->code))
			fail_msg("%s: code got '%.*s'", c->what, (int)ev.code.n, ev.code.p);
	}
}

/* ---- window and block classifier ---------------------------------------- */

/* The rate rule fires at the 101st message in 300 s, not at the 100th. */
static void test_window(void **state)
{
	(void)state;
	for (int total = 100; total <= 101; total++) {
		mw_logscan_opts o;
		mw_logscan_defaults(&o);
		mw_logscan *s = mw_logscan_new(&o);
		mw_logtime_ctx tc;
		mw_logtime_init(&tc, REF);
		char line[300];
		for (int i = 0; i < total; i++) {
			int n = snprintf(line, sizeof(line), "Nov 10 10:%02d:%02d h postfix/pickup[1]: "
				 "E%05d: uid=0 from=<cron>", i * 2 / 60, i * 2 % 60, i);
			mw_logscan_line(s, &tc, line, (size_t)n);
			n = snprintf(line, sizeof(line), "Nov 10 10:%02d:%02d h postfix/qmgr[1]: "
				 "E%05d: from=<cron@h>, size=1, nrcpt=1 (queue active)", i * 2 / 60,
				 i * 2 % 60, i);
			mw_logscan_line(s, &tc, line, (size_t)n);
		}
		size_t nf;
		const mw_finding *f = mw_logscan_findings(s, &nf);
		if (total == 100) {
			assert_int_equal(nf, 0);
		} else {
			assert_int_equal(nf, 1);
			assert_int_equal(f[0].type, MW_FIND_RATE);
			assert_string_equal(f[0].key, "sender:cron@h");
		}
		mw_logscan_free(s);
	}
}

typedef struct block_case {
	const char *what, *reply, *mx;
	int block;
	const char *provider;
} block_case;

static void test_blockmatch(void **state)
{
	(void)state;
	static const block_case cases[] = {
		{"gmail unsolicited rate",
		 "host gmail-smtp-in.l.google.com[74.125.136.26] said: 421-4.7.0 [1.2.3.4 15] Our "
		 "system has detected an unusual rate of 421-4.7.0 unsolicited mail originating from "
		 "your IP address. - gsmtp (in reply to end of DATA command)",
		 "gmail-smtp-in.l.google.com", 1, "Gmail"},
		{"microsoft S3150",
		 "host x.mail.protection.outlook.com[1.2.3.4] said: 550 5.7.1 Unfortunately, "
		 "messages from [1.2.3.4] weren't sent. Please contact your Internet service provider "
		 "since part of their network is on our block list (S3150).",
		 "x.mail.protection.outlook.com", 1, "Microsoft"},
		{"yahoo TSS04", "421 4.7.0 [TSS04] Messages from 1.2.3.4 temporarily deferred due to "
				"unexpected volume or user complaints", "mta5.am0.yahoodns.net", 1, "Yahoo"},
		{"orange", "550 5.7.1 Service refuse. Veuillez essayer plus tard. OFR004_104 [104]",
		 "smtp-in.orange.fr", 1, "Orange"},
		{"comcast", "554 resimta-po-12v.sys.comcast.net comcast 1.2.3.4 Comcast block for spam. "
			    "Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000",
		 "mx1.comcast.net", 1, "Comcast"},
		{"gmx nemesis", "554-gmx.net (mxgmx117) Nemesis ESMTP Service not available",
		 "mx00.gmx.net", 1, "GMX/web.de"},
		{"swisscom", "550 5.7.1 Swisscom: IP 1.2.3.4 blocked", "mx.swisscom.ch", 1, "Swisscom"},
		{"spamhaus generic", "554 5.7.1 Service unavailable; Client host [1.2.3.4] blocked "
				     "using zen.spamhaus.org", "mx.example.org", 1, "generic"},
		{"not allowed to send", "554 5.7.1 You are not allowed to send us mail", "mx.ex.org",
		 1, "generic"},
		{"user unknown is no block", "550 5.1.1 <x@example.com> User unknown", "mx", 0},
		{"greylisting is no block",
		 "450 4.2.0 <u@l.org>: Recipient address rejected: Greylisted, see http://x/listed",
		 "mx", 0},
		{"mailbox full", "552 5.2.2 Mailbox full", "mx", 0},
		{"no smtp code", "connect to mx[1.2.3.4]:25: Connection refused blocked", "mx", 0},
		{"success", "250 2.0.0 Ok: queued as 153053D", "mx", 0},
		{"empty", "", "mx", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_blockmatch bm = {0};
		mw_sv r = {cases[i].reply, strlen(cases[i].reply)};
		mw_sv mx = {cases[i].mx, strlen(cases[i].mx)};
		int got = mw_block_classify(r, mx, &bm);
		if (got != cases[i].block)
			fail_msg("%s: block got %d want %d", cases[i].what, got, cases[i].block);
		if (got && strcmp(bm.provider, cases[i].provider) != 0)
			fail_msg("%s: provider got %s want %s", cases[i].what, bm.provider,
				 cases[i].provider);
	}
}

/* ---- scanner: correlation and findings ----------------------------------- */

static mw_logscan *scan_lines(const char *const *lines, size_t n, const mw_logscan_opts *o)
{
	mw_logscan *s = mw_logscan_new(o);
	assert_non_null(s);
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, REF);
	for (size_t i = 0; i < n; i++)
		mw_logscan_line(s, &tc, lines[i], strlen(lines[i]));
	mw_logscan_finish(s);
	return s;
}

static const mw_finding *find_type(mw_logscan *s, mw_finding_type t, const char *key)
{
	size_t n;
	const mw_finding *f = mw_logscan_findings(s, &n);
	for (size_t i = 0; i < n; i++)
		if (f[i].type == t && (!key || strcmp(f[i].key, key) == 0))
			return &f[i];
	return NULL;
}

/* A SASL user sending 150 messages in 150 s breaches the 100/300 s rule;
 * interleaved queue IDs of another client are kept apart. */
static void test_rate_breach(void **state)
{
	(void)state;
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	char **lines = calloc(1000, sizeof(char *));
	size_t n = 0;
	for (int i = 0; i < 150; i++) {
		char q1[16], q2[16];
		snprintf(q1, sizeof(q1), "A%04X1", i);
		snprintf(q2, sizeof(q2), "B%04X2", i);
		int ss = i % 60, mm = i / 60;
		lines[n] = malloc(300);
		snprintf(lines[n++], 300, "Nov 10 10:%02d:%02d h postfix/smtpd[1]: %s: client=a[198.51.100.7], "
			 "sasl_method=PLAIN, sasl_username=bob", mm, ss, q1);
		lines[n] = malloc(300);
		snprintf(lines[n++], 300, "Nov 10 10:%02d:%02d h postfix/smtpd[2]: %s: client=b[203.0.113.9]",
			 mm, ss, q2);
		lines[n] = malloc(300);
		snprintf(lines[n++], 300, "Nov 10 10:%02d:%02d h postfix/qmgr[3]: %s: from=<bob@ex.org>, "
			 "size=100, nrcpt=3 (queue active)", mm, ss, q1);
		if (i % 2 == 0) {
			lines[n] = malloc(300);
			snprintf(lines[n++], 300, "Nov 10 10:%02d:%02d h postfix/qmgr[3]: %s: from=<x@y.z>, "
				 "size=10, nrcpt=1 (queue active)", mm, ss, q2);
		}
	}
	mw_logscan *s = scan_lines((const char *const *)lines, n, &o);
	const mw_finding *f = find_type(s, MW_FIND_RATE, "sasl_username:bob");
	assert_non_null(f);
	assert_int_equal(f->count, 150); /* messages in breaching windows: 1st .. 150th */
	assert_true(f->nevidence >= 1);
	const mw_finding *fc = find_type(s, MW_FIND_RATE, "client:198.51.100.7");
	assert_non_null(fc);
	assert_string_equal(fc->severity, "warning"); /* an address may be an outside sender */
	assert_string_equal(f->severity, "critical");  /* an account is ours */
	assert_null(find_type(s, MW_FIND_RATE, "client:203.0.113.9")); /* 75 messages only */
	json_t *j = mw_logscan_json(s, 5);
	json_t *top = json_array_get(json_object_get(j, "top_senders"), 0);
	assert_int_equal(json_integer_value(json_object_get(top, "messages")), 150);
	assert_int_equal(json_integer_value(json_object_get(top, "recipients")), 450);
	assert_int_equal(json_integer_value(json_object_get(j, "messages")), 225);
	json_decref(j);
	mw_logscan_free(s);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Remote block: grouped by domain and MX, attempts after counted. */
static void test_remote_block(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"Nov 10 10:00:00 h postfix/smtp[1]: AAAA1: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[74.125.1.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[74.125.1.1] said: 550-5.7.1 [1.2.3.4] Our system has detected that this message is likely unsolicited mail. - gsmtp (in reply to end of DATA command))",
		"Nov 10 10:05:00 h postfix/smtp[1]: AAAA2: to=<b@gmail.com>, relay=gmail-smtp-in.l.google.com[74.125.1.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)",
		"Nov 10 10:06:00 h postfix/smtp[1]: AAAA3: to=<c@gmail.com>, relay=gmail-smtp-in.l.google.com[74.125.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.0, status=deferred (host gmail-smtp-in.l.google.com[74.125.1.1] said: 421-4.7.0 unusual rate of unsolicited mail - gsmtp (in reply to end of DATA command))",
		"Nov 10 10:07:00 h postfix/smtp[1]: AAAA4: to=<d@other.org>, relay=mx.other.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.other.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))",
	};
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	mw_logscan *s = scan_lines(lines, 4, &o);
	json_t *j = mw_logscan_json(s, 5);
	json_t *rb = json_object_get(j, "remote_blocks");
	assert_int_equal(json_array_size(rb), 1);
	json_t *b = json_array_get(rb, 0);
	assert_string_equal(json_string_value(json_object_get(b, "destination")), "gmail.com");
	assert_string_equal(json_string_value(json_object_get(b, "mx")),
			    "gmail-smtp-in.l.google.com");
	assert_string_equal(json_string_value(json_object_get(b, "provider")), "Gmail");
	assert_int_equal(json_integer_value(json_object_get(b, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(b, "attempts_after")), 2);
	assert_string_equal(json_string_value(json_object_get(b, "first")), "2026-11-10T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(b, "last")), "2026-11-10T10:06:00Z");
	json_decref(j);
	mw_logscan_free(s);
}

/* SASL: brute force per IP, spraying per user, server-side failures ignored,
 * one user logging in from many IPs. */
static void test_auth(void **state)
{
	(void)state;
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	mw_logscan *s = mw_logscan_new(&o);
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, REF);
	char line[400];
	for (int i = 0; i < 12; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 10:00:%02d h postfix/smtpd[1]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", i);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	for (int i = 0; i < 6; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 10:01:%02d h postfix/smtpd[1]: warning: unknown[198.51.100.%d]: SASL LOGIN authentication failed: authentication failure, sasl_username=ceo", i, i + 1);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	for (int i = 0; i < 20; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 10:02:%02d h postfix/smtpd[1]: warning: unknown[192.0.2.99]: SASL LOGIN authentication failed: Connection lost to authentication server", i);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	for (int i = 0; i < 11; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 10:03:%02d h postfix/submission/smtpd[1]: 1234%c: client=x[100.64.0.%d], sasl_method=PLAIN, sasl_username=intern", i, 'A' + i, i + 1);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	const mw_finding *f = find_type(s, MW_FIND_AUTH_IP, "client:203.0.113.5");
	assert_non_null(f);
	assert_int_equal(f->count, 12);
	f = find_type(s, MW_FIND_AUTH_USER, "sasl_username:ceo");
	assert_non_null(f);
	assert_int_equal(f->count, 6); /* raised at the 5th distinct IP, 6 failures */
	assert_null(find_type(s, MW_FIND_AUTH_IP, "client:192.0.2.99"));
	f = find_type(s, MW_FIND_LOGIN_IPS, "sasl_username:intern");
	assert_non_null(f);
	assert_int_equal(f->count, 11);
	mw_logscan_free(s);
}

/* Backscatter surge, local injection by uid 33, deferral surge, queue-ID reuse. */
static void test_backscatter_injection(void **state)
{
	(void)state;
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	o.backscatter_limit = 5;
	o.defer_limit = 3;
	mw_logscan *s = mw_logscan_new(&o);
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, REF);
	char line[400];
	for (int i = 0; i < 8; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 11:00:%02d h postfix/smtpd[1]: C%04d: client=mx.far.net[192.0.2.77]", i, i);
		mw_logscan_line(s, &tc, line, (size_t)n);
		n = snprintf(line, sizeof(line), "Nov 10 11:00:%02d h postfix/qmgr[1]: C%04d: from=<>, size=3000, nrcpt=1 (queue active)", i, i);
		mw_logscan_line(s, &tc, line, (size_t)n);
		n = snprintf(line, sizeof(line), "Nov 10 11:00:%02d h postfix/local[1]: C%04d: to=<catchall@me.org>, relay=local, delay=0.1, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)", i, i);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	for (int i = 0; i < 4; i++) {
		int n = snprintf(line, sizeof(line), "Nov 10 12:00:%02d h postfix/pickup[1]: D%04d: uid=33 from=<www-data>", i, i);
		mw_logscan_line(s, &tc, line, (size_t)n);
		n = snprintf(line, sizeof(line), "Nov 10 12:00:%02d h postfix/smtp[1]: D%04d: to=<v@slow.net>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to slow.net[192.0.2.8]:25: Connection timed out)", i, i);
		mw_logscan_line(s, &tc, line, (size_t)n);
	}
	const mw_finding *f = find_type(s, MW_FIND_BACKSCATTER, NULL);
	assert_non_null(f);
	assert_int_equal(f->count, 8);
	f = find_type(s, MW_FIND_INJECTION, "uid:33");
	assert_non_null(f);
	assert_int_equal(f->count, 4);
	f = find_type(s, MW_FIND_DEFERRALS, NULL);
	assert_non_null(f);
	assert_int_equal(f->count, 4);
	json_t *j = mw_logscan_json(s, 5);
	json_t *bs = json_object_get(j, "backscatter");
	assert_int_equal(json_integer_value(json_object_get(bs, "count")), 8);
	json_t *r0 = json_array_get(json_object_get(bs, "top_recipients"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "recipient")), "catchall@me.org");
	assert_int_equal(json_integer_value(json_object_get(r0, "count")), 8);
	json_t *li = json_array_get(json_object_get(j, "local_injection"), 0);
	assert_int_equal(json_integer_value(json_object_get(li, "uid")), 33);
	json_decref(j);
	mw_logscan_free(s);
}

/* --since/--until filter lines; bad lines are counted, never fatal. */
static void test_filter_and_bad(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"Nov 10 09:00:00 h postfix/smtpd[1]: connect from a[192.0.2.1]",
		"Nov 10 10:00:00 h postfix/smtpd[1]: connect from a[192.0.2.1]",
		"Nov 10 11:00:00 h postfix/smtpd[1]: connect from a[192.0.2.1]",
		("\x7f" "ELF\x02\x01\x01"),
		"Nov 10 10:30:00 h postfix/smtpd[1]: gibberish here",
		"Nov 10 10:30:00 h kernel: eth0 up",
	};
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	mw_logtime_parse_arg("2026-11-10T09:30:00Z", 0, &o.since);
	mw_logtime_parse_arg("2026-11-10T10:45:00Z", 0, &o.until);
	mw_logscan *s = scan_lines(lines, 6, &o);
	json_t *j = mw_logscan_json(s, 5);
	assert_int_equal(json_integer_value(json_object_get(j, "lines")), 6);
	assert_int_equal(json_integer_value(json_object_get(j, "filtered_lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "unparsed_lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "foreign_lines")), 1);
	json_decref(j);
	mw_logscan_free(s);
}

/* ---- reader -------------------------------------------------------------- */

typedef struct collect {
	uint64_t n, bytes;
	char last[256];
} collect;

static int collect_line(void *ctx, const char *line, size_t len)
{
	collect *c = ctx;
	c->n++;
	c->bytes += len;
	size_t k = len < sizeof(c->last) - 1 ? len : sizeof(c->last) - 1;
	memcpy(c->last, line, k);
	c->last[k] = '\0';
	return 0;
}

static char tmpdir[] = "/tmp/mw-logwatch-XXXXXX";

static const char *tpath(const char *name)
{
	static char buf[2][512];
	static int k;
	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *path, const char *data, size_t n, const char *mode)
{
	FILE *f = fopen(path, mode);
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static mw_logread_stats read_path(const char *path, collect *c)
{
	mw_logread_stats st;
	mw_err err;
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(c, 0, sizeof(*c));
	assert_int_equal(mw_logread_fd(fd, collect_line, c, NULL, NULL, &st, &err), MW_OK);
	close(fd);
	return st;
}

/* Plain, gzip (two members), truncated gzip, 1 MiB lines, no final newline. */
static void test_reader(void **state)
{
	(void)state;
	/* plain with a last line lacking "\n" and a CR */
	const char *plain = "line one\nline two\r\nlast";
	write_file(tpath("plain.log"), plain, strlen(plain), "wb");
	collect c;
	mw_logread_stats st = read_path(tpath("plain.log"), &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.last, "last");
	assert_false(st.gzip);

	/* gzip: 20000 lines in two concatenated members */
	gzFile gz = gzopen(tpath("m.log.gz"), "wb");
	for (int i = 0; i < 10000; i++)
		gzprintf(gz, "Nov 10 10:00:00 h postfix/smtpd[1]: connect from a[192.0.2.%d]\n", i % 250);
	gzclose(gz);
	gz = gzopen(tpath("m.log.gz"), "ab");
	for (int i = 0; i < 10000; i++)
		gzprintf(gz, "line %d\n", i);
	gzclose(gz);
	st = read_path(tpath("m.log.gz"), &c);
	assert_true(st.gzip);
	assert_false(st.truncated_gzip);
	assert_int_equal(c.n, 20000);
	assert_string_equal(c.last, "line 9999");

	/* truncated gzip: cut the file in the middle */
	struct stat sb;
	assert_int_equal(stat(tpath("m.log.gz"), &sb), 0);
	assert_int_equal(truncate(tpath("m.log.gz"), sb.st_size / 3), 0);
	st = read_path(tpath("m.log.gz"), &c);
	assert_true(st.truncated_gzip);
	assert_true(c.n > 1000 && c.n < 20000);

	/* corrupt gzip: magic then garbage */
	write_file(tpath("bad.gz"), "\x1f\x8b\x08\x00garbage-garbage-garbage\n", 28, "wb");
	st = read_path(tpath("bad.gz"), &c);
	assert_true(st.truncated_gzip);
	assert_int_equal(c.n, 0);

	/* a line of exactly MW_LOG_LINE_MAX is kept; one byte more is skipped */
	size_t big = MW_LOG_LINE_MAX + 1;
	char *buf = malloc(big * 2 + 64);
	memset(buf, 'x', big * 2 + 64);
	size_t off = 0;
	memcpy(buf + off, "a\n", 2), off += 2;
	off += MW_LOG_LINE_MAX;
	buf[off++] = '\n';
	off += MW_LOG_LINE_MAX + 1;
	buf[off++] = '\n';
	memcpy(buf + off, "\x00\x01\xff binary\n", 11), off += 11;
	memcpy(buf + off, "z\n", 2), off += 2;
	write_file(tpath("big.log"), buf, off, "wb");
	free(buf);
	st = read_path(tpath("big.log"), &c);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.last, "z");
}

/* ---- follower -------------------------------------------------------------- */

/* Every line "seq N" must arrive exactly once, in order. */
typedef struct seqcheck {
	int next, dup, bad;
} seqcheck;

static int seq_line(void *ctx, const char *line, size_t len)
{
	seqcheck *s = ctx;
	int n;
	char tmp[64];
	if (len >= sizeof(tmp)) {
		s->bad++;
		return 0;
	}
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	if (sscanf(tmp, "seq %d", &n) != 1) {
		s->bad++;
		return 0;
	}
	if (n < s->next)
		s->dup++;
	else if (n > s->next)
		s->bad++; /* a gap: a line was lost */
	s->next = n + 1;
	return 0;
}

static void append_seq(const char *path, int from, int to, int partial_last)
{
	FILE *f = fopen(path, "ab");
	assert_non_null(f);
	for (int i = from; i < to; i++)
		fprintf(f, (partial_last && i == to - 1) ? "seq %d" : "seq %d\n", i);
	fclose(f);
}

static void test_follow(void **state)
{
	(void)state;
	const char *log = tpath("f.log");
	char logc[512], rot[520];
	snprintf(logc, sizeof(logc), "%s", log);
	snprintf(rot, sizeof(rot), "%s.1", logc);
	unlink(logc);
	seqcheck s = {0};
	mw_err err;
	const char *paths[] = {logc};
	mw_follow *f = mw_follow_new(paths, 1, false, &err);
	assert_non_null(f);
	assert_int_equal(mw_follow_poll(f, seq_line, &s), 0); /* file appears later */
	append_seq(logc, 0, 100, 0);
	assert_int_equal(mw_follow_poll(f, seq_line, &s), 100);
	/* a partial line is held until its newline arrives */
	append_seq(logc, 100, 110, 1);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 109);
	FILE *fp = fopen(logc, "ab");
	fputs("\n", fp);
	fclose(fp);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 110);
	/* rotation by rename: lines written to the old file after the rename
	 * (the writer still has it open) and to the new file both arrive */
	append_seq(logc, 110, 120, 0);
	assert_int_equal(rename(logc, rot), 0);
	append_seq(rot, 120, 130, 0);
	append_seq(logc, 130, 140, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 140);
	/* copytruncate: copy away, truncate, continue writing */
	append_seq(logc, 140, 150, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(truncate(logc, 0), 0);
	append_seq(logc, 150, 155, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 155);
	/* plain truncation with a longer rewrite before the next poll is the
	 * documented limit; a shorter one is detected */
	assert_int_equal(truncate(logc, 0), 0);
	append_seq(logc, 155, 157, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 157);
	/* deleted and recreated later */
	unlink(logc);
	mw_follow_poll(f, seq_line, &s);
	append_seq(logc, 157, 200, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 200);
	/* a late write to the renamed file after the follower switched to the
	 * new one (syslogd not yet told to reopen) still arrives */
	assert_int_equal(rename(logc, rot), 0);
	append_seq(logc, 200, 203, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 203);
	append_seq(rot, 203, 206, 0);
	mw_follow_poll(f, seq_line, &s);
	assert_int_equal(s.next, 206);
	assert_int_equal(s.dup, 0);
	assert_int_equal(s.bad, 0);
	const mw_follow_stats *fs = mw_follow_get_stats(f);
	assert_int_equal(fs->lines, 206);
	assert_true(fs->rotations >= 3);
	assert_true(fs->truncations >= 2);
	mw_follow_free(f);
	/* existing file, not from start: only new lines */
	mw_follow *g = mw_follow_new(paths, 1, false, &err);
	seqcheck s2 = {.next = 206};
	append_seq(logc, 206, 211, 0);
	assert_int_equal(mw_follow_poll(g, seq_line, &s2), 5);
	assert_int_equal(s2.bad, 0);
	mw_follow_free(g);
	assert_null(mw_follow_new(paths, 0, false, &err));
	unlink(logc);
	unlink(rot);
}


/* The two-core pipeline gives exactly the single-threaded report (plain and
 * gzip input, blocks boundaries crossed many times). */
static char *report_of(const char *path, int threads)
{
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	o.rate_limit = 20;
	mw_logscan *s = mw_logscan_new(&o);
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, REF);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	mw_logread_stats st;
	mw_err err;
	assert_int_equal(mw_logscan_fd(s, fd, &tc, threads, NULL, NULL, &st, &err), MW_OK);
	close(fd);
	json_t *j = mw_logscan_json(s, 10);
	char *out = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	mw_logscan_free(s);
	return out;
}

static void test_pipeline(void **state)
{
	(void)state;
	const char *path = tpath("pipe.log.gz");
	gzFile gz = gzopen(path, "wb1");
	for (int i = 0; i < 60000; i++) {
		int t = i / 10, mm = (t / 60) % 60, ss = t % 60; /* 10:00 .. 10:59, then 11:xx */
		int hh = 10 + t / 3600;
		gzprintf(gz, "Nov 10 %02d:%02d:%02d h postfix/submission/smtpd[1]: Q%06X: client=c[198.51.100.%d], sasl_method=PLAIN, sasl_username=u%d\n",
			 hh, mm, ss, i, i % 7, i % 5);
		gzprintf(gz, "Nov 10 %02d:%02d:%02d h postfix/qmgr[1]: Q%06X: from=<u%d@ex.org>, size=1, nrcpt=2 (queue active)\n",
			 hh, mm, ss, i, i % 5);
		gzprintf(gz, "Nov 10 %02d:%02d:%02d h postfix/smtp[1]: Q%06X: to=<r%d@%s>, relay=mx[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=%s, status=%s\n",
			 hh, mm, ss, i, i, i % 3 ? "gmail.com" : "ex.net", i % 11 ? "2.0.0" : "5.7.1",
			 i % 11 ? "sent (250 ok)" : "bounced (host mx[192.0.2.1] said: 550 5.7.1 blocked using zen.spamhaus.org (in reply to RCPT TO command))");
		gzprintf(gz, "Nov 10 %02d:%02d:%02d h postfix/qmgr[1]: Q%06X: removed\n", mm, ss, i);
		if (i % 13 == 0)
			gzprintf(gz, "Nov 10 %02d:%02d:%02d h postfix/smtpd[1]: warning: unknown[203.0.113.%d]: SASL LOGIN authentication failed: x\n",
				 hh, mm, ss, i % 3);
	}
	gzclose(gz);
	char *one = report_of(path, 1), *two = report_of(path, 2);
	assert_non_null(one);
	if (!strstr(one, "\"messages\": 60000"))
		fail_msg("report: %.600s", one);
	assert_string_equal(one, two);
	free(one);
	free(two);
	unlink(path);
}

/* A finding becomes an event of the shared store: source, rule, key fields. */
static void test_logevent(void **state)
{
	(void)state;
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	mw_finding f = {0};
	f.type = MW_FIND_RATE;
	snprintf(f.key, sizeof(f.key), "sasl_username:bob@ex.org");
	f.count = 150;
	f.first = 1000;
	f.last = 1300;
	char line[] = "Nov 10 10:00:00 h postfix/qmgr[1]: A1: from=<bob@ex.org>";
	f.evidence[0] = line;
	f.nevidence = 1;
	mw_event ev;
	mw_finding_to_event(&f, &o, &ev);
	assert_string_equal(ev.source, "logscan");
	assert_string_equal(ev.rule, "rate");
	assert_string_equal(ev.key, "sasl_username:bob@ex.org");
	assert_string_equal(ev.sasl_username, "bob@ex.org");
	assert_string_equal(ev.client_address, "");
	assert_int_equal(ev.count, 150);
	assert_int_equal(ev.limit, 100);
	assert_int_equal(ev.window_ms, 300000);
	assert_int_equal(ev.time_ms, 1300000);
	assert_int_equal(ev.nsubjects, 1);
	f.type = MW_FIND_AUTH_IP;
	snprintf(f.key, sizeof(f.key), "client:203.0.113.5");
	mw_finding_to_event(&f, &o, &ev);
	assert_string_equal(ev.client_address, "203.0.113.5");
	assert_string_equal(ev.sasl_username, "");
	assert_int_equal(ev.limit, 10);
	assert_int_equal(ev.window_ms, 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	static const char *const names[] = {"plain.log", "m.log.gz", "bad.gz", "big.log", "f.log",
					    "f.log.1", "pipe.log.gz", NULL};
	for (int i = 0; names[i]; i++)
		unlink(tpath(names[i]));
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_blockmatch),
		cmocka_unit_test(test_rate_breach),
		cmocka_unit_test(test_remote_block),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_backscatter_injection),
		cmocka_unit_test(test_filter_and_bad),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_follow),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_logevent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
