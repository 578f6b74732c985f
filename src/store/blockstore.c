/*
 * store/blockstore.c - manual blocks in SQLite (see blockstore.h).
 */
#include "store/blockstore.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

struct mw_blockstore {
	sqlite3 *db;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS mw_blocks(key TEXT PRIMARY KEY, since_ms INTEGER NOT NULL,"
	" until_ms INTEGER NOT NULL);";

/* sql_err - the handle's last error */
static mw_status sql_err(mw_blockstore *b, mw_err *err)
{
	return mw_err_set(err, MW_EIO, "blocks: %s", sqlite3_errmsg(b->db));
}

/* mw_blockstore_open - open, create the table */
mw_blockstore *mw_blockstore_open(const char *path, mw_err *err)
{
	mw_blockstore *b = calloc(1, sizeof(*b));
	if (!b) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (sqlite3_busy_timeout(b->db, 2000), sqlite3_exec(b->db, schema, NULL, NULL, NULL)) != SQLITE_OK) {
		mw_err_set(err, MW_EIO, "blocks %s: %s", path, b->db ? sqlite3_errmsg(b->db) : "out of memory");
		mw_blockstore_close(b);
		return NULL;
	}
	return b;
}

/* mw_blockstore_close - close */
void mw_blockstore_close(mw_blockstore *b)
{
	if (!b)
		return;
	sqlite3_close(b->db);
	free(b);
}

/* run - one statement with a key and up to two numbers */
static mw_status run(mw_blockstore *b, const char *sql, const char *key, int64_t x, int64_t y,
		     mw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(b->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_err(b, err);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 3) {
		sqlite3_bind_int64(s, 2, x);
		sqlite3_bind_int64(s, 3, y);
	}
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? MW_OK : sql_err(b, err);
}

/* mw_blockstore_put - insert or replace */
mw_status mw_blockstore_put(mw_blockstore *b, const char *key, int64_t since_ms, int64_t until_ms,
			    mw_err *err)
{
	return run(b, "INSERT OR REPLACE INTO mw_blocks(key, since_ms, until_ms) VALUES(?,?,?)", key,
		   since_ms, until_ms, err);
}

/* mw_blockstore_del - delete */
mw_status mw_blockstore_del(mw_blockstore *b, const char *key, mw_err *err)
{
	return run(b, "DELETE FROM mw_blocks WHERE key = ?", key, 0, 0, err);
}

/* mw_blockstore_load - running rows, ended ones dropped */
mw_status mw_blockstore_load(mw_blockstore *b, int64_t now_ms, size_t max, mw_blockrow **out,
			     size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(b->db, "DELETE FROM mw_blocks WHERE until_ms <= ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return sql_err(b, err);
	sqlite3_bind_int64(s, 1, now_ms);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(b->db, "SELECT key, since_ms, until_ms FROM mw_blocks ORDER BY"
			       " since_ms LIMIT ?", -1, &s, NULL) != SQLITE_OK)
		return sql_err(b, err);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
	mw_blockrow *rows = max ? malloc(max * sizeof(*rows)) : NULL;
	if (!rows) {
		sqlite3_finalize(s);
		return max ? mw_err_set(err, MW_ENOMEM, "out of memory") : MW_OK;
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s, 0);
		mw_strlcpy(rows[*n].key, k ? (const char *)k : "", sizeof(rows[*n].key));
		rows[*n].since_ms = sqlite3_column_int64(s, 1);
		rows[*n].until_ms = sqlite3_column_int64(s, 2);
		(*n)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(rows);
		*n = 0;
		return sql_err(b, err);
	}
	*out = rows;
	return MW_OK;
}
