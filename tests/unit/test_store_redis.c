/*
 * test_store_redis.c - store/store_redis against a real redis-server that
 * this test starts on 127.0.0.1 (a free port) and stops by its pid: two
 * store handles share one window; reset; Redis stopped -> DEGRADED and local
 * counting; the connection comes back after a restart.  Skips (77) when
 * redis-server is not installed, unless CI is set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static int port;
static pid_t redis_pid;

/* try_connect - true when something listens on port */
static int try_connect(int p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* start_redis - fork/exec redis-server on port, wait until it listens */
static void start_redis(void)
{
	char ports[16];
	snprintf(ports, sizeof(ports), "%d", port);
	redis_pid = fork();
	if (redis_pid == 0) {
		freopen("/dev/null", "w", stdout);
		execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", ports,
		       "--save", "", "--appendonly", "no", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !try_connect(port); i++)
		usleep(25000);
	assert_true(try_connect(port));
}

/* stop_redis - by pid */
static void stop_redis(void)
{
	kill(redis_pid, SIGTERM);
	waitpid(redis_pid, NULL, 0);
	redis_pid = 0;
}

/* now_ms - wall clock */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_redis_shared(void **state)
{
	(void)state;
	mw_err err;
	mw_store *a = mw_store_open_redis("127.0.0.1", port, 200, "mwtest:", 0, &err);
	mw_store *b = mw_store_open_redis("127.0.0.1", port, 200, "mwtest:", 0, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(mw_store_get_state(a), MW_STORE_UP);
	assert_string_equal(mw_store_name(a), "redis");
	uint64_t c = 0;
	for (int i = 1; i <= 10; i++) {
		mw_store *s = i % 2 ? a : b;
		assert_int_equal(mw_store_hit(s, "rule\x1fuser", 9, 3600000, 1, now_ms(), &c, &err), MW_OK);
		assert_int_equal(c, (uint64_t)i); /* one window seen by both handles */
	}
	assert_int_equal(mw_store_hit(b, "rule\x1fuser", 9, 3600000, 0, now_ms(), &c, &err), MW_OK);
	assert_int_equal(c, 10);
	assert_int_equal(mw_store_reset(a, "rule\x1fuser", 9, &err), MW_OK);
	assert_int_equal(mw_store_hit(b, "rule\x1fuser", 9, 3600000, 0, now_ms(), &c, &err), MW_OK);
	assert_int_equal(c, 0);
	assert_int_equal(mw_store_reset(a, "rule\x1fnone", 9, &err), MW_ENOTFOUND);

	/* Redis gone: answers come from local counters, state DEGRADED */
	stop_redis();
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(mw_store_hit(a, "k", 1, 60000, 1, now_ms(), &c, &err), MW_OK);
		assert_int_equal(c, (uint64_t)i);
	}
	assert_int_equal(mw_store_get_state(a), MW_STORE_DEGRADED);
	assert_int_equal(mw_store_keys(a), 1);

	/* back: after the one-second retry pause the store is UP and shared again */
	start_redis();
	usleep(1100000);
	mw_store_expire(a, now_ms(), 16); /* the daemon's sweep doubles as reconnect timer */
	assert_int_equal(mw_store_get_state(a), MW_STORE_UP);
	assert_int_equal(mw_store_hit(a, "k2", 2, 60000, 5, now_ms(), &c, &err), MW_OK);
	usleep(1100000);
	assert_int_equal(mw_store_hit(b, "k2", 2, 60000, 1, now_ms(), &c, &err), MW_OK);
	assert_int_equal(c, 6);
	assert_int_equal(mw_store_get_state(b), MW_STORE_UP);
	mw_store_free(a);
	mw_store_free(b);
}

int main(void)
{
	if (system("command -v redis-server >/dev/null 2>&1") != 0) {
		if (getenv("CI")) {
			fprintf(stderr, "redis-server missing (scripts/setup --test installs it)\n");
			return 1;
		}
		fprintf(stderr, "SKIP: redis-server not installed\n");
		return 77;
	}
	srand((unsigned)getpid());
	do
		port = 15000 + rand() % 17000; /* below the ephemeral port range */
	while (try_connect(port));
	start_redis();
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_redis_shared)};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (redis_pid)
		stop_redis();
	return rc;
}
