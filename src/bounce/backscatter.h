/*
 * bounce/backscatter.h - was the bounced message really sent by us?
 *
 * DESCRIPTION
 *   A bounce addressed to one of our domains is either genuine (we sent the
 *   original and it failed) or backscatter: a forged message carrying our
 *   address as sender (a "Joe job") bounced by a third party.  The
 *   evidence, each item recorded with its direction and a sentence:
 *     dkim        the returned headers carry a DKIM-Signature with d= one
 *                 of our domains; verified through the dkim hook when one
 *                 is given (a valid signature is decisive: strong genuine)
 *     batv        the bounce's recipient has a BATV prvs tag
 *                 (draft-levine-smtp-batv); verified through the batv hook
 *                 when given (valid: strong genuine); an untagged address
 *                 when policy says we tag everything: strong backscatter
 *     received    a Received field of the original names one of our
 *                 outbound IPs as the connecting client (genuine), or the
 *                 original entered the Internet elsewhere (forged)
 *     message-id  the original's Message-ID is ours (domain or pattern)
 *   Verdict: a strong item decides (both directions present: undetermined);
 *   otherwise the sum of weights: >= 2 genuine, <= -2 backscatter, else
 *   undetermined.  With no original returned, nothing can be shown.
 *
 * HOOKS
 *   dkim_verify and batv_verify return 1 valid, 0 invalid, -1 cannot tell.
 *   They keep this module free of keys and DNS: the CLI plugs in the DKIM
 *   engine (auth/dkim.h) and the BATV signer when those exist.
 *
 * OWNERSHIP
 *   Evidence sentences live in the result (fixed buffers); nothing to free.
 */
#ifndef MW_BOUNCE_BACKSCATTER_H
#define MW_BOUNCE_BACKSCATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "bounce/bounce.h"
#include "core/err.h"
#include "core/ip.h"

typedef enum mw_bs_verdict {
	MW_BS_UNDETERMINED = 0,
	MW_BS_GENUINE,
	MW_BS_BACKSCATTER,
} mw_bs_verdict;

typedef struct mw_bs_net {
	mw_ip net;
	unsigned prefix;
} mw_bs_net;

typedef int (*mw_bs_dkim_fn)(void *ctx, const char *headers, size_t len, const char *domain,
			     char *detail, size_t n);
typedef int (*mw_bs_batv_fn)(void *ctx, const char *address, char *detail, size_t n);

typedef struct mw_bs_policy {
	const char *const *domains; /* our domains (subdomains included) */
	size_t ndomains;
	const mw_bs_net *nets;      /* our outbound addresses */
	size_t nnets;
	const char *msgid_suffix;   /* e.g. "@mta.example.com>"; NULL: any of our domains */
	bool batv_always;           /* we tag every envelope sender */
	bool dkim_always;           /* we sign every message */
	mw_bs_dkim_fn dkim_verify;  /* NULL: presence only */
	void *dkim_ctx;
	mw_bs_batv_fn batv_verify;  /* NULL: syntax only */
	void *batv_ctx;
} mw_bs_policy;

#define MW_BS_EVIDENCE_MAX 8
#define MW_BS_DETAIL_MAX 256

typedef struct mw_bs_evidence {
	const char *check; /* "dkim", "batv", "received", "message-id", "addressed", "original" */
	int weight;        /* > 0 genuine, < 0 forged; +-3 = strong */
	char detail[MW_BS_DETAIL_MAX];
} mw_bs_evidence;

typedef struct mw_bs_result {
	mw_bs_verdict verdict;
	bool addressed_to_us;
	mw_bs_evidence ev[MW_BS_EVIDENCE_MAX];
	size_t nev;
} mw_bs_result;

#define MW_BS_STRONG 3

/* mw_backscatter_check - judge one parsed bounce */
mw_status mw_backscatter_check(const mw_bounce *b, const mw_bs_policy *p, mw_bs_result *out,
			       mw_err *err);

/* mw_bs_verdict_name - "genuine", "backscatter", "undetermined" */
const char *mw_bs_verdict_name(mw_bs_verdict v);

/* mw_bs_parse_net - "192.0.2.0/24", "2001:db8::/32" or a bare address */
bool mw_bs_parse_net(const char *s, mw_bs_net *out);

#endif
