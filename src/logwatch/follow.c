/*
 * logwatch/follow.c - tail -F for mail logs (see follow.h).
 */
#include "logwatch/follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* poll_one - truncation, new data, rotation of one path */
static uint64_t poll_one(mw_follow *f, watched *w, mw_line_fn fn, void *ctx)
{
	uint64_t lines = 0;
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
	bool same = stat(w->path, &ps) == 0 && ps.st_dev == w->dev && ps.st_ino == w->ino;
	if (same)
		return lines;
	if (errno == ENOENT || !same) {
		/* renamed away (or deleted): finish the old file, then switch */
		lines += drain(f, w, fn, ctx);
		if (w->plen) { /* the writer will not finish this line in the old file */
			lines += deliver(f, w, w->part, w->part, fn, ctx);
		}
		bool exists = stat(w->path, &ps) == 0;
		if (!exists)
			return lines; /* keep the old descriptor until a new file appears */
		close(w->fd);
		w->fd = -1;
		f->st.rotations++;
		open_at(f, w, false);
		if (w->fd >= 0)
			lines += drain(f, w, fn, ctx);
	}
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
		free(f->w[i].path);
		free(f->w[i].part);
	}
	free(f->w);
	free(f->chunk);
	free(f);
}
