/*
 * mail/message.h - a raw RFC 5322 message: header fields and body.
 *
 * DESCRIPTION
 *   mw_message_parse copies the input and normalises every line ending to
 *   CRLF: CRLF stays, a bare LF becomes CRLF, a bare CR becomes CRLF (files on
 *   disk have LF; SMTP carries CRLF; DKIM canonicalises CRLF lines, RFC 6376
 *   §3.4).  Nothing else is changed: a field's raw bytes (name, colon,
 *   folding whitespace, value) are kept exactly, which DKIM's "simple"
 *   canonicalisation needs.  A first line "From " (mbox separator) is
 *   skipped.  The header section is split into fields (RFC 5322 §2.2): a
 *   field starts with a non-WSP line holding a ':'; lines starting with WSP
 *   continue it (folding).  The body is everything after the first empty
 *   line; a message without one has no body.
 *
 *   Lookup: by name, case-insensitive, in order (mw_message_find) or
 *   bottom-up (mw_message_find_rev, the order DKIM's h= uses, RFC 6376
 *   §5.4.2).  Values are unfolded on demand (mw_hfield_unfold).
 *   mw_message_from reads the RFC 5322.From mailboxes and their domains
 *   through GMime's address parser (quoted strings, comments, groups,
 *   RFC 2047 words); zero or several From fields or mailboxes are reported
 *   as counts, for the caller (DMARC, RFC 9989 §4.4) to decide.
 *
 * LIMITS (core/limits.h)
 *   MW_MSG_MAX bytes per message, MW_MSG_HEADER_MAX bytes of header
 *   section, MW_MSG_FIELDS_MAX fields, MW_MSG_LINE_MAX bytes per physical
 *   header line: over any of them MW_ETOOBIG.  A header line without ':',
 *   a field name with bytes outside %d33-126, or a header starting with a
 *   continuation line is MW_EPARSE.  Both come with a reason in mw_err.
 *
 * OWNERSHIP
 *   The message owns its normalised copy and field array (mw_message_free).
 *   Field slices point into that copy.  mw_hfield_unfold and
 *   mw_message_from allocate from the caller's pool.
 */
#ifndef MW_MAIL_MESSAGE_H
#define MW_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/pool.h"

typedef struct mw_hfield {
	const char *name;  /* field name (WSP before the ':' excluded) */
	size_t name_len;
	const char *raw;   /* the whole field, folding included, without its final CRLF */
	size_t raw_len;
	const char *value; /* raw bytes after the ':' (folded, not trimmed) */
	size_t value_len;
} mw_hfield;

typedef struct mw_message {
	char *data;          /* normalised copy, NUL-terminated */
	size_t len;
	mw_hfield *field;
	size_t nfields;
	size_t header_len;   /* bytes of header section in data (up to the empty line) */
	const char *body;    /* after the empty line; NULL when there is none */
	size_t body_len;
	bool has_body;       /* an empty line ended the header section */
	bool mbox_from;      /* a leading "From " line was skipped */
	size_t n_lf, n_cr, n_crlf; /* line ends of the input: bare LF, bare CR, CRLF */
} mw_message;

typedef struct mw_from {
	size_t nfields;                         /* From header fields */
	size_t naddrs;                          /* mailboxes in them */
	const char *addr[MW_MSG_FROM_ADDRS_MAX];   /* addr-spec, pool-owned */
	const char *domain[MW_MSG_FROM_ADDRS_MAX]; /* lower-case, no trailing dot */
	const char *name[MW_MSG_FROM_ADDRS_MAX];   /* display name, RFC 2047 decoded; NULL if none */
} mw_from;

/* mw_message_parse - normalise and split in[0..len) into m */
mw_status mw_message_parse(const char *in, size_t len, mw_message *m, mw_err *err);
/* mw_message_free - release the copy and the field array; m is zeroed */
void mw_message_free(mw_message *m);

/* mw_hfield_is - the field's name equals name, ignoring ASCII case */
bool mw_hfield_is(const mw_hfield *f, const char *name);
/* mw_message_find - index of the first field >= from named name, or -1 */
long mw_message_find(const mw_message *m, const char *name, long from);
/* mw_message_find_rev - index of the last field < before named name, or -1 */
long mw_message_find_rev(const mw_message *m, const char *name, long before);
/* mw_message_count - number of fields named name */
size_t mw_message_count(const mw_message *m, const char *name);
/* mw_hfield_unfold - value with CRLFs of folding removed and outer WSP trimmed
 * (RFC 5322 §2.2.3), NUL-terminated, from pool; NULL past the pool budget */
char *mw_hfield_unfold(const mw_hfield *f, mw_pool *pool);

/* mw_message_from - From mailboxes and their domains.  MW_OK with nfields 0
 * when there is no From field; MW_EPARSE if a From field holds no mailbox or
 * a mailbox without a domain (out keeps what was read); MW_ETOOBIG past
 * MW_MSG_FROM_ADDRS_MAX mailboxes. */
mw_status mw_message_from(const mw_message *m, mw_pool *pool, mw_from *out, mw_err *err);

#endif
