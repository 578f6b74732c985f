/*
 * daemon/milter_log.c - see milter_log.h.
 */
#include "daemon/milter_log.h"

#include <stdarg.h>
#include <stdio.h>

static bool g_milter_syslog;

/* milter_log_use_syslog - see milter_log.h */
void milter_log_use_syslog(bool on)
{
	g_milter_syslog = on;
}

/* milter_log - "mailwarden milter: TEXT" on stderr, "milter: TEXT" in syslog */
void milter_log(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (g_milter_syslog)
		syslog(prio, "milter: %s", line);
	else
		fprintf(stderr, "mailwarden milter: %s\n", line);
}
