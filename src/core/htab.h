/*
 * core/htab.h - string-keyed hash table (chained, grows by doubling).
 *
 * DESCRIPTION
 *   Keys are byte strings copied into the table; values are opaque pointers
 *   owned by the caller unless a value destructor is given at creation, in
 *   which case the table calls it on replace, delete and free.  Lookups are
 *   O(1) expected (FNV-1a hash).  Iteration order is unspecified.
 *
 * OWNERSHIP
 *   The table owns its key copies.  Values: see free_value above.
 */
#ifndef MW_CORE_HTAB_H
#define MW_CORE_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct mw_htab mw_htab;
typedef void (*mw_htab_free_fn)(void *value);

typedef struct mw_htab_iter {
	size_t bucket;
	void *entry;
} mw_htab_iter;

/* mw_htab_new - empty table; free_value may be NULL */
mw_htab *mw_htab_new(mw_htab_free_fn free_value);
/* mw_htab_free - free keys, values (via free_value) and the table */
void mw_htab_free(mw_htab *t);
/* mw_htab_get - value for key or NULL */
void *mw_htab_get(const mw_htab *t, const void *key, size_t klen);
/* mw_htab_put - insert or replace (old value destroyed via free_value) */
mw_status mw_htab_put(mw_htab *t, const void *key, size_t klen, void *value);
/* mw_htab_del - remove key; true if it was there */
bool mw_htab_del(mw_htab *t, const void *key, size_t klen);
/* mw_htab_count - number of entries */
size_t mw_htab_count(const mw_htab *t);
/* mw_htab_next - iterate: zero-initialise it, then call until false */
bool mw_htab_next(const mw_htab *t, mw_htab_iter *it, const char **key, size_t *klen,
		  void **value);
/* mw_hash - FNV-1a of a byte string */
uint64_t mw_hash(const void *p, size_t n);

#endif
