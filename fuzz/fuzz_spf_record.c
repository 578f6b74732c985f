/*
 * fuzz_spf_record.c - libFuzzer target for the SPF record parser and the
 * check_host() evaluation of whatever parses.
 *
 * The input is published as the TXT record of fuzz.example (beside a few
 * fixed records) and evaluated to completion over the in-memory zone, for
 * an IPv4 and an IPv6 client.  Checks: parsed terms satisfy the grammar's
 * invariants (CIDR ranges, domain-specs valid), the result is one of the
 * seven SPF results, the lookup limits hold, and nothing crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/spf.h"
#include "auth/spf_record.h"
#include "core/limits.h"
#include "dns/resolver.h"
#include "dns/zone.h"

/* check_parse - invariants of a successful parse */
static void check_parse(const char *s, size_t n)
{
	mw_pool *p = mw_pool_new(MW_SPF_POOL_MAX);
	spf_record rec;
	if (p && spf_record_parse(s, n, p, &rec, NULL) == MW_OK) {
		for (size_t i = 0; i < rec.nterms; i++) {
			const spf_term *t = &rec.terms[i];
			if (t->cidr4 > 32 || t->cidr6 > 128 || !strchr("+-~?", t->qual))
				abort();
			if (t->domain && !spf_domain_spec_check(t->domain, strlen(t->domain), NULL))
				abort();
		}
	}
	mw_pool_free(p);
}

/* evaluate - run check_host over a small zone holding the input */
static void evaluate(dns_zone *z, const char *ip)
{
	dns_cache *c = dns_cache_new();
	dns_resolver *r = dns_resolver_zone_new(z);
	spf_request req = {.sender = "user@fuzz.example", .helo = "helo.example",
			   .receiver = "rx.example"};
	spf_request_set_ip(&req, ip);
	spf_result res = {0};
	mw_err err;
	if (spf_check_run(&req, r, c, &res, &err) == MW_OK) {
		if ((unsigned)res.result > MW_AUTH_PERMERROR || res.result == MW_AUTH_POLICY)
			abort();
		if (res.dns_lookups > MW_SPF_DNS_TERMS_MAX + 1 || res.void_lookups > MW_SPF_VOID_MAX + 1)
			abort();
		if (!res.received_spf)
			abort();
	}
	spf_result_free(&res);
	dns_resolver_free(r);
	dns_cache_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MW_SPF_RECORD_MAX + 16)
		return 0;
	const char *s = (const char *)data;
	check_parse(s, size);
	dns_zone *z = dns_zone_new();
	if (!z)
		return 0;
	dns_zone_add_txt(z, "fuzz.example", s, size, 300);
	static const char inc[] = "v=spf1 ip4:192.0.2.0/24 include:fuzz.example ~all";
	static const char exp[] = "%{i} %{p} %{c} %{r} %{t} %{S}";
	dns_zone_add_txt(z, "inc.example", inc, sizeof(inc) - 1, 300);
	dns_zone_add_ip(z, "fuzz.example", "192.0.2.1", 300);
	dns_zone_add_ip(z, "fuzz.example", "2001:db8::1", 300);
	dns_zone_add_name(z, "fuzz.example", DNS_T_MX, 10, "mx.fuzz.example", 300);
	dns_zone_add_ip(z, "mx.fuzz.example", "192.0.2.2", 300);
	dns_zone_add_name(z, "2.2.0.192.in-addr.arpa", DNS_T_PTR, 0, "mx.fuzz.example", 300);
	dns_zone_add_txt(z, "exp.fuzz.example", exp, sizeof(exp) - 1, 300);
	dns_zone_set_fault(z, "slow.example", DNS_FAULT_TIMEOUT);
	evaluate(z, "192.0.2.2");
	evaluate(z, "2001:db8::1");
	dns_zone_free(z);
	return 0;
}
