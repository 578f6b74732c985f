/*
 * logwatch/follow.c - tail -F for mail logs (see follow.h).
 */
#include "logwatch/follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"

typedef struct watched {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;
	char *part; /* partial last line */
	size_t plen;
	bool skipping;
	struct watched *old; /* the file renamed away, still drained for a while */
	int64_t old_until_ms;
} watched;

struct mw_follow {
	watched *w;
	size_t n;
	char *chunk;
	mw_follow_stats st;
};

/* open_at - open path; at_end: start at its current end */
static void open_at(mw_follow *f, watched *w, bool at_end)
{
	int fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		f->st.reopen_failures++;
		return;
	}
	w->fd = fd;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	w->off = at_end ? st.st_size : 0;
	w->plen = 0;
	w->skipping = false;
}

/* mw_follow_new - set up the watch list */
mw_follow *mw_follow_new(const char *const *paths, size_t n, bool from_start, mw_err *err)
{
	if (n == 0 || n > MW_LOG_FOLLOW_FILES_MAX) {
		mw_err_set(err, MW_EINVAL, "between 1 and %d files can be followed",
			   MW_LOG_FOLLOW_FILES_MAX);
		return NULL;
	}
	mw_follow *f = calloc(1, sizeof(*f));
	if (!f || !(f->w = calloc(n, sizeof(watched))) || !(f->chunk = malloc(MW_LOG_READ_CHUNK))) {
		mw_follow_free(f);
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		f->w[i].fd = -1;
		f->w[i].path = strdup(paths[i]);
		f->w[i].part = malloc(MW_LOG_LINE_MAX + 1);
		if (!f->w[i].path || !f->w[i].part) {
			mw_follow_free(f);
			mw_err_set(err, MW_ENOMEM, "out of memory");
			return NULL;
		}
		open_at(f, &f->w[i], !from_start);
	}
	return f;
}

/* deliver - one complete line (partial prefix + [p, e)) */
static uint64_t deliver(mw_follow *f, watched *w, const char *p, const char *e, mw_line_fn fn,
			void *ctx)
{
	size_t n = (size_t)(e - p);
	if (w->skipping || w->plen + n > MW_LOG_LINE_MAX) {
		if (!w->skipping)
			f->st.oversized++;
		w->skipping = false;
		w->plen = 0;
		return 0;
	}
	f->st.lines++;
	if (w->plen) {
		memcpy(w->part + w->plen, p, n);
		fn(ctx, w->part, w->plen + n);
		w->plen = 0;
	} else {
		fn(ctx, p, n);
	}
	return 1;
}

/* keep_partial - remember an unfinished line */
static void keep_partial(mw_follow *f, watched *w, const char *p, const char *e)
{
	size_t n = (size_t)(e - p);
	if (w->skipping)
		return;
	if (w->plen + n > MW_LOG_LINE_MAX) {
		f->st.oversized++;
		w->skipping = true;
		w->plen = 0;
		return;
	}
	memcpy(w->part + w->plen, p, n);
	w->plen += n;
}

/* drain - read fd from w->off to its end */
static uint64_t drain(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	uint64_t lines = 0;
	for (;;) {
		ssize_t r = pread(w->fd, f->chunk, MW_LOG_READ_CHUNK, w->off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		w->off += r;
		f->st.bytes += (uint64_t)r;
		const char *p = f->chunk, *end = f->chunk + r;
		const char *nl;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			lines += deliver(f, w, p, nl, fn, ctx);
			p = nl + 1;
		}
		keep_partial(f, w, p, end);
	}
	return lines;
}

/* now_ms - monotonic clock */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* finish - the rest of a file nobody will write to any more, its
 * unfinished last line included */
static uint64_t finish(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	uint64_t lines = drain(f, w, fn, ctx);
	if (w->plen)
		lines += deliver(f, w, w->part, w->part, fn, ctx);
	return lines;
}

/* retire_old - finish and close the previous generation of w, if any */
static uint64_t retire_old(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	watched *o = w->old;
	if (!o)
		return 0;
	uint64_t lines = finish(f, o, fn, ctx);
	close(o->fd);
	free(o->part);
	free(o);
	w->old = NULL;
	return lines;
}

/* keep_old - move w's descriptor (and partial line) to w->old, drained for
 * MW_LOG_ROTATED_GRACE_MS more: a syslog daemon writes to the renamed file
 * until it is told to reopen.  false (nothing moved) when out of memory. */
static bool keep_old(watched *w)
{
	watched *o = malloc(sizeof(*o));
	char *part = malloc(MW_LOG_LINE_MAX + 1);
	if (!o || !part) {
		free(o);
		free(part);
		return false;
	}
	*o = *w;
	o->path = NULL;
	o->old = NULL;
	w->part = part;
	w->plen = 0;
	w->skipping = false;
	w->old = o;
	w->old_until_ms = now_ms() + MW_LOG_ROTATED_GRACE_MS;
	return true;
}

/* poll_old - late lines of the renamed file; retire it after the grace */
static uint64_t poll_old(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	if (!w->old)
		return 0;
	if (now_ms() >= w->old_until_ms)
		return retire_old(f, w, fn, ctx);
	return drain(f, w->old, fn, ctx);
}

/* poll_one - truncation, new data, rotation of one path */
static uint64_t poll_one(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	uint64_t lines = poll_old(f, w, fn, ctx);
	if (w->fd < 0) {
		open_at(f, w, false);
		if (w->fd < 0)
			return 0;
	}
	struct stat st;
	if (fstat(w->fd, &st) == 0 && st.st_size < w->off) { /* truncated / copytruncate */
		f->st.truncations++;
		w->off = 0;
		w->plen = 0;
		w->skipping = false;
	}
	lines += drain(f, w, fn, ctx);
	struct stat ps;
	if (stat(w->path, &ps) == 0 && ps.st_dev == w->dev && ps.st_ino == w->ino)
		return lines;
	/* renamed away (or deleted): switch once a new file appears */
	if (stat(w->path, &ps) != 0)
		return lines; /* keep the old descriptor until a new file appears */
	lines += retire_old(f, w, fn, ctx);
	if (!keep_old(w)) { /* out of memory: finish the old file now */
		lines += finish(f, w, fn, ctx);
		close(w->fd);
	}
	w->fd = -1;
	f->st.rotations++;
	open_at(f, w, false);
	if (w->fd >= 0)
		lines += drain(f, w, fn, ctx);
	return lines;
}

/* mw_follow_poll - all paths */
uint64_t mw_follow_poll(mw_follow *f, mw_line_fn fn, void *ctx)
{
	uint64_t lines = 0;
	for (size_t i = 0; i < f->n; i++)
		lines += poll_one(f, &f->w[i], fn, ctx);
	return lines;
}

/* mw_follow_get_stats - counters */
const mw_follow_stats *mw_follow_get_stats(const mw_follow *f)
{
	return &f->st;
}

/* mw_follow_free - release */
void mw_follow_free(mw_follow *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->w && i < f->n; i++) {
		if (f->w[i].fd >= 0)
			close(f->w[i].fd);
		if (f->w[i].old) {
			close(f->w[i].old->fd);
			free(f->w[i].old->part);
			free(f->w[i].old);
		}
		free(f->w[i].path);
		free(f->w[i].part);
	}
	free(f->w);
	free(f->chunk);
	free(f);
}
