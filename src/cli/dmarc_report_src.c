/*
 * cli/dmarc_report_src.c - source reverse DNS / provider for dmarc-report
 * (see dmarc_report_src.h).
 */
#include "cli/dmarc_report_src.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/htab.h"
#include "core/limits.h"
#include "core/str.h"

/* dr_srcinfo_lookup - see header */
dr_srcinfo *dr_srcinfo_lookup(const mw_drs_source *const *src, size_t n, size_t max,
			      cli_dns *dns, mw_drstore *db)
{
	dr_srcinfo *info = calloc(n ? n : 1, sizeof(*info));
	if (!info)
		return NULL;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n && i < max; i++) {
		mw_err err;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long ms = (long)(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > MW_DR_RDNS_TIME_MS) {
			fprintf(stderr, "mailwarden dmarc-report: reverse DNS stopped after %zu sources: "
				"%d s spent (DNS slow or unreachable)\n", i, MW_DR_RDNS_TIME_MS / 1000);
			break;
		}
		const char *dom = src[i]->header_from[0] ? src[i]->header_from : NULL;
		mw_status st = mw_drsrc_run(dns->resolver, dns->cache, src[i]->ip, dom, &info[i].d, &err);
		info[i].have = st == MW_OK;
		if (st != MW_OK && st != MW_EINVAL)
			fprintf(stderr, "mailwarden dmarc-report: %s: %s\n", src[i]->ip, err.msg);
		if (info[i].have && db &&
		    mw_drstore_set_source(db, src[i]->ip, info[i].d.ptr, info[i].d.fcrdns,
					  info[i].d.provider, info[i].d.via, (int64_t)time(NULL),
					  &err) != MW_OK)
			fprintf(stderr, "mailwarden dmarc-report: %s\n", err.msg);
	}
	return info;
}

/* dr_srcinfo_from_db - see header */
dr_srcinfo *dr_srcinfo_from_db(const mw_drs_source *const *src, size_t n, mw_drstore *db)
{
	dr_srcinfo *info = calloc(n ? n : 1, sizeof(*info));
	mw_drstore_source *rows = NULL;
	size_t nrows = 0;
	mw_err err;
	mw_htab *by_ip = mw_htab_new(NULL);
	if (!info || !by_ip || mw_drstore_sources(db, 0, NULL, 0, &rows, &nrows, &err) != MW_OK) {
		mw_htab_free(by_ip);
		return info;
	}
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].ptr[0] || rows[i].provider[0])
			mw_htab_put(by_ip, rows[i].ip, strlen(rows[i].ip), &rows[i]);
	for (size_t i = 0; i < n; i++) {
		const mw_drstore_source *x = mw_htab_get(by_ip, src[i]->ip, strlen(src[i]->ip));
		if (!x)
			continue;
		dr_srcinfo *d = &info[i];
		d->have = true;
		mw_strlcpy(d->d.ptr, x->ptr, sizeof(d->d.ptr));
		d->d.fcrdns = x->fcrdns;
		d->d.rdns = x->ptr[0] ? (x->fcrdns ? "ok" : "not-confirmed") : "none";
		mw_strlcpy(d->provider, x->provider, sizeof(d->provider));
		d->d.provider = d->provider[0] ? d->provider : NULL;
		mw_strlcpy(d->d.via, x->provider_via, sizeof(d->d.via));
	}
	mw_htab_free(by_ip);
	free(rows);
	return info;
}

/* dr_srcinfo_line - see header */
void dr_srcinfo_line(const dr_srcinfo *x, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!x || !x->have)
		return;
	const mw_drsrc *d = &x->d;
	const char *how = strcmp(d->rdns, "ok") == 0 ? " (forward-confirmed)"
			  : strcmp(d->rdns, "not-confirmed") == 0 ? " (does not resolve back)" : "";
	snprintf(buf, len, "    rDNS %s%s%s%s%s%s%s%s", d->ptr[0] ? d->ptr : d->rdns, how,
		 d->spf ? "; SPF " : "", d->spf ? d->spf : "", d->spf_term[0] ? " by " : "",
		 d->spf_term, d->provider ? "; provider " : "", d->provider ? d->provider : "");
	if (d->provider) {
		size_t k = strlen(buf);
		snprintf(buf + k, len - k, " (%s)", d->via);
	}
}

/* dr_srcinfo_json - see header */
void dr_srcinfo_json(json_t *o, const dr_srcinfo *x)
{
	if (!x || !x->have)
		return;
	const mw_drsrc *d = &x->d;
	json_object_set_new(o, "ptr", d->ptr[0] ? json_string(d->ptr) : json_null());
	json_object_set_new(o, "fcrdns", json_boolean(d->fcrdns));
	json_object_set_new(o, "rdns", json_string(d->rdns));
	if (d->spf)
		json_object_set_new(o, "spf", json_string(d->spf));
	if (d->spf_term[0])
		json_object_set_new(o, "spf_term", json_string(d->spf_term));
	json_object_set_new(o, "provider", d->provider ? json_string(d->provider) : json_null());
	json_object_set_new(o, "provider_via", d->via[0] ? json_string(d->via) : json_null());
}

/* dr_srcinfo_advice - see header */
size_t dr_srcinfo_advice(const mw_drs_source *const *src, size_t n, const dr_srcinfo *info,
			 char (*out)[600], size_t max)
{
	size_t k = 0;
	for (size_t i = 0; info && i < n && k < max; i++)
		if (info[i].have && mw_drsrc_advice(src[i], &info[i].d, out[k], sizeof(out[k])))
			k++;
	return k;
}
