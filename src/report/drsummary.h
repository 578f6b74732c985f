/*
 * report/drsummary.h - roll DMARC aggregate reports up per sending source
 * and per reporter, classify the sources, and derive policy advice.
 *
 * DESCRIPTION
 *   Each record of each added report is classified (by messages):
 *     ALIGNED     DMARC passed: SPF or DKIM passed *and* aligned
 *                 (policy_evaluated dkim or spf = pass);
 *     NOT_ALIGNED authenticated but for another domain: an auth_results SPF
 *                 or DKIM pass whose domain is not aligned with header_from
 *                 (a real service sending for you: align its DKIM d= or
 *                 Return-Path domain);
 *     FORWARDER   a reason of forwarded / mailing_list / trusted_forwarder,
 *                 or a failed DKIM signature of the From domain itself
 *                 (re-sent and modified in transit);
 *     UNAUTH      nothing authenticates: spoofing, or an unknown service.
 *   A source (IP address) takes the class holding most of its messages.
 *   A report already added (same reporter and report_id) is counted as a
 *   duplicate and skipped, so the same report read as .xml, .gz and from
 *   the e-mail counts once.
 *   mw_drs_advice turns the totals into sentences on moving from p=none to
 *   quarantine / reject and what would break.
 *
 * LIMITS
 *   MW_DRS_SOURCES_MAX distinct source IPs and MW_DRS_REPORTERS_MAX
 *   reporters are tracked; more are counted in the totals only.
 *
 * OWNERSHIP
 *   mw_drs owns its sources and reporters; mw_drs_free releases all.
 *   Strings are copies; added reports may be freed right after mw_drs_add.
 */
#ifndef MW_REPORT_DRSUMMARY_H
#define MW_REPORT_DRSUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "report/aggregate.h"

#define MW_DRS_SOURCES_MAX 100000  /* distinct source IPs summarised: memory bound */
#define MW_DRS_REPORTERS_MAX 10000 /* distinct reporter organisations */

typedef enum mw_drs_class {
	MW_DRS_ALIGNED,
	MW_DRS_NOT_ALIGNED,
	MW_DRS_FORWARDER,
	MW_DRS_UNAUTH,
	MW_DRS_CLASSES
} mw_drs_class;

typedef enum mw_drs_disp { MW_DRS_NONE, MW_DRS_QUARANTINE, MW_DRS_REJECT, MW_DRS_DISP_OTHER, MW_DRS_DISPS } mw_drs_disp;

typedef struct mw_drs_source {
	char ip[64];
	char header_from[256];     /* first seen */
	char auth_domain[256];     /* a domain that authenticated (dkim d= or spf), first seen */
	char reporter[256];        /* first reporter that saw it */
	uint64_t messages;
	uint64_t spf_pass, dkim_pass;       /* raw auth_results pass (any domain) */
	uint64_t spf_aligned, dkim_aligned; /* policy_evaluated pass */
	uint64_t by_class[MW_DRS_CLASSES];
	uint64_t by_disp[MW_DRS_DISPS];
	mw_drs_class cls;          /* set by mw_drs_sources */
} mw_drs_source;

typedef struct mw_drs_reporter {
	char org[256];
	uint64_t reports, messages, aligned;
} mw_drs_reporter;

typedef struct mw_drs mw_drs;

/* mw_drs_new - empty summary; NULL when out of memory */
mw_drs *mw_drs_new(void);
/* mw_drs_free - release (NULL is fine) */
void mw_drs_free(mw_drs *s);
/* mw_drs_classify - class of one record */
mw_drs_class mw_drs_classify(const mw_dr_record *r);
/* mw_drs_add - add one report's records (*dup set, nothing added, if seen before; dup may be NULL) */
mw_status mw_drs_add(mw_drs *s, const mw_dr_report *r, bool *dup, mw_err *err);
/* mw_drs_duplicates - reports skipped as already added */
uint64_t mw_drs_duplicates(const mw_drs *s);
/* mw_drs_sources - sources, most messages first (array owned by s, valid until the next add) */
const mw_drs_source *const *mw_drs_sources(mw_drs *s, size_t *n);
/* mw_drs_reporters - reporters, most messages first (same ownership) */
const mw_drs_reporter *const *mw_drs_reporters(mw_drs *s, size_t *n);
/* mw_drs_totals - reports, messages, messages per class and per disposition */
void mw_drs_totals(const mw_drs *s, uint64_t *reports, uint64_t *messages,
		   uint64_t by_class[MW_DRS_CLASSES], uint64_t by_disp[MW_DRS_DISPS]);
/* mw_drs_policy - the strongest p= seen in the reports ("none" if none seen) */
const char *mw_drs_policy(const mw_drs *s);
/* mw_drs_advice - up to max sentences (static or owned by s) into out; returns count */
size_t mw_drs_advice(mw_drs *s, const char **out, size_t max);
/* mw_drs_class_name - "aligned", "not-aligned", "forwarder", "unauthorised" */
const char *mw_drs_class_name(mw_drs_class c);
/* mw_drs_disp_name - "none", "quarantine", "reject", "other" */
const char *mw_drs_disp_name(mw_drs_disp d);

#endif
