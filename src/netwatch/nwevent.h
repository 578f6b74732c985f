/*
 * netwatch/nwevent.h - a netwatch connection event as JSON, and as a
 * store event (store/event.h) for the daemon's event log and alerts.
 *
 * DESCRIPTION
 *   mw_nw_event_to_json gives the object the CLI prints (`netwatch --json`):
 *   class, source, pid, uid, user, cmdline, exe, cwd, unit, container,
 *   proc_start, local, local_port, remote, remote_port, state, inode,
 *   first_seen_ms, proc_count, dest_count (unknown values are null).
 *
 *   mw_nw_event_to_store maps it onto an mw_event so the daemon can store
 *   and alert on it through the same path as rate-limit events:
 *     source "netwatch", rule "direct-smtp" (class suspect) or
 *     "smtp-connection" (others), action "alert", key "uid U (USER) EXE",
 *     count = connections of that process so far (proc_count),
 *     client_address = "REMOTE:PORT", and as evidence (subjects):
 *     "pid P: CMDLINE", "cwd DIR", "unit UNIT", "container ID",
 *     "local A:P", "seen via sample|log", "connections to REMOTE: N".
 *
 * OWNERSHIP
 *   mw_nw_event_to_json returns a new reference (json_decref it).
 */
#ifndef MW_NETWATCH_NWEVENT_H
#define MW_NETWATCH_NWEVENT_H

#include <jansson.h>

#include "netwatch/netwatch.h"
#include "store/event.h"

/* mw_nw_event_to_json - see above; NULL when out of memory */
json_t *mw_nw_event_to_json(const mw_nw_event *ev);
/* mw_nw_event_to_store - fill out (zeroed first) from ev */
void mw_nw_event_to_store(const mw_nw_event *ev, mw_event *out);

#endif
