/*
 * logwatch/logscan_int.h - internals shared by logscan.c (correlation),
 * detect.c (detectors) and logscan_json.c (report).  Not a public header.
 */
#ifndef MW_LOGWATCH_LOGSCAN_INT_H
#define MW_LOGWATCH_LOGSCAN_INT_H

#include "core/htab.h"
#include "core/limits.h"
#include "logwatch/logscan.h"
#include "store/window.h" /* the policy service's window: same rule semantics */

#define MW_HSET_MAX 64     /* distinct IPs remembered per username: enough to pass any threshold */
#define MW_SCAN_KEY_MAX 300 /* "sasl_username:" + a 256-byte name */
#define MW_DOM_BLOCKS_MAX 8 /* block groups (MXes) tracked per destination domain */

typedef struct mw_hset {
	unsigned n;
	uint64_t overflow;
	uint64_t h[MW_HSET_MAX];
} mw_hset;

/* per key ("sasl_username:U", "client:IP", "sender:S") */
typedef struct mw_keystat {
	uint64_t msgs, rcpts, unknown_rcpt, rejects, auth_fails, abuse, logins;
	int64_t first, last;
	mw_window win;
	uint32_t max_in_window;
	int f_rate, f_auth, f_login; /* finding index + 1 */
	mw_hset *fail_ips, *login_ips;
} mw_keystat;

enum { MW_ORIGIN_UNKNOWN = 0, MW_ORIGIN_SMTPD, MW_ORIGIN_PICKUP, MW_ORIGIN_BOUNCE };

/* one message (queue ID) */
typedef struct mw_msgrec {
	char qid[MW_LOG_QID_MAX + 1];
	int64_t first;
	int64_t uid;
	char client_ip[48];
	char sasl_user[128];
	char from[256];
	uint32_t nrcpt;
	uint8_t origin;
	bool counted, removed, has_from, backscatter;
	unsigned nks;
	mw_keystat *ks[4];
} mw_msgrec;

typedef struct mw_blockgrp {
	char dest[256], mx[256], provider[32], code[16], reply[512];
	int64_t first, last;
	uint64_t count, attempts_after;
	int finding;
} mw_blockgrp;

/* per recipient domain */
typedef struct mw_domstat {
	char name[256];
	uint64_t deliveries, deferred, bounced, sent;
	unsigned nblocks;
	mw_blockgrp *blocks[MW_DOM_BLOCKS_MAX];
} mw_domstat;

/* per local uid (pickup) */
typedef struct mw_uidstat {
	int64_t uid;
	uint64_t count;
	int64_t first, last;
	char from[256];
	int finding;
} mw_uidstat;

typedef struct mw_hourly {
	int64_t hour;    /* current bucket (epoch hour) */
	uint64_t n;      /* events in it */
	uint64_t total, max;
	int64_t max_hour;
	int finding;
} mw_hourly;

struct mw_logscan {
	mw_logscan_opts o;
	mw_htab *msgs, *keys, *domains, *blocks, *uids, *bs_rcpts;
	mw_finding *findings;
	size_t nfindings, capfindings;
	uint64_t lines, kinds[MW_LE_KIND_COUNT], filtered, out_of_order;
	uint64_t oversized, truncated_gzip, read_errors, dropped_keys, dropped_msgs;
	uint64_t records, messages, sent, deferred, bounced, expired, rejects, unknown_rcpt;
	uint64_t dsns, proto_abuse, auth_fails, logins;
	int64_t first_ts, last_ts;
	mw_hourly backscatter, deferrals;
};

/* logscan.c helpers */
mw_keystat *mw_scan_key(mw_logscan *s, const char *prefix, mw_sv v, int64_t ts);
bool mw_scan_hset_add(mw_hset **sp, uint64_t h);
uint64_t mw_hset_count(const mw_hset *s);
int mw_scan_new_finding(mw_logscan *s, mw_finding_type t, const char *sev, const char *key,
			const char *action, int64_t ts);
void mw_scan_raise(mw_logscan *s, int idx);
void mw_scan_evidence(mw_finding *f, const char *line, size_t len);
void mw_scan_copy(char *dst, size_t cap, mw_sv v);
bool mw_scan_loopback(mw_sv ip);
extern const char *const mw_scan_actions[MW_FIND_TYPE_COUNT];

/* detect.c */
void mw_scan_login(mw_logscan *s, const mw_logev *ev, const char *line, size_t len);
void mw_scan_auth_fail(mw_logscan *s, const mw_logev *ev, const char *line, size_t len);
void mw_scan_backscatter(mw_logscan *s, mw_msgrec *m, const mw_logev *ev, const char *line,
			 size_t len);
void mw_scan_backscatter_rcpt(mw_logscan *s, const mw_logev *ev);
void mw_scan_injection(mw_logscan *s, const mw_logev *ev, int64_t uid, const char *line,
		       size_t len);
mw_domstat *mw_scan_delivery_domain(mw_logscan *s, const mw_logev *ev, bool deferred,
				    const char *line, size_t len);
void mw_scan_remote_block(mw_logscan *s, mw_domstat *d, const mw_logev *ev, const char *line,
			  size_t len);
void mw_scan_close_hours(mw_logscan *s);

#endif
