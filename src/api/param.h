/*
 * api/param.h - query-string parameters of the HTTP API, validated.
 *
 * DESCRIPTION
 *   Every numeric parameter is a plain decimal (optional leading '-' only
 *   where the range allows it), no blanks, no units, within a range; an
 *   absent parameter takes its default.  limit is 1..MW_API_LIMIT_MAX
 *   (default MW_API_LIMIT_DEFAULT), offset 0..MW_API_OFFSET_MAX: out of
 *   range or malformed is an error the API answers with 400.
 *   mw_api_text_param checks text filters (key, rule, action, type, q):
 *   at most max bytes, no control bytes.
 *
 * OWNERSHIP
 *   Pure functions; err->msg carries the reason for the 400 body.
 */
#ifndef MW_API_PARAM_H
#define MW_API_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct mw_api_page {
	size_t limit, offset;
} mw_api_page;

/* mw_api_int_param - name=v (NULL = absent: *out = def) within [lo, hi] */
mw_status mw_api_int_param(const char *name, const char *v, int64_t lo, int64_t hi, int64_t def,
			   int64_t *out, mw_err *err);
/* mw_api_page_params - limit and offset (either may be NULL) */
mw_status mw_api_page_params(const char *limit, const char *offset, mw_api_page *out, mw_err *err);
/* mw_api_text_param - NULL or a filter of at most max bytes without control bytes */
mw_status mw_api_text_param(const char *name, const char *v, size_t max, mw_err *err);

#endif
