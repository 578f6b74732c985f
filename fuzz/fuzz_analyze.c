/*
 * fuzz_analyze.c - libFuzzer target for the whole `analyze` path: message
 * parsing, Received chain, trust boundary, SPF/DKIM/ARC/DMARC over an
 * in-memory zone, A-R comparison, bounce parsing, findings and verdict.
 * Checks that a verdict with an explanation always comes out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "forensics/analyze.h"

static const char zone_text[] =
    "$TTL 300\n"
    "orto-bio.it. TXT \"v=spf1 ip4:185.53.178.10 -all\"\n"
    "_dmarc.orto-bio.it. TXT \"v=DMARC1; p=none\"\n"
    "s2023._domainkey.orto-bio.it. TXT \"v=DKIM1; k=rsa; "
    "p="
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8VtPwF5sOWrSHUv42ImcL6jGTOAC2FgDMEQqtWRomxMdt7nfXm"
    "U8fB1Prj1BFtxt72vzS3PojXvoQQfxxx3UDoK14IUhqhVAHrHaXoE1coEbw5zd9m5rvZrOzK4Am3CP8LJzf7FdluD4iYX0"
    "4JP7+0PzdH53\" "
    "\"PS4N21615/rTKbJYj1QjiMlS1Xt7GQ9tDPyINNJ8cCPPYT0KOQFyOpaeh5Rt+hB+vNW3Jnf2/0EzJbD3OcjWL3rLqJG/"
    "X0TiUJUVxfLhQnUklZQ6SDcZiWy+"
    "MtNr87yCWaZhyq1qX3AURcjw5OcHjikWMlGQSocUALR50pnCMQDcgjhyZR6mHwCfCQIDAQAB\"\n"
    "mail.orto-bio.it. A 185.53.178.10\n"
    "10.178.53.185.in-addr.arpa. PTR mail.orto-bio.it.\n"
    "mail.com. A 74.208.5.20\n"
    "mail.com. TXT \"v=spf1 ip4:74.208.4.192/26 -all\"\n"
    "_dmarc.mail.com. TXT \"v=DMARC1; p=quarantine\"\n"
    "slow.example. TXT \"v=spf1 -all\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dns_zone *zone;
	if (!zone) {
		mw_err err;
		zone = dns_zone_new();
		if (dns_zone_load_text(zone, zone_text, strlen(zone_text), "fuzz", &err) != MW_OK)
			abort();
	}
	dns_resolver *res = dns_resolver_zone_new(zone);
	dns_cache *cache = dns_cache_new();
	mw_an_trusted t;
	mw_an_trusted_parse("10.0.0.0/8", &t);
	mw_an_opts o = {.trusted = &t, .ntrusted = size & 1, .now = 1700600000};
	mw_analysis a;
	mw_err err;
	if (mw_analyze((const char *)data, size, &o, res, cache, &a, &err) == MW_OK) {
		if (!a.explanation || !a.advice || a.nfindings > MW_AN_FINDINGS_MAX ||
		    (a.client >= 0 && (size_t)a.client >= a.nhops))
			abort();
	}
	mw_analysis_free(&a);
	dns_cache_free(cache);
	dns_resolver_free(res);
	return 0;
}
