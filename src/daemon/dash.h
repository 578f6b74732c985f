/*
 * daemon/dash.h - the state the HTTP thread shares with the event loop:
 * the sender tracker (outbound/rltrack.h), the per-minute rate history
 * (store/ratehist.h), and a queue of actions (release, block) the loop
 * runs for the HTTP thread.
 *
 * DESCRIPTION
 *   The loop thread owns the rate-limit state (store, config).  It reports
 *   every evaluated request with dash_observe (one mutex lock per request,
 *   uncontended but for page loads); the HTTP thread reads the tracker
 *   under the same mutex (dash_lock/dash_unlock).  Actions that change the
 *   rate-limit state never run on the HTTP thread: dash_call queues the
 *   request, wakes the loop with an ev_async, and waits on a condition
 *   variable until the loop ran it through the same function as the
 *   control socket's `release` (daemon/server.c), so the policy service
 *   answers DUNNO for a released key as soon as dash_call returns.
 *
 * OWNERSHIP
 *   dash_new returns an object for dash_free (after the HTTP thread has
 *   stopped).  A dash_req stays the caller's: dash_call returns only when
 *   the loop is done with it (or it never started).
 */
#ifndef MW_DAEMON_DASH_H
#define MW_DAEMON_DASH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "outbound/ratelimit.h"
#include "outbound/rltrack.h"
#include "store/blockstore.h"
#include "store/eventlog.h"
#include "store/ratehist.h"
#include "store/store.h"

struct ev_loop;

typedef enum dash_op { DASH_RELEASE = 0, DASH_BLOCK } dash_op;

typedef struct dash_req {
	dash_op op;
	char key[MW_RL_KEY_MAX + 1];
	int64_t duration_ms;
	/* filled by the loop */
	size_t released;
	bool ok;
	char err[MW_ERR_MSG_MAX];
	/* queue state (dash.c) */
	int state; /* 0 queued, 1 running, 2 done */
	struct dash_req *next;
} dash_req;

/* dash_exec_fn - run one call on the loop thread (mutex not held) */
typedef void (*dash_exec_fn)(void *ctx, dash_req *c);

typedef struct dash dash;

/* dash_new - tracker, history (hist_path NULL = memory only), async watcher */
dash *dash_new(struct ev_loop *loop, dash_exec_fn exec, void *ctx, const char *hist_path,
	       size_t keep_keys, mw_err *err);
/* dash_stop - refuse new calls, fail queued ones (loop thread, before leaving) */
void dash_stop(dash *d);
/* dash_free - NULL is fine */
void dash_free(dash *d);

/* dash_observe - mirror one evaluated request (loop thread); true when a
 * manual block covers one of its keys (the caller then refuses it) */
bool dash_observe(dash *d, const mw_rl_config *rules, const mw_policy_req *req,
		  const mw_rl_verdict *v, int64_t now_ms);
/* dash_held - the event that crossed a hold or stronger threshold */
void dash_held(dash *d, const char *rule, const char *key, int64_t event_id, int64_t now_ms);
/* dash_seed - at start: the running manual blocks (store/blockstore.h),
 * and the keys that policy events say were held within their rule's
 * window, with the store's current count (the sqlite and redis stores keep
 * counts across a restart), so /api/held is right before they send again;
 * at most 10,000 events are read */
void dash_seed(dash *d, const mw_rl_config *rules, mw_store *store, mw_eventlog *events,
	       int64_t now_ms);
/* dash_block - block key (tracker + the events file's mw_blocks table) */
mw_status dash_block(dash *d, const char *key, int64_t now_ms, int64_t duration_ms, mw_err *err);
/* dash_release - zero key's tracker pairs and end its block (also in the
 * file); true when a running block ended.  key is lower-case. */
bool dash_release(dash *d, const char *key, int64_t now_ms);
/* dash_tick - each second: expire the tracker, write the history's ended minute */
void dash_tick(dash *d, int64_t now_ms, mw_err *err);

/* dash_call - run c on the loop and wait (HTTP thread); false with c->err
 * when the loop is stopping or did not answer in timeout_ms */
bool dash_call(dash *d, dash_req *c, int timeout_ms);

/* access for the HTTP thread: lock, use, unlock */
void dash_lock(dash *d);
void dash_unlock(dash *d);
mw_rlt *dash_tracker(dash *d);
mw_ratehist *dash_history(dash *d);

#endif
