/*
 * report/drdest.h - where a policy domain's aggregate reports may go:
 * the rua= tag and the external destination verification.
 *
 * DESCRIPTION
 *   mw_drdest_parse splits a rua= value (RFC 9989 §4.7 / RFC 7489 §6.4):
 *   comma-separated URIs; only mailto: is used (other schemes are listed as
 *   dropped); an RFC 7489 size limit suffix "!10m" (k, m, g, t or bytes) is
 *   kept as max_size; %-escapes in the address are decoded; '?' headers are
 *   ignored.
 *
 *   mw_drdest_resolve (replay-over-cache: MW_NEED_DNS means fetch and call
 *   again) reads the DMARC record at _dmarc.<policy-domain> (the current
 *   one: the owner may have changed rua= since the mail arrived), parses
 *   its rua=, and verifies external destinations (RFC 9990 §3 /
 *   RFC 7489 §7.1): when the Organizational Domain of the destination's host
 *   differs from the policy domain's, the TXT record
 *   <policy-domain>._report._dmarc.<host> must exist and begin with
 *   v=DMARC1; otherwise that destination is dropped with a reason.  A DNS
 *   temporary failure drops it for this run (status TEMP: try again later).
 *
 * LIMITS
 *   MW_DRGEN_DEST_MAX destinations (more are dropped with a note);
 *   MW_DMARC_REPORT_CHECKS_MAX external checks per record (RFC 9989 §3:
 *   limit the work a record can cause).
 *
 * OWNERSHIP
 *   Strings live in the pool given.
 */
#ifndef MW_REPORT_DRDEST_H
#define MW_REPORT_DRDEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/pool.h"
#include "dns/lookup.h"

typedef enum mw_drdest_status {
	MW_DRDEST_OK = 0,  /* send here */
	MW_DRDEST_DROPPED, /* never send here (reason says why) */
	MW_DRDEST_TEMP,    /* cannot tell now (DNS trouble): retry later */
} mw_drdest_status;

typedef struct mw_drdest {
	const char *uri;      /* as written, without the size suffix */
	const char *addr;     /* mailto: address, decoded; NULL for other schemes */
	const char *domain;   /* its host, lower case */
	uint64_t max_size;    /* "!size" in bytes; 0 = no limit */
	bool external;
	mw_drdest_status status;
	const char *reason;   /* why dropped / temp; NULL when OK */
} mw_drdest;

typedef struct mw_drdest_list {
	mw_drdest d[MW_DRGEN_DEST_MAX];
	size_t n;
	const char *note;     /* record-level problem (no record, no rua), or NULL */
	bool temp;            /* the record itself could not be read (DNS) */
} mw_drdest_list;

/* mw_drdest_parse - rua value into out (appends; MW_OK even when some are dropped) */
mw_status mw_drdest_parse(const char *rua, size_t len, mw_pool *pool, mw_drdest_list *out);
/* mw_drdest_resolve - read the record and check each destination.
 * MW_OK (out filled), MW_NEED_DNS, MW_ENOMEM */
mw_status mw_drdest_resolve(const char *policy_domain, dns_lookup *lk, mw_pool *pool,
			    mw_drdest_list *out);

#endif
