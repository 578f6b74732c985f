/*
 * cli/cmd_logscan.c - `mailwarden logscan FILE...` (offline report) and
 * `mailwarden logwatch FILE...` (follow files, print findings as they arise).
 *
 * Both are thin: parsing, correlation and detection live in src/logwatch/.
 * The human report is rendered from the same JSON document as --json, so
 * the two never disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "logwatch/follow.h"
#include "logwatch/logread.h"
#include "logwatch/logscan.h"
#include "logwatch/logevent.h"
#include "logwatch/pipeline.h"
#include "store/eventlog.h"

typedef struct scan_ctx {
	mw_logscan *scan;
	mw_logtime_ctx tc;
	bool echo;     /* logwatch --echo: print every line read */
	bool json;
	const char *name;
	uint64_t total, done_before; /* progress */
	double last_progress;
	bool progress;
	int threads;
	mw_eventlog *events; /* --events: shared event store, or NULL */
	mw_logscan_opts opts;
	uint64_t stored, store_errors;
} scan_ctx;

/* store_event - one finding into the event store */
static void store_event(scan_ctx *c, const mw_finding *f)
{
	mw_event ev;
	mw_err err;
	if (!c->events)
		return;
	mw_finding_to_event(f, &c->opts, &ev);
	if (mw_eventlog_add(c->events, &ev, &err) == MW_OK) {
		c->stored++;
	} else if (c->store_errors++ == 0) {
		fprintf(stderr, "mailwarden: event store: %s\n", err.msg);
	}
}

/* open_events - --events PATH; false (message printed) on failure */
static bool open_events(scan_ctx *c, const char *path)
{
	mw_err err;
	if (!path)
		return true;
	c->events = mw_eventlog_open(path, false, &err);
	if (!c->events)
		fprintf(stderr, "mailwarden: %s: %s\n", path, err.msg);
	return c->events != NULL;
}

/* now_s - monotonic seconds */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* on_line - reader/follower callback */
static int on_line(void *ctx, const char *line, size_t len)
{
	scan_ctx *c = ctx;
	if (c->echo) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	}
	mw_logscan_line(c->scan, &c->tc, line, len);
	return 0;
}

/* on_progress - "\rlogscan: N/M MB" on a terminal, twice a second at most */
static void on_progress(void *ctx, uint64_t raw)
{
	scan_ctx *c = ctx;
	if (!c->progress)
		return;
	double t = now_s();
	if (t - c->last_progress < 0.5)
		return;
	c->last_progress = t;
	uint64_t done = c->done_before + raw;
	fprintf(stderr, "\rlogscan: %s  %llu / %llu MB (%.0f%%)   ", c->name,
		(unsigned long long)(done >> 20), (unsigned long long)(c->total >> 20),
		c->total ? 100.0 * (double)done / (double)c->total : 0.0);
}

/* scan_file - one path ("-" = stdin); false on an input error */
static bool scan_file(scan_ctx *c, const char *path)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mailwarden logscan: %s: %s\n", path, strerror(errno));
		return false;
	}
	struct stat st;
	int64_t ref = (int64_t)time(NULL);
	if (fd != 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		ref = (int64_t)st.st_mtime; /* year inference relative to the last write */
	mw_logtime_init(&c->tc, ref);
	c->name = path;
	mw_logread_stats rs;
	mw_err err;
	mw_status rc = mw_logscan_fd(c->scan, fd, &c->tc, c->threads, on_progress, c, &rs, &err);
	c->done_before += rs.raw_bytes;
	if (fd != 0)
		close(fd);
	mw_logscan_note(c->scan, "oversized_lines", rs.oversized);
	if (rs.truncated_gzip) {
		mw_logscan_note(c->scan, "truncated_gzip", 1);
		fprintf(stderr, "mailwarden logscan: %s: compressed data ends early (truncated gzip); "
				"lines before the cut were read\n", path);
	}
	if (rc != MW_OK) {
		mw_logscan_note(c->scan, "read_errors", 1);
		fprintf(stderr, "mailwarden logscan: %s: %s\n", path, err.msg);
		return false;
	}
	return true;
}

typedef struct farg {
	const char *path;
	time_t mtime;
	int order;
} farg;

/* by_mtime - oldest first, so mail.log.2.gz comes before mail.log */
static int by_mtime(const void *a, const void *b)
{
	const farg *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return x->order - y->order;
}

/* usage_logscan - --help text */
static void usage_logscan(FILE *out)
{
	fprintf(out,
		"usage: mailwarden logscan FILE... [options]\n"
		"\n"
		"Abuse-focused report of Postfix/Sendmail logs: top senders, rate breaches,\n"
		"remote blocks by destination, SASL attacks, backscatter, local injection.\n"
		"FILE may be '-' (standard input) and may be gzip-compressed (mail.log.2.gz).\n"
		"Files are read oldest first (by modification time).\n"
		"\n"
		"options:\n"
		"  --since T          ignore lines before T (2026-11-23, '2026-11-23 10:00',\n"
		"                     RFC 3339, or relative: 30m, 2h, 7d ago)\n"
		"  --until T          ignore lines after T\n"
		"  --json             complete report as JSON\n"
		"  --top N            entries per top list (default 10)\n"
		"  --rate-limit N     alert above N messages per window and key (default 100)\n"
		"  --rate-window S    window in seconds (default 300)\n"
		"  --auth-limit N     SASL failures per IP or username to report (default 10)\n"
		"  --threads N        1 = single-threaded; 2 (default) parses on a second core\n"
		"  --events PATH      also store each finding in the event log (SQLite file\n"
		"                     shared with `serve`; list with `mailwarden events --db`)\n"
		"  --help             this text\n"
		"\n"
		"exit: 0 no finding, 1 findings, 2 usage or unreadable input\n");
}

enum { OPT_SINCE = 256, OPT_UNTIL, OPT_JSON, OPT_TOP, OPT_RATE, OPT_WINDOW, OPT_AUTH,
       OPT_FROMSTART, OPT_ECHO, OPT_INTERVAL, OPT_THREADS, OPT_EVENTS, OPT_HELP };

/* parse_common - options shared by logscan and logwatch; 0 ok, else exit code */
static int parse_common(const char *cmd, int opt, const char *arg, mw_logscan_opts *o,
			bool *json, unsigned *top)
{
	int64_t now = (int64_t)time(NULL);
	char *end;
	switch (opt) {
	case OPT_SINCE:
	case OPT_UNTIL:
		if (!mw_logtime_parse_arg(arg, now, opt == OPT_SINCE ? &o->since : &o->until))
			return cli_usage_error(cmd, "bad time '%s'", arg);
		return 0;
	case OPT_JSON: *json = true; return 0;
	case OPT_TOP:
	case OPT_RATE:
	case OPT_WINDOW:
	case OPT_AUTH: {
		unsigned long v = strtoul(arg, &end, 10);
		if (*end || v == 0 || v > 1000000)
			return cli_usage_error(cmd, "bad number '%s'", arg);
		if (opt == OPT_TOP)
			*top = (unsigned)v;
		else if (opt == OPT_RATE)
			o->rate_limit = (uint32_t)v;
		else if (opt == OPT_WINDOW)
			o->rate_window = (int64_t)v;
		else
			o->auth_ip_limit = o->auth_user_limit = (uint32_t)v;
		return 0;
	}
	}
	return cli_usage_error(cmd, "unknown option");
}

static const struct option common_opts[] = {
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"json", no_argument, NULL, OPT_JSON},
	{"top", required_argument, NULL, OPT_TOP},
	{"rate-limit", required_argument, NULL, OPT_RATE},
	{"rate-window", required_argument, NULL, OPT_WINDOW},
	{"auth-limit", required_argument, NULL, OPT_AUTH},
	{"from-start", no_argument, NULL, OPT_FROMSTART},
	{"echo", no_argument, NULL, OPT_ECHO},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"events", required_argument, NULL, OPT_EVENTS},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

void cli_logscan_print_human(json_t *r, FILE *out);

int cmd_logscan(int argc, char **argv)
{
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	bool json = false;
	unsigned top = 10;
	int opt, threads = 2;
	const char *events_path = NULL;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", common_opts, NULL)) != -1) {
		if (opt == OPT_HELP || opt == 'h') {
			usage_logscan(stdout);
			return CLI_EXIT_OK;
		}
		if (opt == OPT_FROMSTART || opt == OPT_ECHO || opt == OPT_INTERVAL || opt == '?')
			return cli_usage_error("logscan", "unknown option");
		if (opt == OPT_THREADS) {
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
				return cli_usage_error("logscan", "--threads is 1 or 2");
			threads = optarg[0] - '0';
			continue;
		}
		if (opt == OPT_EVENTS) {
			events_path = optarg;
			continue;
		}
		int rc = parse_common("logscan", opt, optarg, &o, &json, &top);
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error("logscan", "no FILE given ('-' reads standard input)");
	size_t nf = (size_t)(argc - optind);
	farg *files = calloc(nf, sizeof(*files));
	scan_ctx c = {0};
	c.threads = threads;
	c.opts = o;
	if (!open_events(&c, events_path)) {
		free(files);
		return CLI_EXIT_ERROR;
	}
	c.scan = mw_logscan_new(&o);
	if (!files || !c.scan) {
		mw_eventlog_close(c.events);
		free(files);
		mw_logscan_free(c.scan);
		fprintf(stderr, "mailwarden logscan: out of memory\n");
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < nf; i++) {
		struct stat st;
		files[i].path = argv[optind + (int)i];
		files[i].order = (int)i;
		if (strcmp(files[i].path, "-") != 0 && stat(files[i].path, &st) == 0) {
			files[i].mtime = st.st_mtime;
			if (S_ISREG(st.st_mode))
				c.total += (uint64_t)st.st_size;
		}
	}
	qsort(files, nf, sizeof(*files), by_mtime);
	c.progress = isatty(2) && c.total > (64u << 20);
	bool ok = true;
	for (size_t i = 0; i < nf; i++)
		ok = scan_file(&c, files[i].path) && ok;
	if (c.progress)
		fprintf(stderr, "\r%60s\r", "");
	mw_logscan_finish(c.scan);
	json_t *r = mw_logscan_json(c.scan, top);
	size_t nfind;
	const mw_finding *fs = mw_logscan_findings(c.scan, &nfind);
	for (size_t i = 0; i < nfind; i++)
		store_event(&c, &fs[i]);
	if (c.events) {
		json_object_set_new(r, "events_stored", json_integer((json_int_t)c.stored));
		mw_eventlog_close(c.events);
		if (c.store_errors)
			ok = false;
	}
	if (json) {
		json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		cli_logscan_print_human(r, stdout);
	}
	json_decref(r);
	mw_logscan_free(c.scan);
	free(files);
	if (!ok)
		return CLI_EXIT_USAGE;
	return nfind ? CLI_EXIT_FINDING : CLI_EXIT_OK;
}

/* ---- logwatch ---------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* print_finding - live output of a new finding */
static void print_finding(void *ctx, const mw_finding *f)
{
	scan_ctx *c = ctx;
	store_event(c, f);
	if (c->json) {
		json_t *j = mw_finding_json(f);
		json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("[%s] %s: %s\n  action: %s\n", f->severity, mw_finding_type_name(f->type),
		       f->summary, f->action);
		for (unsigned i = 0; i < f->nevidence; i++)
			printf("  evidence: %s\n", f->evidence[i]);
	}
	fflush(stdout);
}

static void usage_logwatch(FILE *out)
{
	fprintf(out,
		"usage: mailwarden logwatch FILE... [options]\n"
		"\n"
		"Follow mail logs like tail -F (rotation by rename or copytruncate, truncation,\n"
		"files that appear later) and print each finding when it first arises.\n"
		"Stops on SIGINT/SIGTERM and then prints the full report.\n"
		"\n"
		"options:\n"
		"  --from-start       read existing files from their beginning (default: end)\n"
		"  --interval MS      poll interval in milliseconds (default 250)\n"
		"  --echo             also print every line read (debugging, tests)\n"
		"  --json             findings as JSON lines, final report as JSON\n"
		"  --events PATH      store each finding in the event log when it is raised\n"
		"  --rate-limit N, --rate-window S, --auth-limit N, --top N  as for logscan\n"
		"  --help             this text\n");
}

int cmd_logwatch(int argc, char **argv)
{
	mw_logscan_opts o;
	mw_logscan_defaults(&o);
	bool json = false, from_start = false, echo = false;
	const char *events_path = NULL;
	unsigned top = 10;
	long interval = 250;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", common_opts, NULL)) != -1) {
		int rc = 0;
		if (opt == OPT_HELP || opt == 'h') {
			usage_logwatch(stdout);
			return CLI_EXIT_OK;
		} else if (opt == OPT_FROMSTART) {
			from_start = true;
		} else if (opt == OPT_ECHO) {
			echo = true;
		} else if (opt == OPT_INTERVAL) {
			char *end;
			interval = strtol(optarg, &end, 10);
			if (*end || interval < 10 || interval > 60000)
				return cli_usage_error("logwatch", "bad interval '%s'", optarg);
		} else if (opt == OPT_EVENTS) {
			events_path = optarg;
		} else if (opt == '?' || opt == OPT_THREADS) {
			return cli_usage_error("logwatch", "unknown option");
		} else if ((rc = parse_common("logwatch", opt, optarg, &o, &json, &top)) != 0) {
			return rc;
		}
	}
	if (optind >= argc)
		return cli_usage_error("logwatch", "no FILE given");
	scan_ctx c = {.echo = echo, .json = json};
	o.on_finding = print_finding;
	o.ctx = &c;
	c.opts = o;
	if (!open_events(&c, events_path))
		return CLI_EXIT_ERROR;
	c.scan = mw_logscan_new(&o);
	mw_err err;
	mw_follow *f = c.scan ? mw_follow_new((const char *const *)argv + optind,
					      (size_t)(argc - optind), from_start, &err)
			      : NULL;
	if (!f) {
		fprintf(stderr, "mailwarden logwatch: %s\n", c.scan ? err.msg : "out of memory");
		mw_logscan_free(c.scan);
		mw_eventlog_close(c.events);
		return CLI_EXIT_USAGE;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_flag) {
		mw_logtime_init(&c.tc, (int64_t)time(NULL));
		if (mw_follow_poll(f, on_line, &c) && echo)
			fflush(stdout);
		struct timespec ts = {interval / 1000, (interval % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	mw_follow_poll(f, on_line, &c); /* what arrived before the signal */
	const mw_follow_stats *fs = mw_follow_get_stats(f);
	fprintf(stderr, "mailwarden logwatch: %llu lines, %llu rotations, %llu truncations\n",
		(unsigned long long)fs->lines, (unsigned long long)fs->rotations,
		(unsigned long long)fs->truncations);
	if (!echo) {
		json_t *r = mw_logscan_json(c.scan, top);
		if (json) {
			json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
		} else {
			cli_logscan_print_human(r, stdout);
		}
		json_decref(r);
	}
	size_t nfind;
	mw_logscan_findings(c.scan, &nfind);
	mw_follow_free(f);
	mw_logscan_free(c.scan);
	mw_eventlog_close(c.events);
	return nfind ? CLI_EXIT_FINDING : CLI_EXIT_OK;
}
