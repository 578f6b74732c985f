/*
 * store/event.c - event evidence and JSON form (see event.h).
 */
#include "store/event.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/str.h"

/* mw_event_add_recipient - sample one recipient */
void mw_event_add_recipient(mw_event *ev, const char *rcpt)
{
	if (!rcpt || !*rcpt || ev->nrecipients >= MW_EVENT_SAMPLE_MAX)
		return;
	for (size_t i = 0; i < ev->nrecipients; i++)
		if (strcmp(ev->recipients[i], rcpt) == 0)
			return;
	mw_strlcpy(ev->recipients[ev->nrecipients++], rcpt, MW_EVENT_ADDR_MAX);
}

/* mw_event_add_subject - sample one subject */
void mw_event_add_subject(mw_event *ev, const char *subject)
{
	if (!subject || ev->nsubjects >= MW_EVENT_SAMPLE_MAX)
		return;
	mw_strlcpy(ev->subjects[ev->nsubjects++], subject, MW_EVENT_ADDR_MAX);
}

/* iso_time - RFC 3339 UTC time of ms */
static void iso_time(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* mw_event_to_json - object with every field */
json_t *mw_event_to_json(const mw_event *ev)
{
	char when[32];
	iso_time(ev->time_ms, when, sizeof(when));
	json_t *rc = json_array(), *sj = json_array();
	for (size_t i = 0; i < ev->nrecipients && rc; i++)
		json_array_append_new(rc, json_string(ev->recipients[i]));
	for (size_t i = 0; i < ev->nsubjects && sj; i++)
		json_array_append_new(sj, json_string(ev->subjects[i]));
	return json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s:o*,s:o*}",
			 "id", (json_int_t)ev->id, "time", when, "time_ms", (json_int_t)ev->time_ms,
			 "source", ev->source, "rule", ev->rule, "key", ev->key, "action",
			 ev->action, "count", (json_int_t)ev->count, "limit",
			 (json_int_t)ev->limit, "window_s", (json_int_t)(ev->window_ms / 1000),
			 "client_address", ev->client_address, "sasl_username",
			 ev->sasl_username, "sender", ev->sender, "recipients", rc, "subjects", sj);
}

/* mw_event_describe - one line for logs and the CLI */
const char *mw_event_describe(const mw_event *ev, char *buf, size_t n)
{
	if (ev->window_ms > 0)
		snprintf(buf, n, "%s %s: %s (%llu > %llu in %llds)", ev->rule, ev->key, ev->action,
			 (unsigned long long)ev->count, (unsigned long long)ev->limit,
			 (long long)(ev->window_ms / 1000));
	else
		snprintf(buf, n, "%s %s: %s (%llu > %llu)", ev->rule, ev->key, ev->action,
			 (unsigned long long)ev->count, (unsigned long long)ev->limit);
	return buf;
}
