/*
 * outbound/milter_msg.h - one message as a milter receives it: the
 * per-message decisions and the streamed state, apart from libmilter so
 * they can be unit tested (the callbacks in daemon/milter.c are thin).
 *
 * DESCRIPTION
 *   Direction (as OpenDKIM decides it): outbound when the client
 *   authenticated (the {auth_authen} macro is not empty) or its address lies
 *   in a trusted network; inbound otherwise.
 *
 *   Header fields arrive one by one (xxfi_header) as name and value.  The
 *   header section is rebuilt as "Name:" + value + CRLF.  When the MTA
 *   honours SMFIP_HDR_LEADSPC (Postfix, Sendmail 8.14+) the value keeps its
 *   leading whitespace and the rebuilt field is byte-exact, so "simple"
 *   header canonicalization verifies (RFC 6376 §3.4.1); without it the
 *   MTA strips the whitespace after the colon and one space is put back,
 *   the common layout.  Folding comes as LF (or CRLF) and is rebuilt as
 *   CRLF.  Authentication-Results fields that claim our authserv-id are
 *   listed by their 1-based index among the A-R fields, for removal
 *   (smfi_chgheader, RFC 8601 §5).
 *
 *   At the end of the header section (xxfi_eoh, or the first body chunk
 *   when an MTA sends none) the section is parsed (mail/message.h) and a
 *   body hash is planned for every DKIM-Signature and ARC-Message-Signature
 *   in it (auth/dkim_bodyhash.h); the caller adds its own (signing,
 *   sealing) before the body.  Body chunks are hashed as they stream; only
 *   the first scan_max body bytes are kept (for the content scan), so the
 *   memory a message costs does not grow with its body.
 *
 *   mw_milter_field_value turns a field we built ("Name: value" with CRLF
 *   folding) into the value libmilter's smfi_insheader wants: LF folding,
 *   and the leading space kept only with SMFIP_HDR_LEADSPC (without it the
 *   MTA adds one itself).
 *
 * LIMITS
 *   Header section MW_MSG_HEADER_MAX bytes, fields and lines as
 *   mw_message_parse allows; past them head_status says MW_ETOOBIG and the
 *   message is not evaluated (the caller answers its default action).
 *   MW_MILTER_AR_MAX forged A-R fields removed.
 *
 * OWNERSHIP
 *   mw_milter_msg owns its buffers, the parsed header and the body hashes;
 *   mw_milter_msg_reset frees them for the next message (safe at any
 *   point: an aborted message leaks nothing).  Strings from
 *   mw_milter_field_value are malloc'd for the caller.
 */
#ifndef MW_OUTBOUND_MILTER_MSG_H
#define MW_OUTBOUND_MILTER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/dkim_bodyhash.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"
#include "mail/message.h"

typedef struct mw_cidr {
	mw_ip net;
	unsigned prefix;
} mw_cidr;

typedef enum mw_milter_dir { MW_MILTER_INBOUND = 0, MW_MILTER_OUTBOUND = 1 } mw_milter_dir;

/* mw_cidr_list_has - ip lies in one of nets[0..n) (same family only) */
bool mw_cidr_list_has(const mw_cidr *nets, size_t n, const mw_ip *ip);
/* mw_milter_direction - outbound if auth_authen is non-empty or client (may be NULL)
 * is in nets */
mw_milter_dir mw_milter_direction(const char *auth_authen, const mw_ip *client,
				  const mw_cidr *nets, size_t n);
/* mw_milter_ar_is_ours - the A-R value's authserv-id is authserv_id (RFC 8601 §2.5;
 * an unparsable value is judged by its first token) */
bool mw_milter_ar_is_ours(const char *value, const char *authserv_id);
/* mw_milter_field_value - value of field "Name:value..." for smfi_insheader: CRs
 * dropped, final line ends removed, the whitespace after ':' kept when leadspc
 * else skipped; NULL without ':' or memory */
char *mw_milter_field_value(const char *field, bool leadspc);

typedef struct mw_milter_msg_opts {
	const char *authserv_id; /* A-R fields claiming it are listed; NULL = none listed */
	size_t scan_max;         /* body bytes kept for the scan; 0 = keep nothing */
	bool leadspc;            /* values arrive with their leading whitespace */
	bool own_hash;           /* also hash (sha256, relaxed, no l=): our DKIM signatures and
				  * ARC seal use it; set before the header section ends */
} mw_milter_msg_opts;

typedef struct mw_milter_msg {
	mw_milter_msg_opts o;
	mw_buf head;                 /* rebuilt header section */
	mw_status head_status;       /* MW_OK, MW_ETOOBIG or MW_EPARSE (then head_err) */
	mw_err head_err;
	size_t nfields;              /* header fields received */
	size_t nar;                  /* Authentication-Results fields received */
	unsigned forged[MW_MILTER_AR_MAX]; /* 1-based A-R indices claiming our id */
	size_t nforged;
	bool eoh;                    /* header section closed and parsed */
	mw_message hdr;              /* the parsed header section (body empty) */
	bool have_hdr;
	mw_bodyhash_set *bodies;     /* planned at eoh */
	mw_buf kept;                 /* header section + first scan_max body bytes */
	bool kept_cut;               /* the body went on past scan_max */
	uint64_t body_bytes;         /* raw body bytes received */
	bool done;                   /* hashes final (mw_milter_msg_eom) */
} mw_milter_msg;

/* mw_milter_msg_init - empty message state with options o (copied) */
void mw_milter_msg_init(mw_milter_msg *m, const mw_milter_msg_opts *o);
/* mw_milter_msg_reset - free everything; ready for the next message (options kept) */
void mw_milter_msg_reset(mw_milter_msg *m);
/* mw_milter_msg_header - one header field (name, value as the MTA gives them) */
void mw_milter_msg_header(mw_milter_msg *m, const char *name, const char *value);
/* mw_milter_msg_eoh - close and parse the header section, plan the body hashes.
 * MW_OK, or head_status (the message cannot be evaluated), MW_ENOMEM. */
mw_status mw_milter_msg_eoh(mw_milter_msg *m);
/* mw_milter_msg_body - next raw body chunk (closes the header section first if needed) */
void mw_milter_msg_body(mw_milter_msg *m, const void *p, size_t n);
/* mw_milter_msg_eom - finish the body hashes; MW_OK when hdr and bodies are
 * usable, else the reason in err */
mw_status mw_milter_msg_eom(mw_milter_msg *m, mw_err *err);

#endif
