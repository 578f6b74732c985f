/*
 * netwatch/mta.c - MTA user/binary tables and connection classification.
 */
#include "netwatch/mta.h"

#include <string.h>

#include "core/str.h"

/* mw_nw_mta_clear - empty tables */
void mw_nw_mta_clear(mw_nw_mta *m)
{
	memset(m, 0, sizeof(*m));
}

/* mw_nw_mta_default - users and binaries of Debian's MTA packages:
 * postfix (postfix), exim4 (Debian-exim; "exim" upstream), sendmail
 * (smmta for the daemon, smmsp for the submission queue).  Sendmail's
 * delivery runs as root unless RunAsUser is set, hence its binary. */
void mw_nw_mta_default(mw_nw_mta *m)
{
	static const char *const users[] = {"postfix", "Debian-exim", "exim",
					    "smmta",   "smmsp",       "sendmail"};
	static const char *const bins[] = {"/usr/lib/postfix/sbin/smtp",
					   "/usr/lib/postfix/sbin/lmtp", "/usr/sbin/exim4",
					   "/usr/sbin/exim", "/usr/libexec/sendmail/sendmail"};
	mw_nw_mta_clear(m);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		mw_nw_mta_add_user(m, users[i], NULL);
	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++)
		mw_nw_mta_add_bin(m, bins[i], NULL);
}

/* add_name - shared bounds checks of the two tables */
static mw_status add_name(char *slot, size_t slot_n, size_t *count, const char *name,
			  const char *what, mw_err *err)
{
	if (name == NULL || name[0] == '\0')
		return mw_err_set(err, MW_EINVAL, "empty MTA %s", what);
	if (*count >= MW_NW_MTA_NAMES_MAX)
		return mw_err_set(err, MW_ETOOBIG, "more than %d MTA %ss", MW_NW_MTA_NAMES_MAX,
				  what);
	if (strlen(name) >= slot_n)
		return mw_err_set(err, MW_ETOOBIG, "MTA %s '%.40s...' too long", what, name);
	mw_strlcpy(slot, name, slot_n);
	(*count)++;
	return MW_OK;
}

mw_status mw_nw_mta_add_user(mw_nw_mta *m, const char *user, mw_err *err)
{
	size_t i = m->n_users < MW_NW_MTA_NAMES_MAX ? m->n_users : 0;
	return add_name(m->users[i], sizeof(m->users[i]), &m->n_users, user, "user", err);
}

mw_status mw_nw_mta_add_bin(mw_nw_mta *m, const char *bin, mw_err *err)
{
	size_t i = m->n_bins < MW_NW_MTA_NAMES_MAX ? m->n_bins : 0;
	return add_name(m->bins[i], sizeof(m->bins[i]), &m->n_bins, bin, "binary", err);
}

/* mw_nw_mta_is_user - exact, case-sensitive (user names are) */
bool mw_nw_mta_is_user(const mw_nw_mta *m, const char *user)
{
	if (user == NULL || user[0] == '\0')
		return false;
	for (size_t i = 0; i < m->n_users; i++)
		if (strcmp(m->users[i], user) == 0)
			return true;
	return false;
}

/* mw_nw_mta_is_bin - the kernel appends " (deleted)" to the exe link of a
 * replaced binary (package upgrade); that still counts as the MTA. */
bool mw_nw_mta_is_bin(const mw_nw_mta *m, const char *exe)
{
	if (exe == NULL || exe[0] == '\0')
		return false;
	size_t n = strlen(exe);
	static const char del[] = " (deleted)";
	if (n > sizeof(del) - 1 && strcmp(exe + n - (sizeof(del) - 1), del) == 0)
		n -= sizeof(del) - 1;
	const char *slash = NULL;
	for (size_t i = 0; i < n; i++)
		if (exe[i] == '/')
			slash = exe + i;
	const char *base = slash ? slash + 1 : exe;
	size_t bn = n - (size_t)(base - exe);
	for (size_t i = 0; i < m->n_bins; i++) {
		const char *b = m->bins[i];
		size_t k = strlen(b);
		if (strchr(b, '/') ? (k == n && memcmp(b, exe, n) == 0)
				   : (k == bn && memcmp(b, base, bn) == 0))
			return true;
	}
	return false;
}

/* is_loopback - 127.0.0.0/8 or ::1 */
static bool is_loopback(const mw_ip *ip)
{
	static const uint8_t v6lo[16] = {[15] = 1};
	if (ip->family == 4)
		return ip->addr[0] == 127;
	return ip->family == 6 && memcmp(ip->addr, v6lo, 16) == 0;
}

mw_nw_class mw_nw_classify(const mw_nw_mta *m, const char *user, const char *exe,
			   const mw_ip *remote)
{
	if (mw_nw_mta_is_user(m, user) || mw_nw_mta_is_bin(m, exe))
		return MW_NW_MTA;
	if (remote != NULL && is_loopback(remote))
		return MW_NW_LOCAL;
	return MW_NW_SUSPECT;
}

const char *mw_nw_class_name(mw_nw_class c)
{
	switch (c) {
	case MW_NW_MTA:
		return "mta";
	case MW_NW_LOCAL:
		return "local";
	case MW_NW_SUSPECT:
		break;
	}
	return "suspect";
}
