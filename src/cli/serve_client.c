/*
 * cli/serve_client.c - control-socket client and path discovery (see
 * serve_client.h).
 */
#include "cli/serve_client.h"

#include <getopt.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/str.h"
#include "daemon/config.h"

/* serve_client_paths - control socket and event db of a configuration */
int serve_client_paths(const char *cmd, const char *config, char *control, size_t clen,
		       char *events_db, size_t elen)
{
	mw_err err;
	serve_config *c = serve_config_load(config, NULL, &err);
	if (!c) {
		fprintf(stderr, "mailwarden %s: %s\n", cmd, err.msg);
		return CLI_EXIT_USAGE;
	}
	if (control)
		mw_strlcpy(control, c->control, clen);
	if (events_db)
		mw_strlcpy(events_db, c->events_db, elen);
	serve_config_free(c);
	return 0;
}

/* serve_client_ask - one line out, one line back (5 s at most) */
int serve_client_ask(const char *cmd, const char *control, const char *line, char *out, size_t n)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strncmp(control, "unix:", 5) != 0 ||
	    mw_strlcpy(sun.sun_path, control + 5, sizeof(sun.sun_path)) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "mailwarden %s: control socket '%s' is not unix:PATH\n", cmd, control);
		return CLI_EXIT_USAGE;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "mailwarden %s: cannot reach the daemon at %s: %s\n", cmd,
			control + 5, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CLI_EXIT_ERROR;
	}
	size_t len = strlen(line);
	size_t got = 0;
	bool ok = write(fd, line, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	while (ok && got + 1 < n) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) != 1) {
			ok = false;
			break;
		}
		ssize_t r = read(fd, out + got, n - 1 - got);
		if (r <= 0) {
			ok = r == 0 && got > 0;
			break;
		}
		got += (size_t)r;
		if (memchr(out, '\n', got))
			break;
	}
	close(fd);
	out[got] = '\0';
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	if (!ok || !nl) {
		fprintf(stderr, "mailwarden %s: no answer from the daemon\n", cmd);
		return CLI_EXIT_ERROR;
	}
	return 0;
}

/* serve_client_parse - shared options of release and status */
int serve_client_parse(const char *cmd, const char *help, int argc, char **argv,
		       serve_client_opts *o)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"control", required_argument, NULL, 'C'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL, *control = NULL;
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'C': control = optarg; break;
		case 'j': o->json = true; break;
		case 'h': fputs(help, stdout); return CLI_EXIT_OK;
		default: return cli_usage_error(cmd, "unknown option");
		}
	}
	o->first_arg = optind;
	if (control)
		mw_strlcpy(o->control, control, sizeof(o->control));
	else if (serve_client_paths(cmd, config, o->control, sizeof(o->control), NULL, 0))
		return CLI_EXIT_USAGE;
	return -1;
}
