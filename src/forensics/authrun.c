/*
 * forensics/authrun.c - SPF + DKIM + ARC + DMARC for one message (see authrun.h).
 */
#include "forensics/authrun.h"

#include <string.h>

#include "auth/authres.h"

/* dmarc_step - dns_eval_fn wrapper around mw_dmarc_evaluate */
static mw_status dmarc_step(void *arg, dns_lookup *lk)
{
	mw_authrun *r = arg;
	return mw_dmarc_evaluate(&r->in, lk, r->pool, &r->dmarc, NULL);
}

/* domain_of - the domain part of an address (pool copy), or NULL */
static const char *domain_of(const char *addr, mw_pool *pool)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at && at[1] ? mw_pool_strdup(pool, at + 1) : NULL;
}

/* run_spf - SPF for MAIL FROM (postmaster@HELO for a null reverse-path) */
static mw_status run_spf(mw_authrun *r, const mw_authrun_opts *o, dns_resolver *res,
                         dns_cache *cache, mw_err *err)
{
	bool null_path = !o->mail_from || !*o->mail_from;
	r->spf_in.scope = null_path ? MW_DMARC_SPF_HELO : MW_DMARC_SPF_MAILFROM;
	r->spf_in.domain = null_path ? o->helo : domain_of(o->mail_from, r->pool);
	if (!o->ip) { /* no client known: nothing to check */
		r->spf_in.result = MW_AUTH_NONE;
		return MW_OK;
	}
	spf_request req = {0};
	if (!spf_request_set_ip(&req, o->ip))
		return mw_err_set(err, MW_EINVAL, "'%s' is not an IP address", o->ip);
	req.sender = o->mail_from;
	req.helo = o->helo;
	req.identity = SPF_ID_MAILFROM;
	req.receiver = o->authserv_id;
	req.flags = o->spf_quiet ? SPF_F_NO_TRACE | SPF_F_NO_HEADER : 0;
	mw_status st = spf_check_run(&req, res, cache, &r->spf, err);
	if (st != MW_OK)
		return st;
	r->spf_done = true;
	r->spf_in.result = r->spf.result;
	return MW_OK;
}

/* run_dkim - verify every signature, feed DMARC */
static mw_status run_dkim(mw_authrun *r, const mw_message *msg, const mw_authrun_opts *o,
                          time_t now, dns_resolver *res, dns_cache *cache, mw_err *err)
{
	if (mw_dkim_verify_init(&r->dkim, msg, now) != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	r->dkim_ready = true;
	r->dkim.keys = o->dkim_keys;
	r->dkim.bodies = o->bodies;
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	mw_status st = mw_dkim_verify_run(&r->dkim, &lk, res, err);
	if (st != MW_OK)
		return st;
	for (size_t i = 0; i < r->dkim.nsig; i++) {
		const mw_dkim_sig *s = &r->dkim.sig[i];
		r->dkim_in[i] = (mw_dmarc_dkim){s->domain, s->selector, s->result};
	}
	return MW_OK;
}

/* run_arc - validate the ARC chain (reported only) */
static mw_status run_arc(mw_authrun *r, const mw_message *msg, const mw_bodyhash_set *bodies,
                         time_t now, dns_resolver *res, dns_cache *cache, mw_err *err)
{
	if (mw_arc_verify_init(&r->arc, msg, now) != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	r->arc_ready = true;
	r->arc.bodies = bodies;
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	return mw_arc_verify_run(&r->arc, &lk, res, err);
}

mw_status mw_authrun_run(mw_authrun *r, const mw_message *msg, const mw_authrun_opts *o,
                         dns_resolver *res, dns_cache *cache, mw_err *err)
{
	memset(r, 0, sizeof(*r));
	if (!(r->pool = mw_pool_new(MW_DMARC_POOL_MAX)))
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	r->from_status = mw_message_from(msg, r->pool, &r->from, err);
	if (r->from_status != MW_OK && r->from_status != MW_EPARSE)
		return r->from_status;
	mw_err_clear(err);
	time_t now = o->now ? o->now : time(NULL);
	mw_status st;
	if ((st = run_spf(r, o, res, cache, err)) != MW_OK ||
	    (st = run_dkim(r, msg, o, now, res, cache, err)) != MW_OK ||
	    (st = run_arc(r, msg, o->bodies, now, res, cache, err)) != MW_OK)
		return st;
	r->in = (mw_dmarc_input){r->from.domain, r->from.naddrs, &r->spf_in, r->dkim_in,
	                         r->dkim.nsig,   o->dmarc_flags, o->pct_roll};
	dns_lookup lk;
	dns_lookup_init(&lk, cache, time(NULL));
	st = dns_lookup_run(&lk, res, dmarc_step, r, err);
	if (st != MW_OK)
		return st;
	r->dmarc_done = true;
	return MW_OK;
}

/* dmarc_comment - "(p=reject sp=none dis=quarantine)" style comment for A-R */
static const char *dmarc_comment(const mw_dmarc_domain *dd, const char *note, mw_pool *pool)
{
	if (!dd->has_record)
		return NULL;
	const mw_dmarc_record *rec = &dd->record;
	return mw_pool_printf(
	    pool, "p=%s%s%s%s%s dis=%s%s%s%s%s", mw_dmarc_policy_name(rec->p),
	    rec->has_sp ? " sp=" : "", rec->has_sp ? mw_dmarc_policy_name(rec->sp) : "",
	    rec->has_np ? " np=" : "", rec->has_np ? mw_dmarc_policy_name(rec->np) : "",
	    mw_dmarc_policy_name(dd->disposition), dd->testing ? " t=y" : "",
	    dd->sampled_out ? " pct-sampled-out" : "", note ? " " : "", note ? note : "");
}

/* add_dkim_arc - the dkim and arc resinfo */
static mw_status add_dkim_arc(mw_authres *ar, mw_authrun *r)
{
	mw_status st = MW_OK;
	for (size_t i = 0; st == MW_OK && i < r->dkim.nsig; i++) {
		const mw_dkim_sig *s = &r->dkim.sig[i];
		st = mw_authres_add_dkim(ar, r->pool, s->result,
		                         s->result == MW_AUTH_PASS ? NULL : s->reason, s->domain,
		                         s->selector, s->b, s->identity);
	}
	if (st == MW_OK && r->dkim.nsig == 0)
		st = mw_authres_add(ar, r->pool, "dkim", "none", "no signature") ? MW_OK
		                                                                 : MW_ETOOBIG;
	if (st == MW_OK && r->arc_ready) { /* RFC 8617 registers none/pass/fail for arc */
		mw_auth_result cv = r->arc.cv == MW_AUTH_TEMPERROR ? MW_AUTH_FAIL : r->arc.cv;
		st = mw_authres_add_arc(ar, r->pool, cv,
		                        r->arc.cv == MW_AUTH_TEMPERROR ? "temporary DNS failure"
		                        : r->arc.n ? mw_pool_printf(r->pool, "i=%u", r->arc.n)
		                                   : NULL,
		                        r->arc.cv == MW_AUTH_PASS ? r->arc.oldest_pass : 0);
	}
	return st;
}

mw_status mw_authrun_authres(mw_authrun *r, const mw_authrun_opts *o, bool lf, mw_buf *out)
{
	mw_authres ar;
	mw_status st = mw_authres_init(&ar, r->pool, o->authserv_id ? o->authserv_id : "localhost");
	if (st != MW_OK)
		return st;
	st = mw_authres_add_spf(&ar, r->pool, r->spf_in.result,
	                        o->mail_from && *o->mail_from ? o->mail_from : NULL,
	                        o->helo ? o->helo : "unknown", r->spf_done ? r->spf.problem : NULL);
	if (st == MW_OK)
		st = add_dkim_arc(&ar, r);
	for (size_t i = 0; st == MW_OK && i < r->dmarc.ndomains; i++) {
		const mw_dmarc_domain *dd = &r->dmarc.domain[i];
		st = mw_authres_add_dmarc(
		    &ar, r->pool, dd->result,
		    dmarc_comment(dd, i == r->dmarc_note_at ? r->dmarc_note : NULL, r->pool), dd->from_domain,
		    dd->has_record ? mw_dmarc_policy_name(dd->applied) : NULL);
	}
	if (st == MW_OK && r->dmarc.ndomains == 0)
		st = mw_authres_add_dmarc(&ar, r->pool, MW_AUTH_NONE, r->dmarc.reason, NULL, NULL);
	if (st != MW_OK)
		return st;
	return mw_authres_format(&ar, MW_AR_FMT_FIELD_NAME | (lf ? MW_AR_FMT_LF : 0), out);
}

void mw_authrun_free(mw_authrun *r)
{
	if (r->dkim_ready)
		mw_dkim_verify_free(&r->dkim);
	if (r->arc_ready)
		mw_arc_verify_free(&r->arc);
	spf_result_free(&r->spf);
	mw_pool_free(r->pool);
	memset(r, 0, sizeof(*r));
}
