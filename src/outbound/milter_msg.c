/*
 * outbound/milter_msg.c - per-message milter state and decisions (see
 * milter_msg.h).
 */
#include "outbound/milter_msg.h"

#include <stdlib.h>
#include <string.h>

#include "auth/authres.h"
#include "core/pool.h"
#include "core/str.h"

/* mw_cidr_list_has - membership in a network list */
bool mw_cidr_list_has(const mw_cidr *nets, size_t n, const mw_ip *ip)
{
	for (size_t i = 0; ip && i < n; i++)
		if (ip->family == nets[i].net.family && mw_ip_in_cidr(ip, &nets[i].net, nets[i].prefix))
			return true;
	return false;
}

/* mw_milter_direction - SASL user or trusted network: outbound */
mw_milter_dir mw_milter_direction(const char *auth_authen, const mw_ip *client,
				  const mw_cidr *nets, size_t n)
{
	if (auth_authen && *auth_authen)
		return MW_MILTER_OUTBOUND;
	return mw_cidr_list_has(nets, n, client) ? MW_MILTER_OUTBOUND : MW_MILTER_INBOUND;
}

/* mw_milter_ar_is_ours - authserv-id comparison */
bool mw_milter_ar_is_ours(const char *v, const char *authserv_id)
{
	if (!v || !authserv_id)
		return false;
	mw_pool *pool = mw_pool_new(MW_AR_POOL_MAX);
	mw_authres ar;
	bool ours;
	if (pool && mw_authres_parse(v, strlen(v), MW_AR_LENIENT, pool, &ar, NULL) == MW_OK) {
		ours = mw_strcaseeq(ar.authserv_id, authserv_id);
	} else { /* unparsable: the first token decides */
		while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			v++;
		size_t n = strcspn(v, "; \t\r\n");
		ours = n > 0 && mw_strcaseeq_n(v, n, authserv_id);
	}
	mw_pool_free(pool);
	return ours;
}

/* mw_milter_field_value - value for smfi_insheader */
char *mw_milter_field_value(const char *field, bool leadspc)
{
	const char *colon = field ? strchr(field, ':') : NULL;
	if (!colon)
		return NULL;
	const char *v = colon + 1;
	if (!leadspc)
		while (*v == ' ' || *v == '\t')
			v++;
	char *out = malloc(strlen(v) + 1), *o = out;
	if (!out)
		return NULL;
	for (; *v; v++)
		if (*v != '\r')
			*o++ = *v;
	while (o > out && o[-1] == '\n')
		o--;
	*o = '\0';
	return out;
}

/* mw_milter_msg_init - fresh state */
void mw_milter_msg_init(mw_milter_msg *m, const mw_milter_msg_opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = *o;
	mw_buf_init(&m->head, MW_MSG_HEADER_MAX + 2);
	mw_buf_init(&m->kept, 0);
}

/* mw_milter_msg_reset - free and start over */
void mw_milter_msg_reset(mw_milter_msg *m)
{
	mw_milter_msg_opts o = m->o;
	mw_buf_free(&m->head);
	mw_buf_free(&m->kept);
	if (m->have_hdr)
		mw_message_free(&m->hdr);
	if (m->bodies) {
		mw_bodyhash_set_free(m->bodies);
		free(m->bodies);
	}
	mw_milter_msg_init(m, &o);
}

/* head_fail - the header section cannot be evaluated: say why, drop it */
static void head_fail(mw_milter_msg *m, mw_status st, const char *why)
{
	if (m->head_status == MW_OK)
		mw_err_set(&m->head_err, st, "%s", why);
	m->head_status = st;
	mw_buf_free(&m->head);
}

/* append_value - value with bare LFs (libmilter folding) as CRLF */
static mw_status append_value(mw_buf *b, const char *v)
{
	mw_status st = MW_OK;
	while (*v && st == MW_OK) {
		size_t n = strcspn(v, "\n");
		st = mw_buf_append(b, v, n);
		v += n;
		if (*v == '\n' && st == MW_OK) {
			st = (n > 0 && v[-1] == '\r') ? mw_buf_putc(b, '\n') : mw_buf_append(b, "\r\n", 2);
			v++;
		}
	}
	return st;
}

/* mw_milter_msg_header - one field */
void mw_milter_msg_header(mw_milter_msg *m, const char *name, const char *value)
{
	if (!name)
		name = "";
	if (!value)
		value = "";
	m->nfields++;
	if (mw_strcaseeq(name, "Authentication-Results")) {
		m->nar++;
		if (m->o.authserv_id && m->nforged < MW_MILTER_AR_MAX &&
		    mw_milter_ar_is_ours(value, m->o.authserv_id))
			m->forged[m->nforged++] = (unsigned)m->nar;
	}
	if (m->eoh || m->head_status != MW_OK)
		return;
	if (mw_buf_puts(&m->head, name) != MW_OK || mw_buf_putc(&m->head, ':') != MW_OK ||
	    (!m->o.leadspc && mw_buf_putc(&m->head, ' ') != MW_OK) ||
	    append_value(&m->head, value) != MW_OK || mw_buf_append(&m->head, "\r\n", 2) != MW_OK)
		head_fail(m, MW_ETOOBIG, "header section larger than MW_MSG_HEADER_MAX bytes");
}

/* parse_head - the section as an mw_message, hashes planned, scan copy started */
static mw_status parse_head(mw_milter_msg *m)
{
	mw_err err;
	if (mw_buf_append(&m->head, "\r\n", 2) != MW_OK) {
		head_fail(m, MW_ETOOBIG, "header section larger than MW_MSG_HEADER_MAX bytes");
		return m->head_status;
	}
	mw_status st = mw_message_parse(m->head.data, m->head.len, &m->hdr, &err);
	if (st != MW_OK) {
		head_fail(m, st, err.msg);
		return st;
	}
	m->have_hdr = true;
	if ((st = mw_bodyhash_set_plan(m->bodies, &m->hdr)) == MW_OK && m->o.own_hash)
		st = mw_bodyhash_set_want(m->bodies, EVP_sha256(), MW_CANON_RELAXED, -1);
	if (st != MW_OK && st != MW_ETOOBIG) {
		head_fail(m, st, "cannot start the body hashes");
		return st;
	}
	if (m->o.scan_max) {
		mw_buf_init(&m->kept, m->head.len + m->o.scan_max);
		if (mw_buf_append(&m->kept, m->head.data, m->head.len) != MW_OK) {
			head_fail(m, MW_ENOMEM, "out of memory");
			return MW_ENOMEM;
		}
	}
	return MW_OK;
}

/* mw_milter_msg_eoh - close the header section */
mw_status mw_milter_msg_eoh(mw_milter_msg *m)
{
	if (m->eoh)
		return m->head_status;
	m->eoh = true;
	m->bodies = malloc(sizeof(*m->bodies));
	if (!m->bodies) {
		head_fail(m, MW_ENOMEM, "out of memory");
		return MW_ENOMEM;
	}
	mw_bodyhash_set_init(m->bodies);
	if (m->head_status != MW_OK)
		return m->head_status;
	return parse_head(m);
}

/* mw_milter_msg_body - hash the chunk, keep the scan prefix */
void mw_milter_msg_body(mw_milter_msg *m, const void *p, size_t n)
{
	if (!m->eoh)
		mw_milter_msg_eoh(m);
	m->body_bytes += n;
	if (m->head_status != MW_OK || m->done)
		return;
	mw_bodyhash_set_update(m->bodies, p, n);
	if (!m->o.scan_max || m->kept_cut)
		return;
	size_t room = m->kept.max - m->kept.len;
	if (n > room) {
		m->kept_cut = true;
		n = room;
	}
	if (n)
		mw_buf_append(&m->kept, p, n);
}

/* mw_milter_msg_eom - finish the hashes */
mw_status mw_milter_msg_eom(mw_milter_msg *m, mw_err *err)
{
	if (!m->eoh)
		mw_milter_msg_eoh(m);
	if (m->head_status != MW_OK) {
		if (err)
			*err = m->head_err;
		return m->head_status;
	}
	if (!m->done && mw_bodyhash_set_final(m->bodies) != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "body hash failed");
	m->done = true;
	return MW_OK;
}
