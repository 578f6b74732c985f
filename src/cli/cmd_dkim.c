/*
 * cli/cmd_dkim.c - `mailwarden dkim verify|sign|keygen`.
 *
 *   dkim verify FILE [--json] [--now UNIXTIME] [DNS options]
 *   dkim sign FILE --domain D --selector S --key FILE [--algorithm A]
 *             [--canon H/B] [--headers a:b:c] [--identity I] [--expire SECS]
 *             [--body-length] [--now UNIXTIME]
 *   dkim keygen --selector S --domain D [--algorithm A] [--bits N] [--out PREFIX] [--json]
 *
 * FILE "-" reads standard input.  Exit: 0 pass/none, 1 fail/policy, 2 usage
 * or input error, 3 temperror/permerror.  Private keys are read from files
 * and written with mode 0600; they are never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/dkim.h"
#include "auth/dkim_sign.h"
#include "cli/cli.h"
#include "cli/dnsopt.h"

#define CMD "dkim"

static const char usage_text[] =
	"usage: mailwarden dkim verify FILE [--json] [--now UNIXTIME] [DNS options]\n"
	"       mailwarden dkim sign FILE --domain D --selector S --key KEYFILE\n"
	"              [--algorithm rsa-sha256|ed25519-sha256] [--canon relaxed/relaxed]\n"
	"              [--headers from:to:subject] [--identity I] [--expire SECONDS]\n"
	"              [--body-length] [--now UNIXTIME]\n"
	"       mailwarden dkim keygen --selector S --domain D [--algorithm A] [--bits N]\n"
	"              [--out PREFIX] [--json]\n"
	"\n"
	"verify checks every DKIM-Signature (RFC 6376, RFC 8301, RFC 8463) and prints\n"
	"one RFC 8601 result per signature with the reason.  sign prints the message\n"
	"with a new DKIM-Signature on top.  keygen writes PREFIX.private (PEM, mode\n"
	"0600) and PREFIX.txt (the TXT record to publish).  FILE - is standard input.\n"
	"\n"
	"options:\n"
	"  --json                 machine-readable output\n"
	"  --now UNIXTIME         clock for x= expiry and t= (default: now)\n" CLI_DNS_HELP
	"exit status: 0 pass or unsigned, 1 fail/policy, 2 usage or input error,\n"
	"             3 temperror/permerror\n";

/* parse_time - --now value */
static bool parse_time(const char *s, time_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return false;
	*out = (time_t)v;
	return true;
}

/* exit_for - exit status for a message result */
static int exit_for(mw_auth_result r)
{
	switch (r) {
	case MW_AUTH_PASS:
	case MW_AUTH_NONE: return CLI_EXIT_OK;
	case MW_AUTH_TEMPERROR:
	case MW_AUTH_PERMERROR: return CLI_EXIT_ERROR;
	default: return CLI_EXIT_FINDING;
	}
}

/* sig_json - one signature as a JSON object */
static json_t *sig_json(const mw_dkim_sig *s)
{
	char canon[32];
	snprintf(canon, sizeof(canon), "%s/%s", mw_canon_name(s->hcanon), mw_canon_name(s->bcanon));
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "domain", s->domain,
			      "selector", s->selector, "algorithm", s->alg_name, "result",
			      mw_auth_result_name(s->result), "reason", s->reason, "identity",
			      s->identity ? s->identity : "", "canonicalization", canon, "header_b",
			      s->b ? s->b : "");
	if (s->key_type) {
		json_object_set_new(o, "key_type", json_string(s->key_type));
		json_object_set_new(o, "key_bits", json_integer(s->key_bits));
		json_object_set_new(o, "testing", json_boolean(s->testing));
	}
	if (s->l >= 0) {
		json_object_set_new(o, "body_length_limit", json_integer(s->l));
		json_object_set_new(o, "body_partially_signed", json_boolean(s->body_partial));
	}
	if (s->t >= 0)
		json_object_set_new(o, "t", json_integer(s->t));
	if (s->x >= 0)
		json_object_set_new(o, "x", json_integer(s->x));
	return o;
}

/* print_verify - human or JSON report */
static void print_verify(const mw_dkim_verify *v, bool json)
{
	if (json) {
		json_t *sigs = json_array();
		for (size_t i = 0; i < v->nsig; i++)
			json_array_append_new(sigs, sig_json(&v->sig[i]));
		json_t *o = json_pack("{s:o, s:s, s:i}", "signatures", sigs, "result",
				      mw_auth_result_name(v->result), "not_evaluated", (int)v->nignored);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	if (v->nsig == 0)
		printf("no DKIM-Signature\n");
	for (size_t i = 0; i < v->nsig; i++) {
		const mw_dkim_sig *s = &v->sig[i];
		printf("signature %zu: %s  d=%s s=%s a=%s", i + 1, mw_auth_result_name(s->result),
		       s->domain, s->selector, s->alg_name);
		if (s->key_type)
			printf(" key=%s/%d", s->key_type, s->key_bits);
		printf("\n  %s\n", s->reason);
	}
	if (v->nignored)
		printf("%zu more signatures not evaluated (limit %d)\n", v->nignored, MW_DKIM_SIGS_MAX);
	printf("dkim=%s\n", mw_auth_result_name(v->result));
}

/* dkim_verify - the verify subcommand */
static int dkim_verify(int argc, char **argv)
{
	cli_dns_opts dopt = {0};
	bool json = false;
	time_t now = time(NULL);
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		int r = cli_dns_parse_opt(&dopt, CMD, argc, argv, &i);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			if (!parse_time(argv[++i], &now))
				return cli_usage_error(CMD, "--now wants a Unix time, not '%s'", argv[i]);
		} else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error(CMD, "unknown option %s", argv[i]);
		else if (file)
			return cli_usage_error(CMD, "one FILE only");
		else
			file = argv[i];
	}
	if (!file)
		return cli_usage_error(CMD, "verify needs a FILE (or - for standard input)");
	size_t len;
	char *data = cli_read_file(file, MW_MSG_MAX, &len);
	if (!data)
		return CLI_EXIT_USAGE;
	mw_message m;
	mw_err err;
	if (mw_message_parse(data, len, &m, &err) != MW_OK) {
		fprintf(stderr, "mailwarden dkim: %s: %s\n", file, err.msg);
		free(data);
		return CLI_EXIT_USAGE;
	}
	free(data);
	cli_dns d;
	if (!cli_dns_open(&d, &dopt)) {
		mw_message_free(&m);
		return CLI_EXIT_ERROR;
	}
	dns_lookup lk;
	dns_lookup_init(&lk, d.cache, now);
	mw_dkim_verify v;
	int rc = CLI_EXIT_ERROR;
	if (mw_dkim_verify_init(&v, &m, now) == MW_OK) {
		if (mw_dkim_verify_run(&v, &lk, d.resolver, &err) == MW_OK) {
			print_verify(&v, json);
			rc = exit_for(v.result);
		} else {
			fprintf(stderr, "mailwarden dkim: %s\n", err.msg);
		}
		mw_dkim_verify_free(&v);
	}
	cli_dns_close(&d);
	mw_message_free(&m);
	return rc;
}

typedef struct sign_args {
	const char *file, *key;
	mw_dkim_sign_opts o;
	bool body_length;
} sign_args;

/* parse_canon - "relaxed/simple", "relaxed" (= relaxed/simple per RFC 6376 §3.5) */
static bool parse_canon(const char *s, mw_dkim_sign_opts *o)
{
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	o->bcanon = MW_CANON_SIMPLE;
	return mw_canon_parse(s, hl, &o->hcanon) &&
	       (!slash || mw_canon_parse(slash + 1, strlen(slash + 1), &o->bcanon));
}

/* sign_opt - one option with a value; 1 consumed, 0 unknown, -1 bad value */
static int sign_opt(sign_args *a, const char *opt, const char *val)
{
	if (strcmp(opt, "--domain") == 0)
		a->o.domain = val;
	else if (strcmp(opt, "--selector") == 0)
		a->o.selector = val;
	else if (strcmp(opt, "--key") == 0)
		a->key = val;
	else if (strcmp(opt, "--headers") == 0)
		a->o.headers = val;
	else if (strcmp(opt, "--identity") == 0)
		a->o.identity = val;
	else if (strcmp(opt, "--algorithm") == 0) {
		a->o.alg = mw_dkim_alg_parse(val, strlen(val));
		if (a->o.alg != MW_DKIM_ALG_RSA_SHA256 && a->o.alg != MW_DKIM_ALG_ED25519_SHA256)
			return cli_usage_error(CMD, "--algorithm is rsa-sha256 or ed25519-sha256"), -1;
	} else if (strcmp(opt, "--canon") == 0) {
		if (!parse_canon(val, &a->o))
			return cli_usage_error(CMD, "--canon wants simple|relaxed[/simple|relaxed]"), -1;
	} else if (strcmp(opt, "--now") == 0) {
		if (!parse_time(val, &a->o.now))
			return cli_usage_error(CMD, "--now wants a Unix time"), -1;
	} else if (strcmp(opt, "--expire") == 0) {
		time_t t;
		if (!parse_time(val, &t) || t == 0)
			return cli_usage_error(CMD, "--expire wants seconds > 0"), -1;
		a->o.expire = (int64_t)t;
	} else
		return 0;
	return 1;
}

/* read_key - the private key file */
static EVP_PKEY *read_key(const char *path)
{
	size_t len;
	char *data = cli_read_file(path, 1u << 20, &len);
	if (!data)
		return NULL;
	EVP_PKEY *k = NULL;
	mw_err err;
	if (mw_dkim_load_private_key(data, len, &k, &err) != MW_OK)
		fprintf(stderr, "mailwarden dkim: %s: %s\n", path, err.msg);
	OPENSSL_cleanse(data, len);
	free(data);
	return k;
}

/* write_signed - the new field (in the input's line-end style) then the input as it was */
static void write_signed(const mw_message *m, const char *data, size_t len, const mw_buf *sig)
{
	bool lf = m->n_crlf == 0 && m->n_lf > 0;
	size_t skip = 0;
	if (m->mbox_from) { /* keep the mbox separator first */
		const char *nl = memchr(data, '\n', len);
		skip = nl ? (size_t)(nl - data) + 1 : len;
		fwrite(data, 1, skip, stdout);
	}
	for (size_t i = 0; i < sig->len; i++)
		if (!(lf && sig->data[i] == '\r'))
			fputc(sig->data[i], stdout);
	fwrite(data + skip, 1, len - skip, stdout);
}

/* dkim_sign - the sign subcommand */
static int dkim_sign(int argc, char **argv)
{
	sign_args a = {0};
	mw_dkim_sign_opts_init(&a.o, NULL, NULL, time(NULL));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		}
		if (strcmp(argv[i], "--body-length") == 0) {
			a.o.body_length = -2;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			if (i + 1 >= argc)
				return cli_usage_error(CMD, "%s needs a value or is unknown", argv[i]);
			int r = sign_opt(&a, argv[i], argv[i + 1]);
			if (r < 0)
				return CLI_EXIT_USAGE;
			if (r == 0)
				return cli_usage_error(CMD, "unknown option %s", argv[i]);
			i++;
		} else if (a.file) {
			return cli_usage_error(CMD, "one FILE only");
		} else {
			a.file = argv[i];
		}
	}
	if (!a.file || !a.o.domain || !a.o.selector || !a.key)
		return cli_usage_error(CMD, "sign needs FILE, --domain, --selector and --key");
	EVP_PKEY *key = read_key(a.key);
	if (!key)
		return CLI_EXIT_USAGE;
	size_t len;
	char *data = cli_read_file(a.file, MW_MSG_MAX, &len);
	mw_message m;
	mw_err err;
	int rc = CLI_EXIT_USAGE;
	if (data && mw_message_parse(data, len, &m, &err) == MW_OK) {
		mw_buf sig;
		mw_buf_init(&sig, 65536);
		if (mw_dkim_sign(&m, key, &a.o, &sig, &err) == MW_OK) {
			write_signed(&m, data, len, &sig);
			rc = CLI_EXIT_OK;
		} else {
			fprintf(stderr, "mailwarden dkim: %s\n", err.msg);
		}
		mw_buf_free(&sig);
		mw_message_free(&m);
	} else if (data) {
		fprintf(stderr, "mailwarden dkim: %s: %s\n", a.file, err.msg);
	}
	free(data);
	EVP_PKEY_free(key);
	return rc;
}

/* public_record - "v=DKIM1; k=...; p=..." for a key */
static char *public_record(EVP_PKEY *k)
{
	unsigned char der[4096], *p = der;
	size_t n = sizeof(der);
	bool ed = EVP_PKEY_get_id(k) == EVP_PKEY_ED25519;
	if (ed) {
		if (EVP_PKEY_get_raw_public_key(k, der, &n) != 1)
			return NULL;
	} else {
		int dl = i2d_PUBKEY(k, &p);
		if (dl <= 0 || (size_t)dl > sizeof(der))
			return NULL;
		n = (size_t)dl;
	}
	char *rec = malloc(4 * n / 3 + 64);
	if (!rec)
		return NULL;
	int h = sprintf(rec, "v=DKIM1; k=%s; p=", ed ? "ed25519" : "rsa");
	mw_b64_encode(der, n, rec + h);
	return rec;
}

/* write_private - PEM (PKCS#8) into a new file of mode 0600 */
static bool write_private(const char *path, EVP_PKEY *k)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		fprintf(stderr, "mailwarden dkim: %s: %s\n", path, strerror(errno));
		return false;
	}
	FILE *f = fdopen(fd, "w");
	bool ok = f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
	if (f)
		ok = (fclose(f) == 0) && ok;
	else
		close(fd);
	if (!ok)
		fprintf(stderr, "mailwarden dkim: %s: cannot write the key\n", path);
	return ok;
}

/* write_txt - the zone-file line, strings of at most 255 bytes (RFC 1035 §3.3) */
static bool write_txt(const char *path, const char *name, const char *rec)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mailwarden dkim: %s: %s\n", path, strerror(errno));
		return false;
	}
	fprintf(f, "%s. 3600 IN TXT", name);
	for (size_t i = 0, n = strlen(rec); i < n; i += 255)
		fprintf(f, " \"%.*s\"", (int)(n - i < 255 ? n - i : 255), rec + i);
	fputc('\n', f);
	return fclose(f) == 0;
}

/* dkim_keygen - the keygen subcommand */
static int dkim_keygen(int argc, char **argv)
{
	const char *sel = NULL, *dom = NULL, *out = NULL;
	mw_dkim_alg alg = MW_DKIM_ALG_RSA_SHA256;
	long bits = 2048;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--help") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(o, "--json") == 0) {
			json = true;
			continue;
		}
		if (!v)
			return cli_usage_error(CMD, "%s needs a value or is unknown", o);
		if (strcmp(o, "--selector") == 0)
			sel = v;
		else if (strcmp(o, "--domain") == 0)
			dom = v;
		else if (strcmp(o, "--out") == 0)
			out = v;
		else if (strcmp(o, "--bits") == 0)
			bits = strtol(v, NULL, 10);
		else if (strcmp(o, "--algorithm") == 0)
			alg = mw_dkim_alg_parse(v, strlen(v));
		else
			return cli_usage_error(CMD, "unknown option %s", o);
		i++;
	}
	if (!sel || !dom)
		return cli_usage_error(CMD, "keygen needs --selector and --domain");
	if (alg != MW_DKIM_ALG_RSA_SHA256 && alg != MW_DKIM_ALG_ED25519_SHA256)
		return cli_usage_error(CMD, "--algorithm is rsa-sha256 or ed25519-sha256");
	if (alg == MW_DKIM_ALG_RSA_SHA256 && (bits < 1024 || bits > 4096))
		return cli_usage_error(CMD, "--bits must be 1024..4096 (RFC 8301 §3.2)");
	EVP_PKEY *k = alg == MW_DKIM_ALG_ED25519_SHA256
			      ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
			      : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	char *rec = k ? public_record(k) : NULL;
	char kpath[4096], tpath[4096], name[600];
	snprintf(kpath, sizeof(kpath), "%s.private", out ? out : sel);
	snprintf(tpath, sizeof(tpath), "%s.txt", out ? out : sel);
	snprintf(name, sizeof(name), "%s._domainkey.%s", sel, dom);
	int rc = CLI_EXIT_ERROR;
	if (rec && write_private(kpath, k) && write_txt(tpath, name, rec)) {
		rc = CLI_EXIT_OK;
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "private_key_file", kpath,
					      "record_file", tpath, "record_name", name, "record", rec,
					      "algorithm", mw_dkim_alg_name(alg));
			json_dumpf(o, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(o);
		} else {
			printf("private key: %s (keep it secret)\nrecord file: %s\n\n"
			       "publish this TXT record:\n%s. IN TXT \"%s\"\n",
			       kpath, tpath, name, rec);
		}
	}
	free(rec);
	EVP_PKEY_free(k);
	return rc;
}

/* cmd_dkim - dispatch */
int cmd_dkim(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return dkim_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return dkim_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "keygen") == 0)
		return dkim_keygen(argc - 1, argv + 1);
	return cli_usage_error(CMD, "unknown action '%s' (verify, sign, keygen)", argv[1]);
}
