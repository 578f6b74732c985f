/*
 * bounce/prvs.c - BATV prvs address syntax.
 */
#include "bounce/prvs.h"

#include <string.h>

#include "core/str.h"

static int hex(char c)
{
	c = mw_tolower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* mw_prvs_parse - "prvs=" K DDD SSSSSS "=" local "@" domain */
bool mw_prvs_parse(const char *addr, mw_prvs *out)
{
	memset(out, 0, sizeof(*out));
	if (!addr || strlen(addr) < 17 || !mw_strcaseeq_n(addr, 5, "prvs="))
		return false;
	const char *t = addr + 5;
	for (int i = 0; i < 4; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	for (int i = 4; i < 10; i++)
		if (hex(t[i]) < 0)
			return false;
	if (t[10] != '=')
		return false;
	const char *local = t + 11, *at = strrchr(local, '@');
	if (!at || at == local || (size_t)(at - local) > MW_PRVS_LOCAL_MAX || !at[1])
		return false;
	out->key = t[0] - '0';
	out->day = (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
	for (int i = 0; i < 6; i++)
		out->sig[i] = mw_tolower(t[4 + i]);
	memcpy(out->local, local, (size_t)(at - local));
	out->domain = at + 1;
	return true;
}

/* mw_prvs_day_valid - the tag expires today or later.  Days are mod 1000,
 * so "later" means within MW_PRVS_WINDOW days (a signer sets expiry a few
 * days ahead; anything further is a wrap-around, i.e. long expired). */
bool mw_prvs_day_valid(int day, long today)
{
	if (day < 0 || day > 999 || today < 0)
		return false;
	long diff = ((long)day - today % 1000 + 1000) % 1000;
	return diff <= MW_PRVS_WINDOW;
}
