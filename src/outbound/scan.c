/*
 * outbound/scan.c - run scan rules over a message: GMime decodes the MIME
 * tree (base64/QP, charsets); text is repaired to valid UTF-8; HTML is
 * reduced to text (tags, script and style dropped, named and numeric
 * entities decoded, zero-width characters removed) and links.  Pattern
 * rules go through scan_engine.c (one multi-pattern scan per set), url and
 * attachment rules through hash sets, the rest are per-message checks.
 * Matched rules are reported in rule-file order.
 */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "outbound/scan_int.h"

#define SCAN_LINK_MAX 2048 /* bytes of one link kept for link rules */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_init_once(void)
{
	g_mime_init();
}

typedef struct scan_found {
	uint32_t rule;
	char why[192];
} scan_found;

typedef struct scan_ctx {
	const mw_scan_rules *rs;
	mw_buf text;  /* decoded text of all text parts */
	mw_buf fold;  /* a Subject folded for phrase rules (scan_fold) */
	mw_buf links; /* full links, one per line */
	mw_buf hosts; /* link hosts, lower case, one per line */
	mw_buf exts;  /* attachment extensions, lower case, one per line */
	char encrypted[128]; /* name of an encrypted zip attachment, if any */
	mw_scan_result *res;
	uint8_t *done;     /* per rule: already matched */
	uint32_t *seen;    /* per rule: the scan generation that last confirmed it */
	uint32_t gen;
	scan_found *found; /* matched rules, in match order */
	size_t nfound, capfound;
	const char *subj; /* the current header value (header phase) */
	size_t subjlen;
	const char *field; /* its lower-case name */
} scan_ctx;

/* found_add - rule i matched (once per message) */
static void found_add(scan_ctx *c, uint32_t i, const char *what, const char *arg)
{
	if (c->done[i])
		return;
	if (c->nfound == c->capfound) {
		size_t cap = c->capfound ? c->capfound * 2 : 16;
		scan_found *f = realloc(c->found, cap * sizeof(*f));
		if (!f)
			return;
		c->found = f;
		c->capfound = cap;
	}
	c->done[i] = 1;
	scan_found *f = &c->found[c->nfound++];
	f->rule = i;
	snprintf(f->why, sizeof(f->why), "%.60s%.120s", what, arg);
}

/* ---- text extraction -------------------------------------------------- */

/* add_link - the link starting at u (scheme), host after hs */
static void add_link(scan_ctx *c, const char *u, const char *hs, const char *end)
{
	const char *e = u;
	while (e < end && e - u < SCAN_LINK_MAX && *e != ' ' && *e != '"' && *e != '\'' &&
	       *e != '<' && *e != '>' && *e != '\r' && *e != '\n' && *e != '\t')
		e++;
	const char *he = hs;
	while (he < e && *he != '/' && *he != '?' && *he != '#' && *he != '\\')
		he++;
	for (const char *at = hs; at < he; at++) /* userinfo@host: the host decides */
		if (*at == '@')
			hs = at + 1;
	const char *colon = memchr(hs, ':', (size_t)(he - hs));
	if (colon)
		he = colon;
	if (he == hs || he - hs > 253 || c->res->nurls >= MW_SCAN_URLS_MAX)
		return;
	mw_buf_append(&c->links, u, (size_t)(e - u));
	mw_buf_putc(&c->links, '\n');
	for (const char *h = hs; h < he; h++)
		mw_buf_putc(&c->hosts, mw_tolower(*h));
	mw_buf_putc(&c->hosts, '\n');
	c->res->nurls++;
}

/* find_urls - every http:// and https:// in s */
static void find_urls(scan_ctx *c, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;
	while (p < end && (q = memchr(p, ':', (size_t)(end - p)))) { /* ':' is rare in text */
		p = q + 1;
		if (end - q < 3 || q[1] != '/' || q[2] != '/')
			continue;
		if (q - s >= 5 && mw_strcaseeq_n(q - 5, 5, "https"))
			add_link(c, q - 5, q + 3, end);
		else if (q - s >= 4 && mw_strcaseeq_n(q - 4, 4, "http"))
			add_link(c, q - 4, q + 3, end);
	}
}

/* put_text - append to the scanned text, recording truncation */
static void put_text(scan_ctx *c, const char *s, size_t n)
{
	if (n && mw_buf_append(&c->text, s, n) != MW_OK)
		c->res->truncated = true;
}

/* html_out - output of the HTML reducer: a chunk, white space collapsed */
typedef struct html_out {
	scan_ctx *c;
	char b[4096];
	size_t n;
	char last;
} html_out;

static void html_flush(html_out *o)
{
	put_text(o->c, o->b, o->n);
	o->n = 0;
}

static void html_putc(html_out *o, char ch)
{
	if (ch == '\t' || ch == '\r' || ch == '\n')
		ch = ' ';
	if (ch == ' ' && o->last == ' ')
		return;
	if (o->n == sizeof(o->b))
		html_flush(o);
	o->b[o->n++] = ch;
	o->last = ch;
}

/* special - bytes the HTML reducer does not copy unchanged: white space,
 * '&', '<' */
static const bool special[256] = {['\t'] = true, ['\n'] = true, ['\r'] = true,
				  [' '] = true,	 ['&'] = true,	['<'] = true};

/* html_copy - plain bytes (no white space) into the output */
static void html_copy(html_out *o, const char *s, size_t n)
{
	if (o->n + n > sizeof(o->b)) {
		html_flush(o);
		if (n > sizeof(o->b)) {
			put_text(o->c, s, n);
			o->last = s[n - 1];
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
	o->last = s[n - 1];
}

/* html_cp - one code point as UTF-8; zero-width characters and soft
 * hyphens (used to split phrases) vanish, invalid ones become U+FFFD */
static void html_cp(html_out *o, unsigned long cp)
{
	if (cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF)
		return;
	if (cp == 0xA0)
		cp = ' ';
	if (!cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		html_putc(o, (char)cp);
	} else if (cp < 0x800) {
		html_putc(o, (char)(0xC0 | (cp >> 6)));
		html_putc(o, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		html_putc(o, (char)(0xE0 | (cp >> 12)));
		html_putc(o, (char)(0x80 | ((cp >> 6) & 0x3F)));
		html_putc(o, (char)(0x80 | (cp & 0x3F)));
	} else {
		html_putc(o, (char)(0xF0 | (cp >> 18)));
		html_putc(o, (char)(0x80 | ((cp >> 12) & 0x3F)));
		html_putc(o, (char)(0x80 | ((cp >> 6) & 0x3F)));
		html_putc(o, (char)(0x80 | (cp & 0x3F)));
	}
}

/* html_entity - decode the entity at s[0] == '&'; bytes consumed, 0 if none */
static size_t html_entity(html_out *o, const char *s, size_t n)
{
	static const struct {
		const char *ent;
		unsigned long cp;
	} ents[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},     {"&nbsp;", ' '},
		    {"&quot;", '"'}, {"&apos;", '\''}, {"&shy;", 0xAD}, {"&zwnj;", 0x200C},
		    {"&zwj;", 0x200D}};
	if (n > 3 && s[1] == '#') {
		bool hex = s[2] == 'x' || s[2] == 'X';
		size_t i = hex ? 3 : 2;
		unsigned long cp = 0;
		size_t digits = 0;
		for (; i < n && digits < 8; i++, digits++) {
			char ch = mw_tolower(s[i]);
			int d = ch >= '0' && ch <= '9'		 ? ch - '0'
				: hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
								 : -1;
			if (d < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (!digits || i >= n || s[i] != ';')
			return 0;
		html_cp(o, cp);
		return i + 1;
	}
	for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
		size_t el = strlen(ents[k].ent);
		if (n >= el && mw_strcaseeq_n(s, el, ents[k].ent)) {
			html_cp(o, ents[k].cp);
			return el;
		}
	}
	return 0;
}

/* html_tag - the tag at s[0] == '<': links collected, script/style state;
 * returns its length */
static size_t html_tag(scan_ctx *c, const char *s, size_t n, const char **skip_to)
{
	const char *e = memchr(s, '>', n);
	size_t tl = e ? (size_t)(e - s) + 1 : n;
	if (*skip_to) {
		size_t sl = strlen(*skip_to);
		if (tl >= sl && mw_strcaseeq_n(s, sl, *skip_to))
			*skip_to = NULL;
		return tl;
	}
	if (tl >= 7 && mw_strcaseeq_n(s, 7, "<script"))
		*skip_to = "</script";
	else if (tl >= 6 && mw_strcaseeq_n(s, 6, "<style"))
		*skip_to = "</style";
	find_urls(c, s, tl); /* href="http..." */
	return tl;
}

/* html_text - HTML reduced to text; links from tags and text */
static void html_text(scan_ctx *c, const char *s, size_t n)
{
	html_out o = {.c = c, .last = ' '};
	const char *skip_to = NULL;
	size_t i = 0;
	while (i < n) {
		if (s[i] == '<') {
			i += html_tag(c, s + i, n - i, &skip_to);
			if (!skip_to)
				html_putc(&o, ' ');
			continue;
		}
		const char *lt = memchr(s + i, '<', n - i);
		size_t run = lt ? (size_t)(lt - (s + i)) : n - i;
		if (skip_to) {
			i += run;
			continue;
		}
		find_urls(c, s + i, run);
		for (size_t k = i; k < i + run;) {
			size_t p = k; /* a run of bytes copied as they are */
			while (p < i + run && !special[(unsigned char)s[p]])
				p++;
			if (p > k) {
				html_copy(&o, s + k, p - k);
				k = p;
				continue;
			}
			size_t used = s[k] == '&' ? html_entity(&o, s + k, i + run - k) : 0;
			if (!used) {
				html_putc(&o, s[k]);
				used = 1;
			}
			k += used;
		}
		i += run;
	}
	html_flush(&o);
}

/* utf8_ok - valid UTF-8 without NUL: ASCII eight bytes at a time, the
 * rest through glib */
static bool utf8_ok(const char *t, size_t n)
{
	if (!n)
		return true; /* t may be NULL (an empty byte array) */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, t + i, 8);
		if ((w & 0x8080808080808080ull) ||
		    ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) /* high bit or NUL */
			break;
	}
	return g_utf8_validate_len(t + i, n - i, NULL);
}

/* valid_utf8 - t itself, or a repaired copy in *tmp (g_free it) */
static const char *valid_utf8(const char *t, size_t *n, char **tmp)
{
	*tmp = NULL;
	if (utf8_ok(t, *n))
		return t;
	*tmp = g_utf8_make_valid(t, (gssize)*n);
	*n = strlen(*tmp);
	return *tmp;
}

/* zip_encrypted - the attachment is a zip whose first entry is encrypted
 * (local file header "PK\3\4", general purpose flag bit 0; APPNOTE 4.3.7) */
static bool zip_encrypted(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (!raw)
		return false;
	GMimeStream *sub = g_mime_stream_substream(raw, raw->bound_start, raw->bound_end);
	GMimeStream *fs = g_mime_stream_filter_new(sub);
	GMimeFilter *f = g_mime_filter_basic_new(g_mime_data_wrapper_get_encoding(w), FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
	unsigned char h[30];
	size_t got = 0;
	for (int tries = 0; got < sizeof(h) && tries < 64; tries++) {
		ssize_t r = g_mime_stream_read(fs, (char *)h + got, sizeof(h) - got);
		if (r <= 0 && g_mime_stream_eos(fs))
			break;
		if (r > 0)
			got += (size_t)r;
	}
	g_object_unref(f);
	g_object_unref(fs);
	g_object_unref(sub);
	return got >= 8 && !memcmp(h, "PK\3\4", 4) && (h[6] & 1);
}

/* attachment - record the extension; look inside zips when a rule asks */
static void attachment(scan_ctx *c, GMimeObject *part, const char *fn)
{
	const char *dot = strrchr(fn, '.');
	if (dot && dot[1] && strlen(dot + 1) < 32) {
		for (const char *p = dot + 1; *p; p++)
			mw_buf_putc(&c->exts, mw_tolower(*p));
		mw_buf_putc(&c->exts, '\n');
		if (c->rs->has_encrypted && !c->encrypted[0] && mw_strcaseeq(dot + 1, "zip") &&
		    zip_encrypted(GMIME_PART(part)))
			mw_strlcpy(c->encrypted, fn, sizeof(c->encrypted));
	}
	c->res->nattach++;
}

/* part_text - the decoded text of a part (g_free it): without charset
 * conversion when it is already valid UTF-8 and declared UTF-8, US-ASCII
 * or nothing (iconv from UTF-8 to UTF-8 was a third of the scan time),
 * else through GMime's charset conversion */
static char *part_text(GMimeObject *part, size_t *n, bool *valid)
{
	*valid = false;
	const char *cs = g_mime_object_get_content_type_parameter(part, "charset");
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(part));
	if (w && (!cs || !g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "us-ascii"))) {
		GByteArray *ba = g_byte_array_new();
		GMimeStream *ms = g_mime_stream_mem_new_with_byte_array(ba); /* owns ba */
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(ms), FALSE);
		g_mime_data_wrapper_write_to_stream(w, ms);
		g_object_unref(ms);
		if (utf8_ok((const char *)ba->data, ba->len)) {
			*n = ba->len;
			*valid = true;
			g_byte_array_append(ba, (const guint8 *)"", 1);
			return (char *)g_byte_array_free(ba, FALSE);
		}
		g_byte_array_free(ba, TRUE);
	}
	char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	*n = t ? strlen(t) : 0;
	return t;
}

/* each_part - GMime callback for every leaf part */
static void each_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	scan_ctx *c = data;
	if (!GMIME_IS_PART(part))
		return;
	const char *fn = g_mime_part_get_filename(GMIME_PART(part));
	if (fn)
		attachment(c, part, fn);
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (!GMIME_IS_TEXT_PART(part) || (fn && !g_mime_content_type_is_type(ct, "text", "*")))
		return;
	size_t n;
	bool valid;
	char *t = part_text(part, &n, &valid), *fixed = NULL;
	if (!t)
		return;
	const char *v = valid ? t : valid_utf8(t, &n, &fixed);
	if (g_mime_content_type_is_type(ct, "text", "html")) {
		html_text(c, v, n);
	} else {
		find_urls(c, v, n);
		put_text(c, v, n);
	}
	put_text(c, "\n", 1);
	g_free(fixed);
	g_free(t);
}

/* ---- rules ------------------------------------------------------------ */

/* fresh - rule i is not matched yet and not yet tried in this scan (one
 * rule may report once per phrase) */
static bool fresh(scan_ctx *c, uint32_t i)
{
	if (c->done[i] || c->seen[i] == c->gen)
		return false;
	c->seen[i] = c->gen;
	return true;
}

/* run - one engine scan, a new generation */
static void run(scan_ctx *c, scan_set set, const char *s, size_t n, scan_cand_fn fn)
{
	c->gen++;
	(void)scan_engine_run(c->rs, set, s, n, fn, c);
}

/* cand_header - a header-set candidate: confirm against the field value */
static void cand_header(void *ctx, uint32_t i, size_t end)
{
	scan_ctx *c = ctx;
	const scan_rule *r = &c->rs->rule[i];
	char why[128];
	if (r->kind == SCAN_HEADER && !strcmp(r->field, c->field) && fresh(c, i) &&
	    scan_confirm(c->rs, r, c->subj, c->subjlen, end, why, sizeof(why)))
		found_add(c, i, "header matched: ", why);
}

/* cand_subject - a phrase candidate in the folded Subject (reported at
 * every occurrence of a phrase, or once with end unknown) */
static void cand_subject(void *ctx, uint32_t i, size_t end)
{
	scan_ctx *c = ctx;
	char why[128];
	if (!c->done[i] && (end != SIZE_MAX || fresh(c, i)) && scan_confirm(c->rs, &c->rs->rule[i], mw_buf_cstr(&c->fold), c->fold.len,
					end, why, sizeof(why)))
		found_add(c, i, "phrase in Subject: ", why);
}

/* header_values - header rules and phrases over the decoded field values
 * that some rule looks at */
static void header_values(scan_ctx *c, GMimeMessage *m)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	for (int k = 0; k < g_mime_header_list_get_count(hl); k++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, k);
		const char *name = g_mime_header_get_name(h), *v = g_mime_header_get_value(h);
		char lname[128];
		if (!v || !name || strlen(name) >= sizeof(lname))
			continue;
		mw_strlower(strcpy(lname, name));
		bool field = mw_htab_get(c->rs->fields, lname, strlen(lname)) != NULL;
		bool subj = c->rs->has_phrase && !strcmp(lname, "subject");
		if (!field && !subj)
			continue;
		char *fixed;
		c->subjlen = strlen(v);
		c->subj = valid_utf8(v, &c->subjlen, &fixed);
		c->field = lname;
		if (field)
			run(c, SCAN_SET_HEADER, c->subj, c->subjlen, cand_header);
		mw_buf_reset(&c->fold);
		if (subj && mw_buf_append(&c->fold, c->subj, c->subjlen) == MW_OK) {
			c->fold.len = scan_fold(c->fold.data, c->fold.len);
			c->fold.data[c->fold.len] = '\0';
			run(c, SCAN_SET_PHRASE, mw_buf_cstr(&c->fold), c->fold.len, cand_subject);
		}
		g_free(fixed);
	}
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

/* claims_own - the display name (lower case) names one of the rule's
 * domains or brand words while the From domain is none of its domains;
 * the item named into out */
static bool claims_own(const scan_rule *r, const char *dn, const char *fd, char *out, size_t n)
{
	const char *claim = NULL;
	for (size_t k = 0; k < r->nlist; k++) {
		const char *item = r->list[k], *p = dn;
		bool domain = strchr(item, '.') != NULL;
		if (domain && fd[0] && mw_domain_is_sub(fd, item))
			return false; /* really from one of our domains */
		size_t il = strlen(item);
		for (; !claim && (p = strstr(p, item)); p++) {
			bool left = p == dn || !(g_ascii_isalnum(p[-1]));
			bool right = !g_ascii_isalnum(p[il]);
			if (domain || (left && right))
				claim = item;
		}
	}
	if (claim)
		mw_strlcpy(out, claim, n);
	return claim != NULL;
}

/* address_rules - reply-to, display-name, many-to */
static void address_rules(scan_ctx *c, GMimeMessage *m)
{
	InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(m));
	InternetAddressMailbox *rt = first_mailbox(g_mime_message_get_reply_to(m));
	char fd[256] = "", rd[256] = "", why[200], dl[256] = "";
	if (from)
		addr_domain(internet_address_mailbox_get_addr(from), fd, sizeof(fd));
	if (rt)
		addr_domain(internet_address_mailbox_get_addr(rt), rd, sizeof(rd));
	const char *dn = from ? internet_address_get_name(INTERNET_ADDRESS(from)) : NULL;
	if (dn)
		mw_strlower(strncpy(dl, dn, sizeof(dl) - 1));
	int nto = internet_address_list_length(g_mime_message_get_to(m)) +
		  internet_address_list_length(g_mime_message_get_cc(m));
	for (uint32_t i = 0; i < c->rs->n; i++) {
		const scan_rule *r = &c->rs->rule[i];
		if (r->kind == SCAN_REPLYTO && fd[0] && rd[0] && strcmp(fd, rd) != 0) {
			snprintf(why, sizeof(why), "%.90s vs From %.90s", rd, fd);
			found_add(c, i, "Reply-To domain ", why);
		} else if (r->kind == SCAN_DISPLAY && dn && fd[0] && strchr(dn, '@')) {
			char dd[256];
			if (addr_domain(dn, dd, sizeof(dd)) && !mw_domain_is_sub(dd, fd) &&
			    !mw_domain_is_sub(fd, dd))
				found_add(c, i, "display name shows another domain: ", dn);
		} else if (r->kind == SCAN_DISPLAY_OWN && dl[0] && claims_own(r, dl, fd, why, 64)) {
			snprintf(why + strlen(why), sizeof(why) - strlen(why), " from %.100s", fd);
			found_add(c, i, "display name claims ", why);
		} else if (r->kind == SCAN_MANYTO && nto > r->n) {
			snprintf(why, sizeof(why), "%d", nto);
			found_add(c, i, "addresses in To and Cc: ", why);
		} else if (r->kind == SCAN_ENCRYPTED && c->encrypted[0]) {
			found_add(c, i, "encrypted zip attachment: ", c->encrypted);
		}
	}
}

/* cand_body - a body-set candidate over the decoded text */
static void cand_body(void *ctx, uint32_t i, size_t end)
{
	scan_ctx *c = ctx;
	char why[128];
	if (fresh(c, i) && scan_confirm(c->rs, &c->rs->rule[i], mw_buf_cstr(&c->text), c->text.len,
					end, why, sizeof(why)))
		found_add(c, i, "body matched: ", why);
}

/* cand_phrase - a phrase candidate over the (by then folded) text */
static void cand_phrase(void *ctx, uint32_t i, size_t end)
{
	scan_ctx *c = ctx;
	char why[128];
	if (!c->done[i] && (end != SIZE_MAX || fresh(c, i)) && scan_confirm(c->rs, &c->rs->rule[i], mw_buf_cstr(&c->text), c->text.len,
					end, why, sizeof(why)))
		found_add(c, i, "phrase: ", why);
}

/* cand_link - a link-set candidate over the links, one per line */
static void cand_link(void *ctx, uint32_t i, size_t end)
{
	scan_ctx *c = ctx;
	char why[128];
	if (fresh(c, i) && scan_confirm(c->rs, &c->rs->rule[i], mw_buf_cstr(&c->links),
					c->links.len, end, why, sizeof(why)))
		found_add(c, i, "link matched: ", why);
}

/* list_rules - each line of b looked up in a hash set; domains also by
 * every parent (a.b.example, b.example, example) */
static void list_rules(scan_ctx *c, const mw_buf *b, const mw_htab *set, bool domains,
		       const char *what)
{
	const char *p = mw_buf_cstr(b);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char item[256];
		snprintf(item, sizeof(item), "%.*s", (int)(len < 255 ? len : 255), p);
		for (const char *k = item; k && *k;) {
			const scan_idlist *l = mw_htab_get(set, k, strlen(k));
			for (size_t j = 0; l && j < l->n; j++)
				found_add(c, l->v[j], what, item);
			k = domains ? strchr(k, '.') : NULL;
			k = k ? k + 1 : NULL;
		}
		p += len + (e ? 1 : 0);
	}
}

/* by_rule - qsort order of found rules */
static int by_rule(const void *a, const void *b)
{
	uint32_t x = ((const scan_found *)a)->rule, y = ((const scan_found *)b)->rule;
	return x < y ? -1 : x > y;
}

/* score - found rules, in rule order, into the result */
static void score(scan_ctx *c, mw_scan_result *res)
{
	if (c->nfound)
		qsort(c->found, c->nfound, sizeof(*c->found), by_rule);
	for (size_t k = 0; k < c->nfound; k++) {
		const scan_rule *r = &c->rs->rule[c->found[k].rule];
		res->score += r->score;
		if (res->nhits == MW_SCAN_HITS_MAX)
			continue;
		mw_scan_hit *h = &res->hit[res->nhits++];
		mw_strlcpy(h->rule, r->name, sizeof(h->rule));
		h->score = r->score;
		mw_strlcpy(h->why, c->found[k].why, sizeof(h->why));
	}
	res->hold = res->score >= c->rs->threshold;
}

/* run_rules - every rule kind over the collected message parts */
static void run_rules(scan_ctx *c, GMimeMessage *m)
{
	header_values(c, m);
	address_rules(c, m);
	run(c, SCAN_SET_BODY, mw_buf_cstr(&c->text), c->text.len, cand_body);
	if (c->rs->has_phrase && c->text.len) { /* body rules are done: fold the text in place */
		c->text.len = scan_fold(c->text.data, c->text.len);
		c->text.data[c->text.len] = '\0';
		run(c, SCAN_SET_PHRASE, c->text.data, c->text.len, cand_phrase);
	}
	run(c, SCAN_SET_LINK, mw_buf_cstr(&c->links), c->links.len, cand_link);
	list_rules(c, &c->hosts, c->rs->domains, true, "link to ");
	list_rules(c, &c->exts, c->rs->exts, false, "attachment type .");
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
	scan_ctx c = {.rs = rs, .res = res, .done = calloc(rs->n + 1, 1),
		      .seen = calloc(rs->n + 1, sizeof(uint32_t))};
	if (!c.done || !c.seen) {
		free(c.done);
		free(c.seen);
		g_object_unref(m);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	mw_buf_init(&c.text, MW_SCAN_TEXT_MAX);
	mw_buf_init(&c.fold, MW_SCAN_TEXT_MAX);
	mw_buf_init(&c.links, MW_SCAN_URLS_MAX * (SCAN_LINK_MAX + 1));
	mw_buf_init(&c.hosts, MW_SCAN_URLS_MAX * 256);
	mw_buf_init(&c.exts, 1u << 16);
	g_mime_message_foreach(m, each_part, &c);
	if (m->mime_part && GMIME_IS_PART(m->mime_part) && !GMIME_IS_MULTIPART(m->mime_part) &&
	    c.text.len == 0 && res->nattach == 0)
		each_part(NULL, m->mime_part, &c); /* a single-part message */
	res->text_bytes = c.text.len;
	run_rules(&c, m);
	score(&c, res);
	mw_buf_free(&c.text);
	mw_buf_free(&c.fold);
	mw_buf_free(&c.links);
	mw_buf_free(&c.hosts);
	mw_buf_free(&c.exts);
	free(c.found);
	free(c.done);
	free(c.seen);
	g_object_unref(m);
	return MW_OK;
}
