/*
 * fuzz_dmarc_report.c - libFuzzer target for the DMARC aggregate report
 * reader: container detection, gzip/zip inflation with bomb limits, the
 * report e-mail walk (GMime), the libxml2 tree reader, and the summary
 * (classes, per-source totals, advice) over what was read.
 * Invariants: on success the record count and every per-record list stay
 * within their named limits and the message total is the sum of counts; on
 * failure *out is NULL; nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "report/aggregate.h"
#include "report/drsummary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_dr_report *r = NULL;
	mw_err e;
	mw_status st = mw_dr_parse((const char *)data, size, &r, &e);
	if (st != MW_OK) {
		if (r)
			__builtin_trap();
		return 0;
	}
	if (r->n_records > MW_DR_RECORDS_MAX)
		__builtin_trap();
	uint64_t sum = 0;
	for (size_t i = 0; i < r->n_records; i++) {
		const mw_dr_record *x = &r->records[i];
		if (x->n_dkim > MW_DR_AUTH_MAX || x->n_spf > MW_DR_AUTH_MAX ||
		    x->n_reasons > MW_DR_AUTH_MAX)
			__builtin_trap();
		sum += x->count;
	}
	if (sum != r->messages)
		__builtin_trap();
	mw_drs *s = mw_drs_new();
	if (s && mw_drs_add(s, r, NULL, &e) == MW_OK) {
		size_t n;
		uint64_t total = 0;
		const mw_drs_source *const *src = mw_drs_sources(s, &n);
		for (size_t i = 0; i < n; i++)
			total += src[i]->messages;
		if (n < MW_DRS_SOURCES_MAX && total != sum)
			__builtin_trap();
		const char *adv[8];
		mw_drs_advice(s, adv, 8);
	}
	mw_drs_free(s);
	mw_dr_free(r);
	return 0;
}
