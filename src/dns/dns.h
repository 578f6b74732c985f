/*
 * dns/dns.h - DNS data types shared by every backend and engine.
 *
 * DESCRIPTION
 *   A dns_answer is the outcome of one (name, type) query: records of that
 *   type (after following CNAMEs), NXDOMAIN, no data, or a temporary error
 *   (timeout, SERVFAIL).  Engines never see wire format.  TXT records are
 *   kept as their character-strings joined without separators, which is how
 *   SPF (RFC 7208 §3.3), DKIM (RFC 6376 §3.6.2.2) and DMARC read them.
 *
 * OWNERSHIP
 *   dns_answer_new returns an answer the caller owns; every string inside
 *   is owned by the answer and freed by dns_answer_free.
 */
#ifndef MW_DNS_DNS_H
#define MW_DNS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

typedef enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
} dns_type;

typedef enum dns_status {
	DNS_OK = 0,       /* one or more records */
	DNS_NXDOMAIN,     /* the name does not exist */
	DNS_NODATA,       /* the name exists, no record of this type */
	DNS_TEMPFAIL,     /* timeout, SERVFAIL, refused: try again later */
} dns_status;

typedef struct dns_rr {
	dns_type type;
	uint32_t ttl;
	mw_ip ip;       /* A, AAAA */
	uint16_t pref;  /* MX */
	char *name;     /* MX exchange, PTR, CNAME, NS target; SOA mname */
	char *txt;      /* TXT joined strings (NUL-terminated; may hold NULs) */
	size_t txt_len; /* TXT length in bytes */
} dns_rr;

typedef struct dns_answer {
	dns_status status;
	uint32_t ttl;   /* cache lifetime; for negative answers the SOA minimum */
	size_t n;
	dns_rr *rr;
	char *reason;   /* for DNS_TEMPFAIL: "timeout", "SERVFAIL" ...; else NULL */
} dns_answer;

/* dns_answer_new - empty answer with a status (caller frees) */
dns_answer *dns_answer_new(dns_status status, uint32_t ttl);
/* dns_answer_free - free the answer and its strings; NULL is fine */
void dns_answer_free(dns_answer *a);
/* dns_answer_clone - deep copy (caller frees) */
dns_answer *dns_answer_clone(const dns_answer *a);
/* dns_answer_set_reason - copy a reason string */
mw_status dns_answer_set_reason(dns_answer *a, const char *reason);
/* dns_answer_add - append a deep copy of rr; sets status to DNS_OK.
 * MW_ETOOBIG past MW_DNS_ANSWERS_MAX records. */
mw_status dns_answer_add(dns_answer *a, const dns_rr *rr);

/* dns_type_name - "A", "TXT" ... (static) */
const char *dns_type_name(dns_type t);
/* dns_type_parse - inverse of dns_type_name, case-insensitive; 0 if unknown */
dns_type dns_type_parse(const char *s);
/* dns_status_name - "ok", "NXDOMAIN", "NODATA", "TEMPFAIL" (static) */
const char *dns_status_name(dns_status s);

#endif
