/*
 * audit/smtp_probe.h - a non-destructive probe of an SMTP server
 * (RFC 5321, RFC 3207 STARTTLS, RFC 4954 AUTH).
 *
 * DESCRIPTION
 *   smtp_probe_run connects to HOST[:PORT] (default 25; an IPv6 literal in
 *   brackets) and walks: banner (220), EHLO (HELO if refused), VRFY and
 *   EXPN of postmaster, the open-relay test (MAIL FROM an outside address,
 *   RCPT TO an outside address: must be refused with 5xx; DATA is never
 *   sent), RSET, then STARTTLS when offered: the TLS handshake (OpenSSL),
 *   the certificate's name (X509_check_host against the host name, or
 *   opts.tls_name), expiry, trust (the system store), and EHLO again.
 *   AUTH offered before TLS is recorded with its mechanisms.  QUIT ends.
 *   smtp_probe_findings turns the result into findings (section "smtp");
 *   smtp_probe_json into an object with the transcript.
 *
 *   This is the one part of the audit that does I/O itself: non-blocking
 *   sockets and poll(), each step bounded by opts.step_ms and the whole
 *   probe by opts.total_ms.  A server that stalls, closes, or speaks
 *   garbage ends the probe with a reason; it never hangs or crashes it.
 *   Host names are resolved with getaddrinfo (the system resolver).
 *
 * SECURITY
 *   Sends no message (no DATA), no credentials (AUTH is never attempted).
 *   The relay test addresses are in reserved domains (RFC 2606).
 *
 * OWNERSHIP
 *   smtp_probe_result_free releases the transcript and strings.
 */
#ifndef MW_AUDIT_SMTP_PROBE_H
#define MW_AUDIT_SMTP_PROBE_H

#include <jansson.h>
#include <stdbool.h>

#include "audit/finding.h"
#include "core/buf.h"

typedef struct smtp_probe_opts {
	const char *target;   /* HOST[:PORT] or [IPv6]:PORT */
	const char *tls_name; /* name the certificate must match; NULL = the host when not an IP */
	const char *domain;   /* audited domain: relay-test addresses avoid it */
	const char *helo;     /* EHLO name; NULL = "mailwarden-probe.invalid" */
	int step_ms;          /* per step */
	int total_ms;         /* whole probe */
	const char *ca_file;  /* extra trust anchors (tests); NULL = system store only */
} smtp_probe_opts;

typedef enum smtp_relay {
	SMTP_RELAY_UNTESTED = 0,
	SMTP_RELAY_CLOSED,       /* RCPT TO refused with 5xx */
	SMTP_RELAY_OPEN,         /* RCPT TO accepted */
	SMTP_RELAY_INCONCLUSIVE, /* 4xx, or MAIL FROM refused */
} smtp_relay;

typedef struct smtp_probe_result {
	char host[256];
	int port;
	bool connected;
	const char *stop;        /* why the probe stopped early, NULL if it finished */
	int banner_code;
	char banner[512];
	bool ehlo_ok;
	bool starttls_offered, tls_ok;
	char tls_error[256];
	char tls_version[32], tls_cipher[96];
	bool auth_plain;         /* AUTH offered before TLS */
	char auth_plain_mechs[256];
	bool auth_tls;
	char auth_tls_mechs[256];
	int vrfy_code, expn_code;
	int mail_code, rcpt_code;
	smtp_relay relay;
	/* certificate */
	bool have_cert;
	char cert_subject[256], cert_issuer[256], cert_not_after[64];
	long cert_days_left;     /* negative when expired */
	bool cert_name_checked, cert_name_ok, cert_trusted, cert_self_signed;
	char cert_name[256];
	unsigned elapsed_ms;
	mw_buf transcript;       /* "C: ..." / "S: ..." lines */
} smtp_probe_result;

/* smtp_probe_run - probe; always fills res (res->stop says why it ended early) */
void smtp_probe_run(const smtp_probe_opts *o, smtp_probe_result *res);
/* smtp_probe_result_free - release */
void smtp_probe_result_free(smtp_probe_result *res);
/* smtp_probe_findings - findings for the result */
void smtp_probe_findings(const smtp_probe_result *res, audit_findings *out);
/* smtp_probe_json - the result as JSON (caller owns) */
json_t *smtp_probe_json(const smtp_probe_result *res);
/* smtp_relay_name - "untested", "closed", "open", "inconclusive" */
const char *smtp_relay_name(smtp_relay r);

#endif
