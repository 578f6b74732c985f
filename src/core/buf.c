/*
 * core/buf.c - owned, size-capped, binary-safe buffer (see buf.h).
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mw_buf_init - empty buffer with a maximum size */
void mw_buf_init(mw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* mw_buf_free - release storage */
void mw_buf_free(mw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* mw_buf_reset - forget contents, keep storage */
void mw_buf_reset(mw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* reserve - make room for n more bytes plus the NUL */
static mw_status reserve(mw_buf *b, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return MW_ETOOBIG;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return MW_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return MW_ENOMEM;
	b->data = p;
	b->cap = cap;
	return MW_OK;
}

/* mw_buf_append - append bytes */
mw_status mw_buf_append(mw_buf *b, const void *p, size_t n)
{
	mw_status st = reserve(b, n);
	if (st != MW_OK)
		return st;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MW_OK;
}

/* mw_buf_puts - append a C string */
mw_status mw_buf_puts(mw_buf *b, const char *s)
{
	return mw_buf_append(b, s, strlen(s));
}

/* mw_buf_putc - append a byte */
mw_status mw_buf_putc(mw_buf *b, char c)
{
	return mw_buf_append(b, &c, 1);
}

/* mw_buf_printf - append formatted text */
mw_status mw_buf_printf(mw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MW_EINVAL;
	mw_status st = reserve(b, (size_t)n);
	if (st != MW_OK)
		return st;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return MW_OK;
}

/* mw_buf_cstr - contents as a C string */
const char *mw_buf_cstr(const mw_buf *b)
{
	return b->data ? b->data : "";
}

/* mw_buf_steal - hand over the storage */
char *mw_buf_steal(mw_buf *b)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
