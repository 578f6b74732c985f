/*
 * dns/zone.h - in-memory DNS data: the offline backend's store.
 *
 * DESCRIPTION
 *   A dns_zone holds records by (name, type) and answers queries the way an
 *   authoritative server would: records of the type, following CNAMEs
 *   (at most MW_DNS_CNAME_MAX), NODATA for an existing name (including empty
 *   non-terminals), NXDOMAIN otherwise.  Two test faults can be put on a
 *   name: DNS_FAULT_TIMEOUT and DNS_FAULT_SERVFAIL make every query of that
 *   name a DNS_TEMPFAIL, except for types that have records or an explicit
 *   no-data mark (dns_zone_set_nodata), which answer normally.  A leading
 *   "*" label is a wildcard (RFC 1034 §4.3.3) for names that do not exist.
 *
 *   Zone files (RFC 1035 §5 master-file subset) are read by
 *   dns_zone_load_file / dns_zone_load_text, implemented in zonefile.c.
 *
 * OWNERSHIP
 *   The zone copies everything added.  dns_zone_query returns a new answer
 *   that the caller frees with dns_answer_free.
 */
#ifndef MW_DNS_ZONE_H
#define MW_DNS_ZONE_H

#include <stdbool.h>

#include "dns/dns.h"

typedef struct dns_zone dns_zone;

typedef enum dns_fault {
	DNS_FAULT_NONE = 0,
	DNS_FAULT_TIMEOUT,
	DNS_FAULT_SERVFAIL,
} dns_fault;

/* dns_zone_new - empty zone */
dns_zone *dns_zone_new(void);
/* dns_zone_free - release; NULL is fine */
void dns_zone_free(dns_zone *z);
/* dns_zone_add - add a copy of rr at name (name is case-insensitive) */
mw_status dns_zone_add(dns_zone *z, const char *name, const dns_rr *rr);
/* dns_zone_add_txt - convenience: TXT record with given bytes */
mw_status dns_zone_add_txt(dns_zone *z, const char *name, const char *txt, size_t len,
			   uint32_t ttl);
/* dns_zone_add_ip - convenience: A or AAAA record from text; MW_EPARSE if not an address */
mw_status dns_zone_add_ip(dns_zone *z, const char *name, const char *ip, uint32_t ttl);
/* dns_zone_add_name - convenience: MX (pref), PTR, CNAME or NS pointing at target */
mw_status dns_zone_add_name(dns_zone *z, const char *name, dns_type type, uint16_t pref,
			    const char *target, uint32_t ttl);
/* dns_zone_set_fault - make the name time out / SERVFAIL (see above) */
mw_status dns_zone_set_fault(dns_zone *z, const char *name, dns_fault fault);
/* dns_zone_set_nodata - name exists and has explicitly no record of type */
mw_status dns_zone_set_nodata(dns_zone *z, const char *name, dns_type type);
/* dns_zone_set_negttl - name is a zone apex whose NXDOMAIN/NODATA answers
 * carry ttl (RFC 2308 §5: min(SOA TTL, SOA MINIMUM)); other negative answers
 * use the closest enclosing apex, or MW_DNS_NEGTTL_DEFAULT */
mw_status dns_zone_set_negttl(dns_zone *z, const char *name, uint32_t ttl);
/* dns_zone_query - answer a query (caller frees); NULL only on ENOMEM */
dns_answer *dns_zone_query(const dns_zone *z, const char *name, dns_type type);
/* dns_zone_names - number of distinct owner names */
size_t dns_zone_names(const dns_zone *z);

/* dns_zone_load_file - add the records of a master file; error names file:line */
mw_status dns_zone_load_file(dns_zone *z, const char *path, mw_err *err);
/* dns_zone_load_text - same from memory; label is used in error messages */
mw_status dns_zone_load_text(dns_zone *z, const char *text, size_t len, const char *label,
			     mw_err *err);

#endif
