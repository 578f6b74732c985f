/*
 * store/blockstore.h - the manual blocks of the HTTP API (POST /api/block),
 * kept in the events SQLite file so a restart does not lift them.
 *
 * DESCRIPTION
 *   Table mw_blocks(key PRIMARY KEY, since_ms, until_ms).  The daemon's
 *   loop writes a row when a block is set (replacing the key's previous
 *   one), deletes it on release, and at start loads the rows whose end
 *   is still ahead (mw_blockstore_load deletes the others).
 *
 * LIMITS
 *   mw_blockstore_load returns at most max rows (the tracker's
 *   MW_RLT_BLOCKS_MAX); keys up to MW_RL_KEY_MAX bytes.
 *
 * OWNERSHIP
 *   mw_blockstore_open returns a handle for mw_blockstore_close; load
 *   fills a malloc'd array the caller free()s.
 */
#ifndef MW_STORE_BLOCKSTORE_H
#define MW_STORE_BLOCKSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

typedef struct mw_blockstore mw_blockstore;

typedef struct mw_blockrow {
	char key[MW_RL_KEY_MAX + 1];
	int64_t since_ms, until_ms;
} mw_blockrow;

/* mw_blockstore_open - open or create the table in path */
mw_blockstore *mw_blockstore_open(const char *path, mw_err *err);
/* mw_blockstore_close - NULL is fine */
void mw_blockstore_close(mw_blockstore *b);
/* mw_blockstore_put - key blocked from since_ms until until_ms */
mw_status mw_blockstore_put(mw_blockstore *b, const char *key, int64_t since_ms, int64_t until_ms,
			    mw_err *err);
/* mw_blockstore_del - key released (absent is fine) */
mw_status mw_blockstore_del(mw_blockstore *b, const char *key, mw_err *err);
/* mw_blockstore_load - rows still running at now (ended ones are deleted) */
mw_status mw_blockstore_load(mw_blockstore *b, int64_t now_ms, size_t max, mw_blockrow **out,
			     size_t *n, mw_err *err);

#endif
