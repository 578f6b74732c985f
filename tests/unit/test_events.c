/*
 * test_events.c - store/event + store/eventlog + outbound/alert: events
 * round-trip through SQLite, queries by time and key, retention, the JSON
 * form, and an alert command receiving the JSON on stdin (no shell).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outbound/alert.h"
#include "store/eventlog.h"

/* make_event - a hold event for key at t */
static void make_event(mw_event *ev, const char *key, int64_t t)
{
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = t;
	strcpy(ev->source, "policy");
	strcpy(ev->rule, "sasl_messages");
	snprintf(ev->key, sizeof(ev->key), "%s", key);
	strcpy(ev->action, "hold");
	ev->count = 301;
	ev->limit = 300;
	ev->window_ms = 300000;
	strcpy(ev->client_address, "192.0.2.7");
	snprintf(ev->sasl_username, sizeof(ev->sasl_username), "%s", key);
	strcpy(ev->sender, "a@example.org");
	mw_event_add_recipient(ev, "x@example.net");
	mw_event_add_recipient(ev, "x@example.net"); /* duplicate kept once */
	mw_event_add_recipient(ev, "y@example.net");
}

/* Events survive a reopen, come back oldest first, filter by time and key,
 * and the retention deletes the old ones. */
static void test_eventlog(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-events-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	mw_err err;
	mw_eventlog *log = mw_eventlog_open(path, false, &err);
	assert_non_null(log);
	mw_event ev;
	const char *keys[] = {"alice", "bob", "alice"};
	for (int i = 0; i < 3; i++) {
		make_event(&ev, keys[i], 1000000 + i * 1000);
		assert_int_equal(mw_eventlog_add(log, &ev, &err), MW_OK);
		assert_int_equal(ev.id, i + 1);
	}
	mw_eventlog_close(log);
	log = mw_eventlog_open(path, true, &err);
	assert_non_null(log);
	assert_int_equal(mw_eventlog_add(log, &ev, &err), MW_EINVAL);
	mw_event *list;
	size_t n;
	assert_int_equal(mw_eventlog_list(log, 0, NULL, 0, &list, &n, &err), MW_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].key, "alice");
	assert_string_equal(list[1].key, "bob");
	assert_int_equal(list[2].count, 301);
	assert_int_equal(list[2].nrecipients, 2);
	assert_string_equal(list[2].recipients[1], "y@example.net");
	assert_string_equal(list[2].client_address, "192.0.2.7");
	free(list);
	assert_int_equal(mw_eventlog_list(log, 1001000, "alice", 0, &list, &n, &err), MW_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, 3);
	free(list);
	assert_int_equal(mw_eventlog_list(log, 0, NULL, 2, &list, &n, &err), MW_OK);
	assert_int_equal(n, 2); /* the newest two, oldest first */
	assert_int_equal(list[0].id, 2);
	free(list);
	mw_eventlog_close(log);
	log = mw_eventlog_open(path, false, &err);
	size_t del = 0;
	assert_int_equal(mw_eventlog_prune(log, 1002000, 500, &del, &err), MW_OK);
	assert_int_equal(del, 2);
	mw_eventlog_close(log);
	assert_null(mw_eventlog_open("/nonexistent/dir/e.db", false, &err));
	assert_int_equal(err.code, MW_EIO);
	unlink(path);
}

/* The JSON form carries every field. */
static void test_event_json(void **state)
{
	(void)state;
	mw_event ev;
	make_event(&ev, "alice", 1700000000123LL);
	json_t *j = mw_event_to_json(&ev);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "time")), "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_object_get(j, "action")), "hold");
	assert_int_equal(json_integer_value(json_object_get(j, "window_s")), 300);
	assert_int_equal(json_array_size(json_object_get(j, "recipients")), 2);
	json_decref(j);
	char line[256];
	assert_string_equal(mw_event_describe(&ev, line, sizeof(line)),
			    "sasl_messages alice: hold (301 > 300 in 300s)");
}

/* An alert command gets the JSON on stdin; relative paths and empty
 * command lines are refused. */
static void test_alert_command(void **state)
{
	(void)state;
	char out[] = "/tmp/mw-test-alert-XXXXXX";
	int fd = mkstemp(out);
	close(fd);
	char line[256];
	snprintf(line, sizeof(line), "/usr/bin/tee %s", out);
	char *argv[MW_ALERT_ARGS_MAX + 1];
	assert_int_equal(mw_alert_split(line, argv), 2);
	mw_err err;
	pid_t pid = mw_alert_command(argv, "{\"x\":1}", 5000, &err);
	assert_true(pid > 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	FILE *f = fopen(out, "r");
	char got[64] = "";
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "{\"x\":1}\n");
	unlink(out);
	char rel[] = "tee x";
	assert_int_equal(mw_alert_split(rel, argv), 2);
	assert_int_equal(mw_alert_command(argv, "{}", 1000, &err), -1);
	char blank[] = "   ";
	assert_int_equal(mw_alert_split(blank, argv), -1);
	assert_int_equal(mw_alert_webhook("ftp://x/", "{}", 1000, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eventlog),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_alert_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
