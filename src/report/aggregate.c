/*
 * report/aggregate.c - DMARC aggregate report XML into mw_dr_report (libxml2).
 * See aggregate.h for the schema versions, leniency and security settings.
 */
#include "report/aggregate.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "report/reportmail.h"
#include "report/unpack.h"

typedef struct ctx {
	mw_pool *pool;
	mw_err *err;
	mw_status st; /* first error met while building */
} ctx;

/* is - element with local name n */
static bool is(const xmlNode *x, const char *n)
{
	return x && x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, n) == 0;
}

/* child - first child element named n */
static xmlNode *child(const xmlNode *x, const char *n)
{
	for (xmlNode *c = x ? x->children : NULL; c; c = c->next)
		if (is(c, n))
			return c;
	return NULL;
}

/* count_children - number of child elements named n */
static size_t count_children(const xmlNode *x, const char *n)
{
	size_t k = 0;
	for (xmlNode *c = x ? x->children : NULL; c; c = c->next)
		k += is(c, n);
	return k;
}

/* text - trimmed text of x from its text/CDATA children (never entities); NULL if empty */
static const char *text(ctx *c, const xmlNode *x, bool lower)
{
	if (!x)
		return NULL;
	char buf[MW_DR_FIELD_MAX + 1];
	size_t n = 0;
	for (xmlNode *t = x->children; t; t = t->next) {
		if ((t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE) || !t->content)
			continue;
		for (const xmlChar *p = t->content; *p && n < MW_DR_FIELD_MAX; p++)
			buf[n++] = (char)(lower ? tolower(*p) : *p);
	}
	size_t a = 0;
	while (a < n && isspace((unsigned char)buf[a]))
		a++;
	while (n > a && isspace((unsigned char)buf[n - 1]))
		n--;
	if (n == a)
		return NULL;
	char *s = mw_pool_strndup(c->pool, buf + a, n - a);
	if (!s && c->st == MW_OK)
		c->st = mw_err_set(c->err, MW_ETOOBIG, "report over its memory budget (%u bytes)",
				   MW_DR_POOL_MAX);
	return s;
}

/* get - text of the child named n */
static const char *get(ctx *c, const xmlNode *x, const char *n, bool lower)
{
	return text(c, child(x, n), lower);
}

/* num - unsigned decimal child value; dflt when absent or not a number */
static int64_t num(ctx *c, const xmlNode *x, const char *n, int64_t dflt)
{
	const char *s = get(c, x, n, false);
	if (!s)
		return dflt;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return dflt;
	return v;
}

/* alloc - zeroed array from the pool, error recorded on failure */
static void *alloc(ctx *c, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *p = mw_pool_alloc(c->pool, n * size);
	if (!p && c->st == MW_OK)
		c->st = mw_err_set(c->err, MW_ETOOBIG, "report over its memory budget (%u bytes)",
				   MW_DR_POOL_MAX);
	return p;
}

/* read_auth - the dkim (want="dkim") or spf results of <auth_results> */
static mw_dr_auth *read_auth(ctx *c, const xmlNode *ar, const char *want, size_t *n)
{
	size_t k = count_children(ar, want);
	if (k > MW_DR_AUTH_MAX)
		k = MW_DR_AUTH_MAX;
	mw_dr_auth *a = alloc(c, k, sizeof(*a));
	*n = 0;
	for (xmlNode *x = ar ? ar->children : NULL; x && a && *n < k; x = x->next) {
		if (!is(x, want))
			continue;
		mw_dr_auth *o = &a[(*n)++];
		o->domain = get(c, x, "domain", true);
		o->selector = get(c, x, "selector", false);
		o->scope = get(c, x, "scope", true);
		o->result = get(c, x, "result", true);
		o->human_result = get(c, x, "human_result", false);
	}
	return a;
}

/* read_reasons - <reason> elements of <policy_evaluated> */
static void read_reasons(ctx *c, const xmlNode *pe, mw_dr_record *r)
{
	size_t k = count_children(pe, "reason");
	if (k > MW_DR_AUTH_MAX)
		k = MW_DR_AUTH_MAX;
	r->reasons = alloc(c, k, sizeof(*r->reasons));
	for (xmlNode *x = pe ? pe->children : NULL; x && r->reasons && r->n_reasons < k;
	     x = x->next) {
		if (!is(x, "reason"))
			continue;
		mw_dr_reason *o = &r->reasons[r->n_reasons++];
		o->type = get(c, x, "type", true);
		o->comment = get(c, x, "comment", false);
	}
}

/* read_record - one <record> */
static void read_record(ctx *c, const xmlNode *rec, mw_dr_record *r)
{
	const xmlNode *row = child(rec, "row");
	const xmlNode *pe = child(row, "policy_evaluated");
	r->source_ip = get(c, row, "source_ip", true);
	r->count = (uint64_t)num(c, row, "count", 0);
	r->disposition = get(c, pe, "disposition", true);
	r->dkim = get(c, pe, "dkim", true);
	r->spf = get(c, pe, "spf", true);
	read_reasons(c, pe, r);
	const xmlNode *id = child(rec, "identifiers");
	r->envelope_to = get(c, id, "envelope_to", true);
	r->envelope_from = get(c, id, "envelope_from", true);
	r->header_from = get(c, id, "header_from", true);
	const xmlNode *ar = child(rec, "auth_results");
	r->dkim_res = read_auth(c, ar, "dkim", &r->n_dkim);
	r->spf_res = read_auth(c, ar, "spf", &r->n_spf);
}

/* read_meta - <report_metadata> */
static void read_meta(ctx *c, const xmlNode *m, mw_dr_report *r)
{
	r->org_name = get(c, m, "org_name", false);
	r->email = get(c, m, "email", false);
	r->extra_contact_info = get(c, m, "extra_contact_info", false);
	r->report_id = get(c, m, "report_id", false);
	r->generator = get(c, m, "generator", false);
	const xmlNode *dr = child(m, "date_range");
	r->begin = num(c, dr, "begin", 0);
	r->end = num(c, dr, "end", 0);
	size_t k = count_children(m, "error");
	if (k > MW_DR_AUTH_MAX)
		k = MW_DR_AUTH_MAX;
	r->errors = alloc(c, k, sizeof(*r->errors));
	for (xmlNode *x = m ? m->children : NULL; x && r->errors && r->n_errors < k; x = x->next)
		if (is(x, "error"))
			r->errors[r->n_errors++] = text(c, x, false);
}

/* read_policy - <policy_published> */
static void read_policy(ctx *c, const xmlNode *p, mw_dr_report *r)
{
	r->domain = get(c, p, "domain", true);
	r->adkim = get(c, p, "adkim", true);
	r->aspf = get(c, p, "aspf", true);
	r->p = get(c, p, "p", true);
	r->sp = get(c, p, "sp", true);
	r->np = get(c, p, "np", true);
	r->fo = get(c, p, "fo", true);
	r->testing = get(c, p, "testing", true);
	r->discovery_method = get(c, p, "discovery_method", true);
	r->pct = (int)num(c, p, "pct", -1);
}

/* build - the whole <feedback> tree */
static mw_status build(ctx *c, const xmlNode *root, mw_dr_report *r)
{
	if (!is(root, "feedback"))
		return mw_err_set(c->err, MW_EPARSE, "not a DMARC aggregate report (root <%s>)",
				  root ? (const char *)root->name : "none");
	const xmlNode *meta = child(root, "report_metadata");
	const xmlNode *pol = child(root, "policy_published");
	if (!meta && !pol)
		return mw_err_set(c->err, MW_EPARSE,
				  "<feedback> without report_metadata or policy_published");
	r->version = get(c, root, "version", false);
	read_meta(c, meta, r);
	read_policy(c, pol, r);
	size_t k = count_children(root, "record");
	if (k > MW_DR_RECORDS_MAX)
		return mw_err_set(c->err, MW_ETOOBIG, "report with %zu records (limit %d)", k,
				  MW_DR_RECORDS_MAX);
	r->records = alloc(c, k, sizeof(*r->records));
	for (xmlNode *x = root->children; x && r->records && r->n_records < k; x = x->next) {
		if (!is(x, "record"))
			continue;
		mw_dr_record *rec = &r->records[r->n_records++];
		read_record(c, x, rec);
		r->messages += rec->count;
	}
	return c->st;
}

/* has_entities - the DOCTYPE declares entities or names an external DTD */
static bool has_entities(const xmlDoc *doc)
{
	const xmlDtd *d = doc->intSubset;
	return (d && (d->entities || d->pentities || d->ExternalID || d->SystemID)) ||
	       doc->extSubset;
}

/* read_doc - libxml2 with the safe options; NULL with err set on failure */
static xmlDoc *read_doc(const char *xml, size_t len, mw_err *err)
{
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	if (!pc) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	int opts = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOCDATA;
	xmlDoc *doc = xmlCtxtReadMemory(pc, xml, (int)len, "report.xml", NULL, opts);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		mw_err_set(err, MW_EPARSE, "not XML: %s",
			   e && e->message ? e->message : "empty document");
		size_t l = err ? strlen(err->msg) : 0;
		if (l && err->msg[l - 1] == '\n')
			err->msg[l - 1] = '\0';
	} else if (has_entities(doc)) {
		mw_err_set(err, MW_EPARSE, "XML with a DTD or entity declarations refused "
					   "(reports have none; entity expansion is off)");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(pc);
	return doc;
}

/* mw_dr_parse_xml - see header */
mw_status mw_dr_parse_xml(const char *xml, size_t len, mw_dr_report **out, mw_err *err)
{
	*out = NULL;
	if (len > MW_DR_XML_MAX)
		return mw_err_set(err, MW_ETOOBIG, "report XML over %u bytes", MW_DR_XML_MAX);
	if (len == 0)
		return mw_err_set(err, MW_EPARSE, "empty report");
	xmlDoc *doc = read_doc(xml, len, err);
	if (!doc)
		return err ? err->code : MW_EPARSE;
	mw_pool *pool = mw_pool_new(MW_DR_POOL_MAX);
	mw_dr_report *r = pool ? mw_pool_alloc(pool, sizeof(*r)) : NULL;
	if (!r) {
		mw_pool_free(pool);
		xmlFreeDoc(doc);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	r->pool = pool;
	ctx c = {.pool = pool, .err = err, .st = MW_OK};
	mw_status st = build(&c, xmlDocGetRootElement(doc), r);
	xmlFreeDoc(doc);
	if (st != MW_OK) {
		mw_pool_free(pool);
		return st;
	}
	*out = r;
	return MW_OK;
}

/* starts_xml - after a BOM and white space, the data begins with '<' */
static bool starts_xml(const char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && isspace((unsigned char)d[i]))
		i++;
	return i < n && d[i] == '<';
}

/* mw_dr_parse - see header */
mw_status mw_dr_parse(const char *data, size_t len, mw_dr_report **out, mw_err *err)
{
	*out = NULL;
	if (len > MW_DR_INPUT_MAX)
		return mw_err_set(err, MW_ETOOBIG, "report input over %u bytes", MW_DR_INPUT_MAX);
	if (starts_xml(data, len) || len == 0)
		return mw_dr_parse_xml(data, len, out, err);
	mw_buf att = {0}, xml = {0};
	mw_status st = MW_OK;
	if (mw_pack_detect(data, len) == MW_PACK_NONE) {
		st = mw_dr_mail_attachment(data, len, &att, err);
		data = att.data;
		len = att.len;
	}
	if (st == MW_OK)
		st = mw_unpack(data, len, &xml, err);
	if (st == MW_OK)
		st = mw_dr_parse_xml(xml.data, xml.len, out, err);
	mw_buf_free(&att);
	mw_buf_free(&xml);
	return st;
}

/* mw_dr_free - see header */
void mw_dr_free(mw_dr_report *r)
{
	if (r)
		mw_pool_free(r->pool);
}
