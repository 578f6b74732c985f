/*
 * netwatch/firewall.h - rules that keep everyone but the MTA off port 25.
 *
 * DESCRIPTION
 *   Renders, for nftables or iptables/ip6tables, an egress policy: new
 *   outbound TCP connections (the initial SYN) to the given remote ports
 *   are returned early for the loopback interface (local submission) and
 *   for the MTA users (nft `meta skuid`, iptables `-m owner --uid-owner`),
 *   then logged to NFLOG group G (what `netwatch --watch --nflog` reads),
 *   then rejected with a TCP reset, unless log_only.  Every rule carries a
 *   comment saying why it is there.
 *
 *   nft: one dedicated table `inet mailwarden` (IPv4 and IPv6 together);
 *   the text starts by creating and deleting that table, so loading it
 *   again replaces the old rules atomically (idempotent), and nothing
 *   outside the table is touched.  iptables: a dedicated chain
 *   MAILWARDEN-SMTP for iptables-restore --noflush, one text per family.
 *
 *   mw_fw_apply / mw_fw_remove run the nft text through libnftables
 *   (MW_HAVE_NFTABLES); without it they fail with a clear message.
 *
 * LIMITS
 *   User names: [A-Za-z0-9_.-], at most 32 bytes (useradd's limit), or a
 *   numeric uid; nothing else reaches the rule text.  MW_NW_MTA_NAMES_MAX
 *   users, MW_NW_PORTS_MAX ports.
 *
 * OWNERSHIP
 *   mw_fw_render appends to a caller-owned mw_buf.
 */
#ifndef MW_NETWATCH_FIREWALL_H
#define MW_NETWATCH_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "netwatch/inetdiag.h"

typedef enum mw_fw_format {
	MW_FW_NFT = 0,
	MW_FW_IPTABLES,  /* IPv4, iptables-restore --noflush */
	MW_FW_IP6TABLES, /* IPv6, ip6tables-restore --noflush */
} mw_fw_format;

#define MW_FW_TABLE "mailwarden"
#define MW_FW_WATCH_TABLE "mailwarden_watch"
#define MW_FW_CHAIN_IPT "MAILWARDEN-SMTP"
#define MW_FW_LOG_PREFIX "mailwarden-smtp "

typedef struct mw_fw_opts {
	mw_fw_format format;
	char users[MW_NW_MTA_NAMES_MAX][MW_NW_USER_MAX];
	size_t n_users;
	mw_nw_ports ports;   /* default: 25 only; submission ports are for clients */
	bool log_only;       /* log, do not reject */
	bool block_loopback; /* also police connections over lo (default: allowed) */
	uint16_t nflog_group;
} mw_fw_opts;

/* mw_fw_opts_default - nft, user postfix, port 25, reject, group 25 */
void mw_fw_opts_default(mw_fw_opts *o);
/* mw_fw_add_user - MW_EINVAL for a name that is not a safe user name */
mw_status mw_fw_add_user(mw_fw_opts *o, const char *user, mw_err *err);
/* mw_fw_user_ok - the name check used above */
bool mw_fw_user_ok(const char *user);

/* mw_fw_render - the rules as text, appended to out */
mw_status mw_fw_render(const mw_fw_opts *o, mw_buf *out, mw_err *err);

/* mw_fw_render_watch - the log-only rule watch mode installs for itself:
 * table inet mailwarden_watch, SYNs to ports logged to NFLOG group (every
 * user, the MTA included: classification happens in user space), at
 * priority filter - 10 so it sees connections the policy chain rejects. */
mw_status mw_fw_render_watch(const mw_nw_ports *ports, uint16_t group, mw_buf *out, mw_err *err);
/* mw_fw_watch_install / _remove - load / delete that table (libnftables) */
mw_status mw_fw_watch_install(const mw_nw_ports *ports, uint16_t group, mw_err *err);
mw_status mw_fw_watch_remove(mw_err *err);

/* mw_fw_apply - load the nft rules (format ignored) through libnftables */
mw_status mw_fw_apply(const mw_fw_opts *o, mw_err *err);
/* mw_fw_remove - delete table inet mailwarden if present */
mw_status mw_fw_remove(mw_err *err);
/* mw_fw_nft_run - run nft commands through libnftables; err gets nft's message */
mw_status mw_fw_nft_run(const char *cmds, mw_err *err);
/* mw_fw_nft_available - built with libnftables */
bool mw_fw_nft_available(void);

#endif
