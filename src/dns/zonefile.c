/*
 * dns/zonefile.c - RFC 1035 §5 master-file reader for the offline backend.
 *
 * SYNOPSIS
 *   dns_zone_load_file(zone, "test.zone", &err);
 *   dns_zone_load_text(zone, text, len, "label", &err);
 *
 * DESCRIPTION
 *   Reads the master-file subset a mail administrator writes by hand:
 *
 *     $ORIGIN example.com.
 *     $TTL 1h
 *     @        IN  SOA  ns1 hostmaster ( 1 7200 3600 1209600 300 )
 *     @        IN  MX   10 mail
 *              IN  TXT  "v=spf1 mx " "-all"      ; blank owner = previous owner
 *     mail 300 IN  A    192.0.2.10
 *     slow         TIMEOUT                         ; test pseudo-types, see below
 *     broken       SERVFAIL
 *     quiet        NODATA MX
 *
 *   - records are `name [ttl] [class] TYPE rdata`, ttl and class in either
 *     order (§5.1); the class must be IN.  TTLs are decimal seconds or
 *     BIND-style units (1w2d3h4m5s), at most 2^31-1 (RFC 2181 §8).
 *   - `$ORIGIN` and `$TTL` (RFC 2308 §4).  `@` is the origin; names without a
 *     trailing dot are completed with it.  Without $ORIGIN the origin is the
 *     root, so `example.com` means `example.com.`.  `$INCLUDE` is refused (a
 *     zone file never makes us read other files).
 *   - A TTL left out is $TTL if given, else the last explicit TTL (§5.1),
 *     else 3600.
 *   - a line starting with blank space has the previous record's owner.
 *   - `;` starts a comment (not inside quotes); `(` `)` continue a record
 *     over several lines (not nested).
 *   - TXT: one or more character-strings, quoted or bare words, with the
 *     escapes \X and \DDD (§5.1); each string at most 255 bytes (§3.3); the
 *     strings of one record are joined without separator (dns.h).
 *   - types A, AAAA, MX, TXT, PTR, CNAME, NS, SOA (stored with mname in
 *     rr.name; its owner becomes a zone apex whose negative answers carry
 *     min(SOA TTL, MINIMUM), RFC 2308 §5, see dns_zone_set_negttl).  Types that exist but do not matter to mail checks (SRV, CAA,
 *     DS, TLSA ...) are skipped, but their owner name still exists.
 *   - test pseudo-types (mailwarden's, not RFC 1035):
 *       name TIMEOUT       every query of name times out (DNS_TEMPFAIL "timeout")
 *       name SERVFAIL      every query of name fails (DNS_TEMPFAIL "SERVFAIL")
 *       name NODATA TYPE   name has explicitly no TYPE record, even with a fault
 *     Record types present at a faulty name still answer (see zone.h).
 *
 * DIAGNOSTICS
 *   MW_EPARSE "FILE:LINE: reason" for a malformed line, MW_ETOOBIG for a
 *   file over MW_ZONE_FILE_MAX, a record over MW_ZONE_LINE_MAX bytes or
 *   MW_ZONE_TOKENS_MAX tokens, or a TXT record over MW_DNS_TXT_MAX; MW_EIO
 *   when the file cannot be read.  Loading stops at the first error; the zone
 *   may then hold the records read before it (callers discard it).
 *
 * LIMITS
 *   MW_ZONE_FILE_MAX, MW_ZONE_LINE_MAX, MW_ZONE_TOKENS_MAX, MW_DNS_NAME_MAX,
 *   MW_DNS_LABEL_MAX, MW_DNS_TXT_MAX (core/limits.h).
 *
 * OWNERSHIP
 *   Nothing is kept from the text; the zone copies what it stores.
 */
#include "dns/zone.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

#define ZF_STRING_MAX  255         /* RFC 1035 §3.3: <character-string> length */
#define ZF_TTL_MAX     2147483647u /* RFC 2181 §8 */
#define ZF_TTL_DEFAULT 3600u       /* no $TTL and no earlier TTL: one hour, as BIND suggests */
#define ZF_BUF_SIZE    (MW_ZONE_LINE_MAX + 8 + 2 * MW_ZONE_TOKENS_MAX) /* decoded tokens */

typedef struct ztok {
	const char *s; /* decoded bytes, NUL-terminated (may hold NULs) */
	size_t len;
	unsigned line;
	bool quoted;  /* "..." */
	bool escaped; /* contained a backslash escape */
} ztok;

typedef struct zparser {
	dns_zone *z;
	const char *label;
	mw_err *err;
	const char *p, *end;
	unsigned line;
	/* state across records */
	char origin[MW_DNS_NAME_MAX + 1]; /* "" = root */
	char owner[MW_DNS_NAME_MAX + 1];
	bool has_owner;
	bool has_dollar_ttl;
	uint32_t ttl_default;
	/* the current record */
	unsigned rec_line;
	const char *rec_start;
	bool blank_owner;
	ztok tok[MW_ZONE_TOKENS_MAX];
	size_t ntok;
	char *buf; /* decoded token bytes */
	size_t buflen, bufcap;
} zparser;

/* zerr - "label:line: reason" as MW_EPARSE (or another code) */
static mw_status zerr(zparser *zp, mw_status code, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static mw_status zerr(zparser *zp, mw_status code, unsigned line, const char *fmt, ...)
{
	char why[MW_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return mw_err_set(zp->err, code, "%.80s:%u: %s", zp->label, line, why);
}

/* ---- lexer ------------------------------------------------------------- */

/* put_byte - append a decoded byte to the current token */
static void put_byte(zparser *zp, char c)
{
	/* Cannot overflow: lex_token stops a record past MW_ZONE_LINE_MAX raw
	 * bytes, decoded bytes never outnumber raw ones, and each of at most
	 * MW_ZONE_TOKENS_MAX tokens adds one NUL (see ZF_BUF_SIZE). */
	if (zp->buflen < ZF_BUF_SIZE)
		zp->buf[zp->buflen++] = c;
}

/* too_long - the current record is over MW_ZONE_LINE_MAX raw bytes */
static bool too_long(const zparser *zp)
{
	return (size_t)(zp->p - zp->rec_start) > MW_ZONE_LINE_MAX;
}

/* lex_escape - decode "\X" or "\DDD" at zp->p (which points at the backslash) */
static mw_status lex_escape(zparser *zp)
{
	const char *q = zp->p + 1;
	if (q >= zp->end)
		return zerr(zp, MW_EPARSE, zp->line, "backslash at end of input");
	if (*q >= '0' && *q <= '9') {
		if (zp->end - q < 3 || q[1] < '0' || q[1] > '9' || q[2] < '0' || q[2] > '9')
			return zerr(zp, MW_EPARSE, zp->line, "\\DDD escape needs three digits");
		unsigned v = (unsigned)(q[0] - '0') * 100 + (unsigned)(q[1] - '0') * 10 +
		             (unsigned)(q[2] - '0');
		if (v > 255)
			return zerr(zp, MW_EPARSE, zp->line, "\\%.3s escape is over 255", q);
		put_byte(zp, (char)v);
		zp->p = q + 3;
		return MW_OK;
	}
	if (*q == '\0')
		return zerr(zp, MW_EPARSE, zp->line, "NUL byte");
	if (*q == '\n')
		zp->line++;
	put_byte(zp, *q);
	zp->p = q + 1;
	return MW_OK;
}

/* is_word_end - byte that ends a bare word */
static bool is_word_end(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '(' ||
	       c == ')' || c == '"';
}

/* lex_token - one bare word or quoted string starting at zp->p */
static mw_status lex_token(zparser *zp)
{
	if (zp->ntok >= MW_ZONE_TOKENS_MAX)
		return zerr(zp, MW_ETOOBIG, zp->line, "more than %d tokens in one record",
		            MW_ZONE_TOKENS_MAX);
	ztok *t = &zp->tok[zp->ntok];
	*t = (ztok){.line = zp->line, .quoted = *zp->p == '"'};
	size_t start = zp->buflen;
	if (t->quoted)
		zp->p++;
	for (;;) {
		if (zp->p >= zp->end) {
			if (t->quoted)
				return zerr(zp, MW_EPARSE, t->line, "unterminated quoted string");
			break;
		}
		if (too_long(zp))
			return zerr(zp, MW_ETOOBIG, zp->rec_line, "record longer than %d bytes",
			            MW_ZONE_LINE_MAX);
		char c = *zp->p;
		if (c == '\0')
			return zerr(zp, MW_EPARSE, zp->line, "NUL byte");
		if (t->quoted && c == '"') {
			zp->p++;
			break;
		}
		if (t->quoted && c == '\n')
			return zerr(zp, MW_EPARSE, t->line, "unterminated quoted string");
		if (!t->quoted && is_word_end(c))
			break;
		if (c == '\\') {
			t->escaped = true;
			mw_status st = lex_escape(zp);
			if (st != MW_OK)
				return st;
			continue;
		}
		if (!t->quoted && ((unsigned char)c < 0x20 || c == 0x7f))
			return zerr(zp, MW_EPARSE, zp->line, "control character 0x%02x",
			            (unsigned char)c);
		put_byte(zp, c);
		zp->p++;
	}
	t->s = zp->buf + start;
	t->len = zp->buflen - start;
	put_byte(zp, '\0');
	zp->ntok++;
	return MW_OK;
}

/* lex_record - the tokens of the next record; MW_ENOTFOUND at end of input */
static mw_status lex_record(zparser *zp)
{
	zp->ntok = 0;
	zp->buflen = 0;
	int depth = 0;
	unsigned open_line = 0;
	bool bol = true;
	zp->rec_start = zp->p;
	for (;;) {
		if (zp->p >= zp->end) {
			if (depth > 0)
				return zerr(zp, MW_EPARSE, open_line, "unterminated '('");
			return zp->ntok ? MW_OK : MW_ENOTFOUND;
		}
		if (bol && zp->ntok == 0 && depth == 0) {
			zp->rec_line = zp->line;
			zp->blank_owner = *zp->p == ' ' || *zp->p == '\t';
			zp->rec_start = zp->p;
		}
		bol = false;
		if (too_long(zp))
			return zerr(zp, MW_ETOOBIG, zp->rec_line, "record longer than %d bytes",
			            MW_ZONE_LINE_MAX);
		char c = *zp->p;
		if (c == '\n') {
			zp->p++;
			zp->line++;
			bol = true;
			if (depth == 0 && zp->ntok)
				return MW_OK;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			zp->p++;
		} else if (c == ';') {
			const char *nl = memchr(zp->p, '\n', (size_t)(zp->end - zp->p));
			zp->p = nl ? nl : zp->end;
		} else if (c == '(') {
			if (depth)
				return zerr(zp, MW_EPARSE, zp->line, "nested '('");
			depth = 1;
			open_line = zp->line;
			zp->p++;
		} else if (c == ')') {
			if (!depth)
				return zerr(zp, MW_EPARSE, zp->line, "')' without '('");
			depth = 0;
			zp->p++;
		} else if (c == '\0') {
			return zerr(zp, MW_EPARSE, zp->line, "NUL byte");
		} else if ((unsigned char)c < 0x20 || c == 0x7f) {
			return zerr(zp, MW_EPARSE, zp->line, "control character 0x%02x",
			            (unsigned char)c);
		} else {
			mw_status st = lex_token(zp);
			if (st != MW_OK)
				return st;
		}
	}
}

/* ---- fields -------------------------------------------------------------- */

/* tok_is - bare token equal to word, ignoring case */
static bool tok_is(const ztok *t, const char *word)
{
	return !t->quoted && !t->escaped && mw_strcaseeq_n(t->s, t->len, word);
}

/* check_name - RFC 1035 §2.3.4 lengths and printable ASCII; name has no trailing dot */
static mw_status check_name(zparser *zp, const ztok *t, const char *name)
{
	size_t len = strlen(name), label = 0;
	if (len > MW_DNS_NAME_MAX)
		return zerr(zp, MW_EPARSE, t->line, "name '%.40s...' longer than %d bytes", name,
		            MW_DNS_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return zerr(zp, MW_EPARSE, t->line, "empty label in name '%.60s'",
				            name);
			label = 0;
		} else if (c <= 0x20 || c >= 0x7f) {
			return zerr(zp, MW_EPARSE, t->line, "invalid byte 0x%02x in name", c);
		} else if (++label > MW_DNS_LABEL_MAX) {
			return zerr(zp, MW_EPARSE, t->line, "label longer than %d bytes in '%.60s'",
			            MW_DNS_LABEL_MAX, name);
		}
	}
	if (len && label == 0)
		return zerr(zp, MW_EPARSE, t->line, "empty label in name '%.60s'", name);
	return MW_OK;
}

/* get_name - complete a name token with the origin into out (no trailing dot;
 * "" is the root).  allow_root: "." and an empty origin are acceptable. */
static mw_status get_name(zparser *zp, const ztok *t, char *out, bool allow_root)
{
	if (t->quoted || t->escaped)
		return zerr(zp, MW_EPARSE, t->line, "quoted or escaped name '%.60s' not supported",
		            t->s);
	if (memchr(t->s, '\0', t->len))
		return zerr(zp, MW_EPARSE, t->line, "NUL byte in name");
	if (t->len > MW_DNS_NAME_MAX + 1)
		return zerr(zp, MW_EPARSE, t->line, "name '%.40s...' longer than %d bytes", t->s,
		            MW_DNS_NAME_MAX);
	if (t->len == 1 && t->s[0] == '@') {
		strcpy(out, zp->origin);
	} else if (t->s[t->len - 1] == '.') {
		if (t->len >= 2 && t->s[t->len - 2] == '.')
			return zerr(zp, MW_EPARSE, t->line, "empty label in name '%.60s'", t->s);
		memcpy(out, t->s, t->len - 1);
		out[t->len - 1] = '\0';
	} else if (zp->origin[0]) {
		if (t->len + 1 + strlen(zp->origin) > MW_DNS_NAME_MAX)
			return zerr(zp, MW_EPARSE, t->line,
			            "name '%.40s' + origin longer than %d bytes", t->s,
			            MW_DNS_NAME_MAX);
		size_t olen = strlen(zp->origin);
		memcpy(out, t->s, t->len);
		out[t->len] = '.';
		memcpy(out + t->len + 1, zp->origin, olen + 1);
	} else {
		memcpy(out, t->s, t->len + 1);
	}
	if (!out[0] && !allow_root)
		return zerr(zp, MW_EPARSE, t->line, "the root name is not allowed here");
	return check_name(zp, t, out);
}

/* get_u32 - decimal number up to max */
static mw_status get_u32(zparser *zp, const ztok *t, uint32_t max, const char *what, uint32_t *out)
{
	uint64_t v = 0;
	if (t->quoted || t->len == 0 || t->len > 10)
		return zerr(zp, MW_EPARSE, t->line, "bad %s '%.40s'", what, t->s);
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return zerr(zp, MW_EPARSE, t->line, "bad %s '%.40s'", what, t->s);
		v = v * 10 + (uint64_t)(t->s[i] - '0');
	}
	if (v > max)
		return zerr(zp, MW_EPARSE, t->line, "%s '%.40s' out of range", what, t->s);
	*out = (uint32_t)v;
	return MW_OK;
}

/* ttl_unit - seconds per BIND TTL unit letter, 0 if none */
static uint64_t ttl_unit(char c)
{
	switch (mw_tolower(c)) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 604800;
	}
	return 0;
}

/* get_ttl - "3600" or "1h30m" */
static mw_status get_ttl(zparser *zp, const ztok *t, uint32_t *out)
{
	uint64_t total = 0, cur = 0;
	size_t digits = 0;
	if (t->quoted || t->len == 0 || t->len > 32)
		return zerr(zp, MW_EPARSE, t->line, "bad TTL '%.40s'", t->s);
	for (size_t i = 0; i < t->len; i++) {
		char c = t->s[i];
		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (uint64_t)(c - '0');
			if (++digits > 10)
				return zerr(zp, MW_EPARSE, t->line, "TTL '%.40s' out of range",
				            t->s);
		} else if (digits && ttl_unit(c)) {
			total += cur * ttl_unit(c);
			cur = 0;
			digits = 0;
		} else {
			return zerr(zp, MW_EPARSE, t->line, "bad TTL '%.40s'", t->s);
		}
		if (total + cur > ZF_TTL_MAX)
			return zerr(zp, MW_EPARSE, t->line, "TTL '%.40s' out of range", t->s);
	}
	*out = (uint32_t)(total + cur);
	return MW_OK;
}

/* ---- records ------------------------------------------------------------- */

typedef struct zrec {
	char owner[MW_DNS_NAME_MAX + 1];
	uint32_t ttl;
	const ztok *rd; /* rdata tokens */
	size_t nrd;
	const ztok *type_tok;
} zrec;

/* want_rdata - exactly n rdata tokens, none quoted */
static mw_status want_rdata(zparser *zp, const zrec *r, size_t n)
{
	if (r->nrd < n)
		return zerr(zp, MW_EPARSE, r->type_tok->line,
		            "%.10s needs %zu data field%s, got %zu", r->type_tok->s, n,
		            n == 1 ? "" : "s", r->nrd);
	if (r->nrd > n)
		return zerr(zp, MW_EPARSE, r->rd[n].line, "unexpected '%.40s' after %.10s data",
		            r->rd[n].s, r->type_tok->s);
	for (size_t i = 0; i < n; i++)
		if (r->rd[i].quoted)
			return zerr(zp, MW_EPARSE, r->rd[i].line, "unexpected quoted string");
	return MW_OK;
}

/* add_status - map a zone store error to a located message */
static mw_status add_status(zparser *zp, const zrec *r, mw_status st)
{
	if (st == MW_OK)
		return MW_OK;
	if (st == MW_ETOOBIG)
		return zerr(zp, st, r->type_tok->line, "more than %d records at '%.60s'",
		            MW_DNS_ANSWERS_MAX, r->owner);
	return zerr(zp, st, r->type_tok->line, "cannot store record: %s", mw_status_str(st));
}

/* rec_ip - A or AAAA */
static mw_status rec_ip(zparser *zp, const zrec *r, dns_type type)
{
	mw_status st = want_rdata(zp, r, 1);
	if (st != MW_OK)
		return st;
	dns_rr rr = {.type = type, .ttl = r->ttl};
	if (r->rd[0].escaped || !mw_ip_parse_n(r->rd[0].s, r->rd[0].len, &rr.ip) ||
	    rr.ip.family != (type == DNS_T_A ? 4 : 6))
		return zerr(zp, MW_EPARSE, r->rd[0].line, "bad %s address '%.60s'",
		            dns_type_name(type), r->rd[0].s);
	return add_status(zp, r, dns_zone_add(zp->z, r->owner, &rr));
}

/* rec_name - NS, CNAME, PTR, MX (with preference) */
static mw_status rec_name(zparser *zp, const zrec *r, dns_type type)
{
	size_t n = type == DNS_T_MX ? 2 : 1;
	mw_status st = want_rdata(zp, r, n);
	if (st != MW_OK)
		return st;
	uint32_t pref = 0;
	if (type == DNS_T_MX && (st = get_u32(zp, &r->rd[0], 65535, "MX preference", &pref)))
		return st;
	char target[MW_DNS_NAME_MAX + 2];
	if ((st = get_name(zp, &r->rd[n - 1], target, true)) != MW_OK)
		return st;
	if (!target[0])
		strcpy(target, "."); /* the root: RFC 7505 null MX */
	dns_rr rr = {.type = type, .ttl = r->ttl, .pref = (uint16_t)pref, .name = target};
	return add_status(zp, r, dns_zone_add(zp->z, r->owner, &rr));
}

/* rec_soa - mname rname serial refresh retry expire minimum */
static mw_status rec_soa(zparser *zp, const zrec *r)
{
	mw_status st = want_rdata(zp, r, 7);
	if (st != MW_OK)
		return st;
	char mname[MW_DNS_NAME_MAX + 2], rname[MW_DNS_NAME_MAX + 2];
	if ((st = get_name(zp, &r->rd[0], mname, true)) ||
	    (st = get_name(zp, &r->rd[1], rname, true)))
		return st;
	uint32_t v;
	if ((st = get_u32(zp, &r->rd[2], UINT32_MAX, "SOA serial", &v)))
		return st;
	for (size_t i = 3; i < 7; i++)
		if ((st = get_ttl(zp, &r->rd[i], &v)))
			return st;
	if (!mname[0])
		strcpy(mname, ".");
	dns_rr rr = {.type = DNS_T_SOA, .ttl = r->ttl, .name = mname};
	if ((st = dns_zone_add(zp->z, r->owner, &rr)) != MW_OK)
		return add_status(zp, r, st);
	/* v is MINIMUM; negative answers live min(SOA TTL, MINIMUM) (RFC 2308 §5) */
	uint32_t neg = r->ttl < v ? r->ttl : v;
	if (neg > MW_DNS_NEGTTL_MAX)
		neg = MW_DNS_NEGTTL_MAX;
	return add_status(zp, r, dns_zone_set_negttl(zp->z, r->owner, neg));
}

/* rec_txt - one or more character-strings, joined */
static mw_status rec_txt(zparser *zp, const zrec *r)
{
	if (r->nrd == 0)
		return zerr(zp, MW_EPARSE, r->type_tok->line, "TXT needs at least one string");
	size_t total = 0;
	for (size_t i = 0; i < r->nrd; i++) {
		if (r->rd[i].len > ZF_STRING_MAX)
			return zerr(zp, MW_EPARSE, r->rd[i].line,
			            "TXT string of %zu bytes (at most %d; split it into several "
			            "\"...\" strings)",
			            r->rd[i].len, ZF_STRING_MAX);
		total += r->rd[i].len;
	}
	if (total > MW_DNS_TXT_MAX)
		return zerr(zp, MW_ETOOBIG, r->type_tok->line, "TXT record over %d bytes",
		            MW_DNS_TXT_MAX);
	char *txt = malloc(total + 1);
	if (!txt)
		return zerr(zp, MW_ENOMEM, r->type_tok->line, "out of memory");
	size_t off = 0;
	for (size_t i = 0; i < r->nrd; i++) {
		memcpy(txt + off, r->rd[i].s, r->rd[i].len);
		off += r->rd[i].len;
	}
	txt[off] = '\0';
	mw_status st = dns_zone_add_txt(zp->z, r->owner, txt, total, r->ttl);
	free(txt);
	return add_status(zp, r, st);
}

/* rec_pseudo - TIMEOUT, SERVFAIL, NODATA TYPE */
static mw_status rec_pseudo(zparser *zp, const zrec *r)
{
	mw_status st;
	if (tok_is(r->type_tok, "NODATA")) {
		if ((st = want_rdata(zp, r, 1)) != MW_OK)
			return st;
		dns_type t = dns_type_parse(r->rd[0].s);
		if (!t || r->rd[0].escaped)
			return zerr(zp, MW_EPARSE, r->rd[0].line, "NODATA: unknown type '%.20s'",
			            r->rd[0].s);
		return add_status(zp, r, dns_zone_set_nodata(zp->z, r->owner, t));
	}
	if ((st = want_rdata(zp, r, 0)) != MW_OK)
		return st;
	dns_fault f = tok_is(r->type_tok, "TIMEOUT") ? DNS_FAULT_TIMEOUT : DNS_FAULT_SERVFAIL;
	return add_status(zp, r, dns_zone_set_fault(zp->z, r->owner, f));
}

/* Types that real zones hold but mail checks never query: skipped. */
static const char *const skipped_types[] = {
    "SRV",  "CAA",     "DS",    "DNSKEY", "RRSIG", "NSEC",   "NSEC3",      "NSEC3PARAM",
    "TLSA", "SSHFP",   "HINFO", "RP",     "NAPTR", "LOC",    "DNAME",      "SPF",
    "CDS",  "CDNSKEY", "SVCB",  "HTTPS",  "URI",   "SMIMEA", "OPENPGPKEY", "AFSDB",
};

/* is_skipped_type - known type we do not store (also RFC 3597 TYPEnnn) */
static bool is_skipped_type(const ztok *t)
{
	for (size_t i = 0; i < sizeof(skipped_types) / sizeof(skipped_types[0]); i++)
		if (tok_is(t, skipped_types[i]))
			return true;
	if (t->len > 4 && t->len <= 9 && !t->quoted && mw_strcaseeq_n(t->s, 4, "TYPE")) {
		for (size_t i = 4; i < t->len; i++)
			if (t->s[i] < '0' || t->s[i] > '9')
				return false;
		return true;
	}
	return false;
}

/* rec_data - dispatch on the type token */
static mw_status rec_data(zparser *zp, const zrec *r)
{
	const ztok *t = r->type_tok;
	if (tok_is(t, "TIMEOUT") || tok_is(t, "SERVFAIL") || tok_is(t, "NODATA"))
		return rec_pseudo(zp, r);
	dns_type type = t->quoted || t->escaped ? (dns_type)0 : dns_type_parse(t->s);
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		return rec_ip(zp, r, type);
	case DNS_T_MX:
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		return rec_name(zp, r, type);
	case DNS_T_SOA:
		return rec_soa(zp, r);
	case DNS_T_TXT:
		return rec_txt(zp, r);
	}
	if (is_skipped_type(t)) /* the name exists: a no-data mark for no type */
		return add_status(zp, r, dns_zone_set_nodata(zp->z, r->owner, (dns_type)0));
	return zerr(zp, MW_EPARSE, t->line, "unknown record type '%.20s'", t->s);
}

/* directive - $ORIGIN, $TTL */
static mw_status directive(zparser *zp)
{
	const ztok *t = &zp->tok[0];
	mw_status st;
	if (tok_is(t, "$ORIGIN") || tok_is(t, "$TTL")) {
		if (zp->ntok != 2)
			return zerr(zp, MW_EPARSE, t->line, "%s needs one argument", t->s);
		if (tok_is(t, "$TTL")) {
			if ((st = get_ttl(zp, &zp->tok[1], &zp->ttl_default)) != MW_OK)
				return st;
			zp->has_dollar_ttl = true;
			return MW_OK;
		}
		char o[MW_DNS_NAME_MAX + 2];
		if ((st = get_name(zp, &zp->tok[1], o, true)) != MW_OK)
			return st;
		strcpy(zp->origin, o);
		return MW_OK;
	}
	if (tok_is(t, "$INCLUDE"))
		return zerr(zp, MW_EPARSE, t->line, "$INCLUDE is not supported");
	return zerr(zp, MW_EPARSE, t->line, "unknown directive '%.20s'", t->s);
}

/* is_class - a class mnemonic */
static bool is_class(const ztok *t)
{
	return tok_is(t, "IN") || tok_is(t, "CH") || tok_is(t, "HS") || tok_is(t, "CS");
}

/* parse_record - owner, ttl/class, type, rdata of the lexed tokens */
static mw_status parse_record(zparser *zp)
{
	const ztok *t = zp->tok;
	mw_status st;
	if (!zp->blank_owner && t[0].len && t[0].s[0] == '$' && !t[0].quoted)
		return directive(zp);
	zrec r = {.ttl = zp->ttl_default};
	size_t i = 0;
	if (zp->blank_owner) {
		if (!zp->has_owner)
			return zerr(zp, MW_EPARSE, zp->rec_line, "record without owner name");
		strcpy(r.owner, zp->owner);
	} else {
		if ((st = get_name(zp, &t[0], r.owner, false)) != MW_OK)
			return st;
		strcpy(zp->owner, r.owner);
		zp->has_owner = true;
		i = 1;
	}
	bool got_ttl = false, got_class = false;
	for (; i < zp->ntok && (!got_ttl || !got_class); i++) {
		if (!got_ttl && t[i].len && t[i].s[0] >= '0' && t[i].s[0] <= '9') {
			if ((st = get_ttl(zp, &t[i], &r.ttl)) != MW_OK)
				return st;
			got_ttl = true;
			if (!zp->has_dollar_ttl)
				zp->ttl_default = r.ttl; /* RFC 1035 §5.1: last stated TTL */
		} else if (!got_class && is_class(&t[i])) {
			if (!tok_is(&t[i], "IN"))
				return zerr(zp, MW_EPARSE, t[i].line, "class %s not supported",
				            t[i].s);
			got_class = true;
		} else {
			break;
		}
	}
	if (i >= zp->ntok)
		return zerr(zp, MW_EPARSE, zp->rec_line, "record without a type");
	r.type_tok = &t[i];
	r.rd = &t[i + 1];
	r.nrd = zp->ntok - i - 1;
	return rec_data(zp, &r);
}

/* dns_zone_load_text - parse a zone from memory */
mw_status dns_zone_load_text(dns_zone *z, const char *text, size_t len, const char *label,
                             mw_err *err)
{
	if (len > MW_ZONE_FILE_MAX)
		return mw_err_set(err, MW_ETOOBIG, "%.80s: larger than %u bytes", label,
		                  (unsigned)MW_ZONE_FILE_MAX);
	zparser *zp = calloc(1, sizeof(*zp));
	char *buf = malloc(ZF_BUF_SIZE);
	if (!zp || !buf) {
		free(zp);
		free(buf);
		return mw_err_set(err, MW_ENOMEM, "%.80s: out of memory", label);
	}
	*zp = (zparser){.z = z,
	                .label = label,
	                .err = err,
	                .p = text,
	                .end = text + len,
	                .line = 1,
	                .ttl_default = ZF_TTL_DEFAULT,
	                .buf = buf};
	mw_status st;
	while ((st = lex_record(zp)) == MW_OK) {
		if ((st = parse_record(zp)) != MW_OK)
			break;
	}
	free(buf);
	free(zp);
	if (st == MW_ENOTFOUND) {
		mw_err_clear(err);
		return MW_OK;
	}
	return st;
}

/* dns_zone_load_file - read a file (at most MW_ZONE_FILE_MAX) and parse it */
mw_status dns_zone_load_file(dns_zone *z, const char *path, mw_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return mw_err_set(err, errno == ENOENT ? MW_ENOTFOUND : MW_EIO, "%.80s: %s", path,
		                  strerror(errno));
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);
	mw_status st = MW_OK;
	while (text) {
		if (len == cap) {
			if (cap > MW_ZONE_FILE_MAX) {
				st = mw_err_set(err, MW_ETOOBIG, "%.80s: larger than %u bytes",
				                path, (unsigned)MW_ZONE_FILE_MAX);
				break;
			}
			char *n = realloc(text, cap * 2);
			if (!n) {
				st = mw_err_set(err, MW_ENOMEM, "%.80s: out of memory", path);
				break;
			}
			text = n;
			cap *= 2;
		}
		size_t got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				st = mw_err_set(err, MW_EIO, "%.80s: read error", path);
			break;
		}
	}
	fclose(f);
	if (!text)
		return mw_err_set(err, MW_ENOMEM, "%.80s: out of memory", path);
	if (st == MW_OK)
		st = dns_zone_load_text(z, text, len, path, err);
	free(text);
	return st;
}
