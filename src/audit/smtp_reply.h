/*
 * audit/smtp_reply.h - SMTP reply parser (RFC 5321 §4.2, §4.5.3.1.5).
 *
 * DESCRIPTION
 *   smtp_reply_parse reads one reply from the start of a buffer that may
 *   hold a partial reply or more than one: lines "DDD-text" continue,
 *   "DDD text" or "DDD" ends the reply; every line must carry the same
 *   three-digit code (first digit 2-5); lines end in CRLF (a bare LF is
 *   accepted).  Returns MW_OK with the bytes used, MW_ENOTFOUND when the
 *   reply is not complete yet, MW_EPARSE for anything that is not an SMTP
 *   reply (the peer speaks garbage), MW_ETOOBIG past the limits.
 *   smtp_reply_ext looks an EHLO keyword up (RFC 5321 §4.1.1.1: the first
 *   word of each line after the first, case-insensitive) and returns its
 *   parameters.
 *
 * LIMITS
 *   MW_SMTP_LINE_MAX bytes per line, MW_SMTP_LINES_MAX lines,
 *   MW_SMTP_REPLY_MAX bytes per reply.
 *
 * OWNERSHIP
 *   The reply owns its text (smtp_reply_free).
 */
#ifndef MW_AUDIT_SMTP_REPLY_H
#define MW_AUDIT_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct smtp_reply {
	int code;        /* 200..599 */
	size_t nlines;
	char *text;      /* the lines' texts (after "DDD-"), joined by '\n' */
} smtp_reply;

/* smtp_reply_parse - one reply from buf (see above); out is reset first */
mw_status smtp_reply_parse(const char *buf, size_t len, smtp_reply *out, size_t *used);
/* smtp_reply_free - release the text */
void smtp_reply_free(smtp_reply *r);
/* smtp_reply_ext - EHLO keyword present; *params (may be NULL) gets its
 * parameters into buf (size n), "" when none */
bool smtp_reply_ext(const smtp_reply *r, const char *kw, char *params, size_t n);

#endif
