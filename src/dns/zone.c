/*
 * dns/zone.c - in-memory DNS data store and authoritative-style answers
 * (see zone.h).  Zone *files* are parsed in zonefile.c.
 *
 * Layout: one hash table from lower-cased owner name to a node holding that
 * name's records (a small array; per-name counts are tiny in practice), its
 * fault, and its explicit no-data types.  Ancestors of every owner name are
 * entered as empty nodes so empty non-terminals answer NODATA.
 */
#include "dns/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/htab.h"
#include "core/limits.h"
#include "core/str.h"

typedef struct node {
	dns_answer *rrs;      /* all records of the name, any type (status unused) */
	dns_fault fault;
	uint32_t nodata_mask; /* bit per type listed by dns_zone_set_nodata */
	uint32_t neg_ttl;     /* zone apex: negative-answer TTL (0 = not an apex) */
	bool owner;           /* has data of its own, not only an ancestor */
} node;

struct dns_zone {
	mw_htab *names; /* lower-case name -> node */
};

/* type_bit - a bit for each supported type (for nodata_mask) */
static uint32_t type_bit(dns_type t)
{
	switch (t) {
	case DNS_T_A: return 1u << 0;
	case DNS_T_NS: return 1u << 1;
	case DNS_T_CNAME: return 1u << 2;
	case DNS_T_SOA: return 1u << 3;
	case DNS_T_PTR: return 1u << 4;
	case DNS_T_MX: return 1u << 5;
	case DNS_T_TXT: return 1u << 6;
	case DNS_T_AAAA: return 1u << 7;
	}
	return 0;
}

/* node_free - htab value destructor */
static void node_free(void *p)
{
	node *n = p;
	if (n) {
		dns_answer_free(n->rrs);
		free(n);
	}
}

/* dns_zone_new - create an empty zone */
dns_zone *dns_zone_new(void)
{
	dns_zone *z = calloc(1, sizeof(*z));
	if (z && !(z->names = mw_htab_new(node_free))) {
		free(z);
		z = NULL;
	}
	return z;
}

/* dns_zone_free - destroy a zone */
void dns_zone_free(dns_zone *z)
{
	if (z) {
		mw_htab_free(z->names);
		free(z);
	}
}

/* dns_zone_names - count of names */
size_t dns_zone_names(const dns_zone *z)
{
	return mw_htab_count(z->names);
}

/* lower_name - lower-cased copy without trailing dot; false if too long */
static bool lower_name(const char *name, char *out)
{
	size_t n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	if (n > MW_DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = mw_tolower(name[i]);
	out[n] = '\0';
	return true;
}

/* get_node - find or create the node for a (lower-case) name and its ancestors */
static node *get_node(dns_zone *z, const char *lname, bool owner)
{
	size_t len = strlen(lname);
	node *n = mw_htab_get(z->names, lname, len);
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n || mw_htab_put(z->names, lname, len, n) != MW_OK) {
			free(n);
			return NULL;
		}
		const char *dot = strchr(lname, '.');
		if (dot && dot[1] && !get_node(z, dot + 1, false))
			return NULL;
	}
	if (owner)
		n->owner = true;
	return n;
}

/* dns_zone_add - add a record */
mw_status dns_zone_add(dns_zone *z, const char *name, const dns_rr *rr)
{
	char lname[MW_DNS_NAME_MAX + 1];
	if (!lower_name(name, lname))
		return MW_EINVAL;
	node *n = get_node(z, lname, true);
	if (!n)
		return MW_ENOMEM;
	if (!n->rrs && !(n->rrs = dns_answer_new(DNS_OK, 0)))
		return MW_ENOMEM;
	return dns_answer_add(n->rrs, rr);
}

/* dns_zone_add_txt - add a TXT record */
mw_status dns_zone_add_txt(dns_zone *z, const char *name, const char *txt, size_t len,
			   uint32_t ttl)
{
	dns_rr rr = {.type = DNS_T_TXT, .ttl = ttl, .txt = (char *)txt, .txt_len = len};
	return dns_zone_add(z, name, &rr);
}

/* dns_zone_add_ip - add an A or AAAA record */
mw_status dns_zone_add_ip(dns_zone *z, const char *name, const char *ip, uint32_t ttl)
{
	dns_rr rr = {.ttl = ttl};
	if (!mw_ip_parse(ip, &rr.ip))
		return MW_EPARSE;
	rr.type = rr.ip.family == 4 ? DNS_T_A : DNS_T_AAAA;
	return dns_zone_add(z, name, &rr);
}

/* dns_zone_add_name - add a record whose data is a name */
mw_status dns_zone_add_name(dns_zone *z, const char *name, dns_type type, uint16_t pref,
			    const char *target, uint32_t ttl)
{
	char lt[MW_DNS_NAME_MAX + 2];
	size_t n = strlen(target);
	if (n > MW_DNS_NAME_MAX + 1)
		return MW_EINVAL;
	memcpy(lt, target, n + 1);
	if (n > 1 && lt[n - 1] == '.')
		lt[n - 1] = '\0';
	dns_rr rr = {.type = type, .ttl = ttl, .pref = pref, .name = lt};
	return dns_zone_add(z, name, &rr);
}

/* dns_zone_set_fault - put a test fault on a name */
mw_status dns_zone_set_fault(dns_zone *z, const char *name, dns_fault fault)
{
	char lname[MW_DNS_NAME_MAX + 1];
	if (!lower_name(name, lname))
		return MW_EINVAL;
	node *n = get_node(z, lname, true);
	if (!n)
		return MW_ENOMEM;
	n->fault = fault;
	return MW_OK;
}

/* dns_zone_set_nodata - explicit empty RRset */
mw_status dns_zone_set_nodata(dns_zone *z, const char *name, dns_type type)
{
	char lname[MW_DNS_NAME_MAX + 1];
	if (!lower_name(name, lname))
		return MW_EINVAL;
	node *n = get_node(z, lname, true);
	if (!n)
		return MW_ENOMEM;
	n->nodata_mask |= type_bit(type);
	return MW_OK;
}

/* dns_zone_set_negttl - negative-answer TTL for the zone whose apex is name */
mw_status dns_zone_set_negttl(dns_zone *z, const char *name, uint32_t ttl)
{
	char lname[MW_DNS_NAME_MAX + 1];
	if (!lower_name(name, lname))
		return MW_EINVAL;
	node *n = get_node(z, lname, true);
	if (!n)
		return MW_ENOMEM;
	n->neg_ttl = ttl ? ttl : 1; /* 0 marks "not an apex"; 1 s is as good as 0 here */
	return MW_OK;
}

/* negative_ttl - TTL of the closest enclosing apex, or MW_DNS_NEGTTL_DEFAULT */
static uint32_t negative_ttl(const dns_zone *z, const char *lname)
{
	for (const char *p = lname; p; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		const node *n = mw_htab_get(z->names, p, strlen(p));
		if (n && n->neg_ttl)
			return n->neg_ttl;
	}
	return MW_DNS_NEGTTL_DEFAULT;
}

/* find_node - exact node or the closest wildcard "*.<ancestor>" for a missing name */
static const node *find_node(const dns_zone *z, const char *lname)
{
	const node *n = mw_htab_get(z->names, lname, strlen(lname));
	if (n)
		return n;
	char wild[MW_DNS_NAME_MAX + 3];
	for (const char *p = strchr(lname, '.'); p; p = strchr(p + 1, '.')) {
		/* the closest existing ancestor decides (RFC 4592 §2.2.1) */
		if (mw_htab_get(z->names, p + 1, strlen(p + 1))) {
			size_t k = (size_t)snprintf(wild, sizeof(wild), "*%s", p);
			return k < sizeof(wild) ? mw_htab_get(z->names, wild, k) : NULL;
		}
	}
	return NULL;
}

/* has_type - whether the node holds records of a type */
static bool has_type(const node *n, dns_type t)
{
	for (size_t i = 0; n->rrs && i < n->rrs->n; i++)
		if (n->rrs->rr[i].type == t)
			return true;
	return false;
}

/* add_matching - copy the node's records of a type into the answer */
static mw_status add_matching(const node *n, dns_type type, dns_answer *a)
{
	for (size_t i = 0; n->rrs && i < n->rrs->n; i++) {
		if (n->rrs->rr[i].type != type)
			continue;
		mw_status st = dns_answer_add(a, &n->rrs->rr[i]);
		if (st != MW_OK)
			return st;
	}
	return MW_OK;
}

/* dns_zone_query - answer (name, type) */
dns_answer *dns_zone_query(const dns_zone *z, const char *name, dns_type type)
{
	char lname[MW_DNS_NAME_MAX + 1];
	dns_answer *a = dns_answer_new(DNS_NXDOMAIN, MW_DNS_NEGTTL_DEFAULT);
	if (!a)
		return NULL;
	if (!lower_name(name, lname))
		return a; /* a name that long cannot exist */
	for (int hops = 0; hops <= MW_DNS_CNAME_MAX; hops++) {
		const node *n = find_node(z, lname);
		if (!n) {
			a->ttl = negative_ttl(z, lname);
			return a;
		}
		bool typed = has_type(n, type) || (n->nodata_mask & type_bit(type));
		if (n->fault && !typed) {
			a->status = DNS_TEMPFAIL;
			a->ttl = 0;
			dns_answer_set_reason(a, n->fault == DNS_FAULT_TIMEOUT ? "timeout"
									      : "SERVFAIL");
			return a;
		}
		if (has_type(n, type)) {
			if (add_matching(n, type, a) != MW_OK) {
				dns_answer_free(a);
				return NULL;
			}
			return a;
		}
		if (type != DNS_T_CNAME && has_type(n, DNS_T_CNAME)) {
			for (size_t i = 0; i < n->rrs->n; i++)
				if (n->rrs->rr[i].type == DNS_T_CNAME && !lower_name(n->rrs->rr[i].name, lname))
					return a;
			a->status = DNS_NXDOMAIN;
			continue; /* answer for the target name */
		}
		a->status = DNS_NODATA;
		a->ttl = negative_ttl(z, lname);
		return a;
	}
	a->status = DNS_TEMPFAIL; /* CNAME loop: a resolver reports SERVFAIL */
	a->ttl = 0;
	dns_answer_set_reason(a, "CNAME chain too long");
	return a;
}
