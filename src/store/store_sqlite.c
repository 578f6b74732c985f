/*
 * store/store_sqlite.c - persistent counter store (see store.h).
 *
 * A memory store in front answers every read; each change is also written
 * (UPSERT of the key's whole window, 76 bytes) inside an open transaction
 * that mw_store_flush commits.  The daemon flushes every second, so a crash
 * loses at most a second of counts, and a restart resumes the windows.
 * Idle rows are deleted at most once a minute.  Schema:
 *   mw_counters(key BLOB PRIMARY KEY, head INTEGER, width INTEGER, slots BLOB)
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

_Static_assert(MW_RL_SLOTS == 16, "the gc statement below spells MW_RL_SLOTS as 16");

typedef struct sql_store {
	mw_store base;
	mw_store *mem;
	sqlite3 *db;
	sqlite3_stmt *sel, *put, *del, *gc;
	bool in_tx;
	int64_t last_gc_ms;
} sql_store;

/* exec - run a statement without results */
static mw_status exec(sql_store *q, const char *sql, mw_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mw_err_set(err, MW_EIO, "sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return MW_EIO;
	}
	return MW_OK;
}

/* begin - open the write transaction if none */
static mw_status begin(sql_store *q, mw_err *err)
{
	if (q->in_tx)
		return MW_OK;
	mw_status st = exec(q, "BEGIN", err);
	q->in_tx = st == MW_OK;
	return st;
}

/* load - window of key from the database into the memory store */
static mw_window *load(sql_store *q, const char *key, size_t klen)
{
	mw_window *w = mw_store_memory_window(q->mem, key, klen, true);
	if (!w)
		return NULL;
	sqlite3_reset(q->sel);
	sqlite3_bind_blob(q->sel, 1, key, (int)klen, SQLITE_STATIC);
	if (sqlite3_step(q->sel) == SQLITE_ROW &&
	    sqlite3_column_bytes(q->sel, 2) == (int)sizeof(w->slot)) {
		w->head = sqlite3_column_int64(q->sel, 0);
		w->width_ms = (uint32_t)sqlite3_column_int64(q->sel, 1);
		memcpy(w->slot, sqlite3_column_blob(q->sel, 2), sizeof(w->slot));
	}
	sqlite3_reset(q->sel);
	return w;
}

/* sql_hit - update in memory, write through */
static mw_status sql_hit(mw_store *s, const char *key, size_t klen, int64_t window_ms, uint32_t n,
			 int64_t now_ms, uint64_t *count, mw_err *err)
{
	sql_store *q = (sql_store *)s;
	if (klen > MW_RL_KEY_MAX)
		return mw_err_set(err, MW_ETOOBIG, "counter key longer than %d bytes", MW_RL_KEY_MAX);
	mw_window *w = mw_store_memory_window(q->mem, key, klen, false);
	if (!w)
		w = load(q, key, klen);
	if (!w && mw_store_expire(q->mem, now_ms, 4096) > 0)
		w = load(q, key, klen);
	if (!w)
		return mw_err_set(err, MW_ETOOBIG, "sqlite store: memory cache full");
	*count = mw_window_add(w, window_ms, n, now_ms);
	if (n == 0 || begin(q, err) != MW_OK)
		return n == 0 ? MW_OK : MW_EIO;
	sqlite3_reset(q->put);
	sqlite3_bind_blob(q->put, 1, key, (int)klen, SQLITE_STATIC);
	sqlite3_bind_int64(q->put, 2, w->head);
	sqlite3_bind_int64(q->put, 3, w->width_ms);
	sqlite3_bind_blob(q->put, 4, w->slot, sizeof(w->slot), SQLITE_STATIC);
	int rc = sqlite3_step(q->put);
	sqlite3_reset(q->put);
	if (rc != SQLITE_DONE)
		return mw_err_set(err, MW_EIO, "sqlite: %s", sqlite3_errmsg(q->db));
	return MW_OK;
}

/* sql_reset - forget key in memory and on disk */
static mw_status sql_reset(mw_store *s, const char *key, size_t klen, mw_err *err)
{
	sql_store *q = (sql_store *)s;
	mw_status mst = mw_store_reset(q->mem, key, klen, NULL);
	if (begin(q, err) != MW_OK)
		return MW_EIO;
	sqlite3_reset(q->del);
	sqlite3_bind_blob(q->del, 1, key, (int)klen, SQLITE_STATIC);
	int rc = sqlite3_step(q->del);
	sqlite3_reset(q->del);
	if (rc != SQLITE_DONE)
		return mw_err_set(err, MW_EIO, "sqlite: %s", sqlite3_errmsg(q->db));
	if (mst != MW_OK && sqlite3_changes(q->db) == 0)
		return mw_err_set(err, MW_ENOTFOUND, "no such key");
	return mw_store_flush(s, err);
}

/* sql_expire - idle keys leave memory; idle rows leave the file once a minute */
static size_t sql_expire(mw_store *s, int64_t now_ms, size_t budget)
{
	sql_store *q = (sql_store *)s;
	size_t n = mw_store_expire(q->mem, now_ms, budget);
	if (now_ms - q->last_gc_ms >= 60000 && begin(q, NULL) == MW_OK) {
		q->last_gc_ms = now_ms;
		sqlite3_reset(q->gc);
		sqlite3_bind_int64(q->gc, 1, now_ms);
		sqlite3_step(q->gc);
		sqlite3_reset(q->gc);
	}
	return n;
}

static size_t sql_keys(const mw_store *s) { return mw_store_keys(((const sql_store *)s)->mem); }
static mw_store_state sql_state(const mw_store *s)
{
	(void)s;
	return MW_STORE_UP;
}

/* sql_flush - commit the open transaction */
static mw_status sql_flush(mw_store *s, mw_err *err)
{
	sql_store *q = (sql_store *)s;
	if (!q->in_tx)
		return MW_OK;
	q->in_tx = false;
	return exec(q, "COMMIT", err);
}

/* sql_free - close everything (flushed by mw_store_free) */
static void sql_free(mw_store *s)
{
	sql_store *q = (sql_store *)s;
	sqlite3_finalize(q->sel);
	sqlite3_finalize(q->put);
	sqlite3_finalize(q->del);
	sqlite3_finalize(q->gc);
	sqlite3_close(q->db);
	mw_store_free(q->mem);
	free(q);
}

static const mw_store_ops sql_ops = {
	"sqlite", sql_hit, sql_reset, sql_expire, sql_keys, sql_flush, sql_state, sql_free,
};

/* mw_store_open_sqlite - open or create the counters table in path */
mw_store *mw_store_open_sqlite(const char *path, size_t max_keys, mw_err *err)
{
	sql_store *q = calloc(1, sizeof(*q));
	if (!q) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	q->base.ops = &sql_ops;
	q->mem = mw_store_open_memory(max_keys);
	if (!q->mem || sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		mw_err_set(err, MW_EIO, "sqlite %s: %s", path, q->db ? sqlite3_errmsg(q->db) : "no memory");
		goto err;
	}
	sqlite3_busy_timeout(q->db, 1000);
	if (exec(q, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		    "CREATE TABLE IF NOT EXISTS mw_counters(key BLOB PRIMARY KEY, head INTEGER,"
		    " width INTEGER, slots BLOB) WITHOUT ROWID", err) != MW_OK)
		goto err;
	if (sqlite3_prepare_v2(q->db, "SELECT head, width, slots FROM mw_counters WHERE key=?", -1,
			       &q->sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(q->db, "INSERT INTO mw_counters(key, head, width, slots) "
			       "VALUES(?,?,?,?) ON CONFLICT(key) DO UPDATE SET head=excluded.head,"
			       " width=excluded.width, slots=excluded.slots", -1, &q->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(q->db, "DELETE FROM mw_counters WHERE key=?", -1, &q->del, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(q->db, "DELETE FROM mw_counters WHERE ?1 / width - head >= 16", -1,
			       &q->gc, NULL) != SQLITE_OK) {
		mw_err_set(err, MW_EIO, "sqlite %s: %s", path, sqlite3_errmsg(q->db));
		goto err;
	}
	return &q->base;
err:
	sql_free(&q->base);
	return NULL;
}
