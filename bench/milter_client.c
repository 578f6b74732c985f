/*
 * milter_client.c - a milter protocol (version 6) client for benchmarks:
 * drives messages through one milter or a chain of milters the way
 * Postfix's smtpd_milters does, over N concurrent connections.
 *
 * usage: milter_client [-c CONNS] [-n MESSAGES] -m HOST:PORT [-m HOST:PORT]... MANIFEST
 *
 * MANIFEST lines: FILE CLIENT-IP HELO MAIL-FROM RCPT AUTH-USER|-
 * Each worker thread takes messages i, i+CONNS, ... (cycling through the
 * manifest) and, for each message, runs one milter session per milter in
 * order: option negotiation, connect, HELO, MAIL, RCPT, DATA, headers,
 * end of headers, body chunks (65535 bytes), end of message, quit; every
 * step the milter asked to skip (SMFIP_NO*) is not sent and no reply is
 * awaited where it asked for none (SMFIP_NR_*).  Macros as Postfix sends
 * them: j, {daemon_name}, {client_addr}, i (queue id), {auth_authen} when
 * the message has an AUTH-USER, {mail_addr}, {rcpt_addr}.  Headers a milter
 * adds (SMFIR_ADDHEADER, SMFIR_INSHEADER) are put in front of the header
 * section given to the next milter, so OpenDMARC sees OpenDKIM's
 * Authentication-Results as it does behind Postfix.  A reject, tempfail or
 * discard ends the message (later milters do not see it).
 *
 * Prints messages per second (wall), the outcome counts and, as a check
 * that the milters did their work, how many added headers were
 * DKIM-Signature and how many Authentication-Results said dkim=pass,
 * dmarc=pass and dmarc=fail.  Benchmark tool only (bench/milter.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MILTERS_MAX 4
#define HDRS_MAX 256

/* protocol constants (libmilter mfdef.h) */
#define SMFIP_NOCONNECT 0x1u
#define SMFIP_NOHELO 0x2u
#define SMFIP_NOMAIL 0x4u
#define SMFIP_NORCPT 0x8u
#define SMFIP_NOBODY 0x10u
#define SMFIP_NOHDRS 0x20u
#define SMFIP_NOEOH 0x40u
#define SMFIP_NR_HDR 0x80u
#define SMFIP_NODATA 0x200u
#define SMFIP_NR_CONN 0x1000u
#define SMFIP_NR_HELO 0x2000u
#define SMFIP_NR_MAIL 0x4000u
#define SMFIP_NR_RCPT 0x8000u
#define SMFIP_NR_DATA 0x10000u
#define SMFIP_NR_EOH 0x40000u
#define SMFIP_NR_BODY 0x80000u
#define SMFIP_HDR_LEADSPC 0x100000u

typedef struct msg {
	char *data;
	size_t len, body; /* body offset */
	char ip[64], helo[128], from[256], rcpt[256], auth[64];
} msg;

typedef struct hdr {
	char *name, *value; /* value without the leading space */
} hdr;

typedef struct stats {
	long done, accept, reject, tempfail, discard, error, dkim_sig, dkim_pass, dmarc_pass,
		dmarc_fail;
} stats;

static msg *msgs;
static size_t nmsgs;
static struct sockaddr_in milter[MILTERS_MAX];
static int nmilter;
static long total = 1000;
static int conns = 4;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static stats all;

/* ---- wire ---- */

static int writen(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int readn(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* pkt - one command: 4-byte length (command + data), command, data */
static int pkt(int fd, char cmd, const char *data, size_t len)
{
	char h[5];
	uint32_t l = htonl((uint32_t)len + 1);
	memcpy(h, &l, 4);
	h[4] = cmd;
	return writen(fd, h, 5) || (len && writen(fd, data, len)) ? -1 : 0;
}

/* reply - one response; *buf (grown) holds its data.  TCP_QUICKACK before
 * each read: a milter writes its end-of-message modifications one by one
 * without TCP_NODELAY, so Nagle holds the second write until our delayed
 * ACK (40 ms) - a stall per message that would hide the milters' own cost */
static int reply(int fd, char *cmd, char **buf, size_t *cap, size_t *len)
{
	uint32_t l;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	if (readn(fd, (char *)&l, 4))
		return -1;
	l = ntohl(l);
	if (l < 1 || l > (64u << 20))
		return -1;
	if (readn(fd, cmd, 1))
		return -1;
	*len = l - 1;
	if (*len + 1 > *cap) {
		*cap = *len + 1;
		*buf = realloc(*buf, *cap);
	}
	if (*len && readn(fd, *buf, *len))
		return -1;
	(*buf)[*len] = '\0';
	return 0;
}

typedef struct sess {
	int fd;
	uint32_t proto;
	char *buf;
	size_t cap, len;
	char rc; /* final: a accept, r reject, t tempfail, d discard, e error */
	hdr added[16];
	int nadded;
} sess;

/* step - send a command, wait for the reply unless nr; 0 continue, 1 the
 * milter ended the message (s->rc set), -1 error */
static int step(sess *s, char cmd, const char *d, size_t n, uint32_t nr)
{
	if (pkt(s->fd, cmd, d, n))
		return -1;
	if (s->proto & nr)
		return 0;
	char rc;
	if (reply(s->fd, &rc, &s->buf, &s->cap, &s->len))
		return -1;
	if (rc == 'c' || rc == 's')
		return rc == 's' ? 2 : 0; /* s: skip the rest of the body */
	s->rc = rc == 'y' ? (s->buf[0] == '4' ? 't' : 'r') : rc;
	return 1;
}

/* macros - SMFIC_MACRO for command c: name\0value\0 pairs */
static int macros(sess *s, char c, const char *const *kv, int n)
{
	char b[1024];
	size_t l = 0;
	b[l++] = c;
	for (int i = 0; i < n; i++) {
		size_t k = strlen(kv[i]) + 1;
		if (l + k > sizeof(b))
			return -1;
		memcpy(b + l, kv[i], k);
		l += k;
	}
	return pkt(s->fd, 'D', b, l);
}

/* eom - end of message: modifications until the final answer */
static int eom(sess *s)
{
	if (pkt(s->fd, 'E', NULL, 0))
		return -1;
	for (;;) {
		char rc;
		if (reply(s->fd, &rc, &s->buf, &s->cap, &s->len))
			return -1;
		if (rc == 'h' || rc == 'i') { /* add / insert header */
			const char *p = s->buf + (rc == 'i' ? 4 : 0);
			size_t nl = strlen(p);
			if (s->nadded < 16 && (size_t)(p - s->buf) + nl + 1 < s->len) {
				s->added[s->nadded].name = strdup(p);
				s->added[s->nadded++].value = strdup(p + nl + 1);
			}
			continue;
		}
		if (rc == 'p') /* progress */
			continue;
		if (strchr("ardty", rc)) {
			s->rc = rc == 'y' ? (s->buf[0] == '4' ? 't' : 'r') : rc;
			return 0;
		}
		if (rc == 'c') {
			s->rc = 'a';
			return 0;
		}
		/* other modifications (chgheader, chgfrom, quarantine, body): ignored */
	}
}

/* parse_headers - the header section of m (unfolded lines kept as sent) */
static int parse_headers(const msg *m, hdr *h, int max)
{
	int n = 0;
	const char *p = m->data, *end = m->data + m->body;
	while (p < end && n < max) {
		const char *e = p;
		for (;;) { /* a field ends at a line break not followed by WSP */
			const char *nl = memchr(e, '\n', (size_t)(end - e));
			if (!nl) {
				e = end;
				break;
			}
			e = nl + 1;
			if (e >= end || (*e != ' ' && *e != '\t'))
				break;
		}
		const char *colon = memchr(p, ':', (size_t)(e - p));
		size_t vl = (size_t)(e - p);
		while (vl && (p[vl - 1] == '\n' || p[vl - 1] == '\r'))
			vl--;
		if (colon && colon < p + vl) {
			h[n].name = strndup(p, (size_t)(colon - p));
			const char *v = colon + 1;
			h[n].value = strndup(v, (size_t)(p + vl - v));
			n++;
		}
		p = e;
	}
	return n;
}

/* session - one message through one milter; extra: headers added before */
static void session(sess *s, const struct sockaddr_in *a, const msg *m, long qid, hdr *extra,
		    int nextra)
{
	s->rc = 'e';
	s->nadded = 0;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (const struct sockaddr *)a, sizeof(*a)))
		goto out;
	uint32_t opt[3] = {htonl(6), htonl(0x1ff), htonl(0x1fffff)};
	char rc;
	if (pkt(s->fd, 'O', (char *)opt, 12) || reply(s->fd, &rc, &s->buf, &s->cap, &s->len) ||
	    rc != 'O' || s->len < 12)
		goto out;
	memcpy(&s->proto, s->buf + 8, 4);
	s->proto = ntohl(s->proto);
	char q[32], b[1024];
	snprintf(q, sizeof(q), "B%09lX", qid);
	const char *cm[] = {"j", "mx.bench.example", "{daemon_name}", "bench", "{client_addr}", m->ip};
	if (macros(s, 'C', cm, 6))
		goto out;
	int r = 0;
	size_t l = (size_t)snprintf(b, sizeof(b), "client.example%c4", 0);
	uint16_t port = htons(40000);
	memcpy(b + l, &port, 2);
	l += 2;
	l += (size_t)snprintf(b + l, sizeof(b) - l, "%s", m->ip) + 1;
	if (!(s->proto & SMFIP_NOCONNECT) && (r = step(s, 'C', b, l, SMFIP_NR_CONN)))
		goto end;
	if (!(s->proto & SMFIP_NOHELO) &&
	    (r = step(s, 'H', m->helo, strlen(m->helo) + 1, SMFIP_NR_HELO)))
		goto end;
	const char *mm[] = {"i", q, "{mail_addr}", m->from, "{auth_type}", "PLAIN", "{auth_authen}",
			    m->auth};
	if (macros(s, 'M', mm, m->auth[0] ? 8 : 4))
		goto out;
	l = (size_t)snprintf(b, sizeof(b), "<%s>", m->from) + 1;
	if (!(s->proto & SMFIP_NOMAIL) && (r = step(s, 'M', b, l, SMFIP_NR_MAIL)))
		goto end;
	const char *rm[] = {"{rcpt_addr}", m->rcpt};
	if (macros(s, 'R', rm, 2))
		goto out;
	l = (size_t)snprintf(b, sizeof(b), "<%s>", m->rcpt) + 1;
	if (!(s->proto & SMFIP_NORCPT) && (r = step(s, 'R', b, l, SMFIP_NR_RCPT)))
		goto end;
	if (!(s->proto & SMFIP_NODATA) && (r = step(s, 'T', NULL, 0, SMFIP_NR_DATA)))
		goto end;
	hdr h[HDRS_MAX];
	int nh = parse_headers(m, h, HDRS_MAX);
	char *hb = NULL;
	size_t hcap = 0;
	for (int i = -nextra; i < nh && !(s->proto & SMFIP_NOHDRS) && !r; i++) {
		const hdr *x = i < 0 ? &extra[nextra + i] : &h[i];
		const char *v = x->value;
		if (!(s->proto & SMFIP_HDR_LEADSPC) && *v == ' ')
			v++;
		size_t nl = strlen(x->name) + 1, vl = strlen(v) + 1;
		if (nl + vl > hcap)
			hb = realloc(hb, hcap = nl + vl);
		memcpy(hb, x->name, nl);
		memcpy(hb + nl, v, vl);
		r = step(s, 'L', hb, nl + vl, SMFIP_NR_HDR);
	}
	free(hb);
	for (int i = 0; i < nh; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	if (r || (!(s->proto & SMFIP_NOEOH) && (r = step(s, 'N', NULL, 0, SMFIP_NR_EOH))))
		goto end;
	for (size_t off = m->body; off < m->len && !(s->proto & SMFIP_NOBODY);) {
		size_t n = m->len - off > 65535 ? 65535 : m->len - off;
		if ((r = step(s, 'B', m->data + off, n, SMFIP_NR_BODY)) == 2) {
			r = 0;
			break;
		}
		if (r)
			goto end;
		off += n;
	}
	const char *em[] = {"i", q};
	if (macros(s, 'E', em, 2) || eom(s))
		goto out;
end:
	if (r < 0)
		s->rc = 'e';
	pkt(s->fd, 'Q', NULL, 0);
out:
	close(s->fd);
}

/* count - outcome and what the added headers show */
static void count(stats *st, char rc, const hdr *a, int n)
{
	st->done++;
	if (rc == 'a')
		st->accept++;
	else if (rc == 'r')
		st->reject++;
	else if (rc == 't')
		st->tempfail++;
	else if (rc == 'd')
		st->discard++;
	else
		st->error++;
	for (int i = 0; i < n; i++) {
		if (!strcasecmp(a[i].name, "DKIM-Signature"))
			st->dkim_sig++;
		if (!strcasecmp(a[i].name, "Authentication-Results")) {
			st->dkim_pass += strstr(a[i].value, "dkim=pass") != NULL;
			st->dmarc_pass += strstr(a[i].value, "dmarc=pass") != NULL;
			st->dmarc_fail += strstr(a[i].value, "dmarc=fail") != NULL;
		}
	}
}

static void *worker(void *arg)
{
	long id = (long)arg;
	stats st = {0};
	sess s = {0};
	for (long k = id; k < total; k += conns) {
		const msg *m = &msgs[(size_t)k % nmsgs];
		hdr added[64];
		int nadded = 0;
		char rc = 'a';
		for (int j = 0; j < nmilter && rc == 'a'; j++) {
			session(&s, &milter[j], m, k, added, nadded);
			rc = s.rc;
			for (int i = 0; i < s.nadded && nadded < 64; i++)
				added[nadded++] = s.added[i];
		}
		count(&st, rc, added, nadded);
		for (int i = 0; i < nadded; i++) {
			free(added[i].name);
			free(added[i].value);
		}
	}
	free(s.buf);
	pthread_mutex_lock(&mu);
	long *d = (long *)&all, *src = (long *)&st;
	for (size_t i = 0; i < sizeof(st) / sizeof(long); i++)
		d[i] += src[i];
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* load - the manifest and its message files */
static int load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[2048];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		msg m = {0};
		char file[1024];
		if (sscanf(line, "%1023s %63s %127s %255s %255s %63s", file, m.ip, m.helo, m.from, m.rcpt,
			   m.auth) != 6)
			continue;
		if (!strcmp(m.auth, "-"))
			m.auth[0] = '\0';
		FILE *mf = fopen(file, "rb");
		if (!mf)
			return -1;
		fseek(mf, 0, SEEK_END);
		long l = ftell(mf);
		fseek(mf, 0, SEEK_SET);
		m.data = malloc((size_t)l + 1);
		m.len = fread(m.data, 1, (size_t)l, mf);
		fclose(mf);
		m.data[m.len] = '\0';
		char *sep = strstr(m.data, "\r\n\r\n");
		m.body = sep ? (size_t)(sep - m.data) + 4 : m.len;
		if (nmsgs == cap)
			msgs = realloc(msgs, (cap = cap ? cap * 2 : 64) * sizeof(*msgs));
		msgs[nmsgs++] = m;
	}
	fclose(f);
	return nmsgs ? 0 : -1;
}

int main(int argc, char **argv)
{
	int o;
	while ((o = getopt(argc, argv, "c:n:m:")) != -1) {
		if (o == 'c') {
			conns = atoi(optarg);
		} else if (o == 'n') {
			total = atol(optarg);
		} else if (o == 'm' && nmilter < MILTERS_MAX) {
			char host[64];
			int port;
			if (sscanf(optarg, "%63[^:]:%d", host, &port) != 2)
				return 2;
			milter[nmilter].sin_family = AF_INET;
			milter[nmilter].sin_port = htons((uint16_t)port);
			inet_pton(AF_INET, host, &milter[nmilter].sin_addr);
			nmilter++;
		} else {
			return 2;
		}
	}
	if (optind >= argc || !nmilter || conns < 1 || load(argv[optind])) {
		fprintf(stderr, "usage: milter_client [-c CONNS] [-n MESSAGES] -m HOST:PORT... MANIFEST\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t *t = calloc((size_t)conns, sizeof(*t));
	for (long i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%ld messages in %.2f s: %.1f msg/s; accept %ld reject %ld tempfail %ld discard %ld "
	       "error %ld; added DKIM-Signature %ld, A-R dkim=pass %ld dmarc=pass %ld dmarc=fail %ld\n",
	       all.done, s, (double)all.done / s, all.accept, all.reject, all.tempfail, all.discard,
	       all.error, all.dkim_sig, all.dkim_pass, all.dmarc_pass, all.dmarc_fail);
	return all.error ? 1 : 0;
}
