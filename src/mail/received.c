/*
 * mail/received.c - Received field parser (see received.h).
 *
 * The value is unfolded into a pool copy, the date split off at the last
 * ';' outside comments, and the rest scanned once for clause keywords at
 * nesting depth 0.  Each clause is its first word plus the comments that
 * follow it; the from clause's comments carry the TCP-info.
 */
#include "mail/received.h"

#include <string.h>

#include "core/str.h"
#include "mail/date.h"

enum { K_FROM, K_BY, K_VIA, K_WITH, K_ID, K_FOR, K_N };
static const char *const kw_name[K_N] = {"from", "by", "via", "with", "id", "for"};

typedef struct span {
	const char *p;
	size_t n;
} span;

typedef struct clause {
	bool present;
	span text;                      /* everything after the keyword */
	span word;                      /* the first word */
	span cmt[MW_RCVD_COMMENTS_MAX]; /* comment contents, outer parens removed */
	size_t ncmt;
} clause;

typedef struct scan {
	char *s; /* unfolded copy */
	size_t n;
	clause c[K_N];
	size_t body_end; /* where the date part starts (';' index) or n */
	bool any_comment_only;
} scan;

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* unfold - pool copy, outer white space trimmed, each run of white space
 * (folding included) collapsed to one space, NULs made spaces; *n updated */
static char *unfold(const char *v, size_t *n, mw_pool *pool)
{
	char *s = mw_pool_strndup(pool, v, *n);
	if (!s)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < *n; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == '\0')
			c = ' ';
		if (c == ' ' && (o == 0 || s[o - 1] == ' '))
			continue;
		s[o++] = c;
	}
	while (o > 0 && s[o - 1] == ' ')
		o--;
	s[o] = '\0';
	*n = o;
	return s;
}

/* skip_group - from s[i] == '(' / '[' / '"', index after its end (or n) */
static size_t skip_group(const char *s, size_t i, size_t n)
{
	if (s[i] == '[') {
		while (i < n && s[i] != ']')
			i++;
		return i < n ? i + 1 : n;
	}
	if (s[i] == '"') {
		for (i++; i < n && s[i] != '"'; i++)
			if (s[i] == '\\' && i + 1 < n)
				i++;
		return i < n ? i + 1 : n;
	}
	int depth = 0;
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

/* find_date - index of the last ';' at depth 0, or n */
static size_t find_date(const char *s, size_t n)
{
	size_t semi = n;
	for (size_t i = 0; i < n;) {
		if (s[i] == '(' || s[i] == '"') {
			i = skip_group(s, i, n);
			continue;
		}
		if (s[i] == ';')
			semi = i;
		i++;
	}
	return semi;
}

/* keyword_at - K_* if a clause keyword starts at s[i] (word boundary), else -1 */
static int keyword_at(const char *s, size_t i, size_t n)
{
	if (i > 0 && !is_ws(s[i - 1]) && s[i - 1] != ')')
		return -1;
	for (int k = 0; k < K_N; k++) {
		size_t l = strlen(kw_name[k]);
		if (i + l <= n && mw_strcaseeq_n(s + i, l, kw_name[k]) &&
		    (i + l == n || is_ws(s[i + l]) || s[i + l] == '(' || s[i + l] == '['))
			return k;
	}
	return -1;
}

/* fill_clause - first word and comments of the text [a, b) */
static void fill_clause(const char *s, size_t a, size_t b, clause *c)
{
	c->present = true;
	while (a < b && is_ws(s[a]))
		a++;
	size_t e = b;
	while (e > a && is_ws(s[e - 1]))
		e--;
	c->text = (span){s + a, e - a};
	size_t i = a;
	if (i < b && s[i] == '[') {
		i = skip_group(s, i, b);
	} else if (i < b && s[i] == '<') {
		while (i < b && s[i] != '>' && !is_ws(s[i]))
			i++;
		if (i < b && s[i] == '>')
			i++;
	} else {
		while (i < b && !is_ws(s[i]) && s[i] != '(')
			i++;
	}
	c->word = (span){s + a, i - a};
	while (i < b) {
		if (s[i] == '(') {
			size_t end = skip_group(s, i, b);
			size_t inner_end = end > i + 1 && s[end - 1] == ')' ? end - 1 : end;
			if (c->ncmt < MW_RCVD_COMMENTS_MAX)
				c->cmt[c->ncmt++] = (span){s + i + 1, inner_end - i - 1};
			i = end;
		} else if (s[i] == '[' || s[i] == '"') {
			i = skip_group(s, i, b);
		} else {
			i++;
		}
	}
}

/* split_clauses - find the keywords in s[0..body_end) */
static bool split_clauses(scan *sc)
{
	const char *s = sc->s;
	size_t n = sc->body_end, start[K_N];
	int order[K_N], nord = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '(' || s[i] == '[' || s[i] == '"') {
			i = skip_group(s, i, n);
			continue;
		}
		int k = keyword_at(s, i, n);
		if (k >= 0 && !sc->c[k].present && nord < K_N) {
			sc->c[k].present = true;
			start[k] = i + strlen(kw_name[k]);
			order[nord++] = k;
			i = start[k];
			continue;
		}
		i++;
	}
	for (int j = 0; j < nord; j++) {
		int k = order[j];
		size_t end = n;
		for (int m = 0; m < nord; m++) /* the next keyword after this one */
			if (start[order[m]] > start[k]) {
				size_t kst = start[order[m]] - strlen(kw_name[order[m]]);
				if (kst < end)
					end = kst;
			}
		fill_clause(s, start[k], end, &sc->c[k]);
	}
	return nord > 0;
}

/* span_has - case-insensitive substring search in a span (needle: ASCII) */
static bool span_has(span sp, const char *needle)
{
	size_t l = strlen(needle);
	char c0 = mw_tolower(needle[0]);
	for (size_t i = 0; i + l <= sp.n; i++)
		if (mw_tolower(sp.p[i]) == c0 && mw_strcaseeq_n(sp.p + i, l, needle))
			return true;
	return false;
}

/* tok - pool copy of a span, cut at MW_RCVD_TOKEN_MAX, trailing dot removed */
static const char *tok(mw_pool *pool, span sp)
{
	while (sp.n && is_ws(sp.p[sp.n - 1]))
		sp.n--;
	while (sp.n && is_ws(sp.p[0])) {
		sp.p++;
		sp.n--;
	}
	if (sp.n > 1 && sp.p[sp.n - 1] == '.')
		sp.n--;
	if (sp.n > MW_RCVD_TOKEN_MAX)
		sp.n = MW_RCVD_TOKEN_MAX;
	return sp.n ? mw_pool_strndup(pool, sp.p, sp.n) : NULL;
}

/* set_ip - parse an address (literal contents or bare) into r */
static bool set_ip(mw_received *r, span sp, mw_pool *pool)
{
	if (sp.n >= 2 && sp.p[0] == '[' && sp.p[sp.n - 1] == ']') {
		sp.p++;
		sp.n -= 2;
	}
	if (sp.n > 5 && mw_strcaseeq_n(sp.p, 5, "IPv6:")) {
		sp.p += 5;
		sp.n -= 5;
	}
	mw_ip ip;
	if (sp.n == 0 || sp.n >= MW_IP_STR_MAX || !mw_ip_parse_n(sp.p, sp.n, &ip))
		return false;
	mw_ip_unmap(&ip);
	r->ip = ip;
	char buf[MW_IP_STR_MAX];
	r->has_ip = true;
	r->ip_text = mw_pool_strdup(pool, mw_ip_format(&ip, buf, sizeof(buf)));
	return r->ip_text != NULL;
}

/* helo_in - value of "helo=X" or a leading "HELO X" in a comment */
static bool helo_in(span c, span *out)
{
	for (size_t i = 0; i + 5 <= c.n; i++) {
		bool eq = mw_strcaseeq_n(c.p + i, 5, "helo=");
		bool sp = i == 0 && mw_strcaseeq_n(c.p, 5, "helo ");
		if (!eq && !sp)
			continue;
		if (i > 0 && !is_ws(c.p[i - 1]))
			continue;
		size_t a = i + 5, b;
		while (a < c.n && is_ws(c.p[a]))
			a++;
		for (b = a; b < c.n && !is_ws(c.p[b]) && c.p[b] != ')'; b++)
			;
		*out = (span){c.p + a, b - a};
		return b > a;
	}
	return false;
}

/* tcp_info - read one from-clause comment; *helo set when it names the HELO */
static void tcp_info(mw_received *r, span c, mw_pool *pool, span *helo)
{
	bool has_helo = helo_in(c, helo);
	if (has_helo) /* look for the address only before "helo=" */
		c.n = (size_t)(helo->p - c.p) > 5 ? (size_t)(helo->p - c.p) - 5 : 0;
	const char *lb = c.n ? memchr(c.p, '[', c.n) : NULL;
	const char *rb = lb ? memchr(lb, ']', c.n - (size_t)(lb - c.p)) : NULL;
	if (has_helo && !lb)
		return;
	if (lb && rb) {
		if (!r->has_ip)
			set_ip(r, (span){lb, (size_t)(rb - lb) + 1}, pool);
		span name = {c.p, (size_t)(lb - c.p)};
		const char *nm = tok(pool, name);
		if (nm && mw_strcaseeq(nm, "unknown"))
			r->rdns_unknown = true;
		else if (nm && !r->rdns)
			r->rdns = nm;
		if (span_has(c, "may be forged"))
			r->may_be_forged = true;
		return;
	}
	if (!r->has_ip)
		set_ip(r, c, pool); /* Exchange / qmail "(192.0.2.1)" */
}

/* parse_from - HELO, rDNS, address from the from clause */
static void parse_from(mw_received *r, const clause *c, mw_pool *pool)
{
	span helo = {0};
	for (size_t i = 0; i < c->ncmt; i++)
		tcp_info(r, c->cmt[i], pool, &helo);
	span w = c->word;
	bool literal = w.n && w.p[0] == '[';
	bool exim = r->mta == MW_MTA_EXIM;
	if (w.n && memchr(w.p, '@', w.n) && !literal) { /* Sendmail "(from user@host)" */
		r->local = true;
		return;
	}
	if (helo.n) { /* qmail (HELO x), Exim helo=x: the word is the rDNS or an address */
		r->helo = tok(pool, helo);
		if (literal || set_ip(&(mw_received){0}, w, pool)) {
			if (!r->has_ip)
				set_ip(r, w, pool);
		} else if (w.n) {
			const char *nm = tok(pool, w);
			if (nm && mw_strcaseeq(nm, "unknown"))
				r->rdns_unknown = true;
			else if (!r->rdns)
				r->rdns = nm;
		}
		return;
	}
	if (exim && !literal && !r->rdns && !r->rdns_unknown) /* Exim "from RDNS ([IP])" */
		r->rdns = tok(pool, w);
	r->helo = tok(pool, w);
	if (!r->has_ip && w.n) /* "from [IP] by", Yahoo "from 98.137.64.83 by" */
		set_ip(r, w, pool);
}

/* protocol - normalise the with clause */
static void parse_with(mw_received *r, const clause *c, mw_pool *pool)
{
	if (span_has(c->text, "Microsoft SMTP Server")) {
		r->mta = MW_MTA_EXCHANGE;
		r->tls = r->tls || span_has(c->text, "version=TLS");
		r->protocol = r->tls ? "ESMTPS" : "ESMTP";
		return;
	}
	char *p = (char *)tok(pool, c->word);
	if (!p)
		return;
	for (char *q = p; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 32);
	r->protocol = p;
	const char *base = strstr(p, "SMTP");
	if (!base)
		base = strstr(p, "LMTP");
	if (!base)
		base = strstr(p, "HTTP");
	if (base) {
		const char *suf = base + 4;
		if (strchr(suf, 'S'))
			r->tls = true;
		if (strchr(suf, 'A'))
			r->authenticated = true;
	}
}

/* detect_mta - recognise the writer from its comments */
static void detect_mta(mw_received *r, const scan *sc)
{
	span all = {sc->s, sc->body_end};
	if (span_has(all, "(Exim "))
		r->mta = MW_MTA_EXIM;
	else if (span_has(all, "(Postfix"))
		r->mta = MW_MTA_POSTFIX;
	else if (span_has(all, "Microsoft SMTP Server"))
		r->mta = MW_MTA_EXCHANGE;
	else if (span_has(all, "(qmail "))
		r->mta = MW_MTA_QMAIL;
	else if (span_has(all, "by mx.google.com") || span_has(all, "by smtp.gmail.com") ||
	         span_has(all, "Google Transport Security"))
		r->mta = MW_MTA_GMAIL;
	else if (span_has(all, "/8.") || span_has(all, "Sendmail"))
		r->mta = MW_MTA_SENDMAIL;
	if (span_has(all, "using TLS") || span_has(all, "version=TLS") ||
	    span_has(all, "Google Transport Security"))
		r->tls = true;
	if (span_has(all, "Authenticated sender") || span_has(all, "authenticated bits") ||
	    span_has(all, "(authenticated"))
		r->authenticated = true;
}

/* comment_only - the body is nothing but comments: "(qmail 123 invoked ...)" */
static bool comment_only(const scan *sc)
{
	size_t i = 0;
	while (i < sc->body_end) {
		if (is_ws(sc->s[i])) {
			i++;
			continue;
		}
		if (sc->s[i] != '(')
			return false;
		i = skip_group(sc->s, i, sc->body_end);
		if (sc->s[i - 1] != ')')
			return false; /* unclosed */
	}
	return sc->body_end > 0;
}

static void parse_date(mw_received *r, const scan *sc)
{
	if (sc->body_end >= sc->n) {
		r->problem = "no date";
		return;
	}
	mw_date d;
	const char *p = sc->s + sc->body_end + 1;
	if (mw_date_parse(p, sc->n - sc->body_end - 1, &d)) {
		r->has_time = true;
		r->time = d.t;
		r->tz_minutes = d.tz_minutes;
	} else {
		r->problem = "date unreadable";
	}
}

mw_status mw_received_parse(const char *value, size_t len, mw_pool *pool, mw_received *out)
{
	memset(out, 0, sizeof(*out));
	size_t keep = len > MW_RCVD_VALUE_MAX ? MW_RCVD_VALUE_MAX : len;
	scan sc = {0};
	if (!(sc.s = unfold(value, &keep, pool)))
		return MW_ENOMEM;
	sc.n = keep;
	out->raw = sc.s;
	if (len > MW_RCVD_VALUE_MAX) {
		out->problem = "too long";
		return MW_OK;
	}
	sc.body_end = find_date(sc.s, sc.n);
	detect_mta(out, &sc);
	if (!split_clauses(&sc)) {
		if (comment_only(&sc)) { /* qmail-inject / local delivery */
			out->parsed = out->local = true;
			parse_date(out, &sc);
			return MW_OK;
		}
		out->problem = "no from or by clause";
		return MW_OK;
	}
	out->parsed = true;
	parse_date(out, &sc);
	if (sc.c[K_FROM].present)
		parse_from(out, &sc.c[K_FROM], pool);
	else
		out->local = true;
	out->by = tok(pool, sc.c[K_BY].word);
	out->via = tok(pool, sc.c[K_VIA].word);
	out->id = tok(pool, sc.c[K_ID].word);
	span f = sc.c[K_FOR].word;
	if (f.n >= 2 && f.p[0] == '<') {
		f.n -= f.p[f.n - 1] == '>' ? 2 : 1;
		f.p++;
	}
	out->for_addr = tok(pool, f);
	if (sc.c[K_WITH].present)
		parse_with(out, &sc.c[K_WITH], pool);
	if (!sc.c[K_FROM].present && !sc.c[K_BY].present) {
		out->parsed = false;
		out->problem = "no from or by clause";
	}
	if (out->protocol && strcmp(out->protocol, "LOCAL") == 0)
		out->local = true;
	return MW_OK;
}

const char *mw_rcvd_mta_name(mw_rcvd_mta m)
{
	static const char *const names[] = {"unknown", "postfix",  "sendmail", "exim",
	                                    "qmail",   "exchange", "gmail"};
	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "unknown";
}
