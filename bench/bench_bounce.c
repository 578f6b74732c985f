/*
 * bench_bounce.c - in-process bounce parsing speed: loads every message file
 * named on the command line (or every file of the directories named), then
 * parses all of them ROUNDS times (env BENCH_ROUNDS, default 20) and prints
 * messages per second.  Parsing only: no output formatting, no file I/O in
 * the timed loop.  Never part of the test suite (see docs/PERFORMANCE.md).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bounce/bounce.h"

typedef struct file {
	char *data;
	size_t len;
} file;

static file *files;
static size_t nfiles, capfiles;

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = malloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) == (size_t)n) {
		if (nfiles == capfiles) {
			capfiles = capfiles ? capfiles * 2 : 256;
			files = realloc(files, capfiles * sizeof(*files));
		}
		files[nfiles++] = (file){d, (size_t)n};
	} else {
		free(d);
	}
	fclose(f);
}

static void load_arg(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		load(path);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *e;
	char p[4096];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				load(p);
		}
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		load_arg(argv[i]);
	if (!nfiles) {
		fprintf(stderr, "usage: bench_bounce FILE|DIR...\n");
		return 2;
	}
	const char *r = getenv("BENCH_ROUNDS");
	int rounds = r ? atoi(r) : 20;
	size_t rcpts = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int k = 0; k < rounds; k++)
		for (size_t i = 0; i < nfiles; i++) {
			mw_bounce *bo;
			if (mw_bounce_parse(files[i].data, files[i].len, &bo, NULL) == MW_OK) {
				rcpts += bo->nrcpt;
				mw_bounce_free(bo);
			}
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	double msgs = (double)nfiles * rounds;
	printf("bench_bounce: %zu files x %d rounds = %.0f messages in %.3f s: %.0f messages/s "
	       "(%zu recipients)\n",
	       nfiles, rounds, msgs, s, msgs / s, rcpts / (size_t)rounds);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i].data);
	free(files);
	return 0;
}
