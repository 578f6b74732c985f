/*
 * api/auth.h - who may use the daemon's HTTP API: credentials, the access
 * rules of the dashboard/API contract, and the CSRF checks.
 *
 * DESCRIPTION
 *   Credentials are a bearer token (RFC 6750 section 2.1: "Authorization:
 *   Bearer TOKEN") and/or an HTTP basic user and password (RFC 7617).
 *   Secrets are compared in constant time: both sides are hashed with
 *   SHA-256 and the digests compared with CRYPTO_memcmp, so neither the
 *   content nor the length of the secret leaks through timing.
 *   Access rules (mw_api_access):
 *     - POST/PUT/DELETE need valid credentials; with none configured they
 *       are refused with 403 "no credentials configured";
 *     - bound to a non-loopback address, everything except GET of the
 *       dashboard's static files needs valid credentials;
 *     - when credentials are configured, GET /api/... needs them too;
 *     - otherwise (loopback, no credentials configured) GETs are open.
 *   CSRF: credentials only ever come from the Authorization header (never
 *   cookies); a state-changing request must say Content-Type:
 *   application/json (a plain HTML form cannot), and an Origin header, when
 *   present, must name the same host:port as the Host header.
 *
 * LIMITS
 *   Secrets up to MW_API_SECRET_MAX bytes; header values up to
 *   MW_API_HEADER_MAX bytes.
 *
 * OWNERSHIP
 *   mw_api_creds is a plain value; mw_api_creds_clear wipes it.
 */
#ifndef MW_API_AUTH_H
#define MW_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"

typedef struct mw_api_creds {
	char token[MW_API_SECRET_MAX + 1];    /* "" = no token */
	char user[128];                       /* "" = no basic credentials */
	char password[MW_API_SECRET_MAX + 1];
} mw_api_creds;

typedef enum mw_api_authn {
	MW_AUTHN_NONE = 0, /* no Authorization header */
	MW_AUTHN_OK,       /* valid token or user/password */
	MW_AUTHN_BAD,      /* present but wrong, malformed or of an unknown scheme */
} mw_api_authn;

/* mw_api_creds_configured - a token or a complete user/password is set */
bool mw_api_creds_configured(const mw_api_creds *c);
/* mw_api_creds_clear - wipe the secrets (OPENSSL_cleanse) */
void mw_api_creds_clear(mw_api_creds *c);
/* mw_api_secret_eq - constant-time equality of two byte strings */
bool mw_api_secret_eq(const char *a, size_t alen, const char *b, size_t blen);
/* mw_api_read_secret - the first line of a file (trailing CR/LF/blanks cut)
 * into buf; MW_ETOOBIG over cap-1 bytes, MW_EINVAL when empty */
mw_status mw_api_read_secret(const char *path, char *buf, size_t cap, mw_err *err);
/* mw_api_authenticate - judge an Authorization header value (NULL = absent) */
mw_api_authn mw_api_authenticate(const mw_api_creds *c, const char *authorization);

/* mw_api_access - HTTP status deciding the request: 0 = go on, 401 = ask
 * for credentials, 403 = refused (*why says why, static text) */
int mw_api_access(const char *method, const char *path, bool loopback, bool creds_configured,
		  mw_api_authn authn, const char **why);
/* mw_api_is_static - a path served from the embedded dashboard files */
bool mw_api_is_static(const char *path);
/* mw_api_state_changing - POST, PUT, DELETE, PATCH */
bool mw_api_state_changing(const char *method);
/* mw_api_origin_ok - Origin (NULL = absent: fine) names the Host header's host:port */
bool mw_api_origin_ok(const char *origin, const char *host);
/* mw_api_json_type - Content-Type is application/json (parameters allowed) */
bool mw_api_json_type(const char *content_type);
/* mw_api_addr_loopback - "127.x.y.z:PORT" or "[::1]:PORT" */
bool mw_api_addr_loopback(const char *hostport);

#endif
