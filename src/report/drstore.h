/*
 * report/drstore.h - DMARC reports kept in SQLite: aggregate reports
 * (RFC 9990) with their records, failure reports (RFC 9991 / ARF), and what
 * was learnt about each source IP (reverse DNS, provider).
 *
 * DESCRIPTION
 *   mw_drstore_add_aggregate stores one report and its records in one
 *   transaction; a report already stored (same org_name and report_id) adds
 *   nothing and says so (*added = false), so importing the same files again
 *   is harmless.  Failure reports are keyed by mw_arf_key (the report's
 *   Message-ID) the same way.  Each record is stored with its class
 *   (mw_drs_classify) and whether DMARC passed (aligned), so the dashboard
 *   queries need no XML.
 *
 *   mw_drstore_load replays what is stored (filtered by period end / arrival
 *   and policy / reported domain) into the summaries of report/drsummary.h
 *   and report/frsummary.h, so a summary from the database reads exactly as
 *   one from the files.  mw_drstore_sources and mw_drstore_history answer
 *   the dashboard's GET /api/dmarc: per source IP totals (with PTR and
 *   provider when known) and per day totals.
 *
 *   Schema (PRAGMA user_version = 1):
 *     dr_reports(id, org_name, report_id, email, domain, begin, end, p, sp,
 *                pct, messages, imported, UNIQUE(org_name, report_id))
 *     dr_records(report -> dr_reports.id, source_ip, count, disposition,
 *                dkim, spf, header_from, envelope_from, envelope_to,
 *                auth (JSON: dkim/spf results, reasons), class, aligned)
 *     dr_failures(id, key UNIQUE, feedback_type, source_ip, domain,
 *                 auth_failure, arrival, subject, mail_from, message_id,
 *                 user_agent, report_from, report_message_id, incidents,
 *                 authres, imported)
 *     dr_sources(ip PRIMARY KEY, ptr, fcrdns, provider, provider_via, checked)
 *
 * ERRORS
 *   A file that is not an SQLite database, or one with a newer schema, is
 *   MW_EIO with a sentence naming the file; SQLite errors are MW_EIO.
 *
 * THREADS
 *   One handle per thread (SQLite's default serialized mode would allow
 *   sharing, but statements here are not re-entrant).  Readers in another
 *   process see committed reports only (one transaction per report).
 *
 * OWNERSHIP
 *   mw_drstore_sources / _history return arrays the caller frees with
 *   free(); strings in them are fixed-size copies.
 */
#ifndef MW_REPORT_DRSTORE_H
#define MW_REPORT_DRSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "report/aggregate.h"
#include "report/drsummary.h"
#include "report/failure.h"
#include "report/frsummary.h"

typedef struct mw_drstore mw_drstore;

/* one row of mw_drstore_sources (the /api/dmarc "sources" items) */
typedef struct mw_drstore_source {
	char ip[64];
	char ptr[256];            /* "" when not looked up or none */
	bool fcrdns;              /* the PTR name resolves back to ip */
	char provider[64];        /* "" when unknown */
	char provider_via[300];   /* "spf include:_spf.google.com", "ptr mail-x.google.com" */
	const char *cls;          /* mw_drs_class_name of the class holding most messages */
	char header_from[256];    /* one header_from seen (the smallest, for stable output) */
	uint64_t count;           /* messages in aggregate reports */
	uint64_t aligned;         /* of which DMARC passed */
	uint64_t by_class[MW_DRS_CLASSES];
	uint64_t failures;        /* failure reports from this IP (same filters) */
	int64_t last_seen;        /* latest report period end */
} mw_drstore_source;

/* one row of mw_drstore_history (the /api/dmarc "history" items) */
typedef struct mw_drstore_day {
	char day[11];             /* YYYY-MM-DD (UTC) of the report period's start */
	uint64_t messages, pass, fail; /* pass = DMARC aligned, fail = the rest */
} mw_drstore_day;

/* mw_drstore_open - open (readonly: must exist) or create the database */
mw_status mw_drstore_open(const char *path, bool readonly, mw_drstore **out, mw_err *err);
/* mw_drstore_close - close (NULL is fine) */
void mw_drstore_close(mw_drstore *db);

/* mw_drstore_add_aggregate - store one aggregate report; *added false if already stored */
mw_status mw_drstore_add_aggregate(mw_drstore *db, const mw_dr_report *r, bool *added,
				   mw_err *err);
/* mw_drstore_add_failure - store one failure report; *added false if already stored */
mw_status mw_drstore_add_failure(mw_drstore *db, const mw_arf_report *f, bool *added,
				 mw_err *err);
/* mw_drstore_set_source - remember reverse DNS / provider of an IP (strings may be NULL) */
mw_status mw_drstore_set_source(mw_drstore *db, const char *ip, const char *ptr, bool fcrdns,
				const char *provider, const char *via, int64_t checked,
				mw_err *err);

/* mw_drstore_counts - rows stored: aggregate reports, records, failure reports */
mw_status mw_drstore_counts(mw_drstore *db, uint64_t *reports, uint64_t *records,
			    uint64_t *failures, mw_err *err);

/* mw_drstore_load - replay stored reports into drs / frs (either may be NULL).
 * since: period end (aggregate) or arrival (failure) >= since, 0 = all;
 * domain: policy domain / a reported domain, NULL = all. */
mw_status mw_drstore_load(mw_drstore *db, int64_t since, const char *domain, mw_drs *drs,
			  mw_frs *frs, mw_err *err);

/* mw_drstore_sources - per source IP, most messages first, at most limit rows
 * (0 = no limit); *out NULL and *n 0 when there are none */
mw_status mw_drstore_sources(mw_drstore *db, int64_t since, const char *domain, size_t limit,
			     mw_drstore_source **out, size_t *n, mw_err *err);
/* mw_drstore_history - per day, oldest first */
mw_status mw_drstore_history(mw_drstore *db, int64_t since, const char *domain,
			     mw_drstore_day **out, size_t *n, mw_err *err);

#endif
