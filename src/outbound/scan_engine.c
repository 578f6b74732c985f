/*
 * outbound/scan_engine.c - multi-pattern matching for the content rules.
 *
 * DESCRIPTION
 *   With Vectorscan (MW_HAVE_HS, Debian libvectorscan-dev) every pattern of
 *   a set (header, body, phrase, link; scan_int.h) is compiled into one
 *   block-mode database with hs_compile_multi, each regex with
 *   HS_FLAG_SINGLEMATCH (a rule reports once per scan), HS_FLAG_UTF8 and the
 *   rule's own flags (i = HS_FLAG_CASELESS, s = HS_FLAG_DOTALL, link rules
 *   HS_FLAG_MULTILINE).  Each phrase is its own byte-mode caseless literal
 *   (the rule's index as id), scanned over the folded text (scan_fold):
 *   literals compile in microseconds and run in Vectorscan's literal
 *   matchers, where a regex with classes and repeats costs milliseconds of
 *   compilation each.  One scan of the text finds every rule that may
 *   match, whatever the number of rules; PCRE2 then confirms each candidate
 *   near the offset Vectorscan reported and extracts the matched text (the
 *   "why").  PCRE2 stays the authority, so both engines give the same
 *   verdicts on the same rules.
 *
 *   A pattern Vectorscan refuses (look-around, back-references) is
 *   compiled again with HS_FLAG_PREFILTER (a superset that PCRE2 narrows);
 *   if that fails too the rule runs as its own PCRE2 pass.  Both cases are
 *   written to the load notes (mw_scan_rules_notes) for the caller to log.
 *   Without Vectorscan every pattern rule is such a PCRE2 pass.
 *
 * LIMITS
 *   Text must be valid UTF-8 (HS_FLAG_UTF8; scan.c repairs it first).
 *   A phrase literal is reported at every occurrence and confirmed right
 *   there (its \b ends are PCRE2's); a regex reports once
 *   (SINGLEMATCH) and PCRE2 confirms near that end, then from the start.
 *   Idle scratch spaces kept: SCAN_SCRATCH_IDLE; a confirmation first
 *   looks at the SCAN_CONFIRM_WINDOW bytes before the reported end.
 *
 * THREADS
 *   Scanning is safe from many threads on the same rules: each scan takes
 *   a scratch space from a mutex-protected free list (or clones one) and
 *   gives it back, so there is one scratch per concurrent thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "outbound/scan_int.h"

#ifdef MW_HAVE_HS
#include <hs.h>
#endif

#define SCAN_SCRATCH_IDLE 16        /* idle scratch spaces kept: > milter threads in practice */
#define SCAN_CONFIRM_WINDOW 8192    /* bytes before a reported end tried first */

struct scan_engine {
	char name[48];
#ifdef MW_HAVE_HS
	hs_database_t *db[SCAN_SET_N];
	hs_scratch_t *proto; /* sized for every database; cloned per thread */
	pthread_mutex_t mu;
	hs_scratch_t *idle[SCAN_SCRATCH_IDLE];
	size_t nidle;
#endif
};

scan_set scan_rule_set(const scan_rule *r)
{
	switch (r->kind) {
	case SCAN_HEADER:
		return SCAN_SET_HEADER;
	case SCAN_BODY:
		return SCAN_SET_BODY;
	case SCAN_PHRASE:
		return SCAN_SET_PHRASE;
	case SCAN_LINK:
		return SCAN_SET_LINK;
	default:
		return SCAN_SET_N;
	}
}

const char *scan_engine_name(const scan_engine *e)
{
	return e ? e->name : "";
}

/* note - one load note line */
static void note(mw_scan_rules *rs, const scan_rule *r, const char *what, const char *why)
{
	(void)mw_buf_printf(&rs->notes, "rule %s: %s (%s)\n", r->name, what, why);
}

/* pcre2_build - no databases: every pattern rule is a PCRE2 pass */
static mw_status pcre2_build(mw_scan_rules *rs, mw_err *err)
{
	if (!(rs->eng = calloc(1, sizeof(*rs->eng))))
		return mw_err_set(err, MW_ENOMEM, "out of memory");
#ifdef MW_HAVE_HS
	pthread_mutex_init(&rs->eng->mu, NULL);
#endif
	mw_strlcpy(rs->eng->name, "pcre2", sizeof(rs->eng->name));
	for (size_t i = 0; i < rs->n; i++)
		rs->rule[i].fallback = scan_rule_set(&rs->rule[i]) != SCAN_SET_N;
	return MW_OK;
}

#ifdef MW_HAVE_HS
/* hs_flags_of - Vectorscan flags for a rule's PCRE2 options */
static unsigned hs_flags_of(const scan_rule *r)
{
	unsigned f = HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | HS_FLAG_ALLOWEMPTY;
	if (r->opts & PCRE2_CASELESS)
		f |= HS_FLAG_CASELESS;
	if (r->opts & PCRE2_DOTALL)
		f |= HS_FLAG_DOTALL;
	if (r->opts & PCRE2_MULTILINE)
		f |= HS_FLAG_MULTILINE;
	return f;
}

/* drop - remove entry k of the parallel compile arrays */
static void drop(const char **ex, unsigned *fl, unsigned *id, unsigned *n, unsigned k)
{
	memmove(ex + k, ex + k + 1, (*n - k - 1) * sizeof(*ex));
	memmove(fl + k, fl + k + 1, (*n - k - 1) * sizeof(*fl));
	memmove(id + k, id + k + 1, (*n - k - 1) * sizeof(*id));
	(*n)--;
}

/* compile_set - one database for the set; a refused pattern is retried
 * as a prefilter, then left to PCRE2 (each retry removes one problem, so
 * at most 2n + 1 compilations); why[] keeps each rule's refusal for the
 * notes */
static mw_status compile_set(mw_scan_rules *rs, scan_set set, const char **ex, unsigned *fl,
			     unsigned *id, char (*why)[96])
{
	unsigned n = 0;
	for (uint32_t i = 0; i < rs->n; i++) {
		const scan_rule *r = &rs->rule[i];
		if (scan_rule_set(r) != set)
			continue;
		for (size_t k = 0; k < r->nhs; k++) { /* phrases: byte-mode literals, every */
			ex[n] = r->hs[k];          /* occurrence (the \b test is PCRE2's) */
			fl[n] = HS_FLAG_CASELESS;
			id[n++] = i;
		}
		if (!r->nhs) {
			ex[n] = r->src;
			fl[n] = hs_flags_of(r);
			id[n++] = i;
		}
	}
	while (n) {
		hs_compile_error_t *ce = NULL;
		if (hs_compile_multi(ex, fl, id, n, HS_MODE_BLOCK, NULL, &rs->eng->db[set], &ce) ==
		    HS_SUCCESS)
			break;
		int k = ce->expression;
		if (k < 0 || (unsigned)k >= n) { /* the whole set: every rule to PCRE2 */
			for (unsigned j = 0; j < n; j++) {
				rs->rule[id[j]].fallback = true;
				snprintf(why[id[j]], sizeof(why[0]), "%s", ce->message);
			}
			n = 0;
		} else if (!(fl[k] & HS_FLAG_PREFILTER)) {
			fl[k] |= HS_FLAG_PREFILTER;
			snprintf(why[id[k]], sizeof(why[0]), "%s", ce->message);
		} else {
			rs->rule[id[k]].fallback = true;
			drop(ex, fl, id, &n, (unsigned)k);
		}
		hs_free_compile_error(ce);
	}
	for (uint32_t i = 0; i < rs->n; i++)
		if (scan_rule_set(&rs->rule[i]) == set && why[i][0])
			note(rs, &rs->rule[i],
			     rs->rule[i].fallback ? "PCRE2 pass" : "Vectorscan prefilter, PCRE2 confirms",
			     why[i]);
	return MW_OK;
}

mw_status scan_engine_build(mw_scan_rules *rs, mw_err *err)
{
	if (rs->pcre2_only)
		return pcre2_build(rs, err);
	scan_engine *e = calloc(1, sizeof(*e));
	size_t nex = rs->n + 1;
	for (size_t i = 0; i < rs->n; i++)
		nex += rs->rule[i].nhs;
	const char **ex = calloc(nex, sizeof(*ex));
	unsigned *fl = calloc(nex, sizeof(*fl)), *id = calloc(nex, sizeof(*id));
	char(*why)[96] = calloc(rs->n + 1, sizeof(*why));
	mw_status st = e && ex && fl && id && why ? MW_OK : mw_err_set(err, MW_ENOMEM, "out of memory");
	if (e) {
		rs->eng = e;
		pthread_mutex_init(&e->mu, NULL);
		snprintf(e->name, sizeof(e->name), "vectorscan %.30s", hs_version());
		char *sp = strchr(e->name + 11, ' ');
		if (sp)
			*sp = '\0'; /* "5.4.9 2023-..." -> "5.4.9" */
	}
	for (int s = 0; s < SCAN_SET_N && st == MW_OK; s++) {
		st = compile_set(rs, (scan_set)s, ex, fl, id, why);
		if (st == MW_OK && e->db[s] && hs_alloc_scratch(e->db[s], &e->proto) != HS_SUCCESS)
			st = mw_err_set(err, MW_ENOMEM, "vectorscan scratch: out of memory");
	}
	free(ex);
	free(fl);
	free(id);
	free(why);
	return st;
}

void scan_engine_free(scan_engine *e)
{
	if (!e)
		return;
	for (int s = 0; s < SCAN_SET_N; s++)
		hs_free_database(e->db[s]);
	for (size_t i = 0; i < e->nidle; i++)
		hs_free_scratch(e->idle[i]);
	hs_free_scratch(e->proto);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* scratch_take - an idle scratch space, or a clone of the prototype */
static hs_scratch_t *scratch_take(scan_engine *e)
{
	hs_scratch_t *s = NULL;
	pthread_mutex_lock(&e->mu);
	if (e->nidle)
		s = e->idle[--e->nidle];
	pthread_mutex_unlock(&e->mu);
	if (!s && hs_clone_scratch(e->proto, &s) != HS_SUCCESS)
		return NULL;
	return s;
}

/* scratch_give - back to the free list (or freed when it is full) */
static void scratch_give(scan_engine *e, hs_scratch_t *s)
{
	pthread_mutex_lock(&e->mu);
	if (e->nidle < SCAN_SCRATCH_IDLE) {
		e->idle[e->nidle++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&e->mu);
	hs_free_scratch(s);
}

typedef struct hs_cb_ctx {
	scan_cand_fn fn;
	void *ctx;
} hs_cb_ctx;

/* on_match - Vectorscan match callback: a candidate rule */
static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from;
	(void)flags;
	hs_cb_ctx *c = ctx;
	c->fn(c->ctx, id, (size_t)to);
	return 0;
}

/* hs_run - one database scan; MW_ENOMEM without scratch space */
static mw_status hs_run(const mw_scan_rules *rs, scan_set set, const char *s, size_t n,
			scan_cand_fn fn, void *ctx)
{
	scan_engine *e = rs->eng;
	if (!e->db[set])
		return MW_OK;
	hs_scratch_t *sc = scratch_take(e);
	if (!sc)
		return MW_ENOMEM;
	hs_cb_ctx c = {fn, ctx};
	hs_error_t rc = hs_scan(e->db[set], s, (unsigned)n, 0, sc, on_match, &c);
	scratch_give(e, sc);
	return rc == HS_SUCCESS ? MW_OK : MW_EINVAL;
}
#else /* PCRE2 only: every pattern rule is a pass of its own */
static mw_status hs_run(const mw_scan_rules *rs, scan_set set, const char *s, size_t n,
			scan_cand_fn fn, void *ctx)
{
	(void)rs, (void)set, (void)s, (void)n, (void)fn, (void)ctx;
	return MW_OK;
}
mw_status scan_engine_build(mw_scan_rules *rs, mw_err *err)
{
	return pcre2_build(rs, err);
}

void scan_engine_free(scan_engine *e)
{
	free(e);
}
#endif

mw_status scan_engine_run(const mw_scan_rules *rs, scan_set set, const char *s, size_t n,
			  scan_cand_fn fn, void *ctx)
{
	mw_status st = hs_run(rs, set, s, n, fn, ctx);
	for (uint32_t i = 0; i < rs->n; i++)
		if (rs->rule[i].fallback && scan_rule_set(&rs->rule[i]) == set)
			fn(ctx, i, SIZE_MAX);
	return st;
}

/* utf8_start - back up from off to the first byte of a UTF-8 character */
static size_t utf8_start(const char *s, size_t off)
{
	while (off && ((unsigned char)s[off] & 0xC0) == 0x80)
		off--;
	return off;
}

bool scan_confirm(const mw_scan_rules *rs, const scan_rule *r, const char *s, size_t n,
		  size_t end, char *why, size_t wn)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return false;
	int rc = PCRE2_ERROR_NOMATCH;
	if (r->kind == SCAN_PHRASE && end != SIZE_MAX && end <= n) {
		/* a phrase literal ends at end: PCRE2 looks only there (and at the
		 * character after it, for \b); a miss waits for the next report */
		size_t from = end > r->maxlen ? end - r->maxlen : 0;
		rc = pcre2_match(r->re, (PCRE2_SPTR)s, end + 4 < n ? end + 4 : n, utf8_start(s, from), 0,
				 md, rs->mctx);
		end = SIZE_MAX - 1; /* no second try over the whole text */
	} else if (end != SIZE_MAX && end <= n && end > SCAN_CONFIRM_WINDOW)
		rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, utf8_start(s, end - SCAN_CONFIRM_WINDOW), 0,
				 md, rs->mctx);
	if (rc == PCRE2_ERROR_NOMATCH && end != SIZE_MAX - 1)
		rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, 0, md, rs->mctx);
	if (rc >= 0) { /* 0: a match, the ovector (one pair) too small for the groups */
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t ml = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
		if (ml > 60)
			ml = utf8_start(s + ov[0], 60); /* cut at a character boundary */
		snprintf(why, wn, "%.*s", (int)ml, s + ov[0]);
	}
	pcre2_match_data_free(md);
	return rc >= 0;
}
