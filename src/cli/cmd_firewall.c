/*
 * cli/cmd_firewall.c - `mailwarden firewall`: print, apply or remove the
 * rules that keep everyone but the MTA users off outbound port 25.
 *
 * SECURITY
 *   Printing needs no privilege.  --apply / --remove change the nftables
 *   ruleset (root), touching only table inet mailwarden.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "netwatch/firewall.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailwarden firewall [options]\n\n"
		"Print firewall rules that reject (or only log) new outbound TCP connections\n"
		"to port 25 from every user but the MTA's, for IPv4 and IPv6.\n\n"
		"  --mta-user NAME     user allowed to connect (repeatable; default postfix)\n"
		"  --format FMT        nft (default), iptables (IPv4) or ip6tables (IPv6)\n"
		"  --ports LIST        remote ports to police (default 25)\n"
		"  --log-only          log to NFLOG, do not reject\n"
		"  --block-loopback    police connections over lo too (default: allowed,\n"
		"                      so local applications can submit to the local MTA)\n"
		"  --nflog-group N     NFLOG group of the log rule (default %d)\n"
		"  --apply             load the nft rules into table inet mailwarden (root;\n"
		"                      running it again replaces them)\n"
		"  --remove            delete table inet mailwarden\n"
		"  --json              {\"format\":..., \"rules\": TEXT, \"applied\": bool}\n\n"
		"Exit: 0 ok, 2 usage, 3 could not apply/remove.\n",
		MW_NW_NFLOG_GROUP_DEF);
}

typedef struct fw_cli {
	mw_fw_opts fw;
	bool json, apply, remove, ports_set;
} fw_cli;

/* parse_args - returns -1 to go on, else an exit code */
static int parse_args(int argc, char **argv, fw_cli *c)
{
	mw_err err = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--log-only")) {
			c->fw.log_only = true;
		} else if (!strcmp(a, "--block-loopback")) {
			c->fw.block_loopback = true;
		} else if (!strcmp(a, "--apply")) {
			c->apply = true;
		} else if (!strcmp(a, "--remove")) {
			c->remove = true;
		} else if (v == NULL && (!strcmp(a, "--mta-user") || !strcmp(a, "--format") ||
					 !strcmp(a, "--ports") || !strcmp(a, "--nflog-group"))) {
			return cli_usage_error("firewall", "%s needs a value", a);
		} else if (!strcmp(a, "--mta-user")) {
			if (mw_fw_add_user(&c->fw, v, &err) != MW_OK)
				return cli_usage_error("firewall", "%s", err.msg);
			i++;
		} else if (!strcmp(a, "--format")) {
			if (!strcmp(v, "nft"))
				c->fw.format = MW_FW_NFT;
			else if (!strcmp(v, "iptables"))
				c->fw.format = MW_FW_IPTABLES;
			else if (!strcmp(v, "ip6tables"))
				c->fw.format = MW_FW_IP6TABLES;
			else
				return cli_usage_error("firewall", "unknown format '%s'", v);
			i++;
		} else if (!strcmp(a, "--ports")) {
			if (!mw_nw_ports_parse(v, &c->fw.ports, &err))
				return cli_usage_error("firewall", "%s", err.msg);
			i++;
		} else if (!strcmp(a, "--nflog-group")) {
			char *end;
			long g = strtol(v, &end, 10);
			if (*v == '\0' || *end || g < 0 || g > 65535)
				return cli_usage_error("firewall", "bad --nflog-group '%s'", v);
			c->fw.nflog_group = (uint16_t)g;
			i++;
		} else {
			return cli_usage_error("firewall", "unknown option '%s'", a);
		}
	}
	if (c->apply && c->remove)
		return cli_usage_error("firewall", "--apply and --remove exclude each other");
	if (c->apply && c->fw.format != MW_FW_NFT)
		return cli_usage_error("firewall", "--apply loads nft rules; drop --format %s",
				       c->fw.format == MW_FW_IPTABLES ? "iptables" : "ip6tables");
	return -1;
}

/* emit - print the text (or JSON) of the rules */
static void emit(const fw_cli *c, const char *rules, bool applied)
{
	static const char *const names[] = {"nft", "iptables", "ip6tables"};
	if (!c->json) {
		fputs(rules, stdout);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string(names[c->fw.format]));
	json_object_set_new(o, "rules", json_string(rules));
	json_object_set_new(o, "applied", json_boolean(applied));
	json_dumpf(o, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(o);
}

int cmd_firewall(int argc, char **argv)
{
	fw_cli c = {0};
	mw_fw_opts_default(&c.fw);
	int rc = parse_args(argc, argv, &c);
	if (rc >= 0)
		return rc;
	mw_err err = {0};
	if (c.fw.n_users == 0)
		mw_fw_add_user(&c.fw, "postfix", NULL);
	if (c.remove) {
		if (mw_fw_remove(&err) != MW_OK) {
			fprintf(stderr, "mailwarden firewall: %s\n", err.msg);
			return CLI_EXIT_ERROR;
		}
		if (c.json)
			printf("{\"removed\": true}\n");
		else
			fprintf(stderr, "mailwarden firewall: table inet %s removed\n", MW_FW_TABLE);
		return CLI_EXIT_OK;
	}
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	if (mw_fw_render(&c.fw, &b, &err) != MW_OK) {
		fprintf(stderr, "mailwarden firewall: %s\n", err.msg);
		mw_buf_free(&b);
		return CLI_EXIT_USAGE;
	}
	if (c.apply && mw_fw_apply(&c.fw, &err) != MW_OK) {
		fprintf(stderr, "mailwarden firewall: --apply: %s\n", err.msg);
		mw_buf_free(&b);
		return CLI_EXIT_ERROR;
	}
	emit(&c, mw_buf_cstr(&b), c.apply);
	if (c.apply && !c.json)
		fprintf(stderr, "mailwarden firewall: rules loaded into table inet %s\n",
			MW_FW_TABLE);
	mw_buf_free(&b);
	return CLI_EXIT_OK;
}
