/*
 * logwatch/logread.h - read a log file (plain or gzip) line by line.
 *
 * DESCRIPTION
 *   Reads a file descriptor in MW_LOG_READ_CHUNK blocks and hands each
 *   complete line (without "\n") to a callback, zero-copy from its buffer.
 *   Gzip input (rotated mail.log.2.gz) is recognised by its magic bytes, not
 *   by name, and inflated with zlib; concatenated gzip members are read in
 *   turn.  A gzip stream that ends early (truncated file) is reported in the
 *   stats after every complete line before the cut was delivered.  A line
 *   longer than MW_LOG_LINE_MAX is skipped up to its newline and counted.
 *   A last line without "\n" is delivered too.
 *
 * OWNERSHIP
 *   The line pointer is valid only during the callback.
 */
#ifndef MW_LOGWATCH_LOGREAD_H
#define MW_LOGWATCH_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* a non-zero return stops the reading */
typedef int (*mw_line_fn)(void *ctx, const char *line, size_t len);
typedef void (*mw_progress_fn)(void *ctx, uint64_t raw_bytes);

typedef struct mw_logread_stats {
	uint64_t raw_bytes;  /* bytes read from the descriptor */
	uint64_t bytes;      /* bytes after decompression */
	uint64_t lines;
	uint64_t oversized;  /* lines over MW_LOG_LINE_MAX, skipped */
	bool gzip;
	bool truncated_gzip; /* the compressed stream ended early or was corrupt */
} mw_logread_stats;

/* mw_logread_fd - read fd to its end; MW_EIO on a read error, MW_ENOMEM */
mw_status mw_logread_fd(int fd, mw_line_fn fn, void *ctx, mw_progress_fn progress,
			void *pctx, mw_logread_stats *st, mw_err *err);

#endif
