/*
 * mail/mbox.h - split an mbox file into messages (RFC 4155 "default" mbox).
 *
 * DESCRIPTION
 *   A message starts at a line beginning "From " at the start of the file
 *   or after an empty line (RFC 4155 §2: the separator is preceded by a
 *   blank line, except the first).  The "From " line itself is not part of
 *   the message.  ">From " quoting is left alone (the readers here do not
 *   care about body bytes).  Zero-copy: messages are slices of the input.
 *
 * LIMITS
 *   MW_MBOX_MESSAGES_MAX messages per file (the iterator stops there).
 */
#ifndef MW_MAIL_MBOX_H
#define MW_MAIL_MBOX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mw_mbox_iter {
	const char *data;
	size_t len;
	size_t pos;
	size_t count;
} mw_mbox_iter;

/* mw_mbox_is - the data starts with an mbox "From " separator line */
bool mw_mbox_is(const char *data, size_t len);
/* mw_mbox_init - iterate over data[0..len) */
void mw_mbox_init(mw_mbox_iter *it, const char *data, size_t len);
/* mw_mbox_next - next message slice; false at the end */
bool mw_mbox_next(mw_mbox_iter *it, const char **msg, size_t *n);

#endif
