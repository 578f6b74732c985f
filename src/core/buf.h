/*
 * core/buf.h - the project's one owned, size-capped, binary-safe buffer.
 *
 * DESCRIPTION
 *   An mw_buf grows on demand up to a maximum fixed at init time.  Appending
 *   past the maximum fails with MW_ETOOBIG and leaves the buffer unchanged;
 *   an allocation failure is MW_ENOMEM.  The data is always NUL-terminated
 *   (the NUL is not counted in len), so text users may read it as a C string.
 *
 * OWNERSHIP
 *   The buffer owns data; mw_buf_free releases it.  mw_buf_steal hands the
 *   data to the caller (free() it) and leaves the buffer empty.
 */
#ifndef MW_CORE_BUF_H
#define MW_CORE_BUF_H

#include <stddef.h>

#include "core/err.h"

typedef struct mw_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len */
} mw_buf;

/* mw_buf_init - empty buffer that may hold at most max bytes */
void mw_buf_init(mw_buf *b, size_t max);
/* mw_buf_free - release storage; the buffer is empty and reusable */
void mw_buf_free(mw_buf *b);
/* mw_buf_reset - length to zero, storage kept */
void mw_buf_reset(mw_buf *b);
/* mw_buf_append - append n bytes */
mw_status mw_buf_append(mw_buf *b, const void *p, size_t n);
/* mw_buf_puts - append a C string */
mw_status mw_buf_puts(mw_buf *b, const char *s);
/* mw_buf_putc - append one byte */
mw_status mw_buf_putc(mw_buf *b, char c);
/* mw_buf_printf - append formatted text */
mw_status mw_buf_printf(mw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* mw_buf_cstr - NUL-terminated contents ("" when empty, never NULL) */
const char *mw_buf_cstr(const mw_buf *b);
/* mw_buf_steal - give the malloc'd contents to the caller (never NULL on MW_OK) */
char *mw_buf_steal(mw_buf *b);

#endif
