/*
 * report/failure.h - read DMARC failure reports: ARF (RFC 5965) with the
 * authentication-failure extension (RFC 6591), as DMARC uses them (RFC 9991;
 * RFC 7489 §7.3).
 *
 * DESCRIPTION
 *   mw_arf_parse reads a whole report e-mail.  It walks the MIME tree with
 *   GMime 3 and takes:
 *     - the message/feedback-report part (RFC 5965 §3.1, any transfer
 *       encoding): its fields, one per name as listed in mw_arf_report
 *       below; Reported-Domain, Reported-URI, Authentication-Results and
 *       Original-Rcpt-To may repeat (RFC 5965 §3.1, RFC 6591 §3.1);
 *     - the returned message: a message/rfc822 part (kept as "message") or
 *       a text/rfc822-headers part (kept as "headers"), and from either one
 *       the original Subject, From and Message-ID (RFC 2047 decoded).
 *   Values are kept as written after the colon, leading and trailing white
 *   space removed, folding kept as "\n" plus the continuation line (CRLF is
 *   read as LF).  Enumerations (Feedback-Type, Auth-Failure,
 *   Delivery-Result, Identity-Alignment) are lower-cased.  Source-IP loses a
 *   trailing comment ("148.163.85.135 (host)"), Reporting-MTA its type
 *   ("dns; mx.example" gives "mx.example"), Arrival-Date is also read as an
 *   RFC 5322 date-time (arrival = -1 when absent or unreadable).
 *
 *   No ARF part (fallback, as parsedmarc): Exim's DMARC experimental
 *   support sends plain text with "Sender Domain:", "Sender IP Address:",
 *   "Received date:", "SPF Alignment:", "DKIM Alignment:", "DMARC Results:"
 *   lines, then "This is a copy of the headers ..." and the headers.  Such
 *   a message is a failure report with feedback type "auth-failure",
 *   auth failure "dmarc" and arf = false; the Authentication-Results of the
 *   copied headers become authentication_results.
 *
 *   A message that is neither gives MW_ENOTFOUND (so a caller can try the
 *   aggregate parser first and this one next, or the other way round).
 *
 * LIMITS
 *   MW_DR_INPUT_MAX input bytes; the feedback part at most MW_ARF_PART_MAX
 *   bytes decoded (MW_ETOOBIG past it), MW_ARF_FIELDS_MAX fields,
 *   MW_ARF_LIST_MAX values of a repeated field (more are dropped and
 *   counted in n_dropped), MW_ARF_VALUE_MAX bytes per value, the returned
 *   headers / message kept up to MW_ARF_ORIGINAL_MAX bytes (cut, truncated
 *   flag set), MIME depth MW_ARF_DEPTH_MAX.  A feedback part without
 *   Feedback-Type, or a field line without a colon, is MW_EPARSE.
 *
 * OWNERSHIP
 *   Everything lives in r->pool; mw_arf_free releases it.  Absent fields
 *   are NULL (lists: n = 0).
 */
#ifndef MW_REPORT_FAILURE_H
#define MW_REPORT_FAILURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"

typedef struct mw_arf_list {
	const char **v;
	size_t n;
} mw_arf_list;

typedef struct mw_arf_report {
	mw_pool *pool;
	bool arf;                     /* false: the plain-text fallback */
	/* RFC 5965 §3.1 / §3.2 */
	const char *feedback_type;    /* lower-cased: auth-failure, abuse, fraud ... */
	const char *user_agent;
	const char *version;          /* as written ("1", "1.0") */
	const char *original_envelope_id;
	const char *original_mail_from;
	mw_arf_list original_rcpt_to;
	const char *arrival_date;     /* as written */
	int64_t arrival;              /* seconds since the epoch, -1 if unknown */
	const char *reporting_mta;    /* name without the "dns;" type */
	const char *source_ip;        /* without a trailing comment */
	uint32_t incidents;           /* 1 when absent */
	mw_arf_list authentication_results;
	mw_arf_list reported_domain;
	mw_arf_list reported_uri;
	/* RFC 6591 §3.1 */
	const char *auth_failure;     /* lower-cased: adsp bodyhash revoked signature spf dmarc */
	const char *delivery_result;  /* lower-cased: delivered spam policy reject other ... */
	const char *identity_alignment; /* lower-cased: none / spf / dkim / "dkim,spf" ... */
	const char *dkim_domain, *dkim_identity, *dkim_selector;
	const char *dkim_canonicalized_header, *dkim_canonicalized_body;
	const char *dkim_selector_dns, *dkim_adsp_dns, *spf_dns;
	/* the returned original */
	const char *headers;          /* text/rfc822-headers part */
	const char *message;          /* message/rfc822 part */
	bool truncated;               /* headers or message cut at MW_ARF_ORIGINAL_MAX */
	const char *subject, *from, *message_id; /* of the original message */
	/* the report e-mail itself */
	const char *report_from, *report_subject, *report_message_id;
	size_t n_dropped;             /* repeated values over MW_ARF_LIST_MAX */
} mw_arf_report;

/* mw_arf_parse - a failure report e-mail; *out NULL on error (MW_ENOTFOUND: not one) */
mw_status mw_arf_parse(const char *data, size_t len, mw_arf_report **out, mw_err *err);

/* mw_arf_parse_fields - only the fields of a message/feedback-report body
 * (decoded); used by mw_arf_parse and the tests.  r must come from
 * mw_arf_new. */
mw_status mw_arf_parse_fields(mw_arf_report *r, const char *body, size_t len, mw_err *err);

/* mw_arf_key - identity of a report for de-duplication: "m:<report
 * Message-ID>", or without one "k:<source ip>|<arrival>|<original
 * Message-ID>|<Original-Mail-From>"; cut to max - 1 bytes */
void mw_arf_key(const mw_arf_report *r, char *out, size_t max);

/* mw_arf_new - empty report with its pool; NULL when out of memory */
mw_arf_report *mw_arf_new(void);

/* mw_arf_free - release (NULL is fine) */
void mw_arf_free(mw_arf_report *r);

#endif
