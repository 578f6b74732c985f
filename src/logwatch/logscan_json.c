/*
 * logwatch/logscan_json.c - the logscan report as JSON (shape documented in
 * docs/LOGSCAN.md).  Tables are walked once and sorted; O(K log K) in the
 * number of keys, done once per report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logwatch/logscan_int.h"

typedef struct ranked {
	const char *name;
	size_t nlen;
	uint64_t v;
	void *p;
} ranked;

static int by_v_desc(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? 1 : -1;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (x->nlen > y->nlen) - (x->nlen < y->nlen);
}

typedef uint64_t (*metric_fn)(const char *key, size_t klen, void *v);

/* rank - entries of t with metric > 0, sorted descending; caller frees */
static ranked *rank(const mw_htab *t, metric_fn fn, size_t *n)
{
	size_t cap = mw_htab_count(t), k = 0;
	ranked *r = calloc(cap ? cap : 1, sizeof(*r));
	mw_htab_iter it = {0};
	const char *key;
	size_t klen;
	void *v;
	while (r && mw_htab_next(t, &it, &key, &klen, &v)) {
		uint64_t m = fn(key, klen, v);
		if (m)
			r[k++] = (ranked){key, klen, m, v};
	}
	if (r)
		qsort(r, k, sizeof(*r), by_v_desc);
	*n = k;
	return r;
}

static json_t *jtime(int64_t t)
{
	char buf[32];
	return t ? json_string(mw_logtime_format(t, buf, sizeof(buf))) : json_null();
}

/* jstrn - JSON string of possibly non-UTF-8 bytes (invalid bytes -> '?') */
static json_t *jstrn(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	char *c = malloc(n + 1);
	if (!c)
		return json_null();
	for (size_t i = 0; i < n; i++)
		c[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	j = json_stringn(c, n);
	free(c);
	return j ? j : json_null();
}
static json_t *jstr(const char *s)
{
	return jstrn(s, strlen(s));
}

static uint64_t m_msgs(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return ((mw_keystat *)v)->msgs;
}
static uint64_t m_rate(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return ((mw_keystat *)v)->f_rate ? ((mw_keystat *)v)->msgs : 0;
}
static uint64_t m_authip(const char *k, size_t n, void *v)
{
	return n > 7 && memcmp(k, "client:", 7) == 0 ? ((mw_keystat *)v)->auth_fails : 0;
}
static uint64_t m_authuser(const char *k, size_t n, void *v)
{
	return n > 14 && memcmp(k, "sasl_username:", 14) == 0 ? ((mw_keystat *)v)->auth_fails : 0;
}
static uint64_t m_rejects(const char *k, size_t n, void *v)
{
	return n > 7 && memcmp(k, "client:", 7) == 0 ? ((mw_keystat *)v)->rejects : 0;
}
static uint64_t m_block(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return ((mw_blockgrp *)v)->count;
}
static uint64_t m_deferred(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return ((mw_domstat *)v)->deferred;
}
static uint64_t m_count(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return *(uint64_t *)v;
}
static uint64_t m_uid(const char *k, size_t n, void *v)
{
	(void)k, (void)n;
	return ((mw_uidstat *)v)->count;
}

/* top_senders - keys by messages accepted */
static json_t *top_senders(const mw_logscan *s, unsigned top)
{
	size_t n;
	ranked *r = rank(s->keys, m_msgs, &n);
	json_t *a = json_array();
	for (size_t i = 0; r && i < n && i < top; i++) {
		mw_keystat *k = r[i].p;
		json_t *o = json_object();
		json_object_set_new(o, "key", jstrn(r[i].name, r[i].nlen));
		json_object_set_new(o, "messages", json_integer((json_int_t)k->msgs));
		json_object_set_new(o, "recipients", json_integer((json_int_t)k->rcpts));
		json_object_set_new(o, "unknown_recipients",
				    json_integer((json_int_t)k->unknown_rcpt));
		json_object_set_new(o, "unknown_share",
				    json_real(k->rcpts ? (double)k->unknown_rcpt / (double)k->rcpts
						       : 0.0));
		json_object_set_new(o, "max_in_window", json_integer(k->max_in_window));
		json_object_set_new(o, "first", jtime(k->first));
		json_object_set_new(o, "last", jtime(k->last));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* breaches - keys whose rate rule fired */
static json_t *breaches(const mw_logscan *s)
{
	size_t n;
	ranked *r = rank(s->keys, m_rate, &n);
	json_t *a = json_array();
	char rule[64];
	snprintf(rule, sizeof(rule), "messages > %u / %llds", s->o.rate_limit,
		 (long long)s->o.rate_window);
	for (size_t i = 0; r && i < n; i++) {
		mw_keystat *k = r[i].p;
		const mw_finding *f = &s->findings[k->f_rate - 1];
		json_t *o = json_object();
		json_object_set_new(o, "key", jstrn(r[i].name, r[i].nlen));
		json_object_set_new(o, "rule", json_string(rule));
		json_object_set_new(o, "count", json_integer((json_int_t)f->count));
		json_object_set_new(o, "window", json_integer(s->o.rate_window));
		json_object_set_new(o, "first", jtime(f->first));
		json_object_set_new(o, "last", jtime(f->last));
		json_object_set_new(o, "messages", json_integer((json_int_t)k->msgs));
		json_object_set_new(o, "recipients", json_integer((json_int_t)k->rcpts));
		json_object_set_new(o, "unknown_recipients",
				    json_integer((json_int_t)k->unknown_rcpt));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* remote_blocks - block groups by refusals */
static json_t *remote_blocks(const mw_logscan *s)
{
	size_t n;
	ranked *r = rank(s->blocks, m_block, &n);
	json_t *a = json_array();
	for (size_t i = 0; r && i < n; i++) {
		mw_blockgrp *g = r[i].p;
		json_t *o = json_object();
		json_object_set_new(o, "destination", jstr(g->dest));
		json_object_set_new(o, "mx", jstr(g->mx));
		json_object_set_new(o, "provider", jstr(g->provider));
		json_object_set_new(o, "code", jstr(g->code));
		json_object_set_new(o, "reply", jstr(g->reply));
		json_object_set_new(o, "first", jtime(g->first));
		json_object_set_new(o, "last", jtime(g->last));
		json_object_set_new(o, "count", json_integer((json_int_t)g->count));
		json_object_set_new(o, "attempts_after", json_integer((json_int_t)g->attempts_after));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* auth_failures - per IP then per username */
static json_t *auth_failures(const mw_logscan *s, unsigned top)
{
	json_t *a = json_array();
	size_t n;
	ranked *r = rank(s->keys, m_authip, &n);
	for (size_t i = 0; r && i < n && i < top; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "ip", jstrn(r[i].name + 7, r[i].nlen - 7));
		json_object_set_new(o, "count", json_integer((json_int_t)r[i].v));
		json_array_append_new(a, o);
	}
	free(r);
	r = rank(s->keys, m_authuser, &n);
	for (size_t i = 0; r && i < n && i < top; i++) {
		mw_keystat *k = r[i].p;
		json_t *o = json_object();
		json_object_set_new(o, "username", jstrn(r[i].name + 14, r[i].nlen - 14));
		json_object_set_new(o, "count", json_integer((json_int_t)r[i].v));
		json_object_set_new(o, "ips", json_integer((json_int_t)mw_hset_count(k->fail_ips)));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* hourly_json - backscatter / deferral counters */
static json_t *hourly_json(const mw_hourly *h, uint64_t limit)
{
	json_t *o = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)h->total));
	json_object_set_new(o, "max_per_hour", json_integer((json_int_t)h->max));
	json_object_set_new(o, "max_hour", h->max ? jtime(h->max_hour * 3600) : json_null());
	json_object_set_new(o, "limit_per_hour", json_integer((json_int_t)limit));
	json_object_set_new(o, "surge", json_boolean(limit && h->max > limit));
	return o;
}

/* top_list - name/count pairs of a ranking */
static json_t *top_list(const mw_htab *t, metric_fn fn, const char *name, const char *count,
			unsigned top)
{
	size_t n;
	ranked *r = rank(t, fn, &n);
	json_t *a = json_array();
	for (size_t i = 0; r && i < n && i < top; i++) {
		json_t *o = json_object();
		json_object_set_new(o, name, jstrn(r[i].name, r[i].nlen));
		json_object_set_new(o, count, json_integer((json_int_t)r[i].v));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* local_injection - pickup uids */
static json_t *local_injection(const mw_logscan *s)
{
	size_t n;
	ranked *r = rank(s->uids, m_uid, &n);
	json_t *a = json_array();
	for (size_t i = 0; r && i < n; i++) {
		mw_uidstat *u = r[i].p;
		json_t *o = json_object();
		json_object_set_new(o, "uid", json_integer(u->uid));
		json_object_set_new(o, "count", json_integer((json_int_t)u->count));
		json_object_set_new(o, "from", jstr(u->from));
		json_object_set_new(o, "first", jtime(u->first));
		json_object_set_new(o, "last", jtime(u->last));
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

/* mw_finding_json - one finding */
json_t *mw_finding_json(const mw_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(mw_finding_type_name(f->type)));
	json_object_set_new(o, "severity", json_string(f->severity));
	json_object_set_new(o, "key", jstr(f->key));
	json_object_set_new(o, "summary", jstr(f->summary));
	json_object_set_new(o, "count", json_integer((json_int_t)f->count));
	json_object_set_new(o, "first", jtime(f->first));
	json_object_set_new(o, "last", jtime(f->last));
	json_object_set_new(o, "action", json_string(f->action));
	json_t *ev = json_array();
	for (unsigned i = 0; i < f->nevidence; i++)
		json_array_append_new(ev, jstr(f->evidence[i]));
	json_object_set_new(o, "evidence", ev);
	return o;
}

/* counters - the line/message totals */
static void counters(const mw_logscan *s, json_t *o)
{
	json_object_set_new(o, "lines", json_integer((json_int_t)s->lines));
	json_object_set_new(o, "unparsed_lines",
			    json_integer((json_int_t)(s->kinds[MW_LE_BAD] + s->kinds[MW_LE_UNKNOWN])));
	json_object_set_new(o, "foreign_lines", json_integer((json_int_t)s->kinds[MW_LE_FOREIGN]));
	json_object_set_new(o, "oversized_lines", json_integer((json_int_t)s->oversized));
	json_object_set_new(o, "truncated_gzip", json_integer((json_int_t)s->truncated_gzip));
	json_object_set_new(o, "read_errors", json_integer((json_int_t)s->read_errors));
	json_object_set_new(o, "filtered_lines", json_integer((json_int_t)s->filtered));
	json_object_set_new(o, "out_of_order_lines", json_integer((json_int_t)s->out_of_order));
	json_object_set_new(o, "messages", json_integer((json_int_t)s->messages));
	json_t *d = json_object();
	json_object_set_new(d, "sent", json_integer((json_int_t)s->sent));
	json_object_set_new(d, "deferred", json_integer((json_int_t)s->deferred));
	json_object_set_new(d, "bounced", json_integer((json_int_t)s->bounced));
	json_object_set_new(d, "expired", json_integer((json_int_t)s->expired));
	json_object_set_new(d, "dsns_generated", json_integer((json_int_t)s->dsns));
	json_object_set_new(o, "deliveries", d);
	json_object_set_new(o, "sasl_logins", json_integer((json_int_t)s->logins));
	json_object_set_new(o, "sasl_failures", json_integer((json_int_t)s->auth_fails));
	json_object_set_new(o, "protocol_abuse", json_integer((json_int_t)s->proto_abuse));
	json_object_set_new(o, "dropped_keys",
			    json_integer((json_int_t)(s->dropped_keys + s->dropped_msgs)));
	json_t *tr = json_object();
	json_object_set_new(tr, "first", jtime(s->first_ts));
	json_object_set_new(tr, "last", jtime(s->last_ts));
	json_object_set_new(o, "time_range", tr);
}

/* mw_logscan_json - the whole report */
json_t *mw_logscan_json(const mw_logscan *s, unsigned top)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	counters(s, o);
	json_object_set_new(o, "top_senders", top_senders(s, top));
	json_object_set_new(o, "breaches", breaches(s));
	json_object_set_new(o, "remote_blocks", remote_blocks(s));
	json_object_set_new(o, "auth_failures", auth_failures(s, top));
	json_t *bs = hourly_json(&s->backscatter, s->o.backscatter_limit);
	json_object_set_new(bs, "top_recipients",
			    top_list(s->bs_rcpts, m_count, "recipient", "count", top));
	json_object_set_new(o, "backscatter", bs);
	json_t *df = hourly_json(&s->deferrals, s->o.defer_limit);
	json_object_set_new(df, "top_domains",
			    top_list(s->domains, m_deferred, "domain", "deferred", top));
	json_object_set_new(o, "deferrals", df);
	json_t *rj = json_object();
	json_object_set_new(rj, "count", json_integer((json_int_t)s->rejects));
	json_object_set_new(rj, "unknown_recipients", json_integer((json_int_t)s->unknown_rcpt));
	json_object_set_new(rj, "top_clients", top_list(s->keys, m_rejects, "key", "rejects", top));
	json_object_set_new(o, "rejects", rj);
	json_object_set_new(o, "local_injection", local_injection(s));
	json_t *fa = json_array();
	for (size_t i = 0; i < s->nfindings; i++)
		json_array_append_new(fa, mw_finding_json(&s->findings[i]));
	json_object_set_new(o, "findings", fa);
	return o;
}
