/*
 * netwatch/nwevent.c - netwatch events as JSON and as store events.
 */
#include "netwatch/nwevent.h"

#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* str_or_null - JSON string, or null for NULL/empty */
static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

json_t *mw_nw_event_to_json(const mw_nw_event *ev)
{
	char l[MW_IP_STR_MAX], r[MW_IP_STR_MAX];
	mw_ip_format(&ev->sock.local, l, sizeof(l));
	mw_ip_format(&ev->sock.remote, r, sizeof(r));
	const mw_nw_proc *p = &ev->proc;
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "class", json_string(mw_nw_class_name(ev->cls)));
	json_object_set_new(o, "source", json_string(ev->source == MW_NW_FROM_LOG ? "log" : "sample"));
	json_object_set_new(o, "pid", p->pid ? json_integer(p->pid) : json_null());
	json_object_set_new(o, "uid", p->uid_known ? json_integer(p->uid) : json_null());
	json_object_set_new(o, "user", str_or_null(p->user));
	json_object_set_new(o, "cmdline", p->cmdline ? json_string(p->cmdline) : json_null());
	json_object_set_new(o, "exe", str_or_null(p->exe));
	json_object_set_new(o, "cwd", str_or_null(p->cwd));
	json_object_set_new(o, "unit", str_or_null(p->unit));
	json_object_set_new(o, "container", str_or_null(p->container));
	json_object_set_new(o, "proc_start", p->start_time ? json_integer(p->start_time) : json_null());
	json_object_set_new(o, "local", json_string(l));
	json_object_set_new(o, "local_port", json_integer(ev->sock.lport));
	json_object_set_new(o, "remote", json_string(r));
	json_object_set_new(o, "remote_port", json_integer(ev->sock.rport));
	json_object_set_new(o, "state",
			    json_string(ev->sock.state ? mw_tcp_state_name(ev->sock.state) : "-"));
	json_object_set_new(o, "inode", json_integer(ev->sock.inode));
	json_object_set_new(o, "first_seen_ms", json_integer(ev->first_seen_ms));
	json_object_set_new(o, "proc_count", json_integer((json_int_t)ev->proc_count));
	json_object_set_new(o, "dest_count", json_integer((json_int_t)ev->dest_count));
	return o;
}

/* endpoint - "a.b.c.d:p" or "[v6]:p" */
static void endpoint(const mw_ip *ip, uint16_t port, char *buf, size_t n)
{
	char a[MW_IP_STR_MAX];
	mw_ip_format(ip, a, sizeof(a));
	snprintf(buf, n, ip->family == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* evidence - one "label value" subject line when value is set */
static void evidence(mw_event *out, const char *label, const char *value)
{
	char line[MW_EVENT_ADDR_MAX];
	if (value == NULL || value[0] == '\0')
		return;
	snprintf(line, sizeof(line), "%s %s", label, value);
	mw_event_add_subject(out, line);
}

void mw_nw_event_to_store(const mw_nw_event *ev, mw_event *out)
{
	memset(out, 0, sizeof(*out));
	const mw_nw_proc *p = &ev->proc;
	out->time_ms = ev->first_seen_ms;
	mw_strlcpy(out->source, "netwatch", sizeof(out->source));
	mw_strlcpy(out->rule, ev->cls == MW_NW_SUSPECT ? "direct-smtp" : "smtp-connection",
		   sizeof(out->rule));
	mw_strlcpy(out->action, "alert", sizeof(out->action));
	char uid[16] = "?";
	if (p->uid_known)
		snprintf(uid, sizeof(uid), "%u", p->uid);
	snprintf(out->key, sizeof(out->key), "uid %s (%s) %s", uid, p->user[0] ? p->user : "?",
		 p->exe ? p->exe : "?");
	out->count = ev->proc_count;
	endpoint(&ev->sock.remote, ev->sock.rport, out->client_address,
		 sizeof(out->client_address));
	char line[MW_EVENT_ADDR_MAX], ep[80];
	if (p->pid) {
		snprintf(line, sizeof(line), "pid %d: %s", p->pid, p->cmdline ? p->cmdline : "?");
		mw_event_add_subject(out, line);
	}
	evidence(out, "cwd", p->cwd);
	evidence(out, "unit", p->unit);
	evidence(out, "container", p->container);
	endpoint(&ev->sock.local, ev->sock.lport, ep, sizeof(ep));
	evidence(out, "local", ep);
	evidence(out, "seen via", ev->source == MW_NW_FROM_LOG ? "log" : "sample");
	snprintf(line, sizeof(line), "connections to %s: %llu", out->client_address,
		 (unsigned long long)ev->dest_count);
	mw_event_add_subject(out, line);
}
