/*
 * auth/dmarc_record.h - the DMARC policy record (RFC 9989 §4.7, §5.3).
 *
 * DESCRIPTION
 *   mw_dmarc_record_parse reads one TXT record through the shared tag=value
 *   parser (auth/taglist.h).  Rules:
 *     - "v=DMARC1" must be the first tag, exactly (case-sensitive);
 *       otherwise MW_ENOTFOUND: it is not a DMARC record and discovery
 *       discards it.  mw_dmarc_record_is_candidate tells quickly whether a
 *       TXT string claims to be one (used to count duplicates).
 *     - A tag-list syntax error (duplicate tag, broken value) is MW_EPARSE:
 *       the record is malformed (DMARC permerror, RFC 8601 §2.7.x registry).
 *     - Unknown tags are ignored (RFC 9989 §5.3), and listed in notes.
 *     - p, sp, np: none | quarantine | reject.  A missing p means p=none
 *       (RFC 9989 §5.3).  A p with an invalid value, or (RFC 7489 mode) a
 *       missing p or an invalid sp: the record acts as p=none when rua
 *       holds at least one valid URI, else the record is unusable
 *       (`usable` false; RFC 7489 §6.6.3 step 6, kept by RFC 9989).  Other
 *       invalid values fall back to their defaults with a note.
 *     - psd = y | n | u (default u), t = y | n (default n),
 *       adkim/aspf = r | s (default r), fo (0, 1, d, s; colon-separated),
 *       rua/ruf: comma-separated URIs (RFC 3986 scheme ":" rest; a "!size"
 *       suffix of RFC 7489 is accepted and ignored).
 *     - Historic RFC 7489 tags pct (0..100), rf, ri are parsed and reported;
 *       the evaluation honours pct only in RFC 7489 mode.
 *
 * LIMITS
 *   MW_DMARC_RECORD_MAX bytes, MW_DMARC_URIS_MAX URIs per rua/ruf
 *   (further URIs are noted and ignored).
 *
 * OWNERSHIP
 *   Strings point into the pool given to the parse.
 */
#ifndef MW_AUTH_DMARC_RECORD_H
#define MW_AUTH_DMARC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/pool.h"

typedef enum mw_dmarc_policy {
	MW_DMARC_POLICY_NONE = 0,
	MW_DMARC_POLICY_QUARANTINE,
	MW_DMARC_POLICY_REJECT,
} mw_dmarc_policy;

typedef enum mw_dmarc_psd {
	MW_DMARC_PSD_U = 0, /* unknown / not said (default) */
	MW_DMARC_PSD_Y,     /* a Public Suffix Domain record */
	MW_DMARC_PSD_N,     /* an Organizational Domain: stop the walk here */
} mw_dmarc_psd;

typedef struct mw_dmarc_uri {
	const char *uri;    /* as written, "!size" suffix removed */
	const char *domain; /* mailto: host part, lower case; NULL for other schemes */
} mw_dmarc_uri;

#define MW_DMARC_NOTES_MAX 8

typedef struct mw_dmarc_record {
	bool usable;         /* false: ignore the record (invalid p and no valid rua) */
	mw_dmarc_policy p, sp, np;
	bool has_p, has_sp, has_np; /* present and valid */
	bool p_invalid;      /* p absent-or-invalid rule applied (acts as p=none) */
	mw_dmarc_psd psd;
	bool testing;        /* t=y */
	bool adkim_strict, aspf_strict;
	mw_dmarc_uri rua[MW_DMARC_URIS_MAX], ruf[MW_DMARC_URIS_MAX];
	size_t nrua, nruf;
	const char *fo;      /* NULL = default "0" */
	/* historic RFC 7489 tags (RFC 9989 Appendix C) */
	int pct;             /* -1 = absent */
	const char *rf;      /* NULL = absent */
	long ri;             /* -1 = absent */
	const char *notes[MW_DMARC_NOTES_MAX]; /* human notes: ignored tags, bad values */
	size_t nnotes;
} mw_dmarc_record;

/* Parse flags */
#define MW_DMARC_RFC7489 0x1u /* RFC 7489 compatibility mode */

/* mw_dmarc_record_is_candidate - the TXT string starts with "v=DMARC1" (then ';', WSP or end) */
bool mw_dmarc_record_is_candidate(const char *txt, size_t len);
/* mw_dmarc_record_parse - parse a candidate; MW_OK, MW_ENOTFOUND (not DMARC),
 * MW_EPARSE (malformed), MW_ETOOBIG; reason in err */
mw_status mw_dmarc_record_parse(const char *txt, size_t len, unsigned flags, mw_pool *pool,
				mw_dmarc_record *out, mw_err *err);

/* mw_dmarc_policy_name - "none", "quarantine", "reject" */
const char *mw_dmarc_policy_name(mw_dmarc_policy p);

#endif
