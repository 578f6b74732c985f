/*
 * core/htab.c - string-keyed hash table (see htab.h).
 */
#include "core/htab.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
	struct entry *next;
	uint64_t hash;
	void *value;
	size_t klen;
	char key[]; /* klen bytes + NUL */
} entry;

struct mw_htab {
	entry **buckets;
	size_t nbuckets, count;
	mw_htab_free_fn free_value;
};

/* mw_hash - FNV-1a */
uint64_t mw_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* mw_htab_new - create a table */
mw_htab *mw_htab_new(mw_htab_free_fn free_value)
{
	mw_htab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nbuckets = 16;
	t->buckets = calloc(t->nbuckets, sizeof(entry *));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->free_value = free_value;
	return t;
}

/* mw_htab_free - destroy a table */
void mw_htab_free(mw_htab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		entry *e = t->buckets[i];
		while (e) {
			entry *n = e->next;
			if (t->free_value)
				t->free_value(e->value);
			free(e);
			e = n;
		}
	}
	free(t->buckets);
	free(t);
}

/* find - pointer to the link that holds key (or to the NULL at chain end) */
static entry **find(const mw_htab *t, const void *key, size_t klen, uint64_t h)
{
	entry **pp = &t->buckets[h & (t->nbuckets - 1)];
	while (*pp && !((*pp)->hash == h && (*pp)->klen == klen &&
			memcmp((*pp)->key, key, klen) == 0))
		pp = &(*pp)->next;
	return pp;
}

/* mw_htab_get - look up a key */
void *mw_htab_get(const mw_htab *t, const void *key, size_t klen)
{
	entry *e = *find(t, key, klen, mw_hash(key, klen));
	return e ? e->value : NULL;
}

/* grow - double the bucket array */
static void grow(mw_htab *t)
{
	size_t nb = t->nbuckets * 2;
	entry **b = calloc(nb, sizeof(entry *));
	if (!b)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		entry *e = t->buckets[i];
		while (e) {
			entry *n = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* mw_htab_put - insert or replace */
mw_status mw_htab_put(mw_htab *t, const void *key, size_t klen, void *value)
{
	uint64_t h = mw_hash(key, klen);
	entry **pp = find(t, key, klen, h);
	if (*pp) {
		if (t->free_value && (*pp)->value != value)
			t->free_value((*pp)->value);
		(*pp)->value = value;
		return MW_OK;
	}
	entry *e = malloc(sizeof(*e) + klen + 1);
	if (!e)
		return MW_ENOMEM;
	e->next = NULL;
	e->hash = h;
	e->value = value;
	e->klen = klen;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	*pp = e;
	if (++t->count > t->nbuckets)
		grow(t);
	return MW_OK;
}

/* mw_htab_del - remove a key */
bool mw_htab_del(mw_htab *t, const void *key, size_t klen)
{
	entry **pp = find(t, key, klen, mw_hash(key, klen));
	entry *e = *pp;
	if (!e)
		return false;
	*pp = e->next;
	if (t->free_value)
		t->free_value(e->value);
	free(e);
	t->count--;
	return true;
}

/* mw_htab_count - entries */
size_t mw_htab_count(const mw_htab *t)
{
	return t->count;
}

/* mw_htab_next - iterate over entries */
bool mw_htab_next(const mw_htab *t, mw_htab_iter *it, const char **key, size_t *klen,
		  void **value)
{
	entry *e = it->entry ? ((entry *)it->entry)->next : NULL;
	while (!e && it->bucket < t->nbuckets)
		e = t->buckets[it->bucket++];
	it->entry = e;
	if (!e)
		return false;
	if (key)
		*key = e->key;
	if (klen)
		*klen = e->klen;
	if (value)
		*value = e->value;
	return true;
}
