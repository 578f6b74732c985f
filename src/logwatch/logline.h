/*
 * logwatch/logline.h - one mail-log line, parsed in place.
 *
 * NAME
 *   mw_logline_parse - split a syslog line and classify its Postfix or
 *   Sendmail message into a typed event.
 *
 * DESCRIPTION
 *   Prefix: timestamp (see logtime.h), optional "<facility.level>" token,
 *   optional hostname, program tag with optional [pid], ':'.  A tag whose
 *   first path component starts with "postfix" is Postfix (the daemon is the
 *   last component: postfix/submission/smtpd -> smtpd); "sendmail" and
 *   "sm-*" tags are Sendmail.  Every field of the event is a view into the
 *   line (no copies, no regex).  Lines of other programs are MW_LE_FOREIGN;
 *   Postfix/Sendmail lines of an unknown form are MW_LE_UNKNOWN.  Nothing is
 *   ever fatal: a line that does not parse at all is MW_LE_BAD.
 *
 *   Postfix forms (postfix.org/postconf.5, smtpd(8), qmgr(8), smtp(8) ...):
 *     smtpd  connect/disconnect from H[IP], QID: client=H[IP][, sasl_method=M,
 *            sasl_username=U], NOQUEUE|QID: reject|reject_warning|discard|
 *            hold|...: STAGE from H[IP]: CODE X.Y.Z <data>: text; from=<> to=<>
 *            proto= helo=<>, warning: H[IP]: SASL M authentication failed: R,
 *            lost connection|timeout after STAGE from H[IP], improper command
 *            pipelining after STAGE from H[IP], too many errors after ...,
 *            warning: ... rate limit exceeded: N from H[IP] for service S
 *     cleanup QID: message-id=<...>, QID: milter-reject: STAGE from H[IP]: ...
 *     qmgr   QID: from=<S>, size=N, nrcpt=N (queue active); QID: removed;
 *            QID: from=<S>, status=expired, returned to sender
 *     smtp/lmtp/local/virtual/pipe/error/discard/relay
 *            QID: to=<R>, [orig_to=<O>,] relay=H[IP]:P, delay=D, delays=...,
 *            dsn=X.Y.Z, status=sent|deferred|bounced|expired|... (reply);
 *            QID: host H[IP] said: reply (in reply to C command);
 *            QID: SASL authentication failed; server H[IP] said: ...;
 *            connect to H[IP]:P: reason
 *     bounce QID: sender non-delivery notification: QID2
 *     pickup QID: uid=N from=<S>
 *     postscreen CONNECT from [IP]:P, PASS NEW|OLD [IP]:P, PREGREET ... from
 *            [IP]:P, DNSBL rank N for [IP]:P, COMMAND ... LIMIT from [IP]:P,
 *            NOQUEUE: reject: RCPT from [IP]:P: ...
 *     anvil  statistics: max connection rate|count N[/T] for (svc:IP) at ...
 *   Sendmail forms (sendmail op.me "Log"): QID: from=<S>, size=N, ...,
 *     nrcpts=N, ..., relay=H [IP]; QID: to=<R>, ..., relay=H [IP], dsn=X.Y.Z,
 *     stat=Sent|Deferred: ...|...; ruleset=check_*, arg1=..., relay=H [IP],
 *     reject=CODE ...; AUTH failure (M): ..., user=U, relay=H [IP];
 *     [IP]: possible SMTP attack: command=AUTH, count=N.
 *
 * LIMITS
 *   The caller bounds the line (MW_LOG_LINE_MAX).  Queue IDs longer than
 *   MW_LOG_QID_MAX are not treated as queue IDs.
 *
 * OWNERSHIP
 *   Every mw_sv in the event points into the caller's line.
 */
#ifndef MW_LOGWATCH_LOGLINE_H
#define MW_LOGWATCH_LOGLINE_H

#include <stdint.h>

#include "logwatch/logtime.h"
#include "logwatch/sv.h"

typedef enum mw_logev_kind {
	MW_LE_BAD = 0,      /* no syslog prefix / no timestamp */
	MW_LE_FOREIGN,      /* another program's line */
	MW_LE_UNKNOWN,      /* Postfix/Sendmail line of a form we do not parse */
	MW_LE_IGNORED,      /* known, not useful (TLS, statistics ...) */
	MW_LE_CONNECT,      /* smtpd/postscreen connect: client */
	MW_LE_DISCONNECT,   /* smtpd disconnect: client, counters */
	MW_LE_CLIENT,       /* QID: client=, sasl_username= */
	MW_LE_REJECT,       /* smtpd/postscreen/cleanup reject, discard, hold... */
	MW_LE_AUTH_FAIL,    /* SASL failure of a client (smtpd, sendmail AUTH failure) */
	MW_LE_PROTO_ABUSE,  /* lost conn/timeout/pipelining/too many errors/pregreet/limits */
	MW_LE_MSGID,        /* cleanup message-id */
	MW_LE_QUEUED,       /* qmgr from=, size=, nrcpt= / sendmail from= */
	MW_LE_REMOVED,      /* qmgr removed */
	MW_LE_EXPIRED,      /* qmgr status=expired */
	MW_LE_DELIVERY,     /* to=, relay=, status= */
	MW_LE_REMOTE_REPLY, /* smtp: host H said: ... (non-final) */
	MW_LE_BOUNCE,       /* bounce: QID -> DSN QID2 */
	MW_LE_PICKUP,       /* pickup uid= from= */
	MW_LE_CONN_FAIL,    /* smtp: connect to H[IP]:P: reason; lost connection */
	MW_LE_WARNING,      /* other warning: lines */
	MW_LE_KIND_COUNT
} mw_logev_kind;

typedef enum mw_logmta {
	MW_MTA_NONE = 0,
	MW_MTA_POSTFIX,
	MW_MTA_SENDMAIL,
} mw_logmta;

typedef struct mw_logev {
	mw_logev_kind kind;
	mw_logmta mta;
	int64_t ts; /* epoch seconds, UTC */
	int32_t usec;
	mw_sv host;    /* syslog hostname (may be unset) */
	mw_sv tag;     /* program tag: postfix/submission/smtpd */
	mw_sv daemon;  /* smtpd, qmgr, sm-mta ... */
	mw_sv pid;
	mw_sv msg;     /* message text after "tag[pid]: " */
	mw_sv qid;     /* queue ID ("NOQUEUE" kept as is) */
	mw_sv client_host, client_ip, client_port;
	mw_sv sasl_method, sasl_user;
	mw_sv from, to, orig_to, helo, proto;
	mw_sv relay_host, relay_ip, relay_port; /* relay=H[IP]:P; "local", "none" in relay_host */
	mw_sv delay, dsn, status;               /* status=sent... / stat= */
	mw_sv reply;    /* text in parentheses after status / remote reply / reject text */
	mw_sv code, enhanced; /* 550, 5.7.1 */
	mw_sv stage;    /* RCPT, DATA, END-OF-MESSAGE, CONNECT ... */
	mw_sv action;   /* reject, reject_warning, discard, hold, milter-reject, PASS NEW ... */
	mw_sv status_data; /* the <...> after the codes of a reject */
	mw_sv text;     /* human part of a reject/warning/failure reason */
	mw_sv msgid, uid, size, nrcpt;
	mw_sv dsn_qid;  /* bounce: notification's queue ID */
	mw_sv counters; /* disconnect: ehlo=1 auth=0/1 ... */
} mw_logev;

/* mw_logline_parse - parse one line (without its newline) into ev.  Always
 * fills ev->kind; returns it. */
mw_logev_kind mw_logline_parse(mw_logtime_ctx *tc, const char *line, size_t len,
			       mw_logev *ev);
/* mw_logev_kind_name - short name of a kind ("delivery") */
const char *mw_logev_kind_name(mw_logev_kind k);

/* helpers shared by the Postfix and Sendmail parsers (logline.c) */
/* mw_parse_hostaddr - "host[ip]" or "host[ip]:port"; views into the text */
bool mw_parse_hostaddr(const char **p, const char *end, mw_sv *host, mw_sv *ip, mw_sv *port);
/* mw_parse_angle - "<...>" (possibly empty); sets v to the inside */
bool mw_parse_angle(const char **p, const char *end, mw_sv *v);
/* mw_is_qid - plausible Postfix/Sendmail queue ID */
bool mw_is_qid(const char *s, size_t n);
/* mw_parse_postfix - message part of a Postfix line (ev->daemon set) */
void mw_parse_postfix(mw_logev *ev);
/* mw_parse_sendmail - message part of a Sendmail line */
void mw_parse_sendmail(mw_logev *ev);

#endif
