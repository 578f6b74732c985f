/*
 * forensics/an_int.h - internals shared by analyze.c and findings.c.
 */
#ifndef MW_FORENSICS_AN_INT_H
#define MW_FORENSICS_AN_INT_H

#include "forensics/analyze.h"

/* an_add - append a finding (strings copied to the pool; dropped past the limit) */
void an_add(mw_analysis *a, const char *code, mw_an_sev sev, const char *message,
            const char *evidence);
/* an_ip_internal - loopback, RFC 1918, link-local, CGNAT, ULA */
bool an_ip_internal(const mw_ip *ip);
/* an_ip_bogon - internal or reserved/unroutable (0/8, TEST-NETs, multicast, 240/4 ...) */
bool an_ip_bogon(const mw_ip *ip);
/* an_answer_has_ip - an A/AAAA answer holds ip */
bool an_answer_has_ip(const dns_answer *ans, const mw_ip *ip);
/* an_org - rough registrable domain (last two labels, three under a
 * registry second level like co.uk): a heuristic, no Public Suffix List */
const char *an_org(mw_pool *pool, const char *domain);
/* an_bounce_parse - bounce detection (sets a->bounce, a->bounce_domain) */
void an_bounce_parse(mw_analysis *a, const char *raw, size_t len);
/* an_bounce_judge - backscatter check on a->bounce */
void an_bounce_judge(mw_analysis *a, const mw_an_opts *o);
/* an_findings - every finding check */
void an_findings(mw_analysis *a);
/* an_verdict - verdict, explanation and advice from the findings */
void an_verdict(mw_analysis *a);

#endif
