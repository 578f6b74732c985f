/*
 * report/drrecord.c - DMARC evaluation -> report rows (see drrecord.h).
 */
#include "report/drrecord.h"

#include <string.h>

#include "auth/result.h"

/* policy_of - the published tags as report words */
static mw_dmarclog_policy policy_of(const mw_dmarc_record *rec)
{
	return (mw_dmarclog_policy){
		.p = mw_dmarc_policy_name(rec->p),
		.sp = rec->has_sp ? mw_dmarc_policy_name(rec->sp) : NULL,
		.np = rec->has_np ? mw_dmarc_policy_name(rec->np) : NULL,
		.adkim = rec->adkim_strict ? "s" : "r",
		.aspf = rec->aspf_strict ? "s" : "r",
		.fo = rec->fo,
		.testing = rec->testing ? "y" : "n",
		.pct = rec->pct,
	};
}

/* applied_name - what the receiver did, as a disposition word */
static const char *applied_name(mw_drrecord_action a)
{
	return a == MW_DRREC_REJECTED ? "reject" : a == MW_DRREC_QUARANTINED ? "quarantine" : "none";
}

/* add_reasons - why the applied disposition differs from the requested one */
static void add_reasons(mw_dmarclog_row *r, const mw_dmarc_domain *d, const mw_drrecord_ctx *c,
			mw_pool *pool)
{
	if (d->result != MW_AUTH_FAIL)
		return;
	const mw_disposition *dp = c->dispo;
	mw_dmarc_policy requested = dp ? dp->requested : d->requested;
	mw_dmarc_policy applied = dp ? dp->applied : d->applied;
	if (dp ? dp->testing : d->testing)
		r->reasons[r->nreasons++] = (mw_dmarclog_reason){
			"policy_test_mode",
			mw_pool_printf(pool, "t=y: %s applied as %s", mw_dmarc_policy_name(requested),
				       mw_dmarc_policy_name(applied))};
	if (dp ? dp->sampled_out : d->sampled_out)
		r->reasons[r->nreasons++] = (mw_dmarclog_reason){"sampled_out", "pct"};
	if (dp && dp->reason != MW_DISPO_NO_OVERRIDE && dp->reason != MW_DISPO_SAMPLED_OUT)
		r->reasons[r->nreasons++] =
			(mw_dmarclog_reason){mw_dispo_reason_name(dp->reason), NULL};
	mw_dmarc_policy want = dp ? dp->final : d->disposition;
	mw_dmarc_policy did = c->action == MW_DRREC_REJECTED      ? MW_DMARC_POLICY_REJECT
			      : c->action == MW_DRREC_QUARANTINED ? MW_DMARC_POLICY_QUARANTINE
								  : MW_DMARC_POLICY_NONE;
	if (did != want)
		r->reasons[r->nreasons++] = (mw_dmarclog_reason){
			"local_policy",
			c->action_comment ? c->action_comment
					  : mw_pool_printf(pool, "%s not applied by this receiver",
							   mw_dmarc_policy_name(want))};
}

/* add_auth - the raw DKIM and SPF results */
static void add_auth(mw_dmarclog_row *r, const mw_authrun *run)
{
	for (size_t i = 0; run->dkim_ready && i < run->dkim.nsig && r->ndkim < MW_DMARCLOG_AUTH_MAX;
	     i++) {
		const mw_dkim_sig *s = &run->dkim.sig[i];
		if (!s->domain)
			continue;
		r->dkim_res[r->ndkim++] = (mw_dmarclog_auth){
			.domain = s->domain,
			.selector = s->selector,
			.result = mw_auth_result_name(s->result),
			.human_result = s->reason[0] ? s->reason : NULL};
	}
	if (run->spf_in.domain && *run->spf_in.domain) {
		const char *human = run->spf_done ? (run->spf.problem ? run->spf.problem
								      : run->spf.explanation)
						  : NULL;
		r->spf_res[r->nspf++] = (mw_dmarclog_auth){
			.domain = run->spf_in.domain,
			.scope = run->spf_in.scope == MW_DMARC_SPF_HELO ? "helo" : "mfrom",
			.result = mw_auth_result_name(run->spf_in.result),
			.human_result = human};
	}
}

/* mw_drrecord_rows - one row per Author Domain with a policy record */
void mw_drrecord_rows(const mw_authrun *run, const mw_drrecord_ctx *ctx, mw_pool *pool,
		      mw_dmarclog_row *rows, size_t *n)
{
	*n = 0;
	if (!run->dmarc_done)
		return;
	for (size_t i = 0; i < run->dmarc.ndomains && *n < MW_DMARC_FROM_DOMAINS_MAX; i++) {
		const mw_dmarc_domain *d = &run->dmarc.domain[i];
		if (!d->has_record || !d->policy_domain)
			continue;
		mw_dmarclog_row *r = &rows[(*n)++];
		memset(r, 0, sizeof(*r));
		r->time = ctx->time;
		r->source_ip = ctx->source_ip;
		r->header_from = d->from_domain;
		r->envelope_from = run->spf_in.scope == MW_DMARC_SPF_MAILFROM ? run->spf_in.domain
									       : NULL;
		r->envelope_to = ctx->envelope_to;
		r->policy_domain = d->policy_domain;
		r->policy = policy_of(&d->record);
		r->dmarc = mw_auth_result_name(d->result);
		r->disposition = d->result == MW_AUTH_PASS ? "pass" : applied_name(ctx->action);
		r->dkim = d->dkim_aligned ? "pass" : "fail";
		r->spf = d->spf_aligned ? "pass" : "fail";
		add_reasons(r, d, ctx, pool);
		add_auth(r, run);
		if (r->nspf == 0) /* RFC 9990 wants one spf result: say none for the author */
			r->spf_res[r->nspf++] = (mw_dmarclog_auth){
				.domain = d->from_domain, .scope = "mfrom", .result = "none",
				.human_result = "no MAIL FROM or HELO domain to check"};
	}
}

/* mw_drrecord_add - rows into the log */
mw_status mw_drrecord_add(mw_dmarclog *log, const mw_authrun *run, const mw_drrecord_ctx *ctx,
			  mw_err *err)
{
	mw_pool *pool = mw_pool_new(1u << 20);
	mw_dmarclog_row *rows =
		pool ? mw_pool_alloc(pool, MW_DMARC_FROM_DOMAINS_MAX * sizeof(*rows)) : NULL;
	if (!rows) {
		mw_pool_free(pool);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	size_t n;
	mw_drrecord_rows(run, ctx, pool, rows, &n);
	mw_status st = MW_OK;
	for (size_t i = 0; i < n && st == MW_OK; i++)
		st = mw_dmarclog_add(log, &rows[i], err);
	mw_pool_free(pool);
	return st;
}
