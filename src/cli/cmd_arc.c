/*
 * cli/cmd_arc.c - `mailwarden arc verify|seal`: ARC (RFC 8617).
 *
 * SYNOPSIS
 *   mailwarden arc verify FILE [--zone FILE | --resolver IP[:PORT]] [--json]
 *   mailwarden arc seal FILE --domain D --selector S --key PEM --authserv-id ID
 *                  [--auth-results "spf=pass ...; dkim=..."] [--headers a:b:c]
 *                  [--time UNIX] [--zone FILE | --resolver IP[:PORT]] [--json]
 *
 * DESCRIPTION
 *   verify validates the chain (auth/arc.h) and prints cv, the number of
 *   instances, oldest-pass and the reason; --json prints
 *   {"cv","instances","reason",...}.  seal validates the chain, then
 *   prints the message with a new ARC set on top (ARC-Seal,
 *   ARC-Message-Signature, ARC-Authentication-Results, in the input's
 *   line-end style, the input unchanged after them); the AAR takes
 *   --auth-results, or the message's Authentication-Results fields whose
 *   authserv-id is ours.  The private key is read once and never printed.
 *
 * EXIT STATUS
 *   verify: 0 pass/none, 1 fail, 2 usage or input error, 3 temperror.
 *   seal: 0 sealed, 1 refused (the newest seal already says cv=fail, or
 *   50 sets), 2 usage or input error, 3 key lookup trouble.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/arc.h"
#include "auth/dkim_crypto.h"
#include "cli/cli.h"
#include "cli/dnsopt.h"
#include "mail/message.h"

static const char usage_text[] =
	"usage: mailwarden arc verify FILE [options]\n"
	"       mailwarden arc seal FILE --domain D --selector S --key PEM --authserv-id ID\n"
	"                  [options]\n"
	"\n"
	"Validate the ARC chain of the message in FILE ('-' = stdin), or add a new\n"
	"ARC set (RFC 8617) and print the sealed message.\n"
	"\n"
	"seal options:\n"
	"  --domain D             signing domain (d=)\n"
	"  --selector S           selector (s=); the key is published at S._domainkey.D\n"
	"  --key PEM              RSA private key (PEM)\n"
	"  --authserv-id ID       our authserv-id, for the ARC-Authentication-Results\n"
	"  --auth-results TEXT    results for the AAR, e.g. \"spf=pass smtp.mailfrom=a.example\"\n"
	"                         (default: our Authentication-Results fields in the message)\n"
	"  --headers LIST         fields to sign, colon-separated (default: common ones present)\n"
	"  --time UNIX            t= value (default: now)\n"
	"common options:\n" CLI_DNS_HELP
	"  --json                 one JSON object instead of text\n"
	"  --help                 this text\n"
	"\n"
	"exit status: 0 pass/none (verify) or sealed, 1 fail or refused,\n"
	"2 usage or input error, 3 temporary DNS trouble\n";

typedef struct arc_opts {
	const char *file, *domain, *selector, *key, *authserv_id, *auth_results, *headers;
	long long t;
	bool json, seal;
	cli_dns_opts dns;
} arc_opts;

/* value_opt - options that take a value; 1 consumed, 0 not ours, -1 error */
static int value_opt(arc_opts *o, int argc, char **argv, int *i)
{
	static const struct {
		const char *name;
		size_t off;
	} opts[] = {
		{"--domain", offsetof(arc_opts, domain)},
		{"--selector", offsetof(arc_opts, selector)},
		{"--key", offsetof(arc_opts, key)},
		{"--authserv-id", offsetof(arc_opts, authserv_id)},
		{"--auth-results", offsetof(arc_opts, auth_results)},
		{"--headers", offsetof(arc_opts, headers)},
	};
	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		if (strcmp(argv[*i], opts[k].name) != 0)
			continue;
		if (*i + 1 >= argc)
			return cli_usage_error("arc", "%s needs a value", opts[k].name), -1;
		*(const char **)((char *)o + opts[k].off) = argv[++*i];
		return 1;
	}
	return 0;
}

/* parse_args - fill opts; -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, arc_opts *o)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "seal") == 0)
		o->seal = true;
	else if (strcmp(argv[1], "verify") != 0)
		return cli_usage_error("arc", "unknown action '%s' (verify or seal)", argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		int d = cli_dns_parse_opt(&o->dns, "arc", argc, argv, &i);
		if (d == 0)
			d = o->seal ? value_opt(o, argc, argv, &i) : 0;
		if (d < 0)
			return CLI_EXIT_USAGE;
		if (d > 0)
			continue;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (o->seal && strcmp(a, "--time") == 0) {
			char *end;
			if (i + 1 >= argc || (o->t = strtoll(argv[++i], &end, 10), *end) || o->t <= 0)
				return cli_usage_error("arc", "--time wants a Unix time");
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("arc", "unknown option '%s'", a);
		} else if (!o->file) {
			o->file = a;
		} else {
			return cli_usage_error("arc", "unexpected argument '%s'", a);
		}
	}
	if (!o->file)
		return cli_usage_error("arc", "need a message FILE ('-' for standard input)");
	if (o->seal && (!o->domain || !o->selector || !o->key || !o->authserv_id))
		return cli_usage_error("arc", "seal needs --domain, --selector, --key and --authserv-id");
	return -1;
}

/* print_verify - text or JSON report of a validation */
static void print_verify(const arc_opts *o, const mw_arc_verify *v)
{
	if (o->json) {
		json_t *j = json_object();
		json_object_set_new(j, "cv", json_string(mw_arc_cv_name(v->cv)));
		json_object_set_new(j, "instances", json_integer(v->n));
		json_object_set_new(j, "reason", json_string(v->reason));
		json_object_set_new(j, "temporary", json_boolean(v->cv == MW_AUTH_TEMPERROR));
		json_object_set_new(j, "oldest_pass", json_integer(v->oldest_pass));
		json_object_set_new(j, "failed_instance", json_integer(v->failed_instance));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf("ARC cv=%s (%u instance%s): %s%s\n", mw_arc_cv_name(v->cv), v->n, v->n == 1 ? "" : "s",
	       v->reason, v->cv == MW_AUTH_TEMPERROR ? " [temporary]" : "");
	if (v->cv == MW_AUTH_PASS)
		printf("  oldest-pass: %u\n", v->oldest_pass);
}

/* read_key - the private key file, cleansed after use */
static EVP_PKEY *read_key(const char *path)
{
	size_t len;
	char *data = cli_read_file(path, 1u << 20, &len);
	if (!data)
		return NULL;
	EVP_PKEY *k = NULL;
	mw_err err;
	if (mw_dkim_load_private_key(data, len, &k, &err) != MW_OK)
		fprintf(stderr, "mailwarden arc: %s: %s\n", path, err.msg);
	OPENSSL_cleanse(data, len);
	free(data);
	return k;
}

/* put_field - one field and a line end, in the input's style */
static void put_field(const char *f, bool lf)
{
	for (; *f; f++)
		if (!(lf && *f == '\r'))
			fputc(*f, stdout);
	fputs(lf ? "\n" : "\r\n", stdout);
}

/* do_seal - seal and print; returns the exit code */
static int do_seal(const arc_opts *o, const mw_message *m, const mw_arc_verify *v,
		   const char *raw, size_t len)
{
	EVP_PKEY *key = read_key(o->key);
	if (!key)
		return CLI_EXIT_USAGE;
	mw_arc_seal_opts so = {o->domain,  o->selector,	  o->authserv_id,
			       key,	   o->headers,	  o->auth_results,
			       o->t ? (time_t)o->t : time(NULL), NULL};
	mw_pool *pool = mw_pool_new(1u << 22);
	mw_arc_seal_out out;
	mw_err err;
	mw_err_clear(&err);
	mw_status st = pool ? mw_arc_seal(m, v, &so, pool, &out, &err) : MW_ENOMEM;
	int rc = CLI_EXIT_OK;
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden arc: %s\n", err.msg[0] ? err.msg : mw_status_str(st));
		rc = st == MW_EINVAL && v->n ? CLI_EXIT_FINDING : CLI_EXIT_USAGE;
	} else if (o->json) {
		json_t *j = json_object();
		json_object_set_new(j, "instance", json_integer(out.instance));
		json_object_set_new(j, "cv", json_string(mw_arc_cv_name(out.cv)));
		json_object_set_new(j, "chain_reason", json_string(v->reason));
		json_object_set_new(j, "arc_seal", json_string(out.as));
		json_object_set_new(j, "arc_message_signature", json_string(out.ams));
		json_object_set_new(j, "arc_authentication_results", json_string(out.aar));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		bool lf = m->n_crlf == 0 && m->n_lf > 0;
		put_field(out.as, lf);
		put_field(out.ams, lf);
		put_field(out.aar, lf);
		fwrite(raw, 1, len, stdout);
	}
	mw_pool_free(pool);
	EVP_PKEY_free(key);
	return rc;
}

int cmd_arc(int argc, char **argv)
{
	arc_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	size_t len;
	char *raw = cli_read_file(o.file, MW_MSG_MAX, &len);
	if (!raw)
		return CLI_EXIT_USAGE;
	mw_message m;
	mw_err err;
	mw_err_clear(&err);
	if (mw_message_parse(raw, len, &m, &err) != MW_OK) {
		fprintf(stderr, "mailwarden arc: %s: %s\n", o.file, err.msg);
		free(raw);
		return CLI_EXIT_USAGE;
	}
	cli_dns d;
	mw_arc_verify v;
	bool dns_ok = cli_dns_open(&d, &o.dns);
	rc = dns_ok ? -1 : CLI_EXIT_USAGE;
	if (rc < 0 && mw_arc_verify_init(&v, &m, time(NULL)) != MW_OK)
		rc = CLI_EXIT_ERROR;
	if (rc < 0) {
		dns_lookup lk;
		dns_lookup_init(&lk, d.cache, time(NULL));
		if (mw_arc_verify_run(&v, &lk, d.resolver, &err) != MW_OK) {
			fprintf(stderr, "mailwarden arc: %s\n", err.msg);
			rc = CLI_EXIT_ERROR;
		} else if (o.seal) {
			rc = v.cv == MW_AUTH_TEMPERROR ? CLI_EXIT_ERROR : do_seal(&o, &m, &v, raw, len);
			if (v.cv == MW_AUTH_TEMPERROR)
				fprintf(stderr, "mailwarden arc: %s: not sealing\n", v.reason);
		} else {
			print_verify(&o, &v);
			rc = v.cv == MW_AUTH_FAIL ? CLI_EXIT_FINDING
			     : v.cv == MW_AUTH_TEMPERROR ? CLI_EXIT_ERROR
							 : CLI_EXIT_OK;
		}
		mw_arc_verify_free(&v);
	}
	if (dns_ok)
		cli_dns_close(&d);
	mw_message_free(&m);
	free(raw);
	return rc;
}
