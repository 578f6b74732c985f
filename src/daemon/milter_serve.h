/*
 * daemon/milter_serve.h - the milter inside `mailwarden serve`.
 *
 * DESCRIPTION
 *   When the configuration has `milter = SOCKET` in [serve], or a `socket`
 *   in [milter], `serve` runs the milter (daemon/milter.h, the same code as
 *   `mailwarden milter`) next to the policy service:
 *     - milter_bridge_open (before the privilege drop) registers with
 *       libmilter and binds the milter socket;
 *     - milter_bridge_start runs smfi_main on its own thread, created with
 *       every signal blocked, so libmilter's worker threads never take the
 *       daemon's signals;
 *     - libmilter threads never touch the event loop's state (store, event
 *       history, alerts, rules).  A content-scan hold is copied into a
 *       bounded queue under a mutex and the loop is woken with ev_async;
 *       the loop's callback then handles it like a rate-limit event
 *       (history, syslog, alert command, webhook, count = scan_holds rules);
 *     - milter_bridge_stop (SIGTERM, or the end of serve_run) calls
 *       smfi_stop, joins the thread and hands over what is still queued.
 *   Signals: libmilter's own signal thread sigwaits for SIGHUP, SIGTERM
 *   and SIGINT and stops the milter on any of them.  The main thread keeps
 *   those signals unblocked; Linux delivers a process-directed signal to
 *   the thread group leader when it does not block it, so libev's handlers
 *   see them.  Should libmilter ever stop by itself, the callback gets a
 *   NULL event and serve stops (exit 1) rather than run half a service.
 *
 * LIMITS
 *   MILTER_QUEUE_MAX events wait for the loop; beyond that a hold is still
 *   quarantined by the milter but its event is dropped and counted.
 *
 * OWNERSHIP
 *   The bridge borrows cfg (read-only, shared by libmilter threads) until
 *   milter_bridge_stop.  There is one bridge per process (libmilter keeps
 *   global state): static, never freed, not reopened.
 */
#ifndef MW_DAEMON_MILTER_SERVE_H
#define MW_DAEMON_MILTER_SERVE_H

#include <ev.h>
#include <stdbool.h>

#include "cli/dnsopt.h"
#include "core/err.h"
#include "daemon/milter_config.h"
#include "store/event.h"

#define MILTER_QUEUE_MAX 1024 /* holds waiting for the loop (~7 KB each) */

/* milter_bridge_fn - on the loop thread: one hold event (the callee may
 * modify it), or NULL when the milter stopped without being asked to */
typedef void (*milter_bridge_fn)(void *ctx, mw_event *ev);

typedef struct milter_bridge milter_bridge;

/* milter_bridge_open - register and bind; NULL with *rc (2 config, 3 socket) */
milter_bridge *milter_bridge_open(struct ev_loop *loop, milter_config *cfg,
				  milter_bridge_fn fn, void *ctx, int *rc);
/* milter_bridge_start - smfi_main on its own thread */
bool milter_bridge_start(milter_bridge *b, mw_err *err);
/* milter_bridge_request_stop - smfi_stop without waiting (NULL ok) */
void milter_bridge_request_stop(milter_bridge *b);
/* milter_bridge_stop - stop, join, hand over the queue (NULL ok) */
void milter_bridge_stop(milter_bridge *b);
/* milter_bridge_dropped - events dropped because the queue was full */
unsigned long milter_bridge_dropped(const milter_bridge *b);

#endif
