/*
 * daemon/milter.h - the mailwarden milter (libmilter, Sendmail/Postfix).
 *
 * DESCRIPTION
 *   Per message the direction is decided as OpenDKIM does: a message from a
 *   SASL-authenticated client ({auth_authen} macro) or from a trusted
 *   network is outbound, anything else inbound.
 *     outbound  DKIM-sign with every key of the key table whose domain is
 *               the From domain or a parent (auth/dkim_sign.h), and
 *               BATV-tag the envelope sender when it is one of our domains
 *               (outbound/batv.h, smfi_chgfrom).
 *     inbound   SPF (client IP, MAIL FROM, HELO), DKIM, ARC and DMARC
 *               through forensics/authrun.h (the code `mailwarden dmarc`
 *               uses); one Authentication-Results field with our
 *               authserv-id is added and every existing one claiming our
 *               authserv-id is removed (RFC 8601 §5); DMARC fail under an
 *               applied p=reject is rejected when dmarc_reject is set.
 *               A null-sender message to one of our domains whose
 *               recipient has no valid BATV tag is rejected (grace mode:
 *               logged only); a valid tag is stripped from the recipient.
 *   An internal error answers the configured default action (tempfail or
 *   accept) with a log line, never a silent reject.
 *
 * LIMITS
 *   A message is buffered up to max_message bytes (config); a bigger one
 *   passes unchanged with a log line: memory per connection is bounded.
 *
 * SECURITY
 *   Talks to the MTA over the configured socket only (keep it on
 *   loopback or a unix socket); needs to read the DKIM and BATV keys and
 *   no other privilege.  Keys are never logged.
 */
#ifndef MW_DAEMON_MILTER_H
#define MW_DAEMON_MILTER_H

#include "cli/dnsopt.h"
#include "daemon/milter_config.h"

/* milter_run - serve until SIGTERM/SIGINT; returns a CLI exit code */
int milter_run(milter_config *cfg, const cli_dns_opts *dns);

#endif
