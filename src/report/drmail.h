/*
 * report/drmail.h - the e-mail that carries a generated aggregate report
 * (RFC 9990 §3; RFC 7489 §7.2.1.1), composed with GMime 3.
 *
 * DESCRIPTION
 *   From: the reporter's address; To: the verified rua destinations;
 *   Subject: "Report Domain: <policy-domain> Submitter: <receiver>
 *   Report-ID: <report-id>"; Date; Message-ID; MIME-Version; a
 *   multipart/mixed body with a short text/plain part saying what this is,
 *   and the report as application/gzip, base64, with the RFC file name
 *   (Content-Disposition: attachment; filename=...).
 *   The message is written with LF line ends (what sendmail(1) reads).
 *
 * LIMITS
 *   The output buffer's own maximum (the caller's mw_buf).
 *
 * OWNERSHIP
 *   Everything is copied; out is appended to.
 */
#ifndef MW_REPORT_DRMAIL_H
#define MW_REPORT_DRMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct mw_drmail_opts {
	const char *from;             /* reporter's address */
	const char *const *to;        /* destination addresses */
	size_t nto;
	const char *submitter;        /* receiver's domain */
	const char *domain;           /* policy domain */
	const char *report_id;
	const char *filename;         /* attachment name (mw_drgen_filename) */
	int64_t date;                 /* seconds since the epoch */
} mw_drmail_opts;

/* mw_drmail_build - the whole message into out */
mw_status mw_drmail_build(const mw_drmail_opts *o, const void *gz, size_t len, mw_buf *out,
			  mw_err *err);

#endif
