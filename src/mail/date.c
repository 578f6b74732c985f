/*
 * mail/date.c - RFC 5322 date-time parser (see date.h).
 */
#include "mail/date.h"

#include <string.h>

#include "core/str.h"

typedef struct cur {
	const char *p, *e;
} cur;

/* skip_ws - white space and comments (nested, up to the end) */
static void skip_ws(cur *c)
{
	for (;;) {
		while (c->p < c->e &&
		       (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
			c->p++;
		if (c->p < c->e && *c->p == '(') {
			int depth = 0;
			while (c->p < c->e) {
				if (*c->p == '(')
					depth++;
				else if (*c->p == ')' && --depth == 0) {
					c->p++;
					break;
				}
				c->p++;
			}
			continue;
		}
		return;
	}
}

/* num - 1..maxd digits; false if none */
static bool num(cur *c, int maxd, int *out)
{
	int v = 0, d = 0;
	while (c->p < c->e && *c->p >= '0' && *c->p <= '9' && d < maxd) {
		v = v * 10 + (*c->p - '0');
		c->p++;
		d++;
	}
	if (d == 0 || (c->p < c->e && *c->p >= '0' && *c->p <= '9'))
		return false;
	*out = v;
	return true;
}

/* word - letters; returns length */
static size_t word(cur *c, const char **w)
{
	*w = c->p;
	while (c->p < c->e && ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z')))
		c->p++;
	return (size_t)(c->p - *w);
}

/* month_of - 1..12 for a three-letter English month name, 0 otherwise */
static int month_of(const char *w, size_t n)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	if (n < 3)
		return 0;
	char m[3] = {mw_tolower(w[0]), mw_tolower(w[1]), mw_tolower(w[2])};
	for (int i = 0; i < 12; i++)
		if (memcmp(names + 3 * i, m, 3) == 0)
			return i + 1;
	return 0;
}

/* zone_of - obsolete zone name to minutes east; false if unknown */
static bool zone_of(const char *w, size_t n, int *out)
{
	static const struct {
		const char *name;
		int min;
	} z[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"EST", -300},
	         {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360},
	         {"PST", -480}, {"PDT", -420}, {"CET", 60},   {"CEST", 120}};
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++)
		if (mw_strcaseeq_n(w, n, z[i].name)) {
			*out = z[i].min;
			return true;
		}
	if (n == 1) { /* RFC 5322 §4.3: military zones are treated as -0000 */
		*out = 0;
		return true;
	}
	return false;
}

/* days_from_civil - days since 1970-01-01 (proleptic Gregorian) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool parse_time(cur *c, int *hh, int *mm, int *ss)
{
	*ss = 0;
	if (!num(c, 2, hh) || c->p >= c->e || (*c->p != ':' && *c->p != '.'))
		return false;
	c->p++;
	if (!num(c, 2, mm))
		return false;
	if (c->p < c->e && (*c->p == ':' || *c->p == '.')) {
		c->p++;
		if (!num(c, 2, ss))
			return false;
	}
	return *hh <= 23 && *mm <= 59 && *ss <= 60;
}

static bool parse_zone(cur *c, int *tz)
{
	*tz = 0;
	skip_ws(c);
	if (c->p >= c->e)
		return true; /* missing zone: -0000 */
	if (*c->p == '+' || *c->p == '-') {
		int sign = *c->p == '-' ? -1 : 1, v;
		c->p++;
		const char *s = c->p;
		if (!num(c, 4, &v) || c->p - s != 4 || v % 100 > 59)
			return false;
		*tz = sign * ((v / 100) * 60 + v % 100);
		return true;
	}
	const char *w;
	size_t n = word(c, &w);
	return n > 0 && zone_of(w, n, tz);
}

bool mw_date_parse(const char *s, size_t n, mw_date *out)
{
	if (!s || n > MW_DATE_TEXT_MAX)
		return false;
	cur c = {s, s + n};
	skip_ws(&c);
	const char *w;
	size_t wl = word(&c, &w);
	if (wl > 0) { /* day-of-week */
		skip_ws(&c);
		if (c.p < c.e && *c.p == ',')
			c.p++;
		skip_ws(&c);
	}
	int day, year, hh, mm, ss, tz;
	if (!num(&c, 2, &day) || day < 1 || day > 31)
		return false;
	skip_ws(&c);
	if (c.p < c.e && *c.p == '-') /* "05-Dec-2019" style */
		c.p++;
	size_t ml = word(&c, &w);
	int mon = month_of(w, ml);
	if (!mon)
		return false;
	skip_ws(&c);
	if (c.p < c.e && *c.p == '-')
		c.p++;
	const char *ys = c.p;
	if (!num(&c, 4, &year))
		return false;
	if (c.p - ys == 2)
		year += year < 50 ? 2000 : 1900;
	else if (c.p - ys == 3)
		year += 1900;
	skip_ws(&c);
	if (year < 1970 || year > 9999 || !parse_time(&c, &hh, &mm, &ss) || !parse_zone(&c, &tz))
		return false;
	skip_ws(&c);
	if (c.p != c.e)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (day > mdays[mon - 1])
		return false;
	out->t =
	    days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss - (int64_t)tz * 60;
	out->tz_minutes = tz;
	return true;
}
