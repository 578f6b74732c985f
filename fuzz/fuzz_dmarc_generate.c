/*
 * fuzz_dmarc_generate.c - libFuzzer target for the report writer and the
 * rua= parser.  The input is read as a report (report/aggregate.h, the
 * lenient reader: any bytes it keeps, including broken UTF-8, reach the
 * writer as they would from sender-controlled selectors or SPF
 * explanations), written again with mw_drgen_xml, and read back.
 * Invariants: the writer never fails on a report the reader returned; its
 * output is read back with the same number of records and messages.  The
 * same bytes are also parsed as a rua= value: at most MW_DRGEN_DEST_MAX
 * destinations, each usable one with an address and a domain.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "report/aggregate.h"
#include "report/drdest.h"
#include "report/generate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_drdest_list l;
	memset(&l, 0, sizeof(l));
	if (pool && mw_drdest_parse((const char *)data, size, pool, &l) == MW_OK) {
		if (l.n > MW_DRGEN_DEST_MAX)
			__builtin_trap();
		for (size_t i = 0; i < l.n; i++)
			if (l.d[i].status == MW_DRDEST_OK && (!l.d[i].addr || !l.d[i].domain))
				__builtin_trap();
	}
	mw_pool_free(pool);

	mw_dr_report *r = NULL, *back = NULL;
	mw_err e;
	if (mw_dr_parse_xml((const char *)data, size, &r, &e) != MW_OK)
		return 0;
	mw_buf xml;
	mw_buf_init(&xml, MW_DRGEN_XML_MAX);
	if (mw_drgen_xml(r, &xml, &e) != MW_OK)
		__builtin_trap();
	if (mw_dr_parse_xml(xml.data, xml.len, &back, &e) != MW_OK ||
	    back->n_records != r->n_records || back->messages != r->messages)
		__builtin_trap();
	mw_dr_free(back);
	mw_dr_free(r);
	mw_buf_free(&xml);
	return 0;
}
