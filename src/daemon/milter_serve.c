/*
 * daemon/milter_serve.c - libmilter on its own thread inside `serve`;
 * scan holds reach the event loop through a mutex-protected queue and an
 * ev_async watcher (see milter_serve.h).
 */
#include "daemon/milter_serve.h"
#include "daemon/milter_log.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/milter.h"

struct milter_bridge {
	struct ev_loop *loop;
	ev_async wake;
	milter_bridge_fn fn;
	void *ctx;
	pthread_t thread, stopper;
	bool started, stopper_started;
	pthread_mutex_t lock;
	mw_event *q[MILTER_QUEUE_MAX]; /* ring, guarded by lock */
	size_t head, n;
	atomic_ulong dropped;
	atomic_bool exited, stopping;
	bool closed; /* guarded by lock: no more pushes reach the loop */
};

/* One per process, never freed: a libmilter session thread that outlives
 * smfi_main (libmilter does not join them) may still call push, which then
 * finds closed set and drops the event. */
static milter_bridge g_bridge = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* push - on a libmilter thread: copy the event into the queue, wake the loop */
static void push(void *ctx, const mw_event *ev)
{
	milter_bridge *b = ctx;
	mw_event *copy = malloc(sizeof(*copy));
	if (copy)
		*copy = *ev;
	bool queued = false;
	pthread_mutex_lock(&b->lock);
	if (copy && !b->closed && b->n < MILTER_QUEUE_MAX) {
		b->q[(b->head + b->n) % MILTER_QUEUE_MAX] = copy;
		b->n++;
		queued = true;
		ev_async_send(b->loop, &b->wake); /* under the lock: the watcher is live */
	}
	pthread_mutex_unlock(&b->lock);
	if (!queued) {
		free(copy);
		atomic_fetch_add(&b->dropped, 1);
	}
}

/* pop - the oldest queued event or NULL */
static mw_event *pop(milter_bridge *b)
{
	mw_event *ev = NULL;
	pthread_mutex_lock(&b->lock);
	if (b->n) {
		ev = b->q[b->head];
		b->head = (b->head + 1) % MILTER_QUEUE_MAX;
		b->n--;
	}
	pthread_mutex_unlock(&b->lock);
	return ev;
}

/* drain - hand every queued event to the loop's callback */
static void drain(milter_bridge *b)
{
	mw_event *ev;
	while ((ev = pop(b))) {
		b->fn(b->ctx, ev);
		free(ev);
	}
}

/* wake_cb - on the loop thread */
static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	milter_bridge *b = w->data;
	drain(b);
	if (atomic_load(&b->exited) && !atomic_load(&b->stopping)) {
		atomic_store(&b->stopping, true); /* report once */
		b->fn(b->ctx, NULL);
	}
}

/* thread_main - smfi_main until milter_stop */
static void *thread_main(void *arg)
{
	milter_bridge *b = arg;
	int rc = milter_main();
	if (!atomic_load(&b->stopping))
		milter_log(LOG_INFO, "smfi_main returned %d without being asked", rc);
	atomic_store(&b->exited, true);
	pthread_mutex_lock(&b->lock);
	if (!b->closed)
		ev_async_send(b->loop, &b->wake);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* milter_bridge_open - sink, register, bind */
milter_bridge *milter_bridge_open(struct ev_loop *loop, milter_config *cfg,
				  milter_bridge_fn fn, void *ctx, int *rc)
{
	milter_bridge *b = &g_bridge;
	if (b->loop) { /* libmilter itself is one per process */
		*rc = 2;
		return NULL;
	}
	b->loop = loop;
	b->fn = fn;
	b->ctx = ctx;
	milter_set_hold_sink(push, b);
	cli_dns_opts dns = {.zone_file = cfg->zone[0] ? cfg->zone : NULL,
			    .resolver = cfg->resolver[0] ? cfg->resolver : NULL};
	if ((*rc = milter_open(cfg, &dns)) != 0) {
		milter_set_hold_sink(NULL, NULL);
		b->closed = true;
		return NULL;
	}
	ev_async_init(&b->wake, wake_cb);
	b->wake.data = b;
	ev_async_start(loop, &b->wake);
	return b;
}

/* milter_bridge_start - the thread starts with every signal blocked */
bool milter_bridge_start(milter_bridge *b, mw_err *err)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&b->thread, NULL, thread_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		return mw_err_set(err, MW_EIO, "milter thread: %s", strerror(e)), false;
	b->started = true;
	return true;
}

/* stopper_main - smfi_stop waits for libmilter's listener to leave its
 * poll (seconds): done on a thread of its own so the event loop never waits */
static void *stopper_main(void *arg)
{
	(void)arg;
	milter_stop();
	return NULL;
}

/* milter_bridge_request_stop - no new milter connections; returns at once */
void milter_bridge_request_stop(milter_bridge *b)
{
	if (!b || atomic_exchange(&b->stopping, true) || !b->started)
		return;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	b->stopper_started = pthread_create(&b->stopper, NULL, stopper_main, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!b->stopper_started)
		milter_stop(); /* no thread: stop here, blocking */
}

/* milter_bridge_stop - smfi_stop, join, last events */
void milter_bridge_stop(milter_bridge *b)
{
	if (!b)
		return;
	milter_bridge_request_stop(b);
	if (b->stopper_started)
		pthread_join(b->stopper, NULL);
	if (b->started)
		pthread_join(b->thread, NULL);
	else
		milter_close(); /* start-up failed after milter_open */
	pthread_mutex_lock(&b->lock);
	b->closed = true;
	pthread_mutex_unlock(&b->lock);
	ev_async_stop(b->loop, &b->wake);
	drain(b);
}

/* milter_bridge_dropped - counter */
unsigned long milter_bridge_dropped(const milter_bridge *b)
{
	return b ? atomic_load(&((milter_bridge *)b)->dropped) : 0;
}
