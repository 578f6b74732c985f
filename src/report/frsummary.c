/*
 * report/frsummary.c - failure reports per source IP (see frsummary.h).
 */
#include "report/frsummary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/str.h"

struct mw_frs {
	mw_htab *by_ip;             /* ip -> mw_frs_source (owned) */
	mw_htab *seen;              /* report keys (value: the table itself, unused) */
	const mw_frs_source **sorted;
	size_t nsorted;
	uint64_t reports, duplicates;
};

/* mw_frs_new - see header */
mw_frs *mw_frs_new(void)
{
	mw_frs *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->by_ip = mw_htab_new(free);
	s->seen = mw_htab_new(NULL);
	if (!s->by_ip || !s->seen) {
		mw_frs_free(s);
		return NULL;
	}
	return s;
}

/* mw_frs_free - see header */
void mw_frs_free(mw_frs *s)
{
	if (!s)
		return;
	mw_htab_free(s->by_ip);
	mw_htab_free(s->seen);
	free(s->sorted);
	free(s);
}

/* fill - first-seen values of a new row */
static void fill(mw_frs_source *x, const mw_arf_report *r)
{
	mw_strlcpy(x->feedback_type, r->feedback_type ? r->feedback_type : "", sizeof(x->feedback_type));
	mw_strlcpy(x->auth_failure, r->auth_failure ? r->auth_failure : "", sizeof(x->auth_failure));
	mw_strlcpy(x->domain, r->reported_domain.n ? r->reported_domain.v[0] : "", sizeof(x->domain));
	mw_strlcpy(x->subject, r->subject ? r->subject : "", sizeof(x->subject));
	mw_strlcpy(x->mail_from, r->original_mail_from ? r->original_mail_from : "",
		   sizeof(x->mail_from));
	const char *rep = r->user_agent ? r->user_agent : r->report_from;
	mw_strlcpy(x->reporter, rep ? rep : "", sizeof(x->reporter));
	x->first = x->last = -1;
}

/* mw_frs_add - see header */
mw_status mw_frs_add(mw_frs *s, const mw_arf_report *r, bool *dup, mw_err *err)
{
	char key[1024];
	if (dup)
		*dup = false;
	mw_arf_key(r, key, sizeof(key));
	if (mw_htab_get(s->seen, key, strlen(key))) {
		s->duplicates++;
		if (dup)
			*dup = true;
		return MW_OK;
	}
	if (mw_htab_count(s->seen) < MW_FRS_SEEN_MAX &&
	    mw_htab_put(s->seen, key, strlen(key), s) != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	s->reports++;
	const char *ip = r->source_ip && *r->source_ip ? r->source_ip : "unknown";
	size_t ilen = strnlen(ip, 63);
	mw_frs_source *x = mw_htab_get(s->by_ip, ip, ilen);
	if (!x) {
		if (mw_htab_count(s->by_ip) >= MW_FRS_SOURCES_MAX)
			return MW_OK;
		if (!(x = calloc(1, sizeof(*x))) || mw_htab_put(s->by_ip, ip, ilen, x) != MW_OK) {
			free(x);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
		memcpy(x->ip, ip, ilen);
		fill(x, r);
	}
	x->reports++;
	x->incidents += r->incidents;
	if (r->arrival >= 0) {
		if (x->first < 0 || r->arrival < x->first)
			x->first = r->arrival;
		if (r->arrival > x->last)
			x->last = r->arrival;
	}
	free(s->sorted);
	s->sorted = NULL;
	return MW_OK;
}

static int cmp_src(const void *a, const void *b)
{
	const mw_frs_source *x = *(const mw_frs_source *const *)a;
	const mw_frs_source *y = *(const mw_frs_source *const *)b;
	if (x->reports != y->reports)
		return x->reports < y->reports ? 1 : -1;
	return strcmp(x->ip, y->ip);
}

/* mw_frs_sources - see header */
const mw_frs_source *const *mw_frs_sources(mw_frs *s, size_t *n)
{
	size_t c = mw_htab_count(s->by_ip);
	if (!s->sorted && c) {
		s->sorted = malloc(c * sizeof(*s->sorted));
		if (!s->sorted) {
			*n = 0;
			return NULL;
		}
		mw_htab_iter it = {0};
		const char *k;
		size_t kl, i = 0;
		void *v;
		while (i < c && mw_htab_next(s->by_ip, &it, &k, &kl, &v))
			s->sorted[i++] = v;
		qsort(s->sorted, i, sizeof(*s->sorted), cmp_src);
		s->nsorted = i;
	}
	*n = s->sorted ? s->nsorted : 0;
	return s->sorted;
}

/* mw_frs_totals - see header */
void mw_frs_totals(const mw_frs *s, uint64_t *reports, uint64_t *duplicates)
{
	*reports = s->reports;
	*duplicates = s->duplicates;
}
