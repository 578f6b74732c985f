/*
 * report/generate.c - RFC 9990 aggregate report writer (see generate.h).
 */
#include "report/generate.h"

#include <libxml/xmlwriter.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/limits.h"

#define DR_NS "urn:ietf:params:xml:ns:dmarc-2.0"
#define DAY 86400

/* mw_drgen_period_parse - N[smhd] */
mw_status mw_drgen_period_parse(const char *s, int64_t *seconds, mw_err *err)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t mul = 1;
	if (end != s && end[0] && !end[1]) {
		mul = end[0] == 'd' ? DAY : end[0] == 'h' ? 3600 : end[0] == 'm' ? 60
		      : end[0] == 's' ? 1 : 0;
		end++;
	}
	if (end == s || *end || mul == 0 || v <= 0 || v > MW_DRGEN_PERIOD_MAX)
		return mw_err_set(err, MW_EINVAL, "period '%s': want N followed by d, h, m or s", s);
	int64_t p = (int64_t)v * mul;
	if (p < MW_DRGEN_PERIOD_MIN || p > MW_DRGEN_PERIOD_MAX)
		return mw_err_set(err, MW_EINVAL, "period '%s' outside 1h..7d", s);
	if ((p < DAY && DAY % p != 0) || (p >= DAY && p % DAY != 0))
		return mw_err_set(err, MW_EINVAL,
				  "period '%s' neither divides a day nor is whole days", s);
	*seconds = p;
	return MW_OK;
}

/* mw_drgen_period_start - floor to a multiple of the period */
int64_t mw_drgen_period_start(int64_t t, int64_t period)
{
	int64_t q = t / period;
	if (t < 0 && t % period)
		q--;
	return q * period;
}

/* mw_drgen_report_id - "<begin>.<hex16>" */
const char *mw_drgen_report_id(const char *org, const char *domain, int64_t begin, int64_t end,
			       mw_pool *pool)
{
	char in[1024];
	int k = snprintf(in, sizeof(in), "%s|%s|%lld|%lld", org ? org : "", domain,
			 (long long)begin, (long long)end);
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	if (k < 0 || EVP_Digest(in, (size_t)k < sizeof(in) ? (size_t)k : sizeof(in) - 1, h, &hl,
				EVP_sha256(), NULL) != 1)
		return NULL;
	return mw_pool_printf(pool, "%lld.%02x%02x%02x%02x%02x%02x%02x%02x", (long long)begin, h[0],
			      h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
}

/* copy_auth - store auth results into the report's type */
static mw_dr_auth *copy_auth(const mw_dmarclog_auth *a, size_t n, mw_pool *pool)
{
	mw_dr_auth *out = n ? mw_pool_alloc(pool, n * sizeof(*out)) : NULL;
	for (size_t i = 0; out && i < n; i++)
		out[i] = (mw_dr_auth){a[i].domain, a[i].selector, a[i].scope, a[i].result,
				      a[i].human_result};
	return out;
}

/* copy_record - one rolled-up row into a record */
static bool copy_record(const mw_dmarclog_row *w, mw_dr_record *r, mw_pool *pool)
{
	*r = (mw_dr_record){.source_ip = w->source_ip,
			    .count = w->count,
			    .disposition = w->disposition,
			    .dkim = w->dkim,
			    .spf = w->spf,
			    .envelope_to = w->envelope_to,
			    .envelope_from = w->envelope_from,
			    .header_from = w->header_from,
			    .n_reasons = w->nreasons,
			    .n_dkim = w->ndkim,
			    .n_spf = w->nspf};
	if (w->nreasons && !(r->reasons = mw_pool_alloc(pool, w->nreasons * sizeof(*r->reasons))))
		return false;
	for (size_t i = 0; i < w->nreasons; i++)
		r->reasons[i] = (mw_dr_reason){w->reasons[i].type, w->reasons[i].comment};
	r->dkim_res = copy_auth(w->dkim_res, w->ndkim, pool);
	r->spf_res = copy_auth(w->spf_res, w->nspf, pool);
	return (!w->ndkim || r->dkim_res) && (!w->nspf || r->spf_res);
}

/* mw_drgen_build - fill the report */
mw_status mw_drgen_build(const mw_drgen_meta *meta, const char *domain, int64_t begin,
			 int64_t end, const mw_dmarclog_row *rows, size_t n,
			 const mw_dmarclog_policy *policy, mw_pool *pool, mw_dr_report *out,
			 mw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!meta->org_name || !*meta->org_name || !meta->email || !*meta->email)
		return mw_err_set(err, MW_EINVAL, "a report needs org_name and email");
	if (n == 0 || end <= begin)
		return mw_err_set(err, MW_EINVAL, "%s: nothing to report", domain);
	if (n > MW_DR_RECORDS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "%s: %zu records, over %u", domain, n,
				  (unsigned)MW_DR_RECORDS_MAX);
	*out = (mw_dr_report){.version = "1.0",
			      .org_name = meta->org_name,
			      .email = meta->email,
			      .extra_contact_info = meta->extra_contact_info,
			      .report_id = mw_drgen_report_id(meta->org_name, domain, begin, end,
							      pool),
			      .begin = begin,
			      .end = end - 1,
			      .generator = meta->generator,
			      .domain = domain,
			      .adkim = policy->adkim,
			      .aspf = policy->aspf,
			      .p = policy->p ? policy->p : "none",
			      .sp = policy->sp,
			      .np = policy->np,
			      .fo = policy->fo,
			      .testing = policy->testing,
			      .discovery_method = "treewalk",
			      .pct = -1};
	out->records = mw_pool_alloc(pool, n * sizeof(*out->records));
	if (!out->report_id || !out->records)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!copy_record(&rows[i], &out->records[i], pool))
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		out->messages += rows[i].count;
	}
	out->n_records = n;
	return MW_OK;
}

/* ---- XML ---------------------------------------------------------------- */

/* utf8_len - length of the valid UTF-8 sequence at p (RFC 3629: no
 * overlongs, no surrogates, <= U+10FFFF), 0 if invalid */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		     : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
		return 0;
	return len;
}

/* xml_text - s with what XML 1.0 cannot carry (invalid UTF-8, C0 controls
 * other than TAB/LF/CR, U+FFFE/U+FFFF) replaced by '?': values such as a
 * DKIM selector or an SPF explanation come from senders, and one bad byte
 * would make a strict reader refuse the whole report.  malloc'd. */
static char *xml_text(const char *s)
{
	size_t n = strlen(s);
	unsigned char *o = malloc(n + 1), *q = o;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; o && i < n;) {
		size_t k = utf8_len(p + i, n - i);
		bool bad = k == 0 || (k == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
				      p[i] != '\r') ||
			   (k == 3 && p[i] == 0xef && p[i + 1] == 0xbf && p[i + 2] >= 0xbe);
		if (bad) {
			*q++ = '?';
			i += k ? k : 1;
		} else {
			memcpy(q, p + i, k);
			q += k;
			i += k;
		}
	}
	if (o)
		*q = '\0';
	return (char *)o;
}

/* el - <name>text</name> when text is set; false on a writer error */
static bool el(xmlTextWriterPtr w, const char *name, const char *text)
{
	if (!text)
		return true;
	char *t = xml_text(text);
	bool ok = t && xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST t) >= 0;
	free(t);
	return ok;
}

/* el_always - <name>text</name>, empty element when text is NULL */
static bool el_always(xmlTextWriterPtr w, const char *name, const char *text)
{
	return el(w, name, text ? text : "");
}

static bool start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, BAD_CAST name) >= 0;
}

static bool end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w) >= 0;
}

/* write_metadata - <report_metadata> */
static bool write_metadata(xmlTextWriterPtr w, const mw_dr_report *r)
{
	char b[24], e[24];
	snprintf(b, sizeof(b), "%lld", (long long)r->begin);
	snprintf(e, sizeof(e), "%lld", (long long)r->end);
	bool ok = start(w, "report_metadata") && el(w, "org_name", r->org_name) &&
		  el(w, "email", r->email) && el(w, "extra_contact_info", r->extra_contact_info) &&
		  el(w, "report_id", r->report_id) && start(w, "date_range") &&
		  el(w, "begin", b) && el(w, "end", e) && end(w) &&
		  el(w, "generator", r->generator);
	for (size_t i = 0; ok && i < r->n_errors; i++)
		ok = el(w, "error", r->errors[i]);
	return ok && end(w);
}

/* write_policy - <policy_published> */
static bool write_policy(xmlTextWriterPtr w, const mw_dr_report *r)
{
	return start(w, "policy_published") && el(w, "domain", r->domain) &&
	       el(w, "discovery_method", r->discovery_method) && el(w, "adkim", r->adkim) &&
	       el(w, "aspf", r->aspf) && el(w, "p", r->p) && el(w, "sp", r->sp) &&
	       el(w, "np", r->np) && el(w, "fo", r->fo) && el(w, "testing", r->testing) && end(w);
}

/* write_auth - <dkim> or <spf> results */
static bool write_auth(xmlTextWriterPtr w, const mw_dr_auth *a, size_t n, bool dkim)
{
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		ok = start(w, dkim ? "dkim" : "spf") && el_always(w, "domain", a[i].domain) &&
		     (dkim ? el(w, "selector", a[i].selector) : el(w, "scope", a[i].scope)) &&
		     el_always(w, "result", a[i].result) &&
		     el(w, "human_result", a[i].human_result) && end(w);
	return ok;
}

/* write_record - one <record> */
static bool write_record(xmlTextWriterPtr w, const mw_dr_record *c)
{
	char cnt[24];
	snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)c->count);
	bool ok = start(w, "record") && start(w, "row") && el_always(w, "source_ip", c->source_ip) &&
		  el(w, "count", cnt) && start(w, "policy_evaluated") &&
		  el_always(w, "disposition", c->disposition) && el_always(w, "dkim", c->dkim) &&
		  el_always(w, "spf", c->spf);
	for (size_t i = 0; ok && i < c->n_reasons; i++)
		ok = start(w, "reason") && el_always(w, "type", c->reasons[i].type) &&
		     el(w, "comment", c->reasons[i].comment) && end(w);
	ok = ok && end(w) && end(w) && start(w, "identifiers") &&
	     el(w, "envelope_to", c->envelope_to) && el_always(w, "envelope_from", c->envelope_from) &&
	     el_always(w, "header_from", c->header_from) && end(w) && start(w, "auth_results") &&
	     write_auth(w, c->dkim_res, c->n_dkim, true) &&
	     write_auth(w, c->spf_res, c->n_spf, false) && end(w) && end(w);
	return ok;
}

/* mw_drgen_xml - the whole document */
mw_status mw_drgen_xml(const mw_dr_report *r, mw_buf *out, mw_err *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!w) {
		xmlBufferFree(buf);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	bool ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
		  xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feedback", BAD_CAST DR_NS) >= 0 &&
		  el(w, "version", r->version ? r->version : "1.0") && write_metadata(w, r) &&
		  write_policy(w, r);
	for (size_t i = 0; ok && i < r->n_records; i++) {
		ok = write_record(w, &r->records[i]);
		if (ok && (size_t)xmlBufferLength(buf) > MW_DRGEN_XML_MAX) {
			xmlFreeTextWriter(w);
			xmlBufferFree(buf);
			return mw_err_set(err, MW_ETOOBIG, "report for %s over %u bytes of XML",
					  r->domain, (unsigned)MW_DRGEN_XML_MAX);
		}
	}
	ok = ok && xmlTextWriterEndDocument(w) >= 0;
	xmlFreeTextWriter(w); /* flushes into buf */
	mw_status st = ok ? mw_buf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf))
			  : mw_err_set(err, MW_EPARSE, "XML writer failed (a value not UTF-8?)");
	xmlBufferFree(buf);
	if (st == MW_ETOOBIG || st == MW_ENOMEM)
		mw_err_set(err, st, "report XML does not fit the output buffer");
	return st;
}

/* mw_drgen_gzip - RFC 1952 member through deflate with windowBits 31 */
mw_status mw_drgen_gzip(const char *data, size_t len, mw_buf *out, mw_err *err)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return mw_err_set(err, MW_ENOMEM, "zlib: deflateInit2 failed");
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	unsigned char chunk[16384];
	int rc;
	mw_status st = MW_OK;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			break;
		st = mw_buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (st == MW_OK && rc != Z_STREAM_END);
	deflateEnd(&z);
	if (st != MW_OK)
		return mw_err_set(err, st, "gzip output does not fit");
	return rc == Z_STREAM_END ? MW_OK : mw_err_set(err, MW_EIO, "zlib: deflate failed");
}

/* safe_part - non-empty, no '!' or '/' */
static bool safe_part(const char *s)
{
	return s && *s && !strpbrk(s, "!/") && strcmp(s, "..") != 0;
}

/* mw_drgen_filename - RFC 9990 §3 / RFC 7489 §7.2.1.1 name */
const char *mw_drgen_filename(const char *receiver, const mw_dr_report *r, mw_pool *pool)
{
	if (!safe_part(receiver) || !safe_part(r->domain))
		return NULL;
	return mw_pool_printf(pool, "%s!%s!%lld!%lld.xml.gz", receiver, r->domain,
			      (long long)r->begin, (long long)r->end);
}
