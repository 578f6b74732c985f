/*
 * bench/bench_spf.c - SPF evaluations per second (mailwarden).
 *
 * Reads the fixed benchmark set (bench/spf-bench.txt: records and checks),
 * builds an in-memory zone and evaluates every check over and over:
 *   warm  - one DNS cache that already holds every answer, as a running
 *           MTA has for popular domains: pure check_host() cost;
 *   cold  - a fresh cache per evaluation, answers fetched from the zone
 *           backend through the replay driver (every round included).
 * Prints "results ..." (one result word per check, for the agreement test
 * in bench/spf.sh) and "rate_warm N", "rate_cold N" (evaluations/second).
 * Usage: bench_spf [DATAFILE] [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/spf.h"
#include "dns/resolver.h"
#include "dns/zone.h"

#define CHECKS_MAX 64

typedef struct check {
	char ip[64], sender[256], want[16];
} check;

static check checks[CHECKS_MAX];
static size_t nchecks;

/* load - read the data file into a zone and the check list */
static dns_zone *load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	dns_zone *z = dns_zone_new();
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char name[300], type[64];
		int off = 0;
		if (sscanf(line, "%299s %63s %n", name, type, &off) < 2)
			continue;
		const char *v = line + off;
		mw_status st = MW_OK;
		if (strcmp(name, "CHECK") == 0) {
			check *c = &checks[nchecks++];
			snprintf(c->ip, sizeof(c->ip), "%s", type);
			sscanf(v, "%255s %15s", c->sender, c->want);
		} else if (strcmp(type, "TXT") == 0) {
			st = dns_zone_add_txt(z, name, v, strlen(v), 3600);
		} else if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
			st = dns_zone_add_ip(z, name, v, 3600);
		} else if (strcmp(type, "MX") == 0) {
			st = dns_zone_add_name(z, name, DNS_T_MX, (uint16_t)atoi(v), strchr(v, ' ') + 1, 3600);
		} else if (strcmp(type, "PTR") == 0) {
			st = dns_zone_add_name(z, name, DNS_T_PTR, 0, v, 3600);
		}
		if (st != MW_OK) {
			fprintf(stderr, "bad line: %s\n", line);
			exit(2);
		}
	}
	fclose(f);
	return z;
}

/* now_s - monotonic seconds */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned flags; /* SPF_F_*: the timed runs skip trace and header */
static spf_record_cache *parsed; /* as an MTA keeps one per process */

/* make_req - request for check i */
static spf_request make_req(size_t i)
{
	spf_request req = {.sender = checks[i].sender, .helo = "mail.client.example",
			   .receiver = "mx.receiver.example", .flags = flags, .parsed = parsed};
	if (!spf_request_set_ip(&req, checks[i].ip)) {
		fprintf(stderr, "bad ip %s\n", checks[i].ip);
		exit(2);
	}
	return req;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench/spf-bench.txt";
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	dns_zone *z = load(path);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *warm = dns_cache_new();
	spf_result res = {0};
	mw_err err;
	printf("results");
	for (size_t i = 0; i < nchecks; i++) { /* also fills the warm cache */
		spf_request req = make_req(i);
		if (spf_check_run(&req, r, warm, &res, &err) != MW_OK)
			return 3;
		printf(" %s", mw_auth_result_name(res.result));
	}
	printf("\n");

	flags = getenv("SPF_BENCH_FULL") ? 0 : SPF_F_NO_TRACE | SPF_F_NO_HEADER;
	parsed = getenv("SPF_BENCH_NOPARSECACHE") ? NULL : spf_record_cache_new();
	/* SPF_BENCH_ITERS=N: exactly N evaluations (for instruction counts) */
	unsigned long iters = getenv("SPF_BENCH_ITERS") ? strtoul(getenv("SPF_BENCH_ITERS"), NULL, 10) : 0;
	if (iters)
		secs = 1e9;
	/* warm: the evaluation alone, over a cache holding every answer */
	dns_lookup lk;
	dns_lookup_init(&lk, warm, time(NULL));
	unsigned long n = 0;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < nchecks; i++) {
			spf_request req = make_req(i);
			if (spf_check(&req, &lk, &res) != MW_OK)
				return 3;
		}
		n += nchecks;
	} while ((t = now_s() - t0) < secs && !(iters && n >= iters));
	printf("rate_warm %.0f\n", (double)n / t);
	if (getenv("SPF_BENCH_WARM_ONLY"))
		return 0;

	/* cold: a new cache each time, every answer fetched through the resolver */
	n = 0;
	t0 = now_s();
	do {
		for (size_t i = 0; i < nchecks; i++) {
			dns_cache *c = dns_cache_new();
			spf_request req = make_req(i);
			if (spf_check_run(&req, r, c, &res, &err) != MW_OK)
				return 3;
			dns_cache_free(c);
		}
		n += nchecks;
	} while ((t = now_s() - t0) < secs);
	printf("rate_cold %.0f\n", (double)n / t);
	spf_result_free(&res);
	spf_record_cache_free(parsed);
	dns_cache_free(warm);
	dns_resolver_free(r);
	dns_zone_free(z);
	return 0;
}
