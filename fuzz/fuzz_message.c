/*
 * fuzz_message.c - libFuzzer target for raw message input and From parsing.
 * Checks that every field slice lies inside the normalised copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"

/* naive - the obvious byte-by-byte normalisation, to compare with */
static size_t naive(const uint8_t *in, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
			i++;
		else if (in[i] != '\r' && in[i] != '\n') {
			out[k++] = (char)in[i];
			continue;
		}
		out[k++] = '\r';
		out[k++] = '\n';
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_message m;
	mw_err err;
	if (mw_message_parse((const char *)data, size, &m, &err) != MW_OK)
		return 0;
	char *ref = malloc(2 * size + 1);
	size_t rn = naive(data, size, ref);
	if (rn != m.len || memcmp(ref, m.data, rn) != 0)
		abort(); /* the fast normaliser must equal the obvious one */
	free(ref);
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
