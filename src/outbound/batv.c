/*
 * outbound/batv.c - BATV prvs tags: HMAC-SHA256, day stamps, key files.
 */
#include "outbound/batv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "bounce/prvs.h"
#include "core/str.h"

/* mw_batv_keys_parse - one key per non-blank, non-comment line */
mw_status mw_batv_keys_parse(const char *text, size_t len, mw_batv_keys *k, mw_err *err)
{
	memset(k, 0, sizeof(*k));
	size_t i = 0;
	while (i < len) {
		size_t s = i;
		while (i < len && text[i] != '\n')
			i++;
		size_t e = i++;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t'))
			e--;
		if (s == e || text[s] == '#')
			continue;
		if (k->n == MW_BATV_KEYS_MAX)
			return mw_err_set(err, MW_EPARSE, "more than %d BATV keys", MW_BATV_KEYS_MAX);
		if (e - s > MW_BATV_KEY_MAX)
			return mw_err_set(err, MW_EPARSE, "BATV key %d longer than %d bytes", k->n,
					  MW_BATV_KEY_MAX);
		memcpy(k->key[k->n], text + s, e - s);
		k->len[k->n++] = e - s;
	}
	if (k->n == 0)
		return mw_err_set(err, MW_EPARSE, "no BATV key in the key file");
	return MW_OK;
}

/* mw_batv_keys_load - read a small key file */
mw_status mw_batv_keys_load(const char *path, mw_batv_keys *k, mw_err *err)
{
	char text[MW_BATV_KEYS_MAX * (MW_BATV_KEY_MAX + 2) + 4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return mw_err_set(err, MW_ENOTFOUND, "cannot open BATV key file %s", path);
	size_t n = fread(text, 1, sizeof(text), f);
	int big = n == sizeof(text);
	fclose(f);
	if (big)
		return mw_err_set(err, MW_ETOOBIG, "BATV key file %s too large", path);
	mw_status st = mw_batv_keys_parse(text, n, k, err);
	OPENSSL_cleanse(text, sizeof(text));
	return st;
}

/* mw_batv_day - whole days since 1970-01-01 UTC */
long mw_batv_day(time_t now)
{
	return now < 0 ? 0 : (long)(now / 86400);
}

/* tag_sig - six hex digits of HMAC(key, "KDDD" || lower(orig)) */
static int tag_sig(const mw_batv_keys *k, int key, int day, const char *orig, char sig[7])
{
	char msg[5 + MW_BATV_ADDR_MAX + 1];
	size_t ol = strlen(orig);
	if (ol > MW_BATV_ADDR_MAX)
		return -1;
	snprintf(msg, sizeof(msg), "%d%03d", key, day);
	for (size_t i = 0; i < ol; i++)
		msg[4 + i] = mw_tolower(orig[i]);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!HMAC(EVP_sha256(), k->key[key], (int)k->len[key], (unsigned char *)msg, 4 + ol, md,
		  &mdlen))
		return -1;
	snprintf(sig, 7, "%02x%02x%02x", md[0], md[1], md[2]);
	return 0;
}

/* mw_batv_sign - tag addr with the newest key */
mw_status mw_batv_sign(const mw_batv_keys *k, const char *addr, time_t now, int days,
		       char *out, size_t n, mw_err *err)
{
	char orig[MW_BATV_ADDR_MAX + 1];
	mw_prvs p;
	if (k->n < 1)
		return mw_err_set(err, MW_EINVAL, "no BATV key");
	if (days < 1 || days > MW_PRVS_WINDOW)
		return mw_err_set(err, MW_EINVAL, "BATV validity %d not in 1..%d days", days,
				  MW_PRVS_WINDOW);
	if (mw_prvs_parse(addr, &p))
		snprintf(orig, sizeof(orig), "%s@%s", p.local, p.domain);
	else if (strlen(addr) <= MW_BATV_ADDR_MAX)
		snprintf(orig, sizeof(orig), "%s", addr);
	else
		return mw_err_set(err, MW_ETOOBIG, "address longer than %d bytes", MW_BATV_ADDR_MAX);
	const char *at = strrchr(orig, '@');
	if (!at || at == orig || !at[1] || (size_t)(at - orig) > MW_PRVS_LOCAL_MAX)
		return mw_err_set(err, MW_EPARSE, "not local@domain: %s", orig);
	int key = k->n - 1, day = (int)((mw_batv_day(now) + days) % 1000);
	char sig[7];
	if (tag_sig(k, key, day, orig, sig) != 0)
		return mw_err_set(err, MW_ENOMEM, "HMAC failed");
	if ((size_t)snprintf(out, n, "prvs=%d%03d%s=%s", key, day, sig, orig) >= n)
		return mw_err_set(err, MW_ETOOBIG, "output buffer too small");
	return MW_OK;
}

/* mw_batv_verify - syntax (bounce/prvs), key, day window, HMAC */
mw_batv_result mw_batv_verify(const mw_batv_keys *k, const char *addr, time_t now,
			      char *orig, size_t n)
{
	mw_prvs p;
	if (orig && n)
		orig[0] = '\0';
	if (!addr || !mw_strcaseeq_n(addr, 5, "prvs="))
		return MW_BATV_UNTAGGED;
	if (!mw_prvs_parse(addr, &p) || strlen(p.domain) > MW_BATV_ADDR_MAX - MW_PRVS_LOCAL_MAX - 1)
		return MW_BATV_MALFORMED;
	char o[MW_BATV_ADDR_MAX + 1], sig[7];
	snprintf(o, sizeof(o), "%s@%s", p.local, p.domain);
	if (orig && n)
		snprintf(orig, n, "%s", o);
	if (p.key >= k->n)
		return MW_BATV_NOKEY;
	if (!mw_prvs_day_valid(p.day, mw_batv_day(now)))
		return MW_BATV_EXPIRED;
	if (tag_sig(k, p.key, p.day, o, sig) != 0 || CRYPTO_memcmp(sig, p.sig, 6) != 0)
		return MW_BATV_BADSIG;
	return MW_BATV_VALID;
}

/* mw_batv_result_str - lower-case name */
const char *mw_batv_result_str(mw_batv_result r)
{
	static const char *const names[] = {"valid",  "untagged", "malformed",
					    "expired", "nokey",    "badsig"};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

/* mw_batv_bounce_action - valid accepts; grace flags the rest, else reject */
mw_batv_action mw_batv_bounce_action(mw_batv_result r, bool grace)
{
	if (r == MW_BATV_VALID)
		return MW_BATV_ACCEPT;
	return grace ? MW_BATV_FLAG : MW_BATV_REJECT;
}
