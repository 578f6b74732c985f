/*
 * netwatch/netwatch.c - the sampler: dump, diff against what was reported,
 * attribute new sockets to processes, classify, emit events.
 *
 * Cost per sample: two filtered sock_diag dumps (the kernel walks its TCP
 * hash table but copies out only matching sockets) plus, only when there
 * are new sockets, one pass over /proc/PID/fd.  Known connections cost one
 * hash lookup each.
 */
#include "netwatch/netwatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/htab.h"

/* A connection already reported (or, pending, logged and waiting for the
 * next sample); expires when a sample no longer sees it. */
typedef struct conn_entry {
	uint64_t seen_gen;  /* last sample generation that saw it */
	uint64_t keep_gen;  /* log-only entries survive until this generation */
	bool pending;       /* logged SYN not reported yet */
	long long log_uid;  /* uid from the log (-1 unknown) */
	int64_t log_ms;     /* when it was logged */
} conn_entry;

struct mw_netwatch {
	mw_nw_config cfg;
	int fd;
	uint32_t seq;
	uint64_t gen;
	int64_t boot_time;
	uint8_t *rbuf;
	mw_htab *conns;       /* tuple key -> conn_entry */
	mw_htab *proc_counts; /* "uid exe" -> count (in the pointer) */
	mw_htab *dest_counts; /* remote address bytes -> count */
	mw_nw_stats stats;
	int64_t last_sample_ms;
	/* logged SYNs waiting for a sample (keys into conns) */
	struct tuple_key *pending;
	size_t n_pending;
	/* per-sample scratch */
	mw_nw_sock *socks;
	size_t n_socks, cap_socks;
	bool overflow;
};

/* tuple key: family, address and port of both ends */
typedef struct tuple_key tuple_key;
struct tuple_key {
	uint8_t lfam, rfam;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
};

static void make_key(const mw_ip *l, uint16_t lport, const mw_ip *r, uint16_t rport, tuple_key *k)
{
	memset(k, 0, sizeof(*k));
	k->lfam = (uint8_t)l->family;
	k->rfam = (uint8_t)r->family;
	k->lport = lport;
	k->rport = rport;
	memcpy(k->laddr, l->addr, 16);
	memcpy(k->raddr, r->addr, 16);
}

void mw_nw_config_default(mw_nw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	mw_nw_ports_default(&cfg->ports);
	mw_nw_mta_default(&cfg->mta);
	cfg->procroot = "/proc";
	cfg->only_uid = -1;
}

mw_netwatch *mw_netwatch_new(const mw_nw_config *cfg, mw_err *err)
{
	mw_netwatch *nw = calloc(1, sizeof(*nw));
	if (nw == NULL) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	nw->cfg = *cfg;
	if (nw->cfg.procroot == NULL)
		nw->cfg.procroot = "/proc";
	nw->fd = -1;
	nw->rbuf = malloc(MW_NW_RECV_BUF);
	nw->pending = malloc(MW_NW_PENDING_MAX * sizeof(*nw->pending));
	nw->conns = mw_htab_new(free);
	nw->proc_counts = mw_htab_new(NULL);
	nw->dest_counts = mw_htab_new(NULL);
	if (!nw->rbuf || !nw->pending || !nw->conns || !nw->proc_counts || !nw->dest_counts) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		mw_netwatch_free(nw);
		return NULL;
	}
	nw->fd = mw_sockdiag_open(err);
	if (nw->fd < 0) {
		mw_netwatch_free(nw);
		return NULL;
	}
	nw->boot_time = mw_proc_boot_time(nw->cfg.procroot);
	return nw;
}

void mw_netwatch_free(mw_netwatch *nw)
{
	if (nw == NULL)
		return;
	if (nw->fd >= 0)
		close(nw->fd);
	free(nw->rbuf);
	free(nw->pending);
	free(nw->socks);
	mw_htab_free(nw->conns);
	mw_htab_free(nw->proc_counts);
	mw_htab_free(nw->dest_counts);
	free(nw);
}

const mw_nw_stats *mw_netwatch_stats(const mw_netwatch *nw)
{
	return &nw->stats;
}

/* collect - dump callback: keep the socket unless it belongs to another user */
static bool collect(const mw_nw_sock *s, void *ud)
{
	mw_netwatch *nw = ud;
	if (nw->cfg.only_uid >= 0 && (long long)s->uid != nw->cfg.only_uid) {
		nw->stats.hidden++;
		return true;
	}
	if (nw->n_socks == nw->cap_socks) {
		size_t nc = nw->cap_socks ? nw->cap_socks * 2 : 256;
		mw_nw_sock *ns = nc <= MW_NW_SOCKETS_MAX ? realloc(nw->socks, nc * sizeof(*ns)) : NULL;
		if (ns == NULL) {
			nw->overflow = true;
			return true;
		}
		nw->socks = ns;
		nw->cap_socks = nc;
	}
	nw->socks[nw->n_socks++] = *s;
	return true;
}

/* bump - increment a counter key (bounded number of keys); returns the count */
static uint64_t bump(mw_htab *t, const void *key, size_t klen)
{
	uintptr_t c = (uintptr_t)mw_htab_get(t, key, klen);
	if (c == 0 && mw_htab_count(t) >= MW_NW_COUNT_KEYS_MAX)
		return 0;
	c++;
	if (mw_htab_put(t, key, klen, (void *)c) != MW_OK)
		return 0;
	return c;
}

/* remember - insert a conn entry; NULL on OOM */
static conn_entry *remember(mw_netwatch *nw, const tuple_key *k, uint64_t keep_gen)
{
	conn_entry *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return false;
	e->seen_gen = nw->gen;
	e->keep_gen = keep_gen;
	e->log_uid = -1;
	if (mw_htab_put(nw->conns, k, sizeof(*k), e) != MW_OK) {
		free(e);
		return NULL;
	}
	return e;
}

/* emit - classify, count and hand one event to the caller */
static void emit(mw_netwatch *nw, mw_nw_event *ev, mw_nw_event_fn fn, void *ud)
{
	ev->cls = mw_nw_classify(&nw->cfg.mta, ev->proc.user, ev->proc.exe, &ev->sock.remote);
	char pkey[MW_NW_PATH_MAX + 16];
	int pn = snprintf(pkey, sizeof(pkey), "%u %s", ev->proc.uid,
			  ev->proc.exe ? ev->proc.exe : "?");
	ev->proc_count = bump(nw->proc_counts, pkey, (size_t)pn < sizeof(pkey) ? (size_t)pn : 0);
	ev->dest_count = bump(nw->dest_counts, &ev->sock.remote, sizeof(ev->sock.remote));
	nw->stats.events++;
	fn(ev, ud);
}

/* free_proc - htab value destructor for the per-batch process cache */
static void free_proc(void *v)
{
	mw_nw_proc_clear(v);
	free(v);
}

/* cached_proc - details of pid, read once per batch (a busy process may
 * hold thousands of the new sockets); NULL if it is gone or on OOM */
static const mw_nw_proc *cached_proc(mw_netwatch *nw, mw_htab *cache, int pid)
{
	mw_nw_proc *p = mw_htab_get(cache, &pid, sizeof(pid));
	if (p != NULL)
		return p->pid ? p : NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (mw_proc_read(nw->cfg.procroot, pid, nw->boot_time, p, NULL) != MW_OK)
		memset(p, 0, sizeof(*p)); /* remembered as gone */
	if (mw_htab_put(cache, &pid, sizeof(pid), p) != MW_OK) {
		free_proc(p);
		return NULL;
	}
	return p->pid ? p : NULL;
}

/* report_new - attribute the fresh sockets (indexes idx[0..n)) and emit */
static mw_status report_new(mw_netwatch *nw, const size_t *idx, size_t n, int64_t now_ms,
			    mw_nw_event_fn fn, void *ud, mw_err *err)
{
	uint32_t *inodes = calloc(n, sizeof(*inodes));
	int *pids = calloc(n, sizeof(*pids));
	mw_htab *cache = mw_htab_new(free_proc);
	mw_status st = MW_OK;
	if (inodes == NULL || pids == NULL || cache == NULL) {
		st = mw_err_set(err, MW_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		inodes[i] = nw->socks[idx[i]].inode;
	size_t denied = 0;
	st = mw_proc_map_inodes(nw->cfg.procroot, inodes, n, pids, &denied, err);
	if (st != MW_OK)
		goto out;
	nw->stats.proc_scans++;
	nw->stats.denied = denied;
	for (size_t i = 0; i < n; i++) {
		const mw_nw_sock *s = &nw->socks[idx[i]];
		mw_nw_event ev = {.source = MW_NW_FROM_SAMPLE, .sock = *s, .first_seen_ms = now_ms};
		const mw_nw_proc *p = pids[i] > 0 ? cached_proc(nw, cache, pids[i]) : NULL;
		if (p != NULL) {
			ev.proc = *p; /* shallow: the cache owns the strings */
		} else {
			ev.proc.uid = s->uid;
			ev.proc.uid_known = true;
			mw_user_name(s->uid, ev.proc.user, sizeof(ev.proc.user));
		}
		emit(nw, &ev, fn, ud);
	}
out:
	mw_htab_free(cache);
	free(inodes);
	free(pids);
	return st;
}

/* sweep - forget connections the last sample did not see */
static void sweep(mw_netwatch *nw)
{
	size_t n = mw_htab_count(nw->conns), k = 0;
	if (n == 0)
		return;
	tuple_key *dead = malloc(n * sizeof(*dead));
	if (dead == NULL)
		return; /* try again next sample */
	mw_htab_iter it = {0};
	const char *key;
	size_t klen;
	void *v;
	while (mw_htab_next(nw->conns, &it, &key, &klen, &v)) {
		const conn_entry *e = v;
		if (e->seen_gen < nw->gen && e->keep_gen < nw->gen && klen == sizeof(tuple_key))
			memcpy(&dead[k++], key, sizeof(tuple_key));
	}
	for (size_t i = 0; i < k; i++)
		mw_htab_del(nw->conns, &dead[i], sizeof(dead[i]));
	free(dead);
}

/* dump_all - both families into nw->socks */
static mw_status dump_all(mw_netwatch *nw, mw_err *err)
{
	nw->n_socks = 0;
	nw->overflow = false;
	nw->stats.hidden = 0;
	for (int fam = 4; fam <= 6; fam += 2) {
		mw_status st = mw_sockdiag_dump(nw->fd, fam, &nw->cfg.ports, ++nw->seq, nw->rbuf,
						MW_NW_RECV_BUF, collect, nw, err);
		if (st != MW_OK)
			return st;
	}
	if (nw->overflow)
		return mw_err_set(err, MW_ETOOBIG, "more than %d matching sockets",
				  MW_NW_SOCKETS_MAX);
	return MW_OK;
}

/* sample_once - dump, diff, attribute and report the fresh sockets */
static mw_status sample_once(mw_netwatch *nw, int64_t now_ms, mw_nw_event_fn fn, void *ud,
			     mw_err *err)
{
	nw->gen++;
	mw_status st = dump_all(nw, err);
	if (st != MW_OK)
		return st;
	nw->stats.samples++;
	nw->stats.sockets = nw->n_socks;
	size_t *fresh = nw->n_socks ? malloc(nw->n_socks * sizeof(*fresh)) : NULL;
	size_t nf = 0;
	if (nw->n_socks && fresh == NULL)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	for (size_t i = 0; i < nw->n_socks; i++) {
		const mw_nw_sock *s = &nw->socks[i];
		tuple_key k;
		make_key(&s->local, s->lport, &s->remote, s->rport, &k);
		conn_entry *e = mw_htab_get(nw->conns, &k, sizeof(k));
		if (e != NULL) {
			e->seen_gen = nw->gen;
			if (e->pending) { /* logged, still alive: report it with its process */
				e->pending = false;
				fresh[nf++] = i;
			}
			continue;
		}
		if (!remember(nw, &k, 0)) {
			free(fresh);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
		fresh[nf++] = i;
	}
	nw->stats.fresh = nf;
	if (nf > 0)
		st = report_new(nw, fresh, nf, now_ms, fn, ud, err);
	free(fresh);
	sweep(nw);
	return st;
}

/* log_event - report a logged connection from the log alone */
static void log_event(mw_netwatch *nw, const tuple_key *k, long long uid, int64_t t_ms,
		      mw_nw_event_fn fn, void *ud)
{
	mw_nw_event ev = {.source = MW_NW_FROM_LOG, .first_seen_ms = t_ms};
	ev.sock.family = k->lfam;
	ev.sock.local.family = k->lfam;
	ev.sock.remote.family = k->rfam;
	memcpy(ev.sock.local.addr, k->laddr, 16);
	memcpy(ev.sock.remote.addr, k->raddr, 16);
	ev.sock.lport = k->lport;
	ev.sock.rport = k->rport;
	if (uid >= 0 && uid <= UINT32_MAX) {
		ev.sock.uid = (uint32_t)uid;
		ev.proc.uid = (uint32_t)uid;
		ev.proc.uid_known = true;
		mw_user_name((uint32_t)uid, ev.proc.user, sizeof(ev.proc.user));
	}
	emit(nw, &ev, fn, ud);
}

/* resolve_pending - after a sample: logged connections it did not see */
static void resolve_pending(mw_netwatch *nw, mw_nw_event_fn fn, void *ud)
{
	for (size_t i = 0; i < nw->n_pending; i++) {
		conn_entry *e = mw_htab_get(nw->conns, &nw->pending[i], sizeof(tuple_key));
		if (e == NULL || !e->pending)
			continue; /* seen by the sample and reported with its process */
		e->pending = false;
		/* keep it two samples so retransmitted SYNs are not reported again */
		e->keep_gen = nw->gen + 2;
		log_event(nw, &nw->pending[i], e->log_uid, e->log_ms, fn, ud);
	}
	nw->n_pending = 0;
}

mw_status mw_netwatch_sample(mw_netwatch *nw, int64_t now_ms, mw_nw_event_fn fn, void *ud,
			     mw_err *err)
{
	mw_status st = sample_once(nw, now_ms, fn, ud, err);
	nw->last_sample_ms = now_ms;
	if (st == MW_OK)
		resolve_pending(nw, fn, ud);
	return st;
}

/* is_mta_uid - the log's uid belongs to an MTA user (no sample needed) */
static bool is_mta_uid(const mw_netwatch *nw, long long uid, char *user, size_t n)
{
	if (uid < 0 || uid > UINT32_MAX)
		return false;
	mw_user_name((uint32_t)uid, user, n);
	return mw_nw_mta_is_user(&nw->cfg.mta, user);
}

mw_status mw_netwatch_logged(mw_netwatch *nw, const mw_nw_pkt *pkt, long long uid, int64_t now_ms,
			     mw_nw_event_fn fn, void *ud, mw_err *err)
{
	tuple_key k;
	make_key(&pkt->src, pkt->sport, &pkt->dst, pkt->dport, &k);
	if (mw_htab_get(nw->conns, &k, sizeof(k)) != NULL)
		return MW_OK; /* already reported or pending */
	if (nw->cfg.only_uid >= 0 && uid != nw->cfg.only_uid)
		return MW_OK;
	char user[MW_NW_USER_MAX];
	if (is_mta_uid(nw, uid, user, sizeof(user))) {
		/* the MTA's own traffic: classified from the log, no /proc work */
		if (remember(nw, &k, nw->gen + 2) == NULL)
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		log_event(nw, &k, uid, now_ms, fn, ud);
		return MW_OK;
	}
	conn_entry *e = remember(nw, &k, nw->gen + 2);
	if (e == NULL)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	e->pending = true;
	e->log_uid = uid;
	e->log_ms = now_ms;
	nw->pending[nw->n_pending++] = k;
	if (nw->n_pending == MW_NW_PENDING_MAX)
		return mw_netwatch_sample(nw, now_ms, fn, ud, err);
	return mw_netwatch_flush(nw, now_ms, fn, ud, err);
}

mw_status mw_netwatch_flush(mw_netwatch *nw, int64_t now_ms, mw_nw_event_fn fn, void *ud,
			    mw_err *err)
{
	if (nw->n_pending == 0 || now_ms - nw->last_sample_ms < MW_NW_LOG_GAP_MS)
		return MW_OK;
	return mw_netwatch_sample(nw, now_ms, fn, ud, err);
}

int64_t mw_netwatch_next_flush(const mw_netwatch *nw)
{
	return nw->n_pending ? nw->last_sample_ms + MW_NW_LOG_GAP_MS : 0;
}
