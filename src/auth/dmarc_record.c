/*
 * auth/dmarc_record.c - DMARC policy record parser (see dmarc_record.h).
 */
#include "auth/dmarc_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/taglist.h"
#include "core/str.h"

/* mw_dmarc_policy_name - the RFC word */
const char *mw_dmarc_policy_name(mw_dmarc_policy p)
{
	switch (p) {
	case MW_DMARC_POLICY_QUARANTINE: return "quarantine";
	case MW_DMARC_POLICY_REJECT: return "reject";
	case MW_DMARC_POLICY_NONE: break;
	}
	return "none";
}

/* mw_dmarc_record_is_candidate - "v=DMARC1" then ';', WSP or the end */
bool mw_dmarc_record_is_candidate(const char *txt, size_t len)
{
	size_t i = 0;
	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	if (len - i < 8 || memcmp(txt + i, "v=DMARC1", 8) != 0)
		return false;
	i += 8;
	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	return i == len || txt[i] == ';';
}

/* note - add a human note (silently capped) */
static void note(mw_dmarc_record *r, mw_pool *pool, const char *pre, const char *a, size_t n,
		 const char *post)
{
	if (r->nnotes >= MW_DMARC_NOTES_MAX)
		return;
	char *s = mw_pool_printf(pool, "%s%.*s%s", pre, (int)n, a, post);
	if (s)
		r->notes[r->nnotes++] = s;
}

/* parse_policy - none | quarantine | reject (case-insensitive) */
static bool parse_policy(const mw_tag *t, mw_dmarc_policy *out)
{
	if (mw_tag_is(t, "none", true))
		*out = MW_DMARC_POLICY_NONE;
	else if (mw_tag_is(t, "quarantine", true))
		*out = MW_DMARC_POLICY_QUARANTINE;
	else if (mw_tag_is(t, "reject", true))
		*out = MW_DMARC_POLICY_REJECT;
	else
		return false;
	return true;
}

/* mailto_domain - host of a mailto: URI ("mailto:a@b.example" -> "b.example") */
static const char *mailto_domain(const char *uri, mw_pool *pool)
{
	if (strncasecmp(uri, "mailto:", 7) != 0)
		return NULL;
	const char *at = strrchr(uri + 7, '@');
	if (!at || at == uri + 7 || !at[1])
		return NULL;
	const char *end = at + 1 + strcspn(at + 1, "?");
	char *d = mw_pool_strndup(pool, at + 1, (size_t)(end - at - 1));
	char norm[MW_DNS_NAME_MAX + 1];
	if (!d || !mw_domain_normalize(d, norm, sizeof(norm)))
		return NULL;
	return mw_pool_strdup(pool, norm);
}

/* valid_uri_syntax - RFC 3986 scheme ":" something, no spaces */
static bool valid_uri_syntax(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z'))
		return false;
	while (i < n && (((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			 s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= n - 1 || s[i] != ':')
		return false;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] <= 32 || s[k] == ',')
			return false;
	return true;
}

/* parse_uris - comma-separated URI list; invalid ones noted; returns valid count */
static size_t parse_uris(const mw_tag *t, mw_pool *pool, mw_dmarc_uri *out, size_t *n,
			 mw_dmarc_record *r, const char *tag)
{
	const char *p = t->value, *end = t->value + t->value_len;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end, *s = p;
		mw_trim(&s, &e);
		const char *bang = memchr(s, '!', (size_t)(e - s)); /* RFC 7489 size limit */
		const char *ue = bang ? bang : e;
		if (!valid_uri_syntax(s, (size_t)(ue - s))) {
			note(r, pool, "", s, (size_t)(e - s), ": invalid URI ignored");
		} else if (*n >= MW_DMARC_URIS_MAX) {
			note(r, pool, "", tag, strlen(tag), ": too many URIs, rest ignored");
			break;
		} else {
			out[*n].uri = mw_pool_strndup(pool, s, (size_t)(ue - s));
			out[*n].domain = out[*n].uri ? mailto_domain(out[*n].uri, pool) : NULL;
			if (out[*n].uri)
				(*n)++;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return *n;
}

/* parse_yn - "y" / "n" flag */
static bool parse_yn(const mw_tag *t, bool *out)
{
	if (mw_tag_is(t, "y", true))
		*out = true;
	else if (mw_tag_is(t, "n", true))
		*out = false;
	else
		return false;
	return true;
}

/* parse_number - decimal in [0, max] */
static bool parse_number(const mw_tag *t, long max, long *out)
{
	if (t->value_len == 0 || t->value_len > 10)
		return false;
	long v = 0;
	for (size_t i = 0; i < t->value_len; i++) {
		if (t->value[i] < '0' || t->value[i] > '9')
			return false;
		v = v * 10 + (t->value[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* valid_fo - 0 / 1 / d / s, colon-separated */
static bool valid_fo(const mw_tag *t)
{
	if (t->value_len == 0)
		return false;
	for (size_t i = 0; i < t->value_len; i++) {
		char c = t->value[i];
		bool opt = c == '0' || c == '1' || c == 'd' || c == 's';
		if (i % 2 == 0 ? !opt : c != ':')
			return false;
	}
	return t->value_len % 2 == 1;
}

/* apply_tag - one tag (other than v) into the record */
static void apply_tag(mw_dmarc_record *r, const mw_tag *t, mw_pool *pool, bool *sp_bad)
{
	const char *n = t->name;
	size_t nl = t->name_len;
	bool ok = true, b;
	long v;
	if (mw_strcaseeq_n(n, nl, "p")) {
		ok = r->has_p = parse_policy(t, &r->p);
	} else if (mw_strcaseeq_n(n, nl, "sp")) {
		ok = r->has_sp = parse_policy(t, &r->sp);
		*sp_bad = !ok;
	} else if (mw_strcaseeq_n(n, nl, "np")) {
		ok = r->has_np = parse_policy(t, &r->np);
	} else if (mw_strcaseeq_n(n, nl, "psd")) {
		if (mw_tag_is(t, "y", true))
			r->psd = MW_DMARC_PSD_Y;
		else if (mw_tag_is(t, "n", true))
			r->psd = MW_DMARC_PSD_N;
		else
			ok = mw_tag_is(t, "u", true);
	} else if (mw_strcaseeq_n(n, nl, "t")) {
		ok = parse_yn(t, &r->testing);
	} else if (mw_strcaseeq_n(n, nl, "adkim") || mw_strcaseeq_n(n, nl, "aspf")) {
		ok = mw_tag_is(t, "r", true) || mw_tag_is(t, "s", true);
		b = ok && mw_tag_is(t, "s", true);
		*(n[1] == 'd' || n[1] == 'D' ? &r->adkim_strict : &r->aspf_strict) = b;
	} else if (mw_strcaseeq_n(n, nl, "rua")) {
		parse_uris(t, pool, r->rua, &r->nrua, r, "rua");
	} else if (mw_strcaseeq_n(n, nl, "ruf")) {
		parse_uris(t, pool, r->ruf, &r->nruf, r, "ruf");
	} else if (mw_strcaseeq_n(n, nl, "fo")) {
		if ((ok = valid_fo(t)))
			r->fo = mw_pool_strndup(pool, t->value, t->value_len);
	} else if (mw_strcaseeq_n(n, nl, "pct")) {
		if ((ok = parse_number(t, 100, &v)))
			r->pct = (int)v;
	} else if (mw_strcaseeq_n(n, nl, "ri")) {
		if ((ok = parse_number(t, 4294967295L, &v)))
			r->ri = v;
	} else if (mw_strcaseeq_n(n, nl, "rf")) {
		r->rf = mw_pool_strndup(pool, t->value, t->value_len);
	} else {
		note(r, pool, "unknown tag '", n, nl, "' ignored");
		return;
	}
	if (!ok)
		note(r, pool, "tag '", n, nl, "' has an invalid value: default used");
}

/* mw_dmarc_record_parse - parse one record */
mw_status mw_dmarc_record_parse(const char *txt, size_t len, unsigned flags, mw_pool *pool,
				mw_dmarc_record *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	out->pct = -1;
	out->ri = -1;
	if (len > MW_DMARC_RECORD_MAX)
		return mw_err_set(err, MW_ETOOBIG, "DMARC record longer than %d bytes",
				  MW_DMARC_RECORD_MAX);
	if (!mw_dmarc_record_is_candidate(txt, len))
		return mw_err_set(err, MW_ENOTFOUND, "not a DMARC record (must start with v=DMARC1)");
	mw_taglist *tl = mw_pool_alloc(pool, sizeof(*tl));
	if (!tl)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_err terr;
	mw_status st = mw_taglist_parse(txt, len, tl, &terr);
	if (st != MW_OK)
		return mw_err_set(err, st, "malformed DMARC record: %s", terr.msg);
	if (tl->n == 0 || !mw_strcaseeq_n(tl->tag[0].name, tl->tag[0].name_len, "v") ||
	    !mw_tag_is(&tl->tag[0], "DMARC1", false))
		return mw_err_set(err, MW_ENOTFOUND, "not a DMARC record (must start with v=DMARC1)");
	bool sp_bad = false;
	for (size_t i = 1; i < tl->n; i++)
		apply_tag(out, &tl->tag[i], pool, &sp_bad);
	bool p_present = mw_taglist_get(tl, "p") != NULL;
	bool rfc7489 = (flags & MW_DMARC_RFC7489) != 0;
	/* RFC 7489 §6.6.3 step 6 (RFC 9989 keeps it for an invalid p; a missing
	 * p is simply p=none in RFC 9989 §5.3). */
	bool bad = (p_present && !out->has_p) || (rfc7489 && (!p_present || sp_bad));
	out->usable = !bad || out->nrua > 0;
	if (bad) { /* "as if a record containing p=none was retrieved" */
		out->p = MW_DMARC_POLICY_NONE;
		out->has_p = out->has_sp = out->has_np = false;
		out->p_invalid = true;
	} else if (!out->has_p) {
		out->p = MW_DMARC_POLICY_NONE;
	}
	if (bad && !out->usable)
		return mw_err_set(err, MW_OK, "record has no valid p%s and no valid rua: ignored",
				  sp_bad ? "/sp" : "");
	return MW_OK;
}
