/*
 * forensics/analyze.h - who really sent this message?
 *
 * DESCRIPTION
 *   mw_analyze reads a raw message and reconstructs its path and its
 *   authenticity the way a postmaster would:
 *     1. Received chain (mail/received.h), newest first in the header,
 *        reported oldest first (hop 1 = where the message entered mail).
 *     2. Trust boundary: the topmost Received field is written by the
 *        recipient's server and trusted.  Walking down, a hop whose client
 *        is trusted (--trusted CIDR contains its address, or --trusted
 *        HOST equals or is a parent of its rDNS name; with no --trusted
 *        at all, a loopback/private address, i.e. internal filtering) was
 *        written inside the boundary; the first hop whose client is
 *        outside is the connecting client.  Local hops (no client) are
 *        skipped.
 *     3. Recompute SPF (client IP, Return-Path, HELO), DKIM, ARC and DMARC
 *        (forensics/authrun.h) through the DNS layer, plus the client's
 *        reverse DNS (PTR, then forward confirmation, FCrDNS), the HELO
 *        name's addresses and whether the From domain publishes DKIM keys
 *        (the _domainkey.<domain> name exists: RFC 8020 NODATA vs
 *        NXDOMAIN), all through dns/lookup.h (replay over cache).
 *     4. Authentication-Results fields (auth/authres.h) are compared with
 *        the recomputed spf/dkim/dmarc results.  One is trusted when it
 *        sits above the connecting client's Received field (added after
 *        the message crossed the boundary) and, with --authserv-id, its
 *        authserv-id matches; others are forgeable (RFC 8601 §5).
 *     5. Findings (code, severity, message, evidence) and a verdict:
 *        backscatter (a bounce whose original did not come from the
 *        bounce recipient's domain, bounce/backscatter.h), spoofed (DMARC
 *        fail), suspicious (no aligned authentication without a DMARC
 *        record, impersonation, bad input), authentic-but-relayed (aligned
 *        DKIM survived a path that SPF does not vouch for), authentic, or
 *        undetermined (DNS temperror, no usable From, no Received chain);
 *        with a plain-language explanation and advice.
 *
 * LIMITS
 *   MW_AN_HOPS_MAX Received fields, MW_AN_FINDINGS_MAX findings,
 *   MW_AN_TRUSTED_MAX trusted entries, MW_AN_POOL_MAX memory, plus the
 *   limits of every parser and engine used.
 *
 * OWNERSHIP
 *   Everything in an mw_analysis lives in its pool and engines;
 *   mw_analysis_free releases it.  The library prints nothing.
 */
#ifndef MW_FORENSICS_ANALYZE_H
#define MW_FORENSICS_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/pool.h"
#include "dns/cache.h"
#include "dns/resolver.h"
#include "forensics/authrun.h"
#include "mail/message.h"
#include "mail/received.h"

typedef enum mw_an_verdict {
	MW_AN_UNDETERMINED = 0,
	MW_AN_AUTHENTIC,
	MW_AN_RELAYED, /* authentic-but-relayed */
	MW_AN_SPOOFED,
	MW_AN_SUSPICIOUS,
	MW_AN_BACKSCATTER,
} mw_an_verdict;

typedef enum mw_an_sev { MW_SEV_INFO = 0, MW_SEV_LOW, MW_SEV_MEDIUM, MW_SEV_HIGH } mw_an_sev;

typedef struct mw_an_trusted {
	bool is_net;
	mw_ip net;
	unsigned prefix;
	char host[MW_DNS_NAME_MAX + 1]; /* lower case, no trailing dot */
} mw_an_trusted;

typedef struct mw_an_opts {
	const mw_an_trusted *trusted;
	size_t ntrusted;
	const char *authserv_id; /* NULL: A-R trusted by position only */
	time_t now;              /* DKIM/ARC clock; 0 = now */
	mw_dkim_keycache
	    *dkim_keys; /* optional, borrowed: reuse parsed DKIM keys (many messages) */
} mw_an_opts;

typedef struct mw_an_hop {
	mw_received r;
	long field;  /* index of the Received field in the message */
	bool inside; /* written inside the trust boundary, client trusted */
	bool has_delay;
	long long delay; /* seconds since the previous hop */
} mw_an_hop;

typedef struct mw_an_finding {
	const char *code; /* stable kebab-case code, e.g. "dmarc-fail" */
	mw_an_sev sev;
	const char *message;
	const char *evidence;
} mw_an_finding;

typedef enum mw_an_agree { MW_AN_AGREE = 0, MW_AN_DISAGREE, MW_AN_UNTRUSTED } mw_an_agree;

typedef struct mw_an_arcmp {
	const char *authserv_id;
	const char *method;  /* spf, dkim, dmarc, arc */
	const char *claimed; /* result word in the header */
	const char *recomputed;
	mw_an_agree state;
} mw_an_arcmp;

#define MW_AN_ARCMP_MAX 32 /* comparisons reported: abuse limit */

typedef struct mw_analysis {
	mw_pool *pool;
	mw_message msg;
	bool msg_ok;
	mw_an_hop *hop; /* oldest first */
	size_t nhops;
	size_t nreceived_ignored; /* past MW_AN_HOPS_MAX */
	long client;              /* hop index of the connecting client, -1 if none */
	const char *client_ip;    /* NULL if unknown */
	const char *helo, *rdns_recorded;
	const char *mail_from; /* Return-Path address ("" = null path), NULL if absent */
	const char *from_addr, *from_domain, *from_display;
	/* DNS facts */
	const char *ptr_name; /* first PTR name, NULL if none */
	bool ptr_temp, fcrdns, helo_resolves, helo_checked, from_signs, dns_temp;
	/* authentication */
	mw_authrun auth;
	bool auth_done;
	mw_an_arcmp cmp[MW_AN_ARCMP_MAX];
	size_t ncmp;
	/* bounce */
	bool is_bounce;
	int backscatter;           /* 1 backscatter, 0 genuine/unknown, -1 not a bounce */
	struct mw_bounce *bounce;  /* parsed bounce (bounce/bounce.h), NULL if none */
	const char *bounce_domain; /* domain the bounce was sent to (ours) */
	bool bounce_dom_signs;     /* that domain publishes DKIM keys */
	/* result */
	mw_an_finding finding[MW_AN_FINDINGS_MAX];
	size_t nfindings;
	mw_an_verdict verdict;
	const char *explanation;
	const char *advice;
} mw_analysis;

/* mw_an_trusted_parse - "192.0.2.0/24", "2001:db8::1" or a host name */
bool mw_an_trusted_parse(const char *s, mw_an_trusted *out);

/* mw_analyze - analyse raw[0..len).  MW_OK: *a is filled (even for a
 * broken message: findings say why); MW_ENOMEM / MW_EINVAL with err.
 * Always call mw_analysis_free. */
mw_status mw_analyze(const char *raw, size_t len, const mw_an_opts *o, dns_resolver *res,
                     dns_cache *cache, mw_analysis *a, mw_err *err);
/* mw_analysis_free - release everything */
void mw_analysis_free(mw_analysis *a);

/* mw_an_verdict_name - "authentic", "authentic-but-relayed", "spoofed", ... */
const char *mw_an_verdict_name(mw_an_verdict v);
/* mw_an_sev_name - "info", "low", "medium", "high" */
const char *mw_an_sev_name(mw_an_sev s);
/* mw_an_agree_name - "agree", "disagree", "untrusted" */
const char *mw_an_agree_name(mw_an_agree s);
/* mw_an_has - the analysis has a finding with this code */
bool mw_an_has(const mw_analysis *a, const char *code);

#endif
