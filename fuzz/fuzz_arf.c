/*
 * fuzz_arf.c - libFuzzer target for the DMARC failure report reader
 * (report/failure.h): the GMime walk of the report e-mail, the
 * message/feedback-report field parser, the returned-headers reading and
 * Exim's plain-text fallback; the same bytes also go to the field parser
 * alone.
 * Invariants: on success Feedback-Type is set, every repeated field holds at
 * most MW_ARF_LIST_MAX values, the returned headers / message at most
 * MW_ARF_ORIGINAL_MAX bytes; on failure *out is NULL; nothing crashes or
 * leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "report/failure.h"

/* check - invariants of a parsed report */
static void check(const mw_arf_report *r)
{
	if (!r->feedback_type || r->incidents == 0)
		__builtin_trap();
	const mw_arf_list *l[] = {&r->original_rcpt_to, &r->authentication_results,
				  &r->reported_domain, &r->reported_uri};
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i]->n > MW_ARF_LIST_MAX)
			__builtin_trap();
	if ((r->headers && strlen(r->headers) > MW_ARF_ORIGINAL_MAX) ||
	    (r->message && strlen(r->message) > MW_ARF_ORIGINAL_MAX))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_arf_report *r = NULL;
	mw_err e;
	if (mw_arf_parse((const char *)data, size, &r, &e) == MW_OK)
		check(r);
	else if (r)
		__builtin_trap();
	mw_arf_free(r);
	r = mw_arf_new();
	if (r && mw_arf_parse_fields(r, (const char *)data, size, &e) == MW_OK)
		check(r);
	mw_arf_free(r);
	return 0;
}
