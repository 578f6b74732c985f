/*
 * test_disposition.c - forensics/disposition: t=y, pct sampling with an
 * injected roll, each local override (and near misses that must not
 * match), the A-R comment, ARC sealer extraction, configuration errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "forensics/disposition.h"

#define Q MW_DMARC_POLICY_QUARANTINE
#define R MW_DMARC_POLICY_REJECT
#define N MW_DMARC_POLICY_NONE
#define F MW_AUTH_FAIL

static unsigned fixed_roll(void *ctx) { return *(const unsigned *)ctx; }

/* config - every override kind configured */
static void config(mw_dispo_config *c)
{
	mw_err err;
	mw_dispo_config_init(c);
	assert_int_equal(mw_dispo_config_set(c, "dmarc_forwarders",
					     "192.0.2.0/24, 2001:db8::1 relay.forward.example", &err), MW_OK);
	assert_int_equal(mw_dispo_config_set(c, "dmarc_arc_trusted", "arc.trusted.example", &err), MW_OK);
	assert_int_equal(mw_dispo_config_set(c, "dmarc_mailing_lists", "<dev.lists.example> ops.lists.example", &err), MW_OK);
	assert_int_equal(mw_dispo_config_set(c, "dmarc_exempt_domains", "legacy.example", &err), MW_OK);
}

static void test_decide_table(void **state)
{
	(void)state;
	static mw_dispo_config c;
	config(&c);
	static const struct {
		const char *what;
		mw_auth_result dmarc;
		mw_dmarc_policy p;
		int pct;
		bool t;
		unsigned roll;
		const char *from, *ip, *host, *list_id;
		bool list_post, arc_pass;
		const char *arc_old, *arc_new;
		mw_dmarc_policy want_applied, want_final;
		mw_dispo_reason want_reason;
		const char *want_comment;
	} tc[] = {
		{"pass is never enforced", MW_AUTH_PASS, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, N, N, 0, "dis=none"},
		{"none result", MW_AUTH_NONE, R, -1, false, 0, NULL, NULL, NULL, NULL, false, false, NULL, NULL, N, N, 0, "dis=none"},
		{"plain reject", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"plain quarantine", F, Q, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, Q, Q, 0, "dis=quarantine"},
		{"p=none stays none", F, N, 0, false, 50, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, N, N, 0, "dis=none"},
		{"t=y lowers reject", F, R, -1, true, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, Q, Q, 0, "dis=quarantine testing"},
		{"t=y lowers quarantine", F, Q, -1, true, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, N, N, 0, "dis=none testing"},
		{"t=y wins over pct", F, R, 0, true, 99, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, Q, Q, 0, "dis=quarantine testing"},
		{"pct=0 never sampled", F, R, 0, false, 0, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, Q, Q, MW_DISPO_SAMPLED_OUT, "dis=quarantine override=sampled_out"},
		{"pct=50 roll 49 in", F, R, 50, false, 49, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"pct=50 roll 50 out", F, R, 50, false, 50, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, Q, Q, MW_DISPO_SAMPLED_OUT, "dis=quarantine override=sampled_out"},
		{"pct=100 always", F, R, 100, false, 99, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"pct=20 quarantine out", F, Q, 20, false, 99, "x.example", NULL, NULL, NULL, false, false, NULL, NULL, N, N, MW_DISPO_SAMPLED_OUT, "dis=none override=sampled_out"},
		{"forwarder CIDR", F, R, -1, false, 0, "x.example", "192.0.2.77", NULL, NULL, false, false, NULL, NULL, R, N, MW_DISPO_FORWARDED, "dis=none override=forwarded"},
		{"outside the CIDR", F, R, -1, false, 0, "x.example", "192.0.3.1", NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"forwarder v6 host address", F, R, -1, false, 0, "x.example", "2001:db8::1", NULL, NULL, false, false, NULL, NULL, R, N, MW_DISPO_FORWARDED, "dis=none override=forwarded"},
		{"v6 neighbour not", F, R, -1, false, 0, "x.example", "2001:db8::2", NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"forwarder host name", F, Q, -1, false, 0, "x.example", "198.51.100.1", "relay.forward.example", NULL, false, false, NULL, NULL, Q, N, MW_DISPO_FORWARDED, "dis=none override=forwarded"},
		{"forwarder subdomain, trailing dot", F, Q, -1, false, 0, "x.example", "198.51.100.1", "A.Relay.Forward.Example.", NULL, false, false, NULL, NULL, Q, N, MW_DISPO_FORWARDED, "dis=none override=forwarded"},
		{"look-alike host not", F, Q, -1, false, 0, "x.example", "198.51.100.1", "evilrelay.forward.example", NULL, false, false, NULL, NULL, Q, Q, 0, "dis=quarantine"},
		{"unverified [ip] host ignored", F, Q, -1, false, 0, "x.example", "198.51.100.1", "[198.51.100.1]", NULL, false, false, NULL, NULL, Q, Q, 0, "dis=quarantine"},
		{"ARC trusted oldest", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, true, "arc.trusted.example", "other.example", R, N, MW_DISPO_TRUSTED_FORWARDER, "dis=none override=trusted_forwarder"},
		{"ARC trusted newest", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, true, "other.example", "mx.arc.trusted.example", R, N, MW_DISPO_TRUSTED_FORWARDER, "dis=none override=trusted_forwarder"},
		{"ARC fail, trusted sealer", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, false, "arc.trusted.example", "arc.trusted.example", R, R, 0, "dis=reject"},
		{"ARC pass, untrusted sealers", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, NULL, false, true, "a.example", "b.example", R, R, 0, "dis=reject"},
		{"mailing list by List-Id", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, "Developers <dev.lists.example>", false, false, NULL, NULL, R, N, MW_DISPO_MAILING_LIST, "dis=none override=mailing_list"},
		{"bare List-Id, other case", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, " OPS.lists.example ", false, false, NULL, NULL, R, N, MW_DISPO_MAILING_LIST, "dis=none override=mailing_list"},
		{"unlisted List-Id", F, R, -1, false, 0, "x.example", "198.51.100.1", NULL, "<spam.lists.example>", true, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"exempt From domain", F, R, -1, false, 0, "news.legacy.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, R, N, MW_DISPO_LOCAL_POLICY, "dis=none override=local_policy"},
		{"exempt look-alike not", F, R, -1, false, 0, "notlegacy.example", "198.51.100.1", NULL, NULL, false, false, NULL, NULL, R, R, 0, "dis=reject"},
		{"exempt before forwarder", F, R, -1, false, 0, "legacy.example", "192.0.2.1", NULL, NULL, false, false, NULL, NULL, R, N, MW_DISPO_LOCAL_POLICY, "dis=none override=local_policy"},
		{"sampled-out then forwarder", F, R, 0, false, 0, "x.example", "192.0.2.1", NULL, NULL, false, false, NULL, NULL, Q, N, MW_DISPO_FORWARDED, "dis=none override=forwarded"},
	};
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		mw_ip ip;
		if (tc[i].ip)
			assert_true(mw_ip_parse(tc[i].ip, &ip));
		unsigned roll = tc[i].roll;
		mw_dispo_input in = {.dmarc = tc[i].dmarc, .requested = tc[i].p, .pct = tc[i].pct,
				     .testing = tc[i].t, .from_domain = tc[i].from,
				     .client_ip = tc[i].ip ? &ip : NULL, .client_host = tc[i].host,
				     .list_id = tc[i].list_id, .list_post = tc[i].list_post,
				     .arc_pass = tc[i].arc_pass, .arc_oldest = tc[i].arc_old,
				     .arc_newest = tc[i].arc_new, .roll = fixed_roll, .roll_ctx = &roll};
		mw_disposition d;
		mw_dispo_decide(&c, &in, &d);
		char comment[MW_DISPO_COMMENT_MAX];
		mw_dispo_comment(&d, comment, sizeof(comment));
		if (d.applied != tc[i].want_applied || d.final != tc[i].want_final ||
		    d.reason != tc[i].want_reason || strcmp(comment, tc[i].want_comment) != 0)
			fail_msg("%s: got applied=%d final=%d reason=%s '%s', want %d %d %s '%s'",
				 tc[i].what, d.applied, d.final, mw_dispo_reason_name(d.reason), comment,
				 tc[i].want_applied, tc[i].want_final,
				 mw_dispo_reason_name(tc[i].want_reason), tc[i].want_comment);
		assert_int_equal(d.requested, tc[i].dmarc == F ? tc[i].p : tc[i].p);
	}
}

/* "any" list, pct ignored, and sampling without a roll source */
static void test_options(void **state)
{
	(void)state;
	mw_dispo_config c;
	mw_err err;
	mw_dispo_config_init(&c);
	mw_disposition d;
	mw_dispo_input in = {.dmarc = F, .requested = R, .pct = 10, .list_post = true};
	mw_dispo_decide(&c, &in, &d); /* no roll source: roll 0, inside a pct=10 sample */
	assert_int_equal(d.final, R);
	assert_int_equal(d.reason, MW_DISPO_NO_OVERRIDE);
	assert_int_equal(mw_dispo_config_set(&c, "dmarc_mailing_lists", "any", &err), MW_OK);
	mw_dispo_decide(&c, &in, &d); /* List-Post alone is a list under "any" */
	assert_int_equal(d.final, N);
	assert_int_equal(d.reason, MW_DISPO_MAILING_LIST);
	in.list_post = false;
	in.pct = 0;
	assert_int_equal(mw_dispo_config_set(&c, "dmarc_pct", "ignore", &err), MW_OK);
	mw_dispo_decide(&c, &in, &d);
	assert_int_equal(d.final, R);
	assert_false(d.sampled_out);
	assert_int_equal(mw_dispo_config_set(&c, "dmarc_pct", "honour", &err), MW_OK);
	mw_dispo_decide(&c, &in, &d);
	assert_int_equal(d.final, Q);
	assert_true(d.sampled_out);
	assert_int_equal(mw_dispo_config_set(&c, "dkim_key", "x", &err), MW_ENOTFOUND);
	assert_string_equal(mw_dispo_reason_name(MW_DISPO_TRUSTED_FORWARDER), "trusted_forwarder");
	assert_string_equal(mw_dispo_reason_name(MW_DISPO_NO_OVERRIDE), "");
}

/* bad values: each rejected, nothing added */
static void test_config_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name, *value;
		mw_status want;
	} bad[] = {
		{"dmarc_pct", "yes", MW_EINVAL},
		{"dmarc_pct", "", MW_EINVAL},
		{"dmarc_forwarders", "", MW_EINVAL},
		{"dmarc_forwarders", " , ", MW_EINVAL},
		{"dmarc_forwarders", "192.0.2.0/33", MW_EINVAL},
		{"dmarc_forwarders", "2001:db8::/129", MW_EINVAL},
		{"dmarc_forwarders", "192.0.2.0/", MW_EINVAL},
		{"dmarc_forwarders", "192.0.2.0/x", MW_EINVAL},
		{"dmarc_forwarders", "relay/24", MW_EINVAL},
		{"dmarc_forwarders", "localhost", MW_EINVAL},
		{"dmarc_forwarders", "bad_host!.example", MW_EINVAL},
		{"dmarc_arc_trusted", "not a domain!", MW_EINVAL},
		{"dmarc_arc_trusted", "", MW_EINVAL},
		{"dmarc_mailing_lists", "<>", MW_EINVAL},
		{"dmarc_mailing_lists", "nodot", MW_EINVAL},
		{"dmarc_exempt_domains", "..", MW_EINVAL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_dispo_config c;
		mw_err err;
		mw_dispo_config_init(&c);
		mw_status st = mw_dispo_config_set(&c, bad[i].name, bad[i].value, &err);
		if (st != bad[i].want)
			fail_msg("%s = '%s': got %d want %d", bad[i].name, bad[i].value, st, bad[i].want);
	}
	/* one name too many */
	mw_dispo_config c;
	mw_err err;
	mw_dispo_config_init(&c);
	char buf[64];
	for (int i = 0; i < MW_DISPO_NAMES_MAX; i++) {
		snprintf(buf, sizeof(buf), "d%d.example", i);
		assert_int_equal(mw_dispo_config_set(&c, "dmarc_arc_trusted", buf, &err), MW_OK);
	}
	assert_int_equal(mw_dispo_config_set(&c, "dmarc_arc_trusted", "one.more.example", &err), MW_ETOOBIG);
	for (int i = 0; i < MW_DISPO_NETS_MAX; i++) {
		snprintf(buf, sizeof(buf), "10.0.%d.0/24", i);
		assert_int_equal(mw_dispo_config_set(&c, "dmarc_forwarders", buf, &err), MW_OK);
	}
	assert_int_equal(mw_dispo_config_set(&c, "dmarc_forwarders", "10.1.0.0/16", &err), MW_ETOOBIG);
}

/* ARC-Seal d= of instance 1 and N from a message */
static void test_arc_sealers(void **state)
{
	(void)state;
	static const char msg[] =
		"ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=newest.example; s=s; t=1; b=AAAA\r\n"
		"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=Oldest.Example; s=s; t=1; b=AAAA\r\n"
		"From: a@x.example\r\n\r\nbody\r\n";
	mw_message m;
	mw_err err;
	assert_int_equal(mw_message_parse(msg, sizeof(msg) - 1, &m, &err), MW_OK);
	mw_arc_verify v;
	memset(&v, 0, sizeof(v));
	v.n = 2;
	v.set[1].as = 1;
	v.set[2].as = 0;
	char o[64], n[64];
	mw_dispo_arc_sealers(&m, &v, o, n, sizeof(o));
	assert_string_equal(o, "Oldest.Example");
	assert_string_equal(n, "newest.example");
	v.set[1].as = -1; /* a set without its seal */
	v.n = 0;
	mw_dispo_arc_sealers(&m, &v, o, n, sizeof(o));
	assert_string_equal(o, "");
	assert_string_equal(n, "");
	v.n = 2;
	mw_dispo_arc_sealers(&m, &v, o, n, 8); /* too small: nothing rather than a cut name */
	assert_string_equal(o, "");
	assert_string_equal(n, "");
	mw_message_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_arc_sealers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
