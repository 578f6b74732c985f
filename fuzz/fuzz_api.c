/*
 * fuzz_api.c - libFuzzer target for what the HTTP API parses from a client:
 * the Authorization header (bearer, basic/base64), release/block JSON
 * bodies, limit/offset and text parameters, Origin against Host.  The
 * first byte picks the parser; the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/apijson.h"
#include "api/auth.h"
#include "api/param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	static const mw_api_creds c = {.token = "fuzz-token", .user = "admin", .password = "pa:ss"};
	mw_err err;
	switch (data[0] % 5) {
	case 0:
		mw_api_authenticate(&c, s);
		break;
	case 1: {
		char key[MW_RL_KEY_MAX + 1];
		int64_t dur = 0;
		if (mw_api_key_body(s, size - 1, key, sizeof(key), (data[0] & 8) ? &dur : NULL, &err) ==
		    MW_OK) {
			if (!key[0])
				abort();
			for (const char *p = key; *p; p++)
				if ((unsigned char)*p < 0x20 || (*p >= 'A' && *p <= 'Z'))
					abort(); /* control byte or not lower-cased */
			if ((data[0] & 8) && (dur < 1 || dur > MW_RL_WINDOW_MAX / 1000))
				abort();
		}
		break;
	}
	case 2: {
		char *amp = strchr(s, '&');
		if (amp)
			*amp = '\0';
		mw_api_page pg;
		if (mw_api_page_params(s, amp ? amp + 1 : NULL, &pg, &err) == MW_OK &&
		    (pg.limit < 1 || pg.limit > MW_API_LIMIT_MAX || pg.offset > MW_API_OFFSET_MAX))
			abort();
		break;
	}
	case 3: {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		mw_api_origin_ok(s, nl ? nl + 1 : NULL);
		mw_api_json_type(s);
		mw_api_addr_loopback(s);
		break;
	}
	default:
		mw_api_text_param("q", s, 512, &err);
		mw_api_blocklist_name(s);
		break;
	}
	free(s);
	return 0;
}
