/*
 * netwatch/sockdiag.c - the NETLINK_SOCK_DIAG dump (I/O half of inetdiag.c).
 *
 * SECURITY
 *   Unprivileged: any user may dump sockets (as `ss` does).  Only answers
 *   from the kernel (nl_pid 0) are accepted.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netwatch/netwatch.h"

int mw_sockdiag_open(mw_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		mw_err_set(err, MW_EIO, "sock_diag socket: %s", strerror(errno));
	return fd;
}

/* send_request - one request datagram to the kernel */
static mw_status send_request(int fd, int family, const mw_nw_ports *ports, uint32_t seq,
			      mw_err *err)
{
	uint8_t req[512];
	size_t n = mw_inetdiag_request(family, ports, seq, req, sizeof(req));
	if (n == 0)
		return mw_err_set(err, MW_EINVAL, "cannot build sock_diag request");
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t r;
	do
		r = sendto(fd, req, n, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)n)
		return mw_err_set(err, MW_EIO, "sock_diag send: %s", strerror(errno));
	return MW_OK;
}

/* kernel_errno - the errno of a datagram that starts with NLMSG_ERROR, else 0 */
static int kernel_errno(const uint8_t *buf, size_t n)
{
	struct nlmsghdr nh;
	int32_t code;
	if (n < NLMSG_HDRLEN + sizeof(code))
		return 0;
	memcpy(&nh, buf, sizeof(nh));
	if (nh.nlmsg_type != NLMSG_ERROR)
		return 0;
	memcpy(&code, buf + NLMSG_HDRLEN, sizeof(code));
	return code < 0 ? -code : 0;
}

/* dump_once - one request and its answer; *bc_refused when the kernel
 * rejected the bytecode filter (EINVAL: no INET_DIAG_BC_D_EQ before 4.18) */
static mw_status dump_once(int fd, int family, const mw_nw_ports *ports, bool use_bc, uint32_t seq,
			   uint8_t *buf, size_t bufn, mw_sockdiag_fn fn, void *ud, bool *bc_refused,
			   mw_err *err)
{
	*bc_refused = false;
	mw_status st = send_request(fd, family, use_bc ? ports : NULL, seq, err);
	if (st != MW_OK)
		return st;
	bool done = false;
	while (!done) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, bufn, 0, (struct sockaddr *)&from, &fl);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return mw_err_set(err, MW_EIO, "sock_diag recv: %s", strerror(errno));
		if (r == 0)
			return mw_err_set(err, MW_EIO, "sock_diag: socket closed");
		if (from.nl_pid != 0 || (size_t)r < sizeof(struct nlmsghdr))
			continue;
		struct nlmsghdr nh;
		memcpy(&nh, buf, sizeof(nh));
		if (nh.nlmsg_seq != seq)
			continue; /* left over from an earlier, abandoned dump */
		if (use_bc && kernel_errno(buf, (size_t)r) == EINVAL) {
			*bc_refused = true;
			return MW_EIO;
		}
		/* the port filter is applied here too, so no bytecode loses nothing */
		st = mw_inetdiag_parse(buf, (size_t)r, ports, fn, ud, &done, err);
		if (st != MW_OK)
			return st;
	}
	return MW_OK;
}

mw_status mw_sockdiag_dump(int fd, int family, const mw_nw_ports *ports, uint32_t seq, uint8_t *buf,
			   size_t bufn, mw_sockdiag_fn fn, void *ud, mw_err *err)
{
	bool refused;
	mw_status st = dump_once(fd, family, ports, true, seq, buf, bufn, fn, ud, &refused, err);
	if (refused) /* old kernel: dump everything, filter in user space */
		st = dump_once(fd, family, ports, false, seq + 0x40000000u, buf, bufn, fn, ud,
			       &refused, err);
	return st;
}
