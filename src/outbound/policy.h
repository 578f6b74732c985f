/*
 * outbound/policy.h - Postfix policy delegation protocol: request parser and
 * answer writer.
 *
 * DESCRIPTION
 *   Postfix (SMTPD_POLICY_README) sends a request as "name=value" lines, each
 *   ended by LF, and ends it with an empty line; the policy server answers
 *   "action=WORD [text]" plus an empty line, and the connection is reused for
 *   the next request.  Unknown attributes are kept in the attribute list and
 *   otherwise ignored.
 *
 *   mw_policy_parse is incremental and zero-copy: it looks at the bytes read
 *   so far and either finds one complete request (it then splits the lines in
 *   place, writing NULs, and points the request's fields into the data) or
 *   says it needs more bytes (nothing is written).  A trailing CR on a line is
 *   tolerated.
 *
 * ERRORS (each is final for the connection: the stream cannot be resynced)
 *   MW_ETOOBIG  a line over MW_POLICY_LINE_MAX, more than MW_POLICY_ATTRS_MAX
 *               attributes, or a request over MW_POLICY_REQ_MAX bytes.  Found
 *               as early as possible, without waiting for the end.
 *   MW_EPARSE   a line without '=', an empty or non [A-Za-z0-9_.-] name, a
 *               NUL or other control byte, an empty request, a duplicate
 *               well-known attribute, request= missing or not
 *               "smtpd_access_policy", a non-numeric recipient_count/size.
 *
 * OWNERSHIP
 *   The request's pointers point into the caller's data, which must outlive
 *   the request.  Absent well-known attributes are "" (never NULL).
 */
#ifndef MW_OUTBOUND_POLICY_H
#define MW_OUTBOUND_POLICY_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"

typedef enum mw_policy_action {
	MW_PA_DUNNO = 0,     /* no opinion: Postfix goes on with its other rules */
	MW_PA_OK,            /* accept (skips the remaining restrictions) */
	MW_PA_HOLD,          /* accept into the hold queue, for the admin */
	MW_PA_DEFER_IF_PERMIT, /* 450 4.7.1 unless another rule rejects */
	MW_PA_DEFER,         /* 450 4.7.1 */
	MW_PA_REJECT,        /* 554 5.7.1 */
} mw_policy_action;

typedef struct mw_policy_attr {
	const char *name;
	const char *value;
	size_t vlen;
} mw_policy_attr;

typedef struct mw_policy_req {
	size_t nattrs;
	mw_policy_attr attrs[MW_POLICY_ATTRS_MAX];
	/* well-known attributes, "" when absent */
	const char *request, *protocol_state, *protocol_name, *client_address, *client_name,
		*sasl_username, *sasl_method, *sender, *recipient, *instance, *queue_id,
		*helo_name;
	unsigned long recipient_count; /* 0 when absent */
	unsigned long long size;       /* 0 when absent */
} mw_policy_req;

/* mw_policy_parse - find one complete request at the start of data[0..len).
 * On MW_OK, *used is the number of bytes the request took (lines and the
 * empty line), or 0 when more bytes are needed (data untouched). */
mw_status mw_policy_parse(char *data, size_t len, mw_policy_req *req, size_t *used, mw_err *err);

/* mw_policy_get - value of any attribute by name, or NULL */
const char *mw_policy_get(const mw_policy_req *req, const char *name);

/* mw_policy_answer - append "action=WORD[ text]\n\n" to out.  Control bytes
 * in text become '?', text is cut at MW_POLICY_TEXT_MAX; DUNNO and OK carry
 * no text. */
mw_status mw_policy_answer(mw_buf *out, mw_policy_action a, const char *text);

/* mw_policy_action_name - "DUNNO", "HOLD", ... (static string) */
const char *mw_policy_action_name(mw_policy_action a);
/* mw_policy_action_parse - case-insensitive name to action; -1 when unknown */
int mw_policy_action_parse(const char *s);

#endif
