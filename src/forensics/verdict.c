/*
 * forensics/verdict.c - bounce/backscatter check, verdict, explanation and
 * advice for `analyze` (see analyze.h).
 *
 * The verdict order: unreadable input -> undetermined; a bounce whose
 * original was not ours -> backscatter; duplicate or missing From ->
 * suspicious / undetermined; DMARC fail -> spoofed; a DNS temperror ->
 * undetermined; impersonation or a forged A-R -> suspicious; DMARC pass ->
 * authentic (SPF passes for the client) or authentic-but-relayed (only
 * aligned DKIM vouches); no DMARC record -> authentic when SPF or DKIM is
 * aligned by domain, else suspicious with medium/high findings, else
 * undetermined.
 */
#include <stdio.h>
#include <string.h>

#include "bounce/backscatter.h"
#include "bounce/bounce.h"
#include "core/buf.h"
#include "core/str.h"
#include "forensics/an_int.h"

/* looks_like_bounce - cheap pre-filter before the GMime bounce parser */
static bool looks_like_bounce(mw_analysis *a)
{
	static const char *const subj[] = {"undeliver",     "delivery status",  "failure notice",
	                                   "returned mail", "delivery failure", "mail delivery"};
	long f = mw_message_find(&a->msg, "Content-Type", 0);
	const char *ct = f >= 0 ? mw_hfield_unfold(&a->msg.field[f], a->pool) : NULL;
	if (ct && strstr(ct, "report"))
		return true;
	if (a->mail_from && !*a->mail_from)
		return true;
	f = mw_message_find(&a->msg, "Subject", 0);
	const char *s = f >= 0 ? mw_hfield_unfold(&a->msg.field[f], a->pool) : NULL;
	for (size_t i = 0; s && i < sizeof(subj) / sizeof(subj[0]); i++)
		for (const char *p = s; *p; p++)
			if (mw_strcaseeq_n(p, strlen(subj[i]), subj[i]) &&
			    strlen(p) >= strlen(subj[i]))
				return true;
	return false;
}

void an_bounce_parse(mw_analysis *a, const char *raw, size_t len)
{
	if (!looks_like_bounce(a))
		return;
	mw_bounce *b = NULL;
	mw_err err;
	if (mw_bounce_parse(raw, len, &b, &err) != MW_OK || !b)
		return;
	if (b->kind != MW_BOUNCE_DSN && b->kind != MW_BOUNCE_TEXT) {
		mw_bounce_free(b);
		return;
	}
	a->bounce = b;
	a->is_bounce = true;
	a->backscatter = 0;
	long f = mw_message_find(&a->msg, "To", 0);
	const char *to = b->to    ? b->to
	                 : f >= 0 ? mw_hfield_unfold(&a->msg.field[f], a->pool)
	                          : NULL;
	const char *at = to ? strrchr(to, '@') : NULL;
	if (at && at[1])
		a->bounce_domain = mw_pool_strndup(a->pool, at + 1, strcspn(at + 1, "> \t"));
}

void an_bounce_judge(mw_analysis *a, const mw_an_opts *o)
{
	mw_bounce *b = a->bounce;
	mw_err err;
	if (b) {
		char dom[MW_DNS_NAME_MAX + 1] = "";
		if (a->bounce_domain)
			mw_strlcpy(dom, a->bounce_domain, sizeof(dom));
		const char *doms[1] = {dom};
		mw_bs_net nets[MW_AN_TRUSTED_MAX];
		size_t nn = 0;
		for (size_t i = 0; i < o->ntrusted && nn < MW_AN_TRUSTED_MAX; i++)
			if (o->trusted[i].is_net)
				nets[nn++] = (mw_bs_net){o->trusted[i].net, o->trusted[i].prefix};
		mw_bs_policy pol = {.domains = doms,
		                    .ndomains = dom[0] ? 1 : 0,
		                    .nets = nets,
		                    .nnets = nn,
		                    .dkim_always = a->bounce_dom_signs};
		mw_bs_result r;
		if (dom[0] && mw_backscatter_check(b, &pol, &r, &err) == MW_OK &&
		    r.verdict == MW_BS_BACKSCATTER) {
			a->backscatter = 1;
			mw_buf ev;
			mw_buf_init(&ev, 2048);
			for (size_t i = 0; i < r.nev; i++)
				if (r.ev[i].weight < 0)
					mw_buf_printf(&ev, "%s%s: %s", ev.len ? "; " : "",
					              r.ev[i].check, r.ev[i].detail);
			an_add(a, "backscatter", MW_SEV_HIGH,
			       mw_pool_printf(a->pool,
			                      "a bounce for a message %s never sent: the returned "
			                      "original was forged with its address",
			                      dom),
			       mw_buf_cstr(&ev));
			mw_buf_free(&ev);
		}
	}
}

/* worst - highest severity among the findings */
static mw_an_sev worst(const mw_analysis *a)
{
	mw_an_sev s = MW_SEV_INFO;
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->finding[i].sev > s && strcmp(a->finding[i].code, "message-id-foreign") != 0)
			s = a->finding[i].sev;
	return s;
}

/* decide - the verdict alone */
static mw_an_verdict decide(mw_analysis *a)
{
	if (!a->msg_ok)
		return MW_AN_UNDETERMINED;
	if (a->backscatter == 1)
		return MW_AN_BACKSCATTER;
	if (mw_an_has(a, "from-duplicate") || mw_an_has(a, "from-multiple"))
		return MW_AN_SUSPICIOUS;
	if (mw_an_has(a, "from-missing") || mw_an_has(a, "from-unreadable"))
		return MW_AN_UNDETERMINED;
	const mw_dmarc_result *d = &a->auth.dmarc;
	if (d->result == MW_AUTH_FAIL)
		return MW_AN_SPOOFED;
	if (a->dns_temp || d->result == MW_AUTH_TEMPERROR)
		return MW_AN_UNDETERMINED;
	if (mw_an_has(a, "display-name-impersonation") || mw_an_has(a, "authres-forged"))
		return MW_AN_SUSPICIOUS;
	if (d->result == MW_AUTH_PASS)
		return a->auth.spf_in.result == MW_AUTH_PASS ? MW_AN_AUTHENTIC : MW_AN_RELAYED;
	if (a->nhops == 0)
		return MW_AN_UNDETERMINED;
	const char *env = a->mail_from ? strrchr(a->mail_from, '@') : NULL;
	bool spf_al = a->auth.spf_in.result == MW_AUTH_PASS && env && a->from_domain &&
	              mw_strcaseeq(env + 1, a->from_domain);
	bool dkim_al = false;
	for (size_t i = 0; i < a->auth.dkim.nsig; i++)
		dkim_al |= a->auth.dkim.sig[i].result == MW_AUTH_PASS && a->from_domain &&
		           mw_domain_is_sub(a->from_domain, a->auth.dkim.sig[i].domain);
	if (spf_al || dkim_al)
		return spf_al ? MW_AN_AUTHENTIC : MW_AN_RELAYED;
	return worst(a) >= MW_SEV_MEDIUM ? MW_AN_SUSPICIOUS : MW_AN_UNDETERMINED;
}

/* explain_spoofed - what most likely happened to a DMARC failure */
static void explain_spoofed(mw_analysis *a, mw_buf *e, mw_buf *adv)
{
	const char *fd = a->from_domain ? a->from_domain : "the sender's domain";
	const mw_received *c = a->client >= 0 ? &a->hop[a->client].r : NULL;
	const char *ip = a->client_ip ? a->client_ip : "an unknown address";
	mw_buf_printf(e,
	              "The From address claims %s, but DMARC fails: neither SPF nor DKIM "
	              "authenticates %s for this message.",
	              fd, fd);
	if (mw_an_has(a, "direct-to-mx") && c) {
		mw_buf_printf(e, " It came straight from %s to the recipient's server %s. ", ip,
		              c->by ? c->by : "?");
		if (a->helo)
			mw_buf_printf(e, "'%s' is only the HELO name the client gave; ", a->helo);
		mw_buf_printf(e,
		              "[%s] is the address the server saw, and %s. Nobody forged reverse "
		              "DNS: a machine at %s, typically a compromised web application "
		              "or PC, spoke SMTP directly.",
		              ip,
		              a->ptr_name
		                  ? mw_pool_printf(a->pool, "its reverse DNS is %s", a->ptr_name)
		                  : "no reverse DNS was recorded (RFC 5321 §4.4)",
		              ip);
		mw_buf_printf(adv,
		              "If %s is one of your servers, find the process that sent it "
		              "(mailwarden netwatch) and block outbound port 25 for web users "
		              "(mailwarden firewall). ",
		              ip);
	} else if (c) {
		mw_buf_printf(e, " It was handed over by %s%s%s%s, a server %s does not authorize",
		              a->ptr_name ? a->ptr_name
		              : c->rdns   ? c->rdns
		                          : ip,
		              a->ptr_name || c->rdns ? " [" : "", a->ptr_name || c->rdns ? ip : "",
		              a->ptr_name || c->rdns ? "]" : "", fd);
		if (mw_an_has(a, "return-path-replaced") || mw_an_has(a, "spf-envelope-differs"))
			mw_buf_printf(e,
			              "; the envelope sender was replaced by %s, so SPF only "
			              "speaks for that domain",
			              a->mail_from ? a->mail_from : "another address");
		mw_buf_puts(e, mw_an_has(a, "dkim-missing") || mw_an_has(a, "dkim-broken")
		                   ? ", and no valid DKIM signature of the domain is present."
		                   : ".");
		mw_buf_printf(adv,
		              "If %s is your sending provider (for example Amazon SES or an "
		              "API mail service), your credentials have probably leaked: "
		              "rotate the SMTP/API keys. ",
		              a->ptr_name ? a->ptr_name : ip);
	}
	const mw_dmarc_result *d = &a->auth.dmarc;
	if (d->ndomains && d->domain[0].has_record &&
	    d->domain[0].requested == MW_DMARC_POLICY_NONE)
		mw_buf_printf(adv,
		              "%s publishes DMARC p=none, so receivers deliver such mail: move "
		              "to p=quarantine, then p=reject.",
		              fd);
	else if (d->ndomains && d->domain[0].has_record)
		mw_buf_printf(adv,
		              "%s's DMARC policy (%s) already tells receivers to refuse such "
		              "messages.",
		              fd, mw_dmarc_policy_name(d->domain[0].requested));
}

/* explain - explanation and advice for the verdict */
static void explain(mw_analysis *a, mw_buf *e, mw_buf *adv)
{
	const char *fd = a->from_domain ? a->from_domain : "the sender's domain";
	switch (a->verdict) {
	case MW_AN_SPOOFED:
		explain_spoofed(a, e, adv);
		break;
	case MW_AN_BACKSCATTER:
		mw_buf_puts(e, "This is a bounce (non-delivery report) for a message your domain "
		               "never sent: someone forged your address as the sender, and a "
		               "third-party server returned the forgery to you.");
		mw_buf_puts(adv,
		            "Do not answer it. Publish DMARC p=reject so receivers reject "
		            "forgeries instead of bouncing them, sign all your mail with DKIM, "
		            "and drop bounces that do not return a message you signed (or use "
		            "BATV).");
		break;
	case MW_AN_AUTHENTIC:
		mw_buf_printf(e, "%s authorized this message: %s.", fd,
		              a->auth.dmarc.result == MW_AUTH_PASS
		                  ? "DMARC passes"
		                  : "SPF or DKIM is aligned with it");
		if (a->client_ip)
			mw_buf_printf(e, " It entered the recipient's systems from %s (%s).",
			              a->client_ip, a->ptr_name ? a->ptr_name : "no reverse DNS");
		mw_buf_puts(adv, "Nothing to do.");
		break;
	case MW_AN_RELAYED:
		mw_buf_printf(e,
		              "A DKIM signature aligned with %s still verifies, so the content "
		              "really comes from %s; it reached the recipient through %s (a "
		              "forwarder, mailing list or relay), which SPF does not cover.",
		              fd, fd, a->client_ip ? a->client_ip : "another server");
		mw_buf_puts(adv, "Nothing to do; keep signing with DKIM (relays break SPF, not "
		                 "DKIM).");
		break;
	case MW_AN_SUSPICIOUS:
		mw_buf_printf(e, "Not proven forged (DMARC %s for %s), but:",
		              mw_auth_result_name(a->auth.dmarc.result), fd);
		for (size_t i = 0, k = 0; i < a->nfindings && k < 3; i++)
			if (a->finding[i].sev >= MW_SEV_MEDIUM) {
				mw_buf_printf(e, " %s.", a->finding[i].message);
				k++;
			}
		mw_buf_printf(adv,
		              "Treat it with care. If %s is your domain, publish DMARC "
		              "(p=quarantine or p=reject) so that forgeries fail visibly.",
		              fd);
		break;
	default:
		mw_buf_puts(e, !a->msg_ok      ? "The input is not a readable message."
		               : a->dns_temp   ? "A DNS lookup failed temporarily, so the "
		                                 "authentication results are incomplete."
		               : a->nhops == 0 ? "The message has no Received chain and no "
		                                 "authentication result that decides."
		                               : "No check decides either way.");
		mw_buf_puts(adv, a->dns_temp ? "Run the analysis again later."
		                             : "Look at the findings and the hop table.");
		break;
	}
}

void an_verdict(mw_analysis *a)
{
	a->verdict = decide(a);
	mw_buf e, adv;
	mw_buf_init(&e, 8192);
	mw_buf_init(&adv, 4096);
	explain(a, &e, &adv);
	a->explanation = mw_pool_strdup(a->pool, mw_buf_cstr(&e));
	a->advice = mw_pool_strdup(a->pool, mw_buf_cstr(&adv));
	if (!a->explanation)
		a->explanation = "";
	if (!a->advice)
		a->advice = "";
	mw_buf_free(&e);
	mw_buf_free(&adv);
}
