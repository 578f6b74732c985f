/*
 * logwatch/blockmatch.c - reputation-block reply classifier (see blockmatch.h).
 *
 * The provider formats below are the documented or widely quoted reply
 * texts of each provider's postmaster pages (e.g. Microsoft "S3150" block
 * list codes, Yahoo "[TSS04]"/"[BL21]", Orange "OFR004", Comcast "BL000000").
 */
#include "logwatch/blockmatch.h"

#include <stddef.h>

#include "core/str.h"

typedef struct provider_rule {
	const char *provider;
	const char *needle; /* lower-case */
} provider_rule;

/* provider-specific markers: any of these in a 4xx/5xx reply is a block */
static const provider_rule providers[] = {
	{"Gmail", "unsolicited mail"},
	{"Gmail", "4.7.28"},
	{"Gmail", "likely suspicious due to the very low reputation"},
	{"Gmail", "our system has detected"},
	{"Microsoft", "part of their network is on our block list"},
	{"Microsoft", "banned sending ip"},
	{"Microsoft", "5.7.606"},
	{"Microsoft", "4.7.650"},
	{"Microsoft", "(s3150)"},
	{"Microsoft", "(s3140)"},
	{"Microsoft", "(s844)"},
	{"Yahoo", "[tss0"},
	{"Yahoo", "[bl2"},
	{"Yahoo", "not accepted for policy reasons"},
	{"Apple", "[cs01]"},
	{"Apple", "[hm08]"},
	{"Swisscom", "swisscom"},
	{"GMX/web.de", "nemesis"},
	{"GMX/web.de", "bad dns ptr resource record"},
	{"Orange", "ofr004"},
	{"Orange", "ofr_"},
	{"Orange", "service refuse"},
	{"Comcast", "#bl0"},
	{"Comcast", "comcast block"},
	{"T-Online", "tosa@rx.t-online.de"},
	{"Mimecast", "rejected by header based"},
	{"Proofpoint", "pphosted"},
};

/* generic keywords of reputation / policy refusals */
static const char *const generic[] = {
	"blacklist",   "blocklist",   "block list", "blocked",      "listed",
	"spamhaus",    "sorbs",       "barracuda",  "spamcop",      "not allowed to send",
	"reputation",  "policy",      "dnsbl",      " rbl",         "banned",
	"poor reputation", "spam",    "abuse",      "denylist",     "junk mail",
	NULL,
};

/* not a block even with a keyword: mailbox and greylisting replies */
static const char *const exclusions[] = {
	"greylist", "graylist", "user unknown", "mailbox full", "over quota",
	"no such user", "does not exist", "mailbox unavailable", NULL,
};

/* code_class - first digit of the reply's SMTP code, 0 if none */
static char code_class(mw_sv r)
{
	const char *p = r.p, *end = r.p + r.n;
	if (MW_STARTS(p, end, "host ")) { /* "host H[IP] said: 550 ..." */
		const char *s = MW_FIND(p, end, " said: ");
		if (!s)
			return 0;
		p = s + 7;
	}
	if (end - p >= 3 && (p[0] == '4' || p[0] == '5') && p[1] >= '0' && p[1] <= '9')
		return p[0];
	return 0;
}

/* mw_block_classify - see blockmatch.h */
bool mw_block_classify(mw_sv reply, mw_sv relay_host, mw_blockmatch *out)
{
	if (!reply.p || !code_class(reply))
		return false;
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		if (mw_sv_icontains(reply, providers[i].needle)) {
			out->provider = providers[i].provider;
			out->keyword = providers[i].needle;
			return true;
		}
	}
	for (int i = 0; exclusions[i]; i++)
		if (mw_sv_icontains(reply, exclusions[i]))
			return false;
	for (int i = 0; generic[i]; i++) {
		if (mw_sv_icontains(reply, generic[i])) {
			out->provider = "generic";
			if (mw_sv_icontains(relay_host, "google") || mw_sv_icontains(reply, "gsmtp"))
				out->provider = "Gmail";
			else if (mw_sv_icontains(relay_host, "outlook") ||
				 mw_sv_icontains(relay_host, "hotmail"))
				out->provider = "Microsoft";
			else if (mw_sv_icontains(relay_host, "yahoo"))
				out->provider = "Yahoo";
			out->keyword = generic[i];
			return true;
		}
	}
	return false;
}
