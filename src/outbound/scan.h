/*
 * outbound/scan.h - content scan: a scored rule set over one message.
 *
 * DESCRIPTION
 *   The rules file is line-based, one rule per line (docs/SCAN.md):
 *     threshold N                          score at which a message is held
 *     NAME SCORE header FIELD /REGEX/[is]  a header field's (decoded) value
 *     NAME SCORE body /REGEX/[is]          decoded text of the body: text
 *                                          parts after base64/QP and charset
 *                                          decoding (GMime), HTML reduced to
 *                                          text
 *     NAME SCORE phrase "TEXT" "TEXT"...   any of the phrases, case-
 *                                          insensitive, blanks match any
 *                                          white space, in the body text or
 *                                          the Subject
 *     NAME SCORE link /REGEX/[is]          a whole link (http/https URL in
 *                                          text or HTML), one per line
 *     NAME SCORE url DOMAIN...             a link whose host is DOMAIN or
 *                                          below it
 *     NAME SCORE attachment EXT...         an attachment file name extension
 *     NAME SCORE reply-to-mismatch         Reply-To domain differs from From's
 *     NAME SCORE display-name-spoof        the From display name holds an
 *                                          address of another domain
 *     NAME SCORE display-name-own ITEM...  the display name names one of
 *                                          our domains (items with a dot)
 *                                          or brand words, but the From
 *                                          address is not in our domains
 *     NAME SCORE many-to N                 more than N addresses in To + Cc
 *     NAME SCORE encrypted-archive         a zip attachment whose first
 *                                          entry is password-protected
 *   Blank lines and lines starting with # are comments.  Regexes are PCRE2
 *   syntax (UTF); all patterns of a kind are matched in one pass by
 *   Vectorscan when built with it, and every hit is confirmed by PCRE2 (JIT,
 *   match limit).  A rule's score counts once however often it matches.
 *
 * LIMITS
 *   MW_SCAN_RULES_MAX rules, MW_SCAN_LINE_MAX bytes per line, 64 items or
 *   phrases per rule, decoded text up to MW_SCAN_TEXT_MAX bytes (the rest
 *   is not scanned, and the result says so), MW_SCAN_URLS_MAX links, PCRE2
 *   match limit per regex.
 *
 * THREADS
 *   Rules are read-only once parsed; mw_scan_message may run in several
 *   threads on the same rules (one Vectorscan scratch space per thread).
 *
 * OWNERSHIP
 *   mw_scan_rules_parse returns rules for mw_scan_rules_free.  A result is
 *   a plain value.
 */
#ifndef MW_OUTBOUND_SCAN_H
#define MW_OUTBOUND_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define MW_SCAN_RULES_MAX 1024      /* rules per file: abuse limit */
#define MW_SCAN_LINE_MAX 4096       /* bytes per rules-file line */
#define MW_SCAN_TEXT_MAX (8u << 20) /* decoded text scanned per message */
#define MW_SCAN_URLS_MAX 1000       /* links collected per message */
#define MW_SCAN_HITS_MAX 64         /* matched rules reported */
#define MW_SCAN_MATCH_LIMIT 1000000 /* PCRE2 match limit: bounds backtracking */

typedef struct mw_scan_rules mw_scan_rules;

typedef struct mw_scan_hit {
	char rule[64];
	int score;
	char why[192];
} mw_scan_hit;

typedef struct mw_scan_result {
	int score;
	int threshold;
	bool hold;             /* score >= threshold */
	bool truncated;        /* text beyond MW_SCAN_TEXT_MAX was not scanned */
	size_t text_bytes, nurls, nattach;
	mw_scan_hit hit[MW_SCAN_HITS_MAX];
	size_t nhits;
} mw_scan_result;

/* mw_scan_rules_parse - compile a rules file; MW_EPARSE with "line N: why" */
mw_status mw_scan_rules_parse(const char *text, size_t len, mw_scan_rules **out, mw_err *err);
/* mw_scan_rules_parse_flags - the same, with MW_SCAN_* flags */
#define MW_SCAN_PCRE2_ONLY 1u /* no Vectorscan: one PCRE2 pass per pattern rule */
mw_status mw_scan_rules_parse_flags(const char *text, size_t len, unsigned flags,
				    mw_scan_rules **out, mw_err *err);
/* mw_scan_rules_count - number of rules */
size_t mw_scan_rules_count(const mw_scan_rules *r);
/* mw_scan_rules_notes - load notes, one per line ("" if none): patterns
 * Vectorscan could not take (prefiltered or left to a PCRE2 pass) */
const char *mw_scan_rules_notes(const mw_scan_rules *r);
/* mw_scan_rules_engine - "vectorscan VERSION" or "pcre2" */
const char *mw_scan_rules_engine(const mw_scan_rules *r);
/* mw_scan_rules_free - release rules and their compiled regexes */
void mw_scan_rules_free(mw_scan_rules *r);
/* mw_scan_message - scan raw message bytes with the rules */
mw_status mw_scan_message(const mw_scan_rules *r, const char *msg, size_t len,
			  mw_scan_result *res, mw_err *err);

#endif
