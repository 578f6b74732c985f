/*
 * outbound/rltrack.c - the dashboard's view of the senders (see rltrack.h).
 *
 * Cost: one hash lookup and a window update per counted rule (the same as
 * the memory store); listing is O(pairs), fine for the API's page loads.
 */
#include "outbound/rltrack.h"

#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/str.h"

#define SECS 60

struct mw_rlt {
	mw_htab *pairs;  /* "rule\x1fkey" -> mw_rlt_pair* */
	mw_htab *blocks; /* key -> mw_rlt_block* */
	size_t max_pairs;
	uint64_t dropped;
	int64_t sec_head; /* newest second in the ring */
	uint32_t sec[SECS];
};

static const char *const state_names[] = {"ok", "alert", "held", "blocked"};

/* mw_rlt_state_name - word for a state */
const char *mw_rlt_state_name(mw_rlt_state s)
{
	return (unsigned)s <= MW_RLT_BLOCKED ? state_names[s] : "?";
}

/* mw_rlt_new - empty */
mw_rlt *mw_rlt_new(size_t max_pairs)
{
	mw_rlt *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->pairs = mw_htab_new(free);
	t->blocks = mw_htab_new(free);
	t->max_pairs = max_pairs ? max_pairs : MW_RLT_KEYS_MAX;
	if (!t->pairs || !t->blocks) {
		mw_rlt_free(t);
		return NULL;
	}
	return t;
}

/* mw_rlt_free - everything */
void mw_rlt_free(mw_rlt *t)
{
	if (!t)
		return;
	mw_htab_free(t->pairs);
	mw_htab_free(t->blocks);
	free(t);
}

/* mw_rlt_window_count - sum of the buckets still inside the window at now */
uint64_t mw_rlt_window_count(const mw_window *win, int64_t now_ms)
{
	if (win->width_ms == 0)
		return 0;
	int64_t idx = now_ms / win->width_ms;
	if (idx < win->head)
		idx = win->head; /* clock stepped back: as mw_window_advance */
	uint64_t s = 0;
	for (int64_t j = win->head; j >= 0 && j > idx - MW_RL_SLOTS && j > win->head - MW_RL_SLOTS; j--)
		s += win->slot[j % MW_RL_SLOTS];
	return s;
}

/* state_of - the state for count under limits */
static mw_rlt_state state_of(const mw_rl_limits *l, uint64_t count)
{
	if ((l->limit[MW_RL_REJECT] && count > l->limit[MW_RL_REJECT]) ||
	    (l->limit[MW_RL_DEFER] && count > l->limit[MW_RL_DEFER]))
		return MW_RLT_BLOCKED;
	if (l->limit[MW_RL_HOLD] && count > l->limit[MW_RL_HOLD])
		return MW_RLT_HELD;
	if (l->limit[MW_RL_ALERT] && count > l->limit[MW_RL_ALERT])
		return MW_RLT_ALERT;
	return MW_RLT_OK;
}

/* main_limit - the threshold shown: hold, else defer, reject, alert */
static uint64_t main_limit(const mw_rl_limits *l)
{
	static const int order[] = {MW_RL_HOLD, MW_RL_DEFER, MW_RL_REJECT, MW_RL_ALERT};
	for (int i = 0; i < 4; i++)
		if (l->limit[order[i]])
			return l->limit[order[i]];
	return 0;
}

/* pair_key - "rule\x1fkey" into buf; 0 if too long */
static size_t pair_key(const char *rule, const char *key, char *buf, size_t cap)
{
	size_t rl = strlen(rule), kl = strlen(key);
	if (rl + 1 + kl >= cap || kl > MW_RL_KEY_MAX || rl >= 64)
		return 0;
	memcpy(buf, rule, rl);
	buf[rl] = '\x1f';
	memcpy(buf + rl + 1, key, kl + 1);
	return rl + 1 + kl;
}

/* mw_rlt_count - mirror one counted request */
void mw_rlt_count(mw_rlt *t, const mw_rl_rule *rule, const char *key, uint32_t n,
		  uint64_t store_count, const mw_rl_limits *limits, int64_t now_ms)
{
	char pk[64 + MW_RL_KEY_MAX + 2];
	size_t pl = pair_key(rule->name, key, pk, sizeof(pk));
	if (!pl)
		return;
	mw_rlt_pair *p = mw_htab_get(t->pairs, pk, pl);
	if (!p) {
		if (mw_htab_count(t->pairs) >= t->max_pairs || !(p = calloc(1, sizeof(*p)))) {
			t->dropped++;
			return;
		}
		mw_strlcpy(p->rule, rule->name, sizeof(p->rule));
		mw_strlcpy(p->key, key, sizeof(p->key));
		if (mw_htab_put(t->pairs, pk, pl, p) != MW_OK) {
			free(p);
			t->dropped++;
			return;
		}
	}
	p->limits = *limits;
	p->last_ms = now_ms;
	if (rule->count == MW_RLC_RCPT_PER_MSG) { /* a cap per message: no window */
		p->window_ms = 0;
		p->count = store_count;
		p->state = state_of(limits, store_count);
		if (p->state >= MW_RLT_HELD)
			p->held_since_ms = now_ms;
		else
			p->held_since_ms = p->held_event_id = 0;
		return;
	}
	uint64_t c = mw_window_add(&p->win, rule->window_ms, n, now_ms);
	if (store_count > c) { /* the store knows more: restart, or other daemons */
		uint32_t *s = &p->win.slot[p->win.head % MW_RL_SLOTS];
		uint64_t add = store_count - c;
		*s = (UINT32_MAX - *s < add) ? UINT32_MAX : *s + (uint32_t)add;
		c = store_count;
	}
	p->window_ms = rule->window_ms;
	mw_rlt_state st = state_of(limits, c);
	if (st >= MW_RLT_HELD && !p->held_since_ms)
		p->held_since_ms = now_ms;
	p->state = st;
}

/* mw_rlt_held - the crossing event */
void mw_rlt_held(mw_rlt *t, const char *rule, const char *key, int64_t event_id, int64_t now_ms)
{
	char pk[64 + MW_RL_KEY_MAX + 2];
	size_t pl = pair_key(rule, key, pk, sizeof(pk));
	mw_rlt_pair *p = pl ? mw_htab_get(t->pairs, pk, pl) : NULL;
	if (!p)
		return;
	if (!p->held_since_ms || now_ms < p->held_since_ms)
		p->held_since_ms = now_ms;
	p->held_event_id = event_id;
}

/* sec_advance - move the per-second ring to now */
static void sec_advance(mw_rlt *t, int64_t sec)
{
	if (sec - t->sec_head >= SECS) {
		memset(t->sec, 0, sizeof(t->sec));
	} else {
		for (int64_t i = t->sec_head + 1; i <= sec; i++)
			t->sec[i % SECS] = 0;
	}
	if (sec > t->sec_head)
		t->sec_head = sec;
}

/* mw_rlt_message - count one message */
void mw_rlt_message(mw_rlt *t, int64_t now_ms)
{
	sec_advance(t, now_ms / 1000);
	t->sec[t->sec_head % SECS]++;
}

/* mw_rlt_messages - the last 60 one-second slots */
uint64_t mw_rlt_messages(const mw_rlt *t, int64_t now_ms)
{
	int64_t sec = now_ms / 1000;
	uint64_t s = 0;
	for (int64_t j = t->sec_head; j >= 0 && j > sec - SECS && j > t->sec_head - SECS; j--)
		s += t->sec[j % SECS];
	return s;
}

/* mw_rlt_block_add - add or replace */
mw_status mw_rlt_block_add(mw_rlt *t, const char *key, int64_t now_ms, int64_t duration_ms, mw_err *err)
{
	size_t kl = strlen(key);
	if (kl == 0 || kl > MW_RL_KEY_MAX)
		return mw_err_set(err, MW_EINVAL, "key empty or longer than %d bytes", MW_RL_KEY_MAX);
	mw_rlt_block *b = mw_htab_get(t->blocks, key, kl);
	if (!b) {
		if (mw_htab_count(t->blocks) >= MW_RLT_BLOCKS_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d blocks", MW_RLT_BLOCKS_MAX);
		if (!(b = calloc(1, sizeof(*b))))
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		mw_strlcpy(b->key, key, sizeof(b->key));
		if (mw_htab_put(t->blocks, key, kl, b) != MW_OK) {
			free(b);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
	}
	b->since_ms = now_ms;
	b->until_ms = now_ms + duration_ms;
	return MW_OK;
}

/* mw_rlt_blocked - a running block */
bool mw_rlt_blocked(const mw_rlt *t, const char *key, int64_t now_ms)
{
	if (mw_htab_count(t->blocks) == 0)
		return false;
	const mw_rlt_block *b = mw_htab_get(t->blocks, key, strlen(key));
	return b && now_ms < b->until_ms;
}

/* mw_rlt_nblocks - entries */
size_t mw_rlt_nblocks(const mw_rlt *t)
{
	return mw_htab_count(t->blocks);
}

/* mw_rlt_release - zero the key's pairs, drop its block */
size_t mw_rlt_release(mw_rlt *t, const char *key)
{
	size_t n = 0, kl = strlen(key);
	mw_htab_iter it = {0};
	const char *k;
	size_t klen;
	void *v;
	while (mw_htab_next(t->pairs, &it, &k, &klen, &v)) {
		mw_rlt_pair *p = v;
		if (strcmp(p->key, key) != 0)
			continue;
		memset(&p->win, 0, sizeof(p->win));
		p->state = MW_RLT_OK;
		p->held_since_ms = 0;
		p->held_event_id = 0;
		n++;
	}
	if (mw_htab_del(t->blocks, key, kl))
		n++;
	return n;
}

/* gone - an entry mw_rlt_expire drops */
static bool gone(bool block, const void *v, int64_t now_ms)
{
	if (block)
		return ((const mw_rlt_block *)v)->until_ms <= now_ms;
	const mw_rlt_pair *p = v;
	if (p->window_ms == 0)
		return now_ms - p->last_ms > 60000;
	return mw_rlt_window_count(&p->win, now_ms) == 0;
}

/* mw_rlt_expire - empty windows and ended blocks: collect, then delete
 * (deleting while iterating would invalidate the iterator) */
size_t mw_rlt_expire(mw_rlt *t, int64_t now_ms)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		mw_htab *h = pass ? t->blocks : t->pairs;
		size_t cnt = mw_htab_count(h), m = 0;
		void **doomed = cnt ? malloc(cnt * sizeof(*doomed)) : NULL;
		if (!doomed)
			continue;
		mw_htab_iter it = {0};
		const char *k;
		size_t klen;
		void *v;
		while (mw_htab_next(h, &it, &k, &klen, &v))
			if (gone(pass, v, now_ms))
				doomed[m++] = v;
		for (size_t i = 0; i < m; i++) {
			char kb[64 + MW_RL_KEY_MAX + 2];
			size_t kl;
			if (pass) {
				kl = mw_strlcpy(kb, ((mw_rlt_block *)doomed[i])->key, sizeof(kb));
			} else {
				const mw_rlt_pair *p = doomed[i];
				kl = pair_key(p->rule, p->key, kb, sizeof(kb));
			}
			n += mw_htab_del(h, kb, kl);
		}
		free(doomed);
	}
	return n;
}

/* pair_now - a listing copy of p judged at now */
static void pair_now(const mw_rlt *t, const mw_rlt_pair *p, int64_t now_ms, mw_rlt_pair *out)
{
	*out = *p;
	out->limit = main_limit(&p->limits);
	if (p->window_ms) {
		out->count = mw_rlt_window_count(&p->win, now_ms);
		out->state = state_of(&p->limits, out->count);
	} else if (now_ms - p->last_ms > 60000) { /* per-message cap: shown for a minute */
		out->count = 0;
		out->state = MW_RLT_OK;
	}
	if (out->state < MW_RLT_HELD)
		out->held_since_ms = out->held_event_id = 0;
	out->rate_state = out->state;
	if (mw_rlt_blocked(t, p->key, now_ms))
		out->state = MW_RLT_BLOCKED;
}

/* mw_rlt_list - copies, judged at now */
mw_rlt_pair *mw_rlt_list(const mw_rlt *t, const char *key, int64_t now_ms, size_t *n, bool *oom)
{
	*n = 0;
	*oom = false;
	size_t cap = mw_htab_count(t->pairs);
	if (cap == 0)
		return NULL;
	mw_rlt_pair *out = malloc(cap * sizeof(*out));
	if (!out) {
		*oom = true;
		return NULL;
	}
	mw_htab_iter it = {0};
	const char *k;
	size_t klen;
	void *v;
	while (mw_htab_next(t->pairs, &it, &k, &klen, &v)) {
		const mw_rlt_pair *p = v;
		if (key && strcmp(p->key, key) != 0)
			continue;
		pair_now(t, p, now_ms, &out[*n]);
		if (out[*n].count || out[*n].state != MW_RLT_OK)
			(*n)++;
	}
	if (*n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* mw_rlt_nheld - count as /api/held lists */
size_t mw_rlt_nheld(const mw_rlt *t, int64_t now_ms)
{
	size_t n = 0;
	mw_htab_iter it = {0};
	const char *k;
	size_t klen;
	void *v;
	while (mw_htab_next(t->pairs, &it, &k, &klen, &v)) {
		mw_rlt_pair p;
		pair_now(t, v, now_ms, &p);
		n += p.rate_state >= MW_RLT_HELD;
	}
	it = (mw_htab_iter){0};
	while (mw_htab_next(t->blocks, &it, &k, &klen, &v))
		n += ((const mw_rlt_block *)v)->until_ms > now_ms;
	return n;
}

/* mw_rlt_blocks - running blocks */
mw_rlt_block *mw_rlt_blocks(const mw_rlt *t, int64_t now_ms, size_t *n)
{
	*n = 0;
	size_t cap = mw_htab_count(t->blocks);
	mw_rlt_block *out = cap ? malloc(cap * sizeof(*out)) : NULL;
	if (!out)
		return NULL;
	mw_htab_iter it = {0};
	const char *k;
	size_t klen;
	void *v;
	while (mw_htab_next(t->blocks, &it, &k, &klen, &v))
		if (((mw_rlt_block *)v)->until_ms > now_ms)
			out[(*n)++] = *(mw_rlt_block *)v;
	return out;
}

/* mw_rlt_pairs - tracked */
size_t mw_rlt_pairs(const mw_rlt *t)
{
	return mw_htab_count(t->pairs);
}

/* mw_rlt_dropped - refused when full */
uint64_t mw_rlt_dropped(const mw_rlt *t)
{
	return t->dropped;
}
