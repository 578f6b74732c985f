/*
 * fuzz_smtp_reply.c - libFuzzer target for the SMTP reply parser.
 * Parses replies one after another as the probe does; checks that the bytes
 * used stay inside the input, codes are 200..599, the text has no CR and
 * EHLO keyword lookups stay in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;
	for (int i = 0; i < 1000; i++) {
		smtp_reply r;
		size_t used = 0;
		if (smtp_reply_parse(p, left, &r, &used) != MW_OK)
			break;
		if (used == 0 || used > left || r.code < 200 || r.code > 599 || r.nlines == 0 ||
		    strchr(r.text, '\r'))
			abort();
		char params[32];
		(void)smtp_reply_ext(&r, "AUTH", params, sizeof(params));
		(void)smtp_reply_ext(&r, "STARTTLS", NULL, 0);
		smtp_reply_free(&r);
		p += used;
		left -= used;
	}
	return 0;
}
