/*
 * core/err.c - status codes and error detail (see err.h).
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

/* mw_err_set - record code and reason */
mw_status mw_err_set(mw_err *err, mw_status code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* mw_err_clear - reset an error record */
void mw_err_clear(mw_err *err)
{
	if (err) {
		err->code = MW_OK;
		err->msg[0] = '\0';
	}
}

/* mw_status_str - name of a status code */
const char *mw_status_str(mw_status st)
{
	switch (st) {
	case MW_OK: return "ok";
	case MW_ENOMEM: return "out of memory";
	case MW_ETOOBIG: return "too large";
	case MW_EPARSE: return "parse error";
	case MW_EINVAL: return "invalid argument";
	case MW_EIO: return "I/O error";
	case MW_ETEMP: return "temporary failure";
	case MW_ENOTFOUND: return "not found";
	case MW_NEED_DNS: return "DNS data needed";
	}
	return "unknown status";
}
