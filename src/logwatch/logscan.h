/*
 * logwatch/logscan.h - correlate mail-log events into messages and findings.
 *
 * NAME
 *   mw_logscan - the analysis behind `mailwarden logscan`, `logwatch` and the
 *   daemon's log follower.
 *
 * DESCRIPTION
 *   Lines are fed one at a time (any order of files; rotated and compressed
 *   files are read by logread.h).  Events are joined into per-message records
 *   by queue ID (smtpd client= / pickup uid= -> cleanup -> qmgr from= ->
 *   deliveries -> removed; a queue ID seen again after "removed" starts a new
 *   record).  Detectors then raise findings, each with evidence lines and a
 *   recommended action:
 *     rate      more than rate_limit messages in rate_window seconds per SASL
 *               user, client IP (loopback excluded) and local sender, counted
 *               with the policy service's sliding window (store/window.h:
 *               never undercounts, forgets at most window/15 late), with
 *               recipients and unknown-recipient share of the key;
 *     block     remote reputation blocks (blockmatch.h) grouped by recipient
 *               domain and MX, with first/last time and the attempts made to
 *               that domain after the first block;
 *     auth      SASL failures per client IP (>= auth_ip_limit) and per
 *               username (>= auth_user_limit or from >= spray_ips IPs), and
 *               successful logins of one username from >= login_ips IPs;
 *     backscatter  null-sender mail from remote clients above
 *               backscatter_limit per hour;
 *     deferral  deferred deliveries above defer_limit per hour;
 *     injection mail submitted locally (pickup) by a non-root uid.
 *   Nothing is fatal: unknown lines are counted.
 *
 * LIMITS
 *   MW_LOG_MSGS_MAX open records, MW_LOG_KEYS_MAX keys per table (further keys
 *   are counted as dropped), MW_LOG_EVIDENCE_MAX evidence lines per finding.
 *
 * OWNERSHIP
 *   The scanner copies what it keeps; lines are borrowed only during a call.
 *   mw_logscan_json returns a new jansson reference (json_decref it).
 */
#ifndef MW_LOGWATCH_LOGSCAN_H
#define MW_LOGWATCH_LOGSCAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "logwatch/logline.h"

typedef enum mw_finding_type {
	MW_FIND_RATE = 0,
	MW_FIND_BLOCK,
	MW_FIND_AUTH_IP,
	MW_FIND_AUTH_USER,
	MW_FIND_LOGIN_IPS,
	MW_FIND_BACKSCATTER,
	MW_FIND_DEFERRALS,
	MW_FIND_INJECTION,
	MW_FIND_TYPE_COUNT
} mw_finding_type;

typedef struct mw_finding {
	mw_finding_type type;
	const char *severity; /* "critical", "warning", "info" */
	char key[256];        /* "sasl_username:bob", "gmail.com", "ip:1.2.3.4" ... */
	char summary[512];
	const char *action;   /* recommended action (static text) */
	int64_t first, last;
	uint64_t count;
	char *evidence[8];    /* MW_LOG_EVIDENCE_MAX lines, malloc'd */
	unsigned nevidence;
} mw_finding;

typedef void (*mw_finding_fn)(void *ctx, const mw_finding *f);

typedef struct mw_logscan_opts {
	int64_t since, until;     /* 0 = open */
	uint32_t rate_limit;      /* default 100 */
	int64_t rate_window;      /* default 300 s */
	uint32_t auth_ip_limit;   /* default 10 failures per IP */
	uint32_t auth_user_limit; /* default 10 failures per username */
	uint32_t spray_ips;       /* default 5 IPs failing for one username */
	uint32_t login_ips;       /* default 10 IPs logging in as one username */
	uint32_t backscatter_limit; /* default 50 null-sender messages per hour */
	uint32_t defer_limit;     /* default 100 deferrals per hour */
	mw_finding_fn on_finding; /* called once when a finding is raised; may be NULL */
	void *ctx;
} mw_logscan_opts;

typedef struct mw_logscan mw_logscan;

/* mw_logscan_defaults - fill opts with the defaults above */
void mw_logscan_defaults(mw_logscan_opts *o);
/* mw_logscan_new - scanner; NULL on allocation failure */
mw_logscan *mw_logscan_new(const mw_logscan_opts *o);
/* mw_logscan_free - release everything */
void mw_logscan_free(mw_logscan *s);
/* mw_logscan_line - parse and feed one line (no newline); returns its kind */
mw_logev_kind mw_logscan_line(mw_logscan *s, mw_logtime_ctx *tc, const char *line,
			      size_t len);
/* mw_logscan_event - feed an already parsed event (line = its raw text).
 * It reads only kind, mta, ts and the views packed by pipeline.c (qid,
 * client_ip, sasl_user, sasl_method, from, to, nrcpt, status, dsn, reply,
 * enhanced, code, relay_host, text, uid, dsn_qid): keep that list in step. */
void mw_logscan_event(mw_logscan *s, const mw_logev *ev, const char *line, size_t len);
/* mw_logscan_note - count a reader-level problem: "oversized_lines",
 * "truncated_gzip", "read_errors" */
void mw_logscan_note(mw_logscan *s, const char *what, uint64_t n);
/* mw_logscan_finish - close the analysis (end-of-input checks) */
void mw_logscan_finish(mw_logscan *s);
/* mw_logscan_findings - the findings so far (array of n) */
const mw_finding *mw_logscan_findings(const mw_logscan *s, size_t *n);
/* mw_logscan_json - the whole report (shape in docs/LOGSCAN.md) */
json_t *mw_logscan_json(const mw_logscan *s, unsigned top_n);
/* mw_finding_json - one finding as JSON */
json_t *mw_finding_json(const mw_finding *f);
/* mw_logev_is_abuse - does this event count against its client (a reject,
 * a client-side SASL failure, protocol abuse)?  Server-side SASL trouble
 * ("Connection lost to authentication server") does not, nor does an event
 * without a client address (Sendmail "<x>... User unknown"). */
bool mw_logev_is_abuse(const mw_logev *ev);
/* mw_finding_type_name - "rate", "remote_block" ... */
const char *mw_finding_type_name(mw_finding_type t);

#endif
