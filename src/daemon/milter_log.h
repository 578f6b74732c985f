/*
 * daemon/milter_log.h - the milter's log lines: to standard error (the
 * standalone `mailwarden milter`, or serve with log = stderr) or, inside
 * `mailwarden serve` with log = syslog, to syslog (facility mail, opened
 * by serve) like the policy service's own lines.
 *
 * A process-wide switch set once at start, before libmilter's threads run;
 * the binary's, not the library's (which holds no globals).  Message text
 * never holds keys or secrets.
 */
#ifndef MW_DAEMON_MILTER_LOG_H
#define MW_DAEMON_MILTER_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* milter_log_use_syslog - send later lines to syslog (true) or stderr */
void milter_log_use_syslog(bool on);
/* milter_log - one line; prio is a syslog priority (LOG_INFO, LOG_WARNING...) */
void milter_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
