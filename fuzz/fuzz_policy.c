/*
 * fuzz_policy.c - libFuzzer target for the Postfix policy request parser:
 * parse every request in the input as a daemon would on one connection, and
 * write an answer for each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	size_t off = 0, used = 0;
	mw_buf out;
	mw_buf_init(&out, 1 << 20);
	for (;;) {
		mw_policy_req req;
		mw_err err;
		mw_status st = mw_policy_parse(copy + off, size - off, &req, &used, &err);
		if (st != MW_OK || used == 0)
			break;
		if (used > size - off)
			abort();
		mw_policy_answer(&out, req.sasl_username[0] ? MW_PA_HOLD : MW_PA_DUNNO,
				 req.recipient);
		off += used;
	}
	mw_buf_free(&out);
	free(copy);
	return 0;
}
