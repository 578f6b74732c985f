/*
 * logwatch/sv.h - string views and cursor helpers for the log-line parsers.
 *
 * DESCRIPTION
 *   A log line is parsed in place: every field is an mw_sv (pointer + length)
 *   into the caller's line buffer, so parsing copies nothing.  Cursor helpers
 *   take (const char **p, const char *end) and advance *p only on success,
 *   in the curl style.  No regular expressions: the hot path is a few
 *   memchr/memcmp calls per line.
 *
 * OWNERSHIP
 *   Views borrow the line; they are valid while the caller's buffer is.
 */
#ifndef MW_LOGWATCH_SV_H
#define MW_LOGWATCH_SV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mw_sv {
	const char *p;
	size_t n;
} mw_sv;

#define MW_SV_NULL ((mw_sv){NULL, 0})

/* mw_sv_set - view of [s, e) */
static inline mw_sv mw_sv_make(const char *s, const char *e)
{
	return (mw_sv){s, (size_t)(e - s)};
}

/* mw_sv_eq - view equals C string */
static inline bool mw_sv_eq(mw_sv v, const char *s)
{
	size_t n = strlen(s);
	return v.p && v.n == n && memcmp(v.p, s, n) == 0;
}

/* mw_sv_ok - view is set (possibly empty, e.g. from=<>) */
static inline bool mw_sv_ok(mw_sv v)
{
	return v.p != NULL;
}

/* mw_cur_lit - consume literal s at *p */
static inline bool mw_cur_lit(const char **p, const char *end, const char *s, size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}
#define MW_LIT(p, end, s) mw_cur_lit((p), (end), (s), sizeof(s) - 1)

/* mw_starts - [p, end) starts with literal */
static inline bool mw_starts(const char *p, const char *end, const char *s, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}
#define MW_STARTS(p, end, s) mw_starts((p), (end), (s), sizeof(s) - 1)

/* mw_find - first occurrence of needle in [p, end) or NULL */
static inline const char *mw_find(const char *p, const char *end, const char *s, size_t n)
{
	if (p >= end)
		return NULL;
	return memmem(p, (size_t)(end - p), s, n);
}
#define MW_FIND(p, end, s) mw_find((p), (end), (s), sizeof(s) - 1)

/* mw_findc - first occurrence of byte c in [p, end) or NULL */
static inline const char *mw_findc(const char *p, const char *end, char c)
{
	if (p >= end)
		return NULL;
	return memchr(p, c, (size_t)(end - p));
}

/* mw_rfindc - last occurrence of byte c in [p, end) or NULL */
static inline const char *mw_rfindc(const char *p, const char *end, char c)
{
	if (p >= end)
		return NULL;
	return memrchr(p, c, (size_t)(end - p));
}

/* mw_cur_uint - decimal digits (at most maxd) into *out */
static inline bool mw_cur_uint(const char **p, const char *end, unsigned maxd, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned d = 0;
	while (s < end && *s >= '0' && *s <= '9' && d < maxd) {
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
		d++;
	}
	if (d == 0 || (s < end && *s >= '0' && *s <= '9'))
		return false;
	*p = s;
	*out = v;
	return true;
}

/* mw_sv_icontains - case-insensitive ASCII substring test (needle lower-case) */
bool mw_sv_icontains(mw_sv hay, const char *needle);
/* mw_sv_to_u64 - whole view is decimal; false otherwise */
bool mw_sv_to_u64(mw_sv v, uint64_t *out);

#endif
