/*
 * store/ratehist.c - per-minute counts per key (see ratehist.h).
 *
 * Cost: one hash update per add; once a minute a sort of that minute's
 * keys (O(k log k), k <= MW_RATEHIST_PENDING_MAX) and keep_keys upserts in
 * one transaction.
 */
#include "store/ratehist.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/limits.h"

struct mw_ratehist {
	sqlite3 *db;
	sqlite3_stmt *up, *sel;
	mw_htab *pending; /* key -> uint64_t* count, for minute `minute` */
	int64_t minute;   /* minute index (ms / 60000) of the pending counts */
	int64_t last_prune;
	size_t keep_keys;
	uint64_t dropped;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS mw_rate_history(key TEXT NOT NULL, minute INTEGER NOT NULL,"
	" count INTEGER NOT NULL, PRIMARY KEY(key, minute)) WITHOUT ROWID;";

/* mw_ratehist_open - open or create */
mw_ratehist *mw_ratehist_open(const char *path, bool readonly, size_t keep_keys, mw_err *err)
{
	mw_ratehist *h = calloc(1, sizeof(*h));
	if (!h || !(h->pending = mw_htab_new(free))) {
		free(h);
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	h->keep_keys = keep_keys ? keep_keys : MW_RATEHIST_KEYS_DEFAULT;
	if (!path)
		return h;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &h->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(h->db, 2000);
	if (!readonly && (sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
			  sqlite3_prepare_v2(h->db,
					     "INSERT INTO mw_rate_history(key, minute, count) VALUES(?,?,?)"
					     " ON CONFLICT(key, minute) DO UPDATE SET count = count + excluded.count",
					     -1, &h->up, NULL) != SQLITE_OK))
		goto fail;
	return h;
fail:
	mw_err_set(err, MW_EIO, "rate history %s: %s", path,
		   h->db ? sqlite3_errmsg(h->db) : "out of memory");
	mw_ratehist_close(h);
	return NULL;
}

/* mw_ratehist_close - flush and close */
void mw_ratehist_close(mw_ratehist *h)
{
	if (!h)
		return;
	if (h->up)
		mw_ratehist_flush(h, (h->minute + 1) * 60000, NULL);
	sqlite3_finalize(h->up);
	sqlite3_finalize(h->sel);
	sqlite3_close(h->db);
	mw_htab_free(h->pending);
	free(h);
}

typedef struct kc {
	const char *key;
	size_t klen;
	uint64_t count;
} kc;

/* cmp_count - most messages first */
static int cmp_count(const void *a, const void *b)
{
	uint64_t x = ((const kc *)a)->count, y = ((const kc *)b)->count;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* write_top - the keep_keys busiest keys of the pending minute */
static mw_status write_top(mw_ratehist *h, mw_err *err)
{
	size_t n = mw_htab_count(h->pending), m = 0;
	kc *all = n ? malloc(n * sizeof(*all)) : NULL;
	if (!all)
		return n ? mw_err_set(err, MW_ENOMEM, "out of memory") : MW_OK;
	mw_htab_iter it = {0};
	const char *k;
	size_t klen;
	void *v;
	while (mw_htab_next(h->pending, &it, &k, &klen, &v))
		all[m++] = (kc){k, klen, *(uint64_t *)v};
	qsort(all, m, sizeof(*all), cmp_count);
	if (m > h->keep_keys)
		m = h->keep_keys;
	mw_status st = MW_OK;
	sqlite3_exec(h->db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < m && st == MW_OK; i++) {
		sqlite3_reset(h->up);
		sqlite3_bind_text(h->up, 1, all[i].key, (int)all[i].klen, SQLITE_STATIC);
		sqlite3_bind_int64(h->up, 2, h->minute);
		sqlite3_bind_int64(h->up, 3, (sqlite3_int64)all[i].count);
		if (sqlite3_step(h->up) != SQLITE_DONE)
			st = mw_err_set(err, MW_EIO, "rate history: %s", sqlite3_errmsg(h->db));
		sqlite3_reset(h->up);
	}
	if (sqlite3_exec(h->db, st == MW_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
	    st == MW_OK)
		st = mw_err_set(err, MW_EIO, "rate history: %s", sqlite3_errmsg(h->db));
	free(all);
	return st;
}

/* prune - hourly: rows older than 24 h */
static void prune(mw_ratehist *h, int64_t minute)
{
	if (minute - h->last_prune < 60)
		return;
	h->last_prune = minute;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(h->db, "DELETE FROM mw_rate_history WHERE minute < ?", -1, &s,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, minute - MW_RATEHIST_MINUTES);
		sqlite3_step(s);
	}
	sqlite3_finalize(s);
}

/* mw_ratehist_flush - the pending minute is over: write it, start anew */
mw_status mw_ratehist_flush(mw_ratehist *h, int64_t now_ms, mw_err *err)
{
	int64_t minute = now_ms / 60000;
	if (minute <= h->minute)
		return MW_OK;
	mw_status st = MW_OK;
	if (h->up && mw_htab_count(h->pending))
		st = write_top(h, err);
	if (h->up)
		prune(h, minute);
	if (mw_htab_count(h->pending)) {
		mw_htab_free(h->pending);
		h->pending = mw_htab_new(free);
	}
	h->minute = minute;
	return h->pending ? st : mw_err_set(err, MW_ENOMEM, "out of memory");
}

/* mw_ratehist_add - count in the current minute */
void mw_ratehist_add(mw_ratehist *h, const char *key, uint32_t n, int64_t now_ms)
{
	if (now_ms / 60000 > h->minute)
		mw_ratehist_flush(h, now_ms, NULL);
	if (!h->pending)
		return;
	size_t kl = strlen(key);
	uint64_t *c = mw_htab_get(h->pending, key, kl);
	if (!c) {
		if (mw_htab_count(h->pending) >= MW_RATEHIST_PENDING_MAX || kl > MW_RL_KEY_MAX ||
		    !(c = calloc(1, sizeof(*c)))) {
			h->dropped++;
			return;
		}
		if (mw_htab_put(h->pending, key, kl, c) != MW_OK) {
			free(c);
			h->dropped++;
			return;
		}
	}
	*c += n;
}

/* mw_ratehist_pending - the current minute's count */
uint64_t mw_ratehist_pending(const mw_ratehist *h, const char *key, int64_t *minute_ms)
{
	*minute_ms = h->minute * 60000;
	const uint64_t *c = h->pending ? mw_htab_get(h->pending, key, strlen(key)) : NULL;
	return c ? *c : 0;
}

/* mw_ratehist_query - stored minutes */
mw_status mw_ratehist_query(mw_ratehist *h, const char *key, int64_t since_ms,
			    mw_ratehist_point **out, size_t *n, mw_err *err)
{
	*out = NULL;
	*n = 0;
	if (!h->db)
		return MW_OK;
	if (!h->sel && sqlite3_prepare_v2(h->db,
					  "SELECT minute, count FROM mw_rate_history WHERE key = ?"
					  " AND minute >= ? ORDER BY minute LIMIT ?",
					  -1, &h->sel, NULL) != SQLITE_OK) {
		/* a reader opened before the daemon created the table */
		if (strstr(sqlite3_errmsg(h->db), "no such table"))
			return MW_OK;
		return mw_err_set(err, MW_EIO, "rate history: %s", sqlite3_errmsg(h->db));
	}
	sqlite3_stmt *s = h->sel;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since_ms / 60000);
	sqlite3_bind_int64(s, 3, MW_RATEHIST_MINUTES + 1);
	mw_ratehist_point *list = malloc((MW_RATEHIST_MINUTES + 1) * sizeof(*list));
	if (!list)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		list[(*n)++] = (mw_ratehist_point){sqlite3_column_int64(s, 0) * 60000,
						  (uint64_t)sqlite3_column_int64(s, 1)};
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(list);
		*n = 0;
		return mw_err_set(err, MW_EIO, "rate history: %s", sqlite3_errmsg(h->db));
	}
	*out = list;
	return MW_OK;
}

/* mw_ratehist_dropped - counted-out keys */
uint64_t mw_ratehist_dropped(const mw_ratehist *h)
{
	return h->dropped;
}
