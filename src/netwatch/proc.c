/*
 * netwatch/proc.c - socket inode -> process, and process details, via /proc.
 *
 * Cost: mw_proc_map_inodes is O(open fds on the machine), one readlinkat
 * each; callers batch the inodes they need so one sample costs one pass.
 */
#include "netwatch/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/htab.h"
#include "core/str.h"

/* mw_nw_proc_clear - free owned strings */
void mw_nw_proc_clear(mw_nw_proc *p)
{
	free(p->cmdline);
	free(p->exe);
	free(p->cwd);
	memset(p, 0, sizeof(*p));
}

/* dup_or_null - strdup that keeps NULL */
static bool dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

/* mw_nw_proc_copy - deep copy */
mw_status mw_nw_proc_copy(mw_nw_proc *dst, const mw_nw_proc *src)
{
	*dst = *src;
	dst->cmdline = dst->exe = dst->cwd = NULL;
	if (!dup_or_null(&dst->cmdline, src->cmdline) || !dup_or_null(&dst->exe, src->exe) ||
	    !dup_or_null(&dst->cwd, src->cwd)) {
		mw_nw_proc_clear(dst);
		return MW_ENOMEM;
	}
	return MW_OK;
}

/* ---- pure parsers ---- */

/* parse_u64 - decimal digits at [*p, end) into *v; advances; false if none or overflow */
static bool parse_u64(const char **p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		s++;
	}
	if (s == *p)
		return false;
	*v = x;
	*p = s;
	return true;
}

/* mw_proc_socket_inode - exact "socket:[N]" with N fitting 32 bits */
bool mw_proc_socket_inode(const char *link, size_t n, uint32_t *inode)
{
	static const char pre[] = "socket:[";
	const size_t pl = sizeof(pre) - 1;
	if (n < pl + 2 || memcmp(link, pre, pl) != 0 || link[n - 1] != ']')
		return false;
	const char *p = link + pl, *end = link + n - 1;
	uint64_t v;
	if (!parse_u64(&p, end, &v) || p != end || v > UINT32_MAX)
		return false;
	*inode = (uint32_t)v;
	return true;
}

/* mw_proc_status_uid - line "Uid:\treal\teffective\tsaved\tfs" */
bool mw_proc_status_uid(const char *text, size_t n, uint32_t *uid)
{
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le - p > 4 && memcmp(p, "Uid:", 4) == 0) {
			const char *q = p + 4;
			uint64_t v[2];
			for (int i = 0; i < 2; i++) {
				while (q < le && (*q == '\t' || *q == ' '))
					q++;
				if (!parse_u64(&q, le, &v[i]) || v[i] > UINT32_MAX)
					return false;
			}
			*uid = (uint32_t)v[1];
			return true;
		}
		p = le + 1;
	}
	return false;
}

/* mw_proc_stat_start - skip "pid (comm)" using the LAST ')', then fields
 * 3..22; field 22 is starttime */
bool mw_proc_stat_start(const char *text, size_t n, uint64_t *ticks)
{
	const char *rp = NULL;
	for (size_t i = n; i > 0; i--)
		if (text[i - 1] == ')') {
			rp = text + i - 1;
			break;
		}
	if (rp == NULL)
		return false;
	const char *p = rp + 1, *end = text + n;
	for (int field = 3; field <= 22; field++) {
		if (p >= end || *p != ' ')
			return false;
		p++;
		const char *s = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == s)
			return false;
		if (field == 22) {
			const char *q = s;
			uint64_t v;
			if (!parse_u64(&q, p, &v) || q != p)
				return false;
			*ticks = v;
			return true;
		}
	}
	return false;
}

/* is_hex64 - exactly 64 lower-case hex digits (docker/containerd/podman ids) */
static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* ends_with - counted string ends in suffix */
static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* copy_n - bounded copy of a counted string */
static void copy_n(char *dst, size_t dn, const char *s, size_t n)
{
	if (dn == 0)
		return;
	if (n >= dn)
		n = dn - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* container_of_component - container id in one path component, if any */
static bool container_of_component(const char *c, size_t n, char *out, size_t out_n)
{
	static const char *const pre[] = {"docker-", "libpod-", "cri-containerd-", "crio-"};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t k = strlen(pre[i]);
		if (n > k + 6 && memcmp(c, pre[i], k) == 0 && ends_with(c, n, ".scope") &&
		    is_hex64(c + k, n - k - 6)) {
			copy_n(out, out_n, c + k, 64);
			return true;
		}
	}
	if (is_hex64(c, n)) {
		copy_n(out, out_n, c, n);
		return true;
	}
	if (n > 12 && memcmp(c, "lxc.payload.", 12) == 0) {
		copy_n(out, out_n, c + 12, n - 12);
		return true;
	}
	return false;
}

/* cgroup_path - scan one cgroup path's components */
static void cgroup_path(const char *p, const char *end, char *unit, size_t unit_n, bool *have_svc,
			char *container, size_t container_n)
{
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		const char *c = p;
		while (p < end && *p != '/')
			p++;
		size_t n = (size_t)(p - c);
		if (n == 0)
			break;
		if (ends_with(c, n, ".service")) {
			copy_n(unit, unit_n, c, n);
			*have_svc = true;
		} else if (ends_with(c, n, ".scope") && !*have_svc) {
			copy_n(unit, unit_n, c, n);
		}
		if (container[0] == '\0')
			container_of_component(c, n, container, container_n);
	}
}

/* mw_proc_cgroup - each line "id:controllers:path"; v2 has id 0 and no
 * controllers.  The innermost .service wins over .scope. */
void mw_proc_cgroup(const char *text, size_t n, char *unit, size_t unit_n, char *container,
		    size_t container_n)
{
	if (unit_n)
		unit[0] = '\0';
	if (container_n)
		container[0] = '\0';
	if (unit_n == 0 || container_n == 0)
		return;
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		if (c2 != NULL && c2 + 1 < le && c2[1] == '/') {
			char u[128] = "";
			bool svc = false;
			cgroup_path(c2 + 1, le, u, sizeof(u), &svc, container, container_n);
			if (u[0] && (svc || unit[0] == '\0'))
				mw_strlcpy(unit, u, unit_n);
		}
		p = le + 1;
	}
}

/* mw_proc_cmdline - printable argv line */
size_t mw_proc_cmdline(const char *raw, size_t n, char *out, size_t out_n)
{
	if (out_n == 0)
		return 0;
	while (n > 0 && raw[n - 1] == '\0')
		n--;
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < out_n; i++) {
		unsigned char c = (unsigned char)raw[i];
		out[o++] = c == '\0' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
	return o;
}

/* ---- I/O ---- */

/* read_at - up to cap-1 bytes of DIRFD/path, NUL-terminated; -1 on error */
static ssize_t read_at(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* link_at - readlinkat into a malloc'd string, NULL on error */
static char *link_at(int dirfd, const char *path)
{
	char buf[MW_NW_PATH_MAX];
	ssize_t r = readlinkat(dirfd, path, buf, sizeof(buf) - 1);
	if (r < 0)
		return NULL;
	buf[r] = '\0';
	return strdup(buf);
}

/* mw_user_name - getpwuid_r or the number */
void mw_user_name(uint32_t uid, char *buf, size_t n)
{
	struct passwd pw, *res = NULL;
	char tmp[2048];
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		mw_strlcpy(buf, res->pw_name, n);
	else
		snprintf(buf, n, "%u", uid);
}

/* mw_proc_boot_time - btime line of /proc/stat */
int64_t mw_proc_boot_time(const char *procroot)
{
	char path[MW_NW_PATH_MAX];
	snprintf(path, sizeof(path), "%s/stat", procroot);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	char line[512];
	long long bt = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

/* fill_from_files - status, stat, cgroup, cmdline of an open PID dir */
static mw_status fill_from_files(int pd, int64_t boot_time, mw_nw_proc *out, char *buf)
{
	ssize_t n = read_at(pd, "status", buf, MW_NW_PROCFILE_MAX);
	if (n < 0)
		return MW_ENOTFOUND;
	out->uid_known = mw_proc_status_uid(buf, (size_t)n, &out->uid);
	if (out->uid_known)
		mw_user_name(out->uid, out->user, sizeof(out->user));
	uint64_t ticks;
	long hz = sysconf(_SC_CLK_TCK);
	n = read_at(pd, "stat", buf, MW_NW_PROCFILE_MAX);
	if (n > 0 && boot_time > 0 && hz > 0 && mw_proc_stat_start(buf, (size_t)n, &ticks))
		out->start_time = boot_time + (int64_t)(ticks / (uint64_t)hz);
	n = read_at(pd, "cgroup", buf, MW_NW_PROCFILE_MAX);
	if (n > 0)
		mw_proc_cgroup(buf, (size_t)n, out->unit, sizeof(out->unit), out->container,
			       sizeof(out->container));
	n = read_at(pd, "cmdline", buf, MW_NW_CMDLINE_MAX + 1);
	if (n >= 0) {
		char line[MW_NW_CMDLINE_MAX];
		mw_proc_cmdline(buf, (size_t)n, line, sizeof(line));
		out->cmdline = strdup(line);
		if (out->cmdline == NULL)
			return MW_ENOMEM;
	}
	return MW_OK;
}

/* mw_proc_read - see header */
mw_status mw_proc_read(const char *procroot, int pid, int64_t boot_time, mw_nw_proc *out,
		       mw_err *err)
{
	memset(out, 0, sizeof(*out));
	char path[MW_NW_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%d", procroot, pid);
	int pd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pd < 0)
		return mw_err_set(err, MW_ENOTFOUND, "process %d is gone", pid);
	char *buf = malloc(MW_NW_PROCFILE_MAX);
	if (buf == NULL) {
		close(pd);
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	}
	out->pid = pid;
	mw_status st = fill_from_files(pd, boot_time, out, buf);
	if (st == MW_OK) {
		out->exe = link_at(pd, "exe");
		out->cwd = link_at(pd, "cwd");
	}
	free(buf);
	close(pd);
	if (st != MW_OK) {
		mw_nw_proc_clear(out);
		return mw_err_set(err, st, "process %d: %s", pid, mw_status_str(st));
	}
	return MW_OK;
}

/* scan_fds - look through one process's fd links; returns inodes found */
static size_t scan_fds(int procfd, const char *pidname, int pid, mw_htab *want, int *pids_out,
		       size_t *denied)
{
	char path[300];
	snprintf(path, sizeof(path), "%.256s/fd", pidname);
	int fdd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if (errno == EACCES || errno == EPERM)
			(*denied)++;
		return 0;
	}
	DIR *d = fdopendir(fdd);
	if (d == NULL) {
		close(fdd);
		return 0;
	}
	size_t found = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char link[64];
		if (de->d_name[0] == '.')
			continue;
		ssize_t r = readlinkat(fdd, de->d_name, link, sizeof(link));
		uint32_t ino;
		if (r <= 0 || r >= (ssize_t)sizeof(link) ||
		    !mw_proc_socket_inode(link, (size_t)r, &ino))
			continue;
		void *v = mw_htab_get(want, &ino, sizeof(ino));
		if (v == NULL)
			continue;
		size_t idx = (size_t)(uintptr_t)v - 1;
		if (pids_out[idx] == 0) {
			pids_out[idx] = pid;
			found++;
		}
	}
	closedir(d);
	return found;
}

/* mw_proc_map_inodes - one pass over PROCROOT/[0-9]* /fd */
mw_status mw_proc_map_inodes(const char *procroot, const uint32_t *inodes, size_t n, int *pids_out,
			     size_t *denied, mw_err *err)
{
	*denied = 0;
	if (n == 0)
		return MW_OK;
	mw_htab *want = mw_htab_new(NULL);
	if (want == NULL)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	size_t pending = 0;
	for (size_t i = 0; i < n; i++) {
		pids_out[i] = 0;
		if (inodes[i] == 0 || mw_htab_get(want, &inodes[i], sizeof(inodes[i])))
			continue;
		if (mw_htab_put(want, &inodes[i], sizeof(inodes[i]), (void *)(uintptr_t)(i + 1)) !=
		    MW_OK) {
			mw_htab_free(want);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
		pending++;
	}
	DIR *pd = opendir(procroot);
	if (pd == NULL) {
		mw_htab_free(want);
		return mw_err_set(err, MW_EIO, "%s: %s", procroot, strerror(errno));
	}
	struct dirent *de;
	while (pending > 0 && (de = readdir(pd)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid > 0x3fffffff)
			continue;
		pending -= scan_fds(dirfd(pd), de->d_name, (int)pid, want, pids_out, denied);
	}
	closedir(pd);
	/* duplicates of an inode share the first slot's pid */
	for (size_t i = 0; i < n; i++) {
		void *v = inodes[i] ? mw_htab_get(want, &inodes[i], sizeof(inodes[i])) : NULL;
		if (v != NULL)
			pids_out[i] = pids_out[(size_t)(uintptr_t)v - 1];
	}
	mw_htab_free(want);
	return MW_OK;
}
