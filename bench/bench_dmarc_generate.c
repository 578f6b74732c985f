/*
 * bench_dmarc_generate.c - DMARC aggregate report generation speed.
 *
 *   bench_dmarc_generate [ROWS] [DOMAINS]   (defaults 1000000 and 100)
 *
 * Fills a fresh SQLite file (/tmp) with ROWS stored evaluations in one day,
 * spread over DOMAINS policy domains, 5000 source IPs and a few result
 * shapes (pass, spoof with local_policy, reject, two DKIM signatures), in
 * transactions of 10000 rows; then measures
 *   - recording: 20000 single-row mw_dmarclog_add calls, each its own
 *     commit, as the milter does per message;
 *   - generation: for every domain of the day, rollup (SQL GROUP BY) +
 *     report build + XML + gzip, timed as a whole: reports/s and rows/s.
 * Never part of the test suite (docs/PERFORMANCE.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "report/generate.h"
#include "store/dmarclog.h"

#define DAY0 1763856000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* make_row - row i of the synthetic day */
static void make_row(long i, long ndom, mw_dmarclog_row *r, char *ip, char *dom, char *hfrom)
{
	long d = i % ndom, src = (i / 7) % 5000, kind = i % 10;
	snprintf(dom, 64, "domain%ld.example", d);
	snprintf(hfrom, 64, kind == 9 ? "mail.domain%ld.example" : "domain%ld.example", d);
	if (kind >= 6)
		snprintf(ip, 48, "198.51.%ld.%ld", src / 250, src % 250);
	else
		snprintf(ip, 48, "10.%ld.%ld.1", src / 250, src % 250);
	bool pass = kind < 6;
	memset(r, 0, sizeof(*r));
	*r = (mw_dmarclog_row){.time = DAY0 + (i * 86399) / 1000000 % 86400,
			       .source_ip = ip,
			       .header_from = hfrom,
			       .envelope_from = pass ? dom : "bounce.esp.example",
			       .envelope_to = "rcv.example",
			       .policy_domain = dom,
			       .policy = {"reject", NULL, NULL, "r", "r", NULL, "n", -1},
			       .dmarc = pass ? "pass" : "fail",
			       .disposition = pass ? "pass" : kind == 8 ? "reject" : "none",
			       .dkim = pass ? "pass" : "fail",
			       .spf = pass ? "pass" : "fail",
			       .ndkim = pass ? 2 : 1,
			       .nspf = 1};
	r->dkim_res[0] = (mw_dmarclog_auth){.domain = dom, .selector = "s2025",
					    .result = pass ? "pass" : "fail",
					    .human_result = pass ? NULL : "signature did not verify"};
	r->dkim_res[1] = (mw_dmarclog_auth){.domain = "esp.example", .selector = "esp1",
					    .result = "pass"};
	r->spf_res[0] = (mw_dmarclog_auth){.domain = r->envelope_from, .scope = "mfrom",
					   .result = pass ? "pass" : "softfail"};
	if (!pass && kind != 8) {
		r->reasons[0] = (mw_dmarclog_reason){"local_policy", "reject not applied"};
		r->nreasons = 1;
	}
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 1000000, ndom = argc > 2 ? atol(argv[2]) : 100;
	char path[] = "/tmp/mw_bench_drgen_XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	mw_err err;
	mw_dmarclog *log = mw_dmarclog_open(path, false, &err);
	if (!log) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	char ip[48], dom[64], hfrom[64];
	mw_dmarclog_row r;
	double t0 = now();
	for (long i = 0; i < rows; i++) {
		if (i % 10000 == 0)
			mw_dmarclog_transaction(log, true, &err);
		make_row(i, ndom, &r, ip, dom, hfrom);
		if (mw_dmarclog_add(log, &r, &err) != MW_OK) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		if (i % 10000 == 9999 || i == rows - 1)
			mw_dmarclog_transaction(log, false, &err);
	}
	double t1 = now();
	printf("filled %ld rows (%ld domains) in %.2f s: %.0f rows/s batched\n", rows, ndom, t1 - t0,
	       (double)rows / (t1 - t0));
	/* recording as the milter does: one commit per row, on the next day */
	long single = 20000;
	t0 = now();
	for (long i = 0; i < single; i++) {
		make_row(i, ndom, &r, ip, dom, hfrom);
		r.time += 86400;
		mw_dmarclog_add(log, &r, &err);
	}
	t1 = now();
	printf("recorded %ld rows one commit each: %.0f rows/s (%.1f us/row)\n", single,
	       (double)single / (t1 - t0), (t1 - t0) * 1e6 / (double)single);
	/* generation of the first day */
	mw_pool *dp = mw_pool_new(16u << 20);
	const char **doms;
	size_t nd;
	t0 = now();
	mw_dmarclog_domains(log, DAY0, DAY0 + 86400, dp, &doms, &nd, &err);
	size_t records = 0, xml_bytes = 0, gz_bytes = 0;
	uint64_t msgs = 0;
	mw_drgen_meta meta = {"Bench", "r@rcv.example", NULL, "mailwarden bench"};
	for (size_t i = 0; i < nd; i++) {
		mw_pool *pool = mw_pool_new(MW_DR_POOL_MAX);
		mw_dmarclog_row *rr;
		size_t n;
		mw_dmarclog_policy pol;
		mw_dr_report rep;
		mw_buf xml, gz;
		mw_buf_init(&xml, MW_DRGEN_XML_MAX);
		mw_buf_init(&gz, MW_DRGEN_XML_MAX);
		if (mw_dmarclog_rollup(log, doms[i], DAY0, DAY0 + 86400, pool, &rr, &n, &pol, &err) ||
		    mw_drgen_build(&meta, doms[i], DAY0, DAY0 + 86400, rr, n, &pol, pool, &rep, &err) ||
		    mw_drgen_xml(&rep, &xml, &err) || mw_drgen_gzip(xml.data, xml.len, &gz, &err)) {
			fprintf(stderr, "%s: %s\n", doms[i], err.msg);
			return 1;
		}
		records += n;
		msgs += rep.messages;
		xml_bytes += xml.len;
		gz_bytes += gz.len;
		mw_buf_free(&xml);
		mw_buf_free(&gz);
		mw_pool_free(pool);
	}
	t1 = now();
	printf("generated %zu reports (%zu records, %llu messages, %.1f MB XML, %.1f MB gzip) in "
	       "%.2f s: %.1f reports/s, %.0f stored rows/s\n",
	       nd, records, (unsigned long long)msgs, xml_bytes / 1e6, gz_bytes / 1e6, t1 - t0,
	       (double)nd / (t1 - t0), (double)msgs / (t1 - t0));
	mw_pool_free(dp);
	mw_dmarclog_close(log);
	char p2[64];
	unlink(path);
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	return 0;
}
