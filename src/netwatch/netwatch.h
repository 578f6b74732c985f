/*
 * netwatch/netwatch.h - which process talks to a mail port: the sampler.
 *
 * DESCRIPTION
 *   An mw_netwatch keeps the set of outbound TCP connections to the watched
 *   remote ports it has already reported.  mw_netwatch_sample does one
 *   sock_diag dump per address family (filtered in the kernel by remote
 *   port), looks up /proc only for sockets it has not seen before (one pass
 *   for the whole batch), classifies each new connection (mta.h) and calls
 *   the event callback once per new connection.  Connections that went away
 *   are forgotten, so a later connection with the same 4-tuple is new again.
 *
 *   Short connections can open and close between two samples.  The caller
 *   that reads NFLOG (nflog.h) passes each logged SYN to mw_netwatch_logged,
 *   which samples at once, rate-limited (the socket usually still exists,
 *   with its process) and otherwise reports the connection from the log
 *   alone: uid and user from the packet's socket, no pid.
 *
 *   Events carry running counts per process (uid + executable) and per
 *   destination address, for a daemon that turns them into alerts.
 *
 *   Without root only the caller's own processes can be attributed:
 *   set cfg.only_uid to getuid() and the sampler skips (and counts in
 *   stats.hidden) other users' sockets.
 *
 * LIMITS
 *   MW_NW_SOCKETS_MAX sockets per sample; MW_NW_COUNT_KEYS_MAX distinct
 *   processes/destinations counted (later ones are reported with count 0).
 *
 * OWNERSHIP
 *   mw_netwatch_free releases everything.  An event and its strings are
 *   valid only during the callback; copy what you keep (mw_nw_proc_copy).
 *   Not thread-safe; one netlink socket per instance.
 */
#ifndef MW_NETWATCH_NETWATCH_H
#define MW_NETWATCH_NETWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "netwatch/inetdiag.h"
#include "netwatch/mta.h"
#include "netwatch/packet.h"
#include "netwatch/proc.h"

#define MW_NW_COUNT_KEYS_MAX 65536 /* memory bound for the per-key counters */

typedef struct mw_nw_config {
	mw_nw_ports ports;     /* remote ports; default 25, 465, 587, 2525 */
	mw_nw_mta mta;         /* MTA users and binaries */
	const char *procroot;  /* "/proc" (NULL means that) */
	long long only_uid;    /* -1: all users; else only this uid's sockets */
} mw_nw_config;

typedef enum mw_nw_source {
	MW_NW_FROM_SAMPLE = 0, /* the socket was seen by a sock_diag dump */
	MW_NW_FROM_LOG,        /* only the logged packet was seen (NFLOG) */
} mw_nw_source;

typedef struct mw_nw_event {
	mw_nw_source source;
	mw_nw_sock sock;         /* from the log: inode 0, state 0 */
	mw_nw_proc proc;         /* pid 0 when unknown; uid/user always tried */
	mw_nw_class cls;
	int64_t first_seen_ms;   /* caller's clock (mw_netwatch_sample's now_ms) */
	uint64_t proc_count;     /* connections of this uid+exe reported so far */
	uint64_t dest_count;     /* connections to this remote address so far */
} mw_nw_event;

typedef struct mw_nw_stats {
	uint64_t samples;
	uint64_t sockets;   /* matching sockets in the last sample */
	uint64_t fresh;     /* new ones in the last sample */
	uint64_t hidden;    /* skipped in the last sample: other users' (only_uid) */
	uint64_t denied;    /* processes whose fds were unreadable in the last scan */
	uint64_t proc_scans;/* /proc passes so far */
	uint64_t events;    /* events emitted so far */
} mw_nw_stats;

typedef struct mw_netwatch mw_netwatch;
typedef void (*mw_nw_event_fn)(const mw_nw_event *ev, void *ud);

/* mw_nw_config_default - default ports and MTA tables, all users, /proc */
void mw_nw_config_default(mw_nw_config *cfg);

/* mw_netwatch_new - copy cfg, open the sock_diag socket; NULL and err on failure */
mw_netwatch *mw_netwatch_new(const mw_nw_config *cfg, mw_err *err);
/* mw_netwatch_free - close and free (NULL is fine) */
void mw_netwatch_free(mw_netwatch *nw);

/* mw_netwatch_sample - one dump; fn for each new connection (every class) */
mw_status mw_netwatch_sample(mw_netwatch *nw, int64_t now_ms, mw_nw_event_fn fn, void *ud,
			     mw_err *err);

/* mw_netwatch_logged - a logged outbound SYN (from NFLOG) with the sending
 * socket's uid if the log had it (uid < 0: unknown).  A connection of an
 * MTA user is reported at once from the log (no /proc work).  Any other
 * new one waits for a sample, taken at once unless the last one is less
 * than MW_NW_LOG_GAP_MS old (a SYN flood costs at most 1000/GAP dumps per
 * second); that sample reports it with its process if it still exists,
 * else from the log alone. */
mw_status mw_netwatch_logged(mw_netwatch *nw, const mw_nw_pkt *pkt, long long uid, int64_t now_ms,
			     mw_nw_event_fn fn, void *ud, mw_err *err);
/* mw_netwatch_flush - sample now if logged connections wait and the gap
 * has passed; callers with a poll loop call it when mw_netwatch_next_flush
 * is due */
mw_status mw_netwatch_flush(mw_netwatch *nw, int64_t now_ms, mw_nw_event_fn fn, void *ud,
			    mw_err *err);
/* mw_netwatch_next_flush - when mw_netwatch_flush has work (ms, caller's
 * clock), 0 if nothing waits */
int64_t mw_netwatch_next_flush(const mw_netwatch *nw);

/* mw_netwatch_stats - counters (see mw_nw_stats) */
const mw_nw_stats *mw_netwatch_stats(const mw_netwatch *nw);

/* ---- the sock_diag dump itself (sockdiag.c) ---- */

/* Called for each socket of a dump; return false to stop. */
typedef bool (*mw_sockdiag_fn)(const mw_nw_sock *s, void *ud);

/* mw_sockdiag_open - NETLINK_SOCK_DIAG socket; -1 and err on failure */
int mw_sockdiag_open(mw_err *err);
/* mw_sockdiag_dump - dump TCP sockets of family 4 or 6 with remote port in
 * ports; seq tags the request (answers with another seq are skipped); buf
 * is a receive buffer of bufn bytes (MW_NW_RECV_BUF) */
mw_status mw_sockdiag_dump(int fd, int family, const mw_nw_ports *ports, uint32_t seq, uint8_t *buf,
			   size_t bufn, mw_sockdiag_fn fn, void *ud, mw_err *err);

#endif
