/*
 * cli/cmd_dns.c - `mailwarden dns NAME [TYPE]`: one query through the
 * project's DNS layer, like a tiny dig.
 *
 * DESCRIPTION
 *   Sends (NAME, TYPE) (default A) through the backend the DNS options pick
 *   (--zone FILE offline, --resolver IP[:PORT] c-ares, else the system
 *   resolver) and prints what the engines would see: the status (ok,
 *   NXDOMAIN, NODATA, TEMPFAIL with its reason), the answer TTL, and the
 *   records after CNAMEs are followed, in zone-file syntax under the queried
 *   name.  --json prints one object.
 *
 *   Exit: 0 records found, 1 NXDOMAIN or NODATA, 2 usage error,
 *   3 TEMPFAIL (timeout, SERVFAIL ...).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"

static const char usage_text[] =
    "usage: mailwarden dns NAME [TYPE] [options]\n"
    "\n"
    "Query NAME (TYPE: A AAAA MX TXT PTR CNAME NS SOA; default A) through\n"
    "mailwarden's DNS layer and print the status and the records.\n"
    "\n"
    "options:\n"
    "  --json                 one JSON object on stdout\n" CLI_DNS_HELP
    "  --help                 this text\n"
    "\n"
    "exit: 0 records, 1 NXDOMAIN/NODATA, 2 usage error, 3 temporary failure\n";

typedef struct dns_result {
	dns_answer *a;
} dns_result;

/* on_answer - keep the answer */
static void on_answer(void *arg, const char *name, dns_type type, dns_answer *a)
{
	(void)name;
	(void)type;
	((dns_result *)arg)->a = a;
}

/* put_txt - TXT bytes as zone-file strings of at most 255 bytes */
static void put_txt(mw_buf *b, const char *t, size_t n)
{
	if (n == 0)
		mw_buf_puts(b, "\"\"");
	for (size_t off = 0; off < n; off += 255) {
		size_t end = n - off > 255 ? off + 255 : n;
		mw_buf_puts(b, off ? " \"" : "\"");
		for (size_t i = off; i < end; i++) {
			unsigned char c = (unsigned char)t[i];
			if (c == '"' || c == '\\')
				mw_buf_printf(b, "\\%c", c);
			else if (c < 0x20 || c >= 0x7f)
				mw_buf_printf(b, "\\%03u", c);
			else
				mw_buf_putc(b, (char)c);
		}
		mw_buf_putc(b, '"');
	}
}

/* put_name - a target name, absolute */
static void put_name(mw_buf *b, const char *name)
{
	mw_buf_puts(b, name);
	if (strcmp(name, ".") != 0)
		mw_buf_putc(b, '.');
}

/* rdata_text - zone-file rdata of one record */
static void rdata_text(mw_buf *b, const dns_rr *rr)
{
	char ip[MW_IP_STR_MAX];
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		mw_buf_puts(b, mw_ip_format(&rr->ip, ip, sizeof(ip)));
		break;
	case DNS_T_MX:
		mw_buf_printf(b, "%u ", rr->pref);
		put_name(b, rr->name ? rr->name : ".");
		break;
	case DNS_T_TXT:
		put_txt(b, rr->txt ? rr->txt : "", rr->txt_len);
		break;
	default:
		put_name(b, rr->name ? rr->name : ".");
		break;
	}
}

/* print_human - status line, then one zone-file line per record */
static void print_human(const char *name, dns_type type, const dns_answer *a)
{
	printf(";; %s %s: %s", name, dns_type_name(type), dns_status_name(a->status));
	if (a->reason)
		printf(" (%s)", a->reason);
	printf(", %zu record%s, ttl %u\n", a->n, a->n == 1 ? "" : "s", a->ttl);
	mw_buf b;
	mw_buf_init(&b, MW_DNS_TXT_MAX * 5);
	for (size_t i = 0; i < a->n; i++) {
		mw_buf_reset(&b);
		rdata_text(&b, &a->rr[i]);
		printf("%s%s %u IN %s %s\n", name, name[strlen(name) - 1] == '.' ? "" : ".",
		       a->rr[i].ttl, dns_type_name(a->rr[i].type), mw_buf_cstr(&b));
	}
	mw_buf_free(&b);
}

/* print_json - one object */
static void print_json(const char *name, dns_type type, const dns_answer *a)
{
	json_t *o = json_object(), *rrs = json_array();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "type", json_string(dns_type_name(type)));
	json_object_set_new(o, "status", json_string(dns_status_name(a->status)));
	json_object_set_new(o, "reason", a->reason ? json_string(a->reason) : json_null());
	json_object_set_new(o, "ttl", json_integer(a->ttl));
	mw_buf b;
	mw_buf_init(&b, MW_DNS_TXT_MAX * 5);
	char ip[MW_IP_STR_MAX];
	for (size_t i = 0; i < a->n; i++) {
		const dns_rr *rr = &a->rr[i];
		json_t *r = json_object();
		json_object_set_new(r, "type", json_string(dns_type_name(rr->type)));
		json_object_set_new(r, "ttl", json_integer(rr->ttl));
		if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA)
			json_object_set_new(r, "address",
			                    json_string(mw_ip_format(&rr->ip, ip, sizeof(ip))));
		if (rr->type == DNS_T_MX)
			json_object_set_new(r, "preference", json_integer(rr->pref));
		if (rr->name)
			json_object_set_new(r, "target", json_string(rr->name));
		if (rr->txt)
			json_object_set_new(r, "text", json_stringn_nocheck(rr->txt, rr->txt_len));
		mw_buf_reset(&b);
		rdata_text(&b, rr);
		json_object_set_new(r, "data", json_string(mw_buf_cstr(&b)));
		json_array_append_new(rrs, r);
	}
	mw_buf_free(&b);
	json_object_set_new(o, "records", rrs);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

/* cmd_dns - entry point */
int cmd_dns(int argc, char **argv)
{
	cli_dns_opts o = {0};
	const char *pos[2] = {NULL, NULL};
	int npos = 0;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		}
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		int c = cli_dns_parse_opt(&o, "dns", argc, argv, &i);
		if (c < 0)
			return CLI_EXIT_USAGE;
		if (c > 0)
			continue;
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("dns", "unknown option '%s'", argv[i]);
		if (npos == 2)
			return cli_usage_error("dns", "too many arguments");
		pos[npos++] = argv[i];
	}
	if (npos == 0)
		return cli_usage_error("dns", "NAME is required");
	char norm[MW_DNS_NAME_MAX + 1];
	if (!mw_domain_normalize(pos[0], norm, sizeof(norm)))
		return cli_usage_error("dns", "'%.80s' is not a domain name", pos[0]);
	dns_type type = pos[1] ? dns_type_parse(pos[1]) : DNS_T_A;
	if (!type)
		return cli_usage_error("dns", "unknown type '%.20s'", pos[1]);
	cli_dns d;
	if (!cli_dns_open(&d, &o))
		return CLI_EXIT_USAGE;
	dns_result res = {0};
	int rc = CLI_EXIT_ERROR;
	if (dns_resolver_query(d.resolver, pos[0], type, on_answer, &res) == MW_OK) {
		dns_resolver_run(d.resolver);
		if (res.a) {
			(json ? print_json : print_human)(pos[0], type, res.a);
			rc = res.a->status == DNS_OK         ? CLI_EXIT_OK
			     : res.a->status == DNS_TEMPFAIL ? CLI_EXIT_ERROR
			                                     : CLI_EXIT_FINDING;
		}
	}
	if (!res.a)
		fprintf(stderr, "mailwarden dns: out of memory\n");
	dns_answer_free(res.a);
	cli_dns_close(&d);
	return rc;
}
