/*
 * fuzz_received.c - libFuzzer target for the Received parser and RFC 5322
 * dates.  Checks that the raw text is always kept and that an address is
 * reported only with its text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/date.h"
#include "mail/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_pool *p = mw_pool_new(1 << 20);
	mw_received r;
	if (mw_received_parse((const char *)data, size, p, &r) == MW_OK) {
		if (!r.raw || (r.has_ip && !r.ip_text) || (!r.parsed && !r.problem))
			abort();
	}
	mw_date d;
	(void)mw_date_parse((const char *)data, size, &d);
	mw_pool_free(p);
	return 0;
}
