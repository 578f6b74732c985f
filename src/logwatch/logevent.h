/*
 * logwatch/logevent.h - a log finding as an event of the shared event store.
 *
 * DESCRIPTION
 *   The policy service and the log scanner report into the same event log
 *   (store/eventlog.h) so that `mailwarden events`, alerts and the daemon's
 *   dashboard see both.  Mapping: source "logscan", rule = the finding type
 *   ("rate", "remote_block", ...), key = the finding key, action "alert",
 *   count/limit/window from the rule, client_address / sasl_username /
 *   sender from a "client:", "sasl_username:" or "sender:" key, and the
 *   evidence lines in the event's sample list (its "subjects" slots, cut at
 *   MW_EVENT_ADDR_MAX bytes; the event format has no other text list).
 *
 * OWNERSHIP
 *   Fills a caller-owned mw_event.
 */
#ifndef MW_LOGWATCH_LOGEVENT_H
#define MW_LOGWATCH_LOGEVENT_H

#include "logwatch/logscan.h"
#include "store/event.h"

/* mw_finding_to_event - ev is overwritten; o gives the rule limits */
void mw_finding_to_event(const mw_finding *f, const mw_logscan_opts *o, mw_event *ev);

#endif
