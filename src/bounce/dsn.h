/*
 * bounce/dsn.h - the machine-readable part of a Delivery Status
 * Notification: RFC 3464 message/delivery-status and RFC 6533
 * message/global-delivery-status.
 *
 * DESCRIPTION
 *   The content is a block of per-message fields, then one block of
 *   per-recipient fields per recipient, blocks separated by blank lines
 *   (RFC 3464 §2.1).  Fields use header syntax with folding (§2.1.1).
 *   Address and diagnostic fields are "type; value" (§2.1.2): the type is
 *   stripped ("rfc822", "utf-8" for RFC 6533 §3, "smtp" for diagnostics).
 *   RFC 6533 "utf-8" addresses may carry \x{HHHH} escapes (unitext, §3):
 *   they are decoded to UTF-8.  Real MTAs omit blank lines or repeat
 *   blocks; a new recipient starts whenever Final-Recipient (or
 *   Original-Recipient) appears for the second time in the current block.
 *
 * LIMITS
 *   MW_BOUNCE_FIELD_MAX per field value (longer values are truncated),
 *   MW_BOUNCE_RCPTS_MAX recipients (more set truncated).
 *
 * OWNERSHIP
 *   Every string lives in the caller's pool.
 */
#ifndef MW_BOUNCE_DSN_H
#define MW_BOUNCE_DSN_H

#include <stdbool.h>
#include <stddef.h>

#include "bounce/status.h"
#include "core/err.h"
#include "core/pool.h"

typedef struct mw_dsn_rcpt {
	const char *final_recipient;    /* address, type stripped; NULL if absent */
	const char *final_type;         /* "rfc822", "utf-8", ... */
	const char *original_recipient; /* RFC 3461 ORCPT as reported */
	const char *action;             /* lower-cased: failed delayed delivered relayed expanded */
	char status[MW_STATUS_STR_MAX]; /* RFC 3463 code, "" if absent/invalid */
	const char *remote_mta;         /* host name or [ip] */
	const char *diagnostic;         /* Diagnostic-Code value, type stripped */
	const char *diagnostic_type;    /* "smtp", "x-unix", ... */
	const char *last_attempt;       /* Last-Attempt-Date */
	const char *will_retry_until;
} mw_dsn_rcpt;

typedef struct mw_dsn {
	const char *reporting_mta;
	const char *received_from_mta;
	const char *arrival_date;
	const char *envelope_id;
	const char *dsn_gateway;
	mw_dsn_rcpt *rcpts;
	size_t nrcpt;
	size_t cap;
	bool truncated; /* recipients over MW_BOUNCE_RCPTS_MAX were dropped */
} mw_dsn;

/* mw_dsn_parse - parse [s, s+n) into out (zeroed first).  MW_EPARSE if no
 * DSN field at all; MW_ETOOBIG if the pool budget runs out. */
mw_status mw_dsn_parse(mw_pool *pool, const char *s, size_t n, mw_dsn *out, mw_err *err);

/* mw_dsn_decode_xtext - RFC 3461 §4 xtext ("+2B") and RFC 6533 §3
 * "\x{HHHH}" unitext escapes decoded into a pool string */
char *mw_dsn_decode_xtext(mw_pool *pool, const char *s, size_t n);

#endif
