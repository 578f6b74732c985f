/*
 * outbound/scan.c - run scan rules over a message: GMime decodes the MIME
 * tree (base64/QP, charsets); HTML is reduced to text and links.
 */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "outbound/scan_int.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_init_once(void)
{
	g_mime_init();
}

typedef struct scan_ctx {
	mw_buf text;  /* decoded text of all text parts */
	mw_buf urls;  /* link hosts, lower case, one per line */
	mw_buf exts;  /* attachment extensions, lower case, one per line */
	mw_scan_result *res;
} scan_ctx;

/* add_host - the host of a URL starting at u (after "http://" or "https://") */
static void add_host(scan_ctx *c, const char *u, size_t n)
{
	size_t i = 0;
	while (i < n && u[i] != '/' && u[i] != '"' && u[i] != '\'' && u[i] != '>' && u[i] != '?' &&
	       u[i] != '#' && u[i] != ' ' && u[i] != '\r' && u[i] != '\n' && u[i] != '\t' && i < 255)
		i++;
	const char *h = u;
	const char *at = memchr(h, '@', i); /* userinfo@host: the host decides */
	if (at) {
		i -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	const char *colon = memchr(h, ':', i);
	if (colon)
		i = (size_t)(colon - h);
	if (!i || c->res->nurls >= MW_SCAN_URLS_MAX)
		return;
	for (size_t k = 0; k < i; k++)
		mw_buf_putc(&c->urls, mw_tolower(h[k]));
	mw_buf_putc(&c->urls, '\n');
	c->res->nurls++;
}

/* find_urls - every http:// and https:// in s */
static void find_urls(scan_ctx *c, const char *s, size_t n)
{
	for (size_t i = 0; i + 7 < n; i++) {
		if (mw_tolower(s[i]) != 'h')
			continue;
		size_t skip = mw_strcaseeq_n(s + i, 7, "http://")	       ? 7
			      : i + 8 < n && mw_strcaseeq_n(s + i, 8, "https://") ? 8
										 : 0;
		if (skip)
			add_host(c, s + i + skip, n - i - skip);
	}
}

/* put_text - append to the scanned text, recording truncation */
static void put_text(scan_ctx *c, const char *s, size_t n)
{
	if (mw_buf_append(&c->text, s, n) != MW_OK)
		c->res->truncated = true;
}

/* html_put - HTML text: runs of white space collapse to one space */
static void html_put(scan_ctx *c, const char *s, size_t n, char *last)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ? ' ' : s[i];
		if (ch == ' ' && *last == ' ')
			continue;
		put_text(c, &ch, 1);
		*last = ch;
	}
}

/* html_text - tags dropped (script/style contents too), a few entities */
static void html_text(scan_ctx *c, const char *s, size_t n)
{
	char last = ' ';
	static const struct {
		const char *ent, *txt;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", " "}, {"&quot;", "\""}};
	const char *skip_to = NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<') {
			const char *e = memchr(s + i, '>', n - i);
			size_t tl = e ? (size_t)(e - (s + i)) : n - i;
			if (skip_to && tl >= strlen(skip_to) && mw_strcaseeq_n(s + i, strlen(skip_to), skip_to))
				skip_to = NULL;
			else if (!skip_to && tl >= 7 && mw_strcaseeq_n(s + i, 7, "<script"))
				skip_to = "</script";
			else if (!skip_to && tl >= 6 && mw_strcaseeq_n(s + i, 6, "<style"))
				skip_to = "</style";
			find_urls(c, s + i, tl); /* href="http..." */
			html_put(c, " ", 1, &last);
			i += tl;
			continue;
		}
		if (skip_to)
			continue;
		size_t k = 0;
		if (s[i] == '&')
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
				if (n - i >= strlen(ents[k].ent) &&
				    mw_strcaseeq_n(s + i, strlen(ents[k].ent), ents[k].ent))
					break;
		if (s[i] == '&' && k < sizeof(ents) / sizeof(ents[0])) {
			html_put(c, ents[k].txt, strlen(ents[k].txt), &last);
			i += strlen(ents[k].ent) - 1;
		} else {
			html_put(c, s + i, 1, &last);
		}
	}
}

/* each_part - GMime callback for every leaf part */
static void each_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	scan_ctx *c = data;
	if (!GMIME_IS_PART(part))
		return;
	const char *fn = g_mime_part_get_filename(GMIME_PART(part));
	if (fn) {
		const char *dot = strrchr(fn, '.');
		if (dot && dot[1] && strlen(dot + 1) < 32) {
			for (const char *p = dot + 1; *p; p++)
				mw_buf_putc(&c->exts, mw_tolower(*p));
			mw_buf_putc(&c->exts, '\n');
		}
		c->res->nattach++;
	}
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (!GMIME_IS_TEXT_PART(part) || (fn && !g_mime_content_type_is_type(ct, "text", "*")))
		return;
	char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	if (!t)
		return;
	size_t n = strlen(t);
	if (g_mime_content_type_is_type(ct, "text", "html")) {
		html_text(c, t, n);
	} else {
		find_urls(c, t, n);
		put_text(c, t, n);
	}
	put_text(c, "\n", 1);
	g_free(t);
}

/* hit - record a matched rule */
static void hit(mw_scan_result *res, const scan_rule *r, const char *what, const char *arg)
{
	res->score += r->score;
	if (res->nhits == MW_SCAN_HITS_MAX)
		return;
	mw_scan_hit *h = &res->hit[res->nhits++];
	mw_strlcpy(h->rule, r->name, sizeof(h->rule));
	h->score = r->score;
	snprintf(h->why, sizeof(h->why), "%.60s%.120s", what, arg);
}

/* re_match - the rule's regex in s; the matched text (cut) into why */
static bool re_match(const mw_scan_rules *rs, const scan_rule *r, const char *s, size_t n,
		     char *why, size_t wn)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, 0, 0, md, rs->mctx);
	if (rc > 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t ml = ov[1] - ov[0];
		snprintf(why, wn, "%.*s", (int)(ml > 60 ? 60 : ml), s + ov[0]);
	}
	pcre2_match_data_free(md);
	return rc > 0;
}

/* in_list - line-separated items in buf: one equals an item of r (or is
 * below it, for domains); the item found into out */
static bool in_list(const scan_rule *r, const mw_buf *b, bool domains, char *out, size_t n)
{
	const char *p = mw_buf_cstr(b);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char item[256];
		snprintf(item, sizeof(item), "%.*s", (int)(len < 255 ? len : 255), p);
		for (size_t k = 0; k < r->nlist; k++)
			if (domains ? mw_domain_is_sub(item, r->list[k]) : !strcmp(item, r->list[k])) {
				mw_strlcpy(out, item, n);
				return true;
			}
		p += len + (e ? 1 : 0);
	}
	return false;
}

/* addr_domain - lower-case domain of an address into out */
static bool addr_domain(const char *addr, char *out, size_t n)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at && at[1] && mw_domain_normalize(at + 1, out, n);
}

/* first_mailbox - the first mailbox of an address list, or NULL */
static InternetAddressMailbox *first_mailbox(InternetAddressList *l)
{
	for (int i = 0; l && i < internet_address_list_length(l); i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			return INTERNET_ADDRESS_MAILBOX(a);
	}
	return NULL;
}

/* header_rules - header, reply-to, display-name, many-to */
static void header_rules(const mw_scan_rules *rs, GMimeMessage *m, mw_scan_result *res)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(m));
	InternetAddressMailbox *rt = first_mailbox(g_mime_message_get_reply_to(m));
	char fd[256] = "", rd[256] = "", why[200];
	if (from)
		addr_domain(internet_address_mailbox_get_addr(from), fd, sizeof(fd));
	if (rt)
		addr_domain(internet_address_mailbox_get_addr(rt), rd, sizeof(rd));
	const char *dn = from ? internet_address_get_name(INTERNET_ADDRESS(from)) : NULL;
	int nto = internet_address_list_length(g_mime_message_get_to(m)) +
		  internet_address_list_length(g_mime_message_get_cc(m));
	for (size_t i = 0; i < rs->n; i++) {
		const scan_rule *r = &rs->rule[i];
		if (r->kind == SCAN_HEADER) {
			for (int k = 0; k < g_mime_header_list_get_count(hl); k++) {
				GMimeHeader *h = g_mime_header_list_get_header_at(hl, k);
				const char *v = g_mime_header_get_value(h);
				if (mw_strcaseeq(g_mime_header_get_name(h), r->field) && v &&
				    re_match(rs, r, v, strlen(v), why, sizeof(why))) {
					hit(res, r, "header matched: ", why);
					break;
				}
			}
		} else if (r->kind == SCAN_REPLYTO && fd[0] && rd[0] && strcmp(fd, rd) != 0) {
			snprintf(why, sizeof(why), "%.90s vs From %.90s", rd, fd);
			hit(res, r, "Reply-To domain ", why);
		} else if (r->kind == SCAN_DISPLAY && dn && fd[0] && strchr(dn, '@')) {
			char dd[256];
			if (addr_domain(dn, dd, sizeof(dd)) && !mw_domain_is_sub(dd, fd) &&
			    !mw_domain_is_sub(fd, dd))
				hit(res, r, "display name shows another domain: ", dn);
		} else if (r->kind == SCAN_MANYTO && nto > r->n) {
			snprintf(why, sizeof(why), "%d", nto);
			hit(res, r, "addresses in To and Cc: ", why);
		}
	}
}

/* content_rules - body, url, attachment */
static void content_rules(const mw_scan_rules *rs, scan_ctx *c, mw_scan_result *res)
{
	char why[200];
	for (size_t i = 0; i < rs->n; i++) {
		const scan_rule *r = &rs->rule[i];
		if (r->kind == SCAN_BODY && re_match(rs, r, c->text.data ? c->text.data : "",
						       c->text.len, why, sizeof(why)))
			hit(res, r, "body matched: ", why);
		else if (r->kind == SCAN_URL && in_list(r, &c->urls, true, why, sizeof(why)))
			hit(res, r, "link to ", why);
		else if (r->kind == SCAN_ATTACH && in_list(r, &c->exts, false, why, sizeof(why)))
			hit(res, r, "attachment type .", why);
	}
}

/* mw_scan_message - parse with GMime, collect text/links/attachments, score */
mw_status mw_scan_message(const mw_scan_rules *rs, const char *msg, size_t len,
			  mw_scan_result *res, mw_err *err)
{
	memset(res, 0, sizeof(*res));
	res->threshold = rs->threshold;
	pthread_once(&gmime_once, gmime_init_once);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	if (!m)
		return mw_err_set(err, MW_EPARSE, "not a message (no header section)");
	scan_ctx c = {.res = res};
	mw_buf_init(&c.text, MW_SCAN_TEXT_MAX);
	mw_buf_init(&c.urls, MW_SCAN_URLS_MAX * 256);
	mw_buf_init(&c.exts, 1u << 16);
	g_mime_message_foreach(m, each_part, &c);
	if (m->mime_part && GMIME_IS_PART(m->mime_part) && !GMIME_IS_MULTIPART(m->mime_part) &&
	    c.text.len == 0 && res->nattach == 0)
		each_part(NULL, m->mime_part, &c); /* a single-part message */
	res->text_bytes = c.text.len;
	header_rules(rs, m, res);
	content_rules(rs, &c, res);
	res->hold = res->score >= rs->threshold;
	mw_buf_free(&c.text);
	mw_buf_free(&c.urls);
	mw_buf_free(&c.exts);
	g_object_unref(m);
	return MW_OK;
}
