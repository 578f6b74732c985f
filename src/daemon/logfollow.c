/*
 * daemon/logfollow.c - follow mail logs inside `mailwarden serve` (see
 * logfollow.h).
 */
#include "daemon/logfollow.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/str.h"
#include "daemon/metrics.h"
#include "logwatch/follow.h"
#include "logwatch/logevent.h"
#include "logwatch/logscan.h"
#include "outbound/ratelimit.h"

struct logfollow {
	struct ev_loop *loop;
	serve_metrics *m;
	logfollow_deliver_fn deliver;
	void *ctx;
	ev_timer timer;
	serve_logwatch_cfg cfg;
	mw_logscan_opts opts;
	mw_logscan *scan;
	mw_follow *follow;
	mw_logtime_ctx tc;
	uint64_t rotations, truncations; /* of the current follower, already published */
	mw_event ev;
};

/* serve_logwatch_defaults - documented in etc/mailwarden.conf */
void serve_logwatch_defaults(serve_logwatch_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->poll_ms = 1000;      /* Postfix logs through syslog: a second is "live" */
	c->rate_limit = 100;    /* the policy service's default alert (logscan.h) */
	c->rate_window_s = 300;
	c->auth_limit = 10;
}

/* add_files - blank-separated paths */
static mw_status add_files(serve_logwatch_cfg *c, const char *v, mw_err *err)
{
	while (*v) {
		size_t skip = strspn(v, " \t"), len;
		v += skip;
		if (!*v)
			break;
		len = strcspn(v, " \t");
		if (v[0] != '/')
			return mw_err_set(err, MW_EINVAL, "[logwatch] files: '%.*s' is not an absolute path",
					  (int)len, v);
		if (c->nfiles == SERVE_LOGFILES_MAX)
			return mw_err_set(err, MW_ETOOBIG, "[logwatch] more than %d files",
					  SERVE_LOGFILES_MAX);
		if (len >= SERVE_LOGPATH_MAX)
			return mw_err_set(err, MW_ETOOBIG, "[logwatch] files: path too long");
		memcpy(c->files[c->nfiles], v, len);
		c->files[c->nfiles++][len] = '\0';
		v += len;
	}
	return MW_OK;
}

/* bounded - decimal in [lo, hi] */
static bool bounded(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (end == v || *end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* serve_logwatch_set - one [logwatch] setting */
mw_status serve_logwatch_set(serve_logwatch_cfg *c, const char *name, const char *v, mw_err *err)
{
	long n;
	int64_t ms;
	if (strcmp(name, "files") == 0)
		return add_files(c, v, err);
	if (strcmp(name, "poll_ms") == 0 && bounded(v, 50, 60000, &n))
		c->poll_ms = (int)n;
	else if (strcmp(name, "rate_limit") == 0 && bounded(v, 1, 100000000, &n))
		c->rate_limit = (uint32_t)n;
	else if (strcmp(name, "rate_window") == 0 && mw_rl_parse_duration(v, &ms) && ms >= 1000 &&
		 ms <= 7LL * 86400 * 1000)
		c->rate_window_s = ms / 1000;
	else if (strcmp(name, "auth_limit") == 0 && bounded(v, 1, 100000000, &n))
		c->auth_limit = (uint32_t)n;
	else
		return mw_err_set(err, MW_EINVAL, "[logwatch] %s = '%s': unknown setting or bad value",
				  name, v);
	return MW_OK;
}

/* on_finding - scanner callback: count, map to an event, deliver */
static void on_finding(void *ctx, const mw_finding *f)
{
	logfollow *lf = ctx;
	if ((unsigned)f->type < MW_FIND_TYPE_COUNT)
		atomic_fetch_add(&lf->m->log_findings[f->type], 1);
	mw_finding_to_event(f, &lf->opts, &lf->ev);
	lf->deliver(lf->ctx, &lf->ev);
}

/* on_line - follower callback */
static int on_line(void *ctx, const char *line, size_t len)
{
	logfollow *lf = ctx;
	mw_logev_kind k = mw_logscan_line(lf->scan, &lf->tc, line, len);
	atomic_fetch_add(&lf->m->log_lines, 1);
	if (k == MW_LE_BAD || k == MW_LE_UNKNOWN)
		atomic_fetch_add(&lf->m->log_unparsed, 1);
	return 0;
}

/* poll_now - read what was appended; publish follower counters */
static void poll_now(logfollow *lf)
{
	if (!lf->follow)
		return;
	mw_logtime_init(&lf->tc, (int64_t)time(NULL)); /* year inference: now */
	mw_follow_poll(lf->follow, on_line, lf);
	const mw_follow_stats *st = mw_follow_get_stats(lf->follow);
	atomic_fetch_add(&lf->m->log_rotations, st->rotations - lf->rotations);
	atomic_fetch_add(&lf->m->log_truncations, st->truncations - lf->truncations);
	lf->rotations = st->rotations;
	lf->truncations = st->truncations;
}

/* timer_cb - every poll_ms */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	poll_now(w->data);
}

/* logfollow_new - nothing followed until logfollow_apply */
logfollow *logfollow_new(struct ev_loop *loop, serve_metrics *m, logfollow_deliver_fn fn, void *ctx)
{
	logfollow *lf = calloc(1, sizeof(*lf));
	if (!lf)
		return NULL;
	lf->loop = loop;
	lf->m = m;
	lf->deliver = fn;
	lf->ctx = ctx;
	ev_timer_init(&lf->timer, timer_cb, 1.0, 1.0);
	lf->timer.data = lf;
	return lf;
}

/* same_files / same_limits - what a reload changed */
static bool same_files(const serve_logwatch_cfg *a, const serve_logwatch_cfg *b)
{
	if (a->nfiles != b->nfiles)
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], b->files[i]) != 0)
			return false;
	return true;
}

static bool same_limits(const serve_logwatch_cfg *a, const serve_logwatch_cfg *b)
{
	return a->rate_limit == b->rate_limit && a->rate_window_s == b->rate_window_s &&
	       a->auth_limit == b->auth_limit;
}

/* stop_follow - drain and close the current follower */
static void stop_follow(logfollow *lf)
{
	ev_timer_stop(lf->loop, &lf->timer);
	poll_now(lf);
	mw_follow_free(lf->follow);
	lf->follow = NULL;
	lf->rotations = lf->truncations = 0;
	atomic_store(&lf->m->log_files, 0);
}

/* new_scanner - scanner for c's thresholds */
static mw_logscan *new_scanner(logfollow *lf, const serve_logwatch_cfg *c, mw_logscan_opts *o)
{
	mw_logscan_defaults(o);
	o->rate_limit = c->rate_limit;
	o->rate_window = c->rate_window_s;
	o->auth_ip_limit = o->auth_user_limit = c->auth_limit;
	o->on_finding = on_finding;
	o->ctx = lf;
	return mw_logscan_new(o);
}

/* logfollow_apply - see logfollow.h */
mw_status logfollow_apply(logfollow *lf, const serve_logwatch_cfg *c, mw_err *err)
{
	bool started = lf->follow != NULL;
	if (started && same_files(&lf->cfg, c) && same_limits(&lf->cfg, c) &&
	    lf->cfg.poll_ms == c->poll_ms)
		return MW_OK;
	mw_follow *f = NULL;
	if (c->nfiles) {
		const char *paths[SERVE_LOGFILES_MAX];
		for (size_t i = 0; i < c->nfiles; i++)
			paths[i] = c->files[i];
		if (started && same_files(&lf->cfg, c)) {
			f = lf->follow; /* keep offsets; only timer or limits change */
		} else {
			mw_err_set(err, MW_ENOMEM, "log follower: out of memory");
			if (!(f = mw_follow_new(paths, c->nfiles, false, err)))
				return err->code;
		}
	}
	mw_logscan_opts o;
	mw_logscan *scan = lf->scan;
	if (c->nfiles && (!scan || !same_limits(&lf->cfg, c))) {
		if (!(scan = new_scanner(lf, c, &o))) {
			if (f != lf->follow)
				mw_follow_free(f);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
	}
	if (f != lf->follow)
		stop_follow(lf); /* the old list is read to its end with the old scanner */
	ev_timer_stop(lf->loop, &lf->timer);
	if (scan != lf->scan) {
		mw_logscan_free(lf->scan);
		lf->scan = scan;
		lf->opts = o;
	}
	lf->follow = f;
	lf->cfg = *c;
	atomic_store(&lf->m->log_files, c->nfiles);
	if (f) {
		double every = c->poll_ms / 1000.0;
		ev_timer_set(&lf->timer, every, every);
		ev_timer_start(lf->loop, &lf->timer);
	}
	return MW_OK;
}

/* logfollow_free - last read, then release */
void logfollow_free(logfollow *lf)
{
	if (!lf)
		return;
	stop_follow(lf);
	mw_logscan_free(lf->scan);
	free(lf);
}
