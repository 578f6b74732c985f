/*
 * auth/taglist.h - the one tag=value list parser (RFC 6376 §3.2), shared by
 * DKIM signatures and key records, DMARC records and ARC headers.
 *
 * DESCRIPTION
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC            (ALNUMPUNC = ALPHA / DIGIT / "_")
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]   tval = 1*VALCHAR
 *   VALCHAR   = %x21-3A / %x3C-7E           (printable ASCII except ";")
 *   FWS       = [*WSP CRLF] 1*WSP
 *
 *   mw_taglist_parse splits a counted string into (name, value) slices that
 *   point into the input.  A value keeps its inner whitespace and folding
 *   exactly (b=, bh= and h= callers strip it with mw_tag_copy_nows); the
 *   whitespace around it is not part of it.  An empty value ("p=") is a
 *   value of length 0.  Accepted beyond the grammar: whitespace after a
 *   final ";" (every real record has it).  Errors (MW_EPARSE unless noted,
 *   each with the byte offset in the reason):
 *     - a tag name that does not start with a letter or holds other bytes
 *     - a missing "=", an empty tag-spec (";;"), an empty list
 *     - a byte outside VALCHAR/WSP in a value (8-bit, control, bare CR/LF)
 *     - a CRLF not followed by WSP (a broken fold)
 *     - the same tag name twice (RFC 6376 §3.2: "MUST NOT", permerror)
 *     - MW_ETOOBIG: input over MW_TAGLIST_INPUT_MAX, more than
 *       MW_TAGLIST_TAGS_MAX tags, a name over MW_TAGLIST_NAME_MAX
 *   Tag names are case-sensitive (RFC 6376 §3.2); "v" and "V" differ.
 *
 * OWNERSHIP
 *   The list is a plain value; its slices borrow the input, which must
 *   outlive it.  Nothing to free.
 */
#ifndef MW_AUTH_TAGLIST_H
#define MW_AUTH_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"

typedef struct mw_tag {
	const char *name;
	size_t name_len;
	const char *value; /* not NUL-terminated */
	size_t value_len;
	size_t offset;     /* of the name in the input */
} mw_tag;

typedef struct mw_taglist {
	mw_tag tag[MW_TAGLIST_TAGS_MAX];
	size_t n;
} mw_taglist;

/* mw_taglist_parse - parse s[0..len) into out; MW_OK, MW_EPARSE or MW_ETOOBIG */
mw_status mw_taglist_parse(const char *s, size_t len, mw_taglist *out, mw_err *err);

/* mw_taglist_get - the tag named name (case-sensitive), or NULL */
const mw_tag *mw_taglist_get(const mw_taglist *tl, const char *name);

/* mw_tag_is - the value equals s exactly (case-sensitive when nocase is false) */
bool mw_tag_is(const mw_tag *t, const char *s, bool nocase);

/* mw_tag_copy_nows - value with every SP, HTAB, CR and LF removed, NUL-terminated,
 * into out (size n); false if it does not fit */
bool mw_tag_copy_nows(const mw_tag *t, char *out, size_t n);

#endif
