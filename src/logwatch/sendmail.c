/*
 * logwatch/sendmail.c - the message part of Sendmail log lines (forms listed
 * in logline.h).  Sendmail writes "relay=host [ip]" (with a space, and
 * "IPv6:" before v6 literals) and "reject=CODE X.Y.Z <addr>... text".
 */
#include <string.h>

#include "logwatch/logline.h"

/* sm_hostaddr - "host [ip]", "[ip]", "host" (no address); IPv6: prefix dropped */
static bool sm_hostaddr(const char **p, const char *end, mw_sv *host, mw_sv *ip)
{
	const char *s = *p;
	const char *e = s;
	while (e < end && *e != ',' && *e != ':' && *e != ' ' && *e != '[')
		e++;
	*host = mw_sv_make(s, e);
	if (e < end && *e == ' ' && e + 1 < end && e[1] == '[')
		e++;
	if (e < end && *e == '[') {
		const char *rb = mw_findc(e + 1, end, ']');
		if (!rb)
			return false;
		const char *a = e + 1;
		if (MW_STARTS(a, rb, "IPv6:"))
			a += 5;
		*ip = mw_sv_make(a, rb);
		e = rb + 1;
	}
	if (host->n == 0 && !ip->p)
		return false;
	*p = e;
	return true;
}

/* sm_kv - value of "name=" (last occurrence when last is set) up to ", " */
static bool sm_kv(const char *s, const char *end, const char *name, size_t n, bool last,
		  mw_sv *out)
{
	const char *k = NULL, *q = s;
	while ((q = mw_find(q, end, name, n)) != NULL) {
		if (q == s || q[-1] == ' ')
			k = q;
		q += n;
		if (k && !last)
			break;
	}
	if (!k)
		return false;
	const char *v = k + n;
	const char *e = MW_FIND(v, end, ", ");
	*out = mw_sv_make(v, e ? e : end);
	return true;
}
#define SMKV(s, end, name, out) sm_kv((s), (end), name, sizeof(name) - 1, false, (out))

/* sm_relay - the last relay= of the line into client host/ip */
static void sm_relay(mw_logev *ev, const char *s, const char *end, mw_sv *host, mw_sv *ip)
{
	mw_sv r;
	if (sm_kv(s, end, "relay=", 6, true, &r)) {
		const char *p = r.p;
		sm_hostaddr(&p, r.p + r.n, host, ip);
	}
	(void)ev;
}

/* sm_status - Sendmail stat= word into Postfix-style status */
static void sm_status(mw_logev *ev, mw_sv stat)
{
	const char *s = stat.p, *end = s + stat.n;
	if (MW_STARTS(s, end, "Sent")) {
		ev->status = mw_sv_make(s, s + 4);
	} else if (MW_STARTS(s, end, "Deferred")) {
		ev->status = mw_sv_make(s, s + 8);
	} else {
		ev->status = stat;
		if (ev->dsn.n && ev->dsn.p[0] == '5')
			ev->status = (mw_sv){"bounced", 7};
	}
	const char *lp = mw_findc(s, end, '(');
	if (lp && end[-1] == ')')
		ev->reply = mw_sv_make(lp + 1, end - 1);
	else
		ev->reply = stat;
}

/* sm_reject - "ruleset=..., arg1=..., relay=..., reject=550 5.7.1 <x>... text" */
static void sm_reject(mw_logev *ev, const char *s, const char *end)
{
	mw_sv rs, rej, arg1;
	SMKV(s, end, "ruleset=", &rs);
	ev->stage = rs;
	if (SMKV(s, end, "arg1=", &arg1)) {
		const char *a = arg1.p;
		if (!mw_parse_angle(&a, arg1.p + arg1.n, &ev->to))
			ev->to = arg1;
	}
	sm_relay(ev, s, end, &ev->client_host, &ev->client_ip);
	const char *r = MW_FIND(s, end, "reject=");
	if (!r)
		return;
	rej = mw_sv_make(r + 7, end);
	ev->action = (mw_sv){"reject", 6};
	const char *q = rej.p;
	if (end - q > 4 && q[3] == ' ') {
		ev->code = mw_sv_make(q, q + 3);
		q += 4;
		const char *sp = mw_findc(q, end, ' ');
		if (sp && q < end && q[1] == '.') {
			ev->enhanced = mw_sv_make(q, sp);
			q = sp + 1;
		}
	}
	const char *dots = MW_FIND(q, end, "... ");
	if (dots && *q == '<') {
		const char *a = q;
		mw_parse_angle(&a, dots, &ev->status_data);
		q = dots + 4;
	}
	ev->text = mw_sv_make(q, end);
	ev->reply = ev->text;
	ev->kind = MW_LE_REJECT;
}

/* sm_client_phrase - "H [IP][ (may be forged)]: " at s */
static const char *sm_client_phrase(mw_logev *ev, const char *s, const char *end)
{
	const char *q = s;
	if (!sm_hostaddr(&q, end, &ev->client_host, &ev->client_ip) || !ev->client_ip.p)
		return NULL;
	MW_LIT(&q, end, " (may be forged)");
	return q;
}

/* sm_abuse - connection-level abuse reports */
static bool sm_abuse(mw_logev *ev, const char *s, const char *end)
{
	static const char *const phrases[] = {" did not issue MAIL/EXPN/VRFY/ETRN",
					      ": possible SMTP attack: ", ": EXPN ", ": VRFY ",
					      ": expn ", ": vrfy ", NULL};
	const char *q = s, *f;
	if (MW_LIT(&q, end, "rejecting commands from ") || MW_LIT(&q, end, "lost input channel from ")) {
		if (sm_client_phrase(ev, q, end)) {
			ev->kind = MW_LE_PROTO_ABUSE;
			ev->action = mw_sv_make(s, q - 6);
		}
		return true;
	}
	const char *after = sm_client_phrase(ev, s, end);
	if (!after)
		return false;
	for (int i = 0; phrases[i]; i++) {
		size_t n = strlen(phrases[i]);
		if (!mw_starts(after, end, phrases[i], n))
			continue;
		ev->kind = MW_LE_PROTO_ABUSE;
		ev->action = mw_sv_make(after + (after[0] == ':' ? 2 : 1), after + n - 1);
		f = MW_FIND(after, end, "command=AUTH");
		if (f) {
			ev->kind = MW_LE_AUTH_FAIL;
			ev->sasl_method = (mw_sv){"AUTH", 4};
			ev->text = mw_sv_make(after + 2, end);
		}
		return true;
	}
	ev->client_host = ev->client_ip = MW_SV_NULL;
	return false;
}

/* sm_authfail - "AUTH failure (MECH): reason, user=U, relay=H [IP]" */
static void sm_authfail(mw_logev *ev, const char *s, const char *end)
{
	const char *q = s + 14;
	const char *rp = mw_findc(q, end, ')');
	if (!rp)
		return;
	ev->sasl_method = mw_sv_make(q, rp);
	const char *u = MW_FIND(rp, end, "user=");
	if (u && (u[-1] == ' ')) {
		const char *ue = MW_FIND(u, end, ", ");
		ev->sasl_user = mw_sv_make(u + 5, ue ? ue : end);
	}
	sm_relay(ev, rp, end, &ev->client_host, &ev->client_ip);
	const char *te = u ? u - 2 : MW_FIND(rp, end, ", relay=");
	ev->text = mw_sv_make(rp + (rp + 3 <= end ? 3 : 1), te && te > rp + 3 ? te : end);
	ev->kind = MW_LE_AUTH_FAIL;
}

/* sm_after_qid - everything after "QID: " */
static void sm_after_qid(mw_logev *ev, const char *s, const char *end)
{
	mw_sv v;
	if (MW_LIT(&s, end, "from=")) {
		const char *a = s;
		if (!mw_parse_angle(&a, end, &ev->from)) {
			const char *c = MW_FIND(s, end, ", ");
			ev->from = mw_sv_make(s, c ? c : end);
		}
		SMKV(s, end, "size=", &ev->size);
		SMKV(s, end, "nrcpts=", &ev->nrcpt);
		if (SMKV(s, end, "msgid=", &v)) {
			const char *a2 = v.p;
			if (!mw_parse_angle(&a2, v.p + v.n, &ev->msgid))
				ev->msgid = v;
		}
		SMKV(s, end, "proto=", &ev->proto);
		sm_relay(ev, s, end, &ev->client_host, &ev->client_ip);
		ev->kind = MW_LE_QUEUED;
		return;
	}
	if (MW_LIT(&s, end, "to=")) {
		const char *c = MW_FIND(s, end, ", ");
		ev->to = mw_sv_make(s, c ? c : end);
		if (ev->to.n >= 2 && ev->to.p[0] == '<' && ev->to.p[ev->to.n - 1] == '>')
			ev->to = mw_sv_make(ev->to.p + 1, ev->to.p + ev->to.n - 1);
		SMKV(s, end, "delay=", &ev->delay);
		SMKV(s, end, "dsn=", &ev->dsn);
		sm_relay(ev, s, end, &ev->relay_host, &ev->relay_ip);
		if (SMKV(s, end, "stat=", &v)) {
			v = mw_sv_make(v.p, end);
			sm_status(ev, v);
			ev->kind = MW_LE_DELIVERY;
		}
		return;
	}
	if (MW_STARTS(s, end, "ruleset=")) {
		sm_reject(ev, s, end);
		return;
	}
	if (MW_STARTS(s, end, "AUTH failure (")) {
		sm_authfail(ev, s, end);
		return;
	}
	if (sm_abuse(ev, s, end))
		return;
	const char *dots = MW_FIND(s, end, "... ");
	if (s < end && *s == '<' && dots) { /* "<addr>... User unknown" */
		const char *a = s;
		if (mw_parse_angle(&a, dots, &ev->to)) {
			ev->text = mw_sv_make(dots + 4, end);
			ev->kind = mw_sv_icontains(ev->text, "unknown") ||
					   mw_sv_icontains(ev->text, "no such user")
				       ? MW_LE_REJECT
				       : MW_LE_IGNORED;
			ev->action = (mw_sv){"reject", 6};
		}
		return;
	}
	if (MW_STARTS(s, end, "DSN: ") || MW_FIND(s, end, ": DSN: ")) {
		ev->kind = MW_LE_BOUNCE;
		const char *c = mw_findc(s, end, ':');
		if (c && mw_is_qid(s, (size_t)(c - s)))
			ev->dsn_qid = mw_sv_make(s, c);
		ev->text = mw_sv_make(MW_FIND(s, end, "DSN: ") + 5, end);
		return;
	}
	ev->kind = MW_LE_IGNORED;
}

/* mw_parse_sendmail - entry point */
void mw_parse_sendmail(mw_logev *ev)
{
	const char *s = ev->msg.p, *end = s + ev->msg.n;
	const char *colon = mw_findc(s, end, ':');
	if (colon && colon + 1 < end && colon[1] == ' ' && mw_is_qid(s, (size_t)(colon - s))) {
		ev->qid = mw_sv_make(s, colon);
		sm_after_qid(ev, colon + 2, end);
		return;
	}
	if (MW_STARTS(s, end, "ruleset=")) {
		sm_reject(ev, s, end);
		return;
	}
	if (MW_STARTS(s, end, "AUTH=server, ")) {
		mw_sv v;
		sm_relay(ev, s, end, &ev->client_host, &ev->client_ip);
		if (SMKV(s, end, "authid=", &v))
			ev->sasl_user = v;
		if (SMKV(s, end, "mech=", &v))
			ev->sasl_method = v;
		ev->kind = MW_LE_CLIENT;
		return;
	}
	if (MW_STARTS(s, end, "STARTTLS") || MW_STARTS(s, end, "starting daemon") ||
	    MW_STARTS(s, end, "alias database")) {
		ev->kind = MW_LE_IGNORED;
		return;
	}
	if (!sm_abuse(ev, s, end) && MW_STARTS(s, end, "AUTH failure ("))
		sm_authfail(ev, s, end);
}
