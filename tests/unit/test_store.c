/*
 * test_store.c - store/: the sub-bucket sliding window against an exact
 * sliding log, the memory store (reset, idle expiry, key cap, memory for
 * 1,000,000 keys) and the sqlite store (counts survive a reopen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* The window never undercounts the true sliding count, and overcounts only
 * events at most one sub-bucket older than the window (random trace vs. an
 * exact log). */
static void test_window_vs_exact(void **state)
{
	(void)state;
	enum { N = 20000 };
	static int64_t ts[N];
	const int64_t W = 300000, w = mw_window_width(W);
	mw_window win;
	memset(&win, 0, sizeof(win));
	srand(7);
	int64_t t = 1700000000000LL;
	for (int i = 0; i < N; i++) {
		t += rand() % 200 == 0 ? 60000 : rand() % 100; /* bursts and gaps */
		ts[i] = t;
		uint64_t got = mw_window_add(&win, W, 1, t);
		uint64_t exact = 0, loose = 0;
		for (int j = i; j >= 0 && ts[j] > t - W - w - 1; j--) {
			if (ts[j] > t - W)
				exact++;
			loose++;
		}
		if (got < exact || got > loose)
			fail_msg("event %d: got %llu, want between %llu and %llu", i,
				 (unsigned long long)got, (unsigned long long)exact,
				 (unsigned long long)loose);
	}
}

/* A burst at the very end of one fixed window and another at the start of
 * the next: a fixed window would see half; the sliding window sees both. */
static void test_window_edge_burst(void **state)
{
	(void)state;
	const int64_t W = 60000;
	mw_window win;
	memset(&win, 0, sizeof(win));
	int64_t t0 = 1700000040000LL; /* a multiple of 60 s */
	for (int i = 0; i < 100; i++)
		mw_window_add(&win, W, 1, t0 - 1);
	uint64_t got = 0;
	for (int i = 0; i < 100; i++)
		got = mw_window_add(&win, W, 1, t0 + 1);
	assert_int_equal(got, 200);
	/* still both while the first burst is inside the true window */
	assert_int_equal(mw_window_add(&win, W, 0, t0 + W - 2), 200);
	/* just after it left, only the second (t0 is a bucket boundary here) */
	assert_int_equal(mw_window_add(&win, W, 0, t0 + W + 1), 100);
	/* and much later everything is idle */
	assert_int_equal(mw_window_add(&win, W, 0, t0 + 3 * W), 0);
	assert_true(mw_window_idle(&win, t0 + 3 * W));
}

/* Memory store: counts per key, reset, idle expiry, the key cap. */
static void test_memory_store(void **state)
{
	(void)state;
	mw_store *s = mw_store_open_memory(3);
	mw_err err;
	uint64_t c = 0;
	int64_t t = 1000000;
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(mw_store_hit(s, "a", 1, 60000, 1, t, &c, &err), MW_OK);
		assert_int_equal(c, (uint64_t)i);
	}
	assert_int_equal(mw_store_hit(s, "b", 1, 60000, 7, t, &c, &err), MW_OK);
	assert_int_equal(c, 7);
	assert_int_equal(mw_store_hit(s, "a", 1, 60000, 0, t, &c, &err), MW_OK);
	assert_int_equal(c, 5);
	assert_int_equal(mw_store_hit(s, "zz", 2, 60000, 0, t, &c, &err), MW_OK);
	assert_int_equal(c, 0);
	assert_int_equal(mw_store_keys(s), 2); /* a read does not create */
	assert_int_equal(mw_store_reset(s, "a", 1, &err), MW_OK);
	assert_int_equal(mw_store_reset(s, "a", 1, &err), MW_ENOTFOUND);
	assert_int_equal(mw_store_hit(s, "a", 1, 60000, 1, t, &c, &err), MW_OK);
	assert_int_equal(c, 1);
	assert_int_equal(mw_store_hit(s, "c", 1, 60000, 1, t, &c, &err), MW_OK);
	/* full of live keys: refused as too big, not as out of memory */
	assert_int_equal(mw_store_hit(s, "d", 1, 60000, 1, t, &c, &err), MW_ETOOBIG);
	/* once the others are idle, a new key evicts them */
	assert_int_equal(mw_store_hit(s, "d", 1, 60000, 1, t + 120000, &c, &err), MW_OK);
	assert_int_equal(mw_store_keys(s), 1);
	char big[MW_RL_KEY_MAX + 1];
	memset(big, 'k', sizeof(big));
	assert_int_equal(mw_store_hit(s, big, sizeof(big), 60000, 1, t, &c, &err), MW_ETOOBIG);
	assert_string_equal(mw_store_name(s), "memory");
	mw_store_free(s);
}

/* 1,000,000 keys of realistic length (a sasl username) stay under 200 MB and
 * all expire when idle.  Allocation sizes are read from mallinfo2, which is
 * meaningless under AddressSanitizer: there only the expiry is checked. */
static void test_memory_million(void **state)
{
	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	const int N = 200000;
#else
	const int N = 1000000;
#endif
	size_t before = mallinfo2().uordblks;
	mw_store *s = mw_store_open_memory(0);
	char key[64];
	uint64_t c;
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "sasl_messages\x1fuser%07d@example.org", i);
		assert_int_equal(mw_store_hit(s, key, (size_t)n, 300000, 1, 5000000 + i, &c, NULL), MW_OK);
	}
	size_t used = mallinfo2().uordblks - before;
	printf("# %d keys: %zu bytes (%zu per key)\n", N, used, used / (size_t)N);
#if !defined(__SANITIZE_ADDRESS__)
	assert_true(used < 200u * 1000 * 1000);
#endif
	assert_int_equal(mw_store_keys(s), (size_t)N);
	size_t dropped = 0;
	for (int round = 0; round < 100 && mw_store_keys(s); round++)
		dropped += mw_store_expire(s, 5000000 + 1000000000LL, 1u << 20);
	assert_int_equal(dropped, (size_t)N);
	mw_store_free(s);
}

/* SQLite store: the window survives closing and reopening the file. */
static void test_sqlite_store(void **state)
{
	(void)state;
	char path[] = "/tmp/mw-test-store-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	mw_err err;
	mw_store *s = mw_store_open_sqlite(path, 0, &err);
	assert_non_null(s);
	uint64_t c = 0;
	for (int i = 0; i < 42; i++)
		assert_int_equal(mw_store_hit(s, "k", 1, 3600000, 1, 7200000 + i, &c, &err), MW_OK);
	assert_int_equal(mw_store_hit(s, "gone", 4, 3600000, 3, 7200000, &c, &err), MW_OK);
	assert_int_equal(mw_store_reset(s, "gone", 4, &err), MW_OK);
	mw_store_free(s);
	s = mw_store_open_sqlite(path, 0, &err);
	assert_non_null(s);
	assert_int_equal(mw_store_hit(s, "k", 1, 3600000, 1, 7300000, &c, &err), MW_OK);
	assert_int_equal(c, 43);
	assert_int_equal(mw_store_hit(s, "gone", 4, 3600000, 0, 7300000, &c, &err), MW_OK);
	assert_int_equal(c, 0);
	assert_int_equal(mw_store_reset(s, "nothing", 7, &err), MW_ENOTFOUND);
	mw_store_free(s);
	assert_null(mw_store_open_sqlite("/nonexistent-dir/x.db", 0, &err));
	assert_int_equal(err.code, MW_EIO);
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
}

/* Store specs: the three spellings and the wrong ones. */
static void test_store_spec(void **state)
{
	(void)state;
	mw_err err;
	mw_store *s = mw_store_open_spec("memory", 50, 0, &err);
	assert_non_null(s);
	assert_string_equal(mw_store_name(s), "memory");
	mw_store_free(s);
	const char *bad[] = {"", "mem", "sqlite:", "redis://", "redis://h:0", "redis://h:99999",
			     "redis://h:12x", "file:/x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(mw_store_open_spec(bad[i], 50, 0, &err));
		assert_int_equal(err.code, MW_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_vs_exact),  cmocka_unit_test(test_window_edge_burst),
		cmocka_unit_test(test_memory_store),     cmocka_unit_test(test_memory_million),
		cmocka_unit_test(test_sqlite_store),     cmocka_unit_test(test_store_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
