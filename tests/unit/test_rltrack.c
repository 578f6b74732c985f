/*
 * test_rltrack.c - outbound/rltrack: the dashboard's mirror of the rate
 * counters: counts decay with the window, states follow the thresholds,
 * the store's larger count wins, holds remember their event, blocks run
 * and end, release zeroes, the pair cap holds, the per-second message rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/rltrack.h"

static mw_rl_rule rule(const char *name, int64_t window_ms, mw_rl_count count)
{
	mw_rl_rule r;
	memset(&r, 0, sizeof(r));
	strcpy(r.name, name);
	r.window_ms = window_ms;
	r.count = count;
	return r;
}

/* find - the listed pair of rule/key or NULL */
static const mw_rlt_pair *find(const mw_rlt_pair *p, size_t n, const char *rule, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].rule, rule) == 0 && strcmp(p[i].key, key) == 0)
			return &p[i];
	return NULL;
}

/* Counts and states over time: alert > 2, hold > 3 in 60 s. */
static void test_counts_states(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(0);
	mw_rl_rule r = rule("user", 60000, MW_RLC_MESSAGES);
	mw_rl_limits l = {.limit = {[MW_RL_ALERT] = 2, [MW_RL_HOLD] = 3}};
	static const struct {
		int64_t at;     /* a message at this time (ms), or -1: list only */
		int64_t list;   /* listing time */
		uint64_t count; /* want */
		mw_rlt_state st;
	} rows[] = {
		{1000, 1000, 1, MW_RLT_OK},     {2000, 2000, 2, MW_RLT_OK},
		{3000, 3000, 3, MW_RLT_ALERT},  {4000, 4000, 4, MW_RLT_HELD},
		{-1, 30000, 4, MW_RLT_HELD},    /* still in the window */
		{-1, 70000, 0, MW_RLT_OK},      /* the window has passed (+ width) */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].at >= 0)
			mw_rlt_count(t, &r, "pat", 1, 0, &l, rows[i].at);
		size_t n;
		bool oom;
		mw_rlt_pair *p = mw_rlt_list(t, NULL, rows[i].list, &n, &oom);
		uint64_t got = n ? p[0].count : 0;
		mw_rlt_state st = n ? p[0].state : MW_RLT_OK;
		if (got != rows[i].count || st != rows[i].st)
			fail_msg("row %zu: got %llu/%d want %llu/%d", i, (unsigned long long)got, st,
				 (unsigned long long)rows[i].count, rows[i].st);
		if (n) {
			assert_int_equal(p[0].limit, 3); /* the hold threshold is shown */
			assert_int_equal(p[0].window_ms, 60000);
		}
		free(p);
	}
	assert_int_equal(mw_rlt_pairs(t), 1);
	assert_int_equal(mw_rlt_expire(t, 70000), 1);
	assert_int_equal(mw_rlt_pairs(t), 0);
	mw_rlt_free(t);
}

/* The store's answer (restart, other daemons) raises the mirror. */
static void test_store_count_wins(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(0);
	mw_rl_rule r = rule("user", 3600000, MW_RLC_MESSAGES);
	mw_rl_limits l = {.limit = {[MW_RL_HOLD] = 300}};
	mw_rlt_count(t, &r, "bob", 1, 301, &l, 5000);
	size_t n;
	bool oom;
	mw_rlt_pair *p = mw_rlt_list(t, "bob", 5000, &n, &oom);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].count, 301);
	assert_int_equal(p[0].state, MW_RLT_HELD);
	assert_int_equal(p[0].held_since_ms, 5000);
	free(p);
	mw_rlt_held(t, "user", "bob", 42, 5000);
	mw_rlt_count(t, &r, "bob", 1, 10, &l, 6000); /* a smaller store answer: mirror stays */
	p = mw_rlt_list(t, "bob", 6000, &n, &oom);
	assert_int_equal(p[0].count, 302);
	assert_int_equal(p[0].held_event_id, 42);
	assert_int_equal(p[0].held_since_ms, 5000);
	free(p);
	assert_null(mw_rlt_list(t, "nobody", 6000, &n, &oom));
	assert_int_equal(n, 0);
	assert_false(oom);
	mw_rlt_free(t);
}

/* defer/reject thresholds show as blocked; per-message caps show a minute. */
static void test_strong_and_per_message(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(0);
	mw_rl_rule r = rule("user", 60000, MW_RLC_MESSAGES);
	mw_rl_limits l = {.limit = {[MW_RL_DEFER] = 1}};
	mw_rlt_count(t, &r, "eve", 1, 0, &l, 1000);
	mw_rlt_count(t, &r, "eve", 1, 0, &l, 1001);
	mw_rl_rule pm = rule("rcpts", 300000, MW_RLC_RCPT_PER_MSG);
	mw_rl_limits pl = {.limit = {[MW_RL_HOLD] = 100}};
	mw_rlt_count(t, &pm, "eve", 1, 150, &pl, 1000);
	size_t n;
	bool oom;
	mw_rlt_pair *p = mw_rlt_list(t, "eve", 2000, &n, &oom);
	assert_int_equal(n, 2);
	const mw_rlt_pair *a = find(p, n, "user", "eve"), *b = find(p, n, "rcpts", "eve");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->state, MW_RLT_BLOCKED);
	assert_int_equal(b->state, MW_RLT_HELD);
	assert_int_equal(b->count, 150);
	assert_int_equal(b->window_ms, 0);
	free(p);
	p = mw_rlt_list(t, "eve", 70000, &n, &oom); /* a minute later: both gone */
	assert_int_equal(n, 0);
	free(p);
	mw_rlt_free(t);
}

/* Blocks run until their end; release ends them and zeroes the pairs. */
static void test_block_release(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(0);
	mw_err err;
	assert_int_equal(mw_rlt_block_add(t, "kim", 1000, 60000, &err), MW_OK);
	assert_int_equal(mw_rlt_block_add(t, "", 1000, 60000, &err), MW_EINVAL);
	assert_true(mw_rlt_blocked(t, "kim", 1000));
	assert_true(mw_rlt_blocked(t, "kim", 60999));
	assert_false(mw_rlt_blocked(t, "kim", 61000));
	assert_false(mw_rlt_blocked(t, "kimx", 2000));
	size_t n;
	mw_rlt_block *b = mw_rlt_blocks(t, 2000, &n);
	assert_int_equal(n, 1);
	assert_string_equal(b[0].key, "kim");
	assert_int_equal(b[0].until_ms, 61000);
	free(b);
	mw_rl_rule r = rule("user", 60000, MW_RLC_MESSAGES);
	mw_rl_limits l = {.limit = {[MW_RL_HOLD] = 1}};
	mw_rlt_count(t, &r, "kim", 1, 0, &l, 2000);
	mw_rlt_count(t, &r, "kim", 1, 0, &l, 2001);
	bool oom;
	mw_rlt_pair *p = mw_rlt_list(t, "kim", 3000, &n, &oom);
	assert_int_equal(p[0].state, MW_RLT_BLOCKED);  /* the manual block wins */
	assert_int_equal(p[0].rate_state, MW_RLT_HELD); /* the rates say held */
	free(p);
	assert_int_equal(mw_rlt_nheld(t, 3000), 2);    /* the held pair and the block */
	assert_int_equal(mw_rlt_release(t, "kim"), 2); /* one pair + the block */
	assert_int_equal(mw_rlt_nheld(t, 3000), 0);
	assert_false(mw_rlt_blocked(t, "kim", 3000));
	p = mw_rlt_list(t, "kim", 3000, &n, &oom);
	assert_int_equal(n, 0);
	free(p);
	assert_int_equal(mw_rlt_release(t, "kim"), 1); /* the (zeroed) pair is still there */
	assert_int_equal(mw_rlt_release(t, "nobody"), 0);
	/* an ended block is dropped by expire */
	assert_int_equal(mw_rlt_block_add(t, "old", 0, 10, &err), MW_OK);
	assert_int_equal(mw_rlt_nblocks(t), 1);
	mw_rlt_expire(t, 100000);
	assert_int_equal(mw_rlt_nblocks(t), 0);
	mw_rlt_free(t);
}

/* The pair cap refuses new pairs and counts them; expire makes room. */
static void test_cap(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(3);
	mw_rl_rule r = rule("user", 1000, MW_RLC_MESSAGES);
	mw_rl_limits l = {.limit = {[MW_RL_HOLD] = 10}};
	const char *keys[] = {"a", "b", "c", "d", "e"};
	for (int i = 0; i < 5; i++)
		mw_rlt_count(t, &r, keys[i], 1, 0, &l, 100);
	assert_int_equal(mw_rlt_pairs(t), 3);
	assert_int_equal(mw_rlt_dropped(t), 2);
	assert_int_equal(mw_rlt_expire(t, 5000), 3);
	mw_rlt_count(t, &r, "d", 1, 0, &l, 5000);
	assert_int_equal(mw_rlt_pairs(t), 1);
	char big[MW_RL_KEY_MAX + 10];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mw_rlt_count(t, &r, big, 1, 0, &l, 5000); /* too long: ignored */
	assert_int_equal(mw_rlt_pairs(t), 1);
	mw_rlt_free(t);
}

/* Messages in the last 60 s, one-second slots. */
static void test_message_rate(void **state)
{
	(void)state;
	mw_rlt *t = mw_rlt_new(0);
	for (int i = 0; i < 10; i++)
		mw_rlt_message(t, 1000000 + i * 1000); /* one per second for 10 s */
	static const struct {
		int64_t at;
		uint64_t want;
	} rows[] = {{1009000, 10}, {1060000, 9}, {1068999, 1}, {1069000, 0}, {2000000, 0}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (mw_rlt_messages(t, rows[i].at) != rows[i].want)
			fail_msg("row %zu: got %llu want %llu", i,
				 (unsigned long long)mw_rlt_messages(t, rows[i].at),
				 (unsigned long long)rows[i].want);
	mw_rlt_message(t, 5000000); /* long gap: the ring starts afresh */
	assert_int_equal(mw_rlt_messages(t, 5000000), 1);
	assert_string_equal(mw_rlt_state_name(MW_RLT_HELD), "held");
	assert_string_equal(mw_rlt_state_name(MW_RLT_BLOCKED), "blocked");
	mw_rlt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_states),   cmocka_unit_test(test_store_count_wins),
		cmocka_unit_test(test_strong_and_per_message), cmocka_unit_test(test_block_release),
		cmocka_unit_test(test_cap),             cmocka_unit_test(test_message_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
