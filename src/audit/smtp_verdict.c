/*
 * audit/smtp_verdict.c - findings and JSON for an SMTP probe result
 * (smtp_probe.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit/smtp_probe.h"

#define SEC "smtp"

/* tls_findings - STARTTLS and the certificate */
static void tls_findings(const smtp_probe_result *r, audit_findings *out, const char *ev)
{
	if (!r->starttls_offered) {
		if (r->ehlo_ok)
			audit_addf(out, AUDIT_WARNING, SEC, "smtp-no-starttls", ev,
				   "offer STARTTLS (Postfix: smtpd_tls_cert_file, smtpd_tls_key_file, "
				   "smtpd_tls_security_level = may)",
				   "%s:%d does not offer STARTTLS: mail to it travels in clear text",
				   r->host, r->port);
		return;
	}
	if (!r->tls_ok) {
		audit_addf(out, AUDIT_CRITICAL, SEC, "smtp-starttls-broken", ev,
			   "fix the TLS certificate/key configuration, or stop offering STARTTLS",
			   "STARTTLS is offered but does not work: %s", r->tls_error);
		return;
	}
	audit_addf(out, AUDIT_INFO, SEC, "smtp-tls", ev, NULL, "STARTTLS works: %s, %s",
		   r->tls_version, r->tls_cipher);
	if (!r->have_cert)
		return;
	const char *cev = audit_strf(out, "subject %s\nissuer %s\nnot after %s (%ld days)",
				     r->cert_subject, r->cert_issuer, r->cert_not_after, r->cert_days_left);
	if (r->cert_days_left < 0)
		audit_addf(out, AUDIT_CRITICAL, SEC, "smtp-cert-expired", cev,
			   "renew the certificate and reload the MTA",
			   "the TLS certificate expired %ld days ago", -r->cert_days_left);
	else if (r->cert_days_left < 14)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-cert-expiring", cev,
			   "renew the certificate now (automate it, e.g. with ACME)",
			   "the TLS certificate expires in %ld days", r->cert_days_left);
	if (r->cert_name_checked && !r->cert_name_ok)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-cert-name", cev,
			   audit_strf(out, "use a certificate whose subjectAltName lists %s", r->cert_name),
			   "the TLS certificate does not name %s", r->cert_name);
	if (!r->cert_trusted)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-cert-untrusted", cev,
			   "use a certificate from a public CA; opportunistic TLS still works, but "
			   "MTA-STS and DANE senders refuse this one",
			   "the TLS certificate is not trusted%s",
			   r->cert_self_signed ? " (self-signed)" : "");
}

/* auth_findings - AUTH before TLS, VRFY, EXPN */
static void auth_findings(const smtp_probe_result *r, audit_findings *out, const char *ev)
{
	if (r->auth_plain) {
		bool clear = strstr(r->auth_plain_mechs, "PLAIN") || strstr(r->auth_plain_mechs, "LOGIN");
		audit_addf(out, clear ? AUDIT_CRITICAL : AUDIT_WARNING, SEC, "smtp-auth-before-tls", ev,
			   "offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes)",
			   "AUTH %s is offered before TLS: passwords can cross the network in clear",
			   r->auth_plain_mechs);
	}
	if (r->vrfy_code == 250 || r->vrfy_code == 251)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-vrfy", ev,
			   "disable VRFY (Postfix: disable_vrfy_command = yes)",
			   "VRFY answers %d: addresses can be harvested", r->vrfy_code);
	if (r->expn_code == 250)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-expn", ev, "disable EXPN",
			   "EXPN answers 250: mailing-list members can be listed");
}

/* smtp_probe_findings - everything the probe saw */
void smtp_probe_findings(const smtp_probe_result *r, audit_findings *out)
{
	const char *ev = audit_buf_str(out, &r->transcript);
	if (!r->connected) {
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-unreachable", ev, NULL,
			   "cannot probe %s:%d: %s", r->host[0] ? r->host : "?", r->port,
			   r->stop ? r->stop : "no connection");
		return;
	}
	if (r->banner_code)
		audit_addf(out, AUDIT_INFO, SEC, "smtp-banner", NULL, NULL, "%s:%d greets: %s", r->host,
			   r->port, r->banner);
	if (r->stop)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-probe-stopped", ev, NULL,
			   "the probe of %s:%d stopped early: %s", r->host, r->port, r->stop);
	if (r->relay == SMTP_RELAY_OPEN)
		audit_addf(out, AUDIT_CRITICAL, SEC, "smtp-open-relay", ev,
			   "relay only for your own users (Postfix: smtpd_relay_restrictions = "
			   "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination; "
			   "mynetworks = only your hosts)",
			   "OPEN RELAY: %s:%d accepted a recipient outside its domains from an outside "
			   "sender (RCPT TO answered %d)", r->host, r->port, r->rcpt_code);
	else if (r->relay == SMTP_RELAY_CLOSED)
		audit_addf(out, AUDIT_INFO, SEC, "smtp-relay-closed", NULL, NULL,
			   "not an open relay: RCPT TO an outside address answered %d", r->rcpt_code);
	else if (r->relay == SMTP_RELAY_INCONCLUSIVE)
		audit_addf(out, AUDIT_WARNING, SEC, "smtp-relay-inconclusive", ev,
			   "run the probe again later or from another address",
			   "open-relay test inconclusive (MAIL FROM %d, RCPT TO %d)", r->mail_code,
			   r->rcpt_code);
	auth_findings(r, out, ev);
	tls_findings(r, out, ev);
}

/* smtp_probe_json - the whole result */
json_t *smtp_probe_json(const smtp_probe_result *r)
{
	json_t *j = json_object();
	json_object_set_new(j, "host", json_string(r->host));
	json_object_set_new(j, "port", json_integer(r->port));
	json_object_set_new(j, "connected", json_boolean(r->connected));
	json_object_set_new(j, "stopped", r->stop ? json_string(r->stop) : json_null());
	json_object_set_new(j, "banner", json_string(r->banner));
	json_object_set_new(j, "ehlo", json_boolean(r->ehlo_ok));
	json_object_set_new(j, "starttls_offered", json_boolean(r->starttls_offered));
	json_object_set_new(j, "tls", json_boolean(r->tls_ok));
	json_object_set_new(j, "tls_version", json_string(r->tls_version));
	json_object_set_new(j, "tls_error", json_string(r->tls_error));
	json_object_set_new(j, "auth_before_tls", r->auth_plain ? json_string(r->auth_plain_mechs)
								: json_null());
	json_object_set_new(j, "auth_after_tls", r->auth_tls ? json_string(r->auth_tls_mechs)
							     : json_null());
	json_object_set_new(j, "vrfy", json_integer(r->vrfy_code));
	json_object_set_new(j, "expn", json_integer(r->expn_code));
	json_object_set_new(j, "mail_from", json_integer(r->mail_code));
	json_object_set_new(j, "rcpt_to", json_integer(r->rcpt_code));
	json_object_set_new(j, "relay", json_string(smtp_relay_name(r->relay)));
	if (r->have_cert) {
		json_t *c = json_object();
		json_object_set_new(c, "subject", json_string(r->cert_subject));
		json_object_set_new(c, "issuer", json_string(r->cert_issuer));
		json_object_set_new(c, "not_after", json_string(r->cert_not_after));
		json_object_set_new(c, "days_left", json_integer(r->cert_days_left));
		json_object_set_new(c, "trusted", json_boolean(r->cert_trusted));
		json_object_set_new(c, "self_signed", json_boolean(r->cert_self_signed));
		json_object_set_new(c, "name", r->cert_name_checked ? json_string(r->cert_name) : json_null());
		json_object_set_new(c, "name_ok", json_boolean(r->cert_name_ok));
		json_object_set_new(j, "certificate", c);
	}
	json_object_set_new(j, "elapsed_ms", json_integer(r->elapsed_ms));
	json_t *t = json_array();
	const char *p = mw_buf_cstr(&r->transcript);
	while (*p) {
		size_t n = strcspn(p, "\n");
		json_array_append_new(t, json_stringn(p, n));
		p += n;
		if (*p)
			p++;
	}
	json_object_set_new(j, "transcript", t);
	return j;
}
