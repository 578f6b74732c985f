/*
 * test_eventquery.c - store/eventlog queries for the HTTP API (filters,
 * newest-first pages, totals, the WHERE builder) and store/ratehist (the
 * per-minute history: current minute in memory, ended minutes in SQLite,
 * top-N per minute, reopen, reader handle) and store/blockstore (manual
 * blocks across a restart).
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

#include "store/blockstore.h"
#include "store/eventlog.h"
#include "store/ratehist.h"

/* tmpdb - a fresh file name (the file is removed: SQLite creates it) */
static void tmpdb(char *path)
{
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
}

static void rm_db(const char *path)
{
	char p[128];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The WHERE clause names only the conditions set, numbered in order. */
static void test_where(void **state)
{
	(void)state;
	static const struct {
		mw_event_filter f;
		int np;
		const char *want;
	} rows[] = {
		{{0}, 0, ""},
		{{.since_ms = 5}, 1, " WHERE time_ms >= ?1"},
		{{.key = "a", .source = "policy"}, 2, " WHERE key = ?1 AND source = ?2"},
		{{.since_ms = 1, .until_ms = 2, .key = "k", .rule = "r", .action = "a", .source = "s"},
		 6, " WHERE time_ms >= ?1 AND time_ms < ?2 AND key = ?3 AND rule = ?4 AND action = ?5"
		    " AND source = ?6"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char sql[256];
		assert_int_equal(mw_event_filter_where(&rows[i].f, sql, sizeof(sql)), rows[i].np);
		assert_string_equal(sql, rows[i].want);
	}
	char tiny[10];
	mw_event_filter f = {.since_ms = 1};
	assert_int_equal(mw_event_filter_where(&f, tiny, sizeof(tiny)), -1);
}

/* 30 events: 3 keys x 2 actions x 5 times, two sources. */
static void fill(mw_eventlog *log)
{
	const char *keys[] = {"alice", "bob", "carol"}, *acts[] = {"alert", "hold"};
	mw_event ev;
	mw_err err;
	for (int t = 0; t < 5; t++)
		for (int k = 0; k < 3; k++)
			for (int a = 0; a < 2; a++) {
				memset(&ev, 0, sizeof(ev));
				ev.time_ms = 1000 * (t + 1);
				strcpy(ev.source, k == 2 ? "logscan" : "policy");
				strcpy(ev.rule, k == 2 ? "remote_block" : "user");
				strcpy(ev.key, keys[k]);
				strcpy(ev.action, acts[a]);
				mw_event_add_recipient(&ev, "r@example.org");
				assert_int_equal(mw_eventlog_add(log, &ev, &err), MW_OK);
			}
}

/* Filters give the right totals; pages are disjoint, newest first. */
static void test_query(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-evq-XXXXXX";
	tmpdb(path);
	mw_err err;
	mw_eventlog *w = mw_eventlog_open(path, false, &err);
	assert_non_null(w);
	fill(w);
	mw_eventlog *log = mw_eventlog_open(path, true, &err); /* the API's read handle */
	assert_non_null(log);
	static const struct {
		mw_event_filter f;
		uint64_t total;
	} rows[] = {
		{{0}, 30},
		{{.key = "alice"}, 10},
		{{.key = "alice", .action = "hold"}, 5},
		{{.source = "logscan"}, 10},
		{{.source = "logscan", .rule = "remote_block"}, 10},
		{{.source = "policy", .rule = "remote_block"}, 0},
		{{.since_ms = 3000}, 18},
		{{.since_ms = 3000, .until_ms = 5000}, 12},
		{{.until_ms = 1000}, 0},
		{{.key = "nobody"}, 0},
		{{.key = "alice' OR 1=1 --"}, 0}, /* bound, never spliced */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t total = 99;
		assert_int_equal(mw_eventlog_count(log, &rows[i].f, &total, &err), MW_OK);
		if (total != rows[i].total)
			fail_msg("row %zu: got %llu want %llu", i, (unsigned long long)total,
				 (unsigned long long)rows[i].total);
	}
	mw_event_filter all = {0};
	mw_event *p1, *p2, *p4;
	size_t n1, n2, n4;
	uint64_t total;
	assert_int_equal(mw_eventlog_query(log, &all, 7, 0, &p1, &n1, &total, &err), MW_OK);
	assert_int_equal(mw_eventlog_query(log, &all, 7, 7, &p2, &n2, NULL, &err), MW_OK);
	assert_int_equal(mw_eventlog_query(log, &all, 7, 28, &p4, &n4, NULL, &err), MW_OK);
	assert_int_equal(total, 30);
	assert_int_equal(n1, 7);
	assert_int_equal(n2, 7);
	assert_int_equal(n4, 2);
	assert_int_equal(p1[0].id, 30); /* newest first */
	for (size_t i = 1; i < n1; i++)
		assert_true(p1[i].id < p1[i - 1].id);
	assert_true(p2[0].id < p1[n1 - 1].id); /* disjoint, continuing */
	assert_int_equal(p4[n4 - 1].id, 1);
	assert_string_equal(p1[0].recipients[0], "r@example.org");
	free(p1);
	free(p2);
	free(p4);
	mw_event *none;
	size_t nn;
	assert_int_equal(mw_eventlog_query(log, &all, 10, 1000, &none, &nn, &total, &err), MW_OK);
	assert_int_equal(nn, 0);
	assert_null(none);
	mw_eventlog_close(log);
	mw_eventlog_close(w);
	rm_db(path);
}

/* The current minute is pending; ended minutes go to SQLite, top N only,
 * added to a row written before a restart; a reader sees them. */
static void test_ratehist(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-rh-XXXXXX";
	tmpdb(path);
	mw_err err;
	mw_ratehist *h = mw_ratehist_open(path, false, 2, &err);
	assert_non_null(h);
	enum { M0 = 60000 * 1000 }; /* minute 1000 */
	int64_t m0 = M0;
	for (int i = 0; i < 5; i++)
		mw_ratehist_add(h, "alice", 1, m0 + i);
	for (int i = 0; i < 3; i++)
		mw_ratehist_add(h, "bob", 1, m0 + 10);
	mw_ratehist_add(h, "carol", 1, m0 + 20); /* third: not kept (top 2) */
	int64_t cur;
	assert_int_equal(mw_ratehist_pending(h, "alice", &cur), 5);
	assert_int_equal(cur, m0);
	mw_ratehist_add(h, "alice", 2, m0 + 60000); /* next minute: minute 1000 is written */
	assert_int_equal(mw_ratehist_pending(h, "alice", &cur), 2);
	assert_int_equal(mw_ratehist_pending(h, "bob", &cur), 0);
	assert_int_equal(mw_ratehist_flush(h, m0 + 120000, &err), MW_OK);
	mw_ratehist *r = mw_ratehist_open(path, true, 0, &err);
	assert_non_null(r);
	static const struct {
		const char *key;
		int64_t since;
		size_t n;
		uint64_t first, last;
	} rows[] = {
		{"alice", 0, 2, 5, 2},
		{"alice", M0 + 60000, 1, 2, 2},
		{"bob", 0, 1, 3, 3},
		{"carol", 0, 0, 0, 0},
		{"nobody", 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mw_ratehist_point *pts;
		size_t n;
		assert_int_equal(mw_ratehist_query(r, rows[i].key, rows[i].since, &pts, &n, &err), MW_OK);
		if (n != rows[i].n)
			fail_msg("row %zu: got %zu points want %zu", i, n, rows[i].n);
		if (n) {
			assert_int_equal(pts[0].count, rows[i].first);
			assert_int_equal(pts[n - 1].count, rows[i].last);
			assert_int_equal(pts[0].t_ms % 60000, 0);
		}
		free(pts);
	}
	mw_ratehist_close(h);
	/* a restart within minute 1002 adds to its row */
	h = mw_ratehist_open(path, false, 2, &err);
	mw_ratehist_add(h, "bob", 4, m0 + 60000);
	mw_ratehist_close(h); /* writes the pending minute */
	mw_ratehist_point *pts;
	size_t n;
	assert_int_equal(mw_ratehist_query(r, "bob", 0, &pts, &n, &err), MW_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pts[1].count, 4);
	free(pts);
	mw_ratehist_close(r);
	/* memory only: the pending minute, no rows */
	mw_ratehist *m = mw_ratehist_open(NULL, false, 0, &err);
	mw_ratehist_add(m, "x", 3, m0);
	assert_int_equal(mw_ratehist_pending(m, "x", &cur), 3);
	assert_int_equal(mw_ratehist_query(m, "x", 0, &pts, &n, &err), MW_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mw_ratehist_dropped(m), 0);
	mw_ratehist_close(m);
	rm_db(path);
}

/* A reader opened before the writer made the table answers empty. */
static void test_ratehist_no_table(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-rh2-XXXXXX";
	tmpdb(path);
	mw_err err;
	mw_eventlog *w = mw_eventlog_open(path, false, &err); /* file without the table */
	assert_non_null(w);
	mw_ratehist *r = mw_ratehist_open(path, true, 0, &err);
	assert_non_null(r);
	mw_ratehist_point *pts;
	size_t n = 9;
	assert_int_equal(mw_ratehist_query(r, "x", 0, &pts, &n, &err), MW_OK);
	assert_int_equal(n, 0);
	mw_ratehist_close(r);
	mw_eventlog_close(w);
	assert_null(mw_ratehist_open("/nonexistent/dir/x.db", true, 0, &err));
	rm_db(path);
}

/* Blocks: put replaces, del removes, load drops the ended ones. */
static void test_blockstore(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-bl-XXXXXX";
	tmpdb(path);
	mw_err err;
	mw_blockstore *b = mw_blockstore_open(path, &err);
	assert_non_null(b);
	assert_int_equal(mw_blockstore_put(b, "kim", 1000, 5000, &err), MW_OK);
	assert_int_equal(mw_blockstore_put(b, "lee", 1000, 2000, &err), MW_OK);
	assert_int_equal(mw_blockstore_put(b, "kim", 1500, 9000, &err), MW_OK); /* replaces */
	assert_int_equal(mw_blockstore_put(b, "max", 1200, 9000, &err), MW_OK);
	assert_int_equal(mw_blockstore_del(b, "max", &err), MW_OK);
	assert_int_equal(mw_blockstore_del(b, "nobody", &err), MW_OK);
	mw_blockstore_close(b);
	b = mw_blockstore_open(path, &err); /* a restart */
	static const struct {
		int64_t now;
		size_t max, n;
		const char *first;
	} rows[] = {
		{1500, 10, 2, "lee"}, /* both running, oldest since first */
		{1500, 1, 1, "lee"},  /* capped */
		{2000, 10, 1, "kim"}, /* lee ended at 2000 (and is deleted) */
		{1500, 10, 1, "kim"}, /* lee stays deleted */
		{9000, 10, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mw_blockrow *r;
		size_t n;
		assert_int_equal(mw_blockstore_load(b, rows[i].now, rows[i].max, &r, &n, &err), MW_OK);
		if (n != rows[i].n)
			fail_msg("row %zu: got %zu want %zu", i, n, rows[i].n);
		if (n) {
			assert_string_equal(r[0].key, rows[i].first);
			if (strcmp(r[0].key, "kim") == 0)
				assert_int_equal(r[0].until_ms, 9000);
		}
		free(r);
	}
	mw_blockstore_close(b);
	assert_null(mw_blockstore_open("/nonexistent/dir/x.db", &err));
	assert_int_equal(err.code, MW_EIO);
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_ratehist),
		cmocka_unit_test(test_ratehist_no_table),
		cmocka_unit_test(test_blockstore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
