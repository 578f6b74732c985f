/*
 * logwatch/detect.c - the detectors of logscan.h: authentication attacks,
 * remote blocks, backscatter and deferral surges, local injection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logwatch/blockmatch.h"
#include "logwatch/logscan_int.h"

/* mw_scan_login - a successful SASL login: distinct IPs per username */
void mw_scan_login(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	s->logins++;
	mw_keystat *k = mw_scan_key(s, "sasl_username:", ev->sasl_user, ev->ts);
	if (!k)
		return;
	k->logins++;
	if (!ev->client_ip.p || !mw_scan_hset_add(&k->login_ips, mw_hash(ev->client_ip.p,
									   ev->client_ip.n)))
		return;
	uint64_t n = mw_hset_count(k->login_ips);
	if (n < s->o.login_ips || !s->o.login_ips)
		return;
	if (!k->f_login) {
		char key[MW_SCAN_KEY_MAX];
		snprintf(key, sizeof(key), "sasl_username:%.*s", (int)ev->sasl_user.n,
			 ev->sasl_user.p);
		k->f_login = mw_scan_new_finding(s, MW_FIND_LOGIN_IPS, "critical", key,
						 mw_scan_actions[MW_FIND_LOGIN_IPS], ev->ts);
		if (!k->f_login)
			return;
		mw_finding *f = &s->findings[k->f_login - 1];
		f->count = n;
		snprintf(f->summary, sizeof(f->summary), "%s logged in from %llu different addresses",
			 key, (unsigned long long)n);
		mw_scan_evidence(f, line, len);
		mw_scan_raise(s, k->f_login);
		return;
	}
	mw_finding *f = &s->findings[k->f_login - 1];
	f->count = n;
	f->last = ev->ts;
	mw_scan_evidence(f, line, len);
}

/* server_side_failure - SASL failures that are not the client's fault */
static bool server_side_failure(const mw_logev *ev)
{
	return mw_sv_icontains(ev->text, "connection lost to authentication server");
}

/* bump_auth - count a failure for a key and raise/update its finding */
static void bump_auth(mw_logscan *s, mw_keystat *k, mw_finding_type t, const char *key,
		      uint32_t limit, bool trip, const mw_logev *ev, const char *line, size_t len)
{
	if (!k->f_auth && (k->auth_fails >= limit || trip) && limit) {
		k->f_auth = mw_scan_new_finding(s, t, "warning", key, mw_scan_actions[t], k->first);
		if (!k->f_auth)
			return;
		mw_finding *f = &s->findings[k->f_auth - 1];
		f->count = k->auth_fails;
		mw_scan_evidence(f, line, len);
		mw_scan_raise(s, k->f_auth);
	} else if (k->f_auth) {
		mw_finding *f = &s->findings[k->f_auth - 1];
		f->count = k->auth_fails;
		f->last = ev->ts;
		mw_scan_evidence(f, line, len);
	}
	if (k->f_auth) {
		mw_finding *f = &s->findings[k->f_auth - 1];
		if (t == MW_FIND_AUTH_IP)
			snprintf(f->summary, sizeof(f->summary),
				 "%llu SASL authentication failures from %s",
				 (unsigned long long)k->auth_fails, key + 7);
		else
			snprintf(f->summary, sizeof(f->summary),
				 "%llu SASL authentication failures for %s from %llu addresses",
				 (unsigned long long)k->auth_fails, key + 14,
				 (unsigned long long)mw_hset_count(k->fail_ips));
	}
}

/* mw_logev_is_abuse - see logscan.h */
bool mw_logev_is_abuse(const mw_logev *ev)
{
	if (!ev->client_ip.p || ev->client_ip.n == 0)
		return false; /* nobody to count it against */
	switch (ev->kind) {
	case MW_LE_AUTH_FAIL: return !server_side_failure(ev);
	case MW_LE_REJECT:
	case MW_LE_PROTO_ABUSE: return true;
	default: return false;
	}
}

/* mw_scan_auth_fail - SASL failure per IP and per username */
void mw_scan_auth_fail(mw_logscan *s, const mw_logev *ev, const char *line, size_t len)
{
	if (server_side_failure(ev))
		return;
	s->auth_fails++;
	char key[MW_SCAN_KEY_MAX];
	if (ev->client_ip.p && ev->client_ip.n) {
		mw_keystat *k = mw_scan_key(s, "client:", ev->client_ip, ev->ts);
		if (k) {
			k->auth_fails++;
			k->last = ev->ts;
			snprintf(key, sizeof(key), "client:%.*s", (int)ev->client_ip.n,
				 ev->client_ip.p);
			bump_auth(s, k, MW_FIND_AUTH_IP, key, s->o.auth_ip_limit, false, ev, line,
				  len);
		}
	}
	if (ev->sasl_user.p && ev->sasl_user.n) {
		mw_keystat *k = mw_scan_key(s, "sasl_username:", ev->sasl_user, ev->ts);
		if (k) {
			k->auth_fails++;
			k->last = ev->ts;
			if (ev->client_ip.p)
				mw_scan_hset_add(&k->fail_ips,
						 mw_hash(ev->client_ip.p, ev->client_ip.n));
			snprintf(key, sizeof(key), "sasl_username:%.*s", (int)ev->sasl_user.n,
				 ev->sasl_user.p);
			bool spray = s->o.spray_ips && mw_hset_count(k->fail_ips) >= s->o.spray_ips;
			bump_auth(s, k, MW_FIND_AUTH_USER, key, s->o.auth_user_limit, spray, ev,
				  line, len);
		}
	}
}

/* hourly_add - count an event in its hour; true when the hour first exceeds limit */
static bool hourly_add(mw_hourly *h, int64_t ts, uint64_t limit)
{
	int64_t hour = ts / 3600;
	h->total++;
	if (hour != h->hour) {
		h->hour = hour;
		h->n = 0;
	}
	h->n++;
	if (h->n > h->max) {
		h->max = h->n;
		h->max_hour = hour;
	}
	return limit && h->n == limit + 1;
}

/* surge_finding - raise or update the surge finding of an hourly counter */
static void surge_finding(mw_logscan *s, mw_hourly *h, mw_finding_type t, const char *what,
			  uint64_t limit, bool tripped, const mw_logev *ev, const char *line,
			  size_t len)
{
	bool created = false;
	if (tripped && !h->finding) {
		h->finding = mw_scan_new_finding(s, t, "warning", what, mw_scan_actions[t], ev->ts);
		created = h->finding != 0;
	}
	if (!h->finding)
		return;
	mw_finding *f = &s->findings[h->finding - 1];
	f->count = h->max;
	if (tripped || ev->ts > f->last) {
		f->last = ev->ts;
		if (tripped)
			mw_scan_evidence(f, line, len);
	}
	snprintf(f->summary, sizeof(f->summary), "%llu %s in one hour (limit %llu)",
		 (unsigned long long)h->max, what, (unsigned long long)limit);
	if (created)
		mw_scan_raise(s, h->finding);
}

/* mw_scan_backscatter - a null-sender message from a remote client */
void mw_scan_backscatter(mw_logscan *s, mw_msgrec *m, const mw_logev *ev, const char *line,
			 size_t len)
{
	m->backscatter = true;
	bool trip = hourly_add(&s->backscatter, ev->ts, s->o.backscatter_limit);
	surge_finding(s, &s->backscatter, MW_FIND_BACKSCATTER, "bounces (null sender) received",
		      s->o.backscatter_limit, trip, ev, line, len);
}

/* mw_scan_backscatter_rcpt - count the recipients of backscatter */
void mw_scan_backscatter_rcpt(mw_logscan *s, const mw_logev *ev)
{
	if (!ev->to.p)
		return;
	uint64_t *c = mw_htab_get(s->bs_rcpts, ev->to.p, ev->to.n);
	if (!c) {
		if (mw_htab_count(s->bs_rcpts) >= MW_LOG_KEYS_MAX)
			return;
		c = calloc(1, sizeof(*c));
		if (!c || mw_htab_put(s->bs_rcpts, ev->to.p, ev->to.n, c) != MW_OK) {
			free(c);
			return;
		}
	}
	(*c)++;
}

/* mw_scan_injection - pickup uid= */
void mw_scan_injection(mw_logscan *s, const mw_logev *ev, int64_t uid, const char *line,
		       size_t len)
{
	char key[32];
	int n = snprintf(key, sizeof(key), "uid:%lld", (long long)uid);
	mw_uidstat *u = mw_htab_get(s->uids, key, (size_t)n);
	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u || mw_htab_put(s->uids, key, (size_t)n, u) != MW_OK) {
			free(u);
			return;
		}
		u->uid = uid;
		u->first = ev->ts;
		mw_scan_copy(u->from, sizeof(u->from), ev->from);
	}
	u->count++;
	u->last = ev->ts;
	if (uid == 0)
		return; /* root: cron and system mail */
	if (!u->finding) {
		u->finding = mw_scan_new_finding(s, MW_FIND_INJECTION, "info", key,
						 mw_scan_actions[MW_FIND_INJECTION], ev->ts);
		if (!u->finding)
			return;
		mw_scan_evidence(&s->findings[u->finding - 1], line, len);
		mw_scan_raise(s, u->finding);
	} else {
		mw_scan_evidence(&s->findings[u->finding - 1], line, len);
	}
	mw_finding *f = &s->findings[u->finding - 1];
	f->count = u->count;
	f->last = ev->ts;
	snprintf(f->summary, sizeof(f->summary), "%llu messages submitted locally by uid %lld (%s)",
		 (unsigned long long)u->count, (long long)uid, u->from[0] ? u->from : "<>");
}

/* rcpt_domain - the part after the last '@' (lower-cased into buf) */
static mw_sv rcpt_domain(mw_sv to, char *buf, size_t cap)
{
	const char *at = mw_rfindc(to.p, to.p + to.n, '@');
	mw_sv d = at ? mw_sv_make(at + 1, to.p + to.n) : to;
	if (d.n >= cap)
		d.n = cap - 1;
	for (size_t i = 0; i < d.n; i++) {
		char c = d.p[i];
		buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	buf[d.n] = '\0';
	return (mw_sv){buf, d.n};
}

/* mw_scan_delivery_domain - per recipient domain counters; attempts after a block */
mw_domstat *mw_scan_delivery_domain(mw_logscan *s, const mw_logev *ev, bool deferred,
				    const char *line, size_t len)
{
	if (!ev->to.p)
		return NULL;
	char buf[256];
	mw_sv dom = rcpt_domain(ev->to, buf, sizeof(buf));
	mw_domstat *d = mw_htab_get(s->domains, dom.p, dom.n);
	if (!d) {
		if (mw_htab_count(s->domains) >= MW_LOG_KEYS_MAX)
			return NULL;
		d = calloc(1, sizeof(*d));
		if (!d || mw_htab_put(s->domains, dom.p, dom.n, d) != MW_OK) {
			free(d);
			return NULL;
		}
		memcpy(d->name, dom.p, dom.n + 1);
	}
	d->deliveries++;
	if (deferred) {
		d->deferred++;
		bool trip = hourly_add(&s->deferrals, ev->ts, s->o.defer_limit);
		surge_finding(s, &s->deferrals, MW_FIND_DEFERRALS, "deliveries deferred",
			      s->o.defer_limit, trip, ev, line, len);
	} else if (mw_sv_eq(ev->status, "sent") || mw_sv_eq(ev->status, "Sent")) {
		d->sent++;
	} else {
		d->bounced++;
	}
	for (unsigned i = 0; i < d->nblocks; i++)
		if (ev->ts > d->blocks[i]->first)
			d->blocks[i]->attempts_after++;
	return d;
}

/* mx_of - relay host, or the host named in "host H[IP] said:" */
static mw_sv mx_of(const mw_logev *ev)
{
	if (ev->relay_host.p && ev->relay_host.n)
		return ev->relay_host;
	const char *p = ev->reply.p, *end = p + ev->reply.n;
	mw_sv h = MW_SV_NULL, ip, port;
	if (p && MW_LIT(&p, end, "host "))
		mw_parse_hostaddr(&p, end, &h, &ip, &port);
	return h;
}

/* update_block_finding - summary and evidence of a block group */
static void update_block_finding(mw_logscan *s, mw_blockgrp *g, const mw_logev *ev,
				 const char *line, size_t len)
{
	mw_finding *f = &s->findings[g->finding - 1];
	f->count = g->count;
	f->last = g->last;
	mw_scan_evidence(f, line, len);
	snprintf(f->summary, sizeof(f->summary),
		 "%.100s (%.100s) refuses our mail: %llu refusals, %llu attempts after the first: "
		 "%.200s",
		 g->dest, g->mx[0] ? g->mx : "?", (unsigned long long)g->count,
		 (unsigned long long)g->attempts_after, g->reply);
	(void)ev;
}

/* mw_scan_remote_block - group reputation refusals by domain and MX */
void mw_scan_remote_block(mw_logscan *s, mw_domstat *d, const mw_logev *ev, const char *line,
			  size_t len)
{
	mw_blockmatch bm;
	mw_sv mx = mx_of(ev);
	if (!d || !mw_block_classify(ev->reply, mx, &bm))
		return;
	char key[600];
	int n = snprintf(key, sizeof(key), "%s|%.*s", d->name, (int)mx.n, mx.p ? mx.p : "");
	if (n < 0 || (size_t)n >= sizeof(key))
		n = (int)sizeof(key) - 1;
	mw_blockgrp *g = mw_htab_get(s->blocks, key, (size_t)n);
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g || mw_htab_put(s->blocks, key, (size_t)n, g) != MW_OK) {
			free(g);
			return;
		}
		snprintf(g->dest, sizeof(g->dest), "%s", d->name);
		mw_scan_copy(g->mx, sizeof(g->mx), mx);
		snprintf(g->provider, sizeof(g->provider), "%s", bm.provider);
		mw_scan_copy(g->code, sizeof(g->code), ev->enhanced.p ? ev->enhanced : ev->code);
		mw_scan_copy(g->reply, sizeof(g->reply), ev->reply);
		g->first = ev->ts;
		if (d->nblocks < MW_DOM_BLOCKS_MAX)
			d->blocks[d->nblocks++] = g;
		g->finding = mw_scan_new_finding(s, MW_FIND_BLOCK, "critical", d->name,
						 mw_scan_actions[MW_FIND_BLOCK], ev->ts);
		g->count = 1;
		g->last = ev->ts;
		if (g->finding) {
			update_block_finding(s, g, ev, line, len);
			mw_scan_raise(s, g->finding);
		}
		return;
	}
	g->count++;
	if (ev->ts > g->last)
		g->last = ev->ts;
	if (g->finding)
		update_block_finding(s, g, ev, line, len);
}

/* mw_scan_close_hours - nothing pending: hourly counters decide as they go */
void mw_scan_close_hours(mw_logscan *s)
{
	(void)s;
}
