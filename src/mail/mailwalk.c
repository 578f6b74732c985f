/*
 * mail/mailwalk.c - files, mboxes, folders and maildirs (see mailwalk.h).
 */
#include "mail/mailwalk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/limits.h"
#include "mail/mbox.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* list_dir - the sorted names of dir (no dot files); NULL with *n = 0 on
 * an error reported through cb; the caller frees each name and the array */
static char **list_dir(const char *dir, const mw_walk_cb *cb, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		cb->error(cb->ctx, dir, strerror(errno));
		return NULL;
	}
	size_t cap = 64;
	char **names = malloc(cap * sizeof(*names));
	struct dirent *e;
	while (names && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == MW_WALK_DIR_MAX) {
			cb->error(cb->ctx, dir, "too many files (the rest are not read)");
			break;
		}
		if (*n == cap) {
			char **nn = realloc(names, (cap *= 2) * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (!names) {
		cb->error(cb->ctx, dir, "out of memory");
		return NULL;
	}
	qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

/* walk_dir - regular files of dir; at depth 0 also its cur/ and new/ */
static void walk_dir(const char *dir, int depth, const mw_walk_cb *cb)
{
	size_t n;
	char **names = list_dir(dir, cb, &n);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
			cb->error(cb->ctx, names[i], "path too long");
		else if (stat(path, &st) != 0)
			cb->error(cb->ctx, path, strerror(errno));
		else if (S_ISDIR(st.st_mode) && depth == 0 &&
			 (strcmp(names[i], "cur") == 0 || strcmp(names[i], "new") == 0))
			walk_dir(path, 1, cb);
		else if (S_ISREG(st.st_mode))
			cb->file(cb->ctx, path);
		free(names[i]);
	}
	free(names);
}

/* mw_walk_path - a directory is walked, anything else handed over */
void mw_walk_path(const char *path, const mw_walk_cb *cb)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		walk_dir(path, 0, cb);
	else
		cb->file(cb->ctx, path);
}

/* mw_walk_messages - an mbox message by message, or the whole data */
void mw_walk_messages(const char *path, const char *data, size_t len, mw_walk_msg_fn fn,
		      void *ctx)
{
	if (!mw_mbox_is(data, len)) {
		fn(ctx, path, data, len);
		return;
	}
	mw_mbox_iter it;
	const char *m;
	size_t n;
	char name[PATH_MAX + 32];
	mw_mbox_init(&it, data, len);
	while (mw_mbox_next(&it, &m, &n)) {
		snprintf(name, sizeof(name), "%s#%zu", path, it.count);
		fn(ctx, name, m, n);
	}
}
