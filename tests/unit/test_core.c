/*
 * test_core.c - core/: buffer limits, pool budget, hash table, IP helpers,
 * domain-name normalisation.  Table-driven where there are cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/htab.h"
#include "core/ip.h"
#include "core/pool.h"
#include "core/str.h"

/* A buffer refuses to grow past its maximum and is unchanged after refusing. */
static void test_buf_limit(void **state)
{
	(void)state;
	mw_buf b;
	mw_buf_init(&b, 8);
	assert_int_equal(mw_buf_puts(&b, "12345"), MW_OK);
	assert_int_equal(mw_buf_puts(&b, "6789"), MW_ETOOBIG);
	assert_string_equal(mw_buf_cstr(&b), "12345");
	assert_int_equal(mw_buf_printf(&b, "%d", 678), MW_OK);
	assert_int_equal(b.len, 8);
	assert_int_equal(mw_buf_putc(&b, 'x'), MW_ETOOBIG);
	mw_buf_free(&b);
	assert_string_equal(mw_buf_cstr(&b), "");
}

/* A pool hands out zeroed memory until its budget, then NULL. */
static void test_pool_budget(void **state)
{
	(void)state;
	mw_pool *p = mw_pool_new(100000);
	char *s = mw_pool_printf(p, "%s-%d", "a", 7);
	assert_string_equal(s, "a-7");
	assert_non_null(mw_pool_alloc(p, 50000));
	assert_null(mw_pool_alloc(p, 60000));
	unsigned char *z = mw_pool_alloc(p, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(z[i], 0);
	mw_pool_free(p);
}

/* The table keeps 10,000 keys, finds each, replaces and deletes. */
static void test_htab(void **state)
{
	(void)state;
	mw_htab *t = mw_htab_new(NULL);
	char key[32];
	for (intptr_t i = 0; i < 10000; i++) {
		int n = snprintf(key, sizeof(key), "k%ld", (long)i);
		assert_int_equal(mw_htab_put(t, key, (size_t)n, (void *)(i + 1)), MW_OK);
	}
	assert_int_equal(mw_htab_count(t), 10000);
	assert_ptr_equal(mw_htab_get(t, "k4242", 5), (void *)4243);
	assert_null(mw_htab_get(t, "k10000", 6));
	assert_true(mw_htab_del(t, "k0", 2));
	assert_false(mw_htab_del(t, "k0", 2));
	size_t seen = 0;
	mw_htab_iter it = {0};
	while (mw_htab_next(t, &it, NULL, NULL, NULL))
		seen++;
	assert_int_equal(seen, 9999);
	mw_htab_free(t);
}

/* IP parsing, CIDR matching and reverse names, good and bad. */
static void test_ip(void **state)
{
	(void)state;
	static const struct {
		const char *net;
		unsigned prefix;
		const char *ip;
		int want;
	} cases[] = {
		{"192.0.2.0", 24, "192.0.2.77", 1},   {"192.0.2.0", 24, "192.0.3.1", 0},
		{"10.0.0.0", 0, "203.0.113.9", 1},    {"2001:db8::", 32, "2001:db8:ff::1", 1},
		{"2001:db8::", 33, "2001:db8:8000::1", 0}, {"192.0.2.1", 32, "192.0.2.1", 1},
		{"192.0.2.0", 24, "2001:db8::1", 0},  {"192.0.2.0", 33, "192.0.2.1", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_ip net, ip;
		assert_true(mw_ip_parse(cases[i].net, &net));
		assert_true(mw_ip_parse(cases[i].ip, &ip));
		assert_int_equal(mw_ip_in_cidr(&ip, &net, cases[i].prefix), cases[i].want);
	}
	static const char *bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::g", "1.2.3.4 ",
				    "01234567890123456789012345678901234567890123456789"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_ip ip;
		assert_false(mw_ip_parse(bad[i], &ip));
	}
	mw_ip ip;
	char buf[MW_IP_REVNAME_MAX];
	assert_true(mw_ip_parse("192.0.2.3", &ip));
	assert_string_equal(mw_ip_revname(&ip, buf, sizeof(buf)), "3.2.0.192.in-addr.arpa");
	assert_true(mw_ip_parse("2001:db8::cb01", &ip));
	assert_string_equal(mw_ip_revname(&ip, buf, sizeof(buf)),
			    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_true(mw_ip_parse("::ffff:192.0.2.5", &ip));
	mw_ip_unmap(&ip);
	assert_int_equal(ip.family, 4);
	assert_string_equal(mw_ip_format(&ip, buf, sizeof(buf)), "192.0.2.5");
}

/* Domain normalisation and subdomain tests. */
static void test_domain(void **state)
{
	(void)state;
	char out[300];
	assert_true(mw_domain_normalize("Mail.Example.COM.", out, sizeof(out)));
	assert_string_equal(out, "mail.example.com");
	assert_false(mw_domain_normalize("a..b", out, sizeof(out)));
	assert_false(mw_domain_normalize("", out, sizeof(out)));
	assert_false(mw_domain_normalize(".", out, sizeof(out)));
	char big[100];
	memset(big, 'a', 64);
	strcpy(big + 64, ".com");
	assert_false(mw_domain_normalize(big, out, sizeof(out)));
	assert_true(mw_domain_is_sub("a.b.example.com", "example.com"));
	assert_true(mw_domain_is_sub("EXAMPLE.com", "example.COM"));
	assert_false(mw_domain_is_sub("badexample.com", "example.com"));
	assert_false(mw_domain_is_sub("com", "example.com"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_limit), cmocka_unit_test(test_pool_budget),
		cmocka_unit_test(test_htab),      cmocka_unit_test(test_ip),
		cmocka_unit_test(test_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
