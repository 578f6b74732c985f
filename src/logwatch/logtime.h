/*
 * logwatch/logtime.h - timestamps of syslog lines.
 *
 * DESCRIPTION
 *   Two forms are read:
 *     - traditional BSD syslog (RFC 3164 §4.1.2) "Mmm dd hh:mm:ss", day
 *       space-padded or not, no year and no zone;
 *     - RFC 3339 §5.6 "YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|+hhmm)" as written
 *       by rsyslog's high-precision template and `journalctl -o short-iso`
 *       (a space instead of 'T' and a missing offset are accepted too).
 *   A year-less stamp gets the year that puts it at or before the reference
 *   time (plus MW_LOG_YEAR_SLACK): with the reference = the file's mtime or
 *   now, a log running from Dec 30 to Jan 2 gets Dec of one year and Jan of
 *   the next.  Zone-less stamps are taken as UTC (the host's zone is unknown
 *   for foreign logs; only differences between stamps matter to findings).
 *
 * LIMITS
 *   Years 1970..9999; fractions beyond microseconds are ignored.
 */
#ifndef MW_LOGWATCH_LOGTIME_H
#define MW_LOGWATCH_LOGTIME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mw_logtime_ctx {
	int64_t ref;  /* reference time (epoch s): file mtime or now */
	int ref_year; /* its UTC year, computed by mw_logtime_init */
	/* cache: consecutive lines mostly share their "Mmm dd hh:mm:ss" stamp */
	char last[15];
	int64_t last_sec;
	bool has_last;
} mw_logtime_ctx;

/* mw_logtime_init - set the reference time for year inference */
void mw_logtime_init(mw_logtime_ctx *c, int64_t ref);
/* mw_logtime_parse - parse either form at *p; on success advance *p past the
 * stamp and set *sec (epoch seconds, UTC) and *usec (c caches the last
 * traditional stamp) */
bool mw_logtime_parse(mw_logtime_ctx *c, const char **p, const char *end, int64_t *sec,
		      int32_t *usec);
/* mw_days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
int64_t mw_days_from_civil(int y, unsigned m, unsigned d);
/* mw_logtime_parse_arg - a user's time argument: RFC 3339 / "YYYY-MM-DD[ hh:mm[:ss]]"
 * (UTC), or a relative "N[smhd]" meaning N units before now */
bool mw_logtime_parse_arg(const char *s, int64_t now, int64_t *out);
/* mw_logtime_format - "YYYY-MM-DDThh:mm:ssZ" into buf (>= 21 bytes) */
const char *mw_logtime_format(int64_t sec, char *buf, unsigned n);

#endif
