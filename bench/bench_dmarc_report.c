/*
 * bench_dmarc_report.c - in-process DMARC aggregate report parsing speed:
 * loads the report files named on the command line (.xml, .xml.gz, .zip,
 * report e-mails), then parses all of them ROUNDS times (env BENCH_ROUNDS,
 * default 20) with mw_dr_parse and prints reports/s, records/s and MB/s of
 * input.  Parsing only (unpacking included): no summary, no output, no file
 * I/O in the timed loop.  Never part of the test suite (docs/PERFORMANCE.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/aggregate.h"

typedef struct file {
	char *data;
	size_t len;
	const char *name;
} file;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_dmarc_report FILE...\n");
		return 2;
	}
	file *files = calloc((size_t)argc, sizeof(*files));
	size_t n = 0, bytes = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		long l = ftell(f);
		fseek(f, 0, SEEK_SET);
		char *d = malloc((size_t)l + 1);
		if (d && fread(d, 1, (size_t)l, f) == (size_t)l) {
			files[n++] = (file){d, (size_t)l, argv[i]};
			bytes += (size_t)l;
		} else {
			free(d);
		}
		fclose(f);
	}
	const char *r = getenv("BENCH_ROUNDS");
	int rounds = r ? atoi(r) : 20;
	size_t reports = 0, records = 0, errors = 0;
	double t0 = now();
	for (int k = 0; k < rounds; k++)
		for (size_t i = 0; i < n; i++) {
			mw_dr_report *rep;
			mw_err e;
			if (mw_dr_parse(files[i].data, files[i].len, &rep, &e) != MW_OK) {
				errors++;
				continue;
			}
			reports++;
			records += rep->n_records;
			mw_dr_free(rep);
		}
	double dt = now() - t0;
	printf("%zu files, %zu bytes, %d rounds: %zu reports (%zu errors), %zu records in %.3f s\n", n,
	       bytes, rounds, reports, errors, records, dt);
	printf("%.0f reports/s, %.0f records/s, %.1f MB/s of input\n", (double)reports / dt,
	       (double)records / dt, (double)bytes * rounds / dt / 1e6);
	for (size_t i = 0; i < n; i++)
		free(files[i].data);
	free(files);
	return errors ? 1 : 0;
}
