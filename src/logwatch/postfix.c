/*
 * logwatch/postfix.c - the message part of Postfix log lines (forms listed in
 * logline.h).  Cursor style: each parser starts at ev->msg and fills views.
 */
#include <string.h>

#include "logwatch/logline.h"

typedef struct cur {
	const char *p, *end;
} cur;

/* kv_value - value of "name=" up to the next ", " or ' ' or end; angle
 * brackets are taken whole.  Searches from s. */
static bool kv_find(const char *s, const char *end, const char *name, size_t n, mw_sv *out)
{
	const char *k = s;
	while ((k = mw_find(k, end, name, n)) != NULL) {
		if (k == s || k[-1] == ' ' || k[-1] == ',' || k[-1] == '(')
			break;
		k += n;
	}
	if (!k)
		return false;
	const char *v = k + n;
	if (v < end && *v == '<') {
		return mw_parse_angle(&v, end, out);
	}
	const char *e = v;
	while (e < end && *e != ',' && *e != ' ' && *e != ';')
		e++;
	*out = mw_sv_make(v, e);
	return true;
}
#define KV(s, end, name, out) kv_find((s), (end), name, sizeof(name) - 1, (out))

/* parse_envelope_kv - the "; from=<> to=<> proto=X helo=<>" tail of rejects */
static void parse_envelope_kv(mw_logev *ev, const char *s, const char *end)
{
	KV(s, end, "from=", &ev->from);
	KV(s, end, "to=", &ev->to);
	KV(s, end, "proto=", &ev->proto);
	KV(s, end, "helo=", &ev->helo);
}

/* reply_codes - "550 5.1.1 " and/or "5.7.1 " at the start of a reply */
static void reply_codes(mw_logev *ev, const char **p, const char *end)
{
	const char *s = *p;
	if (end - s >= 4 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && (s[3] == ' ' || s[3] == '-')) {
		ev->code = mw_sv_make(s, s + 3);
		s += 4;
	}
	const char *q = s;
	if (q < end && *q >= '2' && *q <= '5' && q + 1 < end && q[1] == '.') {
		q += 2;
		while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
			q++;
		if (q < end && *q == ' ') {
			ev->enhanced = mw_sv_make(s, q);
			s = q + 1;
		} else if (q == end) {
			ev->enhanced = mw_sv_make(s, q);
			s = q;
		}
	}
	*p = s;
}

/* envelope_start - the "; from=" (or to=/proto=/helo=) that ends a reply */
static const char *envelope_start(const char *s, const char *end)
{
	const char *q = s, *semi;
	while ((semi = MW_FIND(q, end, "; ")) != NULL) {
		const char *k = semi + 2;
		if (MW_STARTS(k, end, "from=") || MW_STARTS(k, end, "to=") ||
		    MW_STARTS(k, end, "proto=") || MW_STARTS(k, end, "helo="))
			return semi;
		q = semi + 2;
	}
	return NULL;
}

/* parse_reject_body - "STAGE from H[IP]: CODE X.Y.Z <data>: text; kv" */
static bool parse_reject_body(mw_logev *ev, const char *s, const char *end)
{
	const char *sp = mw_findc(s, end, ' ');
	if (!sp || !MW_STARTS(sp, end, " from "))
		return false;
	ev->stage = mw_sv_make(s, sp);
	s = sp + 6;
	if (!mw_parse_hostaddr(&s, end, &ev->client_host, &ev->client_ip, &ev->client_port))
		return false;
	if (!MW_LIT(&s, end, ": "))
		return true;
	const char *semi = envelope_start(s, end);
	const char *tend = semi ? semi : end;
	reply_codes(ev, &s, tend);
	if (MW_STARTS(s, tend, "Service unavailable; client [")) { /* postscreen DNSBL */
		const char *ip = s + 29, *rb = mw_findc(ip, tend, ']');
		if (rb && MW_STARTS(rb, tend, "] ")) {
			ev->status_data = mw_sv_make(ip, rb);
			ev->reply = mw_sv_make(s, tend);
			ev->text = mw_sv_make(rb + 2, tend);
			if (semi)
				parse_envelope_kv(ev, semi + 2, end);
			return true;
		}
	}
	if (s < tend && *s == '<') {
		const char *q = s;
		if (mw_parse_angle(&q, tend, &ev->status_data) && MW_LIT(&q, tend, ": "))
			s = q;
	} else if (MW_STARTS(s, tend, ": ")) {
		s += 2; /* "4.7.1 : Helo command rejected" (empty data) */
	}
	ev->text = mw_sv_make(s, tend);
	ev->reply = ev->text;
	if (semi)
		parse_envelope_kv(ev, semi + 2, end);
	return true;
}

/* action_token - "[a-z_-]+: " at s; returns end of token or NULL */
static const char *action_token(const char *s, const char *end)
{
	const char *q = s;
	while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '_' || *q == '-'))
		q++;
	if (q == s || !MW_STARTS(q, end, ": "))
		return NULL;
	return q;
}

/* is_reject_action - actions that stop or divert a message */
static bool is_reject_action(mw_sv a)
{
	return mw_sv_eq(a, "reject") || mw_sv_eq(a, "reject_warning") || mw_sv_eq(a, "discard") ||
	       mw_sv_eq(a, "hold") || mw_sv_eq(a, "milter-reject") ||
	       mw_sv_eq(a, "milter-discard") || mw_sv_eq(a, "milter-hold") ||
	       mw_sv_eq(a, "redirect") || mw_sv_eq(a, "filter") || mw_sv_eq(a, "proxy-reject");
}

/* after_stage_from - "after STAGE[ (N bytes)] from H[IP]" */
static bool after_stage_from(mw_logev *ev, const char *s, const char *end)
{
	if (!MW_LIT(&s, end, "after "))
		return false;
	const char *sp = mw_findc(s, end, ' ');
	if (!sp)
		return false;
	ev->stage = mw_sv_make(s, sp);
	const char *f = MW_FIND(sp, end, " from ");
	if (!f)
		return false;
	s = f + 6;
	return mw_parse_hostaddr(&s, end, &ev->client_host, &ev->client_ip, &ev->client_port);
}

/* smtpd_warning - "warning: ..." of smtpd */
static void smtpd_warning(mw_logev *ev, const char *s, const char *end)
{
	ev->kind = MW_LE_WARNING;
	ev->text = mw_sv_make(s, end);
	const char *q = s;
	mw_sv h, ip, port = MW_SV_NULL;
	if (mw_parse_hostaddr(&q, end, &h, &ip, &port) && MW_LIT(&q, end, ": ")) {
		ev->client_host = h;
		ev->client_ip = ip;
		ev->client_port = port;
		if (MW_LIT(&q, end, "SASL ")) {
			const char *sp = mw_findc(q, end, ' ');
			if (sp && MW_STARTS(sp, end, " authentication failed")) {
				ev->kind = MW_LE_AUTH_FAIL;
				ev->sasl_method = mw_sv_make(q, sp);
				q = sp + 22;
				MW_LIT(&q, end, ":");
				MW_LIT(&q, end, " ");
				const char *u = MW_FIND(q, end, ", sasl_username=");
				ev->text = mw_sv_make(q, u ? u : end);
				if (u)
					ev->sasl_user = mw_sv_make(u + 16, end);
			}
		}
		return;
	}
	const char *lim = MW_FIND(s, end, " limit exceeded: ");
	if (lim) { /* anvil limits enforced by smtpd */
		q = lim + 17;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (MW_LIT(&q, end, " from ") &&
		    mw_parse_hostaddr(&q, end, &ev->client_host, &ev->client_ip, NULL)) {
			ev->kind = MW_LE_PROTO_ABUSE;
			ev->action = mw_sv_make(s, lim + 15);
		}
		return;
	}
	if (MW_LIT(&s, end, "hostname ")) {
		const char *a = MW_FIND(s, end, " does not resolve to address ");
		if (a) {
			ev->client_host = mw_sv_make(s, a);
			const char *ia = a + 29;
			const char *e = mw_findc(ia, end, ':');
			ev->client_ip = mw_sv_make(ia, e ? e : end);
		}
	}
}

/* smtpd_noqid - smtpd lines without a queue ID */
static void smtpd_noqid(mw_logev *ev, const char *s, const char *end)
{
	const char *q = s;
	if (MW_LIT(&q, end, "connect from ")) {
		if (mw_parse_hostaddr(&q, end, &ev->client_host, &ev->client_ip, &ev->client_port))
			ev->kind = MW_LE_CONNECT;
		return;
	}
	if (MW_LIT(&q, end, "disconnect from ")) {
		if (mw_parse_hostaddr(&q, end, &ev->client_host, &ev->client_ip, &ev->client_port)) {
			ev->kind = MW_LE_DISCONNECT;
			if (MW_LIT(&q, end, " "))
				ev->counters = mw_sv_make(q, end);
		}
		return;
	}
	if (MW_LIT(&q, end, "warning: ")) {
		smtpd_warning(ev, q, end);
		return;
	}
	if (MW_STARTS(q, end, "lost connection ") || MW_STARTS(q, end, "timeout ") ||
	    MW_STARTS(q, end, "improper command pipelining ") ||
	    MW_STARTS(q, end, "too many errors ")) {
		const char *a = MW_FIND(q, end, "after ");
		if (a && after_stage_from(ev, a, end)) {
			ev->kind = MW_LE_PROTO_ABUSE;
			ev->action = mw_sv_make(q, a - 1);
		}
		return;
	}
	const char *at = action_token(q, end);
	if (at && mw_starts(at + 2, end, "END-OF-MESSAGE: ", 16)) { /* proxy-accept/reject */
		ev->action = mw_sv_make(q, at);
		ev->stage = mw_sv_make(at + 2, at + 16);
		const char *r = at + 18;
		const char *semi = MW_FIND(r, end, "; ");
		reply_codes(ev, &r, semi ? semi : end);
		ev->reply = mw_sv_make(at + 18, semi ? semi : end);
		if (semi)
			parse_envelope_kv(ev, semi + 2, end);
		ev->kind = mw_sv_eq(ev->action, "proxy-reject") ? MW_LE_REJECT : MW_LE_IGNORED;
		return;
	}
	const char *f = MW_FIND(q, end, " from ");
	if (f && (MW_STARTS(q, end, "SSL_accept error") || MW_FIND(q, f, "TLS connection"))) {
		const char *h = f + 6;
		if (mw_parse_hostaddr(&h, end, &ev->client_host, &ev->client_ip, NULL))
			ev->kind = MW_LE_IGNORED;
	}
}

/* parse_smtpd - smtpd(8) */
static void parse_smtpd(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	bool noqueue = colon && (size_t)(colon - s) == 7 && memcmp(s, "NOQUEUE", 7) == 0;
	if (colon && colon + 1 < end && colon[1] == ' ' &&
	    (noqueue || mw_is_qid(s, (size_t)(colon - s)))) {
		ev->qid = mw_sv_make(s, colon);
		const char *q = colon + 2;
		if (MW_LIT(&q, end, "client=")) {
			if (!mw_parse_hostaddr(&q, end, &ev->client_host, &ev->client_ip,
					       &ev->client_port))
				return;
			ev->kind = MW_LE_CLIENT;
			KV(q, end, "sasl_method=", &ev->sasl_method);
			KV(q, end, "sasl_username=", &ev->sasl_user);
			return;
		}
		const char *at = action_token(q, end);
		if (at) {
			ev->action = mw_sv_make(q, at);
			if (parse_reject_body(ev, at + 2, end))
				ev->kind = is_reject_action(ev->action) ? MW_LE_REJECT
									: MW_LE_IGNORED;
			return;
		}
		if (noqueue) { /* "NOQUEUE: lost connection ..." and friends */
			smtpd_noqid(ev, q, end);
		}
		return;
	}
	smtpd_noqid(ev, s, end);
}

/* delivery_field - one ", name=value" of a delivery line, in order */
static void delivery_field(mw_logev *ev, const char *k, const char *eq, const char *v,
			   const char *ve)
{
	size_t kn = (size_t)(eq - k);
	mw_sv val = mw_sv_make(v, ve);
	if (kn == 5 && memcmp(k, "relay", 5) == 0) {
		const char *r = v;
		if (!mw_parse_hostaddr(&r, ve, &ev->relay_host, &ev->relay_ip, &ev->relay_port))
			ev->relay_host = val; /* local, virtual, none */
	} else if (kn == 5 && memcmp(k, "delay", 5) == 0) {
		ev->delay = val;
	} else if (kn == 3 && memcmp(k, "dsn", 3) == 0) {
		ev->dsn = val;
	} else if (kn == 7 && memcmp(k, "orig_to", 7) == 0) {
		if (v < ve && *v == '<' && ve[-1] == '>')
			val = mw_sv_make(v + 1, ve - 1);
		ev->orig_to = val;
	}
}

/* parse_delivery - "to=<R>, [orig_to=<O>,] relay=..., delay=, dsn=, status=W (reply)",
 * read left to right in one pass (Postfix writes the fields in this order) */
static void parse_delivery(mw_logev *ev, const char *s, const char *end)
{
	if (s >= end)
		return;
	if (*s == '<') {
		if (!mw_parse_angle(&s, end, &ev->to))
			return;
	} else {
		const char *c = mw_findc(s, end, ',');
		if (!c)
			return;
		ev->to = mw_sv_make(s, c);
		s = c;
	}
	while (MW_LIT(&s, end, ", ")) {
		const char *eq = s;
		while (eq < end && *eq != '=' && *eq != ',' && *eq != ' ')
			eq++;
		if (eq >= end || *eq != '=')
			return;
		if (eq - s == 6 && memcmp(s, "status", 6) == 0) {
			s = eq + 1;
			break;
		}
		const char *v = eq + 1, *ve = v;
		if (ve < end && *ve == '<') { /* orig_to=<a, b> may hold ", " */
			const char *gt = mw_findc(ve, end, '>');
			ve = gt ? gt + 1 : end;
		}
		while (ve < end && *ve != ',')
			ve++;
		delivery_field(ev, s, eq, v, ve);
		s = ve;
	}
	if (s >= end || s[-1] != '=')
		return;
	const char *w = s;
	while (w < end && *w != ' ' && *w != ',')
		w++;
	ev->status = mw_sv_make(s, w);
	ev->kind = MW_LE_DELIVERY;
	if (MW_STARTS(w, end, " (") && end[-1] == ')') {
		ev->reply = mw_sv_make(w + 2, end - 1);
	} else {
		while (w < end && (*w == ',' || *w == ' '))
			w++;
		ev->reply = mw_sv_make(w, end);
	}
	if (ev->status.n == 4 && memcmp(ev->status.p, "sent", 4) == 0)
		return; /* the 250 reply's codes are of no use */
	/* the remote server's own codes, inside "host H[IP] said: 550 5.7.1 ..." */
	const char *said = MW_FIND(ev->reply.p, end, " said: ");
	const char *r = said ? said + 7 : ev->reply.p;
	reply_codes(ev, &r, end);
}

/* remote_said - "host H[IP] said: reply (in reply to X command)" */
static void remote_said(mw_logev *ev, const char *s, const char *end)
{
	if (!mw_parse_hostaddr(&s, end, &ev->relay_host, &ev->relay_ip, &ev->relay_port))
		return;
	if (!MW_LIT(&s, end, " said: ") && !MW_LIT(&s, end, " refused to talk to me: "))
		return;
	const char *irt = MW_FIND(s, end, " (in reply to ");
	ev->reply = mw_sv_make(s, irt ? irt : end);
	if (irt) {
		const char *c = irt + 14;
		const char *ce = MW_FIND(c, end, " command)");
		if (ce)
			ev->stage = mw_sv_make(c, ce);
	}
	const char *r = s;
	reply_codes(ev, &r, ev->reply.p + ev->reply.n);
	ev->kind = MW_LE_REMOTE_REPLY;
}

/* client_noqid - smtp/lmtp lines without a queue ID */
static void client_noqid(mw_logev *ev, const char *s, const char *end)
{
	const char *q = s;
	if (MW_LIT(&q, end, "connect to ") || MW_LIT(&q, end, "SSL_connect error to ")) {
		if (mw_parse_hostaddr(&q, end, &ev->relay_host, &ev->relay_ip, &ev->relay_port)) {
			ev->kind = MW_LE_CONN_FAIL;
			if (MW_LIT(&q, end, ": "))
				ev->text = mw_sv_make(q, end);
		}
		return;
	}
	if (MW_LIT(&q, end, "warning: ")) {
		ev->kind = MW_LE_WARNING;
		ev->text = mw_sv_make(q, end);
		return;
	}
	if (MW_STARTS(q, end, "discarding EHLO keywords") || MW_STARTS(q, end, "warning ")) {
		ev->kind = MW_LE_IGNORED;
		return;
	}
	const char *t = MW_FIND(s, end, " connection established to ");
	const char *f = t ? t + 27 : MW_FIND(s, end, " failed for ");
	if (f && !t)
		f += 12;
	if (f && mw_parse_hostaddr(&f, end, &ev->relay_host, &ev->relay_ip, &ev->relay_port))
		ev->kind = MW_LE_IGNORED;
}

/* parse_client - smtp(8)/lmtp(8)/local(8)/virtual(8)/pipe(8)/error(8) */
static void parse_client(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	if (!colon || colon + 1 >= end || colon[1] != ' ' || !mw_is_qid(s, (size_t)(colon - s))) {
		client_noqid(ev, s, end);
		return;
	}
	ev->qid = mw_sv_make(s, colon);
	const char *q = colon + 2;
	if (MW_LIT(&q, end, "to=")) {
		parse_delivery(ev, q, end);
		return;
	}
	if (MW_LIT(&q, end, "host ")) {
		remote_said(ev, q, end);
		return;
	}
	if (MW_LIT(&q, end, "SASL authentication failed; server ")) {
		remote_said(ev, q, end);
		ev->action = mw_sv_make(colon + 2, colon + 26);
		return;
	}
	if (MW_LIT(&q, end, "lost connection with ") ||
	    MW_LIT(&q, end, "conversation with ")) {
		if (mw_parse_hostaddr(&q, end, &ev->relay_host, &ev->relay_ip, &ev->relay_port)) {
			ev->kind = MW_LE_CONN_FAIL;
			ev->text = mw_sv_make(q, end);
		}
		return;
	}
	const char *f = MW_FIND(q, end, " for ");
	if (MW_STARTS(q, end, "enabling PIX workarounds: ") && f) {
		f += 5;
		if (mw_parse_hostaddr(&f, end, &ev->relay_host, &ev->relay_ip, &ev->relay_port))
			ev->kind = MW_LE_IGNORED;
	}
}

/* parse_qmgr - qmgr(8) */
static void parse_qmgr(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	if (!colon || colon + 1 >= end || colon[1] != ' ' || !mw_is_qid(s, (size_t)(colon - s))) {
		if (MW_STARTS(s, end, "warning: ")) {
			ev->kind = MW_LE_WARNING;
			ev->text = mw_sv_make(s + 9, end);
		}
		return;
	}
	ev->qid = mw_sv_make(s, colon);
	const char *q = colon + 2;
	if (MW_LIT(&q, end, "removed")) {
		ev->kind = MW_LE_REMOVED;
		return;
	}
	if (MW_LIT(&q, end, "from=")) {
		if (!mw_parse_angle(&q, end, &ev->from))
			return;
		if (MW_LIT(&q, end, ", status=expired")) {
			ev->kind = MW_LE_EXPIRED;
			ev->status = mw_sv_make(q - 7, q);
			return;
		}
		/* ", size=N, nrcpt=N (queue active)" in this order; else search */
		const char *a = q, *ds, *dn;
		if (MW_LIT(&a, end, ", size=") && (ds = mw_findc(a, end, ',')) != NULL) {
			ev->size = mw_sv_make(a, ds);
			a = ds;
			if (MW_LIT(&a, end, ", nrcpt=")) {
				dn = a;
				while (dn < end && *dn >= '0' && *dn <= '9')
					dn++;
				ev->nrcpt = mw_sv_make(a, dn);
			}
		}
		if (!ev->size.p)
			KV(q, end, "size=", &ev->size);
		if (!ev->nrcpt.p)
			KV(q, end, "nrcpt=", &ev->nrcpt);
		ev->kind = MW_LE_QUEUED;
		return;
	}
	if (MW_LIT(&q, end, "to=")) {
		parse_delivery(ev, q, end);
		return;
	}
	ev->kind = MW_LE_IGNORED;
}

/* parse_cleanup - cleanup(8) */
static void parse_cleanup(mw_logev *ev, const char *s, const char *end)
{
	if (MW_LIT(&s, end, "warning: ")) {
		ev->kind = MW_LE_WARNING;
		ev->text = mw_sv_make(s, end);
		const char *c = mw_findc(s, end, ':');
		if (c && mw_is_qid(s, (size_t)(c - s)))
			ev->qid = mw_sv_make(s, c);
		return;
	}
	const char *colon = mw_findc(s, end, ':');
	if (!colon || colon + 1 >= end || colon[1] != ' ' || !mw_is_qid(s, (size_t)(colon - s)))
		return;
	ev->qid = mw_sv_make(s, colon);
	const char *q = colon + 2;
	if (MW_LIT(&q, end, "message-id=")) {
		ev->kind = MW_LE_MSGID;
		const char *a = q;
		if (q < end && *q == '<' && mw_parse_angle(&a, end, &ev->msgid) && a == end)
			return;
		ev->msgid = mw_sv_make(q, end);
		return;
	}
	const char *at = action_token(q, end);
	if (!at) {
		ev->kind = MW_LE_IGNORED;
		return;
	}
	ev->action = mw_sv_make(q, at);
	const char *body = at + 2;
	const char *semi = MW_FIND(body, end, "; ");
	if (semi)
		parse_envelope_kv(ev, semi + 2, end);
	const char *f = MW_FIND(body, semi ? semi : end, " from ");
	if (f) {
		const char *h = f + 6;
		mw_parse_hostaddr(&h, end, &ev->client_host, &ev->client_ip, &ev->client_port);
		if (mw_sv_eq(ev->action, "milter-reject") && MW_LIT(&h, end, ": ")) {
			ev->stage = mw_sv_make(body, f);
			const char *r = h;
			reply_codes(ev, &r, semi ? semi : end);
			ev->text = mw_sv_make(r, semi ? semi : end);
		}
	}
	if (semi && mw_sv_eq(ev->action, "reject")) {
		const char *r = MW_FIND(semi, end, ": ");
		if (r) {
			r += 2;
			reply_codes(ev, &r, end);
			ev->text = mw_sv_make(r, end);
		}
	}
	ev->kind = is_reject_action(ev->action) ? MW_LE_REJECT : MW_LE_IGNORED;
}

/* parse_bounce - bounce(8): "QID: sender non-delivery notification: QID2" */
static void parse_bounce(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	if (!colon || colon + 1 >= end || colon[1] != ' ' || !mw_is_qid(s, (size_t)(colon - s)))
		return;
	ev->qid = mw_sv_make(s, colon);
	const char *q = colon + 2;
	const char *sp = mw_findc(q, end, ' ');
	const char *n = MW_FIND(q, end, " notification: ");
	if (!sp || !n)
		return;
	ev->action = mw_sv_make(q, sp);  /* sender / postmaster */
	ev->text = mw_sv_make(sp + 1, n); /* non-delivery / delivery status */
	ev->dsn_qid = mw_sv_make(n + 15, end);
	ev->kind = MW_LE_BOUNCE;
}

/* parse_pickup - pickup(8): "QID: uid=N from=<S>" */
static void parse_pickup(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	if (!colon || colon + 1 >= end || !mw_is_qid(s, (size_t)(colon - s)))
		return;
	ev->qid = mw_sv_make(s, colon);
	const char *q = colon + 2;
	if (!MW_LIT(&q, end, "uid="))
		return;
	const char *u = q;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == u)
		return;
	ev->uid = mw_sv_make(u, q);
	KV(q, end, "from=", &ev->from);
	ev->kind = MW_LE_PICKUP;
}

/* postscreen_from - "... from [IP]:P" */
static bool postscreen_from(mw_logev *ev, const char *s, const char *end)
{
	const char *f = MW_FIND(s, end, "from [");
	if (!f)
		return false;
	f += 5;
	return mw_parse_hostaddr(&f, end, &ev->client_host, &ev->client_ip, &ev->client_port);
}

/* parse_postscreen - postscreen(8) */
static void parse_postscreen(mw_logev *ev, const char *s, const char *end)
{
	static const char *const abuse[] = {"HANGUP ", "PREGREET ",      "COMMAND TIME LIMIT ",
					    "COMMAND COUNT LIMIT ", "COMMAND LENGTH LIMIT ",
					    "COMMAND PIPELINING ", "NON-SMTP COMMAND ",
					    "BARE NEWLINE ",  NULL};
	const char *q = s;
	if (MW_LIT(&q, end, "CONNECT from ")) {
		if (mw_parse_hostaddr(&q, end, &ev->client_host, &ev->client_ip, &ev->client_port))
			ev->kind = MW_LE_CONNECT;
		return;
	}
	if (MW_LIT(&q, end, "NOQUEUE: ")) {
		const char *at = action_token(q, end);
		if (!at)
			return;
		ev->qid = mw_sv_make(s, s + 7);
		ev->action = mw_sv_make(q, at);
		if (parse_reject_body(ev, at + 2, end))
			ev->kind = MW_LE_REJECT;
		return;
	}
	for (int i = 0; abuse[i]; i++) {
		size_t n = strlen(abuse[i]);
		if (mw_starts(s, end, abuse[i], n)) {
			ev->action = mw_sv_make(s, s + n - 1);
			if (postscreen_from(ev, s, end)) {
				ev->kind = i == 0 ? MW_LE_IGNORED : MW_LE_PROTO_ABUSE;
				const char *a = ev->client_port.p
							? ev->client_port.p + ev->client_port.n
							: ev->client_ip.p + ev->client_ip.n + 1;
				if (MW_LIT(&a, end, " after ")) {
					const char *c = MW_FIND(a, end, ": ");
					ev->stage = mw_sv_make(a, c ? c : end);
				}
			}
			return;
		}
	}
	if (MW_STARTS(s, end, "cache ")) {
		ev->kind = MW_LE_IGNORED;
		return;
	}
	/* "PASS NEW [ip]:port", "DISCONNECT [ip]:port", "DNSBL rank N for [ip]:port" ... */
	const char *lb = mw_findc(s, end, '[');
	if (!lb || lb == s)
		return;
	const char *h = lb;
	if (!mw_parse_hostaddr(&h, end, &ev->client_host, &ev->client_ip, &ev->client_port))
		return;
	const char *ae = lb - 1;
	if (ae - s > 4 && memcmp(ae - 4, " for", 4) == 0)
		ae -= 4;
	ev->action = mw_sv_make(s, ae);
	ev->kind = MW_STARTS(s, end, "DISCONNECT") ? MW_LE_DISCONNECT
		   : MW_STARTS(s, end, "BLACKLISTED") || MW_STARTS(s, end, "DENYLISTED")
		       ? MW_LE_REJECT
		       : MW_LE_IGNORED;
}

/* parse_anvil - "statistics: max connection rate 1/5m for (smtpd:IP) at ..." */
static void parse_anvil(mw_logev *ev, const char *s, const char *end)
{
	ev->kind = MW_LE_IGNORED;
	const char *f = MW_FIND(s, end, " for (");
	if (!f)
		return;
	f += 6;
	const char *e = MW_FIND(f, end, ") at ");
	const char *c = e ? mw_findc(f, e, ':') : NULL;
	if (!c)
		return;
	/* the service itself may contain ':' (127.0.0.1:2525:127.0.0.1): the
	 * address is after the last ':' unless that makes an IPv6 tail */
	const char *svc_end = c;
	if (mw_findc(f, c, '.')) { /* "127.0.0.1:2525:IP": service is host:port */
		const char *c2 = mw_findc(c + 1, e, ':');
		if (c2)
			svc_end = c2;
	}
	if (mw_sv_eq(mw_sv_make(svc_end + 1, e), "unknown"))
		return;
	ev->client_ip = mw_sv_make(svc_end + 1, e);
	ev->action = mw_sv_make(f, svc_end);
}

/* parse_dnsblog - "addr IP listed by domain D as R" */
static void parse_dnsblog(mw_logev *ev, const char *s, const char *end)
{
	if (!MW_LIT(&s, end, "addr "))
		return;
	const char *l = MW_FIND(s, end, " listed by domain ");
	if (!l)
		return;
	ev->client_ip = mw_sv_make(s, l);
	ev->text = mw_sv_make(l + 18, end);
	ev->kind = MW_LE_IGNORED;
}

/* parse_tlsproxy - "CONNECT from [IP]:P", "DISCONNECT [IP]:P" */
static void parse_tlsproxy(mw_logev *ev, const char *s, const char *end)
{
	const char *lb = mw_findc(s, end, '[');
	if (lb && mw_parse_hostaddr(&lb, end, &ev->client_host, &ev->client_ip, &ev->client_port))
		ev->kind = MW_LE_IGNORED;
}

/* parse_postsuper - "QID: removed", "QID: released from hold" ... */
static void parse_postsuper(mw_logev *ev, const char *s, const char *end)
{
	const char *colon = mw_findc(s, end, ':');
	if (colon && mw_is_qid(s, (size_t)(colon - s))) {
		ev->qid = mw_sv_make(s, colon);
		ev->action = mw_sv_make(colon + (colon + 2 <= end ? 2 : 1), end);
	}
	ev->kind = MW_LE_IGNORED;
}

typedef void (*pf_parser)(mw_logev *, const char *, const char *);

/* mw_parse_postfix - dispatch on the daemon name */
void mw_parse_postfix(mw_logev *ev)
{
	static const struct {
		const char *name;
		size_t n;
		pf_parser fn;
	} table[] = {
#define D(name, fn) {name, sizeof(name) - 1, fn}
		D("smtp", parse_client),     D("qmgr", parse_qmgr),       D("smtpd", parse_smtpd),
		D("cleanup", parse_cleanup), D("virtual", parse_client),  D("lmtp", parse_client),
		D("local", parse_client),    D("postscreen", parse_postscreen), D("pickup", parse_pickup),
		D("bounce", parse_bounce),   D("pipe", parse_client),     D("error", parse_client),
		D("retry", parse_client),    D("discard", parse_client),  D("relay", parse_client),
		D("defer", parse_bounce),    D("trace", parse_bounce),    D("anvil", parse_anvil),
		D("dnsblog", parse_dnsblog), D("tlsproxy", parse_tlsproxy),
		D("postsuper", parse_postsuper),
#undef D
	};
	const char *s = ev->msg.p, *end = s + ev->msg.n;
	/* most frequent daemons first; compare length, first byte, then the rest */
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (ev->daemon.n == table[i].n && ev->daemon.p[0] == table[i].name[0] &&
		    memcmp(ev->daemon.p, table[i].name, table[i].n) == 0) {
			table[i].fn(ev, s, end);
			break;
		}
	}
	if (ev->kind != MW_LE_UNKNOWN)
		return;
	/* any daemon: severity prefixes, statistics and housekeeping */
	if (MW_STARTS(s, end, "warning: ") || MW_STARTS(s, end, "fatal: ") ||
	    MW_STARTS(s, end, "error: ") || MW_STARTS(s, end, "panic: ")) {
		ev->kind = MW_LE_WARNING;
		ev->text = mw_sv_make(mw_findc(s, end, ' ') + 1, end);
		return;
	}
	static const char *const quiet[] = {"master",   "postfix-script", "tlsmgr",  "scache",
					    "verify",   "trivial-rewrite", "postsuper", "postmap",
					    "sendmail", "postdrop", "tlsproxy",  "dnsblog",
					    "postlog",  "proxymap", "showq",     "flush",
					    "postqueue", "oqmgr",   NULL};
	for (int i = 0; quiet[i]; i++)
		if (mw_sv_eq(ev->daemon, quiet[i])) {
			ev->kind = MW_LE_IGNORED;
			return;
		}
}
