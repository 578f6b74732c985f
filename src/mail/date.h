/*
 * mail/date.h - RFC 5322 date-time (§3.3, with the obsolete forms of §4.3).
 *
 * DESCRIPTION
 *   mw_date_parse reads "[day-of-week ,] day month year hour:minute[:second]
 *   zone" as found in Date: fields and after the ';' of Received fields.
 *   Accepted besides the strict grammar: two- and three-digit years
 *   (§4.3: < 50 is 20xx, otherwise 19xx / +1900), obsolete zones (UT, GMT,
 *   EST/EDT, CST/CDT, MST/MDT, PST/PDT; military letters as -0000, §4.3),
 *   a missing zone (taken as -0000), a trailing comment ("(UTC)", "(PDT)"),
 *   a '.' instead of ':' in the time (seen from old Exchange servers) and
 *   any amount of white space.  The day-of-week is not checked against the
 *   date (§3.3 says it must match; real mail gets it wrong).
 *
 * LIMITS
 *   Years 1970..9999 only (earlier ones come from broken clocks; later ones
 *   overflow nothing but are nonsense).  Input length MW_DATE_TEXT_MAX.
 *
 * OWNERSHIP
 *   Nothing allocated.
 */
#ifndef MW_MAIL_DATE_H
#define MW_MAIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_DATE_TEXT_MAX 256 /* a date-time is < 40 bytes; comments included, abuse limit */

typedef struct mw_date {
	int64_t t;      /* seconds since the epoch, UTC */
	int tz_minutes; /* the zone written, minutes east of UTC */
} mw_date;

/* mw_date_parse - parse s[0..n); false if it is not a date-time */
bool mw_date_parse(const char *s, size_t n, mw_date *out);

#endif
