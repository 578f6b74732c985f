/*
 * mail/mailwalk.h - walk the places mail is kept: a message file, an mbox,
 * a directory of message files, a maildir.
 *
 * DESCRIPTION
 *   mw_walk_path hands every file to a callback: a directory gives its
 *   regular files in name order, then (at the top level only) those of its
 *   cur/ and new/ subdirectories, so a maildir and a plain folder both
 *   work; names starting with '.' are skipped; anything else (and "-", for
 *   standard input) is handed over as it is.  mw_walk_messages splits what
 *   the caller read from one file: an mbox (mail/mbox.h) gives one call per
 *   message, named "PATH#N"; anything else is one message named PATH.
 *   Reading files is the caller's business (its own size limits).
 *
 * LIMITS
 *   MW_WALK_DIR_MAX names per directory (the rest are reported through the
 *   error callback, not walked); paths longer than PATH_MAX are reported.
 *
 * OWNERSHIP
 *   Paths and slices handed to callbacks live only during the call.
 */
#ifndef MW_MAIL_MAILWALK_H
#define MW_MAIL_MAILWALK_H

#include <stddef.h>

typedef struct mw_walk_cb {
	void (*file)(void *ctx, const char *path);
	void (*error)(void *ctx, const char *path, const char *reason);
	void *ctx;
} mw_walk_cb;

typedef void (*mw_walk_msg_fn)(void *ctx, const char *name, const char *msg, size_t len);

/* mw_walk_path - every file below path (see above) */
void mw_walk_path(const char *path, const mw_walk_cb *cb);
/* mw_walk_messages - the messages of one file's contents */
void mw_walk_messages(const char *path, const char *data, size_t len, mw_walk_msg_fn fn,
		      void *ctx);

#endif
