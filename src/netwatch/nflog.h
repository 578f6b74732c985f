/*
 * netwatch/nflog.h - read packets logged by an nftables/iptables NFLOG rule.
 *
 * DESCRIPTION
 *   A rule such as
 *       tcp dport 25 tcp flags & (syn | ack) == syn log prefix "mw " group 25
 *   sends each outbound SYN to netlink group 25 (nfnetlink_log).  Reading
 *   it catches connections of any length, even those opened and closed
 *   between two samples, with the uid of the sending socket
 *   (NFULA_UID, added by the kernel for local sockets) but without a pid: the kernel does not log one.
 *   Uses libnetfilter_log; without it (MW_HAVE_NFLOG unset) mw_nflog_open
 *   fails with a clear message and the sampler still works.
 *
 * SECURITY
 *   Binding an NFLOG group needs CAP_NET_ADMIN (root).  Groups are per
 *   network namespace.
 *
 * LIMITS
 *   MW_NW_NFLOG_COPY bytes of each packet are copied (headers only).
 *
 * OWNERSHIP
 *   mw_nflog_close releases the handle.
 */
#ifndef MW_NETWATCH_NFLOG_H
#define MW_NETWATCH_NFLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "netwatch/packet.h"

typedef struct mw_nflog mw_nflog;

/* Called per logged TCP packet; uid < 0 when the log carried none. */
typedef void (*mw_nflog_fn)(const mw_nw_pkt *pkt, long long uid, void *ud);

/* mw_nflog_available - built with libnetfilter_log */
bool mw_nflog_available(void);
/* mw_nflog_open - bind group; NULL and err on failure */
mw_nflog *mw_nflog_open(uint16_t group, mw_err *err);
/* mw_nflog_fd - descriptor to poll for input */
int mw_nflog_fd(const mw_nflog *n);
/* mw_nflog_read - read one datagram without blocking and dispatch its
 * packets; MW_OK also when nothing was waiting.  Packets that are not TCP
 * over IPv4/IPv6 are counted in *bad (may be NULL). */
mw_status mw_nflog_read(mw_nflog *n, mw_nflog_fn fn, void *ud, uint64_t *bad, mw_err *err);
/* mw_nflog_close - unbind and free (NULL is fine) */
void mw_nflog_close(mw_nflog *n);

#endif
