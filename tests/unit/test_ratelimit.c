/*
 * test_ratelimit.c - outbound/ratelimit: the default rules (alert above 100
 * messages / 5 min, hold above 300, recipient cap), crossings, overrides,
 * key composition, and configuration errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "outbound/ratelimit.h"

/* req - a parsed request from attribute lines */
static void req(mw_policy_req *r, char *buf, size_t cap, const char *state, const char *sasl,
		const char *client, const char *sender, const char *rcpt, unsigned rcount)
{
	int n = snprintf(buf, cap,
			 "request=smtpd_access_policy\nprotocol_state=%s\nsasl_username=%s\n"
			 "client_address=%s\nsender=%s\nrecipient=%s\nrecipient_count=%u\n\n",
			 state, sasl, client, sender, rcpt, rcount);
	size_t used;
	assert_int_equal(mw_policy_parse(buf, (size_t)n, r, &used, NULL), MW_OK);
	assert_int_equal(used, (size_t)n);
}

/* Defaults: messages 1..100 pass silently, 101 crosses alert (DUNNO),
 * 102..300 alert without crossing, 301 crosses hold and answers HOLD. */
static void test_defaults(void **state)
{
	(void)state;
	mw_rl_config *c = mw_rl_config_new();
	mw_err err;
	assert_int_equal(mw_rl_config_defaults(c, &err), MW_OK);
	mw_store *s = mw_store_open_memory(0);
	static mw_rl_verdict v;
	char buf[1024];
	mw_policy_req r;
	int64_t t = 1700000000000LL;
	for (int i = 1; i <= 320; i++) {
		req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "Alice", "192.0.2.1", "a@example.org", "",
		    1);
		mw_rl_check(c, s, &r, t + i * 100, &v);
		assert_int_equal(v.store_errors, 0);
		if (i <= 100) {
			assert_int_equal(v.nhits, 0);
			assert_int_equal(v.answer, MW_PA_DUNNO);
			continue;
		}
		assert_int_equal(v.nhits, 1);
		assert_string_equal(v.hits[0].key, "alice");
		assert_string_equal(v.hits[0].rule->name, "sasl_messages");
		assert_int_equal(v.hits[0].count, (uint64_t)i);
		unsigned want_crossed = i == 101 ? 1u << MW_RL_ALERT : i == 301 ? 1u << MW_RL_HOLD : 0;
		assert_int_equal(v.hits[0].crossed, want_crossed);
		assert_int_equal(v.answer, i <= 300 ? MW_PA_DUNNO : MW_PA_HOLD);
		assert_int_equal(v.hits[0].action, i <= 300 ? MW_RL_ALERT : MW_RL_HOLD);
	}
	assert_string_equal(v.text, "outbound rate limit: held for review");
	/* other states and unauthenticated mail are not counted */
	req(&r, buf, sizeof(buf), "RCPT", "alice", "192.0.2.1", "a@example.org", "b@x.org", 0);
	mw_rl_check(c, s, &r, t + 40000, &v);
	assert_int_equal(v.nhits, 0);
	req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "", "192.0.2.1", "a@example.org", "", 500);
	mw_rl_check(c, s, &r, t + 40000, &v);
	assert_int_equal(v.nhits, 0);
	/* release clears the user's counters: the next message passes */
	assert_int_equal(mw_rl_release(c, s, "ALICE"), 1);
	req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "alice", "192.0.2.1", "a@example.org", "", 1);
	mw_rl_check(c, s, &r, t + 40000, &v);
	assert_int_equal(v.answer, MW_PA_DUNNO);
	assert_int_equal(v.nhits, 0);
	/* the recipient cap: 100 recipients pass, 101 are held */
	req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "bob", "192.0.2.1", "b@example.org", "", 100);
	mw_rl_check(c, s, &r, t + 40000, &v);
	assert_int_equal(v.answer, MW_PA_DUNNO);
	req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "bob", "192.0.2.1", "b@example.org", "", 101);
	mw_rl_check(c, s, &r, t + 40000, &v);
	assert_int_equal(v.answer, MW_PA_HOLD);
	assert_string_equal(v.hits[0].rule->name, "recipients_per_message");
	/* the window slides: five minutes (plus a sub-bucket) later alice is fresh */
	assert_int_equal(mw_rl_release(c, s, "nobody"), 0);
	mw_store_free(s);
	mw_rl_config_free(c);
}

/* Rules by client address and recipient domain, an override, and the
 * strongest action winning when two rules fire. */
static void test_rules_and_overrides(void **state)
{
	(void)state;
	mw_rl_config *c = mw_rl_config_new();
	mw_err err;
	mw_rl_rule *a = mw_rl_rule_add(c, "by_ip", &err);
	assert_int_equal(mw_rl_rule_set(a, "key", "client_address", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(a, "window", "1h", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(a, "defer", "3", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(a, "override", "192.0.2.99 defer=10", &err), MW_OK);
	mw_rl_rule *b = mw_rl_rule_add(c, "by_rcpt_domain", &err);
	assert_int_equal(mw_rl_rule_set(b, "key", "sender_domain+recipient_domain", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(b, "count", "recipients", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(b, "reject", "2", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(b, "text", "too many to that domain", &err), MW_OK);
	assert_int_equal(mw_rl_config_check(c, &err), MW_OK);
	mw_store *s = mw_store_open_memory(0);
	static mw_rl_verdict v;
	char buf[1024];
	mw_policy_req r;
	int64_t t = 1700000000000LL;
	/* recipients: 2 ok, the third rejected; the by_ip rule counts messages at EOM only */
	for (int i = 1; i <= 3; i++) {
		req(&r, buf, sizeof(buf), "RCPT", "", "192.0.2.5", "x@Shop.example", "u@Big.example", 0);
		mw_rl_check(c, s, &r, t, &v);
		assert_int_equal(v.answer, i <= 2 ? MW_PA_DUNNO : MW_PA_REJECT);
	}
	assert_string_equal(v.hits[0].key, "shop.example|big.example");
	assert_string_equal(v.text, "too many to that domain");
	/* by_ip: defer above 3 messages; the overridden address above 10 */
	for (int i = 1; i <= 11; i++) {
		req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "", "192.0.2.5", "x@s", "", 1);
		mw_rl_check(c, s, &r, t, &v);
		assert_int_equal(v.answer, i <= 3 ? MW_PA_DUNNO : MW_PA_DEFER_IF_PERMIT);
		req(&r, buf, sizeof(buf), "END-OF-MESSAGE", "", "192.0.2.99", "x@s", "", 1);
		mw_rl_check(c, s, &r, t, &v);
		assert_int_equal(v.answer, i <= 10 ? MW_PA_DUNNO : MW_PA_DEFER_IF_PERMIT);
	}
	mw_store_free(s);
	mw_rl_config_free(c);
}

/* count = scan_holds: only mw_rl_scan_hold counts; holds 1..3 stay quiet,
 * the 4th crosses hold = 3; policy requests read the count without adding,
 * so alice is then answered HOLD and bob (no holds) DUNNO. */
static void test_scan_holds(void **state)
{
	(void)state;
	mw_rl_config *c = mw_rl_config_new();
	mw_err err;
	mw_rl_rule *r = mw_rl_rule_add(c, "scan_user", &err);
	assert_non_null(r);
	assert_int_equal(mw_rl_rule_set(r, "key", "sasl_username", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(r, "count", "scan_holds", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(r, "window", "1h", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(r, "alert", "1", &err), MW_OK);
	assert_int_equal(mw_rl_rule_set(r, "hold", "3", &err), MW_OK);
	assert_int_equal(mw_rl_config_check(c, &err), MW_OK);
	mw_store *s = mw_store_open_memory(0);
	static mw_rl_verdict v;
	char buf[1024];
	mw_policy_req q;
	int64_t t = 1700000000000LL;
	static const struct {
		size_t nhits;
		unsigned crossed;
		mw_policy_action answer;
	} want[] = {
		{0, 0, MW_PA_DUNNO},
		{1, 1u << MW_RL_ALERT, MW_PA_DUNNO},
		{1, 0, MW_PA_DUNNO},
		{1, 1u << MW_RL_HOLD, MW_PA_HOLD},
		{1, 0, MW_PA_HOLD},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* a policy request before each hold: read only, never counted */
		req(&q, buf, sizeof(buf), "END-OF-MESSAGE", "Alice", "192.0.2.1", "a@example.org", "", 1);
		mw_rl_check(c, s, &q, t, &v);
		assert_int_equal(v.answer, i >= 4 ? MW_PA_HOLD : MW_PA_DUNNO);
		assert_int_equal(v.nhits, i >= 2 ? 1 : 0);
		if (v.nhits)
			assert_int_equal(v.hits[0].crossed, 0);
		mw_rl_scan_hold(c, s, "Alice", "192.0.2.1", "a@example.org", t + 1, &v);
		assert_int_equal(v.store_errors, 0);
		assert_int_equal(v.nhits, want[i].nhits);
		assert_int_equal(v.answer, want[i].answer);
		if (v.nhits) {
			assert_string_equal(v.hits[0].key, "alice");
			assert_int_equal(v.hits[0].count, i + 1);
			assert_int_equal(v.hits[0].crossed, want[i].crossed);
		}
	}
	req(&q, buf, sizeof(buf), "END-OF-MESSAGE", "alice", "192.0.2.1", "a@example.org", "", 1);
	mw_rl_check(c, s, &q, t + 2, &v);
	assert_int_equal(v.answer, MW_PA_HOLD);
	assert_int_equal(v.hits[0].count, 5);
	req(&q, buf, sizeof(buf), "END-OF-MESSAGE", "bob", "192.0.2.1", "b@example.org", "", 1);
	mw_rl_check(c, s, &q, t + 2, &v);
	assert_int_equal(v.answer, MW_PA_DUNNO);
	assert_int_equal(v.nhits, 0);
	/* no sasl_username: not counted by a sasl_username rule */
	mw_rl_scan_hold(c, s, "", "192.0.2.1", "x@example.org", t + 3, &v);
	assert_int_equal(v.nhits, 0);
	/* the window forgets: an hour and a bit later alice passes again */
	req(&q, buf, sizeof(buf), "END-OF-MESSAGE", "alice", "192.0.2.1", "a@example.org", "", 1);
	mw_rl_check(c, s, &q, t + 3600000LL + 600000LL, &v);
	assert_int_equal(v.answer, MW_PA_DUNNO);
	assert_int_equal(mw_rl_release(c, s, "alice"), 1);
	mw_store_free(s);
	mw_rl_config_free(c);
}

/* Configuration errors, each with the setting that causes it. */
static void test_config_errors(void **state)
{
	(void)state;
	struct {
		const char *name, *value;
	} bad[] = {
		{"key", ""},
		{"key", "sasl_username+"},
		{"key", "sasl_username+sasl_username"},
		{"key", "helo"},
		{"window", "0"},
		{"window", "5x"},
		{"window", "-5m"},
		{"window", "100000d"},
		{"alert", "0"},
		{"hold", "-1"},
		{"reject", "lots"},
		{"count", "bytes"},
		{"at", "MAIL"},
		{"override", ""},
		{"override", "alice"},
		{"override", "alice hold"},
		{"override", "alice bounce=3"},
		{"colour", "blue"},
	};
	mw_rl_config *c = mw_rl_config_new();
	mw_err err;
	mw_rl_rule *r = mw_rl_rule_add(c, "r", &err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mw_rl_rule_set(r, bad[i].name, bad[i].value, &err) == MW_OK)
			fail_msg("%s = '%s' accepted", bad[i].name, bad[i].value);
	assert_int_equal(mw_rl_config_check(c, &err), MW_EINVAL); /* no key */
	assert_int_equal(mw_rl_rule_set(r, "key", "sasl_username", &err), MW_OK);
	assert_int_equal(mw_rl_config_check(c, &err), MW_EINVAL); /* no threshold */
	assert_int_equal(mw_rl_rule_set(r, "hold", "5", &err), MW_OK);
	assert_int_equal(mw_rl_config_check(c, &err), MW_OK);
	mw_rl_rule *d = mw_rl_rule_add(c, "r", &err);
	mw_rl_rule_set(d, "key", "recipient_domain", &err);
	mw_rl_rule_set(d, "hold", "5", &err);
	assert_int_equal(mw_rl_config_check(c, &err), MW_EINVAL); /* rcpt domain, messages */
	assert_null(mw_rl_rule_add(c, "bad name", &err));
	assert_null(mw_rl_rule_add(c, "", &err));
	int64_t ms;
	assert_true(mw_rl_parse_duration("90", &ms));
	assert_int_equal(ms, 90000);
	assert_true(mw_rl_parse_duration("1w", &ms));
	assert_int_equal(ms, 604800000);
	mw_rl_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rules_and_overrides),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_scan_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
