/*
 * test_dmarc.c - DMARC (RFC 9989): record parsing (good and malformed),
 * the DNS Tree Walk targets, and table-driven evaluations against an
 * offline zone: relaxed/strict alignment, subdomains, PSD records (psd=y,
 * psd=n), multi-label suffixes (example.co.uk), np for non-existent
 * subdomains, t=y, RFC 7489 mode with pct and sp, missing, duplicate and
 * malformed records, DNS failures, external report destinations, and the
 * A-R output parsed back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/dmarc.h"
#include "dns/lookup.h"
#include "dns/zone.h"

/* ---- record parsing ---- */

static void test_record_good(void **state)
{
	(void)state;
	mw_pool *pool = mw_pool_new(1 << 20);
	mw_dmarc_record r;
	mw_err err;
	const char *txt = "v=DMARC1; p=Reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; "
			  "aspf=r; fo=1:d; rua=mailto:agg@example.com!10m, "
			  "mailto:x@reports.example.net; ruf=mailto:f@example.com; pct=25; rf=afrf; "
			  "ri=3600; future=1";
	assert_int_equal(mw_dmarc_record_parse(txt, strlen(txt), 0, pool, &r, &err), MW_OK);
	assert_true(r.usable);
	assert_int_equal(r.p, MW_DMARC_POLICY_REJECT);
	assert_true(r.has_sp && r.sp == MW_DMARC_POLICY_QUARANTINE);
	assert_true(r.has_np && r.np == MW_DMARC_POLICY_NONE);
	assert_int_equal(r.psd, MW_DMARC_PSD_N);
	assert_true(r.testing);
	assert_true(r.adkim_strict);
	assert_false(r.aspf_strict);
	assert_string_equal(r.fo, "1:d");
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0].uri, "mailto:agg@example.com");
	assert_string_equal(r.rua[0].domain, "example.com");
	assert_string_equal(r.rua[1].domain, "reports.example.net");
	assert_int_equal(r.nruf, 1);
	assert_int_equal(r.pct, 25);
	assert_string_equal(r.rf, "afrf");
	assert_int_equal(r.ri, 3600);
	assert_int_equal(r.nnotes, 1); /* the unknown tag */
	assert_string_equal(r.notes[0], "unknown tag 'future' ignored");

	/* defaults */
	txt = "v=DMARC1";
	assert_int_equal(mw_dmarc_record_parse(txt, strlen(txt), 0, pool, &r, &err), MW_OK);
	assert_true(r.usable);
	assert_int_equal(r.p, MW_DMARC_POLICY_NONE); /* RFC 9989: missing p acts as none */
	assert_false(r.has_sp || r.has_np || r.testing || r.adkim_strict || r.aspf_strict);
	assert_int_equal(r.psd, MW_DMARC_PSD_U);
	assert_int_equal(r.pct, -1);
	assert_int_equal(r.ri, -1);
	assert_null(r.rf);
	mw_pool_free(pool);
}

/* Invalid values: defaults with a note, or the p rule (usable or not). */
static void test_record_values(void **state)
{
	(void)state;
	static const struct {
		const char *txt;
		unsigned flags;
		mw_status want_st;
		bool usable;
		mw_dmarc_policy p;
		size_t notes;
	} cases[] = {
		{"v=DMARC1; p=bogus; rua=mailto:a@x.example", 0, MW_OK, true, MW_DMARC_POLICY_NONE, 1},
		{"v=DMARC1; p=bogus", 0, MW_OK, false, MW_DMARC_POLICY_NONE, 1},
		{"v=DMARC1; rua=mailto:a@x.example", MW_DMARC_RFC7489, MW_OK, true, MW_DMARC_POLICY_NONE, 0},
		{"v=DMARC1; sp=reject", MW_DMARC_RFC7489, MW_OK, false, MW_DMARC_POLICY_NONE, 0},
		{"v=DMARC1; sp=reject", 0, MW_OK, true, MW_DMARC_POLICY_NONE, 0},
		{"v=DMARC1; p=reject; sp=maybe", MW_DMARC_RFC7489, MW_OK, false, MW_DMARC_POLICY_NONE, 1},
		{"v=DMARC1; p=reject; sp=maybe", 0, MW_OK, true, MW_DMARC_POLICY_REJECT, 1},
		{"v=DMARC1; p=reject; adkim=x; aspf=; psd=q; t=maybe", 0, MW_OK, true,
		 MW_DMARC_POLICY_REJECT, 4},
		{"v=DMARC1; p=reject; pct=101; ri=-1; fo=2", 0, MW_OK, true, MW_DMARC_POLICY_REJECT, 3},
		{"v=DMARC1; p=reject; rua=notauri, mailto:ok@x.example", 0, MW_OK, true,
		 MW_DMARC_POLICY_REJECT, 1},
		{"v=DMARC1 ; p=quarantine ;", 0, MW_OK, true, MW_DMARC_POLICY_QUARANTINE, 0},
		/* malformed or not DMARC */
		{"v=DMARC1; p=reject; p=none", 0, MW_EPARSE, false, 0, 0},   /* duplicate tag */
		{"v=DMARC1; p=reject;; sp=none", 0, MW_EPARSE, false, 0, 0}, /* empty tag-spec */
		{"v=DMARC1; p", 0, MW_EPARSE, false, 0, 0},                  /* no '=' */
		{"v=DMARC1; 1p=reject", 0, MW_EPARSE, false, 0, 0},          /* bad tag name */
		{"v=DMARC1; p=re\x01ject", 0, MW_EPARSE, false, 0, 0},       /* control byte */
		{"p=reject; v=DMARC1", 0, MW_ENOTFOUND, false, 0, 0},         /* v not first */
		{"v=dmarc1; p=reject", 0, MW_ENOTFOUND, false, 0, 0},         /* v value exact */
		{"v=DMARC10; p=reject", 0, MW_ENOTFOUND, false, 0, 0},
		{"v=spf1 -all", 0, MW_ENOTFOUND, false, 0, 0},
		{"", 0, MW_ENOTFOUND, false, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mw_pool *pool = mw_pool_new(1 << 20);
		mw_dmarc_record r;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_dmarc_record_parse(cases[i].txt, strlen(cases[i].txt), cases[i].flags,
						     pool, &r, &err);
		if (st != cases[i].want_st)
			fail_msg("case %zu '%s': got %s want %s (%s)", i, cases[i].txt, mw_status_str(st),
				 mw_status_str(cases[i].want_st), err.msg);
		if (st == MW_OK) {
			if (r.usable != cases[i].usable || r.p != cases[i].p ||
			    r.nnotes != cases[i].notes)
				fail_msg("case %zu '%s': got usable=%d p=%s notes=%zu want %d %s %zu", i,
					 cases[i].txt, r.usable, mw_dmarc_policy_name(r.p), r.nnotes,
					 cases[i].usable, mw_dmarc_policy_name(cases[i].p), cases[i].notes);
		} else {
			assert_true(err.msg[0] != '\0');
		}
		mw_pool_free(pool);
	}
	/* size limit */
	mw_pool *pool = mw_pool_new(1 << 20);
	char big[MW_DMARC_RECORD_MAX + 32];
	memset(big, 'a', sizeof(big));
	memcpy(big, "v=DMARC1; x=", 12);
	mw_dmarc_record r;
	assert_int_equal(mw_dmarc_record_parse(big, sizeof(big), 0, pool, &r, NULL), MW_ETOOBIG);
	mw_pool_free(pool);
}

/* ---- tree walk targets (RFC 9989 §4.10) ---- */

static void test_walk_names(void **state)
{
	(void)state;
	static const struct {
		const char *domain;
		const char *want; /* names joined by ' ' */
	} cases[] = {
		{"example.com", "example.com com"},
		{"Mail.Example.COM.", "mail.example.com example.com com"},
		{"com", "com"},
		{"a.b.c.d.e.f.g", "a.b.c.d.e.f.g b.c.d.e.f.g c.d.e.f.g d.e.f.g e.f.g f.g g"},
		/* 8 labels: the second query jumps to the last 7 (which here is one step) */
		{"a.b.c.d.e.f.g.h", "a.b.c.d.e.f.g.h b.c.d.e.f.g.h c.d.e.f.g.h d.e.f.g.h e.f.g.h f.g.h g.h h"},
		/* the RFC's example: 13 labels, 8 queries */
		{"a.b.c.d.e.f.g.h.i.j.mail.example.com",
		 "a.b.c.d.e.f.g.h.i.j.mail.example.com g.h.i.j.mail.example.com "
		 "h.i.j.mail.example.com i.j.mail.example.com j.mail.example.com mail.example.com "
		 "example.com com"},
		{"", ""},
		{"a..b", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char names[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 1];
		size_t n = mw_dmarc_walk_names(cases[i].domain, names);
		char got[2048] = "";
		for (size_t k = 0; k < n; k++) {
			if (k)
				strcat(got, " ");
			strcat(got, names[k]);
		}
		assert_true(n <= MW_DMARC_WALK_QUERIES_MAX);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, got, cases[i].want);
	}
}

/* ---- evaluations ---- */

static const char *const zone_txt[][2] = {
	{"_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com"},
	{"_dmarc.strict.example", "v=DMARC1; p=quarantine; adkim=s; aspf=s"},
	{"_dmarc.np.example", "v=DMARC1; p=quarantine; sp=none; np=reject"},
	{"_dmarc.t.example", "v=DMARC1; p=reject; t=y"},
	{"_dmarc.pct.example", "v=DMARC1; p=reject; sp=quarantine; pct=50"},
	{"_dmarc.example.co.uk", "v=DMARC1; p=reject"},
	{"_dmarc.bank", "v=DMARC1; p=reject; psd=y"},
	{"_dmarc.corp.example", "v=DMARC1; p=reject"},
	{"_dmarc.dept.corp.example", "v=DMARC1; p=none; psd=n"},
	{"_dmarc.dup.example", "v=DMARC1; p=reject"},
	{"_dmarc.dup.example", "v=DMARC1; p=none"},
	{"_dmarc.bad.example", "v=DMARC1; p=reject; p=none"},
	{"_dmarc.badp.example", "v=DMARC1; p=bogus; rua=mailto:r@badp.example"},
	{"_dmarc.badpnorua.example", "v=DMARC1; p=bogus"},
	{"_dmarc.sub.badpnorua2.example", "v=DMARC1; p=bogus"},
	{"_dmarc.badpnorua2.example", "v=DMARC1; p=reject"},
	{"_dmarc.other.example", "v=spf1 -all"},
	{"_dmarc.nop.example", "v=DMARC1; sp=reject"},
	{"_dmarc.ext.example",
	 "v=DMARC1; p=none; rua=mailto:agg@reports.example.net,mailto:a@ext.example; "
	 "ruf=mailto:f@noauth.example.net"},
	{"ext.example._report._dmarc.reports.example.net", "v=DMARC1"},
};

static dns_zone *make_zone(void)
{
	dns_zone *z = dns_zone_new();
	for (size_t i = 0; i < sizeof(zone_txt) / sizeof(zone_txt[0]); i++)
		assert_int_equal(dns_zone_add_txt(z, zone_txt[i][0], zone_txt[i][1],
						  strlen(zone_txt[i][1]), 300),
				 MW_OK);
	assert_int_equal(dns_zone_add_ip(z, "exists.np.example", "192.0.2.1", 300), MW_OK);
	assert_int_equal(dns_zone_add_ip(z, "mail.example.com", "192.0.2.2", 300), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "_dmarc.slow.example", DNS_FAULT_TIMEOUT), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "_dmarc.example.net", DNS_FAULT_SERVFAIL), MW_OK);
	assert_int_equal(dns_zone_set_fault(z, "flaky.np.example", DNS_FAULT_TIMEOUT), MW_OK);
	return z;
}

typedef struct eval_case {
	const char *name;
	const char *from;  /* comma-separated From domains */
	const char *spf;   /* "domain:result[:helo]" or NULL */
	const char *dkim;  /* "d:result,d:result" or NULL */
	unsigned flags;
	unsigned roll;
	mw_auth_result want;
	mw_dmarc_policy applied;
	mw_dmarc_policy disposition;
	const char *org;        /* first domain's Organizational Domain */
	const char *policy_tag; /* "p", "sp", "np", or NULL for no record */
} eval_case;

#define P_NONE MW_DMARC_POLICY_NONE
#define P_Q MW_DMARC_POLICY_QUARANTINE
#define P_R MW_DMARC_POLICY_REJECT
#define PASS MW_AUTH_PASS
#define FAIL MW_AUTH_FAIL

static const eval_case eval_cases[] = {
	/* alignment, relaxed (default) */
	{"dkim exact", "example.com", NULL, "example.com:pass", 0, 0, PASS, P_R, P_NONE,
	 "example.com", "p"},
	{"dkim subdomain relaxed", "example.com", NULL, "mail.example.com:pass", 0, 0, PASS, P_R,
	 P_NONE, "example.com", "p"},
	{"spf parent relaxed", "mail.example.com", "example.com:pass", NULL, 0, 0, PASS, P_R, P_NONE,
	 "example.com", "p"}, /* no sp: p applies to subdomains */
	{"dkim unrelated", "example.com", NULL, "evil.example:pass", 0, 0, FAIL, P_R, P_R,
	 "example.com", "p"},
	{"dkim fail aligned", "example.com", "evil.example:pass", "example.com:fail", 0, 0, FAIL, P_R,
	 P_R, "example.com", "p"},
	{"spf softfail aligned", "example.com", "example.com:softfail", NULL, 0, 0, FAIL, P_R, P_R,
	 "example.com", "p"},
	{"spf helo ignored (9989)", "example.com", "example.com:pass:helo", NULL, 0, 0, FAIL, P_R, P_R,
	 "example.com", "p"},
	{"spf helo counts (7489)", "example.com", "example.com:pass:helo", NULL, MW_DMARC_RFC7489, 0,
	 PASS, P_R, P_NONE, "example.com", "p"},
	{"second dkim aligned", "example.com", NULL, "evil.example:pass,example.com:pass", 0, 0, PASS,
	 P_R, P_NONE, "example.com", "p"},
	/* strict */
	{"strict dkim exact", "strict.example", NULL, "strict.example:pass", 0, 0, PASS, P_Q, P_NONE,
	 "strict.example", "p"},
	{"strict dkim sub", "strict.example", NULL, "mail.strict.example:pass", 0, 0, FAIL, P_Q, P_Q,
	 "strict.example", "p"},
	{"strict spf parent", "a.strict.example", "strict.example:pass", NULL, 0, 0, FAIL, P_Q, P_Q,
	 "strict.example", "p"},
	/* np for non-existent subdomains */
	{"np ghost", "ghost.np.example", NULL, NULL, 0, 0, FAIL, P_R, P_R, "np.example", "np"},
	{"np existing sub uses sp", "exists.np.example", NULL, NULL, 0, 0, FAIL, P_NONE, P_NONE,
	 "np.example", "sp"},
	{"np org itself uses p", "np.example", NULL, NULL, 0, 0, FAIL, P_Q, P_Q, "np.example", "p"},
	{"np ignored in 7489", "ghost.np.example", NULL, NULL, MW_DMARC_RFC7489, 0, FAIL, P_NONE, P_NONE,
	 "np.example", "sp"},
	{"np existence tempfail", "flaky.np.example", NULL, NULL, 0, 0, MW_AUTH_TEMPERROR, P_NONE,
	 P_NONE, "np.example", "sp"},
	/* t=y */
	{"t=y lowers to none", "t.example", NULL, NULL, 0, 0, FAIL, P_NONE, P_NONE, "t.example", "p"},
	{"t=y ignored in 7489", "t.example", NULL, NULL, MW_DMARC_RFC7489, 0, FAIL, P_R, P_R,
	 "t.example", "p"},
	/* RFC 7489 pct and sp */
	{"pct sampled in", "pct.example", NULL, NULL, MW_DMARC_RFC7489, 10, FAIL, P_R, P_R,
	 "pct.example", "p"},
	{"pct sampled out", "pct.example", NULL, NULL, MW_DMARC_RFC7489, 70, FAIL, P_Q, P_Q,
	 "pct.example", "p"},
	{"pct sp sampled out", "a.pct.example", NULL, NULL, MW_DMARC_RFC7489, 99, FAIL, P_NONE, P_NONE,
	 "pct.example", "sp"},
	{"pct ignored in 9989", "pct.example", NULL, NULL, 0, 99, FAIL, P_R, P_R, "pct.example", "p"},
	/* multi-label suffix without a PSL */
	{"co.uk relaxed", "mail.example.co.uk", NULL, "other.example.co.uk:pass", 0, 0, PASS, P_R,
	 P_NONE, "example.co.uk", "p"},
	{"co.uk sibling org", "mail.example.co.uk", NULL, "evil.co.uk:pass", 0, 0, FAIL, P_R, P_R,
	 "example.co.uk", "p"},
	/* PSD records */
	{"psd=y policy and org", "a.b.bank", NULL, "c.b.bank:pass", 0, 0, PASS, P_R, P_NONE, "b.bank",
	 "p"},
	{"psd=y other org", "a.b.bank", NULL, "other.bank:pass", 0, 0, FAIL, P_R, P_R, "b.bank", "p"},
	{"psd=y at start", "bank", NULL, "bank:pass", 0, 0, PASS, P_R, P_NONE, "bank", "p"},
	{"psd=n stops walk", "x.dept.corp.example", NULL, "corp.example:pass", 0, 0, FAIL, P_NONE,
	 P_NONE, "dept.corp.example", "p"},
	{"fewest labels org", "x.y.corp.example", NULL, "z.corp.example:pass", 0, 0, PASS, P_R, P_NONE,
	 "corp.example", "p"},
	/* missing, duplicate, malformed, invalid */
	{"no record", "nodmarc.example", NULL, "nodmarc.example:pass", 0, 0, MW_AUTH_NONE, P_NONE,
	 P_NONE, "nodmarc.example", NULL},
	{"non-DMARC TXT", "other.example", NULL, NULL, 0, 0, MW_AUTH_NONE, P_NONE, P_NONE,
	 "other.example", NULL},
	{"duplicate records", "dup.example", NULL, NULL, 0, 0, MW_AUTH_NONE, P_NONE, P_NONE,
	 "dup.example", NULL},
	{"malformed record", "bad.example", NULL, "bad.example:pass", 0, 0, MW_AUTH_PERMERROR, P_NONE,
	 P_NONE, "bad.example", NULL},
	{"invalid p with rua", "badp.example", NULL, NULL, 0, 0, FAIL, P_NONE, P_NONE, "badp.example",
	 "p"},
	{"invalid p no rua", "badpnorua.example", NULL, NULL, 0, 0, MW_AUTH_NONE, P_NONE, P_NONE,
	 "badpnorua.example", NULL},
	{"unusable record stops the walk", "sub.badpnorua2.example", NULL, NULL, 0, 0, MW_AUTH_NONE,
	 P_NONE, P_NONE, "badpnorua2.example", NULL},
	{"missing p 9989", "a.nop.example", NULL, NULL, 0, 0, FAIL, P_R, P_R, "nop.example", "sp"},
	{"missing p 7489", "a.nop.example", NULL, NULL, MW_DMARC_RFC7489, 0, MW_AUTH_NONE, P_NONE,
	 P_NONE, "nop.example", NULL},
	/* DNS trouble */
	{"timeout", "slow.example", NULL, "slow.example:pass", 0, 0, MW_AUTH_TEMPERROR, P_NONE, P_NONE,
	 NULL, NULL},
	{"servfail at parent", "a.example.net", NULL, NULL, 0, 0, MW_AUTH_TEMPERROR, P_NONE, P_NONE,
	 NULL, NULL},
	/* From domains */
	{"no From", "", NULL, NULL, 0, 0, MW_AUTH_NONE, P_NONE, P_NONE, NULL, NULL},
	{"two From, one fails", "example.com,strict.example", NULL, "example.com:pass", 0, 0, FAIL,
	 P_Q, P_Q, "example.com", "p"},
	{"two From, both pass", "example.com,strict.example", NULL,
	 "example.com:pass,strict.example:pass", 0, 0, PASS, P_R, P_NONE, "example.com", "p"},
	{"same From twice", "example.com,EXAMPLE.com.", NULL, "example.com:pass", 0, 0, PASS, P_R,
	 P_NONE, "example.com", "p"},
};

typedef struct ev {
	mw_dmarc_input in;
	mw_pool *pool;
	mw_dmarc_result res;
} ev;

static mw_status ev_fn(void *ctx, dns_lookup *lk)
{
	ev *e = ctx;
	return mw_dmarc_evaluate(&e->in, lk, e->pool, &e->res, NULL);
}

static mw_auth_result parse_result(const char *s)
{
	for (int v = MW_AUTH_NONE; v <= MW_AUTH_PERMERROR; v++)
		if (strcmp(s, mw_auth_result_name((mw_auth_result)v)) == 0)
			return (mw_auth_result)v;
	fail_msg("bad result word %s", s);
	return MW_AUTH_NONE;
}

/* run_case - build the inputs from the strings and evaluate against the zone */
static void run_case(const eval_case *c, dns_resolver *r, ev *e, char *buf)
{
	static const char *from[8];
	static mw_dmarc_dkim dkim[8];
	static mw_dmarc_spf spf;
	memset(e, 0, sizeof(*e));
	e->pool = mw_pool_new(MW_DMARC_POOL_MAX);
	size_t nf = 0, nd = 0;
	strcpy(buf, c->from);
	for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
		from[nf++] = t;
	char *dbuf = buf + strlen(c->from) + 1;
	if (c->dkim) {
		strcpy(dbuf, c->dkim);
		for (char *t = strtok(dbuf, ","); t; t = strtok(NULL, ",")) {
			char *colon = strchr(t, ':');
			*colon = '\0';
			dkim[nd++] = (mw_dmarc_dkim){t, "sel", parse_result(colon + 1)};
		}
	}
	e->in = (mw_dmarc_input){from, nf, NULL, dkim, nd, c->flags, c->roll};
	if (c->spf) {
		char *sbuf = dbuf + (c->dkim ? strlen(c->dkim) : 0) + 1;
		strcpy(sbuf, c->spf);
		char *d = strtok(sbuf, ":"), *res = strtok(NULL, ":"), *scope = strtok(NULL, ":");
		spf = (mw_dmarc_spf){d, parse_result(res),
				     scope ? MW_DMARC_SPF_HELO : MW_DMARC_SPF_MAILFROM};
		e->in.spf = &spf;
	}
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	mw_err err;
	mw_err_clear(&err);
	mw_status st = dns_lookup_run(&lk, r, ev_fn, e, &err);
	if (st != MW_OK)
		fail_msg("%s: evaluation failed: %s %s", c->name, mw_status_str(st), err.msg);
	dns_cache_free(cache);
}

static void test_evaluate(void **state)
{
	(void)state;
	dns_zone *z = make_zone();
	dns_resolver *r = dns_resolver_zone_new(z);
	for (size_t i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		const eval_case *c = &eval_cases[i];
		ev e;
		char buf[1024];
		run_case(c, r, &e, buf);
		const mw_dmarc_result *res = &e.res;
		if (res->result != c->want || res->policy != c->applied ||
		    res->disposition != c->disposition)
			fail_msg("%s: got %s/%s/%s want %s/%s/%s (%s)", c->name,
				 mw_auth_result_name(res->result), mw_dmarc_policy_name(res->policy),
				 mw_dmarc_policy_name(res->disposition), mw_auth_result_name(c->want),
				 mw_dmarc_policy_name(c->applied), mw_dmarc_policy_name(c->disposition),
				 res->reason ? res->reason : "");
		assert_non_null(res->reason);
		if (res->ndomains && c->org) {
			const char *org = res->domain[0].org_domain;
			if (!org || strcmp(org, c->org) != 0)
				fail_msg("%s: org got %s want %s", c->name, org ? org : "(null)", c->org);
		}
		if (res->ndomains) {
			const char *tag = res->domain[0].has_record ? res->domain[0].policy_tag : NULL;
			if ((tag == NULL) != (c->policy_tag == NULL) ||
			    (tag && strcmp(tag, c->policy_tag) != 0))
				fail_msg("%s: policy tag got %s want %s", c->name, tag ? tag : "(none)",
					 c->policy_tag ? c->policy_tag : "(none)");
			assert_true(res->domain[0].walk_queries <= MW_DMARC_WALK_QUERIES_MAX);
		}
		mw_pool_free(e.pool);
	}
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* The walk fetches all its names in one DNS round; 8 queries at most. */
static void test_walk_rounds(void **state)
{
	(void)state;
	dns_zone *z = make_zone();
	dns_resolver *r = dns_resolver_zone_new(z);
	const char *from[] = {"a.b.c.d.e.f.g.h.i.j.mail.example.com"};
	mw_dmarc_dkim dkim[] = {{"example.com", "s", MW_AUTH_PASS}};
	ev e = {.in = {from, 1, NULL, dkim, 1, 0, 0}, .pool = mw_pool_new(MW_DMARC_POOL_MAX)};
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	assert_int_equal(dns_lookup_run(&lk, r, ev_fn, &e, NULL), MW_OK);
	assert_int_equal(e.res.result, MW_AUTH_PASS);
	assert_string_equal(e.res.domain[0].policy_domain, "example.com");
	assert_string_equal(e.res.domain[0].policy_tag, "p");
	assert_string_equal(e.res.domain[0].org_domain, "example.com");
	assert_int_equal(e.res.domain[0].walk_queries, 8);
	assert_int_equal(lk.rounds, 1);
	assert_int_equal(r->queries, 8);
	dns_cache_free(cache);
	mw_pool_free(e.pool);
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* rua/ruf destinations outside the Organizational Domain are verified. */
static void test_report_destinations(void **state)
{
	(void)state;
	dns_zone *z = make_zone();
	dns_resolver *r = dns_resolver_zone_new(z);
	const char *from[] = {"ext.example"};
	ev e = {.in = {from, 1, NULL, NULL, 0, MW_DMARC_CHECK_REPORTS, 0},
		.pool = mw_pool_new(MW_DMARC_POOL_MAX)};
	dns_cache *cache = dns_cache_new();
	dns_lookup lk;
	dns_lookup_init(&lk, cache, 1700000000);
	assert_int_equal(dns_lookup_run(&lk, r, ev_fn, &e, NULL), MW_OK);
	const mw_dmarc_domain *d = &e.res.domain[0];
	assert_int_equal(d->nreports, 3);
	assert_string_equal(d->reports[0].domain, "reports.example.net");
	assert_true(d->reports[0].external);
	assert_int_equal(d->reports[0].verified, MW_AUTH_PASS);
	assert_false(d->reports[1].external);
	assert_int_equal(d->reports[1].verified, MW_AUTH_NONE);
	assert_string_equal(d->reports[2].domain, "noauth.example.net");
	assert_true(d->reports[2].external);
	assert_int_equal(d->reports[2].verified, MW_AUTH_FAIL);
	dns_cache_free(cache);
	mw_pool_free(e.pool);
	dns_resolver_free(r);
	dns_zone_free(z);
}

/* The DMARC result written as A-R parses back with header.from and policy.dmarc. */
static void test_authres_round_trip(void **state)
{
	(void)state;
	dns_zone *z = make_zone();
	dns_resolver *r = dns_resolver_zone_new(z);
	ev e;
	char buf[1024];
	run_case(&eval_cases[3], r, &e, buf); /* dkim unrelated: fail, reject */
	mw_authres ar;
	assert_int_equal(mw_authres_init(&ar, e.pool, "mx.test"), MW_OK);
	const mw_dmarc_domain *d = &e.res.domain[0];
	assert_int_equal(mw_authres_add_dmarc(&ar, e.pool, d->result, "p=reject dis=reject",
					      d->from_domain, mw_dmarc_policy_name(d->applied)),
			 MW_OK);
	mw_buf out;
	mw_buf_init(&out, MW_AR_HEADER_MAX);
	assert_int_equal(mw_authres_format(&ar, 0, &out), MW_OK);
	mw_authres back;
	assert_int_equal(mw_authres_parse(out.data, out.len, 0, e.pool, &back, NULL), MW_OK);
	assert_int_equal(back.nresults, 1);
	assert_string_equal(back.results[0].method, "dmarc");
	assert_string_equal(back.results[0].result, "fail");
	assert_string_equal(mw_ar_find_prop(&back.results[0], "header", "from"), "example.com");
	assert_string_equal(mw_ar_find_prop(&back.results[0], "policy", "dmarc"), "reject");
	mw_buf_free(&out);
	mw_pool_free(e.pool);
	dns_resolver_free(r);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_good),        cmocka_unit_test(test_record_values),
		cmocka_unit_test(test_walk_names),         cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_walk_rounds),        cmocka_unit_test(test_report_destinations),
		cmocka_unit_test(test_authres_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
