/*
 * audit/dnsbl.c - DNS blocklists (see dnsbl.h).
 */
#include "audit/dnsbl.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/spf_record.h"
#include "core/str.h"

/* ---- the data file ---------------------------------------------------- */

/* next_tok - next blank-separated token of [*p, e); false at the end */
static bool next_tok(const char **p, const char *e, const char **t, size_t *n)
{
	while (*p < e && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p >= e)
		return false;
	*t = *p;
	while (*p < e && **p != ' ' && **p != '\t')
		(*p)++;
	*n = (size_t)(*p - *t);
	return true;
}

/* rest - the remainder of the line, trimmed; NULL if empty */
static char *rest(const char *p, const char *e)
{
	mw_trim(&p, &e);
	return p < e ? strndup(p, (size_t)(e - p)) : NULL;
}

/* parse_v4 - dotted quad of a counted string into host order */
static bool parse_v4(const char *s, size_t n, uint32_t *out)
{
	mw_ip ip;
	if (!mw_ip_parse_n(s, n, &ip) || ip.family != 4)
		return false;
	*out = (uint32_t)ip.addr[0] << 24 | (uint32_t)ip.addr[1] << 16 | (uint32_t)ip.addr[2] << 8 |
	       ip.addr[3];
	return true;
}

/* zone_line - "zone NAME ip|domain [url=U] LABEL..." */
static mw_status zone_line(dnsbl_list *l, const char *p, const char *e, const char **why)
{
	const char *t;
	size_t n;
	if (l->n >= MW_DNSBL_ZONES_MAX)
		return (*why = "too many zones", MW_ETOOBIG);
	if (!next_tok(&p, e, &t, &n) || n > MW_DNS_NAME_MAX - 80)
		return (*why = "zone needs a name (at most 173 bytes)", MW_EPARSE);
	dnsbl_zone *z = &l->z[l->n];
	memset(z, 0, sizeof(*z));
	z->zone = strndup(t, n);
	if (!z->zone)
		return MW_ENOMEM;
	l->n++; /* freed with the list from here on */
	if (!spf_name_ok(z->zone) || !strchr(z->zone, '.'))
		return (*why = "zone name is not a domain name", MW_EPARSE);
	if (!next_tok(&p, e, &t, &n) || !(mw_strcaseeq_n(t, n, "ip") || mw_strcaseeq_n(t, n, "domain")))
		return (*why = "zone type must be ip or domain", MW_EPARSE);
	z->domain = n == 6;
	const char *save = p;
	if (next_tok(&p, e, &t, &n) && n > 4 && strncmp(t, "url=", 4) == 0) {
		z->url = strndup(t + 4, n - 4);
		if (!z->url)
			return MW_ENOMEM;
	} else {
		p = save;
	}
	z->label = rest(p, e);
	if (!z->label)
		z->label = strdup(z->zone);
	return z->label ? MW_OK : MW_ENOMEM;
}

/* code_line - "code A[-B] listed|policy|error MEANING..." */
static mw_status code_line(dnsbl_list *l, const char *p, const char *e, const char **why)
{
	const char *t;
	size_t n;
	if (l->n == 0)
		return (*why = "code line before any zone line", MW_EPARSE);
	dnsbl_zone *z = &l->z[l->n - 1];
	if (z->ncodes >= MW_DNSBL_CODES_MAX)
		return (*why = "too many code lines for one zone", MW_ETOOBIG);
	dnsbl_code *c = &z->codes[z->ncodes];
	if (!next_tok(&p, e, &t, &n))
		return (*why = "code needs an address or range", MW_EPARSE);
	const char *dash = memchr(t, '-', n);
	if (!parse_v4(t, dash ? (size_t)(dash - t) : n, &c->lo) ||
	    !(dash ? parse_v4(dash + 1, n - (size_t)(dash + 1 - t), &c->hi) : (c->hi = c->lo, true)) ||
	    c->hi < c->lo)
		return (*why = "bad address range", MW_EPARSE);
	if (!next_tok(&p, e, &t, &n))
		return (*why = "code needs listed, policy or error", MW_EPARSE);
	if (mw_strcaseeq_n(t, n, "listed"))
		c->kind = DNSBL_LISTED;
	else if (mw_strcaseeq_n(t, n, "policy"))
		c->kind = DNSBL_POLICY;
	else if (mw_strcaseeq_n(t, n, "error"))
		c->kind = DNSBL_ERROR;
	else
		return (*why = "code kind must be listed, policy or error", MW_EPARSE);
	c->meaning = rest(p, e);
	if (!c->meaning)
		return (*why = "code needs a meaning", MW_EPARSE);
	z->ncodes++;
	return MW_OK;
}

/* one_line - dispatch a line */
static mw_status one_line(dnsbl_list *l, const char *p, const char *e, const char **why)
{
	const char *t;
	size_t n;
	if (!next_tok(&p, e, &t, &n) || t[0] == '#')
		return MW_OK;
	for (const char *q = t; q < e; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return (*why = "control character", MW_EPARSE);
	if (n == 4 && strncmp(t, "zone", 4) == 0)
		return zone_line(l, p, e, why);
	if (n == 4 && strncmp(t, "code", 4) == 0)
		return code_line(l, p, e, why);
	return (*why = "unknown keyword (zone or code expected)", MW_EPARSE);
}

/* dnsbl_list_parse - the whole file */
mw_status dnsbl_list_parse(dnsbl_list *l, const char *text, size_t len, mw_err *err)
{
	memset(l, 0, sizeof(*l));
	if (len > MW_DNSBL_FILE_MAX)
		return mw_err_set(err, MW_ETOOBIG, "DNSBL file over %u bytes", MW_DNSBL_FILE_MAX);
	l->z = calloc(MW_DNSBL_ZONES_MAX, sizeof(dnsbl_zone));
	if (!l->z)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	const char *p = text, *end = text + len;
	unsigned line = 0;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		line++;
		const char *le = (e > p && e[-1] == '\r') ? e - 1 : e;
		const char *why = "out of memory";
		mw_status st = (size_t)(le - p) > MW_DNSBL_LINE_MAX
				       ? (why = "line too long", MW_ETOOBIG)
				       : one_line(l, p, le, &why);
		if (st != MW_OK) {
			dnsbl_list_free(l);
			return mw_err_set(err, st, "line %u: %s", line, why);
		}
		p = e + 1;
	}
	if (l->n == 0) {
		dnsbl_list_free(l);
		return mw_err_set(err, MW_EPARSE, "no zone line");
	}
	return MW_OK;
}

/* dnsbl_list_load_file - read and parse */
mw_status dnsbl_list_load_file(dnsbl_list *l, const char *path, mw_err *err)
{
	memset(l, 0, sizeof(*l));
	FILE *f = fopen(path, "rb");
	if (!f)
		return mw_err_set(err, MW_EIO, "%s: cannot open", path);
	char *buf = malloc(MW_DNSBL_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, MW_DNSBL_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_status st = dnsbl_list_parse(l, buf, n, err);
	free(buf);
	if (st != MW_OK) {
		char msg[MW_ERR_MSG_MAX];
		mw_strlcpy(msg, err ? err->msg : "", sizeof(msg));
		mw_err_set(err, st, "%s: %s", path, msg);
	}
	return st;
}

/* dnsbl_list_load_default - the built-in table */
mw_status dnsbl_list_load_default(dnsbl_list *l, mw_err *err)
{
	return dnsbl_list_parse(l, dnsbl_default_text, strlen(dnsbl_default_text), err);
}

/* dnsbl_list_free - release */
void dnsbl_list_free(dnsbl_list *l)
{
	for (size_t i = 0; l->z && i < l->n; i++) {
		free(l->z[i].zone);
		free(l->z[i].label);
		free(l->z[i].url);
		for (size_t k = 0; k < l->z[i].ncodes; k++)
			free(l->z[i].codes[k].meaning);
	}
	free(l->z);
	memset(l, 0, sizeof(*l));
}

/* ---- verdicts --------------------------------------------------------- */

/* dnsbl_decode - map an answer to a verdict */
dnsbl_verdict dnsbl_decode(const dnsbl_zone *z, const dns_answer *a, const char **meaning,
			   char codes[64])
{
	codes[0] = 0;
	if (!a) {
		*meaning = "no answer within the time bound";
		return DNSBL_V_UNCHECKED;
	}
	if (a->status == DNS_TEMPFAIL) {
		*meaning = a->reason ? a->reason : "temporary DNS failure";
		return DNSBL_V_UNCHECKED;
	}
	if (a->status != DNS_OK || a->n == 0) {
		*meaning = "not listed";
		return DNSBL_V_CLEAN;
	}
	dnsbl_verdict worst = DNSBL_V_CLEAN;
	*meaning = "not listed";
	for (size_t i = 0; i < a->n; i++) {
		const mw_ip *ip = &a->rr[i].ip;
		char t[MW_IP_STR_MAX];
		size_t cl = strlen(codes);
		if (cl + MW_IP_STR_MAX + 2 < 64)
			snprintf(codes + cl, 64 - cl, "%s%s", cl ? "," : "", mw_ip_format(ip, t, sizeof(t)));
		if (ip->family != 4 || ip->addr[0] != 127) {
			*meaning = "answer outside 127.0.0.0/8: list dead or wildcarding";
			return DNSBL_V_BOGUS;
		}
		uint32_t v = (uint32_t)ip->addr[0] << 24 | (uint32_t)ip->addr[1] << 16 |
			     (uint32_t)ip->addr[2] << 8 | ip->addr[3];
		dnsbl_verdict got = DNSBL_V_LISTED;
		const char *m = "listed (return code not in the table)";
		for (size_t k = 0; k < z->ncodes; k++)
			if (v >= z->codes[k].lo && v <= z->codes[k].hi) {
				got = z->codes[k].kind == DNSBL_LISTED   ? DNSBL_V_LISTED
				      : z->codes[k].kind == DNSBL_POLICY ? DNSBL_V_POLICY
									 : DNSBL_V_REFUSED;
				m = z->codes[k].meaning;
				break;
			}
		if (got == DNSBL_V_REFUSED) { /* an error code voids the whole answer */
			*meaning = m;
			return DNSBL_V_REFUSED;
		}
		if (worst == DNSBL_V_CLEAN || (got == DNSBL_V_LISTED && worst == DNSBL_V_POLICY)) {
			worst = got;
			*meaning = m;
		}
	}
	return worst;
}

/* dnsbl_verdict_name - word */
const char *dnsbl_verdict_name(dnsbl_verdict v)
{
	static const char *const names[] = {"clean", "listed", "policy", "refused", "unchecked", "bogus"};
	return (unsigned)v < 6 ? names[v] : "?";
}

/* ---- queries ---------------------------------------------------------- */

/* on_answer - resolver callback */
static void on_answer(void *arg, const char *name, dns_type type, dns_answer *a)
{
	(void)name;
	(void)type;
	dnsbl_entry *e = arg;
	if (e->owner->closed || e->answered) {
		dns_answer_free(a);
		return;
	}
	e->answer = a;
	e->answered = true;
}

/* now_ms - monotonic clock */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* add_entry - one query; false when the name is too long */
static bool add_entry(dnsbl_result *res, const dnsbl_list *l, size_t zi, const char *target,
		      const char *prefix)
{
	dnsbl_entry *e = &res->e[res->n];
	memset(e, 0, sizeof(*e));
	int n = snprintf(e->qname, sizeof(e->qname), "%s.%s", prefix, l->z[zi].zone);
	if (n < 0 || (size_t)n > MW_DNS_NAME_MAX)
		return false;
	e->owner = res;
	e->zone = zi;
	mw_strlcpy(e->target, target, sizeof(e->target));
	res->n++;
	return true;
}

/* build - the query list */
static void build(const dnsbl_list *l, const dnsbl_targets *t, dnsbl_result *res)
{
	for (size_t zi = 0; zi < l->n; zi++) {
		if (l->z[zi].domain) {
			if (t->domain)
				(void)add_entry(res, l, zi, t->domain, t->domain);
			continue;
		}
		for (size_t i = 0; i < t->nips; i++) {
			const uint8_t *a = t->ips[i].addr;
			if (t->ips[i].family != 4) {
				res->skipped_v6 += zi == 0;
				continue;
			}
			char ip[MW_IP_STR_MAX], rev[32];
			mw_ip_format(&t->ips[i], ip, sizeof(ip));
			snprintf(rev, sizeof(rev), "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
			(void)add_entry(res, l, zi, ip, rev);
		}
	}
}

/* dnsbl_check - parallel queries under one deadline */
mw_status dnsbl_check(const dnsbl_list *l, const dnsbl_targets *t, dns_resolver *r,
		      unsigned total_ms, dnsbl_result *res)
{
	memset(res, 0, sizeof(*res));
	res->e = calloc(l->n * (t->nips + 1) + 1, sizeof(dnsbl_entry));
	if (!res->e)
		return MW_ENOMEM;
	build(l, t, res);
	long long start = now_ms(), deadline = start + total_ms;
	for (size_t i = 0; i < res->n; i++)
		if (dns_resolver_query(r, res->e[i].qname, DNS_T_A, on_answer, &res->e[i]) != MW_OK)
			res->e[i].answered = true; /* answer NULL: unchecked */
	while (dns_resolver_pending(r) > 0) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd fds[16];
		int timeout = -1;
		int n = dns_resolver_fds(r, fds, 16, &timeout);
		if (timeout < 0 || timeout > left)
			timeout = (int)left;
		if (n > 0 || timeout > 0)
			(void)poll(fds, (nfds_t)n, timeout);
		dns_resolver_process(r, fds, n);
	}
	res->closed = true;
	res->elapsed_ms = (unsigned)(now_ms() - start);
	for (size_t i = 0; i < res->n; i++) {
		dnsbl_entry *e = &res->e[i];
		e->verdict = dnsbl_decode(&l->z[e->zone], e->answer, &e->meaning, e->codes);
	}
	return MW_OK;
}

/* dnsbl_result_free - release */
void dnsbl_result_free(dnsbl_result *res)
{
	for (size_t i = 0; res->e && i < res->n; i++)
		dns_answer_free(res->e[i].answer);
	free(res->e);
	memset(res, 0, sizeof(*res));
}

/* dnsbl_findings - one finding per hit, one summary */
void dnsbl_findings(const dnsbl_list *l, const dnsbl_result *res, audit_findings *out)
{
	size_t clean = 0, unchecked = 0;
	for (size_t i = 0; i < res->n; i++) {
		const dnsbl_entry *e = &res->e[i];
		const dnsbl_zone *z = &l->z[e->zone];
		const char *ev = audit_strf(out, "%s A %s", e->qname, e->codes[0] ? e->codes : "-");
		switch (e->verdict) {
		case DNSBL_V_CLEAN:
			clean++;
			break;
		case DNSBL_V_LISTED:
		case DNSBL_V_POLICY:
			audit_addf(out, e->verdict == DNSBL_V_LISTED ? AUDIT_CRITICAL : AUDIT_WARNING,
				   "dnsbl", e->verdict == DNSBL_V_LISTED ? "dnsbl-listed" : "dnsbl-policy", ev,
				   audit_strf(out, "find and stop the cause (compromised account or host, "
						   "open relay, bad list hygiene), then request removal%s%s",
					      z->url ? " at " : "", z->url ? z->url : ""),
				   "%s is listed on %s: %s", e->target, z->label, e->meaning);
			break;
		default:
			unchecked++;
			audit_addf(out, AUDIT_INFO, "dnsbl", "dnsbl-not-checked", ev,
				   e->verdict == DNSBL_V_REFUSED
					   ? "query the list through your own recursive resolver, not a "
					     "public one (--resolver)"
					   : NULL,
				   "%s NOT checked on %s: %s", e->target, z->label, e->meaning);
		}
	}
	if (res->n)
		audit_addf(out, AUDIT_INFO, "dnsbl", "dnsbl-summary", NULL, NULL,
			   "%zu blocklist queries: %zu not listed, %zu not checked (%u ms)", res->n, clean,
			   unchecked, res->elapsed_ms);
	if (res->skipped_v6)
		audit_addf(out, AUDIT_INFO, "dnsbl", "dnsbl-ipv6-skipped", NULL, NULL,
			   "%zu IPv6 address(es) not checked: the listed blocklists serve IPv4",
			   res->skipped_v6);
}

/* dnsbl_json - every query */
json_t *dnsbl_json(const dnsbl_list *l, const dnsbl_result *res)
{
	json_t *j = json_object();
	json_t *a = json_array();
	for (size_t i = 0; i < res->n; i++) {
		const dnsbl_entry *e = &res->e[i];
		json_t *o = json_object();
		json_object_set_new(o, "list", json_string(l->z[e->zone].label));
		json_object_set_new(o, "zone", json_string(l->z[e->zone].zone));
		json_object_set_new(o, "target", json_string(e->target));
		json_object_set_new(o, "query", json_string(e->qname));
		json_object_set_new(o, "verdict", json_string(dnsbl_verdict_name(e->verdict)));
		json_object_set_new(o, "answer", json_string(e->codes));
		json_object_set_new(o, "meaning", json_string(e->meaning));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "queries", a);
	json_object_set_new(j, "elapsed_ms", json_integer(res->elapsed_ms));
	return j;
}
