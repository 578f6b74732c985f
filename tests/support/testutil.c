/*
 * tests/support/testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* testdata_path - path under the shared test data */
const char *testdata_path(const char *rel)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", MW_TESTDATA_DIR, rel);
	return buf;
}

/* testdata_or_skip - skip the test binary when the data is absent */
const char *testdata_or_skip(const char *rel)
{
	const char *p = testdata_path(rel);
	struct stat st;
	if (stat(p, &st) != 0) {
		printf("SKIP: %s not found (../shared/testdata is not part of a fresh clone)\n", p);
		exit(77);
	}
	return p;
}

/* read_file_or_die - slurp a file */
char *read_file_or_die(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		abort();
	}
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}
