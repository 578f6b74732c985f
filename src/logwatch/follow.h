/*
 * logwatch/follow.h - follow growing log files (tail -F semantics).
 *
 * DESCRIPTION
 *   A follower watches up to MW_LOG_FOLLOW_FILES_MAX paths.  Each call to
 *   mw_follow_poll reads what was appended since the last call and hands
 *   every complete line to the callback, exactly once:
 *     - rotation by rename (logrotate default, newsyslog): the new file at
 *       the path is read from its start, and the old one stays open and is
 *       still read for MW_LOG_ROTATED_GRACE_MS, since syslog daemons write
 *       to it until they are told to reopen (its unfinished last line is
 *       delivered when it is closed);
 *     - copytruncate and plain truncation: the size dropping below our
 *       offset means the file was truncated; reading restarts at 0;
 *     - a path that does not exist yet, or disappears, is retried at every
 *       poll and read from its start when it appears.
 *   At creation, existing files are read from their end (like tail -F) unless
 *   from_start is set.  The follower never sleeps: the caller polls (CLI: a
 *   sleep loop; daemon: a timer), so it fits any event loop.
 *
 * LIMITS
 *   Lines over MW_LOG_LINE_MAX are skipped and counted.  Lines written
 *   between a copytruncate's copy and its truncation are lost by the design
 *   of copytruncate; data that grows past our offset again before a poll
 *   notices the truncation cannot be told apart from appended data (the
 *   same limit as tail -F): poll often.
 *
 * OWNERSHIP
 *   The follower owns its descriptors and buffers; lines are valid only
 *   during the callback.
 */
#ifndef MW_LOGWATCH_FOLLOW_H
#define MW_LOGWATCH_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "logwatch/logread.h"

typedef struct mw_follow mw_follow;

typedef struct mw_follow_stats {
	uint64_t lines, bytes, rotations, truncations, oversized, reopen_failures;
} mw_follow_stats;

/* mw_follow_new - watch paths (copied); NULL on bad arguments or memory */
mw_follow *mw_follow_new(const char *const *paths, size_t n, bool from_start, mw_err *err);
/* mw_follow_poll - deliver new complete lines; returns the number delivered */
uint64_t mw_follow_poll(mw_follow *f, mw_line_fn fn, void *ctx);
/* mw_follow_stats - counters so far */
const mw_follow_stats *mw_follow_get_stats(const mw_follow *f);
/* mw_follow_free - close everything */
void mw_follow_free(mw_follow *f);

#endif
