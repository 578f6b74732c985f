/*
 * fuzz_dsn.c - libFuzzer target for the bounce parsers: the RFC 3464
 * delivery-status field parser, the plain-text bounce scanner, and the
 * whole-message path (GMime walk, SES JSON, reasons, backscatter).
 * Invariants: every recipient has an address string and a status that is
 * empty or a valid RFC 3463 code; nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bounce/backscatter.h"
#include "bounce/bounce.h"
#include "bounce/dsn.h"
#include "bounce/textbounce.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	mw_pool *pool = mw_pool_new(MW_BOUNCE_POOL_MAX);
	if (!pool)
		return 0;
	mw_dsn d;
	if (mw_dsn_parse(pool, s, size, &d, NULL) == MW_OK && d.nrcpt > MW_BOUNCE_RCPTS_MAX)
		__builtin_trap();
	mw_text_bounce t;
	static const char *const ex[] = {"sender@our.example", NULL};
	mw_text_bounce_scan(pool, s, size, ex, &t);
	mw_pool_free(pool);

	mw_bounce *b = NULL;
	if (mw_bounce_parse(s, size, &b, NULL) != MW_OK)
		return 0;
	for (size_t i = 0; i < b->nrcpt; i++) {
		const char *st = b->rcpts[i].status;
		if (!b->rcpts[i].address || (st[0] && !mw_status_code_valid(st, strlen(st)) &&
					     !b->rcpts[i].status_inferred))
			__builtin_trap();
	}
	static const char *const doms[] = {"our.example"};
	mw_bs_net net;
	mw_bs_parse_net("192.0.2.0/24", &net);
	mw_bs_policy p = {.domains = doms, .ndomains = 1, .nets = &net, .nnets = 1};
	mw_bs_result r;
	mw_backscatter_check(b, &p, &r, NULL);
	mw_bounce_free(b);
	return 0;
}
