/*
 * logwatch/logevent.c - finding -> mw_event (see logevent.h).
 */
#include "logwatch/logevent.h"

#include <stdio.h>
#include <string.h>

/* copy_after - the part of key after prefix into dst, if key has it */
static void copy_after(const char *key, const char *prefix, char *dst, size_t cap)
{
	size_t n = strlen(prefix);
	if (strncmp(key, prefix, n) == 0)
		snprintf(dst, cap, "%s", key + n);
}

/* limits - the threshold and window a finding type was judged by */
static void limits(mw_finding_type t, const mw_logscan_opts *o, uint64_t *limit, int64_t *win_ms)
{
	*limit = 0;
	*win_ms = 0;
	switch (t) {
	case MW_FIND_RATE: *limit = o->rate_limit; *win_ms = o->rate_window * 1000; break;
	case MW_FIND_AUTH_IP: *limit = o->auth_ip_limit; break;
	case MW_FIND_AUTH_USER: *limit = o->auth_user_limit; break;
	case MW_FIND_LOGIN_IPS: *limit = o->login_ips; break;
	case MW_FIND_BACKSCATTER: *limit = o->backscatter_limit; *win_ms = 3600000; break;
	case MW_FIND_DEFERRALS: *limit = o->defer_limit; *win_ms = 3600000; break;
	default: break;
	}
}

/* mw_finding_to_event - see logevent.h */
void mw_finding_to_event(const mw_finding *f, const mw_logscan_opts *o, mw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = f->last * 1000;
	snprintf(ev->source, sizeof(ev->source), "logscan");
	snprintf(ev->rule, sizeof(ev->rule), "%s", mw_finding_type_name(f->type));
	snprintf(ev->key, sizeof(ev->key), "%s", f->key);
	snprintf(ev->action, sizeof(ev->action), "alert");
	ev->count = f->count;
	limits(f->type, o, &ev->limit, &ev->window_ms);
	copy_after(f->key, "client:", ev->client_address, sizeof(ev->client_address));
	copy_after(f->key, "sasl_username:", ev->sasl_username, sizeof(ev->sasl_username));
	copy_after(f->key, "sender:", ev->sender, sizeof(ev->sender));
	for (unsigned i = 0; i < f->nevidence; i++)
		mw_event_add_subject(ev, f->evidence[i]);
}
