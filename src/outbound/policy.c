/*
 * outbound/policy.c - Postfix policy delegation protocol (see policy.h).
 *
 * One pass over the bytes: each line is checked (length, bytes, "name=")
 * and its position noted; only when the empty line is found are the lines
 * split in place.  Cost O(request bytes), no allocation.
 */
#include "outbound/policy.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/str.h"

static const char *const action_names[] = {
	[MW_PA_DUNNO] = "DUNNO",
	[MW_PA_OK] = "OK",
	[MW_PA_HOLD] = "HOLD",
	[MW_PA_DEFER_IF_PERMIT] = "DEFER_IF_PERMIT",
	[MW_PA_DEFER] = "DEFER",
	[MW_PA_REJECT] = "REJECT",
};

/* mw_policy_action_name - action keyword */
const char *mw_policy_action_name(mw_policy_action a)
{
	if ((size_t)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "DUNNO";
	return action_names[a];
}

/* mw_policy_action_parse - keyword to action */
int mw_policy_action_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (mw_strcaseeq(s, action_names[i]))
			return (int)i;
	return -1;
}

/* name_byte_ok - attribute names are short identifiers */
static bool name_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* has_ctl8 - true if one of 8 bytes is < 0x20 or 0x7f (bytes >= 0x80 are
 * fine: UTF-8).  Classic "has byte less than n" word trick. */
static inline bool has_ctl8(uint64_t x)
{
	const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
	uint64_t lt20 = (x - lo * 0x20) & ~x & hi;
	uint64_t y = x ^ (lo * 0x7f);
	uint64_t is7f = (y - lo) & ~y & hi;
	return (lt20 | is7f) != 0;
}

/* value_ok - no control byte except TAB in [p, e) */
static bool value_ok(const char *p, const char *e, unsigned char *bad)
{
	while (e - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		if (has_ctl8(x))
			break; /* find which byte below (may be a TAB) */
		p += 8;
	}
	for (; p < e; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*bad = c;
			return false;
		}
	}
	return true;
}

/* check_line - validate one line [s, e) (CR already stripped); returns the
 * offset of '=' or a negative value with err set */
static long check_line(const char *s, const char *e, mw_err *err)
{
	const char *p = s;
	while (p < e && name_byte_ok((unsigned char)*p))
		p++;
	if (p == e || *p != '=') {
		unsigned char c = p < e ? (unsigned char)*p : 0;
		if (p < e && ((c < 0x20 && c != '\t') || c == 0x7f))
			mw_err_set(err, MW_EPARSE, "control byte 0x%02x in attribute line", c);
		else if (p < e)
			mw_err_set(err, MW_EPARSE, "bad byte 0x%02x in attribute name", c);
		else
			mw_err_set(err, MW_EPARSE, "attribute line without '='");
		return -1;
	}
	if (p == s) {
		mw_err_set(err, MW_EPARSE, "empty attribute name");
		return -1;
	}
	unsigned char bad = 0;
	if (!value_ok(p + 1, e, &bad)) {
		mw_err_set(err, MW_EPARSE, "control byte 0x%02x in attribute line", bad);
		return -1;
	}
	return (long)(p - s);
}

/* parse_ulong - decimal digits only, capped at UINT64 range */
static bool parse_num(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!*s)
		return true; /* Postfix sends "size=" before the size is known */
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

typedef struct known {
	const char *name;
	size_t len, off;
} known;

#define K(f) {#f, sizeof(#f) - 1, offsetof(mw_policy_req, f)}
static const known known_attrs[] = {
	K(request),  K(protocol_state), K(protocol_name), K(client_address), K(client_name),
	K(sasl_username), K(sasl_method), K(sender), K(recipient), K(instance), K(queue_id),
	K(helo_name),
};
#undef K

/* fill_known - set the well-known shortcuts and check them */
static mw_status fill_known(mw_policy_req *req, mw_err *err)
{
	static const char empty[] = "";
	for (size_t k = 0; k < sizeof(known_attrs) / sizeof(known_attrs[0]); k++)
		*(const char **)((char *)req + known_attrs[k].off) = empty;
	bool have_count = false, have_size = false;
	unsigned long long n;
	for (size_t i = 0; i < req->nattrs; i++) {
		const mw_policy_attr *a = &req->attrs[i];
		size_t nlen = (size_t)(a->value - 1 - a->name);
		for (size_t k = 0; k < sizeof(known_attrs) / sizeof(known_attrs[0]); k++) {
			if (nlen != known_attrs[k].len || memcmp(a->name, known_attrs[k].name, nlen) != 0)
				continue;
			const char **slot = (const char **)((char *)req + known_attrs[k].off);
			if (*slot != empty)
				return mw_err_set(err, MW_EPARSE, "duplicate attribute %s", a->name);
			*slot = a->value;
		}
		if ((nlen == 15 && memcmp(a->name, "recipient_count", 15) == 0) ||
		    (nlen == 4 && memcmp(a->name, "size", 4) == 0)) {
			bool is_count = a->name[0] == 'r';
			n = 0;
			if ((is_count ? have_count : have_size) || !parse_num(a->value, &n))
				return mw_err_set(err, MW_EPARSE, "bad or duplicate %s", a->name);
			if (is_count) {
				req->recipient_count = n > 1000000000ull ? 1000000000ul : (unsigned long)n;
				have_count = true;
			} else {
				req->size = n;
				have_size = true;
			}
		}
	}
	if (!req->request[0])
		return mw_err_set(err, MW_EPARSE, "request attribute missing");
	if (strcmp(req->request, "smtpd_access_policy") != 0)
		return mw_err_set(err, MW_EPARSE, "unsupported request type");
	return MW_OK;
}

typedef struct line_pos {
	uint32_t start, end; /* content [start, end), end is the LF or the CR before it */
	uint32_t eq;         /* offset of '=' from start */
} line_pos;

/* split - NUL-terminate the noted lines in place and fill req */
static mw_status split(char *data, const line_pos *lines, size_t n, mw_policy_req *req,
		       mw_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char *line = data + lines[i].start;
		line[lines[i].eq] = '\0';
		data[lines[i].end] = '\0';
		req->attrs[i].name = line;
		req->attrs[i].value = line + lines[i].eq + 1;
		req->attrs[i].vlen = lines[i].end - lines[i].start - lines[i].eq - 1;
	}
	req->nattrs = n;
	req->recipient_count = 0;
	req->size = 0;
	return fill_known(req, err);
}

/* mw_policy_parse - one request, or "need more" */
mw_status mw_policy_parse(char *data, size_t len, mw_policy_req *req, size_t *used, mw_err *err)
{
	line_pos lines[MW_POLICY_ATTRS_MAX];
	size_t n = 0, pos = 0;
	*used = 0;
	for (;;) {
		size_t avail = len - pos;
		size_t look = avail < MW_POLICY_LINE_MAX + 2 ? avail : MW_POLICY_LINE_MAX + 2;
		const char *nl = memchr(data + pos, '\n', look);
		if (!nl) {
			if (avail > MW_POLICY_LINE_MAX + 1)
				return mw_err_set(err, MW_ETOOBIG, "attribute line longer than %d bytes",
						  MW_POLICY_LINE_MAX);
			if (len > MW_POLICY_REQ_MAX)
				return mw_err_set(err, MW_ETOOBIG, "request larger than %d bytes",
						  MW_POLICY_REQ_MAX);
			return MW_OK; /* need more */
		}
		size_t end = (size_t)(nl - data);
		if (end > pos && data[end - 1] == '\r')
			end--;
		if (end - pos > MW_POLICY_LINE_MAX)
			return mw_err_set(err, MW_ETOOBIG, "attribute line longer than %d bytes",
					  MW_POLICY_LINE_MAX);
		size_t next = (size_t)(nl - data) + 1;
		if (next > MW_POLICY_REQ_MAX)
			return mw_err_set(err, MW_ETOOBIG, "request larger than %d bytes",
					  MW_POLICY_REQ_MAX);
		if (end == pos) { /* the empty line */
			if (n == 0)
				return mw_err_set(err, MW_EPARSE, "empty request");
			*used = next;
			return split(data, lines, n, req, err);
		}
		if (n == MW_POLICY_ATTRS_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d attributes",
					  MW_POLICY_ATTRS_MAX);
		long eq = check_line(data + pos, data + end, err);
		if (eq < 0)
			return MW_EPARSE;
		lines[n++] = (line_pos){(uint32_t)pos, (uint32_t)end, (uint32_t)eq};
		pos = next;
	}
}

/* mw_policy_get - any attribute by name */
const char *mw_policy_get(const mw_policy_req *req, const char *name)
{
	for (size_t i = 0; i < req->nattrs; i++)
		if (strcmp(req->attrs[i].name, name) == 0)
			return req->attrs[i].value;
	return NULL;
}

/* mw_policy_answer - one answer block */
mw_status mw_policy_answer(mw_buf *out, mw_policy_action a, const char *text)
{
	char clean[MW_POLICY_TEXT_MAX + 1];
	size_t n = 0;
	if (text && a != MW_PA_DUNNO && a != MW_PA_OK) {
		for (; text[n] && n < MW_POLICY_TEXT_MAX; n++) {
			unsigned char c = (unsigned char)text[n];
			clean[n] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		}
	}
	clean[n] = '\0';
	size_t before = out->len;
	const char *name = mw_policy_action_name(a);
	mw_status st = mw_buf_append(out, "action=", 7);
	if (st == MW_OK)
		st = mw_buf_append(out, name, strlen(name));
	if (st == MW_OK && n)
		st = mw_buf_putc(out, ' ');
	if (st == MW_OK && n)
		st = mw_buf_append(out, clean, n);
	if (st == MW_OK)
		st = mw_buf_append(out, "\n\n", 2);
	if (st != MW_OK) {
		out->len = before; /* all or nothing */
		if (out->data)
			out->data[before] = '\0';
	}
	return st;
}
