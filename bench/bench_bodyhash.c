/*
 * bench_bodyhash.c - throughput of the streamed body hashes
 * (auth/dkim_bodyhash.h): a generated text body (lines with WSP runs, as
 * relaxed canonicalization has work to do) fed in 64 KiB chunks, the size
 * libmilter hands a milter, through 1 hash (relaxed, our signing) and 4
 * hashes (simple and relaxed, sha256 and sha1).
 *
 * Usage: build/bench_bodyhash [MEGABYTES]   (default 200)
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

/* run - MB/s of feeding mb megabytes through a set with nhash hashes */
static double run(const char *chunk, size_t clen, size_t mb, int nhash)
{
	mw_bodyhash_set s;
	mw_bodyhash_set_init(&s);
	for (int k = 0; k < nhash; k++)
		mw_bodyhash_set_want(&s, k & 2 ? EVP_sha1() : EVP_sha256(),
				     k & 1 ? MW_CANON_SIMPLE : MW_CANON_RELAXED, -1);
	size_t total = mb << 20;
	double t0 = now_s();
	for (size_t done = 0; done < total; done += clen)
		mw_bodyhash_set_update(&s, chunk, clen);
	mw_bodyhash_set_final(&s);
	double dt = now_s() - t0;
	mw_bodyhash_set_free(&s);
	return (double)total / (1 << 20) / dt;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 200;
	static const char line[] = "The quick brown fox jumps over the lazy dog;  streamed \t body line.\r\n";
	size_t clen = 65536 - 65536 % (sizeof(line) - 1);
	char *chunk = malloc(clen);
	for (size_t i = 0; i < clen; i += sizeof(line) - 1)
		memcpy(chunk + i, line, sizeof(line) - 1);
	printf("1 hash  (sha256 relaxed):                %.0f MB/s\n", run(chunk, clen, mb, 1));
	printf("4 hashes (sha256/sha1 x simple/relaxed): %.0f MB/s\n", run(chunk, clen, mb, 4));
	free(chunk);
	return 0;
}
