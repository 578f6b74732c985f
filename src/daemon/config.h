/*
 * daemon/config.h - the configuration of `mailwarden serve`.
 *
 * DESCRIPTION
 *   An INI file (parsed with inih) with one [serve] section and any number
 *   of [rule NAME] sections, and an optional [logwatch] section
 *   (daemon/logfollow.h); etc/mailwarden.conf documents every setting.
 *   With no [rule ...] section the built-in default rules apply
 *   (mw_rl_config_defaults).  Command-line options are applied on top of
 *   the file, also after a SIGHUP reload.  A config is built completely and
 *   checked before it is used, so a bad file never replaces a good one.
 *
 * OWNERSHIP
 *   serve_config_load returns a config for serve_config_free.
 */
#ifndef MW_DAEMON_CONFIG_H
#define MW_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "daemon/logfollow.h"
#include "outbound/policy.h"
#include "outbound/ratelimit.h"

#define SERVE_LISTEN_MAX 8
#define SERVE_PATH_MAX 512

typedef struct serve_config {
	char listen[SERVE_LISTEN_MAX][SERVE_PATH_MAX];
	size_t nlisten;
	char control[SERVE_PATH_MAX]; /* unix:PATH or "" (off) */
	char metrics[128];            /* http = ADDR:PORT (alias: metrics) or "" (off) */
	char http_token[MW_API_SECRET_MAX + 1]; /* bearer token, inline (http_token) */
	char http_token_file[SERVE_PATH_MAX];   /* ... or its file, read at start */
	char http_user[128];                    /* HTTP basic user */
	char http_password_file[SERVE_PATH_MAX];
	char http_tls_cert[SERVE_PATH_MAX], http_tls_key[SERVE_PATH_MAX]; /* PEM; both or none */
	char dmarc_db[SERVE_PATH_MAX];  /* DMARC report store for /api/dmarc, "" = none */
	char audit_dir[SERVE_PATH_MAX]; /* `mailwarden audit --json` outputs for /api/audit */
	size_t history_keys;            /* keys whose per-minute history is kept */
	char user[64];                /* drop root to this user; "" = stay */
	char store[SERVE_PATH_MAX];
	int store_timeout_ms;
	bool fail_open;
	mw_policy_action default_action; /* answer to a malformed request */
	char events_db[SERVE_PATH_MAX];  /* "" = no event history */
	int64_t retention_ms;
	bool log_syslog;
	char webhook[SERVE_PATH_MAX];
	char alert_command[SERVE_PATH_MAX];
	int alert_timeout_ms;
	size_t max_connections;
	int idle_timeout_s;
	int request_timeout_s;
	size_t max_keys;
	mw_rl_config *rules;
	serve_logwatch_cfg logwatch;  /* [logwatch] (daemon/logfollow.h) */
	char milter[SERVE_PATH_MAX];  /* milter socket; "off": none; "": [milter] socket if any */
} serve_config;

/* serve_overrides - "name=value" settings from the command line */
typedef struct serve_overrides {
	size_t n;
	const char *name[32], *value[32];
} serve_overrides;

/* serve_config_load - defaults, then path (NULL = none), then overrides */
serve_config *serve_config_load(const char *path, const serve_overrides *ov, mw_err *err);
void serve_config_free(serve_config *c);

#endif
