/*
 * test_netwatch.c - netwatch/ above the parsers: inode -> process mapping on
 * a fake /proc tree, MTA classification, firewall rule text against golden
 * files (tests/data/netwatch/), and the sampler on real loopback sockets of
 * this test process (sock_diag needs no privilege).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/str.h"
#include "netwatch/firewall.h"
#include "netwatch/netwatch.h"
#include "netwatch/nwevent.h"
#include "testutil.h"

/* ---- fake /proc ---- */

static void put_file(const char *dir, const char *name, const char *text, size_t n)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void put_link(const char *dir, const char *name, const char *target)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(symlink(target, p), 0);
}

/* fake_pid - ROOT/PID with fd links, status, cmdline, cgroup, exe, cwd */
static void fake_pid(const char *root, int pid, uint32_t uid, const char *const *fds, size_t nfd,
		     const char *cmdline, size_t cmdlen, const char *cgroup)
{
	char dir[256], fd[300];
	snprintf(dir, sizeof(dir), "%s/%d", root, pid);
	snprintf(fd, sizeof(fd), "%s/fd", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(fd, 0755), 0);
	for (size_t i = 0; i < nfd; i++) {
		char name[24];
		snprintf(name, sizeof(name), "%zu", i);
		put_link(fd, name, fds[i]);
	}
	char st[128];
	int n = snprintf(st, sizeof(st), "Name:\tx\nUid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid);
	put_file(dir, "status", st, (size_t)n);
	put_file(dir, "cmdline", cmdline, cmdlen);
	put_file(dir, "cgroup", cgroup, strlen(cgroup));
	put_file(dir, "stat", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0\n", 54);
	put_link(dir, "exe", "/usr/bin/php8.2");
	put_link(dir, "cwd", "/var/www/shop");
}

/* The fake tree maps inodes to pids in one pass and reads the details. */
static void test_proc_map(void **state)
{
	(void)state;
	char root[] = "/tmp/mw-fakeproc-XXXXXX";
	assert_non_null(mkdtemp(root));
	static const char *const fds100[] = {"socket:[111]", "pipe:[5]", "/dev/null", "socket:[112]"};
	static const char *const fds200[] = {"socket:[222]", "socket:[111]"};
	fake_pid(root, 100, 0, fds100, 4, "master\0", 7, "0::/system.slice/postfix.service\n");
	fake_pid(root, 200, 33, fds200, 2, "php-fpm: pool www\0", 18,
		 "0::/system.slice/php8.2-fpm.service\n");
	put_file(root, "stat", "cpu 1 2 3\nbtime 1700000000\n", 27);
	put_file(root, "self", "not a pid dir", 13);

	uint32_t inodes[] = {222, 111, 333, 0, 112, 222};
	int pids[6];
	size_t denied = 99;
	mw_err err = {0};
	assert_int_equal(mw_proc_map_inodes(root, inodes, 6, pids, &denied, &err), MW_OK);
	int want[] = {200, -1, 0, 0, 100, 200}; /* 111 is shared: either holder is right */
	for (int i = 0; i < 6; i++)
		if (want[i] >= 0 && pids[i] != want[i])
			fail_msg("inode %u: got pid %d want %d", inodes[i], pids[i], want[i]);
	assert_true(pids[1] == 100 || pids[1] == 200);
	assert_int_equal(denied, 0);

	int64_t bt = mw_proc_boot_time(root);
	assert_int_equal(bt, 1700000000);
	mw_nw_proc p;
	assert_int_equal(mw_proc_read(root, 200, bt, &p, &err), MW_OK);
	assert_int_equal(p.pid, 200);
	assert_true(p.uid_known);
	assert_int_equal(p.uid, 33);
	assert_string_equal(p.cmdline, "php-fpm: pool www");
	assert_string_equal(p.exe, "/usr/bin/php8.2");
	assert_string_equal(p.cwd, "/var/www/shop");
	assert_string_equal(p.unit, "php8.2-fpm.service");
	assert_string_equal(p.container, "");
	long hz = sysconf(_SC_CLK_TCK);
	assert_int_equal(p.start_time, 1700000000 + 500 / hz);
	mw_nw_proc copy;
	assert_int_equal(mw_nw_proc_copy(&copy, &p), MW_OK);
	assert_string_equal(copy.cmdline, "php-fpm: pool www");
	assert_ptr_not_equal(copy.cmdline, p.cmdline);
	mw_nw_proc_clear(&copy);
	mw_nw_proc_clear(&p);
	assert_null(p.cmdline);

	/* errors: missing pid, missing proc root */
	assert_int_equal(mw_proc_read(root, 4242, bt, &p, &err), MW_ENOTFOUND);
	assert_int_equal(mw_proc_map_inodes("/nonexistent-proc", inodes, 6, pids, &denied, &err),
			 MW_EIO);
	assert_int_equal(mw_proc_boot_time("/nonexistent-proc"), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* MTA classification by user, binary (full path vs base name), loopback. */
static void test_mta(void **state)
{
	(void)state;
	mw_nw_mta m;
	mw_nw_mta_default(&m);
	mw_ip remote, lo4, lo6;
	mw_ip_parse("192.0.2.25", &remote);
	mw_ip_parse("127.0.0.1", &lo4);
	mw_ip_parse("::1", &lo6);
	static const struct {
		const char *user, *exe;
		int remote; /* 0 remote, 1 lo4, 2 lo6 */
		mw_nw_class want;
	} cases[] = {
		{"postfix", "/usr/lib/postfix/sbin/smtp", 0, MW_NW_MTA},
		{"Debian-exim", "/usr/sbin/exim4", 0, MW_NW_MTA},
		{"root", "/usr/libexec/sendmail/sendmail", 0, MW_NW_MTA},
		{"root", "/usr/sbin/exim4 (deleted)", 0, MW_NW_MTA},
		{"www-data", "/usr/bin/php8.2", 0, MW_NW_SUSPECT},
		{"www-data", "/tmp/smtp", 0, MW_NW_SUSPECT}, /* full-path entry: no base-name match */
		{"www-data", "/usr/bin/php8.2", 1, MW_NW_LOCAL},
		{"www-data", "/usr/bin/php8.2", 2, MW_NW_LOCAL},
		{"Postfix", NULL, 0, MW_NW_SUSPECT}, /* user names are case-sensitive */
		{NULL, NULL, 0, MW_NW_SUSPECT},
		{"", "", 0, MW_NW_SUSPECT},
	};
	const mw_ip *addrs[] = {&remote, &lo4, &lo6};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_nw_class got = mw_nw_classify(&m, cases[i].user, cases[i].exe,
						 addrs[cases[i].remote]);
		if (got != cases[i].want)
			fail_msg("case %zu (%s, %s): got %s want %s", i,
				 cases[i].user ? cases[i].user : "NULL",
				 cases[i].exe ? cases[i].exe : "NULL", mw_nw_class_name(got),
				 mw_nw_class_name(cases[i].want));
	}
	/* a base-name entry matches any path; table limits */
	mw_err err = {0};
	assert_int_equal(mw_nw_mta_add_bin(&m, "msmtp", &err), MW_OK);
	assert_true(mw_nw_mta_is_bin(&m, "/opt/bin/msmtp"));
	assert_int_equal(mw_nw_mta_add_user(&m, "", &err), MW_EINVAL);
	char longname[300];
	memset(longname, 'u', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(mw_nw_mta_add_user(&m, longname, &err), MW_ETOOBIG);
	mw_nw_mta_clear(&m);
	for (int i = 0; i < MW_NW_MTA_NAMES_MAX; i++)
		assert_int_equal(mw_nw_mta_add_user(&m, "u", &err), MW_OK);
	assert_int_equal(mw_nw_mta_add_user(&m, "u", &err), MW_ETOOBIG);
	assert_false(mw_nw_mta_is_user(&m, "postfix"));
}

/* golden - render and compare with tests/data/netwatch/NAME */
static void golden(const mw_fw_opts *o, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/data/netwatch/%s", MW_SOURCE_DIR, name);
	char *want = read_file_or_die(path, NULL);
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	mw_err err = {0};
	assert_int_equal(mw_fw_render(o, &b, &err), MW_OK);
	if (strcmp(mw_buf_cstr(&b), want) != 0)
		fail_msg("%s differs; got:\n%s", name, mw_buf_cstr(&b));
	mw_buf_free(&b);
	free(want);
}

/* Rule text for nft and iptables, reject and log-only, matches the goldens. */
static void test_firewall_golden(void **state)
{
	(void)state;
	mw_fw_opts o;
	mw_err err = {0};
	mw_fw_opts_default(&o);
	assert_int_equal(mw_fw_add_user(&o, "postfix", &err), MW_OK);
	assert_int_equal(mw_fw_add_user(&o, "Debian-exim", &err), MW_OK);
	assert_int_equal(mw_fw_add_user(&o, "postfix", &err), MW_OK); /* duplicate ignored */
	golden(&o, "firewall_default.nft");

	mw_fw_opts_default(&o);
	mw_fw_add_user(&o, "postfix", &err);
	assert_true(mw_nw_ports_parse("25,465", &o.ports, &err));
	o.log_only = true;
	o.block_loopback = true;
	o.nflog_group = 7;
	golden(&o, "firewall_logonly.nft");

	mw_fw_opts_default(&o);
	o.format = MW_FW_IPTABLES;
	mw_fw_add_user(&o, "postfix", &err);
	mw_fw_add_user(&o, "108", &err);
	golden(&o, "firewall_v4.ipt");

	mw_fw_opts_default(&o);
	o.format = MW_FW_IP6TABLES;
	o.log_only = true;
	mw_fw_add_user(&o, "postfix", &err);
	golden(&o, "firewall_v6_logonly.ipt");
}

/* Names that could change the rule text are refused; so are bad options. */
static void test_firewall_refusals(void **state)
{
	(void)state;
	static const char *const bad[] = {"",	     "a b",	 "x;drop", "-x",	  "a\"b",
					  "a\nb",    "$(id)",	 "a}b",	   "ab/cd",	  "u{",
					  "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"};
	static const char *const good[] = {"postfix", "Debian-exim", "108", "www_data", "a.b"};
	mw_fw_opts o;
	mw_err err = {0};
	mw_fw_opts_default(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mw_fw_add_user(&o, bad[i], &err) != MW_EINVAL)
			fail_msg("user '%s' accepted", bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(mw_fw_add_user(&o, good[i], &err), MW_OK);
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	o.ports.n = 0;
	assert_int_equal(mw_fw_render(&o, &b, &err), MW_EINVAL);
	mw_fw_opts_default(&o);
	o.format = (mw_fw_format)9;
	assert_int_equal(mw_fw_render(&o, &b, &err), MW_EINVAL);
	mw_fw_opts_default(&o);
	mw_strlcpy(o.users[0], "x;y", sizeof(o.users[0])); /* bypassing add_user */
	o.n_users = 1;
	assert_int_equal(mw_fw_render(&o, &b, &err), MW_EINVAL);
	assert_int_equal(b.len, 0);
	/* too small an output buffer: MW_ETOOBIG, buffer unchanged */
	mw_buf small;
	mw_buf_init(&small, 64);
	mw_fw_opts_default(&o);
	assert_int_equal(mw_fw_render(&o, &small, &err), MW_ETOOBIG);
	assert_int_equal(small.len, 0);
	/* watch rule */
	mw_nw_ports p;
	mw_nw_ports_parse("25,587", &p, &err);
	assert_int_equal(mw_fw_render_watch(&p, 9, &b, &err), MW_OK);
	assert_non_null(strstr(mw_buf_cstr(&b), "tcp dport { 25, 587 } tcp flags & (syn | ack) == syn "
						"log prefix \"mailwarden-watch \" group 9"));
	mw_buf_free(&b);
	mw_buf_free(&small);
}

/* ---- the sampler on real sockets ---- */

typedef struct seen {
	int n;
	mw_nw_event last;
	char cmdline[256];
} seen;

static void on_ev(const mw_nw_event *ev, void *ud)
{
	seen *s = ud;
	s->n++;
	s->last = *ev;
	s->last.proc.cmdline = s->last.proc.exe = s->last.proc.cwd = NULL;
	snprintf(s->cmdline, sizeof(s->cmdline), "%s", ev->proc.cmdline ? ev->proc.cmdline : "");
}

/* loopback_pair - listener on 127.0.0.1:ephemeral and a connected client */
static void loopback_pair(int *lfd, int *cfd, uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	*lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*lfd >= 0);
	assert_int_equal(bind(*lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(*lfd, 4), 0);
	assert_int_equal(getsockname(*lfd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	*cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(*cfd, (struct sockaddr *)&a, sizeof(a)), 0);
}

/* A new connection is reported once with this process's pid; after it
 * closes and a new one opens, that one is reported again. */
static void test_sampler_live(void **state)
{
	(void)state;
	int lfd, cfd;
	uint16_t port;
	loopback_pair(&lfd, &cfd, &port);
	mw_nw_config cfg;
	mw_nw_config_default(&cfg);
	cfg.ports.port[0] = port;
	cfg.ports.n = 1;
	mw_err err = {0};
	mw_netwatch *nw = mw_netwatch_new(&cfg, &err);
	if (nw == NULL) {
		printf("SKIP: sock_diag unavailable: %s\n", err.msg);
		close(cfd);
		close(lfd);
		skip();
	}
	seen s = {0};
	assert_int_equal(mw_netwatch_sample(nw, 1000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.last.source, MW_NW_FROM_SAMPLE);
	assert_int_equal(s.last.proc.pid, getpid());
	assert_int_equal(s.last.proc.uid, geteuid());
	assert_int_equal(s.last.sock.rport, port);
	assert_int_equal(s.last.sock.state, 1);
	assert_int_equal(s.last.cls, MW_NW_LOCAL);
	assert_int_equal(s.last.first_seen_ms, 1000);
	assert_int_equal(s.last.proc_count, 1);
	assert_non_null(strstr(s.cmdline, "test_netwatch"));
	/* same connection: not reported again */
	assert_int_equal(mw_netwatch_sample(nw, 2000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(mw_netwatch_stats(nw)->sockets, 1);
	assert_int_equal(mw_netwatch_stats(nw)->proc_scans, 1);
	/* closed (reset, so no FIN_WAIT orphan stays), then a new connection:
	 * reported, process count grows */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	assert_int_equal(setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	close(cfd);
	assert_int_equal(mw_netwatch_sample(nw, 3000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 1);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(mw_netwatch_sample(nw, 4000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.last.proc_count, 2);
	assert_int_equal(s.last.dest_count, 2);

	/* a logged SYN for a connection that no longer exists: reported from the
	 * log with the uid, once */
	mw_nw_pkt pkt = {0};
	mw_ip_parse("10.9.9.9", &pkt.src);
	mw_ip_parse("192.0.2.99", &pkt.dst);
	pkt.sport = 41000;
	pkt.dport = port;
	assert_int_equal(mw_netwatch_logged(nw, &pkt, 65534, 5000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.last.source, MW_NW_FROM_LOG);
	assert_int_equal(s.last.proc.pid, 0);
	assert_int_equal(s.last.proc.uid, 65534);
	assert_int_equal(s.last.cls, MW_NW_SUSPECT);
	assert_int_equal(mw_netwatch_logged(nw, &pkt, 65534, 5001, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 3);
	/* another SYN right after that sample waits for the gap, then is resolved */
	uint64_t samples = mw_netwatch_stats(nw)->samples;
	pkt.sport = 41001;
	assert_int_equal(mw_netwatch_logged(nw, &pkt, 65534, 5005, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(mw_netwatch_next_flush(nw), 5000 + MW_NW_LOG_GAP_MS);
	assert_int_equal(mw_netwatch_flush(nw, 5000 + MW_NW_LOG_GAP_MS - 1, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(mw_netwatch_stats(nw)->samples, samples);
	assert_int_equal(mw_netwatch_flush(nw, 5000 + MW_NW_LOG_GAP_MS, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.last.source, MW_NW_FROM_LOG);
	assert_int_equal(s.last.sock.lport, 41001);
	assert_int_equal(s.last.first_seen_ms, 5005);
	assert_int_equal(mw_netwatch_stats(nw)->samples, samples + 1);
	assert_int_equal(mw_netwatch_next_flush(nw), 0);
	mw_netwatch_free(nw);

	/* a SYN of an MTA user is classified from the log, without sampling */
	mw_nw_config cfg2;
	mw_nw_config_default(&cfg2);
	char root[MW_NW_USER_MAX];
	mw_user_name(0, root, sizeof(root));
	assert_int_equal(mw_nw_mta_add_user(&cfg2.mta, root, &err), MW_OK);
	nw = mw_netwatch_new(&cfg2, &err);
	assert_non_null(nw);
	pkt.sport = 41002;
	s.n = 0;
	assert_int_equal(mw_netwatch_logged(nw, &pkt, 0, 6000, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.last.cls, MW_NW_MTA);
	assert_int_equal(s.last.source, MW_NW_FROM_LOG);
	assert_int_equal(mw_netwatch_stats(nw)->samples, 0);
	mw_netwatch_free(nw);

	/* only_uid of someone else: our socket is hidden, not reported */
	cfg.only_uid = (long long)geteuid() + 1;
	nw = mw_netwatch_new(&cfg, &err);
	assert_non_null(nw);
	s.n = 0;
	assert_int_equal(mw_netwatch_sample(nw, 1, on_ev, &s, &err), MW_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(mw_netwatch_stats(nw)->hidden, 1);
	mw_netwatch_free(nw);
	close(cfd);
	close(lfd);
}

/* An event becomes the CLI's JSON object and a store event with evidence. */
static void test_event_adapters(void **state)
{
	(void)state;
	mw_nw_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.source = MW_NW_FROM_SAMPLE;
	ev.cls = MW_NW_SUSPECT;
	ev.sock.family = 4;
	ev.sock.state = 2;
	mw_ip_parse("10.0.0.5", &ev.sock.local);
	mw_ip_parse("192.0.2.7", &ev.sock.remote);
	ev.sock.lport = 40001;
	ev.sock.rport = 25;
	ev.sock.inode = 777;
	ev.proc.pid = 1234;
	ev.proc.uid = 33;
	ev.proc.uid_known = true;
	strcpy(ev.proc.user, "www-data");
	char cmd[] = "php-fpm: pool www", exe[] = "/usr/bin/php8.2", cwd[] = "/var/www";
	ev.proc.cmdline = cmd;
	ev.proc.exe = exe;
	ev.proc.cwd = cwd;
	strcpy(ev.proc.unit, "php8.2-fpm.service");
	ev.first_seen_ms = 1700000000123;
	ev.proc_count = 3;
	ev.dest_count = 2;
	json_t *j = mw_nw_event_to_json(&ev);
	assert_non_null(j);
	char *got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(got,
		"{\"class\":\"suspect\",\"cmdline\":\"php-fpm: pool www\",\"container\":null,"
		"\"cwd\":\"/var/www\",\"dest_count\":2,\"exe\":\"/usr/bin/php8.2\","
		"\"first_seen_ms\":1700000000123,\"inode\":777,\"local\":\"10.0.0.5\","
		"\"local_port\":40001,\"pid\":1234,\"proc_count\":3,\"proc_start\":null,"
		"\"remote\":\"192.0.2.7\",\"remote_port\":25,\"source\":\"sample\","
		"\"state\":\"SYN_SENT\",\"uid\":33,\"unit\":\"php8.2-fpm.service\","
		"\"user\":\"www-data\"}");
	free(got);
	json_decref(j);

	mw_event se;
	mw_nw_event_to_store(&ev, &se);
	assert_string_equal(se.source, "netwatch");
	assert_string_equal(se.rule, "direct-smtp");
	assert_string_equal(se.action, "alert");
	assert_string_equal(se.key, "uid 33 (www-data) /usr/bin/php8.2");
	assert_string_equal(se.client_address, "192.0.2.7:25");
	assert_int_equal(se.count, 3);
	assert_int_equal(se.time_ms, 1700000000123);
	static const char *const want[] = {"pid 1234: php-fpm: pool www", "cwd /var/www",
					   "unit php8.2-fpm.service", "local 10.0.0.5:40001",
					   "seen via sample", "connections to 192.0.2.7:25: 2"};
	assert_int_equal(se.nsubjects, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(se.subjects[i], want[i]);

	/* from the log: no pid, no process strings; IPv6 endpoint; MTA class */
	memset(&ev, 0, sizeof(ev));
	ev.source = MW_NW_FROM_LOG;
	ev.cls = MW_NW_MTA;
	mw_ip_parse("2001:db8::1", &ev.sock.local);
	mw_ip_parse("2001:db8::25", &ev.sock.remote);
	ev.sock.rport = 25;
	mw_nw_event_to_store(&ev, &se);
	assert_string_equal(se.rule, "smtp-connection");
	assert_string_equal(se.key, "uid ? (?) ?");
	assert_string_equal(se.client_address, "[2001:db8::25]:25");
	assert_int_equal(se.nsubjects, 3);
	assert_string_equal(se.subjects[1], "seen via log");
	j = mw_nw_event_to_json(&ev);
	assert_true(json_is_null(json_object_get(j, "pid")));
	assert_true(json_is_null(json_object_get(j, "uid")));
	assert_string_equal(json_string_value(json_object_get(j, "state")), "-");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_map),	cmocka_unit_test(test_mta),
		cmocka_unit_test(test_firewall_golden), cmocka_unit_test(test_firewall_refusals),
		cmocka_unit_test(test_sampler_live),    cmocka_unit_test(test_event_adapters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
