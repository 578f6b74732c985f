/*
 * forensics/authrun.h - SPF + DKIM + ARC + DMARC for one message, together.
 *
 * DESCRIPTION
 *   The one place where the four engines are chained for a message (used
 *   by `mailwarden dmarc` and `mailwarden analyze`):
 *     1. SPF check_host() (auth/spf.h) for the client address, the MAIL
 *        FROM (or postmaster@HELO for a null reverse-path, RFC 7208 §2.4);
 *        skipped (result none) when no client address is known;
 *     2. every DKIM signature (auth/dkim.h);
 *     3. the ARC chain (auth/arc.h), reported only: DMARC's result is not
 *        overridden by ARC;
 *     4. DMARC (auth/dmarc.h, RFC 9989; MW_DMARC_RFC7489 in dmarc_flags
 *        for the compatibility mode) for every RFC5322.From domain.
 *   Each engine is I/O-free; DNS goes through dns/lookup.h's replay driver
 *   over the caller's resolver (the offline zone backend or c-ares) and
 *   cache, so an analysis of many messages shares one cache.
 *   mw_authrun_authres renders the RFC 8601 Authentication-Results field
 *   for all results.
 *
 * OWNERSHIP
 *   The run borrows the message (keep it alive until mw_authrun_free) and
 *   owns a pool (budget MW_DMARC_POOL_MAX) plus the engines' own pools.
 */
#ifndef MW_FORENSICS_AUTHRUN_H
#define MW_FORENSICS_AUTHRUN_H

#include <stdbool.h>
#include <time.h>

#include "auth/arc.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/spf.h"
#include "core/buf.h"
#include "dns/cache.h"
#include "dns/resolver.h"
#include "mail/message.h"

typedef struct mw_authrun_opts {
	const char *ip;              /* SMTP client address; NULL: SPF not evaluated (none) */
	const char *mail_from;       /* MAIL FROM without <>; NULL or "" = null reverse-path */
	const char *helo;            /* HELO/EHLO name; NULL = "unknown" */
	const char *authserv_id;     /* receiver name for SPF %{r} and the A-R header */
	unsigned dmarc_flags;        /* MW_DMARC_RFC7489 | MW_DMARC_CHECK_REPORTS */
	unsigned pct_roll;           /* RFC 7489 pct sampling roll 0..99 */
	time_t now;                  /* clock for DKIM/ARC x= and t= */
	bool spf_quiet;              /* no SPF trace / Received-SPF text (hot paths) */
	mw_dkim_keycache *dkim_keys; /* optional, borrowed: parsed DKIM keys reused across runs */
	const mw_bodyhash_set *bodies; /* optional, borrowed: body hashes computed while the body
					* streamed (auth/dkim_bodyhash.h); msg may be the header only */
} mw_authrun_opts;

typedef struct mw_authrun {
	mw_pool *pool;
	mw_from from;
	mw_status from_status; /* MW_OK or MW_EPARSE (a From without a usable mailbox) */
	bool spf_done;
	spf_result spf;
	mw_dmarc_spf spf_in;
	bool dkim_ready;
	mw_dkim_verify dkim;
	bool arc_ready;
	mw_arc_verify arc;
	mw_dmarc_dkim dkim_in[MW_DKIM_SIGS_MAX];
	mw_dmarc_input in;
	mw_dmarc_result dmarc;
	bool dmarc_done;
	/* optional, set by the caller between run and authres: text appended to
	 * the comment of dmarc.domain[dmarc_note_at] (a local disposition) */
	const char *dmarc_note;
	size_t dmarc_note_at;
} mw_authrun;

/* mw_authrun_run - evaluate everything for msg.  MW_OK with results (DNS
 * trouble shows as temperror results); MW_EINVAL for a bad client address,
 * MW_ENOMEM / MW_ETOOBIG with err.  Call mw_authrun_free in every case. */
mw_status mw_authrun_run(mw_authrun *r, const mw_message *msg, const mw_authrun_opts *o,
                         dns_resolver *res, dns_cache *cache, mw_err *err);
/* mw_authrun_authres - append the Authentication-Results field (with its
 * name; LF folding when lf) to out */
mw_status mw_authrun_authres(mw_authrun *r, const mw_authrun_opts *o, bool lf, mw_buf *out);
/* mw_authrun_free - release everything the run made */
void mw_authrun_free(mw_authrun *r);

#endif
