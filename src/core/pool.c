/*
 * core/pool.c - per-task memory pool (see pool.h).
 *
 * Chunks of 16 KiB (or the size of a larger request) in a singly linked
 * list; O(1) allocation, O(chunks) release.
 */
#include "core/pool.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 16384

typedef struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[]; /* aligned storage */
} chunk;

struct mw_pool {
	chunk *head;
	size_t budget, used;
};

/* mw_pool_new - create an empty pool */
mw_pool *mw_pool_new(size_t budget)
{
	mw_pool *p = calloc(1, sizeof(*p));
	if (p)
		p->budget = budget;
	return p;
}

/* mw_pool_free - release all chunks */
void mw_pool_free(mw_pool *p)
{
	if (!p)
		return;
	chunk *c = p->head;
	while (c) {
		chunk *n = c->next;
		free(c);
		c = n;
	}
	free(p);
}

/* mw_pool_reset - drop all chunks but the last-made standard one */
void mw_pool_reset(mw_pool *p)
{
	chunk *keep = NULL, *c = p->head;
	while (c) {
		chunk *n = c->next;
		if (!keep && c->size == POOL_CHUNK)
			keep = c;
		else
			free(c);
		c = n;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	p->head = keep;
	p->used = 0;
}

/* mw_pool_alloc - carve n bytes from the current chunk or a new one */
void *mw_pool_alloc(mw_pool *p, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	if (n > p->budget || p->used > p->budget - n)
		return NULL;
	chunk *c = p->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > POOL_CHUNK ? n : POOL_CHUNK;
		c = malloc(sizeof(chunk) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = p->head;
		p->head = c;
	}
	void *r = (char *)c->data + c->used;
	c->used += n;
	p->used += n;
	memset(r, 0, n);
	return r;
}

/* mw_pool_strndup - copy n bytes */
char *mw_pool_strndup(mw_pool *p, const char *s, size_t n)
{
	char *r = mw_pool_alloc(p, n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

/* mw_pool_strdup - copy a C string */
char *mw_pool_strdup(mw_pool *p, const char *s)
{
	return mw_pool_strndup(p, s, strlen(s));
}

/* mw_pool_printf - formatted string in the pool */
char *mw_pool_printf(mw_pool *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *r = mw_pool_alloc(p, (size_t)n + 1);
	if (!r)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

/* mw_pool_used - bytes handed out */
size_t mw_pool_used(const mw_pool *p)
{
	return p->used;
}
