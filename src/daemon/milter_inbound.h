/*
 * daemon/milter_inbound.h - inbound decisions of the milter beyond
 * authentication: the DMARC disposition (forensics/disposition.h: t=y,
 * pct, local overrides) and the optional inbound content scan.
 *
 * DESCRIPTION
 *   milter_dmarc_decide picks the deciding Author Domain (a failing one
 *   with the strictest requested policy), gathers the client address and
 *   verified name, List-Id/List-Post and the ARC result and sealers, and
 *   decides.  It writes the final disposition back into the run, so the
 *   Authentication-Results comment shows "dis=none override=forwarded".
 *   milter_scan_inbound applies the [milter] scan_rules to inbound mail
 *   (inbound_scan = tag|hold|reject): every scanned message gets one
 *   X-Mailwarden-Scan: score=N rules=a,b field (those claiming to be ours
 *   are not removed: filters should trust the A-R field, not this one); a
 *   message over the threshold is quarantined (hold) or rejected 550 5.7.1
 *   (reject).
 */
#ifndef MW_DAEMON_MILTER_INBOUND_H
#define MW_DAEMON_MILTER_INBOUND_H

#include <libmilter/mfapi.h>

#include "daemon/milter_config.h"
#include "forensics/authrun.h"
#include "forensics/disposition.h"

/* milter_dmarc_decide - d filled; r's deciding domain gets the final
 * disposition and r->dmarc_note the override (note must outlive the A-R
 * rendering); *domain = the deciding From domain or "" */
void milter_dmarc_decide(const milter_config *cfg, const mw_message *m, mw_authrun *r,
			 const char *ip, const char *host, mw_disposition *d, char *note,
			 size_t note_len, const char **domain);

/* milter_scan_inbound - SMFIS_CONTINUE, or SMFIS_REJECT with the reply set */
sfsistat milter_scan_inbound(SMFICTX *ctx, const milter_config *cfg, const char *msg,
			     size_t len, const char *ip);

#endif
