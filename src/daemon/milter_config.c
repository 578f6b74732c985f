/*
 * daemon/milter_config.c - [milter] settings: parse, check, key loading.
 */
#include "daemon/milter_config.h"

#include <ini.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkim_crypto.h"
#include "core/buf.h"
#include "core/str.h"

/* defaults - fail-safe choices, each with its reason */
static void defaults(milter_config *c)
{
	mw_strlcpy(c->socket, "inet:8891@127.0.0.1", sizeof(c->socket)); /* OpenDKIM's port */
	mw_strlcpy(c->authserv_id, "localhost", sizeof(c->authserv_id));
	c->batv_days = MW_BATV_VALID_DEF;
	c->default_tempfail = true; /* an error must never lose or silently pass mail unchecked */
	c->timeout_s = 30;          /* MTA I/O timeout; Postfix's milter_*_timeout are 30-300 s */
	c->max_message = 0;        /* bodies stream through the hashes: no size needs a cap */
	c->scan_max = MW_MILTER_SCAN_DEF; /* scan the first 4 MiB of a body (core/limits.h) */
	mw_dispo_config_init(&c->dispo);
	c->dmarc_quarantine = MILTER_Q_HEADER; /* visible to filters, never loses mail */
}

/* set_bool - yes/no/true/false/1/0 */
static mw_status set_bool(const char *name, const char *v, bool *out, mw_err *err)
{
	if (mw_strcaseeq(v, "yes") || mw_strcaseeq(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (mw_strcaseeq(v, "no") || mw_strcaseeq(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return mw_err_set(err, MW_EINVAL, "%s: want yes or no, not '%s'", name, v);
	return MW_OK;
}

/* set_long - integer within [lo, hi] */
static mw_status set_long(const char *name, const char *v, long lo, long hi, long *out,
			  mw_err *err)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < lo || x > hi)
		return mw_err_set(err, MW_EINVAL, "%s: want %ld..%ld, not '%s'", name, lo, hi, v);
	*out = x;
	return MW_OK;
}

/* read_key - a private key file (PEM or Ed25519 seed) for setting `what` */
static mw_status read_key(const char *what, const char *path, EVP_PKEY **out, mw_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return mw_err_set(err, MW_ENOTFOUND, "%s: cannot open %s", what, path);
	char pem[16384];
	size_t n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	mw_status st = n == sizeof(pem) ? mw_err_set(err, MW_ETOOBIG, "%s: %s too large", what, path)
					: mw_dkim_load_private_key(pem, n, out, err);
	OPENSSL_cleanse(pem, sizeof(pem));
	return st;
}

/* set_arc_key - the sealing key: RSA only (RFC 8617 §4.1.3 allows rsa-sha256) */
static mw_status set_arc_key(milter_config *c, const char *path, mw_err *err)
{
	EVP_PKEY *k = NULL;
	mw_status st = read_key("arc_key", path, &k, err);
	if (st != MW_OK)
		return st;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		return mw_err_set(err, MW_EINVAL, "arc_key: %s is not an RSA key (RFC 8617 seals are "
				  "rsa-sha256 only; ed25519 ARC is not standardised)", path);
	}
	EVP_PKEY_free(c->arc_key);
	c->arc_key = k;
	return MW_OK;
}

/* add_key - "DOMAIN SELECTOR KEYFILE" */
static mw_status add_key(milter_config *c, const char *v, mw_err *err)
{
	char dom[256], sel[64], path[MILTER_STR_MAX];
	if (c->nkeys == MILTER_KEYS_MAX)
		return mw_err_set(err, MW_ETOOBIG, "more than %d dkim_key lines", MILTER_KEYS_MAX);
	if (sscanf(v, "%255s %63s %511s", dom, sel, path) != 3)
		return mw_err_set(err, MW_EINVAL, "dkim_key: want DOMAIN SELECTOR KEYFILE");
	milter_key *k = &c->keys[c->nkeys];
	if (!mw_domain_normalize(dom, k->domain, sizeof(k->domain)))
		return mw_err_set(err, MW_EINVAL, "dkim_key: bad domain '%s'", dom);
	mw_strlcpy(k->selector, sel, sizeof(k->selector));
	mw_status st = read_key("dkim_key", path, &k->key, err);
	if (st == MW_OK)
		c->nkeys++;
	return st;
}

/* add_list - whitespace/comma separated domains or CIDR networks */
static mw_status add_list(milter_config *c, const char *name, const char *v, mw_err *err)
{
	char tmp[4096];
	mw_strlcpy(tmp, v, sizeof(tmp));
	for (char *save, *t = strtok_r(tmp, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		if (!strcmp(name, "domains")) {
			if (c->ndomains == MILTER_DOMAINS_MAX)
				return mw_err_set(err, MW_ETOOBIG, "domains: more than %d", MILTER_DOMAINS_MAX);
			if (!mw_domain_normalize(t, c->domains[c->ndomains], sizeof(c->domains[0])))
				return mw_err_set(err, MW_EINVAL, "domains: bad domain '%s'", t);
			c->ndomains++;
			continue;
		}
		if (c->nnets == MILTER_NETS_MAX)
			return mw_err_set(err, MW_ETOOBIG, "trusted_networks: more than %d", MILTER_NETS_MAX);
		milter_net *n = &c->nets[c->nnets];
		char *slash = strchr(t, '/');
		long pfx = -1;
		if (slash)
			*slash = '\0';
		if (!mw_ip_parse(t, &n->net))
			return mw_err_set(err, MW_EINVAL, "trusted_networks: bad address '%s'", t);
		long max = n->net.family == 4 ? 32 : 128;
		if (slash && set_long(name, slash + 1, 0, max, &pfx, err) != MW_OK)
			return MW_EINVAL;
		n->prefix = (unsigned)(slash ? pfx : max);
		c->nnets++;
	}
	return MW_OK;
}

/* load_rules - compile a content rules file (outbound/scan.h) */
static mw_status load_rules(milter_config *c, const char *path, mw_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return mw_err_set(err, MW_ENOTFOUND, "scan_rules: cannot open %s", path);
	mw_buf b;
	mw_buf_init(&b, 16u << 20);
	char chunk[8192];
	size_t n;
	mw_status st = MW_OK;
	while (st == MW_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		st = mw_buf_append(&b, chunk, n);
	fclose(f);
	if (st != MW_OK) {
		mw_buf_free(&b);
		return mw_err_set(err, st, "scan_rules: %s too large", path);
	}
	mw_scan_rules_free(c->scan);
	c->scan = NULL;
	st = mw_scan_rules_parse(b.data ? b.data : "", b.len, &c->scan, err);
	mw_buf_free(&b);
	return st;
}

/* milter_config_set - one setting */
mw_status milter_config_set(milter_config *c, const char *name, const char *v, mw_err *err)
{
	long x;
	mw_status st = MW_OK;
	if (!strcmp(name, "socket")) {
		mw_strlcpy(c->socket, v, sizeof(c->socket));
		c->socket_set = true;
	} else if (!strcmp(name, "authserv_id")) {
		mw_strlcpy(c->authserv_id, v, sizeof(c->authserv_id));
	} else if (!strcmp(name, "zone")) {
		mw_strlcpy(c->zone, v, sizeof(c->zone));
	} else if (!strcmp(name, "resolver")) {
		mw_strlcpy(c->resolver, v, sizeof(c->resolver));
	} else if (!strcmp(name, "domains") || !strcmp(name, "trusted_networks")) {
		st = add_list(c, name, v, err);
	} else if (!strcmp(name, "dkim_key")) {
		st = add_key(c, v, err);
	} else if (!strcmp(name, "batv_key_file")) {
		st = mw_batv_keys_load(v, &c->batv_keys, err);
		c->batv = st == MW_OK;
	} else if (!strcmp(name, "scan_rules")) {
		st = load_rules(c, v, err);
	} else if (!strcmp(name, "events_db")) {
		mw_strlcpy(c->events_db, v, sizeof(c->events_db));
	} else if (!strcmp(name, "batv_days")) {
		if ((st = set_long(name, v, 1, 30, &x, err)) == MW_OK)
			c->batv_days = (int)x;
	} else if (!strcmp(name, "batv_grace")) {
		st = set_bool(name, v, &c->batv_grace, err);
	} else if (!strcmp(name, "dmarc_reject")) {
		st = set_bool(name, v, &c->dmarc_reject, err);
	} else if (!strcmp(name, "default_action")) {
		if (!strcmp(v, "tempfail") || !strcmp(v, "accept"))
			c->default_tempfail = !strcmp(v, "tempfail");
		else
			st = mw_err_set(err, MW_EINVAL, "default_action: tempfail or accept, not '%s'", v);
	} else if (!strcmp(name, "timeout")) {
		if ((st = set_long(name, v, 1, 3600, &x, err)) == MW_OK)
			c->timeout_s = (int)x;
	} else if (!strcmp(name, "max_message")) {
		if ((st = set_long(name, v, 0, 1L << 40, &x, err)) == MW_OK)
			c->max_message = (size_t)x;
		if (st == MW_OK && x > 0 && x < 1024)
			st = mw_err_set(err, MW_EINVAL, "max_message: 0 (no limit) or at least 1024");
	} else if (!strcmp(name, "scan_max")) {
		if ((st = set_long(name, v, 0, 1L << 30, &x, err)) == MW_OK)
			c->scan_max = (size_t)x;
	} else if (!strcmp(name, "arc_seal")) {
		if (!strcmp(v, "on") || !strcmp(v, "off"))
			c->arc_seal = !strcmp(v, "on");
		else
			st = set_bool(name, v, &c->arc_seal, err);
	} else if (!strcmp(name, "arc_domain")) {
		if (!mw_domain_normalize(v, c->arc_domain, sizeof(c->arc_domain)))
			st = mw_err_set(err, MW_EINVAL, "arc_domain: bad domain '%s'", v);
	} else if (!strcmp(name, "arc_selector")) {
		if (!*v || strlen(v) >= sizeof(c->arc_selector) || strpbrk(v, " \t;=\r\n"))
			st = mw_err_set(err, MW_EINVAL, "arc_selector: bad selector '%s'", v);
		else
			mw_strlcpy(c->arc_selector, v, sizeof(c->arc_selector));
	} else if (!strcmp(name, "arc_key")) {
		st = set_arc_key(c, v, err);
	} else if (!strcmp(name, "dmarc_quarantine")) {
		if (!strcmp(v, "off") || !strcmp(v, "header") || !strcmp(v, "hold"))
			c->dmarc_quarantine = !strcmp(v, "off") ? MILTER_Q_OFF
					      : !strcmp(v, "hold") ? MILTER_Q_HOLD : MILTER_Q_HEADER;
		else
			st = mw_err_set(err, MW_EINVAL, "dmarc_quarantine: off, header or hold, not '%s'", v);
	} else if (!strcmp(name, "inbound_scan")) {
		static const char *const modes[] = {"off", "tag", "hold", "reject"};
		size_t i = 0;
		while (i < 4 && strcmp(v, modes[i]))
			i++;
		if (i < 4)
			c->inbound_scan = (int)i;
		else
			st = mw_err_set(err, MW_EINVAL, "inbound_scan: off, tag, hold or reject, not '%s'", v);
	} else if ((st = mw_dispo_config_set(&c->dispo, name, v, err)) == MW_ENOTFOUND) {
		st = mw_err_set(err, MW_EINVAL, "unknown [milter] setting '%s'", name);
	}
	return st;
}

typedef struct load_ctx {
	milter_config *c;
	mw_err *err;
	bool failed;
} load_ctx;

/* handler - inih callback: only [milter] is ours */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	load_ctx *x = user;
	if (x->failed || strcmp(section, "milter") != 0)
		return !x->failed;
	if (milter_config_set(x->c, name, value, x->err) != MW_OK)
		x->failed = true;
	return !x->failed;
}

/* milter_config_load - defaults + file */
milter_config *milter_config_load(const char *path, mw_err *err)
{
	milter_config *c = calloc(1, sizeof(*c));
	if (!c) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	defaults(c);
	load_ctx x = {c, err, false};
	if (path) {
		int line = ini_parse(path, handler, &x);
		if (line < 0 || line > 0 || x.failed) {
			char msg[MW_ERR_MSG_MAX];
			mw_strlcpy(msg, line < 0 ? "cannot read" : x.failed ? err->msg : "syntax error",
				   sizeof(msg));
			mw_err_set(err, MW_EINVAL, "%s:%d: %s", path, line, msg);
			milter_config_free(c);
			return NULL;
		}
	}
	if (c->inbound_scan != MILTER_IS_OFF && !c->scan) {
		mw_err_set(err, MW_EINVAL, "%s: inbound_scan needs scan_rules", path ? path : "[milter]");
		milter_config_free(c);
		return NULL;
	}
	return c;
}

/* milter_config_free - keys, secrets, struct */
void milter_config_free(milter_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nkeys; i++)
		EVP_PKEY_free(c->keys[i].key);
	EVP_PKEY_free(c->arc_key);
	OPENSSL_cleanse(&c->batv_keys, sizeof(c->batv_keys));
	mw_scan_rules_free(c->scan);
	free(c);
}

/* milter_is_our_domain - d is one of ours or below one */
bool milter_is_our_domain(const milter_config *c, const char *d)
{
	for (size_t i = 0; d && i < c->ndomains; i++)
		if (mw_domain_is_sub(d, c->domains[i]))
			return true;
	return false;
}

/* milter_is_trusted - ip within a trusted network */
bool milter_is_trusted(const milter_config *c, const mw_ip *ip)
{
	return mw_cidr_list_has(c->nets, c->nnets, ip);
}

/* milter_config_check - cross-setting checks */
mw_status milter_config_check(const milter_config *c, mw_err *err)
{
	if (c->arc_seal && (!c->arc_domain[0] || !c->arc_selector[0] || !c->arc_key))
		return mw_err_set(err, MW_EINVAL,
				  "arc_seal = on needs arc_domain, arc_selector and arc_key");
	return MW_OK;
}
