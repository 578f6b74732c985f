/*
 * test_logwatch_fail2ban.c - the line parser against fail2ban's annotated
 * mail logs (../shared/testdata/logs-fail2ban/{postfix,sendmail-auth,
 * sendmail-reject}; dovecot and exim are other programs, not parsed here).
 *
 * Each "# failJSON: {...}" annotates the next line: "match" says whether the
 * line is a failure counted against "host" in the filter modes named by the
 * last "# filterOptions:".  We map fail2ban modes onto our classification:
 *   {} / normal / rbl / extra / more / aggressive -> any abuse event
 *        (mw_logev_is_abuse: reject, client SASL failure, protocol abuse)
 *   auth   -> a client SASL failure (MW_LE_AUTH_FAIL that counts)
 *   ddos   -> protocol abuse, or a disconnect whose counters show a failed
 *             AUTH (auth=0/N)
 *   errors -> protocol abuse "too many errors"
 * and require: match true -> the event is abuse in every listed mode and its
 * client IP equals "host" (case-insensitive); match false -> it is not abuse
 * in any listed mode.  Annotated time stamps are checked too (fail2ban's
 * year-less stamps are relative to 2005-08-14, our reference here).
 *
 * Documented exception (counted, printed, not asserted): Sendmail's
 * "from=..., nrcpts=0, relay=" lines that fail2ban matches only after an
 * earlier "User unknown" line with the same queue ID (multi-line state).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logwatch/logline.h"
#include "logwatch/logscan.h"
#include "testutil.h"

#define MODES_MAX 8

typedef struct tally {
	int checked, bad, exceptions;
} tally;

/* in_mode - our verdict for one fail2ban mode */
static int in_mode(const mw_logev *ev, const char *mode)
{
	if (strcmp(mode, "auth") == 0)
		return ev->kind == MW_LE_AUTH_FAIL && mw_logev_is_abuse(ev);
	if (strcmp(mode, "ddos") == 0)
		return ev->kind == MW_LE_PROTO_ABUSE ||
		       (ev->kind == MW_LE_DISCONNECT && ev->counters.p &&
			memmem(ev->counters.p, ev->counters.n, "auth=0/", 7));
	if (strcmp(mode, "errors") == 0)
		return ev->kind == MW_LE_PROTO_ABUSE && ev->action.p &&
		       ev->action.n >= 15 && memcmp(ev->action.p, "too many errors", 15) == 0;
	return mw_logev_is_abuse(ev) || in_mode(ev, "ddos");
}

/* parse_modes - the modes of a filterOptions line ("normal" for {}) */
static int parse_modes(const char *s, char modes[][16])
{
	int n = 0;
	const char *p = s;
	while ((p = strchr(p, '{')) != NULL && n < MODES_MAX) {
		const char *e = strchr(p, '}');
		const char *m = strstr(p, "\"mode\"");
		if (m && e && m < e) {
			const char *q = strchr(m + 6, '"');
			const char *qe = q ? strchr(q + 1, '"') : NULL;
			if (q && qe && qe - q - 1 < 16) {
				memcpy(modes[n], q + 1, (size_t)(qe - q - 1));
				modes[n][qe - q - 1] = '\0';
				n++;
			}
		} else if (!strstr(p, "logtype")) {
			strcpy(modes[n++], "normal");
		}
		p = e ? e + 1 : p + 1;
	}
	return n;
}

static void check_line(const char *file, const char *line, json_t *fj, char modes[][16],
		       int nmodes, tally *t)
{
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, 1123977600); /* 2005-08-14T00:00:00Z */
	mw_logev ev;
	mw_logline_parse(&tc, line, strlen(line), &ev);
	int match = json_is_true(json_object_get(fj, "match"));
	const char *host = json_string_value(json_object_get(fj, "host"));
	const char *tm = json_string_value(json_object_get(fj, "time"));
	if (ev.mta == MW_MTA_SENDMAIL && ev.kind == MW_LE_QUEUED && ev.nrcpt.n == 1 &&
	    ev.nrcpt.p[0] == '0') {
		t->exceptions++;
		printf("exception (multi-line in fail2ban): %s\n", line);
		return;
	}
	t->checked++;
	for (int i = 0; i < nmodes; i++) {
		int got = in_mode(&ev, modes[i]);
		if (got != match) {
			printf("%s [%s]: abuse got %d want %d (kind %s): %s\n", file, modes[i], got,
			       match, mw_logev_kind_name(ev.kind), line);
			t->bad++;
			return;
		}
	}
	if (match && host &&
	    (!ev.client_ip.p || ev.client_ip.n != strlen(host) ||
	     strncasecmp(ev.client_ip.p, host, ev.client_ip.n) != 0)) {
		printf("%s: host got '%.*s' want '%s': %s\n", file, (int)ev.client_ip.n,
		       ev.client_ip.p ? ev.client_ip.p : "", host, line);
		t->bad++;
	}
	if (tm && ev.kind != MW_LE_BAD) {
		int y, mo, d, h, mi, s;
		if (sscanf(tm, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6) {
			int64_t want = mw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
				       h * 3600 + mi * 60 + s;
			if (want != ev.ts) {
				printf("%s: time got %lld want %lld (%s)\n", file, (long long)ev.ts,
				       (long long)want, tm);
				t->bad++;
			}
		}
	}
}

static void run_file(const char *name, tally *t)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", testdata_path(name));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[16384];
	char modes[MODES_MAX][16];
	int nmodes = 1;
	strcpy(modes[0], "normal");
	json_t *pending = NULL;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		const char *fo = strstr(line, "filterOptions:");
		if (line[0] == '#' && fo) {
			int n = parse_modes(fo + 14, modes);
			if (n)
				nmodes = n;
			continue;
		}
		const char *fj = strstr(line, "failJSON:");
		if (line[0] == '#' && fj) {
			json_decref(pending);
			pending = json_loads(fj + 9, 0, NULL);
			assert_non_null(pending);
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (pending) {
			check_line(name, line, pending, modes, nmodes, t);
			json_decref(pending);
			pending = NULL;
		}
	}
	json_decref(pending);
	fclose(f);
}

/* Every annotated Postfix/Sendmail line agrees with fail2ban's verdict. */
static void test_fail2ban(void **state)
{
	(void)state;
	tally t = {0};
	run_file("logs-fail2ban/postfix", &t);
	run_file("logs-fail2ban/sendmail-auth", &t);
	run_file("logs-fail2ban/sendmail-reject", &t);
	printf("fail2ban: %d lines checked, %d disagreements, %d documented exceptions\n",
	       t.checked, t.bad, t.exceptions);
	assert_true(t.checked >= 70);
	assert_true(t.exceptions <= 2);
	assert_int_equal(t.bad, 0);
}

int main(void)
{
	testdata_or_skip("logs-fail2ban/postfix");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail2ban),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
