/*
 * store/store.c - pick a counter store from its configuration spelling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* mw_store_open_spec - "memory", "sqlite:PATH", "redis://HOST[:PORT]" */
mw_store *mw_store_open_spec(const char *spec, int timeout_ms, size_t max_keys, mw_err *err)
{
	if (strcmp(spec, "memory") == 0) {
		mw_store *s = mw_store_open_memory(max_keys);
		if (!s)
			mw_err_set(err, MW_ENOMEM, "out of memory");
		return s;
	}
	if (strncmp(spec, "sqlite:", 7) == 0 && spec[7])
		return mw_store_open_sqlite(spec + 7, max_keys, err);
	if (strncmp(spec, "redis://", 8) == 0 && spec[8]) {
		char host[256];
		int port = 6379;
		const char *hp = spec + 8, *colon = strrchr(hp, ':');
		size_t hl = colon ? (size_t)(colon - hp) : strlen(hp);
		if (hl == 0 || hl >= sizeof(host)) {
			mw_err_set(err, MW_EINVAL, "store '%s': bad host", spec);
			return NULL;
		}
		memcpy(host, hp, hl);
		host[hl] = '\0';
		if (colon) {
			char *end;
			long p = strtol(colon + 1, &end, 10);
			if (*end || p <= 0 || p > 65535) {
				mw_err_set(err, MW_EINVAL, "store '%s': bad port", spec);
				return NULL;
			}
			port = (int)p;
		}
		return mw_store_open_redis(host, port, timeout_ms, NULL, max_keys, err);
	}
	mw_err_set(err, MW_EINVAL, "store '%s': want memory, sqlite:PATH or redis://HOST:PORT", spec);
	return NULL;
}
