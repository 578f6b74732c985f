/*
 * core/str.c - string helpers (see str.h).
 */
#include "core/str.h"

#include <string.h>

#include "core/limits.h"

/* mw_strcaseeq - ASCII case-insensitive equality */
bool mw_strcaseeq(const char *a, const char *b)
{
	while (*a && *b) {
		if (mw_tolower(*a) != mw_tolower(*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

/* mw_strcaseeq_n - counted string versus C string */
bool mw_strcaseeq_n(const char *a, size_t n, const char *b)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (!b[i] || mw_tolower(a[i]) != mw_tolower(b[i]))
			return false;
	}
	return b[i] == '\0';
}

/* mw_strlower - lower-case in place */
char *mw_strlower(char *s)
{
	for (char *p = s; *p; p++)
		*p = mw_tolower(*p);
	return s;
}

/* mw_strlcpy - bounded copy */
size_t mw_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

/* mw_domain_normalize - validated, lower-cased copy of a domain name */
bool mw_domain_normalize(const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len > MW_DNS_NAME_MAX || len >= n)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > MW_DNS_LABEL_MAX) {
			return false;
		}
		out[i] = mw_tolower(c);
	}
	if (label == 0)
		return false;
	out[len] = '\0';
	return true;
}

/* mw_domain_is_sub - subdomain-or-equal test */
bool mw_domain_is_sub(const char *name, const char *parent)
{
	size_t n = strlen(name), p = strlen(parent);
	if (p && parent[p - 1] == '.')
		p--;
	if (n && name[n - 1] == '.')
		n--;
	if (p == 0 || p > n)
		return false;
	for (size_t i = 0; i < p; i++)
		if (mw_tolower(name[n - p + i]) != mw_tolower(parent[i]))
			return false;
	return n == p || name[n - p - 1] == '.';
}

/* mw_trim - strip blanks (space, tab, CR, LF) at both ends */
void mw_trim(const char **s, const char **e)
{
	while (*s < *e && strchr(" \t\r\n", **s))
		(*s)++;
	while (*e > *s && strchr(" \t\r\n", (*e)[-1]))
		(*e)--;
}
