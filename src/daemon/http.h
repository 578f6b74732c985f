/*
 * daemon/http.h - the daemon's HTTP server (libmicrohttpd): /metrics, the
 * JSON API (daemon/api.c) and the embedded dashboard (daemon/webassets.h).
 *
 * DESCRIPTION
 *   One libmicrohttpd thread (internal polling) serves every connection;
 *   handlers read atomics (serve_metrics), the shared dashboard state
 *   under its mutex (daemon/dash.h), and the SQLite files through their
 *   own read-only handles, opened lazily by this thread.  Routing, access
 *   rules and CSRF checks (api/auth.h), request bodies (at most
 *   MW_API_BODY_MAX: 413 above; JSON only), error bodies {"error": "..."}.
 *   TLS: http_tls_cert/http_tls_key (PEM files read at start, before the
 *   privilege drop) switch the server to HTTPS (MHD_USE_TLS, GnuTLS).
 *   A non-loopback address without credentials is refused at start.
 *   The token and password never appear in logs or error texts.
 *   See docs/API.md.
 *
 * OWNERSHIP
 *   http_start returns a server for http_stop; the context must outlive it.
 */
#ifndef MW_DAEMON_HTTP_H
#define MW_DAEMON_HTTP_H

#include <stdbool.h>

#include "api/auth.h"
#include "core/buf.h"
#include "daemon/config.h"
#include "daemon/dash.h"
#include "daemon/metrics.h"
#include "report/drstore.h"
#include "store/eventlog.h"
#include "store/ratehist.h"

typedef struct http_ctx {
	serve_metrics *metrics;
	dash *dash;
	mw_api_creds creds;
	bool loopback, tls;
	char addr[128];
	char listen[SERVE_LISTEN_MAX][SERVE_PATH_MAX];
	size_t nlisten;
	char events_db[SERVE_PATH_MAX], dmarc_db[SERVE_PATH_MAX], audit_dir[SERVE_PATH_MAX];
	/* owned by the HTTP thread, opened on first use */
	mw_eventlog *events;
	mw_ratehist *hist;
	mw_drstore *dmarc;
	char *tls_cert, *tls_key; /* PEM text */
} http_ctx;

/* http_request - what a handler sees */
typedef struct http_request {
	const char *method, *path;
	const char *body; /* NUL-terminated, NULL when none */
	size_t body_len;
	void *conn;       /* for http_arg */
} http_request;

/* http_arg - a query-string argument or NULL */
const char *http_arg(const http_request *r, const char *name);

/* http_ctx_init - copy the config into ctx, read the secrets and TLS files,
 * check the rules for a non-loopback address */
bool http_ctx_init(http_ctx *ctx, const serve_config *cfg, serve_metrics *m, mw_err *err);
/* http_ctx_free - wipe secrets, close the read handles */
void http_ctx_free(http_ctx *ctx);
/* http_bind - bind and listen on addr ("IPv4:PORT", "[IPv6]:PORT") before
 * the privilege drop; the fd, or -1 with err set */
int http_bind(const char *addr, mw_err *err);
/* http_start_fd - the server thread on the bound fd (closed on failure);
 * NULL with err set */
struct MHD_Daemon *http_start_fd(http_ctx *ctx, int fd, mw_err *err);
/* http_stop - stop the thread (NULL is fine) */
void http_stop(struct MHD_Daemon *d);

/* api_handle - an /api/... request (daemon/api.c): status code, JSON into out */
unsigned api_handle(http_ctx *ctx, const http_request *r, mw_buf *out);
/* api_error - {"error": text} into out; returns code */
unsigned api_error(mw_buf *out, unsigned code, const char *text);

#endif
