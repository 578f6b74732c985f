/*
 * auth/spf_macro.c - SPF macro checking and expansion (see spf_macro.h).
 */
#include "auth/spf_macro.h"

#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

#define PARTS_MAX 128   /* digit transformers beyond this mean "all parts" */
#define SPLIT_MAX 1100  /* parts a value may split into (> MW_SPF_SENDER_MAX / 1) */

/* is_delim - §7.1 delimiter characters */
static bool is_delim(char c)
{
	return c && strchr(".-+,/_=", c) != NULL;
}

/* letter_ok - known macro letter; c r t only in explanations */
static bool letter_ok(char c, bool exp)
{
	c = mw_tolower(c);
	if (c && strchr("slodiphv", c))
		return true;
	return exp && c && strchr("crt", c);
}

typedef struct macro {
	char letter;       /* as written (case tells about URL-escaping) */
	unsigned digits;   /* 0 = all parts */
	bool reverse;
	char delims[8];
	size_t end;        /* index one past the closing brace */
} macro;

/* parse_macro - parse "%{...}" starting at s[i] (s[i] == '%', s[i+1] == '{') */
static bool parse_macro(const char *s, size_t n, size_t i, bool exp, macro *m, mw_err *err)
{
	memset(m, 0, sizeof(*m));
	size_t p = i + 2;
	if (p >= n || !letter_ok(s[p], exp))
		return mw_err_set(err, MW_EPARSE, "bad macro letter in '%.*s'", (int)(n - i > 20 ? 20 : n - i),
				  s + i) == MW_OK;
	m->letter = s[p++];
	size_t nd = 0;
	unsigned long v = 0;
	while (p < n && s[p] >= '0' && s[p] <= '9') {
		if (v <= PARTS_MAX * 10ul)
			v = v * 10 + (unsigned long)(s[p] - '0');
		p++;
		nd++;
	}
	if (nd && v == 0)
		return mw_err_set(err, MW_EPARSE, "macro digit transformer is zero") == MW_OK;
	m->digits = v > PARTS_MAX ? 0 : (unsigned)v;
	if (p < n && mw_tolower(s[p]) == 'r') {
		m->reverse = true;
		p++;
	}
	size_t k = 0;
	while (p < n && is_delim(s[p])) {
		if (k + 1 < sizeof(m->delims) && !strchr(m->delims, s[p]))
			m->delims[k++] = s[p];
		p++;
	}
	if (p >= n || s[p] != '}')
		return mw_err_set(err, MW_EPARSE, "unterminated or malformed macro") == MW_OK;
	m->end = p + 1;
	return true;
}

/* spf_macro_check - validate a macro-string */
bool spf_macro_check(const char *s, size_t n, bool exp, mw_err *err)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c != '%') {
			if (c < 0x21 || c > 0x7e) {
				/* explanation text may hold spaces (§6.2: macro-string in TXT) */
				if (!(exp && c == ' ')) {
					mw_err_set(err, MW_EPARSE, "invalid character 0x%02x", c);
					return false;
				}
			}
			i++;
			continue;
		}
		if (i + 1 >= n) {
			mw_err_set(err, MW_EPARSE, "'%%' at end of macro-string");
			return false;
		}
		char d = s[i + 1];
		if (d == '%' || d == '_' || d == '-') {
			i += 2;
			continue;
		}
		if (d != '{') {
			mw_err_set(err, MW_EPARSE, "'%%' followed by '%c'", d);
			return false;
		}
		macro m;
		if (!parse_macro(s, n, i, exp, &m, err))
			return false;
		i = m.end;
	}
	return true;
}

/* spf_macro_uses_p - look for %{p} (after a valid check) */
bool spf_macro_uses_p(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] != '%')
			continue;
		if (s[i + 1] == '{' && mw_tolower(s[i + 2]) == 'p')
			return true;
		i++; /* skip the escaped character of %%, %_, %- */
	}
	return false;
}

/* put_dec - decimal octet */
static size_t put_dec(char *out, unsigned v)
{
	size_t k = 0;
	if (v >= 100)
		out[k++] = (char)('0' + v / 100);
	if (v >= 10)
		out[k++] = (char)('0' + v / 10 % 10);
	out[k++] = (char)('0' + v % 10);
	return k;
}

/* ip_value - %{i}: dotted quad or dotted nibbles (out >= 64 bytes) */
static void ip_value(const spf_macro_env *env, char *out, size_t n)
{
	const mw_ip *ip = env->ip;
	size_t k = 0;
	(void)n;
	if (ip->family == 4) {
		for (int i = 0; i < 4; i++) {
			k += put_dec(out + k, ip->addr[i]);
			out[k++] = '.';
		}
	} else {
		const char *hex = env->ip_upper ? "0123456789ABCDEF" : "0123456789abcdef";
		for (int i = 0; i < 16; i++) {
			out[k++] = hex[ip->addr[i] >> 4];
			out[k++] = '.';
			out[k++] = hex[ip->addr[i] & 0xf];
			out[k++] = '.';
		}
	}
	out[k - 1] = '\0';
}

/* letter_value - the unsplit value of a macro letter */
static const char *letter_value(char letter, const spf_macro_env *env, char *tmp, size_t n)
{
	switch (mw_tolower(letter)) {
	case 's': return env->sender;
	case 'l': return env->local;
	case 'o': return env->sdomain;
	case 'd': return env->domain;
	case 'h': return env->helo;
	case 'r': return env->receiver && *env->receiver ? env->receiver : "unknown";
	case 'p': return env->ptr ? env->ptr : "unknown";
	case 'v': return env->ip->family == 4 ? "in-addr" : "ip6";
	case 'i': ip_value(env, tmp, n); return tmp;
	case 'c': return mw_ip_format(env->ip, tmp, n);
	case 't': snprintf(tmp, n, "%lld", (long long)env->now); return tmp;
	}
	return "";
}

/* put_escaped - append a part, URL-escaping when asked */
static mw_status put_part(mw_buf *out, const char *p, size_t n, bool escape)
{
	if (!escape)
		return mw_buf_append(out, p, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				  (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
		mw_status st = unreserved ? mw_buf_putc(out, (char)c) : mw_buf_printf(out, "%%%02X", c);
		if (st != MW_OK)
			return st;
	}
	return MW_OK;
}

/* expand_one - split, reverse, cut and join one macro value (§7.3) */
static mw_status expand_one(const macro *m, const char *val, mw_buf *out)
{
	const char *delims = m->delims[0] ? m->delims : ".";
	bool escape = m->letter >= 'A' && m->letter <= 'Z';
	size_t len = strlen(val);
	/* Fast path: no transformer and the default delimiter keep the value. */
	if (!m->digits && !m->reverse && !m->delims[0])
		return put_part(out, val, len, escape);
	bool is_d[256] = {false};
	for (const char *d = delims; *d; d++)
		is_d[(unsigned char)*d] = true;
	size_t nparts = 1;
	for (size_t i = 0; i < len; i++)
		nparts += is_d[(unsigned char)val[i]];
	if (nparts > SPLIT_MAX)
		return MW_ETOOBIG;
	size_t keep = m->digits && m->digits < nparts ? m->digits : nparts;
	/* Output parts j = nparts-keep .. nparts-1 of the (possibly reversed) list,
	 * i.e. original parts [0, keep) reversed, or [nparts-keep, nparts). */
	size_t first = m->reverse ? 0 : nparts - keep, last = first + keep; /* original indexes */
	size_t starts[SPLIT_MAX], ends[SPLIT_MAX], np = 0, idx = 0, b = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !is_d[(unsigned char)val[i]])
			continue;
		if (idx >= first && idx < last) {
			starts[np] = b;
			ends[np++] = i;
		}
		idx++;
		b = i + 1;
	}
	mw_status st = MW_OK;
	for (size_t j = 0; j < np && st == MW_OK; j++) {
		size_t p = m->reverse ? np - 1 - j : j;
		if (j)
			st = mw_buf_putc(out, '.');
		if (st == MW_OK)
			st = put_part(out, val + starts[p], ends[p] - starts[p], escape);
	}
	return st;
}

/* spf_macro_expand - expand a macro-string */
mw_status spf_macro_expand(const char *s, size_t n, const spf_macro_env *env, bool exp,
			   mw_buf *out, mw_err *err)
{
	if (!spf_macro_check(s, n, exp, err))
		return MW_EPARSE;
	char tmp[80];
	for (size_t i = 0; i < n;) {
		mw_status st;
		if (s[i] != '%') {
			size_t j = i;
			while (j < n && s[j] != '%')
				j++;
			st = mw_buf_append(out, s + i, j - i);
			i = j;
		} else if (s[i + 1] != '{') {
			char c = s[i + 1];
			st = c == '%' ? mw_buf_putc(out, '%')
			     : c == '_' ? mw_buf_putc(out, ' ') : mw_buf_puts(out, "%20");
			i += 2;
		} else {
			macro m;
			parse_macro(s, n, i, exp, &m, NULL);
			const char *val = letter_value(m.letter, env, tmp, sizeof(tmp));
			st = expand_one(&m, val ? val : "", out);
			i = m.end;
		}
		if (st != MW_OK)
			return mw_err_set(err, st, "macro expansion too long");
	}
	return MW_OK;
}

/* spf_domain_truncate - keep the right-most labels that fit */
void spf_domain_truncate(char *name)
{
	size_t n = strlen(name);
	if (n && name[n - 1] == '.')
		name[--n] = '\0';
	const char *p = name;
	while (n > MW_SPF_MACRO_MAX) {
		const char *dot = strchr(p, '.');
		if (!dot) {
			p += n; /* a single label that long: nothing usable is left */
			n = 0;
			break;
		}
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	memmove(name, p, n + 1);
}
