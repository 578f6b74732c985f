/*
 * daemon/metrics.c - the counters' Prometheus text and status JSON (see
 * metrics.h).  The HTTP thread (daemon/http.c) only reads atomics.
 */
#include "daemon/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define LD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

static const double lat_bounds_s[METRICS_LAT_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25};

/* metrics_observe - count one answer */
void metrics_observe(serve_metrics *m, mw_policy_action a, uint64_t ns)
{
	atomic_fetch_add_explicit(&m->requests[a], 1, memory_order_relaxed);
	int b = 0;
	while (b < METRICS_LAT_BUCKETS && (double)ns / 1e9 > lat_bounds_s[b])
		b++;
	atomic_fetch_add_explicit(&m->lat_bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_sum_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->lat_count, 1, memory_order_relaxed);
}

/* metrics_text_logwatch - the log follower's counters */
static void metrics_text_logwatch(serve_metrics *m, mw_buf *o)
{
	mw_buf_printf(o,
		      "# HELP mailwarden_log_files_followed Mail log files followed ([logwatch] files).\n"
		      "# TYPE mailwarden_log_files_followed gauge\nmailwarden_log_files_followed %llu\n"
		      "# HELP mailwarden_log_lines_total Mail log lines read by the follower.\n"
		      "# TYPE mailwarden_log_lines_total counter\nmailwarden_log_lines_total %llu\n"
		      "# HELP mailwarden_log_unparsed_lines_total Lines without a syslog prefix or of an unknown Postfix/Sendmail form.\n"
		      "# TYPE mailwarden_log_unparsed_lines_total counter\nmailwarden_log_unparsed_lines_total %llu\n"
		      "# HELP mailwarden_log_rotations_total Log rotations by rename seen by the follower.\n"
		      "# TYPE mailwarden_log_rotations_total counter\nmailwarden_log_rotations_total %llu\n"
		      "# HELP mailwarden_log_truncations_total Log truncations (copytruncate) seen by the follower.\n"
		      "# TYPE mailwarden_log_truncations_total counter\nmailwarden_log_truncations_total %llu\n",
		      LD(m->log_files), LD(m->log_lines), LD(m->log_unparsed), LD(m->log_rotations),
		      LD(m->log_truncations));
	mw_buf_puts(o, "# HELP mailwarden_log_findings_total Findings raised from the mail logs, by type.\n"
		       "# TYPE mailwarden_log_findings_total counter\n");
	for (int t = 0; t < MW_FIND_TYPE_COUNT; t++)
		mw_buf_printf(o, "mailwarden_log_findings_total{type=\"%s\"} %llu\n",
			      mw_finding_type_name((mw_finding_type)t), LD(m->log_findings[t]));
}

/* metrics_text_milter - scan holds handed over by the milter thread */
static void metrics_text_milter(serve_metrics *m, mw_buf *o)
{
	mw_buf_printf(o,
		      "# HELP mailwarden_milter_scan_holds_total Outbound messages the milter's content scan held (events).\n"
		      "# TYPE mailwarden_milter_scan_holds_total counter\nmailwarden_milter_scan_holds_total %llu\n"
		      "# HELP mailwarden_milter_events_dropped_total Scan-hold events dropped because the queue to the loop was full.\n"
		      "# TYPE mailwarden_milter_events_dropped_total counter\nmailwarden_milter_events_dropped_total %llu\n",
		      LD(m->milter_holds), LD(m->milter_dropped));
}

/* metrics_text - exposition format */
void metrics_text(serve_metrics *m, mw_buf *o)
{
	mw_buf_puts(o, "# HELP mailwarden_policy_requests_total Policy requests answered, by action.\n"
		       "# TYPE mailwarden_policy_requests_total counter\n");
	for (int a = 0; a <= MW_PA_REJECT; a++)
		mw_buf_printf(o, "mailwarden_policy_requests_total{action=\"%s\"} %llu\n",
			      mw_policy_action_name((mw_policy_action)a), LD(m->requests[a]));
	mw_buf_printf(o, "# HELP mailwarden_policy_malformed_total Requests refused as malformed or oversized.\n"
			 "# TYPE mailwarden_policy_malformed_total counter\n"
			 "mailwarden_policy_malformed_total %llu\n", LD(m->malformed));
	mw_buf_puts(o, "# HELP mailwarden_policy_latency_seconds Time from a complete request to its answer.\n"
		       "# TYPE mailwarden_policy_latency_seconds histogram\n");
	unsigned long long cum = 0;
	for (int b = 0; b < METRICS_LAT_BUCKETS; b++) {
		cum += LD(m->lat_bucket[b]);
		mw_buf_printf(o, "mailwarden_policy_latency_seconds_bucket{le=\"%g\"} %llu\n",
			      lat_bounds_s[b], cum);
	}
	cum += LD(m->lat_bucket[METRICS_LAT_BUCKETS]);
	mw_buf_printf(o, "mailwarden_policy_latency_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	mw_buf_printf(o, "mailwarden_policy_latency_seconds_sum %.9f\n", (double)LD(m->lat_sum_ns) / 1e9);
	mw_buf_printf(o, "mailwarden_policy_latency_seconds_count %llu\n", LD(m->lat_count));
	mw_buf_puts(o, "# HELP mailwarden_alerts_total Rate thresholds crossed (events), by action.\n"
		       "# TYPE mailwarden_alerts_total counter\n");
	for (int a = 0; a < MW_RL_NACTIONS; a++)
		mw_buf_printf(o, "mailwarden_alerts_total{action=\"%s\"} %llu\n",
			      mw_rl_action_name((mw_rl_action)a), LD(m->events[a]));
	mw_buf_printf(o,
		      "# HELP mailwarden_keys_tracked Counter keys held in local memory.\n"
		      "# TYPE mailwarden_keys_tracked gauge\nmailwarden_keys_tracked %llu\n"
		      "# HELP mailwarden_store_up 1 when the store works as configured, 0 when degraded "
		      "(redis down: local counters).\n# TYPE mailwarden_store_up gauge\n"
		      "mailwarden_store_up{store=\"%s\"} %d\n"
		      "# HELP mailwarden_store_errors_total Rule evaluations skipped by store failures.\n"
		      "# TYPE mailwarden_store_errors_total counter\nmailwarden_store_errors_total %llu\n"
		      "# HELP mailwarden_connections Open policy client connections.\n"
		      "# TYPE mailwarden_connections gauge\nmailwarden_connections %llu\n"
		      "# HELP mailwarden_connections_evicted_total Idle connections closed to admit new ones.\n"
		      "# TYPE mailwarden_connections_evicted_total counter\n"
		      "mailwarden_connections_evicted_total %llu\n"
		      "# HELP mailwarden_alert_delivery_failures_total Alert commands/webhooks not started (error, or 32 already running).\n"
		      "# TYPE mailwarden_alert_delivery_failures_total counter\n"
		      "mailwarden_alert_delivery_failures_total %llu\n",
		      LD(m->keys), m->store_name, LD(m->degraded) ? 0 : 1, LD(m->store_errors),
		      LD(m->connections), LD(m->evicted), LD(m->alerts_failed));
	metrics_text_logwatch(m, o);
	metrics_text_milter(m, o);
}

/* metrics_json - the status object */
void metrics_json(serve_metrics *m, mw_buf *o)
{
	unsigned long long total = 0;
	for (int a = 0; a <= MW_PA_REJECT; a++)
		total += LD(m->requests[a]);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	long long up = ((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000 - m->started_ms) / 1000;
	mw_buf_printf(o, "{\"uptime_s\":%lld,\"store\":\"%s\",\"store_state\":\"%s\",\"keys\":%llu,"
			 "\"connections\":%llu,\"requests\":%llu,\"malformed\":%llu,",
		      up, m->store_name, LD(m->degraded) ? "degraded" : "up", LD(m->keys),
		      LD(m->connections), total, LD(m->malformed));
	mw_buf_puts(o, "\"answers\":{");
	for (int a = 0; a <= MW_PA_REJECT; a++)
		mw_buf_printf(o, "%s\"%s\":%llu", a ? "," : "", mw_policy_action_name((mw_policy_action)a),
			      LD(m->requests[a]));
	mw_buf_puts(o, "},\"events\":{");
	for (int a = 0; a < MW_RL_NACTIONS; a++)
		mw_buf_printf(o, "%s\"%s\":%llu", a ? "," : "", mw_rl_action_name((mw_rl_action)a),
			      LD(m->events[a]));
	mw_buf_puts(o, "}}");
}
