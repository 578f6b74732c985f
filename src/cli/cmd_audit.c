/*
 * cli/cmd_audit.c - `mailwarden audit`: a domain's and a mail server's
 * posture, checked and explained.
 *
 * SYNOPSIS
 *   mailwarden audit DOMAIN [--ip IP]... [--mx HOST]... [--selector S]...
 *                    [--smtp HOST[:PORT]] [--smtp-name NAME] [--dnsbl-zones FILE] [--no-dnsbl]
 *                    [--zone FILE | --resolver IP[:PORT]] [--json]
 *
 * DESCRIPTION
 *   Runs the DNS checks of audit/audit.h (SPF, DMARC, DKIM, MX, reverse
 *   DNS, MTA-STS/TLS-RPT/BIMI), the DNSBL checks of audit/dnsbl.h over the
 *   sending IPs, the MX addresses and the domain, and with --smtp the probe
 *   of audit/smtp_probe.h.  Prints the findings ranked critical, warning,
 *   info, each with its evidence and a fix; colour only on a terminal
 *   (and not with NO_COLOR).  --json prints one object with everything.
 *
 * EXIT STATUS
 *   0 nothing to fix (info only), 1 a critical or warning finding,
 *   2 usage or input error, 3 the audit could not run (DNS failure).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/dnsbl.h"
#include "audit/smtp_probe.h"
#include "auth/spf_record.h"
#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "core/str.h"

static const char usage_text[] =
	"usage: mailwarden audit DOMAIN [options]\n"
	"\n"
	"Check a domain's mail posture (SPF, DMARC, DKIM, MX, reverse DNS, DNSBL,\n"
	"MTA-STS/TLS-RPT/BIMI) and optionally probe an SMTP server; every finding\n"
	"comes with its evidence and a fix.\n"
	"\n"
	"options:\n"
	"  --ip IP                a sending IP to check (PTR, FCrDNS, DNSBL); repeatable\n"
	"  --mx HOST              check this host instead of the domain's MX; repeatable\n"
	"  --selector S           DKIM selector to check (plus common ones); repeatable\n"
	"  --smtp HOST[:PORT]     probe this SMTP server (banner, STARTTLS, AUTH, open relay)\n"
	"  --smtp-name NAME       name the server's certificate must match (default: the host)\n"
	"  --smtp-timeout MS      per-step SMTP timeout (default 10000)\n"
	"  --dnsbl-zones FILE     blocklists to use (format: docs/AUDIT.md; default built in)\n"
	"  --no-dnsbl             skip the blocklist checks\n" CLI_DNS_HELP
	"  --json                 one JSON object instead of text\n"
	"  --help                 this text\n"
	"\n"
	"exit status: 0 nothing to fix, 1 a critical or warning finding, 2 usage or\n"
	"input error, 3 the audit could not run\n";

typedef struct audit_opts {
	char domain[MW_DNS_NAME_MAX + 1];
	mw_ip ips[MW_AUDIT_IPS_MAX];
	size_t nips;
	const char *mx[MW_AUDIT_MX_MAX];
	size_t nmx;
	const char *sel[MW_AUDIT_SELECTORS_MAX];
	size_t nsel;
	const char *smtp;
	const char *smtp_name;
	int smtp_timeout;
	const char *dnsbl_file;
	bool no_dnsbl;
	bool json;
	cli_dns_opts dns;
} audit_opts;

/* add_value - one repeatable or single option value; -1 ok, else exit code */
static int add_value(audit_opts *o, const char *a, const char *v)
{
	if (strcmp(a, "--ip") == 0) {
		if (o->nips >= MW_AUDIT_IPS_MAX)
			return cli_usage_error("audit", "at most %d --ip", MW_AUDIT_IPS_MAX);
		if (!mw_ip_parse(v, &o->ips[o->nips]))
			return cli_usage_error("audit", "'%s' is not an IP address", v);
		mw_ip_unmap(&o->ips[o->nips++]);
	} else if (strcmp(a, "--mx") == 0) {
		if (o->nmx >= MW_AUDIT_MX_MAX || !spf_name_ok(v))
			return cli_usage_error("audit", "bad or too many --mx '%s'", v);
		o->mx[o->nmx++] = v;
	} else if (strcmp(a, "--selector") == 0) {
		if (o->nsel >= MW_AUDIT_SELECTORS_MAX / 2 || strlen(v) > MW_DKIM_SELECTOR_MAX ||
		    !spf_name_ok(v))
			return cli_usage_error("audit", "bad or too many --selector '%s'", v);
		o->sel[o->nsel++] = v;
	} else if (strcmp(a, "--smtp") == 0) {
		o->smtp = v;
	} else if (strcmp(a, "--smtp-name") == 0) {
		o->smtp_name = v;
	} else if (strcmp(a, "--smtp-timeout") == 0) {
		o->smtp_timeout = atoi(v);
		if (o->smtp_timeout < 1 || o->smtp_timeout > 600000)
			return cli_usage_error("audit", "--smtp-timeout wants 1..600000 ms");
	} else {
		o->dnsbl_file = v;
	}
	return -1;
}

/* parse_args - fill opts; -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, audit_opts *o)
{
	const char *domain = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&o->dns, "audit", argc, argv, &i);
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--no-dnsbl") == 0) {
			o->no_dnsbl = true;
		} else if (strcmp(a, "--ip") == 0 || strcmp(a, "--mx") == 0 ||
			   strcmp(a, "--selector") == 0 || strcmp(a, "--smtp") == 0 ||
			   strcmp(a, "--smtp-name") == 0 ||
			   strcmp(a, "--smtp-timeout") == 0 || strcmp(a, "--dnsbl-zones") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("audit", "%s needs a value", a);
			int rc = add_value(o, a, argv[++i]);
			if (rc >= 0)
				return rc;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("audit", "unknown option '%s'", a);
		} else if (!domain) {
			domain = a;
		} else {
			return cli_usage_error("audit", "unexpected argument '%s'", a);
		}
	}
	if (!domain)
		return cli_usage_error("audit", "need a DOMAIN");
	if (!mw_domain_normalize(domain, o->domain, sizeof(o->domain)) || !spf_name_ok(o->domain) ||
	    !strchr(o->domain, '.'))
		return cli_usage_error("audit", "'%s' is not a domain name", domain);
	return -1;
}

/* ---- output ----------------------------------------------------------- */

typedef struct colours {
	const char *crit, *warn, *info, *dim, *bold, *off;
} colours;

/* pick_colours - ANSI only on a terminal without NO_COLOR */
static colours pick_colours(void)
{
	if (isatty(STDOUT_FILENO) && !getenv("NO_COLOR"))
		return (colours){"\033[1;31m", "\033[1;33m", "\033[36m", "\033[2m", "\033[1m", "\033[0m"};
	return (colours){"", "", "", "", "", ""};
}

/* print_lines - text indented, each line prefixed */
static void print_lines(const char *text, const char *prefix, const colours *c)
{
	const char *p = text;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		printf("%s%s%.*s%s\n", c->dim, prefix, (int)n, p, c->off);
		p += n;
		if (*p)
			p++;
	}
}

/* print_text - the human report */
static void print_text(const char *domain, const audit_findings *l, const char *extra)
{
	colours c = pick_colours();
	printf("%smailwarden audit %s%s\n", c.bold, domain, c.off);
	printf("%zu critical, %zu warning, %zu info\n", audit_count(l, AUDIT_CRITICAL),
	       audit_count(l, AUDIT_WARNING), audit_count(l, AUDIT_INFO));
	if (extra)
		printf("%s", extra);
	for (size_t i = 0; i < l->n; i++) {
		const audit_finding *f = &l->f[i];
		const char *col = f->sev == AUDIT_CRITICAL ? c.crit : f->sev == AUDIT_WARNING ? c.warn : c.info;
		const char *tag = f->sev == AUDIT_CRITICAL ? "CRIT" : f->sev == AUDIT_WARNING ? "WARN" : "info";
		printf("\n%s[%s]%s %-8s %s\n", col, tag, c.off, f->section, f->title);
		print_lines(f->evidence, "    | ", &c);
		if (f->fix) {
			const char *nl = strchr(f->fix, '\n');
			printf("    fix: %.*s\n", (int)(nl ? (size_t)(nl - f->fix) : strlen(f->fix)), f->fix);
			if (nl)
				print_lines(nl + 1, "         ", &(colours){"", "", "", "", "", ""});
		}
	}
	if (l->dropped)
		printf("\n(%zu further findings dropped: limit %d)\n", l->dropped, MW_AUDIT_FINDINGS_MAX);
}

/* jlines - a text split into a JSON array of lines */
static json_t *jlines(const char *text)
{
	json_t *a = json_array();
	const char *p = text;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		json_array_append_new(a, json_stringn(p, n));
		p += n;
		if (*p)
			p++;
	}
	return a;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_spf - the SPF tree and counts */
static json_t *json_spf(const audit_spf_info *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "record", jstr(s->record));
	json_object_set_new(j, "lookups", json_integer(s->lookups));
	json_object_set_new(j, "lookups_max", json_integer(MW_SPF_DNS_TERMS_MAX));
	json_object_set_new(j, "void_lookups", json_integer(s->voids));
	json_t *tree = json_array();
	for (size_t i = 0; i < s->nnodes; i++) {
		const audit_spf_node *n = &s->nodes[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(n->name));
		json_object_set_new(o, "via", json_string(n->via));
		json_object_set_new(o, "depth", json_integer(n->depth));
		json_object_set_new(o, "parent", json_integer(n->parent));
		json_object_set_new(o, "cost", json_integer(n->cost));
		json_object_set_new(o, "problem", jstr(n->problem));
		json_array_append_new(tree, o);
	}
	json_object_set_new(j, "tree", tree);
	json_object_set_new(j, "flattened", s->flat ? jlines(s->flat) : json_null());
	return j;
}

/* json_findings - the findings array */
static json_t *json_findings(const audit_findings *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const audit_finding *f = &l->f[i];
		json_t *o = json_object();
		json_object_set_new(o, "severity", json_string(audit_sev_name(f->sev)));
		json_object_set_new(o, "section", json_string(f->section));
		json_object_set_new(o, "code", json_string(f->code));
		json_object_set_new(o, "title", json_string(f->title));
		json_object_set_new(o, "evidence", jlines(f->evidence));
		json_object_set_new(o, "fix", jstr(f->fix));
		json_array_append_new(a, o);
	}
	return a;
}

/* print_json - everything as one object */
static void print_json(const char *domain, const audit_result *r, json_t *dnsbl, json_t *smtp)
{
	const audit_findings *l = &r->findings;
	json_t *j = json_object();
	json_object_set_new(j, "domain", json_string(domain));
	json_t *sum = json_object();
	json_object_set_new(sum, "critical", json_integer((json_int_t)audit_count(l, AUDIT_CRITICAL)));
	json_object_set_new(sum, "warning", json_integer((json_int_t)audit_count(l, AUDIT_WARNING)));
	json_object_set_new(sum, "info", json_integer((json_int_t)audit_count(l, AUDIT_INFO)));
	json_object_set_new(j, "summary", sum);
	json_object_set_new(j, "spf", json_spf(&r->spf));
	json_t *dm = json_object();
	json_object_set_new(dm, "found", json_boolean(r->dmarc.found));
	json_object_set_new(dm, "at", jstr(r->dmarc.at));
	json_object_set_new(dm, "record", jstr(r->dmarc.record));
	json_object_set_new(dm, "policy", r->dmarc.found ? json_string(mw_dmarc_policy_name(r->dmarc.policy))
							: json_null());
	json_object_set_new(j, "dmarc", dm);
	json_t *dk = json_object();
	json_object_set_new(dk, "keys", json_integer((json_int_t)r->dkim.nkeys));
	json_object_set_new(dk, "selectors", jstr(r->dkim.selectors));
	json_object_set_new(j, "dkim", dk);
	json_t *hosts = json_array();
	for (size_t i = 0; i < r->hosts.n; i++) {
		char ip[MW_IP_STR_MAX];
		json_t *h = json_object();
		json_object_set_new(h, "ip", json_string(mw_ip_format(&r->hosts.ip[i].ip, ip, sizeof(ip))));
		json_object_set_new(h, "source", json_string(r->hosts.ip[i].src));
		json_object_set_new(h, "sending", json_boolean(r->hosts.ip[i].sending));
		json_array_append_new(hosts, h);
	}
	json_object_set_new(j, "hosts", hosts);
	json_object_set_new(j, "dnsbl", dnsbl ? dnsbl : json_null());
	json_object_set_new(j, "smtp", smtp ? smtp : json_null());
	json_object_set_new(j, "findings", json_findings(l));
	json_object_set_new(j, "findings_dropped", json_integer((json_int_t)l->dropped));
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* ---- the steps -------------------------------------------------------- */

/* run_dnsbl - blocklist checks over the hosts and the domain; JSON summary or NULL */
static json_t *run_dnsbl(const audit_opts *o, audit_result *r, int *rc)
{
	dnsbl_list list;
	mw_err err;
	mw_err_clear(&err);
	mw_status st = o->dnsbl_file ? dnsbl_list_load_file(&list, o->dnsbl_file, &err)
				     : dnsbl_list_load_default(&list, &err);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden audit: %s\n", err.msg);
		*rc = CLI_EXIT_USAGE;
		return NULL;
	}
	cli_dns d;
	if (!cli_dns_open(&d, &o->dns)) {
		dnsbl_list_free(&list);
		*rc = CLI_EXIT_ERROR;
		return NULL;
	}
	dnsbl_result res;
	dnsbl_targets t = {.domain = o->domain};
	for (size_t i = 0; i < r->hosts.n && t.nips < MW_AUDIT_IPS_MAX; i++)
		t.ips[t.nips++] = r->hosts.ip[i].ip;
	st = dnsbl_check(&list, &t, d.resolver, MW_DNSBL_TIME_MS, &res);
	cli_dns_close(&d); /* cancels what is left; res must outlive it */
	json_t *j = NULL;
	if (st == MW_OK) {
		dnsbl_findings(&list, &res, &r->findings);
		j = dnsbl_json(&list, &res);
	}
	dnsbl_result_free(&res);
	dnsbl_list_free(&list);
	return j;
}

/* run_smtp - the SMTP probe; JSON summary */
static json_t *run_smtp(const audit_opts *o, audit_result *r)
{
	smtp_probe_opts po = {.target = o->smtp,
			      .step_ms = o->smtp_timeout ? o->smtp_timeout : MW_SMTP_STEP_MS,
			      .total_ms = MW_SMTP_TOTAL_MS,
			      .domain = o->domain,
			      .tls_name = o->smtp_name};
	smtp_probe_result pr;
	smtp_probe_run(&po, &pr);
	smtp_probe_findings(&pr, &r->findings);
	json_t *j = smtp_probe_json(&pr);
	smtp_probe_result_free(&pr);
	return j;
}

int cmd_audit(int argc, char **argv)
{
	audit_opts o;
	memset(&o, 0, sizeof(o));
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	cli_dns d;
	if (!cli_dns_open(&d, &o.dns))
		return CLI_EXIT_USAGE;
	audit_result r;
	if (!audit_result_init(&r)) {
		cli_dns_close(&d);
		fprintf(stderr, "mailwarden audit: out of memory\n");
		return CLI_EXIT_ERROR;
	}
	audit_request req = {.domain = o.domain, .ips = o.ips, .nips = o.nips, .mx = o.mx,
			     .nmx = o.nmx, .selectors = o.sel, .nsel = o.nsel};
	mw_err err;
	mw_err_clear(&err);
	mw_status st = audit_dns_run(&req, d.resolver, d.cache, &r, &err);
	cli_dns_close(&d);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden audit: %s\n", err.msg[0] ? err.msg : mw_status_str(st));
		audit_result_free(&r);
		return CLI_EXIT_ERROR;
	}
	rc = -1;
	json_t *jb = o.no_dnsbl ? NULL : run_dnsbl(&o, &r, &rc);
	if (rc >= 0) {
		audit_result_free(&r);
		return rc;
	}
	json_t *js = o.smtp ? run_smtp(&o, &r) : NULL;
	audit_sort(&r.findings);
	if (o.json) {
		print_json(o.domain, &r, jb, js);
	} else {
		print_text(o.domain, &r.findings, NULL);
		json_decref(jb);
		json_decref(js);
	}
	rc = audit_count(&r.findings, AUDIT_CRITICAL) + audit_count(&r.findings, AUDIT_WARNING)
		     ? CLI_EXIT_FINDING
		     : CLI_EXIT_OK;
	audit_result_free(&r);
	return rc;
}
