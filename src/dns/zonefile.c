/*
 * dns/zonefile.c - RFC 1035 master-file reader (placeholder).
 */
#include "dns/zone.h"

mw_status dns_zone_load_file(dns_zone *z, const char *path, mw_err *err)
{
	(void)z;
	return mw_err_set(err, MW_EIO, "%s: zone files not supported yet", path);
}

mw_status dns_zone_load_text(dns_zone *z, const char *text, size_t len, const char *label,
			     mw_err *err)
{
	(void)z;
	(void)text;
	(void)len;
	return mw_err_set(err, MW_EIO, "%s: zone files not supported yet", label);
}
