/*
 * daemon/server.h - `mailwarden serve`: the Postfix policy service.
 *
 * DESCRIPTION
 *   One thread runs a libev loop over non-blocking sockets: the policy
 *   listeners (TCP and/or unix), the control socket (release, status), the
 *   signals and a one-second sweep timer.  A second thread, libmicrohttpd's,
 *   serves /metrics from atomics.  Start-up, top to bottom: read the config,
 *   bind every socket, drop root to the configured user, open the stores,
 *   run.  SIGHUP re-reads the config (rules, thresholds, alerts, timeouts;
 *   a bad file is rejected and the old config kept); SIGTERM stops
 *   accepting, answers what is in flight, flushes the store and exits 0.
 *   See docs/SERVE.md.
 */
#ifndef MW_DAEMON_SERVER_H
#define MW_DAEMON_SERVER_H

#include "daemon/config.h"

/* serve_run - run until SIGTERM; returns the process exit code */
int serve_run(const char *config_path, const serve_overrides *ov, bool log_stderr_forced);

#endif
