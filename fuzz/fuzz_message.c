/*
 * fuzz_message.c - libFuzzer target for raw message input and From parsing.
 * Checks that every field slice lies inside the normalised copy.
 */
#include <stdint.h>
#include <stdlib.h>

#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_message m;
	mw_err err;
	if (mw_message_parse((const char *)data, size, &m, &err) != MW_OK)
		return 0;
	for (size_t i = 0; i < m.nfields; i++) {
		const mw_hfield *f = &m.field[i];
		if (f->raw < m.data || f->raw + f->raw_len > m.data + m.len ||
		    f->value + f->value_len != f->raw + f->raw_len)
			abort();
	}
	mw_pool *p = mw_pool_new(1 << 20);
	mw_from from;
	(void)mw_message_from(&m, p, &from, &err);
	mw_pool_free(p);
	mw_message_free(&m);
	return 0;
}
