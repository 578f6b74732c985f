/*
 * bounce/bounce.h - understand one bounce: who failed, why, hard or soft,
 * and what the returned original was.
 *
 * DESCRIPTION
 *   mw_bounce_parse reads a raw message (LF, CRLF or bare CR line ends) with
 *   GMime and decides what it is:
 *     - an RFC 3464 DSN (multipart/report; report-type=delivery-status) or an
 *       RFC 6533 UTF-8 DSN (message/global-delivery-status): recipients from
 *       the per-recipient fields (bounce/dsn.h);
 *     - an ARF feedback report (RFC 5965): one entry with reason feedback;
 *     - a non-standard bounce (qmail, Exim, Sendmail/Postfix plain text,
 *       Exchange, providers): recipients from the text (bounce/textbounce.h);
 *     - an auto-reply (RFC 3834 Auto-Submitted: auto-replied, vacation
 *       programs): one entry with reason vacation, which is not a bounce;
 *     - anything else: kind MW_BOUNCE_NOT, no recipients.
 *   Each recipient gets an RFC 3463 status (from the report, else from the
 *   text, else a Sisimai-compatible pseudo code 5.0.9NN marked inferred),
 *   the SMTP reply code, a reason (bounce/reason.h), hard/soft and the
 *   blocklist or provider policy cited.  The returned original's header
 *   block is kept (message/rfc822, message/global, text/rfc822-headers,
 *   message/global-headers, or inline after a marker line) for the
 *   backscatter check (bounce/backscatter.h).
 *
 * LIMITS
 *   MW_BOUNCE_MAX input bytes (MW_ETOOBIG above), MW_BOUNCE_DEPTH_MAX MIME
 *   nesting, MW_BOUNCE_TEXT_MAX bytes of text scanned, MW_BOUNCE_RCPTS_MAX
 *   recipients, MW_BOUNCE_HEADERS_MAX bytes of original headers,
 *   MW_BOUNCE_POOL_MAX memory per result.
 *
 * OWNERSHIP
 *   The result and every string in it live in its pool; mw_bounce_free
 *   releases all.  GMime is initialised once per process (g_mime_init under
 *   pthread_once), the only process-wide state.
 */
#ifndef MW_BOUNCE_BOUNCE_H
#define MW_BOUNCE_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "bounce/reason.h"
#include "bounce/status.h"
#include "core/err.h"
#include "core/pool.h"

typedef enum mw_bounce_kind {
	MW_BOUNCE_NOT = 0,    /* not a bounce */
	MW_BOUNCE_DSN,        /* RFC 3464 / RFC 6533 report */
	MW_BOUNCE_TEXT,       /* non-standard, recipients from prose */
	MW_BOUNCE_FEEDBACK,   /* RFC 5965 ARF report */
	MW_BOUNCE_AUTOREPLY,  /* RFC 3834 auto-reply / vacation */
} mw_bounce_kind;

typedef struct mw_bounce_rcpt {
	const char *address;            /* Original-Recipient when it is a plain address
	                                   (what the sender used), else Final-Recipient */
	const char *original;           /* Original-Recipient, or NULL */
	const char *final;              /* Final-Recipient, or NULL */
	const char *action;             /* failed delayed delivered relayed expanded */
	char status[MW_STATUS_STR_MAX]; /* RFC 3463 code or pseudo code; "" if none */
	bool status_inferred;           /* status is a pseudo code (no code in the bounce) */
	char replycode[4];              /* SMTP reply code or "" */
	mw_reason reason;
	bool hard;
	const char *remote_mta;  /* NULL if unknown */
	const char *diagnostic;  /* reply text, "" if none */
	const char *diag_type;   /* Diagnostic-Code type ("smtp", "x-unix") or NULL */
	const char *policy;      /* blocklist / provider policy named, or NULL */
} mw_bounce_rcpt;

typedef struct mw_bounce {
	mw_pool *pool;
	mw_bounce_kind kind;
	const char *format;        /* "rfc3464", "rfc6533", "arf", "rfc3834", "qmail", ... */
	const char *reporting_mta; /* NULL if unknown */
	const char *arrival_date;
	const char *feedback_type; /* ARF only */
	const char *subject;       /* of the bounce itself */
	const char *to;            /* address the bounce was sent to (the original sender) */
	const char *orig_headers;  /* returned original's header block, or NULL */
	size_t orig_headers_len;
	const char *orig_message_id;
	const char *orig_from;
	mw_bounce_rcpt *rcpts;
	size_t nrcpt;
	bool truncated; /* a limit cut something off (depth, recipients, text) */
} mw_bounce;

/* mw_bounce_parse - analyse raw[0..len).  *out is set on MW_OK (free with
 * mw_bounce_free).  MW_ETOOBIG over MW_BOUNCE_MAX; MW_EPARSE if GMime finds
 * no message at all. */
mw_status mw_bounce_parse(const char *raw, size_t len, mw_bounce **out, mw_err *err);

/* mw_bounce_free - release a result (NULL ok) */
void mw_bounce_free(mw_bounce *b);

/* mw_bounce_kind_name - "dsn", "text", "feedback", "autoreply", "not-bounce" */
const char *mw_bounce_kind_name(mw_bounce_kind k);

#endif
