/*
 * auth/taglist.c - tag=value list parser (see taglist.h, RFC 6376 §3.2).
 *
 * A cursor parser: each step advances over one token of the grammar and
 * fails with the offset of the first byte it cannot accept.
 */
#include "auth/taglist.h"

#include <string.h>

#include "core/str.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnumpunc(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static bool is_valchar(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 0x21 && u <= 0x7e && u != ';';
}

/* skip_fws - advance over [FWS]; -1 on a CRLF not followed by WSP, else 0 */
static int skip_fws(const char *s, size_t len, size_t *i)
{
	for (;;) {
		while (*i < len && is_wsp(s[*i]))
			(*i)++;
		if (*i + 1 < len && s[*i] == '\r' && s[*i + 1] == '\n') {
			if (*i + 2 < len && is_wsp(s[*i + 2])) {
				*i += 2;
				continue;
			}
			return -1;
		}
		return 0;
	}
}

/* parse_name - tag-name at *i; returns MW_OK and advances */
static mw_status parse_name(const char *s, size_t len, size_t *i, mw_tag *t, mw_err *err)
{
	size_t start = *i;
	if (*i >= len || !is_alpha(s[*i]))
		return mw_err_set(err, MW_EPARSE, "tag list: expected a tag name at offset %zu",
				  start);
	while (*i < len && is_alnumpunc(s[*i]))
		(*i)++;
	if (*i - start > MW_TAGLIST_NAME_MAX)
		return mw_err_set(err, MW_ETOOBIG, "tag list: tag name at offset %zu longer than %d",
				  start, MW_TAGLIST_NAME_MAX);
	t->name = s + start;
	t->name_len = *i - start;
	t->offset = start;
	return MW_OK;
}

/* parse_value - tag-value at *i up to ";" or the end, trailing FWS excluded */
static mw_status parse_value(const char *s, size_t len, size_t *i, mw_tag *t, mw_err *err)
{
	size_t start = *i, end = *i;
	while (*i < len && s[*i] != ';') {
		char c = s[*i];
		if (is_valchar(c)) {
			(*i)++;
			end = *i;
		} else if (is_wsp(c) || c == '\r') {
			size_t before = *i;
			if (skip_fws(s, len, i) < 0)
				return mw_err_set(err, MW_EPARSE,
						  "tag list: line break without folding at offset %zu", *i);
			if (*i == before) /* a CR that does not start CRLF */
				return mw_err_set(err, MW_EPARSE, "tag list: bare CR at offset %zu",
						  *i);
		} else {
			return mw_err_set(err, MW_EPARSE,
					  "tag list: invalid byte 0x%02x in the value of '%.*s' at offset %zu",
					  (unsigned char)c, (int)t->name_len, t->name, *i);
		}
	}
	t->value = s + start;
	t->value_len = end - start;
	return MW_OK;
}

/* check_duplicate - RFC 6376 §3.2: a tag may appear once */
static mw_status check_duplicate(const mw_taglist *out, const mw_tag *t, mw_err *err)
{
	for (size_t k = 0; k < out->n; k++)
		if (out->tag[k].name_len == t->name_len &&
		    memcmp(out->tag[k].name, t->name, t->name_len) == 0)
			return mw_err_set(err, MW_EPARSE, "tag list: duplicate tag '%.*s' at offset %zu",
					  (int)t->name_len, t->name, t->offset);
	return MW_OK;
}

/* parse_spec - one tag-spec at *i (leading FWS already skipped) */
static mw_status parse_spec(const char *s, size_t len, size_t *i, mw_taglist *out, mw_err *err)
{
	mw_tag t = {0};
	mw_status st = parse_name(s, len, i, &t, err);
	if (st != MW_OK)
		return st;
	if (skip_fws(s, len, i) < 0)
		return mw_err_set(err, MW_EPARSE, "tag list: line break without folding at offset %zu",
				  *i);
	if (*i >= len || s[*i] != '=')
		return mw_err_set(err, MW_EPARSE, "tag list: expected '=' after '%.*s' at offset %zu",
				  (int)t.name_len, t.name, *i);
	(*i)++;
	if (skip_fws(s, len, i) < 0)
		return mw_err_set(err, MW_EPARSE, "tag list: line break without folding at offset %zu",
				  *i);
	if ((st = parse_value(s, len, i, &t, err)) != MW_OK)
		return st;
	if ((st = check_duplicate(out, &t, err)) != MW_OK)
		return st;
	if (out->n == MW_TAGLIST_TAGS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "tag list: more than %d tags", MW_TAGLIST_TAGS_MAX);
	out->tag[out->n++] = t;
	return MW_OK;
}

/* mw_taglist_parse - split a tag=value list */
mw_status mw_taglist_parse(const char *s, size_t len, mw_taglist *out, mw_err *err)
{
	out->n = 0;
	if (len > MW_TAGLIST_INPUT_MAX)
		return mw_err_set(err, MW_ETOOBIG, "tag list: %zu bytes, more than %u", len,
				  MW_TAGLIST_INPUT_MAX);
	size_t i = 0;
	for (;;) {
		if (skip_fws(s, len, &i) < 0)
			return mw_err_set(err, MW_EPARSE,
					  "tag list: line break without folding at offset %zu", i);
		if (i == len) {
			if (out->n == 0)
				return mw_err_set(err, MW_EPARSE, "tag list: empty");
			return MW_OK; /* after a final ";" */
		}
		mw_status st = parse_spec(s, len, &i, out, err);
		if (st != MW_OK)
			return st;
		if (i == len)
			return MW_OK;
		i++; /* the ";" that ended the value */
	}
}

/* mw_taglist_get - find a tag by exact name */
const mw_tag *mw_taglist_get(const mw_taglist *tl, const char *name)
{
	size_t n = strlen(name);
	for (size_t k = 0; k < tl->n; k++)
		if (tl->tag[k].name_len == n && memcmp(tl->tag[k].name, name, n) == 0)
			return &tl->tag[k];
	return NULL;
}

/* mw_tag_is - compare a value with a C string */
bool mw_tag_is(const mw_tag *t, const char *s, bool nocase)
{
	if (nocase)
		return mw_strcaseeq_n(t->value, t->value_len, s);
	return strlen(s) == t->value_len && memcmp(t->value, s, t->value_len) == 0;
}

/* mw_tag_copy_nows - value without whitespace */
bool mw_tag_copy_nows(const mw_tag *t, char *out, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < t->value_len; i++) {
		char c = t->value[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (k + 1 >= n)
			return false;
		out[k++] = c;
	}
	if (n == 0)
		return false;
	out[k] = '\0';
	return true;
}
