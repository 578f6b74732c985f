/*
 * store/event.h - an event: a threshold crossed, with its evidence.
 *
 * DESCRIPTION
 *   Produced by the policy service (source "policy") when a rate rule's
 *   threshold is crossed, and by any other detector (e.g. the log scanner)
 *   that wants the same storage (store/eventlog.h) and alerting
 *   (outbound/alert.h).  Fixed-size text fields, cut at their size; the
 *   evidence keeps up to MW_EVENT_SAMPLE_MAX recipients and subjects.
 *   JSON form (mw_event_to_json): {"id","time","time_ms","source","rule",
 *   "key","action","count","limit","window_s","client_address",
 *   "sasl_username","sender","recipients":[],"subjects":[]}.
 *
 * OWNERSHIP
 *   Plain value; mw_event_to_json returns a new reference (json_decref it).
 */
#ifndef MW_STORE_EVENT_H
#define MW_STORE_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

#define MW_EVENT_ADDR_MAX 256

typedef struct mw_event {
	int64_t id;      /* given by the event log; 0 before */
	int64_t time_ms; /* Unix time in ms */
	char source[32];
	char rule[64];
	char key[MW_RL_KEY_MAX + 1];
	char action[16]; /* alert, hold, defer, reject, ... */
	uint64_t count, limit;
	int64_t window_ms;
	char client_address[64];
	char sasl_username[MW_EVENT_ADDR_MAX];
	char sender[MW_EVENT_ADDR_MAX];
	size_t nrecipients, nsubjects;
	char recipients[MW_EVENT_SAMPLE_MAX][MW_EVENT_ADDR_MAX];
	char subjects[MW_EVENT_SAMPLE_MAX][MW_EVENT_ADDR_MAX];
} mw_event;

/* mw_event_add_recipient - keep one more recipient (ignored when full or duplicate) */
void mw_event_add_recipient(mw_event *ev, const char *rcpt);
/* mw_event_add_subject - keep one more subject (ignored when full) */
void mw_event_add_subject(mw_event *ev, const char *subject);
/* mw_event_to_json - the JSON object above (NULL when out of memory) */
json_t *mw_event_to_json(const mw_event *ev);
/* mw_event_describe - one human line into buf: "rule KEY: action (count > limit in window)" */
const char *mw_event_describe(const mw_event *ev, char *buf, size_t n);

#endif
