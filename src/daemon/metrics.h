/*
 * daemon/metrics.h - counters of the policy service and their HTTP export.
 *
 * DESCRIPTION
 *   The event loop thread updates the counters (relaxed atomics); the
 *   libmicrohttpd thread (daemon/http.c) reads them for GET /metrics
 *   (Prometheus text exposition format 0.0.4) and GET /api/status; the
 *   control socket's `status` prints metrics_json.
 */
#ifndef MW_DAEMON_METRICS_H
#define MW_DAEMON_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "logwatch/logscan.h"
#include "outbound/policy.h"
#include "outbound/ratelimit.h"

#define METRICS_LAT_BUCKETS 10

typedef struct serve_metrics {
	atomic_uint_fast64_t requests[MW_PA_REJECT + 1]; /* by answer */
	atomic_uint_fast64_t malformed;                  /* requests refused by the parser */
	atomic_uint_fast64_t events[MW_RL_NACTIONS];     /* threshold crossings by action */
	atomic_uint_fast64_t store_errors;
	atomic_uint_fast64_t lat_bucket[METRICS_LAT_BUCKETS + 1]; /* cumulative at export */
	atomic_uint_fast64_t lat_sum_ns, lat_count;
	atomic_uint_fast64_t keys, connections, degraded, evicted, alerts_failed;
	/* [logwatch]: the daemon's log follower (daemon/logfollow.c) */
	atomic_uint_fast64_t log_lines, log_unparsed, log_rotations, log_truncations, log_files;
	atomic_uint_fast64_t log_findings[MW_FIND_TYPE_COUNT];
	/* the milter inside serve (daemon/milter_serve.h) */
	atomic_uint_fast64_t milter_holds, milter_dropped;
	char store_name[16];
	int64_t started_ms;
} serve_metrics;

/* metrics_observe - one request's answer and latency */
void metrics_observe(serve_metrics *m, mw_policy_action a, uint64_t ns);
/* metrics_text - Prometheus text into out */
void metrics_text(serve_metrics *m, mw_buf *out);
/* metrics_json - status JSON object text into out */
void metrics_json(serve_metrics *m, mw_buf *out);

#endif
