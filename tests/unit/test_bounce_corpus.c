/*
 * test_bounce_corpus.c - the Sisimai and flufl.bounce corpora, from their
 * original files, against their expected.json (see
 * ../shared/testdata/SOURCES.md).  Prints the agreement rate per field and
 * asserts floors at the rates reached; MW_BOUNCE_VERBOSE=1 lists every
 * disagreement (file, field, got, want).
 *
 * Sisimai: recipients = same number of failed recipients as expected (the
 * expectations carry no addresses); status and reason compared per
 * recipient in order.  line-endings/{dos,mac} use the maildir file's
 * expectations; not-bounce/ must yield no recipient.
 * flufl: the set of failed addresses must equal the expected set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce/bounce.h"
#include "testutil.h"

/* Floors: the rates reached (see docs/BOUNCE.md); raise them, never lower. */
#define MIN_SISIMAI_RCPT 98.0
#define MIN_SISIMAI_STATUS 89.0
#define MIN_SISIMAI_REASON 81.0
#define MIN_FLUFL_EXACT 94.0
#define MIN_FLUFL_FOUND 95.0

typedef struct tally {
	unsigned files, rcpt_ok, rcpts, status_ok, reason_ok, hard_ok;
} tally;

static bool verbose(void)
{
	const char *v = getenv("MW_BOUNCE_VERBOSE");
	return v && *v && *v != '0';
}

static mw_bounce *parse_file(const char *path)
{
	size_t len;
	char *raw = read_file_or_die(path, &len);
	mw_bounce *b = NULL;
	mw_err err;
	mw_status st = mw_bounce_parse(raw, len, &b, &err);
	free(raw);
	if (st != MW_OK)
		fprintf(stderr, "%s: %s\n", path, err.msg);
	return b;
}

/* check_sisimai_file - compare one file with its expected recipients */
static void check_sisimai_file(const char *path, const char *name, json_t *want, tally *t)
{
	mw_bounce *b = parse_file(path);
	size_t got_n = b ? b->nrcpt : 0;
	size_t want_n = json_array_size(want);
	t->files++;
	t->rcpts += (unsigned)want_n;
	if (got_n == want_n)
		t->rcpt_ok++;
	else if (verbose())
		printf("  %-28s recipients got %zu want %zu\n", name, got_n, want_n);
	for (size_t i = 0; i < want_n; i++) {
		json_t *w = json_array_get(want, i);
		const char *ws = json_string_value(json_object_get(w, "status"));
		const char *wr = json_string_value(json_object_get(w, "reason"));
		bool wh = json_is_true(json_object_get(w, "hardbounce"));
		const char *gs = i < got_n ? b->rcpts[i].status : "-";
		const char *gr = i < got_n ? mw_reason_name(b->rcpts[i].reason) : "-";
		bool gh = i < got_n && b->rcpts[i].hard;
		if (i < got_n && b->rcpts[i].reason == MW_REASON_FEEDBACK)
			gs = "";
		if (i < got_n && b->rcpts[i].reason == MW_REASON_VACATION)
			gs = "";
		if (strcmp(gs, ws) == 0)
			t->status_ok++;
		else if (verbose())
			printf("  %-28s status[%zu] got %s want %s\n", name, i, gs, ws);
		if (strcmp(gr, wr) == 0)
			t->reason_ok++;
		else if (verbose())
			printf("  %-28s reason[%zu] got %s want %s  (%.100s)\n", name, i, gr, wr,
			       i < got_n ? b->rcpts[i].diagnostic : "");
		if (gh == wh)
			t->hard_ok++;
	}
	mw_bounce_free(b);
}

static double pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 100.0;
}

/* run_dir - every file of dir that has an expectation */
static void run_dir(const char *dir, json_t *expected, tally *t)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	char path[4096];
	while ((e = readdir(d))) {
		json_t *x = json_object_get(expected, e->d_name);
		if (!x)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check_sisimai_file(path, e->d_name, json_object_get(x, "recipients"), t);
	}
	closedir(d);
}

/* The Sisimai corpus: 407 bounces, 68 line-ending variants, 2 non-bounces. */
static void test_sisimai(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/expected.json",
		 testdata_or_skip("bounces-sisimai"));
	json_error_t je;
	json_t *exp = json_load_file(path, 0, &je);
	assert_non_null(exp);
	tally t = {0};
	run_dir(testdata_path("bounces-sisimai/maildir"), exp, &t);
	run_dir(testdata_path("bounces-sisimai/line-endings/dos"), exp, &t);
	run_dir(testdata_path("bounces-sisimai/line-endings/mac"), exp, &t);
	/* not-bounce: no recipient at all */
	const char *nb[] = {"is-not-bounce-01.eml", "is-not-bounce-02.eml"};
	json_t *none = json_array();
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", testdata_path("bounces-sisimai/not-bounce"),
			 nb[i]);
		check_sisimai_file(path, nb[i], none, &t);
	}
	json_decref(none);
	printf("sisimai: %u files, %u recipients: recipients %.1f%%, status %.1f%%, reason "
	       "%.1f%%, hardbounce %.1f%%\n",
	       t.files, t.rcpts, pct(t.rcpt_ok, t.files), pct(t.status_ok, t.rcpts),
	       pct(t.reason_ok, t.rcpts), pct(t.hard_ok, t.rcpts));
	assert_int_equal(t.files, 407 + 68 + 2);
	assert_true(pct(t.rcpt_ok, t.files) >= MIN_SISIMAI_RCPT);
	assert_true(pct(t.status_ok, t.rcpts) >= MIN_SISIMAI_STATUS);
	assert_true(pct(t.reason_ok, t.rcpts) >= MIN_SISIMAI_REASON);
	json_decref(exp);
}

/* flufl_want - union of expected addresses (lower case) */
static size_t flufl_want(json_t *list, char want[][256], size_t max, bool *temporary)
{
	size_t n = 0;
	*temporary = false;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		*temporary |= json_is_true(json_object_get(e, "temporary"));
		json_t *a = json_object_get(e, "addresses");
		for (size_t j = 0; j < json_array_size(a) && n < max; j++) {
			snprintf(want[n], 256, "%s", json_string_value(json_array_get(a, j)));
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= strcasecmp(want[k], want[n]) == 0;
			if (!dup)
				n++;
		}
	}
	return n;
}

/* The flufl.bounce corpus: sets of failed addresses. */
static void test_flufl(void **state)
{
	(void)state;
	char path[4096];
	const char *dir = testdata_or_skip("bounces-flufl");
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	json_error_t je;
	json_t *exp = json_load_file(path, 0, &je);
	assert_non_null(exp);
	const char *name;
	json_t *list;
	unsigned files = 0, ok = 0, addr_ok = 0, addrs = 0;
	json_object_foreach(exp, name, list) {
		if (json_array_size(list) == 0)
			continue; /* nothing extractable upstream (SOURCES.md) */
		char want[64][256];
		bool temporary;
		size_t wn = flufl_want(list, want, 64, &temporary);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		mw_bounce *b = parse_file(path);
		size_t hit = 0;
		for (size_t i = 0; i < wn; i++)
			for (size_t j = 0; b && j < b->nrcpt; j++)
				if (strcasecmp(b->rcpts[j].address, want[i]) == 0) {
					hit++;
					break;
				}
		files++;
		addrs += (unsigned)wn;
		addr_ok += (unsigned)hit;
		bool same = b && hit == wn && b->nrcpt == wn;
		ok += same;
		if (!same && verbose()) {
			printf("  %-24s got", name);
			for (size_t j = 0; b && j < b->nrcpt; j++)
				printf(" %s", b->rcpts[j].address);
			printf(" | want");
			for (size_t i = 0; i < wn; i++)
				printf(" %s", want[i]);
			printf("\n");
		}
		mw_bounce_free(b);
	}
	printf("flufl: %u files: exact recipient set %.1f%%, expected addresses found %.1f%%\n",
	       files, pct(ok, files), pct(addr_ok, addrs));
	assert_int_equal(files, 67);
	assert_true(pct(ok, files) >= MIN_FLUFL_EXACT);
	assert_true(pct(addr_ok, addrs) >= MIN_FLUFL_FOUND);
	json_decref(exp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sisimai),
		cmocka_unit_test(test_flufl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
