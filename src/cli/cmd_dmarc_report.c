/*
 * cli/cmd_dmarc_report.c - `mailwarden dmarc-report FILE... [--json]
 *                           [--since T] [--domain D] [--db PATH] [--rdns]`
 *
 * DESCRIPTION
 *   Reads DMARC aggregate reports (RFC 9990 / RFC 7489) from files (.xml,
 *   .xml.gz, .zip, a report e-mail), mbox files and maildir directories, and
 *   prints who sends as the domain: per source IP the message count, SPF and
 *   DKIM results (raw and aligned), dispositions and a class (aligned /
 *   not-aligned / forwarder / unauthorised); per reporter the counts; then
 *   advice on moving from p=none to quarantine / reject.  Failure reports
 *   (report/failure.h) in the same inputs are listed per source IP.
 *   With DNS options or --rdns the biggest sources get reverse DNS and a
 *   provider (cli/dmarc_report_src.h).  --db PATH stores what was read
 *   (report/drstore.h), or alone summarises what is stored.
 *
 *   Exit: 0 all mail aligned, 1 finding (not-aligned or unauthorised mail,
 *   or any failure report), 2 usage or an input that is not a report.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dmarc_report_src.h"
#include "cli/dnsopt.h"
#include "core/limits.h"
#include "mail/mailwalk.h"
#include "report/aggregate.h"
#include "report/drstore.h"
#include "report/drsummary.h"
#include "report/failure.h"
#include "report/frsummary.h"

static const char usage_text[] =
	"usage: mailwarden dmarc-report FILE... [--json] [--since T] [--domain D] [--top N]\n"
	"                                [--db PATH] [--rdns] [--zone FILE | --resolver IP]\n"
	"       mailwarden dmarc-report --db PATH [--json] [--since T] [--domain D] [--top N]\n"
	"       mailwarden dmarc-report generate ...   (send reports: generate --help)\n"
	"\n"
	"Read DMARC aggregate reports (RFC 9990, RFC 7489) and show who sends as your\n"
	"domain: per source IP, messages, SPF/DKIM results and alignment, dispositions,\n"
	"and a class: aligned, not-aligned (a service to fix), forwarder, unauthorised.\n"
	"Ends with advice on moving from p=none to quarantine/reject.\n"
	"Failure reports (RFC 9991 / ARF, and Exim's plain-text ones) in the same inputs\n"
	"are listed per source IP: feedback type, auth failure, domain, sample subject.\n"
	"FILE: .xml, .xml.gz, .zip, a report e-mail, an mbox file or a maildir directory.\n"
	"\n"
	"  --json        JSON: {\"reports\",\"messages\",\"classes\",\"sources\",\"reporters\",\"advice\"}\n"
	"  --since T     only reports whose period ends at or after T (YYYY-MM-DD or\n"
	"                seconds since the epoch)\n"
	"  --domain D    only reports for the policy domain D\n"
	"  --top N       sources listed in the human output (default 20; JSON lists all)\n"
	"  --rdns        look up each source's reverse DNS (PTR, forward-confirmed) and\n"
	"                infer its provider from the SPF include that authorised it or\n"
	"                its PTR name (implied by --zone / --resolver; stored with --db)\n"
	"  --rdns-max N  sources looked up, biggest first (default 20)\n"
	"  --db PATH     with FILEs: store the reports in this SQLite file (created if\n"
	"                absent; a report already stored is not added again); alone:\n"
	"                summarise what the file holds\n"
	CLI_DNS_HELP
	"  --help        this text\n"
	"\n"
	"exit status: 0 all aligned, 1 not-aligned or unauthorised mail, 2 usage or input error\n";

typedef struct opts {
	bool json;
	int64_t since;
	const char *domain;
	const char *db;
	long top;
	cli_dns_opts dns;
	bool rdns;                    /* look up the sources' reverse DNS / provider */
	long rdns_max;
} opts;

typedef struct run {
	const opts *o;
	mw_drs *drs;
	mw_frs *frs;
	mw_drstore *db;
	uint64_t stored[2], known[2]; /* [0] aggregate, [1] failure: new / already stored */
	size_t files, skipped, errors;
	dr_srcinfo *info;             /* parallel to mw_drs_sources(), NULL if none */
	char (*padv)[600];            /* provider advice */
	size_t npadv;
} run;

#define PROVIDER_ADVICE_MAX 8 /* provider sentences in the advice: the biggest sources */

/* failure_wanted - a failure report passes --since / --domain */
static bool failure_wanted(const opts *o, const mw_arf_report *f)
{
	if (o->since > 0 && f->arrival >= 0 && f->arrival < o->since)
		return false;
	if (!o->domain)
		return true;
	for (size_t i = 0; i < f->reported_domain.n; i++)
		if (strcasecmp(f->reported_domain.v[i], o->domain) == 0)
			return true;
	return false;
}

/* complain - one input's error */
static void complain(run *r, const char *name, const mw_err *err)
{
	fprintf(stderr, "mailwarden dmarc-report: %s: %s\n", name, err->msg);
	r->errors++;
}

/* one_failure - a failure report (ARF or Exim text); false if it is none */
static bool one_failure(run *r, const char *name, const char *data, size_t len)
{
	mw_arf_report *f;
	mw_err err;
	mw_status st = mw_arf_parse(data, len, &f, &err);
	if (st == MW_ENOTFOUND)
		return false;
	if (st != MW_OK) {
		complain(r, name, &err);
		return true;
	}
	bool added = false;
	if (!failure_wanted(r->o, f))
		r->skipped++;
	else if (r->db && mw_drstore_add_failure(r->db, f, &added, &err) != MW_OK)
		complain(r, name, &err);
	else if (mw_frs_add(r->frs, f, NULL, &err) != MW_OK)
		complain(r, name, &err);
	else if (r->db)
		(added ? r->stored : r->known)[1]++;
	mw_arf_free(f);
	return true;
}

/* one_report - parse, filter, store and add one aggregate or failure report */
static void one_report(run *r, const char *name, const char *data, size_t len)
{
	mw_dr_report *rep;
	mw_err err;
	bool added = false;
	mw_status st = mw_dr_parse(data, len, &rep, &err);
	if (st == MW_ENOTFOUND && one_failure(r, name, data, len))
		return;
	if (st != MW_OK) {
		complain(r, name, &err);
		return;
	}
	if ((r->o->since > 0 && rep->end < r->o->since) ||
	    (r->o->domain && (!rep->domain || strcasecmp(rep->domain, r->o->domain) != 0)))
		r->skipped++;
	else if (r->db && mw_drstore_add_aggregate(r->db, rep, &added, &err) != MW_OK)
		complain(r, name, &err);
	else if (mw_drs_add(r->drs, rep, NULL, &err) != MW_OK)
		complain(r, name, &err);
	else if (r->db)
		(added ? r->stored : r->known)[0]++;
	mw_dr_free(rep);
}

/* too_big - a file over MW_DR_INPUT_MAX that is not an mbox: refused unread */
static bool too_big(const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || st.st_size <= (off_t)MW_DR_INPUT_MAX)
		return false;
	char head[5] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(head, 1, sizeof(head), f) : 0;
	if (f)
		fclose(f);
	return !(n == 5 && memcmp(head, "From ", 5) == 0);
}

static void walk_report(void *ctx, const char *name, const char *data, size_t len)
{
	one_report(ctx, name, data, len);
}

/* walk_file - a report, a report e-mail, or an mbox of report e-mails */
static void walk_file(void *ctx, const char *path)
{
	run *r = ctx;
	size_t len;
	r->files++;
	if (too_big(path)) {
		fprintf(stderr, "mailwarden dmarc-report: %s: report over %u bytes (not read)\n", path,
			MW_DR_INPUT_MAX);
		r->errors++;
		return;
	}
	char *data = cli_read_file(path, MW_MBOX_MAX, &len);
	if (!data) {
		r->errors++;
		return;
	}
	mw_walk_messages(path, data, len, walk_report, r);
	free(data);
}

static void walk_error(void *ctx, const char *path, const char *reason)
{
	run *r = ctx;
	fprintf(stderr, "mailwarden dmarc-report: %s: %s\n", path, reason);
	r->errors++;
}

/* print_failures_human - the failure reports per source IP */
static void print_failures_human(run *r)
{
	uint64_t reports, dups;
	mw_frs_totals(r->frs, &reports, &dups);
	size_t n;
	const mw_frs_source *const *fs = mw_frs_sources(r->frs, &n);
	printf("%llu failure reports from %zu sources", (unsigned long long)reports, n);
	if (dups)
		printf(" (%llu duplicates skipped)", (unsigned long long)dups);
	printf("\n%-39s %7s %-13s %-12s %-24s %s\n", "source", "reports", "type", "auth-failure",
	       "domain", "sample subject");
	for (size_t i = 0; i < n && (long)i < r->o->top; i++)
		printf("%-39s %7llu %-13s %-12s %-24s %s\n", fs[i]->ip,
		       (unsigned long long)fs[i]->reports, fs[i]->feedback_type,
		       fs[i]->auth_failure[0] ? fs[i]->auth_failure : "-",
		       fs[i]->domain[0] ? fs[i]->domain : "-", fs[i]->subject);
	if ((long)n > r->o->top)
		printf("... %zu more sources (--top N, or --json for all)\n", n - (size_t)r->o->top);
}

/* failures_json - the failure reports per source IP */
static json_t *failures_json(run *r)
{
	size_t n;
	const mw_frs_source *const *fs = mw_frs_sources(r->frs, &n);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const mw_frs_source *x = fs[i];
		json_array_append_new(
			a, json_pack("{s:s, s:I, s:I, s:s, s:s*, s:s*, s:s*, s:s*, s:s*, s:I, s:I}",
				     "ip", x->ip, "reports", (json_int_t)x->reports, "incidents",
				     (json_int_t)x->incidents, "feedback_type", x->feedback_type,
				     "auth_failure", x->auth_failure[0] ? x->auth_failure : NULL,
				     "domain", x->domain[0] ? x->domain : NULL, "subject",
				     x->subject[0] ? x->subject : NULL, "mail_from",
				     x->mail_from[0] ? x->mail_from : NULL, "reporter",
				     x->reporter[0] ? x->reporter : NULL, "first", (json_int_t)x->first,
				     "last", (json_int_t)x->last));
	}
	return a;
}

/* print_human - sources, reporters, totals, advice */
static void print_human(run *r)
{
	uint64_t reports, msgs, cls[MW_DRS_CLASSES], disp[MW_DRS_DISPS], freports, fdups;
	mw_drs_totals(r->drs, &reports, &msgs, cls, disp);
	mw_frs_totals(r->frs, &freports, &fdups);
	if (r->db && r->files)
		printf("stored in %s: %llu new reports (%llu already stored), %llu new failure "
		       "reports (%llu already stored)\n\n", r->o->db, (unsigned long long)r->stored[0],
		       (unsigned long long)r->known[0], (unsigned long long)r->stored[1],
		       (unsigned long long)r->known[1]);
	if (freports)
		print_failures_human(r);
	if (freports && !reports)
		return;
	if (freports)
		putchar('\n');
	printf("%llu reports, %llu messages; strongest published policy p=%s\n",
	       (unsigned long long)reports, (unsigned long long)msgs, mw_drs_policy(r->drs));
	if (mw_drs_duplicates(r->drs))
		printf("(%llu duplicate reports skipped: same reporter and report_id)\n",
		       (unsigned long long)mw_drs_duplicates(r->drs));
	size_t n;
	const mw_drs_source *const *src = mw_drs_sources(r->drs, &n);
	printf("\n%-39s %8s %8s %8s %9s %9s  %-12s %-10s %s\n", "source", "messages", "spf-pass",
	       "spf-algn", "dkim-pass", "dkim-algn", "class", "disp", "header_from / authenticated as");
	for (size_t i = 0; i < n && (long)i < r->o->top; i++) {
		const mw_drs_source *s = src[i];
		int dm = 0;
		for (int d = 1; d < MW_DRS_DISPS; d++)
			if (s->by_disp[d] > s->by_disp[dm])
				dm = d;
		printf("%-39s %8llu %8llu %8llu %9llu %9llu  %-12s %-10s %s%s%s\n", s->ip,
		       (unsigned long long)s->messages, (unsigned long long)s->spf_pass,
		       (unsigned long long)s->spf_aligned, (unsigned long long)s->dkim_pass,
		       (unsigned long long)s->dkim_aligned, mw_drs_class_name(s->cls),
		       mw_drs_disp_name((mw_drs_disp)dm), s->header_from,
		       s->auth_domain[0] ? " / " : "", s->auth_domain);
		char line[1024];
		dr_srcinfo_line(r->info ? &r->info[i] : NULL, line, sizeof(line));
		if (line[0])
			puts(line);
	}
	if ((long)n > r->o->top)
		printf("... %zu more sources (--top N, or --json for all)\n", n - (size_t)r->o->top);
	const mw_drs_reporter *const *rep = mw_drs_reporters(r->drs, &n);
	printf("\n%-40s %8s %10s %8s\n", "reporter", "reports", "messages", "aligned");
	for (size_t i = 0; i < n; i++)
		printf("%-40s %8llu %10llu %8llu\n", rep[i]->org, (unsigned long long)rep[i]->reports,
		       (unsigned long long)rep[i]->messages, (unsigned long long)rep[i]->aligned);
	printf("\nmessages by class:");
	for (int c = 0; c < MW_DRS_CLASSES; c++)
		printf(" %s %llu", mw_drs_class_name((mw_drs_class)c), (unsigned long long)cls[c]);
	printf("\nmessages by disposition:");
	for (int d = 0; d < MW_DRS_DISPS; d++)
		printf(" %s %llu", mw_drs_disp_name((mw_drs_disp)d), (unsigned long long)disp[d]);
	const char *adv[8];
	size_t na = mw_drs_advice(r->drs, adv, 8);
	printf("\n\nadvice:\n");
	for (size_t i = 0; i < na; i++)
		printf("  - %s\n", adv[i]);
	for (size_t i = 0; i < r->npadv; i++)
		printf("  - %s\n", r->padv[i]);
}

/* source_json - one source */
static json_t *source_json(const mw_drs_source *s, const dr_srcinfo *info)
{
	json_t *d = json_object();
	for (int i = 0; i < MW_DRS_DISPS; i++)
		json_object_set_new(d, mw_drs_disp_name((mw_drs_disp)i), json_integer((json_int_t)s->by_disp[i]));
	json_t *c = json_object();
	for (int i = 0; i < MW_DRS_CLASSES; i++)
		json_object_set_new(c, mw_drs_class_name((mw_drs_class)i), json_integer((json_int_t)s->by_class[i]));
	json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:s*, s:s*}", "ip", s->ip,
			 "messages", (json_int_t)s->messages, "class", mw_drs_class_name(s->cls),
			 "spf_pass", (json_int_t)s->spf_pass, "spf_aligned", (json_int_t)s->spf_aligned,
			 "dkim_pass", (json_int_t)s->dkim_pass, "dkim_aligned", (json_int_t)s->dkim_aligned,
			 "dispositions", d, "by_class", c, "header_from", s->header_from,
			 "authenticated_as", s->auth_domain[0] ? s->auth_domain : NULL, "reporter",
			 s->reporter[0] ? s->reporter : NULL);
	dr_srcinfo_json(o, info);
	return o;
}

/* print_json - the whole summary as one object */
static void print_json(run *r)
{
	uint64_t reports, msgs, cls[MW_DRS_CLASSES], disp[MW_DRS_DISPS];
	mw_drs_totals(r->drs, &reports, &msgs, cls, disp);
	json_t *root = json_object(), *jc = json_object(), *jd = json_object();
	for (int i = 0; i < MW_DRS_CLASSES; i++)
		json_object_set_new(jc, mw_drs_class_name((mw_drs_class)i), json_integer((json_int_t)cls[i]));
	for (int i = 0; i < MW_DRS_DISPS; i++)
		json_object_set_new(jd, mw_drs_disp_name((mw_drs_disp)i), json_integer((json_int_t)disp[i]));
	json_object_set_new(root, "reports", json_integer((json_int_t)reports));
	json_object_set_new(root, "messages", json_integer((json_int_t)msgs));
	json_object_set_new(root, "skipped_reports", json_integer((json_int_t)r->skipped));
	json_object_set_new(root, "duplicate_reports",
			    json_integer((json_int_t)mw_drs_duplicates(r->drs)));
	json_object_set_new(root, "errors", json_integer((json_int_t)r->errors));
	json_object_set_new(root, "policy", json_string(mw_drs_policy(r->drs)));
	json_object_set_new(root, "classes", jc);
	json_object_set_new(root, "dispositions", jd);
	size_t n;
	const mw_drs_source *const *src = mw_drs_sources(r->drs, &n);
	json_t *js = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(js, source_json(src[i], r->info ? &r->info[i] : NULL));
	json_object_set_new(root, "sources", js);
	const mw_drs_reporter *const *rep = mw_drs_reporters(r->drs, &n);
	json_t *jr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(jr, json_pack("{s:s, s:I, s:I, s:I}", "org", rep[i]->org, "reports",
						    (json_int_t)rep[i]->reports, "messages",
						    (json_int_t)rep[i]->messages, "aligned",
						    (json_int_t)rep[i]->aligned));
	json_object_set_new(root, "reporters", jr);
	const char *adv[8];
	size_t na = mw_drs_advice(r->drs, adv, 8);
	json_t *ja = json_array();
	for (size_t i = 0; i < na; i++)
		json_array_append_new(ja, json_string(adv[i]));
	for (size_t i = 0; i < r->npadv; i++)
		json_array_append_new(ja, json_string(r->padv[i]));
	json_object_set_new(root, "advice", ja);
	uint64_t freports, fdups;
	mw_frs_totals(r->frs, &freports, &fdups);
	json_object_set_new(root, "failure_reports", json_integer((json_int_t)freports));
	json_object_set_new(root, "failure_duplicates", json_integer((json_int_t)fdups));
	json_object_set_new(root, "failure_sources", failures_json(r));
	if (r->db && r->files)
		json_object_set_new(root, "stored",
				    json_pack("{s:I, s:I, s:I, s:I}", "reports", (json_int_t)r->stored[0],
					      "already_stored", (json_int_t)r->known[0], "failure_reports",
					      (json_int_t)r->stored[1], "failure_already_stored",
					      (json_int_t)r->known[1]));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(root);
}

/* sources_info - reverse DNS / provider of the biggest sources: looked up
 * (DNS options, --rdns) or read from --db; then the provider advice */
static void sources_info(run *r)
{
	size_t n;
	const mw_drs_source *const *src = mw_drs_sources(r->drs, &n);
	if (n == 0)
		return;
	if (r->o->rdns) {
		cli_dns dns;
		if (!cli_dns_open(&dns, &r->o->dns)) {
			r->errors++;
			return;
		}
		r->info = dr_srcinfo_lookup(src, n, (size_t)r->o->rdns_max, &dns, r->db);
		cli_dns_close(&dns);
	} else if (r->db) {
		r->info = dr_srcinfo_from_db(src, n, r->db);
	}
	r->padv = r->info ? calloc(PROVIDER_ADVICE_MAX, sizeof(*r->padv)) : NULL;
	if (r->padv)
		r->npadv = dr_srcinfo_advice(src, n, r->info, r->padv, PROVIDER_ADVICE_MAX);
}

/* parse_args - options; files collected into files[0..*nfiles) */
static int parse_args(int argc, char **argv, opts *o, const char **files, int *nfiles)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&o->dns, "dmarc-report", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0) {
			o->rdns = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return -1;
		} else if (strcmp(a, "--rdns") == 0) {
			o->rdns = true;
		} else if (strcmp(a, "--rdns-max") == 0) {
			if (i + 1 >= argc || (o->rdns_max = strtol(argv[++i], NULL, 10)) <= 0)
				return cli_usage_error("dmarc-report", "--rdns-max needs a positive number");
			o->rdns = true;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--since") == 0 || strcmp(a, "--domain") == 0 ||
			   strcmp(a, "--top") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("dmarc-report", "%s needs a value", a);
			const char *v = argv[++i];
			if (a[2] == 's' && (o->since = cli_parse_day(v)) < 0)
				return cli_usage_error("dmarc-report", "--since: not a date: %s", v);
			if (a[2] == 'd')
				o->domain = v;
			if (a[2] == 't' && (o->top = strtol(v, NULL, 10)) <= 0)
				return cli_usage_error("dmarc-report", "--top: not a positive number: %s", v);
		} else if (strcmp(a, "--db") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("dmarc-report", "--db needs a value");
			o->db = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("dmarc-report", "unknown option %s", a);
		} else {
			files[(*nfiles)++] = a;
		}
	}
	if (*nfiles == 0 && !o->db)
		return cli_usage_error("dmarc-report", "no report FILE given (or --db PATH alone)");
	return 0;
}

/* cmd_dmarc_report - see the file comment */
int cmd_dmarc_report(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "generate") == 0)
		return cmd_dmarc_generate(argc - 1, argv + 1);
	opts o = {.top = 20, .rdns_max = 20};
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	int nfiles = 0;
	if (!files)
		return CLI_EXIT_ERROR;
	int rc = parse_args(argc, argv, &o, files, &nfiles);
	if (rc != 0) {
		free(files);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	run r = {.o = &o, .drs = mw_drs_new(), .frs = mw_frs_new()};
	if (!r.drs || !r.frs) {
		mw_drs_free(r.drs);
		mw_frs_free(r.frs);
		free(files);
		return CLI_EXIT_ERROR;
	}
	mw_err err;
	if (o.db && nfiles == 0 && access(o.db, F_OK) != 0) {
		fprintf(stderr, "mailwarden dmarc-report: %s: %s\n", o.db, strerror(errno));
		mw_drs_free(r.drs);
		mw_frs_free(r.frs);
		free(files);
		return CLI_EXIT_USAGE;
	}
	if (o.db && mw_drstore_open(o.db, nfiles == 0 && !o.rdns, &r.db, &err) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc-report: %s\n", err.msg);
		mw_drs_free(r.drs);
		mw_frs_free(r.frs);
		free(files);
		return CLI_EXIT_USAGE;
	}
	const mw_walk_cb cb = {walk_file, walk_error, &r};
	for (int i = 0; i < nfiles; i++)
		mw_walk_path(files[i], &cb);
	if (r.db && nfiles == 0 &&
	    mw_drstore_load(r.db, o.since, o.domain, r.drs, r.frs, &err) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc-report: %s\n", err.msg);
		r.errors++;
	}
	sources_info(&r);
	if (o.json)
		print_json(&r);
	else
		print_human(&r);
	free(r.info);
	free(r.padv);
	uint64_t reports, msgs, cls[MW_DRS_CLASSES], disp[MW_DRS_DISPS];
	uint64_t freports, fdups;
	mw_drs_totals(r.drs, &reports, &msgs, cls, disp);
	mw_frs_totals(r.frs, &freports, &fdups);
	rc = (r.errors && reports == 0 && freports == 0) ? CLI_EXIT_USAGE
	     : (cls[MW_DRS_NOT_ALIGNED] || cls[MW_DRS_UNAUTH] || freports) ? CLI_EXIT_FINDING
	     : r.errors ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	mw_drstore_close(r.db);
	mw_drs_free(r.drs);
	mw_frs_free(r.frs);
	free(files);
	return rc;
}
