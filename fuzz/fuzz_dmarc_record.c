/*
 * fuzz_dmarc_record.c - libFuzzer target for the DMARC record parser, in
 * RFC 9989 and RFC 7489 modes.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/dmarc_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags <= MW_DMARC_RFC7489; flags++) {
		mw_pool *pool = mw_pool_new(MW_DMARC_POOL_MAX);
		if (!pool)
			return 0;
		mw_dmarc_record r;
		mw_status st = mw_dmarc_record_parse((const char *)data, size, flags, pool, &r, NULL);
		if (st == MW_OK && (r.nrua > MW_DMARC_URIS_MAX || r.nruf > MW_DMARC_URIS_MAX ||
				    r.pct > 100 || r.nnotes > MW_DMARC_NOTES_MAX))
			__builtin_trap();
		mw_pool_free(pool);
	}
	return 0;
}
