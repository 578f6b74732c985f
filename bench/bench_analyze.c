/*
 * bench_analyze.c - messages analysed per second by `analyze`, offline.
 *
 * Usage: build/bench_analyze [SECONDS [DIR]]   (default 3 s, tests/data/analyze)
 * Corpus: every *.eml in DIR (the six stories: genuine, forwarded, relayed
 * spam, tampered, direct-to-MX phishing, backscatter), analysed round-robin
 * with the zone DIR/analyze.zone through one shared DNS cache (warm after
 * the first round, as in a long-running process).  Each analysis is the
 * whole path: message parse, Received chain, SPF, DKIM verify (RSA-2048 on
 * the signed messages), ARC, DMARC, PTR/FCrDNS/HELO checks, A-R comparison,
 * bounce parse where the message looks like one, findings and verdict.
 * Parsed DKIM keys are reused (auth/dkim_keycache.h).  Single thread; the
 * rate is per second of process CPU time (the build machines are shared).
 * Never run by ctest; numbers go to docs/PERFORMANCE.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "forensics/analyze.h"

#define MAX_MSGS 64

/* cpu_s - process CPU time: the machine is shared, wall time would measure the neighbours */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

typedef struct msg {
	char name[256];
	char *raw;
	size_t len;
	unsigned long n;
	double secs;
} msg;

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	const char *dir = argc > 2 ? argv[2] : "tests/data/analyze";
	char path[1024];
	msg m[MAX_MSGS];
	size_t nm = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) && nm < MAX_MSGS) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(m[nm].name, sizeof(m[nm].name), "%s", de->d_name);
		if ((m[nm].raw = slurp(path, &m[nm].len)))
			nm++;
	}
	if (d)
		closedir(d);
	mw_err err;
	dns_zone *z = dns_zone_new();
	snprintf(path, sizeof(path), "%s/analyze.zone", dir);
	if (nm == 0 || dns_zone_load_file(z, path, &err) != MW_OK) {
		fprintf(stderr, "bench_analyze: no messages or no zone in %s\n", dir);
		return 2;
	}
	dns_resolver *res = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	mw_dkim_keycache *keys = mw_dkim_keycache_new();
	mw_an_opts o = {.now = 1700600000, .dkim_keys = keys};
	unsigned long total = 0;
	double t0 = cpu_s(), t;
	do {
		for (size_t i = 0; i < nm; i++) {
			double s0 = cpu_s();
			mw_analysis a;
			if (mw_analyze(m[i].raw, m[i].len, &o, res, cache, &a, &err) != MW_OK)
				return 1;
			mw_analysis_free(&a);
			m[i].secs += cpu_s() - s0;
			m[i].n++;
		}
		total += nm;
	} while ((t = cpu_s() - t0) < secs);
	printf("analyze, mixed corpus of %zu messages, warm DNS cache, 1 thread: %.0f msgs/s "
	       "(%lu in %.2f s CPU)\n",
	       nm, total / t, total, t);
	for (size_t i = 0; i < nm; i++) {
		printf("  %-22s %8.0f msgs/s\n", m[i].name, m[i].n / m[i].secs);
		free(m[i].raw);
	}
	mw_dkim_keycache_free(keys);
	dns_cache_free(cache);
	dns_resolver_free(res);
	dns_zone_free(z);
	return 0;
}
