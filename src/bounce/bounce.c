/*
 * bounce/bounce.c - one bounce, end to end: MIME walk (GMime), report or
 * text extraction, per-recipient status/reason.
 */
#include "bounce/bounce.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bounce/dsn.h"
#include "bounce/sesjson.h"
#include "bounce/textbounce.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"

#define MW_ARF_RCPTS_MAX 64 /* Original-Rcpt-To fields kept: RFC 5965 allows several */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

/* walk - what the MIME walk collects */
typedef struct walk {
	mw_pool *pool;
	mw_buf human;    /* text/plain parts outside the original, UTF-8 */
	mw_buf html;     /* text/html parts, tags stripped, when there is no plain text */
	mw_buf dsn;      /* first delivery-status part */
	bool dsn_utf8;   /* it was message/global-delivery-status */
	bool arf;        /* multipart/report; report-type=feedback-report */
	const char *feedback_type;
	const char *arf_rcpts[MW_ARF_RCPTS_MAX]; /* Original-Rcpt-To (RFC 5965 §3.2) */
	size_t narf;
	char *orig_headers;
	size_t orig_len;
	const char *orig_message_id, *orig_from, *orig_to;
	bool truncated;
} walk;

/* normalize_eol - copy with CRLF and bare CR turned into LF (malloc'd) */
static char *normalize_eol(const char *raw, size_t len, size_t *out_len)
{
	char *o = malloc(len + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\r') {
			o[k++] = '\n';
			if (i + 1 < len && raw[i + 1] == '\n')
				i++;
		} else {
			o[k++] = raw[i];
		}
	}
	o[k] = '\0';
	*out_len = k;
	return o;
}

/* The returned original is only read for its headers.  Letting GMime parse
 * it as a message builds (and destroys) a GObject per header and part of a
 * message that may be a large newsletter: over half of all parse time.  So
 * in part headers (never the bounce's own header) "message/rfc822" and
 * "message/global" are renamed in our private copy to this same-length
 * leaf type, and the part is read as text. */
#define ORIG_TYPE "text/x-mw-orig"

/* opaque_originals - rename message/rfc822|global in part Content-Type lines */
static void opaque_originals(char *d, size_t n)
{
	char *end = d + n;
	/* p is always at a '\n'; the first is the end of the bounce's header */
	for (char *p = memmem(d, n, "\n\n", 2); p && p < end;) {
		char *line = p + 1;
		p = memchr(line, '\n', (size_t)(end - line));
		if ((size_t)(end - line) < 28 || !mw_strcaseeq_n(line, 13, "content-type:"))
			continue;
		char *v = line + 13;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		/* exactly these types: not message/global-delivery-status */
		if ((size_t)(end - v) >= 15 && strchr("; \t\r\n", v[14]) &&
		    (mw_strcaseeq_n(v, 14, "message/rfc822") || mw_strcaseeq_n(v, 14, "message/global")))
			memcpy(v, ORIG_TYPE, 14);
	}
}

/* part_bytes - decoded content of a leaf part into buf (appended, capped) */
static void part_bytes(GMimePart *part, mw_buf *buf, walk *w)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	if (!dw)
		return;
	GMimeStream *ms = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, ms);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
	size_t n = ba->len;
	if (n > buf->max - buf->len) {
		n = buf->max - buf->len;
		w->truncated = true;
	}
	mw_buf_append(buf, ba->data, n);
	g_object_unref(ms);
}

/* plain_charset - no conversion needed: absent, US-ASCII or UTF-8 */
static bool plain_charset(GMimeObject *obj)
{
	const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
	return !cs || mw_strcaseeq(cs, "us-ascii") || mw_strcaseeq(cs, "utf-8") ||
	       mw_strcaseeq(cs, "utf8") || mw_strcaseeq(cs, "ascii");
}

/* text_of - charset-converted text of a text part into buf (GMime's iconv
 * only when the charset needs it: opening a converter costs more than the
 * rest of a small bounce) */
static void text_of(GMimeObject *obj, mw_buf *buf, walk *w)
{
	if (plain_charset(obj)) {
		part_bytes(GMIME_PART(obj), buf, w);
		mw_buf_putc(buf, '\n');
		return;
	}
	char *t = GMIME_IS_TEXT_PART(obj) ? g_mime_text_part_get_text(GMIME_TEXT_PART(obj)) : NULL;
	if (!t) {
		part_bytes(GMIME_PART(obj), buf, w);
		return;
	}
	size_t n = strlen(t);
	if (n > buf->max - buf->len) {
		n = buf->max - buf->len;
		w->truncated = true;
	}
	mw_buf_append(buf, t, n);
	mw_buf_putc(buf, '\n');
	g_free(t);
}

/* strip_tags - crude HTML to text for bounces that only have text/html */
static void strip_tags(mw_buf *in, mw_buf *out)
{
	bool tag = false;
	for (size_t i = 0; i < in->len; i++) {
		char c = in->data[i];
		if (c == '<') {
			tag = true;
			if (i + 3 < in->len && (mw_strcaseeq_n(in->data + i, 3, "<br") ||
						mw_strcaseeq_n(in->data + i, 3, "<p>")))
				mw_buf_putc(out, '\n');
		} else if (c == '>' && tag) {
			tag = false;
		} else if (!tag) {
			mw_buf_putc(out, c);
		}
	}
}

/* text_header_addr - first address of header "name" in a header block */
static const char *text_header_addr(mw_pool *pool, const char *h, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = h; p && p < h + n;) {
		if ((size_t)(h + n - p) > nl + 1 && mw_strcaseeq_n(p, nl, name) && p[nl] == ':') {
			const char *e = memchr(p, '\n', (size_t)(h + n - p));
			size_t len;
			long off = mw_text_find_address(p + nl + 1, (size_t)((e ? e : h + n) - p - nl - 1),
							&len);
			return off < 0 ? NULL : mw_pool_strndup(pool, p + nl + 1 + off, len);
		}
		p = memchr(p, '\n', (size_t)(h + n - p));
		p = p ? p + 1 : NULL;
		if (p && *p == '\n')
			break; /* end of the header block */
	}
	return NULL;
}

/* text_header_value - trimmed first line of header "name" in a header block */
static const char *text_header_value(mw_pool *pool, const char *h, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = h; p && p < h + n;) {
		if ((size_t)(h + n - p) > nl + 1 && mw_strcaseeq_n(p, nl, name) && p[nl] == ':') {
			const char *v = p + nl + 1, *e = memchr(v, '\n', (size_t)(h + n - v));
			e = e ? e : h + n;
			mw_trim(&v, &e);
			return mw_pool_strndup(pool, v, (size_t)(e - v));
		}
		p = memchr(p, '\n', (size_t)(h + n - p));
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

/* keep_original - remember the returned original's headers */
static void keep_original(walk *w, GMimeMessage *m)
{
	if (w->orig_headers || !m)
		return;
	char *h = g_mime_object_get_headers(GMIME_OBJECT(m), NULL);
	if (!h)
		return;
	size_t n = strlen(h);
	if (n > MW_BOUNCE_HEADERS_MAX)
		n = MW_BOUNCE_HEADERS_MAX, w->truncated = true;
	w->orig_headers = mw_pool_strndup(w->pool, h, n);
	w->orig_len = n;
	g_free(h);
	const char *mid = g_mime_message_get_message_id(m);
	w->orig_message_id = mid ? mw_pool_strdup(w->pool, mid) : NULL;
	const char *from = g_mime_object_get_header(GMIME_OBJECT(m), "From");
	w->orig_from = from ? mw_pool_strdup(w->pool, from) : NULL;
	w->orig_to = text_header_addr(w->pool, w->orig_headers, w->orig_len, "To");
}

/* keep_header_part - text/rfc822-headers or message/global-headers */
static void keep_header_part(walk *w, GMimePart *part)
{
	if (w->orig_headers)
		return;
	mw_buf b;
	mw_buf_init(&b, MW_BOUNCE_HEADERS_MAX);
	bool was = w->truncated;
	part_bytes(part, &b, w);
	w->truncated = was; /* a long body after the headers is no loss */
	/* the header block ends at the first empty line (RFC 5322 §2.1) */
	const char *end = memmem(b.data ? b.data : "", b.len, "\n\n", 2);
	size_t hn = end ? (size_t)(end - b.data) + 1 : b.len;
	w->orig_headers = mw_pool_strndup(w->pool, mw_buf_cstr(&b), hn);
	w->orig_len = hn;
	w->orig_to = text_header_addr(w->pool, w->orig_headers, w->orig_len, "To");
	w->orig_from = w->orig_from ? w->orig_from
				    : text_header_addr(w->pool, w->orig_headers, w->orig_len, "From");
	mw_buf_free(&b);
}

/* feedback_part - Feedback-Type and Original-Rcpt-To of an ARF machine part */
static void feedback_part(walk *w, GMimePart *part)
{
	mw_buf b;
	mw_buf_init(&b, 65536);
	part_bytes(part, &b, w);
	const char *s = mw_buf_cstr(&b), *end = s + b.len;
	for (const char *p = s; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		e = e ? e : end;
		size_t len;
		if (mw_strcaseeq_n(p, 14, "Feedback-Type:") && !w->feedback_type) {
			const char *v = p + 14, *ve = e;
			mw_trim(&v, &ve);
			char *t = mw_pool_strndup(w->pool, v, (size_t)(ve - v));
			w->feedback_type = t ? mw_strlower(t) : NULL;
		} else if (mw_strcaseeq_n(p, 17, "Original-Rcpt-To:") && w->narf < MW_ARF_RCPTS_MAX) {
			long off = mw_text_find_address(p + 17, (size_t)(e - p - 17), &len);
			if (off >= 0)
				w->arf_rcpts[w->narf++] = mw_pool_strndup(w->pool, p + 17 + off, len);
		}
		p = e < end ? e + 1 : end;
	}
	mw_buf_free(&b);
}

static void walk_object(walk *w, GMimeObject *obj, int depth);

/* walk_leaf - classify one leaf part */
static void walk_leaf(walk *w, GMimeObject *obj, GMimeContentType *ct)
{
	GMimePart *part = GMIME_PART(obj);
	bool global = g_mime_content_type_is_type(ct, "message", "global-delivery-status");
	if ((g_mime_content_type_is_type(ct, "message", "delivery-status") || global ||
	     g_mime_content_type_is_type(ct, "text", "delivery-status")) && w->dsn.len == 0) {
		part_bytes(part, &w->dsn, w);
		w->dsn_utf8 = global;
	} else if (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
		   g_mime_content_type_is_type(ct, "message", "global-headers")) {
		keep_header_part(w, part);
	} else if (g_mime_content_type_is_type(ct, "message", "feedback-report")) {
		feedback_part(w, part);
	} else if (g_mime_content_type_is_type(ct, "message", "rfc822") ||
		   g_mime_content_type_is_type(ct, "message", "global") ||
		   g_mime_content_type_is_type(ct, "text", "x-mw-orig")) {
		/* the original, read as text (see opaque_originals) */
		if (!w->orig_headers)
			keep_header_part(w, part);
	} else if (g_mime_content_type_is_type(ct, "text", "plain")) {
		text_of(obj, &w->human, w);
	} else if (g_mime_content_type_is_type(ct, "text", "html")) {
		text_of(obj, &w->html, w);
	}
}

/* walk_object - depth-first over the MIME tree, never into the original */
static void walk_object(walk *w, GMimeObject *obj, int depth)
{
	if (!obj)
		return;
	if (depth > MW_BOUNCE_DEPTH_MAX) {
		w->truncated = true;
		return;
	}
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	if (GMIME_IS_MULTIPART(obj)) {
		const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
		if (g_mime_content_type_is_type(ct, "multipart", "report") && rt &&
		    mw_strcaseeq(rt, "feedback-report"))
			w->arf = true;
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		const char *pro = g_mime_multipart_get_prologue(mp);
		if (n == 0 && pro && w->human.len == 0) {
			/* no usable boundary: everything is prologue; read it as text */
			size_t pl = strlen(pro);
			mw_buf_append(&w->human, pro, pl < w->human.max ? pl : w->human.max);
		}
		for (int i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
		    g_mime_content_type_is_type(ct, "message", "global-delivery-status")) {
			char *s = m ? g_mime_object_to_string(GMIME_OBJECT(m), NULL) : NULL;
			if (s && w->dsn.len == 0)
				mw_buf_puts(&w->dsn, s);
			g_free(s);
		} else {
			keep_original(w, m);
		}
	} else if (GMIME_IS_PART(obj)) {
		walk_leaf(w, obj, ct);
	}
}

/* header_addr - first address in a header of the bounce, pool copy or NULL */
static const char *header_addr(mw_pool *pool, GMimeObject *m, const char *name)
{
	const char *v = g_mime_object_get_header(m, name);
	size_t len;
	long off = v ? mw_text_find_address(v, strlen(v), &len) : -1;
	return off < 0 ? NULL : mw_pool_strndup(pool, v + off, len);
}


/* add_rcpt - new zeroed recipient in b; NULL past the limits */
static mw_bounce_rcpt *add_rcpt(mw_bounce *b, size_t *cap)
{
	if (b->nrcpt >= MW_BOUNCE_RCPTS_MAX) {
		b->truncated = true;
		return NULL;
	}
	if (b->nrcpt == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		mw_bounce_rcpt *r = mw_pool_alloc(b->pool, nc * sizeof(*r));
		if (!r)
			return NULL;
		if (b->nrcpt)
			memcpy(r, b->rcpts, b->nrcpt * sizeof(*r));
		b->rcpts = r;
		*cap = nc;
	}
	mw_bounce_rcpt *r = &b->rcpts[b->nrcpt++];
	memset(r, 0, sizeof(*r));
	r->diagnostic = "";
	return r;
}

static bool action_is_success(const char *a)
{
	/* "deliverable": Postfix address-verification reports (sendmail -bv) */
	return a && (strcmp(a, "delivered") == 0 || strcmp(a, "relayed") == 0 ||
		     strcmp(a, "expanded") == 0 || strcmp(a, "deliverable") == 0);
}

/* SMTP command the remote host refused, as bounces name it (lower case).
 * Sisimai's rule, kept: a "user unknown" text without an x.1.1 status is a
 * missing mailbox only when it answered RCPT; after DATA (or when no
 * command is named) it is the recipient's filter speaking (filtered). */
typedef enum smtp_cmd { CMD_NONE = 0, CMD_CONN, CMD_HELO, CMD_MAIL, CMD_RCPT, CMD_DATA } smtp_cmd;

typedef struct cmd_phrase {
	const char *text;
	smtp_cmd cmd;
} cmd_phrase;

static const cmd_phrase SMTP_COMMANDS[] = {
	{"end of data", CMD_DATA},  {"after data", CMD_DATA},     {"data command", CMD_DATA},
	{">>> data", CMD_DATA},     {"our data", CMD_DATA},       {"(data)", CMD_DATA},
	{"rcpt to", CMD_RCPT},      {"rcpt command", CMD_RCPT},   {"mail from", CMD_MAIL},
	{"helo", CMD_HELO},         {"ehlo", CMD_HELO},           {"initial connection", CMD_CONN},
};

/* smtp_command - the first command named in the text */
static smtp_cmd smtp_command(const char *t, size_t n)
{
	char low[4096];
	size_t k = n < sizeof(low) - 1 ? n : sizeof(low) - 1;
	for (size_t i = 0; i < k; i++)
		low[i] = mw_tolower(t[i]);
	low[k] = '\0';
	const char *best = NULL;
	smtp_cmd cmd = CMD_NONE;
	for (size_t i = 0; i < sizeof(SMTP_COMMANDS) / sizeof(SMTP_COMMANDS[0]); i++) {
		const char *hit = strstr(low, SMTP_COMMANDS[i].text);
		if (hit && (!best || hit < best))
			best = hit, cmd = SMTP_COMMANDS[i].cmd;
	}
	return cmd;
}

/* refine_userunknown - filtered unless the mailbox was refused at RCPT */
static mw_reason refine_userunknown(const char *status, const char *d, size_t dn,
				    const char *text, size_t tn)
{
	if (strlen(status) >= 5 && strcmp(status + 1, ".1.1") == 0)
		return MW_REASON_USERUNKNOWN;
	smtp_cmd c = smtp_command(d, dn);
	if (c == CMD_NONE && text)
		c = smtp_command(text, tn);
	return (c == CMD_DATA) ? MW_REASON_FILTERED : MW_REASON_USERUNKNOWN;
}

/* best_code - the first specific RFC 3463 code in the text, else the first
 * generic one (x.0.0); false if there is none */
static bool best_code(const char *t, size_t n, char *out)
{
	char code[MW_STATUS_STR_MAX];
	bool found = false;
	for (size_t off = 0; off < n;) {
		long at = mw_status_code_find(t + off, n - off, false, code);
		if (at < 0)
			break;
		if (!found)
			memcpy(out, code, sizeof(code));
		found = true;
		if (!mw_status_is_generic(code)) {
			memcpy(out, code, sizeof(code));
			return true;
		}
		off += (size_t)at + strlen(code);
	}
	return found;
}

/* refused_at_connect - the peer refused the connection or greeting: that
 * is a block of the sending host, unless the text names a more precise
 * cause about that host */
static bool refused_at_connect(const char *d, size_t dn, mw_reason r)
{
	smtp_cmd c = smtp_command(d, dn);
	if (c != CMD_CONN && c != CMD_HELO)
		return false;
	switch (r) {
	case MW_REASON_REQUIREPTR:
	case MW_REASON_BADREPUTATION:
	case MW_REASON_TOOMANYCONN:
	case MW_REASON_SPEEDING:
	case MW_REASON_NETWORKERROR:
	case MW_REASON_SPAMDETECTED:
	case MW_REASON_AUTHFAILURE:
	case MW_REASON_FAILEDSTARTTLS:
	case MW_REASON_SYSTEMERROR:
		return false;
	default:
		return true;
	}
}

/* finish_rcpt - status, reply code, reason, hard, policy for one recipient.
 * text: the human-readable error section, used when the diagnostic is silent. */
static void finish_rcpt(mw_bounce_rcpt *r, const char *text, size_t tn, bool temporary)
{
	const char *d = r->diagnostic;
	size_t dn = strlen(d);
	char code[MW_STATUS_STR_MAX];
	/* the remote host's own code in the diagnostic says more than a
	 * generic or different Status field (Sendmail writes 4.4.7 for a
	 * 4.7.1 refusal, X3 5.1.1 for "552 5.2.2 Over quota") */
	if (best_code(d, dn, code) && (!r->status[0] || !mw_status_is_generic(code)))
		memcpy(r->status, code, sizeof(code));
	if (mw_reply_code_find(d, dn, r->replycode) < 0 && text)
		mw_reply_code_find(text, tn, r->replycode);
	if ((!r->status[0] || mw_status_is_generic(r->status)) && text && best_code(text, tn, code))
		memcpy(r->status, code, sizeof(code));
	/* the remote error was temporary; the bounce is final only because
	 * the queue lifetime ran out (Exim) */
	temporary = temporary || memmem(d, dn, "retry timeout exceeded", 22) ||
		    memmem(d, dn, "retry time not reached", 22) ||
		    (text && memmem(text, tn, "retry timeout exceeded", 22));
	temporary = temporary || r->replycode[0] == '4' || r->status[0] == '4' ||
		    (r->action && strcmp(r->action, "delayed") == 0);
	if (action_is_success(r->action)) {
		r->reason = MW_REASON_DELIVERED;
	} else {
		r->reason = mw_reason_classify(d, dn, r->status, r->replycode);
		if (r->reason == MW_REASON_UNDEFINED && text)
			r->reason = mw_reason_classify(text, tn, r->status, r->replycode);
		if (r->reason == MW_REASON_USERUNKNOWN)
			r->reason = refine_userunknown(r->status, d, dn, text, tn);
		if (refused_at_connect(d, dn, r->reason))
			r->reason = MW_REASON_BLOCKED;
		/* delivery to a pipe or a file is a local program's failure */
		if (r->address && (r->address[0] == '|' || r->address[0] == '/'))
			r->diag_type = "x-unix";
		/* a local delivery program (x-unix), not an SMTP peer: only a
		 * full mailbox is more specific than "the mailer failed" */
		if (r->diag_type && strcmp(r->diag_type, "x-unix") == 0 &&
		    r->reason != MW_REASON_MAILBOXFULL)
			r->reason = MW_REASON_MAILERERROR;
		if (r->reason == MW_REASON_UNDEFINED && text)
			r->reason = mw_reason_from_signature(text, tn);
		/* a delay report without a cause: still queued, will expire */
		if (temporary && (r->reason == MW_REASON_UNDEFINED ||
				  (dn == 0 && mw_reason_from_status(r->status, true) == MW_REASON_UNDEFINED &&
				   r->reason == mw_reason_from_status(r->status, false))))
			r->reason = MW_REASON_EXPIRED;
	}
	if (!r->status[0]) {
		mw_reason_pseudo_status(r->reason, temporary, r->status, sizeof(r->status));
		r->status_inferred = r->status[0] != '\0';
	}
	r->hard = mw_reason_is_hard(r->reason, r->status);
	r->policy = mw_reason_policy(dn ? d : text, dn ? dn : tn);
}

/* plain_address - local@domain.tld, nothing else */
static bool plain_address(const char *a)
{
	size_t len;
	return a && mw_text_find_address(a, strlen(a), &len) == 0 && len == strlen(a);
}

/* build_dsn - one entry per RFC 3464 recipient block */
static mw_status build_dsn(mw_bounce *b, const mw_dsn *d, const mw_buf *human)
{
	size_t cap = 0;
	b->kind = MW_BOUNCE_DSN;
	b->reporting_mta = d->reporting_mta;
	b->arrival_date = d->arrival_date;
	b->truncated |= d->truncated;
	for (size_t i = 0; i < d->nrcpt; i++) {
		const mw_dsn_rcpt *x = &d->rcpts[i];
		mw_bounce_rcpt *r = add_rcpt(b, &cap);
		if (!r)
			return b->truncated ? MW_OK : MW_ETOOBIG;
		/* the address the sender used (ORCPT, RFC 3461 §4.2) when it is a
		 * plain domain address; the final one is kept in the report */
		r->address = plain_address(x->original_recipient) ? x->original_recipient
		             : x->final_recipient ? x->final_recipient : x->original_recipient;
		r->original = x->original_recipient;
		r->final = x->final_recipient;
		r->action = x->action ? x->action : "failed";
		memcpy(r->status, x->status, sizeof(r->status));
		r->remote_mta = x->remote_mta;
		r->diagnostic = x->diagnostic ? x->diagnostic : "";
		r->diag_type = x->diagnostic_type;
		finish_rcpt(r, human->len ? human->data : NULL, human->len, false);
	}
	return MW_OK;
}

/* failed_header - X-Failed-Recipients (Exim) as the recipient list */
static size_t failed_header(mw_pool *pool, GMimeObject *m, const char **out, size_t max)
{
	const char *v = g_mime_object_get_header(m, "X-Failed-Recipients");
	size_t k = 0, len;
	while (v && k < max) {
		long off = mw_text_find_address(v, strlen(v), &len);
		if (off < 0)
			break;
		out[k++] = mw_pool_strndup(pool, v + off, len);
		v += off + (long)len;
	}
	return k;
}

/* build_text - entries from a prose bounce */
static mw_status build_text(mw_bounce *b, const mw_text_bounce *t, GMimeObject *m)
{
	size_t cap = 0;
	const char *failed[64];
	size_t nf = failed_header(b->pool, m, failed, 64);
	b->kind = MW_BOUNCE_TEXT;
	b->format = t->format;
	size_t n = nf ? nf : t->nrcpt;
	for (size_t i = 0; i < n; i++) {
		mw_bounce_rcpt *r = add_rcpt(b, &cap);
		if (!r)
			return b->truncated ? MW_OK : MW_ETOOBIG;
		r->address = nf ? failed[i] : t->rcpts[i].address;
		r->diagnostic = nf ? "" : t->rcpts[i].diagnostic;
		for (size_t j = 0; nf && j < t->nrcpt; j++)
			if (mw_strcaseeq(t->rcpts[j].address, failed[i]))
				r->diagnostic = t->rcpts[j].diagnostic;
		/* header and text disagree on the address: pair them by position */
		if (nf && !r->diagnostic[0] && nf == t->nrcpt)
			r->diagnostic = t->rcpts[i].diagnostic;
		r->action = t->temporary ? "delayed" : "failed";
		finish_rcpt(r, t->error_text, t->error_len, t->temporary);
	}
	if (!b->orig_headers && t->original) {
		const char *o = t->original, *oe = t->original + t->original_len;
		while (o < oe && (*o == '\n' || *o == ' ' || *o == '\t'))
			o++;
		const char *e = memmem(o, (size_t)(oe - o), "\n\n", 2);
		size_t hn = e ? (size_t)(e - o) + 1 : (size_t)(oe - o);
		if (hn > MW_BOUNCE_HEADERS_MAX)
			hn = MW_BOUNCE_HEADERS_MAX;
		b->orig_headers = mw_pool_strndup(b->pool, o, hn);
		b->orig_headers_len = hn;
	}
	return MW_OK;
}

/* Auto-reply markers (RFC 3834 §5, and what vacation programs add). */
static const char *const AUTOREPLY_SUBJECTS[] = {
	"auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "out of office",
	"out of the office", "vacation", "abwesenheit", "absence", "r\xc3\xa9ponse automatique",
	"away from", "on leave",
};

/* is_autoreply - RFC 3834 Auto-Submitted or a vacation program's marks */
static bool is_autoreply(GMimeObject *m, const char *subject)
{
	const char *as = g_mime_object_get_header(m, "Auto-Submitted");
	if (as && !mw_strcaseeq(as, "no"))
		return true;
	if (g_mime_object_get_header(m, "X-Autoreply") ||
	    g_mime_object_get_header(m, "X-Autorespond"))
		return true;
	const char *prec = g_mime_object_get_header(m, "Precedence");
	if (prec && mw_strcaseeq(prec, "auto_reply"))
		return true;
	char low[512];
	size_t k = 0;
	for (; subject && subject[k] && k < sizeof(low) - 1; k++)
		low[k] = mw_tolower(subject[k]);
	low[k] = '\0';
	for (size_t i = 0; i < sizeof(AUTOREPLY_SUBJECTS) / sizeof(AUTOREPLY_SUBJECTS[0]); i++)
		if (strstr(low, AUTOREPLY_SUBJECTS[i]))
			return true;
	return false;
}

/* build_list - one entry per address for a feedback report or an auto-reply */
static mw_status build_list(mw_bounce *b, mw_bounce_kind kind, mw_reason reason,
			    const char *const *addrs, size_t n)
{
	size_t cap = 0;
	b->kind = kind;
	for (size_t i = 0; i < (n ? n : 1); i++) {
		mw_bounce_rcpt *r = add_rcpt(b, &cap);
		if (!r)
			return b->truncated ? MW_OK : MW_ETOOBIG;
		r->address = n && addrs[i] ? addrs[i] : "";
		r->action = kind == MW_BOUNCE_FEEDBACK ? "feedback" : "autoreply";
		r->reason = reason;
	}
	return MW_OK;
}

/* build_ses - Amazon SES JSON notification */
static mw_status build_ses(mw_bounce *b, const mw_ses *ses)
{
	size_t cap = 0;
	b->format = "amazonses";
	b->reporting_mta = ses->reporting_mta;
	if (ses->type == MW_SES_COMPLAINT) {
		const char *addrs[MW_ARF_RCPTS_MAX];
		size_t n = 0;
		for (; n < ses->nrcpt && n < MW_ARF_RCPTS_MAX; n++)
			addrs[n] = ses->rcpts[n].address;
		b->feedback_type = ses->feedback_type;
		return build_list(b, MW_BOUNCE_FEEDBACK, MW_REASON_FEEDBACK, addrs, n);
	}
	b->kind = MW_BOUNCE_DSN;
	for (size_t i = 0; i < ses->nrcpt; i++) {
		mw_bounce_rcpt *r = add_rcpt(b, &cap);
		if (!r)
			return b->truncated ? MW_OK : MW_ETOOBIG;
		r->address = ses->rcpts[i].address;
		r->action = ses->type == MW_SES_DELIVERY ? "delivered" : ses->rcpts[i].action;
		memcpy(r->status, ses->rcpts[i].status, sizeof(r->status));
		r->diagnostic = ses->rcpts[i].diagnostic;
		finish_rcpt(r, NULL, 0, ses->temporary);
	}
	return MW_OK;
}

/* Subjects of feedback reports that are not RFC 5965 (Hotmail JMRP). */
static const char *const COMPLAINT_SUBJECTS[] = {"complaint about message from"};

static bool is_complaint(const char *subject)
{
	char low[256];
	size_t k = 0;
	for (; subject && subject[k] && k < sizeof(low) - 1; k++)
		low[k] = mw_tolower(subject[k]);
	low[k] = '\0';
	for (size_t i = 0; i < sizeof(COMPLAINT_SUBJECTS) / sizeof(COMPLAINT_SUBJECTS[0]); i++)
		if (strstr(low, COMPLAINT_SUBJECTS[i]))
			return true;
	return false;
}

/* build_prose - the text path: a bounce without a report */
static mw_status build_prose(mw_bounce *b, walk *w, GMimeObject *mo, bool *done)
{
	const char *from = g_mime_object_get_header(mo, "From");
	const char *fromaddr = header_addr(b->pool, mo, "From");
	const char *exclude[4] = {b->to, fromaddr, NULL, NULL};
	size_t ol;
	long oo = w->orig_from ? mw_text_find_address(w->orig_from, strlen(w->orig_from), &ol) : -1;
	if (oo >= 0)
		exclude[2] = mw_pool_strndup(b->pool, w->orig_from + oo, ol);
	*done = false;
	if (!mw_text_looks_like_bounce(b->subject, from, w->human.data, w->human.len) &&
	    !g_mime_object_get_header(mo, "X-Failed-Recipients"))
		return MW_OK;
	mw_text_bounce t;
	if (!mw_text_bounce_scan(b->pool, w->human.data ? w->human.data : "", w->human.len,
				 exclude, &t))
		return MW_ETOOBIG;
	const char *failed[1];
	if (t.nrcpt == 0 && failed_header(b->pool, mo, failed, 1) == 0) {
		/* no address in the prose: the original's To is the recipient */
		const char *to = w->orig_to;
		if (!to && t.original)
			to = text_header_addr(b->pool, t.original, t.original_len, "To");
		if (!to || !t.error_len)
			return MW_OK;
		t.rcpts = mw_pool_alloc(b->pool, sizeof(*t.rcpts));
		if (!t.rcpts)
			return MW_ETOOBIG;
		t.rcpts[0].address = to;
		t.rcpts[0].diagnostic = "";
		t.nrcpt = 1;
	}
	*done = true;
	return build_text(b, &t, mo);
}

/* build - decide the kind and fill the recipients */
static mw_status build(mw_bounce *b, walk *w, GMimeMessage *m, mw_err *err)
{
	GMimeObject *mo = GMIME_OBJECT(m);
	const char *subj = g_mime_message_get_subject(m);
	b->subject = subj ? mw_pool_strdup(b->pool, subj) : NULL;
	b->to = header_addr(b->pool, mo, "To");
	b->orig_headers = w->orig_headers;
	b->orig_headers_len = w->orig_len;
	b->orig_message_id = w->orig_message_id;
	b->orig_from = w->orig_from;
	if (w->human.len == 0 && w->html.len)
		strip_tags(&w->html, &w->human);
	b->truncated = w->truncated;
	mw_status st = MW_OK;
	if (w->arf || is_complaint(b->subject)) {
		b->format = "arf";
		b->feedback_type = w->feedback_type ? w->feedback_type : "abuse";
		const char *to[1] = {w->orig_to ? w->orig_to : b->to};
		st = w->narf ? build_list(b, MW_BOUNCE_FEEDBACK, MW_REASON_FEEDBACK, w->arf_rcpts, w->narf)
			     : build_list(b, MW_BOUNCE_FEEDBACK, MW_REASON_FEEDBACK, to, 1);
		return st == MW_OK ? st : mw_err_set(err, st, "over limits");
	}
	mw_ses ses;
	if (w->human.len && mw_ses_parse(b->pool, w->human.data, w->human.len, &ses)) {
		st = build_ses(b, &ses);
		return st == MW_OK ? st : mw_err_set(err, st, "over limits");
	}
	mw_dsn d;
	const mw_buf *src = w->dsn.len ? &w->dsn : &w->human;
	if (src->len && (w->dsn.len || strstr(src->data, "Final-Recipient:")) &&
	    mw_dsn_parse(b->pool, src->data, src->len, &d, NULL) == MW_OK && d.nrcpt > 0) {
		b->format = w->dsn_utf8 ? "rfc6533" : "rfc3464";
		st = build_dsn(b, &d, &w->human);
		return st == MW_OK ? st : mw_err_set(err, st, "over limits");
	}
	bool done;
	st = build_prose(b, w, mo, &done);
	if (st != MW_OK)
		return mw_err_set(err, st, "over limits");
	if (done)
		return MW_OK;
	if (is_autoreply(mo, b->subject)) {
		b->format = "rfc3834";
		const char *from[1] = {header_addr(b->pool, mo, "From")};
		return build_list(b, MW_BOUNCE_AUTOREPLY, MW_REASON_VACATION, from, 1);
	}
	b->kind = MW_BOUNCE_NOT;
	b->format = "none";
	return MW_OK;
}

/* Content-filtering gateways, named in the bounce's own header: when they
 * say "user unknown" it is their recipient filter speaking (Sisimai's
 * McAfee, SurfControl, MailFoundry, mFILTER and MXLogic parsers agree). */
static const char *const FILTER_GATEWAYS[] = {
	"modified by mcafee", "surfcontrol e-mail filter", "(mailfoundry)", "x-mailer: m-filter",
	".mxlogic.net",
};

/* filter_gateway - the header section names one of FILTER_GATEWAYS */
static bool filter_gateway(const char *d, size_t n)
{
	const char *e = memmem(d, n, "\n\n", 2);
	size_t hn = e ? (size_t)(e - d) : n;
	char low[16384];
	if (hn >= sizeof(low))
		hn = sizeof(low) - 1;
	for (size_t i = 0; i < hn; i++)
		low[i] = mw_tolower(d[i]);
	for (size_t i = 0; i < sizeof(FILTER_GATEWAYS) / sizeof(FILTER_GATEWAYS[0]); i++)
		if (memmem(low, hn, FILTER_GATEWAYS[i], strlen(FILTER_GATEWAYS[i])))
			return true;
	return false;
}

/* gateway_filtered - "user unknown" from a filtering gateway is filtered */
static void gateway_filtered(mw_bounce *b)
{
	for (size_t i = 0; i < b->nrcpt; i++) {
		mw_bounce_rcpt *r = &b->rcpts[i];
		/* an x.1.1 code is the real mailbox's answer, relayed */
		if (r->reason != MW_REASON_USERUNKNOWN || strcmp(r->status + 1, ".1.1") == 0)
			continue;
		r->reason = MW_REASON_FILTERED;
		r->hard = mw_reason_is_hard(r->reason, r->status);
		if (r->status_inferred)
			mw_reason_pseudo_status(r->reason, r->status[0] == '4', r->status,
						sizeof(r->status));
	}
}

/* parse_message - GMime over the normalised copy */
static GMimeMessage *parse_message(const char *data, size_t n)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(data, n);
	GMimeParser *ps = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(ps, NULL);
	g_object_unref(ps);
	g_object_unref(st);
	return m;
}

/* mw_bounce_parse - see header */
mw_status mw_bounce_parse(const char *raw, size_t len, mw_bounce **out, mw_err *err)
{
	*out = NULL;
	if (len > MW_BOUNCE_MAX)
		return mw_err_set(err, MW_ETOOBIG, "bounce larger than %u bytes", MW_BOUNCE_MAX);
	pthread_once(&gmime_once, gmime_init);
	size_t n;
	char *data = normalize_eol(raw, len, &n);
	if (!data)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	opaque_originals(data, n);
	bool gateway = filter_gateway(data, n);
	GMimeMessage *m = parse_message(data, n);
	free(data);
	if (!m)
		return mw_err_set(err, MW_EPARSE, "not a MIME message");
	mw_pool *pool = mw_pool_new(MW_BOUNCE_POOL_MAX);
	mw_bounce *b = pool ? mw_pool_alloc(pool, sizeof(*b)) : NULL;
	if (!b) {
		mw_pool_free(pool);
		g_object_unref(m);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	b->pool = pool;
	walk w = {.pool = pool};
	mw_buf_init(&w.human, MW_BOUNCE_TEXT_MAX);
	mw_buf_init(&w.html, MW_BOUNCE_TEXT_MAX);
	mw_buf_init(&w.dsn, MW_BOUNCE_TEXT_MAX);
	walk_object(&w, g_mime_message_get_mime_part(m), 0);
	mw_status st = build(b, &w, m, err);
	if (st == MW_OK && gateway)
		gateway_filtered(b);
	if (st == MW_OK && b->orig_headers && !b->orig_message_id)
		b->orig_message_id =
			text_header_value(pool, b->orig_headers, b->orig_headers_len, "Message-ID");
	if (st == MW_OK && b->orig_headers && !b->orig_from)
		b->orig_from = text_header_value(pool, b->orig_headers, b->orig_headers_len, "From");
	mw_buf_free(&w.human);
	mw_buf_free(&w.html);
	mw_buf_free(&w.dsn);
	g_object_unref(m);
	if (st != MW_OK) {
		mw_pool_free(pool);
		return st;
	}
	*out = b;
	return MW_OK;
}

void mw_bounce_free(mw_bounce *b)
{
	if (b)
		mw_pool_free(b->pool);
}

const char *mw_bounce_kind_name(mw_bounce_kind k)
{
	static const char *const names[] = {"not-bounce", "dsn", "text", "feedback", "autoreply"};
	return (k >= 0 && k <= MW_BOUNCE_AUTOREPLY) ? names[k] : "not-bounce";
}
