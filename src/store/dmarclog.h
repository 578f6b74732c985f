/*
 * store/dmarclog.h - every inbound DMARC evaluation, kept in SQLite for
 * aggregate reports (RFC 9990), and the reports already sent.
 *
 * DESCRIPTION
 *   Two tables in the events file (the same SQLite file as store/eventlog.h,
 *   WAL mode):
 *     mw_dmarc_log   one row per evaluated Author Domain of an inbound
 *                    message: time, source IP, header-from, envelope
 *                    from/to domains, the policy domain and the policy
 *                    published there (p sp np adkim aspf pct t fo), the
 *                    DMARC-aligned dkim/spf results, the disposition applied,
 *                    override reasons, and every DKIM and SPF result
 *                    (domain, selector/scope, result, human_result).
 *     mw_dmarc_sent  (policy_domain, begin, end) periods already reported,
 *                    with the report id and destinations: a run that finds
 *                    its period there does not report it again.
 *   mw_dmarclog_prune deletes what is older than a time (the report run
 *   keeps MW_DRGEN_PERIODS_MAX days by default).
 *   mw_dmarclog_rollup groups one policy domain's rows of a period in SQL
 *   (GROUP BY source_ip, disposition, dkim, spf, reasons, identifiers,
 *   auth results) into records with a count, the RFC 9990 record shape.
 *
 * THREADS
 *   One handle may be shared by threads (libmilter's): mw_dmarclog_add takes
 *   the handle's mutex.  The other calls are for one thread (the CLI).
 *
 * LIMITS
 *   MW_DMARCLOG_AUTH_MAX dkim and spf results and MW_DMARCLOG_REASONS_MAX
 *   reasons per row (more are not stored); text values over
 *   MW_DMARCLOG_FIELD_MAX bytes are cut; a rollup returns at most
 *   MW_DR_RECORDS_MAX records (MW_ETOOBIG past it).
 *
 * OWNERSHIP
 *   mw_dmarclog_open returns a handle for mw_dmarclog_close.  Rows passed to
 *   mw_dmarclog_add are borrowed.  Rows and strings returned by the readers
 *   live in the pool the caller passes.
 */
#ifndef MW_STORE_DMARCLOG_H
#define MW_STORE_DMARCLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/pool.h"

typedef struct mw_dmarclog mw_dmarclog;

/* one DKIM (domain, selector) or SPF (domain, scope) result */
typedef struct mw_dmarclog_auth {
	const char *domain;
	const char *selector;     /* dkim only, may be NULL */
	const char *scope;        /* spf only: "mfrom" or "helo" */
	const char *result;       /* pass, fail, none, ... (lower case) */
	const char *human_result; /* may be NULL */
} mw_dmarclog_auth;

typedef struct mw_dmarclog_reason {
	const char *type;    /* local_policy, policy_test_mode, ... */
	const char *comment; /* may be NULL */
} mw_dmarclog_reason;

/* the policy published at the policy domain (NULL = tag absent) */
typedef struct mw_dmarclog_policy {
	const char *p, *sp, *np, *adkim, *aspf, *fo, *testing;
	int pct; /* -1 = absent */
} mw_dmarclog_policy;

typedef struct mw_dmarclog_row {
	int64_t time;               /* seconds since the epoch */
	const char *source_ip;
	const char *header_from;    /* Author Domain */
	const char *envelope_from;  /* domain, may be NULL (null reverse-path) */
	const char *envelope_to;    /* domain, may be NULL */
	const char *policy_domain;  /* where the DMARC record was found */
	mw_dmarclog_policy policy;
	const char *dmarc;          /* overall DMARC result: pass, fail, ... */
	const char *disposition;    /* applied: none, pass, quarantine, reject */
	const char *dkim, *spf;     /* DMARC-aligned results: pass / fail */
	mw_dmarclog_reason reasons[MW_DMARCLOG_REASONS_MAX];
	size_t nreasons;
	mw_dmarclog_auth dkim_res[MW_DMARCLOG_AUTH_MAX];
	size_t ndkim;
	mw_dmarclog_auth spf_res[MW_DMARCLOG_AUTH_MAX];
	size_t nspf;
	uint64_t count;             /* rollup: messages in the group (add ignores it) */
} mw_dmarclog_row;

/* mw_dmarclog_open - open (creating the tables unless readonly) */
mw_dmarclog *mw_dmarclog_open(const char *path, bool readonly, mw_err *err);
/* mw_dmarclog_close - close (NULL is fine) */
void mw_dmarclog_close(mw_dmarclog *log);
/* mw_dmarclog_add - store one row (thread-safe) */
mw_status mw_dmarclog_add(mw_dmarclog *log, const mw_dmarclog_row *row, mw_err *err);
/* mw_dmarclog_transaction - begin (true) or commit (false) a batch of adds */
mw_status mw_dmarclog_transaction(mw_dmarclog *log, bool begin, mw_err *err);
/* mw_dmarclog_span - oldest and newest row times; MW_ENOTFOUND when empty */
mw_status mw_dmarclog_span(mw_dmarclog *log, int64_t *oldest, int64_t *newest, mw_err *err);
/* mw_dmarclog_domains - policy domains with rows in [begin, end), sorted */
mw_status mw_dmarclog_domains(mw_dmarclog *log, int64_t begin, int64_t end, mw_pool *pool,
			      const char ***out, size_t *n, mw_err *err);
/* mw_dmarclog_rollup - one policy domain's rows in [begin, end) grouped into
 * records (count set), sorted by count then source IP; *policy = the policy
 * of the newest row */
mw_status mw_dmarclog_rollup(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
			     mw_pool *pool, mw_dmarclog_row **out, size_t *n,
			     mw_dmarclog_policy *policy, mw_err *err);
/* mw_dmarclog_sent - was (domain, begin, end) reported already? */
mw_status mw_dmarclog_sent(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
			   bool *sent, mw_err *err);
/* mw_dmarclog_prune - delete rows (and sent marks) older than before;
 * *deleted (may be NULL) = rows deleted */
mw_status mw_dmarclog_prune(mw_dmarclog *log, int64_t before, size_t *deleted, mw_err *err);
/* mw_dmarclog_mark_sent - remember (domain, begin, end) as reported */
mw_status mw_dmarclog_mark_sent(mw_dmarclog *log, const char *domain, int64_t begin, int64_t end,
				const char *report_id, const char *destinations, int64_t now,
				mw_err *err);

#endif
