/*
 * report/reportmail.h - find the aggregate report carried by an e-mail.
 *
 * DESCRIPTION
 *   RFC 9990 (and RFC 7489 §7.2.1.1) report e-mails carry the report as a
 *   MIME part: application/gzip, application/zip, text/xml, application/xml
 *   (and the variants senders really use: application/x-gzip,
 *   application/x-zip-compressed, application/octet-stream with a .xml.gz or
 *   .zip file name).  mw_dr_mail_attachment walks the MIME tree with GMime 3
 *   and returns the first such part, transfer-decoded but still compressed.
 *
 * LIMITS
 *   The message is at most MW_DR_INPUT_MAX bytes; the decoded part is never
 *   larger than the message.  MIME depth is bounded by GMime.
 *
 * OWNERSHIP
 *   out is initialised here; the caller frees it with mw_buf_free.
 */
#ifndef MW_REPORT_REPORTMAIL_H
#define MW_REPORT_REPORTMAIL_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* mw_dr_mail_attachment - decoded report part of a message; MW_ENOTFOUND if none */
mw_status mw_dr_mail_attachment(const char *msg, size_t len, mw_buf *out, mw_err *err);

#endif
