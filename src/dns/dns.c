/*
 * dns/dns.c - DNS answer values (see dns.h).
 */
#include "dns/dns.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

/* dns_answer_new - allocate an empty answer */
dns_answer *dns_answer_new(dns_status status, uint32_t ttl)
{
	dns_answer *a = calloc(1, sizeof(*a));
	if (a) {
		a->status = status;
		a->ttl = ttl;
	}
	return a;
}

/* free_rr_strings - release the strings of one record */
static void free_rr_strings(dns_rr *rr)
{
	free(rr->name);
	free(rr->txt);
}

/* dns_answer_free - release an answer */
void dns_answer_free(dns_answer *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free_rr_strings(&a->rr[i]);
	free(a->rr);
	free(a->reason);
	free(a);
}

/* dns_answer_set_reason - record why a lookup failed */
mw_status dns_answer_set_reason(dns_answer *a, const char *reason)
{
	char *r = strdup(reason);
	if (!r)
		return MW_ENOMEM;
	free(a->reason);
	a->reason = r;
	return MW_OK;
}

/* copy_rr - deep copy of one record */
static mw_status copy_rr(dns_rr *dst, const dns_rr *src)
{
	*dst = *src;
	dst->name = NULL;
	dst->txt = NULL;
	if (src->name && !(dst->name = strdup(src->name)))
		return MW_ENOMEM;
	if (src->txt) {
		dst->txt = malloc(src->txt_len + 1);
		if (!dst->txt) {
			free(dst->name);
			dst->name = NULL;
			return MW_ENOMEM;
		}
		memcpy(dst->txt, src->txt, src->txt_len);
		dst->txt[src->txt_len] = '\0';
	}
	return MW_OK;
}

/* dns_answer_add - append a record copy */
mw_status dns_answer_add(dns_answer *a, const dns_rr *rr)
{
	if (a->n >= MW_DNS_ANSWERS_MAX)
		return MW_ETOOBIG;
	dns_rr *n = realloc(a->rr, (a->n + 1) * sizeof(*n));
	if (!n)
		return MW_ENOMEM;
	a->rr = n;
	mw_status st = copy_rr(&a->rr[a->n], rr);
	if (st != MW_OK)
		return st;
	if (a->n == 0 || rr->ttl < a->ttl)
		a->ttl = rr->ttl;
	a->n++;
	a->status = DNS_OK;
	return MW_OK;
}

/* dns_answer_clone - deep copy */
dns_answer *dns_answer_clone(const dns_answer *a)
{
	dns_answer *c = dns_answer_new(a->status, a->ttl);
	if (!c)
		return NULL;
	for (size_t i = 0; i < a->n; i++) {
		if (dns_answer_add(c, &a->rr[i]) != MW_OK) {
			dns_answer_free(c);
			return NULL;
		}
	}
	c->status = a->status;
	c->ttl = a->ttl;
	if (a->reason && dns_answer_set_reason(c, a->reason) != MW_OK) {
		dns_answer_free(c);
		return NULL;
	}
	return c;
}

static const struct {
	dns_type t;
	const char *name;
} type_names[] = {
	{DNS_T_A, "A"},     {DNS_T_NS, "NS"},   {DNS_T_CNAME, "CNAME"}, {DNS_T_SOA, "SOA"},
	{DNS_T_PTR, "PTR"}, {DNS_T_MX, "MX"},   {DNS_T_TXT, "TXT"},     {DNS_T_AAAA, "AAAA"},
};

/* dns_type_name - mnemonic of a type */
const char *dns_type_name(dns_type t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].t == t)
			return type_names[i].name;
	return "?";
}

/* dns_type_parse - type from mnemonic */
dns_type dns_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (mw_strcaseeq(s, type_names[i].name))
			return type_names[i].t;
	return (dns_type)0;
}

/* dns_status_name - name of an answer status */
const char *dns_status_name(dns_status s)
{
	switch (s) {
	case DNS_OK: return "ok";
	case DNS_NXDOMAIN: return "NXDOMAIN";
	case DNS_NODATA: return "NODATA";
	case DNS_TEMPFAIL: return "TEMPFAIL";
	}
	return "?";
}
