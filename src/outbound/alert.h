/*
 * outbound/alert.h - deliver an event's JSON to a command or a webhook,
 * without blocking the caller.
 *
 * DESCRIPTION
 *   Both functions fork a child and return its pid at once; the caller
 *   reaps it (waitpid, or libev's ev_child) and may log its exit status.
 *     mw_alert_command  execve(argv[0], argv) - never a shell - with the
 *                       JSON and a newline on standard input, standard output and error
 *                       to /dev/null; killed by SIGALRM after timeout_ms.
 *     mw_alert_webhook  HTTP(S) POST of the JSON (Content-Type:
 *                       application/json) with libcurl in the child,
 *                       total time bounded by timeout_ms; exit status 0 on a
 *                       2xx answer, 1 otherwise.
 *   The JSON is cut at MW_ALERT_JSON_MAX (an event is ~1-3 KB), so writing
 *   it into the pipe never blocks.
 *
 * SECURITY
 *   The command path and arguments come from the administrator's
 *   configuration only; message data reaches the child solely as JSON on
 *   standard input, never as arguments or through a shell.
 */
#ifndef MW_OUTBOUND_ALERT_H
#define MW_OUTBOUND_ALERT_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

#define MW_ALERT_JSON_MAX 16384 /* < the 64 KiB Linux pipe buffer: the write never blocks */
#define MW_ALERT_ARGS_MAX 32    /* words in a configured command */

/* mw_alert_command - run argv with json on stdin; pid or -1 with err set */
pid_t mw_alert_command(char *const argv[], const char *json, long timeout_ms, mw_err *err);
/* mw_alert_webhook - POST json to url from a child; pid or -1 with err set */
pid_t mw_alert_webhook(const char *url, const char *json, long timeout_ms, mw_err *err);
/* mw_alert_split - split a command line on blanks (no quoting, no shell) into
 * argv (NULL-terminated, pointing into buf, which is modified); returns the
 * word count, or -1 if more than MW_ALERT_ARGS_MAX words or none */
int mw_alert_split(char *buf, char *argv[MW_ALERT_ARGS_MAX + 1]);

#endif
