/*
 * logwatch/logread.c - chunked line reader with transparent gzip (see logread.h).
 */
#include "logwatch/logread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/limits.h"

typedef struct reader {
	int fd;
	char *buf; /* decoded data: partial line + new bytes */
	size_t len, cap;
	bool skipping; /* inside an oversized line */
	unsigned char *zin;
	z_stream z;
	bool gz, zinit, zend, eof;
	mw_logread_stats *st;
	mw_line_fn fn;
	void *ctx;
} reader;

/* raw_read - read() that retries on EINTR */
static ssize_t raw_read(int fd, void *p, size_t n)
{
	ssize_t r;
	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* fill_gz - inflate into buf[len..cap); returns bytes produced, -1 on read error */
static ssize_t fill_gz(reader *r)
{
	size_t before = r->len;
	while (r->len < r->cap && !r->zend) {
		if (r->z.avail_in == 0) {
			if (r->eof) {
				r->st->truncated_gzip = true; /* stream not finished */
				r->zend = true;
				break;
			}
			ssize_t n = raw_read(r->fd, r->zin, MW_LOG_READ_CHUNK);
			if (n < 0)
				return -1;
			if (n == 0) {
				r->eof = true;
				continue;
			}
			r->st->raw_bytes += (uint64_t)n;
			r->z.next_in = r->zin;
			r->z.avail_in = (uInt)n;
		}
		r->z.next_out = (Bytef *)r->buf + r->len;
		r->z.avail_out = (uInt)(r->cap - r->len);
		int zr = inflate(&r->z, Z_NO_FLUSH);
		r->len = r->cap - r->z.avail_out;
		if (zr == Z_STREAM_END) {
			/* another member follows? (gzip allows concatenation) */
			if (r->z.avail_in == 0) {
				ssize_t n = raw_read(r->fd, r->zin, MW_LOG_READ_CHUNK);
				if (n > 0) {
					r->st->raw_bytes += (uint64_t)n;
					r->z.next_in = r->zin;
					r->z.avail_in = (uInt)n;
				}
			}
			if (r->z.avail_in >= 2 && r->z.next_in[0] == 0x1f && r->z.next_in[1] == 0x8b)
				inflateReset(&r->z);
			else
				r->zend = true;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			r->st->truncated_gzip = true; /* corrupt data */
			r->zend = true;
		}
	}
	return (ssize_t)(r->len - before);
}

/* fill - more decoded bytes into the buffer; 0 at end, -1 on error */
static ssize_t fill(reader *r)
{
	if (r->gz)
		return fill_gz(r);
	if (r->eof)
		return 0;
	size_t want = r->cap - r->len;
	if (want > MW_LOG_READ_CHUNK)
		want = MW_LOG_READ_CHUNK;
	ssize_t n = raw_read(r->fd, r->buf + r->len, want);
	if (n <= 0) {
		r->eof = n == 0;
		return n;
	}
	r->st->raw_bytes += (uint64_t)n;
	r->len += (size_t)n;
	return n;
}

/* emit - deliver the complete lines in buf; keep the tail; true to stop */
static bool emit(reader *r, bool final)
{
	char *p = r->buf, *end = r->buf + r->len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (!final)
				break;
			nl = end;
		}
		if (r->skipping) {
			r->skipping = false;
		} else if ((size_t)(nl - p) > MW_LOG_LINE_MAX) {
			r->st->oversized++;
		} else {
			r->st->lines++;
			if (r->fn(r->ctx, p, (size_t)(nl - p)) != 0)
				return true;
		}
		p = nl + (nl < end);
	}
	size_t rest = (size_t)(end - p);
	if (rest > MW_LOG_LINE_MAX) { /* no newline within the limit: drop and skip */
		if (!r->skipping)
			r->st->oversized++;
		r->skipping = true;
		rest = 0;
	}
	memmove(r->buf, p, rest);
	r->len = rest;
	return false;
}

/* start - read the first block and decide plain or gzip */
static ssize_t start(reader *r)
{
	ssize_t n = raw_read(r->fd, r->zin, MW_LOG_READ_CHUNK);
	if (n <= 0) {
		r->eof = true;
		return n;
	}
	r->st->raw_bytes += (uint64_t)n;
	if (n >= 2 && r->zin[0] == 0x1f && r->zin[1] == 0x8b) {
		r->gz = r->st->gzip = true;
		if (inflateInit2(&r->z, 15 + 32) != Z_OK)
			return -2;
		r->zinit = true;
		r->z.next_in = r->zin;
		r->z.avail_in = (uInt)n;
		return fill_gz(r);
	}
	memcpy(r->buf, r->zin, (size_t)n);
	r->len = (size_t)n;
	return n;
}

/* mw_logread_fd - see logread.h */
mw_status mw_logread_fd(int fd, mw_line_fn fn, void *ctx, mw_progress_fn progress, void *pctx,
			mw_logread_stats *st, mw_err *err)
{
	reader r = {.fd = fd, .st = st, .fn = fn, .ctx = ctx};
	memset(st, 0, sizeof(*st));
	r.cap = (size_t)MW_LOG_LINE_MAX + MW_LOG_READ_CHUNK + 1;
	r.buf = malloc(r.cap);
	r.zin = malloc(MW_LOG_READ_CHUNK);
	mw_status rc = MW_OK;
	if (!r.buf || !r.zin) {
		rc = mw_err_set(err, MW_ENOMEM, "out of memory");
		goto out;
	}
	ssize_t n = start(&r);
	for (;;) {
		if (n == -2) {
			rc = mw_err_set(err, MW_ENOMEM, "zlib init failed");
			break;
		}
		if (n < 0) {
			rc = mw_err_set(err, MW_EIO, "read error: %s", strerror(errno));
			break;
		}
		st->bytes += (uint64_t)(n > 0 ? n : 0);
		bool done = n == 0 && (!r.gz || r.zend);
		if (emit(&r, done) || done)
			break;
		if (progress)
			progress(pctx, st->raw_bytes);
		n = fill(&r);
		if (n == 0 && r.gz && !r.zend)
			continue;
	}
out:
	if (r.zinit)
		inflateEnd(&r.z);
	free(r.buf);
	free(r.zin);
	return rc;
}
