/*
 * fuzz_arc.c - libFuzzer target for ARC chain validation: the input is a
 * message; key records are absent (NXDOMAIN) except one fixed RSA key at
 * k._domainkey.example.org, so collection, instance and tag parsing,
 * structure checks and the hashing paths all run.  The chain result must
 * always be one of none / pass / fail.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/arc.h"
#include "dns/zone.h"

static const char key_txt[] =
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bd"
	"OKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9Pzox"
	"ZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_message m;
	if (mw_message_parse((const char *)data, size, &m, NULL) != MW_OK)
		return 0;
	dns_zone *z = dns_zone_new();
	dns_zone_add_txt(z, "k._domainkey.example.org", key_txt, sizeof(key_txt) - 1, 300);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	mw_arc_verify v;
	if (mw_arc_verify_init(&v, &m, 1700000000) == MW_OK) {
		if (mw_arc_verify_run(&v, &lk, r, NULL) == MW_OK && v.cv != MW_AUTH_NONE &&
		    v.cv != MW_AUTH_PASS && v.cv != MW_AUTH_FAIL && v.cv != MW_AUTH_TEMPERROR)
			__builtin_trap();
		mw_arc_verify_free(&v);
	}
	dns_cache_free(cache);
	dns_resolver_free(r);
	dns_zone_free(z);
	mw_message_free(&m);
	return 0;
}
