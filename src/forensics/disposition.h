/*
 * forensics/disposition.h - what to do with a message after DMARC: the
 * policy to apply (t=y, pct sampling) and local policy overrides.
 *
 * DESCRIPTION
 *   Input: the DMARC result and the policy requested by the deciding
 *   Author Domain (p, sp or np, auth/dmarc.h), its t= flag and historic
 *   pct=, plus what the receiver knows of the path (client address and
 *   verified host name, List-Id/List-Post, ARC result and sealers).
 *   Steps, for a DMARC fail only (anything else: disposition none):
 *     1. t=y (RFC 9989 §5.3, "testing"): the policy is applied one level
 *        lower (reject -> quarantine -> none).
 *     2. otherwise pct=N with N < 100 (RFC 7489 §6.6.4, historic but still
 *        published; honour_pct): the message is in the sample when a roll
 *        0..99 from the injected random source is < N; outside the sample
 *        the policy is lowered one level, reason sampled_out.
 *     3. local overrides (RFC 7489 appendix C PolicyOverrideType, kept by
 *        RFC 9990), first match wins, the disposition becomes none:
 *          local_policy       the From domain is in dmarc_exempt_domains
 *          forwarded          the client is a configured forwarder
 *                             (dmarc_forwarders: IPs, CIDRs, host names
 *                             matched against the MTA's verified name,
 *                             equal or a subdomain)
 *          trusted_forwarder  ARC cv=pass and the oldest or the newest
 *                             ARC-Seal d= is in dmarc_arc_trusted
 *          mailing_list       List-Id (RFC 2919) in dmarc_mailing_lists, or
 *                             "any" and a List-Id or List-Post field
 *   The result carries requested, applied and final policies and the
 *   reason, for the Authentication-Results comment, the log and the DMARC
 *   aggregate report (policy_evaluated/reason).
 *
 * LIMITS
 *   MW_DISPO_NETS_MAX networks, MW_DISPO_NAMES_MAX names per list,
 *   MW_DISPO_NAME_MAX bytes per name (core/limits.h).
 *
 * OWNERSHIP
 *   Plain structs, no allocation; the input's strings are borrowed.
 */
#ifndef MW_FORENSICS_DISPOSITION_H
#define MW_FORENSICS_DISPOSITION_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/arc.h"
#include "auth/dmarc_record.h"
#include "auth/result.h"
#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"
#include "mail/message.h"

typedef enum mw_dispo_reason {
	MW_DISPO_NO_OVERRIDE = 0,
	MW_DISPO_FORWARDED,
	MW_DISPO_SAMPLED_OUT,
	MW_DISPO_TRUSTED_FORWARDER,
	MW_DISPO_MAILING_LIST,
	MW_DISPO_LOCAL_POLICY,
} mw_dispo_reason;

typedef struct mw_dispo_net {
	mw_ip net;
	unsigned prefix;
} mw_dispo_net;

typedef struct mw_dispo_names {
	char name[MW_DISPO_NAMES_MAX][MW_DISPO_NAME_MAX];
	size_t n;
} mw_dispo_names;

typedef struct mw_dispo_config {
	bool honour_pct;             /* default true */
	mw_dispo_net nets[MW_DISPO_NETS_MAX];
	size_t nnets;
	mw_dispo_names hosts;        /* forwarder host names */
	mw_dispo_names arc_trusted;  /* trusted ARC sealer domains */
	mw_dispo_names lists;        /* List-Ids (without <>) */
	bool lists_any;              /* "any": every List-Id/List-Post message */
	mw_dispo_names exempt;       /* From domains never enforced */
} mw_dispo_config;

/* mw_dispo_roll_fn - uniform 0..99 (the pct sample roll) */
typedef unsigned (*mw_dispo_roll_fn)(void *ctx);

typedef struct mw_dispo_input {
	mw_auth_result dmarc;        /* overall DMARC result */
	mw_dmarc_policy requested;   /* of the deciding Author Domain */
	int pct;                     /* -1 absent */
	bool testing;                /* t=y */
	const char *from_domain;     /* NULL unknown */
	const mw_ip *client_ip;      /* NULL unknown */
	const char *client_host;     /* verified name or NULL */
	const char *list_id;         /* List-Id field value or NULL */
	bool list_post;              /* a List-Post field is present */
	bool arc_pass;               /* ARC cv=pass */
	const char *arc_oldest, *arc_newest; /* ARC-Seal d= of instance 1 and N */
	mw_dispo_roll_fn roll;       /* NULL: roll 0 (always in the sample) */
	void *roll_ctx;
} mw_dispo_input;

typedef struct mw_disposition {
	mw_dmarc_policy requested;   /* as published */
	mw_dmarc_policy applied;     /* after t=y or pct sampling */
	mw_dmarc_policy final;       /* after local overrides: what is done */
	mw_dispo_reason reason;
	bool testing;                /* t=y lowered the policy */
	bool sampled_out;            /* pct roll outside the sample */
	unsigned roll;               /* the roll used (pct only) */
} mw_disposition;

/* mw_dispo_config_init - defaults: honour pct, no overrides */
void mw_dispo_config_init(mw_dispo_config *c);
/* mw_dispo_config_set - one [milter] key: dmarc_pct (honour|ignore),
 * dmarc_forwarders, dmarc_arc_trusted, dmarc_mailing_lists (ids or any),
 * dmarc_exempt_domains (blank/comma separated, added to what is there);
 * MW_ENOTFOUND for a key that is not one of these, MW_EINVAL/MW_ETOOBIG */
mw_status mw_dispo_config_set(mw_dispo_config *c, const char *name, const char *value,
			      mw_err *err);

/* mw_dispo_decide - the disposition of one message */
void mw_dispo_decide(const mw_dispo_config *c, const mw_dispo_input *in, mw_disposition *out);

/* mw_dispo_arc_sealers - d= of the oldest (instance 1) and newest ARC-Seal
 * of a verified chain into the buffers ("" when unknown) */
void mw_dispo_arc_sealers(const mw_message *m, const mw_arc_verify *v, char *oldest,
			  char *newest, size_t n);

/* mw_dispo_reason_name - "forwarded", "sampled_out", ... ("" for none) */
const char *mw_dispo_reason_name(mw_dispo_reason r);
/* mw_dispo_comment - "dis=quarantine override=forwarded" style text */
void mw_dispo_comment(const mw_disposition *d, char *buf, size_t n);

#endif
