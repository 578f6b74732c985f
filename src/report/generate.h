/*
 * report/generate.h - write DMARC aggregate reports as a receiver
 * (RFC 9990 §2 report format, §3 delivery file name).
 *
 * DESCRIPTION
 *   The stored evaluations (store/dmarclog.h) of one policy domain and one
 *   reporting period become an mw_dr_report (the same type our reader,
 *   report/aggregate.h, returns, so a generated report can be compared
 *   field by field with its parse), which is written as RFC 9990 XML with
 *   libxml2's xmlTextWriter (namespace urn:ietf:params:xml:ns:dmarc-2.0),
 *   then gzipped (zlib, RFC 1952) under the RFC file name
 *     receiver "!" policy-domain "!" begin "!" end [ "!" unique-id ] ".xml.gz"
 *
 *   Periods: a period of P seconds starts at a multiple of P since the
 *   epoch; P divides a day or is a whole number of days, so periods are
 *   aligned to UTC midnight.  date_range is [begin, end - 1], both
 *   inclusive, as in the RFC's sample (86399 seconds for a day).
 *
 *   report_id: "<begin>.<16 hex digits of SHA-256(org | domain | begin |
 *   end)>": unique per reporter, and stable, so a report generated again
 *   for the same period has the same id and a receiver of duplicates can
 *   drop them.
 *
 *   Values that XML 1.0 cannot carry (invalid UTF-8, control characters)
 *   are written as '?': selectors and SPF explanations come from senders.
 *
 *   policy_published: the tags of the newest evaluation in the period;
 *   pct is not written (RFC 9990 has no pct); discovery_method "treewalk"
 *   (RFC 9989 §4.10, what auth/dmarc.h does).
 *
 * LIMITS
 *   MW_DR_RECORDS_MAX records (the store's rollup refuses more);
 *   MW_DRGEN_XML_MAX bytes of XML; periods MW_DRGEN_PERIOD_MIN..MAX.
 *
 * OWNERSHIP
 *   mw_drgen_build's report and strings live in the caller's pool (the
 *   report's own pool field is NULL: do not mw_dr_free it).  XML and gzip
 *   output go to the caller's mw_buf.
 */
#ifndef MW_REPORT_GENERATE_H
#define MW_REPORT_GENERATE_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"
#include "report/aggregate.h"
#include "store/dmarclog.h"

typedef struct mw_drgen_meta {
	const char *org_name;           /* required */
	const char *email;              /* required: the reporter's contact address */
	const char *extra_contact_info; /* optional */
	const char *generator;          /* optional, e.g. "mailwarden 0.1.0" */
} mw_drgen_meta;

/* mw_drgen_period_parse - "1d", "12h", "3600" (seconds) ...; MW_EINVAL unless
 * within MW_DRGEN_PERIOD_MIN..MAX and a divisor or multiple of a day */
mw_status mw_drgen_period_parse(const char *s, int64_t *seconds, mw_err *err);
/* mw_drgen_period_start - start of the period holding t */
int64_t mw_drgen_period_start(int64_t t, int64_t period);

/* mw_drgen_report_id - the stable report id (pool string) */
const char *mw_drgen_report_id(const char *org, const char *domain, int64_t begin, int64_t end,
			       mw_pool *pool);

/* mw_drgen_build - a report for domain and [begin, end) from rolled-up rows */
mw_status mw_drgen_build(const mw_drgen_meta *meta, const char *domain, int64_t begin,
			 int64_t end, const mw_dmarclog_row *rows, size_t n,
			 const mw_dmarclog_policy *policy, mw_pool *pool, mw_dr_report *out,
			 mw_err *err);

/* mw_drgen_xml - the report as RFC 9990 XML (UTF-8) appended to out */
mw_status mw_drgen_xml(const mw_dr_report *r, mw_buf *out, mw_err *err);

/* mw_drgen_gzip - gzip data[0..len) into out */
mw_status mw_drgen_gzip(const char *data, size_t len, mw_buf *out, mw_err *err);

/* mw_drgen_filename - "receiver!domain!begin!end.xml.gz" (pool string; NULL if a
 * part holds '!' or '/' or is empty) */
const char *mw_drgen_filename(const char *receiver, const mw_dr_report *r, mw_pool *pool);

#endif
