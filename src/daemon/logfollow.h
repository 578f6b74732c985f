/*
 * daemon/logfollow.h - the [logwatch] section of `mailwarden serve`: follow
 * mail logs from the event loop and turn findings into events.
 *
 * DESCRIPTION
 *   With `files = ...` set, a libev timer (poll_ms) calls mw_follow_poll
 *   (logwatch/follow.h: tail -F semantics, never blocks on a regular file);
 *   every line goes through the log scanner (logwatch/logscan.h) and every
 *   new finding becomes an event (mw_finding_to_event: source "logscan")
 *   handed to the daemon's delivery function - the same path as the policy
 *   service's events: syslog, the SQLite event history, alert command and
 *   webhook.  Counters (lines, unparsed lines, findings by type, files,
 *   rotations, truncations) are published in serve_metrics for /metrics.
 *   Existing files are followed from their end (a restart does not re-read
 *   and re-report old lines); files that appear later are read from their
 *   start.  The files are opened after the privilege drop: the service
 *   user must be able to read them (group adm on Debian).
 *   logfollow_apply is called at start and at every SIGHUP: an unchanged
 *   section keeps everything; a changed file list replaces the follower
 *   (the old one is read to its end first); changed thresholds replace the
 *   scanner too (its correlation state starts afresh).
 *
 * LIMITS
 *   SERVE_LOGFILES_MAX files; paths without blanks (files is split on
 *   blanks).  A finding is raised once per key for the scanner's life
 *   (logscan.h), i.e. until a restart or a threshold change.
 *
 * OWNERSHIP
 *   logfollow_new returns an object for logfollow_free; the event handed to
 *   the delivery function is valid only during the call.
 */
#ifndef MW_DAEMON_LOGFOLLOW_H
#define MW_DAEMON_LOGFOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/event.h"

#define SERVE_LOGFILES_MAX 16   /* mail.log plus a few per-instance logs */
#define SERVE_LOGPATH_MAX 512

typedef struct serve_logwatch_cfg {
	char files[SERVE_LOGFILES_MAX][SERVE_LOGPATH_MAX];
	size_t nfiles;          /* 0 = log following off (default) */
	int poll_ms;            /* default 1000 */
	uint32_t rate_limit;    /* default 100 messages ... */
	int64_t rate_window_s;  /* ... in 300 s */
	uint32_t auth_limit;    /* default 10 SASL failures per IP / username */
} serve_logwatch_cfg;

/* serve_logwatch_defaults - the defaults above */
void serve_logwatch_defaults(serve_logwatch_cfg *c);
/* serve_logwatch_set - one [logwatch] name = value */
mw_status serve_logwatch_set(serve_logwatch_cfg *c, const char *name, const char *value,
			     mw_err *err);

struct ev_loop;
struct serve_metrics;
typedef struct logfollow logfollow;
typedef void (*logfollow_deliver_fn)(void *ctx, mw_event *ev);

/* logfollow_new - idle follower bound to loop; NULL on memory */
logfollow *logfollow_new(struct ev_loop *loop, struct serve_metrics *m, logfollow_deliver_fn fn,
			 void *ctx);
/* logfollow_apply - start or reconfigure; on error the previous state stays */
mw_status logfollow_apply(logfollow *lf, const serve_logwatch_cfg *c, mw_err *err);
/* logfollow_free - read what is left, stop the timer, close the files */
void logfollow_free(logfollow *lf);

#endif
