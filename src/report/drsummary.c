/*
 * report/drsummary.c - per-source and per-reporter roll-up of aggregate
 * reports, source classes and policy advice.  See drsummary.h.
 */
#include "report/drsummary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"

#define ADVICE_MAX 8

struct mw_drs {
	mw_htab *sources, *reporters, *seen; /* seen: "org\nreport_id" of added reports */
	uint64_t duplicates;
	mw_drs_source **slist;
	mw_drs_reporter **rlist;
	uint64_t reports, messages, by_class[MW_DRS_CLASSES], by_disp[MW_DRS_DISPS];
	int policy; /* 0 none, 1 quarantine, 2 reject */
	char advice[ADVICE_MAX][512];
};

/* mw_drs_new - see header */
mw_drs *mw_drs_new(void)
{
	mw_drs *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sources = mw_htab_new(free);
	s->reporters = mw_htab_new(free);
	s->seen = mw_htab_new(NULL);
	if (!s->sources || !s->reporters || !s->seen) {
		mw_drs_free(s);
		return NULL;
	}
	return s;
}

/* mw_drs_free - see header */
void mw_drs_free(mw_drs *s)
{
	if (!s)
		return;
	mw_htab_free(s->sources);
	mw_htab_free(s->reporters);
	mw_htab_free(s->seen);
	free(s->slist);
	free(s->rlist);
	free(s);
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* mw_drs_classify - see header */
mw_drs_class mw_drs_classify(const mw_dr_record *r)
{
	if (eq(r->dkim, "pass") || eq(r->spf, "pass"))
		return MW_DRS_ALIGNED;
	for (size_t i = 0; i < r->n_reasons; i++)
		if (eq(r->reasons[i].type, "forwarded") || eq(r->reasons[i].type, "mailing_list") ||
		    eq(r->reasons[i].type, "trusted_forwarder"))
			return MW_DRS_FORWARDER;
	for (size_t i = 0; i < r->n_dkim; i++)
		if (eq(r->dkim_res[i].result, "pass"))
			return MW_DRS_NOT_ALIGNED;
	for (size_t i = 0; i < r->n_spf; i++)
		if (eq(r->spf_res[i].result, "pass"))
			return MW_DRS_NOT_ALIGNED;
	for (size_t i = 0; i < r->n_dkim; i++)
		if (eq(r->dkim_res[i].domain, r->header_from) && !eq(r->dkim_res[i].result, "none"))
			return MW_DRS_FORWARDER; /* our own signature, broken in transit */
	return MW_DRS_UNAUTH;
}

static mw_drs_disp disp_of(const char *d)
{
	if (!d || eq(d, "none") || eq(d, "pass"))
		return MW_DRS_NONE;
	if (eq(d, "quarantine"))
		return MW_DRS_QUARANTINE;
	if (eq(d, "reject"))
		return MW_DRS_REJECT;
	return MW_DRS_DISP_OTHER;
}

/* auth_domain - first domain with an auth_results pass, or NULL */
static const char *auth_domain(const mw_dr_record *r)
{
	for (size_t i = 0; i < r->n_dkim; i++)
		if (eq(r->dkim_res[i].result, "pass") && r->dkim_res[i].domain)
			return r->dkim_res[i].domain;
	for (size_t i = 0; i < r->n_spf; i++)
		if (eq(r->spf_res[i].result, "pass") && r->spf_res[i].domain)
			return r->spf_res[i].domain;
	return NULL;
}

static void copy(char *dst, size_t n, const char *src)
{
	if (!dst[0] && src)
		snprintf(dst, n, "%s", src);
}

/* source_for - the source entry of ip, created on first use; NULL over the limit */
static mw_drs_source *source_for(mw_drs *s, const char *ip)
{
	mw_drs_source *src = mw_htab_get(s->sources, ip, strlen(ip));
	if (src || mw_htab_count(s->sources) >= MW_DRS_SOURCES_MAX)
		return src;
	src = calloc(1, sizeof(*src));
	if (!src || mw_htab_put(s->sources, ip, strlen(ip), src) != MW_OK) {
		free(src);
		return NULL;
	}
	snprintf(src->ip, sizeof(src->ip), "%s", ip);
	return src;
}

/* add_record - one record into totals, its source and its reporter */
static void add_record(mw_drs *s, const mw_dr_report *rep, const mw_dr_record *r,
		       mw_drs_reporter *who)
{
	mw_drs_class c = mw_drs_classify(r);
	mw_drs_disp d = disp_of(r->disposition);
	s->messages += r->count;
	s->by_class[c] += r->count;
	s->by_disp[d] += r->count;
	if (who) {
		who->messages += r->count;
		if (c == MW_DRS_ALIGNED)
			who->aligned += r->count;
	}
	mw_drs_source *src = source_for(s, r->source_ip ? r->source_ip : "(none)");
	if (!src)
		return;
	src->messages += r->count;
	src->by_class[c] += r->count;
	src->by_disp[d] += r->count;
	src->spf_aligned += eq(r->spf, "pass") ? r->count : 0;
	src->dkim_aligned += eq(r->dkim, "pass") ? r->count : 0;
	for (size_t i = 0; i < r->n_spf; i++)
		if (eq(r->spf_res[i].result, "pass")) {
			src->spf_pass += r->count;
			break;
		}
	for (size_t i = 0; i < r->n_dkim; i++)
		if (eq(r->dkim_res[i].result, "pass")) {
			src->dkim_pass += r->count;
			break;
		}
	copy(src->header_from, sizeof(src->header_from), r->header_from ? r->header_from : rep->domain);
	copy(src->auth_domain, sizeof(src->auth_domain), auth_domain(r));
	copy(src->reporter, sizeof(src->reporter), rep->org_name);
}

/* seen_before - remember (org, report_id); true if already there */
static bool seen_before(mw_drs *s, const char *org, const char *id, mw_err *err, mw_status *st)
{
	char key[1024];
	int n = snprintf(key, sizeof(key), "%s\n%s", org, id);
	size_t kl = n < 0 ? 0 : (size_t)n >= sizeof(key) ? sizeof(key) - 1 : (size_t)n;
	if (mw_htab_get(s->seen, key, kl))
		return true;
	if (mw_htab_put(s->seen, key, kl, s) != MW_OK)
		*st = mw_err_set(err, MW_ENOMEM, "out of memory");
	return false;
}

/* mw_drs_duplicates - see header */
uint64_t mw_drs_duplicates(const mw_drs *s)
{
	return s->duplicates;
}

/* mw_drs_add - see header */
mw_status mw_drs_add(mw_drs *s, const mw_dr_report *r, bool *dup, mw_err *err)
{
	const char *org = r->org_name ? r->org_name : r->email ? r->email : "(unknown)";
	mw_status st = MW_OK;
	if (dup)
		*dup = false;
	if (r->report_id && seen_before(s, org, r->report_id, err, &st)) {
		s->duplicates++;
		if (dup)
			*dup = true;
		return MW_OK;
	}
	if (st != MW_OK)
		return st;
	mw_drs_reporter *who = mw_htab_get(s->reporters, org, strlen(org));
	if (!who && mw_htab_count(s->reporters) < MW_DRS_REPORTERS_MAX) {
		who = calloc(1, sizeof(*who));
		if (!who || mw_htab_put(s->reporters, org, strlen(org), who) != MW_OK) {
			free(who);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
		snprintf(who->org, sizeof(who->org), "%s", org);
	}
	if (who)
		who->reports++;
	s->reports++;
	int pol = eq(r->p, "reject") ? 2 : eq(r->p, "quarantine") ? 1 : 0;
	if (pol > s->policy)
		s->policy = pol;
	for (size_t i = 0; i < r->n_records; i++)
		add_record(s, r, &r->records[i], who);
	return MW_OK;
}

static int cmp_src(const void *a, const void *b)
{
	const mw_drs_source *x = *(mw_drs_source *const *)a, *y = *(mw_drs_source *const *)b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	return strcmp(x->ip, y->ip);
}

static int cmp_rep(const void *a, const void *b)
{
	const mw_drs_reporter *x = *(mw_drs_reporter *const *)a, *y = *(mw_drs_reporter *const *)b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	return strcmp(x->org, y->org);
}

/* collect - the table's values into a sorted array (replacing *list) */
static void **collect(mw_htab *t, void ***list, int (*cmp)(const void *, const void *), size_t *n)
{
	free(*list);
	*n = 0;
	*list = calloc(mw_htab_count(t) + 1, sizeof(void *));
	if (!*list)
		return NULL;
	mw_htab_iter it = {0};
	const char *k;
	size_t kl;
	void *v;
	while (mw_htab_next(t, &it, &k, &kl, &v))
		(*list)[(*n)++] = v;
	qsort(*list, *n, sizeof(void *), cmp);
	return *list;
}

/* mw_drs_sources - see header */
const mw_drs_source *const *mw_drs_sources(mw_drs *s, size_t *n)
{
	collect(s->sources, (void ***)&s->slist, cmp_src, n);
	for (size_t i = 0; i < *n; i++) {
		mw_drs_source *x = s->slist[i];
		x->cls = MW_DRS_ALIGNED;
		for (int c = 1; c < MW_DRS_CLASSES; c++)
			if (x->by_class[c] > x->by_class[x->cls])
				x->cls = (mw_drs_class)c;
	}
	return (const mw_drs_source *const *)s->slist;
}

/* mw_drs_reporters - see header */
const mw_drs_reporter *const *mw_drs_reporters(mw_drs *s, size_t *n)
{
	collect(s->reporters, (void ***)&s->rlist, cmp_rep, n);
	return (const mw_drs_reporter *const *)s->rlist;
}

/* mw_drs_totals - see header */
void mw_drs_totals(const mw_drs *s, uint64_t *reports, uint64_t *messages,
		   uint64_t by_class[MW_DRS_CLASSES], uint64_t by_disp[MW_DRS_DISPS])
{
	*reports = s->reports;
	*messages = s->messages;
	memcpy(by_class, s->by_class, sizeof(s->by_class));
	memcpy(by_disp, s->by_disp, sizeof(s->by_disp));
}

/* mw_drs_policy - see header */
const char *mw_drs_policy(const mw_drs *s)
{
	return s->policy == 2 ? "reject" : s->policy == 1 ? "quarantine" : "none";
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* mw_drs_advice - see header */
size_t mw_drs_advice(mw_drs *s, const char **out, size_t max)
{
	size_t k = 0;
	const uint64_t *c = s->by_class;
	uint64_t m = s->messages;
#define SAY(...)                                                                       \
	do {                                                                           \
		if (k < max && k < ADVICE_MAX) {                                       \
			snprintf(s->advice[k], sizeof(s->advice[k]), __VA_ARGS__);     \
			out[k] = s->advice[k];                                         \
			k++;                                                           \
		}                                                                      \
	} while (0)
	if (m == 0) {
		SAY("No messages in the reports: nothing to judge yet; keep p=none and collect a few weeks of reports.");
		return k;
	}
	SAY("%.1f%% of %llu messages passed DMARC (aligned).", pct(c[MW_DRS_ALIGNED], m),
	    (unsigned long long)m);
	if (c[MW_DRS_NOT_ALIGNED])
		SAY("%llu messages (%.1f%%) authenticated for another domain but not aligned: a service sending for you. "
		    "Fix first: sign with DKIM d=<your domain> or use a Return-Path in your domain; "
		    "quarantine/reject would hit these.",
		    (unsigned long long)c[MW_DRS_NOT_ALIGNED], pct(c[MW_DRS_NOT_ALIGNED], m));
	if (c[MW_DRS_FORWARDER])
		SAY("%llu messages (%.1f%%) look forwarded or sent through lists: keep DKIM signing everything "
		    "(it survives plain forwarding); a stricter policy may lose some list mail.",
		    (unsigned long long)c[MW_DRS_FORWARDER], pct(c[MW_DRS_FORWARDER], m));
	if (c[MW_DRS_UNAUTH])
		SAY("%llu messages (%.1f%%) from unauthorised sources failed SPF and DKIM: spoofing (or a service you "
		    "have not set up) that p=reject would stop.",
		    (unsigned long long)c[MW_DRS_UNAUTH], pct(c[MW_DRS_UNAUTH], m));
	uint64_t legit = c[MW_DRS_ALIGNED] + c[MW_DRS_NOT_ALIGNED];
	bool clean = c[MW_DRS_NOT_ALIGNED] == 0 || pct(c[MW_DRS_NOT_ALIGNED], legit) < 0.5;
	if (clean && s->policy == 2)
		SAY("Verdict: already at p=reject and your authenticated mail is aligned; keep it.");
	else if (clean)
		SAY("Verdict: safe to move to p=%s (t=y first if unsure)%s.%s",
		    s->policy == 0 ? "quarantine" : "reject",
		    s->policy == 0 ? ", then to p=reject after a clean week of reports" : "",
		    c[MW_DRS_UNAUTH] > c[MW_DRS_ALIGNED]
			    ? " First check that no unauthorised source above is a service of yours."
			    : "");
	else if (s->policy == 2)
		SAY("Verdict: at p=reject, %.1f%% of your authenticated mail is not aligned and is being "
		    "rejected or quarantined now: align those services.",
		    pct(c[MW_DRS_NOT_ALIGNED], legit));
	else
		SAY("Verdict: NOT yet safe to leave p=%s: %.1f%% of your authenticated mail is not aligned "
		    "and would be quarantined or rejected.",
		    mw_drs_policy(s), pct(c[MW_DRS_NOT_ALIGNED], legit));
#undef SAY
	return k;
}

/* mw_drs_class_name - see header */
const char *mw_drs_class_name(mw_drs_class c)
{
	static const char *const n[] = {"aligned", "not-aligned", "forwarder", "unauthorised"};
	return c < MW_DRS_CLASSES ? n[c] : "?";
}

/* mw_drs_disp_name - see header */
const char *mw_drs_disp_name(mw_drs_disp d)
{
	static const char *const n[] = {"none", "quarantine", "reject", "other"};
	return d < MW_DRS_DISPS ? n[d] : "?";
}
