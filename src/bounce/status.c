/*
 * bounce/status.c - RFC 3463 status codes and SMTP reply codes in text.
 */
#include "bounce/status.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* digits - count of 1..max digits at s (bounded by end); 0 if none or too many */
static size_t digits(const char *s, const char *end, size_t max)
{
	size_t n = 0;
	while (s + n < end && is_digit(s[n]))
		n++;
	return n <= max ? n : 0;
}

/* code_len - length of a class.subject.detail code at s, or 0 */
static size_t code_len(const char *s, const char *end)
{
	if (s >= end || (*s != '2' && *s != '4' && *s != '5'))
		return 0;
	const char *p = s + 1;
	if (p >= end || *p != '.')
		return 0;
	size_t a = digits(++p, end, 3);
	if (!a)
		return 0;
	p += a;
	if (p >= end || *p != '.')
		return 0;
	size_t b = digits(++p, end, 3);
	if (!b)
		return 0;
	return (size_t)(p + b - s);
}

/* mw_status_code_valid - whole string is a code */
bool mw_status_code_valid(const char *s, size_t n)
{
	return n > 0 && code_len(s, s + n) == n;
}

/* boundary_ok - the code at [b, e) is not part of a longer dotted number or word */
static bool boundary_ok(const char *start, const char *b, const char *e, const char *end)
{
	if (b > start && (is_digit(b[-1]) || b[-1] == '.' || (b[-1] >= 'A' && b[-1] <= 'z')))
		return false;
	if (e < end && (is_digit(*e) || ((*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z'))))
		return false;
	if (e + 1 < end && *e == '.' && is_digit(e[1]))
		return false;
	return true;
}

/* mw_status_code_find - scan for the first code */
long mw_status_code_find(const char *s, size_t n, bool want_success, char *out)
{
	const char *end = s + n;
	for (const char *p = s; p < end; p++) {
		if (*p != '4' && *p != '5' && !(want_success && *p == '2'))
			continue;
		size_t len = code_len(p, end);
		if (!len || !boundary_ok(s, p, p + len, end))
			continue;
		memcpy(out, p, len);
		out[len] = '\0';
		return (long)(p - s);
	}
	return -1;
}

/* mw_reply_code_find - scan for "[45]yz" as a token */
long mw_reply_code_find(const char *s, size_t n, char *out)
{
	const char *end = s + n;
	for (const char *p = s; p + 3 <= end; p++) {
		if ((*p != '4' && *p != '5') || !is_digit(p[1]) || !is_digit(p[2]))
			continue;
		if (p[1] > '5')
			continue;
		if (p > s && (is_digit(p[-1]) || p[-1] == '.' || p[-1] == '#' ||
			      (p[-1] >= 'A' && p[-1] <= 'z')))
			continue;
		if (p + 3 < end && p[3] != ' ' && p[3] != '-' && p[3] != '\n' && p[3] != '\r' &&
		    p[3] != '\t')
			continue;
		memcpy(out, p, 3);
		out[3] = '\0';
		return (long)(p - s);
	}
	return -1;
}

/* mw_status_is_generic - "x.0.0" */
bool mw_status_is_generic(const char *code)
{
	return code[0] == '\0' || strcmp(code + 1, ".0.0") == 0;
}
