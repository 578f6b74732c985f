/*
 * outbound/rltrack.h - what the policy service knows about its senders,
 * kept for the dashboard: the count of every (rule, key) pair in its
 * window, who is held and since when, manual blocks, and the message rate.
 *
 * DESCRIPTION
 *   The counter stores (store/store.h) answer "count of this key" but
 *   cannot list keys, and a shared Redis store belongs to several daemons.
 *   The tracker mirrors what this daemon saw: after every rule evaluation
 *   the daemon reports (rule, key, n added, count the store answered,
 *   thresholds) and the tracker keeps its own sliding window (store/
 *   window.h, same algorithm as the memory store), raised to the store's
 *   answer when the store knows more (a restart with the sqlite store,
 *   other daemons on Redis).  The state of a pair at time t:
 *     blocked  a manual block of the key is running, or the count is above
 *              a defer or reject threshold
 *     held     above the hold threshold
 *     alert    above the alert threshold
 *     ok       otherwise
 *   "Held since" is the time the hold (or stronger) threshold was crossed,
 *   with the event id the daemon stored for it.
 *   Manual blocks (mw_rlt_block) name a key value; mw_rlt_blocked tells the
 *   policy service to refuse it until the block ends.  A release
 *   (mw_rlt_release) zeroes every pair of that key and ends its block.
 *   mw_rlt_messages counts messages over the last 60 s (one-second slots).
 *
 * LIMITS
 *   At most max_pairs (rule, key) pairs (MW_RLT_KEYS_MAX by default, about
 *   300 bytes each with the hash table entry: 6 MB at 20,000): when full, a
 *   new pair is not tracked (mw_rlt_dropped counts them) until
 *   mw_rlt_expire drops pairs whose window is empty.  MW_RLT_BLOCKS_MAX
 *   blocks at once.  Keys longer than MW_RL_KEY_MAX are not tracked.
 *
 * THREADS
 *   Not thread-safe: the daemon holds its mutex around every call
 *   (daemon/dash.c).
 *
 * OWNERSHIP
 *   mw_rlt_new returns a tracker for mw_rlt_free; mw_rlt_list fills a
 *   malloc'd array the caller free()s.
 */
#ifndef MW_OUTBOUND_RLTRACK_H
#define MW_OUTBOUND_RLTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "outbound/ratelimit.h"
#include "store/window.h"

typedef enum mw_rlt_state {
	MW_RLT_OK = 0,
	MW_RLT_ALERT,
	MW_RLT_HELD,
	MW_RLT_BLOCKED,
} mw_rlt_state;

typedef struct mw_rlt_pair {
	char rule[64];
	char key[MW_RL_KEY_MAX + 1];
	uint64_t count;          /* in the window at the time of the listing
				  * (recipients_per_message: the last message's) */
	uint64_t limit;          /* the strongest threshold set (hold if set, else the others) */
	int64_t window_ms;
	mw_rl_limits limits;
	mw_rlt_state state;      /* rate_state, or BLOCKED under a manual block */
	mw_rlt_state rate_state; /* from the count and thresholds alone */
	int64_t last_ms;         /* last request counted */
	int64_t held_since_ms;   /* 0 unless held/blocked by a threshold */
	int64_t held_event_id;   /* event of that crossing, 0 if unknown */
	mw_window win;
} mw_rlt_pair;

typedef struct mw_rlt_block {
	char key[MW_RL_KEY_MAX + 1];
	int64_t since_ms, until_ms;
} mw_rlt_block;

typedef struct mw_rlt mw_rlt;

/* mw_rlt_new - empty tracker of at most max_pairs pairs (0 = MW_RLT_KEYS_MAX) */
mw_rlt *mw_rlt_new(size_t max_pairs);
void mw_rlt_free(mw_rlt *t);

/* mw_rlt_count - rule counted n for key at now; store_count is what the
 * store answered (0 if unknown); limits are the thresholds used */
void mw_rlt_count(mw_rlt *t, const mw_rl_rule *rule, const char *key, uint32_t n,
		  uint64_t store_count, const mw_rl_limits *limits, int64_t now_ms);
/* mw_rlt_held - remember the event that crossed a hold/defer/reject threshold
 * at now_ms (an earlier time than the one known moves "held since" back) */
void mw_rlt_held(mw_rlt *t, const char *rule, const char *key, int64_t event_id, int64_t now_ms);
/* mw_rlt_message - one message sent at now (for mw_rlt_messages) */
void mw_rlt_message(mw_rlt *t, int64_t now_ms);
/* mw_rlt_messages - messages in the 60 s before now */
uint64_t mw_rlt_messages(const mw_rlt *t, int64_t now_ms);

/* mw_rlt_block_add - block key until now + duration_ms (replaces a running block) */
mw_status mw_rlt_block_add(mw_rlt *t, const char *key, int64_t now_ms, int64_t duration_ms, mw_err *err);
/* mw_rlt_blocked - a block of key (lower-cased by the caller) runs at now */
bool mw_rlt_blocked(const mw_rlt *t, const char *key, int64_t now_ms);
/* mw_rlt_nblocks - blocks held (running or ended, until mw_rlt_expire) */
size_t mw_rlt_nblocks(const mw_rlt *t);
/* mw_rlt_release - zero every pair of key, end its block; pairs touched + block ended */
size_t mw_rlt_release(mw_rlt *t, const char *key);

/* mw_rlt_expire - drop pairs whose window is empty and ended blocks; how many */
size_t mw_rlt_expire(mw_rlt *t, int64_t now_ms);
/* mw_rlt_list - copies of the pairs with count > 0 or a state at now (key
 * NULL = all, else only that key); *n set; NULL with *n = 0 when none or
 * out of memory (*oom set then) */
mw_rlt_pair *mw_rlt_list(const mw_rlt *t, const char *key, int64_t now_ms, size_t *n, bool *oom);
/* mw_rlt_nheld - pairs held or above (by their rates) plus running blocks
 * at now, counted without copying (the status page's "held") */
size_t mw_rlt_nheld(const mw_rlt *t, int64_t now_ms);
/* mw_rlt_blocks - copies of the running blocks */
mw_rlt_block *mw_rlt_blocks(const mw_rlt *t, int64_t now_ms, size_t *n);
/* mw_rlt_pairs - pairs tracked; mw_rlt_dropped - pairs refused when full */
size_t mw_rlt_pairs(const mw_rlt *t);
uint64_t mw_rlt_dropped(const mw_rlt *t);
/* mw_rlt_state_name - "ok", "alert", "held", "blocked" */
const char *mw_rlt_state_name(mw_rlt_state s);
/* mw_rlt_window_count - events in win at now without changing it */
uint64_t mw_rlt_window_count(const mw_window *win, int64_t now_ms);

#endif
