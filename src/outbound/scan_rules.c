/*
 * outbound/scan_rules.c - the rules file: tokenise, compile (PCRE2), check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "outbound/scan_int.h"

/* next_tok - one whitespace-separated token from *p (NUL-terminates it) */
static char *next_tok(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

/* compile_re - "/REGEX/flags" (the rest of the line) into a PCRE2 program */
static mw_status compile_re(scan_rule *r, char *spec, mw_err *err)
{
	while (*spec == ' ' || *spec == '\t')
		spec++;
	char *last = strrchr(spec, '/');
	if (spec[0] != '/' || !last || last == spec)
		return mw_err_set(err, MW_EPARSE, "want /REGEX/ or /REGEX/i");
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	for (char *f = last + 1; *f && *f != ' ' && *f != '\t'; f++) {
		if (*f == 'i')
			opts |= PCRE2_CASELESS;
		else if (*f == 's')
			opts |= PCRE2_DOTALL;
		else
			return mw_err_set(err, MW_EPARSE, "unknown regex flag '%c'", *f);
	}
	int ec;
	PCRE2_SIZE off;
	r->re = pcre2_compile((PCRE2_SPTR)(spec + 1), (PCRE2_SIZE)(last - spec - 1), opts, &ec, &off,
			      NULL);
	if (!r->re) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return mw_err_set(err, MW_EPARSE, "regex at offset %zu: %s", (size_t)off, (char *)msg);
	}
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* interpreter if JIT is unavailable */
	return MW_OK;
}

/* add_list - the remaining tokens, lower-cased (leading '.' dropped) */
static mw_status add_list(scan_rule *r, char *p, mw_err *err)
{
	for (char *t; (t = next_tok(&p));) {
		if (r->nlist == SCAN_LIST_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d items", SCAN_LIST_MAX);
		if (*t == '.')
			t++;
		if (!*t || !(r->list[r->nlist] = strdup(t)))
			return mw_err_set(err, *t ? MW_ENOMEM : MW_EPARSE, "bad list item");
		mw_strlower(r->list[r->nlist++]);
	}
	return r->nlist ? MW_OK : mw_err_set(err, MW_EPARSE, "needs at least one item");
}

/* parse_kind - the kind and its arguments */
static mw_status parse_kind(scan_rule *r, const char *kind, char *p, mw_err *err)
{
	char *t;
	if (!strcmp(kind, "header")) {
		r->kind = SCAN_HEADER;
		if (!(t = next_tok(&p)) || strlen(t) >= sizeof(r->field))
			return mw_err_set(err, MW_EPARSE, "header wants FIELD /REGEX/");
		mw_strlcpy(r->field, t, sizeof(r->field));
		return compile_re(r, p, err);
	}
	if (!strcmp(kind, "body")) {
		r->kind = SCAN_BODY;
		return compile_re(r, p, err);
	}
	if (!strcmp(kind, "url") || !strcmp(kind, "attachment")) {
		r->kind = kind[0] == 'u' ? SCAN_URL : SCAN_ATTACH;
		return add_list(r, p, err);
	}
	if (!strcmp(kind, "many-to")) {
		r->kind = SCAN_MANYTO;
		char *end;
		if (!(t = next_tok(&p)) || (r->n = strtol(t, &end, 10)) < 1 || *end || r->n > 100000)
			return mw_err_set(err, MW_EPARSE, "many-to wants N (1..100000)");
	} else if (!strcmp(kind, "reply-to-mismatch")) {
		r->kind = SCAN_REPLYTO;
	} else if (!strcmp(kind, "display-name-spoof")) {
		r->kind = SCAN_DISPLAY;
	} else {
		return mw_err_set(err, MW_EPARSE, "unknown rule kind '%s'", kind);
	}
	return next_tok(&p) ? mw_err_set(err, MW_EPARSE, "unexpected text after '%s'", kind) : MW_OK;
}

/* parse_line - one non-comment line */
static mw_status parse_line(mw_scan_rules *rs, char *line, mw_err *err)
{
	char *p = line, *name = next_tok(&p), *score = next_tok(&p), *end;
	if (!name)
		return MW_OK;
	if (!strcmp(name, "threshold")) {
		long v = score ? strtol(score, &end, 10) : 0;
		if (!score || *end || v < 1 || v > 1000000 || next_tok(&p))
			return mw_err_set(err, MW_EPARSE, "threshold wants N (1..1000000)");
		rs->threshold = (int)v;
		return MW_OK;
	}
	char *kind = next_tok(&p);
	if (!kind)
		return mw_err_set(err, MW_EPARSE, "want NAME SCORE KIND ...");
	long v = strtol(score, &end, 10);
	if (*end || v < -1000 || v > 1000)
		return mw_err_set(err, MW_EPARSE, "score '%s' is not -1000..1000", score);
	if (strlen(name) >= sizeof(rs->rule[0].name))
		return mw_err_set(err, MW_EPARSE, "rule name too long");
	if (rs->n == MW_SCAN_RULES_MAX)
		return mw_err_set(err, MW_ETOOBIG, "more than %d rules", MW_SCAN_RULES_MAX);
	scan_rule *r = &rs->rule[rs->n++];
	mw_strlcpy(r->name, name, sizeof(r->name));
	r->score = (int)v;
	return parse_kind(r, kind, p, err);
}

/* mw_scan_rules_parse - every line, stop at the first error */
mw_status mw_scan_rules_parse(const char *text, size_t len, mw_scan_rules **out, mw_err *err)
{
	*out = NULL;
	mw_scan_rules *rs = calloc(1, sizeof(*rs));
	if (!rs || !(rs->rule = calloc(MW_SCAN_RULES_MAX, sizeof(scan_rule))) ||
	    !(rs->mctx = pcre2_match_context_create(NULL))) {
		mw_scan_rules_free(rs);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	pcre2_set_match_limit(rs->mctx, MW_SCAN_MATCH_LIMIT);
	rs->threshold = 10;
	char line[MW_SCAN_LINE_MAX + 1];
	size_t i = 0, lineno = 0;
	while (i < len) {
		size_t s = i;
		while (i < len && text[i] != '\n')
			i++;
		size_t n = i - s;
		i++;
		lineno++;
		while (n && text[s + n - 1] == '\r')
			n--;
		mw_status st = MW_OK;
		if (n > MW_SCAN_LINE_MAX)
			st = mw_err_set(err, MW_EPARSE, "longer than %d bytes", MW_SCAN_LINE_MAX);
		else if (memchr(text + s, '\0', n))
			st = mw_err_set(err, MW_EPARSE, "NUL byte");
		if (st == MW_OK) {
			memcpy(line, text + s, n);
			line[n] = '\0';
			char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != '#')
				st = parse_line(rs, p, err);
		}
		if (st != MW_OK) {
			char msg[MW_ERR_MSG_MAX];
			mw_strlcpy(msg, err ? err->msg : "", sizeof(msg));
			mw_err_set(err, st, "line %zu: %s", lineno, msg);
			mw_scan_rules_free(rs);
			return st;
		}
	}
	*out = rs;
	return MW_OK;
}

size_t mw_scan_rules_count(const mw_scan_rules *r)
{
	return r ? r->n : 0;
}

void mw_scan_rules_free(mw_scan_rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; rs->rule && i < rs->n; i++) {
		pcre2_code_free(rs->rule[i].re);
		for (size_t k = 0; k < rs->rule[i].nlist; k++)
			free(rs->rule[i].list[k]);
	}
	free(rs->rule);
	pcre2_match_context_free(rs->mctx);
	free(rs);
}
