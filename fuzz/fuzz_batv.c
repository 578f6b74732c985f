/*
 * fuzz/fuzz_batv.c - BATV key-file parser and prvs verification on
 * arbitrary bytes: first line = address, rest = key file.
 */
#include <stdint.h>
#include <string.h>

#include "outbound/batv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char addr[MW_BATV_ADDR_MAX * 2];
	size_t i = 0;
	while (i < size && i < sizeof(addr) - 1 && data[i] != '\n')
		i++;
	memcpy(addr, data, i);
	addr[i] = '\0';
	mw_batv_keys k;
	mw_err err;
	if (mw_batv_keys_parse((const char *)data + i, size - i, &k, &err) == MW_OK) {
		char out[MW_BATV_ADDR_MAX + 32];
		(void)mw_batv_verify(&k, addr, 1700000000, out, sizeof(out));
		(void)mw_batv_sign(&k, addr, 1700000000, 7, out, sizeof(out), &err);
	}
	return 0;
}
