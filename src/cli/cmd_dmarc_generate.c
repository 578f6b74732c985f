/*
 * cli/cmd_dmarc_generate.c - `mailwarden dmarc-report generate`: DMARC
 * aggregate reports as a receiver (RFC 9990).
 *
 * DESCRIPTION
 *   Reads the DMARC evaluations the milter stored in the events database
 *   (store/dmarclog.h), rolls up every complete reporting period (default
 *   one day, aligned to UTC midnight) per policy domain, and writes each
 *   report as RFC 9990 XML, gzipped, under the RFC file name (--out DIR),
 *   or mails it (--send) to the rua= destinations the policy domain
 *   publishes now, after the external-destination verification.  Mail is
 *   submitted through sendmail(1): fork + execve of
 *   "sendmail -oi -f FROM -- RCPT", no shell, the message on stdin.
 *   With --send, periods reported are remembered in the database and not
 *   sent again (--again overrides); a destination that could not be checked
 *   (DNS temporary failure) leaves the period unmarked, so the next run
 *   tries again.
 *
 *   Exit: 0 done, 1 a destination was dropped (not authorised, not
 *   mailto:, size limit), 2 usage, 3 database, DNS or sendmail trouble.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "core/limits.h"
#include "report/drdest.h"
#include "report/drmail.h"
#include "report/generate.h"
#include "store/dmarclog.h"

extern char **environ;

static const char usage_text[] =
	"usage: mailwarden dmarc-report generate --events-db PATH --org NAME --email ADDR\n"
	"         [--period 1d] [--until T] (--out DIR | --send) [options]\n"
	"\n"
	"Write DMARC aggregate reports (RFC 9990) from the DMARC results the milter\n"
	"stored: one report per policy domain and complete period, gzipped XML named\n"
	"receiver!domain!begin!end.xml.gz.\n"
	"\n"
	"  --events-db PATH     the SQLite events file ([milter] events_db)\n"
	"  --org NAME           org_name in the reports (your organisation)\n"
	"  --email ADDR         reporter address: report_metadata email and envelope sender\n"
	"  --submitter DOMAIN   receiver domain for Subject and file names (default: ADDR's)\n"
	"  --extra-contact TEXT extra_contact_info\n"
	"  --period P           1d (default), 12h, 6h, 1h ... or whole days up to 7d\n"
	"  --until T            only periods ending by T (YYYY-MM-DD, epoch seconds; default now)\n"
	"  --out DIR            write the .xml.gz files into DIR\n"
	"  --send               mail them to the verified rua= destinations\n"
	"  --sendmail PATH      submission program (default /usr/sbin/sendmail)\n"
	"  --again              also periods already sent\n"
	"  --keep DAYS          with --send: delete stored results older than DAYS before\n"
	"                       --until (default 62; 0 keeps everything)\n"
	"  --json               JSON output\n" CLI_DNS_HELP
	"  --help               this text\n"
	"\n"
	"exit status: 0 done, 1 a destination dropped, 2 usage, 3 database/DNS/sendmail trouble\n";

typedef struct gopts {
	const char *db, *org, *email, *submitter, *extra, *out, *sendmail;
	int64_t period, until;
	long keep_days;
	bool send, again, json;
	cli_dns_opts dns;
} gopts;

typedef struct grun {
	const gopts *o;
	mw_dmarclog *log;
	cli_dns dns;
	bool dns_open;
	json_t *reports;
	int rc;
} grun;

/* opt_value - the value of option argv[*i] into *dst */
static int opt_value(int argc, char **argv, int *i, const char **dst)
{
	if (*i + 1 >= argc)
		return cli_usage_error("dmarc-report generate", "%s needs a value", argv[*i]);
	*dst = argv[++*i];
	return 0;
}

/* parse_args - 0 ok, -1 help shown, else the exit code */
static int parse_args(int argc, char **argv, gopts *o)
{
	const char *period = "1d", *until = NULL, *keep = NULL;
	static const char *const names[] = {"--events-db", "--org", "--email", "--submitter",
					    "--extra-contact", "--out", "--sendmail",
					    "--period", "--until", "--keep"};
	const char **dst[] = {&o->db, &o->org, &o->email, &o->submitter, &o->extra,
			      &o->out, &o->sendmail, &period, &until, &keep};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int k = cli_dns_parse_opt(&o->dns, "dmarc-report generate", argc, argv, &i);
		if (k < 0)
			return CLI_EXIT_USAGE;
		if (k > 0)
			continue;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return -1;
		}
		bool done = true;
		if (strcmp(a, "--send") == 0)
			o->send = true;
		else if (strcmp(a, "--again") == 0)
			o->again = true;
		else if (strcmp(a, "--json") == 0)
			o->json = true;
		else
			done = false;
		for (size_t j = 0; !done && j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(a, names[j]) == 0) {
				if (opt_value(argc, argv, &i, dst[j]))
					return CLI_EXIT_USAGE;
				done = true;
			}
		if (!done)
			return cli_usage_error("dmarc-report generate", "unknown argument %s", a);
	}
	mw_err err;
	if (!o->db || !o->org || !o->email)
		return cli_usage_error("dmarc-report generate", "--events-db, --org and --email are required");
	if (!strchr(o->email, '@') || strpbrk(o->email, " \t\r\n<>"))
		return cli_usage_error("dmarc-report generate", "--email: not an address: %s", o->email);
	if (!o->submitter)
		o->submitter = strrchr(o->email, '@') + 1;
	if (!!o->out == o->send)
		return cli_usage_error("dmarc-report generate", "give one of --out DIR or --send");
	if (mw_drgen_period_parse(period, &o->period, &err) != MW_OK)
		return cli_usage_error("dmarc-report generate", "--period: %s", err.msg);
	o->until = until ? cli_parse_day(until) : (int64_t)time(NULL);
	if (o->until < 0)
		return cli_usage_error("dmarc-report generate", "--until: not a time: %s", until);
	if (!o->sendmail)
		o->sendmail = "/usr/sbin/sendmail";
	char *e = NULL;
	o->keep_days = keep ? strtol(keep, &e, 10) : MW_DRGEN_PERIODS_MAX;
	if (keep && (e == keep || *e || o->keep_days < 0 || o->keep_days > 36500))
		return cli_usage_error("dmarc-report generate", "--keep: not a number of days: %s", keep);
	return 0;
}

/* utc - "YYYY-MM-DD HH:MM" (UTC) of t into b */
static const char *utc(int64_t t, char *b, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(b, n, "%Y-%m-%d %H:%M", &tm))
		snprintf(b, n, "%lld", (long long)t);
	return b;
}

/* write_out - DIR/name, written whole then renamed into place */
static bool write_out(const char *dir, const char *name, const mw_buf *gz)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	bool ok = f && fwrite(gz->data, 1, gz->len, f) == gz->len;
	ok = f && fclose(f) == 0 && ok;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	return ok;
}

/* sendmail - fork + execve "sendmail -oi -f FROM -- RCPT", message on stdin */
static bool sendmail(const char *prog, const char *from, const char *rcpt, const mw_buf *msg,
		     char *why, size_t whyn)
{
	int p[2];
	if (pipe(p) != 0) {
		snprintf(why, whyn, "pipe: %s", strerror(errno));
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, whyn, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		char *const args[] = {(char *)prog, "-oi", "-f", (char *)from, "--", (char *)rcpt,
				      NULL};
		execve(prog, args, environ);
		_exit(127);
	}
	close(p[0]);
	size_t off = 0;
	while (off < msg->len) {
		ssize_t k = write(p[1], msg->data + off, msg->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(p[1]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (off == msg->len && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	snprintf(why, whyn, "%s exited with %d%s", prog,
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		 off < msg->len ? " before reading the whole message" : "");
	return false;
}

/* dest_step - replay step for mw_drdest_resolve */
typedef struct dest_ctx {
	const char *domain;
	mw_pool *pool;
	mw_drdest_list *list;
} dest_ctx;

static mw_status dest_step(void *ctx, dns_lookup *lk)
{
	dest_ctx *c = ctx;
	return mw_drdest_resolve(c->domain, lk, c->pool, c->list);
}

/* send_report - resolve destinations, mail each; *complete when the period
 * may be marked sent */
static void send_report(grun *g, const mw_dr_report *r, const char *fname, const mw_buf *gz,
			mw_pool *pool, json_t *jr, mw_buf *sent, bool *complete)
{
	const gopts *o = g->o;
	mw_drdest_list *dl = mw_pool_alloc(pool, sizeof(*dl));
	mw_err err;
	mw_err_clear(&err);
	dest_ctx dc = {r->domain, pool, dl};
	dns_lookup lk;
	dns_lookup_init(&lk, g->dns.cache, time(NULL));
	mw_status st = dl ? dns_lookup_run(&lk, g->dns.resolver, dest_step, &dc, &err) : MW_ENOMEM;
	json_t *jd = json_array();
	json_object_set_new(jr, "destinations", jd);
	*complete = false;
	if (st != MW_OK || dl->temp) {
		const char *why = st != MW_OK ? (err.msg[0] ? err.msg : mw_status_str(st)) : dl->note;
		json_object_set_new(jr, "note", json_string(why));
		if (!o->json)
			printf("  not sent now: %s\n", why);
		g->rc = CLI_EXIT_ERROR;
		return;
	}
	*complete = true;
	if (dl->note) {
		json_object_set_new(jr, "note", json_string(dl->note));
		if (!o->json)
			printf("  %s\n", dl->note);
	}
	for (size_t i = 0; i < dl->n; i++) {
		mw_drdest *d = &dl->d[i];
		char why[300] = "";
		const char *state = "dropped";
		mw_buf msg;
		mw_buf_init(&msg, MW_DRGEN_XML_MAX);
		if (d->status == MW_DRDEST_OK) {
			const char *to[] = {d->addr};
			mw_drmail_opts mo = {o->email, to, 1, o->submitter, r->domain, r->report_id,
					     fname, (int64_t)time(NULL)};
			if (mw_drmail_build(&mo, gz->data, gz->len, &msg, &err) != MW_OK) {
				snprintf(why, sizeof(why), "%s", err.msg);
				state = "failed";
			} else if (d->max_size && msg.len > d->max_size) {
				snprintf(why, sizeof(why), "report mail of %zu bytes over the %llu-byte limit",
					 msg.len, (unsigned long long)d->max_size);
			} else if (sendmail(o->sendmail, o->email, d->addr, &msg, why, sizeof(why))) {
				state = "sent";
			} else {
				state = "failed";
			}
		} else {
			snprintf(why, sizeof(why), "%s", d->reason ? d->reason : "");
			state = d->status == MW_DRDEST_TEMP ? "later" : "dropped";
		}
		mw_buf_free(&msg);
		if (strcmp(state, "failed") == 0 || strcmp(state, "later") == 0) {
			g->rc = CLI_EXIT_ERROR;
			*complete = false;
		} else if (strcmp(state, "dropped") == 0 && g->rc == CLI_EXIT_OK) {
			g->rc = CLI_EXIT_FINDING;
		} else if (strcmp(state, "sent") == 0) {
			mw_buf_printf(sent, "%s%s", sent->len ? "," : "", d->addr);
		}
		json_array_append_new(jd, json_pack("{s:s, s:s?, s:s, s:s?}", "uri", d->uri, "address",
						    d->addr, "status", state, "reason",
						    why[0] ? why : NULL));
		if (!o->json)
			printf("  %s: %s%s%s\n", d->uri, state, why[0] ? ": " : "", why);
	}
}

/* one_report - build, write or send one domain's report of one period */
static void one_report(grun *g, const char *domain, int64_t begin, int64_t end)
{
	const gopts *o = g->o;
	mw_err err;
	mw_err_clear(&err);
	mw_pool *pool = mw_pool_new(MW_DR_POOL_MAX);
	mw_dmarclog_row *rows;
	size_t n;
	mw_dmarclog_policy pol;
	mw_dr_report r;
	mw_drgen_meta meta = {o->org, o->email, o->extra, "mailwarden 0.1.0"};
	mw_buf xml, gz;
	mw_buf_init(&xml, MW_DRGEN_XML_MAX);
	mw_buf_init(&gz, MW_DRGEN_XML_MAX);
	const char *fname = NULL;
	if (!pool || mw_dmarclog_rollup(g->log, domain, begin, end, pool, &rows, &n, &pol, &err) ||
	    mw_drgen_build(&meta, domain, begin, end, rows, n, &pol, pool, &r, &err) ||
	    mw_drgen_xml(&r, &xml, &err) || mw_drgen_gzip(xml.data, xml.len, &gz, &err) ||
	    !(fname = mw_drgen_filename(o->submitter, &r, pool))) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s: %s\n", domain,
			err.msg[0] ? err.msg : "no usable file name");
		g->rc = CLI_EXIT_ERROR;
		goto out;
	}
	json_t *jr = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:s}", "domain", domain, "begin",
			       (json_int_t)begin, "end", (json_int_t)(end - 1), "report_id",
			       r.report_id, "records", (json_int_t)r.n_records, "messages",
			       (json_int_t)r.messages, "file", fname);
	json_array_append_new(g->reports, jr);
	char t1[32], t2[32];
	if (!o->json)
		printf("%s %s..%s UTC: %zu records, %llu messages, report %s\n", domain,
		       utc(begin, t1, sizeof(t1)), utc(end, t2, sizeof(t2)), r.n_records,
		       (unsigned long long)r.messages, r.report_id);
	if (o->out) {
		if (!write_out(o->out, fname, &gz))
			g->rc = CLI_EXIT_ERROR;
		else if (!o->json)
			printf("  wrote %s/%s\n", o->out, fname);
		goto out;
	}
	bool complete = false;
	mw_buf sent;
	mw_buf_init(&sent, 4096);
	send_report(g, &r, fname, &gz, pool, jr, &sent, &complete);
	if (complete && mw_dmarclog_mark_sent(g->log, domain, begin, end, r.report_id,
					      mw_buf_cstr(&sent), (int64_t)time(NULL),
					      &err) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s\n", err.msg);
		g->rc = CLI_EXIT_ERROR;
	}
	mw_buf_free(&sent);
out:
	mw_buf_free(&xml);
	mw_buf_free(&gz);
	mw_pool_free(pool);
}

/* one_period - every policy domain with rows in [begin, end) */
static void one_period(grun *g, int64_t begin, int64_t end, size_t *skipped)
{
	mw_err err;
	mw_pool *pool = mw_pool_new(16u << 20);
	const char **doms = NULL;
	size_t n = 0;
	if (!pool || mw_dmarclog_domains(g->log, begin, end, pool, &doms, &n, &err) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s\n",
			pool ? err.msg : "out of memory");
		g->rc = CLI_EXIT_ERROR;
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		bool sent = false;
		if (g->o->send && !g->o->again &&
		    mw_dmarclog_sent(g->log, doms[i], begin, end, &sent, &err) != MW_OK) {
			fprintf(stderr, "mailwarden dmarc-report generate: %s\n", err.msg);
			g->rc = CLI_EXIT_ERROR;
			continue;
		}
		if (sent) {
			(*skipped)++;
			char t1[32], t2[32];
			if (!g->o->json)
				printf("%s %s..%s UTC: already sent\n", doms[i],
				       utc(begin, t1, sizeof(t1)), utc(end, t2, sizeof(t2)));
			continue;
		}
		one_report(g, doms[i], begin, end);
	}
	mw_pool_free(pool);
}

/* run_periods - the complete periods between the oldest row and --until */
static void run_periods(grun *g)
{
	const gopts *o = g->o;
	int64_t oldest, newest;
	mw_err err;
	size_t skipped = 0;
	mw_status st = mw_dmarclog_span(g->log, &oldest, &newest, &err);
	if (st != MW_OK && st != MW_ENOTFOUND) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s\n", err.msg);
		g->rc = CLI_EXIT_ERROR;
		return;
	}
	int64_t last = mw_drgen_period_start(o->until, o->period); /* end of the last period */
	int64_t first = st == MW_OK ? mw_drgen_period_start(oldest, o->period) : last;
	if (last - first > (int64_t)MW_DRGEN_PERIODS_MAX * o->period)
		first = last - (int64_t)MW_DRGEN_PERIODS_MAX * o->period;
	for (int64_t b = first; b < last; b += o->period)
		one_period(g, b, b + o->period, &skipped);
	if (o->json)
		return;
	if (json_array_size(g->reports) == 0 && skipped == 0)
		printf("no DMARC evaluations in complete periods up to %lld\n", (long long)o->until);
}

/* cmd_dmarc_generate - see the file comment */
int cmd_dmarc_generate(int argc, char **argv)
{
	gopts o;
	memset(&o, 0, sizeof(o));
	int rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (o.out) {
		struct stat stt;
		if (stat(o.out, &stt) != 0 || !S_ISDIR(stt.st_mode))
			return cli_usage_error("dmarc-report generate", "--out: not a directory: %s",
					       o.out);
	}
	grun g = {.o = &o, .reports = json_array()};
	mw_err err;
	if (!(g.log = mw_dmarclog_open(o.db, false, &err))) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s\n", err.msg);
		json_decref(g.reports);
		return CLI_EXIT_ERROR;
	}
	if (o.send) {
		signal(SIGPIPE, SIG_IGN);
		if (!(g.dns_open = cli_dns_open(&g.dns, &o.dns)))
			g.rc = CLI_EXIT_ERROR;
	}
	if (!o.send || g.dns_open)
		run_periods(&g);
	size_t pruned = 0;
	if (o.send && o.keep_days > 0 &&
	    mw_dmarclog_prune(g.log, o.until - (int64_t)o.keep_days * 86400, &pruned, &err) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc-report generate: %s\n", err.msg);
		g.rc = CLI_EXIT_ERROR;
	} else if (pruned && !o.json) {
		printf("deleted %zu stored results older than %ld days\n", pruned, o.keep_days);
	}
	if (o.json) {
		json_t *top = json_pack("{s:O}", "reports", g.reports);
		json_dumpf(top, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(top);
	}
	if (g.dns_open)
		cli_dns_close(&g.dns);
	mw_dmarclog_close(g.log);
	json_decref(g.reports);
	return g.rc;
}
