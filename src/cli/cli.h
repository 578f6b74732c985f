/*
 * cli/cli.h - shared pieces of the mailwarden command-line program.
 *
 * DESCRIPTION
 *   Each subcommand lives in its own cli/cmd_<name>.c with one entry point
 *   int cmd_<name>(int argc, char **argv) (argv[0] is the subcommand name)
 *   and is listed in the table in cli/main.c.  Exit codes are common to all:
 */
#ifndef MW_CLI_CLI_H
#define MW_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

enum {
	CLI_EXIT_OK = 0,      /* ok / pass / none / neutral */
	CLI_EXIT_FINDING = 1, /* a finding: fail, softfail, breach ... */
	CLI_EXIT_USAGE = 2,   /* usage or input error */
	CLI_EXIT_ERROR = 3,   /* temperror / permerror / environment trouble */
};

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_command;

/* cli_die_usage - print "mailwarden NAME: msg" and a --help hint; returns CLI_EXIT_USAGE */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_read_file - whole file ("-" = stdin) into a malloc'd buffer, at most max bytes.
 * Returns NULL and prints the reason on failure. */
char *cli_read_file(const char *path, size_t max, size_t *len_out);

/* cli_parse_day - YYYY-MM-DD (UTC midnight) or Unix seconds; -1 if invalid */
int64_t cli_parse_day(const char *s);

/* subcommands */
int cmd_spf(int argc, char **argv);
int cmd_dkim(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_arc(int argc, char **argv);
int cmd_logscan(int argc, char **argv);
int cmd_logwatch(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_bounce(int argc, char **argv);
int cmd_dmarc_report(int argc, char **argv);
int cmd_dmarc_generate(int argc, char **argv); /* `dmarc-report generate` */
int cmd_dns(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_netwatch(int argc, char **argv);
int cmd_firewall(int argc, char **argv);
int cmd_batv(int argc, char **argv);
int cmd_milter(int argc, char **argv);
int cmd_scan(int argc, char **argv);

#endif
