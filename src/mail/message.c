/*
 * mail/message.c - raw RFC 5322 message input (see message.h).
 */
#include "mail/message.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

/* bytes_eq - high bit of each byte of w set exactly where it equals the byte of pat */
static inline uint64_t bytes_eq(uint64_t w, uint64_t pat)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t v = w ^ pat;
	return ~(((v & lo7) + lo7) | v | lo7);
}

/* regular_span - length of the prefix of p[0..n) in which every CR is followed
 * by LF and every LF preceded by CR (or by the byte before p, prev_cr), eight
 * bytes at a time.  It ends at a bare CR or bare LF (never inside a CRLF). */
static size_t regular_span(const char *p, size_t n, bool prev_cr, size_t *ncrlf)
{
	const uint64_t crp = 0x0d0d0d0d0d0d0d0dULL, lfp = 0x0a0a0a0a0a0a0a0aULL;
	size_t i = 0, count = 0;
	for (; i + 9 <= n; i += 8) {
		uint64_t w, nx;
		memcpy(&w, p + i, 8);
		memcpy(&nx, p + i + 1, 8);
		uint64_t cr = bytes_eq(w, crp), lf = bytes_eq(w, lfp), lfn = bytes_eq(nx, lfp);
		uint64_t crb = (cr << 8) | (uint64_t)prev_cr << 7; /* CR in the byte before */
		if ((cr & ~lfn) || (lf & ~crb))
			break;
		count += (size_t)(((lf >> 7) * 0x0101010101010101ULL) >> 56); /* LFs in w */
		prev_cr = (w >> 56) == '\r';
	}
	for (; i < n; i++) {
		if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			break;
		if (p[i] == '\n' && !(i > 0 ? p[i - 1] == '\r' : prev_cr))
			break;
		count += p[i] == '\n';
	}
	*ncrlf += count;
	return i;
}

/* normalise - copy in[] into m->data with every line ending as CRLF.
 * Stretches that already use CRLF only are copied whole; each bare LF or
 * bare CR becomes CRLF. */
static mw_status normalise(const char *in, size_t len, mw_message *m, mw_err *err)
{
	m->data = malloc(2 * len + 1);
	if (!m->data)
		return mw_err_set(err, MW_ENOMEM, "message: out of memory");
	size_t k = 0, i = 0;
	while (i < len) {
		size_t span = regular_span(in + i, len - i, i > 0 && in[i - 1] == '\r', &m->n_crlf);
		memcpy(m->data + k, in + i, span);
		k += span;
		i += span;
		if (i == len)
			break;
		if (in[i] == '\r') /* a bare CR */
			m->n_cr++;
		else
			m->n_lf++; /* a bare LF */
		m->data[k++] = '\r';
		m->data[k++] = '\n';
		i++;
	}
	m->data[k] = '\0';
	m->len = k;
	return MW_OK;
}

/* valid_name - RFC 5322 §3.6.8 ftext: printable ASCII except ':' */
static bool valid_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126 || c == ':')
			return false;
	}
	return true;
}

/* add_field - start a new field at line [ls, le) */
static mw_status add_field(mw_message *m, const char *ls, const char *le, size_t *cap,
			   size_t lineno, mw_err *err)
{
	const char *colon = memchr(ls, ':', (size_t)(le - ls));
	if (!colon)
		return mw_err_set(err, MW_EPARSE, "message: header line %zu has no ':'", lineno);
	const char *ne = colon;
	while (ne > ls && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	if (!valid_name(ls, (size_t)(ne - ls)))
		return mw_err_set(err, MW_EPARSE, "message: header line %zu: invalid field name",
				  lineno);
	if (m->nfields == MW_MSG_FIELDS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "message: more than %d header fields",
				  MW_MSG_FIELDS_MAX);
	if (m->nfields == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		mw_hfield *nf = realloc(m->field, nc * sizeof(*nf));
		if (!nf)
			return mw_err_set(err, MW_ENOMEM, "message: out of memory");
		m->field = nf;
		*cap = nc;
	}
	mw_hfield *f = &m->field[m->nfields++];
	f->name = ls;
	f->name_len = (size_t)(ne - ls);
	f->raw = ls;
	f->raw_len = (size_t)(le - ls);
	f->value = colon + 1;
	f->value_len = (size_t)(le - colon - 1);
	return MW_OK;
}

/* skip_mbox_from - length of a leading mbox "From " line incl. CRLF, or 0 */
static size_t skip_mbox_from(const char *d, size_t len)
{
	if (len < 5 || memcmp(d, "From ", 5) != 0)
		return 0;
	size_t i = 5;
	while (i < len && d[i] == ' ')
		i++;
	if (i < len && d[i] == ':')
		return 0; /* "From : x" is an (obsolete) header field */
	const char *nl = memchr(d, '\n', len);
	return nl ? (size_t)(nl - d) + 1 : len;
}

/* split - header fields and body of the normalised copy */
static mw_status split(mw_message *m, mw_err *err)
{
	const char *d = m->data, *end = m->data + m->len;
	size_t start = skip_mbox_from(d, m->len), cap = 0, lineno = 0;
	m->mbox_from = start > 0;
	const char *ls = d + start;
	while (ls < end) {
		const char *nl = memchr(ls, '\n', (size_t)(end - ls));
		const char *le = nl ? nl - 1 : end; /* every '\n' follows a '\r' here */
		lineno++;
		if ((size_t)(le - ls) > MW_MSG_LINE_MAX)
			return mw_err_set(err, MW_ETOOBIG, "message: header line %zu longer than %d bytes",
					  lineno, MW_MSG_LINE_MAX);
		if ((size_t)(le - d) > MW_MSG_HEADER_MAX)
			return mw_err_set(err, MW_ETOOBIG, "message: header section larger than %u bytes",
					  MW_MSG_HEADER_MAX);
		if (le == ls && nl) { /* the empty line */
			m->header_len = (size_t)(ls - d);
			m->has_body = true;
			m->body = nl + 1;
			m->body_len = (size_t)(end - m->body);
			return MW_OK;
		}
		if (*ls == ' ' || *ls == '\t') {
			if (m->nfields == 0)
				return mw_err_set(err, MW_EPARSE,
						  "message: header starts with a continuation line");
			mw_hfield *f = &m->field[m->nfields - 1];
			f->raw_len = (size_t)(le - f->raw);
			f->value_len = (size_t)(le - f->value);
		} else {
			mw_status st = add_field(m, ls, le, &cap, lineno, err);
			if (st != MW_OK)
				return st;
		}
		ls = nl ? nl + 1 : end;
	}
	m->header_len = m->len;
	return MW_OK;
}

/* mw_message_parse - normalise line ends, split header and body */
mw_status mw_message_parse(const char *in, size_t len, mw_message *m, mw_err *err)
{
	memset(m, 0, sizeof(*m));
	if (len > MW_MSG_MAX)
		return mw_err_set(err, MW_ETOOBIG, "message: %zu bytes, more than %u", len,
				  MW_MSG_MAX);
	mw_status st = normalise(in, len, m, err);
	if (st == MW_OK)
		st = split(m, err);
	if (st != MW_OK)
		mw_message_free(m);
	return st;
}

/* mw_message_free - release a parsed message */
void mw_message_free(mw_message *m)
{
	free(m->data);
	free(m->field);
	memset(m, 0, sizeof(*m));
}

/* mw_hfield_is - case-insensitive name test */
bool mw_hfield_is(const mw_hfield *f, const char *name)
{
	return mw_strcaseeq_n(f->name, f->name_len, name);
}

/* mw_message_find - top-down search */
long mw_message_find(const mw_message *m, const char *name, long from)
{
	for (long i = from < 0 ? 0 : from; i < (long)m->nfields; i++)
		if (mw_hfield_is(&m->field[i], name))
			return i;
	return -1;
}

/* mw_message_find_rev - bottom-up search */
long mw_message_find_rev(const mw_message *m, const char *name, long before)
{
	if (before > (long)m->nfields)
		before = (long)m->nfields;
	for (long i = before - 1; i >= 0; i--)
		if (mw_hfield_is(&m->field[i], name))
			return i;
	return -1;
}

/* mw_message_count - fields with this name */
size_t mw_message_count(const mw_message *m, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nfields; i++)
		n += mw_hfield_is(&m->field[i], name);
	return n;
}

/* mw_hfield_unfold - unfolded, trimmed value */
char *mw_hfield_unfold(const mw_hfield *f, mw_pool *pool)
{
	char *out = mw_pool_alloc(pool, f->value_len + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < f->value_len; i++) {
		if (f->value[i] == '\r' && i + 1 < f->value_len && f->value[i + 1] == '\n') {
			i++;
			continue;
		}
		out[k++] = f->value[i];
	}
	size_t s = 0;
	while (s < k && (out[s] == ' ' || out[s] == '\t'))
		s++;
	while (k > s && (out[k - 1] == ' ' || out[k - 1] == '\t'))
		k--;
	memmove(out, out + s, k - s);
	out[k - s] = '\0';
	return out;
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

/* gmime_init_once - GMime keeps process-wide tables; initialise them once */
static void gmime_init_once(void)
{
	g_mime_init();
}

/* add_mailbox - record one mailbox's address and domain */
static mw_status add_mailbox(InternetAddressMailbox *mb, mw_pool *pool, mw_from *out,
			     mw_err *err)
{
	const char *addr = internet_address_mailbox_get_addr(mb);
	if (out->naddrs == MW_MSG_FROM_ADDRS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "message: more than %d From mailboxes",
				  MW_MSG_FROM_ADDRS_MAX);
	const char *at = addr ? strrchr(addr, '@') : NULL;
	char dom[MW_DNS_NAME_MAX + 2];
	if (!at || !mw_domain_normalize(at + 1, dom, sizeof(dom)))
		return mw_err_set(err, MW_EPARSE, "message: From address '%s' has no valid domain",
				  addr ? addr : "");
	out->addr[out->naddrs] = mw_pool_strdup(pool, addr);
	out->domain[out->naddrs] = mw_pool_strdup(pool, dom);
	const char *name = internet_address_get_name(INTERNET_ADDRESS(mb));
	out->name[out->naddrs] = name && *name ? mw_pool_strdup(pool, name) : NULL;
	if (!out->addr[out->naddrs] || !out->domain[out->naddrs])
		return mw_err_set(err, MW_ETOOBIG, "message: memory budget exhausted");
	out->naddrs++;
	return MW_OK;
}

/* add_list - mailboxes of an address list, group members included */
static mw_status add_list(InternetAddressList *l, mw_pool *pool, mw_from *out, mw_err *err)
{
	int n = internet_address_list_length(l);
	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		mw_status st = MW_OK;
		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			st = add_mailbox(INTERNET_ADDRESS_MAILBOX(a), pool, out, err);
		else if (INTERNET_ADDRESS_IS_GROUP(a))
			st = add_list(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)),
				      pool, out, err);
		if (st != MW_OK)
			return st;
	}
	return MW_OK;
}

/* mw_message_from - the From mailboxes and domains */
mw_status mw_message_from(const mw_message *m, mw_pool *pool, mw_from *out, mw_err *err)
{
	memset(out, 0, sizeof(*out));
	pthread_once(&gmime_once, gmime_init_once);
	for (long i = mw_message_find(m, "From", 0); i >= 0; i = mw_message_find(m, "From", i + 1)) {
		out->nfields++;
		char *v = mw_hfield_unfold(&m->field[i], pool);
		if (!v)
			return mw_err_set(err, MW_ETOOBIG, "message: memory budget exhausted");
		InternetAddressList *l = internet_address_list_parse(NULL, v);
		size_t before = out->naddrs;
		mw_status st = l ? add_list(l, pool, out, err) : MW_OK;
		if (l)
			g_object_unref(l);
		if (st != MW_OK)
			return st;
		if (out->naddrs == before)
			return mw_err_set(err, MW_EPARSE, "message: From field '%s' holds no mailbox",
					  v);
	}
	return MW_OK;
}
