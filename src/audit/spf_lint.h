/*
 * audit/spf_lint.h - SPF record lint for a domain (RFC 7208).
 *
 * DESCRIPTION
 *   audit_spf_lint fetches <domain>'s SPF record and every record it pulls
 *   in (include:, redirect=) and reports, as audit findings (section "spf"):
 *     - record missing, several records (§4.5 permerror), syntax errors (§4.6)
 *     - the DNS-lookup count by §4.6.4 (include a mx ptr exists redirect;
 *       worst case: every term evaluated), with a tree that shows what each
 *       include costs; over MW_SPF_DNS_TERMS_MAX is critical (permerror)
 *     - void lookups (names with no records, §4.6.4: more than 2 is
 *       permerror), mx terms with more than MW_SPF_MX_MAX hosts
 *     - +all (critical), ?all and a missing all (warning), terms after all,
 *       ptr (§5.5: do not use), include loops and includes that resolve to
 *       nothing or to no SPF record (permerror, §5.2)
 *     - ip4/ip6 ranges that another listed range already covers
 *     - records over one 255-byte string and answers over 512 bytes
 *     - when over the limit: a flattened record (ip4:/ip6: terms instead of
 *       lookups, split into _spfN.<domain> sub-records when long) with its
 *       caveat: it goes stale when a provider changes its ranges.
 *   Modifiers the RFC allows (exp=, unknown ones such as ra=) are not errors.
 *
 *   No I/O: DNS through dns/lookup.h (MW_NEED_DNS = fetch and replay).  Each
 *   pass rebuilds everything it reports; all needs of one tree level are
 *   recorded before stopping, so the walk takes about one round per level.
 *
 * LIMITS
 *   MW_AUDIT_SPF_NODES_MAX records walked, MW_SPF_DEPTH_MAX nesting,
 *   MW_AUDIT_SPF_NETS_MAX ranges collected.
 *
 * OWNERSHIP
 *   Strings in audit_spf_info live in the findings' pool.
 */
#ifndef MW_AUDIT_SPF_LINT_H
#define MW_AUDIT_SPF_LINT_H

#include <stdbool.h>

#include "audit/finding.h"
#include "core/limits.h"
#include "dns/lookup.h"

typedef struct audit_spf_node {
	const char *name;    /* domain of this record */
	const char *via;     /* "record", "include" or "redirect" */
	int depth;
	int parent;          /* node index, -1 for the root */
	unsigned own;        /* lookup terms in this record itself */
	unsigned cost;       /* lookups this node causes (its own term + subtree) */
	const char *problem; /* NULL, or why the record is unusable */
} audit_spf_node;

typedef struct audit_spf_info {
	bool found;          /* exactly one SPF record that parses */
	const char *record;  /* the domain's record text, or NULL */
	unsigned lookups;    /* §4.6.4 count, worst case */
	unsigned voids;
	char all_qual;       /* effective all qualifier, 0 when none */
	audit_spf_node *nodes; /* pool array */
	size_t nnodes;
	const char *tree;    /* the tree as text */
	const char *flat;    /* flattening suggestion (records, one per line) or NULL */
} audit_spf_info;

/* audit_spf_lint - one pass; MW_OK, MW_NEED_DNS, MW_ENOMEM */
mw_status audit_spf_lint(const char *domain, dns_lookup *lk, audit_findings *out,
			 audit_spf_info *info);

/* audit_txt_wire_size - bytes of a UDP answer holding these TXT records for name
 * (header, question, one RR per record, 255-byte strings; no EDNS) */
size_t audit_txt_wire_size(const char *name, const dns_answer *a);

#endif
