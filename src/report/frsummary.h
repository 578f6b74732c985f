/*
 * report/frsummary.h - roll DMARC failure reports (report/failure.h) up per
 * source IP: how many reports, which feedback type and authentication
 * failure, for which domain, a sample subject, first and last arrival.
 *
 * DESCRIPTION
 *   mw_frs_add takes one parsed failure report.  A report seen before (same
 *   report Message-ID, or when it has none the same source IP, arrival and
 *   original Message-ID) counts once and is reported as a duplicate.
 *   Reports without a Source-IP are grouped under "unknown".
 *
 * LIMITS
 *   MW_FRS_SOURCES_MAX sources and MW_FRS_SEEN_MAX remembered report keys;
 *   past them reports are counted in the totals only (and no longer
 *   de-duplicated).
 *
 * OWNERSHIP
 *   mw_frs owns its rows (fixed-size copies); mw_frs_free releases all.
 *   The added report may be freed right after mw_frs_add.
 */
#ifndef MW_REPORT_FRSUMMARY_H
#define MW_REPORT_FRSUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "report/failure.h"

#define MW_FRS_SOURCES_MAX 100000 /* distinct source IPs: memory bound (~1.5 KiB each) */
#define MW_FRS_SEEN_MAX 1000000   /* report keys remembered for de-duplication */

typedef struct mw_frs_source {
	char ip[64];
	uint64_t reports;            /* failure reports */
	uint64_t incidents;          /* sum of Incidents */
	char feedback_type[32];      /* first seen */
	char auth_failure[32];       /* first seen ("" if none) */
	char domain[256];            /* first Reported-Domain */
	char subject[256];           /* first original Subject (sample) */
	char mail_from[256];         /* first Original-Mail-From */
	char reporter[128];          /* first User-Agent, else report From */
	int64_t first, last;         /* arrival range, -1 if unknown */
} mw_frs_source;

typedef struct mw_frs mw_frs;

/* mw_frs_new - empty summary; NULL when out of memory */
mw_frs *mw_frs_new(void);
/* mw_frs_free - release (NULL is fine) */
void mw_frs_free(mw_frs *s);
/* mw_frs_add - add one report (*dup set and nothing added if seen before; dup may be NULL) */
mw_status mw_frs_add(mw_frs *s, const mw_arf_report *r, bool *dup, mw_err *err);
/* mw_frs_sources - rows, most reports first (owned by s, valid until the next add) */
const mw_frs_source *const *mw_frs_sources(mw_frs *s, size_t *n);
/* mw_frs_totals - reports added, duplicates skipped */
void mw_frs_totals(const mw_frs *s, uint64_t *reports, uint64_t *duplicates);

#endif
