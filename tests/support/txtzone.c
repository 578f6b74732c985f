/*
 * tests/support/txtzone.c - see txtzone.h.
 */
#include "txtzone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* must - a zone call that has to succeed */
static void must(mw_status st, const char *name)
{
	if (st != MW_OK) {
		fprintf(stderr, "txtzone: %s: record refused\n", name);
		abort();
	}
}

/* add_record - one "<name> <TXT value>" line */
static void add_record(dns_zone *z, const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	if (!sp || line[0] == '#')
		return;
	char name[300];
	snprintf(name, sizeof(name), "%.*s", (int)(sp - line), line);
	const char *v = sp, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	size_t vl = (size_t)(end - v);
	if (vl == 8 && memcmp(v, "NXDOMAIN", 8) == 0)
		return; /* absent from the zone = NXDOMAIN */
	if (vl == 2 && memcmp(v, "\"\"", 2) == 0)
		vl = 0;
	if (vl >= 19 && memcmp(v, "~~Query timed out~~", 19) == 0)
		must(dns_zone_set_fault(z, name, DNS_FAULT_TIMEOUT), name);
	else if (vl >= 12 && memcmp(v, "~~SERVFAIL~~", 12) == 0)
		must(dns_zone_set_fault(z, name, DNS_FAULT_SERVFAIL), name);
	else
		must(dns_zone_add_txt(z, name, v, vl, 300), name);
}

/* txtzone_load - see txtzone.h */
size_t txtzone_load(dns_zone *z, const char *text, size_t len, bool stop_at_blank)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le == p || (le == p + 1 && *p == '\r')) {
			if (stop_at_blank)
				return (size_t)((nl ? nl + 1 : end) - text);
		} else {
			add_record(z, p, (size_t)(le - p));
		}
		p = nl ? nl + 1 : end;
	}
	return len;
}
