/*
 * store/eventlog.h - events kept in SQLite, with a retention period.
 *
 * DESCRIPTION
 *   One table, mw_events, in an SQLite file (WAL mode, so the CLI can read
 *   while the daemon writes).  mw_eventlog_prune deletes events older than
 *   the retention (the daemon calls it hourly).  Readers open the file
 *   read-only.
 *
 * LIMITS
 *   A query returns at most MW_EVENT_LIST_MAX events (newest last).
 *
 * OWNERSHIP
 *   mw_eventlog_open returns a handle for mw_eventlog_close; lists are
 *   malloc'd arrays the caller free()s.
 */
#ifndef MW_STORE_EVENTLOG_H
#define MW_STORE_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/event.h"

typedef struct mw_eventlog mw_eventlog;

/* mw_eventlog_open - open (creating unless readonly) the event file */
mw_eventlog *mw_eventlog_open(const char *path, bool readonly, mw_err *err);
/* mw_eventlog_close - close (NULL is fine) */
void mw_eventlog_close(mw_eventlog *log);
/* mw_eventlog_add - store ev; sets ev->id */
mw_status mw_eventlog_add(mw_eventlog *log, mw_event *ev, mw_err *err);
/* mw_eventlog_list - events with time_ms >= since_ms (and key equal to
 * key when key is not NULL), oldest first, at most max (<= MW_EVENT_LIST_MAX) */
mw_status mw_eventlog_list(mw_eventlog *log, int64_t since_ms, const char *key, size_t max,
			   mw_event **out, size_t *n, mw_err *err);
/* mw_eventlog_prune - delete events older than now_ms - keep_ms; *deleted may be NULL */
mw_status mw_eventlog_prune(mw_eventlog *log, int64_t now_ms, int64_t keep_ms, size_t *deleted,
			    mw_err *err);

#endif
