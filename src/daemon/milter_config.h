/*
 * daemon/milter_config.h - the [milter] section of the mailwarden config.
 *
 * DESCRIPTION
 *   `mailwarden milter -c FILE` reads only the [milter] section of the same
 *   INI file `serve` reads (serve skips [milter], the milter skips the rest);
 *   etc/mailwarden.conf and mailwarden.conf(5) document every key.  The DKIM
 *   key table is one `dkim_key = DOMAIN SELECTOR KEYFILE` line per key
 *   (like OpenDKIM's KeyTable + SigningTable: a message is signed with every
 *   key whose DOMAIN is the From domain or a parent of it).
 *
 * OWNERSHIP
 *   milter_config_load returns a config for milter_config_free (which also
 *   frees the loaded private keys).
 */
#ifndef MW_DAEMON_MILTER_CONFIG_H
#define MW_DAEMON_MILTER_CONFIG_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/ip.h"
#include "outbound/batv.h"
#include "forensics/disposition.h"
#include "outbound/milter_msg.h"
#include "outbound/scan.h"

#define MILTER_KEYS_MAX 16     /* DKIM keys in the table: several signatures per domain fit */
#define MILTER_DOMAINS_MAX 64  /* our domains */
#define MILTER_NETS_MAX 64     /* trusted (internal) networks */
#define MILTER_STR_MAX 512

typedef struct milter_key {
	char domain[256];
	char selector[64];
	EVP_PKEY *key;
} milter_key;

typedef mw_cidr milter_net;

typedef struct milter_config {
	char socket[MILTER_STR_MAX];      /* libmilter connection spec: inet:PORT@HOST, unix:PATH */
	bool socket_set;                  /* socket given (serve runs the milter only then) */
	char authserv_id[256];
	char zone[MILTER_STR_MAX];        /* offline DNS zone file ("" = resolver) */
	char resolver[128];               /* IP[:PORT] ("" = system resolver) */
	char domains[MILTER_DOMAINS_MAX][256];
	size_t ndomains;
	milter_net nets[MILTER_NETS_MAX];
	size_t nnets;
	milter_key keys[MILTER_KEYS_MAX];
	size_t nkeys;
	bool batv;                        /* a batv_key_file was given */
	mw_batv_keys batv_keys;
	int batv_days;
	bool batv_grace;
	bool dmarc_reject;                /* reject on DMARC fail under p=reject */
	bool default_tempfail;            /* internal error: tempfail (true) or accept */
	int timeout_s;                    /* libmilter's MTA I/O timeout */
	size_t max_message;               /* 0 = any size (streamed); else larger pass unchanged */
	size_t scan_max;                  /* body bytes kept for the outbound content scan */
	bool arc_seal;                    /* ARC-seal inbound mail after verification */
	char arc_domain[256];             /* d= of our seals */
	char arc_selector[64];            /* s= of our seals */
	EVP_PKEY *arc_key;                /* RSA (RFC 8617 seals are rsa-sha256 only) */
	mw_scan_rules *scan;              /* outbound content rules (NULL = no scan) */
	char events_db[MILTER_STR_MAX];   /* SQLite event history ("" = none) */
	mw_dispo_config dispo;            /* DMARC pct / t=y / local overrides */
	enum { MILTER_Q_OFF, MILTER_Q_HEADER, MILTER_Q_HOLD } dmarc_quarantine;
	enum { MILTER_IS_OFF, MILTER_IS_TAG, MILTER_IS_HOLD, MILTER_IS_REJECT } inbound_scan;
} milter_config;

/* milter_config_load - defaults, then the [milter] section of path (NULL = none) */
milter_config *milter_config_load(const char *path, mw_err *err);
/* milter_config_set - one key = value (also used for command-line overrides) */
mw_status milter_config_set(milter_config *c, const char *name, const char *value, mw_err *err);
/* milter_config_check - settings that depend on each other (arc_seal needs
 * arc_domain, arc_selector, arc_key); MW_EINVAL with the reason */
mw_status milter_config_check(const milter_config *c, mw_err *err);
/* milter_config_free - config and its keys */
void milter_config_free(milter_config *c);
/* milter_is_our_domain - d equals or is below one of our domains */
bool milter_is_our_domain(const milter_config *c, const char *d);
/* milter_is_trusted - ip lies in a trusted network */
bool milter_is_trusted(const milter_config *c, const mw_ip *ip);

#endif
