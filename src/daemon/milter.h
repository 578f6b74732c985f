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

#include <libmilter/mfapi.h>
#include <stdbool.h>

#include "cli/dnsopt.h"
#include "daemon/milter_config.h"

#include "store/event.h"

/* milter_leadspc - SMFIP_HDR_LEADSPC was agreed on this connection: header
 * values we add must carry their own leading space */
bool milter_leadspc(SMFICTX *ctx);

/* milter_run - serve until SIGTERM/SIGINT; returns a CLI exit code
 * (milter_open + milter_main) */
int milter_run(milter_config *cfg, const cli_dns_opts *dns);

/* milter_open - open DNS, register with libmilter and bind the socket
 * (before a privilege drop); 0, or 2 (DNS/config) or 3 (socket) with a log
 * line.  cfg is borrowed until milter_main returns. */
int milter_open(milter_config *cfg, const cli_dns_opts *dns);
/* milter_main - smfi_main until milter_stop (or SIGTERM/SIGHUP/SIGINT seen
 * by libmilter's signal thread); 0 or 3 */
int milter_main(void);
/* milter_close - release what milter_open made when milter_main never ran */
void milter_close(void);
/* milter_stop - make milter_main return (no new connections); any thread */
void milter_stop(void);

/* milter_hold_sink - receives every content-scan hold event, on a libmilter
 * thread: it must copy the event and hand it over, never block long */
typedef void (*milter_hold_sink)(void *ctx, const mw_event *ev);
/* milter_set_hold_sink - before milter_open: holds go to fn instead of the
 * [milter] events_db (used by `serve`, daemon/milter_serve.h) */
void milter_set_hold_sink(milter_hold_sink fn, void *ctx);

#endif
