/*
 * bench_dmarc_report.c - in-process DMARC aggregate report parsing speed:
 * loads the report files named on the command line (.xml, .xml.gz, .zip,
 * report e-mails), then parses all of them ROUNDS times (env BENCH_ROUNDS,
 * default 20) with mw_dr_parse and prints reports/s, records/s and MB/s of
 * input.  Parsing only (unpacking included): no summary, no output, no file
 * I/O in the timed loop.  An e-mail without an aggregate report attachment
 * is parsed as a failure report (report/failure.h) and counted apart.
 * With BENCH_DB=PATH a second phase imports every parsed report into a
 * fresh SQLite file (report/drstore.h) BENCH_DB_ROUNDS times (default 5):
 * parse + store, one transaction per report, as `dmarc-report --db` does.
 * Never part of the test suite (docs/PERFORMANCE.md).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "report/aggregate.h"
#include "report/drstore.h"
#include "report/failure.h"

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

/* one - parse one file (aggregate, else failure report); store it when db */
static void one(const file *f, mw_drstore *db, size_t *reports, size_t *failures,
		size_t *records, size_t *errors)
{
	mw_dr_report *rep;
	mw_arf_report *fr;
	mw_err e;
	bool added;
	mw_status st = mw_dr_parse(f->data, f->len, &rep, &e);
	if (st == MW_OK) {
		(*reports)++;
		*records += rep->n_records;
		if (db && mw_drstore_add_aggregate(db, rep, &added, &e) != MW_OK)
			(*errors)++;
		mw_dr_free(rep);
	} else if (st == MW_ENOTFOUND && mw_arf_parse(f->data, f->len, &fr, &e) == MW_OK) {
		(*failures)++;
		if (db && mw_drstore_add_failure(db, fr, &added, &e) != MW_OK)
			(*errors)++;
		mw_arf_free(fr);
	} else {
		(*errors)++;
	}
}

/* import_phase - parse + store into a fresh database, BENCH_DB_ROUNDS times */
static size_t import_phase(const file *files, size_t n, size_t bytes, const char *path)
{
	const char *r = getenv("BENCH_DB_ROUNDS");
	int rounds = r ? atoi(r) : 5;
	size_t reports = 0, failures = 0, records = 0, errors = 0;
	double total = 0;
	for (int k = 0; k < rounds; k++) {
		unlink(path);
		mw_drstore *db;
		mw_err e;
		if (mw_drstore_open(path, false, &db, &e) != MW_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		double t0 = now();
		for (size_t i = 0; i < n; i++)
			one(&files[i], db, &reports, &failures, &records, &errors);
		total += now() - t0;
		mw_drstore_close(db);
	}
	printf("import into %s, %d rounds: %zu + %zu reports, %zu records in %.3f s\n", path, rounds,
	       reports, failures, records, total);
	printf("import: %.0f reports/s, %.0f records/s, %.1f MB/s of input\n",
	       (double)(reports + failures) / total, (double)records / total,
	       (double)bytes * rounds / total / 1e6);
	unlink(path);
	return errors;
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
	size_t reports = 0, failures = 0, records = 0, errors = 0;
	double t0 = now();
	for (int k = 0; k < rounds; k++)
		for (size_t i = 0; i < n; i++)
			one(&files[i], NULL, &reports, &failures, &records, &errors);
	double dt = now() - t0;
	printf("%zu files, %zu bytes, %d rounds: %zu aggregate + %zu failure reports (%zu errors), "
	       "%zu records in %.3f s\n", n, bytes, rounds, reports, failures, errors, records, dt);
	printf("%.0f reports/s, %.0f records/s, %.1f MB/s of input\n",
	       (double)(reports + failures) / dt, (double)records / dt,
	       (double)bytes * rounds / dt / 1e6);
	const char *dbpath = getenv("BENCH_DB");
	if (dbpath)
		errors += import_phase(files, n, bytes, dbpath);
	for (size_t i = 0; i < n; i++)
		free(files[i].data);
	free(files);
	return errors ? 1 : 0;
}
