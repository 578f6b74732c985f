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
/* mw_event_filter - conditions of mw_eventlog_query; 0 / NULL = any */
typedef struct mw_event_filter {
	int64_t since_ms, until_ms; /* time_ms >= since_ms, time_ms < until_ms */
	const char *key, *rule, *action;
	const char *source;         /* the event's type: policy, logscan, milter-scan ... */
} mw_event_filter;

/* mw_event_filter_where - " WHERE ..." with numbered parameters ?1..?6 in
 * the order since, until, key, rule, action, source (only those set), or ""
 * for an empty filter; returns the number of parameters */
int mw_event_filter_where(const mw_event_filter *f, char *sql, size_t cap);
/* mw_eventlog_query - one page of the events matching f, newest first
 * (offset skips the newest), and *total matching events (total may be
 * NULL); limit <= MW_EVENT_LIST_MAX.  Fast with the time, key and source
 * indexes (docs/PERFORMANCE.md). */
mw_status mw_eventlog_query(mw_eventlog *log, const mw_event_filter *f, size_t limit,
			    size_t offset, mw_event **out, size_t *n, uint64_t *total, mw_err *err);
/* mw_eventlog_count - matching events */
mw_status mw_eventlog_count(mw_eventlog *log, const mw_event_filter *f, uint64_t *total,
			    mw_err *err);
/* mw_eventlog_prune - delete events older than now_ms - keep_ms; *deleted may be NULL */
mw_status mw_eventlog_prune(mw_eventlog *log, int64_t now_ms, int64_t keep_ms, size_t *deleted,
			    mw_err *err);

#endif
