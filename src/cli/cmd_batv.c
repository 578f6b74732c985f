/*
 * cli/cmd_batv.c - "mailwarden batv sign|verify ADDR --key-file F".
 *
 * Exit: 0 signed / valid, 1 verify finding (untagged, expired, bad
 * signature, unknown key, malformed), 2 usage or key file error.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "outbound/batv.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailwarden batv sign ADDR --key-file F [--days N] [--now T] [--json]\n"
		"       mailwarden batv verify ADDR --key-file F [--now T] [--json]\n\n"
		"BATV prvs tags (draft-levine-smtp-batv): sign an envelope sender, or verify\n"
		"a bounce recipient's tag.  The key file holds one secret per line (key 0, 1,\n"
		"...); signing uses the last one.\n\n"
		"  --key-file F   the secrets (required)\n"
		"  --days N       validity in days (default %d, at most 30)\n"
		"  --now T        the clock, seconds since the epoch (default: now)\n"
		"  --json         machine-readable output\n",
		MW_BATV_VALID_DEF);
}

/* cmd_batv - entry point */
int cmd_batv(int argc, char **argv)
{
	const char *mode = NULL, *addr = NULL, *keyfile = NULL;
	bool json = false;
	time_t now = time(NULL);
	int days = MW_BATV_VALID_DEF;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--key-file") && i + 1 < argc) {
			keyfile = argv[++i];
		} else if (!strcmp(a, "--now") && i + 1 < argc) {
			char *end;
			long long v = strtoll(argv[++i], &end, 10);
			if (*end || v < 0)
				return cli_usage_error("batv", "bad --now '%s'", argv[i]);
			now = (time_t)v;
		} else if (!strcmp(a, "--days") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 30)
				return cli_usage_error("batv", "bad --days '%s' (1..30)", argv[i]);
			days = (int)v;
		} else if (a[0] == '-') {
			return cli_usage_error("batv", "unknown option '%s'", a);
		} else if (!mode) {
			mode = a;
		} else if (!addr) {
			addr = a;
		} else {
			return cli_usage_error("batv", "too many arguments");
		}
	}
	if (!mode || !addr || (strcmp(mode, "sign") && strcmp(mode, "verify")))
		return cli_usage_error("batv", "need sign|verify and an address");
	if (!keyfile)
		return cli_usage_error("batv", "--key-file is required");
	mw_batv_keys k;
	mw_err err;
	mw_err_clear(&err);
	if (mw_batv_keys_load(keyfile, &k, &err) != MW_OK) {
		fprintf(stderr, "mailwarden batv: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	char out[MW_BATV_ADDR_MAX + 32];
	int rc = CLI_EXIT_OK;
	json_t *j = json_object();
	if (!strcmp(mode, "sign")) {
		if (mw_batv_sign(&k, addr, now, days, out, sizeof(out), &err) != MW_OK) {
			fprintf(stderr, "mailwarden batv: %s\n", err.msg);
			rc = CLI_EXIT_USAGE;
		} else if (json) {
			json_object_set_new(j, "address", json_string(addr));
			json_object_set_new(j, "signed", json_string(out));
		} else {
			printf("%s\n", out);
		}
	} else {
		mw_batv_result r = mw_batv_verify(&k, addr, now, out, sizeof(out));
		rc = r == MW_BATV_VALID ? CLI_EXIT_OK : CLI_EXIT_FINDING;
		if (json) {
			json_object_set_new(j, "address", json_string(addr));
			json_object_set_new(j, "result", json_string(mw_batv_result_str(r)));
			json_object_set_new(j, "original", json_string(out));
		} else {
			printf("%s%s%s\n", mw_batv_result_str(r), out[0] ? " " : "", out);
		}
	}
	memset(&k, 0, sizeof(k));
	if (json && rc != CLI_EXIT_USAGE) {
		char *s = json_dumps(j, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
	}
	json_decref(j);
	return rc;
}
