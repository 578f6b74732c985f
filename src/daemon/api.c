/*
 * daemon/api.c - the JSON endpoints of the HTTP API (docs/API.md), run on
 * the libmicrohttpd thread (see http.h).  Reads: atomics, the dashboard
 * state under its mutex, SQLite through this thread's read-only handles.
 * Changes (release, block) go to the event loop through dash_call.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/apijson.h"
#include "api/param.h"
#include "core/str.h"
#include "daemon/http.h"

#define API_CALL_TIMEOUT_MS 5000
#define API_FILTER_MAX 512     /* bytes of a text filter (key, rule, q ...) */
#define API_RECENT_MAX 20      /* recent events on a sender's page */
#define API_BLOCK_EVENTS 1000  /* remote-block findings grouped by /api/blocks */
#define API_AUDIT_FILES 200    /* audit results listed */
#define API_AUDIT_FILE_MAX (8u << 20)

/* now_ms - wall clock */
static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* put_json - dump o (stolen) into out; 200 */
static unsigned put_json(mw_buf *out, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!s)
		return api_error(out, 500, "out of memory");
	mw_buf_reset(out);
	mw_status st = mw_buf_puts(out, s);
	free(s);
	return st == MW_OK ? 200 : api_error(out, 500, "response too large");
}

/* events_handle - the HTTP thread's read-only event log, or NULL */
static mw_eventlog *events_handle(http_ctx *x)
{
	if (!x->events && x->events_db[0] && access(x->events_db, R_OK) == 0)
		x->events = mw_eventlog_open(x->events_db, true, NULL);
	return x->events;
}

/* ---- status ---------------------------------------------------------- */

/* count_held - /api/held's total, and the message rate */
static size_t count_held(http_ctx *x, int64_t now, uint64_t *msgs_per_min)
{
	dash_lock(x->dash);
	size_t n = mw_rlt_nheld(dash_tracker(x->dash), now);
	*msgs_per_min = mw_rlt_messages(dash_tracker(x->dash), now);
	dash_unlock(x->dash);
	return n;
}

/* api_status - GET /api/status */
static unsigned api_status(http_ctx *x, mw_buf *out)
{
	serve_metrics *m = x->metrics;
	int64_t now = now_ms();
	json_t *req = json_object(), *lis = json_array();
	for (int a = 0; a <= MW_PA_REJECT; a++) {
		char name[32];
		mw_strlcpy(name, mw_policy_action_name((mw_policy_action)a), sizeof(name));
		json_object_set_new(req, mw_strlower(name),
				    json_integer((json_int_t)atomic_load(&m->requests[a])));
	}
	for (size_t i = 0; i < x->nlisten; i++)
		json_array_append_new(lis, json_string(x->listen[i]));
	uint64_t mpm = 0, ev24 = 0, al24 = 0;
	size_t held = count_held(x, now, &mpm);
	mw_eventlog *log = events_handle(x);
	if (log) {
		mw_event_filter f = {.since_ms = now - 86400000};
		mw_eventlog_count(log, &f, &ev24, NULL);
		f.action = "alert";
		mw_eventlog_count(log, &f, &al24, NULL);
	}
	json_t *o = json_pack("{s:s,s:I,s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:b}",
			      "version", "0.1.0", "uptime_s", (json_int_t)((now - m->started_ms) / 1000),
			      "store", m->store_name, "listen", lis, "requests", req,
			      "messages_per_min", (json_int_t)mpm, "keys",
			      (json_int_t)atomic_load(&m->keys), "held", (json_int_t)held,
			      "events_24h", (json_int_t)ev24, "alerts_24h", (json_int_t)al24,
			      "degraded", atomic_load(&m->degraded) != 0, "connections",
			      (json_int_t)atomic_load(&m->connections), "malformed",
			      (json_int_t)atomic_load(&m->malformed), "events_db", log != NULL);
	return put_json(out, o);
}

/* ---- senders and held -------------------------------------------------- */

/* cmp_pair - count desc, then key, then rule */
static int cmp_pair(const void *a, const void *b)
{
	const mw_rlt_pair *p = a, *q = b;
	if (p->count != q->count)
		return p->count < q->count ? 1 : -1;
	int c = strcmp(p->key, q->key);
	return c ? c : strcmp(p->rule, q->rule);
}

/* list_pairs - snapshot of the tracker (key NULL = all) */
static mw_rlt_pair *list_pairs(http_ctx *x, const char *key, int64_t now, size_t *n, bool *oom)
{
	dash_lock(x->dash);
	mw_rlt_pair *p = mw_rlt_list(dash_tracker(x->dash), key, now, n, oom);
	dash_unlock(x->dash);
	return p;
}

/* api_senders - GET /api/senders?limit&offset&rule&q */
static unsigned api_senders(http_ctx *x, const http_request *r, mw_buf *out)
{
	mw_err err;
	mw_api_page pg;
	const char *rule = http_arg(r, "rule"), *q = http_arg(r, "q");
	if (mw_api_page_params(http_arg(r, "limit"), http_arg(r, "offset"), &pg, &err) != MW_OK ||
	    mw_api_text_param("rule", rule, API_FILTER_MAX, &err) != MW_OK ||
	    mw_api_text_param("q", q, API_FILTER_MAX, &err) != MW_OK)
		return api_error(out, 400, err.msg);
	size_t n = 0, m = 0;
	bool oom;
	mw_rlt_pair *p = list_pairs(x, NULL, now_ms(), &n, &oom);
	if (oom)
		return api_error(out, 500, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((!rule || !rule[0] || strcmp(p[i].rule, rule) == 0) &&
		    (!q || !q[0] || strcasestr(p[i].key, q)))
			p[m++] = p[i];
	qsort(p, m, sizeof(*p), cmp_pair);
	json_t *items = json_array();
	for (size_t i = pg.offset; i < m && i < pg.offset + pg.limit; i++)
		json_array_append_new(items, mw_api_pair_json(&p[i]));
	free(p);
	return put_json(out, json_pack("{s:I,s:o}", "total", (json_int_t)m, "items", items));
}

/* history_json - per-minute counts of key over 24 h */
static json_t *history_json(http_ctx *x, const char *key, int64_t now)
{
	json_t *arr = json_array();
	if (!x->hist && x->events_db[0] && access(x->events_db, R_OK) == 0)
		x->hist = mw_ratehist_open(x->events_db, true, 0, NULL);
	mw_ratehist_point *pts = NULL;
	size_t n = 0;
	if (x->hist)
		mw_ratehist_query(x->hist, key, now - MW_RATEHIST_MINUTES * 60000LL, &pts, &n, NULL);
	int64_t cur_ms;
	dash_lock(x->dash);
	uint64_t cur = mw_ratehist_pending(dash_history(x->dash), key, &cur_ms);
	dash_unlock(x->dash);
	for (size_t i = 0; i < n; i++) {
		if (pts[i].t_ms == cur_ms && cur) { /* a restart within the minute: both halves */
			cur += pts[i].count;
			continue;
		}
		json_array_append_new(arr, json_pack("{s:I,s:I}", "t_ms", (json_int_t)pts[i].t_ms,
						     "count", (json_int_t)pts[i].count));
	}
	free(pts);
	if (cur)
		json_array_append_new(arr, json_pack("{s:I,s:I}", "t_ms", (json_int_t)cur_ms, "count",
						     (json_int_t)cur));
	return arr;
}

/* recent_json - the newest events of key */
static json_t *recent_json(http_ctx *x, const char *key)
{
	json_t *arr = json_array();
	mw_eventlog *log = events_handle(x);
	mw_event *evs = NULL;
	size_t n = 0;
	mw_event_filter f = {.key = key};
	if (!log || mw_eventlog_query(log, &f, API_RECENT_MAX, 0, &evs, &n, NULL, NULL) != MW_OK)
		return arr;
	for (size_t i = 0; i < n; i++) {
		json_t *rc = json_array();
		for (size_t j = 0; j < evs[i].nrecipients; j++)
			json_array_append_new(rc, json_string(evs[i].recipients[j]));
		json_array_append_new(arr, json_pack("{s:I,s:o,s:s,s:s,s:s,s:I}", "time_ms",
						     (json_int_t)evs[i].time_ms, "recipients", rc,
						     "subject", evs[i].nsubjects ? evs[i].subjects[0] : "",
						     "action", evs[i].action, "rule", evs[i].rule, "id",
						     (json_int_t)evs[i].id));
	}
	free(evs);
	return arr;
}

/* api_sender - GET /api/senders/KEY */
static unsigned api_sender(http_ctx *x, const char *raw, mw_buf *out)
{
	char key[MW_RL_KEY_MAX + 1];
	mw_err err;
	if (!raw[0] || mw_api_text_param("key", raw, MW_RL_KEY_MAX, &err) != MW_OK)
		return api_error(out, 400, raw[0] ? err.msg : "key missing");
	mw_strlcpy(key, raw, sizeof(key));
	mw_strlower(key);
	int64_t now = now_ms();
	size_t n = 0;
	bool oom;
	mw_rlt_pair *p = list_pairs(x, key, now, &n, &oom);
	json_t *rules = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = mw_api_pair_json(&p[i]);
		json_object_del(o, "key");
		json_array_append_new(rules, o);
	}
	free(p);
	json_t *hist = history_json(x, key, now), *recent = recent_json(x, key);
	if (!json_array_size(rules) && !json_array_size(hist) && !json_array_size(recent)) {
		json_decref(rules);
		json_decref(hist);
		json_decref(recent);
		return api_error(out, 404, "no such sender key");
	}
	return put_json(out, json_pack("{s:s,s:o,s:o,s:o}", "key", key, "rules", rules, "history",
				       hist, "recent", recent));
}

/* cmp_since - newest held first */
static int cmp_since(const void *a, const void *b)
{
	int64_t x = json_integer_value(json_object_get(*(json_t *const *)a, "since_ms"));
	int64_t y = json_integer_value(json_object_get(*(json_t *const *)b, "since_ms"));
	return x < y ? 1 : x > y ? -1 : 0;
}

/* api_held - GET /api/held */
static unsigned api_held(http_ctx *x, mw_buf *out)
{
	int64_t now = now_ms();
	size_t np = 0, nb = 0, m = 0;
	bool oom;
	dash_lock(x->dash);
	mw_rlt_pair *p = mw_rlt_list(dash_tracker(x->dash), NULL, now, &np, &oom);
	mw_rlt_block *b = mw_rlt_blocks(dash_tracker(x->dash), now, &nb);
	dash_unlock(x->dash);
	json_t **all = malloc((np + nb + 1) * sizeof(*all));
	if (!all || oom) {
		free(p);
		free(b);
		free(all);
		return api_error(out, 500, "out of memory");
	}
	for (size_t i = 0; i < np; i++)
		if (p[i].rate_state >= MW_RLT_HELD)
			all[m++] = mw_api_held_json(&p[i], NULL);
	for (size_t i = 0; i < nb; i++)
		all[m++] = mw_api_held_json(NULL, &b[i]);
	qsort(all, m, sizeof(*all), cmp_since);
	json_t *items = json_array();
	for (size_t i = 0; i < m; i++)
		json_array_append_new(items, all[i]);
	free(all);
	free(p);
	free(b);
	return put_json(out, json_pack("{s:I,s:o}", "total", (json_int_t)m, "items", items));
}

/* ---- actions ----------------------------------------------------------- */

/* api_action - POST /api/release and /api/block */
static unsigned api_action(http_ctx *x, const http_request *r, dash_op op, mw_buf *out)
{
	dash_req c = {.op = op};
	int64_t dur = 0;
	mw_err err;
	if (mw_api_key_body(r->body, r->body_len, c.key, sizeof(c.key),
			    op == DASH_BLOCK ? &dur : NULL, &err) != MW_OK)
		return api_error(out, 400, err.msg);
	c.duration_ms = dur * 1000;
	if (!dash_call(x->dash, &c, API_CALL_TIMEOUT_MS))
		return api_error(out, c.err[0] && strstr(c.err, "stopping") ? 503 : 500,
				 c.err[0] ? c.err : "failed");
	if (op == DASH_RELEASE)
		return put_json(out, json_pack("{s:b,s:s,s:I}", "released", c.released > 0, "key",
					       c.key, "cleared", (json_int_t)c.released));
	return put_json(out, json_pack("{s:b,s:s,s:I}", "blocked", true, "key", c.key, "until_ms",
				       (json_int_t)(now_ms() + c.duration_ms)));
}

/* ---- events ------------------------------------------------------------- */

/* events_page - events of f as {total, items} */
static unsigned events_page(http_ctx *x, const mw_event_filter *f, const mw_api_page *pg,
			    mw_buf *out)
{
	mw_eventlog *log = events_handle(x);
	json_t *items = json_array();
	uint64_t total = 0;
	if (log) {
		mw_event *evs = NULL;
		size_t n = 0;
		mw_err err;
		if (mw_eventlog_query(log, f, pg->limit, pg->offset, &evs, &n, &total, &err) != MW_OK) {
			json_decref(items);
			return api_error(out, 500, err.msg);
		}
		for (size_t i = 0; i < n; i++)
			json_array_append_new(items, mw_api_event_json(&evs[i]));
		free(evs);
	}
	return put_json(out, json_pack("{s:I,s:o,s:I,s:I}", "total", (json_int_t)total, "items", items,
				       "limit", (json_int_t)pg->limit, "offset", (json_int_t)pg->offset));
}

/* api_events - GET /api/events?since_ms&until_ms&key&rule&action&type&limit&offset */
static unsigned api_events(http_ctx *x, const http_request *r, const char *type, mw_buf *out)
{
	mw_err err;
	mw_api_page pg;
	int64_t since, until;
	mw_event_filter f = {0};
	if (mw_api_page_params(http_arg(r, "limit"), http_arg(r, "offset"), &pg, &err) != MW_OK ||
	    mw_api_int_param("since_ms", http_arg(r, "since_ms"), 0, INT64_MAX / 2, 0, &since, &err) != MW_OK ||
	    mw_api_int_param("until_ms", http_arg(r, "until_ms"), 0, INT64_MAX / 2, 0, &until, &err) != MW_OK)
		return api_error(out, 400, err.msg);
	const char *names[] = {"key", "rule", "action", "type"};
	const char **dst[] = {&f.key, &f.rule, &f.action, &f.source};
	for (int i = 0; i < 4; i++) {
		const char *v = http_arg(r, names[i]);
		if (mw_api_text_param(names[i], v, API_FILTER_MAX, &err) != MW_OK)
			return api_error(out, 400, err.msg);
		*dst[i] = v && v[0] ? v : NULL;
	}
	if (type)
		f.source = type;
	f.since_ms = since;
	f.until_ms = until;
	return events_page(x, &f, &pg, out);
}

/* api_blocks - GET /api/blocks: remote-block findings by destination */
static unsigned api_blocks(http_ctx *x, mw_buf *out)
{
	mw_eventlog *log = events_handle(x);
	mw_event *evs = NULL;
	size_t n = 0;
	mw_event_filter f = {.source = "logscan", .rule = "remote_block"};
	mw_err err;
	if (log && mw_eventlog_query(log, &f, API_BLOCK_EVENTS, 0, &evs, &n, NULL, &err) != MW_OK)
		return api_error(out, 500, err.msg);
	json_t *items = mw_api_blocks_group(evs, n);
	free(evs);
	return put_json(out, json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(items),
				       "items", items));
}

/* ---- DMARC and audit ---------------------------------------------------- */

/* dmarc_source_json - one /api/dmarc source */
static json_t *dmarc_source_json(const mw_drstore_source *r)
{
	return json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "ip", r->ip, "ptr",
			 r->ptr, "fcrdns", r->fcrdns, "provider", r->provider, "provider_via",
			 r->provider_via, "class", r->cls ? r->cls : "", "header_from", r->header_from,
			 "count", (json_int_t)r->count, "aligned", (json_int_t)r->aligned, "failures",
			 (json_int_t)r->failures, "last_seen_ms", (json_int_t)r->last_seen * 1000,
			 "not_aligned", (json_int_t)(r->count - r->aligned));
}

/* api_dmarc - GET /api/dmarc?since_ms&domain&limit: drfail's report store
 * (report/drstore.h), opened read-only by this thread */
static unsigned api_dmarc(http_ctx *x, const http_request *r, mw_buf *out)
{
	if (!x->dmarc_db[0])
		return put_json(out, json_pack("{s:b,s:[],s:[]}", "configured", 0, "sources", "history"));
	mw_err err;
	int64_t since, limit;
	const char *domain = http_arg(r, "domain");
	if (mw_api_int_param("since_ms", http_arg(r, "since_ms"), 0, INT64_MAX / 2, 0, &since, &err) != MW_OK ||
	    mw_api_int_param("limit", http_arg(r, "limit"), 1, MW_API_LIMIT_MAX, MW_API_LIMIT_DEFAULT,
			     &limit, &err) != MW_OK ||
	    mw_api_text_param("domain", domain, API_FILTER_MAX, &err) != MW_OK)
		return api_error(out, 400, err.msg);
	if (domain && !domain[0])
		domain = NULL;
	if (!x->dmarc && mw_drstore_open(x->dmarc_db, true, &x->dmarc, &err) != MW_OK) {
		x->dmarc = NULL; /* not imported yet: answer empty, try again next time */
		return put_json(out, json_pack("{s:b,s:[],s:[],s:s}", "configured", 1, "sources",
					       "history", "error", err.msg));
	}
	mw_drstore_source *src = NULL;
	mw_drstore_day *days = NULL;
	size_t ns = 0, nd = 0;
	if (mw_drstore_sources(x->dmarc, since / 1000, domain, (size_t)limit, &src, &ns, &err) != MW_OK ||
	    mw_drstore_history(x->dmarc, since / 1000, domain, &days, &nd, &err) != MW_OK) {
		free(src);
		return api_error(out, 500, err.msg);
	}
	json_t *sa = json_array(), *ha = json_array();
	for (size_t i = 0; i < ns; i++)
		json_array_append_new(sa, dmarc_source_json(&src[i]));
	for (size_t i = 0; i < nd; i++)
		json_array_append_new(ha, json_pack("{s:s,s:I,s:I,s:I}", "day", days[i].day, "messages",
						    (json_int_t)days[i].messages, "pass",
						    (json_int_t)days[i].pass, "fail",
						    (json_int_t)days[i].fail));
	free(src);
	free(days);
	return put_json(out, json_pack("{s:b,s:o,s:o}", "configured", 1, "sources", sa, "history", ha));
}

/* audit_item - one `mailwarden audit --json` file, or NULL */
static json_t *audit_item(const char *dir, const char *name)
{
	char path[SERVE_PATH_MAX + 256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > API_AUDIT_FILE_MAX)
		return NULL;
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return json_pack("{s:s,s:I,s:s,s:s}", "file", name, "time_ms",
				 (json_int_t)st.st_mtime * 1000, "domain", "", "error", "not a JSON object");
	}
	json_t *o = json_pack("{s:s,s:I,s:O*,s:O*,s:O*}", "file", name, "time_ms",
			      (json_int_t)st.st_mtime * 1000, "domain", json_object_get(doc, "domain"),
			      "summary", json_object_get(doc, "summary"), "findings",
			      json_object_get(doc, "findings"));
	json_decref(doc);
	return o;
}

/* api_audit - GET /api/audit: the *.json files of audit_dir */
static unsigned api_audit(http_ctx *x, mw_buf *out)
{
	if (!x->audit_dir[0])
		return put_json(out, json_pack("{s:b,s:[]}", "configured", 0, "items"));
	DIR *d = opendir(x->audit_dir);
	if (!d)
		return api_error(out, 500, "audit_dir cannot be read");
	json_t *items = json_array();
	struct dirent *e;
	while ((e = readdir(d)) && json_array_size(items) < API_AUDIT_FILES) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		json_t *it = audit_item(x->audit_dir, e->d_name);
		if (it)
			json_array_append_new(items, it);
	}
	closedir(d);
	return put_json(out, json_pack("{s:b,s:o}", "configured", 1, "items", items));
}

/* ---- routing ------------------------------------------------------------ */

/* api_handle - route /api/... */
unsigned api_handle(http_ctx *x, const http_request *r, mw_buf *out)
{
	static const char *const gets[] = {"/api/status", "/api/senders", "/api/held",
					   "/api/events", "/api/logfindings", "/api/blocks",
					   "/api/netwatch", "/api/dmarc", "/api/audit"};
	const char *p = r->path;
	bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	bool post = strcmp(r->method, "POST") == 0;
	if (strcmp(p, "/api/release") == 0 || strcmp(p, "/api/block") == 0) {
		if (!post)
			return api_error(out, 405, "POST only");
		return api_action(x, r, p[5] == 'r' ? DASH_RELEASE : DASH_BLOCK, out);
	}
	bool known = strncmp(p, "/api/senders/", 13) == 0;
	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++)
		known |= strcmp(p, gets[i]) == 0;
	if (!known)
		return api_error(out, 404, "no such endpoint");
	if (!get)
		return api_error(out, 405, "GET only");
	if (strcmp(p, "/api/status") == 0)
		return api_status(x, out);
	if (strcmp(p, "/api/senders") == 0)
		return api_senders(x, r, out);
	if (strncmp(p, "/api/senders/", 13) == 0)
		return api_sender(x, p + 13, out);
	if (strcmp(p, "/api/held") == 0)
		return api_held(x, out);
	if (strcmp(p, "/api/events") == 0)
		return api_events(x, r, NULL, out);
	if (strcmp(p, "/api/logfindings") == 0)
		return api_events(x, r, "logscan", out);
	if (strcmp(p, "/api/netwatch") == 0)
		return api_events(x, r, "netwatch", out);
	if (strcmp(p, "/api/blocks") == 0)
		return api_blocks(x, out);
	if (strcmp(p, "/api/dmarc") == 0)
		return api_dmarc(x, r, out);
	return api_audit(x, out);
}
