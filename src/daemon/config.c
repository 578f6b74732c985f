/*
 * daemon/config.c - read the serve configuration (see config.h).
 */
#include "daemon/config.h"

#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

typedef struct load_ctx {
	serve_config *c;
	mw_rl_rule *rule; /* current [rule NAME] section */
	char section[128];
	mw_err *err;
	bool failed;
} load_ctx;

/* defaults - documented in etc/mailwarden.conf */
static void defaults(serve_config *c)
{
	mw_strlcpy(c->listen[0], "127.0.0.1:10040", SERVE_PATH_MAX);
	c->nlisten = 0; /* filled with listen[0] at the end if nothing else */
	mw_strlcpy(c->control, "unix:/run/mailwarden/control.sock", sizeof(c->control));
	mw_strlcpy(c->store, "memory", sizeof(c->store));
	mw_strlcpy(c->events_db, "/var/lib/mailwarden/events.db", sizeof(c->events_db));
	c->store_timeout_ms = 50;   /* Postfix waits 100 s; we answer far sooner */
	c->fail_open = true;        /* never stop mail because our state store failed */
	c->default_action = MW_PA_DUNNO; /* Postfix's own smtpd_policy_service_default_action */
	c->retention_ms = 180LL * 86400 * 1000; /* six months of event history */
	c->alert_timeout_ms = 10000;
	c->max_connections = 10000; /* Postfix opens one per smtpd process (default 100) */
	c->idle_timeout_s = 330;    /* Postfix closes idle ones after 300 s (max_idle) */
	c->request_timeout_s = 10;  /* a request arrives in one write; 10 s is slowloris */
	c->max_keys = 2000000;
	c->history_keys = MW_RATEHIST_KEYS_DEFAULT; /* 288,000 rows over 24 h at most */
	serve_logwatch_defaults(&c->logwatch);
}

/* set_int - bounded decimal */
static bool set_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (end == v || *end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* set_http - the HTTP API settings of [serve] */
static mw_status set_http(serve_config *c, const char *name, const char *v, mw_err *err)
{
	static const struct {
		const char *name;
		size_t off, size;
	} paths[] = {
		{"http_token_file", offsetof(serve_config, http_token_file), SERVE_PATH_MAX},
		{"http_password_file", offsetof(serve_config, http_password_file), SERVE_PATH_MAX},
		{"http_tls_cert", offsetof(serve_config, http_tls_cert), SERVE_PATH_MAX},
		{"http_tls_key", offsetof(serve_config, http_tls_key), SERVE_PATH_MAX},
		{"dmarc_db", offsetof(serve_config, dmarc_db), SERVE_PATH_MAX},
		{"audit_dir", offsetof(serve_config, audit_dir), SERVE_PATH_MAX},
		{"http_user", offsetof(serve_config, http_user), 128},
		{"http_token", offsetof(serve_config, http_token), MW_API_SECRET_MAX + 1},
	};
	long n;
	if (strcmp(name, "history_keys") == 0) {
		if (!set_int(v, 1, 100000, &n))
			return mw_err_set(err, MW_EINVAL, "history_keys '%s': want 1..100000", v);
		c->history_keys = (size_t)n;
		return MW_OK;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (strcmp(name, paths[i].name) != 0)
			continue;
		if (strlen(v) >= paths[i].size) /* never echo a secret in the message */
			return mw_err_set(err, MW_ETOOBIG, "[serve] %s: longer than %zu bytes", name,
					  paths[i].size - 1);
		mw_strlcpy((char *)c + paths[i].off, v, paths[i].size);
		return MW_OK;
	}
	return mw_err_set(err, MW_EINVAL, "[serve] %s: unknown setting", name);
}

/* set_serve - one [serve] setting */
static mw_status set_serve(serve_config *c, const char *name, const char *v, mw_err *err)
{
	long n;
	int a;
	if (strcmp(name, "listen") == 0) {
		if (c->nlisten == SERVE_LISTEN_MAX)
			return mw_err_set(err, MW_ETOOBIG, "more than %d listen lines", SERVE_LISTEN_MAX);
		mw_strlcpy(c->listen[c->nlisten++], v, SERVE_PATH_MAX);
	} else if (strcmp(name, "control") == 0)
		mw_strlcpy(c->control, strcmp(v, "off") == 0 ? "" : v, sizeof(c->control));
	else if (strcmp(name, "metrics") == 0 || strcmp(name, "http") == 0)
		mw_strlcpy(c->metrics, strcmp(v, "off") == 0 ? "" : v, sizeof(c->metrics));
	else if (strncmp(name, "http_", 5) == 0 || strcmp(name, "dmarc_db") == 0 ||
		 strcmp(name, "audit_dir") == 0 || strcmp(name, "history_keys") == 0)
		return set_http(c, name, v, err);
	else if (strcmp(name, "user") == 0)
		mw_strlcpy(c->user, v, sizeof(c->user));
	else if (strcmp(name, "store") == 0)
		mw_strlcpy(c->store, v, sizeof(c->store));
	else if (strcmp(name, "store_timeout_ms") == 0 && set_int(v, 1, 10000, &n))
		c->store_timeout_ms = (int)n;
	else if (strcmp(name, "fail_open") == 0 && (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0))
		c->fail_open = strcmp(v, "yes") == 0;
	else if (strcmp(name, "default_action") == 0 && (a = mw_policy_action_parse(v)) >= 0)
		c->default_action = (mw_policy_action)a;
	else if (strcmp(name, "events_db") == 0)
		mw_strlcpy(c->events_db, strcmp(v, "off") == 0 ? "" : v, sizeof(c->events_db));
	else if (strcmp(name, "event_retention") == 0) {
		if (!mw_rl_parse_duration(v, &c->retention_ms))
			return mw_err_set(err, MW_EINVAL, "event_retention '%s': want e.g. 180d", v);
	} else if (strcmp(name, "log") == 0 && (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0))
		c->log_syslog = strcmp(v, "syslog") == 0;
	else if (strcmp(name, "webhook") == 0)
		mw_strlcpy(c->webhook, v, sizeof(c->webhook));
	else if (strcmp(name, "alert_command") == 0) {
		if (v[0] && v[0] != '/')
			return mw_err_set(err, MW_EINVAL, "alert_command must start with an absolute path");
		mw_strlcpy(c->alert_command, v, sizeof(c->alert_command));
	} else if (strcmp(name, "alert_timeout_ms") == 0 && set_int(v, 100, 600000, &n))
		c->alert_timeout_ms = (int)n;
	else if (strcmp(name, "max_connections") == 0 && set_int(v, 1, 1000000, &n))
		c->max_connections = (size_t)n;
	else if (strcmp(name, "idle_timeout") == 0 && set_int(v, 1, 86400, &n))
		c->idle_timeout_s = (int)n;
	else if (strcmp(name, "request_timeout") == 0 && set_int(v, 1, 3600, &n))
		c->request_timeout_s = (int)n;
	else if (strcmp(name, "milter") == 0)
		mw_strlcpy(c->milter, v, sizeof(c->milter)); /* "off" beats a [milter] socket */
	else if (strcmp(name, "max_keys") == 0 && set_int(v, 1000, 100000000, &n))
		c->max_keys = (size_t)n;
	else
		return mw_err_set(err, MW_EINVAL, "[serve] %s = '%s': unknown setting or bad value",
				  name, v);
	return MW_OK;
}

/* handler - inih callback: one name = value */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	load_ctx *x = user;
	if (x->failed)
		return 0;
	mw_status st;
	if (strcmp(section, "serve") == 0) {
		st = set_serve(x->c, name, value, x->err);
	} else if (strncmp(section, "rule ", 5) == 0) {
		if (strcmp(section, x->section) != 0) {
			mw_strlcpy(x->section, section, sizeof(x->section));
			x->rule = mw_rl_rule_add(x->c->rules, section + 5, x->err);
			if (!x->rule) {
				x->failed = true;
				return 0;
			}
		}
		st = mw_rl_rule_set(x->rule, name, value, x->err);
	} else if (strcmp(section, "milter") == 0) {
		st = MW_OK; /* read by daemon/milter_config.c (serve_run, `mailwarden milter`) */
	} else if (strcmp(section, "logwatch") == 0) {
		st = serve_logwatch_set(&x->c->logwatch, name, value, x->err);
	} else {
		st = mw_err_set(x->err, MW_EINVAL, "unknown section [%s]", section);
	}
	if (st != MW_OK)
		x->failed = true;
	return st == MW_OK;
}

/* serve_config_load - build and check a whole configuration */
serve_config *serve_config_load(const char *path, const serve_overrides *ov, mw_err *err)
{
	serve_config *c = calloc(1, sizeof(*c));
	if (!c || !(c->rules = mw_rl_config_new())) {
		free(c);
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	defaults(c);
	load_ctx x = {.c = c, .err = err};
	if (path) {
		int line = ini_parse(path, handler, &x);
		if (line < 0) {
			mw_err_set(err, MW_EIO, "%s: cannot read", path);
			goto fail;
		}
		if (line > 0 || x.failed) {
			char msg[MW_ERR_MSG_MAX];
			mw_strlcpy(msg, x.failed ? err->msg : "syntax error", sizeof(msg));
			mw_err_set(err, MW_EINVAL, "%s:%d: %s", path, line, msg);
			goto fail;
		}
	}
	for (size_t i = 0; ov && i < ov->n; i++)
		if (strcmp(ov->name[i], "listen") == 0)
			c->nlisten = 0; /* command-line listen addresses replace the file's */
	for (size_t i = 0; ov && i < ov->n; i++)
		if (set_serve(c, ov->name[i], ov->value[i], err) != MW_OK)
			goto fail;
	if (c->nlisten == 0)
		c->nlisten = 1;
	if (c->rules->nrules == 0 && mw_rl_config_defaults(c->rules, err) != MW_OK)
		goto fail;
	if (mw_rl_config_check(c->rules, err) != MW_OK) {
		char msg[MW_ERR_MSG_MAX];
		mw_strlcpy(msg, err->msg, sizeof(msg));
		mw_err_set(err, MW_EINVAL, "%s: %s", path ? path : "defaults", msg);
		goto fail;
	}
	return c;
fail:
	serve_config_free(c);
	return NULL;
}

/* serve_config_free - config and rules */
void serve_config_free(serve_config *c)
{
	if (!c)
		return;
	mw_rl_config_free(c->rules);
	free(c);
}
