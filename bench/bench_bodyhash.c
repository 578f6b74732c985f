/*
 * bench_bodyhash.c - throughput of the streamed body hashes
 * (auth/dkim_bodyhash.h): a generated text body (lines with WSP runs, as
 * relaxed canonicalization has work to do) fed in 64 KiB chunks, the size
 * libmilter hands a milter, through 1 hash (relaxed, our signing) and 4
 * hashes (simple and relaxed, sha256 and sha1).
 *
 * Usage: build/bench_bodyhash [MEGABYTES]   (default 200)
 * Two bodies: clean prose lines (relaxed's memchr fast path) and lines with
 * WSP runs and tabs (byte by byte); MB per CPU-second and wall MB/s.
 * Never run by ctest; numbers go to docs/PERFORMANCE.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/dkim_bodyhash.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* cpu_s - CPU seconds of this process (the test VM is shared: wall time lies) */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* run - MB per CPU-second of feeding mb megabytes through nhash hashes; *wall gets MB/s wall */
static double run(const char *chunk, size_t clen, size_t mb, int nhash, double *wall)
{
	mw_bodyhash_set s;
	mw_bodyhash_set_init(&s);
	for (int k = 0; k < nhash; k++)
		mw_bodyhash_set_want(&s, k & 2 ? EVP_sha1() : EVP_sha256(),
				     k & 1 ? MW_CANON_SIMPLE : MW_CANON_RELAXED, -1);
	size_t total = mb << 20;
	double t0 = now_s(), c0 = cpu_s();
	for (size_t done = 0; done < total; done += clen)
		mw_bodyhash_set_update(&s, chunk, clen);
	mw_bodyhash_set_final(&s);
	double dt = now_s() - t0, dc = cpu_s() - c0;
	mw_bodyhash_set_free(&s);
	*wall = (double)total / (1 << 20) / dt;
	return (double)total / (1 << 20) / dc;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 200;
	static const char *const lines[2] = {
		"The quick brown fox jumps over the lazy dog, a clean line of prose text.\r\n",
		"The quick brown fox jumps over the lazy dog;  streamed \t body line.\r\n"};
	static const char *const names[2] = {"clean lines", "lines with WSP runs"};
	for (int k = 0; k < 2; k++) {
		size_t ll = strlen(lines[k]), clen = 65536 - 65536 % ll;
		char *chunk = malloc(clen);
		for (size_t i = 0; i < clen; i += ll)
			memcpy(chunk + i, lines[k], ll);
		double w1, w4;
		double c1 = run(chunk, clen, mb, 1, &w1), c4 = run(chunk, clen, mb, 4, &w4);
		printf("%-20s 1 hash (sha256 relaxed): %4.0f MB/CPU-s (%4.0f MB/s wall)   "
		       "4 hashes (sha256/sha1 x simple/relaxed): %4.0f MB/CPU-s (%4.0f MB/s wall)\n",
		       names[k], c1, w1, c4, w4);
		free(chunk);
	}
	return 0;
}
