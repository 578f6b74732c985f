/*
 * report/drrecord.h - turn one inbound message's DMARC evaluation into the
 * rows that aggregate reports are made from (store/dmarclog.h).
 *
 * DESCRIPTION
 *   mw_drrecord_rows reads a finished mw_authrun (forensics/authrun.h) and
 *   what the receiver did with the message, and fills one row per Author
 *   Domain that has a DMARC policy record (a domain without one has nobody
 *   to report to).  RFC 9990 §2.1 fields:
 *     - disposition: "pass" when DMARC passed, else what was applied:
 *       reject / quarantine / none;
 *     - reasons (PolicyOverrideType) when the applied disposition is not the
 *       one the policy asks for: policy_test_mode (t=y lowered it),
 *       sampled_out (pct), the override the receiver's disposition decision
 *       chose (forwarded, trusted_forwarder, mailing_list, local_policy),
 *       and local_policy with a comment when what was done differs from that
 *       decision (e.g. quarantine decided, delivered as usual);
 *     - dkim / spf: the DMARC-aligned results (pass / fail);
 *     - auth_results: every DKIM signature (domain, selector, result, the
 *       verifier's reason as human_result) and the SPF result with its
 *       scope (mfrom, or helo for a null reverse-path); with neither
 *       domain, result none for the Author Domain (the schema wants one).
 *   mw_drrecord_add stores them.
 *
 * OWNERSHIP
 *   Row strings point into the run, the context or the pool given.
 */
#ifndef MW_REPORT_DRRECORD_H
#define MW_REPORT_DRRECORD_H

#include <stdint.h>

#include "forensics/authrun.h"
#include "forensics/disposition.h"
#include "store/dmarclog.h"

typedef enum mw_drrecord_action {
	MW_DRREC_ACCEPTED = 0, /* delivered as usual */
	MW_DRREC_QUARANTINED,  /* held, filed as spam */
	MW_DRREC_REJECTED,     /* refused at end of data */
} mw_drrecord_action;

typedef struct mw_drrecord_ctx {
	int64_t time;              /* seconds since the epoch */
	const char *source_ip;     /* SMTP client */
	const char *envelope_to;   /* first recipient's domain, or NULL */
	mw_drrecord_action action;
	const char *action_comment; /* why (for local_policy), or NULL */
	const mw_disposition *dispo; /* the receiver's decision (forensics/disposition.h), or
				      * NULL: the engine's own t=/pct result is used */
} mw_drrecord_ctx;

/* mw_drrecord_rows - rows[0..*n) for the run (max MW_DMARC_FROM_DOMAINS_MAX) */
void mw_drrecord_rows(const mw_authrun *run, const mw_drrecord_ctx *ctx, mw_pool *pool,
		      mw_dmarclog_row *rows, size_t *n);
/* mw_drrecord_add - build the rows and store them */
mw_status mw_drrecord_add(mw_dmarclog *log, const mw_authrun *run, const mw_drrecord_ctx *ctx,
			  mw_err *err);

#endif
