/*
 * audit/finding.c - the findings list (see finding.h).
 */
#include "audit/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

/* audit_findings_init - empty list */
bool audit_findings_init(audit_findings *l)
{
	memset(l, 0, sizeof(*l));
	l->pool = mw_pool_new(MW_AUDIT_POOL_MAX);
	if (!l->pool)
		return false;
	audit_findings_reset(l);
	return l->f != NULL;
}

/* audit_findings_reset - empty the list and its pool */
void audit_findings_reset(audit_findings *l)
{
	mw_pool_reset(l->pool);
	l->f = mw_pool_alloc(l->pool, MW_AUDIT_FINDINGS_MAX * sizeof(audit_finding));
	l->n = 0;
	l->dropped = 0;
	l->oom = l->f == NULL;
}

/* audit_findings_free - release */
void audit_findings_free(audit_findings *l)
{
	mw_pool_free(l->pool);
	memset(l, 0, sizeof(*l));
}

/* pstr - pool copy, "" on ENOMEM */
static const char *pstr(audit_findings *l, const char *s)
{
	if (!s)
		return NULL;
	char *c = mw_pool_strdup(l->pool, s);
	if (!c) {
		l->oom = true;
		return "";
	}
	return c;
}

/* audit_add - append one finding */
audit_finding *audit_add(audit_findings *l, audit_sev sev, const char *section,
			 const char *code, const char *title, const char *evidence,
			 const char *fix)
{
	if (!l->f || l->n >= MW_AUDIT_FINDINGS_MAX) {
		l->dropped++;
		return NULL;
	}
	audit_finding *f = &l->f[l->n++];
	f->sev = sev;
	f->section = section; /* static strings */
	f->code = code;
	f->title = pstr(l, title);
	f->evidence = evidence ? pstr(l, evidence) : "";
	f->fix = pstr(l, fix);
	return f;
}

/* audit_addf - printf-style title */
audit_finding *audit_addf(audit_findings *l, audit_sev sev, const char *section,
			  const char *code, const char *evidence, const char *fix,
			  const char *title_fmt, ...)
{
	char title[512];
	va_list ap;
	va_start(ap, title_fmt);
	vsnprintf(title, sizeof(title), title_fmt, ap);
	va_end(ap);
	return audit_add(l, sev, section, code, title, evidence, fix);
}

/* audit_strf - formatted pool string */
const char *audit_strf(audit_findings *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return "";
	char *s = mw_pool_alloc(l->pool, (size_t)n + 1);
	if (!s) {
		l->oom = true;
		return "";
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* audit_buf_str - pool copy of a buffer */
const char *audit_buf_str(audit_findings *l, const mw_buf *b)
{
	return pstr(l, mw_buf_cstr(b));
}

/* audit_find - by code */
const audit_finding *audit_find(const audit_findings *l, const char *code)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->f[i].code, code) == 0)
			return &l->f[i];
	return NULL;
}

/* audit_count - by severity */
size_t audit_count(const audit_findings *l, audit_sev sev)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		c += l->f[i].sev == sev;
	return c;
}

/* audit_sort - insertion sort by severity, stable (n <= MW_AUDIT_FINDINGS_MAX) */
void audit_sort(audit_findings *l)
{
	for (size_t i = 1; i < l->n; i++) {
		audit_finding x = l->f[i];
		size_t j = i;
		while (j > 0 && l->f[j - 1].sev < x.sev) {
			l->f[j] = l->f[j - 1];
			j--;
		}
		l->f[j] = x;
	}
}

/* audit_sev_name - severity word */
const char *audit_sev_name(audit_sev s)
{
	switch (s) {
	case AUDIT_CRITICAL:
		return "critical";
	case AUDIT_WARNING:
		return "warning";
	default:
		return "info";
	}
}
