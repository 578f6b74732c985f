/*
 * cli/dmarc_report_src.h - reverse DNS and provider of the sources shown by
 * `mailwarden dmarc-report` (report/drsource.h), looked up through the DNS
 * options or read back from --db, printed and added to the advice.
 */
#ifndef MW_CLI_DMARC_REPORT_SRC_H
#define MW_CLI_DMARC_REPORT_SRC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/dnsopt.h"
#include "report/drsource.h"
#include "report/drstore.h"
#include "report/drsummary.h"

typedef struct dr_srcinfo {
	bool have;            /* looked up or read from the database */
	mw_drsrc d;
	char provider[64];    /* d.provider points here when read from the database */
} dr_srcinfo;

/* dr_srcinfo_lookup - DNS for the first max of n sources (calloc'd array of n;
 * free()); results also stored in db when db is not NULL */
dr_srcinfo *dr_srcinfo_lookup(const mw_drs_source *const *src, size_t n, size_t max,
			      cli_dns *dns, mw_drstore *db);
/* dr_srcinfo_from_db - what an earlier import with DNS stored (calloc'd array of n) */
dr_srcinfo *dr_srcinfo_from_db(const mw_drs_source *const *src, size_t n, mw_drstore *db);
/* dr_srcinfo_line - the human line under a source ("" when nothing known) */
void dr_srcinfo_line(const dr_srcinfo *x, char *buf, size_t len);
/* dr_srcinfo_json - add ptr / fcrdns / rdns / spf / provider / provider_via to o */
void dr_srcinfo_json(json_t *o, const dr_srcinfo *x);
/* dr_srcinfo_advice - provider advice sentences (at most max) into out[i] (600 bytes each) */
size_t dr_srcinfo_advice(const mw_drs_source *const *src, size_t n, const dr_srcinfo *info,
			 char (*out)[600], size_t max);

#endif
