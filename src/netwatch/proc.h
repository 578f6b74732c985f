/*
 * netwatch/proc.h - map socket inodes to processes through /proc (Linux).
 *
 * DESCRIPTION
 *   The kernel tells which inode a socket has (sock_diag) but not which
 *   process holds it; the only general way back is to read every
 *   /proc/PID/fd/N link and look for "socket:[INODE]", as ss -p, lsof and
 *   netstat -p do.  mw_proc_map_inodes does that for a batch of inodes in
 *   one pass (cost: one readlink per open fd on the machine) and stops as
 *   soon as all are found.  mw_proc_read then collects what an admin needs
 *   to act on a process: uid and user, command line, executable, working
 *   directory, start time, systemd unit and container id from its cgroup.
 *
 *   Without root, /proc/PID/fd of other users' processes is unreadable
 *   (EACCES); those processes are counted in `denied` and skipped.
 *
 *   The text parsers (mw_proc_socket_inode, mw_proc_status_uid,
 *   mw_proc_stat_start, mw_proc_cgroup, mw_proc_cmdline) are pure and
 *   bounds-checked: /proc text is written by the kernel but process names
 *   and command lines are chosen by the (possibly hostile) process.
 *
 * LIMITS
 *   MW_NW_CMDLINE_MAX, MW_NW_PATH_MAX, MW_NW_PROCFILE_MAX, MW_NW_USER_MAX.
 *
 * OWNERSHIP
 *   mw_nw_proc owns its strings; mw_nw_proc_clear frees them.
 *   procroot is "/proc" in production and a fake tree in tests.
 */
#ifndef MW_NETWATCH_PROC_H
#define MW_NETWATCH_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

typedef struct mw_nw_proc {
	int pid;                      /* 0: unknown */
	bool uid_known;
	uint32_t uid;                 /* effective uid */
	char user[MW_NW_USER_MAX];    /* name, or the number if no passwd entry */
	char *cmdline;                /* argv joined by spaces; NULL if unreadable */
	char *exe;                    /* /proc/PID/exe target; NULL if unreadable */
	char *cwd;                    /* /proc/PID/cwd target; NULL if unreadable */
	char unit[128];               /* innermost systemd .service/.scope, "" if none */
	char container[72];           /* container id or name, "" if none */
	int64_t start_time;           /* unix seconds; 0 unknown */
} mw_nw_proc;

/* mw_nw_proc_clear - free the strings and zero the struct */
void mw_nw_proc_clear(mw_nw_proc *p);
/* mw_nw_proc_copy - deep copy of src into dst (dst must be clear) */
mw_status mw_nw_proc_copy(mw_nw_proc *dst, const mw_nw_proc *src);

/* mw_proc_map_inodes - pids_out[i] = pid holding socket inodes[i], 0 if not
 * found.  *denied counts processes whose fd directory was unreadable. */
mw_status mw_proc_map_inodes(const char *procroot, const uint32_t *inodes, size_t n, int *pids_out,
			     size_t *denied, mw_err *err);

/* mw_proc_read - details of one process; MW_ENOTFOUND if it is gone.
 * boot_time is the unix time of boot (mw_proc_boot_time), for start_time. */
mw_status mw_proc_read(const char *procroot, int pid, int64_t boot_time, mw_nw_proc *out,
		       mw_err *err);

/* mw_proc_boot_time - "btime" from PROCROOT/stat, 0 if unknown */
int64_t mw_proc_boot_time(const char *procroot);

/* mw_user_name - passwd name of uid into buf, or the number as text */
void mw_user_name(uint32_t uid, char *buf, size_t n);

/* ---- pure text parsers ---- */

/* mw_proc_socket_inode - "socket:[12345]" -> 12345; false for anything else */
bool mw_proc_socket_inode(const char *link, size_t n, uint32_t *inode);
/* mw_proc_status_uid - effective uid from a /proc/PID/status text */
bool mw_proc_status_uid(const char *text, size_t n, uint32_t *uid);
/* mw_proc_stat_start - starttime (field 22, clock ticks since boot) from a
 * /proc/PID/stat text; the comm field may contain spaces and ')' */
bool mw_proc_stat_start(const char *text, size_t n, uint64_t *ticks);
/* mw_proc_cgroup - systemd unit and container id from a /proc/PID/cgroup
 * text (v1 or v2); empty strings when none */
void mw_proc_cgroup(const char *text, size_t n, char *unit, size_t unit_n, char *container,
		    size_t container_n);
/* mw_proc_cmdline - NUL-separated argv into a printable line: NULs become
 * spaces, control bytes '?', at most out_n-1 bytes.  Returns the length. */
size_t mw_proc_cmdline(const char *raw, size_t n, char *out, size_t out_n);

#endif
