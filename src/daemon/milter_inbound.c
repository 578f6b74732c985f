/*
 * daemon/milter_inbound.c - DMARC disposition and inbound scan for the
 * milter (see milter_inbound.h).
 */
#include "daemon/milter_inbound.h"
#include "daemon/milter_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "daemon/milter.h"

/* roll - uniform 0..99 from the kernel (thread-safe, no state) */
static unsigned roll(void *ctx)
{
	(void)ctx;
	return arc4random_uniform(100);
}

/* deciding - the failing domain with the strictest requested policy, or -1 */
static long deciding(const mw_authrun *r)
{
	long best = -1;
	for (size_t i = 0; r->dmarc_done && i < r->dmarc.ndomains; i++) {
		const mw_dmarc_domain *dd = &r->dmarc.domain[i];
		if (dd->result == MW_AUTH_FAIL &&
		    (best < 0 || dd->requested > r->dmarc.domain[best].requested))
			best = (long)i;
	}
	return best;
}

/* header_value - first field named name, unfolded, from pool; NULL if none */
static const char *header_value(const mw_message *m, const char *name, mw_pool *pool)
{
	long i = mw_message_find(m, name, 0);
	return i >= 0 ? mw_hfield_unfold(&m->field[i], pool) : NULL;
}

/* milter_dmarc_decide - see header */
void milter_dmarc_decide(const milter_config *cfg, const mw_message *m, mw_authrun *r,
			 const char *ip, const char *host, mw_disposition *d, char *note,
			 size_t note_len, const char **domain)
{
	static const mw_dispo_input none = {.dmarc = MW_AUTH_NONE, .pct = -1};
	long k = deciding(r);
	*domain = "";
	note[0] = '\0';
	if (k < 0) {
		mw_dispo_decide(&cfg->dispo, &none, d);
		return;
	}
	mw_dmarc_domain *dd = &r->dmarc.domain[k];
	mw_ip cip;
	bool have_ip = ip && *ip && mw_ip_parse(ip, &cip);
	char oldest[MW_DISPO_NAME_MAX], newest[MW_DISPO_NAME_MAX];
	mw_dispo_arc_sealers(m, r->arc_ready ? &r->arc : NULL, oldest, newest, sizeof(oldest));
	mw_dispo_input in = {
		.dmarc = MW_AUTH_FAIL,
		.requested = dd->requested,
		.pct = dd->record.pct,
		.testing = dd->record.testing,
		.from_domain = dd->from_domain,
		.client_ip = have_ip ? &cip : NULL,
		.client_host = host && *host ? host : NULL,
		.list_id = header_value(m, "List-Id", r->pool),
		.list_post = mw_message_find(m, "List-Post", 0) >= 0,
		.arc_pass = r->arc_ready && r->arc.cv == MW_AUTH_PASS,
		.arc_oldest = oldest,
		.arc_newest = newest,
		.roll = roll,
	};
	mw_dispo_decide(&cfg->dispo, &in, d);
	*domain = dd->from_domain ? dd->from_domain : "";
	dd->disposition = d->final;
	dd->sampled_out = d->sampled_out;
	if (d->reason != MW_DISPO_NO_OVERRIDE && d->reason != MW_DISPO_SAMPLED_OUT) {
		snprintf(note, note_len, "override=%s", mw_dispo_reason_name(d->reason));
		r->dmarc_note = note;
		r->dmarc_note_at = (size_t)k;
	}
}

/* milter_scan_inbound - see header */
sfsistat milter_scan_inbound(SMFICTX *ctx, const milter_config *cfg, const char *msg,
			     size_t len, const char *ip)
{
	mw_scan_result *res = calloc(1, sizeof(*res));
	mw_err err;
	mw_err_clear(&err);
	if (!res || mw_scan_message(cfg->scan, msg, len, res, &err) != MW_OK) {
		milter_log(LOG_WARNING, "inbound scan failed (%s): not scanned",
			res ? err.msg : "out of memory");
		free(res);
		return SMFIS_CONTINUE;
	}
	char rules[512] = "", value[600];
	size_t off = 0;
	for (size_t i = 0; i < res->nhits && off < sizeof(rules) - 1; i++) {
		int n = snprintf(rules + off, sizeof(rules) - off, "%s%s", i ? "," : "", res->hit[i].rule);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	snprintf(value, sizeof(value), "%sscore=%d threshold=%d rules=%s",
		 milter_leadspc(ctx) ? " " : "", /* the MTA adds no space under LEADSPC */
		 res->score, res->threshold, res->nhits ? rules : "none");
	sfsistat rc = SMFIS_CONTINUE;
	if (res->hold && cfg->inbound_scan == MILTER_IS_REJECT) {
		smfi_setreply(ctx, "550", "5.7.1", "message refused by content policy");
		rc = SMFIS_REJECT;
	} else {
		smfi_addheader(ctx, "X-Mailwarden-Scan", value);
		if (res->hold && cfg->inbound_scan == MILTER_IS_HOLD &&
		    smfi_quarantine(ctx, "mailwarden inbound scan") != MI_SUCCESS)
			milter_log(LOG_WARNING, "smfi_quarantine refused");
	}
	milter_log(LOG_INFO, "inbound scan from %s: %s%s", ip, value,
		!res->hold ? "" : rc == SMFIS_REJECT ? " -> reject" :
		cfg->inbound_scan == MILTER_IS_HOLD ? " -> hold" : " -> tagged");
	free(res);
	return rc;
}
