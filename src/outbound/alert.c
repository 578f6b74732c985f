/*
 * outbound/alert.c - alert delivery by child processes (see alert.h).
 */
#include "outbound/alert.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* mw_alert_split - blank-separated words */
int mw_alert_split(char *buf, char *argv[MW_ALERT_ARGS_MAX + 1])
{
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == MW_ALERT_ARGS_MAX)
			return -1;
		argv[n++] = w;
	}
	argv[n] = NULL;
	return n ? n : -1;
}

/* child_stdio - stdin from fd (or /dev/null), stdout/stderr to /dev/null */
static void child_stdio(int in)
{
	int null = open("/dev/null", O_RDWR);
	dup2(in >= 0 ? in : null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (in > 2)
		close(in);
	if (null > 2)
		close(null);
}

/* mw_alert_command - fork, execve, feed the JSON */
pid_t mw_alert_command(char *const argv[], const char *json, long timeout_ms, mw_err *err)
{
	int p[2];
	if (!argv || !argv[0] || argv[0][0] != '/')
		return mw_err_set(err, MW_EINVAL, "alert command must be an absolute path"), -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return mw_err_set(err, MW_EIO, "pipe: %s", strerror(errno)), -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return mw_err_set(err, MW_EIO, "fork: %s", strerror(errno)), -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		child_stdio(p[0]);
		alarm((unsigned)((timeout_ms + 999) / 1000));
		extern char **environ;
		execve(argv[0], argv, environ);
		_exit(127);
	}
	close(p[0]);
	size_t len = strnlen(json, MW_ALERT_JSON_MAX);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	ssize_t w = write(p[1], json, len);
	if (w == (ssize_t)len)
		w = write(p[1], "\n", 1); /* one JSON object per line */
	(void)w; /* a child that exits early just misses its input */
	close(p[1]);
	return pid;
}

/* post - the child's work: one POST, exit status 0 on 2xx */
static int post(const char *url, const char *json, long timeout_ms)
{
	CURL *c = curl_easy_init();
	if (!c)
		return 1;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mailwarden/0.1");
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK && code >= 200 && code < 300 ? 0 : 1;
}

/* mw_alert_webhook - fork a child that POSTs */
pid_t mw_alert_webhook(const char *url, const char *json, long timeout_ms, mw_err *err)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return mw_err_set(err, MW_EINVAL, "webhook must be an http:// or https:// URL"), -1;
	pid_t pid = fork();
	if (pid < 0)
		return mw_err_set(err, MW_EIO, "fork: %s", strerror(errno)), -1;
	if (pid == 0) {
		child_stdio(-1);
		alarm((unsigned)((timeout_ms + 1999) / 1000));
		_exit(post(url, json, timeout_ms));
	}
	return pid;
}
