/*
 * audit/dnsbl.h - DNS blocklists: the data file, the queries, the verdicts
 * (RFC 5782).
 *
 * DESCRIPTION
 *   A dnsbl_list is read from a data file (data/dnsbl.conf is the default,
 *   built in as dnsbl_default_text):
 *     zone NAME ip|domain [url=DELIST-URL] LABEL...
 *     code A.B.C.D[-A.B.C.D] listed|policy|error MEANING...
 *   '#' starts a comment line.  `code` lines belong to the zone above.
 *   An IP list is queried as <reversed IPv4 octets>.<zone> (RFC 5782 §2.1;
 *   IPv6 addresses are skipped: few lists serve them), a domain list as
 *   <domain>.<zone> (§2.2).  An answer is decoded by the zone's code table:
 *     listed  the target is on the list (critical)
 *     policy  on a policy list, e.g. Spamhaus PBL end-user ranges (warning)
 *     error   the list refused the query, e.g. Spamhaus 127.255.255.x for
 *             public resolvers and over-limit use: the target was NOT
 *             checked, and is never reported as listed
 *   A 127.0.0.0/8 answer no code matches counts as listed ("unknown code");
 *   any other address is an error (a wildcard or a dead list).  NXDOMAIN
 *   or no data means not listed; a timeout or SERVFAIL means not checked.
 *
 *   dnsbl_check sends every query at once through a resolver and waits at
 *   most total_ms in all; what has not answered by then is "not checked".
 *
 * LIMITS
 *   MW_DNSBL_FILE_MAX bytes, MW_DNSBL_LINE_MAX per line, MW_DNSBL_ZONES_MAX
 *   zones, MW_DNSBL_CODES_MAX code lines per zone, MW_AUDIT_IPS_MAX IPs.
 *
 * OWNERSHIP
 *   The list owns its strings (dnsbl_list_free).  A dnsbl_result must be
 *   freed only after the resolver used by dnsbl_check is freed (the
 *   resolver's cancel callbacks still write into it).
 */
#ifndef MW_AUDIT_DNSBL_H
#define MW_AUDIT_DNSBL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/finding.h"
#include "core/ip.h"
#include "core/limits.h"
#include "dns/resolver.h"

typedef enum dnsbl_kind {
	DNSBL_LISTED = 0,
	DNSBL_POLICY,
	DNSBL_ERROR,
} dnsbl_kind;

typedef struct dnsbl_code {
	uint32_t lo, hi;      /* IPv4 answer range, host order */
	dnsbl_kind kind;
	char *meaning;
} dnsbl_code;

typedef struct dnsbl_zone {
	char *zone;
	bool domain;          /* a domain list (else IPv4) */
	char *label;
	char *url;            /* delisting / lookup page, or NULL */
	dnsbl_code codes[MW_DNSBL_CODES_MAX];
	size_t ncodes;
} dnsbl_zone;

typedef struct dnsbl_list {
	dnsbl_zone *z;
	size_t n;
} dnsbl_list;

extern const char dnsbl_default_text[];

/* dnsbl_list_parse - read the data-file text; MW_OK, MW_EPARSE / MW_ETOOBIG with
 * "line N: reason", MW_ENOMEM.  On error the list is empty. */
mw_status dnsbl_list_parse(dnsbl_list *l, const char *text, size_t len, mw_err *err);
/* dnsbl_list_load_file - parse a file */
mw_status dnsbl_list_load_file(dnsbl_list *l, const char *path, mw_err *err);
/* dnsbl_list_load_default - parse the built-in table */
mw_status dnsbl_list_load_default(dnsbl_list *l, mw_err *err);
/* dnsbl_list_free - release */
void dnsbl_list_free(dnsbl_list *l);

typedef enum dnsbl_verdict {
	DNSBL_V_CLEAN = 0,    /* NXDOMAIN / no data: not listed */
	DNSBL_V_LISTED,
	DNSBL_V_POLICY,
	DNSBL_V_REFUSED,      /* the list's error code: not checked */
	DNSBL_V_UNCHECKED,    /* timeout, SERVFAIL, total time over */
	DNSBL_V_BOGUS,        /* answer outside 127/8: not checked */
} dnsbl_verdict;

/* dnsbl_decode - verdict for an answer; *meaning gets the code's text (or a reason) */
dnsbl_verdict dnsbl_decode(const dnsbl_zone *z, const dns_answer *a, const char **meaning,
			   char codes[64]);
/* dnsbl_verdict_name - "clean", "listed", "policy", "refused", "unchecked", "bogus" */
const char *dnsbl_verdict_name(dnsbl_verdict v);

typedef struct dnsbl_targets {
	const char *domain;   /* NULL: no domain lists */
	mw_ip ips[MW_AUDIT_IPS_MAX];
	size_t nips;
} dnsbl_targets;

struct dnsbl_result;
typedef struct dnsbl_entry {
	struct dnsbl_result *owner;
	size_t zone;          /* index in the list */
	char target[MW_DNS_NAME_MAX + 1]; /* IP text or domain */
	char qname[MW_DNS_NAME_MAX + 1];
	dns_answer *answer;   /* owned; NULL until answered */
	bool answered;
	dnsbl_verdict verdict;
	const char *meaning;  /* static, or the list's string */
	char codes[64];       /* answer addresses, comma-separated */
} dnsbl_entry;

typedef struct dnsbl_result {
	dnsbl_entry *e;
	size_t n;
	bool closed;          /* no more answers accepted */
	unsigned elapsed_ms;
	size_t skipped_v6;    /* IPv6 targets not queried */
} dnsbl_result;

/* dnsbl_check - all queries in parallel, at most total_ms; MW_OK or MW_ENOMEM */
mw_status dnsbl_check(const dnsbl_list *l, const dnsbl_targets *t, dns_resolver *r,
		      unsigned total_ms, dnsbl_result *res);
/* dnsbl_result_free - release (after the resolver, see OWNERSHIP) */
void dnsbl_result_free(dnsbl_result *res);
/* dnsbl_findings - add findings (section "dnsbl") */
void dnsbl_findings(const dnsbl_list *l, const dnsbl_result *res, audit_findings *out);
/* dnsbl_json - every query and verdict as a JSON object (caller owns) */
json_t *dnsbl_json(const dnsbl_list *l, const dnsbl_result *res);

#endif
