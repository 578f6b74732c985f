/*
 * outbound/scan_int.h - rule representation shared by scan_rules.c (parse),
 * scan_engine.c (multi-pattern matching) and scan.c (message walk, scoring).
 * Not a public header.
 */
#ifndef MW_OUTBOUND_SCAN_INT_H
#define MW_OUTBOUND_SCAN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/htab.h"
#include "outbound/scan.h"

typedef enum scan_kind {
	SCAN_HEADER,
	SCAN_BODY,
	SCAN_PHRASE,
	SCAN_LINK,
	SCAN_URL,
	SCAN_ATTACH,
	SCAN_REPLYTO,
	SCAN_DISPLAY,
	SCAN_DISPLAY_OWN,
	SCAN_MANYTO,
	SCAN_ENCRYPTED,
} scan_kind;

/* The pattern sets: one compiled database each (scan_engine.c). */
typedef enum scan_set {
	SCAN_SET_HEADER, /* header rules, over one field value at a time */
	SCAN_SET_BODY,   /* body rules, over the decoded text */
	SCAN_SET_PHRASE, /* phrase rules, over the folded text (blank runs = one space) */
	SCAN_SET_LINK,   /* link rules, over the collected URLs, one per line */
	SCAN_SET_N,
} scan_set;

#define SCAN_LIST_MAX 64 /* domains / extensions / phrases per rule */

typedef struct scan_rule {
	char name[64];
	int score;
	scan_kind kind;
	char field[128];           /* header name */
	pcre2_code *re;            /* header, body, phrase, link: the authority */
	char *src;                 /* the pattern text given to PCRE2 (and Vectorscan) */
	uint32_t opts;             /* PCRE2 options it was compiled with */
	bool fallback;             /* Vectorscan could not take it: PCRE2 pass of its own */
	char **hs;                 /* phrase rules: one Vectorscan literal pattern per phrase */
	size_t nhs;
	size_t maxlen;             /* phrase rules: bytes of the longest phrase */
	char *list[SCAN_LIST_MAX]; /* lower-case domains, extensions, brand words */
	size_t nlist;
	long n;                    /* many-to */
} scan_rule;

typedef struct scan_engine scan_engine; /* scan_engine.c */

struct mw_scan_rules {
	scan_rule *rule;
	size_t n;
	int threshold;
	pcre2_match_context *mctx;
	mw_htab *domains; /* url rules: domain -> scan_idlist of rule indices */
	mw_htab *exts;    /* attachment rules: extension -> scan_idlist */
	mw_htab *fields;  /* header rules: lower-case field names (value unused) */
	bool has_phrase, has_encrypted;
	bool pcre2_only;  /* MW_SCAN_PCRE2_ONLY */
	scan_engine *eng;
	mw_buf notes;     /* load notes (patterns left to PCRE2), one per line */
};

/* scan_idlist - rule indices sharing one key of a hash set */
typedef struct scan_idlist {
	size_t n, cap;
	uint32_t *v;
} scan_idlist;

/* scan_engine_build - compile the pattern sets; notes for rules left to
 * PCRE2 go to rs->notes */
mw_status scan_engine_build(mw_scan_rules *rs, mw_err *err);
/* scan_engine_free - release databases and scratch space */
void scan_engine_free(scan_engine *e);
/* scan_engine_name - "vectorscan 5.4.9" or "pcre2" */
const char *scan_engine_name(const scan_engine *e);

/* scan_cand_fn - a rule whose pattern may match; end = the offset where a
 * match ends (SIZE_MAX when unknown) */
typedef void (*scan_cand_fn)(void *ctx, uint32_t rule, size_t end);
/* scan_engine_run - every rule of set that may match s[0..n) (each at
 * most once per call), then every fallback rule of the set; the caller
 * confirms with scan_confirm */
mw_status scan_engine_run(const mw_scan_rules *rs, scan_set set, const char *s, size_t n,
			  scan_cand_fn fn, void *ctx);
/* scan_confirm - PCRE2 match of rule r in s[0..n) near end; the matched
 * text (cut) into why */
bool scan_confirm(const mw_scan_rules *rs, const scan_rule *r, const char *s, size_t n,
		  size_t end, char *why, size_t wn);
/* scan_fold - text for phrase rules, in place: every run of white space,
 * commas, semicolons and colons becomes one space; returns the new length */
size_t scan_fold(char *s, size_t n);
/* scan_rule_set - the set a rule's pattern belongs to, or SCAN_SET_N */
scan_set scan_rule_set(const scan_rule *r);

#endif
