/*
 * test_logwatch_lightmeter.c - whole mail.log excerpts from Lightmeter's test
 * files (../shared/testdata/logs-lightmeter, AGPL: read as test input only).
 * Upstream keeps its expectations in Go code; ours are derived from each
 * file's name and content (read by hand) and asserted on the JSON report:
 * message counts through queue-ID correlation, delivery outcomes, rejects,
 * remote blocks, local injection.
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
#include <unistd.h>

#include "logwatch/logread.h"
#include "logwatch/logscan.h"
#include "testutil.h"

typedef struct want {
	const char *path; /* "deliveries.sent", "remote_blocks.0.provider" ... */
	const char *value; /* integer or string, compared as text */
} want;

typedef struct lm_case {
	const char *file, *why;
	want w[8];
} lm_case;

static const lm_case cases[] = {
	{"1_bounce_simple.log", "one submitted message relayed through amavis, bounced 5.1.1, one DSN",
	 {{"messages", "3"}, {"deliveries.sent", "2"}, {"deliveries.bounced", "1"},
	  {"deliveries.dsns_generated", "1"}, {"rejects.unknown_recipients", "1"},
	  {"unparsed_lines", "0"}, {"findings.#", "0"}}},
	{"2_multiple_recipients_some_bounces.log",
	 "8 delivered, 3 bounced, one by Outlook's block list (S3150)",
	 {{"deliveries.sent", "8"}, {"deliveries.bounced", "3"}, {"remote_blocks.#", "1"},
	  {"remote_blocks.0.provider", "Microsoft"}, {"remote_blocks.0.destination", "dst4.example.com"},
	  {"remote_blocks.0.mx", "hotmail-com.olc.protection.outlook.com"},
	  {"findings.0.type", "remote_block"}}},
	{"10_pickup.log", "one message injected locally by root",
	 {{"local_injection.0.uid", "0"}, {"local_injection.0.count", "1"}, {"findings.#", "0"}}},
	{"14_reuse_of_queueid.log", "queue IDs reused after removal are new messages",
	 {{"messages", "72"}, {"deliveries.sent", "67"}, {"unparsed_lines", "0"}}},
	{"17-smtpd-reject-with-milter-reject.log", "two unknown-recipient rejects and a milter reject",
	 {{"rejects.count", "3"}, {"rejects.unknown_recipients", "2"}, {"messages", "0"},
	  {"rejects.top_clients.0.key", "client:117.165.155.187"}}},
	{"21_deliveries_with_local_daemon.log", "uid 2002 submits two messages through pickup",
	 {{"local_injection.0.uid", "2002"}, {"local_injection.0.count", "2"},
	  {"findings.0.type", "local_injection"}, {"findings.0.key", "uid:2002"}}},
	{"26_two_recipients.log", "one message, two recipients delivered",
	 {{"messages", "1"}, {"deliveries.sent", "2"}, {"sasl_logins", "1"}}},
	{"7_only_connections_and_disconnections.log", "no message at all",
	 {{"lines", "7"}, {"messages", "0"}, {"unparsed_lines", "0"}}},
	{"16_corrupted_messageid.log", "a SASL failure next to a huge broken message-id",
	 {{"sasl_failures", "1"}, {"auth_failures.0.ip", "112.95.43.75"}, {"messages", "1"}}},
};

/* lookup - follow a dotted path; "#" is an array's size */
static json_t *lookup(json_t *j, const char *path, char *buf, size_t n)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s", path);
	char *save = NULL;
	for (char *t = strtok_r(tmp, ".", &save); t && j; t = strtok_r(NULL, ".", &save)) {
		if (strcmp(t, "#") == 0) {
			snprintf(buf, n, "%zu", json_array_size(j));
			return json_string(buf);
		}
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(t));
		else
			j = json_object_get(j, t);
	}
	if (!j)
		return NULL;
	if (json_is_integer(j))
		snprintf(buf, n, "%lld", (long long)json_integer_value(j));
	else if (json_is_string(j))
		snprintf(buf, n, "%s", json_string_value(j));
	else
		snprintf(buf, n, "?");
	return json_string(buf);
}

typedef struct feed {
	mw_logscan *s;
	mw_logtime_ctx tc;
} feed;

static int feed_line(void *ctx, const char *line, size_t len)
{
	feed *f = ctx;
	mw_logscan_line(f->s, &f->tc, line, len);
	return 0;
}

/* Each excerpt produces the report its scenario implies. */
static void test_lightmeter(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "logs-lightmeter/%s", cases[i].file);
		int fd = open(testdata_path(rel), O_RDONLY);
		assert_true(fd >= 0);
		mw_logscan_opts o;
		mw_logscan_defaults(&o);
		feed f = {mw_logscan_new(&o), {0}};
		mw_logtime_init(&f.tc, 1795000000);
		mw_logread_stats st;
		mw_err err;
		assert_int_equal(mw_logread_fd(fd, feed_line, &f, NULL, NULL, &st, &err), MW_OK);
		close(fd);
		mw_logscan_finish(f.s);
		json_t *j = mw_logscan_json(f.s, 10);
		for (int k = 0; k < 8 && cases[i].w[k].path; k++) {
			char buf[512];
			json_t *got = lookup(j, cases[i].w[k].path, buf, sizeof(buf));
			if (!got || strcmp(json_string_value(got), cases[i].w[k].value) != 0) {
				printf("%s (%s): %s got '%s' want '%s'\n", cases[i].file, cases[i].why,
				       cases[i].w[k].path, got ? json_string_value(got) : "(missing)",
				       cases[i].w[k].value);
				bad++;
			}
			json_decref(got);
		}
		json_decref(j);
		mw_logscan_free(f.s);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	testdata_or_skip("logs-lightmeter/1_bounce_simple.log");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lightmeter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
