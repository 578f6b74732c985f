/*
 * outbound/scan_rules.c - the rules file: tokenise, compile every pattern
 * with PCRE2 (the authority on what matches), index url and attachment
 * lists in hash sets, then hand the patterns to scan_engine.c, which
 * compiles each pattern set into one multi-pattern database.
 */
#include <glib.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "outbound/scan_int.h"

/* is_word - ASCII letter or digit */
static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

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

/* compile_src - r->src with PCRE2 options into r->re (JIT when available) */
static mw_status compile_src(scan_rule *r, uint32_t opts, mw_err *err)
{
	int ec;
	PCRE2_SIZE off;
	r->opts = opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	r->re = pcre2_compile((PCRE2_SPTR)r->src, PCRE2_ZERO_TERMINATED, r->opts, &ec, &off, NULL);
	if (!r->re) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return mw_err_set(err, MW_EPARSE, "regex at offset %zu: %s", (size_t)off, (char *)msg);
	}
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* interpreter if JIT is unavailable */
	return MW_OK;
}

/* compile_re - "/REGEX/flags" (the rest of the line) into a PCRE2 program */
static mw_status compile_re(scan_rule *r, char *spec, uint32_t opts, mw_err *err)
{
	while (*spec == ' ' || *spec == '\t')
		spec++;
	char *last = strrchr(spec, '/');
	if (spec[0] != '/' || !last || last == spec)
		return mw_err_set(err, MW_EPARSE, "want /REGEX/ or /REGEX/i");
	char *f = last + 1;
	for (; *f && *f != ' ' && *f != '\t'; f++) {
		if (*f == 'i')
			opts |= PCRE2_CASELESS;
		else if (*f == 's')
			opts |= PCRE2_DOTALL;
		else
			return mw_err_set(err, MW_EPARSE, "unknown regex flag '%c'", *f);
	}
	while (*f == ' ' || *f == '\t')
		f++;
	if (*f)
		return mw_err_set(err, MW_EPARSE, "unexpected text after the regex");
	if (!(r->src = strndup(spec + 1, (size_t)(last - spec - 1))))
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	return compile_src(r, opts, err);
}

/* is_sep - a phrase separator: runs of these are one space (scan_fold) */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == ',' ||
	       c == ';' || c == ':';
}

/* lower2 - the lower case of a code point whose UTF-8 form is two bytes,
 * for Latin-1, Latin Extended-A, Greek and Cyrillic capitals; the result
 * is two bytes too, so folding works in place.  Phrases and text go
 * through the same map, which is all matching needs. */
static unsigned lower2(unsigned cp)
{
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;
	if ((cp >= 0x100 && cp <= 0x137 && !(cp & 1)) || (cp >= 0x14A && cp <= 0x177 && !(cp & 1)) ||
	    (cp >= 0x139 && cp <= 0x148 && (cp & 1)) || (cp >= 0x179 && cp <= 0x17E && (cp & 1)))
		return cp + 1;
	if (cp == 0x178)
		return 0xFF;
	if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	return cp;
}

/* lower_at - s[i] starts a two-byte sequence: write its lower case at d */
static inline bool lower_at(const char *s, size_t i, size_t n, char *d)
{
	unsigned char a = (unsigned char)s[i], b = i + 1 < n ? (unsigned char)s[i + 1] : 0;
	if (a < 0xC2 || a > 0xDF || (b & 0xC0) != 0x80)
		return false;
	unsigned cp = lower2(((a & 0x1Fu) << 6) | (b & 0x3Fu));
	d[0] = (char)(0xC0 | (cp >> 6));
	d[1] = (char)(0x80 | (cp & 0x3F));
	return true;
}

#ifdef __SSE2__
#define FOLD_STEP 16
/* fold_easy - the 16 bytes at s need no change: no separator but single
 * spaces, and no space right after a separator (prev) */
static inline bool fold_easy(const char *s, bool prev)
{
	__m128i v = _mm_loadu_si128((const __m128i *)s);
	unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
	__m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
	other = _mm_or_si128(other, _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
	other = _mm_or_si128(other, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
	return !((unsigned)_mm_movemask_epi8(other) | (unsigned)_mm_movemask_epi8(v) |
		 (sp & (sp << 1)) | (sp & (unsigned)prev)); /* movemask(v): non-ASCII */
}
#else
#define FOLD_STEP 8
/* zero_bytes - 0x80 in every byte of w that is zero (exact per byte) */
static inline uint64_t zero_bytes(uint64_t w)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7full;
	return ~(((w & m) + m) | w | m);
}

/* fold_easy - the 8 bytes at s need no change (as above, portable) */
static inline bool fold_easy(const char *s, bool prev)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t w;
	memcpy(&w, s, 8);
	uint64_t sp = zero_bytes(w ^ (ones * ' '));
	uint64_t ctl = ~(((w & ~high) + ones * 0x60) | w) & high; /* bytes < 0x20 */
	uint64_t pun = zero_bytes(w ^ (ones * ',')) | zero_bytes(w ^ (ones * ';')) |
		       zero_bytes(w ^ (ones * ':'));
	uint64_t first = (uint64_t)(unsigned char)s[0] == ' ' && prev;
	return !(ctl | pun | (w & high) | (sp & (sp << 8)) | first);
}
#endif

size_t scan_fold(char *s, size_t n)
{
	static const uint8_t sep[256] = {['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
					 [' '] = 1,  [','] = 1,	 [';'] = 1,  [':'] = 1};
	char *d = s;
	unsigned prev = 0;
	size_t i = 0;
	while (i < n) {
		if (i + FOLD_STEP <= n && fold_easy(s + i, prev)) { /* words and single spaces */
			if (d != s + i)
				memmove(d, s + i, FOLD_STEP);
			d += FOLD_STEP;
			i += FOLD_STEP;
			prev = s[i - 1] == ' ';
			continue;
		}
		for (size_t e = i + FOLD_STEP < n ? i + FOLD_STEP : n; i < e; i++) { /* byte by byte */
			if ((unsigned char)s[i] >= 0xC2 && lower_at(s, i, n, d)) {
				d += 2;
				i++;
				prev = 0;
				continue;
			}
			unsigned x = sep[(unsigned char)s[i]];
			*d = x ? ' ' : s[i];
			d += !(x & prev);
			prev = x;
		}
	}
	return (size_t)(d - s);
}

/* phrase_put - one phrase, separators folded to one space: for PCRE2
 * (pc: ASCII word characters and non-ASCII literal, other characters
 * \xHH, a word boundary at an end that is an ASCII word character, so
 * "urgent" is not in "insurgent") and for Vectorscan (hs: a byte-mode
 * caseless literal; byte-mode case folding is ASCII only, so non-ASCII
 * letters are lowered by lower2 here and in the folded text) */
static mw_status phrase_put(mw_buf *pc, mw_buf *hs, const char *p, size_t n)
{
	mw_status st = is_word(p[0]) ? mw_buf_puts(pc, "\\b") : MW_OK;
	for (size_t i = 0; i < n && st == MW_OK; i++) {
		unsigned char c = (unsigned char)p[i];
		if (is_sep((char)c)) {
			while (i + 1 < n && is_sep(p[i + 1]))
				i++;
			st = mw_buf_puts(pc, "\\x20");
			if (st == MW_OK)
				st = mw_buf_puts(hs, "\\x20");
		} else if (c < 0x80) {
			st = is_word((char)c) ? mw_buf_putc(pc, (char)c) : mw_buf_printf(pc, "\\x%02x", c);
			if (st == MW_OK)
				st = is_word((char)c) ? mw_buf_putc(hs, (char)c)
						      : mw_buf_printf(hs, "\\x%02x", c);
		} else {
			const char *e = g_utf8_find_next_char(p + i, p + n);
			size_t cl = (e ? (size_t)(e - (p + i)) : n - i);
			char lo[2];
			st = mw_buf_append(pc, p + i, cl);
			if (st == MW_OK && cl == 2 && lower_at(p + i, 0, 2, lo))
				st = mw_buf_printf(hs, "\\x%02x\\x%02x", (unsigned char)lo[0],
						   (unsigned char)lo[1]);
			else
				for (size_t k = 0; k < cl && st == MW_OK; k++)
					st = mw_buf_printf(hs, "\\x%02x", (unsigned char)p[i + k]);
			i += cl - 1;
		}
	}
	if (st == MW_OK && is_word(p[n - 1]))
		st = mw_buf_puts(pc, "\\b");
	return st;
}

/* add_hs - one Vectorscan phrase pattern for r */
static mw_status add_hs(scan_rule *r, mw_buf *hs)
{
	if (r->nhs == SCAN_LIST_MAX)
		return MW_ETOOBIG;
	if (!r->hs && !(r->hs = calloc(SCAN_LIST_MAX, sizeof(*r->hs))))
		return MW_ENOMEM;
	r->hs[r->nhs++] = mw_buf_steal(hs);
	return MW_OK;
}

/* compile_phrases - "PHRASE" "PHRASE"... into one caseless alternation
 * for PCRE2 and one literal pattern per phrase for Vectorscan */
static mw_status compile_phrases(scan_rule *r, char *p, mw_err *err)
{
	mw_buf b, h;
	mw_buf_init(&b, MW_SCAN_LINE_MAX * 4);
	mw_buf_init(&h, MW_SCAN_LINE_MAX * 4);
	mw_status st = mw_buf_puts(&b, "(?:");
	size_t count = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || st != MW_OK)
			break;
		char *e = *p == '"' ? strchr(p + 1, '"') : NULL;
		if (!e || e == p + 1 || is_sep(p[1]) || is_sep(e[-1]))
			st = mw_err_set(err, MW_EPARSE, "phrase wants \"TEXT\" items (no edge blanks)");
		else if (++count > SCAN_LIST_MAX)
			st = mw_err_set(err, MW_ETOOBIG, "more than %d phrases", SCAN_LIST_MAX);
		else if (e[1] && e[1] != ' ' && e[1] != '\t')
			st = mw_err_set(err, MW_EPARSE, "want a blank after a phrase");
		if (st == MW_OK && count > 1)
			st = mw_buf_putc(&b, '|');
		if (st == MW_OK)
			st = phrase_put(&b, &h, p + 1, (size_t)(e - p - 1));
		if (st == MW_OK && (size_t)(e - p - 1) > r->maxlen)
			r->maxlen = (size_t)(e - p - 1);
		if (st == MW_OK && (st = add_hs(r, &h)) != MW_OK)
			mw_err_set(err, st, "out of memory");
		if (st == MW_OK)
			p = e + 1;
	}
	if (st == MW_OK && !count)
		st = mw_err_set(err, MW_EPARSE, "needs at least one \"PHRASE\"");
	if (st == MW_OK)
		st = mw_buf_putc(&b, ')');
	mw_buf_free(&h);
	if (st != MW_OK) {
		mw_buf_free(&b);
		return st;
	}
	r->src = mw_buf_steal(&b);
	return compile_src(r, PCRE2_CASELESS, err);
}

/* add_list - the remaining tokens, lower-cased (leading '.' dropped) */
static mw_status add_list(scan_rule *r, char *p, mw_err *err)
{
	for (char *t; (t = next_tok(&p));) {
		if (r->nlist == SCAN_LIST_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d items", SCAN_LIST_MAX);
		if (*t == '.')
			t++;
		if (!*t || strlen(t) > 253 || !(r->list[r->nlist] = strdup(t)))
			return mw_err_set(err, *t && strlen(t) <= 253 ? MW_ENOMEM : MW_EPARSE,
					  "bad list item");
		mw_strlower(r->list[r->nlist++]);
	}
	return r->nlist ? MW_OK : mw_err_set(err, MW_EPARSE, "needs at least one item");
}

/* parse_flag_kind - kinds without arguments, and many-to N */
static mw_status parse_flag_kind(scan_rule *r, const char *kind, char *p, mw_err *err)
{
	char *t;
	if (!strcmp(kind, "many-to")) {
		r->kind = SCAN_MANYTO;
		char *end;
		if (!(t = next_tok(&p)) || (r->n = strtol(t, &end, 10)) < 1 || *end || r->n > 100000)
			return mw_err_set(err, MW_EPARSE, "many-to wants N (1..100000)");
	} else if (!strcmp(kind, "reply-to-mismatch")) {
		r->kind = SCAN_REPLYTO;
	} else if (!strcmp(kind, "display-name-spoof")) {
		r->kind = SCAN_DISPLAY;
	} else if (!strcmp(kind, "encrypted-archive")) {
		r->kind = SCAN_ENCRYPTED;
	} else {
		return mw_err_set(err, MW_EPARSE, "unknown rule kind '%s'", kind);
	}
	return next_tok(&p) ? mw_err_set(err, MW_EPARSE, "unexpected text after '%s'", kind) : MW_OK;
}

/* parse_kind - the kind and its arguments */
static mw_status parse_kind(scan_rule *r, const char *kind, char *p, mw_err *err)
{
	char *t;
	if (!strcmp(kind, "header")) {
		r->kind = SCAN_HEADER;
		if (!(t = next_tok(&p)) || strlen(t) >= sizeof(r->field) || t[0] == '/')
			return mw_err_set(err, MW_EPARSE, "header wants FIELD /REGEX/");
		mw_strlcpy(r->field, t, sizeof(r->field));
		mw_strlower(r->field);
		return compile_re(r, p, 0, err);
	}
	if (!strcmp(kind, "body")) {
		r->kind = SCAN_BODY;
		return compile_re(r, p, 0, err);
	}
	if (!strcmp(kind, "link")) {
		r->kind = SCAN_LINK;
		return compile_re(r, p, PCRE2_MULTILINE, err);
	}
	if (!strcmp(kind, "phrase")) {
		r->kind = SCAN_PHRASE;
		return compile_phrases(r, p, err);
	}
	if (!strcmp(kind, "url") || !strcmp(kind, "attachment") || !strcmp(kind, "display-name-own")) {
		r->kind = kind[0] == 'u' ? SCAN_URL : kind[0] == 'a' ? SCAN_ATTACH : SCAN_DISPLAY_OWN;
		return add_list(r, p, err);
	}
	return parse_flag_kind(r, kind, p, err);
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

/* idlist_free - hash-set value destructor */
static void idlist_free(void *v)
{
	scan_idlist *l = v;
	if (l)
		free(l->v);
	free(l);
}

/* index_add - rule i under key in a hash set of rule-index lists */
static mw_status index_add(mw_htab *t, const char *key, uint32_t i)
{
	scan_idlist *l = mw_htab_get(t, key, strlen(key));
	if (!l) {
		if (!(l = calloc(1, sizeof(*l))) || mw_htab_put(t, key, strlen(key), l) != MW_OK) {
			free(l);
			return MW_ENOMEM;
		}
	}
	if (l->n && l->v[l->n - 1] == i)
		return MW_OK; /* the same item twice in one rule */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 2;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return MW_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = i;
	return MW_OK;
}

/* build_index - url domains, attachment extensions and header fields into
 * hash sets: one lookup per link host label, not one per rule */
static mw_status build_index(mw_scan_rules *rs, mw_err *err)
{
	if (!(rs->domains = mw_htab_new(idlist_free)) || !(rs->exts = mw_htab_new(idlist_free)) ||
	    !(rs->fields = mw_htab_new(NULL)))
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_status st = MW_OK;
	for (uint32_t i = 0; i < rs->n && st == MW_OK; i++) {
		scan_rule *r = &rs->rule[i];
		for (size_t k = 0; k < r->nlist && st == MW_OK; k++)
			if (r->kind == SCAN_URL || r->kind == SCAN_ATTACH)
				st = index_add(r->kind == SCAN_URL ? rs->domains : rs->exts, r->list[k], i);
		if (r->kind == SCAN_HEADER && !mw_htab_get(rs->fields, r->field, strlen(r->field)))
			st = mw_htab_put(rs->fields, r->field, strlen(r->field), rs);
		rs->has_phrase |= r->kind == SCAN_PHRASE;
		rs->has_encrypted |= r->kind == SCAN_ENCRYPTED;
	}
	return st == MW_OK ? MW_OK : mw_err_set(err, st, "out of memory");
}

/* parse_text - every line, stop at the first error ("line N: why") */
static mw_status parse_text(mw_scan_rules *rs, const char *text, size_t len, mw_err *err)
{
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
			return st;
		}
	}
	return MW_OK;
}

mw_status mw_scan_rules_parse(const char *text, size_t len, mw_scan_rules **out, mw_err *err)
{
	return mw_scan_rules_parse_flags(text, len, 0, out, err);
}

/* mw_scan_rules_parse_flags - parse, index, build the matching engine */
mw_status mw_scan_rules_parse_flags(const char *text, size_t len, unsigned flags,
				    mw_scan_rules **out, mw_err *err)
{
	*out = NULL;
	mw_scan_rules *rs = calloc(1, sizeof(*rs));
	if (!rs || !(rs->rule = calloc(MW_SCAN_RULES_MAX, sizeof(scan_rule))) ||
	    !(rs->mctx = pcre2_match_context_create(NULL))) {
		mw_scan_rules_free(rs);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	mw_buf_init(&rs->notes, 1u << 16);
	pcre2_set_match_limit(rs->mctx, MW_SCAN_MATCH_LIMIT);
	rs->threshold = 10;
	rs->pcre2_only = flags & MW_SCAN_PCRE2_ONLY;
	mw_status st = parse_text(rs, text, len, err);
	if (st == MW_OK)
		st = build_index(rs, err);
	if (st == MW_OK)
		st = scan_engine_build(rs, err);
	if (st != MW_OK) {
		mw_scan_rules_free(rs);
		return st;
	}
	*out = rs;
	return MW_OK;
}

size_t mw_scan_rules_count(const mw_scan_rules *r)
{
	return r ? r->n : 0;
}

const char *mw_scan_rules_notes(const mw_scan_rules *r)
{
	return r ? mw_buf_cstr(&r->notes) : "";
}

const char *mw_scan_rules_engine(const mw_scan_rules *r)
{
	return r ? scan_engine_name(r->eng) : "";
}

void mw_scan_rules_free(mw_scan_rules *rs)
{
	if (!rs)
		return;
	scan_engine_free(rs->eng);
	for (size_t i = 0; rs->rule && i < rs->n; i++) {
		pcre2_code_free(rs->rule[i].re);
		free(rs->rule[i].src);
		for (size_t k = 0; k < rs->rule[i].nhs; k++)
			free(rs->rule[i].hs[k]);
		free(rs->rule[i].hs);
		for (size_t k = 0; k < rs->rule[i].nlist; k++)
			free(rs->rule[i].list[k]);
	}
	free(rs->rule);
	mw_htab_free(rs->domains);
	mw_htab_free(rs->exts);
	mw_htab_free(rs->fields);
	mw_buf_free(&rs->notes);
	pcre2_match_context_free(rs->mctx);
	free(rs);
}
