/*
 * api/param.c - query parameter validation (see param.h).
 */
#include "api/param.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

/* mw_api_int_param - strict decimal in range */
mw_status mw_api_int_param(const char *name, const char *v, int64_t lo, int64_t hi, int64_t def,
			   int64_t *out, mw_err *err)
{
	if (!v) {
		*out = def;
		return MW_OK;
	}
	const char *p = v[0] == '-' ? v + 1 : v;
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 19)
		return mw_err_set(err, MW_EINVAL, "%s: want a decimal number", name);
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno || n < lo || n > hi)
		return mw_err_set(err, MW_EINVAL, "%s: %lld..%lld", name, (long long)lo, (long long)hi);
	*out = n;
	return MW_OK;
}

/* mw_api_page_params - limit 1..max, offset >= 0 */
mw_status mw_api_page_params(const char *limit, const char *offset, mw_api_page *out, mw_err *err)
{
	int64_t l, o;
	if (mw_api_int_param("limit", limit, 1, MW_API_LIMIT_MAX, MW_API_LIMIT_DEFAULT, &l, err) != MW_OK ||
	    mw_api_int_param("offset", offset, 0, MW_API_OFFSET_MAX, 0, &o, err) != MW_OK)
		return err ? err->code : MW_EINVAL;
	out->limit = (size_t)l;
	out->offset = (size_t)o;
	return MW_OK;
}

/* mw_api_text_param - size and bytes */
mw_status mw_api_text_param(const char *name, const char *v, size_t max, mw_err *err)
{
	if (!v)
		return MW_OK;
	size_t n = strlen(v);
	if (n > max)
		return mw_err_set(err, MW_ETOOBIG, "%s: longer than %zu bytes", name, max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return mw_err_set(err, MW_EINVAL, "%s: control byte", name);
	return MW_OK;
}
