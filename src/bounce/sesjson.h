/*
 * bounce/sesjson.h - Amazon SES bounce/complaint/delivery notifications
 * delivered as JSON (directly, or wrapped in an SNS "Notification" whose
 * "Message" field is the SES JSON as a string).
 *
 * DESCRIPTION
 *   SES documents the format in "Amazon SES notification contents": a
 *   notificationType (Bounce, Complaint, Delivery), and for bounces
 *   bounce.bounceType (Permanent, Transient, Undetermined) with
 *   bounce.bouncedRecipients[] {emailAddress, action, status,
 *   diagnosticCode}; complaints list complaint.complainedRecipients[],
 *   deliveries delivery.recipients[].  Parsed with jansson.
 *
 * LIMITS
 *   Input is the text already capped at MW_BOUNCE_TEXT_MAX; at most
 *   MW_BOUNCE_RCPTS_MAX recipients.
 *
 * OWNERSHIP
 *   Strings are copied into the caller's pool.
 */
#ifndef MW_BOUNCE_SESJSON_H
#define MW_BOUNCE_SESJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "bounce/status.h"
#include "core/pool.h"

typedef enum mw_ses_type { MW_SES_NONE = 0, MW_SES_BOUNCE, MW_SES_COMPLAINT, MW_SES_DELIVERY } mw_ses_type;

typedef struct mw_ses_rcpt {
	const char *address;
	const char *action;     /* "failed" unless SES says otherwise */
	char status[MW_STATUS_STR_MAX];
	const char *diagnostic; /* "" if none */
} mw_ses_rcpt;

typedef struct mw_ses {
	mw_ses_type type;
	bool temporary;            /* bounceType Transient */
	const char *feedback_type; /* complaintFeedbackType, lower case, or NULL */
	const char *reporting_mta;
	mw_ses_rcpt *rcpts;
	size_t nrcpt;
} mw_ses;

/* mw_ses_parse - true if text is an SES notification with recipients */
bool mw_ses_parse(mw_pool *pool, const char *text, size_t n, mw_ses *out);

#endif
