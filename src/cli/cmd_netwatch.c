/*
 * cli/cmd_netwatch.c - `mailwarden netwatch`: which process talks to a mail
 * port.  One-shot table, or --watch: one sample per interval plus, with
 * --nflog, every logged SYN (short connections).
 *
 * SECURITY
 *   Runs unprivileged in a reduced mode (own processes only); as root it
 *   reads every process's /proc entries.  --nflog needs root: it loads a
 *   log-only nft table (inet mailwarden_watch) and removes it on exit.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "netwatch/firewall.h"
#include "netwatch/netwatch.h"
#include "netwatch/nflog.h"
#include "netwatch/nwevent.h"
#include "store/eventlog.h"

typedef struct nw_opts {
	bool json, watch, all, nflog, nflog_rule, stats;
	long interval_ms;
	long count; /* samples before stopping; 0 = until a signal */
	uint16_t group;
	const char *events_db; /* --events-db: suspects recorded as events */
	mw_nw_config cfg;
} nw_opts;

typedef struct nw_run {
	const nw_opts *o;
	uint64_t shown, suspects;
	json_t *list; /* one-shot --json */
	mw_eventlog *events; /* --events-db */
	uint64_t stored;
} nw_run;

static volatile sig_atomic_t stop_flag;

/* on_signal - ask the watch loop to stop */
static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailwarden netwatch [options]\n\n"
		"List processes with TCP connections to remote mail ports and flag those\n"
		"that are not the MTA (a web application talking straight to MX servers).\n\n"
		"  --watch             keep sampling; report each new connection once\n"
		"  --interval MS       sampling interval (default %d, minimum %d)\n"
		"  --count N           stop after N samples (watch mode)\n"
		"  --nflog             also read SYNs logged by nftables (root): catches\n"
		"                      connections shorter than the interval; installs a\n"
		"                      log-only table inet mailwarden_watch until exit\n"
		"  --nflog-group N     NFLOG group (default %d, as `mailwarden firewall`)\n"
		"  --no-nflog-rule     with --nflog: do not install the rule (use your own)\n"
		"  --ports LIST        remote ports (default 25,465,587,2525)\n"
		"  --mta-user NAME     another MTA user (defaults: postfix Debian-exim exim\n"
		"                      smmta smmsp sendmail); repeatable\n"
		"  --mta-bin PATH      another MTA executable (full path, or base name)\n"
		"  --no-default-mta    forget the default MTA users and binaries\n"
		"  --all               also show MTA and loopback (local submission) ones\n"
		"  --stats             CPU time per sample on stderr at the end\n"
		"  --json              JSON (watch mode: one object per line)\n"
		"  --events-db PATH    also record each non-MTA connection as an event\n"
		"                      (source netwatch) in the daemon's event file\n\n"
		"Exit: 0 nothing suspicious, 1 a non-MTA connection was seen, 2 usage,\n"
		"3 error.  Without root only your own processes are shown.\n",
		MW_NW_INTERVAL_DEF_MS, MW_NW_INTERVAL_MIN_MS, MW_NW_NFLOG_GROUP_DEF);
}

/* endpoint - "1.2.3.4:25" or "[::1]:25" */
static void endpoint(const mw_ip *ip, uint16_t port, char *buf, size_t n)
{
	char a[MW_IP_STR_MAX];
	mw_ip_format(ip, a, sizeof(a));
	if (ip->family == 6)
		snprintf(buf, n, "[%s]:%u", a, port);
	else
		snprintf(buf, n, "%s:%u", a, port);
}

/* fmt_time - local "YYYY-MM-DD HH:MM:SS" ("-" for 0) */
static void fmt_time(int64_t secs, char *buf, size_t n)
{
	if (secs <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* now_ms - wall clock in milliseconds */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* print_row - one table row; since = process start (one-shot) or first seen (watch) */
static void print_row(const nw_opts *o, const mw_nw_event *ev)
{
	char l[80], r[80], since[32], pid[16];
	endpoint(&ev->sock.local, ev->sock.lport, l, sizeof(l));
	endpoint(&ev->sock.remote, ev->sock.rport, r, sizeof(r));
	fmt_time(o->watch ? ev->first_seen_ms / 1000 : ev->proc.start_time, since, sizeof(since));
	snprintf(pid, sizeof(pid), "%d", ev->proc.pid);
	const char *cmd = ev->proc.cmdline && ev->proc.cmdline[0] ? ev->proc.cmdline : "?";
	printf("%-7s %-8s %-12.12s %-36.36s %s -> %s  %s  %s%s%s\n", ev->proc.pid ? pid : "?",
	       mw_nw_class_name(ev->cls), ev->proc.user[0] ? ev->proc.user : "?", cmd, l, r, since,
	       ev->source == MW_NW_FROM_LOG ? "[logged SYN, process gone] " : "",
	       ev->proc.unit[0] ? "unit=" : "", ev->proc.unit);
	fflush(stdout);
}

/* print_header - the table's column names */
static void print_header(const nw_opts *o)
{
	printf("%-7s %-8s %-12s %-36s %s\n", "PID", "CLASS", "USER", "COMMAND",
	       o->watch ? "LOCAL -> REMOTE  SINCE(first seen)" : "LOCAL -> REMOTE  SINCE(process start)");
	fflush(stdout);
}

/* record - a suspect connection into the event log (--events-db), where
 * `mailwarden events` and the daemon's dashboard (/api/netwatch) read it */
static void record(nw_run *run, const mw_nw_event *ev)
{
	if (!run->events)
		return;
	mw_event se;
	mw_err err = {0};
	mw_nw_event_to_store(ev, &se);
	if (mw_eventlog_add(run->events, &se, &err) == MW_OK)
		run->stored++;
	else
		fprintf(stderr, "mailwarden netwatch: event not stored: %s\n", err.msg);
}

/* on_event - library callback: filter by class and print */
static void on_event(const mw_nw_event *ev, void *ud)
{
	nw_run *run = ud;
	if (ev->cls == MW_NW_SUSPECT) {
		run->suspects++;
		record(run, ev);
	}
	if (ev->cls != MW_NW_SUSPECT && !run->o->all)
		return;
	run->shown++;
	if (run->o->json) {
		json_t *j = mw_nw_event_to_json(ev);
		if (j == NULL)
			return;
		if (run->list) {
			json_array_append_new(run->list, j);
			return;
		}
		char *s = json_dumps(j, JSON_COMPACT);
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
		fflush(stdout);
		return;
	}
	print_row(run->o, ev);
}

/* parse_long - whole-string decimal in [lo, hi] */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* parse_args - fill o; returns -1 to go on, else an exit code */
static int parse_args(int argc, char **argv, nw_opts *o)
{
	mw_err err = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--watch")) {
			o->watch = true;
		} else if (!strcmp(a, "--all")) {
			o->all = true;
		} else if (!strcmp(a, "--stats")) {
			o->stats = true;
		} else if (!strcmp(a, "--nflog")) {
			o->nflog = true;
		} else if (!strcmp(a, "--no-nflog-rule")) {
			o->nflog_rule = false;
		} else if (!strcmp(a, "--no-default-mta")) {
			mw_nw_mta_clear(&o->cfg.mta);
		} else if (v == NULL && (!strcmp(a, "--interval") || !strcmp(a, "--count") ||
					 !strcmp(a, "--nflog-group") || !strcmp(a, "--ports") ||
					 !strcmp(a, "--mta-user") || !strcmp(a, "--mta-bin") ||
					 !strcmp(a, "--events-db"))) {
			return cli_usage_error("netwatch", "%s needs a value", a);
		} else if (!strcmp(a, "--interval")) {
			if (!parse_long(v, MW_NW_INTERVAL_MIN_MS, 3600000, &o->interval_ms))
				return cli_usage_error("netwatch", "bad --interval '%s' (ms, >= %d)", v,
						       MW_NW_INTERVAL_MIN_MS);
			i++;
		} else if (!strcmp(a, "--count")) {
			if (!parse_long(v, 1, 1000000000, &o->count))
				return cli_usage_error("netwatch", "bad --count '%s'", v);
			i++;
		} else if (!strcmp(a, "--nflog-group")) {
			if (!parse_long(v, 0, 65535, &n))
				return cli_usage_error("netwatch", "bad --nflog-group '%s'", v);
			o->group = (uint16_t)n;
			i++;
		} else if (!strcmp(a, "--ports")) {
			if (!mw_nw_ports_parse(v, &o->cfg.ports, &err))
				return cli_usage_error("netwatch", "%s", err.msg);
			i++;
		} else if (!strcmp(a, "--mta-user")) {
			if (mw_nw_mta_add_user(&o->cfg.mta, v, &err) != MW_OK)
				return cli_usage_error("netwatch", "%s", err.msg);
			i++;
		} else if (!strcmp(a, "--events-db")) {
			o->events_db = v;
			i++;
		} else if (!strcmp(a, "--mta-bin")) {
			if (mw_nw_mta_add_bin(&o->cfg.mta, v, &err) != MW_OK)
				return cli_usage_error("netwatch", "%s", err.msg);
			i++;
		} else {
			return cli_usage_error("netwatch", "unknown option '%s'", a);
		}
	}
	if ((o->count || o->nflog) && !o->watch)
		return cli_usage_error("netwatch", "--count and --nflog go with --watch");
	return -1;
}

/* cpu_us - user+system CPU time of this process in microseconds */
static int64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

/* on_logged - NFLOG callback: hand the packet to the sampler */
typedef struct log_ctx {
	mw_netwatch *nw;
	nw_run *run;
	mw_status st;
	mw_err err;
} log_ctx;

static void on_logged(const mw_nw_pkt *pkt, long long uid, void *ud)
{
	log_ctx *c = ud;
	mw_status st = mw_netwatch_logged(c->nw, pkt, uid, now_ms(), on_event, c->run, &c->err);
	if (st != MW_OK)
		c->st = st;
}

/* wait_input - poll the NFLOG fd until deadline; dispatch what arrives and
 * let the sampler resolve logged SYNs when their (rate-limited) turn comes */
static int wait_input(mw_nflog *nl, mw_netwatch *nw, nw_run *run, int64_t deadline)
{
	for (;;) {
		int64_t now = now_ms(), until = deadline;
		int64_t nf = mw_netwatch_next_flush(nw);
		if (nf && nf < until)
			until = nf;
		if (deadline - now <= 0 || stop_flag)
			return 0;
		int64_t left = until - now > 0 ? until - now : 0;
		if (nl == NULL) {
			struct timespec ts = {left / 1000, (left % 1000) * 1000000};
			nanosleep(&ts, NULL);
			continue;
		}
		struct pollfd pfd = {.fd = mw_nflog_fd(nl), .events = POLLIN};
		int r = poll(&pfd, 1, (int)left);
		log_ctx c = {.nw = nw, .run = run, .st = MW_OK};
		mw_err err = {0};
		mw_status st = MW_OK;
		if (r > 0)
			st = mw_nflog_read(nl, on_logged, &c, NULL, &err);
		if (st == MW_ETEMP)
			fprintf(stderr, "mailwarden netwatch: %s\n", err.msg);
		else if (st != MW_OK || c.st != MW_OK) {
			fprintf(stderr, "mailwarden netwatch: %s\n", st != MW_OK ? err.msg : c.err.msg);
			return -1;
		}
		if (mw_netwatch_flush(nw, now_ms(), on_event, run, &err) != MW_OK) {
			fprintf(stderr, "mailwarden netwatch: %s\n", err.msg);
			return -1;
		}
	}
}

/* setup_nflog - install the watch rule (unless told not to) and bind the group */
static mw_nflog *setup_nflog(const nw_opts *o, bool *installed)
{
	mw_err err = {0};
	*installed = false;
	if (!mw_nflog_available()) {
		mw_nflog_open(o->group, &err);
		fprintf(stderr, "mailwarden netwatch: --nflog: %s\n", err.msg);
		return NULL;
	}
	mw_nflog *nl = mw_nflog_open(o->group, &err);
	if (nl == NULL) {
		fprintf(stderr, "mailwarden netwatch: --nflog: %s\n", err.msg);
		return NULL;
	}
	if (o->nflog_rule) {
		if (mw_fw_watch_install(&o->cfg.ports, o->group, &err) != MW_OK) {
			fprintf(stderr, "mailwarden netwatch: --nflog rule: %s\n", err.msg);
			mw_nflog_close(nl);
			return NULL;
		}
		*installed = true;
	}
	return nl;
}

/* run_watch - the sampling loop */
static int run_watch(const nw_opts *o, mw_netwatch *nw, nw_run *run)
{
	bool installed = false;
	mw_nflog *nl = NULL;
	if (o->nflog && (nl = setup_nflog(o, &installed)) == NULL)
		return CLI_EXIT_ERROR;
	if (!o->json)
		print_header(o);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int rc = CLI_EXIT_OK;
	int64_t cpu0 = cpu_us(), cpu_first = 0;
	long samples = 0;
	mw_err err = {0};
	while (!stop_flag) {
		int64_t t0 = now_ms();
		if (mw_netwatch_sample(nw, t0, on_event, run, &err) != MW_OK) {
			fprintf(stderr, "mailwarden netwatch: %s\n", err.msg);
			rc = CLI_EXIT_ERROR;
			break;
		}
		if (++samples == 1)
			cpu_first = cpu_us() - cpu0;
		if (o->count && samples >= o->count)
			break;
		if (wait_input(nl, nw, run, t0 + o->interval_ms) < 0) {
			rc = CLI_EXIT_ERROR;
			break;
		}
	}
	if (installed && mw_fw_watch_remove(&err) != MW_OK)
		fprintf(stderr, "mailwarden netwatch: removing the watch rule: %s\n", err.msg);
	mw_nflog_close(nl);
	if (o->stats) {
		int64_t total = cpu_us() - cpu0;
		const mw_nw_stats *s = mw_netwatch_stats(nw);
		fprintf(stderr,
			"netwatch stats: samples=%ld sockets=%llu first_sample_cpu_us=%lld "
			"later_samples_cpu_us_avg=%.1f proc_scans=%llu events=%llu\n",
			samples, (unsigned long long)s->sockets, (long long)cpu_first,
			samples > 1 ? (double)(total - cpu_first) / (double)(samples - 1) : 0.0,
			(unsigned long long)s->proc_scans, (unsigned long long)s->events);
	}
	if (rc == CLI_EXIT_OK && run->suspects)
		rc = CLI_EXIT_FINDING;
	return rc;
}

/* run_once - one sample as a table or a JSON document */
static int run_once(const nw_opts *o, mw_netwatch *nw, nw_run *run)
{
	mw_err err = {0};
	if (o->json)
		run->list = json_array();
	else
		print_header(o);
	if (mw_netwatch_sample(nw, now_ms(), on_event, run, &err) != MW_OK) {
		fprintf(stderr, "mailwarden netwatch: %s\n", err.msg);
		json_decref(run->list);
		return CLI_EXIT_ERROR;
	}
	const mw_nw_stats *s = mw_netwatch_stats(nw);
	if (o->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "reduced", json_boolean(o->cfg.only_uid >= 0));
		json_object_set_new(doc, "hidden_sockets", json_integer((json_int_t)s->hidden));
		json_object_set_new(doc, "sockets", json_integer((json_int_t)s->sockets));
		json_object_set_new(doc, "suspects", json_integer((json_int_t)run->suspects));
		json_object_set_new(doc, "connections", run->list);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else if (run->shown == 0) {
		printf("(no %sconnection to ports", o->all ? "" : "non-MTA ");
		for (size_t i = 0; i < o->cfg.ports.n; i++)
			printf("%s%u", i ? "," : " ", o->cfg.ports.port[i]);
		printf(")\n");
	}
	if (o->cfg.only_uid >= 0 && s->hidden)
		fprintf(stderr, "mailwarden netwatch: %llu socket(s) of other users hidden\n",
			(unsigned long long)s->hidden);
	return run->suspects ? CLI_EXIT_FINDING : CLI_EXIT_OK;
}

int cmd_netwatch(int argc, char **argv)
{
	nw_opts o = {.interval_ms = MW_NW_INTERVAL_DEF_MS, .group = MW_NW_NFLOG_GROUP_DEF,
		     .nflog_rule = true};
	mw_nw_config_default(&o.cfg);
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (geteuid() != 0) {
		o.cfg.only_uid = (long long)getuid();
		fprintf(stderr,
			"mailwarden netwatch: not running as root: reduced mode, only your own "
			"processes (uid %u) are shown; run as root to see every process.\n",
			(unsigned)getuid());
		if (o.nflog)
			return cli_usage_error("netwatch", "--nflog needs root (CAP_NET_ADMIN)");
	}
	mw_err err = {0};
	mw_netwatch *nw = mw_netwatch_new(&o.cfg, &err);
	if (nw == NULL) {
		fprintf(stderr, "mailwarden netwatch: %s\n", err.msg);
		return CLI_EXIT_ERROR;
	}
	nw_run run = {.o = &o};
	if (o.events_db && !(run.events = mw_eventlog_open(o.events_db, false, &err))) {
		fprintf(stderr, "mailwarden netwatch: --events-db: %s\n", err.msg);
		mw_netwatch_free(nw);
		return CLI_EXIT_ERROR;
	}
	rc = o.watch ? run_watch(&o, nw, &run) : run_once(&o, nw, &run);
	if (run.events && o.stats)
		fprintf(stderr, "mailwarden netwatch: %llu event(s) stored in %s\n",
			(unsigned long long)run.stored, o.events_db);
	mw_eventlog_close(run.events);
	mw_netwatch_free(nw);
	return rc;
}
