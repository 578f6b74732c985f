/*
 * test_dns_zone.c - the in-memory zone, the cache and the replay driver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "dns/lookup.h"
#include "dns/zone.h"

static dns_zone *sample_zone(void)
{
	dns_zone *z = dns_zone_new();
	assert_int_equal(dns_zone_add_ip(z, "mail.Example.com", "192.0.2.10", 300), MW_OK);
	assert_int_equal(dns_zone_add_ip(z, "mail.example.com.", "2001:db8::10", 300), MW_OK);
	assert_int_equal(dns_zone_add_name(z, "example.com", DNS_T_MX, 10, "mail.example.com.", 300),
			 MW_OK);
	assert_int_equal(dns_zone_add_txt(z, "example.com", "v=spf1 mx -all", 14, 60), MW_OK);
	assert_int_equal(dns_zone_add_name(z, "www.example.com", DNS_T_CNAME, 0, "mail.example.com", 300),
			 MW_OK);
	assert_int_equal(dns_zone_add_name(z, "loop1.example.com", DNS_T_CNAME, 0, "loop2.example.com", 300),
			 MW_OK);
	assert_int_equal(dns_zone_add_name(z, "loop2.example.com", DNS_T_CNAME, 0, "loop1.example.com", 300),
			 MW_OK);
	assert_int_equal(dns_zone_add_txt(z, "*.wild.example.com", "wild", 4, 60), MW_OK);
	assert_int_equal(dns_zone_add_txt(z, "slow.example.com", "v=spf1 -all", 11, 60), MW_OK);
	assert_int_equal(dns_zone_set_nodata(z, "slow.example.com", DNS_T_MX), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "slow.example.com", DNS_FAULT_TIMEOUT), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "broken.example.com", DNS_FAULT_SERVFAIL), MW_OK);
	return z;
}

/* Each query gets the status and records an authoritative server would give. */
static void test_zone_answers(void **state)
{
	(void)state;
	dns_zone *z = sample_zone();
	static const struct {
		const char *name;
		dns_type type;
		dns_status want;
		size_t nrr;
	} cases[] = {
		{"mail.example.com", DNS_T_A, DNS_OK, 1},
		{"MAIL.EXAMPLE.COM.", DNS_T_AAAA, DNS_OK, 1},
		{"mail.example.com", DNS_T_TXT, DNS_NODATA, 0},
		{"example.com", DNS_T_MX, DNS_OK, 1},
		{"com", DNS_T_A, DNS_NODATA, 0},              /* empty non-terminal */
		{"nowhere.example.com", DNS_T_A, DNS_NXDOMAIN, 0},
		{"www.example.com", DNS_T_A, DNS_OK, 1},      /* via CNAME */
		{"www.example.com", DNS_T_CNAME, DNS_OK, 1},
		{"loop1.example.com", DNS_T_A, DNS_TEMPFAIL, 0},
		{"x.wild.example.com", DNS_T_TXT, DNS_OK, 1},
		{"slow.example.com", DNS_T_TXT, DNS_OK, 1},   /* listed type answers */
		{"slow.example.com", DNS_T_MX, DNS_NODATA, 0},/* explicit no-data */
		{"slow.example.com", DNS_T_A, DNS_TEMPFAIL, 0},
		{"broken.example.com", DNS_T_TXT, DNS_TEMPFAIL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dns_answer *a = dns_zone_query(z, cases[i].name, cases[i].type);
		assert_non_null(a);
		if (a->status != cases[i].want)
			fail_msg("%s/%s: got %s want %s", cases[i].name, dns_type_name(cases[i].type),
				 dns_status_name(a->status), dns_status_name(cases[i].want));
		assert_int_equal(a->n, cases[i].nrr);
		dns_answer_free(a);
	}
	dns_answer *a = dns_zone_query(z, "example.com", DNS_T_MX);
	assert_string_equal(a->rr[0].name, "mail.example.com");
	assert_int_equal(a->rr[0].pref, 10);
	dns_answer_free(a);
	dns_zone_free(z);
}

typedef struct eval_ctx {
	int steps;
	dns_status got_a, got_txt;
} eval_ctx;

/* A toy engine: needs an A and a TXT answer, asks for both in one round. */
static mw_status toy_eval(void *arg, dns_lookup *lk)
{
	eval_ctx *c = arg;
	c->steps++;
	bool have_a = dns_lookup_want(lk, "mail.example.com", DNS_T_A);
	bool have_txt = dns_lookup_want(lk, "slow.example.com", DNS_T_A);
	if (!have_a || !have_txt)
		return MW_NEED_DNS;
	c->got_a = dns_lookup_get(lk, "mail.example.com", DNS_T_A)->status;
	c->got_txt = dns_lookup_get(lk, "slow.example.com", DNS_T_A)->status;
	return MW_OK;
}

/* The driver fetches both needs in one round and replays once. */
static void test_replay_driver(void **state)
{
	(void)state;
	dns_zone *z = sample_zone();
	dns_resolver *r = dns_resolver_zone_new(z);
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	eval_ctx c = {0};
	mw_err err;
	assert_int_equal(dns_lookup_run(&lk, r, toy_eval, &c, &err), MW_OK);
	assert_int_equal(c.steps, 2);
	assert_int_equal(lk.rounds, 1);
	assert_int_equal(r->queries, 2);
	assert_int_equal(c.got_a, DNS_OK);
	assert_int_equal(c.got_txt, DNS_TEMPFAIL);
	/* A second evaluation at the same instant is served from the cache... */
	eval_ctx c2 = {0};
	dns_lookup_init(&lk, cache, lk.now);
	assert_int_equal(dns_lookup_run(&lk, r, toy_eval, &c2, &err), MW_OK);
	assert_int_equal(c2.steps, 1);
	/* ...but a later one asks again for the temporary failure only. */
	eval_ctx c3 = {0};
	dns_lookup_init(&lk, cache, lk.now + 1);
	assert_int_equal(dns_lookup_run(&lk, r, toy_eval, &c3, &err), MW_OK);
	assert_int_equal(r->queries, 3);
	dns_cache_free(cache);
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* Answers expire with their TTL. */
static void test_cache_ttl(void **state)
{
	(void)state;
	dns_cache *c = dns_cache_new();
	dns_answer *a = dns_answer_new(DNS_NXDOMAIN, 60);
	assert_int_equal(dns_cache_put(c, "X.example", DNS_T_TXT, a, 1000), MW_OK);
	assert_non_null(dns_cache_get(c, "x.example.", DNS_T_TXT, 1059));
	assert_null(dns_cache_get(c, "x.example", DNS_T_A, 1000));
	assert_null(dns_cache_get(c, "x.example", DNS_T_TXT, 1061));
	dns_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_answers),
		cmocka_unit_test(test_replay_driver),
		cmocka_unit_test(test_cache_ttl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
