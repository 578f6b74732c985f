/*
 * bench_dkim.c - DKIM verifications per second (bench/dkim.sh runs it).
 *
 *   bench_dkim ZONEFILE MESSAGE [SECONDS]
 *
 * Each iteration is what an MTA does per message: parse the raw message,
 * verify every signature (key record from a warm DNS cache, as in a
 * daemon), read the result.  Every result must be pass, or the run stops.
 * Rates are per CPU second (CLOCK_PROCESS_CPUTIME_ID), as `openssl speed`
 * counts user CPU time unless -elapsed: fair on a shared machine.
 * Prints "<verifications per second> <message bytes>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "auth/dkim.h"
#include "dns/zone.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time, as openssl speed counts */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* slurp - whole file */
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

/* verify_once - parse + verify; false unless every signature passes */
static bool verify_once(const char *msg, size_t len, dns_cache *c, dns_resolver *r, time_t now,
			mw_dkim_keycache *kc)
{
	mw_message m;
	mw_err err;
	if (mw_message_parse(msg, len, &m, &err) != MW_OK)
		return false;
	dns_lookup lk;
	dns_lookup_init(&lk, c, now);
	mw_dkim_verify v;
	bool ok = mw_dkim_verify_init(&v, &m, now) == MW_OK && (v.keys = kc, true) &&
		  mw_dkim_verify_run(&v, &lk, r, &err) == MW_OK && v.result == MW_AUTH_PASS;
	for (size_t i = 0; ok && i < v.nsig; i++)
		ok = v.sig[i].result == MW_AUTH_PASS;
	if (!ok && v.nsig)
		fprintf(stderr, "bench_dkim: %s\n", v.sig[0].reason);
	mw_dkim_verify_free(&v);
	mw_message_free(&m);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_dkim ZONEFILE MESSAGE [SECONDS]\n");
		return 2;
	}
	double secs = argc > 3 ? atof(argv[3]) : 3.0;
	dns_zone *z = dns_zone_new();
	mw_err err;
	if (dns_zone_load_file(z, argv[1], &err) != MW_OK) {
		fprintf(stderr, "bench_dkim: %s\n", err.msg);
		return 2;
	}
	size_t len;
	char *msg = slurp(argv[2], &len);
	if (!msg)
		return 2;
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	time_t now = time(NULL);
	mw_dkim_keycache *kc = mw_dkim_keycache_new();
	if (!verify_once(msg, len, c, r, now, kc)) /* also warms the cache */
		return 1;
	unsigned long n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 16; i++, n++)
			if (!verify_once(msg, len, c, r, now, kc))
				return 1;
		t = now_s();
	} while (t - t0 < secs);
	printf("%.1f %zu\n", (double)n / (t - t0), len);
	mw_dkim_keycache_free(kc);
	dns_resolver_free(r);
	dns_cache_free(c);
	dns_zone_free(z);
	free(msg);
	return 0;
}
