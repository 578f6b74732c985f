/*
 * fuzz/fuzz_scan.c - the scan rules parser on arbitrary bytes, and a fixed
 * rule set over arbitrary messages (GMime MIME walk, HTML reduction and
 * entities, links, zip headers, Vectorscan scan + PCRE2 confirmation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/scan.h"

static const char RULES[] = "threshold 5\n"
			    "a 4 body /verify your account/i\n"
			    "b 2 header Subject /urgent/i\n"
			    "c 6 url evil.example\n"
			    "d 9 attachment exe\n"
			    "e 3 reply-to-mismatch\n"
			    "f 5 display-name-spoof\n"
			    "g 2 many-to 3\n"
			    "h 3 phrase \"verify your account\" \"konto bestätigen\"\n"
			    "i 3 link /^https?:\\/\\/[^\\/]*@/\n"
			    "j 6 display-name-own bank.example bank\n"
			    "k 6 encrypted-archive\n"
			    "l 1 body /pay(?=ment)/\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mw_scan_rules *fixed; /* compiled once: a Vectorscan build takes milliseconds */
	mw_scan_rules *r;
	mw_err err;
	if (mw_scan_rules_parse((const char *)data, size, &r, &err) == MW_OK)
		mw_scan_rules_free(r);
	if (!fixed && mw_scan_rules_parse(RULES, strlen(RULES), &fixed, &err) != MW_OK)
		abort();
	mw_scan_result *res = malloc(sizeof(*res));
	if (res)
		(void)mw_scan_message(fixed, (const char *)data, size, res, &err);
	free(res);
	return 0;
}
