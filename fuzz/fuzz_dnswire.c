/*
 * fuzz_dnswire.c - libFuzzer target for the DNS reply reader (dns/wire.c),
 * which sees untrusted bytes from the network.  The first input byte picks
 * the query type; the rest is the reply.  Checks: DNS_OK has records, every
 * record has the query type and its name or text, TEMPFAIL has a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/wire.h"

static const dns_type types[] = {DNS_T_A,   DNS_T_AAAA,  DNS_T_MX, DNS_T_TXT,
                                 DNS_T_PTR, DNS_T_CNAME, DNS_T_NS, DNS_T_SOA};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	dns_type t = types[data[0] % 8];
	dns_answer *a = dns_wire_answer(data + 1, size - 1, "example.com", t);
	if (!a)
		return 0;
	if ((a->status == DNS_OK) != (a->n > 0))
		abort();
	if (a->status == DNS_TEMPFAIL && !a->reason)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const dns_rr *rr = &a->rr[i];
		if (rr->type != t)
			abort();
		if (t == DNS_T_TXT ? !rr->txt || rr->txt_len > size
		                   : (t != DNS_T_A && t != DNS_T_AAAA && !rr->name))
			abort();
		if (rr->name && strlen(rr->name) > 254)
			abort();
	}
	dns_answer_free(a);
	return 0;
}
