/*
 * api/auth.c - credentials, access rules and CSRF checks (see auth.h).
 */
#include "api/auth.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* mw_api_creds_configured - token, or user and password */
bool mw_api_creds_configured(const mw_api_creds *c)
{
	return c->token[0] || (c->user[0] && c->password[0]);
}

/* mw_api_creds_clear - wipe */
void mw_api_creds_clear(mw_api_creds *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

/* mw_api_secret_eq - SHA-256 both, compare digests in constant time */
bool mw_api_secret_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)a, alen, da);
	SHA256((const unsigned char *)b, blen, db);
	bool eq = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
	OPENSSL_cleanse(da, sizeof(da));
	OPENSSL_cleanse(db, sizeof(db));
	return eq;
}

/* mw_api_read_secret - first line of a small file */
mw_status mw_api_read_secret(const char *path, char *buf, size_t cap, mw_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return mw_err_set(err, MW_EIO, "%s: %s", path, strerror(errno));
	size_t n = fread(buf, 1, cap - 1, f);
	int more = fgetc(f);
	fclose(f);
	buf[n] = '\0';
	char *nl = memchr(buf, '\n', n);
	if (nl) {
		*nl = '\0';
		n = (size_t)(nl - buf);
	} else if (more != EOF) {
		OPENSSL_cleanse(buf, cap);
		return mw_err_set(err, MW_ETOOBIG, "%s: secret longer than %zu bytes", path, cap - 1);
	}
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (n == 0)
		return mw_err_set(err, MW_EINVAL, "%s: empty secret", path);
	return MW_OK;
}

/* scheme_is - the header starts with scheme and a blank; *rest after blanks */
static bool scheme_is(const char *h, const char *scheme, const char **rest)
{
	size_t n = strlen(scheme);
	if (!mw_strcaseeq_n(h, n, scheme) || (h[n] != ' ' && h[n] != '\t'))
		return false;
	h += n;
	while (*h == ' ' || *h == '\t')
		h++;
	*rest = h;
	return true;
}

/* check_basic - base64 "user:password" against the configured pair */
static bool check_basic(const mw_api_creds *c, const char *b64)
{
	size_t n = strlen(b64);
	while (n && (b64[n - 1] == ' ' || b64[n - 1] == '\t'))
		n--;
	if (!c->user[0] || !c->password[0] || n == 0 || n % 4 || n > MW_API_HEADER_MAX)
		return false;
	unsigned char dec[MW_API_HEADER_MAX];
	int len = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return false;
	size_t pad = 0;
	while (pad < n && b64[n - 1 - pad] == '=')
		pad++;
	if (pad > 2 || memchr(b64, '=', n - pad) || (size_t)len < pad)
		return false; /* padding only at the end, at most two */
	len -= (int)pad; /* EVP_DecodeBlock counts the padding as zero bytes */
	const unsigned char *colon = memchr(dec, ':', (size_t)len);
	bool ok = false;
	if (colon) {
		size_t ul = (size_t)(colon - dec), pl = (size_t)len - ul - 1;
		bool u = mw_api_secret_eq((const char *)dec, ul, c->user, strlen(c->user));
		bool p = mw_api_secret_eq((const char *)colon + 1, pl, c->password, strlen(c->password));
		ok = u && p;
	}
	OPENSSL_cleanse(dec, sizeof(dec));
	return ok;
}

/* mw_api_authenticate - Bearer TOKEN or Basic BASE64 */
mw_api_authn mw_api_authenticate(const mw_api_creds *c, const char *h)
{
	if (!h)
		return MW_AUTHN_NONE;
	const char *rest;
	if (strlen(h) > MW_API_HEADER_MAX)
		return MW_AUTHN_BAD;
	if (scheme_is(h, "Bearer", &rest)) {
		size_t n = strlen(rest);
		while (n && (rest[n - 1] == ' ' || rest[n - 1] == '\t'))
			n--;
		if (c->token[0] && n && mw_api_secret_eq(rest, n, c->token, strlen(c->token)))
			return MW_AUTHN_OK;
		return MW_AUTHN_BAD;
	}
	if (scheme_is(h, "Basic", &rest))
		return check_basic(c, rest) ? MW_AUTHN_OK : MW_AUTHN_BAD;
	return MW_AUTHN_BAD;
}

/* mw_api_is_static - "/", "/index.html", "/assets/..." */
bool mw_api_is_static(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 ||
	       strncmp(path, "/assets/", 8) == 0;
}

/* mw_api_state_changing - methods that change state */
bool mw_api_state_changing(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0 ||
	       strcmp(m, "PATCH") == 0;
}

/* mw_api_access - the contract's rules, in order */
int mw_api_access(const char *method, const char *path, bool loopback, bool creds_configured,
		  mw_api_authn authn, const char **why)
{
	bool is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	*why = NULL;
	if (mw_api_state_changing(method)) {
		if (!creds_configured)
			return *why = "no credentials configured", 403;
		if (authn != MW_AUTHN_OK)
			return *why = authn == MW_AUTHN_BAD ? "wrong credentials" : "credentials required",
			       401;
		return 0;
	}
	if (is_get && mw_api_is_static(path))
		return 0;
	bool need = !loopback || (creds_configured && strncmp(path, "/api/", 5) == 0);
	if (need && authn != MW_AUTHN_OK)
		return *why = authn == MW_AUTHN_BAD ? "wrong credentials" : "credentials required", 401;
	return 0;
}

/* mw_api_origin_ok - "scheme://host[:port]" must end in Host's host:port */
bool mw_api_origin_ok(const char *origin, const char *host)
{
	if (!origin)
		return true;
	if (!host || !host[0])
		return false;
	const char *p = strstr(origin, "://");
	if (!p)
		return false; /* "null" (sandboxed frames, file:) and garbage */
	p += 3;
	size_t n = strlen(p);
	if (n && p[n - 1] == '/')
		n--;
	return strlen(host) == n && mw_strcaseeq_n(p, n, host);
}

/* mw_api_json_type - "application/json" with optional "; charset=..." */
bool mw_api_json_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	return mw_strcaseeq_n(ct, n, "application/json") &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* mw_api_addr_loopback - 127.0.0.0/8 or ::1 */
bool mw_api_addr_loopback(const char *a)
{
	if (strncmp(a, "127.", 4) == 0)
		return true;
	return strncmp(a, "[::1]:", 6) == 0 || strcmp(a, "::1") == 0 ||
	       strncmp(a, "localhost:", 10) == 0;
}
