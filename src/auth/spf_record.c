/*
 * auth/spf_record.c - SPF record parser (see spf_record.h).
 *
 * Cursor style: each term is cut out of the record (terms are separated by
 * one or more SP, §4.6.1) and parsed on its own; nothing is evaluated.
 */
#include "auth/spf_record.h"

#include <string.h>

#include "auth/spf_macro.h"
#include <stdint.h>
#include <stdlib.h>

#include "core/htab.h"
#include "core/limits.h"
#include "core/str.h"

static const char *const mech_names[] = {"all", "include", "a",   "mx",
					 "ptr", "ip4",     "ip6", "exists"};

/* spf_mech_name - name of a mechanism */
const char *spf_mech_name(spf_mech m)
{
	return (unsigned)m < sizeof(mech_names) / sizeof(mech_names[0]) ? mech_names[m] : "?";
}

/* spf_record_is_spf - version check of §4.5 */
bool spf_record_is_spf(const char *txt, size_t len)
{
	return len >= 6 && (txt[0] | 0x20) == 'v' && txt[1] == '=' && (txt[2] | 0x20) == 's' &&
	       (txt[3] | 0x20) == 'p' && (txt[4] | 0x20) == 'f' && txt[5] == '1' &&
	       (len == 6 || txt[6] == ' ');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* toplabel_ok - §7.1 toplabel: alphanumerics with one alpha, or with inner '-' */
static bool toplabel_ok(const char *s, size_t n)
{
	if (n == 0 || n > MW_DNS_LABEL_MAX)
		return false;
	bool alpha = false, dash = false;
	for (size_t i = 0; i < n; i++) {
		if (is_alpha(s[i]))
			alpha = true;
		else if (s[i] == '-')
			dash = true;
		else if (!is_digit(s[i]))
			return false;
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return false;
	return alpha || dash;
}

/* ends_with_macro - the string's last token is a macro-expand */
static bool ends_with_macro(const char *s, size_t n)
{
	/* Scan tokens left to right, remembering whether the last one was a macro. */
	bool last = false;
	for (size_t i = 0; i < n;) {
		if (s[i] == '%' && i + 1 < n) {
			if (s[i + 1] == '{') {
				const char *close = memchr(s + i, '}', n - i);
				i = close ? (size_t)(close - s) + 1 : n;
			} else {
				i += 2;
			}
			last = true;
		} else {
			i++;
			last = false;
		}
	}
	return last;
}

/* spf_domain_spec_check - domain-spec = macro-string domain-end (§7.1) */
bool spf_domain_spec_check(const char *s, size_t n, mw_err *err)
{
	if (n == 0) {
		mw_err_set(err, MW_EPARSE, "empty domain-spec");
		return false;
	}
	if (!spf_macro_check(s, n, false, err))
		return false;
	if (ends_with_macro(s, n))
		return true;
	size_t e = n;
	if (s[e - 1] == '.')
		e--;
	size_t b = e;
	while (b > 0 && s[b - 1] != '.')
		b--;
	if (b == 0 || !toplabel_ok(s + b, e - b)) {
		mw_err_set(err, MW_EPARSE, "domain-spec '%.*s' does not end in a valid top label",
			   (int)(n > 80 ? 80 : n), s);
		return false;
	}
	return true;
}

/* parse_cidr - "/N" digits at s (after the slash), no leading zeros, <= max */
static bool parse_cidr(const char *s, size_t n, int max, int *out)
{
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* strip_cidr - remove a trailing "/N" (or "//N" when dbl) from [s, *e) */
static int strip_cidr(const char *s, size_t *e, bool dbl, int max, int *out)
{
	size_t d = *e;
	while (d > 0 && is_digit(s[d - 1]))
		d--;
	if (d == *e || d == 0 || s[d - 1] != '/')
		return 0;
	size_t slash = d - 1;
	if (dbl) {
		if (slash == 0 || s[slash - 1] != '/')
			return 0;
		slash--;
	}
	if (!parse_cidr(s + d, *e - d, max, out))
		return -1;
	*e = slash;
	return 1;
}

/* spf_name_ok - RFC 1035 name shape */
bool spf_name_ok(const char *d)
{
	size_t n = strlen(d), lab = 0;
	if (n && d[n - 1] == '.')
		n--;
	if (n == 0 || n > MW_DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (d[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > MW_DNS_LABEL_MAX) {
			return false;
		}
	}
	return lab > 0;
}

/* literal_qname - the query name of a macro-free domain-spec when it is a
 * valid name (computed once here instead of at every evaluation), or NULL */
static const char *literal_qname(mw_pool *pool, const char *spec)
{
	if (strchr(spec, '%'))
		return NULL;
	char *q = mw_pool_strdup(pool, spec);
	if (q)
		spf_domain_truncate(q);
	return q && spf_name_ok(q) ? q : NULL;
}

/* parse_dual_cidr - a / mx: [":" domain-spec] [ip4-cidr] ["//" ip6-cidr] */
static bool parse_domain_cidr(spf_term *t, const char *s, size_t n, bool cidr, mw_pool *pool,
			      mw_err *err)
{
	size_t e = n;
	if (cidr) {
		if (strip_cidr(s, &e, true, 128, &t->cidr6) < 0 ||
		    strip_cidr(s, &e, false, 32, &t->cidr4) < 0) {
			mw_err_set(err, MW_EPARSE, "invalid CIDR length in '%s'", t->text);
			return false;
		}
	}
	if (e == 0)
		return true;
	if (s[0] != ':') {
		mw_err_set(err, MW_EPARSE, "unknown mechanism '%s'", t->text);
		return false;
	}
	if (!spf_domain_spec_check(s + 1, e - 1, err))
		return false;
	t->domain = mw_pool_strndup(pool, s + 1, e - 1);
	if (t->domain)
		t->qname = literal_qname(pool, t->domain);
	return t->domain != NULL || mw_err_set(err, MW_ENOMEM, "out of memory") == MW_OK;
}

/* parse_ip - ip4:/ip6: network with optional "/N" */
static bool parse_ip(spf_term *t, const char *s, size_t n, mw_err *err)
{
	int fam = t->mech == SPF_MECH_IP4 ? 4 : 6;
	size_t e = n;
	int *cidr = fam == 4 ? &t->cidr4 : &t->cidr6;
	if (n == 0 || s[0] != ':' || strip_cidr(s, &e, false, fam == 4 ? 32 : 128, cidr) < 0) {
		mw_err_set(err, MW_EPARSE, "malformed '%s'", t->text);
		return false;
	}
	if (!mw_ip_parse_n(s + 1, e - 1, &t->net) || t->net.family != fam ||
	    (fam == 6 && !memchr(s + 1, ':', e - 1))) {
		mw_err_set(err, MW_EPARSE, "invalid address in '%s'", t->text);
		return false;
	}
	if (fam == 4) {
		int bits = t->cidr4 < 0 ? 32 : t->cidr4;
		t->mask4 = bits ? ~(uint32_t)0 << (32 - bits) : 0;
		t->net4 = ((uint32_t)t->net.addr[0] << 24 | (uint32_t)t->net.addr[1] << 16 |
			   (uint32_t)t->net.addr[2] << 8 | t->net.addr[3]) & t->mask4;
	}
	return true;
}

/* parse_mechanism - one mechanism term */
static bool parse_mechanism(const char *s, size_t n, mw_pool *pool, spf_record *rec,
			    mw_err *err)
{
	spf_term *t = &rec->terms[rec->nterms];
	memset(t, 0, sizeof(*t));
	t->cidr4 = t->cidr6 = -1;
	t->qual = '+';
	if (!(t->text = mw_pool_strndup(pool, s, n)))
		return mw_err_set(err, MW_ENOMEM, "out of memory") == MW_OK;
	if (n && strchr("+-~?", s[0])) {
		t->qual = s[0];
		s++;
		n--;
	}
	size_t k = 0;
	while (k < n && (is_alpha(s[k]) || (k > 0 && is_digit(s[k]))))
		k++;
	int m = -1;
	for (size_t i = 0; i < sizeof(mech_names) / sizeof(mech_names[0]); i++)
		if (mw_strcaseeq_n(s, k, mech_names[i]))
			m = (int)i;
	if (m < 0) {
		mw_err_set(err, MW_EPARSE, "unknown mechanism '%s'", t->text);
		return false;
	}
	t->mech = (spf_mech)m;
	const char *r = s + k;
	size_t rn = n - k;
	bool ok = true;
	switch (t->mech) {
	case SPF_MECH_ALL:
		rec->has_all = true;
		if (rn)
			ok = mw_err_set(err, MW_EPARSE, "'all' takes no argument: '%s'", t->text) == MW_OK;
		break;
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		if (rn == 0 || r[0] != ':')
			ok = mw_err_set(err, MW_EPARSE, "'%s' needs ':domain'", t->text) == MW_OK;
		else
			ok = parse_domain_cidr(t, r, rn, false, pool, err);
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
		ok = parse_domain_cidr(t, r, rn, true, pool, err);
		break;
	case SPF_MECH_PTR:
		ok = parse_domain_cidr(t, r, rn, false, pool, err);
		break;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		ok = parse_ip(t, r, rn, err);
		break;
	}
	if (ok)
		rec->nterms++;
	return ok;
}

/* parse_modifier - name "=" value; k is the length of the name */
static bool parse_modifier(const char *s, size_t n, size_t k, mw_pool *pool, spf_record *rec,
			   mw_err *err)
{
	const char *v = s + k + 1;
	size_t vn = n - k - 1;
	const char **slot = NULL;
	if (mw_strcaseeq_n(s, k, "redirect"))
		slot = &rec->redirect;
	else if (mw_strcaseeq_n(s, k, "exp"))
		slot = &rec->exp;
	if (!slot) /* unknown modifier: checked, then ignored (§6) */
		return spf_macro_check(v, vn, false, err);
	if (*slot) {
		mw_err_set(err, MW_EPARSE, "duplicate %.*s= modifier", (int)k, s);
		return false;
	}
	if (!spf_domain_spec_check(v, vn, err))
		return false;
	if (!(*slot = mw_pool_strndup(pool, v, vn)))
		return mw_err_set(err, MW_ENOMEM, "out of memory") == MW_OK;
	*(slot == &rec->redirect ? &rec->redirect_q : &rec->exp_q) = literal_qname(pool, *slot);
	return true;
}

/* modifier_name - length of a §4.6.1 modifier name followed by '=', or 0 */
static size_t modifier_name(const char *s, size_t n)
{
	if (n == 0 || !is_alpha(s[0]))
		return 0;
	size_t k = 1;
	while (k < n && (is_alpha(s[k]) || is_digit(s[k]) || strchr("-_.", s[k])))
		k++;
	return k < n && s[k] == '=' ? k : 0;
}

/* spf_record_parse - the whole record */
mw_status spf_record_parse(const char *txt, size_t len, mw_pool *pool, spf_record *rec,
			   mw_err *err)
{
	memset(rec, 0, sizeof(*rec));
	if (len > MW_SPF_RECORD_MAX)
		return mw_err_set(err, MW_ETOOBIG, "record longer than %d bytes", MW_SPF_RECORD_MAX);
	if (!spf_record_is_spf(txt, len))
		return mw_err_set(err, MW_EPARSE, "not an SPF version 1 record");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)txt[i] < 0x20 || (unsigned char)txt[i] > 0x7e)
			return mw_err_set(err, MW_EPARSE, "invalid character 0x%02x at offset %zu",
					  (unsigned char)txt[i], i);
	size_t max_terms = len / 2 + 1;
	rec->terms = mw_pool_alloc(pool, max_terms * sizeof(spf_term));
	if (!rec->terms)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	for (size_t i = 6; i < len;) {
		while (i < len && txt[i] == ' ')
			i++;
		size_t b = i;
		while (i < len && txt[i] != ' ')
			i++;
		if (i == b)
			break;
		const char *s = txt + b;
		size_t n = i - b, k = modifier_name(s, n);
		bool ok = k ? parse_modifier(s, n, k, pool, rec, err)
			    : parse_mechanism(s, n, pool, rec, err);
		if (!ok)
			return err && err->code != MW_OK ? err->code : MW_EPARSE;
	}
	return MW_OK;
}

/* ---- the parsed-record cache -------------------------------------------- */

typedef struct cached {
	spf_record rec;
	mw_status st;
	char *why;        /* parse error reason (pool) */
	const char *text; /* copy of the record text */
	size_t len;
} cached;

#define FRONT_SLOTS 256 /* direct-mapped by the answer's address: skips hashing */

struct spf_record_cache {
	mw_htab *tab;  /* record text -> cached (pool-owned) */
	mw_pool *pool; /* every entry and its strings */
	struct {
		const char *p;
		cached *e;
	} front[FRONT_SLOTS];
};

/* spf_record_cache_new - create */
spf_record_cache *spf_record_cache_new(void)
{
	spf_record_cache *c = calloc(1, sizeof(*c));
	if (c && (!(c->tab = mw_htab_new(NULL)) || !(c->pool = mw_pool_new(SIZE_MAX)))) {
		spf_record_cache_free(c);
		c = NULL;
	}
	return c;
}

/* spf_record_cache_free - destroy */
void spf_record_cache_free(spf_record_cache *c)
{
	if (c) {
		mw_htab_free(c->tab);
		mw_pool_free(c->pool);
		free(c);
	}
}

/* spf_record_cache_trim - drop everything once over the limit */
void spf_record_cache_trim(spf_record_cache *c)
{
	if (!c || mw_htab_count(c->tab) < MW_SPF_PARSED_MAX)
		return;
	mw_htab *t = mw_htab_new(NULL);
	mw_pool *p = mw_pool_new(SIZE_MAX);
	if (!t || !p) {
		mw_htab_free(t);
		mw_pool_free(p);
		return;
	}
	mw_htab_free(c->tab);
	mw_pool_free(c->pool);
	c->tab = t;
	c->pool = p;
	memset(c->front, 0, sizeof(c->front));
}

/* spf_record_cache_parse - parse once per distinct text */
mw_status spf_record_cache_parse(spf_record_cache *c, const char *txt, size_t len,
				 const spf_record **rec, mw_err *err)
{
	/* The same DNS answer is usually handed in again: check its address
	 * first (the text is still compared, so a reused address is harmless). */
	size_t slot = ((uintptr_t)txt >> 4) % FRONT_SLOTS;
	cached *e = c->front[slot].p == txt ? c->front[slot].e : NULL;
	if (e && (e->len != len || memcmp(e->text, txt, len) != 0))
		e = NULL;
	if (!e)
		e = mw_htab_get(c->tab, txt, len);
	if (!e) {
		mw_err my;
		mw_err_clear(&my);
		if (!(e = mw_pool_alloc(c->pool, sizeof(*e))))
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		e->st = spf_record_parse(txt, len, c->pool, &e->rec, &my);
		if (e->st == MW_ENOMEM)
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		if (e->st != MW_OK && !(e->why = mw_pool_strdup(c->pool, my.msg)))
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		if (!(e->text = mw_pool_strndup(c->pool, txt, len)))
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		e->len = len;
		if (mw_htab_put(c->tab, txt, len, e) != MW_OK)
			return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	c->front[slot].p = txt;
	c->front[slot].e = e;
	*rec = &e->rec;
	return e->st == MW_OK ? MW_OK : mw_err_set(err, e->st, "%s", e->why);
}
