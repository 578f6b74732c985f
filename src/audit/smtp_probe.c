/*
 * audit/smtp_probe.c - the SMTP probe (see smtp_probe.h).
 */
#include "audit/smtp_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit/smtp_reply.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/str.h"

typedef struct conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char rbuf[MW_SMTP_REPLY_MAX];
	size_t rlen;
	long long deadline;      /* whole probe */
	int step_ms;
	smtp_probe_result *res;
} conn;

/* now_ms - monotonic clock */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* step_deadline - the earlier of step and probe deadlines */
static long long step_deadline(const conn *c)
{
	long long d = now_ms() + c->step_ms;
	return d < c->deadline ? d : c->deadline;
}

/* wait_fd - poll for events until deadline; 1 ready, 0 timeout */
static int wait_fd(int fd, short ev, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {fd, ev, 0};
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 1; /* let the read/write report the error */
	}
}

/* log_line - transcript, one line per call; control bytes shown as '?' */
static void log_line(conn *c, const char *dir, const char *s, size_t n)
{
	mw_buf *t = &c->res->transcript;
	mw_buf_puts(t, dir);
	for (size_t i = 0; i < n && i < 300; i++)
		mw_buf_putc(t, ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) ? '?' : s[i]);
	mw_buf_putc(t, '\n');
}

/* io - one read or write on the plain or TLS connection; >0 bytes, 0 closed,
 * -1 error, -2 timeout */
static ssize_t io(conn *c, bool wr, void *buf, size_t n, long long deadline)
{
	for (;;) {
		if (c->ssl) {
			int r = wr ? SSL_write(c->ssl, buf, (int)n) : SSL_read(c->ssl, buf, (int)n);
			if (r > 0)
				return r;
			int e = SSL_get_error(c->ssl, r);
			short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (!ev)
				return -1;
			if (!wait_fd(c->fd, ev, deadline))
				return -2;
			continue;
		}
		ssize_t r = wr ? send(c->fd, buf, n, MSG_NOSIGNAL) : recv(c->fd, buf, n, 0);
		if (r >= 0)
			return r;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (!wait_fd(c->fd, wr ? POLLOUT : POLLIN, deadline))
			return -2;
	}
}

/* read_reply - the next reply; false with res->stop set */
static bool read_reply(conn *c, smtp_reply *r)
{
	long long deadline = step_deadline(c);
	for (;;) {
		size_t used;
		mw_status st = smtp_reply_parse(c->rbuf, c->rlen, r, &used);
		if (st == MW_OK) {
			const char *p = c->rbuf;
			while (p < c->rbuf + used) {
				const char *nl = memchr(p, '\n', (size_t)(c->rbuf + used - p));
				size_t n = (size_t)(nl - p);
				log_line(c, "S: ", p, n && p[n - 1] == '\r' ? n - 1 : n);
				p = nl + 1;
			}
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
			return true;
		}
		if (st != MW_ENOTFOUND) {
			log_line(c, "S: ", c->rbuf, c->rlen < 200 ? c->rlen : 200);
			c->res->stop = st == MW_ETOOBIG ? "the server sent an over-long reply"
							: "the server does not speak SMTP (garbage reply)";
			return false;
		}
		if (c->rlen >= sizeof(c->rbuf)) {
			c->res->stop = "the server sent an over-long reply";
			return false;
		}
		ssize_t n = io(c, false, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, deadline);
		if (n == -2) {
			c->res->stop = "timeout waiting for the server's reply";
			return false;
		}
		if (n <= 0) {
			c->res->stop = n == 0 ? "the server closed the connection" : "read error";
			return false;
		}
		c->rlen += (size_t)n;
	}
}

/* command - send one line and read the reply; reply code or -1 */
static int command(conn *c, const char *line, smtp_reply *r)
{
	char buf[600];
	int n = snprintf(buf, sizeof(buf), "%s\r\n", line);
	log_line(c, "C: ", line, strlen(line));
	long long deadline = step_deadline(c);
	for (int off = 0; off < n;) {
		ssize_t w = io(c, true, buf + off, (size_t)(n - off), deadline);
		if (w <= 0) {
			c->res->stop = w == -2 ? "timeout sending a command" : "write error";
			return -1;
		}
		off += (int)w;
	}
	return read_reply(c, r) ? r->code : -1;
}

/* split_target - HOST[:PORT], [v6]:PORT */
static bool split_target(const char *t, char *host, size_t hn, int *port)
{
	*port = 25;
	const char *colon;
	if (t[0] == '[') {
		const char *e = strchr(t, ']');
		if (!e || (size_t)(e - t - 1) >= hn)
			return false;
		memcpy(host, t + 1, (size_t)(e - t - 1));
		host[e - t - 1] = 0;
		colon = e[1] == ':' ? e + 1 : NULL;
		if (e[1] && !colon)
			return false;
	} else {
		colon = strchr(t, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* a bare IPv6 address */
		size_t n = colon ? (size_t)(colon - t) : strlen(t);
		if (n == 0 || n >= hn)
			return false;
		memcpy(host, t, n);
		host[n] = 0;
	}
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || p < 1 || p > 65535)
			return false;
		*port = (int)p;
	}
	return true;
}

/* dial - non-blocking connect with a timeout; fd or -1 */
static int dial(conn *c, const char *host, int port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char ps[8];
	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(host, ps, &hints, &ai) != 0 || !ai) {
		c->res->stop = "cannot resolve the host name";
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		int err = errno;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (err != EINPROGRESS || !wait_fd(fd, POLLOUT, step_deadline(c)) ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			c->res->stop = err == EINPROGRESS && soerr == 0 ? "connect timeout"
									 : "connection refused or unreachable";
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}


/* tls_fail - record the OpenSSL reason */
static bool tls_fail(conn *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(c->res->tls_error, sizeof(c->res->tls_error), "%s%s%s", what, buf[0] ? ": " : "", buf);
	ERR_clear_error();
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	return false;
}

/* cert_facts - name, expiry, trust of the peer certificate */
static void cert_facts(conn *c, const char *name)
{
	smtp_probe_result *r = c->res;
	X509 *x = SSL_get1_peer_certificate(c->ssl);
	if (!x)
		return;
	r->have_cert = true;
	X509_NAME_oneline(X509_get_subject_name(x), r->cert_subject, sizeof(r->cert_subject));
	X509_NAME_oneline(X509_get_issuer_name(x), r->cert_issuer, sizeof(r->cert_issuer));
	int days = 0, secs = 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)))
		r->cert_days_left = days - (secs < 0 && days == 0);
	BIO *b = BIO_new(BIO_s_mem());
	if (b && ASN1_TIME_print(b, X509_get0_notAfter(x))) {
		int n = BIO_read(b, r->cert_not_after, sizeof(r->cert_not_after) - 1);
		r->cert_not_after[n > 0 ? n : 0] = 0;
	}
	BIO_free(b);
	r->cert_trusted = SSL_get_verify_result(c->ssl) == X509_V_OK;
	r->cert_self_signed = X509_check_issued(x, x) == X509_V_OK;
	if (name && name[0]) {
		mw_ip ip;
		r->cert_name_checked = true;
		mw_strlcpy(r->cert_name, name, sizeof(r->cert_name));
		r->cert_name_ok = mw_ip_parse(name, &ip) ? X509_check_ip_asc(x, name, 0) == 1
							 : X509_check_host(x, name, 0, 0, NULL) == 1;
	}
	X509_free(x);
}

/* start_tls - handshake over the connection (after 220 to STARTTLS) */
static bool start_tls(conn *c, const smtp_probe_opts *o, const char *name)
{
	c->rlen = 0; /* RFC 3207 §4.2: nothing before the handshake counts */
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx)
		return tls_fail(c, "SSL_CTX_new");
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_default_verify_paths(c->ctx);
	if (o->ca_file)
		SSL_CTX_load_verify_locations(c->ctx, o->ca_file, NULL);
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
		return tls_fail(c, "SSL_new");
	mw_ip ip;
	if (name && name[0] && !mw_ip_parse(name, &ip))
		SSL_set_tlsext_host_name(c->ssl, name);
	long long deadline = step_deadline(c);
	for (;;) {
		int r = SSL_connect(c->ssl);
		if (r == 1)
			break;
		int e = SSL_get_error(c->ssl, r);
		short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
		if (!ev)
			return tls_fail(c, "TLS handshake failed");
		if (!wait_fd(c->fd, ev, deadline))
			return tls_fail(c, "TLS handshake timeout");
	}
	mw_strlcpy(c->res->tls_version, SSL_get_version(c->ssl), sizeof(c->res->tls_version));
	mw_strlcpy(c->res->tls_cipher, SSL_get_cipher_name(c->ssl), sizeof(c->res->tls_cipher));
	cert_facts(c, name);
	return true;
}

/* ehlo - EHLO, HELO when refused; records AUTH; false when the probe must stop */
static bool ehlo(conn *c, const char *helo, bool tls)
{
	smtp_reply r;
	char line[300];
	snprintf(line, sizeof(line), "EHLO %s", helo);
	int code = command(c, line, &r);
	if (code < 0)
		return false;
	smtp_probe_result *res = c->res;
	if (code / 100 == 2) {
		res->ehlo_ok = true;
		if (!tls)
			res->starttls_offered = smtp_reply_ext(&r, "STARTTLS", NULL, 0);
		bool *auth = tls ? &res->auth_tls : &res->auth_plain;
		*auth = smtp_reply_ext(&r, "AUTH", tls ? res->auth_tls_mechs : res->auth_plain_mechs,
				       sizeof(res->auth_tls_mechs));
		smtp_reply_free(&r);
		return true;
	}
	smtp_reply_free(&r);
	snprintf(line, sizeof(line), "HELO %s", helo);
	code = command(c, line, &r);
	smtp_reply_free(&r);
	if (code / 100 != 2 && code >= 0)
		res->stop = "the server refuses EHLO and HELO";
	return code / 100 == 2;
}

/* simple - one command, its code (-1: the probe must stop) */
static int simple(conn *c, const char *line)
{
	smtp_reply r;
	int code = command(c, line, &r);
	smtp_reply_free(&r);
	return code;
}

/* relay_test - MAIL FROM and RCPT TO outside addresses, never DATA */
static bool relay_test(conn *c, const smtp_probe_opts *o)
{
	const char *outside = o->domain && mw_domain_is_sub(o->domain, "example.org") ? "example.net"
										      : "example.org";
	char line[300];
	snprintf(line, sizeof(line), "MAIL FROM:<mailwarden-probe@%s>", outside);
	smtp_probe_result *r = c->res;
	r->mail_code = simple(c, line);
	if (r->mail_code < 0)
		return false;
	if (r->mail_code / 100 != 2) {
		r->relay = SMTP_RELAY_INCONCLUSIVE;
		return true;
	}
	snprintf(line, sizeof(line), "RCPT TO:<mailwarden-relay-test@%s>",
		 strcmp(outside, "example.org") == 0 ? "example.net" : "example.com");
	r->rcpt_code = simple(c, line);
	if (r->rcpt_code < 0)
		return false;
	r->relay = r->rcpt_code / 100 == 2   ? SMTP_RELAY_OPEN
		   : r->rcpt_code / 100 == 5 ? SMTP_RELAY_CLOSED
					     : SMTP_RELAY_INCONCLUSIVE;
	return simple(c, "RSET") >= 0;
}

/* conversation - every step after connecting; returns at the first stop */
static void conversation(conn *c, const smtp_probe_opts *o, const char *tls_name)
{
	smtp_probe_result *r = c->res;
	const char *helo = o->helo ? o->helo : "mailwarden-probe.invalid";
	smtp_reply b;
	if (!read_reply(c, &b))
		return;
	r->banner_code = b.code;
	snprintf(r->banner, sizeof(r->banner), "%d %s", b.code, b.text);
	smtp_reply_free(&b);
	if (r->banner_code != 220) {
		r->stop = "the server did not greet with 220";
		return;
	}
	if (!ehlo(c, helo, false))
		return;
	if ((r->vrfy_code = simple(c, "VRFY postmaster")) < 0 ||
	    (r->expn_code = simple(c, "EXPN postmaster")) < 0)
		return;
	if (!relay_test(c, o))
		return;
	if (r->starttls_offered) {
		smtp_reply t;
		int code = command(c, "STARTTLS", &t);
		smtp_reply_free(&t);
		if (code < 0)
			return;
		if (code != 220) {
			snprintf(r->tls_error, sizeof(r->tls_error), "STARTTLS answered %d", code);
		} else if (!start_tls(c, o, tls_name)) {
			r->stop = "TLS handshake failed";
			return;
		} else {
			r->tls_ok = true;
			if (!ehlo(c, helo, true))
				return;
		}
	}
	(void)simple(c, "QUIT");
}

/* smtp_probe_run - connect and converse */
void smtp_probe_run(const smtp_probe_opts *o, smtp_probe_result *res)
{
	memset(res, 0, sizeof(*res));
	mw_buf_init(&res->transcript, 64u << 10);
	long long start = now_ms();
	conn *c = calloc(1, sizeof(*c));
	if (!c) {
		res->stop = "out of memory";
		return;
	}
	c->fd = -1;
	c->res = res;
	c->step_ms = o->step_ms > 0 ? o->step_ms : MW_SMTP_STEP_MS;
	c->deadline = start + (o->total_ms > 0 ? o->total_ms : MW_SMTP_TOTAL_MS);
	if (!split_target(o->target, res->host, sizeof(res->host), &res->port)) {
		res->stop = "bad target (HOST[:PORT] or [IPv6]:PORT)";
	} else if ((c->fd = dial(c, res->host, res->port)) >= 0) {
		res->connected = true;
		mw_ip ip;
		const char *name = o->tls_name ? o->tls_name : mw_ip_parse(res->host, &ip) ? NULL : res->host;
		conversation(c, o, name);
	}
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	res->elapsed_ms = (unsigned)(now_ms() - start);
}

/* smtp_probe_result_free - release */
void smtp_probe_result_free(smtp_probe_result *res)
{
	mw_buf_free(&res->transcript);
}

/* smtp_relay_name - word */
const char *smtp_relay_name(smtp_relay r)
{
	static const char *const n[] = {"untested", "closed", "open", "inconclusive"};
	return (unsigned)r < 4 ? n[r] : "?";
}

