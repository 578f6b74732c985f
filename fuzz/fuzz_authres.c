/*
 * fuzz_authres.c - libFuzzer target for the Authentication-Results parser
 * (strict and lenient) and the writer fed with what was parsed.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/authres.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags <= MW_AR_LENIENT; flags++) {
		mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
		if (!pool)
			return 0;
		mw_authres ar;
		if (mw_authres_parse((const char *)data, size, flags, pool, &ar, NULL) == MW_OK) {
			mw_buf out;
			mw_buf_init(&out, MW_AR_HEADER_MAX * 2);
			/* what we write from a parse must parse again */
			if (mw_authres_format(&ar, 0, &out) == MW_OK) {
				mw_authres back;
				if (mw_authres_parse(out.data, out.len, flags, pool, &back, NULL) ==
				    MW_EPARSE)
					__builtin_trap();
			}
			mw_buf_free(&out);
		}
		mw_pool_free(pool);
	}
	return 0;
}
