/*
 * fuzz/fuzz_logline.c - the mail-log line parser and the scanner behind it.
 * Input: any bytes, split at newlines; every line goes through
 * mw_logline_parse and mw_logscan_line (correlation, detectors, JSON).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "logwatch/logline.h"
#include "logwatch/logscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_logtime_ctx tc;
	mw_logtime_init(&tc, 1795000000);
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	o.rate_limit = 2; /* reach the breach paths with small inputs */
	o.auth_ip_limit = o.auth_user_limit = 2;
	o.spray_ips = o.login_ips = 2;
	o.backscatter_limit = o.defer_limit = 1;
	mw_logscan *s = mw_logscan_new(&o);
	if (!s)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		mw_logev ev;
		mw_logline_parse(&tc, p, (size_t)(e - p), &ev);
		mw_logscan_line(s, &tc, p, (size_t)(e - p));
		p = e + 1;
	}
	mw_logscan_finish(s);
	json_t *j = mw_logscan_json(s, 5);
	json_decref(j);
	mw_logscan_free(s);
	return 0;
}
