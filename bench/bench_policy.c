/*
 * bench_policy.c - load generator for Postfix policy services.
 *
 * Opens --conns persistent connections (TCP or unix) and keeps exactly one
 * request in flight on each, as Postfix's smtpd processes do, for --seconds
 * (after --warmup seconds not measured).  Requests are realistic Postfix 3.7
 * END-OF-MESSAGE attribute sets (~30 attributes, ~800 bytes) cycling over
 * --users sasl usernames and client addresses.  Prints requests/s, latency
 * percentiles (p50/p99/p999, from send to the complete answer) and the
 * answers by action; --json for scripts.  Single thread, epoll.
 *
 * usage: bench_policy [--host 127.0.0.1] [--port 10040 | --unix PATH]
 *                     [--conns 64] [--seconds 10] [--warmup 1] [--users 10000]
 *                     [--state END-OF-MESSAGE|RCPT] [--label NAME] [--json]
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NREQ 4096 /* distinct request texts, cycled */

typedef struct bconn {
	int fd;
	uint64_t sent_ns;
	size_t off, len; /* bytes of the current request written */
	const char *req;
	char in[4096];
	size_t inlen;
} bconn;

static char *reqs[NREQ];
static size_t reqlen[NREQ];

/* now_ns - monotonic */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* make_reqs - the request texts (protocol_state = state) */
static void make_reqs(int users, const char *state)
{
	int rcpt = strcmp(state, "RCPT") == 0;
	for (int i = 0; i < NREQ; i++) {
		int u = (int)(((unsigned)i * 2654435761u) % (unsigned)users);
		char *b = malloc(2048);
		int n = snprintf(b, 2048,
			"request=smtpd_access_policy\nprotocol_state=%s\n"
			"protocol_name=ESMTP\nhelo_name=client%d.example.net\nqueue_id=4B%06X\n"
			"sender=user%d@example.org\nrecipient=%s\nrecipient_count=%d\n"
			"client_address=10.%d.%d.%d\nclient_name=host%d.example.net\n"
			"reverse_client_name=host%d.example.net\ninstance=%x.6561ab12.8f3e1.0\n"
			"sasl_method=PLAIN\nsasl_username=user%d@example.org\nsasl_sender=\n"
			"size=%d\nccert_subject=\nccert_issuer=\nccert_fingerprint=\n"
			"ccert_pubkey_fingerprint=\nencryption_protocol=TLSv1.3\n"
			"encryption_cipher=TLS_AES_256_GCM_SHA384\nencryption_keysize=256\n"
			"etrn_domain=\nstress=\nserver_address=192.0.2.25\nserver_port=587\n"
			"policy_context=\ncompatibility_level=3.6\nmail_version=3.7.11\n"
			"client_port=%d\n\n",
			state, u, i, u, rcpt ? "someone@example.net" : "", rcpt ? 0 : 2, (u >> 16) & 255, (u >> 8) & 255, u & 255, u, u, i, u, 1000 + i * 7,
			20000 + i);
		reqs[i] = b;
		reqlen[i] = (size_t)n;
	}
}

/* dial - one connected, non-blocking socket */
static int dial(const char *host, int port, const char *unix_path)
{
	int fd;
	if (unix_path) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", unix_path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			return -1;
	} else {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		inet_pton(AF_INET, host, &sin.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
	}
	return fd;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *unix_path = NULL, *label = "policy";
	const char *state = "END-OF-MESSAGE";
	int port = 10040, nconns = 64, users = 10000;
	double seconds = 10, warmup = 1;
	int json = 0;
	static const struct option opts[] = {
		{"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"unix", 1, 0, 'u'}, {"conns", 1, 0, 'c'},
		{"seconds", 1, 0, 's'}, {"warmup", 1, 0, 'w'}, {"users", 1, 0, 'U'},
		{"label", 1, 0, 'l'}, {"json", 0, 0, 'j'}, {"state", 1, 0, 'S'}, {0, 0, 0, 0}};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'u': unix_path = optarg; break;
		case 'c': nconns = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'U': users = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'j': json = 1; break;
		case 'S': state = optarg; break;
		default: fprintf(stderr, "see the comment at the top of bench_policy.c\n"); return 2;
		}
	}
	make_reqs(users > 0 ? users : 1, state);
	int ep = epoll_create1(0);
	bconn *cs = calloc((size_t)nconns, sizeof(*cs));
	for (int i = 0; i < nconns; i++) {
		cs[i].fd = dial(host, port, unix_path);
		if (cs[i].fd < 0) {
			perror("connect");
			return 1;
		}
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
	}
	size_t cap = 1 << 22, nlat = 0;
	uint32_t *lat = malloc(cap * sizeof(*lat)); /* latency in units of 100 ns */
	uint64_t answers[4] = {0}; /* DUNNO, HOLD, DEFER*, other */
	uint64_t t0 = now_ns(), measure_from = t0 + (uint64_t)(warmup * 1e9),
		 t_end = measure_from + (uint64_t)(seconds * 1e9), seq = 0, errors = 0;
	for (int i = 0; i < nconns; i++) { /* first request on every connection */
		bconn *c = &cs[i];
		c->req = reqs[seq % NREQ];
		c->len = reqlen[seq++ % NREQ];
		c->sent_ns = now_ns();
		if (write(c->fd, c->req, c->len) != (ssize_t)c->len)
			errors++;
	}
	struct epoll_event evs[256];
	uint64_t now = now_ns();
	while (now < t_end) {
		int n = epoll_wait(ep, evs, 256, 1000);
		now = now_ns();
		for (int k = 0; k < n; k++) {
			bconn *c = &cs[evs[k].data.u32];
			ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				fprintf(stderr, "connection closed by the server\n");
				return 1;
			}
			c->inlen += (size_t)r;
			if (c->inlen < 2 || memcmp(c->in + c->inlen - 2, "\n\n", 2) != 0)
				continue; /* answer incomplete */
			if (c->sent_ns >= measure_from) {
				if (nlat == cap)
					lat = realloc(lat, (cap *= 2) * sizeof(*lat));
				uint64_t d = (now - c->sent_ns) / 100;
				lat[nlat++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
				const char *a = c->in + 7; /* after "action=" */
				answers[strncmp(a, "DUNNO", 5) == 0 || strncmp(a, "dunno", 5) == 0 ? 0
					: strncmp(a, "HOLD", 4) == 0 ? 1 : strncmp(a, "DEFER", 5) == 0 ? 2 : 3]++;
			}
			c->inlen = 0;
			c->req = reqs[seq % NREQ];
			c->len = reqlen[seq++ % NREQ];
			c->sent_ns = now_ns();
			if (write(c->fd, c->req, c->len) != (ssize_t)c->len)
				errors++;
		}
	}
	double secs = (double)(now - measure_from) / 1e9;
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
#define PCT(p) (nlat ? lat[(size_t)((double)(nlat - 1) * (p))] / 10000.0 : 0.0)
	double rps = (double)nlat / secs;
	if (json)
		printf("{\"label\":\"%s\",\"conns\":%d,\"requests\":%zu,\"seconds\":%.2f,\"rps\":%.0f,"
		       "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"dunno\":%llu,\"hold\":%llu,"
		       "\"defer\":%llu,\"other\":%llu,\"write_errors\":%llu}\n",
		       label, nconns, nlat, secs, rps, PCT(0.5), PCT(0.99), PCT(0.999),
		       (unsigned long long)answers[0], (unsigned long long)answers[1],
		       (unsigned long long)answers[2], (unsigned long long)answers[3],
		       (unsigned long long)errors);
	else
		printf("%-22s %6d conns %9zu req in %5.1f s: %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms"
		       "  p999 %7.3f ms  (DUNNO %llu, HOLD %llu, DEFER %llu, other %llu)\n",
		       label, nconns, nlat, secs, rps, PCT(0.5), PCT(0.99), PCT(0.999),
		       (unsigned long long)answers[0], (unsigned long long)answers[1],
		       (unsigned long long)answers[2], (unsigned long long)answers[3]);
	return errors ? 1 : 0;
}
