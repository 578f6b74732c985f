/*
 * bounce/textbounce.c - heuristics for plain-text bounces (tables first).
 */
#include "bounce/textbounce.h"

#include <string.h>

#include "core/limits.h"
#include "core/str.h"

/* Where the returned original starts (lower case, substring of a line).
 * dashed: only when the line starts with a rule (---, ===, ***, ___). */
typedef struct marker {
	const char *text;
	bool dashed;
} marker;

static const marker ORIGINAL_MARKERS[] = {
	{"below this line is a copy of the message", false},
	{"this is a copy of the message", false},
	{"original message follows", false},
	{"unsent message follows", false},
	{"original message headers", false},
	{"headers of the original message", false},
	{"header of the original message", false},
	{"message headers follow", false},
	{"the original message headers", false},
	{"returned message", true},
	{"original message", true},
	{"forwarded message", true},
	{"undelivered message", true},
	{"rfc822", true},
	{"message text follows", false},
	{"content-type: message/rfc822", false},
	{"content-type: text/rfc822-headers", false},
};

/* Lines starting with these open an inline copy of the original headers. */
static const char *const HEADER_STARTS[] = {"return-path:", "received: from", "received: by",
					     "message-id:", "dkim-signature:"};

/* Text before an address that makes it a recipient (lower case). */
static const char *const RCPT_PREFIXES[] = {
	"rcpt to:", "final-recipient: rfc822;", "original-recipient: rfc822;",
	"final-recipient:", "recipient address:", "recipient:", "failed recipient:",
	"address:", "user:", "mailbox:", "smtp=",
	"your message to", "delivery to", "could not be delivered to", "deliver to",
	"delivered to", "couldn't be delivered to", "undeliverable to", "addressed to",
	"message to", "mail to", "sent to", "for", "to:", "to",
};

/* Format signatures: text found anywhere in the error section. */
typedef struct signature {
	const char *needle;
	const char *format;
} signature;

static const signature SIGNATURES[] = {
	{"qmail-send program", "qmail"},
	{"created automatically by mail delivery software", "exim"},
	{"this is the mail system at host", "postfix"},
	{"the original message was received at", "sendmail"},
	{"transcript of session follows", "sendmail"},
	{"delivery has failed to these recipients", "exchange"},
	{"your message to", "office365"},
	{"delivery to the following recipient failed", "gmail"},
	{"message you sent could not be delivered", "gmail"},
	{"yahoo", "yahoo"},
	{"gmx", "gmx"},
	{"amazonses", "amazonses"},
	{"the following message to", "opensmtpd"},
	{"delivery to the following recipients failed", "exchange"},
	{"mailer-daemon", "generic"},
};

/* Phrases of a delay warning rather than a failure. */
static const char *const TEMPORARY[] = {
	"will keep trying", "will continue to try", "will retry", "still trying",
	"this is a warning message only", "not yet been delivered", "delivery is delayed",
	"has been delayed", "delivery delayed", "will be retried", "no need to resend",
	"warning: message", "delayed mail",
};

/* Bounce subjects / senders / bodies. */
static const char *const BOUNCE_PHRASES[] = {
	"undeliver", "delivery status notification", "returned mail", "failure notice",
	"delivery failure", "delivery failed", "mail delivery", "non-delivery", "nondeliver",
	"non delivery", "could not be delivered", "couldn't be delivered", "not be delivered",
	"mail system error", "returned to sender", "delivery notification", "permanent error",
	"delivery problem", "delivery has failed", "mailer-daemon", "postmaster",
	"rejected", "failed delivery", "delivery report", "message not delivered",
	"unable to deliver", "mail failure", "bounce", "delivery error", "warning: could not send",
	"delayed mail", "delivery delayed", "not delivered", "error sending message",
	"problem delivering", "was not delivered", "could not deliver", "user unknown",
	"message delivery", "qmail-send", "mail could not",
};

static bool is_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

static bool is_domain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || c == '.' || c == '-' || c == '_';
}

/* mw_text_find_address - see header */
long mw_text_find_address(const char *s, size_t n, size_t *len)
{
	for (size_t at = 0; at < n; at++) {
		if (s[at] != '@' || at == 0)
			continue;
		size_t b = at;
		while (b > 0 && is_local_char((unsigned char)s[b - 1]) && at - b < 128)
			b--;
		while (b < at && (s[b] == '.' || s[b] == '\''))
			b++;
		size_t e = at + 1;
		bool dot = false;
		while (e < n && is_domain_char((unsigned char)s[e]) && e - at < 256)
			dot |= s[e++] == '.';
		while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
			e--;
		if (b == at || e == at + 1 || !dot || !memchr(s + at + 1, '.', e - at - 1))
			continue;
		/* Exchange writes "SMTP=user@domain" */
		if (at - b > 5 && mw_strcaseeq_n(s + b, 5, "smtp="))
			b += 5;
		*len = e - b;
		return (long)b;
	}
	return -1;
}

/* lower_copy - lower-cased copy of at most max-1 bytes */
static size_t lower_copy(const char *s, size_t n, char *out, size_t max)
{
	size_t k = n < max - 1 ? n : max - 1;
	for (size_t i = 0; i < k; i++)
		out[i] = mw_tolower(s[i]);
	out[k] = '\0';
	return k;
}

static bool has_any(const char *hay, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (memmem(hay, n, list[i], strlen(list[i])))
			return true;
	return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* mw_text_looks_like_bounce - any bounce phrase in subject, from or body start */
bool mw_text_looks_like_bounce(const char *subject, const char *from, const char *body, size_t n)
{
	char buf[4096];
	const char *parts[2] = {subject, from};
	for (int i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		size_t k = lower_copy(parts[i], strlen(parts[i]), buf, sizeof(buf));
		if (has_any(buf, k, BOUNCE_PHRASES, COUNT(BOUNCE_PHRASES)))
			return true;
	}
	if (!body)
		return false;
	size_t k = lower_copy(body, n, buf, sizeof(buf));
	return has_any(buf, k, BOUNCE_PHRASES, 12); /* the unambiguous first dozen */
}

/* line_starts_header - the line is the first header of an inline original */
static bool line_starts_header(const char *ls, const char *le)
{
	char buf[64];
	size_t k = lower_copy(ls, (size_t)(le - ls), buf, sizeof(buf));
	for (size_t i = 0; i < COUNT(HEADER_STARTS); i++)
		if (k >= strlen(HEADER_STARTS[i]) &&
		    strncmp(buf, HEADER_STARTS[i], strlen(HEADER_STARTS[i])) == 0)
			return true;
	return false;
}

/* line_is_marker - the line opens the returned original */
static bool line_is_marker(const char *ls, const char *le)
{
	char buf[256];
	const char *s = ls, *e = le;
	mw_trim(&s, &e);
	size_t k = lower_copy(s, (size_t)(e - s), buf, sizeof(buf));
	if (k == 0)
		return false;
	bool dashed = k >= 2 && strchr("-=*_", buf[0]) && buf[1] == buf[0];
	for (size_t i = 0; i < COUNT(ORIGINAL_MARKERS); i++)
		if ((!ORIGINAL_MARKERS[i].dashed || dashed) &&
		    strstr(buf, ORIGINAL_MARKERS[i].text))
			return true;
	return line_starts_header(ls, le);
}

/* excluded - address is in the exclude list */
static bool excluded(const char *a, size_t n, const char *const *exclude)
{
	for (size_t i = 0; exclude && exclude[i]; i++)
		if (mw_strcaseeq_n(a, n, exclude[i]))
			return true;
	return false;
}

/* rcpt_on_line - offset of a recipient address on this line, or -1 */
static long rcpt_on_line(const char *ls, const char *le, size_t *alen)
{
	size_t n = (size_t)(le - ls);
	long off = mw_text_find_address(ls, n, alen);
	if (off < 0)
		return -1;
	/* address first on the line (after blanks, quotes, brackets, and a
	 * leading SMTP reply code as in Sendmail transcripts "554 <a@b>...") */
	size_t i = 0;
	while (i < (size_t)off && strchr(" \t<\"'(*-[>", ls[i]))
		i++;
	if (i + 4 <= (size_t)off && strchr("245", ls[i]) && ls[i + 1] >= '0' &&
	    ls[i + 1] <= '9' && ls[i + 2] >= '0' && ls[i + 2] <= '9' && strchr(" -", ls[i + 3])) {
		i += 4;
		while (i < (size_t)off && strchr(" \t<\"'", ls[i]))
			i++;
	}
	const char *after = ls + off + *alen;
	bool end_ok = after >= le || strchr(">:\"') .,;]\t<", *after);
	if (i == (size_t)off && end_ok && !(after < le && *after == ':' && after + 1 < le &&
					      after[1] != ' ' && after[1] != '\t'))
		return off;
	/* or introduced by a recipient phrase */
	char buf[512];
	size_t k = lower_copy(ls, (size_t)off, buf, sizeof(buf));
	while (k > 0 && strchr(" \t<\"'", buf[k - 1]))
		buf[--k] = '\0';
	/* "User's mailbox is full: <a@b>", "Unknown user: a@b" (not a header) */
	if (k > 1 && buf[k - 1] == ':' && k < 64 && memchr(buf, ' ', k - 1) &&
	    ls[0] != ' ' && ls[0] != '\t')
		return off;
	for (size_t p = 0; p < COUNT(RCPT_PREFIXES); p++) {
		size_t pl = strlen(RCPT_PREFIXES[p]);
		if (k >= pl && memcmp(buf + k - pl, RCPT_PREFIXES[p], pl) == 0 &&
		    (k == pl || !((buf[k - pl - 1] >= 'a' && buf[k - pl - 1] <= 'z'))))
			return off;
	}
	return -1;
}

/* add_rcpt - append unless a duplicate; false when out of budget */
static bool add_rcpt(mw_pool *pool, mw_text_bounce *out, size_t *cap, const char *a, size_t n,
		     const char *diag, size_t dn)
{
	for (size_t i = 0; i < out->nrcpt; i++)
		if (mw_strcaseeq_n(a, n, out->rcpts[i].address)) {
			if (!out->rcpts[i].diagnostic[0] && dn)
				out->rcpts[i].diagnostic = mw_pool_strndup(pool, diag, dn);
			return out->rcpts[i].diagnostic != NULL;
		}
	if (out->nrcpt >= MW_BOUNCE_RCPTS_MAX)
		return true;
	if (out->nrcpt == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		mw_text_rcpt *r = mw_pool_alloc(pool, nc * sizeof(*r));
		if (!r)
			return false;
		if (out->nrcpt)
			memcpy(r, out->rcpts, out->nrcpt * sizeof(*r));
		out->rcpts = r;
		*cap = nc;
	}
	mw_text_rcpt *r = &out->rcpts[out->nrcpt++];
	r->address = mw_pool_strndup(pool, a, n);
	r->diagnostic = mw_pool_strndup(pool, diag, dn);
	return r->address && r->diagnostic;
}

/* transcript_entry - a Sendmail V5 transcript line "550 host (smtp)... text":
 * it starts the next entry, never continues this one */
static bool transcript_entry(const char *ls, const char *le)
{
	return le - ls > 8 && strchr("245", ls[0]) && ls[1] >= '0' && ls[1] <= '9' &&
	       ls[2] >= '0' && ls[2] <= '9' && ls[3] == ' ' &&
	       memmem(ls, (size_t)(le - ls), "...", 3);
}

/* diag_span - rest of the line after the address plus following lines up to
 * a blank line or the next recipient line (at most 2 KiB) */
static size_t diag_span(const char *from, const char *end, const char **start)
{
	while (from < end && strchr(">:\"') \t", *from))
		from++;
	*start = from;
	if (from >= end)
		return 0;
	const char *p = memchr(from, '\n', (size_t)(end - from));
	p = p ? p + 1 : end;
	/* "There was an error delivering your mail to <a@b>." then a blank
	 * line: the reason is the whole next paragraph */
	bool word = false, para = false;
	for (const char *c = from; c < p; c++)
		word |= (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
	if (!word) {
		while (p < end && (*p == '\n' || *p == ' ' || *p == '\t'))
			p++;
		*start = from = p;
		para = true;
	}
	while (p < end && (size_t)(p - from) < 2048) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		le = le ? le : end;
		const char *s = p, *e = le;
		mw_trim(&s, &e);
		size_t al;
		if (s == e || (!para && rcpt_on_line(p, le, &al) >= 0) || line_is_marker(p, le) ||
		    transcript_entry(p, le))
			break;
		p = le < end ? le + 1 : end;
	}
	return (size_t)(p - from);
}

/* scan_recipients - every recipient line of the error section */
static bool scan_recipients(mw_pool *pool, const char *s, const char *end,
			    const char *const *exclude, mw_text_bounce *out)
{
	size_t cap = 0;
	for (const char *p = s; p < end;) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		le = le ? le : end;
		size_t alen;
		long off = rcpt_on_line(p, le, &alen);
		if (off >= 0 && !excluded(p + off, alen, exclude)) {
			const char *ds;
			size_t dn = diag_span(p + off + alen, end, &ds);
			if (!add_rcpt(pool, out, &cap, p + off, alen, ds, dn))
				return false;
		}
		p = le < end ? le + 1 : end;
	}
	return true;
}

/* drop_daemons - postmaster@ / mailer-daemon@ are the bounce's author, not
 * a recipient, when the text names other addresses too */
static void drop_daemons(mw_text_bounce *out)
{
	static const char *const locals[] = {"postmaster@", "mailer-daemon@"};
	size_t k = 0;
	for (size_t i = 0; i < out->nrcpt; i++) {
		bool daemon = false;
		for (size_t j = 0; j < COUNT(locals); j++)
			daemon |= mw_strcaseeq_n(out->rcpts[i].address, strlen(locals[j]), locals[j]);
		if (!daemon || out->nrcpt == 1)
			out->rcpts[k++] = out->rcpts[i];
	}
	out->nrcpt = k;
}

/* mw_text_bounce_scan - see header */
bool mw_text_bounce_scan(mw_pool *pool, const char *text, size_t n, const char *const *exclude,
			 mw_text_bounce *out)
{
	memset(out, 0, sizeof(*out));
	if (n > MW_BOUNCE_TEXT_MAX)
		n = MW_BOUNCE_TEXT_MAX;
	const char *end = text + n, *cut = end;
	for (const char *p = text; p < end;) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		le = le ? le : end;
		/* never cut on the first line: the whole text would be "original" */
		if (p > text && line_is_marker(p, le)) {
			cut = p;
			break;
		}
		p = le < end ? le + 1 : end;
	}
	out->error_text = text;
	out->error_len = (size_t)(cut - text);
	if (cut < end) {
		/* a header line is part of the original; a rule line is not */
		const char *o = memchr(cut, '\n', (size_t)(end - cut));
		out->original = line_starts_header(cut, o ? o : end) ? cut : (o ? o + 1 : end);
		out->original_len = (size_t)(end - out->original);
	}
	char low[8192];
	size_t k = lower_copy(text, out->error_len, low, sizeof(low));
	out->format = "unknown";
	for (size_t i = 0; i < COUNT(SIGNATURES); i++)
		if (memmem(low, k, SIGNATURES[i].needle, strlen(SIGNATURES[i].needle))) {
			out->format = SIGNATURES[i].format;
			break;
		}
	out->temporary = has_any(low, k, TEMPORARY, COUNT(TEMPORARY));
	if (!scan_recipients(pool, text, cut, exclude, out))
		return false;
	drop_daemons(out);
	return true;
}
