/*
 * fuzz_spf_macro.c - libFuzzer target for the SPF macro checker and
 * expander (RFC 7208 §7) and the §7.3 name truncation.
 *
 * The first input byte chooses the client family and whether the string
 * is explanation text; the rest is the macro-string.  Checks: expansion
 * succeeds exactly when the syntax check does (or fails only for size),
 * the output respects the buffer maximum, truncated names fit 253 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/spf_macro.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	bool v6 = data[0] & 1, exp = data[0] & 2;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	mw_ip ip;
	mw_ip_parse(v6 ? "2001:db8::cb01" : "192.0.2.3", &ip);
	spf_macro_env env = {.sender = "strong-bad@email.example.com", .local = "strong-bad",
			     .sdomain = "email.example.com", .domain = "email.example.com",
			     .ip = &ip, .ip_upper = data[0] & 4, .helo = "mx.example.org",
			     .receiver = "rx.example.net", .ptr = (data[0] & 8) ? "mx.example.com" : NULL,
			     .now = 1700000000};
	bool ok = spf_macro_check(s, n, exp, NULL);
	mw_buf b;
	mw_buf_init(&b, MW_SPF_EXP_MAX);
	mw_status st = spf_macro_expand(s, n, &env, exp, &b, NULL);
	if (ok != (st == MW_OK || st == MW_ETOOBIG))
		abort();
	if (b.len > MW_SPF_EXP_MAX)
		abort();
	if (st == MW_OK) {
		char name[MW_SPF_EXP_MAX + 1];
		memcpy(name, mw_buf_cstr(&b), b.len + 1);
		spf_domain_truncate(name);
		if (strlen(name) > MW_SPF_MACRO_MAX)
			abort();
	}
	mw_buf_free(&b);
	return 0;
}
