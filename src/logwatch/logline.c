/*
 * logwatch/logline.c - syslog prefix and dispatch to the MTA parsers
 * (see logline.h).
 */
#include "logwatch/logline.h"

#include <string.h>

#include "core/limits.h"

static const char *const kind_names[MW_LE_KIND_COUNT] = {
	"bad",      "foreign",   "unknown",  "ignored",      "connect",    "disconnect",
	"client",   "reject",    "auth_fail", "proto_abuse", "msgid",      "queued",
	"removed",  "expired",   "delivery", "remote_reply", "bounce",     "pickup",
	"conn_fail", "warning",
};

/* mw_logev_kind_name - name of a kind */
const char *mw_logev_kind_name(mw_logev_kind k)
{
	return (unsigned)k < MW_LE_KIND_COUNT ? kind_names[k] : "?";
}

/* mw_is_qid - Postfix short IDs are upper-case hex (>= 5), long IDs are
 * [0-9A-Za-z] (RFC-less: postconf(5) enable_long_queue_ids); Sendmail IDs are
 * [0-9A-Za-z] of 12-15+.  We accept 5..MW_LOG_QID_MAX alphanumerics. */
bool mw_is_qid(const char *s, size_t n)
{
	/* class of each byte: 1 digit, 2 upper hex, 3 other upper, 4 lower */
	static const unsigned char cls[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
		['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2,
		['E'] = 2, ['F'] = 2, ['G'] = 3, ['H'] = 3, ['I'] = 3, ['J'] = 3, ['K'] = 3,
		['L'] = 3, ['M'] = 3, ['N'] = 3, ['O'] = 3, ['P'] = 3, ['Q'] = 3, ['R'] = 3,
		['S'] = 3, ['T'] = 3, ['U'] = 3, ['V'] = 3, ['W'] = 3, ['X'] = 3, ['Y'] = 3,
		['Z'] = 3, ['a'] = 4, ['b'] = 4, ['c'] = 4, ['d'] = 4, ['e'] = 4, ['f'] = 4,
		['g'] = 4, ['h'] = 4, ['i'] = 4, ['j'] = 4, ['k'] = 4, ['l'] = 4, ['m'] = 4,
		['n'] = 4, ['o'] = 4, ['p'] = 4, ['q'] = 4, ['r'] = 4, ['s'] = 4, ['t'] = 4,
		['u'] = 4, ['v'] = 4, ['w'] = 4, ['x'] = 4, ['y'] = 4, ['z'] = 4,
	};
	if (n < 5 || n > MW_LOG_QID_MAX)
		return false;
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = cls[(unsigned char)s[i]];
		if (!c)
			return false;
		seen |= 1u << c;
	}
	/* a word like "warning" is not an ID: IDs have a digit or are upper hex */
	return (seen & (1u << 1)) || !(seen & ((1u << 3) | (1u << 4)));
}

/* mw_parse_hostaddr - "host[ip]" with optional ":port"; host may be empty
 * (postscreen "[ip]:port") */
bool mw_parse_hostaddr(const char **p, const char *end, mw_sv *host, mw_sv *ip, mw_sv *port)
{
	/* bytes that end the host part: '[' (found) or a separator (no address) */
	static const unsigned char stop[256] = {['['] = 1, [' '] = 1, [','] = 1, [';'] = 1};
	const char *s = *p;
	const char *lb = s;
	while (lb < end && !stop[(unsigned char)*lb])
		lb++;
	if (lb >= end || *lb != '[')
		return false;
	const char *rb = mw_findc(lb + 1, end, ']');
	if (!rb)
		return false;
	*host = mw_sv_make(s, lb);
	*ip = mw_sv_make(lb + 1, rb);
	s = rb + 1;
	if (s < end && *s == ':' && s + 1 < end && s[1] >= '0' && s[1] <= '9') {
		const char *q = s + 1;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (port)
			*port = mw_sv_make(s + 1, q);
		s = q;
	}
	*p = s;
	return true;
}

/* mw_parse_angle - "<...>"; the address may contain anything but '>' */
bool mw_parse_angle(const char **p, const char *end, mw_sv *v)
{
	const char *s = *p;
	if (s >= end || *s != '<')
		return false;
	const char *e = mw_findc(s + 1, end, '>');
	if (!e)
		return false;
	*v = mw_sv_make(s + 1, e);
	*p = e + 1;
	return true;
}

/* skip_token - [s, first space) */
static const char *token_end(const char *s, const char *end)
{
	const char *e = mw_findc(s, end, ' ');
	return e ? e : end;
}

/* parse_tag - "name[pid]:" or "name:" ending at te (te points at ':') */
static void parse_tag(mw_logev *ev, const char *s, const char *te)
{
	const char *lb = mw_findc(s, te, '[');
	if (lb && te[-1] == ']') {
		ev->tag = mw_sv_make(s, lb);
		ev->pid = mw_sv_make(lb + 1, te - 1);
	} else {
		ev->tag = mw_sv_make(s, te);
	}
	const char *slash = mw_rfindc(ev->tag.p, ev->tag.p + ev->tag.n, '/');
	ev->daemon = slash ? mw_sv_make(slash + 1, ev->tag.p + ev->tag.n) : ev->tag;
}

/* classify_mta - which MTA wrote the tag */
static mw_logmta classify_mta(const mw_logev *ev)
{
	const char *t = ev->tag.p, *te = t + ev->tag.n;
	if (MW_STARTS(t, te, "postfix"))
		return MW_MTA_POSTFIX;
	if (mw_sv_eq(ev->tag, "sendmail") || MW_STARTS(t, te, "sm-"))
		return MW_MTA_SENDMAIL;
	return MW_MTA_NONE;
}

/* parse_prefix - timestamp, [<fac.level>], [hostname], tag: ; sets ev->msg */
static bool parse_prefix(mw_logtime_ctx *tc, const char *line, size_t len, mw_logev *ev)
{
	const char *p = line, *end = line + len;
	if (!mw_logtime_parse(tc, &p, end, &ev->ts, &ev->usec))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '<') { /* "<mail.notice>" priority token */
		const char *e = token_end(p, end);
		if (e[-1] == '>')
			p = e + (e < end);
	}
	const char *t1 = p, *e1 = token_end(p, end);
	if (e1 == t1)
		return false;
	if (e1[-1] != ':') { /* hostname first */
		ev->host = mw_sv_make(t1, e1);
		if (e1 >= end)
			return false;
		t1 = e1 + 1;
		e1 = token_end(t1, end);
		if (e1 == t1 || e1[-1] != ':')
			return false;
	}
	parse_tag(ev, t1, e1 - 1);
	if (ev->tag.n == 0)
		return false;
	p = e1 < end ? e1 + 1 : end;
	ev->msg = mw_sv_make(p, end);
	return true;
}

/* mw_logline_parse - the entry point */
mw_logev_kind mw_logline_parse(mw_logtime_ctx *tc, const char *line, size_t len,
			       mw_logev *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (len && line[len - 1] == '\r')
		len--;
	if (!parse_prefix(tc, line, len, ev))
		return ev->kind = MW_LE_BAD;
	ev->mta = classify_mta(ev);
	switch (ev->mta) {
	case MW_MTA_POSTFIX:
		ev->kind = MW_LE_UNKNOWN;
		mw_parse_postfix(ev);
		break;
	case MW_MTA_SENDMAIL:
		ev->kind = MW_LE_UNKNOWN;
		mw_parse_sendmail(ev);
		break;
	default:
		ev->kind = MW_LE_FOREIGN;
	}
	return ev->kind;
}
