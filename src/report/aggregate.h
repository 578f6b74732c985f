/*
 * report/aggregate.h - read DMARC aggregate reports (RFC 9990; RFC 7489
 * appendix C and the older dmarc.org draft schema).
 *
 * DESCRIPTION
 *   mw_dr_parse_xml reads one <feedback> document into an mw_dr_report.
 *   mw_dr_parse takes whatever a report arrives as: XML, .xml.gz, .zip, or
 *   the whole e-mail that carries it (the first attachment that is XML,
 *   gzip or zip; see report/reportmail.h) and unpacks it first.
 *
 *   Lenient where real reports are broken, like parsedmarc: libxml2's
 *   recover mode reads bad UTF-8 and stray markup; enumerated values
 *   (results, dispositions, policies) are trimmed and lower-cased ("PASS"
 *   becomes "pass").  Element names are matched without their namespace,
 *   so the RFC 9990 urn:ietf:params:xml:ns:dmarc-2.0 namespace and none are
 *   read alike.  A document without a <feedback> root, or with neither
 *   <report_metadata> nor <policy_published>, is an error.
 *
 * SECURITY
 *   libxml2 runs with XML_PARSE_NONET, without XML_PARSE_NOENT,
 *   XML_PARSE_DTDLOAD or XML_PARSE_HUGE: no entity substitution, no external
 *   DTD or network access, libxml2's default depth/size guards.  A document
 *   with a DOCTYPE declaring entities is refused (reports never have one;
 *   billion-laughs documents do).  Text is read from text and CDATA nodes
 *   only, never through entity references.
 *
 * LIMITS
 *   MW_DR_INPUT_MAX input bytes, MW_DR_XML_MAX XML bytes after unpacking,
 *   MW_DR_RECORDS_MAX records, MW_DR_AUTH_MAX dkim/spf results per record,
 *   MW_DR_FIELD_MAX bytes per value (longer ones are cut), MW_DR_POOL_MAX
 *   memory in all.  Over a limit: MW_ETOOBIG with a sentence.
 *
 * OWNERSHIP
 *   The report and every string in it live in r->pool; mw_dr_free releases
 *   all.  Absent optional fields are NULL; count fields absent are 0.
 */
#ifndef MW_REPORT_AGGREGATE_H
#define MW_REPORT_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"

/* one <dkim> or <spf> element of <auth_results> */
typedef struct mw_dr_auth {
	const char *domain;
	const char *selector;     /* dkim only */
	const char *scope;        /* spf only: "mfrom" / "helo" (lower-cased) */
	const char *result;       /* lower-cased */
	const char *human_result;
} mw_dr_auth;

/* one <reason> of <policy_evaluated> */
typedef struct mw_dr_reason {
	const char *type;         /* lower-cased: forwarded, local_policy, ... */
	const char *comment;
} mw_dr_reason;

typedef struct mw_dr_record {
	const char *source_ip;
	uint64_t count;
	const char *disposition;  /* none / quarantine / reject / pass (RFC 9990) */
	const char *dkim;         /* policy_evaluated: pass / fail (aligned result) */
	const char *spf;
	mw_dr_reason *reasons;
	size_t n_reasons;
	const char *envelope_to;
	const char *envelope_from;
	const char *header_from;
	mw_dr_auth *dkim_res;
	size_t n_dkim;
	mw_dr_auth *spf_res;
	size_t n_spf;
} mw_dr_record;

typedef struct mw_dr_report {
	mw_pool *pool;
	const char *version;      /* "1.0" or NULL (RFC 7489 reports often omit it) */
	/* report_metadata */
	const char *org_name;
	const char *email;
	const char *extra_contact_info;
	const char *report_id;
	int64_t begin, end;       /* date_range, seconds since the epoch */
	const char *generator;
	const char **errors;
	size_t n_errors;
	/* policy_published */
	const char *domain;
	const char *adkim, *aspf, *p, *sp, *np, *fo, *testing, *discovery_method;
	int pct;                  /* -1 when absent (RFC 9990 removed pct) */
	/* records */
	mw_dr_record *records;
	size_t n_records;
	uint64_t messages;        /* sum of counts */
} mw_dr_report;

/* mw_dr_parse_xml - one XML document; *out is NULL on error */
mw_status mw_dr_parse_xml(const char *xml, size_t len, mw_dr_report **out, mw_err *err);

/* mw_dr_parse - XML, gzip, zip or a report e-mail; *out is NULL on error */
mw_status mw_dr_parse(const char *data, size_t len, mw_dr_report **out, mw_err *err);

/* mw_dr_free - release the report (NULL is fine) */
void mw_dr_free(mw_dr_report *r);

#endif
