/*
 * test_smtp_probe.c - the SMTP reply parser (table of good, partial and
 * malformed replies) and the probe against scripted loopback servers that
 * relay, refuse, stall, speak garbage or hang up: verdicts and time bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/smtp_probe.h"
#include "audit/smtp_reply.h"
#include "core/limits.h"

static const struct {
	const char *in;
	mw_status want;
	int code;
	size_t lines;
	size_t used;
} reply_cases[] = {
	{"220 mx.example ESMTP\r\n", MW_OK, 220, 1, 22},
	{"250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n", MW_OK, 250, 3, 46},
	{"250 ok\n", MW_OK, 250, 1, 7},
	{"250\r\n", MW_OK, 250, 1, 5},
	{"250 ok\r\n354 more", MW_OK, 250, 1, 8},
	{"250-a\r\n", MW_ENOTFOUND, 0, 0, 0},
	{"250 partial", MW_ENOTFOUND, 0, 0, 0},
	{"25", MW_ENOTFOUND, 0, 0, 0},
	{"", MW_ENOTFOUND, 0, 0, 0},
	{"HTTP/1.1 400 Bad Request\r\n", MW_EPARSE, 0, 0, 0},
	{"SSH-2.0-OpenSSH_9.2\r\n", MW_EPARSE, 0, 0, 0},
	{"250-a\r\n251 b\r\n", MW_EPARSE, 0, 0, 0},
	{"650 no\r\n", MW_EPARSE, 0, 0, 0},
	{"250xok\r\n", MW_EPARSE, 0, 0, 0},
	{"250 a\x01b\r\n", MW_EPARSE, 0, 0, 0},
	{"\x16\x03\x01\x02\x00", MW_EPARSE, 0, 0, 0},
	{"2x", MW_EPARSE, 0, 0, 0},
};

/* Replies parse into code, lines and bytes used; partial ones wait, garbage fails. */
static void test_reply_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		smtp_reply r;
		size_t used;
		mw_status st = smtp_reply_parse(reply_cases[i].in, strlen(reply_cases[i].in), &r, &used);
		if (st != reply_cases[i].want)
			fail_msg("case %zu: got %s want %s", i, mw_status_str(st),
				 mw_status_str(reply_cases[i].want));
		if (st == MW_OK) {
			assert_int_equal(r.code, reply_cases[i].code);
			assert_int_equal(r.nlines, reply_cases[i].lines);
			assert_int_equal(used, reply_cases[i].used);
		}
		smtp_reply_free(&r);
	}
	/* limits: a line over MW_SMTP_LINE_MAX, more than MW_SMTP_LINES_MAX lines */
	char *big = malloc(MW_SMTP_REPLY_MAX);
	memset(big, 'a', MW_SMTP_LINE_MAX + 10);
	memcpy(big, "250 ", 4);
	smtp_reply r;
	size_t used;
	assert_int_equal(smtp_reply_parse(big, MW_SMTP_LINE_MAX + 10, &r, &used), MW_ETOOBIG);
	size_t n = 0;
	for (int i = 0; i <= MW_SMTP_LINES_MAX; i++)
		n += (size_t)sprintf(big + n, "250-x\r\n");
	assert_int_equal(smtp_reply_parse(big, n, &r, &used), MW_ETOOBIG);
	free(big);
}

/* EHLO keywords and their parameters. */
static void test_reply_ext(void **state)
{
	(void)state;
	const char *in = "250-mx.example hello\r\n250-AUTH PLAIN LOGIN\r\n250-starttls\r\n"
			 "250-SIZE 1000\r\n250 AUTHX\r\n";
	smtp_reply r;
	size_t used;
	assert_int_equal(smtp_reply_parse(in, strlen(in), &r, &used), MW_OK);
	char p[64];
	assert_true(smtp_reply_ext(&r, "AUTH", p, sizeof(p)));
	assert_string_equal(p, "PLAIN LOGIN");
	assert_true(smtp_reply_ext(&r, "STARTTLS", p, sizeof(p)));
	assert_string_equal(p, "");
	assert_false(smtp_reply_ext(&r, "mx.example", NULL, 0)); /* the greeting line is not a keyword */
	assert_false(smtp_reply_ext(&r, "PIPELINING", NULL, 0));
	smtp_reply_free(&r);
}

/* ---- scripted servers ------------------------------------------------- */

typedef enum { S_OPEN, S_CLOSED, S_STALL, S_GARBAGE, S_HANGUP, S_STALL_MID } script;

/* serve - child: one connection, the script's behaviour */
static void serve(int lfd, script s)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	char buf[1024];
	if (s == S_STALL) {
		sleep(5);
		_exit(0);
	}
	if (s == S_GARBAGE) {
		(void)!write(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
		sleep(2);
		_exit(0);
	}
	if (s == S_HANGUP)
		_exit(0);
	(void)!write(fd, "220 test ESMTP\r\n", 16);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			_exit(0);
		buf[n] = 0;
		const char *rep = "250 ok\r\n";
		if (strncmp(buf, "EHLO", 4) == 0)
			rep = "250-test\r\n250-AUTH PLAIN LOGIN\r\n250 VRFY\r\n";
		else if (strncmp(buf, "VRFY", 4) == 0)
			rep = s == S_OPEN ? "250 <postmaster@test>\r\n" : "502 VRFY disabled\r\n";
		else if (strncmp(buf, "EXPN", 4) == 0)
			rep = "502 no\r\n";
		else if (strncmp(buf, "RCPT", 4) == 0) {
			if (s == S_STALL_MID) {
				sleep(5);
				_exit(0);
			}
			rep = s == S_OPEN ? "250 ok\r\n" : "554 5.7.1 Relay access denied\r\n";
		} else if (strncmp(buf, "DATA", 4) == 0)
			_exit(3); /* the probe must never send DATA */
		else if (strncmp(buf, "QUIT", 4) == 0) {
			(void)!write(fd, "221 bye\r\n", 9);
			_exit(0);
		}
		(void)!write(fd, rep, strlen(rep));
	}
}

/* probe - start a scripted server, probe it, reap the child */
static void probe(script s, int step_ms, smtp_probe_result *res)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	socklen_t sl = sizeof(sa);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	pid_t pid = fork();
	if (pid == 0)
		serve(lfd, s);
	close(lfd);
	char target[64];
	snprintf(target, sizeof(target), "127.0.0.1:%d", ntohs(sa.sin_port));
	smtp_probe_opts o = {.target = target, .step_ms = step_ms, .total_ms = 4000, .domain = "t.example"};
	smtp_probe_run(&o, res);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 3); /* no DATA */
}

/* Open and closed relays, AUTH before TLS, VRFY, no STARTTLS. */
static void test_probe_verdicts(void **state)
{
	(void)state;
	smtp_probe_result r;
	probe(S_OPEN, 2000, &r);
	assert_null(r.stop);
	assert_int_equal(r.relay, SMTP_RELAY_OPEN);
	assert_true(r.auth_plain);
	assert_int_equal(r.vrfy_code, 250);
	audit_findings out;
	assert_true(audit_findings_init(&out));
	smtp_probe_findings(&r, &out);
	assert_int_equal(audit_find(&out, "smtp-open-relay")->sev, AUDIT_CRITICAL);
	assert_int_equal(audit_find(&out, "smtp-auth-before-tls")->sev, AUDIT_CRITICAL);
	assert_non_null(audit_find(&out, "smtp-vrfy"));
	assert_non_null(audit_find(&out, "smtp-no-starttls"));
	audit_findings_free(&out);
	smtp_probe_result_free(&r);

	probe(S_CLOSED, 2000, &r);
	assert_null(r.stop);
	assert_int_equal(r.relay, SMTP_RELAY_CLOSED);
	assert_int_equal(r.rcpt_code, 554);
	assert_true(audit_findings_init(&out));
	smtp_probe_findings(&r, &out);
	assert_null(audit_find(&out, "smtp-open-relay"));
	assert_non_null(audit_find(&out, "smtp-relay-closed"));
	assert_null(audit_find(&out, "smtp-vrfy"));
	json_t *j = smtp_probe_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "relay")), "closed");
	json_decref(j);
	audit_findings_free(&out);
	smtp_probe_result_free(&r);
}

/* Stalling, garbage and hang-up servers: a reason, within the time bounds. */
static void test_probe_bad_servers(void **state)
{
	(void)state;
	static const struct {
		script s;
		const char *stop;
	} cases[] = {
		{S_STALL, "timeout"},
		{S_GARBAGE, "does not speak SMTP"},
		{S_HANGUP, "closed"},
		{S_STALL_MID, "timeout"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		smtp_probe_result r;
		probe(cases[i].s, 300, &r);
		if (!r.stop || !strstr(r.stop, cases[i].stop))
			fail_msg("case %zu: stop '%s' want '%s'", i, r.stop ? r.stop : "(none)", cases[i].stop);
		assert_true(r.elapsed_ms < 1500);
		assert_int_equal(r.relay == SMTP_RELAY_OPEN, false);
		audit_findings out;
		assert_true(audit_findings_init(&out));
		smtp_probe_findings(&r, &out);
		assert_non_null(audit_find(&out, "smtp-probe-stopped"));
		audit_findings_free(&out);
		smtp_probe_result_free(&r);
	}
	/* nothing listening; a bad target */
	smtp_probe_result r;
	smtp_probe_opts o = {.target = "127.0.0.1:1", .step_ms = 500, .total_ms = 1000};
	smtp_probe_run(&o, &r);
	assert_false(r.connected);
	assert_non_null(r.stop);
	smtp_probe_result_free(&r);
	o.target = "[::1";
	smtp_probe_run(&o, &r);
	assert_non_null(strstr(r.stop, "bad target"));
	smtp_probe_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_parse),
		cmocka_unit_test(test_reply_ext),
		cmocka_unit_test(test_probe_verdicts),
		cmocka_unit_test(test_probe_bad_servers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
