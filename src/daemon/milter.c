/*
 * daemon/milter.c - libmilter callbacks: direction, DKIM signing, BATV,
 * SPF/DKIM/ARC/DMARC verification, Authentication-Results.
 *
 * libmilter runs callbacks on its own threads, one connection at a time
 * per thread; the configuration is read-only after start, the DNS cache
 * and resolver are shared and used under one mutex.
 */
#include "daemon/milter.h"
#include "daemon/milter_log.h"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/authres.h"
#include "auth/dkim_sign.h"
#include "core/buf.h"
#include "core/str.h"
#include "forensics/authrun.h"
#include "mail/message.h"
#include "outbound/batv.h"
#include "outbound/milter_msg.h"
#include "outbound/scan.h"
#include "daemon/milter_inbound.h"
#include "report/drrecord.h"
#include "store/dmarclog.h"
#include "store/eventlog.h"

#define MILTER_RCPT_MAX 64 /* BATV-tagged recipients rewritten per message */

/* libmilter's callbacks carry no user pointer: the program's one milter. */
static milter_config *g_cfg;
static cli_dns g_dns;
static pthread_mutex_t g_dns_lock = PTHREAD_MUTEX_INITIALIZER;
static mw_eventlog *g_events; /* NULL without events_db */
static pthread_mutex_t g_events_lock = PTHREAD_MUTEX_INITIALIZER;
static milter_hold_sink g_sink; /* inside `serve`: holds go to its event loop */
static void *g_sink_ctx;
static mw_dmarclog *g_dmarclog; /* DMARC results for aggregate reports; with events_db */
static bool g_dmarclog_tried;   /* opened lazily, after serve's privilege drop */
static pthread_mutex_t g_dmarclog_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct milter_conn {
	char ip[MW_IP_STR_MAX];
	bool have_ip, trusted;
	char helo[256];
	char host[256];                /* the MTA's client name ("[ip]" when unverified) */
	/* per message */
	char from[MW_BATV_ADDR_MAX + 1];
	bool outbound;
	char auth[256];
	char rcpt_domain[256];         /* first recipient's domain (DMARC report envelope_to) */
	bool leadspc;                  /* SMFIP_HDR_LEADSPC negotiated (per connection) */
	mw_milter_msg mm;              /* headers, streamed body hashes, scan prefix */
	bool too_big;                  /* over max_message: passed unchanged */
	struct {
		char tagged[MW_BATV_ADDR_MAX + 3], orig[MW_BATV_ADDR_MAX + 3];
	} rw[MILTER_RCPT_MAX];
	size_t nrw;
} milter_conn;

/* strip_angle - "<a@b>" -> "a@b" into out */
static void strip_angle(const char *in, char *out, size_t n)
{
	size_t len = strlen(in);
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>')
		snprintf(out, n, "%.*s", (int)(len - 2), in + 1);
	else
		snprintf(out, n, "%s", in);
}

/* domain_of - the part after the last '@', or NULL */
static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at && at[1] ? at + 1 : NULL;
}

/* fail_default - internal error: log and answer the default action */
static sfsistat fail_default(SMFICTX *ctx, const char *what)
{
	milter_log(LOG_WARNING, "%s; answering %s", what,
		g_cfg->default_tempfail ? "tempfail" : "accept");
	if (g_cfg->default_tempfail) {
		smfi_setreply(ctx, "451", "4.3.0", "mailwarden: temporary local problem");
		return SMFIS_TEMPFAIL;
	}
	return SMFIS_ACCEPT;
}

/* reset_msg - forget per-message state (frees the headers and body hashes) */
static void reset_msg(milter_conn *c)
{
	c->from[0] = c->auth[0] = c->rcpt_domain[0] = '\0';
	c->outbound = c->too_big = false;
	c->nrw = 0;
	mw_milter_msg_reset(&c->mm);
}

/* conn_new - connection state (negotiate or connect, whichever comes first) */
static milter_conn *conn_new(SMFICTX *ctx)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (c)
		return c;
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	mw_milter_msg_opts o = {.leadspc = false};
	mw_milter_msg_init(&c->mm, &o);
	smfi_setpriv(ctx, c);
	return c;
}

/* milter_leadspc - per-connection LEADSPC */
bool milter_leadspc(SMFICTX *ctx)
{
	const milter_conn *c = smfi_getpriv(ctx);
	return c && c->leadspc;
}

/* cb_negotiate - ask for header values with their leading whitespace
 * (SMFIP_HDR_LEADSPC), so fields are rebuilt byte-exactly for "simple"
 * canonicalization; every other step as libmilter's defaults */
static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			     unsigned long f3, unsigned long *pf0, unsigned long *pf1,
			     unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	milter_conn *c = conn_new(ctx);
	if (!c)
		return SMFIS_ALL_OPTS;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM | SMFIF_ADDRCPT | SMFIF_DELRCPT |
		     SMFIF_QUARANTINE);
	c->leadspc = (f1 & SMFIP_HDR_LEADSPC) != 0;
	*pf1 = f1 & SMFIP_HDR_LEADSPC;
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	milter_conn *c = conn_new(ctx);
	if (!c)
		return fail_default(ctx, "out of memory at connect");
	mw_strlcpy(c->host, host ? host : "", sizeof(c->host));
	mw_ip ip;
	const char *addr = smfi_getsymval(ctx, "{client_addr}");
	if (addr && mw_ip_parse(addr, &ip)) {
		mw_ip_unmap(&ip);
		mw_ip_format(&ip, c->ip, sizeof(c->ip));
		c->have_ip = true;
		c->trusted = milter_is_trusted(g_cfg, &ip);
	} else if (sa && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)) {
		char buf[MW_IP_STR_MAX];
		const void *p = sa->sa_family == AF_INET
					? (const void *)&((struct sockaddr_in *)sa)->sin_addr
					: (const void *)&((struct sockaddr_in6 *)sa)->sin6_addr;
		if (inet_ntop(sa->sa_family, p, buf, sizeof(buf)) && mw_ip_parse(buf, &ip)) {
			mw_ip_unmap(&ip);
			mw_ip_format(&ip, c->ip, sizeof(c->ip));
			c->have_ip = true;
			c->trusted = milter_is_trusted(g_cfg, &ip);
		}
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (c)
		mw_strlcpy(c->helo, helo ? helo : "", sizeof(c->helo));
	return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (!c)
		return fail_default(ctx, "no connection state at MAIL FROM");
	reset_msg(c);
	strip_angle(argv[0] ? argv[0] : "", c->from, sizeof(c->from));
	const char *auth = smfi_getsymval(ctx, "{auth_authen}");
	if (auth && *auth)
		mw_strlcpy(c->auth, auth, sizeof(c->auth));
	c->outbound = c->auth[0] || c->trusted;
	/* what this message needs while it streams: the A-R fields to remove
	 * (inbound), our own body hash (signing or sealing), the scan prefix */
	c->mm.o.leadspc = c->leadspc;
	c->mm.o.authserv_id = c->outbound ? NULL : g_cfg->authserv_id;
	c->mm.o.own_hash = c->outbound ? g_cfg->nkeys > 0 : g_cfg->arc_seal;
	c->mm.o.scan_max = g_cfg->scan && (c->outbound || g_cfg->inbound_scan != MILTER_IS_OFF)
				   ? g_cfg->scan_max : 0;
	return SMFIS_CONTINUE;
}

/* cb_envrcpt - BATV: null sender to our domain needs a valid tag */
static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (!c)
		return fail_default(ctx, "no connection state at RCPT TO");
	if (!c->rcpt_domain[0] && argv[0]) {
		char r[MW_BATV_ADDR_MAX + 1];
		strip_angle(argv[0], r, sizeof(r));
		mw_strlcpy(c->rcpt_domain, domain_of(r) ? domain_of(r) : "", sizeof(c->rcpt_domain));
	}
	if (c->outbound || c->from[0] || !g_cfg->batv)
		return SMFIS_CONTINUE;
	char rcpt[MW_BATV_ADDR_MAX + 1], orig[MW_BATV_ADDR_MAX + 1];
	strip_angle(argv[0] ? argv[0] : "", rcpt, sizeof(rcpt));
	const char *dom = domain_of(rcpt);
	if (!dom || !milter_is_our_domain(g_cfg, dom))
		return SMFIS_CONTINUE;
	mw_batv_result r = mw_batv_verify(&g_cfg->batv_keys, rcpt, time(NULL), orig, sizeof(orig));
	mw_batv_action a = mw_batv_bounce_action(r, g_cfg->batv_grace);
	milter_log(LOG_INFO, "bounce to %s from %s: BATV %s, %s", rcpt,
		c->ip, mw_batv_result_str(r),
		a == MW_BATV_ACCEPT ? "accept" : a == MW_BATV_FLAG ? "flag (grace)" : "reject");
	if (a == MW_BATV_REJECT) {
		char msg[128];
		snprintf(msg, sizeof(msg), "bounce to an address we never used (BATV %s)",
			 mw_batv_result_str(r));
		smfi_setreply(ctx, "550", "5.7.1", msg);
		return SMFIS_REJECT;
	}
	if (r == MW_BATV_VALID && c->nrw < MILTER_RCPT_MAX) {
		snprintf(c->rw[c->nrw].tagged, sizeof(c->rw[0].tagged), "<%s>", rcpt);
		snprintf(c->rw[c->nrw].orig, sizeof(c->rw[0].orig), "<%s>", orig);
		c->nrw++;
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (!c)
		return fail_default(ctx, "no connection state at a header");
	mw_milter_msg_header(&c->mm, name, value);
	return SMFIS_CONTINUE;
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (c)
		mw_milter_msg_eoh(&c->mm); /* a refused section is reported at end of message */
	return SMFIS_CONTINUE;
}

/* cb_body - hash as it streams; only the scan prefix is kept */
static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (!c || c->too_big)
		return SMFIS_CONTINUE;
	if (g_cfg->max_message && c->mm.body_bytes + len > g_cfg->max_message) {
		c->too_big = true;
		mw_milter_msg_reset(&c->mm); /* nothing more is kept */
		return SMFIS_CONTINUE;
	}
	mw_milter_msg_body(&c->mm, chunk, len);
	return SMFIS_CONTINUE;
}

/* field_value - "Name: value\r\n..." -> value for smfi_* (LF folding; the
 * leading space kept when the MTA adds none, SMFIP_HDR_LEADSPC) */
static char *field_value(const milter_conn *c, const char *field)
{
	return mw_milter_field_value(field, c->leadspc);
}

/* record_hold - the scan verdict as an event (same table as serve's) */
static void record_hold(const milter_conn *c, const mw_message *m, const mw_scan_result *r)
{
	mw_event ev;
	memset(&ev, 0, sizeof(ev));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.time_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	mw_strlcpy(ev.source, "milter-scan", sizeof(ev.source));
	mw_strlcpy(ev.rule, r->nhits ? r->hit[0].rule : "scan", sizeof(ev.rule));
	mw_strlcpy(ev.key, c->auth[0] ? c->auth : c->ip, sizeof(ev.key));
	mw_strlcpy(ev.action, "hold", sizeof(ev.action));
	ev.count = (uint64_t)(r->score > 0 ? r->score : 0);
	ev.limit = (uint64_t)r->threshold;
	mw_strlcpy(ev.client_address, c->ip, sizeof(ev.client_address));
	mw_strlcpy(ev.sasl_username, c->auth, sizeof(ev.sasl_username));
	mw_strlcpy(ev.sender, c->from, sizeof(ev.sender));
	long si = mw_message_find(m, "Subject", 0);
	if (si >= 0) {
		char subj[MW_EVENT_ADDR_MAX];
		const mw_hfield *f = &m->field[si];
		size_t n = f->value_len < sizeof(subj) - 1 ? f->value_len : sizeof(subj) - 1;
		memcpy(subj, f->value, n);
		subj[n] = '\0';
		mw_event_add_subject(&ev, subj[0] == ' ' ? subj + 1 : subj);
	}
	if (g_sink) {
		g_sink(g_sink_ctx, &ev);
		return;
	}
	mw_err err;
	pthread_mutex_lock(&g_events_lock);
	if (mw_eventlog_add(g_events, &ev, &err) != MW_OK)
		milter_log(LOG_WARNING, "event not stored: %s", err.msg);
	pthread_mutex_unlock(&g_events_lock);
}

/* scan_outbound - content rules; over the threshold: quarantine (Postfix
 * hold queue), log and record an event */
static void scan_outbound(SMFICTX *ctx, milter_conn *c, const mw_message *m)
{
	mw_scan_result *r = calloc(1, sizeof(*r));
	mw_err err;
	mw_err_clear(&err);
	if (!r || mw_scan_message(g_cfg->scan, mw_buf_cstr(&c->mm.kept), c->mm.kept.len, r, &err) !=
			  MW_OK) {
		milter_log(LOG_WARNING, "scan failed (%s): message not held",
			r ? err.msg : "out of memory");
		free(r);
		return;
	}
	if (r->hold) {
		char reason[256];
		snprintf(reason, sizeof(reason), "mailwarden scan: score %d >= %d (%s)", r->score,
			 r->threshold, r->nhits ? r->hit[0].rule : "");
		if (smfi_quarantine(ctx, reason) != MI_SUCCESS)
			milter_log(LOG_WARNING, "smfi_quarantine refused");
		milter_log(LOG_INFO, "outbound from %s (%s): %s",
			c->auth[0] ? c->auth : "-", c->ip, reason);
		if (g_events || g_sink)
			record_hold(c, m, r);
	}
	free(r);
}

/* sign_outbound - DKIM signatures for the From domain, BATV envelope sender */
static sfsistat sign_outbound(SMFICTX *ctx, milter_conn *c, const mw_message *m)
{
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_from from;
	mw_err err;
	mw_err_clear(&err);
	if (!pool)
		return fail_default(ctx, "out of memory");
	const char *fd = mw_message_from(m, pool, &from, &err) == MW_OK && from.naddrs
				 ? from.domain[0] : NULL;
	for (size_t i = 0; fd && i < g_cfg->nkeys; i++) {
		const milter_key *k = &g_cfg->keys[i];
		if (!mw_domain_is_sub(fd, k->domain))
			continue;
		mw_dkim_sign_opts o;
		mw_dkim_sign_opts_init(&o, k->domain, k->selector, time(NULL));
		o.bodies = c->mm.bodies; /* hashed while the body streamed */
		mw_buf out;
		mw_buf_init(&out, 65536);
		char *v = NULL;
		if (mw_dkim_sign(m, k->key, &o, &out, &err) == MW_OK && (v = field_value(c, out.data)))
			smfi_insheader(ctx, 0, "DKIM-Signature", v);
		else
			milter_log(LOG_WARNING, "DKIM signing d=%s s=%s failed: %s",
				k->domain, k->selector, err.msg);
		free(v);
		mw_buf_free(&out);
	}
	mw_pool_free(pool);
	if (g_cfg->scan)
		scan_outbound(ctx, c, m);
	const char *sd = domain_of(c->from);
	if (g_cfg->batv && sd && milter_is_our_domain(g_cfg, sd)) {
		char tagged[MW_BATV_ADDR_MAX + 32], arg[MW_BATV_ADDR_MAX + 34];
		if (mw_batv_sign(&g_cfg->batv_keys, c->from, time(NULL), g_cfg->batv_days, tagged,
				 sizeof(tagged), &err) == MW_OK) {
			snprintf(arg, sizeof(arg), "<%s>", tagged);
			if (smfi_chgfrom(ctx, arg, NULL) != MI_SUCCESS)
				milter_log(LOG_WARNING, "smfi_chgfrom refused");
		} else {
			milter_log(LOG_INFO, "BATV signing %s: %s", c->from, err.msg);
		}
	}
	return SMFIS_ACCEPT;
}

/* dmarclog_get - the DMARC result log, opened on first use (in a milter
 * thread: inside `serve` that is after the privilege drop, so the file is
 * never created by root); NULL without events_db or when it cannot open */
static mw_dmarclog *dmarclog_get(void)
{
	pthread_mutex_lock(&g_dmarclog_lock);
	if (!g_dmarclog_tried && g_cfg->events_db[0]) {
		mw_err err;
		g_dmarclog_tried = true;
		if (!(g_dmarclog = mw_dmarclog_open(g_cfg->events_db, false, &err)))
			milter_log(LOG_WARNING, "DMARC results not recorded: %s", err.msg);
	}
	mw_dmarclog *dl = g_dmarclog;
	pthread_mutex_unlock(&g_dmarclog_lock);
	return dl;
}

/* seal_inbound - RFC 8617 §5.1: our ARC set on top of the verified message,
 * cv= from the chain validation; the AAR carries our A-R results */
static void seal_inbound(SMFICTX *ctx, const milter_conn *c, mw_authrun *r,
			 const mw_authrun_opts *o)
{
	if (r->arc.cv == MW_AUTH_TEMPERROR) {
		milter_log(LOG_WARNING, "ARC chain check failed temporarily: not sealed");
		return;
	}
	mw_buf ar;
	mw_buf_init(&ar, MW_AR_HEADER_MAX + 64);
	mw_pool *pool = mw_pool_new(1u << 22);
	mw_err err;
	mw_err_clear(&err);
	const char *semi = NULL;
	if (pool && mw_authrun_authres(r, o, false, &ar) == MW_OK)
		semi = strchr(mw_buf_cstr(&ar), ';');
	while (semi && (*semi == ';' || *semi == ' ' || *semi == '\t' || *semi == '\r' ||
			*semi == '\n'))
		semi++;
	mw_arc_seal_opts so = {g_cfg->arc_domain, g_cfg->arc_selector, g_cfg->authserv_id,
			       g_cfg->arc_key, NULL, semi, time(NULL), c->mm.bodies};
	mw_arc_seal_out out;
	if (!semi || mw_arc_seal(&c->mm.hdr, &r->arc, &so, pool, &out, &err) != MW_OK) {
		milter_log(LOG_WARNING, "ARC seal not added: %s",
			err.msg[0] ? err.msg : "no results to seal");
	} else {
		const char *f[3][2] = {{"ARC-Authentication-Results", out.aar},
				       {"ARC-Message-Signature", out.ams},
				       {"ARC-Seal", out.as}};
		for (int i = 0; i < 3; i++) { /* inserted at the top: AS, AMS, AAR, A-R */
			char *v = field_value(c, f[i][1]);
			if (!v || smfi_insheader(ctx, 0, (char *)f[i][0], v) != MI_SUCCESS)
				milter_log(LOG_WARNING, "%s not added", f[i][0]);
			free(v);
		}
		milter_log(LOG_INFO, "ARC i=%u cv=%s sealed as d=%s s=%s",
			out.instance, mw_arc_cv_name(out.cv), g_cfg->arc_domain, g_cfg->arc_selector);
	}
	mw_pool_free(pool);
	mw_buf_free(&ar);
}

/* verify_inbound - authrun, A-R, forged A-R removal, DMARC reject */
static sfsistat verify_inbound(SMFICTX *ctx, milter_conn *c, const mw_message *m)
{
	mw_authrun r;
	memset(&r, 0, sizeof(r));
	mw_authrun_opts o = {.ip = c->have_ip ? c->ip : NULL,
			     .mail_from = c->from,
			     .helo = c->helo[0] ? c->helo : NULL,
			     .authserv_id = g_cfg->authserv_id,
			     .dmarc_flags = 0,
			     .now = time(NULL),
			     .spf_quiet = true,
			     .bodies = c->mm.bodies};
	mw_err err;
	mw_err_clear(&err);
	pthread_mutex_lock(&g_dns_lock);
	mw_status st = mw_authrun_run(&r, m, &o, g_dns.resolver, g_dns.cache, &err);
	pthread_mutex_unlock(&g_dns_lock);
	mw_disposition dispo; /* DMARC t=y / pct / local overrides (milter_inbound.h) */
	memset(&dispo, 0, sizeof(dispo));
	char note[MW_DISPO_COMMENT_MAX], dcomment[MW_DISPO_COMMENT_MAX];
	const char *ddom = "";
	if (st == MW_OK)
		milter_dmarc_decide(g_cfg, m, &r, c->have_ip ? c->ip : NULL, c->host, &dispo, note,
				    sizeof(note), &ddom);
	mw_buf ar;
	mw_buf_init(&ar, MW_AR_HEADER_MAX + 64);
	char *v = NULL;
	if (st != MW_OK || mw_authrun_authres(&r, &o, true, &ar) != MW_OK ||
	    !(v = field_value(c, ar.data))) {
		mw_authrun_free(&r);
		mw_buf_free(&ar);
		return fail_default(ctx, err.msg[0] ? err.msg : "authentication failed internally");
	}
	for (size_t i = c->mm.nforged; i > 0; i--) /* highest index first: indices stay valid */
		smfi_chgheader(ctx, "Authentication-Results", (int)c->mm.forged[i - 1], NULL);
	if (c->mm.nforged)
		milter_log(LOG_INFO, "removed %zu forged Authentication-Results",
			c->mm.nforged);
	smfi_insheader(ctx, 0, "Authentication-Results", v);
	for (size_t i = 0; i < c->nrw; i++) {
		smfi_delrcpt(ctx, c->rw[i].tagged);
		smfi_addrcpt(ctx, c->rw[i].orig);
	}
	bool reject = g_cfg->dmarc_reject && dispo.final == MW_DMARC_POLICY_REJECT;
	mw_dispo_comment(&dispo, dcomment, sizeof(dcomment));
	milter_log(LOG_INFO, "inbound from %s: %s%s", c->ip, v + (*v == ' '),
		reject ? " -> reject" : "");
	if (*ddom)
		milter_log(LOG_INFO, "DMARC %s: requested %s, %s", ddom,
			mw_dmarc_policy_name(dispo.requested), dcomment);
	if (!reject && dispo.final == MW_DMARC_POLICY_QUARANTINE) {
		char why[320]; /* leading space: the value as sent under SMFIP_HDR_LEADSPC */
		snprintf(why, sizeof(why), " DMARC policy quarantine for %s", ddom);
		if (g_cfg->dmarc_quarantine == MILTER_Q_HOLD && smfi_quarantine(ctx, why + 1) != MI_SUCCESS)
			milter_log(LOG_WARNING, "smfi_quarantine refused");
		if (g_cfg->dmarc_quarantine == MILTER_Q_HEADER)
			smfi_addheader(ctx, "X-Mailwarden-DMARC", why + !c->leadspc);
	}
	mw_drrecord_ctx rc = {time(NULL), c->ip, c->rcpt_domain[0] ? c->rcpt_domain : NULL,
			      reject ? MW_DRREC_REJECTED
			      : dispo.final == MW_DMARC_POLICY_QUARANTINE &&
					      g_cfg->dmarc_quarantine != MILTER_Q_OFF
				      ? MW_DRREC_QUARANTINED
				      : MW_DRREC_ACCEPTED,
			      NULL, *ddom ? &dispo : NULL};
	mw_dmarclog *dl = c->have_ip ? dmarclog_get() : NULL;
	if (dl && mw_drrecord_add(dl, &r, &rc, &err) != MW_OK)
		milter_log(LOG_WARNING, "DMARC result not stored: %s", err.msg);
	if (!reject && g_cfg->arc_seal)
		seal_inbound(ctx, c, &r, &o);
	free(v);
	mw_authrun_free(&r);
	mw_buf_free(&ar);
	if (reject) {
		smfi_setreply(ctx, "550", "5.7.1", "rejected by DMARC policy of the From domain");
		return SMFIS_REJECT;
	}
	if (g_cfg->inbound_scan != MILTER_IS_OFF && g_cfg->scan &&
	    milter_scan_inbound(ctx, g_cfg, mw_buf_cstr(&c->mm.kept), c->mm.kept.len, c->ip) == SMFIS_REJECT)
		return SMFIS_REJECT;
	return SMFIS_ACCEPT;
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (!c)
		return fail_default(ctx, "no connection state at end of message");
	if (c->too_big) {
		milter_log(LOG_WARNING, "message from %s over max_message (%zu bytes): "
				"passed unchanged", c->ip, g_cfg->max_message);
		reset_msg(c);
		return SMFIS_ACCEPT;
	}
	mw_err err;
	mw_err_clear(&err);
	if (mw_milter_msg_eom(&c->mm, &err) != MW_OK) { /* header refused: over limits, malformed */
		char why[MW_ERR_MSG_MAX + MW_IP_STR_MAX + 32];
		snprintf(why, sizeof(why), "message from %s not evaluated: %s", c->ip, err.msg);
		reset_msg(c);
		return fail_default(ctx, why);
	}
	const mw_message *m = &c->mm.hdr; /* the header section; the body is in mm.bodies */
	sfsistat rc = c->outbound ? sign_outbound(ctx, c, m) : verify_inbound(ctx, c, m);
	reset_msg(c);
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (c)
		reset_msg(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	milter_conn *c = smfi_getpriv(ctx);
	if (c) {
		mw_milter_msg_reset(&c->mm);
		mw_buf_free(&c->mm.head);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc g_desc = {
	.xxfi_name = "mailwarden",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM | SMFIF_ADDRCPT | SMFIF_DELRCPT |
		       SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};

/* milter_open - DNS, event history (standalone only), register, bind */
int milter_open(milter_config *cfg, const cli_dns_opts *dns)
{
	g_cfg = cfg;
	mw_err err;
	if (milter_config_check(cfg, &err) != MW_OK) {
		milter_log(LOG_INFO, "%s", err.msg);
		return 2;
	}
	if (!cli_dns_open(&g_dns, dns))
		return 2;
	if (!g_sink && cfg->events_db[0] && !(g_events = mw_eventlog_open(cfg->events_db, false, &err))) {
		milter_log(LOG_WARNING, "events_db: %s", err.msg);
		cli_dns_close(&g_dns);
		return 2;
	}
	int rc = 0;
	if (smfi_setconn(cfg->socket) != MI_SUCCESS || smfi_settimeout(cfg->timeout_s) != MI_SUCCESS ||
	    smfi_register(g_desc) != MI_SUCCESS) {
		milter_log(LOG_WARNING, "cannot register on %s", cfg->socket);
		rc = 3;
	} else if (smfi_opensocket(1) != MI_SUCCESS) {
		milter_log(LOG_WARNING, "cannot listen on %s", cfg->socket);
		rc = 3;
	}
	if (rc) {
		cli_dns_close(&g_dns);
		mw_eventlog_close(g_events);
		g_events = NULL;
	}
	return rc;
}

/* milter_main - serve (smfi_main) until milter_stop or a signal, then close */
int milter_main(void)
{
	milter_log(LOG_INFO, "listening on %s (authserv-id %s, %zu DKIM keys%s)",
		g_cfg->socket, g_cfg->authserv_id, g_cfg->nkeys, g_cfg->batv ? ", BATV" : "");
	int rc = smfi_main() == MI_SUCCESS ? 0 : 3;
	milter_close();
	return rc;
}

/* milter_close - what milter_open made (milter_main does it on return) */
void milter_close(void)
{
	cli_dns_close(&g_dns);
	mw_eventlog_close(g_events);
	g_events = NULL;
	mw_dmarclog_close(g_dmarclog);
	g_dmarclog = NULL;
	g_dmarclog_tried = false;
}

/* milter_stop - ask smfi_main to return (any thread) */
void milter_stop(void)
{
	smfi_stop();
}

/* milter_set_hold_sink - scan holds go to fn instead of events_db */
void milter_set_hold_sink(milter_hold_sink fn, void *ctx)
{
	g_sink = fn;
	g_sink_ctx = ctx;
}

/* milter_run - open DNS, register, listen, loop */
int milter_run(milter_config *cfg, const cli_dns_opts *dns)
{
	int rc = milter_open(cfg, dns);
	return rc ? rc : milter_main();
}
