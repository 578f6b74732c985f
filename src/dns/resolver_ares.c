/*
 * dns/resolver_ares.c - c-ares backend (placeholder).
 */
#include "dns/resolver.h"

dns_resolver *dns_resolver_ares_new(const char *server, int timeout_ms, int tries, mw_err *err)
{
	(void)server;
	(void)timeout_ms;
	(void)tries;
	mw_err_set(err, MW_EIO, "c-ares backend not built yet");
	return NULL;
}
