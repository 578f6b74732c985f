/*
 * logwatch/pipeline.h - scan a log file on two cores.
 *
 * DESCRIPTION
 *   mw_logscan_fd reads a descriptor (plain or gzip, see logread.h) and feeds
 *   every line to a scanner.  With threads = 2 the work is split into a
 *   producer (read, split lines, parse: mw_logline_parse) and the caller's
 *   thread (correlation and detectors: mw_logscan_event, which must stay
 *   sequential).  They exchange blocks of lines with their parsed events in
 *   a compact form (offsets into the block, the fields the scanner uses);
 *   three blocks rotate, so memory stays bounded (~3 x (MW_PIPE_TEXT +
 *   MW_PIPE_EVENTS x 152 bytes)).  The result is identical to feeding the
 *   lines one by one; threads = 1 does exactly that, without a thread.
 *
 * OWNERSHIP
 *   The scanner is only touched from the calling thread.
 */
#ifndef MW_LOGWATCH_PIPELINE_H
#define MW_LOGWATCH_PIPELINE_H

#include "logwatch/logread.h"
#include "logwatch/logscan.h"

/* mw_logscan_fd - feed every line of fd to s; stats as mw_logread_fd */
mw_status mw_logscan_fd(mw_logscan *s, int fd, const mw_logtime_ctx *tc, int threads,
			mw_progress_fn progress, void *pctx, mw_logread_stats *st, mw_err *err);

#endif
