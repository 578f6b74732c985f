/*
 * cli/cmd_scan.c - "mailwarden scan FILE [--rules FILE] [--json]": run the
 * content rules (outbound/scan.h) over one message offline and show which
 * rules matched and why.
 *
 * Exit: 0 below the threshold, 1 at or over it (would be held), 2 usage,
 * rules or message error.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "outbound/scan.h"

static const char usage_text[] =
	"usage: mailwarden scan FILE [--rules FILE] [--json]\n"
	"\n"
	"Score a message (FILE, '-' = stdin) with content rules: header and body\n"
	"patterns (PCRE2, over decoded text: base64/QP, charsets, HTML reduced to\n"
	"text), link domains, attachment types, Reply-To/From mismatch, display-name\n"
	"impersonation, phishing phrases in several languages, encrypted zips,\n"
	"many recipients.  Patterns run as one Vectorscan pass when built with it.\n"
	"Without --rules, the default set (etc/scan-rules.conf, built in).\n"
	"\n"
	"  --rules FILE   rules file (format: mailwarden(1), docs/SCAN.md)\n"
	"  --json         machine-readable output\n"
	"\n"
	"exit status: 0 below the threshold, 1 at or over it, 2 usage or input error\n";

/* The built-in rules: etc/scan-rules.conf, compiled in (CMakeLists.txt). */
#include "scan_rules_default.h"

/* print_json - the result as one object */
static void print_json(const mw_scan_result *r, const mw_scan_rules *rules)
{
	json_t *j = json_object(), *hits = json_array();
	for (size_t i = 0; i < r->nhits; i++) {
		json_t *h = json_object();
		json_object_set_new(h, "rule", json_string(r->hit[i].rule));
		json_object_set_new(h, "score", json_integer(r->hit[i].score));
		json_object_set_new(h, "why", json_string(r->hit[i].why));
		json_array_append_new(hits, h);
	}
	json_object_set_new(j, "score", json_integer(r->score));
	json_object_set_new(j, "threshold", json_integer(r->threshold));
	json_object_set_new(j, "hold", json_boolean(r->hold));
	json_object_set_new(j, "rules", json_integer((json_int_t)mw_scan_rules_count(rules)));
	json_object_set_new(j, "engine", json_string(mw_scan_rules_engine(rules)));
	json_object_set_new(j, "text_bytes", json_integer((json_int_t)r->text_bytes));
	json_object_set_new(j, "links", json_integer((json_int_t)r->nurls));
	json_object_set_new(j, "attachments", json_integer((json_int_t)r->nattach));
	json_object_set_new(j, "truncated", json_boolean(r->truncated));
	json_object_set_new(j, "matches", hits);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

/* cmd_scan - entry point */
int cmd_scan(int argc, char **argv)
{
	const char *file = NULL, *rules_file = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--rules") && i + 1 < argc) {
			rules_file = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("scan", "unknown option '%s'", a);
		} else if (!file) {
			file = a;
		} else {
			return cli_usage_error("scan", "unexpected argument '%s'", a);
		}
	}
	if (!file)
		return cli_usage_error("scan", "need a message FILE ('-' for standard input)");
	size_t rlen = strlen(mw_scan_rules_default), mlen;
	char *rtext = rules_file ? cli_read_file(rules_file, 16u << 20, &rlen) : NULL;
	if (rules_file && !rtext)
		return CLI_EXIT_USAGE;
	mw_scan_rules *rules;
	mw_err err;
	mw_err_clear(&err);
	mw_status st = mw_scan_rules_parse(rtext ? rtext : mw_scan_rules_default, rlen, &rules, &err);
	free(rtext);
	if (st != MW_OK) {
		fprintf(stderr, "mailwarden scan: %s: %s\n", rules_file ? rules_file : "built-in rules",
			err.msg);
		return CLI_EXIT_USAGE;
	}
	const char *notes = mw_scan_rules_notes(rules); /* patterns left to PCRE2 */
	for (const char *e; *notes; notes = e + 1) {
		if (!(e = strchr(notes, '\n')))
			break;
		fprintf(stderr, "mailwarden scan: note: %.*s\n", (int)(e - notes), notes);
	}
	char *msg = cli_read_file(file, MW_MSG_MAX, &mlen);
	mw_scan_result *r = calloc(1, sizeof(*r));
	int rc = CLI_EXIT_USAGE;
	if (msg && r && (st = mw_scan_message(rules, msg, mlen, r, &err)) == MW_OK) {
		if (json) {
			print_json(r, rules);
		} else {
			for (size_t i = 0; i < r->nhits; i++)
				printf("%+4d %-24s %s\n", r->hit[i].score, r->hit[i].rule, r->hit[i].why);
			printf("score %d, threshold %d: %s%s\n", r->score, r->threshold,
			       r->hold ? "HOLD" : "pass", r->truncated ? " (text truncated)" : "");
		}
		rc = r->hold ? CLI_EXIT_FINDING : CLI_EXIT_OK;
	} else if (msg) {
		fprintf(stderr, "mailwarden scan: %s: %s\n", file, err.msg);
	}
	free(r);
	free(msg);
	mw_scan_rules_free(rules);
	return rc;
}
