/*
 * core/err.h - status codes and error detail for the whole library.
 *
 * DESCRIPTION
 *   Library functions return an mw_status and, where the caller wants to know
 *   why, fill an mw_err with a human sentence.  The library never prints and
 *   never exits; programs decide what to log.  "Too large" (MW_ETOOBIG) is a
 *   different error from "out of memory" (MW_ENOMEM), as in curl.
 *
 * OWNERSHIP
 *   mw_err is a plain value (fixed buffer); nothing to free.
 */
#ifndef MW_CORE_ERR_H
#define MW_CORE_ERR_H

#include <stddef.h>

typedef enum mw_status {
	MW_OK = 0,
	MW_ENOMEM,   /* allocation failed */
	MW_ETOOBIG,  /* input or buffer over its named limit */
	MW_EPARSE,   /* malformed input */
	MW_EINVAL,   /* bad argument from the caller */
	MW_EIO,      /* file or socket error */
	MW_ETEMP,    /* temporary failure (DNS timeout, SERVFAIL, ...) */
	MW_ENOTFOUND,/* no such thing (file, record, key) */
	MW_NEED_DNS, /* evaluation stopped: DNS answers missing from the cache */
} mw_status;

#define MW_ERR_MSG_MAX 256

typedef struct mw_err {
	mw_status code;
	char msg[MW_ERR_MSG_MAX];
} mw_err;

/* mw_err_set - record code and a printf-style reason; returns code.  err may be NULL. */
mw_status mw_err_set(mw_err *err, mw_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mw_err_clear - reset to MW_OK with an empty message. */
void mw_err_clear(mw_err *err);

/* mw_status_str - short English name of a status code (static string). */
const char *mw_status_str(mw_status st);

#endif
