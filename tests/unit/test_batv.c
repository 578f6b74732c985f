/*
 * test_batv.c - outbound/batv: key files, prvs signing against an
 * independently computed HMAC-SHA256 (python hmac), and a verification
 * table: valid, expired, wrong key, unknown key number, malformed, untagged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "outbound/batv.h"

#define NOW 1700000000 /* day 19675; +7 = 19682, stamp 682 */
#define DAY 86400

static mw_batv_keys keys(const char *text)
{
	mw_batv_keys k;
	mw_err err;
	assert_int_equal(mw_batv_keys_parse(text, strlen(text), &k, &err), MW_OK);
	return k;
}

/* Key files: comments and blanks skipped, CRLF trimmed, limits enforced. */
static void test_keys(void **state)
{
	(void)state;
	mw_batv_keys k = keys("# rotation\nsecret0\r\n\n  secret1 \n");
	assert_int_equal(k.n, 2);
	assert_int_equal(k.len[0], 7);
	assert_memory_equal(k.key[1], "secret1", 7);
	mw_err err;
	static const char *const bad[] = {"", "# only a comment\n", "\n\n",
					  "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mw_batv_keys_parse(bad[i], strlen(bad[i]), &k, &err), MW_EPARSE);
	char big[MW_BATV_KEY_MAX + 2];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mw_batv_keys_parse(big, strlen(big), &k, &err), MW_EPARSE);
}

/* Signing uses the newest key; values computed with python's hmac module. */
static void test_sign(void **state)
{
	(void)state;
	mw_batv_keys k = keys("secret0\nsecret1\n");
	char out[400];
	mw_err err;
	assert_int_equal(mw_batv_sign(&k, "user@example.com", NOW, 7, out, sizeof(out), &err), MW_OK);
	assert_string_equal(out, "prvs=168237863b=user@example.com");
	/* upper case in the address signs the same (hash over lower case) */
	assert_int_equal(mw_batv_sign(&k, "User@Example.COM", NOW, 7, out, sizeof(out), &err), MW_OK);
	assert_string_equal(out, "prvs=168237863b=User@Example.COM");
	/* re-signing a tagged address does not nest tags */
	assert_int_equal(mw_batv_sign(&k, "prvs=0000000000=user@example.com", NOW, 7, out,
				      sizeof(out), &err), MW_OK);
	assert_string_equal(out, "prvs=168237863b=user@example.com");
	mw_batv_keys k0 = keys("secret0\n");
	assert_int_equal(mw_batv_sign(&k0, "user@example.com", NOW, 7, out, sizeof(out), &err), MW_OK);
	assert_string_equal(out, "prvs=06820f19a1=user@example.com");
	/* errors: no '@', empty local, bad validity, tiny buffer */
	assert_int_equal(mw_batv_sign(&k, "nouser", NOW, 7, out, sizeof(out), &err), MW_EPARSE);
	assert_int_equal(mw_batv_sign(&k, "@example.com", NOW, 7, out, sizeof(out), &err), MW_EPARSE);
	assert_int_equal(mw_batv_sign(&k, "a@", NOW, 7, out, sizeof(out), &err), MW_EPARSE);
	assert_int_equal(mw_batv_sign(&k, "a@b", NOW, 0, out, sizeof(out), &err), MW_EINVAL);
	assert_int_equal(mw_batv_sign(&k, "a@b", NOW, 31, out, sizeof(out), &err), MW_EINVAL);
	assert_int_equal(mw_batv_sign(&k, "a@b", NOW, 7, out, 10, &err), MW_ETOOBIG);
}

/* Verification table. */
static void test_verify(void **state)
{
	(void)state;
	mw_batv_keys k = keys("secret0\nsecret1\n");
	mw_batv_keys other = keys("other0\nother1\n");
	mw_batv_keys one = keys("secret0\n");
	static const struct {
		const char *addr;
		int keyset; /* 0 = k, 1 = other, 2 = one */
		long long now;
		mw_batv_result want;
	} cases[] = {
		{"prvs=168237863b=user@example.com", 0, NOW, MW_BATV_VALID},
		{"PRVS=168237863B=USER@example.com", 0, NOW, MW_BATV_VALID},
		{"prvs=06820f19a1=user@example.com", 0, NOW, MW_BATV_VALID},
		{"prvs=168237863b=user@example.com", 0, NOW + 7LL * DAY, MW_BATV_VALID},
		{"prvs=168237863b=user@example.com", 0, NOW + 8LL * DAY, MW_BATV_EXPIRED},
		{"prvs=168237863b=user@example.com", 0, NOW + 100LL * DAY, MW_BATV_EXPIRED},
		{"prvs=168237863b=user@example.com", 1, NOW, MW_BATV_BADSIG},
		{"prvs=168237863b=user@example.com", 2, NOW, MW_BATV_NOKEY},
		{"prvs=168237863c=user@example.com", 0, NOW, MW_BATV_BADSIG},
		{"prvs=168237863b=other@example.com", 0, NOW, MW_BATV_BADSIG},
		{"prvs=168337863b=user@example.com", 0, NOW, MW_BATV_BADSIG},
		{"user@example.com", 0, NOW, MW_BATV_UNTAGGED},
		{"", 0, NOW, MW_BATV_UNTAGGED},
		{"prvs=16823786=user@example.com", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=x68237863b=user@example.com", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=168237863g=user@example.com", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=168237863b=@example.com", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=168237863b=user@", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=168237863buser@example.com", 0, NOW, MW_BATV_MALFORMED},
		{"prvs=", 0, NOW, MW_BATV_MALFORMED},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const mw_batv_keys *ks = cases[i].keyset == 0 ? &k : cases[i].keyset == 1 ? &other : &one;
		char orig[400];
		mw_batv_result got = mw_batv_verify(ks, cases[i].addr, (time_t)cases[i].now, orig,
						    sizeof(orig));
		if (got != cases[i].want)
			fail_msg("case %zu %s: got %s want %s", i, cases[i].addr,
				 mw_batv_result_str(got), mw_batv_result_str(cases[i].want));
	}
	char orig[400];
	mw_batv_verify(&k, "prvs=168237863b=user@example.com", NOW, orig, sizeof(orig));
	assert_string_equal(orig, "user@example.com");
}

/* A sign/verify round trip over every validity; grace mode flags only. */
static void test_roundtrip_grace(void **state)
{
	(void)state;
	mw_batv_keys k = keys("s\n");
	mw_err err;
	for (int d = 1; d <= 30; d++) {
		char out[400];
		assert_int_equal(mw_batv_sign(&k, "a@b.example", NOW, d, out, sizeof(out), &err), MW_OK);
		assert_int_equal(mw_batv_verify(&k, out, NOW + (time_t)d * DAY, NULL, 0), MW_BATV_VALID);
		assert_int_equal(mw_batv_verify(&k, out, NOW + (time_t)(d + 1) * DAY, NULL, 0),
				 MW_BATV_EXPIRED);
	}
	assert_int_equal(mw_batv_bounce_action(MW_BATV_VALID, false), MW_BATV_ACCEPT);
	assert_int_equal(mw_batv_bounce_action(MW_BATV_UNTAGGED, false), MW_BATV_REJECT);
	assert_int_equal(mw_batv_bounce_action(MW_BATV_BADSIG, false), MW_BATV_REJECT);
	assert_int_equal(mw_batv_bounce_action(MW_BATV_UNTAGGED, true), MW_BATV_FLAG);
	assert_int_equal(mw_batv_bounce_action(MW_BATV_VALID, true), MW_BATV_ACCEPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_roundtrip_grace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
