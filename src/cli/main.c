/*
 * cli/main.c - the mailwarden program: git-style subcommand dispatch.
 *
 * Every subcommand accepts --help, prints human output by default and JSON
 * with --json; exit codes are in cli.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

/* The table, grouped as the product is: diagnose, audit and report, defend. */
static const cli_command commands[] = {
	/* diagnose */
	{"analyze", cmd_analyze, "who really sent this message? hop table, auth recomputed, verdict"},
	{"spf", cmd_spf, "SPF check_host() with a trace of every lookup (RFC 7208)"},
	{"dkim", cmd_dkim, "DKIM: verify signatures, sign, generate keys (RFC 6376, 8301, 8463)"},
	{"dmarc", cmd_dmarc, "SPF + DKIM + DMARC (RFC 9989) for a message, with the A-R header"},
	{"arc", cmd_arc, "ARC chain validation and sealing (RFC 8617)"},
	{"dns", cmd_dns, "one DNS query through mailwarden's resolver (a tiny dig)"},
	{"bounce", cmd_bounce, "parse bounces: recipients, RFC 3463 status, reason, backscatter verdict"},
	/* audit and report */
	{"audit", cmd_audit, "a domain's and a mail server's posture: SPF, DMARC, DKIM, rDNS, DNSBL, SMTP"},
	{"dmarc-report", cmd_dmarc_report, "read DMARC aggregate reports: who sends as you, aligned or not, advice"},
	{"logscan", cmd_logscan, "abuse report from Postfix/Sendmail logs (plain or .gz)"},
	{"logwatch", cmd_logwatch, "follow mail logs (tail -F) and print findings as they arise"},
	{"netwatch", cmd_netwatch, "which process talks to port 25 (sock_diag, /proc, NFLOG)"},
	/* defend */
	{"serve", cmd_serve, "Postfix policy service: rate limits, hold and alert"},
	{"milter", cmd_milter, "milter: DKIM-sign + BATV outbound; SPF/DKIM/ARC/DMARC + A-R inbound"},
	{"scan", cmd_scan, "score a message with content rules (phishing shapes): what matched and why"},
	{"batv", cmd_batv, "BATV prvs tags: sign an envelope sender, verify a bounce recipient"},
	{"firewall", cmd_firewall, "nft/iptables rules: only the MTA users may connect to port 25"},
	{"status", cmd_status, "state of the running serve daemon"},
	{"release", cmd_release, "clear a key's rate counters in the running serve daemon"},
	{"events", cmd_events, "stored events (rate thresholds, log findings) from the history"},
};

/* usage - the top-level help */
static void usage(FILE *out)
{
	fprintf(out, "usage: mailwarden COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'mailwarden COMMAND --help' for a command's options.\n");
}

/* cli_usage_error - report a usage error */
int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mailwarden %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'mailwarden %s --help')\n", cmd);
	return CLI_EXIT_USAGE;
}

/* cli_parse_day - see cli.h */
int64_t cli_parse_day(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (end && !*end)
		return (int64_t)timegm(&tm);
	char *e;
	long long v = strtoll(s, &e, 10);
	return (e != s && !*e && v >= 0) ? v : -1;
}

/* cli_read_file - slurp a file or stdin with a size cap */
char *cli_read_file(const char *path, size_t max, size_t *len_out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "mailwarden: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (len == cap) {
			if (cap >= max) {
				fprintf(stderr, "mailwarden: %s: larger than %zu bytes\n", path, max);
				free(buf);
				buf = NULL;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				fprintf(stderr, "mailwarden: %s: read error\n", path);
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[len] = '\0';
		if (len_out)
			*len_out = len;
	}
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 && argc >= 3) {
		/* mailwarden help COMMAND = mailwarden COMMAND --help */
		char *hargv[] = {argv[2], "--help", NULL};
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[2], commands[i].name) == 0)
				return commands[i].run(2, hargv);
		fprintf(stderr, "mailwarden: unknown command '%s'\n", argv[2]);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailwarden 0.1.0\n");
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mailwarden: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
