/*
 * auth/dmarc.c - DMARC evaluation: DNS Tree Walk, Organizational Domain,
 * alignment, policy selection (see dmarc.h; RFC 9989 §4.4, §4.10, §5).
 */
#include "auth/dmarc.h"

#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* What one walk step found at _dmarc.<name>. */
typedef enum walk_state {
	W_NONE = 0,  /* no DMARC record (NXDOMAIN, NODATA, only other TXT) */
	W_ONE,       /* exactly one usable DMARC record */
	W_MULTI,     /* several DMARC records: all discarded */
	W_TEMP,      /* DNS temporary failure */
	W_MALFORMED, /* one candidate that does not parse */
	W_UNUSABLE,  /* one record, invalid p and no rua: ignored */
} walk_state;

typedef struct walk_step {
	char name[MW_DNS_NAME_MAX + 1];
	walk_state state;
	mw_dmarc_record rec;
	char why[MW_ERR_MSG_MAX + MW_DNS_NAME_MAX + 64];
} walk_step;

typedef struct walk {
	walk_step step[MW_DMARC_WALK_QUERIES_MAX];
	size_t n;
} walk;

/* count_labels - labels of a normalised name */
static size_t count_labels(const char *d)
{
	size_t n = 1;
	for (; *d; d++)
		n += *d == '.';
	return n;
}

/* last_labels - pointer to the suffix of d holding its last k labels */
static const char *last_labels(const char *d, size_t k)
{
	size_t n = count_labels(d);
	while (n > k) {
		d = strchr(d, '.') + 1;
		n--;
	}
	return d;
}

/* mw_dmarc_walk_names - §4.10 targets: the name, then parents (8+ labels jump to 7) */
size_t mw_dmarc_walk_names(const char *domain,
			   char out[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 1])
{
	char cur[MW_DNS_NAME_MAX + 1];
	if (!mw_domain_normalize(domain, cur, sizeof(cur)))
		return 0;
	size_t n = 0;
	const char *p = cur;
	for (;;) {
		mw_strlcpy(out[n++], p, MW_DNS_NAME_MAX + 1);
		size_t x = count_labels(p);
		if (x == 1 || n == MW_DMARC_WALK_QUERIES_MAX)
			break;
		p = x > MW_DMARC_WALK_LABELS ? last_labels(p, MW_DMARC_WALK_LABELS) : strchr(p, '.') + 1;
	}
	return n;
}

/* qname - "_dmarc.<name>" into buf; false if too long for DNS */
static bool qname(char *buf, size_t n, const char *prefix, const char *name)
{
	int k = snprintf(buf, n, "%s%s", prefix, name);
	return k > 0 && (size_t)k < n && (size_t)k <= MW_DNS_NAME_MAX;
}

/* read_step - classify the cached TXT answer for one walk step */
static void read_step(walk_step *s, const dns_answer *a, unsigned flags, mw_pool *pool)
{
	if (!a || a->status == DNS_NXDOMAIN || a->status == DNS_NODATA) {
		s->state = W_NONE;
		return;
	}
	if (a->status == DNS_TEMPFAIL) {
		s->state = W_TEMP;
		snprintf(s->why, sizeof(s->why), "DNS %s for _dmarc.%s",
			 a->reason ? a->reason : "temporary failure", s->name);
		return;
	}
	const dns_rr *one = NULL;
	size_t cands = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->rr[i].type == DNS_T_TXT &&
		    mw_dmarc_record_is_candidate(a->rr[i].txt, a->rr[i].txt_len)) {
			cands++;
			one = &a->rr[i];
		}
	}
	if (cands == 0) {
		s->state = W_NONE;
		return;
	}
	if (cands > 1) {
		s->state = W_MULTI;
		snprintf(s->why, sizeof(s->why), "%zu DMARC records at _dmarc.%s: all discarded",
			 cands, s->name);
		return;
	}
	mw_err err;
	mw_err_clear(&err);
	mw_status st = mw_dmarc_record_parse(one->txt, one->txt_len, flags, pool, &s->rec, &err);
	if (st == MW_ENOTFOUND) {
		s->state = W_NONE;
	} else if (st != MW_OK) {
		s->state = W_MALFORMED;
		snprintf(s->why, sizeof(s->why), "_dmarc.%s: %s", s->name, err.msg);
	} else {
		s->state = s->rec.usable ? W_ONE : W_UNUSABLE;
		if (!s->rec.usable)
			snprintf(s->why, sizeof(s->why), "_dmarc.%s: %s", s->name, err.msg);
	}
}

/* do_walk - fetch every walk name in one round, then classify each step */
static mw_status do_walk(const char *domain, dns_lookup *lk, unsigned flags, mw_pool *pool,
			 walk *w)
{
	char names[MW_DMARC_WALK_QUERIES_MAX][MW_DNS_NAME_MAX + 1];
	char q[MW_DNS_NAME_MAX + 8];
	w->n = mw_dmarc_walk_names(domain, names);
	if (w->n == 0)
		return MW_EINVAL;
	bool missing = false;
	for (size_t i = 0; i < w->n; i++)
		if (qname(q, sizeof(q), "_dmarc.", names[i]) && !dns_lookup_want(lk, q, DNS_T_TXT))
			missing = true;
	if (missing)
		return MW_NEED_DNS;
	for (size_t i = 0; i < w->n; i++) {
		walk_step *s = &w->step[i];
		memset(s, 0, sizeof(*s));
		mw_strlcpy(s->name, names[i], sizeof(s->name));
		const dns_answer *a = NULL;
		if (qname(q, sizeof(q), "_dmarc.", names[i]))
			a = dns_lookup_get(lk, q, DNS_T_TXT);
		read_step(s, a, flags, pool);
	}
	return MW_OK;
}

/* walk_org - §4.10.2 Organizational Domain from a completed walk; MW_ETEMP if unsure */
static mw_status walk_org(const walk *w, mw_pool *pool, const char **org)
{
	const char *start = w->step[0].name, *found = NULL;
	for (size_t i = 0; i < w->n; i++) {
		const walk_step *s = &w->step[i];
		if (s->state == W_TEMP)
			return MW_ETEMP;
		if (s->state != W_ONE && s->state != W_UNUSABLE)
			continue;
		if (s->rec.psd == MW_DMARC_PSD_N) {
			found = s->name;
			break;
		}
		if (s->rec.psd == MW_DMARC_PSD_Y) {
			/* the domain one label below the PSD, along the starting name */
			found = i == 0 ? start : last_labels(start, count_labels(s->name) + 1);
			break;
		}
		found = s->name; /* fewest labels so far */
	}
	*org = mw_pool_strdup(pool, found ? found : start);
	return *org ? MW_OK : MW_ENOMEM;
}

/* mw_dmarc_org_domain - public wrapper */
mw_status mw_dmarc_org_domain(const char *domain, dns_lookup *lk, mw_pool *pool,
			      const char **org)
{
	walk *w = mw_pool_alloc(pool, sizeof(*w));
	if (!w)
		return MW_ENOMEM;
	mw_status st = do_walk(domain, lk, 0, pool, w);
	return st == MW_OK ? walk_org(w, pool, org) : st;
}

/* ---- alignment ---------------------------------------------------------- */

/* aligned - identifier vs Author Domain; MW_OK with *yes, MW_NEED_DNS or MW_ETEMP */
static mw_status aligned(const char *id, const mw_dmarc_domain *d, bool strict, dns_lookup *lk,
			 mw_pool *pool, bool *yes)
{
	*yes = false;
	if (!id || !*id)
		return MW_OK;
	char norm[MW_DNS_NAME_MAX + 1];
	if (!mw_domain_normalize(id, norm, sizeof(norm)))
		return MW_OK;
	if (strcmp(norm, d->from_domain) == 0) {
		*yes = true;
		return MW_OK;
	}
	if (strict || !mw_domain_is_sub(norm, d->org_domain))
		return MW_OK;
	const char *org;
	mw_status st = mw_dmarc_org_domain(norm, lk, pool, &org);
	if (st == MW_OK)
		*yes = strcmp(org, d->org_domain) == 0;
	return st;
}

/* check_alignment - SPF and DKIM alignment for one Author Domain */
static mw_status check_alignment(const mw_dmarc_input *in, mw_dmarc_domain *d, dns_lookup *lk,
				 mw_pool *pool, bool *unsure)
{
	const mw_dmarc_record *r = &d->record;
	mw_status st;
	bool rfc7489 = in->flags & MW_DMARC_RFC7489;
	size_t nd = in->ndkim < MW_DMARC_DKIM_MAX ? in->ndkim : MW_DMARC_DKIM_MAX;
	for (size_t i = 0; i < nd && !d->dkim_aligned; i++) {
		if (in->dkim[i].result != MW_AUTH_PASS)
			continue;
		bool yes;
		st = aligned(in->dkim[i].domain, d, r->adkim_strict, lk, pool, &yes);
		if (st == MW_ETEMP)
			*unsure = true;
		else if (st != MW_OK)
			return st;
		if (yes) {
			d->dkim_aligned = true;
			d->dkim_aligned_domain = mw_pool_strdup(pool, in->dkim[i].domain);
		}
	}
	const mw_dmarc_spf *spf = in->spf;
	if (spf && spf->result == MW_AUTH_PASS &&
	    (spf->scope == MW_DMARC_SPF_MAILFROM || rfc7489)) {
		st = aligned(spf->domain, d, r->aspf_strict, lk, pool, &d->spf_aligned);
		if (st == MW_ETEMP)
			*unsure = true;
		else if (st != MW_OK)
			return st;
	}
	return MW_OK;
}

/* ---- policy selection ----------------------------------------------------- */

/* lower_one - reject -> quarantine -> none */
static mw_dmarc_policy lower_one(mw_dmarc_policy p)
{
	return p == MW_DMARC_POLICY_REJECT ? MW_DMARC_POLICY_QUARANTINE : MW_DMARC_POLICY_NONE;
}

/* domain_exists - A/AAAA/MX of the Author Domain; MW_OK, MW_NEED_DNS, MW_ETEMP */
static mw_status domain_exists(const char *name, dns_lookup *lk, bool *exists)
{
	static const dns_type types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX};
	bool missing = false;
	for (size_t i = 0; i < 3; i++)
		missing |= !dns_lookup_want(lk, name, types[i]);
	if (missing)
		return MW_NEED_DNS;
	bool temp = false;
	*exists = false;
	for (size_t i = 0; i < 3; i++) {
		const dns_answer *a = dns_lookup_get(lk, name, types[i]);
		if (a && a->status == DNS_OK)
			*exists = true;
		temp |= a && a->status == DNS_TEMPFAIL;
	}
	return *exists || !temp ? MW_OK : MW_ETEMP;
}

/* select_policy - p / sp / np (§5.3); MW_NEED_DNS or MW_ETEMP from the existence check */
static mw_status select_policy(const mw_dmarc_input *in, mw_dmarc_domain *d, dns_lookup *lk)
{
	const mw_dmarc_record *r = &d->record;
	bool rfc7489 = in->flags & MW_DMARC_RFC7489;
	d->policy_tag = "p";
	d->requested = r->p;
	if (strcmp(d->policy_domain, d->from_domain) == 0)
		return MW_OK;
	if (r->has_sp) {
		d->policy_tag = "sp";
		d->requested = r->sp;
	}
	if (rfc7489 || !r->has_np || r->np == d->requested)
		return MW_OK; /* np cannot change the outcome: no existence lookups */
	bool exists;
	mw_status st = domain_exists(d->from_domain, lk, &exists);
	if (st != MW_OK)
		return st;
	if (!exists) {
		d->nonexistent = true;
		d->policy_tag = "np";
		d->requested = r->np;
	}
	return MW_OK;
}

/* apply_policy - t=y (RFC 9989) or pct sampling (RFC 7489 mode), then disposition */
static void apply_policy(const mw_dmarc_input *in, mw_dmarc_domain *d)
{
	const mw_dmarc_record *r = &d->record;
	d->applied = d->requested;
	if (in->flags & MW_DMARC_RFC7489) {
		if (r->pct >= 0 && r->pct < 100 && in->pct_roll >= (unsigned)r->pct) {
			d->sampled_out = true;
			d->applied = lower_one(d->requested);
		}
	} else if (r->testing) {
		d->testing = true;
		d->applied = MW_DMARC_POLICY_NONE;
	}
	d->disposition = d->result == MW_AUTH_FAIL ? d->applied : MW_DMARC_POLICY_NONE;
}

/* ---- report destinations ----------------------------------------------- */

/* check_one_dest - <policy-domain>._report._dmarc.<host> must hold v=DMARC1 */
static mw_status check_one_dest(mw_dmarc_domain *d, mw_dmarc_report_dest *rd, dns_lookup *lk)
{
	char q[MW_DNS_NAME_MAX + 32];
	int k = snprintf(q, sizeof(q), "%s._report._dmarc.%s", d->policy_domain, rd->domain);
	if (k < 0 || (size_t)k > MW_DNS_NAME_MAX) {
		rd->verified = MW_AUTH_FAIL; /* cannot be published: not authorised */
		return MW_OK;
	}
	const dns_answer *a = dns_lookup_get(lk, q, DNS_T_TXT);
	if (!a)
		return MW_NEED_DNS;
	rd->verified = a->status == DNS_TEMPFAIL ? MW_AUTH_TEMPERROR : MW_AUTH_FAIL;
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++)
		if (mw_dmarc_record_is_candidate(a->rr[i].txt, a->rr[i].txt_len))
			rd->verified = MW_AUTH_PASS;
	return MW_OK;
}

/* check_reports - classify rua/ruf destinations and verify external ones */
static mw_status check_reports(mw_dmarc_domain *d, dns_lookup *lk)
{
	const mw_dmarc_record *r = &d->record;
	d->nreports = 0;
	size_t checks = 0;
	bool need = false;
	for (size_t t = 0; t < 2; t++) {
		const mw_dmarc_uri *u = t ? r->ruf : r->rua;
		size_t n = t ? r->nruf : r->nrua;
		for (size_t i = 0; i < n; i++) {
			mw_dmarc_report_dest *rd = &d->reports[d->nreports++];
			*rd = (mw_dmarc_report_dest){u[i].uri, u[i].domain, false, MW_AUTH_NONE};
			if (!u[i].domain || mw_domain_is_sub(u[i].domain, d->org_domain))
				continue;
			rd->external = true;
			if (checks++ >= MW_DMARC_REPORT_CHECKS_MAX)
				continue; /* not verified: left NONE */
			if (check_one_dest(d, rd, lk) == MW_NEED_DNS)
				need = true;
		}
	}
	return need ? MW_NEED_DNS : MW_OK;
}

/* ---- one Author Domain ----------------------------------------------------- */

/* find_policy - the first usable record of the walk, or the reason there is none */
static void find_policy(const walk *w, mw_dmarc_domain *d, mw_pool *pool)
{
	for (size_t i = 0; i < w->n; i++) {
		const walk_step *s = &w->step[i];
		if (s->state == W_TEMP || s->state == W_MALFORMED || s->state == W_UNUSABLE) {
			/* an unusable record (invalid p, no rua) stops the walk: "the Mail
			 * Receiver applies no DMARC processing" (RFC 7489 §6.6.3 step 6) */
			d->result = s->state == W_TEMP	       ? MW_AUTH_TEMPERROR
				    : s->state == W_MALFORMED ? MW_AUTH_PERMERROR
							      : MW_AUTH_NONE;
			d->reason = mw_pool_strdup(pool, s->why);
			return;
		}
		if (s->state == W_ONE) {
			d->has_record = true;
			d->record = s->rec;
			d->policy_domain = mw_pool_strdup(pool, s->name);
			return;
		}
		if (s->state == W_MULTI && !d->reason)
			d->reason = mw_pool_strdup(pool, s->why);
	}
	d->result = MW_AUTH_NONE;
	if (!d->reason)
		d->reason = "no DMARC policy record found by the DNS tree walk";
}

/* eval_domain - the whole evaluation for one Author Domain */
static mw_status eval_domain(const mw_dmarc_input *in, mw_dmarc_domain *d, dns_lookup *lk,
			     mw_pool *pool)
{
	walk *w = mw_pool_alloc(pool, sizeof(*w));
	if (!w)
		return MW_ENOMEM;
	unsigned rflags = in->flags & MW_DMARC_RFC7489;
	mw_status st = do_walk(d->from_domain, lk, rflags, pool, w);
	if (st != MW_OK)
		return st;
	d->walk_queries = (unsigned)w->n;
	find_policy(w, d, pool);
	if (walk_org(w, pool, &d->org_domain) == MW_ETEMP && d->has_record) {
		d->result = MW_AUTH_TEMPERROR;
		d->reason = "DNS temporary failure while finding the Organizational Domain";
	}
	if (!d->has_record || d->result == MW_AUTH_TEMPERROR)
		return MW_OK;
	bool unsure = false;
	if ((st = check_alignment(in, d, lk, pool, &unsure)) != MW_OK)
		return st;
	st = select_policy(in, d, lk);
	if (st == MW_ETEMP) {
		d->result = MW_AUTH_TEMPERROR;
		d->reason = "DNS temporary failure checking whether the Author Domain exists (np)";
		return MW_OK;
	}
	if (st != MW_OK)
		return st;
	if (d->spf_aligned || d->dkim_aligned) {
		d->result = MW_AUTH_PASS;
		d->reason = d->dkim_aligned ? (d->spf_aligned ? "aligned DKIM and SPF pass"
							      : "aligned DKIM pass")
					    : "aligned SPF pass";
	} else if (unsure) {
		d->result = MW_AUTH_TEMPERROR;
		d->reason = "DNS temporary failure while checking identifier alignment";
	} else {
		d->result = MW_AUTH_FAIL;
		d->reason = "no aligned SPF or DKIM pass";
	}
	apply_policy(in, d);
	if (in->flags & MW_DMARC_CHECK_REPORTS)
		return check_reports(d, lk);
	return MW_OK;
}

/* ---- the message ------------------------------------------------------------- */

/* rank - order of badness for the overall result */
static int rank(mw_auth_result r)
{
	switch (r) {
	case MW_AUTH_FAIL: return 4;
	case MW_AUTH_TEMPERROR: return 3;
	case MW_AUTH_PERMERROR: return 2;
	case MW_AUTH_PASS: return 1;
	default: return 0;
	}
}

/* collect_domains - distinct, normalised From domains */
static mw_status collect_domains(const mw_dmarc_input *in, mw_pool *pool, mw_dmarc_result *out,
				 mw_err *err)
{
	for (size_t i = 0; i < in->nfrom; i++) {
		char norm[MW_DNS_NAME_MAX + 1];
		bool ok = in->from_domains[i] &&
			  mw_domain_normalize(in->from_domains[i], norm, sizeof(norm));
		bool dup = false;
		for (size_t k = 0; ok && k < out->ndomains; k++)
			dup |= strcmp(out->domain[k].from_domain, norm) == 0;
		if (!ok || dup)
			continue;
		if (out->ndomains >= MW_DMARC_FROM_DOMAINS_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d distinct From domains",
					  MW_DMARC_FROM_DOMAINS_MAX);
		mw_dmarc_domain *d = &out->domain[out->ndomains++];
		memset(d, 0, sizeof(*d));
		d->from_domain = mw_pool_strdup(pool, norm);
		if (!d->from_domain)
			return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	return MW_OK;
}

/* mw_dmarc_evaluate - evaluate every Author Domain and combine */
mw_status mw_dmarc_evaluate(const mw_dmarc_input *in, dns_lookup *lk, mw_pool *pool,
			    mw_dmarc_result *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	mw_status st = collect_domains(in, pool, out, err);
	if (st != MW_OK)
		return st;
	if (out->ndomains == 0) {
		out->result = MW_AUTH_NONE;
		out->reason = in->nfrom ? "no usable RFC5322.From domain: DMARC cannot be applied"
					: "no RFC5322.From domain: DMARC cannot be applied";
		return MW_OK;
	}
	bool need = false;
	for (size_t i = 0; i < out->ndomains; i++) {
		st = eval_domain(in, &out->domain[i], lk, pool);
		if (st == MW_NEED_DNS) {
			need = true; /* keep going: later domains add their names to this round */
			continue;
		}
		if (st != MW_OK)
			return mw_err_set(err, st, "DMARC evaluation of %s: %s", out->domain[i].from_domain,
					  mw_status_str(st));
	}
	if (need)
		return MW_NEED_DNS;
	const mw_dmarc_domain *worst = &out->domain[0];
	for (size_t i = 1; i < out->ndomains; i++) {
		const mw_dmarc_domain *d = &out->domain[i];
		if (rank(d->result) > rank(worst->result) ||
		    (d->result == worst->result && d->disposition > worst->disposition))
			worst = d;
	}
	out->result = worst->result;
	out->policy = worst->applied;
	out->disposition = worst->disposition;
	out->reason = worst->reason;
	return MW_OK;
}
