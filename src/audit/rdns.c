/*
 * audit/rdns.c - PTR, FCrDNS and generic names (see rdns.h).
 */
#include "audit/rdns.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

#define SEC "rdns"

static const char *const generic_words[] = {
	"dyn", "dynamic", "dhcp", "pool", "dsl", "adsl", "vdsl", "xdsl", "cable", "ppp", "pppoe",
	"dialup", "dial", "client", "clients", "broadband", "customer", "cust", "cpe", "dip",
	"unassigned", "nat", "ftth", "fttx", "residential", NULL,
};

/* word_generic - a token equal to a generic word, or the word followed by digits only */
static bool word_generic(const char *tok, size_t n)
{
	for (size_t i = 0; generic_words[i]; i++) {
		size_t w = strlen(generic_words[i]);
		if (n < w || strncmp(tok, generic_words[i], w) != 0)
			continue;
		size_t k = w;
		while (k < n && isdigit((unsigned char)tok[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* embeds_ip - the address appears in the name in one of the usual spellings */
static bool embeds_ip(const char *name, const mw_ip *ip)
{
	if (ip->family != 4)
		return false;
	const uint8_t *a = ip->addr;
	char f[6][40];
	snprintf(f[0], sizeof(f[0]), "%u-%u-%u-%u", a[0], a[1], a[2], a[3]);
	snprintf(f[1], sizeof(f[1]), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	snprintf(f[2], sizeof(f[2]), "%u-%u-%u-%u", a[3], a[2], a[1], a[0]);
	snprintf(f[3], sizeof(f[3]), "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
	snprintf(f[4], sizeof(f[4]), "%03u%03u%03u%03u", a[0], a[1], a[2], a[3]);
	snprintf(f[5], sizeof(f[5]), "%02x%02x%02x%02x", a[0], a[1], a[2], a[3]);
	for (int i = 0; i < 6; i++)
		if (strstr(name, f[i]))
			return true;
	return false;
}

/* audit_ptr_generic - heuristic (see rdns.h) */
bool audit_ptr_generic(const char *name, const mw_ip *ip)
{
	char low[MW_DNS_NAME_MAX + 1];
	mw_strlcpy(low, name, sizeof(low));
	mw_strlower(low);
	if (embeds_ip(low, ip))
		return true;
	const char *p = low;
	while (*p) {
		size_t n = strcspn(p, ".-_");
		if (n && word_generic(p, n))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/* one_ip - PTR, FCrDNS and name checks of one address; false while missing */
static bool one_ip(const audit_ip *h, dns_lookup *lk, audit_findings *out)
{
	char ipt[MW_IP_STR_MAX], rev[MW_IP_REVNAME_MAX];
	mw_ip_format(&h->ip, ipt, sizeof(ipt));
	mw_ip_revname(&h->ip, rev, sizeof(rev));
	const dns_answer *p = dns_lookup_get(lk, rev, DNS_T_PTR);
	if (!p)
		return false;
	audit_sev bad = h->sending ? AUDIT_CRITICAL : AUDIT_WARNING;
	const char *who = audit_strf(out, "%s (%s)", ipt, h->src);
	if (p->status == DNS_TEMPFAIL) {
		audit_addf(out, AUDIT_WARNING, SEC, "rdns-dns-error", rev, NULL,
			   "reverse DNS of %s not checked: DNS temporary failure", who);
		return true;
	}
	if (p->n == 0) {
		audit_addf(out, bad, SEC, "rdns-missing",
			   audit_strf(out, "%s PTR: %s", rev, dns_status_name(p->status)),
			   audit_strf(out, "ask the owner of %s (hosting provider / ISP) to set its PTR "
					   "to the host's mail name, one that resolves back to %s", ipt, ipt),
			   "%s has no reverse DNS: many receivers refuse or junk its mail", who);
		return true;
	}
	size_t n = p->n < MW_SPF_PTR_MAX ? p->n : MW_SPF_PTR_MAX;
	for (size_t i = 0; i < n; i++)
		dns_lookup_want(lk, p->rr[i].name, h->ip.family == 4 ? DNS_T_A : DNS_T_AAAA);
	const char *good = NULL;
	bool missing = false, temp = false;
	for (size_t i = 0; i < n && !good; i++) {
		int c = dns_lookup_confirms(lk, p->rr[i].name, &h->ip);
		missing |= c == -1;
		temp |= c == -2;
		if (c == 1)
			good = p->rr[i].name;
	}
	if (!good && missing)
		return false;
	const char *ptr = good ? good : p->rr[0].name;
	const char *ev = audit_strf(out, "%s PTR %s", rev, ptr);
	if (!good)
		audit_addf(out, temp ? AUDIT_WARNING : bad, SEC, "rdns-not-fcrdns", ev,
			   audit_strf(out, "publish \"%s. A %s\" or change the PTR to a name that does",
				      ptr, ipt),
			   "%s: PTR name %s does not resolve back to it (no FCrDNS)%s", who, ptr,
			   temp ? " (DNS temporary failure)" : "");
	if (audit_ptr_generic(ptr, &h->ip))
		audit_addf(out, AUDIT_WARNING, SEC, "rdns-generic", ev,
			   audit_strf(out, "set the PTR of %s to a mail name such as mail.<your domain> "
					   "(heuristic: check the name yourself)", ipt),
			   "%s: PTR name %s looks generic or dynamic; receivers score such hosts as "
			   "end-user machines", who, ptr);
	else if (good)
		audit_addf(out, AUDIT_INFO, SEC, "rdns-ok", ev,
			   h->sending ? audit_strf(out, "use HELO/EHLO name %s (Postfix: smtp_helo_name = "
						       "%s)", good, good) : NULL,
			   "%s: reverse DNS %s is forward-confirmed", who, good);
	return true;
}

/* audit_rdns_lint - one pass */
mw_status audit_rdns_lint(const audit_hosts *hosts, dns_lookup *lk, audit_findings *out)
{
	bool need = false;
	for (size_t i = 0; i < hosts->n; i++) {
		char rev[MW_IP_REVNAME_MAX];
		mw_ip_revname(&hosts->ip[i].ip, rev, sizeof(rev));
		dns_lookup_want(lk, rev, DNS_T_PTR);
	}
	for (size_t i = 0; i < hosts->n; i++)
		need |= !one_ip(&hosts->ip[i], lk, out);
	return need ? MW_NEED_DNS : MW_OK;
}
