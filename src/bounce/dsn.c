/*
 * bounce/dsn.c - RFC 3464 / RFC 6533 delivery-status field parser.
 */
#include "bounce/dsn.h"

#include <string.h>

#include "core/limits.h"
#include "core/str.h"

/* field - one unfolded header field */
typedef struct field {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
} field;

/* next_line - [*p, eol) is the next line; advances past its LF.  false at end */
static bool next_line(const char **p, const char *end, const char **ls, const char **le)
{
	if (*p >= end)
		return false;
	*ls = *p;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*le = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	if (*le > *ls && (*le)[-1] == '\r')
		(*le)--;
	return true;
}

/* is_blank - line has only white space */
static bool is_blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* add_unfolded - append a line to the value buffer with one joining space */
static char *unfold(mw_pool *pool, const char *first, const char *first_end, const char **p,
		    const char *end, size_t *len)
{
	char buf[MW_BOUNCE_FIELD_MAX];
	size_t n = 0;
	const char *s = first, *e = first_end;
	for (;;) {
		mw_trim(&s, &e);
		size_t add = (size_t)(e - s);
		if (n && add && n + 1 < sizeof(buf))
			buf[n++] = ' ';
		if (add > sizeof(buf) - 1 - n)
			add = sizeof(buf) - 1 - n;
		memcpy(buf + n, s, add);
		n += add;
		/* continuation lines start with white space (RFC 5322 §2.2.3) */
		if (*p >= end || (**p != ' ' && **p != '\t'))
			break;
		const char *save = *p;
		if (!next_line(p, end, &s, &e) || is_blank(s, e)) {
			*p = save;
			break;
		}
	}
	*len = n;
	return mw_pool_strndup(pool, buf, n);
}

/* hexval - value of one hex digit or -1 */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = mw_tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* put_utf8 - encode code point cp at out; returns bytes written (max 4) */
static size_t put_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* mw_dsn_decode_xtext - see header; malformed escapes are kept literally */
char *mw_dsn_decode_xtext(mw_pool *pool, const char *s, size_t n)
{
	char *out = mw_pool_alloc(pool, n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '+' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 3;
			continue;
		}
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && s[i + 2] == '{') {
			unsigned long cp = 0;
			size_t j = i + 3, digits = 0;
			while (j < n && hexval(s[j]) >= 0 && digits < 6)
				cp = cp * 16 + (unsigned long)hexval(s[j++]), digits++;
			if (j < n && s[j] == '}' && digits >= 2 && cp <= 0x10FFFF && cp >= 0x20 &&
			    (cp < 0xD800 || cp > 0xDFFF)) {
				size_t w = put_utf8(cp, out + o);
				/* an escape is >= 6 bytes, its UTF-8 form <= 4 */
				o += w;
				i = j + 1;
				continue;
			}
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

/* split_typed - "type; value" -> type (lower-cased) and value */
static void split_typed(mw_pool *pool, const char *v, size_t n, const char **type,
			const char **value, bool decode)
{
	const char *semi = memchr(v, ';', n);
	const char *vs = semi ? semi + 1 : v, *ve = v + n;
	mw_trim(&vs, &ve);
	if (semi && type) {
		const char *ts = v, *te = semi;
		mw_trim(&ts, &te);
		char *t = mw_pool_strndup(pool, ts, (size_t)(te - ts));
		*type = t ? mw_strlower(t) : NULL;
	}
	/* addresses sometimes come as <addr> */
	if (decode && ve - vs >= 2 && *vs == '<' && ve[-1] == '>')
		vs++, ve--;
	*value = decode ? mw_dsn_decode_xtext(pool, vs, (size_t)(ve - vs))
			: mw_pool_strndup(pool, vs, (size_t)(ve - vs));
}

/* new_rcpt - append an empty recipient; NULL when over the limit or budget */
static mw_dsn_rcpt *new_rcpt(mw_pool *pool, mw_dsn *d)
{
	if (d->nrcpt >= MW_BOUNCE_RCPTS_MAX) {
		d->truncated = true;
		return NULL;
	}
	if (d->nrcpt == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4;
		mw_dsn_rcpt *n = mw_pool_alloc(pool, cap * sizeof(*n));
		if (!n)
			return NULL;
		if (d->nrcpt)
			memcpy(n, d->rcpts, d->nrcpt * sizeof(*n));
		d->rcpts = n;
		d->cap = cap;
	}
	mw_dsn_rcpt *r = &d->rcpts[d->nrcpt++];
	memset(r, 0, sizeof(*r));
	return r;
}

static bool name_is(const field *f, const char *name)
{
	return mw_strcaseeq_n(f->name, f->nlen, name);
}

/* per_message - store a per-message field; false if not one */
static bool per_message(mw_pool *pool, mw_dsn *d, const field *f, const char *v)
{
	const char *dummy = NULL;
	if (name_is(f, "Reporting-MTA"))
		split_typed(pool, v, f->vlen, &dummy, &d->reporting_mta, false);
	else if (name_is(f, "Received-From-MTA"))
		split_typed(pool, v, f->vlen, &dummy, &d->received_from_mta, false);
	else if (name_is(f, "DSN-Gateway"))
		split_typed(pool, v, f->vlen, &dummy, &d->dsn_gateway, false);
	else if (name_is(f, "Arrival-Date"))
		d->arrival_date = v;
	else if (name_is(f, "Original-Envelope-Id"))
		d->envelope_id = v;
	else
		return false;
	return true;
}

/* per_recipient - store a per-recipient field in r; false if not one */
static bool per_recipient(mw_pool *pool, mw_dsn_rcpt *r, const field *f, const char *v)
{
	const char *t = NULL;
	if (name_is(f, "Final-Recipient")) {
		split_typed(pool, v, f->vlen, &r->final_type, &r->final_recipient, true);
	} else if (name_is(f, "Original-Recipient")) {
		split_typed(pool, v, f->vlen, &t, &r->original_recipient, true);
	} else if (name_is(f, "Action")) {
		char *a = mw_pool_strdup(pool, v);
		r->action = a ? mw_strlower(a) : NULL;
	} else if (name_is(f, "Status")) {
		const char *s = v, *e = v + f->vlen;
		mw_trim(&s, &e);
		const char *sp = s;
		while (sp < e && *sp != ' ' && *sp != '\t' && *sp != '(')
			sp++;
		if (mw_status_code_valid(s, (size_t)(sp - s)) && sp - s < MW_STATUS_STR_MAX) {
			memcpy(r->status, s, (size_t)(sp - s));
			r->status[sp - s] = '\0';
		}
	} else if (name_is(f, "Remote-MTA")) {
		split_typed(pool, v, f->vlen, &t, &r->remote_mta, false);
	} else if (name_is(f, "Diagnostic-Code")) {
		split_typed(pool, v, f->vlen, &r->diagnostic_type, &r->diagnostic, false);
	} else if (name_is(f, "Last-Attempt-Date")) {
		r->last_attempt = v;
	} else if (name_is(f, "Will-Retry-Until")) {
		r->will_retry_until = v;
	} else {
		return false;
	}
	return true;
}

/* read_field - parse "Name: value" (unfolded); false if the line is not a field */
static bool read_field(mw_pool *pool, const char *ls, const char *le, const char **p,
		       const char *end, field *f, char **value)
{
	const char *colon = memchr(ls, ':', (size_t)(le - ls));
	if (!colon || colon == ls)
		return false;
	for (const char *c = ls; c < colon; c++)
		if (*c <= ' ' || *c > '~')
			return false;
	f->name = ls;
	f->nlen = (size_t)(colon - ls);
	*value = unfold(pool, colon + 1, le, p, end, &f->vlen);
	f->val = *value;
	return *value != NULL;
}

/* mw_dsn_parse - see header */
mw_status mw_dsn_parse(mw_pool *pool, const char *s, size_t n, mw_dsn *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *p = s, *end = s + n, *ls, *le;
	mw_dsn_rcpt *cur = NULL;
	bool fresh_block = true;
	size_t fields = 0;
	while (next_line(&p, end, &ls, &le)) {
		if (is_blank(ls, le)) {
			fresh_block = true;
			continue;
		}
		field f;
		char *v;
		if (!read_field(pool, ls, le, &p, end, &f, &v)) {
			if (mw_pool_used(pool) >= MW_BOUNCE_POOL_MAX - MW_BOUNCE_FIELD_MAX)
				return mw_err_set(err, MW_ETOOBIG, "delivery-status over memory budget");
			continue;
		}
		fields++;
		if (per_message(pool, out, &f, v))
			continue;
		bool starts = name_is(&f, "Final-Recipient") || name_is(&f, "Original-Recipient");
		bool need_new = !cur || (fresh_block && starts) ||
				(name_is(&f, "Final-Recipient") && cur->final_recipient) ||
				(name_is(&f, "Original-Recipient") && cur->original_recipient);
		if (need_new && (starts || !cur)) {
			mw_dsn_rcpt *r = new_rcpt(pool, out);
			if (!r) {
				if (out->truncated)
					break;
				return mw_err_set(err, MW_ETOOBIG, "delivery-status over memory budget");
			}
			cur = r;
		}
		fresh_block = false;
		per_recipient(pool, cur, &f, v);
	}
	/* drop blocks that named no recipient (per-message noise) */
	size_t k = 0;
	for (size_t i = 0; i < out->nrcpt; i++)
		if (out->rcpts[i].final_recipient || out->rcpts[i].original_recipient)
			out->rcpts[k++] = out->rcpts[i];
	out->nrcpt = k;
	if (fields == 0)
		return mw_err_set(err, MW_EPARSE, "no delivery-status fields");
	return MW_OK;
}
