/*
 * bench_dmarc.c - throughput of the Authentication-Results parser and
 * writer, DMARC evaluation (warm DNS cache) and ARC validation.
 *
 * Usage: build/bench_dmarc [SECONDS_PER_CASE [parse|format|dmarc|arc]]   (default 2, all)
 * Self-contained: zone data and an RSA-2048 key are made in memory; the ARC
 * message is sealed twice in-process, then validated (every validation
 * checks 2 AMS body+header hashes and 2 AS, i.e. 4 RSA-2048 verifies).
 * Never run by ctest; numbers go to docs/PERFORMANCE.md.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/arc.h"
#include "auth/authres.h"
#include "auth/dmarc.h"
#include "dns/lookup.h"
#include "dns/zone.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char ar_text[] =
	" mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 "
	"header.b=Kx1Z/8tQ;\r\n       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass "
	"dkdomain=example.com dmarc=pass fromdomain=example.com);\r\n       spf=pass (google.com: "
	"domain of bounce@example.com designates 192.0.2.1 as permitted sender) "
	"smtp.mailfrom=bounce@example.com;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) "
	"header.from=example.com";

/* bench_parse - A-R parses per second */
static void bench_parse(double secs)
{
	unsigned long n = 0;
	double t0 = now_s(), t;
	mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
	do {
		for (int i = 0; i < 1000; i++) {
			mw_authres ar;
			if (mw_authres_parse(ar_text, sizeof(ar_text) - 1, 0, pool, &ar, NULL) != MW_OK)
				abort();
			if (mw_pool_used(pool) > MW_AR_POOL_MAX / 2) {
				mw_pool_free(pool);
				pool = mw_pool_new(MW_AR_POOL_MAX);
			}
		}
		n += 1000;
	} while ((t = now_s() - t0) < secs);
	mw_pool_free(pool);
	printf("authres parse (4 results, %zu bytes): %.0f/s\n", sizeof(ar_text) - 1, n / t);
}

/* bench_format - build and format a 4-result A-R */
static void bench_format(double secs)
{
	unsigned long n = 0;
	double t0 = now_s(), t;
	mw_buf out;
	mw_buf_init(&out, MW_AR_HEADER_MAX);
	do {
		for (int i = 0; i < 1000; i++) {
			mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
			mw_authres ar;
			mw_authres_init(&ar, pool, "mx.example.net");
			mw_authres_add_spf(&ar, pool, MW_AUTH_PASS, "bounce@example.com", NULL, NULL);
			mw_authres_add_dkim(&ar, pool, MW_AUTH_PASS, NULL, "example.com", "s1",
					    "Kx1Z/8tQabcdef", "@example.com");
			mw_authres_add_dmarc(&ar, pool, MW_AUTH_PASS, "p=reject dis=none", "example.com",
					     "reject");
			mw_authres_add_arc(&ar, pool, MW_AUTH_PASS, NULL, 1);
			mw_buf_reset(&out);
			mw_authres_format(&ar, MW_AR_FMT_FIELD_NAME, &out);
			mw_pool_free(pool);
		}
		n += 1000;
	} while ((t = now_s() - t0) < secs);
	mw_buf_free(&out);
	printf("authres build+format (4 results): %.0f/s\n", n / t);
}

typedef struct dm_ctx {
	mw_dmarc_input in;
	mw_pool *pool;
	mw_dmarc_result res;
} dm_ctx;

static mw_status dm_step(void *arg, dns_lookup *lk)
{
	dm_ctx *c = arg;
	return mw_dmarc_evaluate(&c->in, lk, c->pool, &c->res, NULL);
}

/* bench_dmarc - evaluations per second, warm cache */
static void bench_dmarc(double secs)
{
	dns_zone *z = dns_zone_new();
	const char *rec = "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com";
	dns_zone_add_txt(z, "_dmarc.example.com", rec, strlen(rec), 3600);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	const char *from[] = {"news.example.com"};
	mw_dmarc_dkim dkim[] = {{"mail.example.com", "s1", MW_AUTH_PASS}};
	mw_dmarc_spf spf = {"bounce.example.net", MW_AUTH_PASS, MW_DMARC_SPF_MAILFROM};
	dm_ctx c = {.in = {from, 1, &spf, dkim, 1, 0, 0}};
	time_t clock = time(NULL);
	unsigned long n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 1000; i++) {
			c.pool = mw_pool_new(MW_DMARC_POOL_MAX);
			dns_lookup lk;
			dns_lookup_init(&lk, cache, clock);
			if (dns_lookup_run(&lk, r, dm_step, &c, NULL) != MW_OK ||
			    c.res.result != MW_AUTH_PASS)
				abort();
			mw_pool_free(c.pool);
		}
		n += 1000;
	} while ((t = now_s() - t0) < secs);
	printf("dmarc evaluate (subdomain From, relaxed DKIM alignment: 2 tree walks, warm "
	       "cache): %.0f/s\n",
	       n / t);
	dns_cache_free(cache);
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* seal_once - add one ARC set to text (malloc'd result) */
static char *seal_once(const char *text, EVP_PKEY *key, dns_resolver *r, dns_cache *cache,
		       time_t t)
{
	mw_message m;
	if (mw_message_parse(text, strlen(text), &m, NULL) != MW_OK)
		abort();
	mw_arc_verify v;
	dns_lookup lk;
	dns_lookup_init(&lk, cache, t);
	mw_arc_verify_init(&v, &m, t);
	if (mw_arc_verify_run(&v, &lk, r, NULL) != MW_OK)
		abort();
	mw_pool *pool = mw_pool_new(1 << 22);
	mw_arc_seal_opts o = {"example.org", "k", "mx.example.org", key, NULL, NULL, t, NULL};
	mw_arc_seal_out out;
	if (mw_arc_seal(&m, &v, &o, pool, &out, NULL) != MW_OK)
		abort();
	size_t n = strlen(out.as) + strlen(out.ams) + strlen(out.aar) + m.len + 8;
	char *res = malloc(n);
	snprintf(res, n, "%s\r\n%s\r\n%s\r\n%.*s", out.as, out.ams, out.aar, (int)m.len, m.data);
	mw_pool_free(pool);
	mw_arc_verify_free(&v);
	mw_message_free(&m);
	return res;
}

/* bench_arc - validations per second of a 2-set chain */
static void bench_arc(double secs)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	unsigned char *der = NULL;
	int dlen = i2d_PUBKEY(key, &der);
	char txt[1024] = "v=DKIM1; k=rsa; p=";
	EVP_EncodeBlock((unsigned char *)txt + strlen(txt), der, dlen);
	OPENSSL_free(der);
	dns_zone *z = dns_zone_new();
	dns_zone_add_txt(z, "k._domainkey.example.org", txt, strlen(txt), 3600);
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	char body[2048];
	memset(body, 'x', sizeof(body));
	for (size_t i = 70; i < sizeof(body); i += 72)
		body[i] = '\r', body[i + 1] = '\n';
	body[sizeof(body) - 1] = '\0';
	char msg[4096];
	snprintf(msg, sizeof(msg),
		 "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@example.com\r\n"
		 "From: a@example.com\r\nTo: list@example.org\r\nSubject: bench\r\n"
		 "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <b@example.com>\r\n\r\n%s\r\n",
		 body);
	time_t t = time(NULL);
	char *m1 = seal_once(msg, key, r, cache, t);
	char *m2 = seal_once(m1, key, r, cache, t);
	mw_message m;
	mw_message_parse(m2, strlen(m2), &m, NULL);
	unsigned long n = 0;
	double t0 = now_s(), el;
	do {
		for (int i = 0; i < 100; i++) {
			mw_arc_verify v;
			dns_lookup lk;
			dns_lookup_init(&lk, cache, t);
			mw_arc_verify_init(&v, &m, t);
			if (mw_arc_verify_run(&v, &lk, r, NULL) != MW_OK || v.cv != MW_AUTH_PASS)
				abort();
			mw_arc_verify_free(&v);
		}
		n += 100;
	} while ((el = now_s() - t0) < secs);
	printf("arc verify (2 sets, RSA-2048, 2 KB body: 4 RSA verifies): %.0f/s\n", n / el);
	mw_message_free(&m);
	free(m1);
	free(m2);
	EVP_PKEY_free(key);
	dns_cache_free(cache);
	dns_resolver_free(r);
	dns_zone_free(z);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	const char *only = argc > 2 ? argv[2] : "";
	if (!*only || strcmp(only, "parse") == 0)
		bench_parse(secs);
	if (!*only || strcmp(only, "format") == 0)
		bench_format(secs);
	if (!*only || strcmp(only, "dmarc") == 0)
		bench_dmarc(secs);
	if (!*only || strcmp(only, "arc") == 0)
		bench_arc(secs);
	return 0;
}
