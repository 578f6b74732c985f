/*
 * report/failure.c - DMARC failure reports (ARF, RFC 5965 / RFC 6591) and
 * Exim's plain-text variant, through GMime 3.  See failure.h.
 */
#include "report/failure.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"
#include "mail/date.h"

#define ARF_POOL_MAX (MW_DR_INPUT_MAX * 2u) /* everything kept is a copy of the input, at most twice */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

/* ---- field blocks (RFC 5322 §2.2 syntax, as ARF uses it) -------------- */

typedef enum fkind { F_STR, F_LOWER, F_LIST, F_IP, F_MTA, F_DATE, F_INCIDENTS } fkind;

typedef struct fdef {
	const char *name;
	fkind kind;
	size_t off; /* of a const char * or an mw_arf_list in mw_arf_report */
} fdef;

#define S(m) offsetof(mw_arf_report, m)
static const fdef fields[] = {
	{"Feedback-Type", F_LOWER, S(feedback_type)},
	{"User-Agent", F_STR, S(user_agent)},
	{"Version", F_STR, S(version)},
	{"Original-Envelope-Id", F_STR, S(original_envelope_id)},
	{"Original-Mail-From", F_STR, S(original_mail_from)},
	{"Original-Rcpt-To", F_LIST, S(original_rcpt_to)},
	{"Arrival-Date", F_DATE, S(arrival_date)},
	{"Received-Date", F_DATE, S(arrival_date)}, /* RFC 5965 §3.3: obsolete name */
	{"Reporting-MTA", F_MTA, S(reporting_mta)},
	{"Source-IP", F_IP, S(source_ip)},
	{"Incidents", F_INCIDENTS, 0},
	{"Authentication-Results", F_LIST, S(authentication_results)},
	{"Reported-Domain", F_LIST, S(reported_domain)},
	{"Reported-URI", F_LIST, S(reported_uri)},
	{"Auth-Failure", F_LOWER, S(auth_failure)},
	{"Delivery-Result", F_LOWER, S(delivery_result)},
	{"Identity-Alignment", F_LOWER, S(identity_alignment)},
	{"DKIM-Domain", F_STR, S(dkim_domain)},
	{"DKIM-Identity", F_STR, S(dkim_identity)},
	{"DKIM-Selector", F_STR, S(dkim_selector)},
	{"DKIM-Canonicalized-Header", F_STR, S(dkim_canonicalized_header)},
	{"DKIM-Canonicalized-Body", F_STR, S(dkim_canonicalized_body)},
	{"DKIM-Selector-DNS", F_STR, S(dkim_selector_dns)},
	{"DKIM-ADSP-DNS", F_STR, S(dkim_adsp_dns)},
	{"SPF-DNS", F_STR, S(spf_dns)},
};
#undef S

/* line_end - end of the line at p (before CR LF / LF) and the next line's start */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

/* field_next - next field of a header block: 1 field, 0 end (blank line or
 * end of data; *p then after it), -1 a line that is no field.  The value
 * keeps folding as "\n" + continuation line, is trimmed, and is cut at max
 * bytes (*cut set). */
static int field_next(const char **p, const char *end, const char **name, size_t *nlen,
		      mw_buf *val, size_t max, bool *cut)
{
	const char *next, *e = line_end(*p, end, &next);
	if (*p >= end || e == *p) {
		*p = next;
		return 0;
	}
	const char *colon = memchr(*p, ':', (size_t)(e - *p));
	if (!colon || colon == *p || **p == ' ' || **p == '\t')
		return -1;
	for (const char *c = *p; c < colon; c++)
		if ((unsigned char)*c <= 32 || (unsigned char)*c >= 127)
			return -1;
	*name = *p;
	*nlen = (size_t)(colon - *p);
	mw_buf_reset(val);
	const char *v = colon + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	size_t room = max;
	for (;;) {
		size_t n = (size_t)(e - v) < room ? (size_t)(e - v) : room;
		*cut |= n < (size_t)(e - v);
		mw_buf_append(val, v, n);
		room -= n;
		*p = next;
		if (next >= end || (*next != ' ' && *next != '\t'))
			break;
		v = next;
		e = line_end(v, end, &next);
		if (room) {
			mw_buf_putc(val, '\n');
			room--;
		}
	}
	while (val->len && (val->data[val->len - 1] == ' ' || val->data[val->len - 1] == '\t' ||
			    val->data[val->len - 1] == '\n'))
		val->len--;
	return 1;
}

/* list_add - append a value to a repeated field */
static void list_add(mw_arf_report *r, mw_arf_list *l, const char *v)
{
	if (l->n >= MW_ARF_LIST_MAX) {
		r->n_dropped++;
		return;
	}
	const char **nv = mw_pool_alloc(r->pool, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	if (l->n)
		memcpy(nv, l->v, l->n * sizeof(*nv));
	nv[l->n++] = v;
	l->v = nv;
}

/* strip_comment - "1.2.3.4 (name)" -> "1.2.3.4"; also "[1.2.3.4]" */
static char *strip_comment(char *s)
{
	if (*s == '[') {
		s++;
		char *rb = strchr(s, ']');
		if (rb)
			*rb = '\0';
	}
	s[strcspn(s, " \t\n(")] = '\0';
	return s;
}

/* set_field - store one known field (first one wins for single fields) */
static void set_field(mw_arf_report *r, const fdef *f, char *v)
{
	if (f->kind == F_LIST) {
		list_add(r, (mw_arf_list *)((char *)r + f->off), v);
		return;
	}
	if (f->kind == F_INCIDENTS) {
		char *e;
		unsigned long n = strtoul(v, &e, 10);
		if (e != v && n > 0 && n <= UINT32_MAX)
			r->incidents = (uint32_t)n;
		return;
	}
	const char **slot = (const char **)((char *)r + f->off);
	if (*slot)
		return;
	if (f->kind == F_LOWER)
		mw_strlower(v);
	if (f->kind == F_IP)
		v = strip_comment(v);
	if (f->kind == F_MTA) {
		char *semi = strchr(v, ';');
		if (semi)
			for (v = semi + 1; *v == ' ' || *v == '\t'; v++)
				;
	}
	if (f->kind == F_DATE) {
		mw_date d;
		r->arrival = mw_date_parse(v, strlen(v), &d) ? d.t : -1;
	}
	*slot = v;
}

/* mw_arf_parse_fields - see header */
mw_status mw_arf_parse_fields(mw_arf_report *r, const char *body, size_t len, mw_err *err)
{
	if (len > MW_ARF_PART_MAX)
		return mw_err_set(err, MW_ETOOBIG, "feedback report part over %u bytes", MW_ARF_PART_MAX);
	const char *p = body, *end = body + len;
	while (p < end && (*p == '\n' || *p == '\r')) /* blank lines before the first field */
		p++;
	mw_buf val;
	mw_buf_init(&val, MW_ARF_VALUE_MAX + 1);
	mw_status st = MW_OK;
	unsigned count = 0, line = 1;
	const char *name;
	size_t nlen;
	bool cut = false;
	int k;
	while ((k = field_next(&p, end, &name, &nlen, &val, MW_ARF_VALUE_MAX, &cut)) == 1) {
		if (++count > MW_ARF_FIELDS_MAX) {
			st = mw_err_set(err, MW_ETOOBIG, "feedback report with over %d fields",
					MW_ARF_FIELDS_MAX);
			break;
		}
		line++;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (mw_strcaseeq_n(name, nlen, fields[i].name)) {
				char *v = mw_pool_strndup(r->pool, val.data ? val.data : "", val.len);
				if (!v) {
					st = mw_err_set(err, MW_ENOMEM, "out of memory");
					break;
				}
				set_field(r, &fields[i], v);
				break;
			}
		if (st != MW_OK)
			break;
	}
	mw_buf_free(&val);
	if (st != MW_OK)
		return st;
	if (cut)
		return mw_err_set(err, MW_ETOOBIG, "feedback report field over %u bytes",
				  MW_ARF_VALUE_MAX);
	if (k < 0)
		return mw_err_set(err, MW_EPARSE, "feedback report field %u: not a \"Name: value\" line",
				  line);
	if (!r->feedback_type)
		return mw_err_set(err, MW_EPARSE, "feedback report without Feedback-Type");
	return MW_OK;
}

/* ---- MIME -------------------------------------------------------------- */

typedef struct parts {
	GMimeObject *feedback;   /* message/feedback-report (GMimePart or GMimeMessagePart) */
	GMimeObject *original;   /* message/rfc822 or text/rfc822-headers */
	GMimePart *text[4];      /* text/plain parts, for the fallback */
	int ntext;
} parts;

/* is_type - content type of o is type/sub */
static bool is_type(GMimeObject *o, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	return ct && g_mime_content_type_is_type(ct, type, sub);
}

/* walk - collect the parts of interest, depth-first */
static void walk(GMimeObject *o, int depth, parts *ps)
{
	if (!o || depth > MW_ARF_DEPTH_MAX)
		return;
	if (is_type(o, "message", "feedback-report")) {
		if (!ps->feedback)
			ps->feedback = o;
	} else if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), depth + 1, ps);
	} else if (GMIME_IS_MESSAGE_PART(o) || is_type(o, "text", "rfc822-headers")) {
		if (!ps->original)
			ps->original = o;
	} else if (GMIME_IS_PART(o) && is_type(o, "text", "plain") && ps->ntext < 4) {
		ps->text[ps->ntext++] = GMIME_PART(o);
	}
}

/* content - transfer-decoded bytes of a leaf part, or the serialised
 * message of a message part, cut at max (*cut set); pool copy, NULL if none */
static char *content(mw_pool *pool, GMimeObject *o, size_t max, size_t *len, bool *cut)
{
	GByteArray *ba = NULL;
	GMimeStream *mem = NULL;
	char *s = NULL, *out = NULL;
	const char *d = NULL;
	size_t n = 0;
	if (GMIME_IS_PART(o)) {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));
		if (!dw)
			return NULL;
		mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(dw, mem);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		d = ba ? (const char *)ba->data : NULL;
		n = ba ? ba->len : 0;
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		s = m ? g_mime_object_to_string(GMIME_OBJECT(m), NULL) : NULL;
		d = s;
		n = s ? strlen(s) : 0;
	}
	if (d) {
		if (n > max) {
			n = max;
			if (cut)
				*cut = true;
		}
		out = mw_pool_strndup(pool, d, n);
		*len = n;
	}
	g_free(s);
	if (mem)
		g_object_unref(mem);
	return out;
}

/* header_text - decoded value of a header of m, pool copy; NULL if absent */
static const char *header_text(mw_pool *pool, GMimeObject *m, const char *name)
{
	const char *raw = g_mime_object_get_header(m, name);
	if (!raw)
		return NULL;
	while (*raw == ' ' || *raw == '\t')
		raw++;
	char *dec = g_mime_utils_header_decode_text(NULL, raw);
	char *out = mw_pool_strdup(pool, dec ? dec : raw);
	g_free(dec);
	return out;
}

/* parse_message - GMime message of a buffer (NULL if not one) */
static GMimeMessage *parse_message(const char *d, size_t n)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(d, n);
	GMimeParser *ps = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(ps, NULL);
	g_object_unref(ps);
	g_object_unref(st);
	return m;
}

/* original_ids - Subject, From, Message-ID of the returned headers or message */
static void original_ids(mw_arf_report *r, const char *text, size_t n)
{
	GMimeMessage *m = parse_message(text, n);
	if (!m)
		return;
	r->subject = header_text(r->pool, GMIME_OBJECT(m), "Subject");
	r->from = header_text(r->pool, GMIME_OBJECT(m), "From");
	r->message_id = header_text(r->pool, GMIME_OBJECT(m), "Message-ID");
	g_object_unref(m);
}

/* take_original - keep the returned headers or message and read its ids */
static void take_original(mw_arf_report *r, GMimeObject *o)
{
	size_t n = 0;
	char *t = content(r->pool, o, MW_ARF_ORIGINAL_MAX, &n, &r->truncated);
	if (!t)
		return;
	if (GMIME_IS_MESSAGE_PART(o))
		r->message = t;
	else
		r->headers = t;
	original_ids(r, t, n);
}

/* ---- Exim's plain-text report ------------------------------------------ */

/* text_value - value after "key:" on a line of the text part (trimmed), or NULL */
static char *text_value(mw_pool *pool, const char *line, const char *eol, const char *key)
{
	while (line < eol && (*line == ' ' || *line == '\t'))
		line++;
	size_t k = strlen(key);
	if ((size_t)(eol - line) <= k || strncasecmp(line, key, k) != 0)
		return NULL;
	line += k;
	while (line < eol && (*line == ' ' || *line == '\t'))
		line++;
	while (eol > line && (eol[-1] == ' ' || eol[-1] == '\t'))
		eol--;
	return mw_pool_strndup(pool, line, (size_t)(eol - line));
}

/* yes - "yes" / "pass" / "true" */
static bool yes(const char *v)
{
	return v && (mw_strcaseeq(v, "yes") || mw_strcaseeq(v, "pass") || mw_strcaseeq(v, "true"));
}

/* exim_headers - the copied headers after the marker line: kept, and their
 * Authentication-Results fields read */
static void exim_headers(mw_arf_report *r, const char *p, const char *end)
{
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	size_t n = (size_t)(end - p);
	if (n > MW_ARF_ORIGINAL_MAX) {
		n = MW_ARF_ORIGINAL_MAX;
		r->truncated = true;
	}
	r->headers = mw_pool_strndup(r->pool, p, n);
	if (!r->headers)
		return;
	original_ids(r, r->headers, n);
	const char *q = r->headers, *qe = r->headers + n, *name;
	size_t nlen;
	bool cut = false;
	mw_buf val;
	mw_buf_init(&val, MW_ARF_VALUE_MAX + 1);
	while (field_next(&q, qe, &name, &nlen, &val, MW_ARF_VALUE_MAX, &cut) == 1)
		if (mw_strcaseeq_n(name, nlen, "Authentication-Results"))
			list_add(r, &r->authentication_results,
				 mw_pool_strndup(r->pool, val.data ? val.data : "", val.len));
	mw_buf_free(&val);
}

/* exim_text - the fallback: true if the text is Exim's DMARC failure report */
static bool exim_text(mw_arf_report *r, const char *d, size_t n)
{
	const char *p = d, *end = d + n, *next;
	char *ip = NULL, *dom = NULL, *date = NULL, *spf = NULL, *dkim = NULL;
	while (p < end) {
		const char *e = line_end(p, end, &next);
		char *v;
		if ((v = text_value(r->pool, p, e, "Sender IP Address:")))
			ip = v;
		else if ((v = text_value(r->pool, p, e, "Sender Domain:")))
			dom = v;
		else if ((v = text_value(r->pool, p, e, "Received date:")))
			date = v;
		else if ((v = text_value(r->pool, p, e, "SPF Alignment:")))
			spf = v;
		else if ((v = text_value(r->pool, p, e, "DKIM Alignment:")))
			dkim = v;
		else if (memmem(p, (size_t)(e - p), "copy of the headers", 19) && ip) {
			exim_headers(r, next, end);
			break;
		}
		p = next;
	}
	if (!ip || !*ip)
		return false;
	r->feedback_type = "auth-failure";
	r->auth_failure = "dmarc";
	r->source_ip = strip_comment(ip);
	if (dom && *dom)
		list_add(r, &r->reported_domain, dom);
	if (date) {
		mw_date dt;
		r->arrival_date = date;
		r->arrival = mw_date_parse(date, strlen(date), &dt) ? dt.t : -1;
	}
	if (spf || dkim)
		r->identity_alignment = yes(dkim) && yes(spf) ? "dkim,spf"
					: yes(dkim)           ? "dkim"
					: yes(spf)            ? "spf"
							      : "none";
	return true;
}

/* ---- the whole report --------------------------------------------------- */

/* mw_arf_new - see header */
mw_arf_report *mw_arf_new(void)
{
	mw_pool *pool = mw_pool_new(ARF_POOL_MAX);
	mw_arf_report *r = pool ? mw_pool_alloc(pool, sizeof(*r)) : NULL;
	if (!r) {
		mw_pool_free(pool);
		return NULL;
	}
	r->pool = pool;
	r->arrival = -1;
	r->incidents = 1;
	return r;
}

/* from_parts - fill r from the collected parts */
static mw_status from_parts(mw_arf_report *r, parts *ps, mw_err *err)
{
	size_t n = 0;
	bool cut = false;
	if (ps->feedback) {
		char *fb = content(r->pool, ps->feedback, MW_ARF_PART_MAX, &n, &cut);
		if (cut)
			return mw_err_set(err, MW_ETOOBIG, "feedback report part over %u bytes",
					  MW_ARF_PART_MAX);
		if (!fb)
			return mw_err_set(err, MW_EPARSE, "empty feedback report part");
		mw_status st = mw_arf_parse_fields(r, fb, n, err);
		if (st != MW_OK)
			return st;
		r->arf = true;
	} else {
		bool found = false;
		for (int i = 0; i < ps->ntext && !found; i++) {
			char *t = content(r->pool, GMIME_OBJECT(ps->text[i]), MW_DR_INPUT_MAX, &n, NULL);
			found = t && exim_text(r, t, n);
		}
		if (!found)
			return mw_err_set(err, MW_ENOTFOUND, "not a failure report (no feedback-report part)");
	}
	if (ps->original && !r->headers)
		take_original(r, ps->original);
	return MW_OK;
}

/* mw_arf_parse - see header */
mw_status mw_arf_parse(const char *data, size_t len, mw_arf_report **out, mw_err *err)
{
	*out = NULL;
	if (len > MW_DR_INPUT_MAX)
		return mw_err_set(err, MW_ETOOBIG, "report e-mail over %u bytes", MW_DR_INPUT_MAX);
	pthread_once(&gmime_once, gmime_init);
	GMimeMessage *m = parse_message(data, len);
	if (!m)
		return mw_err_set(err, MW_ENOTFOUND, "not a MIME message");
	mw_arf_report *r = mw_arf_new();
	if (!r) {
		g_object_unref(m);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	parts ps = {0};
	walk(g_mime_message_get_mime_part(m), 0, &ps);
	mw_status st = from_parts(r, &ps, err);
	if (st == MW_OK) {
		r->report_from = header_text(r->pool, GMIME_OBJECT(m), "From");
		r->report_subject = header_text(r->pool, GMIME_OBJECT(m), "Subject");
		r->report_message_id = header_text(r->pool, GMIME_OBJECT(m), "Message-ID");
		*out = r;
	} else {
		mw_arf_free(r);
	}
	g_object_unref(m);
	return st;
}

/* mw_arf_key - see header */
void mw_arf_key(const mw_arf_report *r, char *out, size_t max)
{
	if (r->report_message_id)
		snprintf(out, max, "m:%s", r->report_message_id);
	else
		snprintf(out, max, "k:%s|%lld|%s|%s", r->source_ip ? r->source_ip : "",
			 (long long)r->arrival, r->message_id ? r->message_id : "",
			 r->original_mail_from ? r->original_mail_from : "");
}

/* mw_arf_free - see header */
void mw_arf_free(mw_arf_report *r)
{
	if (r)
		mw_pool_free(r->pool);
}
