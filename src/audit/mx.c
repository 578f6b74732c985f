/*
 * audit/mx.c - MX hosts and their addresses (see mx.h).
 */
#include "audit/mx.h"

#include <string.h>

#include "core/buf.h"

#define SEC "mx"

/* audit_hosts_add - dedupe and append */
bool audit_hosts_add(audit_hosts *h, const mw_ip *ip, bool sending, const char *src)
{
	for (size_t i = 0; i < h->n; i++)
		if (mw_ip_equal(&h->ip[i].ip, ip)) {
			h->ip[i].sending |= sending;
			return true;
		}
	if (h->n >= MW_AUDIT_IPS_MAX) {
		h->dropped++;
		return false;
	}
	h->ip[h->n++] = (audit_ip){*ip, sending, src};
	return true;
}

/* private_ip - loopback, RFC 1918, link-local, ULA: never reachable from outside */
static bool private_ip(const mw_ip *ip)
{
	const uint8_t *a = ip->addr;
	if (ip->family == 4)
		return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) || a[0] == 0;
	static const uint8_t lo[16] = {[15] = 1};
	return memcmp(a, lo, 16) == 0 || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* host_addrs - resolve one MX host; false while answers are missing */
static bool host_addrs(const char *host, dns_lookup *lk, audit_findings *out, audit_hosts *hosts,
		       mw_buf *ev)
{
	const dns_answer *a4 = dns_lookup_get(lk, host, DNS_T_A);
	const dns_answer *a6 = dns_lookup_get(lk, host, DNS_T_AAAA);
	if (!a4 || !a6)
		return false;
	if (a4->status == DNS_TEMPFAIL && a6->status == DNS_TEMPFAIL) {
		audit_addf(out, AUDIT_WARNING, SEC, "mx-dns-error", host, NULL,
			   "MX host %s not checked: DNS temporary failure", host);
		return true;
	}
	if (a4->n + a6->n == 0) {
		audit_addf(out, AUDIT_CRITICAL, SEC, "mx-host-unresolved",
			   audit_strf(out, "%s A: %s, AAAA: %s", host, dns_status_name(a4->status),
				      dns_status_name(a6->status)),
			   audit_strf(out, "publish an A record for %s or point the MX at a host that has one",
				      host),
			   "MX host %s has no address: mail to it cannot be delivered", host);
		return true;
	}
	const char *src = audit_strf(out, "MX %s", host);
	for (int f = 0; f < 2; f++) {
		const dns_answer *a = f ? a6 : a4;
		for (size_t i = 0; i < a->n; i++) {
			char buf[MW_IP_STR_MAX];
			mw_ip_format(&a->rr[i].ip, buf, sizeof(buf));
			mw_buf_printf(ev, "%s %s %s\n", host, f ? "AAAA" : "A", buf);
			if (private_ip(&a->rr[i].ip))
				audit_addf(out, AUDIT_WARNING, SEC, "mx-private-ip",
					   audit_strf(out, "%s -> %s", host, buf),
					   "publish the host's public address",
					   "MX host %s has the private address %s", host, buf);
			else
				(void)audit_hosts_add(hosts, &a->rr[i].ip, false, src);
		}
	}
	return true;
}

/* audit_mx_lint - one pass */
mw_status audit_mx_lint(const char *domain, const char *const *given, size_t ngiven,
			dns_lookup *lk, audit_findings *out, audit_hosts *hosts)
{
	const char *names[MW_AUDIT_MX_MAX];
	size_t n = 0;
	mw_buf ev;
	mw_buf_init(&ev, 1u << 16);
	if (ngiven) {
		for (size_t i = 0; i < ngiven && n < MW_AUDIT_MX_MAX; i++)
			names[n++] = given[i];
	} else {
		const dns_answer *mx = dns_lookup_get(lk, domain, DNS_T_MX);
		if (!mx)
			return MW_NEED_DNS;
		if (mx->status == DNS_TEMPFAIL) {
			audit_addf(out, AUDIT_WARNING, SEC, "mx-dns-error", domain, NULL,
				   "MX records not checked: DNS temporary failure (%s)",
				   mx->reason ? mx->reason : "no answer");
			return MW_OK;
		}
		if (mx->n == 1 && mx->rr[0].pref == 0 &&
		    (!mx->rr[0].name || !mx->rr[0].name[0] || strcmp(mx->rr[0].name, ".") == 0)) {
			audit_addf(out, AUDIT_INFO, SEC, "mx-null", audit_strf(out, "%s MX 0 .", domain),
				   NULL, "%s publishes a null MX (RFC 7505): it accepts no mail", domain);
			return MW_OK;
		}
		if (mx->n == 0)
			audit_addf(out, AUDIT_WARNING, SEC, "mx-missing",
				   audit_strf(out, "%s MX: %s", domain, dns_status_name(mx->status)),
				   audit_strf(out, "publish \"%s. MX 10 mail.%s.\", or \"%s. MX 0 .\" (RFC "
						   "7505) if it receives no mail", domain, domain, domain),
				   "%s has no MX record: senders fall back to its A record", domain);
		for (size_t i = 0; i < mx->n && n < MW_AUDIT_MX_MAX; i++)
			if (mx->rr[i].name && mx->rr[i].name[0])
				names[n++] = mx->rr[i].name;
	}
	for (size_t i = 0; i < n; i++) {
		dns_lookup_want(lk, names[i], DNS_T_A);
		dns_lookup_want(lk, names[i], DNS_T_AAAA);
	}
	bool need = false;
	for (size_t i = 0; i < n; i++)
		need |= !host_addrs(names[i], lk, out, hosts, &ev);
	if (!need && n)
		audit_addf(out, AUDIT_INFO, SEC, "mx-hosts", mw_buf_cstr(&ev), NULL,
			   "%zu MX host%s", n, n == 1 ? "" : "s");
	mw_buf_free(&ev);
	return need ? MW_NEED_DNS : MW_OK;
}
