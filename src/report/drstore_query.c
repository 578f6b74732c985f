/*
 * report/drstore_query.c - reading the DMARC report database back: replay
 * into the summaries, per-source and per-day totals (see drstore.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"
#include "report/drstore_int.h"

/* The filters every query shares: ?1 since, ?2 domain (NULL = all). */
#define AGG_FILTER " p.end >= ?1 AND (?2 IS NULL OR p.domain = ?2 COLLATE NOCASE)"
#define FAIL_FILTER \
	" (?1 = 0 OR arrival < 0 OR arrival >= ?1) AND (?2 IS NULL OR domain = ?2 COLLATE NOCASE)"

/* prepare - statement with the shared filters bound */
static sqlite3_stmt *prepare(mw_drstore *d, const char *sql, int64_t since, const char *domain)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, since);
	if (domain)
		sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
	return st;
}

/* col - pool copy of a text column, NULL for SQL NULL */
static const char *col(mw_pool *p, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? mw_pool_strdup(p, (const char *)t) : NULL;
}

/* jstr - pool copy of a JSON array item, NULL for null */
static const char *jstr(mw_pool *p, json_t *a, size_t i)
{
	const char *s = json_string_value(json_array_get(a, i));
	return s ? mw_pool_strdup(p, s) : NULL;
}

/* auth_list - dkim or spf results from the stored JSON */
static mw_dr_auth *auth_list(mw_pool *p, json_t *a, bool dkim, size_t *n)
{
	size_t k = json_array_size(a);
	*n = 0;
	mw_dr_auth *v = k ? mw_pool_alloc(p, k * sizeof(*v)) : NULL;
	for (size_t i = 0; v && i < k; i++) {
		json_t *e = json_array_get(a, i);
		v[i].domain = jstr(p, e, 0);
		if (dkim)
			v[i].selector = jstr(p, e, 1);
		else
			v[i].scope = jstr(p, e, 1);
		v[i].result = jstr(p, e, 2);
		v[i].human_result = jstr(p, e, 3);
		*n = i + 1;
	}
	return v;
}

/* record_auth - a record's results and reasons from the auth column */
static void record_auth(mw_pool *p, const char *txt, mw_dr_record *r)
{
	json_t *o = txt ? json_loads(txt, 0, NULL) : NULL;
	if (!o)
		return;
	r->dkim_res = auth_list(p, json_object_get(o, "d"), true, &r->n_dkim);
	r->spf_res = auth_list(p, json_object_get(o, "s"), false, &r->n_spf);
	json_t *rs = json_object_get(o, "r");
	size_t k = json_array_size(rs);
	r->reasons = k ? mw_pool_alloc(p, k * sizeof(*r->reasons)) : NULL;
	for (size_t i = 0; r->reasons && i < k; i++) {
		r->reasons[i].type = jstr(p, json_array_get(rs, i), 0);
		r->reasons[i].comment = jstr(p, json_array_get(rs, i), 1);
		r->n_reasons = i + 1;
	}
	json_decref(o);
}

/* load_records - the records of report id into rep (at most rep's stored count) */
static bool load_records(mw_drstore *d, sqlite3_int64 id, size_t max, mw_dr_report *rep)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db,
			       "SELECT source_ip, count, disposition, dkim, spf, header_from,"
			       " envelope_from, envelope_to, auth FROM dr_records WHERE report = ?"
			       " ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, id);
	mw_pool *p = rep->pool;
	rep->records = max ? mw_pool_alloc(p, max * sizeof(*rep->records)) : NULL;
	while (rep->records && rep->n_records < max && sqlite3_step(st) == SQLITE_ROW) {
		mw_dr_record *r = &rep->records[rep->n_records++];
		r->source_ip = col(p, st, 0);
		r->count = (uint64_t)sqlite3_column_int64(st, 1);
		r->disposition = col(p, st, 2);
		r->dkim = col(p, st, 3);
		r->spf = col(p, st, 4);
		r->header_from = col(p, st, 5);
		r->envelope_from = col(p, st, 6);
		r->envelope_to = col(p, st, 7);
		record_auth(p, (const char *)sqlite3_column_text(st, 8), r);
	}
	sqlite3_finalize(st);
	return max == 0 || rep->records;
}

/* load_report - one dr_reports row (as selected in load_aggregate) and its records */
static mw_dr_report *load_report(mw_drstore *d, sqlite3_stmt *st)
{
	mw_pool *p = mw_pool_new(MW_DR_POOL_MAX);
	mw_dr_report *r = p ? mw_pool_alloc(p, sizeof(*r)) : NULL;
	if (!r) {
		mw_pool_free(p);
		return NULL;
	}
	r->pool = p;
	r->org_name = col(p, st, 1);
	r->report_id = col(p, st, 2);
	if (r->org_name && !*r->org_name) /* stored as "" for the UNIQUE key */
		r->org_name = NULL;
	if (r->report_id && !*r->report_id)
		r->report_id = NULL;
	r->email = col(p, st, 3);
	r->domain = col(p, st, 4);
	r->begin = sqlite3_column_int64(st, 5);
	r->end = sqlite3_column_int64(st, 6);
	r->p = col(p, st, 7);
	r->sp = col(p, st, 8);
	r->pct = sqlite3_column_int(st, 9);
	r->messages = (uint64_t)sqlite3_column_int64(st, 10);
	sqlite3_int64 n = sqlite3_column_int64(st, 11);
	size_t max = n < 0 ? 0 : n > MW_DR_RECORDS_MAX ? MW_DR_RECORDS_MAX : (size_t)n;
	if (!load_records(d, sqlite3_column_int64(st, 0), max, r)) {
		mw_dr_free(r);
		return NULL;
	}
	return r;
}

/* load_aggregate - every matching aggregate report into drs */
static mw_status load_aggregate(mw_drstore *d, int64_t since, const char *domain, mw_drs *drs,
				mw_err *err)
{
	sqlite3_stmt *st = prepare(d,
				   "SELECT id, org_name, report_id, email, domain, begin, end, p, sp,"
				   " pct, messages, records FROM dr_reports p WHERE" AGG_FILTER
				   " ORDER BY id",
				   since, domain);
	if (!st)
		return drstore_sql_err(d, err, "reading reports");
	mw_status rc = MW_OK;
	int s;
	while (rc == MW_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
		mw_dr_report *r = load_report(d, st);
		rc = r ? mw_drs_add(drs, r, NULL, err) : drstore_sql_err(d, err, "reading records");
		mw_dr_free(r);
	}
	if (rc == MW_OK && s != SQLITE_DONE)
		rc = drstore_sql_err(d, err, "reading reports");
	sqlite3_finalize(st);
	return rc;
}

/* one_list - a one-value list in the report's pool */
static void one_list(mw_arf_report *f, mw_arf_list *l, const char *v)
{
	const char **a = v ? mw_pool_alloc(f->pool, sizeof(*a)) : NULL;
	if (a) {
		a[0] = v;
		l->v = a;
		l->n = 1;
	}
}

/* load_failures - every matching failure report into frs */
static mw_status load_failures(mw_drstore *d, int64_t since, const char *domain, mw_frs *frs,
			       mw_err *err)
{
	sqlite3_stmt *st = prepare(d,
				   "SELECT feedback_type, source_ip, domain, auth_failure, arrival,"
				   " subject, mail_from, message_id, user_agent, report_from,"
				   " report_message_id, incidents, authres FROM dr_failures WHERE"
				   FAIL_FILTER " ORDER BY id",
				   since, domain);
	if (!st)
		return drstore_sql_err(d, err, "reading failure reports");
	mw_status rc = MW_OK;
	while (rc == MW_OK && sqlite3_step(st) == SQLITE_ROW) {
		mw_arf_report *f = mw_arf_new();
		if (!f) {
			rc = mw_err_set(err, MW_ENOMEM, "out of memory");
			break;
		}
		mw_pool *p = f->pool;
		f->feedback_type = col(p, st, 0);
		f->source_ip = col(p, st, 1);
		one_list(f, &f->reported_domain, col(p, st, 2));
		f->auth_failure = col(p, st, 3);
		f->arrival = sqlite3_column_int64(st, 4);
		f->subject = col(p, st, 5);
		f->original_mail_from = col(p, st, 6);
		f->message_id = col(p, st, 7);
		f->user_agent = col(p, st, 8);
		f->report_from = col(p, st, 9);
		f->report_message_id = col(p, st, 10);
		f->incidents = (uint32_t)sqlite3_column_int64(st, 11);
		one_list(f, &f->authentication_results, col(p, st, 12));
		rc = mw_frs_add(frs, f, NULL, err);
		mw_arf_free(f);
	}
	sqlite3_finalize(st);
	return rc;
}

/* mw_drstore_load - see header */
mw_status mw_drstore_load(mw_drstore *d, int64_t since, const char *domain, mw_drs *drs,
			  mw_frs *frs, mw_err *err)
{
	mw_status rc = drs ? load_aggregate(d, since, domain, drs, err) : MW_OK;
	if (rc == MW_OK && frs)
		rc = load_failures(d, since, domain, frs, err);
	return rc;
}

/* grow - room for one more element in a malloc'd array */
static bool grow(void **a, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 64;
	void *na = realloc(*a, nc * size);
	if (!na)
		return false;
	*a = na;
	*cap = nc;
	return true;
}

/* source_extra - PTR / provider and failure count of one row */
static void source_extra(sqlite3_stmt *info, sqlite3_stmt *fails, mw_drstore_source *s)
{
	sqlite3_reset(info);
	sqlite3_bind_text(info, 1, s->ip, -1, SQLITE_STATIC);
	if (sqlite3_step(info) == SQLITE_ROW) {
		const unsigned char *t;
		if ((t = sqlite3_column_text(info, 0)))
			mw_strlcpy(s->ptr, (const char *)t, sizeof(s->ptr));
		s->fcrdns = sqlite3_column_int(info, 1) != 0;
		if ((t = sqlite3_column_text(info, 2)))
			mw_strlcpy(s->provider, (const char *)t, sizeof(s->provider));
		if ((t = sqlite3_column_text(info, 3)))
			mw_strlcpy(s->provider_via, (const char *)t, sizeof(s->provider_via));
	}
	sqlite3_reset(fails);
	sqlite3_bind_text(fails, 3, s->ip, -1, SQLITE_STATIC);
	if (sqlite3_step(fails) == SQLITE_ROW)
		s->failures = (uint64_t)sqlite3_column_int64(fails, 0);
}

/* source_row - one grouped row of the sources query */
static void source_row(sqlite3_stmt *st, mw_drstore_source *s)
{
	memset(s, 0, sizeof(*s));
	const unsigned char *t = sqlite3_column_text(st, 0);
	mw_strlcpy(s->ip, t ? (const char *)t : "(none)", sizeof(s->ip));
	s->count = (uint64_t)sqlite3_column_int64(st, 1);
	s->aligned = (uint64_t)sqlite3_column_int64(st, 2);
	int best = 0;
	for (int c = 0; c < MW_DRS_CLASSES; c++) {
		s->by_class[c] = (uint64_t)sqlite3_column_int64(st, 3 + c);
		if (s->by_class[c] > s->by_class[best])
			best = c;
	}
	s->cls = mw_drs_class_name((mw_drs_class)best);
	if ((t = sqlite3_column_text(st, 3 + MW_DRS_CLASSES)))
		mw_strlcpy(s->header_from, (const char *)t, sizeof(s->header_from));
	s->last_seen = sqlite3_column_int64(st, 4 + MW_DRS_CLASSES);
}

_Static_assert(MW_DRS_CLASSES == 4, "the sources query sums four classes");

/* mw_drstore_sources - see header */
mw_status mw_drstore_sources(mw_drstore *d, int64_t since, const char *domain, size_t limit,
			     mw_drstore_source **out, size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = prepare(
		d,
		"SELECT r.source_ip, SUM(r.count), SUM(r.count * r.aligned),"
		" SUM(CASE r.class WHEN 0 THEN r.count ELSE 0 END),"
		" SUM(CASE r.class WHEN 1 THEN r.count ELSE 0 END),"
		" SUM(CASE r.class WHEN 2 THEN r.count ELSE 0 END),"
		" SUM(CASE r.class WHEN 3 THEN r.count ELSE 0 END),"
		" MIN(r.header_from), MAX(p.end)"
		" FROM dr_records r JOIN dr_reports p ON p.id = r.report WHERE" AGG_FILTER
		" GROUP BY r.source_ip ORDER BY 2 DESC, 1 LIMIT ?3",
		since, domain);
	sqlite3_stmt *info = NULL, *fails = prepare(d, "SELECT COUNT(*) FROM dr_failures WHERE"
						       FAIL_FILTER " AND source_ip = ?3", since, domain);
	sqlite3_prepare_v2(d->db, "SELECT ptr, fcrdns, provider, provider_via FROM dr_sources"
			   " WHERE ip = ?", -1, &info, NULL);
	mw_status rc = MW_OK;
	if (!st || !fails || !info)
		rc = drstore_sql_err(d, err, "reading sources");
	else
		sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	size_t cap = 0;
	while (rc == MW_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (!grow((void **)out, *n, &cap, sizeof(**out))) {
			rc = mw_err_set(err, MW_ENOMEM, "out of memory");
			break;
		}
		source_row(st, &(*out)[*n]);
		source_extra(info, fails, &(*out)[*n]);
		(*n)++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(fails);
	sqlite3_finalize(info);
	if (rc != MW_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* mw_drstore_history - see header */
mw_status mw_drstore_history(mw_drstore *d, int64_t since, const char *domain,
			     mw_drstore_day **out, size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = prepare(d,
				   "SELECT date(p.begin, 'unixepoch'), SUM(r.count),"
				   " SUM(r.count * r.aligned) FROM dr_records r JOIN dr_reports p"
				   " ON p.id = r.report WHERE" AGG_FILTER " GROUP BY 1 ORDER BY 1",
				   since, domain);
	if (!st)
		return drstore_sql_err(d, err, "reading history");
	mw_status rc = MW_OK;
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!grow((void **)out, *n, &cap, sizeof(**out))) {
			rc = mw_err_set(err, MW_ENOMEM, "out of memory");
			break;
		}
		mw_drstore_day *x = &(*out)[(*n)++];
		memset(x, 0, sizeof(*x));
		const unsigned char *t = sqlite3_column_text(st, 0);
		mw_strlcpy(x->day, t ? (const char *)t : "", sizeof(x->day));
		x->messages = (uint64_t)sqlite3_column_int64(st, 1);
		x->pass = (uint64_t)sqlite3_column_int64(st, 2);
		x->fail = x->messages - x->pass;
	}
	sqlite3_finalize(st);
	if (rc != MW_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
