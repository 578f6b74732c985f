/*
 * store/dmarclog.c - DMARC evaluations and sent reports in SQLite (see
 * dmarclog.h).
 *
 * Schema:
 *   mw_dmarc_log(id, time, source_ip, header_from, envelope_from,
 *     envelope_to, policy_domain, p, sp, np, adkim, aspf, fo, testing, pct,
 *     dmarc, disposition, dkim, spf,
 *     reasons TEXT = [[type, comment], ...],
 *     auth TEXT = {"dkim":[[domain, selector, result, human]...],
 *                  "spf":[[domain, scope, result, human]...]})
 *   indexed by (policy_domain, time) and time.  reasons and auth are
 *   written by one function in a fixed key order, so equal results are
 *   equal text and GROUP BY can group on them.
 *   mw_dmarc_sent(policy_domain, begin, end, report_id, destinations,
 *     sent_at), primary key (policy_domain, begin, end).
 */
#include "store/dmarclog.h"

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct mw_dmarclog {
	sqlite3 *db;
	sqlite3_stmt *ins;
	pthread_mutex_t lock;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS mw_dmarc_log(id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
	" source_ip TEXT, header_from TEXT, envelope_from TEXT, envelope_to TEXT,"
	" policy_domain TEXT NOT NULL, p TEXT, sp TEXT, np TEXT, adkim TEXT, aspf TEXT, fo TEXT,"
	" testing TEXT, pct INTEGER, dmarc TEXT, disposition TEXT, dkim TEXT, spf TEXT,"
	" reasons TEXT, auth TEXT);"
	"CREATE INDEX IF NOT EXISTS mw_dmarc_log_dom ON mw_dmarc_log(policy_domain, time);"
	"CREATE INDEX IF NOT EXISTS mw_dmarc_log_time ON mw_dmarc_log(time);"
	"CREATE TABLE IF NOT EXISTS mw_dmarc_sent(policy_domain TEXT NOT NULL,"
	" begin INTEGER NOT NULL, end INTEGER NOT NULL, report_id TEXT, destinations TEXT,"
	" sent_at INTEGER, PRIMARY KEY(policy_domain, begin, end));";

static const char insert_sql[] =
	"INSERT INTO mw_dmarc_log(time, source_ip, header_from, envelope_from, envelope_to,"
	" policy_domain, p, sp, np, adkim, aspf, fo, testing, pct, dmarc, disposition, dkim, spf,"
	" reasons, auth) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* db_err - an SQLite error as MW_EIO */
static mw_status db_err(mw_dmarclog *log, mw_err *err)
{
	return mw_err_set(err, MW_EIO, "dmarc log: %s", sqlite3_errmsg(log->db));
}

/* mw_dmarclog_open - open the file, create the tables, prepare the insert */
mw_dmarclog *mw_dmarclog_open(const char *path, bool readonly, mw_err *err)
{
	mw_dmarclog *log = calloc(1, sizeof(*log));
	if (!log) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&log->lock, NULL);
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &log->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(log->db, 5000);
	if (!readonly && (sqlite3_exec(log->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
			  sqlite3_prepare_v2(log->db, insert_sql, -1, &log->ins, NULL) != SQLITE_OK))
		goto fail;
	return log;
fail:
	mw_err_set(err, MW_EIO, "dmarc log %s: %s", path,
		   log->db ? sqlite3_errmsg(log->db) : "out of memory");
	mw_dmarclog_close(log);
	return NULL;
}

/* mw_dmarclog_close - finalize and close */
void mw_dmarclog_close(mw_dmarclog *log)
{
	if (!log)
		return;
	sqlite3_finalize(log->ins);
	sqlite3_close(log->db);
	pthread_mutex_destroy(&log->lock);
	free(log);
}

/* jstr - a string cut at MW_DMARCLOG_FIELD_MAX bytes, or JSON null */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strnlen(s, MW_DMARCLOG_FIELD_MAX);
	return json_stringn_nocheck(s, n);
}

/* auth_array - [[domain, selector-or-scope, result, human], ...] */
static json_t *auth_array(const mw_dmarclog_auth *a, size_t n, bool dkim)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n && i < MW_DMARCLOG_AUTH_MAX; i++)
		json_array_append_new(arr, json_pack("[oooo]", jstr(a[i].domain),
						     jstr(dkim ? a[i].selector : a[i].scope),
						     jstr(a[i].result), jstr(a[i].human_result)));
	return arr;
}

/* encode - the reasons and auth columns (free() both) */
static bool encode(const mw_dmarclog_row *r, char **reasons, char **auth)
{
	json_t *rs = json_array();
	for (size_t i = 0; rs && i < r->nreasons && i < MW_DMARCLOG_REASONS_MAX; i++)
		json_array_append_new(rs, json_pack("[oo]", jstr(r->reasons[i].type),
						    jstr(r->reasons[i].comment)));
	json_t *au = json_pack("{soso}", "dkim", auth_array(r->dkim_res, r->ndkim, true), "spf",
			       auth_array(r->spf_res, r->nspf, false));
	*reasons = rs ? json_dumps(rs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	*auth = au ? json_dumps(au, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(rs);
	json_decref(au);
	return *reasons && *auth;
}

/* bind_text - a value cut at MW_DMARCLOG_FIELD_MAX, NULL as SQL NULL */
static void bind_text(sqlite3_stmt *s, int col, const char *v)
{
	if (v)
		sqlite3_bind_text(s, col, v, (int)strnlen(v, MW_DMARCLOG_FIELD_MAX), SQLITE_STATIC);
	else
		sqlite3_bind_null(s, col);
}

/* mw_dmarclog_add - insert one row under the handle's mutex */
mw_status mw_dmarclog_add(mw_dmarclog *log, const mw_dmarclog_row *r, mw_err *err)
{
	if (!log->ins)
		return mw_err_set(err, MW_EINVAL, "dmarc log opened read-only");
	if (!r->policy_domain)
		return mw_err_set(err, MW_EINVAL, "dmarc log: a row needs its policy domain");
	char *reasons = NULL, *auth = NULL;
	if (!encode(r, &reasons, &auth)) {
		free(reasons);
		free(auth);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	pthread_mutex_lock(&log->lock);
	sqlite3_stmt *s = log->ins;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, r->time);
	const char *t1[] = {r->source_ip, r->header_from, r->envelope_from, r->envelope_to,
			    r->policy_domain, r->policy.p, r->policy.sp, r->policy.np,
			    r->policy.adkim, r->policy.aspf, r->policy.fo, r->policy.testing};
	for (int i = 0; i < 12; i++)
		bind_text(s, 2 + i, t1[i]);
	if (r->policy.pct >= 0)
		sqlite3_bind_int(s, 14, r->policy.pct);
	else
		sqlite3_bind_null(s, 14);
	const char *t2[] = {r->dmarc, r->disposition, r->dkim, r->spf, reasons, auth};
	for (int i = 0; i < 6; i++)
		bind_text(s, 15 + i, t2[i]);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	mw_status st = rc == SQLITE_DONE ? MW_OK : db_err(log, err);
	pthread_mutex_unlock(&log->lock);
	free(reasons);
	free(auth);
	return st;
}

/* mw_dmarclog_transaction - BEGIN / COMMIT */
mw_status mw_dmarclog_transaction(mw_dmarclog *log, bool begin, mw_err *err)
{
	pthread_mutex_lock(&log->lock);
	int rc = sqlite3_exec(log->db, begin ? "BEGIN" : "COMMIT", NULL, NULL, NULL);
	pthread_mutex_unlock(&log->lock);
	return rc == SQLITE_OK ? MW_OK : db_err(log, err);
}

/* mw_dmarclog_span - min/max time */
mw_status mw_dmarclog_span(mw_dmarclog *log, int64_t *oldest, int64_t *newest, mw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db, "SELECT min(time), max(time) FROM mw_dmarc_log", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(log, err);
	mw_status st = MW_ENOTFOUND;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*oldest = sqlite3_column_int64(s, 0);
		*newest = sqlite3_column_int64(s, 1);
		st = MW_OK;
	}
	sqlite3_finalize(s);
	if (st == MW_ENOTFOUND)
		mw_err_set(err, MW_ENOTFOUND, "no DMARC evaluations stored");
	return st;
}

/* col - a text column copied into the pool, NULL stays NULL */
static const char *col(sqlite3_stmt *s, int i, mw_pool *pool)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? mw_pool_strdup(pool, (const char *)t) : NULL;
}

/* mw_dmarclog_domains - DISTINCT policy_domain in the period */
mw_status mw_dmarclog_domains(mw_dmarclog *log, int64_t begin, int64_t end, mw_pool *pool,
			      const char ***out, size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db,
			       "SELECT DISTINCT policy_domain FROM mw_dmarc_log WHERE time >= ?1"
			       " AND time < ?2 ORDER BY policy_domain",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(log, err);
	sqlite3_bind_int64(s, 1, begin);
	sqlite3_bind_int64(s, 2, end);
	size_t cap = 0;
	int rc;
	mw_status st = MW_OK;
	while (st == MW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			const char **nl = mw_pool_alloc(pool, cap * sizeof(*nl));
			if (!nl) {
				st = mw_err_set(err, MW_ENOMEM, "out of memory");
				break;
			}
			if (*n)
				memcpy(nl, *out, *n * sizeof(*nl));
			*out = nl;
		}
		if (!((*out)[*n] = col(s, 0, pool)))
			st = mw_err_set(err, MW_ENOMEM, "out of memory");
		else
			(*n)++;
	}
	if (st == MW_OK && rc != SQLITE_DONE)
		st = db_err(log, err);
	sqlite3_finalize(s);
	return st;
}

/* decode_auth - one [[a, b, result, human], ...] list into a[] */
static size_t decode_auth(json_t *arr, bool dkim, mw_dmarclog_auth *a, mw_pool *pool)
{
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (n == MW_DMARCLOG_AUTH_MAX)
			break;
		const char *f[4];
		for (int k = 0; k < 4; k++) {
			const char *t = json_string_value(json_array_get(v, (size_t)k));
			f[k] = t ? mw_pool_strdup(pool, t) : NULL;
		}
		a[n] = (mw_dmarclog_auth){.domain = f[0], .result = f[2], .human_result = f[3]};
		if (dkim)
			a[n].selector = f[1];
		else
			a[n].scope = f[1];
		n++;
	}
	return n;
}

/* decode - reasons and auth columns back into the row */
static void decode(const char *reasons, const char *auth, mw_dmarclog_row *r, mw_pool *pool)
{
	json_t *rs = reasons ? json_loads(reasons, 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(rs, i, v) {
		if (r->nreasons == MW_DMARCLOG_REASONS_MAX)
			break;
		const char *t = json_string_value(json_array_get(v, 0));
		const char *c = json_string_value(json_array_get(v, 1));
		r->reasons[r->nreasons++] = (mw_dmarclog_reason){
			t ? mw_pool_strdup(pool, t) : NULL, c ? mw_pool_strdup(pool, c) : NULL};
	}
	json_decref(rs);
	json_t *au = auth ? json_loads(auth, 0, NULL) : NULL;
	r->ndkim = decode_auth(json_object_get(au, "dkim"), true, r->dkim_res, pool);
	r->nspf = decode_auth(json_object_get(au, "spf"), false, r->spf_res, pool);
	json_decref(au);
}

static const char rollup_sql[] =
	"SELECT source_ip, disposition, dkim, spf, reasons, header_from, envelope_from,"
	" envelope_to, auth, dmarc, COUNT(*) AS n FROM mw_dmarc_log"
	" WHERE policy_domain = ?1 AND time >= ?2 AND time < ?3"
	" GROUP BY source_ip, disposition, dkim, spf, reasons, header_from, envelope_from,"
	" envelope_to, auth, dmarc ORDER BY n DESC, source_ip, header_from LIMIT ?4";

/* read_group - one grouped row */
static mw_status read_group(sqlite3_stmt *s, mw_dmarclog_row *r, mw_pool *pool)
{
	memset(r, 0, sizeof(*r));
	r->source_ip = col(s, 0, pool);
	r->disposition = col(s, 1, pool);
	r->dkim = col(s, 2, pool);
	r->spf = col(s, 3, pool);
	r->header_from = col(s, 5, pool);
	r->envelope_from = col(s, 6, pool);
	r->envelope_to = col(s, 7, pool);
	r->dmarc = col(s, 9, pool);
	r->count = (uint64_t)sqlite3_column_int64(s, 10);
	r->policy.pct = -1;
	decode((const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 8), r,
	       pool);
	return MW_OK;
}

/* read_policy - the newest row's published policy */
static mw_status read_policy(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
			     mw_pool *pool, mw_dmarclog_policy *p, mw_err *err)
{
	memset(p, 0, sizeof(*p));
	p->pct = -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db,
			       "SELECT p, sp, np, adkim, aspf, fo, testing, pct FROM mw_dmarc_log"
			       " WHERE policy_domain = ?1 AND time >= ?2 AND time < ?3"
			       " ORDER BY time DESC, id DESC LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(log, err);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, begin);
	sqlite3_bind_int64(s, 3, end);
	if (sqlite3_step(s) == SQLITE_ROW) {
		p->p = col(s, 0, pool);
		p->sp = col(s, 1, pool);
		p->np = col(s, 2, pool);
		p->adkim = col(s, 3, pool);
		p->aspf = col(s, 4, pool);
		p->fo = col(s, 5, pool);
		p->testing = col(s, 6, pool);
		if (sqlite3_column_type(s, 7) != SQLITE_NULL)
			p->pct = sqlite3_column_int(s, 7);
	}
	sqlite3_finalize(s);
	return MW_OK;
}

/* mw_dmarclog_rollup - GROUP BY the record fields */
mw_status mw_dmarclog_rollup(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
			     mw_pool *pool, mw_dmarclog_row **out, size_t *n,
			     mw_dmarclog_policy *policy, mw_err *err)
{
	*out = NULL;
	*n = 0;
	mw_status st = read_policy(log, domain, begin, end, pool, policy, err);
	if (st != MW_OK)
		return st;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db, rollup_sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(log, err);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, begin);
	sqlite3_bind_int64(s, 3, end);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)MW_DR_RECORDS_MAX + 1);
	size_t cap = 0;
	mw_dmarclog_row *rows = NULL;
	int rc;
	while (st == MW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == MW_DR_RECORDS_MAX) {
			st = mw_err_set(err, MW_ETOOBIG, "%s: more than %u records in one period",
					domain, (unsigned)MW_DR_RECORDS_MAX);
			break;
		}
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			mw_dmarclog_row *nr = mw_pool_alloc(pool, nc * sizeof(*nr));
			if (!nr) {
				st = mw_err_set(err, MW_ENOMEM, "out of memory");
				break;
			}
			if (*n)
				memcpy(nr, rows, *n * sizeof(*nr));
			rows = nr;
			cap = nc;
		}
		st = read_group(s, &rows[(*n)++], pool);
	}
	if (st == MW_OK && rc != SQLITE_DONE)
		st = db_err(log, err);
	sqlite3_finalize(s);
	if (st != MW_OK) {
		*n = 0;
		return st;
	}
	*out = rows;
	return MW_OK;
}

/* mw_dmarclog_sent - look the period up */
mw_status mw_dmarclog_sent(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
			   bool *sent, mw_err *err)
{
	sqlite3_stmt *s = NULL;
	*sent = false;
	if (sqlite3_prepare_v2(log->db,
			       "SELECT 1 FROM mw_dmarc_sent WHERE policy_domain = ?1 AND begin = ?2"
			       " AND end = ?3",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(log, err);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, begin);
	sqlite3_bind_int64(s, 3, end);
	int rc = sqlite3_step(s);
	*sent = rc == SQLITE_ROW;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MW_OK : db_err(log, err);
}

/* mw_dmarclog_mark_sent - insert (or keep) the period */
mw_status mw_dmarclog_mark_sent(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
				const char *report_id, const char *destinations, int64_t now,
				mw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db,
			       "INSERT OR IGNORE INTO mw_dmarc_sent(policy_domain, begin, end,"
			       " report_id, destinations, sent_at) VALUES(?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(log, err);
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, begin);
	sqlite3_bind_int64(s, 3, end);
	bind_text(s, 4, report_id);
	sqlite3_bind_text(s, 5, destinations ? destinations : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? MW_OK : db_err(log, err);
}

/* mw_dmarclog_prune - DELETE by time, in one transaction */
mw_status mw_dmarclog_prune(mw_dmarclog *log, int64_t before, size_t *deleted, mw_err *err)
{
	sqlite3_stmt *s = NULL, *t = NULL;
	if (sqlite3_prepare_v2(log->db, "DELETE FROM mw_dmarc_log WHERE time < ?", -1, &s, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(log->db, "DELETE FROM mw_dmarc_sent WHERE end <= ?", -1, &t, NULL) !=
		    SQLITE_OK) {
		sqlite3_finalize(s);
		return db_err(log, err);
	}
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int64(t, 1, before);
	int rc = sqlite3_step(s);
	size_t n = (size_t)sqlite3_changes(log->db);
	if (rc == SQLITE_DONE)
		rc = sqlite3_step(t);
	sqlite3_finalize(s);
	sqlite3_finalize(t);
	if (rc != SQLITE_DONE)
		return db_err(log, err);
	if (deleted)
		*deleted = n;
	return MW_OK;
}
