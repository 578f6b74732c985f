/*
 * netwatch/mta.h - which processes are the mail transfer agent.
 *
 * DESCRIPTION
 *   A connection to a remote port 25 is expected from the MTA and a finding
 *   from anything else.  The MTA is recognised by the user its delivery
 *   agents run as (postfix, Debian-exim, exim, smmta, smmsp, sendmail by
 *   default) or by its executable.  A binary entry containing '/' must match
 *   the full /proc/PID/exe path; an entry without '/' matches the base name
 *   only, which any user can imitate by naming a program "smtp", so the
 *   defaults are full paths and the user match is the one to trust (it is
 *   also what the firewall rules use: meta skuid / --uid-owner).
 *
 *   Connections whose remote address is a loopback address are local
 *   submission to the host's own MTA (the recommended path for web
 *   applications) and are classified MW_NW_LOCAL, not a finding.
 *
 * OWNERSHIP
 *   mw_nw_mta is a plain value with fixed-size name tables.
 */
#ifndef MW_NETWATCH_MTA_H
#define MW_NETWATCH_MTA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"

typedef enum mw_nw_class {
	MW_NW_SUSPECT = 0, /* not the MTA, remote destination: a finding */
	MW_NW_MTA,         /* the MTA's user or binary */
	MW_NW_LOCAL,       /* not the MTA, but to a loopback address (local submission) */
} mw_nw_class;

typedef struct mw_nw_mta {
	char users[MW_NW_MTA_NAMES_MAX][MW_NW_USER_MAX];
	size_t n_users;
	char bins[MW_NW_MTA_NAMES_MAX][256];
	size_t n_bins;
} mw_nw_mta;

/* mw_nw_mta_default - Debian's MTA users and binaries (Postfix, Exim 4, Sendmail) */
void mw_nw_mta_default(mw_nw_mta *m);
/* mw_nw_mta_clear - no users, no binaries (then add your own) */
void mw_nw_mta_clear(mw_nw_mta *m);
/* mw_nw_mta_add_user / _add_bin - MW_ETOOBIG past MW_NW_MTA_NAMES_MAX or an
 * over-long name, MW_EINVAL for an empty one */
mw_status mw_nw_mta_add_user(mw_nw_mta *m, const char *user, mw_err *err);
mw_status mw_nw_mta_add_bin(mw_nw_mta *m, const char *bin, mw_err *err);

/* mw_nw_mta_is_user - user name in the list */
bool mw_nw_mta_is_user(const mw_nw_mta *m, const char *user);
/* mw_nw_mta_is_bin - exe matches an entry (full path or base name, see above) */
bool mw_nw_mta_is_bin(const mw_nw_mta *m, const char *exe);

/* mw_nw_classify - MTA if user or exe matches (either may be NULL), else
 * LOCAL for a loopback remote, else SUSPECT */
mw_nw_class mw_nw_classify(const mw_nw_mta *m, const char *user, const char *exe,
			   const mw_ip *remote);

/* mw_nw_class_name - "mta", "local", "suspect" */
const char *mw_nw_class_name(mw_nw_class c);

#endif
