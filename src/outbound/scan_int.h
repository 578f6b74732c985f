/*
 * outbound/scan_int.h - rule representation shared by scan_rules.c (parse)
 * and scan.c (match).  Not a public header.
 */
#ifndef MW_OUTBOUND_SCAN_INT_H
#define MW_OUTBOUND_SCAN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "outbound/scan.h"

typedef enum scan_kind {
	SCAN_HEADER,
	SCAN_BODY,
	SCAN_URL,
	SCAN_ATTACH,
	SCAN_REPLYTO,
	SCAN_DISPLAY,
	SCAN_MANYTO,
} scan_kind;

#define SCAN_LIST_MAX 64 /* domains / extensions per rule */

typedef struct scan_rule {
	char name[64];
	int score;
	scan_kind kind;
	char field[128];          /* header name */
	pcre2_code *re;
	char *list[SCAN_LIST_MAX]; /* lower-case domains or extensions */
	size_t nlist;
	long n;                   /* many-to */
} scan_rule;

struct mw_scan_rules {
	scan_rule *rule;
	size_t n;
	int threshold;
	pcre2_match_context *mctx;
};

#endif
