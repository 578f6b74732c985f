/*
 * logwatch/logtime.c - syslog and RFC 3339 timestamps (see logtime.h).
 */
#include "logwatch/logtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "logwatch/sv.h"

/* mw_days_from_civil - H. Hinnant's algorithm (public domain description) */
int64_t mw_days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* year_of - UTC year of an epoch time */
static int year_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return 1970;
	return tm.tm_year + 1900;
}

/* mw_logtime_init - remember the reference and its year */
void mw_logtime_init(mw_logtime_ctx *c, int64_t ref)
{
	c->has_last = false;
	c->ref = ref;
	c->ref_year = year_of(ref);
}

/* month_index - "Jan".."Dec" -> 1..12, 0 if none */
static unsigned month_index(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (unsigned i = 0; i < 12; i++)
		if (p[0] == names[3 * i] && p[1] == names[3 * i + 1] && p[2] == names[3 * i + 2])
			return i + 1;
	return 0;
}

/* digits - exactly n digits */
static bool digits(const char **p, const char *end, unsigned n, unsigned *out)
{
	const char *s = *p;
	unsigned v = 0;
	if ((size_t)(end - s) < n)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*p = s + n;
	*out = v;
	return true;
}

/* hms - "hh:mm:ss" into seconds of day */
static bool hms(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	unsigned h, m, sec;
	if (!digits(&s, end, 2, &h) || !MW_LIT(&s, end, ":") || !digits(&s, end, 2, &m) ||
	    !MW_LIT(&s, end, ":") || !digits(&s, end, 2, &sec) || h > 23 || m > 59 || sec > 60)
		return false;
	*p = s;
	*out = (int64_t)h * 3600 + m * 60 + sec;
	return true;
}

/* parse_bsd - "Mmm dd hh:mm:ss" with inferred year */
static bool parse_bsd(const mw_logtime_ctx *c, const char **p, const char *end, int64_t *sec)
{
	const char *s = *p;
	unsigned mon, day;
	int64_t tod;
	if (end - s < 14 || s[3] != ' ' || !(mon = month_index(s)))
		return false;
	s += 4;
	if (*s == ' ')
		s++;
	if (!digits(&s, end, 2, &day) && !digits(&s, end, 1, &day))
		return false;
	if (day < 1 || day > 31 || !MW_LIT(&s, end, " ") || !hms(&s, end, &tod))
		return false;
	int y = c->ref_year;
	int64_t t = mw_days_from_civil(y, mon, day) * 86400 + tod;
	if (t > c->ref + MW_LOG_YEAR_SLACK)
		t = mw_days_from_civil(y - 1, mon, day) * 86400 + tod;
	*p = s;
	*sec = t;
	return true;
}

/* parse_frac - ".ddd" up to microseconds; extra digits skipped */
static void parse_frac(const char **p, const char *end, int32_t *usec)
{
	const char *s = *p;
	int32_t v = 0, scale = 100000;
	if (s >= end || *s != '.')
		return;
	s++;
	while (s < end && *s >= '0' && *s <= '9') {
		if (scale) {
			v += (*s - '0') * scale;
			scale /= 10;
		}
		s++;
	}
	*usec = v;
	*p = s;
}

/* parse_offset - Z, +hh:mm, +hhmm or nothing; seconds east of UTC */
static bool parse_offset(const char **p, const char *end, int64_t *off)
{
	const char *s = *p;
	unsigned h, m;
	*off = 0;
	if (s < end && (*s == 'Z' || *s == 'z')) {
		*p = s + 1;
		return true;
	}
	if (s >= end || (*s != '+' && *s != '-'))
		return true;
	int sign = *s == '-' ? -1 : 1;
	s++;
	if (!digits(&s, end, 2, &h))
		return false;
	MW_LIT(&s, end, ":");
	if (!digits(&s, end, 2, &m) || h > 23 || m > 59)
		return false;
	*off = sign * (int64_t)(h * 3600 + m * 60);
	*p = s;
	return true;
}

/* parse_iso - RFC 3339 date-time */
static bool parse_iso(const char **p, const char *end, int64_t *sec, int32_t *usec)
{
	const char *s = *p;
	unsigned y, mo, d;
	int64_t tod, off;
	if (!digits(&s, end, 4, &y) || !MW_LIT(&s, end, "-") || !digits(&s, end, 2, &mo) ||
	    !MW_LIT(&s, end, "-") || !digits(&s, end, 2, &d) || s >= end ||
	    (*s != 'T' && *s != ' ' && *s != 't'))
		return false;
	s++;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || !hms(&s, end, &tod))
		return false;
	*usec = 0;
	parse_frac(&s, end, usec);
	if (!parse_offset(&s, end, &off))
		return false;
	*sec = mw_days_from_civil((int)y, mo, d) * 86400 + tod - off;
	*p = s;
	return true;
}

/* mw_logtime_parse - either form */
bool mw_logtime_parse(mw_logtime_ctx *c, const char **p, const char *end, int64_t *sec,
		      int32_t *usec)
{
	if (*p < end && **p >= '0' && **p <= '9')
		return parse_iso(p, end, sec, usec);
	*usec = 0;
	const char *s = *p;
	bool full = end - s >= 16 && s[15] == ' '; /* "Mmm dd hh:mm:ss " */
	if (full && c->has_last && memcmp(s, c->last, 15) == 0) {
		*sec = c->last_sec;
		*p = s + 15;
		return true;
	}
	if (!parse_bsd(c, p, end, sec))
		return false;
	if (full && *p == s + 15) {
		memcpy(c->last, s, 15);
		c->last_sec = *sec;
		c->has_last = true;
	}
	return true;
}

/* mw_logtime_parse_arg - absolute or relative time argument */
bool mw_logtime_parse_arg(const char *s, int64_t now, int64_t *out)
{
	size_t n = strlen(s);
	const char *end = s + n, *p = s;
	int32_t us;
	if (n >= 2 && strchr("smhd", s[n - 1])) {
		uint64_t v;
		const char *q = s;
		if (mw_cur_uint(&q, end - 1, 9, &v) && q == end - 1) {
			int64_t unit = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60
							: s[n - 1] == 'h' ? 3600 : 86400;
			*out = now - (int64_t)v * unit;
			return true;
		}
	}
	if (n == 10) { /* bare date */
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%sT00:00:00", s);
		p = tmp;
		return parse_iso(&p, tmp + strlen(tmp), out, &us) && p == tmp + strlen(tmp);
	}
	if (n == 16) { /* date hh:mm */
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%s:00", s);
		p = tmp;
		return parse_iso(&p, tmp + strlen(tmp), out, &us) && p == tmp + strlen(tmp);
	}
	return parse_iso(&p, end, out, &us) && p == end;
}

/* mw_logtime_format - ISO 8601 UTC */
const char *mw_logtime_format(int64_t sec, char *buf, unsigned n)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "?");
	return buf;
}
