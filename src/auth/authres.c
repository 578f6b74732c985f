/*
 * auth/authres.c - Authentication-Results parser and writer (see authres.h).
 *
 * The parser is a cursor parser: each reader takes the parse state, advances
 * only on success and fails with a sentence naming the offset.
 */
#include "auth/authres.h"

#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

typedef struct ar_parse {
	const char *p, *end, *start;
	unsigned flags;
	mw_pool *pool;
	mw_err *err;
	mw_buf comment; /* comments seen by the current resinfo */
	size_t cap;     /* results allocated */
} ar_parse;

/* fail - record a parse error at the current offset */
static mw_status fail(ar_parse *ps, mw_status st, const char *what)
{
	return mw_err_set(ps->err, st, "Authentication-Results: %s at offset %zu", what,
			  (size_t)(ps->p - ps->start));
}

/* is_wsp - space or tab */
static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* is_alpha, is_digit - ASCII classes */
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* is_tspecial - RFC 2045 §5.1 tspecials */
static bool is_tspecial(char c)
{
	return c && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* is_token_char - RFC 2045 token character (printable ASCII minus tspecials) */
static bool is_token_char(char c)
{
	return c > 32 && c < 127 && !is_tspecial(c);
}

/* skip_fws - folding white space: WSP, and CRLF/LF followed by WSP */
static bool skip_fws(ar_parse *ps)
{
	const char *p = ps->p;
	for (;;) {
		if (p < ps->end && is_wsp(*p)) {
			p++;
		} else if (p + 1 < ps->end && *p == '\r' && p[1] == '\n' && p + 2 < ps->end &&
			   is_wsp(p[2])) {
			p += 3;
		} else if (p < ps->end && *p == '\n' && p + 1 < ps->end && is_wsp(p[1])) {
			p += 2;
		} else {
			break;
		}
	}
	bool moved = p != ps->p;
	ps->p = p;
	return moved;
}

/* skip_comment - one comment starting at '(' (nested, quoted-pairs); text kept */
static mw_status skip_comment(ar_parse *ps, int depth)
{
	if (depth > MW_AR_COMMENT_DEPTH)
		return fail(ps, MW_ETOOBIG, "comments nested too deeply");
	const char *open = ps->p++;
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == ')') {
			ps->p++;
			if (depth == 1) {
				const char *s = open + 1, *e = ps->p - 1;
				mw_trim(&s, &e);
				if (ps->comment.len && mw_buf_putc(&ps->comment, ' ') != MW_OK)
					return fail(ps, MW_ETOOBIG, "comment too long");
				while (s < e) { /* copy runs between line breaks (folding removed) */
					const char *b = s;
					while (b < e && *b != '\r' && *b != '\n')
						b++;
					if (mw_buf_append(&ps->comment, s, (size_t)(b - s)) != MW_OK)
						return fail(ps, MW_ETOOBIG, "comment too long");
					for (s = b; s < e && (*s == '\r' || *s == '\n'); s++)
						;
				}
			}
			return MW_OK;
		}
		if (c == '(') {
			mw_status st = skip_comment(ps, depth + 1);
			if (st != MW_OK)
				return st;
			continue;
		}
		if (c == '\\') {
			if (ps->p + 1 >= ps->end)
				break;
			ps->p += 2;
			continue;
		}
		if ((c == '\r' || c == '\n') && !skip_fws(ps))
			return fail(ps, MW_EPARSE, "line break inside a comment is not folding");
		else if (c != '\r' && c != '\n')
			ps->p++;
	}
	ps->p = open;
	return fail(ps, MW_EPARSE, "unterminated comment");
}

/* skip_cfws - any run of folding white space and comments */
static mw_status skip_cfws(ar_parse *ps)
{
	for (;;) {
		skip_fws(ps);
		if (ps->p < ps->end && *ps->p == '(') {
			mw_status st = skip_comment(ps, 1);
			if (st != MW_OK)
				return st;
			continue;
		}
		return MW_OK;
	}
}

/* at_end - only CFWS is left (a trailing line end is tolerated) */
static bool at_end(ar_parse *ps)
{
	const char *p = ps->p;
	while (p < ps->end && (*p == '\r' || *p == '\n'))
		p++;
	return p == ps->end;
}

/* read_keyword - RFC 5321 Keyword, lower-cased into pool */
static mw_status read_keyword(ar_parse *ps, const char *what, const char **out)
{
	const char *s = ps->p;
	if (s >= ps->end || !is_alpha(*s)) {
		char m[96];
		snprintf(m, sizeof(m), "expected %s", what);
		return fail(ps, MW_EPARSE, m);
	}
	const char *p = s + 1;
	while (p < ps->end && (is_alpha(*p) || is_digit(*p) || *p == '-' || *p == '_'))
		p++;
	if (p[-1] == '-')
		return fail(ps, MW_EPARSE, "keyword ends in '-'");
	if ((size_t)(p - s) > MW_AR_TOKEN_MAX)
		return fail(ps, MW_ETOOBIG, "keyword too long");
	char *k = mw_pool_strndup(ps->pool, s, (size_t)(p - s));
	if (!k)
		return fail(ps, MW_ENOMEM, "out of memory");
	*out = mw_strlower(k);
	ps->p = p;
	return MW_OK;
}

/* read_quoted - RFC 5322 quoted-string; the unquoted text into pool */
static mw_status read_quoted(ar_parse *ps, const char **out)
{
	const char *open = ps->p++;
	mw_buf b;
	mw_buf_init(&b, MW_AR_TOKEN_MAX);
	while (ps->p < ps->end && *ps->p != '"') {
		char c = *ps->p;
		if (c == '\\' && ps->p + 1 < ps->end) {
			c = *++ps->p; /* quoted-pair: VCHAR or WSP (RFC 5322 §3.2.1) */
			if ((unsigned char)c < 32 && c != '\t')
				break;
		} else if (c == '\r' || c == '\n') {
			if (!skip_fws(ps))
				break;
			continue;
		} else if ((unsigned char)c < 32 && c != '\t')
			break;
		if (mw_buf_putc(&b, c) != MW_OK) {
			mw_buf_free(&b);
			return fail(ps, MW_ETOOBIG, "quoted string too long");
		}
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p != '"') {
		mw_buf_free(&b);
		ps->p = open;
		return fail(ps, MW_EPARSE, "unterminated or invalid quoted string");
	}
	ps->p++;
	*out = mw_pool_strndup(ps->pool, mw_buf_cstr(&b), b.len);
	mw_buf_free(&b);
	return *out ? MW_OK : fail(ps, MW_ENOMEM, "out of memory");
}

/* read_value - RFC 2045 value: token or quoted-string */
static mw_status read_value(ar_parse *ps, const char *what, const char **out)
{
	if (ps->p < ps->end && *ps->p == '"')
		return read_quoted(ps, out);
	const char *s = ps->p;
	while (ps->p < ps->end && (is_token_char(*ps->p) || (unsigned char)*ps->p >= 0x80))
		ps->p++;
	if (ps->p == s) {
		char m[96];
		snprintf(m, sizeof(m), "expected %s", what);
		return fail(ps, MW_EPARSE, m);
	}
	if ((size_t)(ps->p - s) > MW_AR_TOKEN_MAX)
		return fail(ps, MW_ETOOBIG, "value too long");
	*out = mw_pool_strndup(ps->pool, s, (size_t)(ps->p - s));
	return *out ? MW_OK : fail(ps, MW_ENOMEM, "out of memory");
}

/* is_pvalue_char - a byte that may appear in an unquoted pvalue */
static bool is_pvalue_char(char c)
{
	unsigned char u = (unsigned char)c;
	return (u > 32 && u != 127 && !strchr(";()\"\\", c)) || u >= 0x80;
}

/* read_pvalue - RFC 8601 pvalue: quoted value, [local-part] "@" domain, or token-ish run */
static mw_status read_pvalue(ar_parse *ps, const char **out)
{
	if (ps->p < ps->end && *ps->p == '"') {
		mw_status st = read_quoted(ps, out);
		if (st != MW_OK || ps->p >= ps->end || *ps->p != '@')
			return st;
		/* quoted local-part "@" domain */
		const char *s = ++ps->p;
		while (ps->p < ps->end && is_pvalue_char(*ps->p))
			ps->p++;
		if (ps->p == s)
			return fail(ps, MW_EPARSE, "expected a domain after '@'");
		*out = mw_pool_printf(ps->pool, "\"%s\"@%.*s", *out, (int)(ps->p - s), s);
		return *out ? MW_OK : fail(ps, MW_ENOMEM, "out of memory");
	}
	const char *s = ps->p;
	while (ps->p < ps->end && is_pvalue_char(*ps->p))
		ps->p++;
	if (ps->p == s)
		return fail(ps, MW_EPARSE, "expected a property value");
	if ((size_t)(ps->p - s) > MW_AR_TOKEN_MAX)
		return fail(ps, MW_ETOOBIG, "property value too long");
	*out = mw_pool_strndup(ps->pool, s, (size_t)(ps->p - s));
	return *out ? MW_OK : fail(ps, MW_ENOMEM, "out of memory");
}

/* read_number - 1*DIGIT, bounded */
static mw_status read_number(ar_parse *ps, unsigned *out)
{
	unsigned v = 0;
	const char *s = ps->p;
	while (ps->p < ps->end && is_digit(*ps->p)) {
		if (v > 99999)
			return fail(ps, MW_EPARSE, "version number too large");
		v = v * 10 + (unsigned)(*ps->p++ - '0');
	}
	if (ps->p == s)
		return fail(ps, MW_EPARSE, "expected a version number");
	*out = v;
	return MW_OK;
}

/* expect - the byte c (after CFWS) */
static mw_status expect(ar_parse *ps, char c, const char *what)
{
	mw_status st = skip_cfws(ps);
	if (st != MW_OK)
		return st;
	if (ps->p >= ps->end || *ps->p != c)
		return fail(ps, MW_EPARSE, what);
	ps->p++;
	return skip_cfws(ps);
}

/* add_prop_slot - next free property of a result */
static mw_ar_prop *add_prop_slot(ar_parse *ps, mw_ar_result *r)
{
	if (r->nprops >= MW_AR_PROPS_MAX) {
		fail(ps, MW_ETOOBIG, "too many properties in one result");
		return NULL;
	}
	return &r->props[r->nprops++];
}

/* parse_props - reason= and ptype.property=pvalue up to ';' or the end */
static mw_status parse_props(ar_parse *ps, mw_ar_result *r)
{
	mw_status st;
	while (ps->p < ps->end && *ps->p != ';' && !at_end(ps)) {
		const char *name;
		if ((st = read_keyword(ps, "a property (ptype.property=value)", &name)) != MW_OK)
			return st;
		if ((st = skip_cfws(ps)) != MW_OK)
			return st;
		if (ps->p < ps->end && *ps->p == '=') {
			bool reason = strcmp(name, "reason") == 0 && !r->reason && r->nprops == 0;
			if (!reason && !(ps->flags & MW_AR_LENIENT))
				return fail(ps, MW_EPARSE, "property without a ptype (expected ptype.property)");
			ps->p++;
			if ((st = skip_cfws(ps)) != MW_OK)
				return st;
			const char *v;
			st = reason ? read_value(ps, "a reason value", &v) : read_pvalue(ps, &v);
			if (st != MW_OK)
				return st;
			if (reason) {
				r->reason = v;
			} else {
				mw_ar_prop *pr = add_prop_slot(ps, r);
				if (!pr)
					return MW_ETOOBIG;
				*pr = (mw_ar_prop){"", name, v};
			}
		} else {
			mw_ar_prop *pr = add_prop_slot(ps, r);
			if (!pr)
				return MW_ETOOBIG;
			pr->ptype = name;
			if ((st = expect(ps, '.', "expected '.' after a ptype")) != MW_OK)
				return st;
			if ((st = read_keyword(ps, "a property name", &pr->property)) != MW_OK)
				return st;
			if ((st = expect(ps, '=', "expected '=' after a property")) != MW_OK)
				return st;
			if ((st = read_pvalue(ps, &pr->value)) != MW_OK)
				return st;
		}
		if ((st = skip_cfws(ps)) != MW_OK)
			return st;
	}
	return MW_OK;
}

/* set_raw - the resinfo text [s, e), trimmed, line breaks removed */
static mw_status set_raw(ar_parse *ps, mw_ar_result *r, const char *s, const char *e)
{
	mw_trim(&s, &e);
	char *raw = mw_pool_alloc(ps->pool, (size_t)(e - s) + 1);
	if (!raw)
		return fail(ps, MW_ENOMEM, "out of memory");
	size_t n = 0;
	for (const char *p = s; p < e; p++) {
		if (*p == '\r' || *p == '\n') {
			while (p + 1 < e && is_wsp(p[1]))
				p++;
			if (n && raw[n - 1] != ' ')
				raw[n++] = ' ';
			continue;
		}
		raw[n++] = *p;
	}
	raw[n] = '\0';
	r->raw = raw;
	return MW_OK;
}

/* parse_resinfo - methodspec [reasonspec] [props]; cursor after ';' and CFWS */
static mw_status parse_resinfo(ar_parse *ps, mw_ar_result *r)
{
	const char *start = ps->p;
	mw_status st;
	mw_buf_reset(&ps->comment);
	if ((st = read_keyword(ps, "a method name", &r->method)) != MW_OK)
		return st;
	if ((st = skip_cfws(ps)) != MW_OK)
		return st;
	if (ps->p < ps->end && *ps->p == '/') {
		ps->p++;
		if ((st = skip_cfws(ps)) != MW_OK || (st = read_number(ps, &r->version)) != MW_OK)
			return st;
		if (r->version == 0)
			return fail(ps, MW_EPARSE, "method version 0");
	}
	if ((st = expect(ps, '=', "expected '=' after the method")) != MW_OK)
		return st;
	if ((st = read_keyword(ps, "a result word", &r->result)) != MW_OK)
		return st;
	if ((st = skip_cfws(ps)) != MW_OK)
		return st;
	if ((st = parse_props(ps, r)) != MW_OK)
		return st;
	if (ps->comment.len &&
	    !(r->comment = mw_pool_strndup(ps->pool, mw_buf_cstr(&ps->comment), ps->comment.len)))
		return fail(ps, MW_ENOMEM, "out of memory");
	return set_raw(ps, r, start, ps->p);
}

/* parse_header_id - authserv-id [CFWS authres-version] */
static mw_status parse_header_id(ar_parse *ps, mw_authres *out)
{
	mw_status st = skip_cfws(ps);
	if (st != MW_OK)
		return st;
	if ((st = read_value(ps, "an authserv-id", &out->authserv_id)) != MW_OK)
		return st;
	if ((st = skip_cfws(ps)) != MW_OK)
		return st;
	if (ps->p < ps->end && is_digit(*ps->p)) {
		if ((st = read_number(ps, &out->version)) != MW_OK)
			return st;
		if (out->version != 1)
			return fail(ps, MW_EPARSE, "unsupported A-R version (only 1 is defined)");
		if ((st = skip_cfws(ps)) != MW_OK)
			return st;
	}
	return MW_OK;
}

/* is_none - the "none" keyword alone up to the end */
static bool is_none(ar_parse *ps)
{
	if (ps->end - ps->p < 4 || !mw_strcaseeq_n(ps->p, 4, "none"))
		return false;
	ar_parse t = *ps;
	t.p += 4;
	if (t.p < t.end && (is_alpha(*t.p) || is_digit(*t.p) || *t.p == '-' || *t.p == '=' ||
			     *t.p == '/'))
		return false;
	mw_buf_init(&t.comment, MW_AR_TOKEN_MAX); /* look-ahead: do not touch ps->comment */
	bool none = skip_cfws(&t) == MW_OK && at_end(&t);
	mw_buf_free(&t.comment);
	if (none)
		ps->p = t.p;
	return none;
}

/* parse_results - ( no-result / 1*resinfo ) */
static mw_status parse_results(ar_parse *ps, mw_authres *out)
{
	mw_status st;
	while (!at_end(ps)) {
		if (*ps->p != ';')
			return fail(ps, MW_EPARSE, "expected ';' before a result");
		ps->p++;
		if ((st = skip_cfws(ps)) != MW_OK)
			return st;
		if (at_end(ps)) {
			if ((ps->flags & MW_AR_LENIENT) && out->nresults)
				break;
			return fail(ps, MW_EPARSE, "';' not followed by a result");
		}
		if (out->nresults == 0 && !out->none && is_none(ps)) {
			out->none = true;
			break;
		}
		if (out->nresults >= ps->cap)
			return fail(ps, MW_ETOOBIG, "too many results");
		mw_ar_result *r = &out->results[out->nresults];
		r->props = mw_pool_alloc(ps->pool, MW_AR_PROPS_MAX * sizeof(mw_ar_prop));
		if (!r->props)
			return fail(ps, MW_ENOMEM, "out of memory");
		if ((st = parse_resinfo(ps, r)) != MW_OK)
			return st;
		out->nresults++;
	}
	if (!out->none && out->nresults == 0 && !(ps->flags & MW_AR_LENIENT))
		return fail(ps, MW_EPARSE, "no result and no 'none'");
	return MW_OK;
}

/* mw_authres_parse - parse a field value */
mw_status mw_authres_parse(const char *value, size_t len, unsigned flags, mw_pool *pool,
			   mw_authres *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	ar_parse ps = {value, value + len, value, flags, pool, err, {0}, 0};
	if (len > MW_AR_HEADER_MAX)
		return mw_err_set(err, MW_ETOOBIG, "Authentication-Results: field longer than %d bytes",
				  MW_AR_HEADER_MAX);
	if (memchr(value, '\0', len))
		return fail(&ps, MW_EPARSE, "NUL byte in field");
	/* at most one result per ';' (plus one): size the array by that */
	size_t cap = 1;
	for (size_t i = 0; i < len && cap <= MW_AR_RESULTS_MAX; i++)
		cap += value[i] == ';';
	ps.cap = cap > MW_AR_RESULTS_MAX ? MW_AR_RESULTS_MAX : cap;
	out->results = mw_pool_alloc(pool, ps.cap * sizeof(mw_ar_result));
	if (!out->results)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_buf_init(&ps.comment, MW_AR_TOKEN_MAX);
	mw_status st = parse_header_id(&ps, out);
	if (st == MW_OK)
		st = parse_results(&ps, out);
	mw_buf_free(&ps.comment);
	return st;
}

/* mw_ar_ptype_of - classify a ptype */
mw_ar_ptype mw_ar_ptype_of(const mw_ar_prop *p)
{
	static const struct {
		const char *name;
		mw_ar_ptype t;
	} map[] = {{"smtp", MW_AR_PTYPE_SMTP},
		   {"header", MW_AR_PTYPE_HEADER},
		   {"body", MW_AR_PTYPE_BODY},
		   {"policy", MW_AR_PTYPE_POLICY}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (mw_strcaseeq(p->ptype, map[i].name))
			return map[i].t;
	return MW_AR_PTYPE_OTHER;
}

/* mw_ar_find_prop - first matching property value */
const char *mw_ar_find_prop(const mw_ar_result *r, const char *ptype, const char *property)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (mw_strcaseeq(r->props[i].ptype, ptype) &&
		    mw_strcaseeq(r->props[i].property, property))
			return r->props[i].value;
	return NULL;
}

/* mw_ar_result_value - map the result word to the typed enum */
bool mw_ar_result_value(const mw_ar_result *r, mw_auth_result *out)
{
	for (int v = MW_AUTH_NONE; v <= MW_AUTH_PERMERROR; v++) {
		if (mw_strcaseeq(r->result, mw_auth_result_name((mw_auth_result)v))) {
			*out = (mw_auth_result)v;
			return true;
		}
	}
	return false;
}

/* ---- writing ---------------------------------------------------------- */

/* mw_authres_init - empty A-R */
mw_status mw_authres_init(mw_authres *ar, mw_pool *pool, const char *authserv_id)
{
	memset(ar, 0, sizeof(*ar));
	ar->authserv_id = mw_pool_strdup(pool, authserv_id);
	ar->results = mw_pool_alloc(pool, MW_AR_RESULTS_MAX * sizeof(mw_ar_result));
	return ar->authserv_id && ar->results ? MW_OK : MW_ENOMEM;
}

/* mw_authres_add - append a result */
mw_ar_result *mw_authres_add(mw_authres *ar, mw_pool *pool, const char *method,
			     const char *result, const char *comment)
{
	if (ar->nresults >= MW_AR_RESULTS_MAX)
		return NULL;
	mw_ar_result *r = &ar->results[ar->nresults];
	memset(r, 0, sizeof(*r));
	r->method = mw_pool_strdup(pool, method);
	r->result = mw_pool_strdup(pool, result);
	r->props = mw_pool_alloc(pool, MW_AR_PROPS_MAX * sizeof(mw_ar_prop));
	if (comment && *comment)
		r->comment = mw_pool_strdup(pool, comment);
	if (!r->method || !r->result || !r->props || (comment && *comment && !r->comment))
		return NULL;
	ar->none = false;
	ar->nresults++;
	return r;
}

/* mw_ar_add_prop - append a property */
mw_status mw_ar_add_prop(mw_ar_result *r, mw_pool *pool, const char *ptype,
			 const char *property, const char *value)
{
	if (!value || !*value)
		return MW_OK;
	if (r->nprops >= MW_AR_PROPS_MAX)
		return MW_ETOOBIG;
	mw_ar_prop *p = &r->props[r->nprops];
	p->ptype = mw_pool_strdup(pool, ptype);
	p->property = mw_pool_strdup(pool, property);
	p->value = mw_pool_strdup(pool, value);
	if (!p->ptype || !p->property || !p->value)
		return MW_ENOMEM;
	r->nprops++;
	return MW_OK;
}

/* add_typed - mw_authres_add with a typed result */
static mw_ar_result *add_typed(mw_authres *ar, mw_pool *pool, const char *method,
			       mw_auth_result res, const char *comment)
{
	return mw_authres_add(ar, pool, method, mw_auth_result_name(res), comment);
}

/* mw_authres_add_spf - SPF result (RFC 8601 §2.7.2) */
mw_status mw_authres_add_spf(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			     const char *mailfrom, const char *helo, const char *comment)
{
	mw_ar_result *r = add_typed(ar, pool, "spf", res, comment);
	if (!r)
		return MW_ETOOBIG;
	if (mailfrom && *mailfrom)
		return mw_ar_add_prop(r, pool, "smtp", "mailfrom", mailfrom);
	return mw_ar_add_prop(r, pool, "smtp", "helo", helo);
}

/* mw_authres_add_dkim - DKIM result (RFC 8601 §2.7.1, RFC 6008 for header.b) */
mw_status mw_authres_add_dkim(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			      const char *reason, const char *d, const char *s, const char *b,
			      const char *i)
{
	mw_ar_result *r = add_typed(ar, pool, "dkim", res, NULL);
	if (!r)
		return MW_ETOOBIG;
	if (reason && *reason && !(r->reason = mw_pool_strdup(pool, reason)))
		return MW_ENOMEM;
	char b8[9] = "";
	if (b) { /* RFC 6008 §4: the first 8 characters are enough to tell signatures apart */
		size_t n = 0;
		for (; *b && n < 8; b++)
			if (!is_wsp(*b) && *b != '\r' && *b != '\n')
				b8[n++] = *b;
		b8[n] = '\0';
	}
	mw_status st;
	/* header.b last: python3-authres 1.2 drops a quoted pvalue that is
	 * followed by another property, and base64 often needs quotes */
	if ((st = mw_ar_add_prop(r, pool, "header", "d", d)) != MW_OK ||
	    (st = mw_ar_add_prop(r, pool, "header", "s", s)) != MW_OK ||
	    (st = mw_ar_add_prop(r, pool, "header", "i", i)) != MW_OK)
		return st;
	return mw_ar_add_prop(r, pool, "header", "b", b8);
}

/* mw_authres_add_dmarc - DMARC result (RFC 9989 A-R registration) */
mw_status mw_authres_add_dmarc(mw_authres *ar, mw_pool *pool, mw_auth_result res,
			       const char *comment, const char *from_domain, const char *policy)
{
	mw_ar_result *r = add_typed(ar, pool, "dmarc", res, comment);
	if (!r)
		return MW_ETOOBIG;
	mw_status st = mw_ar_add_prop(r, pool, "header", "from", from_domain);
	if (st != MW_OK)
		return st;
	return mw_ar_add_prop(r, pool, "policy", "dmarc", policy);
}

/* mw_authres_add_arc - ARC result (RFC 8617 §10.2) */
mw_status mw_authres_add_arc(mw_authres *ar, mw_pool *pool, mw_auth_result cv,
			     const char *comment, unsigned oldest_pass)
{
	mw_ar_result *r = add_typed(ar, pool, "arc", cv, comment);
	if (!r)
		return MW_ETOOBIG;
	if (oldest_pass == 0)
		return MW_OK;
	char n[16];
	snprintf(n, sizeof(n), "%u", oldest_pass);
	return mw_ar_add_prop(r, pool, "header", "oldest-pass", n);
}

typedef struct ar_writer {
	mw_buf *out;
	size_t line_start; /* offset of the current line in out */
	const char *eol;
	mw_status st;
} ar_writer;

/* w_raw - append text as is */
static void w_raw(ar_writer *w, const char *s, size_t n)
{
	if (w->st == MW_OK)
		w->st = mw_buf_append(w->out, s, n);
}

/* w_newline - fold: line end and a tab */
static void w_newline(ar_writer *w)
{
	w_raw(w, w->eol, strlen(w->eol));
	w->line_start = w->out->len;
	w_raw(w, "\t", 1);
}

/* w_item - append one unbreakable item, preceded by a space or a fold */
static void w_item(ar_writer *w, const char *s, size_t n)
{
	size_t col = w->out->len - w->line_start + 7; /* a tab counts as 8 columns */
	if (col + 1 + n > MW_AR_LINE_MAX && w->out->len - w->line_start > 1)
		w_newline(w);
	else
		w_raw(w, " ", 1);
	w_raw(w, s, n);
}

/* is_address - [local-part] "@" domain with dot-atom characters only */
static bool is_address(const char *v)
{
	const char *at = strchr(v, '@');
	if (!at || strchr(at + 1, '@') || !at[1])
		return false;
	for (const char *p = v; *p; p++)
		if (p != at && !(is_alpha(*p) || is_digit(*p) || strchr("!#$%&'*+-/=?^_`{|}~.", *p)))
			return false;
	for (const char *p = at + 1; *p; p++)
		if (!(is_alpha(*p) || is_digit(*p) || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* needs_quotes - a value that is neither a token nor an address */
static bool needs_quotes(const char *v, bool allow_address)
{
	if (!*v)
		return true;
	if (allow_address && is_address(v))
		return false;
	for (const char *p = v; *p; p++)
		if (!is_token_char(*p) && (unsigned char)*p < 0x80)
			return true;
	return false;
}

/* put_value - value into b, quoted if needed */
static mw_status put_value(mw_buf *b, const char *v, bool allow_address)
{
	if (!needs_quotes(v, allow_address))
		return mw_buf_puts(b, v);
	mw_status st = mw_buf_putc(b, '"');
	for (; *v && st == MW_OK; v++) {
		if (*v == '"' || *v == '\\')
			st = mw_buf_putc(b, '\\');
		if (st == MW_OK)
			st = mw_buf_putc(b, (*v == '\r' || *v == '\n') ? ' ' : *v);
	}
	return st == MW_OK ? mw_buf_putc(b, '"') : st;
}

/* put_comment - "(text)" with parentheses and backslashes escaped; a comment
 * is free text, so a non-ASCII character (a "§" in a reason) becomes '?' to
 * keep the field 7-bit for parsers without RFC 6532 support */
static mw_status put_comment(mw_buf *b, const char *c)
{
	mw_status st = mw_buf_putc(b, '(');
	for (; *c && st == MW_OK; c++) {
		if ((unsigned char)*c >= 0x80) {
			while (((unsigned char)c[1] & 0xc0) == 0x80)
				c++; /* skip UTF-8 continuation bytes */
			st = mw_buf_putc(b, '?');
			continue;
		}
		if (*c == '(' || *c == ')' || *c == '\\')
			st = mw_buf_putc(b, '\\');
		if (st == MW_OK)
			st = mw_buf_putc(b, (*c == '\r' || *c == '\n') ? ' ' : *c);
	}
	return st == MW_OK ? mw_buf_putc(b, ')') : st;
}

/* w_result - one resinfo on its own line */
static void w_result(ar_writer *w, const mw_ar_result *r)
{
	mw_buf item;
	mw_buf_init(&item, MW_AR_HEADER_MAX);
	w_raw(w, ";", 1);
	w_newline(w);
	mw_buf_printf(&item, "%s", r->method);
	if (r->version)
		mw_buf_printf(&item, "/%u", r->version);
	mw_buf_printf(&item, "=%s", r->result);
	w_raw(w, item.data, item.len);
	if (r->comment) {
		mw_buf_reset(&item);
		if (w->st == MW_OK)
			w->st = put_comment(&item, r->comment);
		w_item(w, mw_buf_cstr(&item), item.len);
	}
	if (r->reason) {
		mw_buf_reset(&item);
		mw_buf_puts(&item, "reason=");
		if (w->st == MW_OK)
			w->st = put_value(&item, r->reason, false);
		w_item(w, mw_buf_cstr(&item), item.len);
	}
	for (size_t i = 0; i < r->nprops; i++) {
		mw_buf_reset(&item);
		if (*r->props[i].ptype)
			mw_buf_printf(&item, "%s.", r->props[i].ptype);
		mw_buf_printf(&item, "%s=", r->props[i].property);
		if (w->st == MW_OK)
			w->st = put_value(&item, r->props[i].value, true);
		w_item(w, mw_buf_cstr(&item), item.len);
	}
	mw_buf_free(&item);
}

/* mw_authres_format - render the field */
mw_status mw_authres_format(const mw_authres *ar, unsigned flags, mw_buf *out)
{
	ar_writer w = {out, out->len, (flags & MW_AR_FMT_LF) ? "\n" : "\r\n", MW_OK};
	mw_buf id;
	mw_buf_init(&id, MW_AR_TOKEN_MAX + 2);
	if (flags & MW_AR_FMT_FIELD_NAME)
		w_raw(&w, "Authentication-Results: ", 24);
	w.st = w.st == MW_OK ? put_value(&id, ar->authserv_id ? ar->authserv_id : "", false) : w.st;
	w_raw(&w, mw_buf_cstr(&id), id.len);
	mw_buf_free(&id);
	if (ar->version)
		mw_buf_printf(out, " %u", ar->version);
	if (ar->none || ar->nresults == 0)
		w_raw(&w, "; none", 6);
	for (size_t i = 0; i < ar->nresults; i++)
		w_result(&w, &ar->results[i]);
	return w.st;
}
