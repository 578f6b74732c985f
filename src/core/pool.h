/*
 * core/pool.h - per-task memory pool (arena).
 *
 * DESCRIPTION
 *   Verification code allocates many small strings (records, expanded
 *   macros, trace lines) that all die together.  A pool hands out memory from
 *   large chunks and frees everything at once, so engines do not free piece
 *   by piece.  A pool has a byte budget: an allocation past it returns NULL,
 *   which callers report as MW_ETOOBIG (an abuse limit, not an OOM).
 *
 * OWNERSHIP
 *   Everything returned by mw_pool_* belongs to the pool and is released by
 *   mw_pool_free.  Never free() pool memory.
 */
#ifndef MW_CORE_POOL_H
#define MW_CORE_POOL_H

#include <stddef.h>

typedef struct mw_pool mw_pool;

/* mw_pool_new - pool that may hand out at most budget bytes in total */
mw_pool *mw_pool_new(size_t budget);
/* mw_pool_free - release the pool and everything allocated from it */
void mw_pool_free(mw_pool *p);
/* mw_pool_reset - forget every allocation but keep one chunk for reuse
 * (a pool used again and again then costs no malloc) */
void mw_pool_reset(mw_pool *p);
/* mw_pool_alloc - n zeroed bytes, 16-byte aligned; NULL past the budget */
void *mw_pool_alloc(mw_pool *p, size_t n);
/* mw_pool_strdup - copy of a C string */
char *mw_pool_strdup(mw_pool *p, const char *s);
/* mw_pool_strndup - copy of n bytes plus a NUL */
char *mw_pool_strndup(mw_pool *p, const char *s, size_t n);
/* mw_pool_printf - formatted string */
char *mw_pool_printf(mw_pool *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* mw_pool_used - bytes handed out so far */
size_t mw_pool_used(const mw_pool *p);

#endif
