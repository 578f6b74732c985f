/*
 * daemon/server.c - the policy service event loop (see server.h).
 *
 * Connections sit in a list ordered by last activity (least recent first):
 * the one-second sweep walks it to close idle ones (idle_timeout) and slow
 * ones (a partial request older than request_timeout: slowloris), and when
 * max_connections is reached the least recently active one is closed to
 * admit the newcomer, so idle connections can never lock Postfix out.
 * A connection costs about 300 bytes plus its buffers, which keep the size
 * of the largest request/answer it carried (typically 1-2 KB).
 */
#include "daemon/server.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "daemon/dash.h"
#include "daemon/http.h"
#include "daemon/logfollow.h"
#include "daemon/metrics.h"
#include "daemon/milter_log.h"
#include "daemon/milter_serve.h"
#include "outbound/alert.h"
#include "store/eventlog.h"

#define OUT_MAX (1u << 20)   /* answers queued for a client that does not read */
#define CONTROL_LINE_MAX 1024
#define DRAIN_MAX_S 5.0      /* SIGTERM: in-flight requests get this long */
#define RCPT_SAMPLE_LEN 128
#define ALERTS_INFLIGHT_MAX 32 /* alert children at once: an event flood must not fork-bomb */

typedef struct server server;

typedef struct conn {
	ev_io io;
	server *srv;
	struct conn *prev, *next;
	mw_buf in, out;
	double last_active, partial_since;
	bool control, closing;
	char peer[64];
	char instance[64];
	size_t nrcpt;
	char (*rcpt)[RCPT_SAMPLE_LEN];
} conn;

struct server {
	struct ev_loop *loop;
	serve_config *cfg;
	const char *config_path;
	const serve_overrides *ov;
	mw_store *store;
	mw_eventlog *events;
	ev_io lis[SERVE_LISTEN_MAX + 1];
	bool lis_control[SERVE_LISTEN_MAX + 1];
	char lis_path[SERVE_LISTEN_MAX + 1][SERVE_PATH_MAX];
	int nlis;
	conn *head, *tail;
	size_t nconns, max_conns;
	ev_timer sweep;
	ev_signal sighup, sigterm, sigint;
	ev_child child;
	bool draining;
	double drain_deadline, last_prune;
	serve_metrics metrics;
	struct MHD_Daemon *mhd;
	http_ctx http;  /* HTTP API (daemon/http.h) */
	int http_fd;
	dash *dash;     /* state shared with the HTTP thread (daemon/dash.h) */
	mw_rl_verdict verdict;
	mw_event ev;
	double last_evict_log;
	int alerts_inflight;
	logfollow *logs; /* [logwatch] */
	milter_config *mcfg;    /* [milter], read once at start (NULL: no milter) */
	milter_bridge *milter;  /* libmilter's thread (daemon/milter_serve.h) */
	int exit_rc;
};

static bool g_syslog; /* program-level logging switch (the library holds no globals) */

/* slog - one log line to syslog or stderr */
static void slog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (g_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		fprintf(stderr, "%s mailwarden[%d]: %s: ", ts, (int)getpid(),
			prio <= LOG_ERR ? "error" : prio == LOG_WARNING ? "warning" : "info");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/* ---- connection list ---------------------------------------------------- */

/* lru_unlink - take c out of the list */
static void lru_unlink(server *s, conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		s->tail = c->prev;
	c->prev = c->next = NULL;
}

/* lru_touch - c is the most recently active */
static void lru_touch(server *s, conn *c)
{
	c->last_active = ev_now(s->loop);
	if (s->tail == c)
		return;
	if (c->prev || s->head == c)
		lru_unlink(s, c);
	c->prev = s->tail;
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
}

/* conn_close - forget a connection */
static void conn_close(conn *c)
{
	server *s = c->srv;
	ev_io_stop(s->loop, &c->io);
	close(c->io.fd);
	lru_unlink(s, c);
	mw_buf_free(&c->in);
	mw_buf_free(&c->out);
	free(c->rcpt);
	free(c);
	s->nconns--;
	atomic_store(&s->metrics.connections, s->nconns);
	if (s->draining && s->nconns == 0)
		ev_break(s->loop, EVBREAK_ALL);
}

/* conn_flush - write what is queued; close when done and closing.
 * Returns false if the connection was closed. */
static bool conn_flush(conn *c)
{
	while (c->out.len) {
		ssize_t n = write(c->io.fd, c->out.data, c->out.len);
		if (n > 0) {
			memmove(c->out.data, c->out.data + n, c->out.len - (size_t)n);
			c->out.len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		conn_close(c);
		return false;
	}
	if (c->out.len == 0 && c->closing) {
		conn_close(c);
		return false;
	}
	int want = (c->closing ? 0 : EV_READ) | (c->out.len ? EV_WRITE : 0);
	if (want != (c->io.events & (EV_READ | EV_WRITE))) {
		ev_io_stop(c->srv->loop, &c->io);
		ev_io_set(&c->io, c->io.fd, want);
		ev_io_start(c->srv->loop, &c->io);
	}
	return true;
}

/* ---- events and alerts -------------------------------------------------- */

/* deliver - syslog line, event history, command and webhook */
static void deliver(server *s, mw_event *ev)
{
	char line[1024];
	slog(LOG_WARNING, "event: %s client=%s sasl_username=%s sender=%s",
	     mw_event_describe(ev, line, sizeof(line)), ev->client_address,
	     ev->sasl_username[0] ? ev->sasl_username : "-", ev->sender[0] ? ev->sender : "<>");
	mw_err err;
	if (s->events && mw_eventlog_add(s->events, ev, &err) != MW_OK)
		slog(LOG_ERR, "event history: %s", err.msg);
	const serve_config *cfg = s->cfg;
	if (!cfg->webhook[0] && !cfg->alert_command[0])
		return;
	if (s->alerts_inflight >= ALERTS_INFLIGHT_MAX) {
		atomic_fetch_add(&s->metrics.alerts_failed, 1);
		slog(LOG_WARNING, "alert delivery skipped: %d deliveries still running", s->alerts_inflight);
		return;
	}
	json_t *j = mw_event_to_json(ev);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return;
	if (cfg->alert_command[0]) {
		char buf[SERVE_PATH_MAX], *argv[MW_ALERT_ARGS_MAX + 1];
		mw_strlcpy(buf, cfg->alert_command, sizeof(buf));
		if (mw_alert_split(buf, argv) < 0 ||
		    mw_alert_command(argv, text, cfg->alert_timeout_ms, &err) < 0) {
			slog(LOG_ERR, "alert command: %s", err.msg);
			atomic_fetch_add(&s->metrics.alerts_failed, 1);
		} else {
			s->alerts_inflight++;
		}
	}
	if (cfg->webhook[0]) {
		if (mw_alert_webhook(cfg->webhook, text, cfg->alert_timeout_ms, &err) < 0) {
			slog(LOG_ERR, "webhook: %s", err.msg);
			atomic_fetch_add(&s->metrics.alerts_failed, 1);
		} else {
			s->alerts_inflight++;
		}
	}
	free(text);
}

/* deliver_log - a log finding (daemon/logfollow.c) takes the same path */
static void deliver_log(void *ctx, mw_event *ev)
{
	deliver(ctx, ev);
}

/* scan_hold - on the loop thread: a content-scan hold from the milter takes
 * the rate-limit event path, then counts in the count = scan_holds rules;
 * a threshold crossed there is an event of its own (source policy).  NULL:
 * the milter stopped by itself, so the whole service stops (exit 1). */
static void begin_drain(server *s, int signum);
static void scan_hold(void *ctx, mw_event *ev)
{
	server *s = ctx;
	if (!ev) {
		slog(LOG_ERR, "the milter stopped unexpectedly: stopping the policy service too");
		s->exit_rc = 1;
		begin_drain(s, 0);
		return;
	}
	atomic_fetch_add(&s->metrics.events[MW_RL_HOLD], 1);
	atomic_fetch_add(&s->metrics.milter_holds, 1);
	deliver(s, ev);
	int64_t now_ms = (int64_t)(ev_now(s->loop) * 1000);
	mw_rl_scan_hold(s->cfg->rules, s->store, ev->sasl_username, ev->client_address, ev->sender,
			now_ms, &s->verdict);
	if (s->verdict.store_errors)
		atomic_fetch_add(&s->metrics.store_errors, s->verdict.store_errors);
	for (size_t i = 0; i < s->verdict.nhits; i++) {
		const mw_rl_hit *h = &s->verdict.hits[i];
		for (int a = 0; a < MW_RL_NACTIONS; a++) {
			if (!(h->crossed & (1u << a)))
				continue;
			mw_event *e = &s->ev;
			*e = *ev;
			e->id = 0;
			e->time_ms = now_ms;
			mw_strlcpy(e->source, "policy", sizeof(e->source));
			mw_strlcpy(e->rule, h->rule->name, sizeof(e->rule));
			mw_strlcpy(e->key, h->key, sizeof(e->key));
			mw_strlcpy(e->action, mw_rl_action_name((mw_rl_action)a), sizeof(e->action));
			e->count = h->count;
			e->limit = h->limits->limit[a];
			e->window_ms = h->rule->window_ms;
			atomic_fetch_add(&s->metrics.events[a], 1);
			deliver(s, e);
		}
	}
}

/* raise_events - one event per threshold crossed by this request */
static void raise_events(server *s, conn *c, const mw_policy_req *req, int64_t now_ms)
{
	for (size_t i = 0; i < s->verdict.nhits; i++) {
		const mw_rl_hit *h = &s->verdict.hits[i];
		for (int a = 0; a < MW_RL_NACTIONS; a++) {
			if (!(h->crossed & (1u << a)))
				continue;
			mw_event *ev = &s->ev;
			memset(ev, 0, offsetof(mw_event, recipients));
			ev->time_ms = now_ms;
			mw_strlcpy(ev->source, "policy", sizeof(ev->source));
			mw_strlcpy(ev->rule, h->rule->name, sizeof(ev->rule));
			mw_strlcpy(ev->key, h->key, sizeof(ev->key));
			mw_strlcpy(ev->action, mw_rl_action_name((mw_rl_action)a), sizeof(ev->action));
			ev->count = h->count;
			ev->limit = h->limits->limit[a];
			ev->window_ms = h->rule->count == MW_RLC_RCPT_PER_MSG ? 0 : h->rule->window_ms;
			mw_strlcpy(ev->client_address, req->client_address, sizeof(ev->client_address));
			mw_strlcpy(ev->sasl_username, req->sasl_username, sizeof(ev->sasl_username));
			mw_strlcpy(ev->sender, req->sender, sizeof(ev->sender));
			for (size_t r = 0; r < c->nrcpt; r++)
				mw_event_add_recipient(ev, c->rcpt[r]);
			mw_event_add_recipient(ev, req->recipient);
			atomic_fetch_add(&s->metrics.events[a], 1);
			deliver(s, ev);
			if (a >= MW_RL_HOLD && s->dash)
				dash_held(s->dash, h->rule->name, h->key, ev->id, now_ms);
		}
	}
}

/* sample_rcpt - remember the recipients of the message in progress */
static void sample_rcpt(conn *c, const mw_policy_req *req)
{
	if (strcmp(c->instance, req->instance) != 0) {
		mw_strlcpy(c->instance, req->instance, sizeof(c->instance));
		c->nrcpt = 0;
	}
	if (strcmp(req->protocol_state, "RCPT") != 0 || !req->recipient[0] ||
	    c->nrcpt >= MW_EVENT_SAMPLE_MAX)
		return;
	if (!c->rcpt && !(c->rcpt = malloc(MW_EVENT_SAMPLE_MAX * RCPT_SAMPLE_LEN)))
		return;
	mw_strlcpy(c->rcpt[c->nrcpt++], req->recipient, RCPT_SAMPLE_LEN);
}

/* ---- policy requests ---------------------------------------------------- */

/* mono_ns - monotonic clock for latency */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* handle - decide one request and queue the answer */
static void handle(server *s, conn *c, const mw_policy_req *req, uint64_t t0)
{
	int64_t now_ms = (int64_t)(ev_now(s->loop) * 1000);
	sample_rcpt(c, req);
	mw_rl_verdict *v = &s->verdict;
	mw_rl_check(s->cfg->rules, s->store, req, now_ms, v);
	mw_policy_action answer = v->answer;
	const char *text = v->text;
	if (v->store_errors) {
		atomic_fetch_add(&s->metrics.store_errors, v->store_errors);
		if (!s->cfg->fail_open) {
			answer = MW_PA_DEFER_IF_PERMIT;
			text = "rate limit state unavailable, try again later";
		}
	}
	if (s->dash && dash_observe(s->dash, s->cfg->rules, req, v, now_ms)) {
		answer = MW_PA_REJECT; /* POST /api/block */
		text = "blocked by the administrator";
	}
	if (v->nhits)
		raise_events(s, c, req, now_ms);
	if (answer != MW_PA_DUNNO)
		slog(LOG_INFO, "%s: %s %s sasl_username=%s client=%s", req->queue_id[0] ? req->queue_id : "NOQUEUE",
		     mw_policy_action_name(answer), text ? text : "",
		     req->sasl_username[0] ? req->sasl_username : "-", req->client_address);
	if (mw_policy_answer(&c->out, answer, text) != MW_OK)
		c->closing = true; /* the client is not reading its answers */
	metrics_observe(&s->metrics, answer, mono_ns() - t0);
}

/* refuse - answer a malformed request with the default action and close */
static void refuse(server *s, conn *c, const mw_err *err)
{
	slog(LOG_WARNING, "client %s: bad policy request: %s; answering %s and closing", c->peer,
	     err->msg, mw_policy_action_name(s->cfg->default_action));
	atomic_fetch_add(&s->metrics.malformed, 1);
	mw_policy_answer(&c->out, s->cfg->default_action, NULL);
	c->closing = true;
	mw_buf_reset(&c->in);
}

/* process_policy - every complete request in the input buffer */
static void process_policy(server *s, conn *c)
{
	size_t off = 0, used;
	static mw_policy_req req; /* one thread; 3 KiB kept off the stack */
	while (off < c->in.len && !c->closing) {
		mw_err err;
		uint64_t t0 = mono_ns();
		mw_status st = mw_policy_parse(c->in.data + off, c->in.len - off, &req, &used, &err);
		if (st != MW_OK) {
			refuse(s, c, &err);
			return;
		}
		if (used == 0)
			break;
		handle(s, c, &req, t0);
		off += used;
	}
	if (off) {
		memmove(c->in.data, c->in.data + off, c->in.len - off);
		c->in.len -= off;
	}
	if (c->in.len == 0)
		c->partial_since = 0;
	else if (c->partial_since == 0)
		c->partial_since = ev_now(s->loop);
}

/* ---- control socket: "release KEY" and "status" ------------------------ */

static void store_gauges(server *s);

/* release_key - forget KEY's counters in every rule and end its manual
 * block: the control socket's `release` and POST /api/release.  Returns
 * the counters cleared, plus one for a running block ended. */
static size_t release_key(server *s, const char *key, const char *who)
{
	size_t n = mw_rl_release(s->cfg->rules, s->store, key);
	char low[MW_RL_KEY_MAX + 1];
	mw_strlcpy(low, key, sizeof(low));
	mw_strlower(low);
	if (s->dash)
		n += dash_release(s->dash, low, (int64_t)(ev_now(s->loop) * 1000));
	slog(LOG_NOTICE, "release %s (%s): %zu counters cleared", key, who, n);
	return n;
}

/* dash_exec - an HTTP API action, on the loop thread */
static void dash_exec(void *ctx, dash_req *c)
{
	server *s = ctx;
	if (c->op == DASH_RELEASE) {
		c->released = release_key(s, c->key, "http");
		c->ok = true;
		return;
	}
	mw_err err;
	int64_t now_ms = (int64_t)(ev_now(s->loop) * 1000);
	c->ok = dash_block(s->dash, c->key, now_ms, c->duration_ms, &err) == MW_OK;
	if (c->ok)
		slog(LOG_NOTICE, "block %s (http): %lld s", c->key, (long long)(c->duration_ms / 1000));
	else
		mw_strlcpy(c->err, err.msg, sizeof(c->err));
}

/* control_line - one command */
static void control_line(server *s, conn *c, char *line)
{
	if (strncmp(line, "release ", 8) == 0 && line[8]) {
		size_t n = release_key(s, line + 8, "control socket");
		mw_buf_printf(&c->out, "ok %zu\n", n);
	} else if (strcmp(line, "status") == 0) {
		store_gauges(s);
		metrics_json(&s->metrics, &c->out);
		mw_buf_putc(&c->out, '\n');
	} else {
		mw_buf_puts(&c->out, "error unknown command\n");
	}
}

/* process_control - complete lines of a control connection */
static void process_control(server *s, conn *c)
{
	char *nl;
	while (!c->closing && (nl = memchr(c->in.data, '\n', c->in.len))) {
		*nl = '\0';
		if (nl > c->in.data && nl[-1] == '\r')
			nl[-1] = '\0';
		control_line(s, c, c->in.data);
		size_t used = (size_t)(nl - c->in.data) + 1;
		memmove(c->in.data, nl + 1, c->in.len - used);
		c->in.len -= used;
	}
	if (c->in.len > CONTROL_LINE_MAX)
		c->closing = true;
}

/* ---- sockets ------------------------------------------------------------ */

/* conn_io - readable and/or writable */
static void conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	conn *c = (conn *)w;
	server *s = c->srv;
	if (revents & EV_WRITE && !conn_flush(c))
		return;
	if (!(revents & EV_READ) || c->closing)
		return;
	char tmp[16384];
	for (int round = 0; round < 4; round++) {
		ssize_t n = read(c->io.fd, tmp, sizeof(tmp));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			if (c->in.len && !c->control)
				slog(LOG_WARNING, "client %s: closed in the middle of a request", c->peer);
			conn_close(c);
			return;
		}
		if (n < 0)
			break;
		lru_touch(s, c);
		if (mw_buf_append(&c->in, tmp, (size_t)n) != MW_OK) {
			mw_err err;
			mw_err_set(&err, MW_ETOOBIG, "request larger than %d bytes", MW_POLICY_REQ_MAX);
			refuse(s, c, &err);
			break;
		}
		if (c->control)
			process_control(s, c);
		else
			process_policy(s, c);
		if (c->closing || (size_t)n < sizeof(tmp))
			break;
	}
	if (c->out.len > OUT_MAX)
		c->closing = true;
	conn_flush(c);
}

/* evict_oldest - close the least recently active connection */
static void evict_oldest(server *s)
{
	conn *victim = s->head;
	if (!victim)
		return;
	atomic_fetch_add(&s->metrics.evicted, 1);
	if (ev_now(s->loop) - s->last_evict_log > 10) {
		slog(LOG_WARNING, "connection limit %zu reached: closing the least recently active "
				  "(%s); raise max_connections if this is Postfix", s->max_conns, victim->peer);
		s->last_evict_log = ev_now(s->loop);
	}
	conn_close(victim);
}

/* peer_name - printable peer of fd */
static void peer_name(int fd, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[48], serv[8];
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family != AF_UNIX &&
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(buf, n, "%.47s:%.7s", host, serv);
	else
		snprintf(buf, n, "unix:%d", fd);
}

/* accept_cb - take every pending connection */
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	server *s = w->data;
	bool control = s->lis_control[w - s->lis];
	for (int i = 0; i < 64; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				evict_oldest(s); /* frees a descriptor; retried on the next event */
				continue;
			}
			break;
		}
		if (s->nconns >= s->max_conns)
			evict_oldest(s);
		conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			break;
		}
		c->srv = s;
		c->control = control;
		mw_buf_init(&c->in, control ? CONTROL_LINE_MAX * 2 : MW_POLICY_REQ_MAX + sizeof(char[16384]));
		mw_buf_init(&c->out, OUT_MAX + 4096);
		peer_name(fd, c->peer, sizeof(c->peer));
		ev_io_init(&c->io, conn_io, fd, EV_READ);
		ev_io_start(loop, &c->io);
		s->nconns++;
		lru_touch(s, c);
		atomic_store(&s->metrics.connections, s->nconns);
	}
}

/* listen_on - bind one "HOST:PORT", "[V6]:PORT" or "unix:PATH" (mode for
 * the socket file); returns the fd or -1 with err set */
static int listen_on(const char *spec, mode_t mode, mw_err *err)
{
	int fd = -1;
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		if (mw_strlcpy(sun.sun_path, spec + 5, sizeof(sun.sun_path)) >= sizeof(sun.sun_path))
			return mw_err_set(err, MW_EINVAL, "%s: path too long", spec), -1;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		unlink(sun.sun_path);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    chmod(sun.sun_path, mode) < 0 || listen(fd, 1024) < 0)
			goto fail;
		return fd;
	}
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host))
		return mw_err_set(err, MW_EINVAL, "%s: want HOST:PORT or unix:PATH", spec), -1;
	const char *h = spec;
	size_t hl = (size_t)(colon - spec);
	if (h[0] == '[' && hl > 2 && h[hl - 1] == ']')
		h++, hl -= 2;
	memcpy(host, h, hl);
	host[hl] = '\0';
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				 .ai_socktype = SOCK_STREAM}, *ai = NULL;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
		return mw_err_set(err, MW_EINVAL, "%s: want a numeric address and port", spec), -1;
	int one = 1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		freeaddrinfo(ai);
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	mw_err_set(err, MW_EIO, "%s: %s", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ---- timers and signals ------------------------------------------------- */

/* store_gauges - publish keys and store state; log state changes */
static void store_gauges(server *s)
{
	bool degraded = mw_store_get_state(s->store) == MW_STORE_DEGRADED;
	if (degraded != (atomic_load(&s->metrics.degraded) != 0))
		slog(degraded ? LOG_ERR : LOG_NOTICE,
		     degraded ? "store %s unreachable: counting locally, retrying every second"
			      : "store %s reachable again: counters shared",
		     mw_store_name(s->store));
	atomic_store(&s->metrics.degraded, degraded);
	atomic_store(&s->metrics.keys, mw_store_keys(s->store));
}

/* sweep_cb - every second: timeouts, store upkeep, gauges */
static void sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	server *s = w->data;
	double now = ev_now(loop);
	for (conn *c = s->head, *next; c; c = next) {
		next = c->next;
		if (c->partial_since && now - c->partial_since > s->cfg->request_timeout_s) {
			slog(LOG_WARNING, "client %s: request not completed in %d s; closing", c->peer,
			     s->cfg->request_timeout_s);
			conn_close(c);
		} else if (now - c->last_active >
			   (c->closing ? s->cfg->request_timeout_s : s->cfg->idle_timeout_s)) {
			conn_close(c); /* idle, or closing but not reading its answers */
		}
	}
	int64_t now_ms = (int64_t)(now * 1000);
	size_t keys = mw_store_keys(s->store);
	mw_store_expire(s->store, now_ms, keys / 60 > 4096 ? keys / 60 : 4096);
	mw_err err;
	if (mw_store_flush(s->store, &err) != MW_OK)
		slog(LOG_ERR, "store flush: %s", err.msg);
	store_gauges(s);
	atomic_store(&s->metrics.milter_dropped, milter_bridge_dropped(s->milter));
	if (s->dash) {
		dash_tick(s->dash, now_ms, &err);
		if (err.code != MW_OK)
			slog(LOG_ERR, "rate history: %s", err.msg);
	}
	if (s->events && now - s->last_prune > 3600) {
		size_t n = 0;
		if (mw_eventlog_prune(s->events, now_ms, s->cfg->retention_ms, &n, &err) != MW_OK)
			slog(LOG_ERR, "event retention: %s", err.msg);
		else if (n)
			slog(LOG_INFO, "event retention: %zu old events deleted", n);
		s->last_prune = now;
	}
	if (s->draining && now > s->drain_deadline)
		ev_break(loop, EVBREAK_ALL);
}

/* same_str - helper for reload warnings */
static bool changed(const char *a, const char *b) { return strcmp(a, b) != 0; }

/* hup_cb - reload: build the new config fully, then swap */
static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	server *s = w->data;
	mw_err err;
	serve_config *n = serve_config_load(s->config_path, s->ov, &err);
	if (!n) {
		slog(LOG_ERR, "reload rejected, keeping the running configuration: %s", err.msg);
		return;
	}
	bool restart = n->nlisten != s->cfg->nlisten || changed(n->store, s->cfg->store) ||
		       changed(n->control, s->cfg->control) || changed(n->metrics, s->cfg->metrics) ||
		       changed(n->user, s->cfg->user) || changed(n->events_db, s->cfg->events_db) ||
		       changed(n->milter, s->cfg->milter);
	for (size_t i = 0; !restart && i < n->nlisten; i++)
		restart = changed(n->listen[i], s->cfg->listen[i]);
	if (restart)
		slog(LOG_WARNING, "reload: listen, control, metrics (http, http_*, dmarc_db, "
				  "audit_dir), user, store, events_db and milter changes take "
				  "effect at the next restart");
	if (s->milter)
		slog(LOG_NOTICE, "reload: the [milter] section is read at start only; its rules, "
				 "thresholds and alerts here apply to scan holds at once");
	if (logfollow_apply(s->logs, &n->logwatch, &err) != MW_OK)
		slog(LOG_ERR, "reload: [logwatch] kept as it was: %s", err.msg);
	serve_config *old = s->cfg;
	s->cfg = n;
	serve_config_free(old);
	slog(LOG_NOTICE, "configuration reloaded: %zu rules", n->rules->nrules);
}

/* term_cb - stop accepting, finish what is in flight, then leave the loop */
static void term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	begin_drain(w->data, w->signum);
}

/* begin_drain - SIGTERM/SIGINT (signum) or a stopped milter (0): the milter
 * stops accepting, in-flight policy requests are answered, the loop ends */
static void begin_drain(server *s, int signum)
{
	struct ev_loop *loop = s->loop;
	if (s->draining)
		return;
	if (signum)
		slog(LOG_NOTICE, "signal %d: draining %zu connections", signum, s->nconns);
	milter_bridge_request_stop(s->milter);
	s->draining = true;
	s->drain_deadline = ev_now(loop) + DRAIN_MAX_S;
	for (int i = 0; i < s->nlis; i++) {
		ev_io_stop(loop, &s->lis[i]);
		close(s->lis[i].fd);
	}
	for (conn *c = s->head, *next; c; c = next) {
		next = c->next;
		if (c->in.len == 0 && c->out.len == 0)
			conn_close(c);
	}
	if (s->nconns == 0)
		ev_break(loop, EVBREAK_ALL);
}

/* child_cb - reap alert children */
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)loop;
	(void)revents;
	server *s = w->data;
	if (s->alerts_inflight > 0)
		s->alerts_inflight--;
	if (!WIFEXITED(w->rstatus) || WEXITSTATUS(w->rstatus) != 0)
		slog(LOG_WARNING, "alert delivery (pid %d) failed with status %d", w->rpid,
		     WIFEXITED(w->rstatus) ? WEXITSTATUS(w->rstatus) : 128 + WTERMSIG(w->rstatus));
}

/* ---- start-up ------------------------------------------------------------ */

/* drop_privileges - become the configured user, top to bottom: look up the
 * user, set supplementary groups, gid, uid; check root cannot come back.
 * No chroot: the config (reload) and the SQLite files live outside one. */
static bool drop_privileges(const char *user, mw_err *err)
{
	if (!user[0])
		return true;
	if (geteuid() != 0) {
		slog(LOG_WARNING, "not running as root: user = %s ignored", user);
		return true;
	}
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return mw_err_set(err, MW_EINVAL, "user %s: no such user", user), false;
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return mw_err_set(err, MW_EIO, "becoming %s: %s", user, strerror(errno)), false;
	if (setuid(0) == 0)
		return mw_err_set(err, MW_EIO, "still able to become root after dropping"), false;
	return true;
}

/* open_sockets - every listener (policy: mode 0666, access is governed by
 * the directory, as for Postfix's own sockets; control: 0600) */
static bool open_sockets(server *s, mw_err *err)
{
	for (size_t i = 0; i <= s->cfg->nlisten; i++) {
		bool control = i == s->cfg->nlisten;
		const char *spec = control ? s->cfg->control : s->cfg->listen[i];
		if (!spec[0])
			continue;
		int fd = listen_on(spec, control ? 0600 : 0666, err);
		if (fd < 0)
			return false;
		s->lis_control[s->nlis] = control;
		mw_strlcpy(s->lis_path[s->nlis], spec, SERVE_PATH_MAX);
		ev_io_init(&s->lis[s->nlis], accept_cb, fd, EV_READ);
		s->lis[s->nlis].data = s;
		s->nlis++;
	}
	return true;
}

/* open_state - store and event history (after the privilege drop, so
 * their files belong to the service user) */
static bool open_state(server *s, mw_err *err)
{
	s->store = mw_store_open_spec(s->cfg->store, s->cfg->store_timeout_ms, s->cfg->max_keys, err);
	if (!s->store)
		return false;
	mw_strlcpy(s->metrics.store_name, mw_store_name(s->store), sizeof(s->metrics.store_name));
	if (s->cfg->events_db[0] && !(s->events = mw_eventlog_open(s->cfg->events_db, false, err)))
		return false;
	if (s->cfg->metrics[0] &&
	    !(s->dash = dash_new(s->loop, dash_exec, s, s->cfg->events_db[0] ? s->cfg->events_db : NULL,
				 s->cfg->history_keys, err)))
		return false;
	if (s->dash)
		dash_seed(s->dash, s->cfg->rules, s->store, s->events, (int64_t)(ev_time() * 1000));
	if (!(s->logs = logfollow_new(s->loop, &s->metrics, deliver_log, s)))
		return mw_err_set(err, MW_ENOMEM, "out of memory"), false;
	return logfollow_apply(s->logs, &s->cfg->logwatch, err) == MW_OK;
}

/* open_milter - [milter] with a socket, or `milter = SOCKET` in [serve]:
 * register and bind now (before the privilege drop); started later */
static bool open_milter(server *s, mw_err *err)
{
	if (s->cfg->milter[0]) {
		mw_strlcpy(s->mcfg->socket, s->cfg->milter, sizeof(s->mcfg->socket));
		s->mcfg->socket_set = strcmp(s->cfg->milter, "off") != 0;
	}
	if (!s->mcfg->socket_set) {
		milter_config_free(s->mcfg);
		s->mcfg = NULL;
		return true;
	}
	if (!s->mcfg->events_db[0]) /* DMARC results for aggregate reports go to serve's file */
		mw_strlcpy(s->mcfg->events_db, s->cfg->events_db, sizeof(s->mcfg->events_db));
	int rc = 0;
	s->milter = milter_bridge_open(s->loop, s->mcfg, scan_hold, s, &rc);
	if (!s->milter)
		return mw_err_set(err, MW_EIO, "milter on %s: %s", s->mcfg->socket,
				  rc == 3 ? "cannot listen" : "cannot start (DNS or config)"), false;
	return true;
}

/* raise_nofile - allow as many descriptors as the hard limit */
static size_t raise_nofile(size_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + 64)
			want = rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 64;
	}
	return want;
}

/* run_loop - watchers on, loop, watchers off */
static void run_loop(server *s)
{
	for (int i = 0; i < s->nlis; i++)
		ev_io_start(s->loop, &s->lis[i]);
	ev_timer_init(&s->sweep, sweep_cb, 1.0, 1.0);
	s->sweep.data = s;
	ev_timer_start(s->loop, &s->sweep);
	ev_signal_init(&s->sighup, hup_cb, SIGHUP);
	ev_signal_init(&s->sigterm, term_cb, SIGTERM);
	ev_signal_init(&s->sigint, term_cb, SIGINT);
	s->sighup.data = s->sigterm.data = s->sigint.data = s;
	ev_signal_start(s->loop, &s->sighup);
	ev_signal_start(s->loop, &s->sigterm);
	ev_signal_start(s->loop, &s->sigint);
	ev_child_init(&s->child, child_cb, 0, 0);
	s->child.data = s;
	ev_child_start(s->loop, &s->child);
	ev_run(s->loop, 0);
}

/* serve_run - the whole life of the daemon */
int serve_run(const char *config_path, const serve_overrides *ov, bool log_stderr_forced)
{
	static server srv; /* large (verdict, event); one per process */
	server *s = &srv;
	mw_err err;
	int rc = 1;
	s->config_path = config_path;
	s->ov = ov;
	s->cfg = serve_config_load(config_path, ov, &err);
	if (!s->cfg) {
		fprintf(stderr, "mailwarden serve: %s\n", err.msg);
		return 2;
	}
	if (!(s->mcfg = milter_config_load(config_path, &err))) {
		fprintf(stderr, "mailwarden serve: [milter]: %s\n", err.msg);
		serve_config_free(s->cfg);
		return 2;
	}
	g_syslog = s->cfg->log_syslog && !log_stderr_forced;
	if (g_syslog)
		openlog("mailwarden", LOG_PID | LOG_NDELAY, LOG_MAIL);
	milter_log_use_syslog(g_syslog);
	signal(SIGPIPE, SIG_IGN);
	s->loop = ev_default_loop(EVFLAG_AUTO);
	s->max_conns = raise_nofile(s->cfg->max_connections);
	s->metrics.started_ms = (int64_t)(ev_time() * 1000);
	s->http_fd = -1;
	if (!open_sockets(s, &err) ||
	    (s->cfg->metrics[0] && (!http_ctx_init(&s->http, s->cfg, &s->metrics, &err) ||
				    (s->http_fd = http_bind(s->cfg->metrics, &err)) < 0)) ||
	    !open_milter(s, &err) || !drop_privileges(s->cfg->user, &err) || !open_state(s, &err) ||
	    (s->milter && !milter_bridge_start(s->milter, &err))) {
		slog(LOG_ERR, "cannot start: %s", err.msg);
		goto out;
	}
	s->http.dash = s->dash;
	if (s->http_fd >= 0 && !(s->mhd = http_start_fd(&s->http, s->http_fd, &err))) {
		s->http_fd = -1; /* closed by http_start_fd */
		slog(LOG_ERR, "cannot start: %s", err.msg);
		goto out;
	}
	slog(LOG_NOTICE, "policy service ready: %zu listeners, store %s, %zu rules, %zu log files%s%s%s%s",
	     s->cfg->nlisten, mw_store_name(s->store), s->cfg->rules->nrules, s->cfg->logwatch.nfiles,
	     s->cfg->metrics[0] ? (s->http.tls ? ", HTTPS on " : ", HTTP on ") : "", s->cfg->metrics,
	     s->milter ? ", milter on " : "", s->milter ? s->mcfg->socket : "");
	run_loop(s);
	slog(LOG_NOTICE, "stopping: %zu connections left", s->nconns);
	rc = s->exit_rc;
out:
	milter_bridge_stop(s->milter); /* joins libmilter; queued holds still reach the store */
	if (milter_bridge_dropped(s->milter))
		slog(LOG_WARNING, "%lu milter hold events dropped (queue full)",
		     milter_bridge_dropped(s->milter));
	while (s->head)
		conn_close(s->head);
	for (int i = 0; i < s->nlis; i++) {
		if (!s->draining)
			close(s->lis[i].fd);
		if (strncmp(s->lis_path[i], "unix:", 5) == 0)
			unlink(s->lis_path[i] + 5);
	}
	logfollow_free(s->logs); /* reads what is left: its events still reach the history */
	dash_stop(s->dash);      /* HTTP calls waiting for the loop fail now */
	http_stop(s->mhd);
	if (!s->mhd && s->http_fd >= 0)
		close(s->http_fd);
	http_ctx_free(&s->http);
	dash_free(s->dash);
	if (s->store && mw_store_flush(s->store, &err) != MW_OK) {
		slog(LOG_ERR, "final store flush: %s", err.msg);
		rc = 1;
	}
	mw_store_free(s->store);
	mw_eventlog_close(s->events);
	serve_config_free(s->cfg);
	milter_config_free(s->mcfg);
	return rc;
}
