/*
 * store/store.h - counter stores: sliding-window counts per key, behind one
 * interface with three back ends.
 *
 * DESCRIPTION
 *   A store maps a byte-string key (the rate-limit rule name and the value
 *   it counts by, e.g. "sasl_msgs\x1f" "alice") to a window (store/window.h).
 *   Back ends, named by suffix:
 *     store_memory.c  process memory (default); idle keys expire; bounded by
 *                     a key cap.  Lost on restart.
 *     store_sqlite.c  memory in front, every change written to an SQLite
 *                     table in a transaction committed by mw_store_flush
 *                     (the daemon calls it every second and on exit), so
 *                     counts survive a restart.  One daemon per file.
 *     store_redis.c   shared by several daemons: updates run server-side as
 *                     one Lua script (atomic).  Every call is bounded by the
 *                     configured timeout; when Redis fails the store answers
 *                     from local memory counters (state DEGRADED), retries in
 *                     the background of later calls, and resumes sharing.
 *   Events (threshold crossings) are not kept here: see store/eventlog.h.
 *
 * THREADS
 *   A store is used by one thread at a time.
 *
 * OWNERSHIP
 *   mw_store_open* return a store the caller frees with mw_store_free.
 */
#ifndef MW_STORE_STORE_H
#define MW_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/window.h"

typedef enum mw_store_state {
	MW_STORE_UP = 0,   /* working as configured */
	MW_STORE_DEGRADED, /* redis unreachable: answering from local counters */
} mw_store_state;

typedef struct mw_store mw_store;

typedef struct mw_store_ops {
	const char *name;
	mw_status (*hit)(mw_store *s, const char *key, size_t klen, int64_t window_ms, uint32_t n,
			 int64_t now_ms, uint64_t *count, mw_err *err);
	mw_status (*reset)(mw_store *s, const char *key, size_t klen, mw_err *err);
	size_t (*expire)(mw_store *s, int64_t now_ms, size_t budget);
	size_t (*keys)(const mw_store *s);
	mw_status (*flush)(mw_store *s, mw_err *err);
	mw_store_state (*state)(const mw_store *s);
	void (*free)(mw_store *s);
} mw_store_ops;

struct mw_store {
	const mw_store_ops *ops;
};

/* mw_store_open_memory - memory store that keeps at most max_keys keys */
mw_store *mw_store_open_memory(size_t max_keys);
/* mw_store_open_sqlite - persistent store in the SQLite file path */
mw_store *mw_store_open_sqlite(const char *path, size_t max_keys, mw_err *err);
/* mw_store_open_redis - shared store at host:port; timeout_ms bounds every
 * call; prefix starts every Redis key ("mw:" when NULL).  Opening succeeds
 * even if Redis is down (the store starts DEGRADED). */
mw_store *mw_store_open_redis(const char *host, int port, int timeout_ms, const char *prefix,
			      size_t max_keys, mw_err *err);
/* mw_store_open_spec - "memory", "sqlite:PATH" or "redis://HOST:PORT" */
mw_store *mw_store_open_spec(const char *spec, int timeout_ms, size_t max_keys, mw_err *err);

/* mw_store_hit - add n events to key's window at now, return the count in
 * the window (n = 0 only reads).  MW_ETOOBIG: key too long or the store is
 * full of live keys. */
static inline mw_status mw_store_hit(mw_store *s, const char *key, size_t klen, int64_t window_ms,
				     uint32_t n, int64_t now_ms, uint64_t *count, mw_err *err)
{
	return s->ops->hit(s, key, klen, window_ms, n, now_ms, count, err);
}
/* mw_store_reset - forget key (MW_ENOTFOUND if it was not there) */
static inline mw_status mw_store_reset(mw_store *s, const char *key, size_t klen, mw_err *err)
{
	return s->ops->reset(s, key, klen, err);
}
/* mw_store_expire - drop up to budget idle keys' state; returns how many.
 * Incremental: call it often with a small budget. */
static inline size_t mw_store_expire(mw_store *s, int64_t now_ms, size_t budget)
{
	return s->ops->expire(s, now_ms, budget);
}
/* mw_store_keys - keys held locally */
static inline size_t mw_store_keys(const mw_store *s) { return s->ops->keys(s); }
/* mw_store_flush - make pending changes durable (sqlite); no-op elsewhere */
static inline mw_status mw_store_flush(mw_store *s, mw_err *err) { return s->ops->flush(s, err); }
/* mw_store_state - UP or DEGRADED */
static inline mw_store_state mw_store_get_state(const mw_store *s) { return s->ops->state(s); }
/* mw_store_name - "memory", "sqlite", "redis" */
static inline const char *mw_store_name(const mw_store *s) { return s->ops->name; }
/* mw_store_free - release (flushes first) */
void mw_store_free(mw_store *s);

/* Used by the sqlite and redis back ends, which keep a memory store inside. */
/* mw_store_memory_window - the window of key, created empty when create is
 * true (NULL if absent and !create, or full) */
mw_window *mw_store_memory_window(mw_store *mem, const char *key, size_t klen, bool create);

#endif
