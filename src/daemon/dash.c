/*
 * daemon/dash.c - loop <-> HTTP thread state (see dash.h).
 */
#include "daemon/dash.h"

#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/str.h"

struct dash {
	pthread_mutex_t mu; /* tracker, history's pending minute, queue */
	pthread_cond_t cv;
	mw_rlt *trk;
	mw_ratehist *hist;
	mw_blockstore *blocks; /* NULL without an events file */
	dash_req *head, *tail;
	ev_async async;
	struct ev_loop *loop;
	dash_exec_fn exec;
	void *ctx;
	bool stopped;
};

/* async_cb - run the queued calls (loop thread) */
static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	dash *d = w->data;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		dash_req *c = d->head;
		if (c) {
			d->head = c->next;
			if (!d->head)
				d->tail = NULL;
			c->state = 1;
		}
		pthread_mutex_unlock(&d->mu);
		if (!c)
			return;
		d->exec(d->ctx, c);
		pthread_mutex_lock(&d->mu);
		c->state = 2;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
	}
}

/* dash_new - everything, async watcher started */
dash *dash_new(struct ev_loop *loop, dash_exec_fn exec, void *ctx, const char *hist_path,
	       size_t keep_keys, mw_err *err)
{
	dash *d = calloc(1, sizeof(*d));
	if (!d) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	d->loop = loop;
	d->exec = exec;
	d->ctx = ctx;
	if (!(d->trk = mw_rlt_new(0))) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		dash_free(d);
		return NULL;
	}
	if (!(d->hist = mw_ratehist_open(hist_path, false, keep_keys, err)) ||
	    (hist_path && !(d->blocks = mw_blockstore_open(hist_path, err)))) {
		dash_free(d);
		return NULL;
	}
	ev_async_init(&d->async, async_cb);
	d->async.data = d;
	ev_async_start(loop, &d->async);
	return d;
}

/* dash_stop - fail what is queued; later calls fail at once */
void dash_stop(dash *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopped = true;
	for (dash_req *c = d->head; c; c = c->next) {
		mw_strlcpy(c->err, "the daemon is stopping", sizeof(c->err));
		c->ok = false;
		c->state = 2;
	}
	d->head = d->tail = NULL;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	ev_async_stop(d->loop, &d->async);
}

/* dash_free - the HTTP thread is gone */
void dash_free(dash *d)
{
	if (!d)
		return;
	mw_rlt_free(d->trk);
	mw_ratehist_close(d->hist);
	mw_blockstore_close(d->blocks);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* seen_key - key already in keys[0..n) */
static bool seen_key(char (*keys)[MW_RL_KEY_MAX + 1], size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* blocked_field - a raw request field (lower-cased) under a block */
static bool blocked_field(const mw_rlt *t, const char *v, int64_t now_ms)
{
	char low[MW_RL_KEY_MAX + 1];
	if (!v[0] || mw_strlcpy(low, v, sizeof(low)) >= sizeof(low))
		return false;
	return mw_rlt_blocked(t, mw_strlower(low), now_ms);
}

/* dash_observe - tracker, message rate, history, blocks */
bool dash_observe(dash *d, const mw_rl_config *rules, const mw_policy_req *req,
		  const mw_rl_verdict *v, int64_t now_ms)
{
	static char keys[MW_RL_RULES_MAX][MW_RL_KEY_MAX + 1]; /* loop thread only */
	size_t nk = 0;
	bool eom = strcmp(req->protocol_state, "END-OF-MESSAGE") == 0, blocked = false;
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < rules->nrules; i++) {
		const mw_rl_rule *r = &rules->rules[i];
		char k[MW_RL_KEY_MAX + 1];
		if (!mw_rl_rule_key(r, req, k, sizeof(k)))
			continue;
		if (v->seen[i].counted)
			mw_rlt_count(d->trk, r, k, v->seen[i].n, v->seen[i].count, v->seen[i].limits,
				     now_ms);
		if (!seen_key(keys, nk, k)) {
			mw_strlcpy(keys[nk++], k, sizeof(keys[0]));
			if (eom)
				mw_ratehist_add(d->hist, k, 1, now_ms);
			blocked |= mw_rlt_blocked(d->trk, k, now_ms);
		}
	}
	if (eom)
		mw_rlt_message(d->trk, now_ms);
	if (!blocked && mw_rlt_nblocks(d->trk))
		blocked = blocked_field(d->trk, req->sasl_username, now_ms) ||
			  blocked_field(d->trk, req->sender, now_ms) ||
			  blocked_field(d->trk, req->client_address, now_ms);
	pthread_mutex_unlock(&d->mu);
	return blocked;
}

/* dash_held - remember the crossing event */
void dash_held(dash *d, const char *rule, const char *key, int64_t event_id, int64_t now_ms)
{
	pthread_mutex_lock(&d->mu);
	mw_rlt_held(d->trk, rule, key, event_id, now_ms);
	pthread_mutex_unlock(&d->mu);
}

/* find_rule - rule by name, or NULL */
static const mw_rl_rule *find_rule(const mw_rl_config *rules, const char *name)
{
	for (size_t i = 0; i < rules->nrules; i++)
		if (strcmp(rules->rules[i].name, name) == 0)
			return &rules->rules[i];
	return NULL;
}

/* dash_seed - held keys from the event history and the store */
void dash_seed(dash *d, const mw_rl_config *rules, mw_store *store, mw_eventlog *events,
	       int64_t now_ms)
{
	int64_t longest = 0;
	for (size_t i = 0; i < rules->nrules; i++)
		if (rules->rules[i].window_ms > longest)
			longest = rules->rules[i].window_ms;
	mw_blockrow *rows = NULL;
	size_t nb = 0;
	pthread_mutex_lock(&d->mu);
	if (d->blocks && mw_blockstore_load(d->blocks, now_ms, MW_RLT_BLOCKS_MAX, &rows, &nb, NULL) == MW_OK)
		for (size_t i = 0; i < nb; i++)
			mw_rlt_block_add(d->trk, rows[i].key, rows[i].since_ms,
					 rows[i].until_ms - rows[i].since_ms, NULL);
	free(rows);
	mw_event_filter f = {.since_ms = now_ms - longest, .source = "policy"};
	mw_event *evs = NULL;
	size_t n = 0;
	if (!events || !longest || mw_eventlog_query(events, &f, 10000, 0, &evs, &n, NULL, NULL) != MW_OK) {
		pthread_mutex_unlock(&d->mu);
		return;
	}
	for (size_t i = n; i-- > 0;) { /* oldest first: the first crossing names the hold */
		const mw_event *ev = &evs[i];
		const mw_rl_rule *r = find_rule(rules, ev->rule);
		if (!r || (r->count != MW_RLC_MESSAGES && r->count != MW_RLC_RECIPIENTS) ||
		    ev->time_ms < now_ms - r->window_ms || strcmp(ev->action, "alert") == 0)
			continue;
		const mw_rl_limits *l = mw_htab_get(r->overrides, ev->key, strlen(ev->key));
		char ck[MW_RL_KEY_MAX + 1];
		size_t cl = mw_rl_counter_key(r, ev->key, ck, sizeof(ck));
		uint64_t count = 0;
		if (!cl || mw_store_hit(store, ck, cl, r->window_ms, 0, now_ms, &count, NULL) != MW_OK ||
		    count == 0)
			continue;
		mw_rlt_count(d->trk, r, ev->key, 0, count, l ? l : &r->limits, now_ms);
		mw_rlt_held(d->trk, r->name, ev->key, ev->id, ev->time_ms);
	}
	pthread_mutex_unlock(&d->mu);
	free(evs);
}

/* dash_block - tracker and file */
mw_status dash_block(dash *d, const char *key, int64_t now_ms, int64_t duration_ms, mw_err *err)
{
	pthread_mutex_lock(&d->mu);
	mw_status st = mw_rlt_block_add(d->trk, key, now_ms, duration_ms, err);
	if (st == MW_OK && d->blocks)
		st = mw_blockstore_put(d->blocks, key, now_ms, now_ms + duration_ms, err);
	pthread_mutex_unlock(&d->mu);
	return st;
}

/* dash_release - tracker and file */
bool dash_release(dash *d, const char *key, int64_t now_ms)
{
	pthread_mutex_lock(&d->mu);
	bool ended = mw_rlt_blocked(d->trk, key, now_ms);
	mw_rlt_release(d->trk, key);
	if (d->blocks)
		mw_blockstore_del(d->blocks, key, NULL);
	pthread_mutex_unlock(&d->mu);
	return ended;
}

/* dash_tick - upkeep once a second */
void dash_tick(dash *d, int64_t now_ms, mw_err *err)
{
	pthread_mutex_lock(&d->mu);
	mw_rlt_expire(d->trk, now_ms);
	mw_status st = mw_ratehist_flush(d->hist, now_ms, err);
	pthread_mutex_unlock(&d->mu);
	if (st != MW_OK && err)
		err->code = st;
	else if (err)
		err->code = MW_OK;
}

/* unlink_call - take a still-queued c out of the queue (mutex held) */
static void unlink_call(dash *d, dash_req *c)
{
	dash_req **pp = &d->head, *prev = NULL;
	while (*pp && *pp != c) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = c->next;
	if (d->tail == c)
		d->tail = prev;
}

/* dash_call - queue, wake the loop, wait */
bool dash_call(dash *d, dash_req *c, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	c->ok = false;
	c->err[0] = '\0';
	c->state = 0;
	c->next = NULL;
	pthread_mutex_lock(&d->mu);
	if (d->stopped) {
		pthread_mutex_unlock(&d->mu);
		mw_strlcpy(c->err, "the daemon is stopping", sizeof(c->err));
		return false;
	}
	if (d->tail)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	ev_async_send(d->loop, &d->async);
	while (c->state != 2) {
		int rc = pthread_cond_timedwait(&d->cv, &d->mu, &until);
		if (rc == ETIMEDOUT && c->state == 0) {
			unlink_call(d, c);
			mw_strlcpy(c->err, "the event loop did not answer in time", sizeof(c->err));
			pthread_mutex_unlock(&d->mu);
			return false;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return c->ok;
}

void dash_lock(dash *d) { pthread_mutex_lock(&d->mu); }
void dash_unlock(dash *d) { pthread_mutex_unlock(&d->mu); }
mw_rlt *dash_tracker(dash *d) { return d->trk; }
mw_ratehist *dash_history(dash *d) { return d->hist; }
