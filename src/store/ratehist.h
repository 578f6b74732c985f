/*
 * store/ratehist.h - per-minute message counts per sender key for the last
 * 24 hours, persisted in the events SQLite file, for the dashboard's rate
 * history chart.
 *
 * DESCRIPTION
 *   The daemon calls mw_ratehist_add for every message and key value (the
 *   keys its rate rules count by).  Counts of the current minute stay in
 *   memory; when the minute ends (next add or mw_ratehist_flush), the
 *   keep_keys keys with the most messages in it are written to the table
 *   mw_rate_history(key, minute, count) in one transaction, added to what
 *   is there (a restart within a minute keeps both halves).  Rows older
 *   than MW_RATEHIST_MINUTES minutes are deleted once an hour.  A reader
 *   (the HTTP thread) opens the same file read-only with its own handle
 *   (WAL: it never blocks the writer) and asks mw_ratehist_query.
 *   Without a file (path NULL) only the current minute is known.
 *
 * LIMITS
 *   keep_keys keys per minute (default MW_RATEHIST_KEYS_DEFAULT = 200):
 *   at most 200 x 1440 = 288,000 rows, about 15 MB with the key index;
 *   MW_RATEHIST_PENDING_MAX distinct keys in one minute (about 100 bytes
 *   each), later keys of that minute are not counted (mw_ratehist_dropped).
 *
 * THREADS
 *   A handle belongs to one thread at a time.
 *
 * OWNERSHIP
 *   mw_ratehist_open returns a handle for mw_ratehist_close; query results
 *   are malloc'd arrays the caller free()s.
 */
#ifndef MW_STORE_RATEHIST_H
#define MW_STORE_RATEHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct mw_ratehist mw_ratehist;

typedef struct mw_ratehist_point {
	int64_t t_ms;   /* start of the minute */
	uint64_t count; /* messages in it */
} mw_ratehist_point;

/* mw_ratehist_open - writer (readonly false: creates the table) or reader;
 * path NULL = memory only (writer) */
mw_ratehist *mw_ratehist_open(const char *path, bool readonly, size_t keep_keys, mw_err *err);
/* mw_ratehist_close - writes the pending minute first (writer) */
void mw_ratehist_close(mw_ratehist *h);
/* mw_ratehist_add - n messages for key at now */
void mw_ratehist_add(mw_ratehist *h, const char *key, uint32_t n, int64_t now_ms);
/* mw_ratehist_flush - write the pending minute if it ended before now */
mw_status mw_ratehist_flush(mw_ratehist *h, int64_t now_ms, mw_err *err);
/* mw_ratehist_pending - count of key in the current (unwritten) minute;
 * *minute_ms its start (writer) */
uint64_t mw_ratehist_pending(const mw_ratehist *h, const char *key, int64_t *minute_ms);
/* mw_ratehist_query - the stored minutes of key from since_ms on, oldest
 * first (at most MW_RATEHIST_MINUTES) */
mw_status mw_ratehist_query(mw_ratehist *h, const char *key, int64_t since_ms,
			    mw_ratehist_point **out, size_t *n, mw_err *err);
/* mw_ratehist_dropped - keys not counted because a minute had too many */
uint64_t mw_ratehist_dropped(const mw_ratehist *h);

#endif
