/*
 * auth/spf.c - SPF check_host() evaluation (see spf.h).
 *
 * One evaluation pass rebuilds everything (pool, counters, trace) from the
 * request and the DNS cache.  Internal functions return an int: an
 * mw_auth_result for check_host, M_MATCH / M_NOMATCH or an error result
 * for mechanisms, and R_NEED when a DNS answer is missing (the pass stops
 * and spf_check returns MW_NEED_DNS).
 */
#include "auth/spf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"

enum { R_NEED = -1, M_NOMATCH = 100, M_MATCH = 101, R_OK = 102 }; /* apart from mw_auth_result */

#define DEFAULT_EXP "%{i} is not one of %{d}'s designated mail senders"

typedef struct ev {
	const spf_request *req;
	dns_lookup *lk;
	mw_pool *pool;
	spf_result *res;
	spf_macro_env env;       /* fixed parts; env.domain set per expansion */
	unsigned terms, voids;
	int depth;               /* nesting for the trace */
	int in_include;          /* > 0 while evaluating an include target */
	const char *problem;
	const char *valid_name;  /* last target() result known to be a valid name */
	uint32_t ip4;            /* IPv4 client, host order */
	const char *mechanism;
	const char *explanation;
	const char **vnames;     /* validated PTR names (computed once per pass) */
	size_t nvnames;
	bool vnames_done;
	dns_status ptr_status;   /* status of the PTR query itself */
	bool oom;
} ev;

/* tr - append a trace line indented by the nesting depth */
__attribute__((format(printf, 2, 3))) static void tr(ev *e, const char *fmt, ...)
{
	if (e->res->ntrace >= MW_SPF_TRACE_MAX || (e->req->flags & SPF_F_NO_TRACE))
		return;
	if (!e->res->trace &&
	    !(e->res->trace = mw_pool_alloc(e->pool, MW_SPF_TRACE_MAX * sizeof(char *))))
		return;
	char line[1024];
	int ind = e->depth * 2 > 40 ? 40 : e->depth * 2;
	memset(line, ' ', (size_t)ind);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + ind, sizeof(line) - (size_t)ind, fmt, ap);
	va_end(ap);
	const char *s = mw_pool_strdup(e->pool, line);
	if (s)
		e->res->trace[e->res->ntrace++] = s;
}

/* TR - trace only when asked: skips evaluating the arguments on hot paths */
#define TR(e, ...)                                                   \
	do {                                                          \
		if (!((e)->req->flags & SPF_F_NO_TRACE))              \
			tr((e), __VA_ARGS__);                         \
	} while (0)

/* fail - set the problem and return a result */
__attribute__((format(printf, 3, 4))) static int fail(ev *e, int result, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!e->problem)
		e->problem = mw_pool_strdup(e->pool, msg);
	TR(e, "%s: %s", mw_auth_result_name((mw_auth_result)result), msg);
	return result;
}

/* name_ok - usable in a query (spf_name_ok) */
static bool name_ok(const char *d)
{
	return spf_name_ok(d);
}

/* rr_name_ok - a name taken from a DNS answer: the wire format already bounds
 * labels and length, so only the null MX "." (RFC 7505) and empty names are out */
static bool rr_name_ok(const char *d)
{
	return d && d[0] && !(d[0] == '.' && d[1] == '\0');
}

/* qname_ok - name_ok, free for names known valid (see target) */
static bool qname_ok(const ev *e, const char *name)
{
	return name == e->valid_name || name_ok(name);
}

/* count_term - one more DNS-querying term (§4.6.4) */
static int count_term(ev *e, const char *what)
{
	if (++e->terms > MW_SPF_DNS_TERMS_MAX)
		return fail(e, MW_AUTH_PERMERROR, "more than %d DNS-querying terms (at '%s')",
			    MW_SPF_DNS_TERMS_MAX, what);
	return R_OK;
}

/* void_hit - one more void lookup (§4.6.4) */
static int void_hit(ev *e, const char *name)
{
	if (++e->voids > MW_SPF_VOID_MAX)
		return fail(e, MW_AUTH_PERMERROR, "more than %d void lookups (at %s)", MW_SPF_VOID_MAX,
			    name);
	return R_OK;
}

/* addr_type - the address record type matching the client */
static dns_type addr_type(const ev *e)
{
	return e->req->ip.family == 4 ? DNS_T_A : DNS_T_AAAA;
}

/* has_addr - an answer holds an address in the client's network */
static bool has_addr(const ev *e, const dns_answer *a, int c4, int c6)
{
	const mw_ip *ip = &e->req->ip;
	unsigned bits = ip->family == 4 ? (unsigned)(c4 < 0 ? 32 : c4) : (unsigned)(c6 < 0 ? 128 : c6);
	for (size_t i = 0; i < a->n; i++)
		if (a->rr[i].ip.family == ip->family && mw_ip_in_cidr(ip, &a->rr[i].ip, bits))
			return true;
	return false;
}

/* validated_names - §5.5 steps: PTR names whose addresses include the client */
static int validated_names(ev *e)
{
	if (e->vnames_done)
		return R_OK;
	char rev[MW_IP_REVNAME_MAX];
	mw_ip_revname(&e->req->ip, rev, sizeof(rev));
	const dns_answer *a = dns_lookup_get(e->lk, rev, DNS_T_PTR);
	if (!a)
		return R_NEED;
	e->ptr_status = a->status;
	size_t n = 0;
	bool need = false;
	for (size_t i = 0; a->status == DNS_OK && i < a->n && n < MW_SPF_PTR_MAX; i++) {
		if (a->rr[i].type != DNS_T_PTR || !name_ok(a->rr[i].name))
			continue;
		n++;
		if (!dns_lookup_want(e->lk, a->rr[i].name, addr_type(e)))
			need = true;
	}
	if (need)
		return R_NEED;
	e->vnames = mw_pool_alloc(e->pool, (n + 1) * sizeof(char *));
	if (!e->vnames) {
		e->oom = true;
		return fail(e, MW_AUTH_PERMERROR, "evaluation memory budget exceeded");
	}
	for (size_t i = 0, k = 0; a->status == DNS_OK && i < a->n && k < n; i++) {
		if (a->rr[i].type != DNS_T_PTR || !name_ok(a->rr[i].name))
			continue;
		k++;
		const dns_answer *h = dns_lookup_get(e->lk, a->rr[i].name, addr_type(e));
		if (h && h->status == DNS_OK && has_addr(e, h, -1, -1))
			e->vnames[e->nvnames++] = a->rr[i].name;
	}
	e->vnames_done = true;
	return R_OK;
}

/* p_value - %{p} for the current domain (§7.3): exact, subdomain, any */
static const char *p_value(ev *e, const char *domain)
{
	for (size_t i = 0; i < e->nvnames; i++)
		if (mw_strcaseeq(e->vnames[i], domain))
			return e->vnames[i];
	for (size_t i = 0; i < e->nvnames; i++)
		if (mw_domain_is_sub(e->vnames[i], domain))
			return e->vnames[i];
	return e->nvnames ? e->vnames[0] : NULL;
}

/* expand - macro-expand s with the current domain; *out is pool-owned */
static int expand(ev *e, const char *s, const char *domain, bool exp, size_t max,
		  const char **out)
{
	size_t n = strlen(s);
	e->env.domain = domain;
	e->env.ptr = NULL;
	if (spf_macro_uses_p(s, n)) {
		int r = validated_names(e);
		if (r != R_OK)
			return r;
		e->env.ptr = p_value(e, domain);
	}
	mw_buf b;
	mw_buf_init(&b, max);
	mw_err err;
	mw_err_clear(&err);
	mw_status st = spf_macro_expand(s, n, &e->env, exp, &b, &err);
	if (st == MW_OK && !(*out = mw_pool_strndup(e->pool, mw_buf_cstr(&b), b.len)))
		st = MW_ENOMEM;
	mw_buf_free(&b);
	if (st != MW_OK)
		return fail(e, MW_AUTH_PERMERROR, "macro expansion of '%s': %s", s,
			    err.msg[0] ? err.msg : "out of memory");
	return R_OK;
}

/* target - the name a term queries: its domain-spec expanded, or the current
 * domain.  With counted, a %{p} in the spec is one more DNS-querying term
 * (§4.6.4: "the %{p} macro ... included in the overall limit"); the exp=
 * target is not subject to the limit. */
static int target(ev *e, const char *spec, const char *qname, const char *domain,
		  bool counted, const char **out)
{
	if (!spec || qname) { /* the current domain, or a checked literal name */
		*out = e->valid_name = spec ? qname : domain;
		return R_OK;
	}
	e->valid_name = NULL;
	int r;
	if (counted && spf_macro_uses_p(spec, strlen(spec)) && (r = count_term(e, "%{p}")) != R_OK)
		return r;
	const char *t;
	if ((r = expand(e, spec, domain, false, 4 * MW_SPF_RECORD_MAX, &t)) != R_OK)
		return r;
	spf_domain_truncate((char *)t); /* pool memory of this evaluation */
	*out = t;
	return R_OK;
}

/* match_host - A/AAAA records of name against the client (a mechanism) */
static int match_host(ev *e, const char *name, int c4, int c6)
{
	if (!qname_ok(e, name)) {
		TR(e, "'%s' is not a valid domain name: treated as non-existent", name);
		return M_NOMATCH;
	}
	const dns_answer *a = dns_lookup_get(e->lk, name, addr_type(e));
	if (!a)
		return R_NEED;
	if (a->status == DNS_TEMPFAIL)
		return fail(e, MW_AUTH_TEMPERROR, "DNS %s for %s %s", a->reason ? a->reason : "error",
			    dns_type_name(addr_type(e)), name);
	if (a->status != DNS_OK) {
		TR(e, "%s %s: %s (void lookup)", dns_type_name(addr_type(e)), name,
		   dns_status_name(a->status));
		int r = void_hit(e, name);
		return r != R_OK ? r : M_NOMATCH;
	}
	return has_addr(e, a, c4, c6) ? M_MATCH : M_NOMATCH;
}

/* mech_mx - §5.4 */
static int mech_mx(ev *e, const spf_term *t, const char *name)
{
	if (!qname_ok(e, name))
		return M_NOMATCH;
	const dns_answer *a = dns_lookup_get(e->lk, name, DNS_T_MX);
	if (!a)
		return R_NEED;
	if (a->status == DNS_TEMPFAIL)
		return fail(e, MW_AUTH_TEMPERROR, "DNS %s for MX %s", a->reason ? a->reason : "error",
			    name);
	if (a->status != DNS_OK) {
		TR(e, "MX %s: %s (void lookup)", name, dns_status_name(a->status));
		int r = void_hit(e, name);
		return r != R_OK ? r : M_NOMATCH;
	}
	if (a->n > MW_SPF_MX_MAX)
		return fail(e, MW_AUTH_PERMERROR, "%s has %zu MX records (limit %d)", name, a->n,
			    MW_SPF_MX_MAX);
	const dns_answer *hosts[MW_SPF_MX_MAX];
	bool need = false;
	for (size_t i = 0; i < a->n; i++) { /* every missing host is asked for in one round */
		hosts[i] = NULL;
		if (rr_name_ok(a->rr[i].name) &&
		    !(hosts[i] = dns_lookup_get(e->lk, a->rr[i].name, addr_type(e))))
			need = true;
	}
	if (need)
		return R_NEED;
	for (size_t i = 0; i < a->n; i++) {
		const dns_answer *h = hosts[i];
		if (!h)
			continue; /* null MX (RFC 7505) or garbage */
		if (h->status == DNS_TEMPFAIL)
			return fail(e, MW_AUTH_TEMPERROR, "DNS %s for %s %s",
				    h->reason ? h->reason : "error", dns_type_name(addr_type(e)),
				    a->rr[i].name);
		if (h->status == DNS_OK && has_addr(e, h, t->cidr4, t->cidr6)) {
			TR(e, "MX host %s has the client address", a->rr[i].name);
			return M_MATCH;
		}
	}
	return M_NOMATCH;
}

/* mech_ptr - §5.5 (DNS errors make the mechanism not match) */
static int mech_ptr(ev *e, const char *name)
{
	int r = validated_names(e);
	if (r != R_OK)
		return r;
	if (e->ptr_status == DNS_NXDOMAIN || e->ptr_status == DNS_NODATA) {
		if ((r = void_hit(e, "PTR")) != R_OK)
			return r;
	}
	for (size_t i = 0; i < e->nvnames; i++)
		if (mw_domain_is_sub(e->vnames[i], name)) {
			TR(e, "validated PTR name %s is within %s", e->vnames[i], name);
			return M_MATCH;
		}
	return M_NOMATCH;
}

/* mech_exists - §5.7: any A record (IPv4 query whatever the client) */
static int mech_exists(ev *e, const char *name)
{
	if (!qname_ok(e, name))
		return M_NOMATCH;
	const dns_answer *a = dns_lookup_get(e->lk, name, DNS_T_A);
	if (!a)
		return R_NEED;
	if (a->status == DNS_TEMPFAIL)
		return fail(e, MW_AUTH_TEMPERROR, "DNS %s for A %s", a->reason ? a->reason : "error",
			    name);
	if (a->status != DNS_OK) {
		int r = void_hit(e, name);
		return r != R_OK ? r : M_NOMATCH;
	}
	return M_MATCH;
}

static int check_host(ev *e, const char *domain);

/* mech_include - §5.2 */
static int mech_include(ev *e, const char *name)
{
	if (!qname_ok(e, name))
		return fail(e, MW_AUTH_PERMERROR, "include target '%s' is not a domain name", name);
	e->in_include++;
	e->depth++;
	int r = check_host(e, name);
	e->depth--;
	e->in_include--;
	switch (r) {
	case R_NEED: return R_NEED;
	case MW_AUTH_PASS: return M_MATCH;
	case MW_AUTH_FAIL:
	case MW_AUTH_SOFTFAIL:
	case MW_AUTH_NEUTRAL: return M_NOMATCH;
	case MW_AUTH_NONE:
		return fail(e, MW_AUTH_PERMERROR, "include target %s has no SPF record", name);
	default: return r;
	}
}

/* eval_term - one mechanism: M_MATCH, M_NOMATCH, an error result or R_NEED */
static int eval_term(ev *e, const spf_term *t, const char *domain)
{
	switch (t->mech) {
	case SPF_MECH_ALL: return M_MATCH;
	case SPF_MECH_IP4:
		return e->req->ip.family == 4 && (e->ip4 & t->mask4) == t->net4 ? M_MATCH : M_NOMATCH;
	case SPF_MECH_IP6: {
		int bits = t->mech == SPF_MECH_IP4 ? t->cidr4 : t->cidr6;
		if (e->req->ip.family != t->net.family)
			return M_NOMATCH;
		return mw_ip_in_cidr(&e->req->ip, &t->net,
				     (unsigned)(bits < 0 ? (t->mech == SPF_MECH_IP4 ? 32 : 128) : bits))
			       ? M_MATCH
			       : M_NOMATCH;
	}
	default: break;
	}
	int r = count_term(e, t->text);
	if (r != R_OK)
		return r;
	TR(e, "%s (DNS term %u of %d)", t->text, e->terms, MW_SPF_DNS_TERMS_MAX);
	const char *name;
	if ((r = target(e, t->domain, t->qname, domain, true, &name)) != R_OK)
		return r;
	switch (t->mech) {
	case SPF_MECH_INCLUDE: return mech_include(e, name);
	case SPF_MECH_A: return match_host(e, name, t->cidr4, t->cidr6);
	case SPF_MECH_MX: return mech_mx(e, t, name);
	case SPF_MECH_PTR: return mech_ptr(e, name);
	case SPF_MECH_EXISTS: return mech_exists(e, name);
	default: return M_NOMATCH;
	}
}

/* explain - §6.2: the explanation of a fail (exp= text or the default) */
static int explain(ev *e, const spf_record *rec, const char *domain)
{
	const char *text = NULL, *name;
	if (rec->exp) {
		int r = target(e, rec->exp, rec->exp_q, domain, false, &name);
		if (r == R_NEED)
			return r;
		const dns_answer *a = NULL;
		if (r == R_OK && qname_ok(e, name) && !(a = dns_lookup_get(e->lk, name, DNS_T_TXT)))
			return R_NEED;
		if (a && a->status == DNS_OK && a->n == 1 && a->rr[0].type == DNS_T_TXT &&
		    strlen(a->rr[0].txt) == a->rr[0].txt_len) {
			mw_err err;
			if (spf_macro_check(a->rr[0].txt, a->rr[0].txt_len, true, &err)) {
				if ((r = expand(e, a->rr[0].txt, domain, true, MW_SPF_EXP_MAX, &text)) == R_NEED)
					return r;
			} else {
				TR(e, "explanation at %s ignored: %s", name, err.msg);
			}
		} else if (r == R_OK) {
			TR(e, "exp=%s: no single explanation TXT record, default used", name);
		}
	}
	if (!text) {
		int r = expand(e, e->req->default_exp ? e->req->default_exp : DEFAULT_EXP, domain, true,
			       MW_SPF_EXP_MAX, &text);
		if (r == R_NEED)
			return r;
	}
	e->explanation = text;
	return R_OK;
}

/* fetch_record - §4.4/§4.5: the one SPF record of a domain */
static int fetch_record(ev *e, const char *domain, const spf_record **rec)
{
	const dns_answer *a = dns_lookup_get(e->lk, domain, DNS_T_TXT);
	if (!a)
		return R_NEED;
	if (a->status == DNS_TEMPFAIL)
		return fail(e, MW_AUTH_TEMPERROR, "DNS %s for TXT %s", a->reason ? a->reason : "error",
			    domain);
	const dns_rr *found = NULL;
	size_t nspf = 0;
	for (size_t i = 0; a->status == DNS_OK && i < a->n; i++)
		if (a->rr[i].type == DNS_T_TXT && spf_record_is_spf(a->rr[i].txt, a->rr[i].txt_len)) {
			found = &a->rr[i];
			nspf++;
		}
	if (nspf > 1)
		return fail(e, MW_AUTH_PERMERROR, "%s has %zu SPF records", domain, nspf);
	if (!found) {
		TR(e, "%s: no SPF record (%s)", domain,
		   a->status == DNS_OK ? "no v=spf1 TXT" : dns_status_name(a->status));
		return MW_AUTH_NONE;
	}
	TR(e, "%s: \"%.*s\"", domain, (int)(found->txt_len > 900 ? 900 : found->txt_len), found->txt);
	mw_err err;
	mw_err_clear(&err);
	mw_status st;
	if (e->req->parsed) {
		st = spf_record_cache_parse(e->req->parsed, found->txt, found->txt_len, rec, &err);
	} else {
		spf_record *r = mw_pool_alloc(e->pool, sizeof(*r));
		st = r ? spf_record_parse(found->txt, found->txt_len, e->pool, r, &err) : MW_ENOMEM;
		*rec = r;
	}
	if (st != MW_OK)
		return fail(e, MW_AUTH_PERMERROR, "%s: %s", domain, err.msg[0] ? err.msg : "out of memory");
	return R_OK;
}

/* qual_result - §4.6.2 */
static int qual_result(char q)
{
	switch (q) {
	case '-': return MW_AUTH_FAIL;
	case '~': return MW_AUTH_SOFTFAIL;
	case '?': return MW_AUTH_NEUTRAL;
	default: return MW_AUTH_PASS;
	}
}

/* do_redirect - §6.1 */
static int do_redirect(ev *e, const spf_record *rec, const char *domain)
{
	int r = count_term(e, "redirect");
	if (r != R_OK)
		return r;
	TR(e, "redirect=%s (DNS term %u of %d)", rec->redirect, e->terms, MW_SPF_DNS_TERMS_MAX);
	const char *name;
	if ((r = target(e, rec->redirect, rec->redirect_q, domain, true, &name)) != R_OK)
		return r;
	if (!qname_ok(e, name))
		return fail(e, MW_AUTH_PERMERROR, "redirect target '%s' is not a domain name", name);
	e->depth++;
	r = check_host(e, name);
	e->depth--;
	if (r == MW_AUTH_NONE)
		return fail(e, MW_AUTH_PERMERROR, "redirect target %s has no SPF record", name);
	return r;
}

/* check_host - §4: evaluate domain's record */
static int check_host(ev *e, const char *domain)
{
	if (e->depth > MW_SPF_DEPTH_MAX)
		return fail(e, MW_AUTH_PERMERROR, "include/redirect nesting deeper than %d",
			    MW_SPF_DEPTH_MAX);
	const spf_record *rec;
	int r = fetch_record(e, domain, &rec);
	if (r != R_OK)
		return r;
	for (size_t i = 0; i < rec->nterms; i++) {
		const spf_term *t = &rec->terms[i];
		r = eval_term(e, t, domain);
		if (r == M_NOMATCH) {
			TR(e, "%s: no match", t->text);
			continue;
		}
		if (r != M_MATCH)
			return r;
		r = qual_result(t->qual);
		TR(e, "%s: match -> %s", t->text, mw_auth_result_name((mw_auth_result)r));
		if (e->in_include == 0) {
			e->mechanism = t->text;
			if (r == MW_AUTH_FAIL && explain(e, rec, domain) == R_NEED)
				return R_NEED;
		}
		return r;
	}
	if (rec->redirect && !rec->has_all)
		return do_redirect(e, rec, domain);
	TR(e, "%s: no mechanism matched -> neutral", domain);
	if (e->in_include == 0)
		e->mechanism = "default";
	return MW_AUTH_NEUTRAL;
}

/* ---- Received-SPF (§9.1) ------------------------------------------------ */

/* is_dot_atom - RFC 5322 §3.2.3 dot-atom-text */
static bool is_dot_atom(const char *s)
{
	static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
	if (!*s || *s == '.')
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr(specials, c);
		if (c == '.' ? (p[1] == '.' || p[1] == '\0') : !atext)
			return false;
	}
	return true;
}

/* put_kv - "; key=value" with the value as dot-atom or quoted-string */
static void put_kv(mw_buf *b, const char *key, const char *val)
{
	if (!val)
		return;
	mw_buf_printf(b, "%s%s=", b->data && b->data[b->len - 1] == ')' ? " " : "; ", key);
	if (is_dot_atom(val)) {
		mw_buf_puts(b, val);
		return;
	}
	mw_buf_putc(b, '"');
	for (const char *p = val; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			mw_buf_putc(b, '\\');
		mw_buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
	mw_buf_putc(b, '"');
}

/* put_comment_text - text inside a comment: escape ( ) \ and drop controls */
static void put_comment_text(mw_buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '(' || c == ')' || c == '\\')
			mw_buf_putc(b, '\\');
		mw_buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
}

/* received_spf - build the header field */
static const char *received_spf(ev *e)
{
	spf_result *res = e->res;
	const char *recv = e->env.receiver;
	char ip[MW_IP_STR_MAX];
	mw_ip_format(&e->req->ip, ip, sizeof(ip));
	const char *who = res->sender[0] ? res->sender : res->domain;
	char c[1400];
	switch (res->result) {
	case MW_AUTH_PASS:
		snprintf(c, sizeof(c), "domain of %s designates %s as permitted sender", who, ip);
		break;
	case MW_AUTH_FAIL:
		snprintf(c, sizeof(c), "domain of %s does not designate %s as permitted sender", who, ip);
		break;
	case MW_AUTH_SOFTFAIL:
		snprintf(c, sizeof(c), "domain of transitioning %s does not designate %s as permitted sender",
			 who, ip);
		break;
	case MW_AUTH_NEUTRAL:
		snprintf(c, sizeof(c), "%s is neither permitted nor denied by domain of %s", ip, who);
		break;
	case MW_AUTH_NONE:
		snprintf(c, sizeof(c), "domain of %s does not designate permitted sender hosts", who);
		break;
	case MW_AUTH_TEMPERROR:
		snprintf(c, sizeof(c), "error in processing during lookup of %s", who);
		break;
	default:
		snprintf(c, sizeof(c), "permanent error in processing during lookup of %s", who);
		break;
	}
	mw_buf b;
	mw_buf_init(&b, 8192);
	mw_buf_printf(&b, "Received-SPF: %s (", mw_auth_result_name(res->result));
	put_comment_text(&b, recv);
	mw_buf_puts(&b, ": ");
	put_comment_text(&b, c);
	mw_buf_putc(&b, ')');
	put_kv(&b, "client-ip", ip);
	put_kv(&b, "envelope-from", e->req->identity == SPF_ID_MAILFROM ? res->sender : NULL);
	put_kv(&b, "helo", e->env.helo);
	put_kv(&b, "receiver", recv);
	put_kv(&b, "identity", e->req->identity == SPF_ID_HELO ? "helo" : "mailfrom");
	put_kv(&b, "mechanism", res->mechanism);
	put_kv(&b, "problem", res->problem);
	const char *s = mw_pool_strndup(e->pool, mw_buf_cstr(&b), b.len);
	mw_buf_free(&b);
	return s;
}

/* ---- entry points -------------------------------------------------------- */

/* valid_domain - §4.3: a multi-label name with valid labels, not a literal */
static bool valid_domain(const char *d)
{
	return name_ok(d) && d[0] != '[' && strchr(d, '.') && strchr(d, '.')[1] != '\0';
}

/* identity - derive <sender>, local part, sender domain and <domain> */
static bool identity(ev *e, const char **domain)
{
	const spf_request *q = e->req;
	const char *s = q->identity == SPF_ID_MAILFROM && q->sender && *q->sender ? q->sender : NULL;
	const char *lp = "postmaster", *dp = e->env.helo; /* postmaster@<helo> */
	size_t ll = 10, dl = strlen(dp);
	if (s) {
		size_t n = strlen(s);
		if (n > MW_SPF_SENDER_MAX)
			return false;
		const char *at = memrchr(s, '@', n);
		dp = at ? at + 1 : s;
		dl = n - (size_t)(dp - s);
		if (at && at > s) { /* a local part is present */
			lp = s;
			ll = (size_t)(at - s);
		}
	}
	if (dl && dp[dl - 1] == '.')
		dl--;
	/* one block: "local\0domain\0local@domain\0" */
	char *m = mw_pool_alloc(e->pool, 2 * (ll + dl) + 4);
	if (!m)
		return false;
	memcpy(m, lp, ll);
	memcpy(m + ll + 1, dp, dl);
	char *snd = m + ll + dl + 2;
	memcpy(snd, lp, ll);
	snd[ll] = '@';
	memcpy(snd + ll + 1, dp, dl);
	e->env.local = m;
	e->env.sdomain = m + ll + 1;
	e->env.sender = snd;
	*domain = q->domain ? mw_pool_strdup(e->pool, q->domain) : e->env.sdomain;
	return *domain != NULL;
}

/* spf_result_free - release a result */
void spf_result_free(spf_result *res)
{
	if (res) {
		mw_pool_free(res->pool);
		memset(res, 0, sizeof(*res));
	}
}

/* finish - copy the evaluation's outcome into the result */
static void finish(ev *e, int r)
{
	spf_result *res = e->res;
	res->result = (mw_auth_result)r;
	res->problem = e->problem;
	res->mechanism = e->mechanism;
	res->explanation = r == MW_AUTH_FAIL ? e->explanation : NULL;
	res->dns_lookups = e->terms;
	res->void_lookups = e->voids;
	res->received_spf = (e->req->flags & SPF_F_NO_HEADER) ? NULL : received_spf(e);
}

/* spf_check - one evaluation pass */
mw_status spf_check(const spf_request *req, dns_lookup *lk, spf_result *res)
{
	mw_pool *keep = res->pool; /* a reused result reuses its memory */
	res->pool = NULL;
	spf_result_free(res);
	if (keep)
		mw_pool_reset(keep);
	if (!req || !lk || (req->ip.family != 4 && req->ip.family != 6)) {
		mw_pool_free(keep);
		return MW_EINVAL;
	}
	ev e = {.req = req, .lk = lk, .res = res};
	e.ip4 = (uint32_t)req->ip.addr[0] << 24 | (uint32_t)req->ip.addr[1] << 16 |
		(uint32_t)req->ip.addr[2] << 8 | req->ip.addr[3];
	if (!(e.pool = res->pool = keep ? keep : mw_pool_new(MW_SPF_POOL_MAX))) {
		spf_result_free(res);
		return MW_ENOMEM;
	}
	e.env.ip = &req->ip;
	e.env.ip_upper = req->ip_upper;
	e.env.helo = req->helo && *req->helo ? req->helo : "unknown";
	e.env.receiver = req->receiver && *req->receiver ? req->receiver : "unknown";
	e.env.now = lk->now;
	spf_record_cache_trim(req->parsed);
	const char *domain = NULL;
	bool ok = identity(&e, &domain);
	res->sender = e.env.sender ? e.env.sender : "";
	res->domain = domain ? domain : "";
	if (!ok) {
		finish(&e, fail(&e, MW_AUTH_NONE, "no usable sender or domain"));
		return MW_OK;
	}
	char *d = (char *)domain;
	size_t n = strlen(d);
	if (n && d[n - 1] == '.')
		d[n - 1] = '\0';
	if (!valid_domain(d)) {
		finish(&e, fail(&e, MW_AUTH_NONE, "'%s' is not a valid domain name (§4.3)", d));
		return MW_OK;
	}
	int r = check_host(&e, d);
	if (r == R_NEED) {
		TR(&e, "(waiting for DNS answers)");
		return MW_NEED_DNS;
	}
	finish(&e, r);
	return MW_OK;
}

typedef struct run_ctx {
	const spf_request *req;
	spf_result *res;
} run_ctx;

/* run_step - dns_lookup_run callback */
static mw_status run_step(void *ctx, dns_lookup *lk)
{
	run_ctx *c = ctx;
	return spf_check(c->req, lk, c->res);
}

/* spf_check_run - evaluate to completion */
mw_status spf_check_run(const spf_request *req, dns_resolver *r, dns_cache *cache,
			spf_result *res, mw_err *err)
{
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	run_ctx c = {req, res};
	mw_status st = dns_lookup_run(&lk, r, run_step, &c, err);
	if (st == MW_ETEMP && res->pool) {
		/* the round cap: report it as a temporary DNS problem */
		res->result = MW_AUTH_TEMPERROR;
		res->problem = mw_pool_strdup(res->pool, err && err->msg[0] ? err->msg : "DNS rounds");
		return MW_OK;
	}
	return st;
}

/* spf_request_set_ip - parse the client address */
bool spf_request_set_ip(spf_request *req, const char *text)
{
	if (!mw_ip_parse(text, &req->ip))
		return false;
	mw_ip_unmap(&req->ip);
	req->ip_upper = false;
	if (req->ip.family == 6)
		for (const char *p = text; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				req->ip_upper = true;
	return true;
}
