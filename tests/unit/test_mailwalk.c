/*
 * test_mailwalk.c - mail/mailwalk: folders, maildirs and mboxes are walked
 * in a fixed order, dot files and other subdirectories skipped, an mbox
 * split into named messages, problems reported through the error callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/mailwalk.h"

typedef struct seen {
	char text[4096]; /* "F:name;" per file, "E:name;" per error, "M:name=len;" per message */
} seen;

static void add(seen *s, const char *kind, const char *path, const char *root)
{
	size_t rl = strlen(root);
	if (strncmp(path, root, rl) == 0)
		path += rl;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s:%s;", kind, path);
}

static char g_root[64];

static void on_file(void *ctx, const char *path) { add(ctx, "F", path, g_root); }
static void on_error(void *ctx, const char *path, const char *reason)
{
	(void)reason;
	add(ctx, "E", path, g_root);
}
static void on_msg(void *ctx, const char *name, const char *msg, size_t len)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s=%zu", name, len);
	(void)msg;
	add(ctx, "M", buf, "");
}

static void put(const char *rel, const char *content)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", g_root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", g_root, rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_root, sizeof(g_root), "/tmp/mw-walk.XXXXXX");
	if (!mkdtemp(g_root))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_walk_tree(void **state)
{
	(void)state;
	put("b.eml", "x");
	put("a.eml", "x");
	put(".hidden", "x");
	mk("cur");
	mk("new");
	mk("tmp");
	mk("other");
	put("cur/c1", "x");
	put("new/n1", "x");
	put("tmp/t1", "x");
	put("other/o1", "x");
	mk("cur/deeper"); /* below cur/: not walked */
	put("cur/deeper/d1", "x");
	seen s = {{0}};
	const mw_walk_cb cb = {on_file, on_error, &s};
	mw_walk_path(g_root, &cb);
	assert_string_equal(s.text, "F:/a.eml;F:/b.eml;F:/cur/c1;F:/new/n1;");

	/* a file, "-" and a missing path are handed over as they are */
	seen f = {{0}};
	char p[256];
	snprintf(p, sizeof(p), "%s/a.eml", g_root);
	mw_walk_path(p, &(mw_walk_cb){on_file, on_error, &f});
	mw_walk_path("-", &(mw_walk_cb){on_file, on_error, &f});
	snprintf(p, sizeof(p), "%s/missing", g_root);
	mw_walk_path(p, &(mw_walk_cb){on_file, on_error, &f});
	assert_string_equal(f.text, "F:/a.eml;F:-;F:/missing;");
}

static void test_walk_errors(void **state)
{
	(void)state;
	/* a dangling symlink in a folder is reported and the walk goes on */
	put("a.eml", "x");
	char p[256];
	snprintf(p, sizeof(p), "%s/broken", g_root);
	assert_int_equal(symlink("/nonexistent/mw-walk", p), 0);
	put("c.eml", "x");
	seen s = {{0}};
	mw_walk_path(g_root, &(mw_walk_cb){on_file, on_error, &s});
	assert_string_equal(s.text, "F:/a.eml;E:/broken;F:/c.eml;");
}

static void test_messages(void **state)
{
	(void)state;
	static const struct {
		const char *data, *want;
	} cases[] = {
		{"Subject: one\n\nbody\n", "M:f=19;"},
		{"From a@b Mon Jan  1 00:00:00 2024\nS: 1\n\nx\n\nFrom c@d Mon Jan  1 00:00:00 2024\nS: 2\n",
		 "M:f#1=8;M:f#2=5;"},
		{"From a@b Mon Jan  1 00:00:00 2024\n", "M:f#1=0;"}, /* separator only: one empty message */
		{"", "M:f=0;"},                               /* empty file: one empty message */
		{"Fromage\n\nx\n", "M:f=11;"},                /* not a separator */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		seen s = {{0}};
		mw_walk_messages("f", cases[i].data, strlen(cases[i].data), on_msg, &s);
		if (strcmp(s.text, cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, s.text, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_errors, setup, teardown),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
