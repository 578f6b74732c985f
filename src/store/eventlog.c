/*
 * store/eventlog.c - SQLite event history (see eventlog.h).
 *
 * Schema: mw_events(id INTEGER PRIMARY KEY, time_ms, source, rule, key,
 * action, count, lim, window_ms, client_address, sasl_username, sender,
 * evidence TEXT = {"recipients":[...],"subjects":[...]}), indexed by time,
 * by (key, time), (source, time) and (action, time): the API filters by
 * key, type and action (status counts the alerts of the last 24 h).
 */
#include "store/eventlog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

struct mw_eventlog {
	sqlite3 *db;
	sqlite3_stmt *ins;
};

/* WAL with synchronous=NORMAL: a commit does not wait for fsync (the daemon
 * writes from its event loop); the WAL is synced at checkpoints. */
static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS mw_events(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
	" source TEXT, rule TEXT, key TEXT, action TEXT, count INTEGER, lim INTEGER,"
	" window_ms INTEGER, client_address TEXT, sasl_username TEXT, sender TEXT, evidence TEXT);"
	"CREATE INDEX IF NOT EXISTS mw_events_time ON mw_events(time_ms);"
	"CREATE INDEX IF NOT EXISTS mw_events_key ON mw_events(key, time_ms);"
	"CREATE INDEX IF NOT EXISTS mw_events_source ON mw_events(source, time_ms);"
	"CREATE INDEX IF NOT EXISTS mw_events_action ON mw_events(action, time_ms);";

/* mw_eventlog_open - open the file and prepare the insert */
mw_eventlog *mw_eventlog_open(const char *path, bool readonly, mw_err *err)
{
	mw_eventlog *log = calloc(1, sizeof(*log));
	if (!log) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &log->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(log->db, 2000);
	if (!readonly && (sqlite3_exec(log->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
			  sqlite3_prepare_v2(log->db,
					     "INSERT INTO mw_events(time_ms, source, rule, key, action,"
					     " count, lim, window_ms, client_address, sasl_username,"
					     " sender, evidence) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
					     -1, &log->ins, NULL) != SQLITE_OK))
		goto fail;
	return log;
fail:
	mw_err_set(err, MW_EIO, "event log %s: %s", path,
		   log->db ? sqlite3_errmsg(log->db) : "out of memory");
	mw_eventlog_close(log);
	return NULL;
}

/* mw_eventlog_close - finalize and close */
void mw_eventlog_close(mw_eventlog *log)
{
	if (!log)
		return;
	sqlite3_finalize(log->ins);
	sqlite3_close(log->db);
	free(log);
}

/* evidence_json - the recipients/subjects sample as text (free()) */
static char *evidence_json(const mw_event *ev)
{
	json_t *o = mw_event_to_json(ev), *e = json_object();
	char *s = NULL;
	if (o && e) {
		json_object_set(e, "recipients", json_object_get(o, "recipients"));
		json_object_set(e, "subjects", json_object_get(o, "subjects"));
		s = json_dumps(e, JSON_COMPACT);
	}
	json_decref(o);
	json_decref(e);
	return s;
}

/* mw_eventlog_add - insert one event */
mw_status mw_eventlog_add(mw_eventlog *log, mw_event *ev, mw_err *err)
{
	if (!log->ins)
		return mw_err_set(err, MW_EINVAL, "event log opened read-only");
	char *evidence = evidence_json(ev);
	sqlite3_stmt *s = log->ins;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, ev->time_ms);
	const char *text[] = {ev->source, ev->rule, ev->key, ev->action};
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(s, 2 + i, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)ev->count);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)ev->limit);
	sqlite3_bind_int64(s, 8, ev->window_ms);
	sqlite3_bind_text(s, 9, ev->client_address, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, ev->sasl_username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, ev->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, evidence ? evidence : "{}", -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(evidence);
	if (rc != SQLITE_DONE)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	ev->id = sqlite3_last_insert_rowid(log->db);
	return MW_OK;
}

/* col_text - copy a text column */
static void col_text(sqlite3_stmt *s, int col, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	mw_strlcpy(dst, t ? (const char *)t : "", n);
}

/* read_row - one row into ev */
static void read_row(sqlite3_stmt *s, mw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(s, 0);
	ev->time_ms = sqlite3_column_int64(s, 1);
	col_text(s, 2, ev->source, sizeof(ev->source));
	col_text(s, 3, ev->rule, sizeof(ev->rule));
	col_text(s, 4, ev->key, sizeof(ev->key));
	col_text(s, 5, ev->action, sizeof(ev->action));
	ev->count = (uint64_t)sqlite3_column_int64(s, 6);
	ev->limit = (uint64_t)sqlite3_column_int64(s, 7);
	ev->window_ms = sqlite3_column_int64(s, 8);
	col_text(s, 9, ev->client_address, sizeof(ev->client_address));
	col_text(s, 10, ev->sasl_username, sizeof(ev->sasl_username));
	col_text(s, 11, ev->sender, sizeof(ev->sender));
	const unsigned char *e = sqlite3_column_text(s, 12);
	json_t *o = e ? json_loads((const char *)e, 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "recipients"), i, v)
		mw_event_add_recipient(ev, json_string_value(v));
	json_array_foreach(json_object_get(o, "subjects"), i, v)
		mw_event_add_subject(ev, json_string_value(v));
	json_decref(o);
}

/* mw_eventlog_list - query by time (and key) */
mw_status mw_eventlog_list(mw_eventlog *log, int64_t since_ms, const char *key, size_t max,
			   mw_event **out, size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	if (max == 0 || max > MW_EVENT_LIST_MAX)
		max = MW_EVENT_LIST_MAX;
	sqlite3_stmt *s = NULL;
	const char *sql = "SELECT * FROM (SELECT id, time_ms, source, rule, key, action, count, lim,"
			  " window_ms, client_address, sasl_username, sender, evidence FROM mw_events"
			  " WHERE time_ms >= ?1 AND (?2 IS NULL OR key = ?2) ORDER BY id DESC"
			  " LIMIT ?3) ORDER BY id";
	if (sqlite3_prepare_v2(log->db, sql, -1, &s, NULL) != SQLITE_OK)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	sqlite3_bind_int64(s, 1, since_ms);
	if (key)
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	size_t cap = 0;
	mw_event *list = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			mw_event *nl = realloc(list, cap * sizeof(*list));
			if (!nl) {
				free(list);
				sqlite3_finalize(s);
				*n = 0;
				return mw_err_set(err, MW_ENOMEM, "out of memory");
			}
			list = nl;
		}
		read_row(s, &list[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(list);
		*n = 0;
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	}
	*out = list;
	return MW_OK;
}

/* mw_event_filter_where - the WHERE clause of the conditions set */
int mw_event_filter_where(const mw_event_filter *f, char *sql, size_t cap)
{
	static const char *const cond[] = {"time_ms >= ?", "time_ms < ?", "key = ?",
					   "rule = ?", "action = ?", "source = ?"};
	bool set[6] = {f->since_ms != 0, f->until_ms != 0, f->key != NULL,
		       f->rule != NULL, f->action != NULL, f->source != NULL};
	size_t len = 0;
	int np = 0;
	sql[0] = '\0';
	for (int i = 0; i < 6; i++) {
		if (!set[i])
			continue;
		np++;
		int w = snprintf(sql + len, cap - len, "%s%s%d", np == 1 ? " WHERE " : " AND ",
				 cond[i], np);
		if (w < 0 || (size_t)w >= cap - len)
			return -1;
		len += (size_t)w;
	}
	return np;
}

/* bind_filter - the parameters of mw_event_filter_where, in its order */
static void bind_filter(sqlite3_stmt *s, const mw_event_filter *f)
{
	int i = 1;
	if (f->since_ms)
		sqlite3_bind_int64(s, i++, f->since_ms);
	if (f->until_ms)
		sqlite3_bind_int64(s, i++, f->until_ms);
	const char *text[] = {f->key, f->rule, f->action, f->source};
	for (int t = 0; t < 4; t++)
		if (text[t])
			sqlite3_bind_text(s, i++, text[t], -1, SQLITE_STATIC);
}

/* mw_eventlog_count - SELECT count(*) */
mw_status mw_eventlog_count(mw_eventlog *log, const mw_event_filter *f, uint64_t *total,
			    mw_err *err)
{
	char where[256], sql[400];
	int np = mw_event_filter_where(f, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM mw_events%s", where);
	sqlite3_stmt *s = NULL;
	if (np < 0 || sqlite3_prepare_v2(log->db, sql, -1, &s, NULL) != SQLITE_OK)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	bind_filter(s, f);
	int rc = sqlite3_step(s);
	*total = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	return MW_OK;
}

/* mw_eventlog_query - page of matching events, newest first */
mw_status mw_eventlog_query(mw_eventlog *log, const mw_event_filter *f, size_t limit,
			    size_t offset, mw_event **out, size_t *n, uint64_t *total, mw_err *err)
{
	*out = NULL;
	*n = 0;
	if (total && mw_eventlog_count(log, f, total, err) != MW_OK)
		return err ? err->code : MW_EIO;
	if (limit == 0 || limit > MW_EVENT_LIST_MAX)
		limit = MW_EVENT_LIST_MAX;
	char where[256], sql[700];
	int np = mw_event_filter_where(f, where, sizeof(where));
	snprintf(sql, sizeof(sql),
		 "SELECT id, time_ms, source, rule, key, action, count, lim, window_ms,"
		 " client_address, sasl_username, sender, evidence FROM mw_events%s"
		 " ORDER BY time_ms DESC, id DESC LIMIT %zu OFFSET %zu", where, limit, offset);
	sqlite3_stmt *s = NULL;
	if (np < 0 || sqlite3_prepare_v2(log->db, sql, -1, &s, NULL) != SQLITE_OK)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	bind_filter(s, f);
	mw_event *list = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!list && !(list = malloc(limit * sizeof(*list)))) {
			sqlite3_finalize(s);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
		read_row(s, &list[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(list);
		*n = 0;
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	}
	*out = list;
	return MW_OK;
}

/* mw_eventlog_prune - retention */
mw_status mw_eventlog_prune(mw_eventlog *log, int64_t now_ms, int64_t keep_ms, size_t *deleted,
			    mw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(log->db, "DELETE FROM mw_events WHERE time_ms < ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	sqlite3_bind_int64(s, 1, now_ms - keep_ms);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return mw_err_set(err, MW_EIO, "event log: %s", sqlite3_errmsg(log->db));
	if (deleted)
		*deleted = (size_t)sqlite3_changes(log->db);
	return MW_OK;
}
