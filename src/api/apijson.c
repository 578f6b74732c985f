/*
 * api/apijson.c - JSON shapes of the HTTP API (see apijson.h).
 */
#include "api/apijson.h"

#include <stdio.h>
#include <string.h>

#include "core/htab.h"
#include "core/limits.h"
#include "core/str.h"

/* detail_of - what an event says beyond its columns */
static void detail_of(const mw_event *ev, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	if (strcmp(ev->source, "logscan") == 0) {
		for (size_t i = 0; i < ev->nsubjects && len + 1 < n; i++) {
			int w = snprintf(buf + len, n - len, "%s%s", i ? "\n" : "", ev->subjects[i]);
			if (w < 0)
				break;
			len += (size_t)w;
		}
		return;
	}
	snprintf(buf, n, "client=%s sasl_username=%s sender=%s",
		 ev->client_address[0] ? ev->client_address : "-",
		 ev->sasl_username[0] ? ev->sasl_username : "-", ev->sender[0] ? ev->sender : "<>");
}

/* mw_api_event_json - the API's event item */
json_t *mw_api_event_json(const mw_event *ev)
{
	char detail[MW_EVENT_SAMPLE_MAX * (MW_EVENT_ADDR_MAX + 1) + 1];
	detail_of(ev, detail, sizeof(detail));
	bool log = strcmp(ev->source, "logscan") == 0;
	json_t *rc = json_array();
	for (size_t i = 0; rc && i < ev->nrecipients; i++)
		json_array_append_new(rc, json_string(ev->recipients[i]));
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:s,s:s,s:s,s:s,s:s}",
			      "id", (json_int_t)ev->id, "time_ms", (json_int_t)ev->time_ms,
			      "type", ev->source, "key", ev->key, "rule", ev->rule, "action",
			      ev->action, "count", (json_int_t)ev->count, "limit",
			      (json_int_t)ev->limit, "window_s", (json_int_t)(ev->window_ms / 1000),
			      "recipients", rc ? rc : json_array(), "subject",
			      !log && ev->nsubjects ? ev->subjects[0] : "", "detail", detail,
			      "client_address", ev->client_address, "sasl_username",
			      ev->sasl_username, "sender", ev->sender);
	return o;
}

/* mw_api_pair_json - sender pair */
json_t *mw_api_pair_json(const mw_rlt_pair *p)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "key", p->key, "rule", p->rule, "count",
			 (json_int_t)p->count, "limit", (json_int_t)p->limit, "window_s",
			 (json_int_t)(p->window_ms / 1000), "state", mw_rlt_state_name(p->state));
}

/* strongest - the strongest threshold exceeded by count, or -1 */
static int strongest(const mw_rl_limits *l, uint64_t count)
{
	for (int a = MW_RL_NACTIONS - 1; a >= 0; a--)
		if (l->limit[a] && count > l->limit[a])
			return a;
	return -1;
}

/* mw_api_held_json - a held item */
json_t *mw_api_held_json(const mw_rlt_pair *p, const mw_rlt_block *b)
{
	char reason[160];
	if (b) {
		snprintf(reason, sizeof(reason), "blocked by the administrator");
		return json_pack("{s:s,s:s,s:I,s:I,s:s,s:I}", "key", b->key, "rule", "block",
				 "since_ms", (json_int_t)b->since_ms, "until_ms",
				 (json_int_t)b->until_ms, "reason", reason, "event_id", (json_int_t)0);
	}
	int a = strongest(&p->limits, p->count);
	if (a >= 0 && p->window_ms)
		snprintf(reason, sizeof(reason), "%s: %llu > %llu in %llds", mw_rl_action_name(a),
			 (unsigned long long)p->count, (unsigned long long)p->limits.limit[a],
			 (long long)(p->window_ms / 1000));
	else if (a >= 0)
		snprintf(reason, sizeof(reason), "%s: %llu recipients > %llu in one message",
			 mw_rl_action_name(a), (unsigned long long)p->count,
			 (unsigned long long)p->limits.limit[a]);
	else
		snprintf(reason, sizeof(reason), "%s", mw_rlt_state_name(p->state));
	int64_t until = p->last_ms + (p->window_ms ? p->window_ms : 60000);
	return json_pack("{s:s,s:s,s:I,s:I,s:s,s:I}", "key", p->key, "rule", p->rule, "since_ms",
			 (json_int_t)(p->held_since_ms ? p->held_since_ms : p->last_ms), "until_ms",
			 (json_int_t)until, "reason", reason, "event_id", (json_int_t)p->held_event_id);
}

/* mw_api_blocklist_name - well-known lists named in a refusal */
const char *mw_api_blocklist_name(const char *text)
{
	static const struct {
		const char *needle, *name;
	} lists[] = {
		{"spamhaus", "Spamhaus"},     {"barracuda", "Barracuda"}, {"spamcop", "SpamCop"},
		{"sorbs", "SORBS"},           {"uceprotect", "UCEPROTECT"}, {"psbl", "PSBL"},
		{"mailspike", "Mailspike"},   {"spamrats", "SpamRATS"},   {"senderscore", "SenderScore"},
		{"cloudmark", "Cloudmark"},   {"proofpoint", "Proofpoint"},
		{"s3150", "Microsoft (S3150)"}, {"outlook.com", "Microsoft"},
		{"gmail", "Gmail"},           {"yahoo", "Yahoo"},
	};
	char low[1024];
	mw_strlcpy(low, text ? text : "", sizeof(low));
	mw_strlower(low);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strstr(low, lists[i].needle))
			return lists[i].name;
	return "";
}

/* mw_api_blocks_group - one item per destination (a hash of the groups
 * keeps it linear in the number of events) */
json_t *mw_api_blocks_group(const mw_event *evs, size_t n)
{
	json_t *arr = json_array();
	mw_htab *seen = mw_htab_new(NULL); /* destination -> its json object */
	for (size_t i = 0; arr && seen && i < n; i++) {
		const mw_event *ev = &evs[i];
		json_t *g = mw_htab_get(seen, ev->key, strlen(ev->key));
		if (g) {
			json_int_t c = json_integer_value(json_object_get(g, "count"));
			if ((json_int_t)ev->count > c)
				json_object_set_new(g, "count", json_integer((json_int_t)ev->count));
			if (ev->time_ms > json_integer_value(json_object_get(g, "last_ms")))
				json_object_set_new(g, "last_ms", json_integer(ev->time_ms));
			continue;
		}
		const char *reply = ev->nsubjects ? ev->subjects[0] : "";
		const char *said = strstr(reply, "said: ");
		g = json_pack("{s:s,s:s,s:I,s:I,s:s}", "destination", ev->key, "reply",
			      said ? said + 6 : reply, "count", (json_int_t)ev->count, "last_ms",
			      (json_int_t)ev->time_ms, "blocklist", mw_api_blocklist_name(reply));
		if (g && json_array_append_new(arr, g) == 0)
			mw_htab_put(seen, ev->key, strlen(ev->key), g);
	}
	mw_htab_free(seen);
	return arr;
}

/* mw_api_key_body - {"key": "...", ["duration_s": N]} */
mw_status mw_api_key_body(const char *body, size_t len, char *key, size_t keycap,
			  int64_t *duration_s, mw_err *err)
{
	if (!body || len == 0)
		return mw_err_set(err, MW_EPARSE, "empty body: want {\"key\": \"...\"}");
	json_error_t je;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return mw_err_set(err, MW_EPARSE, "malformed JSON: %s", je.text);
	mw_status st = MW_OK;
	const char *name;
	json_t *v;
	if (!json_is_object(o)) {
		st = mw_err_set(err, MW_EPARSE, "want a JSON object");
		goto out;
	}
	json_object_foreach(o, name, v) {
		if (strcmp(name, "key") != 0 && !(duration_s && strcmp(name, "duration_s") == 0)) {
			st = mw_err_set(err, MW_EPARSE, "unknown member \"%.64s\"", name);
			goto out;
		}
	}
	v = json_object_get(o, "key");
	const char *k = json_string_value(v);
	if (!k || !k[0] || json_string_length(v) != strlen(k)) {
		st = mw_err_set(err, MW_EPARSE, "\"key\" must be a non-empty string");
		goto out;
	}
	if (strlen(k) >= keycap || strlen(k) > MW_RL_KEY_MAX) {
		st = mw_err_set(err, MW_ETOOBIG, "\"key\" longer than %d bytes", MW_RL_KEY_MAX);
		goto out;
	}
	for (const char *p = k; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			st = mw_err_set(err, MW_EPARSE, "\"key\" has a control byte");
			goto out;
		}
	mw_strlcpy(key, k, keycap);
	mw_strlower(key);
	if (duration_s) {
		v = json_object_get(o, "duration_s");
		*duration_s = 3600;
		if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
			  json_integer_value(v) > MW_RL_WINDOW_MAX / 1000)) {
			st = mw_err_set(err, MW_EPARSE, "\"duration_s\" must be 1..%lld",
					(long long)(MW_RL_WINDOW_MAX / 1000));
			goto out;
		}
		if (v)
			*duration_s = json_integer_value(v);
	}
out:
	json_decref(o);
	return st;
}
