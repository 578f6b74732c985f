/*
 * cli/serve_client.h - what the serve-related commands (release, status,
 * events) share: finding the daemon's control socket and event history from
 * -c FILE / --control / --db, and one request over the control socket.
 */
#ifndef MW_CLI_SERVE_CLIENT_H
#define MW_CLI_SERVE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* serve_client_paths - from an optional config file; NULL = not wanted.
 * Returns 0, or 2 after printing why the config could not be read. */
int serve_client_paths(const char *cmd, const char *config, char *control, size_t clen,
		       char *events_db, size_t elen);
typedef struct serve_client_opts {
	char control[512]; /* the control socket, from --control or -c FILE */
	bool json;
	int first_arg;     /* index of the first operand in argv */
} serve_client_opts;

/* serve_client_parse - the options release and status share: -c FILE,
 * --control unix:PATH, --json, --help (prints help).  Returns -1 when the
 * command goes on with o filled in, else the exit status to return. */
int serve_client_parse(const char *cmd, const char *help, int argc, char **argv,
		       serve_client_opts *o);
/* serve_client_ask - send one line to unix:PATH, read the answer line into
 * out; 0 on success, 3 (printed) when the daemon cannot be reached */
int serve_client_ask(const char *cmd, const char *control, const char *line, char *out, size_t n);

#endif
