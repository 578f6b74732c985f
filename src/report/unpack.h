/*
 * report/unpack.h - gzip and zip decompression for DMARC report attachments.
 *
 * DESCRIPTION
 *   Aggregate reports travel as .xml.gz (RFC 9990 asks for gzip) or, from
 *   Google and Microsoft, as .zip.  mw_unpack detects the format from the
 *   magic bytes (1f 8b = gzip, "PK\3\4" = zip) and inflates into an mw_buf.
 *   A zip yields its first .xml entry (or the first entry if none is named
 *   .xml).  Anything else is returned unchanged (copied).
 *
 * LIMITS
 *   Output at most MW_DR_XML_MAX bytes; past MW_DR_RATIO_FLOOR bytes the
 *   output may not exceed MW_DR_RATIO_MAX times the compressed size (zip and
 *   gzip bombs stop early, memory stays bounded).  A zip holds at most
 *   MW_DR_ZIP_ENTRIES_MAX entries; its declared sizes are checked before
 *   inflating and enforced again while reading.  A truncated gzip stream is
 *   an error (MW_EPARSE), never a silently short report.
 *
 * OWNERSHIP
 *   out is initialised by mw_unpack; the caller frees it with mw_buf_free.
 */
#ifndef MW_REPORT_UNPACK_H
#define MW_REPORT_UNPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum mw_pack_kind { MW_PACK_NONE, MW_PACK_GZIP, MW_PACK_ZIP } mw_pack_kind;

/* mw_pack_detect - compression format from the first bytes */
mw_pack_kind mw_pack_detect(const void *data, size_t len);

/* mw_unpack - decompressed content (or a copy) into out, within the limits above */
mw_status mw_unpack(const void *data, size_t len, mw_buf *out, mw_err *err);

#endif
