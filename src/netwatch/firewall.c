/*
 * netwatch/firewall.c - nft / iptables rule text for the outbound SMTP policy.
 */
#include "netwatch/firewall.h"

#include <string.h>

#include "core/str.h"

void mw_fw_opts_default(mw_fw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = MW_FW_NFT;
	o->ports.port[0] = 25;
	o->ports.n = 1;
	o->nflog_group = MW_NW_NFLOG_GROUP_DEF;
}

bool mw_fw_user_ok(const char *user)
{
	size_t n = strlen(user);
	if (n == 0 || n > 32 || user[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = user[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

mw_status mw_fw_add_user(mw_fw_opts *o, const char *user, mw_err *err)
{
	if (!mw_fw_user_ok(user))
		return mw_err_set(err, MW_EINVAL, "'%.40s' is not a user name or uid", user);
	if (o->n_users >= MW_NW_MTA_NAMES_MAX)
		return mw_err_set(err, MW_ETOOBIG, "more than %d MTA users", MW_NW_MTA_NAMES_MAX);
	for (size_t i = 0; i < o->n_users; i++)
		if (strcmp(o->users[i], user) == 0)
			return MW_OK;
	mw_strlcpy(o->users[o->n_users++], user, sizeof(o->users[0]));
	return MW_OK;
}

/* ports_list - "25" or "25, 465" (nft) / "25,465" (iptables) */
static void ports_list(mw_buf *b, const mw_nw_ports *p, const char *sep)
{
	for (size_t i = 0; i < p->n; i++)
		mw_buf_printf(b, "%s%u", i ? sep : "", p->port[i]);
}

/* users_list - "postfix, Debian-exim" for comments */
static void users_list(mw_buf *b, const mw_fw_opts *o)
{
	for (size_t i = 0; i < o->n_users; i++)
		mw_buf_printf(b, "%s%s", i ? ", " : "", o->users[i]);
	if (o->n_users == 0)
		mw_buf_puts(b, "(none)");
}

/* render_nft - one inet table, base chain + policy chain */
static void render_nft(const mw_fw_opts *o, mw_buf *b)
{
	mw_buf_puts(b, "#!/usr/sbin/nft -f\n# mailwarden firewall: new outbound TCP connections to port(s) ");
	ports_list(b, &o->ports, ", ");
	mw_buf_puts(b, "\n# only from the MTA user(s) ");
	users_list(b, o);
	mw_buf_printf(b, "; others are logged to NFLOG group %u%s.\n", o->nflog_group,
		      o->log_only ? " (log only, not blocked)" : " and rejected");
	mw_buf_puts(b, "# Load: nft -f FILE (again to replace).  Remove: nft delete table inet " MW_FW_TABLE "\n");
	mw_buf_puts(b, "table inet " MW_FW_TABLE "\ndelete table inet " MW_FW_TABLE "\n");
	mw_buf_puts(b, "table inet " MW_FW_TABLE " {\n\tchain output {\n"
		       "\t\ttype filter hook output priority filter; policy accept;\n\t\ttcp dport ");
	if (o->ports.n > 1) {
		mw_buf_puts(b, "{ ");
		ports_list(b, &o->ports, ", ");
		mw_buf_puts(b, " }");
	} else {
		ports_list(b, &o->ports, "");
	}
	mw_buf_puts(b, " tcp flags & (syn | ack) == syn jump smtp_out comment \"new outbound SMTP connection\"\n\t}\n\n\tchain smtp_out {\n");
	if (!o->block_loopback)
		mw_buf_puts(b, "\t\toifname \"lo\" return comment \"local submission to this host's MTA\"\n");
	for (size_t i = 0; i < o->n_users; i++)
		mw_buf_printf(b, "\t\tmeta skuid %s return comment \"MTA user %s delivers mail\"\n",
			      o->users[i], o->users[i]);
	mw_buf_printf(b, "\t\tlog prefix \"" MW_FW_LOG_PREFIX "\" group %u comment \"not the MTA: direct-to-MX attempt\"\n",
		      o->nflog_group);
	if (!o->log_only)
		mw_buf_puts(b, "\t\treject with tcp reset comment \"only the MTA may connect to port 25\"\n");
	mw_buf_puts(b, "\t}\n}\n");
}

/* render_ipt - iptables-restore text for one family */
static void render_ipt(const mw_fw_opts *o, mw_buf *b)
{
	bool v6 = o->format == MW_FW_IP6TABLES;
	const char *prog = v6 ? "ip6tables" : "iptables";
	mw_buf_printf(b, "# mailwarden firewall (IPv%d): new outbound TCP connections to port(s) ",
		      v6 ? 6 : 4);
	ports_list(b, &o->ports, ",");
	mw_buf_puts(b, "\n# only from the MTA user(s) ");
	users_list(b, o);
	mw_buf_printf(b, "; others are logged to NFLOG group %u%s.\n", o->nflog_group,
		      o->log_only ? " (log only, not blocked)" : " and rejected");
	mw_buf_printf(b, "# Load once: %s-restore --noflush FILE.  The %s twin: --format %s.\n", prog,
		      v6 ? "IPv4" : "IPv6", v6 ? "iptables" : "ip6tables");
	mw_buf_puts(b, "*filter\n:" MW_FW_CHAIN_IPT " - [0:0]\n-A OUTPUT -p tcp -m multiport --dports ");
	ports_list(b, &o->ports, ",");
	mw_buf_puts(b, " --syn -m comment --comment \"new outbound SMTP connection\" -j " MW_FW_CHAIN_IPT "\n");
	if (!o->block_loopback)
		mw_buf_puts(b, "-A " MW_FW_CHAIN_IPT " -o lo -m comment --comment \"local submission to this host's MTA\" -j RETURN\n");
	for (size_t i = 0; i < o->n_users; i++)
		mw_buf_printf(b, "-A " MW_FW_CHAIN_IPT " -m owner --uid-owner %s -m comment --comment \"MTA user %s delivers mail\" -j RETURN\n",
			      o->users[i], o->users[i]);
	mw_buf_printf(b, "-A " MW_FW_CHAIN_IPT " -m comment --comment \"not the MTA: direct-to-MX attempt\" -j NFLOG --nflog-group %u --nflog-prefix \"" MW_FW_LOG_PREFIX "\"\n",
		      o->nflog_group);
	if (!o->log_only)
		mw_buf_puts(b, "-A " MW_FW_CHAIN_IPT " -p tcp -m comment --comment \"only the MTA may connect to port 25\" -j REJECT --reject-with tcp-reset\n");
	mw_buf_puts(b, "COMMIT\n");
}

mw_status mw_fw_render(const mw_fw_opts *o, mw_buf *out, mw_err *err)
{
	if (o->ports.n == 0 || o->ports.n > MW_NW_PORTS_MAX)
		return mw_err_set(err, MW_EINVAL, "no ports to police");
	for (size_t i = 0; i < o->n_users; i++)
		if (!mw_fw_user_ok(o->users[i]))
			return mw_err_set(err, MW_EINVAL, "bad user name '%.40s'", o->users[i]);
	/* Render into a scratch buffer whose storage is reserved up front: the
	 * longest text (MW_NW_MTA_NAMES_MAX users) is under 16 KiB, so no
	 * append below can fail half-way and leave a rule out silently. */
	enum { RESERVE = 64 * 1024 };
	static const char zeros[RESERVE];
	mw_buf tmp;
	mw_buf_init(&tmp, RESERVE - 1);
	if (mw_buf_append(&tmp, zeros, RESERVE - 1) != MW_OK)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	mw_buf_reset(&tmp);
	if (o->format == MW_FW_NFT)
		render_nft(o, &tmp);
	else if (o->format == MW_FW_IPTABLES || o->format == MW_FW_IP6TABLES)
		render_ipt(o, &tmp);
	else {
		mw_buf_free(&tmp);
		return mw_err_set(err, MW_EINVAL, "unknown rule format");
	}
	mw_status st = mw_buf_append(out, tmp.data, tmp.len);
	mw_buf_free(&tmp);
	if (st != MW_OK)
		return mw_err_set(err, st, "rule text does not fit the output buffer");
	return MW_OK;
}

mw_status mw_fw_render_watch(const mw_nw_ports *ports, uint16_t group, mw_buf *out, mw_err *err)
{
	if (ports->n == 0 || ports->n > MW_NW_PORTS_MAX)
		return mw_err_set(err, MW_EINVAL, "no ports to watch");
	mw_status st = mw_buf_puts(out, "table inet " MW_FW_WATCH_TABLE "\ndelete table inet " MW_FW_WATCH_TABLE
				   "\ntable inet " MW_FW_WATCH_TABLE " {\n\tchain output {\n"
				   "\t\ttype filter hook output priority filter - 10; policy accept;\n"
				   "\t\ttcp dport { ");
	for (size_t i = 0; st == MW_OK && i < ports->n; i++)
		st = mw_buf_printf(out, "%s%u", i ? ", " : "", ports->port[i]);
	if (st == MW_OK)
		st = mw_buf_printf(out, " } tcp flags & (syn | ack) == syn log prefix \"mailwarden-watch \" "
				   "group %u comment \"mailwarden netwatch --watch --nflog\"\n\t}\n}\n",
				   group);
	if (st != MW_OK)
		return mw_err_set(err, st, "watch rule text does not fit the buffer");
	return MW_OK;
}
