/*
 * cli/cmd_analyze.c - `mailwarden analyze`: who really sent this message?
 *
 * SYNOPSIS
 *   mailwarden analyze FILE [--trusted HOST|CIDR]... [--authserv-id ID]
 *                     [--now UNIXTIME] [--zone FILE | --resolver IP[:PORT]] [--json]
 *
 * DESCRIPTION
 *   Reads the raw message (FILE or "-"), runs forensics/analyze.h and prints
 *   the hop table (oldest first: hop, HELO, rDNS, IP, by, protocol, time,
 *   delay), the authentication results recomputed and compared with the
 *   message's Authentication-Results fields, the findings and the verdict
 *   with a plain-language explanation and advice.  --json prints
 *   {"verdict","explanation","advice","connecting_ip","hops":[...],
 *    "auth":{"spf","dkim","dmarc","arc"},"authentication_results":[...],
 *    "findings":[{"code","severity","message","evidence"}]}.
 *
 * EXIT STATUS
 *   0 authentic or authentic-but-relayed, 1 spoofed / suspicious /
 *   backscatter, 2 usage or input error (unreadable file, not a message),
 *   3 undetermined because of a DNS temperror; undetermined for other
 *   reasons (no Received chain, no From) exits 1: it is not a clean bill.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "forensics/analyze.h"

static const char usage_text[] =
    "usage: mailwarden analyze FILE [options]\n"
    "\n"
    "Who really sent this message?  Reads the raw message in FILE ('-' = stdin),\n"
    "traces its Received chain, recomputes SPF, DKIM, ARC and DMARC, and explains\n"
    "the verdict: authentic, authentic-but-relayed, spoofed, suspicious,\n"
    "backscatter or undetermined.\n"
    "\n"
    "options:\n"
    "  --trusted HOST|CIDR    a server of yours (repeatable): hops from it are inside\n"
    "                         the trust boundary (default: private addresses only)\n"
    "  --authserv-id ID       only Authentication-Results from ID are believed\n"
    "  --now UNIXTIME         clock for DKIM x= (default: now)\n" CLI_DNS_HELP
    "  --json                 one JSON object instead of text\n"
    "  --help                 this text\n"
    "\n"
    "exit status: 0 authentic / authentic-but-relayed, 1 spoofed / suspicious /\n"
    "backscatter / undetermined, 2 usage or input error, 3 undetermined because\n"
    "of a temporary DNS failure\n";

typedef struct an_cli {
	const char *file;
	mw_an_trusted trusted[MW_AN_TRUSTED_MAX];
	mw_an_opts o;
	bool json;
	cli_dns_opts dns;
} an_cli;

/* parse_args - fill c; -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, an_cli *c)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&c->dns, "analyze", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		bool has_val = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			c->json = true;
		} else if (strcmp(a, "--trusted") == 0) {
			if (!has_val)
				return cli_usage_error("analyze", "--trusted needs a value");
			if (c->o.ntrusted >= MW_AN_TRUSTED_MAX)
				return cli_usage_error("analyze", "at most %d --trusted",
				                       MW_AN_TRUSTED_MAX);
			if (!mw_an_trusted_parse(argv[++i], &c->trusted[c->o.ntrusted]))
				return cli_usage_error("analyze",
				                       "--trusted '%s': not a host name, "
				                       "address or CIDR",
				                       argv[i]);
			c->o.ntrusted++;
		} else if (strcmp(a, "--authserv-id") == 0) {
			if (!has_val)
				return cli_usage_error("analyze", "--authserv-id needs a value");
			c->o.authserv_id = argv[++i];
		} else if (strcmp(a, "--now") == 0) {
			if (!has_val)
				return cli_usage_error("analyze", "--now needs a value");
			char *end;
			long long t = strtoll(argv[++i], &end, 10);
			if (*end || t <= 0)
				return cli_usage_error("analyze", "--now wants a Unix time");
			c->o.now = (time_t)t;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("analyze", "unknown option '%s'", a);
		} else if (!c->file) {
			c->file = a;
		} else {
			return cli_usage_error("analyze", "unexpected argument '%s'", a);
		}
	}
	if (!c->file)
		return cli_usage_error("analyze", "need a message FILE ('-' for standard input)");
	c->o.trusted = c->trusted;
	return -1;
}

/* fmt_time - "2023-11-20 09:15:02" UTC (ISO 8601 "2023-11-20T09:15:02Z" with iso), or "-" */
static const char *fmt_time(const mw_received *r, char *buf, size_t n, bool iso)
{
	if (!r->has_time)
		return "-";
	time_t t = (time_t)r->time;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

/* print_hops - the hop table, oldest first */
static void print_hops(const mw_analysis *a)
{
	printf("%-4s %-28s %-28s %-18s %-28s %-8s %-19s %s\n", "hop", "from (HELO)", "rDNS", "IP",
	       "by", "proto", "time (UTC)", "delay");
	for (size_t i = 0; i < a->nhops; i++) {
		const mw_received *r = &a->hop[i].r;
		char tb[32], mark = (long)i == a->client ? '>' : a->hop[i].inside ? ' ' : '.';
		if (!r->parsed) {
			printf("%c%-3zu (unreadable: %s) %.100s\n", mark, i + 1, dash(r->problem),
			       r->raw);
			continue;
		}
		char dl[24] = "";
		if (a->hop[i].has_delay)
			snprintf(dl, sizeof(dl), "%llds", a->hop[i].delay);
		printf("%c%-3zu %-28.28s %-28.28s %-18.18s %-28.28s %-8.8s %-19s %s\n", mark, i + 1,
		       r->local ? "(local)" : dash(r->helo),
		       r->rdns           ? r->rdns
		       : r->rdns_unknown ? "unknown"
		       : r->local        ? "-"
		                         : "(not recorded)",
		       dash(r->ip_text), dash(r->by), dash(r->protocol),
		       fmt_time(r, tb, sizeof(tb), false), dl);
	}
	printf("('>' marks the connecting client: the first hop from outside the trust "
	       "boundary; '.' hops are outside)\n");
}

/* print_text - the human report */
static void print_text(const mw_analysis *a)
{
	if (a->nhops)
		print_hops(a);
	const mw_authrun *r = &a->auth;
	printf("\nconnecting client: %s  HELO %s  reverse DNS %s%s\n", dash(a->client_ip),
	       dash(a->helo), dash(a->ptr_name),
	       a->ptr_name ? (a->fcrdns ? " (forward-confirmed)" : " (NOT forward-confirmed)")
	                   : "");
	printf("envelope sender (Return-Path): %s   From: %s%s%s%s\n",
	       a->mail_from ? (*a->mail_from ? a->mail_from : "<>") : "-", dash(a->from_addr),
	       a->from_display ? " (display name \"" : "", a->from_display ? a->from_display : "",
	       a->from_display ? "\")" : "");
	printf("recomputed: spf=%s dkim=%s dmarc=%s arc=%s\n",
	       mw_auth_result_name(r->spf_in.result),
	       r->dkim.nsig ? mw_auth_result_name(r->dkim.result) : "none",
	       mw_auth_result_name(r->dmarc.result), mw_arc_cv_name(r->arc.cv));
	for (size_t i = 0; i < r->dkim.nsig; i++)
		printf("  dkim d=%s s=%s: %s (%s)\n", r->dkim.sig[i].domain,
		       r->dkim.sig[i].selector, mw_auth_result_name(r->dkim.sig[i].result),
		       r->dkim.sig[i].reason);
	for (size_t i = 0; i < a->ncmp; i++)
		printf("  Authentication-Results from %s: %s=%s, recomputed %s: %s\n",
		       a->cmp[i].authserv_id, a->cmp[i].method, a->cmp[i].claimed,
		       a->cmp[i].recomputed, mw_an_agree_name(a->cmp[i].state));
	printf("\nfindings:\n");
	if (!a->nfindings)
		printf("  (none)\n");
	for (size_t i = 0; i < a->nfindings; i++) {
		const mw_an_finding *f = &a->finding[i];
		printf("  [%s] %s: %s\n", mw_an_sev_name(f->sev), f->code, f->message);
		if (f->evidence[0])
			printf("      evidence: %.300s\n", f->evidence);
	}
	printf("\nverdict: %s\n  %s\n  advice: %s\n", mw_an_verdict_name(a->verdict),
	       a->explanation, a->advice);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_hops - the hop array */
static json_t *json_hops(const mw_analysis *a)
{
	json_t *hops = json_array();
	for (size_t i = 0; i < a->nhops; i++) {
		const mw_received *r = &a->hop[i].r;
		char tb[32];
		json_t *h = json_object();
		json_object_set_new(h, "hop", json_integer((json_int_t)i + 1));
		json_object_set_new(h, "parsed", json_boolean(r->parsed));
		json_object_set_new(h, "helo", jstr(r->helo));
		json_object_set_new(h, "rdns", jstr(r->rdns));
		json_object_set_new(h, "rdns_unknown", json_boolean(r->rdns_unknown));
		json_object_set_new(h, "ip", jstr(r->ip_text));
		json_object_set_new(h, "by", jstr(r->by));
		json_object_set_new(h, "protocol", jstr(r->protocol));
		json_object_set_new(h, "tls", json_boolean(r->tls));
		json_object_set_new(h, "authenticated", json_boolean(r->authenticated));
		json_object_set_new(h, "id", jstr(r->id));
		json_object_set_new(h, "for", jstr(r->for_addr));
		json_object_set_new(h, "time",
		                    r->has_time ? json_string(fmt_time(r, tb, sizeof(tb), true))
		                                : json_null());
		json_object_set_new(
		    h, "delay", a->hop[i].has_delay ? json_integer(a->hop[i].delay) : json_null());
		json_object_set_new(h, "inside_boundary", json_boolean(a->hop[i].inside));
		json_object_set_new(h, "connecting_client", json_boolean((long)i == a->client));
		if (!r->parsed)
			json_object_set_new(h, "raw", json_string(r->raw));
		json_array_append_new(hops, h);
	}
	return hops;
}

/* json_auth - recomputed results and A-R comparison */
static json_t *json_auth(const mw_analysis *a)
{
	const mw_authrun *r = &a->auth;
	json_t *au = json_object(), *dk = json_array();
	json_object_set_new(au, "spf", json_string(mw_auth_result_name(r->spf_in.result)));
	json_object_set_new(
	    au, "dkim", json_string(r->dkim.nsig ? mw_auth_result_name(r->dkim.result) : "none"));
	json_object_set_new(au, "dmarc", json_string(mw_auth_result_name(r->dmarc.result)));
	json_object_set_new(au, "arc", json_string(mw_arc_cv_name(r->arc.cv)));
	for (size_t i = 0; i < r->dkim.nsig; i++) {
		json_t *s = json_object();
		json_object_set_new(s, "domain", jstr(r->dkim.sig[i].domain));
		json_object_set_new(s, "selector", jstr(r->dkim.sig[i].selector));
		json_object_set_new(s, "result",
		                    json_string(mw_auth_result_name(r->dkim.sig[i].result)));
		json_object_set_new(s, "reason", json_string(r->dkim.sig[i].reason));
		json_array_append_new(dk, s);
	}
	json_object_set_new(au, "dkim_signatures", dk);
	json_object_set_new(au, "spf_domain", jstr(r->spf_in.domain));
	return au;
}

/* print_json - the --json object */
static void print_json(const mw_analysis *a)
{
	json_t *j = json_object(), *fs = json_array(), *cmp = json_array();
	json_object_set_new(j, "verdict", json_string(mw_an_verdict_name(a->verdict)));
	json_object_set_new(j, "explanation", json_string(a->explanation));
	json_object_set_new(j, "advice", json_string(a->advice));
	json_object_set_new(j, "connecting_ip", jstr(a->client_ip));
	json_object_set_new(j, "helo", jstr(a->helo));
	json_object_set_new(j, "rdns", jstr(a->ptr_name));
	json_object_set_new(j, "fcrdns", json_boolean(a->fcrdns));
	json_object_set_new(j, "mail_from", jstr(a->mail_from));
	json_object_set_new(j, "from", jstr(a->from_addr));
	json_object_set_new(j, "from_display", jstr(a->from_display));
	json_object_set_new(j, "hops", json_hops(a));
	json_object_set_new(j, "auth", json_auth(a));
	for (size_t i = 0; i < a->ncmp; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "authserv_id", jstr(a->cmp[i].authserv_id));
		json_object_set_new(c, "method", json_string(a->cmp[i].method));
		json_object_set_new(c, "claimed", json_string(a->cmp[i].claimed));
		json_object_set_new(c, "recomputed", json_string(a->cmp[i].recomputed));
		json_object_set_new(c, "state", json_string(mw_an_agree_name(a->cmp[i].state)));
		json_array_append_new(cmp, c);
	}
	json_object_set_new(j, "authentication_results", cmp);
	for (size_t i = 0; i < a->nfindings; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "code", json_string(a->finding[i].code));
		json_object_set_new(f, "severity", json_string(mw_an_sev_name(a->finding[i].sev)));
		json_object_set_new(f, "message", json_string(a->finding[i].message));
		json_object_set_new(f, "evidence", json_string(a->finding[i].evidence));
		json_array_append_new(fs, f);
	}
	json_object_set_new(j, "findings", fs);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* exit_for - exit status for the verdict */
static int exit_for(const mw_analysis *a)
{
	switch (a->verdict) {
	case MW_AN_AUTHENTIC:
	case MW_AN_RELAYED:
		return CLI_EXIT_OK;
	case MW_AN_UNDETERMINED:
		return !a->msg_ok    ? CLI_EXIT_USAGE
		       : a->dns_temp ? CLI_EXIT_ERROR
		                     : CLI_EXIT_FINDING;
	default:
		return CLI_EXIT_FINDING;
	}
}

int cmd_analyze(int argc, char **argv)
{
	an_cli *c = calloc(1, sizeof(*c));
	if (!c)
		return CLI_EXIT_ERROR;
	int rc = parse_args(argc, argv, c);
	size_t len = 0;
	char *raw = rc < 0 ? cli_read_file(c->file, MW_MSG_MAX, &len) : NULL;
	if (rc < 0 && !raw)
		rc = CLI_EXIT_USAGE;
	cli_dns d = {0};
	bool dns_open = false;
	if (rc < 0 && !(dns_open = cli_dns_open(&d, &c->dns)))
		rc = CLI_EXIT_USAGE;
	if (rc < 0) {
		mw_analysis *a = calloc(1, sizeof(*a));
		mw_err err;
		mw_err_clear(&err);
		if (!a || mw_analyze(raw, len, &c->o, d.resolver, d.cache, a, &err) != MW_OK) {
			fprintf(stderr, "mailwarden analyze: %s\n", a ? err.msg : "out of memory");
			rc = CLI_EXIT_ERROR;
		} else {
			if (!a->msg_ok)
				fprintf(stderr, "mailwarden analyze: %s: %s\n", c->file,
				        a->nfindings ? a->finding[0].evidence : "not a message");
			if (c->json)
				print_json(a);
			else
				print_text(a);
			rc = exit_for(a);
		}
		if (a)
			mw_analysis_free(a);
		free(a);
	}
	free(raw);
	if (dns_open)
		cli_dns_close(&d);
	free(c);
	return rc;
}
