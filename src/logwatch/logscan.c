/*
 * logwatch/logscan.c - message correlation and detectors (see logscan.h).
 * JSON rendering is in logscan_json.c; shared internals in logscan_int.h.
 */
#include "logwatch/logscan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logwatch/blockmatch.h"

/* ---- small helpers ------------------------------------------------------ */

/* sv_copy - copy a view into a fixed buffer (truncating) */
static void sv_copy(char *dst, size_t cap, mw_sv v)
{
	size_t n = v.p ? v.n : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, v.p, n);
	dst[n] = '\0';
}

/* is_loopback - 127.0.0.0/8, ::1, or no address (local submission) */
static bool is_loopback(mw_sv ip)
{
	return !ip.p || ip.n == 0 || MW_STARTS(ip.p, ip.p + ip.n, "127.") || mw_sv_eq(ip, "::1") ||
	       mw_sv_eq(ip, "unknown") || mw_sv_eq(ip, "::ffff:127.0.0.1");
}

/* hset_add - add a hash to a small set; returns true if it was new */
static bool hset_add(mw_hset **sp, uint64_t h)
{
	mw_hset *s = *sp;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return false;
		*sp = s;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (s->h[i] == h)
			return false;
	if (s->n < MW_HSET_MAX)
		s->h[s->n++] = h;
	else
		s->overflow++;
	return true;
}

/* mw_hset_count - distinct members (saturating at MW_HSET_MAX + overflow) */
uint64_t mw_hset_count(const mw_hset *s)
{
	return s ? s->n + s->overflow : 0;
}

/* ---- findings ------------------------------------------------------------ */

static const char *const type_names[MW_FIND_TYPE_COUNT] = {
	"rate", "remote_block", "auth_failures_ip", "auth_failures_user",
	"logins_many_ips", "backscatter", "deferrals", "local_injection",
};

/* mw_finding_type_name - stable name of a finding type */
const char *mw_finding_type_name(mw_finding_type t)
{
	return (unsigned)t < MW_FIND_TYPE_COUNT ? type_names[t] : "?";
}

/* add_evidence - keep the first lines and the latest one */
void mw_scan_evidence(mw_finding *f, const char *line, size_t len)
{
	if (!line)
		return;
	if (len > MW_LOG_EVIDENCE_LEN)
		len = MW_LOG_EVIDENCE_LEN;
	char *c = malloc(len + 1);
	if (!c)
		return;
	memcpy(c, line, len);
	c[len] = '\0';
	for (size_t i = 0; i < len; i++) /* keep the report printable */
		if ((unsigned char)c[i] < 0x20)
			c[i] = '?';
	if (f->nevidence < MW_LOG_EVIDENCE_MAX) {
		f->evidence[f->nevidence++] = c;
	} else {
		free(f->evidence[MW_LOG_EVIDENCE_MAX - 1]);
		f->evidence[MW_LOG_EVIDENCE_MAX - 1] = c;
	}
}

/* mw_strlcpy_key - bounded copy of a finding key */
static void mw_strlcpy_key(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* new_finding - append a finding; returns its index + 1 (0 on failure) */
static int new_finding(mw_logscan *s, mw_finding_type t, const char *sev, const char *key,
		       const char *action, int64_t ts)
{
	if (s->nfindings == s->capfindings) {
		size_t cap = s->capfindings ? s->capfindings * 2 : 16;
		mw_finding *nf = realloc(s->findings, cap * sizeof(*nf));
		if (!nf)
			return 0;
		s->findings = nf;
		s->capfindings = cap;
	}
	mw_finding *f = &s->findings[s->nfindings];
	memset(f, 0, sizeof(*f));
	f->type = t;
	f->severity = sev;
	mw_strlcpy_key(f->key, key, sizeof(f->key));
	f->action = action;
	f->first = f->last = ts;
	return (int)++s->nfindings;
}

/* raise - announce a new finding to the caller */
static void raise_finding(mw_logscan *s, int idx)
{
	if (idx && s->o.on_finding)
		s->o.on_finding(s->o.ctx, &s->findings[idx - 1]);
}

/* ---- tables ---------------------------------------------------------------- */

/* keystat_free - table destructor */
static void keystat_free(void *v)
{
	mw_keystat *k = v;
	free(k->fail_ips);
	free(k->login_ips);
	free(k);
}

/* get_key - "prefix:value" statistics, created on first use */
static mw_keystat *get_key(mw_logscan *s, const char *prefix, mw_sv v, int64_t ts)
{
	char key[MW_SCAN_KEY_MAX];
	size_t pl = strlen(prefix);
	size_t n = v.n;
	if (pl + n >= sizeof(key))
		n = sizeof(key) - pl - 1;
	memcpy(key, prefix, pl);
	if (n)
		memcpy(key + pl, v.p, n);
	key[pl + n] = '\0';
	mw_keystat *k = mw_htab_get(s->keys, key, pl + n);
	if (k)
		return k;
	if (mw_htab_count(s->keys) >= MW_LOG_KEYS_MAX) {
		s->dropped_keys++;
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k || mw_htab_put(s->keys, key, pl + n, k) != MW_OK) {
		free(k);
		return NULL;
	}
	k->first = k->last = ts;
	return k;
}

/* msgrec lookup/creation; a record marked removed is recycled (queue-ID reuse) */
static mw_msgrec *get_msg(mw_logscan *s, mw_sv qid, int64_t ts, bool create)
{
	if (!qid.p || qid.n == 0 || qid.n > MW_LOG_QID_MAX)
		return NULL;
	mw_msgrec *m = mw_htab_get(s->msgs, qid.p, qid.n);
	if (m || !create)
		return m;
	if (mw_htab_count(s->msgs) >= MW_LOG_MSGS_MAX) {
		s->dropped_msgs++;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || mw_htab_put(s->msgs, qid.p, qid.n, m) != MW_OK) {
		free(m);
		return NULL;
	}
	sv_copy(m->qid, sizeof(m->qid), qid);
	m->first = ts;
	m->uid = -1;
	s->records++;
	return m;
}

/* ---- detectors ------------------------------------------------------------- */

static const char act_rate[] =
	"Hold outbound mail of this sender (postsuper -h, or the policy service's HOLD), "
	"check the account or script for compromise, reset its password, then release or "
	"delete the held mail";
static const char act_rate_client[] =
	"Many messages from one client address: if it is your own host or customer, check it "
	"for compromise and hold its mail; if it is an outside sender, limit it "
	"(smtpd_client_message_rate_limit, postscreen) or block it";
static const char act_block[] =
	"Pause delivery to this destination (transport_maps: 'DOMAIN retry:' or "
	"defer_transports) so retries do not turn a temporary block into a permanent one; "
	"stop the abusive sender first, then request delisting from the provider";
static const char act_auth_ip[] =
	"Block the address at the firewall or with fail2ban (postfix-sasl jail); "
	"consider smtpd_client_auth_rate_limit";
static const char act_auth_user[] =
	"Password guessing against this account: make sure its password is strong, "
	"consider locking it or requiring a second factor for submission";
static const char act_login_ips[] =
	"One account authenticated from many addresses: likely stolen credentials; "
	"reset the password and review its recent mail";
static const char act_backscatter[] =
	"Bounces for mail you did not send (forged sender): reject unknown recipients at "
	"RCPT time, enable SPF/DMARC and, if it persists, BATV/SRS on your own mail";
static const char act_defer[] =
	"Many deferrals: check the destinations below for blocks or DNS/network trouble "
	"and the queue (mailq) for a spam run";
static const char act_inject[] =
	"Mail submitted locally by a non-root user: if this is a web server or script "
	"account, find the script (check its logs and /tmp) and restrict sendmail for it";

/* count_volume - one accepted message for a key: window rule and stats */
static void count_volume(mw_logscan *s, mw_keystat *k, const char *prefix, const char *val,
			 const mw_logev *ev, uint32_t nrcpt, const char *line, size_t len)
{
	if (!k)
		return;
	k->msgs++;
	k->rcpts += nrcpt;
	k->last = ev->ts;
	uint64_t c = mw_window_add(&k->win, s->o.rate_window * 1000, 1, ev->ts * 1000);
	if (c > k->max_in_window)
		k->max_in_window = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	if (c <= s->o.rate_limit)
		return;
	if (!k->f_rate) {
		char key[MW_SCAN_KEY_MAX];
		snprintf(key, sizeof(key), "%s%s", prefix, val);
		bool client = strcmp(prefix, "client:") == 0;
		k->f_rate = new_finding(s, MW_FIND_RATE, client ? "warning" : "critical", key,
					client ? act_rate_client : act_rate, ev->ts);
		if (!k->f_rate)
			return;
		mw_finding *f = &s->findings[k->f_rate - 1];
		f->count = c;
		snprintf(f->summary, sizeof(f->summary),
			 "%s sent more than %u messages in %lld s", key, s->o.rate_limit,
			 (long long)s->o.rate_window);
		mw_scan_evidence(f, line, len);
		raise_finding(s, k->f_rate);
		return;
	}
	mw_finding *f = &s->findings[k->f_rate - 1];
	f->last = ev->ts;
	f->count++;
	mw_scan_evidence(f, line, len);
}

/* on_queued - qmgr from= (or sendmail from=): the message is accepted */
static void on_queued(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	mw_msgrec *m = get_msg(s, ev->qid, ev->ts, true);
	if (!m)
		return;
	if (ev->mta == MW_MTA_SENDMAIL && ev->client_ip.p)
		sv_copy(m->client_ip, sizeof(m->client_ip), ev->client_ip);
	sv_copy(m->from, sizeof(m->from), ev->from);
	m->has_from = true;
	if (m->counted)
		return;
	m->counted = true;
	s->messages++;
	uint64_t nrcpt = 1;
	if (!mw_sv_to_u64(ev->nrcpt, &nrcpt) || nrcpt > 100000)
		nrcpt = 1;
	m->nrcpt = (uint32_t)nrcpt;
	m->nks = 0;
	if (m->sasl_user[0]) {
		mw_keystat *k = get_key(s, "sasl_username:", (mw_sv){m->sasl_user, strlen(m->sasl_user)},
					ev->ts);
		count_volume(s, k, "sasl_username:", m->sasl_user, ev, m->nrcpt, line, len);
		if (k)
			m->ks[m->nks++] = k;
	}
	mw_sv ip = {m->client_ip, strlen(m->client_ip)};
	if (!is_loopback(ip)) {
		mw_keystat *k = get_key(s, "client:", ip, ev->ts);
		count_volume(s, k, "client:", m->client_ip, ev, m->nrcpt, line, len);
		if (k)
			m->ks[m->nks++] = k;
	}
	if (m->origin == MW_ORIGIN_PICKUP) {
		mw_keystat *k = get_key(s, "sender:", ev->from, ev->ts);
		count_volume(s, k, "sender:", m->from, ev, m->nrcpt, line, len);
		if (k)
			m->ks[m->nks++] = k;
	}
	if (ev->from.n == 0 && m->origin == MW_ORIGIN_SMTPD && !is_loopback(ip))
		mw_scan_backscatter(s, m, ev, line, len);
}

/* on_client - smtpd QID: client=, sasl_username= */
static void on_client(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	if (ev->sasl_user.p && ev->sasl_user.n)
		mw_scan_login(s, ev, line, len);
	if (!ev->qid.p)
		return;
	mw_msgrec *m = get_msg(s, ev->qid, ev->ts, true);
	if (!m)
		return;
	if (m->removed || m->counted) { /* queue ID reused */
		mw_msgrec fresh = {0};
		memcpy(fresh.qid, m->qid, sizeof(fresh.qid));
		*m = fresh;
		m->uid = -1;
		m->first = ev->ts;
		s->records++;
	}
	m->origin = MW_ORIGIN_SMTPD;
	sv_copy(m->client_ip, sizeof(m->client_ip), ev->client_ip);
	sv_copy(m->sasl_user, sizeof(m->sasl_user), ev->sasl_user);
}

/* on_pickup - pickup QID: uid=N from=<S> */
static void on_pickup(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	mw_msgrec *m = get_msg(s, ev->qid, ev->ts, true);
	uint64_t uid = 0;
	mw_sv_to_u64(ev->uid, &uid);
	if (m) {
		m->origin = MW_ORIGIN_PICKUP;
		m->uid = (int64_t)uid;
	}
	mw_scan_injection(s, ev, (int64_t)uid, line, len);
}

/* unknown_recipient - does a reply say the recipient does not exist? */
static bool unknown_recipient(const mw_logev *ev)
{
	if (ev->dsn.n >= 5 && memcmp(ev->dsn.p, "5.1.1", 5) == 0)
		return true;
	if (ev->enhanced.n >= 5 && memcmp(ev->enhanced.p, "5.1.1", 5) == 0)
		return true;
	return mw_sv_icontains(ev->reply, "user unknown") ||
	       mw_sv_icontains(ev->reply, "unknown user") ||
	       mw_sv_icontains(ev->reply, "no such user") ||
	       mw_sv_icontains(ev->reply, "does not exist");
}

/* on_delivery - to=, status= */
static void on_delivery(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	mw_msgrec *m = get_msg(s, ev->qid, ev->ts, false);
	bool sent = mw_sv_eq(ev->status, "sent") || mw_sv_eq(ev->status, "Sent");
	bool deferred = mw_sv_eq(ev->status, "deferred") || mw_sv_eq(ev->status, "Deferred");
	bool bounced = !sent && !deferred && !mw_sv_eq(ev->status, "deliverable");
	if (sent)
		s->sent++;
	else if (deferred)
		s->deferred++;
	else if (bounced)
		s->bounced++;
	mw_domstat *d = mw_scan_delivery_domain(s, ev, deferred, line, len);
	if (bounced && unknown_recipient(ev)) {
		s->unknown_rcpt++;
		for (unsigned i = 0; m && i < m->nks; i++)
			m->ks[i]->unknown_rcpt++;
	}
	if (m && m->backscatter)
		mw_scan_backscatter_rcpt(s, ev);
	if (!sent)
		mw_scan_remote_block(s, d, ev, line, len);
}

/* on_reject - smtpd/postscreen/cleanup/sendmail rejects */
static void on_reject(mw_logscan *s, const mw_logev *ev)
{
	s->rejects++;
	bool unknown = mw_sv_icontains(ev->text, "user unknown") ||
		       mw_sv_icontains(ev->text, "no such user") ||
		       (ev->enhanced.n >= 5 && memcmp(ev->enhanced.p, "5.1.1", 5) == 0);
	if (unknown)
		s->unknown_rcpt++;
	if (!ev->client_ip.p || is_loopback(ev->client_ip))
		return;
	mw_keystat *k = get_key(s, "client:", ev->client_ip, ev->ts);
	if (!k)
		return;
	k->rejects++;
	k->last = ev->ts;
	if (unknown)
		k->unknown_rcpt++;
}

/* on_removed - qmgr removed: the record is done */
static void on_removed(mw_logscan *s, const mw_logev *ev)
{
	if (ev->qid.p)
		mw_htab_del(s->msgs, ev->qid.p, ev->qid.n);
}

/* on_bounce - bounce(8) created a DSN: its record is locally generated */
static void on_bounce(mw_logscan *s, const mw_logev *ev)
{
	s->dsns++;
	mw_msgrec *m = get_msg(s, ev->dsn_qid, ev->ts, true);
	if (m)
		m->origin = MW_ORIGIN_BOUNCE;
}

/* mw_logscan_event - dispatch one event */
void mw_logscan_event(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	s->lines++;
	s->kinds[ev->kind]++;
	if (ev->kind <= MW_LE_UNKNOWN)
		return;
	if ((s->o.since && ev->ts < s->o.since) || (s->o.until && ev->ts > s->o.until)) {
		s->filtered++;
		return;
	}
	if (!s->first_ts || ev->ts < s->first_ts)
		s->first_ts = ev->ts;
	if (ev->ts + 60 < s->last_ts)
		s->out_of_order++;
	if (ev->ts > s->last_ts)
		s->last_ts = ev->ts;
	switch (ev->kind) {
	case MW_LE_CLIENT: on_client(s, ev, line, len); break;
	case MW_LE_PICKUP: on_pickup(s, ev, line, len); break;
	case MW_LE_QUEUED: on_queued(s, ev, line, len); break;
	case MW_LE_DELIVERY: on_delivery(s, ev, line, len); break;
	case MW_LE_REMOVED: on_removed(s, ev); break;
	case MW_LE_BOUNCE: on_bounce(s, ev); break;
	case MW_LE_REJECT: on_reject(s, ev); break;
	case MW_LE_AUTH_FAIL: mw_scan_auth_fail(s, ev, line, len); break;
	case MW_LE_PROTO_ABUSE: {
		mw_keystat *k = is_loopback(ev->client_ip) ? NULL
						    : get_key(s, "client:", ev->client_ip, ev->ts);
		if (k)
			k->abuse++;
		s->proto_abuse++;
		break;
	}
	case MW_LE_EXPIRED: s->expired++; break;
	default: break;
	}
}

/* mw_logscan_line - parse and feed */
mw_logev_kind mw_logscan_line(mw_logscan *s, mw_logtime_ctx *tc, const char *line,
			      size_t len)
{
	mw_logev ev;
	mw_logline_parse(tc, line, len, &ev);
	mw_logscan_event(s, &ev, line, len);
	return ev.kind;
}

/* mw_logscan_note - reader-level counters */
void mw_logscan_note(mw_logscan *s, const char *what, uint64_t n)
{
	if (strcmp(what, "oversized_lines") == 0)
		s->oversized += n;
	else if (strcmp(what, "truncated_gzip") == 0)
		s->truncated_gzip += n;
	else
		s->read_errors += n;
}

/* mw_logscan_defaults - documented defaults */
void mw_logscan_defaults(mw_logscan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rate_limit = 100;
	o->rate_window = 300;
	o->auth_ip_limit = 10;
	o->auth_user_limit = 10;
	o->spray_ips = 5;
	o->login_ips = 10;
	o->backscatter_limit = 50;
	o->defer_limit = 100;
}

/* mw_logscan_new - allocate tables */
mw_logscan *mw_logscan_new(const mw_logscan_opts *o)
{
	mw_logscan *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	if (!s->o.rate_limit)
		s->o.rate_limit = 100;
	if (!s->o.rate_window)
		s->o.rate_window = 300;
	s->msgs = mw_htab_new(free);
	s->keys = mw_htab_new(keystat_free);
	s->domains = mw_htab_new(free);
	s->blocks = mw_htab_new(free);
	s->uids = mw_htab_new(free);
	s->bs_rcpts = mw_htab_new(free);
	if (!s->msgs || !s->keys || !s->domains || !s->blocks || !s->uids || !s->bs_rcpts) {
		mw_logscan_free(s);
		return NULL;
	}
	return s;
}

/* mw_logscan_free - release */
void mw_logscan_free(mw_logscan *s)
{
	if (!s)
		return;
	mw_htab_free(s->msgs);
	mw_htab_free(s->keys);
	mw_htab_free(s->domains);
	mw_htab_free(s->blocks);
	mw_htab_free(s->uids);
	mw_htab_free(s->bs_rcpts);
	for (size_t i = 0; i < s->nfindings; i++)
		for (unsigned j = 0; j < s->findings[i].nevidence; j++)
			free(s->findings[i].evidence[j]);
	free(s->findings);
	free(s);
}

/* mw_logscan_findings - accessor */
const mw_finding *mw_logscan_findings(const mw_logscan *s, size_t *n)
{
	*n = s->nfindings;
	return s->findings;
}

/* mw_logscan_finish - surges are decided per hour as lines arrive; nothing
 * to close but the open hour buckets */
void mw_logscan_finish(mw_logscan *s)
{
	mw_scan_close_hours(s);
}

/* helpers for the detector file */
mw_keystat *mw_scan_key(mw_logscan *s, const char *prefix, mw_sv v, int64_t ts)
{
	return get_key(s, prefix, v, ts);
}
bool mw_scan_hset_add(mw_hset **sp, uint64_t h)
{
	return hset_add(sp, h);
}
int mw_scan_new_finding(mw_logscan *s, mw_finding_type t, const char *sev, const char *key,
			const char *action, int64_t ts)
{
	return new_finding(s, t, sev, key, action, ts);
}
void mw_scan_raise(mw_logscan *s, int idx)
{
	raise_finding(s, idx);
}
void mw_scan_copy(char *dst, size_t cap, mw_sv v)
{
	sv_copy(dst, cap, v);
}
bool mw_scan_loopback(mw_sv ip)
{
	return is_loopback(ip);
}
const char *const mw_scan_actions[MW_FIND_TYPE_COUNT] = {
	act_rate, act_block, act_auth_ip, act_auth_user, act_login_ips,
	act_backscatter, act_defer, act_inject,
};
