/*
 * bench/peer_libspf2.c - the same SPF checks through libspf2 (Debian
 * libspf2-dev), for bench/spf.sh.  The records of bench/spf-bench.txt are
 * loaded into libspf2's in-memory DNS layer (SPF_dns_zone), so like
 * mailwarden's warm run no query leaves the process.  One SPF_server and
 * one zone are reused; a request/response pair is made per evaluation,
 * as an MTA would.
 * Prints "results ..." and "rate N" (evaluations/second).
 * Build: cc -O2 peer_libspf2.c -lspf2 (bench/spf.sh does it).
 * Usage: peer_libspf2 [DATAFILE] [SECONDS]
 */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#define CHECKS_MAX 64

static struct {
	char ip[64], sender[256], want[16];
} checks[CHECKS_MAX];
static size_t nchecks;

static SPF_dns_server_t *load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	SPF_dns_server_t *dns = SPF_dns_zone_new(NULL, "bench", 0);
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
		if (strcmp(name, "CHECK") == 0) {
			snprintf(checks[nchecks].ip, sizeof(checks[0].ip), "%s", type);
			sscanf(v, "%255s %15s", checks[nchecks].sender, checks[nchecks].want);
			nchecks++;
			continue;
		}
		ns_type t = strcmp(type, "TXT") == 0 ? ns_t_txt
			    : strcmp(type, "A") == 0 ? ns_t_a
			    : strcmp(type, "AAAA") == 0 ? ns_t_aaaa
			    : strcmp(type, "MX") == 0 ? ns_t_mx : ns_t_ptr;
		if (t == ns_t_mx)
			v = strchr(v, ' ') + 1; /* libspf2 zone MX data is the host only */
		if (SPF_dns_zone_add_str(dns, name, t, NETDB_SUCCESS, v) != SPF_E_SUCCESS) {
			fprintf(stderr, "libspf2 refused: %s\n", line);
			exit(2);
		}
	}
	fclose(f);
	return dns;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static SPF_result_t one(SPF_server_t *srv, size_t i)
{
	SPF_request_t *req = SPF_request_new(srv);
	if (strchr(checks[i].ip, ':'))
		SPF_request_set_ipv6_str(req, checks[i].ip);
	else
		SPF_request_set_ipv4_str(req, checks[i].ip);
	SPF_request_set_helo_dom(req, "mail.client.example");
	SPF_request_set_env_from(req, checks[i].sender);
	SPF_response_t *resp = NULL;
	SPF_request_query_mailfrom(req, &resp);
	SPF_result_t r = resp ? SPF_response_result(resp) : SPF_RESULT_INVALID;
	if (resp)
		SPF_response_free(resp);
	SPF_request_free(req);
	return r;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench/spf-bench.txt";
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	SPF_dns_server_t *dns = load(path);
	SPF_server_t *srv = SPF_server_new_dns(dns, 0);
	printf("results");
	for (size_t i = 0; i < nchecks; i++)
		printf(" %s", SPF_strresult(one(srv, i)));
	printf("\n");
	unsigned long n = 0;
	unsigned long iters = getenv("SPF_BENCH_ITERS") ? strtoul(getenv("SPF_BENCH_ITERS"), NULL, 10) : 0;
	if (iters)
		secs = 1e9;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < nchecks; i++)
			one(srv, i);
		n += nchecks;
	} while ((t = now_s() - t0) < secs && !(iters && n >= iters));
	printf("rate %.0f\n", (double)n / t);
	SPF_server_free(srv);
	return 0;
}
