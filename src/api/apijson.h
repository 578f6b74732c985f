/*
 * api/apijson.h - JSON shapes of the daemon's HTTP API (docs/API.md) built
 * from library values: events, sender pairs, held items, remote blocks,
 * and request bodies.
 *
 * DESCRIPTION
 *   mw_api_event_json       {id, time_ms, type, key, rule, action, count,
 *                           limit, window_s, recipients[], subject, detail,
 *                           client_address, sasl_username, sender}; type is
 *                           the event source (policy, logscan, milter-scan,
 *                           netwatch); for log findings the evidence lines
 *                           are the detail (one per line) and subject is "".
 *   mw_api_pair_json        {key, rule, count, limit, window_s, state}
 *   mw_api_held_json        {key, rule, since_ms, until_ms, reason, event_id}
 *   mw_api_blocks_group     remote-block log findings (rule remote_block)
 *                           grouped by destination: {destination, reply,
 *                           count, last_ms, blocklist}
 *   mw_api_blocklist_name   the DNSBL or provider list a reply names
 *                           ("Spamhaus", "Barracuda", ...) or ""
 *   mw_api_key_body         {"key": "..."} (release) and {"key": "...",
 *                           "duration_s": N} (block), strictly checked.
 *
 * OWNERSHIP
 *   Functions returning json_t* return a new reference (NULL when out of
 *   memory).
 */
#ifndef MW_API_APIJSON_H
#define MW_API_APIJSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "outbound/rltrack.h"
#include "store/event.h"

/* mw_api_event_json - one event */
json_t *mw_api_event_json(const mw_event *ev);
/* mw_api_pair_json - one (rule, key) pair of the tracker */
json_t *mw_api_pair_json(const mw_rlt_pair *p);
/* mw_api_held_json - a held/blocked pair (p) or a manual block (b) */
json_t *mw_api_held_json(const mw_rlt_pair *p, const mw_rlt_block *b);
/* mw_api_blocks_group - events (newest first) into an array of destinations */
json_t *mw_api_blocks_group(const mw_event *evs, size_t n);
/* mw_api_blocklist_name - list named in text, or "" */
const char *mw_api_blocklist_name(const char *text);
/* mw_api_key_body - parse a release/block body; duration_s may be NULL
 * (release: the member is then refused); *duration_s defaults to 3600 */
mw_status mw_api_key_body(const char *body, size_t len, char *key, size_t keycap,
			  int64_t *duration_s, mw_err *err);

#endif
