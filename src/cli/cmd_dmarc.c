/*
 * cli/cmd_dmarc.c - `mailwarden dmarc`: SPF + DKIM + DMARC for one message.
 *
 * SYNOPSIS
 *   mailwarden dmarc FILE --client-ip IP [--mail-from ADDR] [--helo NAME]
 *                   [--authserv-id ID] [--rfc7489] [--now UNIXTIME]
 *                   [--zone FILE | --resolver IP[:PORT]] [--json]
 *
 * DESCRIPTION
 *   Reads the message (FILE or "-"), runs SPF check_host() for the client
 *   address and MAIL FROM (auth/spf.h), verifies every DKIM signature
 *   (auth/dkim.h), validates the ARC chain (auth/arc.h, reported only:
 *   DMARC's result is not overridden), then evaluates DMARC for each RFC5322.From domain
 *   (auth/dmarc.h, RFC 9989; --rfc7489 for the compatibility mode), checks
 *   external report destinations, and prints the Authentication-Results
 *   header (RFC 8601) and the disposition.  --json prints
 *   {"spf":{...},"dkim":[...],"dmarc":{...},"authentication_results":"..."}.
 *
 * EXIT STATUS
 *   0 DMARC pass or none, 1 fail, 2 usage or input error,
 *   3 temperror/permerror.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "forensics/authrun.h"
#include "mail/message.h"

static const char usage_text[] =
	"usage: mailwarden dmarc FILE --client-ip IP [options]\n"
	"\n"
	"Run SPF, DKIM and DMARC (RFC 9989) on the message in FILE ('-' = stdin)\n"
	"and print the Authentication-Results header and the disposition.\n"
	"\n"
	"options:\n"
	"  --client-ip IP         the SMTP client address (required)\n"
	"  --mail-from ADDR       the MAIL FROM address (default: null reverse-path)\n"
	"  --helo NAME            the HELO/EHLO name (default: unknown)\n"
	"  --authserv-id ID       authserv-id of the A-R header (default: this host's name)\n"
	"  --rfc7489              RFC 7489 compatibility mode (honours pct=)\n"
	"  --now UNIXTIME         clock for DKIM x= (default: now)\n" CLI_DNS_HELP
	"  --json                 one JSON object instead of text\n"
	"  --help                 this text\n"
	"\n"
	"exit status: 0 pass/none, 1 fail, 2 usage or input error, 3 temperror/permerror\n";

typedef struct dmarc_opts {
	const char *file, *ip, *mail_from, *helo, *authserv_id;
	bool json, rfc7489;
	long long now;
	cli_dns_opts dns;
} dmarc_opts;

/* parse_args - fill opts; returns -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, dmarc_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&o->dns, "dmarc", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		const char **slot = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--rfc7489") == 0) {
			o->rfc7489 = true;
		} else if (strcmp(a, "--client-ip") == 0) {
			slot = &o->ip;
		} else if (strcmp(a, "--mail-from") == 0) {
			slot = &o->mail_from;
		} else if (strcmp(a, "--helo") == 0) {
			slot = &o->helo;
		} else if (strcmp(a, "--authserv-id") == 0) {
			slot = &o->authserv_id;
		} else if (strcmp(a, "--now") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("dmarc", "--now needs a value");
			char *end;
			o->now = strtoll(argv[++i], &end, 10);
			if (*end || o->now <= 0)
				return cli_usage_error("dmarc", "--now wants a Unix time");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("dmarc", "unknown option '%s'", a);
		} else if (!o->file) {
			o->file = a;
		} else {
			return cli_usage_error("dmarc", "unexpected argument '%s'", a);
		}
		if (slot) {
			if (i + 1 >= argc)
				return cli_usage_error("dmarc", "%s needs a value", a);
			*slot = argv[++i];
		}
	}
	if (!o->file)
		return cli_usage_error("dmarc", "need a message FILE ('-' for standard input)");
	if (!o->ip)
		return cli_usage_error("dmarc", "need --client-ip");
	if (o->mail_from) { /* accept the SMTP forms "<>" and "<a@b>" */
		static char mf[1024];
		size_t n = strlen(o->mail_from);
		if (n >= 2 && o->mail_from[0] == '<' && o->mail_from[n - 1] == '>' && n < sizeof(mf)) {
			memcpy(mf, o->mail_from + 1, n - 2);
			mf[n - 2] = '\0';
			o->mail_from = mf;
		}
	}
	return -1;
}

/* Everything one run produces. */
typedef struct dmarc_run {
	mw_message msg;
	mw_authrun ar;
	mw_authrun_opts ao;
	mw_buf authres;
} dmarc_run;

/* jstr - JSON string or null */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_domain - one Author Domain's evaluation */
static json_t *json_domain(const mw_dmarc_domain *dd)
{
	json_t *j = json_object();
	json_object_set_new(j, "from_domain", json_string(dd->from_domain));
	json_object_set_new(j, "result", json_string(mw_auth_result_name(dd->result)));
	json_object_set_new(j, "reason", jstr(dd->reason));
	json_object_set_new(j, "policy_domain", jstr(dd->policy_domain));
	json_object_set_new(j, "organizational_domain", jstr(dd->org_domain));
	json_object_set_new(j, "policy_tag", jstr(dd->has_record ? dd->policy_tag : NULL));
	json_object_set_new(j, "requested_policy",
			    dd->has_record ? json_string(mw_dmarc_policy_name(dd->requested))
					   : json_null());
	json_object_set_new(j, "policy", json_string(mw_dmarc_policy_name(dd->applied)));
	json_object_set_new(j, "disposition", json_string(mw_dmarc_policy_name(dd->disposition)));
	json_object_set_new(j, "testing", json_boolean(dd->testing));
	json_object_set_new(j, "pct_sampled_out", json_boolean(dd->sampled_out));
	json_object_set_new(j, "nonexistent_domain", json_boolean(dd->nonexistent));
	json_object_set_new(j, "spf_aligned", json_boolean(dd->spf_aligned));
	json_object_set_new(j, "dkim_aligned", json_boolean(dd->dkim_aligned));
	json_object_set_new(j, "dkim_aligned_domain", jstr(dd->dkim_aligned_domain));
	json_object_set_new(j, "tree_walk_queries", json_integer(dd->walk_queries));
	json_t *notes = json_array(), *reports = json_array();
	for (size_t i = 0; dd->has_record && i < dd->record.nnotes; i++)
		json_array_append_new(notes, json_string(dd->record.notes[i]));
	for (size_t i = 0; i < dd->nreports; i++) {
		const mw_dmarc_report_dest *rd = &dd->reports[i];
		json_t *x = json_object();
		json_object_set_new(x, "uri", json_string(rd->uri));
		json_object_set_new(x, "external", json_boolean(rd->external));
		/* true / false; null when not checked or the check failed temporarily */
		json_object_set_new(x, "authorized",
				    !rd->external			    ? json_true()
				    : rd->verified == MW_AUTH_PASS ? json_true()
				    : rd->verified == MW_AUTH_FAIL ? json_false()
								   : json_null());
		json_array_append_new(reports, x);
	}
	json_object_set_new(j, "record_notes", notes);
	json_object_set_new(j, "report_destinations", reports);
	if (dd->has_record && dd->record.pct >= 0) /* historic RFC 7489 tags, reported */
		json_object_set_new(j, "pct", json_integer(dd->record.pct));
	if (dd->has_record && dd->record.rf)
		json_object_set_new(j, "rf", json_string(dd->record.rf));
	if (dd->has_record && dd->record.ri >= 0)
		json_object_set_new(j, "ri", json_integer(dd->record.ri));
	return j;
}

/* print_json - the --json object */
static void print_json(const dmarc_opts *o, const dmarc_run *run)
{
	const mw_authrun *r = &run->ar;
	json_t *spf = json_object();
	json_object_set_new(spf, "result", json_string(mw_auth_result_name(r->spf_in.result)));
	json_object_set_new(spf, "domain", jstr(r->spf.domain));
	json_object_set_new(spf, "sender", jstr(r->spf.sender));
	json_object_set_new(spf, "client_ip", json_string(o->ip));
	json_object_set_new(spf, "problem", jstr(r->spf.problem));
	json_t *dkim = json_array();
	for (size_t i = 0; i < r->dkim.nsig; i++) {
		const mw_dkim_sig *s = &r->dkim.sig[i];
		json_t *x = json_object();
		json_object_set_new(x, "domain", jstr(s->domain));
		json_object_set_new(x, "selector", jstr(s->selector));
		json_object_set_new(x, "algorithm", jstr(s->alg_name));
		json_object_set_new(x, "result", json_string(mw_auth_result_name(s->result)));
		json_object_set_new(x, "reason", json_string(s->reason));
		json_array_append_new(dkim, x);
	}
	const mw_dmarc_result *res = &r->dmarc;
	json_t *dm = json_object();
	json_object_set_new(dm, "result", json_string(mw_auth_result_name(res->result)));
	json_object_set_new(dm, "policy", json_string(mw_dmarc_policy_name(res->policy)));
	json_object_set_new(dm, "disposition", json_string(mw_dmarc_policy_name(res->disposition)));
	json_object_set_new(dm, "from_domain", jstr(res->ndomains ? res->domain[0].from_domain : NULL));
	json_object_set_new(dm, "organizational_domain",
			    jstr(res->ndomains ? res->domain[0].org_domain : NULL));
	json_object_set_new(dm, "reason", jstr(res->reason));
	json_object_set_new(dm, "mode", json_string(o->rfc7489 ? "rfc7489" : "rfc9989"));
	json_object_set_new(dm, "from_fields", json_integer((json_int_t)r->from.nfields));
	json_object_set_new(dm, "from_addresses", json_integer((json_int_t)r->from.naddrs));
	json_t *doms = json_array();
	for (size_t i = 0; i < res->ndomains; i++)
		json_array_append_new(doms, json_domain(&res->domain[i]));
	json_object_set_new(dm, "domains", doms);
	json_t *arc = json_object();
	json_object_set_new(arc, "cv", json_string(mw_arc_cv_name(r->arc.cv)));
	json_object_set_new(arc, "instances", json_integer(r->arc.n));
	json_object_set_new(arc, "reason", json_string(r->arc.reason));
	json_t *j = json_object();
	json_object_set_new(j, "spf", spf);
	json_object_set_new(j, "dkim", dkim);
	json_object_set_new(j, "arc", arc);
	json_object_set_new(j, "dmarc", dm);
	json_object_set_new(j, "authentication_results", json_string(mw_buf_cstr(&run->authres)));
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* print_text - the human report */
static void print_text(const dmarc_run *r)
{
	printf("%s\n\n", mw_buf_cstr(&r->authres));
	const mw_dmarc_result *res = &r->ar.dmarc;
	printf("DMARC %s: %s\n", mw_auth_result_name(res->result), res->reason ? res->reason : "");
	printf("  disposition:  %s\n", mw_dmarc_policy_name(res->disposition));
	for (size_t i = 0; i < res->ndomains; i++) {
		const mw_dmarc_domain *dd = &res->domain[i];
		printf("  From domain %s: %s (%s)\n", dd->from_domain, mw_auth_result_name(dd->result),
		       dd->reason ? dd->reason : "");
		printf("    organizational domain: %s\n", dd->org_domain ? dd->org_domain : "-");
		if (dd->has_record) {
			printf("    policy record at _dmarc.%s: %s=%s applied %s%s%s\n", dd->policy_domain,
			       dd->policy_tag, mw_dmarc_policy_name(dd->requested),
			       mw_dmarc_policy_name(dd->applied), dd->testing ? " (t=y testing)" : "",
			       dd->sampled_out ? " (pct: not sampled)" : "");
			printf("    aligned: spf %s, dkim %s%s%s\n", dd->spf_aligned ? "yes" : "no",
			       dd->dkim_aligned ? "yes" : "no", dd->dkim_aligned ? " d=" : "",
			       dd->dkim_aligned ? dd->dkim_aligned_domain : "");
			for (size_t k = 0; k < dd->record.nnotes; k++)
				printf("    note: %s\n", dd->record.notes[k]);
			for (size_t k = 0; k < dd->nreports; k++)
				if (dd->reports[k].external)
					printf("    report destination %s: external, %s\n", dd->reports[k].uri,
					       dd->reports[k].verified == MW_AUTH_PASS ? "authorized"
					       : dd->reports[k].verified == MW_AUTH_NONE
						       ? "not checked"
						       : "NOT authorized");
		}
	}
}

/* exit_for - exit status for the DMARC result */
static int exit_for(mw_auth_result r)
{
	switch (r) {
	case MW_AUTH_FAIL: return CLI_EXIT_FINDING;
	case MW_AUTH_TEMPERROR:
	case MW_AUTH_PERMERROR: return CLI_EXIT_ERROR;
	default: return CLI_EXIT_OK;
	}
}

/* load_message - read and parse */
static int load_message(const dmarc_opts *o, dmarc_run *r)
{
	size_t len;
	char *raw = cli_read_file(o->file, MW_MSG_MAX, &len);
	if (!raw)
		return CLI_EXIT_USAGE;
	mw_err err;
	mw_err_clear(&err);
	mw_status st = mw_message_parse(raw, len, &r->msg, &err);
	free(raw);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden dmarc: %s: %s\n", o->file, err.msg);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* evaluate - SPF, DKIM, ARC, DMARC (forensics/authrun.h), A-R; -1 or an exit code */
static int evaluate(const dmarc_opts *o, cli_dns *d, dmarc_run *r)
{
	mw_err err;
	mw_err_clear(&err);
	unsigned roll = 0;
	if (o->rfc7489) { /* pct sampling: any unpredictable number will do */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		roll = (unsigned)((ts.tv_nsec ^ (long)getpid()) % 100);
	}
	r->ao = (mw_authrun_opts){.ip = o->ip,
				  .mail_from = o->mail_from,
				  .helo = o->helo,
				  .authserv_id = o->authserv_id,
				  .dmarc_flags = (o->rfc7489 ? MW_DMARC_RFC7489 : 0) |
						 MW_DMARC_CHECK_REPORTS,
				  .pct_roll = roll,
				  .now = o->now ? (time_t)o->now : time(NULL)};
	mw_status st = mw_authrun_run(&r->ar, &r->msg, &r->ao, d->resolver, d->cache, &err);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden dmarc: %s: %s\n", o->file,
			err.msg[0] ? err.msg : mw_status_str(st));
		return r->ar.from_status != MW_OK && r->ar.from_status != MW_EPARSE
			       ? CLI_EXIT_USAGE
			       : CLI_EXIT_ERROR;
	}
	mw_buf_init(&r->authres, MW_AR_HEADER_MAX);
	if (mw_authrun_authres(&r->ar, &r->ao, true, &r->authres) != MW_OK) {
		fprintf(stderr, "mailwarden dmarc: cannot build the Authentication-Results header\n");
		return CLI_EXIT_ERROR;
	}
	return -1;
}

int cmd_dmarc(int argc, char **argv)
{
	dmarc_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	char host[256] = "localhost";
	if (!o.authserv_id) {
		gethostname(host, sizeof(host) - 1);
		o.authserv_id = host;
	}
	mw_ip ip;
	if (!mw_ip_parse(o.ip, &ip))
		return cli_usage_error("dmarc", "'%s' is not an IP address", o.ip);
	dmarc_run *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "mailwarden dmarc: out of memory\n");
		return CLI_EXIT_ERROR;
	}
	rc = load_message(&o, r);
	cli_dns d = {0};
	bool dns_open = false;
	if (rc < 0 && !(dns_open = cli_dns_open(&d, &o.dns)))
		rc = CLI_EXIT_USAGE;
	if (rc < 0)
		rc = evaluate(&o, &d, r);
	if (rc < 0) {
		if (o.json)
			print_json(&o, r);
		else
			print_text(r);
		rc = exit_for(r->ar.dmarc.result);
	}
	mw_buf_free(&r->authres);
	mw_authrun_free(&r->ar);
	mw_message_free(&r->msg);
	free(r);
	if (dns_open)
		cli_dns_close(&d);
	return rc;
}
