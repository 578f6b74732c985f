/*
 * audit/finding.h - the findings of a posture audit.
 *
 * DESCRIPTION
 *   An audit_finding is one observation about a domain or a mail server:
 *   a severity (critical, warning, info), the section it belongs to
 *   ("spf", "dmarc", "dkim", "mx", "rdns", "dnsbl", "smtp", "mta-sts" ...),
 *   a stable code ("spf-lookups-over-limit"), a one-line title, the
 *   evidence (records and lookups, several lines) and a concrete fix (the
 *   record to publish, the setting to change; NULL when none is needed).
 *
 *   Engines that replay over the DNS cache (dns/lookup.h) rebuild their
 *   findings on every pass: audit_findings_reset forgets everything.
 *
 * LIMITS
 *   MW_AUDIT_FINDINGS_MAX findings (more are counted in `dropped`),
 *   MW_AUDIT_POOL_MAX bytes of text per audit.
 *
 * OWNERSHIP
 *   Every string of a finding lives in the list's pool; audit_findings_free
 *   releases them all.
 */
#ifndef MW_AUDIT_FINDING_H
#define MW_AUDIT_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"

typedef enum audit_sev {
	AUDIT_INFO = 0,
	AUDIT_WARNING,
	AUDIT_CRITICAL,
} audit_sev;

typedef struct audit_finding {
	audit_sev sev;
	const char *section;
	const char *code;
	const char *title;
	const char *evidence; /* lines separated by '\n'; "" when none */
	const char *fix;      /* NULL when nothing to do */
} audit_finding;

typedef struct audit_findings {
	mw_pool *pool;
	audit_finding *f;     /* pool-owned array of MW_AUDIT_FINDINGS_MAX */
	size_t n;
	size_t dropped;       /* findings over the limit */
	bool oom;             /* the pool ran out: some text is missing */
} audit_findings;

/* audit_findings_init - empty list with its pool; false on ENOMEM */
bool audit_findings_init(audit_findings *l);
/* audit_findings_reset - forget every finding (start of a replay pass) */
void audit_findings_reset(audit_findings *l);
/* audit_findings_free - release the pool */
void audit_findings_free(audit_findings *l);
/* audit_add - add a finding; strings are copied into the pool (evidence/fix may be NULL).
 * Returns the finding or NULL when dropped. */
audit_finding *audit_add(audit_findings *l, audit_sev sev, const char *section,
			 const char *code, const char *title, const char *evidence,
			 const char *fix);
/* audit_addf - same with a printf-style title */
audit_finding *audit_addf(audit_findings *l, audit_sev sev, const char *section,
			  const char *code, const char *evidence, const char *fix,
			  const char *title_fmt, ...) __attribute__((format(printf, 7, 8)));
/* audit_strf - printf into the list's pool (never NULL: "" on ENOMEM) */
const char *audit_strf(audit_findings *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* audit_buf_str - copy a buffer's text into the pool */
const char *audit_buf_str(audit_findings *l, const mw_buf *b);
/* audit_find - first finding with that code, or NULL */
const audit_finding *audit_find(const audit_findings *l, const char *code);
/* audit_count - findings of a severity */
size_t audit_count(const audit_findings *l, audit_sev sev);
/* audit_sort - stable order: severity (critical first), then section order of appearance */
void audit_sort(audit_findings *l);
/* audit_sev_name - "critical", "warning", "info" */
const char *audit_sev_name(audit_sev s);

#endif
