/*
 * test_logwatch_grok.c - the line parser against postfix-grok-patterns'
 * test suite (../shared/testdata/logs-postfix-grok/ *.yaml): each file holds
 * one Postfix message (after the syslog prefix) and the fields a grok pattern
 * extracts.  We prefix a syslog header for the daemon the pattern names,
 * parse, and compare every field we also extract (mapping below).  Fields we
 * do not extract (TLS details, anvil statistics, keyvalue blobs ...) are
 * skipped and counted; sub-field patterns (DELAYS, RELAY, COMMAND_COUNTER_DATA,
 * TLS_FEATURES) are not whole lines and are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logwatch/logline.h"
#include "testutil.h"

#ifdef MW_HAVE_YAML
#include <yaml.h>

/* field_of - our view for a grok field name; NULL if we do not extract it */
static const mw_sv *field_of(const mw_logev *ev, const char *name)
{
	static const struct {
		const char *grok;
		size_t off;
	} map[] = {
		{"postfix_queueid", offsetof(mw_logev, qid)},
		{"postfix_client_ip", offsetof(mw_logev, client_ip)},
		{"postfix_client_hostname", offsetof(mw_logev, client_host)},
		{"postfix_client_port", offsetof(mw_logev, client_port)},
		{"postfix_relay_hostname", offsetof(mw_logev, relay_host)},
		{"postfix_relay_ip", offsetof(mw_logev, relay_ip)},
		{"postfix_relay_port", offsetof(mw_logev, relay_port)},
		{"postfix_status", offsetof(mw_logev, status)},
		{"postfix_smtp_response", offsetof(mw_logev, reply)},
		{"postfix_local_response", offsetof(mw_logev, reply)},
		{"postfix_error_response", offsetof(mw_logev, reply)},
		{"postfix_pipe_response", offsetof(mw_logev, reply)},
		{"postfix_status_code", offsetof(mw_logev, code)},
		{"postfix_status_code_enhanced", offsetof(mw_logev, enhanced)},
		{"postfix_status_data", offsetof(mw_logev, status_data)},
		{"postfix_status_message", offsetof(mw_logev, text)},
		{"postfix_action", offsetof(mw_logev, action)},
		{"postfix_smtp_stage", offsetof(mw_logev, stage)},
		{"postfix_message-id", offsetof(mw_logev, msgid)},
		{"postfix_from", offsetof(mw_logev, from)},
		{"postfix_bounce_queueid", offsetof(mw_logev, dsn_qid)},
		{"postfix_command_counter_data", offsetof(mw_logev, counters)},
		{"postfix_postscreen_access", offsetof(mw_logev, action)},
		{"postfix_postscreen_violation", offsetof(mw_logev, action)},
		{"postfix_proxy_status_code", offsetof(mw_logev, code)},
		{"postfix_proxy_status_code_enhanced", offsetof(mw_logev, enhanced)},
		{"postfix_proxy_smtp_stage", offsetof(mw_logev, stage)},
		{"postfix_proxy_message", offsetof(mw_logev, reply)},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].grok, name) == 0)
			return (const mw_sv *)((const char *)ev + map[i].off);
	return NULL;
}

/* daemon_of - "^%{POSTFIX_TRIVIAL_REWRITE}$" -> "trivial-rewrite"; NULL to skip */
static int daemon_of(const char *pattern, char *out, size_t n)
{
	const char *p = strstr(pattern, "POSTFIX_");
	if (!p)
		return 0;
	p += 8;
	size_t i = 0;
	for (; p[i] && p[i] != '}' && i + 1 < n; i++)
		out[i] = p[i] == '_' ? '-' : (char)(p[i] + ('a' - 'A') * (p[i] >= 'A' && p[i] <= 'Z'));
	out[i] = '\0';
	static const char *const skip[] = {"delays", "relay", "command-counter-data",
					   "tls-features", NULL};
	for (int k = 0; skip[k]; k++)
		if (strcmp(out, skip[k]) == 0)
			return 0;
	return 1;
}

/* daemons whose lines must always classify (never "unknown") */
static int parsed_daemon(const char *d)
{
	static const char *const ds[] = {"smtpd", "smtp", "qmgr", "cleanup", "bounce", "pickup",
					 "local", "lmtp", "virtual", "postscreen", "anvil",
					 "error", "pipe", "discard", NULL};
	for (int i = 0; ds[i]; i++)
		if (strcmp(d, ds[i]) == 0)
			return 1;
	return 0;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
	(void)doc;
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* check_file - one YAML case; returns number of field mismatches */
static int check_file(const char *path, int *fields, int *skipped, int *lines)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	assert_true(yaml_parser_load(&parser, &doc));
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	assert_non_null(root);
	const char *pattern = NULL, *data = NULL;
	yaml_node_t *results = NULL;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		const char *k = scalar(&doc, yaml_document_get_node(&doc, pr->key));
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		if (strcmp(k, "pattern") == 0)
			pattern = scalar(&doc, v);
		else if (strcmp(k, "data") == 0)
			data = scalar(&doc, v);
		else if (strcmp(k, "results") == 0)
			results = v;
	}
	int bad = 0;
	char daemon[64];
	if (pattern && data && results && daemon_of(pattern, daemon, sizeof(daemon))) {
		char line[8192];
		int n = snprintf(line, sizeof(line), "Oct 26 18:13:50 mx postfix/%s[123]: %s",
				 daemon, data);
		mw_logtime_ctx tc;
		mw_logtime_init(&tc, 1800000000);
		mw_logev ev;
		mw_logline_parse(&tc, line, (size_t)n, &ev);
		(*lines)++;
		if (ev.kind == MW_LE_BAD || (parsed_daemon(daemon) && ev.kind == MW_LE_UNKNOWN)) {
			printf("%s: not parsed (kind %s): %s\n", path, mw_logev_kind_name(ev.kind),
			       data);
			bad++;
		}
		for (yaml_node_pair_t *pr = results->data.mapping.pairs.start;
		     pr < results->data.mapping.pairs.top; pr++) {
			const char *k = scalar(&doc, yaml_document_get_node(&doc, pr->key));
			const char *want = scalar(&doc, yaml_document_get_node(&doc, pr->value));
			const mw_sv *got = field_of(&ev, k);
			if (!got || !want) {
				(*skipped)++;
				continue;
			}
			(*fields)++;
			if (!got->p || got->n != strlen(want) || memcmp(got->p, want, got->n) != 0) {
				printf("%s: %s: got '%.*s' want '%s'\n", path, k, (int)got->n,
				       got->p ? got->p : "(unset)", want);
				bad++;
			}
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return bad;
}

/* Every grok case: each field we extract equals the suite's expectation. */
static void test_grok_suite(void **state)
{
	(void)state;
	const char *dir = testdata_path("logs-postfix-grok");
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int files = 0, bad = 0, fields = 0, skipped = 0, lines = 0;
	char path[4096];
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		bad += check_file(path, &fields, &skipped, &lines);
		files++;
	}
	closedir(d);
	printf("grok: %d files, %d lines parsed, %d fields compared, %d not extracted, %d "
	       "mismatches\n",
	       files, lines, fields, skipped, bad);
	assert_true(files >= 100);
	assert_true(fields >= 200);
	assert_int_equal(bad, 0);
}

int main(void)
{
	testdata_or_skip("logs-postfix-grok");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grok_suite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
	printf("SKIP: built without libyaml\n");
	return 77;
}
#endif
