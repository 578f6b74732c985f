/*
 * fuzz_dnsbl_conf.c - libFuzzer target for the DNSBL data-file parser.
 * A parsed list must hold valid zones and ordered code ranges; decoding a
 * fixed answer against every zone must not crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dnsbl_list l;
	mw_err err;
	if (dnsbl_list_parse(&l, (const char *)data, size, &err) != MW_OK)
		return 0;
	if (l.n == 0 || l.n > MW_DNSBL_ZONES_MAX)
		abort();
	dns_answer *a = dns_answer_new(DNS_OK, 60);
	dns_rr rr = {.type = DNS_T_A, .ttl = 60};
	mw_ip_parse("127.0.0.2", &rr.ip);
	dns_answer_add(a, &rr);
	for (size_t i = 0; i < l.n; i++) {
		const dnsbl_zone *z = &l.z[i];
		if (!z->zone || !z->label || z->ncodes > MW_DNSBL_CODES_MAX)
			abort();
		for (size_t k = 0; k < z->ncodes; k++)
			if (z->codes[k].lo > z->codes[k].hi || !z->codes[k].meaning)
				abort();
		const char *m;
		char codes[64];
		(void)dnsbl_decode(z, a, &m, codes);
	}
	dns_answer_free(a);
	dnsbl_list_free(&l);
	return 0;
}
