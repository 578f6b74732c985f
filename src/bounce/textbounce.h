/*
 * bounce/textbounce.h - recipients and reasons from the human-readable text
 * of bounces that carry no RFC 3464 report: qmail (QSBMF), Exim, Sendmail
 * and Postfix plain text, Exchange/Office 365, Gmail, Yahoo, GMX and the
 * many others that write "address: reason" in prose.
 *
 * DESCRIPTION
 *   The text is cut where the returned original begins (a table of marker
 *   lines, textbounce.c).  In the remaining "error section" a recipient is an
 *   address that starts a line ("<a@b>:" qmail, "  a@b" Exim, "a@b... User
 *   unknown" Sendmail), follows "RCPT TO:" in a transcript, or follows an
 *   introducing phrase ("Delivery to the following recipient failed").
 *   Its diagnostic is the rest of that line and the lines up to the next
 *   recipient or blank line.  Addresses equal to the bounce's own To/From
 *   are never recipients.  The format name is taken from a signature table
 *   (data, not branches).
 *
 * LIMITS
 *   Only the first MW_BOUNCE_TEXT_MAX bytes are scanned; MW_BOUNCE_RCPTS_MAX
 *   recipients.
 *
 * OWNERSHIP
 *   Output strings live in the caller's pool.
 */
#ifndef MW_BOUNCE_TEXTBOUNCE_H
#define MW_BOUNCE_TEXTBOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/pool.h"

typedef struct mw_text_rcpt {
	const char *address;
	const char *diagnostic; /* may be "" */
} mw_text_rcpt;

typedef struct mw_text_bounce {
	const char *format;      /* "qmail", "exim", ... or "unknown" */
	const char *error_text;  /* the error section (before the original) */
	size_t error_len;
	const char *original;    /* inline original message (headers first) or NULL */
	size_t original_len;
	bool temporary;          /* a delay warning, not a failure */
	mw_text_rcpt *rcpts;
	size_t nrcpt;
} mw_text_bounce;

/* mw_text_bounce_scan - analyse text (UTF-8 or ASCII, LF or CRLF).
 * exclude: NULL-terminated list of addresses that are not recipients.
 * Returns false only when the pool budget runs out. */
bool mw_text_bounce_scan(mw_pool *pool, const char *text, size_t n, const char *const *exclude,
			 mw_text_bounce *out);

/* mw_text_find_address - first address token (local@domain) in [s, s+n):
 * offset and length, or -1.  Angle brackets and quotes are not included. */
long mw_text_find_address(const char *s, size_t n, size_t *len);

/* mw_text_looks_like_bounce - subject/from/body phrases of delivery failure */
bool mw_text_looks_like_bounce(const char *subject, const char *from, const char *body,
			       size_t n);

#endif
