/*
 * forensics/disposition.c - DMARC disposition: t=y, pct sampling, local
 * overrides (see disposition.h).
 */
#include "forensics/disposition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/taglist.h"
#include "core/str.h"

/* mw_dispo_config_init - defaults */
void mw_dispo_config_init(mw_dispo_config *c)
{
	memset(c, 0, sizeof(*c));
	c->honour_pct = true; /* senders still publish pct; RFC 9989 maps pct=0 to t=y */
}

/* add_name - one normalized domain (or List-Id) into a list */
static mw_status add_name(mw_dispo_names *l, const char *key, const char *t, bool domain,
			  mw_err *err)
{
	if (l->n == MW_DISPO_NAMES_MAX)
		return mw_err_set(err, MW_ETOOBIG, "%s: more than %d names", key, MW_DISPO_NAMES_MAX);
	char *out = l->name[l->n];
	if (domain) {
		if (!mw_domain_normalize(t, out, MW_DISPO_NAME_MAX) || !strchr(out, '.') ||
		    out[0] == '.' || strstr(out, "..") || out[strlen(out) - 1] == '.' ||
		    strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(out))
			return mw_err_set(err, MW_EINVAL, "%s: bad domain '%s'", key, t);
	} else {
		size_t len = strlen(t);
		if (len >= 2 && t[0] == '<' && t[len - 1] == '>')
			t++, len -= 2;
		if (len == 0 || len >= MW_DISPO_NAME_MAX || !memchr(t, '.', len))
			return mw_err_set(err, MW_EINVAL, "%s: bad List-Id '%s'", key, t);
		for (size_t i = 0; i < len; i++)
			out[i] = mw_tolower(t[i]);
		out[len] = '\0';
	}
	l->n++;
	return MW_OK;
}

/* add_forwarder - an IP, a CIDR or a host name */
static mw_status add_forwarder(mw_dispo_config *c, const char *t, mw_err *err)
{
	char tmp[MW_DISPO_NAME_MAX];
	if (mw_strlcpy(tmp, t, sizeof(tmp)) >= sizeof(tmp))
		return mw_err_set(err, MW_EINVAL, "dmarc_forwarders: '%.40s...' too long", t);
	char *slash = strchr(tmp, '/');
	if (slash)
		*slash = '\0';
	mw_ip ip;
	if (!mw_ip_parse(tmp, &ip)) {
		if (slash)
			return mw_err_set(err, MW_EINVAL, "dmarc_forwarders: bad network '%s'", t);
		return add_name(&c->hosts, "dmarc_forwarders", t, true, err);
	}
	unsigned max = ip.family == 4 ? 32 : 128;
	unsigned long pfx = max;
	if (slash) {
		char *end;
		pfx = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || pfx > max)
			return mw_err_set(err, MW_EINVAL, "dmarc_forwarders: bad prefix in '%s'", t);
	}
	if (c->nnets == MW_DISPO_NETS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "dmarc_forwarders: more than %d networks",
				  MW_DISPO_NETS_MAX);
	c->nets[c->nnets].net = ip;
	c->nets[c->nnets].prefix = (unsigned)pfx;
	c->nnets++;
	return MW_OK;
}

/* mw_dispo_config_set - one setting; lists accumulate */
mw_status mw_dispo_config_set(mw_dispo_config *c, const char *name, const char *value,
			      mw_err *err)
{
	if (!strcmp(name, "dmarc_pct")) {
		if (strcmp(value, "honour") && strcmp(value, "ignore"))
			return mw_err_set(err, MW_EINVAL, "dmarc_pct: honour or ignore, not '%s'", value);
		c->honour_pct = !strcmp(value, "honour");
		return MW_OK;
	}
	int which = !strcmp(name, "dmarc_forwarders")      ? 1
		    : !strcmp(name, "dmarc_arc_trusted")    ? 2
		    : !strcmp(name, "dmarc_mailing_lists")  ? 3
		    : !strcmp(name, "dmarc_exempt_domains") ? 4
							    : 0;
	if (!which)
		return MW_ENOTFOUND;
	char tmp[4096];
	if (mw_strlcpy(tmp, value, sizeof(tmp)) >= sizeof(tmp))
		return mw_err_set(err, MW_ETOOBIG, "%s: value longer than %zu bytes", name, sizeof(tmp) - 1);
	size_t added = 0;
	for (char *save, *t = strtok_r(tmp, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		mw_status st = MW_OK;
		if (which == 1)
			st = add_forwarder(c, t, err);
		else if (which == 2)
			st = add_name(&c->arc_trusted, name, t, true, err);
		else if (which == 3 && !strcmp(t, "any"))
			c->lists_any = true;
		else if (which == 3)
			st = add_name(&c->lists, name, t, false, err);
		else
			st = add_name(&c->exempt, name, t, true, err);
		if (st != MW_OK)
			return st;
		added++;
	}
	return added ? MW_OK : mw_err_set(err, MW_EINVAL, "%s: empty list", name);
}

/* lower - one level down: reject -> quarantine -> none */
static mw_dmarc_policy lower(mw_dmarc_policy p)
{
	return p == MW_DMARC_POLICY_REJECT ? MW_DMARC_POLICY_QUARANTINE : MW_DMARC_POLICY_NONE;
}

/* in_domains - d equals or is below a listed domain */
static bool in_domains(const mw_dispo_names *l, const char *d)
{
	char norm[MW_DISPO_NAME_MAX];
	if (!d || !*d || !mw_domain_normalize(d, norm, sizeof(norm)))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (mw_domain_is_sub(norm, l->name[i]))
			return true;
	return false;
}

/* list_match - the List-Id's id ("Name <id>" or "<id>" or "id") is listed */
static bool list_match(const mw_dispo_config *c, const char *v)
{
	const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *id = lt && gt ? lt + 1 : v;
	size_t len = lt && gt ? (size_t)(gt - lt - 1) : strlen(v);
	while (len && (*id == ' ' || *id == '\t'))
		id++, len--;
	while (len && (id[len - 1] == ' ' || id[len - 1] == '\t' || id[len - 1] == '\r' ||
		       id[len - 1] == '\n'))
		len--;
	for (size_t i = 0; len && i < c->lists.n; i++)
		if (mw_strcaseeq_n(id, len, c->lists.name[i]))
			return true;
	return false;
}

/* override - the first local override that applies */
static mw_dispo_reason override(const mw_dispo_config *c, const mw_dispo_input *in)
{
	if (in_domains(&c->exempt, in->from_domain))
		return MW_DISPO_LOCAL_POLICY;
	for (size_t i = 0; in->client_ip && i < c->nnets; i++)
		if (in->client_ip->family == c->nets[i].net.family &&
		    mw_ip_in_cidr(in->client_ip, &c->nets[i].net, c->nets[i].prefix))
			return MW_DISPO_FORWARDED;
	if (in->client_host && in->client_host[0] != '[' && in_domains(&c->hosts, in->client_host))
		return MW_DISPO_FORWARDED;
	if (in->arc_pass && (in_domains(&c->arc_trusted, in->arc_oldest) ||
			     in_domains(&c->arc_trusted, in->arc_newest)))
		return MW_DISPO_TRUSTED_FORWARDER;
	if ((c->lists_any && (in->list_id || in->list_post)) || (in->list_id && list_match(c, in->list_id)))
		return MW_DISPO_MAILING_LIST;
	return MW_DISPO_NO_OVERRIDE;
}

/* mw_dispo_decide - t=y or pct, then overrides */
void mw_dispo_decide(const mw_dispo_config *c, const mw_dispo_input *in, mw_disposition *out)
{
	memset(out, 0, sizeof(*out));
	out->requested = out->applied = out->final = in->requested;
	if (in->dmarc != MW_AUTH_FAIL) {
		out->applied = out->final = MW_DMARC_POLICY_NONE;
		return;
	}
	if (in->testing) {
		out->testing = true;
		out->applied = lower(in->requested);
	} else if (c->honour_pct && in->pct >= 0 && in->pct < 100 &&
		   in->requested != MW_DMARC_POLICY_NONE) {
		out->roll = in->roll ? in->roll(in->roll_ctx) % 100 : 0;
		if (out->roll >= (unsigned)in->pct) {
			out->sampled_out = true;
			out->reason = MW_DISPO_SAMPLED_OUT;
			out->applied = lower(in->requested);
		}
	}
	out->final = out->applied;
	if (out->applied == MW_DMARC_POLICY_NONE)
		return;
	mw_dispo_reason r = override(c, in);
	if (r != MW_DISPO_NO_OVERRIDE) {
		out->reason = r;
		out->final = MW_DMARC_POLICY_NONE;
	}
}

/* seal_domain - d= of the ARC-Seal field at index idx */
static void seal_domain(const mw_message *m, long idx, char *out, size_t n)
{
	out[0] = '\0';
	if (idx < 0 || (size_t)idx >= m->nfields)
		return;
	const mw_hfield *f = &m->field[idx];
	mw_taglist tl;
	if (mw_taglist_parse(f->value, f->value_len, &tl, NULL) != MW_OK)
		return;
	const mw_tag *d = mw_taglist_get(&tl, "d");
	if (d && d->value_len < n) {
		memcpy(out, d->value, d->value_len);
		out[d->value_len] = '\0';
	}
}

/* mw_dispo_arc_sealers - instance 1 and instance N seal domains */
void mw_dispo_arc_sealers(const mw_message *m, const mw_arc_verify *v, char *oldest,
			  char *newest, size_t n)
{
	oldest[0] = newest[0] = '\0';
	if (!v || v->n == 0 || v->n > MW_ARC_INSTANCES_MAX)
		return;
	seal_domain(m, v->set[1].as, oldest, n);
	seal_domain(m, v->set[v->n].as, newest, n);
}

/* mw_dispo_reason_name - RFC 7489 appendix C PolicyOverrideType names */
const char *mw_dispo_reason_name(mw_dispo_reason r)
{
	static const char *const names[] = {"", "forwarded", "sampled_out", "trusted_forwarder",
					    "mailing_list", "local_policy"};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "other";
}

/* mw_dispo_comment - for the A-R dmarc comment and the log */
void mw_dispo_comment(const mw_disposition *d, char *buf, size_t n)
{
	snprintf(buf, n, "dis=%s%s%s%s", mw_dmarc_policy_name(d->final),
		 d->testing ? " testing" : "", d->reason ? " override=" : "",
		 mw_dispo_reason_name(d->reason));
}
