/*
 * daemon/http.c - routing, access rules, bodies and TLS of the daemon's
 * HTTP server (see http.h).
 */
#include "daemon/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/str.h"
#include "daemon/webassets.h"

#define TLS_PEM_MAX (256u << 10)

/* per-request state between libmicrohttpd's calls */
typedef struct http_conn {
	mw_buf body;
	bool too_big;
} http_conn;

/* http_arg - query argument */
const char *http_arg(const http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* api_error - JSON error body */
unsigned api_error(mw_buf *out, unsigned code, const char *text)
{
	mw_buf_reset(out);
	json_t *o = json_pack("{s:s}", "error", text ? text : "error");
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	mw_buf_puts(out, s ? s : "{\"error\":\"out of memory\"}");
	free(s);
	json_decref(o);
	return code;
}

/* read_pem - a whole PEM file (malloc'd) */
static char *read_pem(const char *path, mw_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		mw_err_set(err, MW_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(TLS_PEM_MAX + 1);
	size_t n = buf ? fread(buf, 1, TLS_PEM_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n == 0 || n > TLS_PEM_MAX) {
		free(buf);
		mw_err_set(err, MW_EINVAL, "%s: empty, unreadable or over %u bytes", path, TLS_PEM_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* read_creds - token and password from the config and files */
static bool read_creds(http_ctx *x, const serve_config *cfg, mw_err *err)
{
	mw_api_creds *c = &x->creds;
	mw_strlcpy(c->token, cfg->http_token, sizeof(c->token));
	if (cfg->http_token_file[0] &&
	    mw_api_read_secret(cfg->http_token_file, c->token, sizeof(c->token), err) != MW_OK)
		return false;
	mw_strlcpy(c->user, cfg->http_user, sizeof(c->user));
	if (cfg->http_password_file[0] &&
	    mw_api_read_secret(cfg->http_password_file, c->password, sizeof(c->password), err) != MW_OK)
		return false;
	if (c->user[0] && !c->password[0])
		return mw_err_set(err, MW_EINVAL, "http_user needs http_password_file"), false;
	if (!c->user[0] && c->password[0])
		return mw_err_set(err, MW_EINVAL, "http_password_file needs http_user"), false;
	if (strchr(c->user, ':'))
		return mw_err_set(err, MW_EINVAL, "http_user must not contain ':'"), false;
	return true;
}

/* http_ctx_init - config copy, secrets, TLS files, binding rules */
bool http_ctx_init(http_ctx *x, const serve_config *cfg, serve_metrics *m, mw_err *err)
{
	memset(x, 0, sizeof(*x));
	x->metrics = m;
	mw_strlcpy(x->addr, cfg->metrics, sizeof(x->addr));
	x->loopback = mw_api_addr_loopback(x->addr);
	for (size_t i = 0; i < cfg->nlisten; i++)
		mw_strlcpy(x->listen[i], cfg->listen[i], SERVE_PATH_MAX);
	x->nlisten = cfg->nlisten;
	mw_strlcpy(x->events_db, cfg->events_db, sizeof(x->events_db));
	mw_strlcpy(x->dmarc_db, cfg->dmarc_db, sizeof(x->dmarc_db));
	mw_strlcpy(x->audit_dir, cfg->audit_dir, sizeof(x->audit_dir));
	if (!read_creds(x, cfg, err))
		return false;
	if (!x->loopback && !mw_api_creds_configured(&x->creds))
		return mw_err_set(err, MW_EINVAL, "http = %s is not a loopback address: set http_token"
				  " (or http_token_file, or http_user and http_password_file)", x->addr),
		       false;
	if (!cfg->http_tls_cert[0] != !cfg->http_tls_key[0])
		return mw_err_set(err, MW_EINVAL, "http_tls_cert and http_tls_key go together"), false;
	if (cfg->http_tls_cert[0]) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
			return mw_err_set(err, MW_EINVAL, "libmicrohttpd was built without TLS"), false;
		if (!(x->tls_cert = read_pem(cfg->http_tls_cert, err)) ||
		    !(x->tls_key = read_pem(cfg->http_tls_key, err)))
			return false;
		x->tls = true;
	}
	return true;
}

/* http_ctx_free - secrets wiped */
void http_ctx_free(http_ctx *x)
{
	mw_api_creds_clear(&x->creds);
	if (x->tls_key) {
		OPENSSL_cleanse(x->tls_key, strlen(x->tls_key));
		free(x->tls_key);
	}
	free(x->tls_cert);
	mw_eventlog_close(x->events);
	mw_ratehist_close(x->hist);
	mw_drstore_close(x->dmarc);
	x->dmarc = NULL;
	x->events = NULL;
	x->hist = NULL;
	x->tls_key = x->tls_cert = NULL;
}

/* reply - queue a response with the common headers */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
			    const void *data, size_t len, bool copy, bool bearer, bool basic)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)(data ? data : ""), copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'");
	if (code == 401 && bearer)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"mailwarden\"");
	if (code == 401 && basic)
		MHD_add_response_header(r, "WWW-Authenticate", "Basic realm=\"mailwarden\", charset=\"UTF-8\"");
	if (code == 405)
		MHD_add_response_header(r, "Allow", "GET, POST");
	enum MHD_Result ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* send_json - a JSON body */
static enum MHD_Result send_json(http_ctx *x, struct MHD_Connection *conn, unsigned code, mw_buf *b)
{
	bool bearer = x->creds.token[0] || !x->creds.user[0];
	return reply(conn, code, "application/json; charset=utf-8", b->data, b->len, true, bearer,
		    x->creds.user[0] != 0);
}

/* send_error - JSON error */
static enum MHD_Result send_error(http_ctx *x, struct MHD_Connection *conn, unsigned code,
				  const char *text)
{
	mw_buf b;
	mw_buf_init(&b, 4096);
	api_error(&b, code, text);
	enum MHD_Result r = send_json(x, conn, code, &b);
	mw_buf_free(&b);
	return r;
}

/* header - a request header or NULL */
static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* check_request - access rules and CSRF; 0 = go on, else code with *why */
static unsigned check_request(http_ctx *x, struct MHD_Connection *conn, const char *method,
			      const char *url, const char **why)
{
	mw_api_authn a = mw_api_authenticate(&x->creds, header(conn, "Authorization"));
	int code = mw_api_access(method, url, x->loopback, mw_api_creds_configured(&x->creds), a, why);
	if (code)
		return (unsigned)code;
	if (!mw_api_origin_ok(header(conn, "Origin"), header(conn, "Host")))
		return *why = "Origin does not match Host", 403;
	if (mw_api_state_changing(method) && !mw_api_json_type(header(conn, "Content-Type")))
		return *why = "Content-Type must be application/json", 415;
	return 0;
}

/* serve_get - /metrics and the dashboard files */
static enum MHD_Result serve_get(http_ctx *x, struct MHD_Connection *conn, const char *url)
{
	if (strcmp(url, "/metrics") == 0) {
		mw_buf b;
		mw_buf_init(&b, 1 << 20);
		metrics_text(x->metrics, &b);
		enum MHD_Result r = reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", b.data,
					 b.len, true, false, false);
		mw_buf_free(&b);
		return r;
	}
	const web_asset *a = web_asset_find(url);
	if (a)
		return reply(conn, 200, a->mime, a->data, a->len, false, false, false);
	return send_error(x, conn, 404, "not found");
}

/* dispatch - a complete request */
static enum MHD_Result dispatch(http_ctx *x, struct MHD_Connection *conn, const char *url,
				const char *method, http_conn *hc)
{
	if (hc->too_big)
		return send_error(x, conn, 413, "request body larger than 64 KiB");
	if (strncmp(url, "/api/", 5) != 0) {
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return send_error(x, conn, 405, "method not allowed");
		return serve_get(x, conn, url);
	}
	http_request r = {.method = method, .path = url, .conn = conn,
			  .body = hc->body.len ? mw_buf_cstr(&hc->body) : NULL, .body_len = hc->body.len};
	mw_buf b;
	mw_buf_init(&b, 64u << 20);
	unsigned code = api_handle(x, &r, &b);
	enum MHD_Result ret = send_json(x, conn, code, &b);
	mw_buf_free(&b);
	return ret;
}

/* answer - libmicrohttpd's handler: called at the headers, per body chunk,
 * and once more at the end */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	(void)version;
	http_ctx *x = cls;
	http_conn *hc = *con_cls;
	if (!hc) {
		const char *why = NULL;
		unsigned code = check_request(x, conn, method, url, &why);
		if (code)
			return send_error(x, conn, code, why);
		const char *cl = header(conn, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > MW_API_BODY_MAX)
			return send_error(x, conn, 413, "request body larger than 64 KiB");
		if (!(hc = calloc(1, sizeof(*hc))))
			return MHD_NO;
		mw_buf_init(&hc->body, MW_API_BODY_MAX + 1);
		*con_cls = hc;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!hc->too_big && mw_buf_append(&hc->body, upload, *upload_size) != MW_OK)
			hc->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(x, conn, url, method, hc);
}

/* completed - free the per-request state */
static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	http_conn *hc = *con_cls;
	if (hc) {
		mw_buf_free(&hc->body);
		free(hc);
	}
	*con_cls = NULL;
}

/* parse_addr - "IPv4:PORT" or "[IPv6]:PORT" */
static bool parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof(host))
		return false;
	const char *h = addr;
	size_t hl = (size_t)(colon - addr);
	bool v6 = h[0] == '[' && hl > 2 && h[hl - 1] == ']';
	if (v6)
		h++, hl -= 2;
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return false;
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

/* http_bind - the listening socket (before the privilege drop); -1 + err */
int http_bind(const char *addr, mw_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!parse_addr(addr, &ss, &len))
		return mw_err_set(err, MW_EINVAL, "http = %s: want IPv4ADDR:PORT or [IPv6]:PORT", addr), -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		mw_err_set(err, MW_EIO, "http: cannot listen on %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* http_start - the server thread on a bound socket */
struct MHD_Daemon *http_start_fd(http_ctx *x, int fd, mw_err *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | (x->tls ? MHD_USE_TLS : 0);
	struct MHD_Daemon *d;
	if (x->tls)
		d = MHD_start_daemon(flags, 0, NULL, NULL, answer, x, MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_HTTPS_MEM_CERT, x->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
				     x->tls_key, MHD_OPTION_NOTIFY_COMPLETED, completed, x,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, answer, x, MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_NOTIFY_COMPLETED, completed, x,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!d) {
		mw_err_set(err, MW_EIO, "http: cannot start the server on %s%s", x->addr,
			   x->tls ? " (check the TLS certificate and key)" : "");
		close(fd);
	}
	return d;
}

/* http_stop - stop the thread */
void http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}
