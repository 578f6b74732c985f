/*
 * report/drstore.c - DMARC reports in SQLite (see drstore.h).
 */
#include "report/drstore.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "core/str.h"
#include "report/drstore_int.h"

#define DRSTORE_VERSION 1
#define DRSTORE_BUSY_MS 5000 /* wait for another writer (an import running) */

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS dr_reports(id INTEGER PRIMARY KEY, org_name TEXT NOT NULL,"
	" report_id TEXT NOT NULL, email TEXT, domain TEXT, begin INTEGER, end INTEGER, p TEXT,"
	" sp TEXT, pct INTEGER, messages INTEGER, records INTEGER, imported INTEGER,"
	" UNIQUE(org_name, report_id));"
	"CREATE TABLE IF NOT EXISTS dr_records(report INTEGER NOT NULL REFERENCES dr_reports(id),"
	" source_ip TEXT, count INTEGER, disposition TEXT, dkim TEXT, spf TEXT, header_from TEXT,"
	" envelope_from TEXT, envelope_to TEXT, auth TEXT, class INTEGER, aligned INTEGER);"
	"CREATE INDEX IF NOT EXISTS dr_records_report ON dr_records(report);"
	"CREATE INDEX IF NOT EXISTS dr_records_ip ON dr_records(source_ip);"
	"CREATE TABLE IF NOT EXISTS dr_failures(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	" feedback_type TEXT, source_ip TEXT, domain TEXT, auth_failure TEXT, arrival INTEGER,"
	" subject TEXT, mail_from TEXT, message_id TEXT, user_agent TEXT, report_from TEXT,"
	" report_message_id TEXT, incidents INTEGER, authres TEXT, imported INTEGER);"
	"CREATE TABLE IF NOT EXISTS dr_sources(ip TEXT PRIMARY KEY, ptr TEXT, fcrdns INTEGER,"
	" provider TEXT, provider_via TEXT, checked INTEGER);";

/* drstore_sql_err - see drstore_int.h */
mw_status drstore_sql_err(mw_drstore *d, mw_err *err, const char *what)
{
	return mw_err_set(err, MW_EIO, "%s: %s: %s", d->path, what, sqlite3_errmsg(d->db));
}

/* exec - statements without results */
static mw_status exec(mw_drstore *d, const char *sql, mw_err *err)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return drstore_sql_err(d, err, "SQL");
	return MW_OK;
}

/* check_schema - ours (or empty and writable: create it) */
static mw_status check_schema(mw_drstore *d, bool readonly, mw_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return mw_err_set(err, MW_EIO, "%s: not a DMARC report database (%s)", d->path,
				  sqlite3_errmsg(d->db));
	}
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v > DRSTORE_VERSION)
		return mw_err_set(err, MW_EIO, "%s: database schema %d is newer than this program's (%d)",
				  d->path, v, DRSTORE_VERSION);
	if (v == DRSTORE_VERSION || readonly)
		return v == DRSTORE_VERSION ? MW_OK
					    : mw_err_set(err, MW_EIO,
							 "%s: not a DMARC report database (no schema)",
							 d->path);
	mw_status rc = exec(d, schema, err);
	if (rc == MW_OK)
		rc = exec(d, "PRAGMA user_version = 1", err);
	return rc;
}

/* mw_drstore_open - see header */
mw_status mw_drstore_open(const char *path, bool readonly, mw_drstore **out, mw_err *err)
{
	*out = NULL;
	mw_drstore *d = calloc(1, sizeof(*d));
	if (!d)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_strlcpy(d->path, path, sizeof(d->path));
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &d->db, flags, NULL) != SQLITE_OK) {
		mw_status st = mw_err_set(err, readonly ? MW_ENOTFOUND : MW_EIO, "%s: %s", path,
					  d->db ? sqlite3_errmsg(d->db) : "cannot open");
		mw_drstore_close(d);
		return st;
	}
	sqlite3_busy_timeout(d->db, DRSTORE_BUSY_MS);
	mw_status st = check_schema(d, readonly, err);
	/* Imports are re-runnable (a lost last report is imported again next
	 * time), so one sync per transaction is not worth 20 ms per report. */
	if (st == MW_OK && !readonly)
		st = exec(d, "PRAGMA synchronous = NORMAL", err);
	if (st != MW_OK) {
		mw_drstore_close(d);
		return st;
	}
	*out = d;
	return MW_OK;
}

/* mw_drstore_close - see header */
void mw_drstore_close(mw_drstore *d)
{
	if (!d)
		return;
	sqlite3_close(d->db);
	free(d);
}

/* bind_text - text or NULL */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* auth_json - a record's dkim/spf results and reasons as compact JSON (malloc'd) */
static char *auth_json(const mw_dr_record *r)
{
	json_t *d = json_array(), *s = json_array(), *rs = json_array();
	for (size_t i = 0; i < r->n_dkim; i++)
		json_array_append_new(d, json_pack("[s?,s?,s?,s?]", r->dkim_res[i].domain,
						   r->dkim_res[i].selector, r->dkim_res[i].result,
						   r->dkim_res[i].human_result));
	for (size_t i = 0; i < r->n_spf; i++)
		json_array_append_new(s, json_pack("[s?,s?,s?,s?]", r->spf_res[i].domain,
						   r->spf_res[i].scope, r->spf_res[i].result,
						   r->spf_res[i].human_result));
	for (size_t i = 0; i < r->n_reasons; i++)
		json_array_append_new(rs, json_pack("[s?,s?]", r->reasons[i].type,
						    r->reasons[i].comment));
	json_t *o = json_pack("{s:o,s:o,s:o}", "d", d, "s", s, "r", rs);
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return txt;
}

/* insert_record - one record of report id */
static bool insert_record(sqlite3_stmt *st, sqlite3_int64 id, const mw_dr_record *r)
{
	char *auth = auth_json(r);
	mw_drs_class c = mw_drs_classify(r);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, r->source_ip);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->count);
	bind_text(st, 4, r->disposition);
	bind_text(st, 5, r->dkim);
	bind_text(st, 6, r->spf);
	bind_text(st, 7, r->header_from);
	bind_text(st, 8, r->envelope_from);
	bind_text(st, 9, r->envelope_to);
	bind_text(st, 10, auth);
	sqlite3_bind_int(st, 11, (int)c);
	sqlite3_bind_int(st, 12, c == MW_DRS_ALIGNED);
	bool ok = sqlite3_step(st) == SQLITE_DONE;
	free(auth);
	return ok;
}

/* insert_report - the report row; 1 inserted, 0 already there, -1 error */
static int insert_report(mw_drstore *d, const mw_dr_report *r, sqlite3_int64 *id)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db,
			       "INSERT OR IGNORE INTO dr_reports(org_name, report_id, email, domain,"
			       " begin, end, p, sp, pct, messages, records, imported)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, r->org_name ? r->org_name : "");
	bind_text(st, 2, r->report_id ? r->report_id : "");
	bind_text(st, 3, r->email);
	bind_text(st, 4, r->domain);
	sqlite3_bind_int64(st, 5, r->begin);
	sqlite3_bind_int64(st, 6, r->end);
	bind_text(st, 7, r->p);
	bind_text(st, 8, r->sp);
	sqlite3_bind_int(st, 9, r->pct);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)r->messages);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)r->n_records);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)time(NULL));
	int rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(d->db) > 0) : -1;
	*id = sqlite3_last_insert_rowid(d->db);
	sqlite3_finalize(st);
	return rc;
}

/* mw_drstore_add_aggregate - see header */
mw_status mw_drstore_add_aggregate(mw_drstore *d, const mw_dr_report *r, bool *added, mw_err *err)
{
	*added = false;
	if (exec(d, "BEGIN IMMEDIATE", err) != MW_OK)
		return MW_EIO;
	sqlite3_int64 id = 0;
	int ins = insert_report(d, r, &id);
	sqlite3_stmt *st = NULL;
	bool ok = ins >= 0;
	if (ins == 1) {
		ok = sqlite3_prepare_v2(d->db,
					"INSERT INTO dr_records(report, source_ip, count, disposition,"
					" dkim, spf, header_from, envelope_from, envelope_to, auth,"
					" class, aligned) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
					-1, &st, NULL) == SQLITE_OK;
		for (size_t i = 0; ok && i < r->n_records; i++)
			ok = insert_record(st, id, &r->records[i]);
		sqlite3_finalize(st);
	}
	if (!ok) {
		mw_status e = drstore_sql_err(d, err, "storing the report");
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	if (exec(d, "COMMIT", err) != MW_OK)
		return MW_EIO;
	*added = ins == 1;
	return MW_OK;
}

/* mw_drstore_add_failure - see header */
mw_status mw_drstore_add_failure(mw_drstore *d, const mw_arf_report *f, bool *added, mw_err *err)
{
	char key[1024];
	sqlite3_stmt *st;
	*added = false;
	mw_arf_key(f, key, sizeof(key));
	if (sqlite3_prepare_v2(d->db,
			       "INSERT OR IGNORE INTO dr_failures(key, feedback_type, source_ip, domain,"
			       " auth_failure, arrival, subject, mail_from, message_id, user_agent,"
			       " report_from, report_message_id, incidents, authres, imported)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return drstore_sql_err(d, err, "storing the failure report");
	bind_text(st, 1, key);
	bind_text(st, 2, f->feedback_type);
	bind_text(st, 3, f->source_ip);
	bind_text(st, 4, f->reported_domain.n ? f->reported_domain.v[0] : NULL);
	bind_text(st, 5, f->auth_failure);
	sqlite3_bind_int64(st, 6, f->arrival);
	bind_text(st, 7, f->subject);
	bind_text(st, 8, f->original_mail_from);
	bind_text(st, 9, f->message_id);
	bind_text(st, 10, f->user_agent);
	bind_text(st, 11, f->report_from);
	bind_text(st, 12, f->report_message_id);
	sqlite3_bind_int64(st, 13, f->incidents);
	bind_text(st, 14, f->authentication_results.n ? f->authentication_results.v[0] : NULL);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)time(NULL));
	bool ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!ok)
		return drstore_sql_err(d, err, "storing the failure report");
	*added = sqlite3_changes(d->db) > 0;
	return MW_OK;
}

/* mw_drstore_set_source - see header */
mw_status mw_drstore_set_source(mw_drstore *d, const char *ip, const char *ptr, bool fcrdns,
				const char *provider, const char *via, int64_t checked, mw_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db,
			       "INSERT OR REPLACE INTO dr_sources(ip, ptr, fcrdns, provider,"
			       " provider_via, checked) VALUES(?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return drstore_sql_err(d, err, "storing a source");
	bind_text(st, 1, ip);
	bind_text(st, 2, ptr && *ptr ? ptr : NULL);
	sqlite3_bind_int(st, 3, fcrdns);
	bind_text(st, 4, provider && *provider ? provider : NULL);
	bind_text(st, 5, via && *via ? via : NULL);
	sqlite3_bind_int64(st, 6, checked);
	bool ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	return ok ? MW_OK : drstore_sql_err(d, err, "storing a source");
}

/* count_of - one integer from a query */
static bool count_of(mw_drstore *d, const char *sql, uint64_t *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	*v = ok ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return ok;
}

/* mw_drstore_counts - see header */
mw_status mw_drstore_counts(mw_drstore *d, uint64_t *reports, uint64_t *records,
			    uint64_t *failures, mw_err *err)
{
	if (!count_of(d, "SELECT COUNT(*) FROM dr_reports", reports) ||
	    !count_of(d, "SELECT COUNT(*) FROM dr_records", records) ||
	    !count_of(d, "SELECT COUNT(*) FROM dr_failures", failures))
		return drstore_sql_err(d, err, "counting");
	return MW_OK;
}
