/*
 * audit/dkim_lint.c - DKIM key records (see dkim_lint.h).
 */
#include "audit/dkim_lint.h"

#include <stdio.h>
#include <string.h>

#include "auth/dkim_key.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"

#define SEC "dkim"

/* Selectors seen in the wild: generic ones, Google Workspace, Microsoft 365,
 * Mailchimp/Mandrill, Zoho, Proton, many hosting panels. */
const char *const audit_dkim_common[] = {
	"default", "dkim", "google", "selector1", "selector2", "k1", "k2", "k3", "s1", "s2",
	"mail", "smtp", "key1", "key2", "mandrill", "zoho", "protonmail", "sig1", NULL,
};

/* one_key - lint one selector's answer; true if a usable key */
static bool one_key(audit_findings *out, const char *sel, const char *name, const dns_answer *a,
		    bool given, audit_dkim_info *info)
{
	if (a->status == DNS_TEMPFAIL) {
		if (given)
			audit_addf(out, AUDIT_WARNING, SEC, "dkim-dns-error", name, NULL,
				   "selector %s not checked: DNS temporary failure", sel);
		return false;
	}
	if (a->n == 0) {
		if (given)
			audit_addf(out, AUDIT_WARNING, SEC, "dkim-key-missing",
				   audit_strf(out, "%s TXT: %s", name, dns_status_name(a->status)),
				   audit_strf(out, "publish the public key at %s, or fix the selector in "
						   "the signer", name),
				   "no DKIM key for selector %s: signatures with s=%s fail", sel, sel);
		return false;
	}
	if (a->n > 1)
		audit_addf(out, AUDIT_WARNING, SEC, "dkim-several-records", name,
			   "keep one key record per selector",
			   "selector %s has %zu TXT records: verifiers may pick either", sel, a->n);
	const dns_rr *rr = &a->rr[0];
	const char *ev = audit_strf(out, "%s TXT \"%.*s%s\"", name,
				    (int)(rr->txt_len > 120 ? 120 : rr->txt_len), rr->txt,
				    rr->txt_len > 120 ? "..." : "");
	mw_dkim_key k;
	mw_err err;
	mw_status st = mw_dkim_key_parse(rr->txt, rr->txt_len, &k, &err);
	if (st != MW_OK) {
		if (k.revoked)
			audit_addf(out, AUDIT_INFO, SEC, "dkim-revoked", ev,
				   given ? "stop signing with this selector" : NULL,
				   "selector %s is revoked (empty p=)", sel);
		else
			audit_addf(out, AUDIT_CRITICAL, SEC, "dkim-key-broken", ev,
				   "republish the key record: v=DKIM1; k=rsa; p=<base64 public key>",
				   "DKIM key %s does not parse: %s", sel, err.msg);
		mw_dkim_key_free(&k);
		return false;
	}
	if (k.type == MW_DKIM_K_RSA && (k.weak || k.bits < MW_DKIM_RSA_MIN_BITS))
		audit_addf(out, AUDIT_CRITICAL, SEC, "dkim-key-weak", ev,
			   "generate a 2048-bit RSA key (mailwarden dkim keygen) and rotate",
			   "DKIM key %s is %d-bit RSA: verifiers refuse it (RFC 8301 §3.2)", sel, k.bits);
	else if (k.type == MW_DKIM_K_RSA && k.bits < 2048)
		audit_addf(out, AUDIT_WARNING, SEC, "dkim-key-short", ev,
			   "generate a 2048-bit RSA key and rotate",
			   "DKIM key %s is %d-bit RSA: 2048 bits are advised", sel, k.bits);
	else
		audit_addf(out, AUDIT_INFO, SEC, "dkim-key", ev, NULL, "DKIM key %s: %s %d bits", sel,
			   mw_dkim_key_type_name(k.type), k.bits);
	if (k.testing)
		audit_addf(out, AUDIT_WARNING, SEC, "dkim-testing", ev, "remove t=y from the key record",
			   "DKIM key %s has t=y: verifiers may treat failures as passes", sel);
	if (!k.hash_sha256)
		audit_addf(out, AUDIT_WARNING, SEC, "dkim-sha1-only", ev, "remove h= or set h=sha256",
			   "DKIM key %s allows only SHA-1 (RFC 8301 §3.1: must not be used)", sel);
	bool usable = !(k.type == MW_DKIM_K_RSA && k.weak);
	if (k.type == MW_DKIM_K_ED25519)
		info->ed25519 = true;
	mw_dkim_key_free(&k);
	return usable;
}

/* audit_dkim_lint - one pass */
mw_status audit_dkim_lint(const char *domain, const char *const *given, size_t ngiven,
			  dns_lookup *lk, audit_findings *out, audit_dkim_info *info)
{
	memset(info, 0, sizeof(*info));
	const char *sel[MW_AUDIT_SELECTORS_MAX];
	bool isgiven[MW_AUDIT_SELECTORS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < ngiven && n < MW_AUDIT_SELECTORS_MAX; i++, n++) {
		sel[n] = given[i];
		isgiven[n] = true;
	}
	for (size_t i = 0; audit_dkim_common[i] && n < MW_AUDIT_SELECTORS_MAX; i++) {
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= mw_strcaseeq(sel[j], audit_dkim_common[i]);
		if (!dup) {
			sel[n] = audit_dkim_common[i];
			isgiven[n++] = false;
		}
	}
	char names[MW_AUDIT_SELECTORS_MAX][MW_DNS_NAME_MAX + 2];
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(names[i], sizeof(names[i]), "%s._domainkey.%s", sel[i], domain);
		if (len < 0 || (size_t)len > MW_DNS_NAME_MAX)
			names[i][0] = 0;
		else
			dns_lookup_want(lk, names[i], DNS_T_TXT);
	}
	bool need = false;
	mw_buf found;
	mw_buf_init(&found, 4096);
	for (size_t i = 0; i < n; i++) {
		if (!names[i][0]) {
			if (isgiven[i])
				audit_addf(out, AUDIT_WARNING, SEC, "dkim-bad-selector", sel[i], NULL,
					   "selector %s makes a name longer than 253 bytes", sel[i]);
			continue;
		}
		const dns_answer *a = dns_lookup_get(lk, names[i], DNS_T_TXT);
		if (!a) {
			need = true;
			continue;
		}
		if (one_key(out, sel[i], names[i], a, isgiven[i], info)) {
			info->nkeys++;
			mw_buf_printf(&found, "%s%s", found.len ? " " : "", sel[i]);
		}
	}
	info->selectors = audit_buf_str(out, &found);
	mw_buf_free(&found);
	if (need)
		return MW_NEED_DNS;
	if (info->nkeys == 0)
		audit_addf(out, AUDIT_WARNING, SEC, "dkim-none-found",
			   audit_strf(out, "tried %zu selectors under _domainkey.%s", n, domain),
			   "pass --selector S with the s= of a DKIM-Signature from your own mail; if "
			   "you do not sign, set up DKIM signing for every sender",
			   "no usable DKIM key found for %s", domain);
	else if (!info->ed25519)
		audit_add(out, AUDIT_INFO, SEC, "dkim-no-ed25519",
			  "no Ed25519 key offered (RFC 8463): optional, signs alongside RSA",
			  info->selectors, "add a second selector with k=ed25519 and sign with both");
	return out->oom ? MW_ENOMEM : MW_OK;
}
