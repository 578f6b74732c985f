/*
 * fuzz_zonefile.c - libFuzzer target for the RFC 1035 master-file reader.
 * Loads the input as a zone, then queries a few names of every type; an
 * error must name the label and a line, and no query may return NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/zone.h"

static const char *const names[] = {"example.com",  "mail.example.com", "x.example",
                                    "slow.example", "a.b.c.d.e.f.g",    "*.w.example"};
static const dns_type types[] = {DNS_T_A,   DNS_T_AAAA,  DNS_T_MX, DNS_T_TXT,
                                 DNS_T_PTR, DNS_T_CNAME, DNS_T_NS, DNS_T_SOA};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_zone *z = dns_zone_new();
	if (!z)
		return 0;
	mw_err err;
	mw_status st = dns_zone_load_text(z, (const char *)data, size, "fuzz", &err);
	if (st != MW_OK && st != MW_ENOMEM && strncmp(err.msg, "fuzz:", 5) != 0)
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
			dns_answer *a = dns_zone_query(z, names[i], types[k]);
			if (!a)
				abort();
			for (size_t r = 0; r < a->n; r++)
				if (a->rr[r].type != types[k])
					abort();
			dns_answer_free(a);
		}
	}
	dns_zone_free(z);
	return 0;
}
