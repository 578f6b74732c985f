/*
 * logwatch/sv.c - string-view helpers that are not worth inlining (see sv.h).
 */
#include "logwatch/sv.h"

#include "core/str.h"

/* mw_sv_icontains - naive case-insensitive search; used on rare lines only
 * (remote replies), O(n*m) with m a short keyword */
bool mw_sv_icontains(mw_sv hay, const char *needle)
{
	size_t m = strlen(needle);
	if (!hay.p || m == 0 || hay.n < m)
		return m == 0;
	char first = needle[0];
	for (size_t i = 0; i + m <= hay.n; i++) {
		if (mw_tolower(hay.p[i]) != first)
			continue;
		size_t j = 1;
		while (j < m && mw_tolower(hay.p[i + j]) == needle[j])
			j++;
		if (j == m)
			return true;
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
