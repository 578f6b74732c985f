/*
 * store/store_memory.c - the memory counter store (see store.h).
 *
 * Its own chained hash table rather than mw_htab, because the window is
 * stored inline with the key in one allocation: about 100 bytes + key per
 * counted key, so 1,000,000 keys fit in ~140 MB with the bucket array
 * (measured in test_store.c).  The table doubles when the load passes 1;
 * the rehash is O(keys), amortised O(1) per insert.  Idle keys (every
 * bucket out of the window) are dropped by an incremental sweep.
 */
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "store/store.h"

typedef struct ment {
	struct ment *next;
	uint64_t hash;
	mw_window win;
	uint16_t klen;
	char key[];
} ment;

typedef struct mem_store {
	mw_store base;
	ment **buckets;
	size_t nbuckets, count, max_keys;
	size_t cursor; /* expire sweep position */
} mem_store;

/* find - link that holds key, or the NULL link at the end of its chain */
static ment **find(mem_store *m, const char *key, size_t klen, uint64_t h)
{
	ment **pp = &m->buckets[h & (m->nbuckets - 1)];
	while (*pp && !((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->key, key, klen) == 0))
		pp = &(*pp)->next;
	return pp;
}

/* grow - double the bucket array (ignored when out of memory: chains lengthen) */
static void grow(mem_store *m)
{
	size_t nb = m->nbuckets * 2;
	ment **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < m->nbuckets; i++) {
		ment *e = m->buckets[i];
		while (e) {
			ment *n = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
	m->cursor = 0;
}

/* mem_expire - visit up to budget entries from the cursor, drop idle ones */
static size_t mem_expire(mw_store *s, int64_t now_ms, size_t budget)
{
	mem_store *m = (mem_store *)s;
	size_t dropped = 0, seen = 0;
	for (size_t b = 0; b < m->nbuckets && seen < budget; b++) {
		size_t i = m->cursor;
		m->cursor = (m->cursor + 1) & (m->nbuckets - 1);
		ment **pp = &m->buckets[i];
		while (*pp) {
			seen++;
			if (mw_window_idle(&(*pp)->win, now_ms)) {
				ment *dead = *pp;
				*pp = dead->next;
				free(dead);
				m->count--;
				dropped++;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	return dropped;
}

/* mw_store_memory_window - window of key, optionally created */
mw_window *mw_store_memory_window(mw_store *s, const char *key, size_t klen, bool create)
{
	mem_store *m = (mem_store *)s;
	if (klen > MW_RL_KEY_MAX)
		return NULL;
	uint64_t h = mw_hash(key, klen);
	ment **pp = find(m, key, klen, h);
	if (*pp || !create)
		return *pp ? &(*pp)->win : NULL;
	if (m->count >= m->max_keys)
		return NULL;
	ment *e = calloc(1, sizeof(*e) + klen + 1);
	if (!e)
		return NULL;
	e->hash = h;
	e->klen = (uint16_t)klen;
	memcpy(e->key, key, klen);
	*pp = e;
	if (++m->count > m->nbuckets)
		grow(m);
	return &e->win;
}

/* mem_hit - count in the window after adding n */
static mw_status mem_hit(mw_store *s, const char *key, size_t klen, int64_t window_ms, uint32_t n,
			 int64_t now_ms, uint64_t *count, mw_err *err)
{
	mem_store *m = (mem_store *)s;
	if (klen > MW_RL_KEY_MAX)
		return mw_err_set(err, MW_ETOOBIG, "counter key longer than %d bytes", MW_RL_KEY_MAX);
	mw_window *w = mw_store_memory_window(s, key, klen, n > 0);
	if (!w && n > 0 && m->count >= m->max_keys) {
		mem_expire(s, now_ms, 4096);
		w = mw_store_memory_window(s, key, klen, true);
	}
	if (!w && n == 0) {
		*count = 0;
		return MW_OK;
	}
	if (!w)
		return mw_err_set(err, m->count >= m->max_keys ? MW_ETOOBIG : MW_ENOMEM,
				  "memory store full (%zu live keys)", m->count);
	*count = mw_window_add(w, window_ms, n, now_ms);
	return MW_OK;
}

/* mem_reset - forget one key */
static mw_status mem_reset(mw_store *s, const char *key, size_t klen, mw_err *err)
{
	mem_store *m = (mem_store *)s;
	ment **pp = find(m, key, klen, mw_hash(key, klen));
	if (!*pp)
		return mw_err_set(err, MW_ENOTFOUND, "no such key");
	ment *dead = *pp;
	*pp = dead->next;
	free(dead);
	m->count--;
	return MW_OK;
}

static size_t mem_keys(const mw_store *s) { return ((const mem_store *)s)->count; }
static mw_status mem_flush(mw_store *s, mw_err *err)
{
	(void)s;
	(void)err;
	return MW_OK;
}
static mw_store_state mem_state(const mw_store *s)
{
	(void)s;
	return MW_STORE_UP;
}

/* mem_free - release every entry */
static void mem_free(mw_store *s)
{
	mem_store *m = (mem_store *)s;
	for (size_t i = 0; i < m->nbuckets; i++) {
		ment *e = m->buckets[i];
		while (e) {
			ment *n = e->next;
			free(e);
			e = n;
		}
	}
	free(m->buckets);
	free(m);
}

static const mw_store_ops mem_ops = {
	"memory", mem_hit, mem_reset, mem_expire, mem_keys, mem_flush, mem_state, mem_free,
};

/* mw_store_open_memory - new empty memory store */
mw_store *mw_store_open_memory(size_t max_keys)
{
	mem_store *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->nbuckets = 1024;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	if (!m->buckets) {
		free(m);
		return NULL;
	}
	m->max_keys = max_keys ? max_keys : MW_STORE_KEYS_MAX;
	m->base.ops = &mem_ops;
	return &m->base;
}

/* mw_store_free - any store */
void mw_store_free(mw_store *s)
{
	if (!s)
		return;
	mw_store_flush(s, NULL);
	s->ops->free(s);
}
