/*
 * cli/cmd_spf.c - `mailwarden spf`: SPF check_host() with a trace.
 *
 * SYNOPSIS
 *   mailwarden spf IP DOMAIN [--sender ADDR] [--helo NAME] [--identity mailfrom|helo]
 *                  [--receiver NAME] [--zone FILE | --resolver IP[:PORT]] [--json]
 *
 * DESCRIPTION
 *   Evaluates RFC 7208 check_host(IP, DOMAIN, sender) through the engine in
 *   auth/spf.c and prints the result, the explanation of a fail, the lookup
 *   counts and an indented trace of every record fetched and term
 *   evaluated; --json prints one object instead.  The sender defaults to
 *   postmaster@DOMAIN and the HELO name to DOMAIN.
 *
 * EXIT STATUS
 *   0 pass/none/neutral, 1 fail/softfail, 2 usage or input error,
 *   3 temperror/permerror.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/spf.h"
#include "cli/cli.h"
#include "cli/dnsopt.h"

static const char usage_text[] =
	"usage: mailwarden spf IP DOMAIN [options]\n"
	"\n"
	"Evaluate the SPF policy of DOMAIN for a client at IP (RFC 7208 check_host)\n"
	"and show every record fetched and term evaluated.\n"
	"\n"
	"options:\n"
	"  --sender ADDR          MAIL FROM address (default postmaster@DOMAIN)\n"
	"  --helo NAME            HELO/EHLO name (default DOMAIN)\n"
	"  --identity ID          mailfrom (default) or helo\n"
	"  --receiver NAME        this host's name, for %{r} and Received-SPF\n"
	"                         (default: the local host name)\n" CLI_DNS_HELP
	"  --json                 one JSON object instead of text\n"
	"  --help                 this text\n"
	"\n"
	"exit status: 0 pass/none/neutral, 1 fail/softfail, 2 usage or input error,\n"
	"3 temperror/permerror\n";

typedef struct spf_opts {
	const char *ip, *domain, *sender, *helo, *receiver;
	spf_identity identity;
	bool json;
	cli_dns_opts dns;
} spf_opts;

/* parse_args - fill opts; returns -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, spf_opts *o)
{
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&o->dns, "spf", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--sender") == 0 || strcmp(a, "--helo") == 0 ||
			   strcmp(a, "--receiver") == 0 || strcmp(a, "--identity") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("spf", "%s needs a value", a);
			const char *v = argv[++i];
			if (a[2] == 's')
				o->sender = v;
			else if (a[2] == 'h')
				o->helo = v;
			else if (a[2] == 'r')
				o->receiver = v;
			else if (strcmp(v, "helo") == 0)
				o->identity = SPF_ID_HELO;
			else if (strcmp(v, "mailfrom") == 0)
				o->identity = SPF_ID_MAILFROM;
			else
				return cli_usage_error("spf", "--identity wants mailfrom or helo, not '%s'", v);
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("spf", "unknown option '%s'", a);
		} else if (npos == 0) {
			o->ip = a;
			npos++;
		} else if (npos == 1) {
			o->domain = a;
			npos++;
		} else {
			return cli_usage_error("spf", "unexpected argument '%s'", a);
		}
	}
	if (npos != 2)
		return cli_usage_error("spf", "need IP and DOMAIN");
	return -1;
}

/* exit_for - exit status for an SPF result */
static int exit_for(mw_auth_result r)
{
	switch (r) {
	case MW_AUTH_FAIL:
	case MW_AUTH_SOFTFAIL: return CLI_EXIT_FINDING;
	case MW_AUTH_TEMPERROR:
	case MW_AUTH_PERMERROR: return CLI_EXIT_ERROR;
	default: return CLI_EXIT_OK;
	}
}

/* jstr - JSON string or null */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* print_json - the --json object */
static void print_json(const spf_opts *o, const spf_request *req, const spf_result *res)
{
	json_t *trace = json_array();
	for (size_t i = 0; i < res->ntrace; i++)
		json_array_append_new(trace, json_string(res->trace[i]));
	json_t *j = json_object();
	json_object_set_new(j, "result", json_string(mw_auth_result_name(res->result)));
	json_object_set_new(j, "domain", json_string(res->domain));
	json_object_set_new(j, "client_ip", json_string(o->ip));
	json_object_set_new(j, "sender", json_string(res->sender));
	json_object_set_new(j, "helo", jstr(req->helo));
	json_object_set_new(j, "identity", json_string(req->identity == SPF_ID_HELO ? "helo" : "mailfrom"));
	json_object_set_new(j, "mechanism", jstr(res->mechanism));
	json_object_set_new(j, "explanation", jstr(res->explanation));
	json_object_set_new(j, "problem", jstr(res->problem));
	json_object_set_new(j, "dns_lookups", json_integer(res->dns_lookups));
	json_object_set_new(j, "dns_lookups_max", json_integer(MW_SPF_DNS_TERMS_MAX));
	json_object_set_new(j, "void_lookups", json_integer(res->void_lookups));
	json_object_set_new(j, "void_lookups_max", json_integer(MW_SPF_VOID_MAX));
	json_object_set_new(j, "received_spf", jstr(res->received_spf));
	json_object_set_new(j, "trace", trace);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* print_text - the human report */
static void print_text(const spf_opts *o, const spf_result *res)
{
	printf("SPF %s for %s from %s (sender %s)\n", mw_auth_result_name(res->result), res->domain,
	       o->ip, res->sender);
	if (res->mechanism)
		printf("  matched:      %s\n", res->mechanism);
	if (res->explanation)
		printf("  explanation:  %s\n", res->explanation);
	if (res->problem)
		printf("  problem:      %s\n", res->problem);
	printf("  DNS lookups:  %u of %d, void lookups: %u of %d\n", res->dns_lookups,
	       MW_SPF_DNS_TERMS_MAX, res->void_lookups, MW_SPF_VOID_MAX);
	printf("  trace:\n");
	for (size_t i = 0; i < res->ntrace; i++)
		printf("    %s\n", res->trace[i]);
	if (res->received_spf)
		printf("  %s\n", res->received_spf);
}

int cmd_spf(int argc, char **argv)
{
	spf_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	spf_request req = {0};
	if (!spf_request_set_ip(&req, o.ip))
		return cli_usage_error("spf", "'%s' is not an IP address", o.ip);
	char sender[1100];
	if (!o.sender) {
		snprintf(sender, sizeof(sender), "postmaster@%s", o.domain);
		o.sender = sender;
	}
	req.sender = o.sender;
	req.helo = o.helo ? o.helo : o.domain;
	req.domain = o.domain;
	req.identity = o.identity;
	char host[256];
	if (!o.receiver && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		o.receiver = host; /* RFC 7208 §9.1: the host performing the check */
	}
	req.receiver = o.receiver;
	cli_dns d;
	if (!cli_dns_open(&d, &o.dns))
		return CLI_EXIT_USAGE;
	spf_result res = {0};
	mw_err err;
	mw_err_clear(&err);
	mw_status st = spf_check_run(&req, d.resolver, d.cache, &res, &err);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden spf: %s\n", err.msg[0] ? err.msg : mw_status_str(st));
		rc = CLI_EXIT_ERROR;
	} else {
		if (o.json)
			print_json(&o, &req, &res);
		else
			print_text(&o, &res);
		rc = exit_for(res.result);
	}
	spf_result_free(&res);
	cli_dns_close(&d);
	return rc;
}
