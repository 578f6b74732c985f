/*
 * logwatch/sv.c - string-view helpers that are not worth inlining (see sv.h).
 */
#include "logwatch/sv.h"

#include "core/str.h"

/* mw_sv_icontains - case-insensitive search: first-byte scan with memchr for
 * both cases, then compare; used on rejects and failed deliveries only */
bool mw_sv_icontains(mw_sv hay, const char *needle)
{
	size_t m = strlen(needle);
	if (!hay.p || m == 0 || hay.n < m)
		return m == 0;
	char lo = needle[0], up = (lo >= 'a' && lo <= 'z') ? (char)(lo - 32) : lo;
	const char *p = hay.p, *last = hay.p + hay.n - m;
	while (p <= last) {
		const char *a = memchr(p, lo, (size_t)(last - p) + 1);
		const char *b = up != lo ? memchr(p, up, (size_t)(last - p) + 1) : NULL;
		const char *c = !a ? b : !b ? a : (a < b ? a : b);
		if (!c)
			return false;
		size_t j = 1;
		while (j < m && mw_tolower(c[j]) == needle[j])
			j++;
		if (j == m)
			return true;
		p = c + 1;
	}
	return false;
}

/* mw_sv_to_u64 - decimal value of the whole view */
bool mw_sv_to_u64(mw_sv v, uint64_t *out)
{
	const char *p = v.p;
	if (!p)
		return false;
	return mw_cur_uint(&p, v.p + v.n, 19, out) && p == v.p + v.n;
}
