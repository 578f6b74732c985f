/*
 * audit/smtp_reply.c - SMTP reply parser (see smtp_reply.h).
 */
#include "audit/smtp_reply.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"

/* line_code - "DDD" followed by '-', ' ' or the end; -1 if not */
static int line_code(const char *s, size_t n, char *sep)
{
	if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
	    s[2] > '9')
		return -1;
	*sep = n > 3 ? s[3] : ' ';
	if (*sep != '-' && *sep != ' ')
		return -1;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* smtp_reply_parse - one reply */
mw_status smtp_reply_parse(const char *buf, size_t len, smtp_reply *out, size_t *used)
{
	memset(out, 0, sizeof(*out));
	*used = 0;
	mw_buf text;
	mw_buf_init(&text, MW_SMTP_REPLY_MAX);
	size_t off = 0;
	mw_status st = MW_ENOTFOUND;
	for (;;) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t avail = nl ? (size_t)(nl - (buf + off)) : len - off;
		if (avail > MW_SMTP_LINE_MAX) {
			st = MW_ETOOBIG;
			break;
		}
		if (!nl)
			break; /* incomplete: MW_ENOTFOUND, unless what we have is already garbage */
		size_t n = avail;
		if (n && buf[off + n - 1] == '\r')
			n--;
		char sep;
		int code = line_code(buf + off, n, &sep);
		if (code < 0 || (out->code && code != out->code)) {
			st = MW_EPARSE;
			break;
		}
		for (size_t i = 4; i < n; i++)
			if ((unsigned char)buf[off + i] < 0x20 && buf[off + i] != '\t') {
				st = MW_EPARSE;
				goto done;
			}
		out->code = code;
		if (++out->nlines > MW_SMTP_LINES_MAX) {
			st = MW_ETOOBIG;
			break;
		}
		if ((out->nlines > 1 && mw_buf_putc(&text, '\n') != MW_OK) ||
		    (n > 4 && mw_buf_append(&text, buf + off + 4, n - 4) != MW_OK)) {
			st = MW_ETOOBIG;
			break;
		}
		off += avail + 1;
		if (sep == ' ') {
			st = MW_OK;
			break;
		}
	}
done:
	if (st == MW_ENOTFOUND && len - off >= 4) {
		char sep; /* a started line must begin like a reply line */
		if (line_code(buf + off, 4, &sep) < 0)
			st = MW_EPARSE;
	} else if (st == MW_ENOTFOUND && len > off) {
		for (size_t i = off; i < len; i++)
			if (buf[i] < '0' || buf[i] > '9')
				st = MW_EPARSE;
	}
	if (st != MW_OK) {
		mw_buf_free(&text);
		memset(out, 0, sizeof(*out));
		return st;
	}
	out->text = mw_buf_steal(&text);
	if (!out->text) {
		memset(out, 0, sizeof(*out));
		return MW_ENOMEM;
	}
	*used = off;
	return MW_OK;
}

/* smtp_reply_free - release */
void smtp_reply_free(smtp_reply *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* smtp_reply_ext - EHLO keyword lookup */
bool smtp_reply_ext(const smtp_reply *r, const char *kw, char *params, size_t n)
{
	if (!r->text)
		return false;
	size_t kl = strlen(kw);
	const char *p = strchr(r->text, '\n'); /* the first line is the greeting */
	while (p) {
		p++;
		size_t ll = strcspn(p, "\n");
		if (ll >= kl && mw_strcaseeq_n(p, kl, kw) && (ll == kl || p[kl] == ' ' || p[kl] == '=')) {
			if (params && n) {
				size_t pl = ll > kl ? ll - kl - 1 : 0;
				if (pl >= n)
					pl = n - 1;
				memcpy(params, p + ll - pl, pl);
				params[pl] = 0;
			}
			return true;
		}
		p = strchr(p, '\n');
	}
	return false;
}
